"""Evaluate a Terraform module (and the local modules it calls) into trails with resolved values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any, Callable

from ..arn import display
from ..frontends.hcl_ast import (
    Attribute,
    BinOp,
    Block,
    Call,
    Conditional,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Name,
    Node,
    ObjectExpr,
    Opaque,
    Splat,
    Template,
    TfFile,
    TupleExpr,
    UnaryOp,
)
from ..frontends.reads import COMPUTED, UNREAD, was_read
from ..model import (
    UNKNOWN_ANY,
    UNKNOWN_SEGMENT,
    Assumption,
    Location,
    LogGroup,
    ModuleCall,
    Trail,
    Unfollowed,
    Value,
)
from ..prefilter import may_hold_trail
from .common import (
    MAX_INT_BITS,
    Budget,
    Defaulted,
    LimitReached,
    Trace,
    Undecided,
    Unknown,
    as_days,
    explore,
    group_named_in,
    limit_reached,
    log_group_arn,
    role_arn,
    service_arn,
    to_value,
    unset,
)
from .tf_functions import FUNCTIONS, to_str

TRAIL = "aws_cloudtrail"
LOG_GROUP = "aws_cloudwatch_log_group"
ROLE = "aws_iam_role"
SEG = UNKNOWN_SEGMENT

#: Data-source attributes that are known to exist and have no ``:`` in them.
_SEGMENT_DATA = {
    ("aws_caller_identity", "account_id"), ("aws_caller_identity", "id"), ("aws_region", "name"),
    ("aws_region", "id"), ("aws_region", "region"), ("aws_partition", "partition"), ("aws_partition", "id"),
    ("aws_partition", "dns_suffix"),
}


@dataclass
class TfModule:
    """The files of one Terraform module folder and the variable values given to it."""

    dir: str
    files: list[TfFile]
    #: Values from tfvars files (by name), as expressions with their file.
    tfvars: dict[str, Attribute] = field(default_factory=dict)
    #: Files of the module that could not be parsed (references into them cannot be checked).
    broken_files: list[str] = field(default_factory=list)
    #: Parses a file of the module whole (when its blocks were trimmed before parsing); None: cannot.
    reparse: Callable[[str], TfFile | None] | None = field(default=None, repr=False, compare=False)
    #: A terragrunt configuration: the module it calls is deployed as the root (its addresses keep no
    #: ``module.`` prefix), and variables its inputs do not set may be set elsewhere, for this reason.
    terragrunt: bool = False
    open_inputs: str = ""


#: Loads a child module: (caller's module dir, source, module key) -> (module or None, reason when None).
ModuleLoader = Callable[[str, str, str], "tuple[TfModule | None, str]"]


class Scope:
    """One module instance: its definitions, its variable inputs and where it sits in the module tree."""

    def __init__(self, module: TfModule, prefix: str = "", inputs: dict[str, Any] | None = None,
                 loader: ModuleLoader | None = None, depth: int = 0, lineage: tuple[str, ...] = (),
                 errors: list[tuple[Block, str]] | None = None, key: str = "",
                 via: tuple[ModuleCall, ...] = (), exists_when: tuple[Assumption, ...] = (),
                 unfollowed: list[Unfollowed] | None = None) -> None:
        self.module = module
        #: Module calls of the tree that may create trails but cannot be read, shared by the whole tree.
        self.unfollowed: list[Unfollowed] = unfollowed if unfollowed is not None else []
        #: The module calls from the root scope down to this one.
        self.via = via
        #: Conditions the module instance exists only under (a call whose ``count`` is 0 by default).
        self.exists_when = exists_when
        #: Module-call problems (missing source, cycle) with the call block, shared by the whole tree.
        self.errors: list[tuple[Block, str]] = errors if errors is not None else []
        #: The module path as in .terraform/modules/modules.json ("" for the root, "a.b" below it).
        self.key = key
        self.prefix = prefix
        self.inputs = inputs or {}
        self.loader = loader
        self.depth = depth
        self.lineage = lineage
        self.resources: dict[tuple[str, str], Block] = {}
        self.data: dict[tuple[str, str], Block] = {}
        self.variables: dict[str, Block] = {}
        self.locals: dict[str, Attribute] = {}
        self.outputs: dict[str, Block] = {}
        self.calls: dict[str, Block] = {}
        self.provider_lt3 = False
        #: The scopes of module calls made so far: by call name, then instance key.
        self._children: dict[str, dict[Any, tuple[Scope | None, str]]] = {}
        #: Why variables the module call does not set may still be set (a terragrunt ``include``).
        self.open_inputs = ""
        self._whole: dict[int, Block] = {}
        for tf in module.files:
            for block in tf.blocks:
                self._add(block)

    def _add(self, block: Block) -> None:
        kind, labels = block.type, block.labels
        if kind == "resource" and len(labels) == 2:
            self.resources.setdefault((labels[0], labels[1]), block)
        elif kind == "data" and len(labels) == 2:
            self.data.setdefault((labels[0], labels[1]), block)
        elif kind == "variable" and labels:
            self.variables.setdefault(labels[0], block)
        elif kind == "locals":
            for name, attr in block.attrs.items():
                self.locals.setdefault(name, attr)
        elif kind == "output" and labels:
            self.outputs.setdefault(labels[0], block)
        elif kind == "module" and labels:
            self.calls.setdefault(labels[0], block)
        elif kind == "terraform":
            for inner in block.blocks:
                if inner.type == "required_providers":
                    aws = inner.attrs.get("aws")
                    if aws is not None:
                        self.provider_lt3 = _below_v3(_constraint_text(aws.expr))
        elif kind == "provider" and labels == ["aws"] and "version" in block.attrs:
            self.provider_lt3 = _below_v3(_constraint_text(block.attrs["version"].expr))

    def whole(self, block: Block) -> Block:
        """``block`` with every attribute as written: from a whole parse of its file when it was trimmed
        before parsing (see ``frontends/reads.py``); ``block`` itself when it was not, or cannot be."""
        if UNREAD not in block.attrs or self.module.reparse is None:
            return block
        found = self._whole.get(id(block))
        if found is None:
            parsed = self.module.reparse(block.file)
            found = next((b for b in (parsed.blocks if parsed is not None else ())
                          if b.type == block.type and b.labels == block.labels and b.line == block.line), block)
            self._whole[id(block)] = found
        return found

    def child(self, name: str, key: Any = None, env: dict[str, Any] | None = None,
              exists_when: tuple[Assumption, ...] = ()) -> tuple[Scope | None, str]:
        """The scope of ``module.<name>`` (instance ``key`` of a call with ``count``/``for_each``, whose
        arguments see ``env``), or None and the reason it cannot be read."""
        made = self._children.get(name, {})
        if key in made:
            return made[key]
        first = not made  # what is wrong with a call is said once, at its first instance read
        call = self.calls.get(name)
        result: tuple[Scope | None, str]
        if call is None:
            result = (None, "")
        else:
            source_attr = call.attrs.get("source")
            source = source_attr.expr.value if source_attr and isinstance(source_attr.expr, Literal) else None
            dl_key = f"{self.key}.{name}" if self.key else name
            address = f"{self.prefix}module.{name}{_index_text(key)}"
            if not isinstance(source, str) or self.loader is None:
                result = (None, f"module.{name} has no literal source")
            else:
                module, why = self.loader(self.module.dir, source, dl_key)
                if module is None:
                    result = (None, why)
                    if source.startswith(("./", "../")):
                        if first:
                            self.errors.append((call, why))
                    elif first and may_hold_trail(source, name):
                        version = call.attrs.get("version")
                        shown = source + (f" {version.expr.value}" if version is not None
                                          and isinstance(version.expr, Literal) else "")
                        self.unfollowed.append(Unfollowed("module", f"{self.prefix}module.{name}", shown,
                                                          Location(call.file, call.line, call.col, call.end_line),
                                                          "module"))
                elif module.dir in self.lineage or module.dir == self.module.dir:
                    why = f"module.{name} calls {source}, which is already in its module chain (module cycle)"
                    if first:
                        self.errors.append((call, why))
                    result = (None, why)
                else:
                    inputs = {
                        arg: _Input(attr, self, env or {}) for arg, attr in call.attrs.items()
                        if arg not in ("source", "version", "count", "for_each", "providers", "depends_on")
                    }
                    shown = source
                    if self.module.terragrunt:  # the module terragrunt deploys: a root, as Terraform sees it
                        address, shown = "terragrunt", str(getattr(source_attr.expr, "src", source)).strip('"')
                    call_site = ModuleCall(address, shown, Location(call.file, call.line, call.col, call.end_line))
                    prefix = "" if self.module.terragrunt else f"{address}."
                    scope = Scope(module, prefix, inputs, self.loader, self.depth + 1,
                                  (*self.lineage, self.module.dir), self.errors, dl_key, (*self.via, call_site),
                                  self.exists_when + exists_when, self.unfollowed)
                    scope.provider_lt3 = scope.provider_lt3 or self.provider_lt3
                    scope.open_inputs = self.module.open_inputs
                    result = (scope, "")
        self._children.setdefault(name, {})[key] = result
        return result

    def instances(self, name: str, ev: Evaluator) -> Any:
        """``module.<name>`` as references see it: one :class:`ModuleRef`, a list of them (``count``), a
        map (``for_each``); a call whose instances exist only when a default is changed is one instance
        that exists under that condition."""
        call = self.calls[name]
        arg = "count" if "count" in call.attrs else "for_each" if "for_each" in call.attrs else None
        if arg is None:
            return ModuleRef(self, name, None, {})
        value, exists_when = _instance_count(ev, self, call.attrs[arg].expr, f"module.{name}")
        if isinstance(value, Unknown) or exists_when:
            if arg == "count":
                return [ModuleRef(self, name, 0, {"count": {"index": 0}}, exists_when)]
            return {UNKNOWN_ANY: ModuleRef(self, name, UNKNOWN_ANY, {"each": {"key": value, "value": value}},
                                           exists_when)}
        if arg == "count":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                return ev.trace.unknown(f"count of module.{name} is not a number")
            ev.budget.instances(int(max(value, 0)) if value < 1e18 else 10**18, f"module.{name}")
            return [ModuleRef(self, name, i, {"count": {"index": i}}) for i in range(int(value))]
        if isinstance(value, list):
            value = {to_str(x): x for x in value}
        if not isinstance(value, dict):
            return ev.trace.unknown(f"for_each of module.{name} is not a map or set")
        ev.budget.instances(len(value), f"module.{name}")
        return {k: ModuleRef(self, name, k, {"each": {"key": k, "value": v}}) for k, v in value.items()}


class ModuleRef:
    """One instance of a module call, as references to ``module.<name>`` see it."""

    __slots__ = ("env", "exists_when", "key", "name", "scope")

    def __init__(self, scope: Scope, name: str, key: Any, env: dict[str, Any],
                 exists_when: tuple[Assumption, ...] = ()) -> None:
        self.scope = scope
        self.name = name
        self.key = key
        self.env = env
        self.exists_when = exists_when

    def child(self) -> tuple[Scope | None, str]:
        return self.scope.child(self.name, self.key, self.env, self.exists_when)

    @property
    def address(self) -> str:
        return f"{self.scope.prefix}module.{self.name}{_index_text(self.key)}"


def _index_text(key: Any) -> str:
    """``[0]``, ``["k"]`` or nothing: the instance part of an address."""
    if key is None:
        return ""
    if key == UNKNOWN_ANY:
        return '["<unknown>"]'
    return f"[{key}]" if isinstance(key, int) else f'["{key}"]'


@dataclass
class _Input:
    """A module argument: evaluated in the caller's scope (with ``count``/``each`` of its instance)."""

    attr: Attribute
    scope: Scope
    env: dict[str, Any] = field(default_factory=dict)


