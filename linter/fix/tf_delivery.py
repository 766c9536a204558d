"""The Terraform fix of CTL007's permission findings: let the trail's role write to its log group.

In the order tried, each the smallest edit that makes delivery pass:

1. a statement that allows the actions on the log group's bare ARN (``aws_cloudwatch_log_group.x.arn``,
   which has no ``:*``) gets ``"${aws_cloudwatch_log_group.x.arn}:*"`` instead, in ``jsonencode``, a
   heredoc or a ``data "aws_iam_policy_document"``;
2. the role's own inline policy (``aws_iam_role_policy``, an ``inline_policy`` block, or the
   ``aws_iam_policy_document`` it is built from) gets a statement that allows the missing actions;
3. a role with no inline policy to edit gets an ``aws_iam_role_policy``.

The role, its policies and the log group must be in the trail's module; a Deny, a trust policy or an
account is left to a person.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..frontends.hcl_ast import Attribute, Block, Call, GetAttr, Literal, Node, ObjectExpr, Template, TupleExpr
from ..model import Location, Trail
from ..resolver.terraform import LOG_GROUP, ROLE, TRAIL, Evaluator, Instance, _attr_location, _attr_value
from .context import NotFixable
from .edits import Edit, Fix, Source
from .tf_format import align

if TYPE_CHECKING:
    from .terraform import TerraformFixer, _Trail

GROUP_ATTR = "cloud_watch_logs_group_arn"
ROLE_ATTR = "cloud_watch_logs_role_arn"
ROLE_POLICY = "aws_iam_role_policy"
#: A managed policy may serve other roles: its resources are corrected, but no statement is added to it.
POLICY = "aws_iam_policy"
POLICY_DOCUMENT = "aws_iam_policy_document"
#: The actions each failing kind needs.
ACTIONS = {
    "create-log-stream-not-allowed": ("logs:CreateLogStream",),
    "put-log-events-not-allowed": ("logs:PutLogEvents",),
    "no-permissions-policy": ("logs:CreateLogStream", "logs:PutLogEvents"),
}
_ORDER = ("logs:CreateLogStream", "logs:PutLogEvents")


def fix_delivery(fixer: TerraformFixer, trail: _Trail) -> Fix:
    """The fix for every permission failure of the trail's delivery: one fix serves all its findings (the
    plan keeps equal edits once)."""
    done: dict[tuple[str, int], Fix] = fixer.__dict__.setdefault("_delivery_fixes", {})
    key = (trail.block.file, trail.block.line)
    if key not in done:
        done[key] = _fix(fixer, trail)
    return done[key]


def _fix(fixer: TerraformFixer, trail: _Trail) -> Fix:
    from ..iam.trail import trail_delivery
    from ..resolver.tf_iam import delivery_role

    scope, block = trail.scope, trail.block
    if "count" in block.attrs or "for_each" in block.attrs:
        raise NotFixable("the trail uses count or for_each; give its role the permissions by hand")
    address = f"{scope.prefix}{TRAIL}.{block.labels[1]}"
    ev = Evaluator()
    ev.scope = scope
    inst = Instance(scope, "resource", block, address)
    group, gtrace = _attr_value(ev, inst, GROUP_ATTR, "no log group ARN is set")
    role, rtrace = _attr_value(ev, inst, ROLE_ATTR, "no role ARN is set")
    model, _ = delivery_role(ev, scope, inst, role, rtrace)
    if model is None or not model.defined:
        raise NotFixable("the delivery role is not defined in the scanned code")
    role_label = model.address[len(scope.prefix) + len(ROLE) + 1:]
    if not model.address.startswith(f"{scope.prefix}{ROLE}.") or (ROLE, role_label) not in scope.resources:
        raise NotFixable(f"the role {model.address} is not in the trail's module; change its policy there")
    result = trail_delivery(Trail(address, TRAIL, Location(block.file, block.line), group, role, role=model))
    kinds = {f.kind for f in result.failures} if result is not None else set()
    needed = tuple(a for a in _ORDER if any(a in ACTIONS.get(k, ()) for k in kinds))
    if not needed:
        raise NotFixable("the role's policies could not be checked without the finding's conditions")
    group_inst = fixer._local_ref(gtrace, LOG_GROUP, scope)
    if group_inst is not None:
        label = group_inst.block.labels[1]
        resource = fixer._group_value(trail, f"{LOG_GROUP}.{label}")
    else:
        attr = block.attrs.get(GROUP_ATTR)
        if attr is None or not isinstance(attr.expr, Literal) or not str(group.data).endswith(":*"):
            raise NotFixable("the log group is not a resource of the trail's module nor a literal ARN; allow"
                             " the two actions on it by hand")
        label, resource = None, attr.expr.src
    shown = " and ".join(needed)
    targets = list(_policies(scope, model))
    if "no-permissions-policy" not in kinds:
        if label is not None:
            for where, node, path, _shared in targets:
                edit = _corrected(fixer, node, path, label, needed, resource)
                if edit is not None:
                    return Fix(f"allow {shown} on the log group's streams: write {resource} in {where}",
                               {fixer.ctx.source(path).path: [edit]})
        for where, node, path, shared in targets:
            edit = None if shared else _added(fixer, node, path, needed, resource)
            if edit is not None:
                return Fix(f"add a statement allowing {shown} on {resource} to {where}",
                           {fixer.ctx.source(path).path: [edit]})
    if any(rtype == "aws_iam_role_policies_exclusive" for rtype, _ in scope.resources):
        raise NotFixable("aws_iam_role_policies_exclusive would remove a new inline policy; add the statement"
                         " to a policy it lists")
    fix = Fix("")
    fixer._add_resources(trail, fix, resource, role_label)
    fix.description = (f"add an aws_iam_role_policy allowing logs:CreateLogStream and logs:PutLogEvents on {resource}"
                       f" to {model.address}")
    return fix


# --------------------------------------------------------------------------- the role's inline policies


def _policies(scope: Any, model: Any):
    """(what to call it, its document expression or data block, its file, whether other roles may use it) of
    each policy of the role written in the trail's module, in the order of the role's permissions."""
    order = [(p.location.file, p.location.line, p.location.column) for p in model.permissions if p.location]
    found: list[tuple[tuple[str, int, int], str, Attribute, Block, bool]] = []
    for (rtype, label), block in scope.resources.items():
        if rtype in (ROLE_POLICY, POLICY) and "count" not in block.attrs and "for_each" not in block.attrs:
            block = scope.whole(block) if rtype == POLICY else block
            if "policy" in block.attrs:
                found.append((_key(block, block.attrs["policy"]), f"{rtype}.{label}", block.attrs["policy"], block,
                              rtype == POLICY))
        elif rtype == ROLE and f"{scope.prefix}{ROLE}.{label}" == model.address:
            for inner in block.blocks:
                if inner.type == "inline_policy" and "policy" in inner.attrs:
                    found.append((_key(inner, inner.attrs["policy"]), f"an inline_policy of {ROLE}.{label}",
                                  inner.attrs["policy"], inner, False))
    found = sorted((item for item in found if item[0] in order), key=lambda item: order.index(item[0]))
    for _, where, attr, block, shared in found:
        node = _unwrap(attr.expr)
        if isinstance(node, GetAttr) and node.name in ("json", "minified_json"):
            data = _data_block(scope, node)
            if data is not None:
                yield f"data.{POLICY_DOCUMENT}.{data.labels[1]} (the policy of {where})", data, data.file, shared
        else:
            yield where, attr.expr, block.file, shared


def _key(block: Block, attr: Attribute) -> tuple[str, int, int]:
    location = _attr_location(block, attr)
    return (location.file, location.line, location.column)


def _data_block(scope: Any, node: GetAttr) -> Block | None:
    ref = node.obj
    if isinstance(ref, GetAttr) and isinstance(ref.obj, GetAttr) and ref.obj.src == f"data.{POLICY_DOCUMENT}":
        block = scope.data.get((POLICY_DOCUMENT, ref.name))
        if block is not None and "count" not in block.attrs and "for_each" not in block.attrs:
            return block
    return None


def _unwrap(node: Node) -> Node:
    if isinstance(node, Template) and len(node.parts) == 1 and not isinstance(node.parts[0], str):
        return node.parts[0]
    return node


# --------------------------------------------------------------------------- correcting a resource


def _bare(node: Node, label: str) -> bool:
    """Whether ``node`` is the log group's ARN without ``:*`` (``x.arn`` or ``"${x.arn}"``)."""
    return _unwrap(node).src == f"{LOG_GROUP}.{label}.arn"


