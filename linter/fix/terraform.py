"""Fixes for Terraform trails, as edits at the positions the HCL front-end records.

The fixer finds the trail again from the finding's file, line and address, rebuilds the module
scope with the resolver's :class:`Scope` and :class:`Evaluator`, and edits only the expressions it
has to: a missing attribute is inserted, a wrong reference rewritten, a retention raised where
its value is written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from ..arn import log_group_arn_ok, role_arn_ok
from ..discovery import discover, is_auto_tfvars
from ..engine import Workspace
from ..findings import Finding
from ..frontends import ParseError
from ..frontends.hcl_ast import Block, GetAttr, Index, Literal, Name, Node, Template
from ..resolver.common import Trace
from ..resolver.terraform import LOG_GROUP, ROLE, TRAIL, Evaluator, Instance, Scope
from ..sources import display_path
from .context import FixContext, NotFixable, RuleFixer, retention_target
from .edits import Edit, Fix, Source
from .tf_format import align, attribute_line, chain_width, hcl_string

GROUP_ATTR = "cloud_watch_logs_group_arn"
ROLE_ATTR = "cloud_watch_logs_role_arn"
POLICY = "aws_iam_role_policy"

_ADDRESS = re.compile(r"^((?:module\.[^.\[]+\.)*)aws_cloudtrail\.([^.\[]+)")
_PER_INSTANCE = re.compile(r"\b(count|each|self)\.")
_GROUP_REF = re.compile(r"aws_cloudwatch_log_group\.[A-Za-z_][\w-]*(\[[^\]\n]+\])?")
_ROLE_REF = re.compile(r"(data\.)?aws_iam_role\.[A-Za-z_][\w-]*(\[[^\]\n]+\])?")


@dataclass
class _Trail:
    """A trail block found again, in its module scope and file."""

    scope: Scope
    block: Block
    source: Source
    #: Offsets of the block's first character and of the character after its closing brace.
    span: tuple[int, int]

    @property
    def label(self) -> str:
        return self.block.labels[1]


class TerraformFixer(RuleFixer):
    """Turns Terraform findings into :class:`Fix` objects (or :class:`NotFixable`)."""

    def __init__(self, ctx: FixContext) -> None:
        self.ctx = ctx
        self.ws = ctx.workspace if ctx.workspace is not None else Workspace(ctx.settings)
        self.roots = list(discover(ctx.settings.paths, ctx.settings.excludes).terraform)
        self._scopes: dict[str, Scope] = {}

    # ----- finding the trail again -----
    def _locate(self, finding: Finding) -> _Trail:
        if finding.file.endswith(".json"):
            raise NotFixable("Terraform JSON syntax (.tf.json) is not edited by the fixer")
        match = _ADDRESS.match(finding.resource)
        if match is None:
            raise NotFixable(f"{finding.resource} is not a trail address the fixer understands")
        modules = re.findall(r"module\.([^.]+)\.", match.group(1))
        for folder in self.roots:
            scope: Scope | None = self._root(folder)
            for name in modules:
                scope = scope.child(name)[0] if scope is not None else None
            if scope is None:
                continue
            block = scope.resources.get((TRAIL, match.group(2)))
            at = finding.trail_at
            file, line = (at.file, at.line) if at is not None else (finding.file, finding.line)
            if block is not None and block.file == file and block.line == line:
                source = self.ctx.source(block.file)
                return _Trail(scope, block, source, self._span(source, block))
        raise NotFixable("the trail block could not be found again")

    def _root(self, folder: str) -> Scope:
        if folder not in self._scopes:
            self._scopes[folder] = Scope(self.ws.root_module(folder), loader=self.ws.loader(folder))
        return self._scopes[folder]

    @staticmethod
    def _span(source: Source, block: Block) -> tuple[int, int]:
        """Where the top-level ``block`` starts and ends, from the positions the front-end recorded."""
        if not block.end_col:
            raise NotFixable("the trail block could not be found again")
        start = source.offset(block.line, block.col)
        end = source.offset(block.end_line, block.end_col)
        if source.text[end - 1:end] != "}":
            raise NotFixable("the trail block is not where the parser saw it (was the file changed?)")
        return start, end

    # ----- evaluation -----
    def _instances(self, scope: Scope, block: Block) -> list[Instance]:
        ev = Evaluator()
        ev.scope = scope
        value = ev.resource_value(scope, "resource", block, {})
        if isinstance(value, dict):
            return [v for v in value.values() if isinstance(v, Instance)]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, Instance)]
        if isinstance(value, Instance):
            return [value]
        base = f"{scope.prefix}{block.labels[0]}.{block.labels[1]}"
        return [Instance(scope, "resource", block, base)]

    def _evaluate(self, scope: Scope, block: Block, name: str) -> list[tuple[Any, Trace]]:
        attr = block.attrs.get(name)
        if attr is None:
            return []
        return [Evaluator().evaluate(scope, attr.expr, inst.env()) for inst in self._instances(scope, block)]

    @staticmethod
    def _local_ref(trace: Trace, rtype: str, scope: Scope) -> Instance | None:
        """A single (no count/for_each) resource of ``rtype`` in ``scope`` that an evaluation read."""
        return next((r for r in trace.refs if isinstance(r, Instance) and r.kind == "resource"
                     and r.type == rtype and r.scope is scope and r.index is None and r.each is None), None)

    def _wired_sibling(self, trail: _Trail, group: Instance | None = None) -> tuple[str, str, str] | None:
        """(log group label, role label, address) of another trail of the module that is correctly wired."""
        for (rtype, label), block in sorted(trail.scope.resources.items()):
            if rtype != TRAIL or block is trail.block:
                continue
            groups = self._evaluate(trail.scope, block, GROUP_ATTR)
            roles = self._evaluate(trail.scope, block, ROLE_ATTR)
            if not groups or not roles:
                continue
            (gvalue, gtrace), (rvalue, rtrace) = groups[0], roles[0]
            if not (isinstance(gvalue, str) and log_group_arn_ok(gvalue) is not False
                    and isinstance(rvalue, str) and role_arn_ok(rvalue) is not False):
                continue
            ginst = self._local_ref(gtrace, LOG_GROUP, trail.scope)
            rinst = self._local_ref(rtrace, ROLE, trail.scope)
            if ginst is None or rinst is None or (group is not None and ginst != group):
                continue
            return ginst.block.labels[1], rinst.block.labels[1], f"{trail.scope.prefix}{TRAIL}.{label}"
        return None

    def _group_value(self, trail: _Trail, reference: str) -> str:
        return _group_value(trail.scope, reference)

    # ----- CTL001 and CTL002 -----
    def _cloudwatch(self, trail: _Trail) -> Fix:
        group = trail.block.attrs.get(GROUP_ATTR)
        role = trail.block.attrs.get(ROLE_ATTR)
        if group is not None and not _empty(group.expr):
            raise NotFixable(f"{GROUP_ATTR} is written as `{_short(group.expr.src)}`; the fixer only fills"
                             " in a"
                             " missing, empty or null value")
        fix = Fix("")
        if role is not None and not _empty(role.expr):
            return self._log_group_for_role(trail, fix)
        sibling = self._wired_sibling(trail)
        if sibling is not None:
            group_label, role_label, other = sibling
            what = f"deliver to {LOG_GROUP}.{group_label} with {ROLE}.{role_label}, as {other} does"
        else:
            group_label, role_label, days = self._add_resources(trail, fix, None)
            what = (f"add {LOG_GROUP}.{group_label} (retention {days} days) and {ROLE}.{role_label} with a"
                    " policy"
                    " for it")
        self._set_attrs(trail, fix, [
            (GROUP_ATTR, self._group_value(trail, f"{LOG_GROUP}.{group_label}")),
            (ROLE_ATTR, f"{ROLE}.{role_label}.arn"),
        ])
        fix.description = f"{what}; set {GROUP_ATTR} and {ROLE_ATTR}"
        return fix

    def _log_group_for_role(self, trail: _Trail, fix: Fix) -> Fix:
        """CTL001 on a trail that names its role: a log group and a policy letting the role write to it."""
        traces = self._evaluate(trail.scope, trail.block, ROLE_ATTR)
        role = self._local_ref(traces[0][1], ROLE, trail.scope) if traces else None
        if role is None:
            raise NotFixable(f"the trail already sets {ROLE_ATTR} to a role outside this module; add a log"
                             " group"
                             f" that role may write to and set {GROUP_ATTR} by hand")
        role_label = role.block.labels[1]
        group_label, _, days = self._add_resources(trail, fix, None, role_label)
        self._set_attrs(trail, fix, [(GROUP_ATTR, self._group_value(trail, f"{LOG_GROUP}.{group_label}"))])
        fix.description = (f"add {LOG_GROUP}.{group_label} (retention {days} days) and a policy letting"
                           f" {ROLE}.{role_label} write to it; set {GROUP_ATTR}")
        return fix

    def _role(self, trail: _Trail) -> Fix:
        group = trail.block.attrs.get(GROUP_ATTR)
        role = trail.block.attrs.get(ROLE_ATTR)
        if group is None:
            raise NotFixable(f"the trail sets no {GROUP_ATTR}")
        if role is not None and not _empty(role.expr):
            raise NotFixable(f"{ROLE_ATTR} is written as `{_short(role.expr.src)}`; the fixer only fills in a"
                             " missing, empty or null value")
        traces = self._evaluate(trail.scope, trail.block, GROUP_ATTR)
        instance = self._local_ref(traces[0][1], LOG_GROUP, trail.scope) if traces else None
        fix = Fix("")
        sibling = self._wired_sibling(trail, instance) if instance is not None else None
        if sibling is not None:
            role_label, other = sibling[1], sibling[2]
            what = f"use {ROLE}.{role_label}, which {other} uses for the same log group"
        else:
            if instance is not None:
                resource = self._group_value(trail, f"{LOG_GROUP}.{instance.block.labels[1]}")
            elif "\n" in group.expr.src or _PER_INSTANCE.search(group.expr.src):
                raise NotFixable(f"the log group value `{_short(group.expr.src)}` cannot be used in a role"
                                 " policy;"
                                 " add the delivery role by hand")
            else:
                resource = group.expr.src
            _, role_label, _days = self._add_resources(trail, fix, resource)
            what = f"add {ROLE}.{role_label} with a policy for the trail's log group"
        self._set_attrs(trail, fix, [(ROLE_ATTR, f"{ROLE}.{role_label}.arn")])
        fix.description = f"{what}; set {ROLE_ATTR}"
        return fix

    def _add_resources(self, trail: _Trail, fix: Fix, resource: str | None,
                       role_label: str | None = None) -> tuple[str, str, int]:
        """Add resources after the trail: a log group when ``resource`` (the ARN the policy allows) is None,
        a delivery role unless ``role_label`` names one, and the role's policy."""
        if "count" in trail.block.attrs or "for_each" in trail.block.attrs:
            raise NotFixable("the trail uses count or for_each; add its log group and delivery role by hand"
                             " so"
                             " they follow the same instances")
        scope_key = os.path.realpath(trail.scope.module.dir)
        taken = {rtype: {label for (t, label) in trail.scope.resources if t == rtype}
                 for rtype in (LOG_GROUP, ROLE, POLICY)}
        blocks: list[list[str]] = []
        group_label, days = "", 0
        if resource is None:
            days = self._new_group_retention()
            group_label = self.ctx.claim(f"{scope_key}:{LOG_GROUP}", f"{trail.label}_cloudtrail",
                                         taken[LOG_GROUP])
            resource = self._group_value(trail, f"{LOG_GROUP}.{group_label}")
            blocks.append([
                f'resource "{LOG_GROUP}" "{group_label}" {{',
                f"  name = {_group_name(trail.block)}",
                f"  retention_in_days = {days}",
                "}",
            ])
        if role_label is None:
            role_label = self.ctx.claim(f"{scope_key}:{ROLE}", f"{trail.label}_cloudtrail", taken[ROLE])
            blocks.append(_role_block(role_label))
        policy_label = self.ctx.claim(f"{scope_key}:{POLICY}", f"{trail.label}_cloudtrail", taken[POLICY])
        blocks.append([
            f'resource "{POLICY}" "{policy_label}" {{',
            '  name = "cloudtrail-to-cloudwatch-logs"',
            f"  role = {ROLE}.{role_label}.id",
            "",
            "  policy = jsonencode({",
            '    Version = "2012-10-17"',
            "    Statement = [{",
            '      Effect = "Allow"',
            '      Action = ["logs:CreateLogStream", "logs:PutLogEvents"]',
            f"      Resource = {resource}",
            "    }]",
            "  })",
            "}",
        ])
        source = trail.source
        at = source.line_end(trail.span[1] - 1)
        lead = "" if source.text[:at].endswith("\n") else "\n"
        text = lead + "".join("\n" + "\n".join(align(lines)) + "\n" for lines in blocks)
        fix.add(source.path, Edit(at, at, text))
        return group_label, role_label, days

    def _set_attrs(self, trail: _Trail, fix: Fix, pairs: list[tuple[str, str]]) -> None:
        """Give the trail these attribute values: replace an empty one, insert a missing one."""
        attrs = trail.block.attrs
        absent = [(name, value) for name, value in pairs if name not in attrs]
        for name, value in pairs:
            if name in attrs:
                start, end = _node_range(trail.source, attrs[name].expr)
                fix.add(trail.source.path, Edit(start, end, value), first=True)
        if absent:
            anchor = attrs.get(GROUP_ATTR) if GROUP_ATTR not in dict(absent) else None
            fix.add(trail.source.path, self._insert(trail, absent, anchor), first=True)

    def _insert(self, trail: _Trail, pairs: list[tuple[str, str]], anchor: Any) -> Edit:
        """Insert ``name = value`` lines after the ``anchor`` attribute, or as a group at the block's end."""
        source = trail.source
        lines = source.text.split("\n")
        if anchor is not None:
            start, end = _node_range(source, anchor.expr)
            line_no = anchor.line - 1
            rest = source.text[end:source.line_end(end)].strip()
            if source.position(end)[0] == anchor.line and (not rest or rest.startswith(("#", "//"))):
                width = chain_width(lines, line_no)
                indent = source.indent_at(start)
                if width >= 0 and all(len(indent + name) <= width for name, _ in pairs):
                    text = "".join(attribute_line(indent, name, value, width) + "\n" for name, value in pairs)
                    at = source.line_end(end)
                    return Edit(at, at, text)
        close = trail.span[1] - 1
        at = source.line_start(close)
        if source.text[at:close].strip():
            raise NotFixable("the trail block's closing brace shares its line with other text")
        first = min(trail.block.attrs.values(), key=lambda a: (a.line, a.col), default=None)
        indent = lines[first.line - 1][: first.col - 1] if first else source.indent_at(trail.span[0]) + "  "
        if indent.strip():
            raise NotFixable("the trail block's layout is not one attribute per line")
        previous = lines[source.position(at)[0] - 2] if at > 0 else ""
        opening_line = source.position(trail.span[0])[0]
        blank = "\n" if previous.strip() and source.position(at)[0] - 1 > opening_line else ""
        group = align([f"{indent}{name} = {value}" for name, value in pairs])
        return Edit(at, at, blank + "".join(line + "\n" for line in group))

    # ----- CTL003 and CTL006 -----
    def _retention(self, trail: _Trail) -> Fix:
        groups: list[Instance] = []
        for _value, trace in self._evaluate(trail.scope, trail.block, GROUP_ATTR):
            for ref in trace.refs:
                is_group = isinstance(ref, Instance) and ref.kind == "resource" and ref.type == LOG_GROUP
                if is_group and ref not in groups:
                    groups.append(ref)
        fix = Fix("")
        changes = []
        for inst in groups:
            attr = inst.block.attrs.get("retention_in_days")
            if attr is None:
                continue
            path, node, where = self._follow(inst.scope, attr.expr, inst.block.file, "")
            days = _whole_number(node)
            target = retention_target(days, self.ctx.settings.min_retention_days)
            if target is None:
                raise NotFixable(f"no retention CloudWatch Logs accepts is at least {days} and the minimum of"
                                 f" {self.ctx.settings.min_retention_days} days")
            if target == days:
                continue
            if path.endswith(".json"):
                raise NotFixable(f"the retention is set in {path}, which the fixer does not edit (JSON"
                                 " syntax)")
            source = self.ctx.source(path)
            start, end = _node_range(source, node)
            new = f'"{target}"' if isinstance(node.value, str) else str(target)
            fix.add(source.path, Edit(start, end, new))
            line = source.position(start)[0]
            changes.append(f"raise the retention of {inst.address} from {days} to {target} days"
                           f" ({where or 'retention_in_days'} in {path}:{line})")
        if not fix.edits:
            raise NotFixable("the trail's log group could not be found again")
        fix.description = "; ".join(dict.fromkeys(changes))
        return fix

    def _follow(self, scope: Scope, node: Node, path: str, where: str,
                depth: int = 0) -> tuple[str, Literal, str]:
        """The literal a retention expression takes its value from, with its file and what it is."""
        if depth > 32:
            raise NotFixable("the retention goes through too many references")
        if isinstance(node, Template) and len(node.parts) == 1 and not isinstance(node.parts[0], str):
            return self._follow(scope, node.parts[0], path, where, depth + 1)
        if isinstance(node, Literal):
            _whole_number(node)
            return path, node, where
        if isinstance(node, GetAttr) and isinstance(node.obj, Name) and node.obj.name == "var":
            name = node.name
            given = scope.inputs.get(name)
            if given is not None:
                caller: Scope = given.scope
                call = next((c for c in caller.calls.values() if c.attrs.get(name) is given.attr), None)
                if call is None:
                    raise NotFixable(f"the module call that sets var.{name} could not be found")
                return self._follow(caller, given.attr.expr, call.file, f"argument {name} of module"
                                    f" {call.labels[0] if call.labels else ''}", depth + 1)
            tfvar = scope.module.tfvars.get(name) if not scope.prefix else None
            if tfvar is not None:
                path = self._tfvars_file(scope, tfvar)
                return self._follow(scope, tfvar.expr, path, f"var.{name}", depth + 1)
            block = scope.variables.get(name)
            if block is not None and "default" in block.attrs:
                return self._follow(scope, block.attrs["default"].expr, block.file, f"default of var.{name}",
                                    depth + 1)
            raise NotFixable(f"var.{name} has no value in the scanned files; give it a retention the"
                             " CloudWatch Logs API accepts where it is set")
        if isinstance(node, GetAttr) and isinstance(node.obj, Name) and node.obj.name == "local":
            attr = scope.locals.get(node.name)
            block = next((b for tf in scope.module.files for b in tf.blocks
                          if b.type == "locals" and any(a is attr for a in b.attrs.values())), None)
            if attr is not None and block is not None:
                return self._follow(scope, attr.expr, block.file, f"local.{node.name}", depth + 1)
        raise NotFixable(f"the retention is computed by `{_short(node.src)}`; change it by hand")

    def _tfvars_file(self, scope: Scope, attr: Any) -> str:
        folder = scope.module.dir
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            names = []
        candidates = [os.path.join(folder, n) for n in names if is_auto_tfvars(n)]
        candidates += self.ctx.settings.var_files
        for path in candidates:
            parsed = self.ws.tf_file(path, tfvars=True)
            if not isinstance(parsed, ParseError) and parsed.attrs.get(attr.name) is attr:
                return display_path(path)
        raise NotFixable(f"the tfvars file that sets var.{attr.name} could not be found")

    # ----- CTL007 -----
    def _delivery(self, trail: _Trail) -> Fix:
        from .tf_delivery import fix_delivery

        return fix_delivery(self, trail)

    # ----- CTL004 -----
    def _group_arn(self, trail: _Trail) -> Fix:
        attr = trail.block.attrs.get(GROUP_ATTR)
        if attr is None:
            raise NotFixable(f"the trail sets no {GROUP_ATTR}")
        scope, path, expr, where = self._argument_site(trail.scope, attr.expr, trail.block.file, GROUP_ATTR)
        ref = _unwrap(expr)
        source = self.ctx.source(path)
        by_ref = isinstance(ref, GetAttr) and ref.name in ("arn", "name", "id")
        if by_ref and _GROUP_REF.fullmatch(ref.obj.src):
            new = _group_value(scope, ref.obj.src)
            start, end = _node_range(source, expr)
            return Fix(f"write {where} as {new}", {source.path: [Edit(start, end, new)]})
        if isinstance(expr, (Literal, Template)) and len(expr.src) > 1 and expr.src[0] == expr.src[-1] == '"':
            if scope is trail.scope:
                values = {v for v, _trace in self._evaluate(trail.scope, trail.block, GROUP_ATTR)}
            else:
                values = {Evaluator().evaluate(scope, expr, {})[0]}
            if values and all(_repairable(v) for v in values):
                start, end = _node_range(source, expr)
                return Fix(f"end {where} in the log-stream wildcard `:*`",
                           {source.path: [Edit(end - 1, end - 1, ":*")]})
        raise NotFixable(f"the log group value comes from `{_short(expr.src)}`; make it a log-group ARN"
                         " ending in `:*` where it is defined")

    def _role_arn(self, trail: _Trail) -> Fix:
        attr = trail.block.attrs.get(ROLE_ATTR)
        if attr is None:
            raise NotFixable(f"the trail sets no {ROLE_ATTR}")
        _scope, path, expr, where = self._argument_site(trail.scope, attr.expr, trail.block.file, ROLE_ATTR)
        ref = _unwrap(expr)
        by_name = isinstance(ref, GetAttr) and ref.name in ("name", "id", "unique_id")
        if by_name and _ROLE_REF.fullmatch(ref.obj.src):
            source = self.ctx.source(path)
            start, end = _node_range(source, ref)
            new = f"{ref.obj.src}.arn"
            return Fix(f"write {where} as {new}", {source.path: [Edit(start, end, new)]})
        raise NotFixable(f"the role value `{_short(expr.src)}` is not a reference to an aws_iam_role;"
                         " use the role's ARN")

    def _argument_site(self, scope: Scope, expr: Node, path: str, where: str,
                       depth: int = 0) -> tuple[Scope, str, Node, str]:
        """Where a value is written: ``expr`` itself, or when it is ``var.NAME`` of a called module, the
        argument the module call passes (a trail in a downloaded module is fixed at its call)."""
        ref = _unwrap(expr)
        if depth < 32 and isinstance(ref, GetAttr) and isinstance(ref.obj, Name) and ref.obj.name == "var":
            given = scope.inputs.get(ref.name)
            if given is not None:
                caller: Scope = given.scope
                call = next((c for c in caller.calls.values() if c.attrs.get(ref.name) is given.attr), None)
                if call is not None:
                    label = call.labels[0] if call.labels else ""
                    return self._argument_site(caller, given.attr.expr, call.file,
                                               f"argument {ref.name} of module {label}", depth + 1)
        return scope, path, expr, where


