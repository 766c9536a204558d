"""The CloudFormation fix of CTL007's permission findings: let the trail's role write to its log group.

In the order tried, each the smallest edit that makes delivery pass:

1. a statement that allows the actions on the log group's bare ARN gets the streams: a ``!Sub`` ending in
   ``log-group:${LogGroup}`` gets ``:*``, a ``!Ref LogGroup`` (the name) becomes ``!GetAtt LogGroup.Arn``;
2. the role's own policy (``Policies``, or an ``AWS::IAM::Policy`` / ``AWS::IAM::RolePolicy`` naming it) gets
   a statement that allows the missing actions;
3. a role with no such policy gets an ``AWS::IAM::Policy``.

An ``AWS::IAM::ManagedPolicy`` may serve other roles: its resources are corrected, but nothing is added to
it. A Deny, a trust policy or an account is left to a person.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .cfn_format import get_att
from .context import NotFixable
from .edits import Edit, Fix

if TYPE_CHECKING:
    from .cloudformation import CloudFormationFixer, _Trail

GROUP_PROP = "CloudWatchLogsLogGroupArn"
ACTIONS = {
    "create-log-stream-not-allowed": ("logs:CreateLogStream",),
    "put-log-events-not-allowed": ("logs:PutLogEvents",),
    "no-permissions-policy": ("logs:CreateLogStream", "logs:PutLogEvents"),
}
_ORDER = ("logs:CreateLogStream", "logs:PutLogEvents")
_INLINE = re.compile(r"Policies\[(\d+)\]")


def fix_delivery(fixer: CloudFormationFixer, trail: _Trail) -> Fix:
    """The fix for every permission failure of the trail's delivery: one fix serves all its findings."""
    done: dict[tuple[str, str], Fix] = fixer.__dict__.setdefault("_delivery_fixes", {})
    key = (trail.path, trail.logical_id)
    if key not in done:
        done[key] = _fix(fixer, trail)
    return done[key]


def _fix(fixer: CloudFormationFixer, trail: _Trail) -> Fix:
    from ..iam.trail import trail_delivery
    from .cloudformation import _get

    model = trail.model
    role = model.role if model is not None else None
    if model is None or role is None or not role.defined:
        raise NotFixable("the delivery role is not defined in the template")
    result = trail_delivery(model)
    kinds = {f.kind for f in result.failures} if result is not None else set()
    needed = tuple(a for a in _ORDER if any(a in ACTIONS.get(k, ()) for k in kinds))
    if not needed:
        raise NotFixable("the role's policies could not be checked without the finding's conditions")
    group_id = model.log_group.address if model.log_group is not None else None
    if group_id is not None:
        resource: Any = get_att(group_id)
    else:
        found = _get(trail.props, GROUP_PROP)
        if found is None or not str(model.log_group_arn.data).endswith(":*"):
            raise NotFixable("the log group is not in the template nor a literal ARN; allow the two actions on it"
                             " by hand")
        resource = fixer._copy(trail.template, found[1])
    shown = " and ".join(needed)
    documents = list(_documents(trail, role))
    if "no-permissions-policy" not in kinds:
        if group_id is not None:
            for where, document, _shared in documents:
                corrected = _corrected(trail, document, group_id, needed)
                if corrected is not None:
                    edit, what = corrected
                    return Fix(f"allow {shown} on the log group's streams: {what} in {where}", {trail.path: [edit]})
        for where, document, shared in documents:
            edit = None if shared else _added(trail, document, needed, resource)
            if edit is not None:
                return Fix(f"add a statement allowing {shown} on the log group's streams to {where}",
                           {trail.path: [edit]})
    fix = Fix("")
    fixer._add_resources(trail, fix, resource, role.address)
    fix.description = ("add an AWS::IAM::Policy allowing logs:CreateLogStream and logs:PutLogEvents on the log"
                       f" group's streams to {role.address}")
    return fix


# --------------------------------------------------------------------------- the role's policies


def _documents(trail: _Trail, role: Any):
    """(what to call it, its PolicyDocument node, whether other roles may use it) of each policy of the role
    written as a document in the template, in the order of the role's permissions."""
    from .cloudformation import _get, _is_mapping

    template = trail.template
    resources = template.resources()
    for policy in role.permissions:
        if policy.unknown:
            continue
        inline = _INLINE.match(policy.name)
        if inline and policy.name.endswith(f" of {role.address}"):
            body = _get(resources, role.address)
            props = _get(body[1], "Properties") if body else None
            policies = _get(props[1], "Policies") if props and _is_mapping(props[1]) else None
            items = getattr(policies[1], "value", None) if policies else None
            index = int(inline.group(1))
            if isinstance(items, list) and index < len(items) and _is_mapping(items[index]):
                document = _get(items[index], "PolicyDocument")
                if document is not None:
                    yield f"{policy.name}", document[1], False
            continue
        body = _get(resources, policy.name)
        if body is None:
            continue
        rtype = template.resource_type(policy.name)
        props = _get(body[1], "Properties")
        document = _get(props[1], "PolicyDocument") if props and _is_mapping(props[1]) else None
        if document is not None:
            yield f"{policy.name}", document[1], rtype == "AWS::IAM::ManagedPolicy"