def _grants(actions: Node | None, needed: tuple[str, ...]) -> bool:
    """Whether an Action/actions expression (literals) allows every needed action."""
    from ..iam.evaluate import action_matches

    items = actions.items if isinstance(actions, TupleExpr) else [actions] if actions is not None else []
    patterns = [i.value for i in items if isinstance(i, Literal) and isinstance(i.value, str)]
    return all(action_matches(patterns, action) is True for action in needed)


def _corrected(fixer: TerraformFixer, node: Any, path: str, label: str, needed: tuple[str, ...],
               resource: str) -> Edit | None:
    """The edit that writes ``resource`` for the bare group ARN in a statement that allows the actions."""
    source = fixer.ctx.source(path)
    if isinstance(node, Block):
        for statement in node.blocks:
            if statement.type != "statement" or _effect(statement.attrs.get("effect")) is False:
                continue
            actions, resources = statement.attrs.get("actions"), statement.attrs.get("resources")
            if not _grants(actions.expr if actions else None, needed) or resources is None:
                continue
            items = resources.expr.items if isinstance(resources.expr, TupleExpr) else [resources.expr]
            bare = next((item for item in items if _bare(item, label)), None)
            if bare is not None:
                return _replace(source, bare, resource)
        return None
    document = _document(node)
    if document is None:
        return _in_text(source, node, label)
    for statement in _statements(document):
        fields = _fields(statement)
        if _effect(fields.get("Effect")) is False or not _grants(fields.get("Action"), needed):
            continue
        value = fields.get("Resource")
        items = value.items if isinstance(value, TupleExpr) else [value] if value is not None else []
        bare = next((item for item in items if _bare(item, label)), None)
        if bare is not None:
            return _replace(source, bare, resource)
    return None