def _group_value(scope: Scope, reference: str) -> str:
    """The log group ARN value for ``reference`` (``aws_cloudwatch_log_group.x``), with the ``:*``."""
    if scope.provider_lt3:  # before AWS provider 3.0 the arn attribute ends in :* itself
        return f"{reference}.arn"
    return f'"${{{reference}.arn}}:*"'


def _role_block(label: str) -> list[str]:
    return [
        f'resource "{ROLE}" "{label}" {{',
        "  assume_role_policy = jsonencode({",
        '    Version = "2012-10-17"',
        "    Statement = [{",
        '      Effect = "Allow"',
        '      Principal = { Service = "cloudtrail.amazonaws.com" }',
        '      Action = "sts:AssumeRole"',
        "    }]",
        "  })",
        "}",
    ]


def _empty(node: Node) -> bool:
    return isinstance(node, Literal) and node.value in (None, "")


def _repairable(value: Any) -> bool:
    """A log-group ARN that only lacks its ``:*``."""
    return isinstance(value, str) and not value.endswith(":*") and log_group_arn_ok(value + ":*") is not False


def _unwrap(node: Node) -> Node:
    """``"${expr}"`` as ``expr``."""
    if isinstance(node, Template) and len(node.parts) == 1 and not isinstance(node.parts[0], str):
        return node.parts[0]
    return node