def _statements(document: Any) -> tuple[Any, list[Any]]:
    """(the Statement node, its statement mappings) of a document written as a mapping."""
    from .cloudformation import _get, _is_mapping

    found = _get(document, "Statement") if _is_mapping(document) else None
    if found is None:
        return None, []
    node = found[1]
    items = node.value if isinstance(node.value, list) else [node]
    return node, [item for item in items if _is_mapping(item)]


def _grants(statement: Any, needed: tuple[str, ...]) -> bool:
    from ..iam.evaluate import action_matches
    from .cloudformation import _get, _is_scalar, _scalar

    effect = _get(statement, "Effect")
    if effect is None or _scalar(effect[1]) != "Allow":
        return False
    action = _get(statement, "Action")
    nodes = [] if action is None else [action[1]] if _is_scalar(action[1]) else list(action[1].value)
    patterns = [n.value for n in nodes if _is_scalar(n) and not n.tag.startswith("!")]
    return all(action_matches(patterns, a) is True for a in needed)


# --------------------------------------------------------------------------- correcting a resource


def _corrected(trail: _Trail, document: Any, group_id: str, needed: tuple[str, ...]) -> tuple[Edit, str] | None:
    """The edit that gives a statement allowing the actions the group's streams instead of its bare ARN, and
    what it does."""
    from .cloudformation import _get, _is_scalar, _ref_target, _sub_string

    source = trail.template.source
    if _is_scalar(document):  # a JSON string or !Sub text
        edit = _in_text(source, document, group_id)
        return (edit, f"end the resource log-group:${{{group_id}}} in `:*`") if edit is not None else None
    _node, statements = _statements(document)
    bare = re.compile(r"log-group:\$\{" + re.escape(group_id) + r"\}\Z")
    for statement in statements:
        if not _grants(statement, needed):
            continue
        found = _get(statement, "Resource")
        if found is None:
            continue
        items = [found[1]] if _is_scalar(found[1]) or found[1].tag != "tag:yaml.org,2002:seq" else found[1].value
        for item in items:
            if _ref_target(item) == group_id and _is_scalar(item) and item.tag == "!Ref":
                return (Edit(item.start_mark.index, item.end_mark.index, f"!GetAtt {group_id}.Arn"),
                        f"write !GetAtt {group_id}.Arn for !Ref {group_id} (its name)")
            text = _sub_string(item)
            if text is not None and _is_sub(item) and bare.search(text.value):
                end = text.end_mark.index
                at = end - 1 if text.style in ('"', "'") else end
                return Edit(at, at, ":*"), f"end the resource log-group:${{{group_id}}} in `:*`"
    return None


def _is_sub(node: Any) -> bool:
    """A ``!Sub`` (short or long form), not a plain string."""
    from .cloudformation import _is_mapping, _scalar

    if getattr(node, "tag", "") == "!Sub":
        return True
    return _is_mapping(node) and len(node.value) == 1 and _scalar(node.value[0][0]) == "Fn::Sub"


def _in_text(source: Any, node: Any, group_id: str) -> Edit | None:
    """In policy text, ``log-group:${LogGroup}"`` written once gets its ``:*``."""
    if node.tag != "!Sub" or node.style not in ("|", ">"):
        return None
    start, end = node.start_mark.index, node.end_mark.index
    text = source.text[start:end]
    found = [m.end() for m in re.finditer(r"log-group:\$\{" + re.escape(group_id) + r'\}(?=")', text)]
    if len(found) != 1:
        return None
    return Edit(start + found[0], start + found[0], ":*")


# --------------------------------------------------------------------------- adding a statement


def _added(trail: _Trail, document: Any, needed: tuple[str, ...], resource: Any) -> Edit | None:
    """A statement allowing ``needed`` on ``resource`` after the last of the document's statements."""
    import yaml

    node, statements = _statements(document)
    template = trail.template
    source, style = template.source, template.style
    if node is None or not isinstance(node, yaml.SequenceNode) or not statements \
            or (node.flow_style and not style.json):
        return None
    statement = {"Effect": "Allow", "Action": list(needed), "Resource": resource}
    last = node.value[-1]
    from .cloudformation import _last_end

    end = _last_end(last)
    if style.json:
        indent = last.start_mark.column
        return Edit(end, end, f",\n{' ' * indent}{style.json_text(statement, indent)}")
    line = source.text[source.line_start(last.start_mark.index):last.start_mark.index]
    dash = line.rfind("-")
    if dash < 0 or line[:dash].strip():
        return None
    lines = replace(style, dash_width=max(last.start_mark.column - source.line_start(last.start_mark.index)
                                          - dash, 2))._yaml_items([statement], dash)
    at = source.line_end(end)
    lead = "" if source.text[:at].endswith("\n") else "\n"
    return Edit(at, at, lead + "".join(f"{text}\n" for text in lines))