def _constraint_text(expr: Node) -> str:
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ObjectExpr):
        for key, value in expr.items:
            if isinstance(key, Literal) and key.value == "version" and isinstance(value, Literal):
                return str(value.value)
    return ""


def _below_v3(constraint: str) -> bool:
    """Whether a version constraint only admits AWS provider versions below 3.0."""
    if not constraint:
        return False
    upper_ok = False
    for part in constraint.split(","):
        match = re.match(r"\s*(~>|<=|>=|<|>|=|!=)?\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", part)
        if not match:
            continue
        op, major = match.group(1) or "=", int(match.group(2))
        # "< 3", "< 3.0" and "< 3.0.0" admit no 3.x; "< 3.0.5" admits 3.0.0
        below_three = major < 3 or (major == 3 and all(g in (None, "0") for g in match.group(3, 4)))
        if (op in ("=", "~>", "<=") and major < 3) or (op == "<" and below_three):
            upper_ok = True
    return upper_ok


class Instance:
    """One instance of a resource or data block, as seen by references to it."""

    __slots__ = ("address", "block", "each", "index", "kind", "scope")

    def __init__(self, scope: Scope, kind: str, block: Block, address: str, index: Any = None,
                 each: tuple[Any, Any] | None = None) -> None:
        self.scope = scope
        self.kind = kind
        self.block = block
        self.address = address
        self.index = index
        self.each = each

    @property
    def type(self) -> str:
        return self.block.labels[0]

    def env(self) -> dict[str, Any]:
        env: dict[str, Any] = {}
        if self.index is not None:
            env["count"] = {"index": self.index}
        if self.each is not None:
            env["each"] = {"key": self.each[0], "value": self.each[1]}
        return env

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Instance) and other.address == self.address

    def __hash__(self) -> int:
        return hash(self.address)