def _effect(attr: Any) -> bool | None:
    node = attr.expr if isinstance(attr, Attribute) else attr
    if node is None:
        return True
    if isinstance(node, Literal):
        return node.value == "Allow"
    return None


def _replace(source: Source, node: Node, text: str) -> Edit:
    from .terraform import _node_range

    start, end = _node_range(source, node)
    return Edit(start, end, text)


def _in_text(source: Source, node: Node, label: str) -> Edit | None:
    """In policy text (a heredoc or string), ``"${x.arn}"`` written once gets its ``:*``."""
    from .terraform import _node_range

    start, end = _node_range(source, node)
    text = source.text[start:end]
    found = [m.end() for m in re.finditer(r"\$\{\s*" + re.escape(f"{LOG_GROUP}.{label}.arn") + r'\s*\}(?=")', text)]
    if len(found) != 1:
        return None
    return Edit(start + found[0], start + found[0], ":*")


def _document(node: Node) -> ObjectExpr | None:
    """The object of ``jsonencode({...})``."""
    if isinstance(node, Call) and node.name == "jsonencode" and len(node.args) == 1 \
            and isinstance(node.args[0], ObjectExpr):
        return node.args[0]
    return None


def _fields(obj: ObjectExpr) -> dict[str, Node]:
    return {key.value: value for key, value in obj.items if isinstance(key, Literal) and isinstance(key.value, str)}


def _statements(document: ObjectExpr) -> list[ObjectExpr]:
    value = _fields(document).get("Statement")
    items = value.items if isinstance(value, TupleExpr) else [value]
    return [item for item in items if isinstance(item, ObjectExpr)]


# --------------------------------------------------------------------------- adding a statement


def _added(fixer: TerraformFixer, node: Any, path: str, needed: tuple[str, ...], resource: str) -> Edit | None:
    """The edit that adds a statement allowing ``needed`` on ``resource`` to the document, when it has a list of
    statements (or ``statement`` blocks) to add to."""
    source = fixer.ctx.source(path)
    actions = "[" + ", ".join(f'"{a}"' for a in needed) + "]"
    if isinstance(node, Block):
        return _added_block(source, node, actions, resource)
    document = _document(node)
    statements = _fields(document).get("Statement") if document is not None else None
    if not isinstance(statements, TupleExpr) or not statements.items \
            or not isinstance(statements.items[-1], ObjectExpr):
        return None
    return _added_object(source, statements.items[-1], actions, resource)


def _added_object(source: Source, last: ObjectExpr, actions: str, resource: str) -> Edit:
    """A statement object after ``last``, the last of a ``Statement`` list, in the same layout."""
    from .terraform import _node_range

    _start, end = _node_range(source, last)
    fields = [("Effect", '"Allow"'), ("Action", actions), ("Resource", resource)]
    if "\n" not in last.src:  # a statement on one line: the new one below it
        closing = source.indent_at(end - 1)
        inner = closing + "  "
    else:
        first_key = last.items[0][0] if last.items else None
        inner = " " * ((first_key.col - 1) if first_key is not None else 2)
        before_brace = source.text[source.line_start(end - 1):end - 1]
        closing = before_brace if not before_brace.strip() else inner[2:]
    lines = align([f"{inner}{k} = {v}" for k, v in fields])
    return Edit(end, end, ", {\n" + "\n".join(lines) + f"\n{closing}}}")


def _added_block(source: Source, block: Block, actions: str, resource: str) -> Edit | None:
    """A ``statement`` block at the end of a ``data "aws_iam_policy_document"``, indented as its others."""
    if not block.end_col or not any(b.type == "statement" for b in block.blocks):
        return None
    close = source.offset(block.end_line, block.end_col) - 1
    if source.text[close:close + 1] != "}" or source.text[source.line_start(close):close].strip():
        return None
    first = next(b for b in block.blocks if b.type == "statement")
    indent = " " * (first.col - 1)
    lines = align([f"{indent}  actions = {actions}", f'{indent}  resources = [{resource}]'])
    text = f"\n{indent}statement {{\n" + "\n".join(lines) + f"\n{indent}}}\n"
    at = source.line_start(close)
    return Edit(at, at, text)