def _whole_number(node: Literal) -> int:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise NotFixable(f"the retention `{_short(node.src)}` is not a whole number of days")


def _node_range(source: Source, node: Node) -> tuple[int, int]:
    """The offsets of ``node`` in ``source``, checked against the text the parser saw."""
    if node.line < 1 or not node.src:
        raise NotFixable("the expression's position is not known")
    start = source.offset(node.line, node.col)
    end = start + len(node.src)
    if source.text[start:end] != node.src:
        raise NotFixable("the expression is not where the parser saw it (was the file changed?)")
    return start, end


def _group_name(block: Block) -> str:
    """The new log group's name: ``/aws/cloudtrail/`` and the trail's name."""
    prefix = "/aws/cloudtrail/"
    attr = block.attrs.get("name")
    expr = attr.expr if attr is not None else None
    if expr is not None and "\n" not in expr.src and not _PER_INSTANCE.search(expr.src):
        if isinstance(expr, Literal) and isinstance(expr.value, str) and expr.value:
            return hcl_string(prefix + expr.value)
        if isinstance(expr, Template) and len(expr.src) > 1 and expr.src[0] == expr.src[-1] == '"':
            return f'"{prefix}{expr.src[1:-1]}"'
        if isinstance(expr, (GetAttr, Index, Name)):
            return f'"{prefix}${{{expr.src}}}"'
    return hcl_string(prefix + block.labels[1])


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["GROUP_ATTR", "ROLE_ATTR", "TerraformFixer"]