class Evaluator:
    """Evaluates expressions of a module tree under a set of assumptions about undecidable conditions."""

    def __init__(self, assumptions: dict[str, bool] | None = None, budget: Budget | None = None) -> None:
        self.assumptions = assumptions or {}
        self.budget = budget or Budget()
        self.trace = Trace()
        self.scope: Scope | None = None
        #: Read a root module's variable defaults as values its deployer may change (see :class:`Defaulted`).
        self.open_defaults = False
        self._memo: dict[tuple[int, str, bool], tuple[Any, Trace]] = {}
        self._active: set[tuple[int, str, bool]] = set()

    # ----- entry points -----
    def evaluate(self, scope: Scope, node: Node, env: dict[str, Any]) -> tuple[Any, Trace]:
        """Evaluate ``node`` in ``scope`` with a fresh trace; return the result and the trace."""
        saved_scope, saved_trace = self.scope, self.trace
        self.scope, self.trace = scope, Trace()
        try:
            result = self.eval(node, env)
            return result, self.trace
        finally:
            self.scope, self.trace = saved_scope, saved_trace

    def _cached(self, scope: Scope, key: str, compute: Callable[[], Any]) -> Any:
        """Evaluate a named definition once; replay what it touched into the current trace."""
        memo_key = (id(scope), key, self.open_defaults)
        if memo_key in self._memo:
            value, trace = self._memo[memo_key]
            self.trace.merge(trace)
            return value
        if memo_key in self._active:
            return self.trace.unknown(f"{key} refers to itself (reference cycle)")
        self._active.add(memo_key)
        saved_scope, saved_trace = self.scope, self.trace
        self.scope, self.trace = scope, Trace()
        try:
            value = compute()
            trace = self.trace
        finally:
            self.scope, self.trace = saved_scope, saved_trace
            self._active.discard(memo_key)
        self._memo[memo_key] = (value, trace)
        self.trace.merge(trace)
        return value

    # ----- expressions -----
    def eval(self, node: Node, env: dict[str, Any]) -> Any:
        self.budget.step()
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Template):
            if len(node.parts) == 1 and not isinstance(node.parts[0], str):
                return self.eval(node.parts[0], env)  # "${expr}" is expr itself (0.11 syntax)
            pieces = []
            size = 0
            for part in node.parts:
                piece = part if isinstance(part, str) else self.stringify(self.eval(part, env))
                size += len(piece)
                if size > self.budget.STRING:
                    self.budget.text(" " * size)  # raises
                pieces.append(piece)
            return "".join(pieces)
        if isinstance(node, (Name, GetAttr, Index)):
            return self.reference(node, env)
        if isinstance(node, Splat):
            return self.splat(node, env)
        if isinstance(node, Conditional):
            return self.conditional(node, env)
        if isinstance(node, Call):
            return self.call(node, env)
        if isinstance(node, BinOp):
            return self.binop(node, env)
        if isinstance(node, UnaryOp):
            value = self.eval(node.operand, env)
            if isinstance(value, Unknown):
                return value
            if node.op == "!":
                return not value
            return -value if isinstance(value, (int, float)) else self.trace.unknown(f"cannot negate {node.src}")
        if isinstance(node, TupleExpr):
            self.budget.items(len(node.items))
            return [self.eval(item, env) for item in node.items]
        if isinstance(node, ObjectExpr):
            out: dict[str, Any] = {}
            for key_node, value_node in node.items:
                key = self.eval(key_node, env)
                if isinstance(key, Unknown):
                    return key
                out[to_str(key)] = self.eval(value_node, env)
            return out
        if isinstance(node, ForExpr):
            return self.for_expr(node, env)
        if isinstance(node, Opaque):
            return self.trace.unknown(f"`{_short(node.src)}` uses {node.what}, which is not evaluated")
        return self.trace.unknown(f"`{_short(node.src)}` is not evaluated")

    def stringify(self, value: Any) -> str:
        if isinstance(value, (Unknown, Instance, ModuleRef)):
            return UNKNOWN_ANY
        return to_str(value)

    def conditional(self, node: Conditional, env: dict[str, Any]) -> Any:
        cond = self.truth(node.cond, env)
        if isinstance(cond, Unknown):
            return self.trace.unknown(f"depends on the condition `{_short(node.cond.src)}`, which cannot be"
                                      f" resolved ({cond.reason})")
        return self.eval(node.yes if cond else node.no, env)

    # ----- conditions -----
    def truth(self, node: Node, env: dict[str, Any]) -> Any:
        """A condition's value, branching on what it is made of: ``&&``, ``||`` and ``!`` are followed into
        their operands, and locals and module arguments into their definitions, so that each undecidable
        part (an atom such as ``var.x == null``) is assumed once, consistently, wherever it appears."""
        node = _unwrap_template(node)
        if isinstance(node, BinOp) and node.op in ("&&", "||"):
            decisive = node.op == "||"
            left = self.truth(node.left, env)
            if left is decisive or (not isinstance(left, Unknown) and _as_bool(left) is decisive):
                return decisive
            right = self.truth(node.right, env)
            if right is decisive or (not isinstance(right, Unknown) and _as_bool(right) is decisive):
                return decisive
            for side in (left, right):
                if isinstance(side, Unknown):
                    return side
            return not decisive
        if isinstance(node, UnaryOp) and node.op == "!":
            value = self.truth(node.operand, env)
            return value if isinstance(value, Unknown) else not _as_bool(value)
        followed = self._definition(node)
        if followed is not None:
            scope, expr, inner_env, key = followed
            memo_key = (id(scope), key, self.open_defaults)
            if memo_key not in self._active:
                self._active.add(memo_key)
                saved = self.scope
                self.scope = scope
                try:
                    return self.truth(expr, inner_env)
                finally:
                    self.scope = saved
                    self._active.discard(memo_key)
        negated = isinstance(node, BinOp) and node.op == "!="
        text = f"{node.left.src} == {node.right.src}" if negated else node.src
        key = (self.scope.prefix if self.scope else "") + " ".join(text.split())
        if key in self.assumptions:
            return self.assumptions[key] is not negated
        value = self.eval(node, env)
        if isinstance(value, Unknown):
            where = f" (in {self.scope.prefix[:-1]})" if self.scope and self.scope.prefix else ""
            self.trace.undecidable(Undecided(key, f"`{_short(text)}`{where}", self._default_of(node, env, negated)))
            return value
        return _as_bool(value)

    def _definition(self, node: Node) -> tuple[Scope, Node, dict[str, Any], str] | None:
        """What a ``local.x`` or a module's ``var.x`` stands for: (scope, expression, env, key), or None."""
        scope = self.scope
        if scope is None or not (isinstance(node, GetAttr) and isinstance(node.obj, Name)):
            return None
        if node.obj.name == "local" and node.name in scope.locals:
            return scope, scope.locals[node.name].expr, {}, f"truth:local.{node.name}"
        given = scope.inputs.get(node.name) if node.obj.name == "var" else None
        if isinstance(given, _Input):
            return given.scope, given.attr.expr, given.env, f"truth:var.{node.name}:{id(scope)}"
        return None

    def _default_of(self, node: Node, env: dict[str, Any], negated: bool) -> bool | None:
        """The value an undecided condition has when nobody changes a default (None: it has none)."""
        if not self.open_defaults:
            return None
        self.open_defaults = False
        saved = self.trace
        self.trace = Trace()
        try:
            value = self.eval(node, env)
        finally:
            self.open_defaults = True
            self.trace = saved
        if isinstance(value, Unknown):
            return None
        return _as_bool(value) is not negated

    def nullness(self, node: Node, depth: int = 0) -> bool | None:
        """Whether an expression is certainly null (True), certainly not (False), or cannot be told: a
        module argument the caller writes as a reference, a string or a collection is not null, even when
        its value is not known before deployment."""
        node = _unwrap_template(node)
        if depth > 20 or self.scope is None:
            return None
        if isinstance(node, Literal):
            return node.value is None
        if isinstance(node, (Template, TupleExpr, ObjectExpr, ForExpr)):
            return False
        if isinstance(node, Conditional):
            yes, no = self.nullness(node.yes, depth + 1), self.nullness(node.no, depth + 1)
            return yes if yes == no else None
        if isinstance(node, Call):
            return None if node.name in ("try", "lookup", "coalesce", "one", "element", "can") else False
        followed = self._definition(node)
        if followed is not None:
            scope, expr, _env, _key = followed
            saved = self.scope
            self.scope = scope
            try:
                return self.nullness(expr, depth + 1)
            finally:
                self.scope = saved
        root = node
        while isinstance(root, (GetAttr, Index, Splat)):
            root = root.obj
        if isinstance(root, Name) and (root.name in ("data", "module") or root.name.startswith(("aws_", "awscc_"))):
            return False  # an attribute of a resource, data source or module output
        return None

    def binop(self, node: BinOp, env: dict[str, Any]) -> Any:
        op = node.op
        left = self.eval(node.left, env)
        if op == "&&" and left is False:
            return False
        if op == "||" and left is True:
            return True
        right = self.eval(node.right, env)
        if op == "&&" and right is False:
            return False
        if op == "||" and right is True:
            return True
        if op in ("==", "!=") and (isinstance(left, Unknown) or isinstance(right, Unknown)):
            decided = self._null_test(node)
            if decided is not None:
                return decided if op == "==" else not decided
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if op in ("==", "!="):
            self.budget.charge(left, right)
        try:
            if op == "==":
                return _equal(left, right)
            if op == "!=":
                return not _equal(left, right)
            if op in ("&&", "||"):
                return bool(left and right) if op == "&&" else bool(left or right)
            left_n, right_n = _number(left), _number(right)
            result = {
                "+": lambda: left_n + right_n, "-": lambda: left_n - right_n, "*": lambda: left_n * right_n,
                "/": lambda: left_n / right_n, "%": lambda: left_n % right_n, "<": lambda: left_n < right_n,
                ">": lambda: left_n > right_n, "<=": lambda: left_n <= right_n, ">=": lambda: left_n >= right_n,
            }[op]()
        except (KeyError, TypeError, ValueError, ZeroDivisionError, OverflowError):
            return self.trace.unknown(f"`{_short(node.src)}` cannot be computed")
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            return self.trace.unknown(f"`{_short(node.src)}` is a number with more than 4300 digits")
        return int(result) if isinstance(result, float) and result.is_integer() and op != "/" else result

    def _null_test(self, node: BinOp) -> bool | None:
        """``x == null`` when ``x`` is not known but certainly is, or is not, null."""
        for this, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, Literal) and other.value is None:
                return self.nullness(this)
        return None

    def call(self, node: Call, env: dict[str, Any]) -> Any:
        name = node.name.split("::")[-1]
        if name in ("try", "can"):
            for arg in node.args:
                saved = len(self.trace.reasons)
                value = self.eval(arg, env)
                if isinstance(value, Unknown) and value.reason.startswith("error:"):
                    del self.trace.reasons[saved:]
                    continue
                return True if name == "can" and not isinstance(value, Unknown) else value
            return False if name == "can" else self.trace.unknown(f"no argument of `{_short(node.src)}` succeeds")
        if name in ("file", "templatefile"):  # they read a file of the module (tf_files.py says which)
            from .tf_files import call
            return call(self, node, env)
        fn = FUNCTIONS.get(name)
        args = [self.eval(arg, env) for arg in node.args]
        if node.expand and args and isinstance(args[-1], list):
            args = args[:-1] + args[-1]
        if fn is None:
            unknown = next((a for a in args if isinstance(a, Unknown)), None)
            return unknown or self.trace.unknown(f"function {name}() is not evaluated")
        args = [UNKNOWN_ANY if isinstance(a, Instance) else a for a in args]
        self.budget.charge(args)
        try:
            result = fn(*args)
        except LimitReached:
            raise
        except Exception:  # a built-in given values Terraform would reject
            return self.trace.unknown(f"error: `{_short(node.src)}` cannot be computed")
        self.budget.charge(result)
        if isinstance(result, str):
            self.budget.text(result)
        if isinstance(result, Unknown) and result.reason not in self.trace.reasons:
            self.trace.reasons.append(result.reason)
        return result

    def for_expr(self, node: ForExpr, env: dict[str, Any]) -> Any:
        coll = self.eval(node.coll, env)
        if isinstance(coll, Unknown):
            return coll
        if coll is not None and not isinstance(coll, (dict, list, tuple)):  # Terraform rejects it too
            return self.trace.unknown(f"error: `{_short(node.src)}` iterates over a {type(coll).__name__}")
        pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll or []))
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, value in pairs:
            inner = dict(env)
            if node.key_var:
                inner[node.key_var] = key
            inner[node.val_var] = value
            if node.cond is not None:
                keep = self.eval(node.cond, inner)
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            if node.key_expr is None:
                out_list.append(self.eval(node.val_expr, inner))
            else:
                out_map[to_str(self.eval(node.key_expr, inner))] = self.eval(node.val_expr, inner)
        return out_list if node.key_expr is None else out_map

    def splat(self, node: Splat, env: dict[str, Any]) -> Any:
        base = self.eval(node.obj, env)
        if isinstance(base, Unknown):
            return base
        items = base if isinstance(base, list) else ([] if base is None else [base])
        out = []
        for item in items:
            for kind, arg in node.ops:
                if kind == "attr":
                    item = self.attribute(item, arg, node)
                else:
                    item = self.index(item, self.eval(arg, env), node)
            out.append(item)
        return out

    # ----- references -----
    def reference(self, node: Node, env: dict[str, Any]) -> Any:
        path: list[tuple[str, Any]] = []
        cur = node
        while isinstance(cur, (GetAttr, Index)):
            path.append(("attr", cur.name) if isinstance(cur, GetAttr) else ("index", cur.key))
            cur = cur.obj
        if not isinstance(cur, Name):
            value = self.eval(cur, env)
        else:
            path.reverse()
            value, path = self.root(cur.name, path, env, node)
        for kind, arg in path:
            if isinstance(value, Unknown):
                return value
            value = self.attribute(value, arg, node) if kind == "attr" else self.index(value, self.eval(arg, env), node)
        return value

    def root(self, name: str, path: list[tuple[str, Any]], env: dict[str, Any], node: Node) -> tuple[Any, list]:
        """Resolve the head of a reference; return its value and the rest of the path to apply."""
        scope = self.scope
        assert scope is not None
        if name in env:
            return env[name], path
        first = path[0][1] if path and path[0][0] == "attr" else None
        if name == "var" and first:
            return self.variable(scope, first), path[1:]
        if name == "local" and first:
            if first not in scope.locals:
                return self.dangling(f"local.{first}"), path[1:]
            attr = scope.locals[first]
            return self._cached(scope, f"local.{first}", lambda: self.eval(attr.expr, {})), path[1:]
        if name == "module" and first:
            if first not in scope.calls:
                return self.dangling(f"module.{first}"), path[1:]
            return scope.instances(first, self), path[1:]
        if name == "data" and first and len(path) > 1 and path[1][0] == "attr":
            key = (first, path[1][1])
            if key not in scope.data:
                return self.dangling(f"data.{first}.{path[1][1]}"), path[2:]
            return self.resource_value(scope, "data", scope.data[key], env), path[2:]
        if name == "path":
            return {"module": SEG, "root": SEG, "cwd": SEG}, path
        if name == "terraform":
            return {"workspace": SEG}, path
        if name in ("count", "each", "self"):
            return self.trace.unknown(f"{name} is not available here"), path[1:]
        if name == "dependency" and first:
            return self.trace.unknown(f"dependency.{first} holds outputs of another terragrunt module, known only"
                                      " after it is applied"), []
        if name == "include" and first:
            return self.trace.unknown(f"include.{first} is a terragrunt configuration that is not read"), []
        if (first and name.startswith(("aws_", "awscc_"))) or (first and (name, first) in scope.resources):
            key = (name, first)
            if key not in scope.resources:
                return self.dangling(f"{name}.{first}"), path[1:]
            return self.resource_value(scope, "resource", scope.resources[key], env), path[1:]
        if first and (name, first) not in scope.resources:
            # another provider's resource type (random_id, null_resource) that is not declared
            return self.dangling(f"{name}.{first}"), path[1:]
        return self.trace.unknown(f"`{name}` is not a known reference"), path

    def dangling(self, what: str) -> Unknown:
        broken = self.scope.module.broken_files if self.scope is not None else []
        if broken:
            return self.trace.unknown(f"{what} may be defined in {', '.join(broken)}, which could not be parsed")
        return self.trace.missing(what)

    def variable(self, scope: Scope, name: str) -> Any:
        if name not in scope.variables:
            return self.dangling(f"var.{name}")

        def compute() -> Any:
            given = scope.inputs.get(name)
            if isinstance(given, _Input):
                value, trace = self.evaluate(given.scope, given.attr.expr, given.env)
                self.trace.merge(trace)
                return value
            tfvar = scope.module.tfvars.get(name) if not scope.via else None
            if tfvar is not None:
                return self.eval(tfvar.expr, {})
            block = scope.variables[name]
            if scope.open_inputs:
                return self.trace.unknown(f"var.{name} is not set by the inputs of terragrunt.hcl;"
                                          f" {scope.open_inputs}")
            if "default" in block.attrs:
                default = self.eval(block.attrs["default"].expr, {})
                if scope.via:
                    return default  # the calling code leaves it at its default: that is what is deployed
                if self.open_defaults and not isinstance(default, Unknown):
                    return Defaulted(f"var.{name} is set by whoever deploys the module ({to_str(default)} by"
                                     " default)", default)
                if f"var.{name}" not in self.trace.defaults:
                    self.trace.defaults.append(f"var.{name}")
                return default
            where = "no value in the module call" if scope.via else "no tfvars value"
            return self.trace.unknown(f"var.{name} has no default and {where}")

        return self._cached(scope, f"var.{name}", compute)

    def module_output(self, ref: ModuleRef, output: str) -> Any:
        """An output of one instance of a module call."""
        child, why = ref.child()
        if child is None:
            return self.trace.unknown(why)
        block = child.outputs.get(output)
        if block is None or "value" not in block.attrs:
            return self.dangling(f"{ref.address}.{output}")
        return self._cached(child, f"output.{output}", lambda: self.eval(block.attrs["value"].expr, {}))

    def resource_value(self, scope: Scope, kind: str, block: Block, env: dict[str, Any]) -> Any:
        """A resource reference: one instance, a list (count) or a map (for_each) of instances."""
        base = f"{scope.prefix}{'data.' if kind == 'data' else ''}{block.labels[0]}.{block.labels[1]}"
        if UNREAD in block.attrs and not all(was_read(kind, block.labels[0], a) for a in ("count", "for_each")):
            block = scope.whole(block)

        def compute() -> Any:
            return expand(self, scope, kind, block, base)

        return self._cached(scope, f"instances:{base}", compute)

    def attribute(self, value: Any, name: str, node: Node) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Instance):
            return self.instance_attribute(value, name)
        if isinstance(value, ModuleRef):
            return self.module_output(value, name)
        if isinstance(value, dict):
            if name in value:
                return value[name]
            return self.trace.unknown(f"error: `{_short(node.src)}` has no attribute `{name}`")
        if isinstance(value, list) and value and all(isinstance(v, (Instance, ModuleRef)) for v in value):
            return self.trace.unknown(f"error: `{_short(node.src)}` needs an index (count is set)")
        if value is None:
            return self.trace.unknown(f"error: `{_short(node.src)}` reads `{name}` of null")
        return self.trace.unknown(f"error: `{_short(node.src)}` reads `{name}` of a {_type_name(value)}")

    def index(self, value: Any, key: Any, node: Node) -> Any:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        try:
            if isinstance(value, list):
                return value[int(key)]
            if isinstance(value, dict):
                return value[to_str(key)]
        except (IndexError, KeyError, ValueError, TypeError):
            pass
        return self.trace.unknown(f"error: `{_short(node.src)}`: index {display(key)} does not exist")

    def instance_attribute(self, inst: Instance, name: str) -> Any:
        if inst not in self.trace.refs:
            self.trace.refs.append(inst)
        if inst.kind == "data":
            if inst.type == "aws_iam_policy_document" and name in ("json", "minified_json"):  # CTL007 (tf_iam.py)
                from .tf_iam import policy_document_json
                return self._cached(inst.scope, f"{inst.address}.json", lambda: policy_document_json(self, inst))
            if (inst.type, name) in _SEGMENT_DATA:
                return SEG
            return self.trace.unknown(f"the value comes from {inst.address} (read from AWS at plan time)")
        block = inst.block
        trimmed = UNREAD in block.attrs and not was_read(inst.kind, inst.type, name) and name not in COMPUTED
        if trimmed:
            block = inst.scope.whole(block)
            trimmed = UNREAD in block.attrs  # the whole parse failed
        attr = block.attrs.get(name)
        if attr is not None:
            return self._cached(inst.scope, f"{inst.address}.{name}", lambda: self.eval(attr.expr, inst.env()))
        if trimmed:
            return self.trace.unknown(f"{inst.address}.{name} could not be read (its file could not be parsed"
                                      " whole)")
        return self._cached(inst.scope, f"{inst.address}.{name}", lambda: self.computed(inst, name))

    def computed(self, inst: Instance, name: str) -> Any:
        """Attributes AWS computes: ARNs and ids are rebuilt from the arguments where their shape is known."""
        rtype = inst.type
        if rtype == LOG_GROUP:
            group_name = self.own_name(inst)
            if name == "arn":  # the AWS provider dropped the :* in 3.0
                return log_group_arn(group_name, wildcard=inst.scope.provider_lt3)
            if name in ("name", "id"):
                return group_name
        elif rtype == ROLE:
            role_name = self.own_name(inst)
            if name == "arn":
                return role_arn(role_name, self.instance_attribute(inst, "path"))
            if name in ("name", "id"):
                return role_name
            if name == "unique_id":
                return SEG
        elif name == "arn":
            service = _service_of(rtype)
            if service == "s3":
                return f"arn:{SEG}:s3:::{self.own_name(inst, 'bucket')}"
            return service_arn(service)
        if name in ("id", "name", "arn") or name.endswith(("_arn", "_id")):
            return self.trace.unknown(f"{inst.address}.{name} is known only after apply")
        return None

    def own_name(self, inst: Instance, attr: str = "name") -> str:
        """A resource's own name argument as text (a placeholder if AWS generates it)."""
        if attr in inst.block.attrs:
            value = self.instance_attribute(inst, attr)
            if isinstance(value, str):
                return value
            return SEG
        prefix = self.instance_attribute(inst, "name_prefix") if "name_prefix" in inst.block.attrs else None
        return (prefix if isinstance(prefix, str) else "") + SEG


def _service_of(rtype: str) -> str:
    parts = rtype.split("_")
    if rtype.startswith("aws_cloudwatch_log_"):
        return "logs"
    if rtype.startswith("aws_cloudwatch_event"):
        return "events"
    return parts[1] if len(parts) > 1 else rtype


def _equal(left: Any, right: Any) -> bool:
    if (isinstance(left, (int, float)) and isinstance(right, str)) or (isinstance(right, (int, float)) and isinstance(
        left, str
    )):
        return to_str(left) == to_str(right)
    return left == right


def _number(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, str):
        return float(value)
    return value


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _type_name(value: Any) -> str:
    """A value's type as Terraform names it."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "list"
    if isinstance(value, dict):
        return "map"
    return "resource or module"


def _unwrap_template(node: Node) -> Node:
    """``"${expr}"`` as ``expr``."""
    while isinstance(node, Template) and len(node.parts) == 1 and not isinstance(node.parts[0], str):
        node = node.parts[0]
    return node


def _as_bool(value: Any) -> bool:
    if isinstance(value, str) and value in ("true", "false"):
        return value == "true"
    return bool(value)


def _no_instances(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0) or value in ([], {})


#: Most root-variable defaults considered when looking for the ones that, changed, create a block that
#: has no instance by default (2 ** 6 evaluations at most).
MAX_DEFAULTS_CHANGED = 6


def _instance_count(ev: Evaluator, scope: Scope, expr: Node, what: str) -> tuple[Any, tuple[Assumption, ...]]:
    """The value of a ``count``/``for_each`` expression, and the conditions the instances exist under.

    When it gives no instance only because of a root variable's default (``count = var.enabled ? 1 : 0``
    with ``enabled`` false by default), whoever deploys the module may well set it: the value is then
    the one with those defaults changed, and the conditions say so ("when `var.enabled` is true; false
    by default"). A literal 0, or a value set by tfvars or a calling module, still gives no instance.
    """
    value, trace = ev.evaluate(scope, expr, {})
    ev.trace.merge(trace)
    if not _no_instances(value) or not trace.defaults or ev.open_defaults:
        return value, ()
    ev.open_defaults = True
    try:
        _opened, otrace = ev.evaluate(scope, expr, {})
    finally:
        ev.open_defaults = False
    choices = [u for u in otrace.undecided if u.default is not None and u.key not in ev.assumptions]
    choices = choices[:MAX_DEFAULTS_CHANGED]
    # the fewest defaults changed that give instances (`var.enabled && var.cloudwatch` with defaults true
    # and false: changing only `cloudwatch`); changing every one at once can give none
    for size in range(1, len(choices) + 1):
        for changed_defaults in combinations(choices, size):
            flipped = Evaluator({**ev.assumptions, **{u.key: not u.default for u in changed_defaults}}, ev.budget)
            changed, _ = flipped.evaluate(scope, expr, {})
            if not _no_instances(changed):  # unknown (a variable without a default): its first instance
                return changed, tuple(Assumption(u.key, u.text, not u.default, u.default) for u in changed_defaults)
    return value, ()



def expand(ev: Evaluator, scope: Scope, kind: str, block: Block, base: str) -> Any:
    """The instances of a block: one, a list for ``count``, a map for ``for_each``."""
    if "count" in block.attrs:
        count, _when = _instance_count(ev, scope, block.attrs["count"].expr, base)
        if isinstance(count, str) and count.isdigit():
            try:
                count = int(count)
            except ValueError:  # more digits than Python reads, or "²"
                return ev.trace.unknown(f"count of {base} is a number too long to read")
        if isinstance(count, Unknown):
            return [Instance(scope, kind, block, f"{base}[0]", 0)]
        if isinstance(count, bool) or not isinstance(count, (int, float)) or count != count:
            return ev.trace.unknown(f"count of {base} is not a number")
        ev.budget.instances(int(max(count, 0)) if count < 1e18 else 10**18, base)
        return [Instance(scope, kind, block, f"{base}[{i}]", i) for i in range(int(count))]
    if "for_each" in block.attrs:
        coll, _when = _instance_count(ev, scope, block.attrs["for_each"].expr, base)
        if isinstance(coll, Unknown):
            return {UNKNOWN_ANY: Instance(scope, kind, block, f'{base}["<unknown>"]', None, (coll, coll))}
        if isinstance(coll, list):
            coll = {to_str(x): x for x in coll}
        if not isinstance(coll, dict):
            return ev.trace.unknown(f"for_each of {base} is not a map or set")
        ev.budget.instances(len(coll), base)
        return {
            key: Instance(scope, kind, block, f'{base}["{key}"]', None, (key, value)) for key, value in coll.items()
        }
    return Instance(scope, kind, block, base)


# --------------------------------------------------------------------------- trails

#: Most module instances one root module's tree is read to (a module called twice at each of many
#: levels doubles at every level).
MAX_MODULE_SCOPES = 2_000
#: Deepest module chain followed.
MAX_MODULE_DEPTH = 50


def resolve_module(module: TfModule, loader: ModuleLoader | None = None
                   ) -> tuple[list[list[Trail]], list[tuple[Block, str]], set[str], list[Unfollowed]]:
    """Every trail instance in ``module`` and the modules it calls, each with its variants.

    Also returns the module-call problems, the folders of the child modules that were read, and the
    module calls that may create trails but could not be read.
    """
    root = Scope(module, loader=loader)
    out: list[list[Trail]] = []
    children: set[str] = set()
    stack = [root]
    scopes = 0
    while stack:
        scope = stack.pop()
        scopes += 1
        for (rtype, _name), block in scope.resources.items():
            if rtype == TRAIL:
                out.extend(_trail_variants(scope, block))
        if scope.depth >= MAX_MODULE_DEPTH:
            continue
        for name in reversed(list(scope.calls)):
            try:
                refs = _module_refs(scope, name)
            except LimitReached as exc:
                root.errors.append((scope.calls[name], f"evaluation limit reached: {exc}"))
                continue
            for ref in refs:
                if scopes + len(stack) >= MAX_MODULE_SCOPES:
                    root.errors.append((scope.calls[name], f"evaluation limit reached: more than"
                                        f" {MAX_MODULE_SCOPES:,} module instances; trails in"
                                        f" {_short(ref.address, 100)} and below are not checked"))
                    stack.clear()
                    break
                child, _why = ref.child()
                if child is not None:
                    children.add(child.module.dir)
                    stack.append(child)
            else:
                continue
            break
    out.sort(key=lambda variants: _order_key(variants))
    return out, root.errors, children, root.unfollowed


def _module_refs(scope: Scope, name: str) -> list[ModuleRef]:
    """Every instance of the call ``module.<name>`` of ``scope``."""
    refs = scope.instances(name, Evaluator())
    if isinstance(refs, ModuleRef):
        return [refs]
    if isinstance(refs, list):
        return [r for r in refs if isinstance(r, ModuleRef)]
    if isinstance(refs, dict):
        return [r for r in refs.values() if isinstance(r, ModuleRef)]
    return [ModuleRef(scope, name, None, {})]  # its instances cannot be told: read it once


def _order_key(variants: list[Trail]) -> tuple:
    first = variants[0] if variants else None
    return (first.location.file, first.location.line, first.address) if first else ("", 0, "")


def _trail_variants(scope: Scope, block: Block) -> list[list[Trail]]:
    """Every instance of the trail ``block``, each evaluated under every assignment of the conditions it
    depends on that cannot be decided (see :func:`~.common.explore`)."""
    def evaluate(assumed: dict[str, bool]) -> tuple[list[Trail], list[Undecided]]:
        return _evaluate_trail(Evaluator(assumed), scope, block)

    exists_when = scope.exists_when + _exists_when(scope, block)
    leaves = explore(evaluate, {a.key: a.holds for a in exists_when}, exists_when)
    every = tuple(leaf.assumptions for leaf in leaves)
    by_address: dict[str, list[Trail]] = {}
    for leaf in leaves:
        for trail in leaf.result:
            by_address.setdefault(trail.address, []).append(
                replace(trail, assumptions=leaf.assumptions, variants=every, exists_when=exists_when))
    return list(by_address.values())


def _exists_when(scope: Scope, block: Block) -> tuple[Assumption, ...]:
    """The conditions a trail block has instances under, when it has none by default."""
    arg = "count" if "count" in block.attrs else "for_each" if "for_each" in block.attrs else None
    if arg is None:
        return ()
    probe = Evaluator({a.key: a.holds for a in scope.exists_when})
    try:
        _value, when = _instance_count(probe, scope, block.attrs[arg].expr, "")
    except LimitReached:
        return ()
    return when


def _evaluate_trail(ev: Evaluator, scope: Scope, block: Block) -> tuple[list[Trail], list[Undecided]]:
    base = f"{scope.prefix}{block.labels[0]}.{block.labels[1]}"
    location = Location(block.file, block.line, block.col, block.end_line)
    ev.scope = scope
    try:
        instances = ev.resource_value(scope, "resource", block, {})
    except LimitReached as exc:
        value = limit_reached(str(exc))
        return [Trail(base, TRAIL, location, value, value, via=scope.via)], list(ev.trace.undecided)
    undecided = list(ev.trace.undecided)
    if isinstance(instances, Unknown):
        instances = Instance(scope, "resource", block, base)
    if isinstance(instances, dict):
        instances = list(instances.values())
    if not isinstance(instances, list):
        instances = [instances]
    trails = []
    for inst in instances:
        address = inst.address if (inst.index is not None or inst.each is not None) else base
        group, gtrace = _attr_value(ev, inst, "cloud_watch_logs_group_arn", "no log group ARN is set")
        role, rtrace = _attr_value(ev, inst, "cloud_watch_logs_role_arn", "no role ARN is set")
        try:
            log_group = _log_group(ev, scope, gtrace, group)
        except LimitReached:
            log_group = None
        for trace in (gtrace, rtrace) + ((log_group[1],) if log_group else ()):
            undecided.extend(x for x in trace.undecided if x not in undecided)
        from .tf_iam import delivery_role  # CTL007: the role and its policies
        role_model, met = delivery_role(ev, scope, inst, role, rtrace)
        undecided.extend(x for x in met if x not in undecided)
        trails.append(Trail(
            address=address,
            resource_type=TRAIL,
            location=location,
            log_group_arn=group,
            role_arn=role,
            log_group=log_group[0] if log_group else None,
            via=scope.via,
            role=role_model,
        ))
    return trails, undecided


def _attr_location(block: Block, attr: Attribute) -> Location:
    """Where an attribute's expression is written."""
    src = attr.expr.src
    line, col = (attr.expr.line, attr.expr.col) if attr.expr.line else (attr.line, attr.col)
    end_line = line + src.count("\n")
    end_col = (len(src) - src.rfind("\n")) if "\n" in src else col + len(src)
    return Location(block.file, line, col, end_line, end_col)


def _attr_value(ev: Evaluator, inst: Instance, name: str, unset_reason: str) -> tuple[Value, Trace]:
    attr = inst.block.attrs.get(name)
    if attr is None:
        return unset(unset_reason), Trace()
    ev.budget.renew()
    try:
        result, trace = ev.evaluate(inst.scope, attr.expr, inst.env())
    except LimitReached as exc:  # this value is unknown; the others may still be evaluated
        return limit_reached(str(exc), _attr_location(inst.block, attr)), Trace()
    if isinstance(result, Instance):
        result = ev.trace.unknown(f"{attr.expr.src} is a whole resource, not an attribute")
    return to_value(result, trace, _short(attr.expr.src), unset_reason, _attr_location(inst.block, attr)), trace


def _log_group(ev: Evaluator, scope: Scope, trace: Trace, group: Value) -> tuple[LogGroup, Trace] | None:
    inst = next((r for r in trace.refs if isinstance(r, Instance) and r.kind == "resource" and r.type == LOG_GROUP),
                None)
    if inst is None:
        inst = group_named_in(group.data, _named_groups(ev, scope))
    if inst is None:
        return None
    block = inst.block
    attr = block.attrs.get("retention_in_days")
    if attr is None:
        retention, rtrace = unset(f"{inst.address} sets no retention (events never expire)"), Trace()
    else:
        try:
            result, rtrace = ev.evaluate(inst.scope, attr.expr, inst.env())
            retention = as_days(to_value(result, rtrace, _short(attr.expr.src), "retention is not set",
                                         _attr_location(block, attr)))
        except LimitReached as exc:
            retention, rtrace = limit_reached(str(exc), _attr_location(block, attr)), Trace()
    return LogGroup(inst.address, Location(block.file, block.line, block.col, block.end_line), retention), rtrace


def _named_groups(ev: Evaluator, scope: Scope):
    """The single (no count/for_each) log groups of ``scope`` with their names, evaluated on demand."""
    for (rtype, _), block in scope.resources.items():
        if rtype != LOG_GROUP or "count" in block.attrs or "for_each" in block.attrs or "name" not in block.attrs:
            continue
        inst = Instance(scope, "resource", block, f"{scope.prefix}{block.labels[0]}.{block.labels[1]}")
        yield inst, (lambda b=block: ev.evaluate(scope, b.attrs["name"].expr, {})[0])
