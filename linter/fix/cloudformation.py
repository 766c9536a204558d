"""Fixes for CloudFormation trails, as edits at the positions of PyYAML's node tree.

The fixer composes the template again (no constructor runs) to know where every key and value
starts and ends, and asks the resolver which log group a trail delivers to.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..arn import log_group_arn_ok
from ..findings import Finding
from ..frontends import ParseError
from ..frontends.cfn import load_document
from ..frontends.yaml_nodes import INTRINSIC_TAGS
from ..model import Trail
from ..resolver.cloudformation import LOG_GROUP, ROLE, TRAIL, resolve_template
from .cfn_format import Intrinsic, Raw, Style, get_att
from .context import FixContext, NotFixable, RuleFixer, retention_target
from .edits import Edit, Fix, Source

GROUP_PROP = "CloudWatchLogsLogGroupArn"
ROLE_PROP = "CloudWatchLogsRoleArn"

_LONG_FORM = re.compile(r"""(^|[\s{,])["']?(Ref|Fn::[A-Za-z]+)["']?\s*:""", re.M)
_SHORT_TAG = re.compile(r"(^|[\s:\[,{-])!(" + "|".join(t[1:] for t in INTRINSIC_TAGS) + r")\b", re.M)


@dataclass
class _Template:
    """A composed template: its source, node tree, style and resolved trails."""

    source: Source
    root: Any
    style: Style
    trails: dict[str, Trail]

    def resources(self) -> Any:
        found = _get(self.root, "Resources")
        if found is None or not _is_mapping(found[1]):
            raise NotFixable("the template has no Resources mapping")
        return found[1]

    def resource_type(self, logical_id: str) -> str:
        found = _get(self.resources(), logical_id)
        if found is None:
            return ""
        type_node = _get(found[1], "Type")
        return _scalar(type_node[1]) or "" if type_node else ""


@dataclass
class _Trail:
    template: _Template
    logical_id: str
    key: Any
    body: Any
    props: Any

    @property
    def path(self) -> str:
        return self.template.source.path

    @property
    def model(self) -> Trail | None:
        return self.template.trails.get(self.logical_id)


class CloudFormationFixer(RuleFixer):
    """Turns CloudFormation findings into :class:`Fix` objects (or :class:`NotFixable`)."""

    def __init__(self, ctx: FixContext) -> None:
        self.ctx = ctx
        self._templates: dict[str, _Template] = {}

    # ----- finding the trail again -----
    def _template(self, path: str) -> _Template:
        if path not in self._templates:
            import yaml

            source = self.ctx.source(path)
            try:
                root = yaml.compose(source.text, Loader=yaml.SafeLoader)
                ws = self.ctx.workspace
                loaded = ws.reader.document(path) if ws is not None else load_document(
                    path, self.ctx.settings.max_file_size)
                if isinstance(loaded, ParseError):
                    raise loaded
            except (yaml.YAMLError, ParseError, RecursionError):
                raise NotFixable(f"{path} could not be read again") from None
            if loaded is not None and loaded[0] == "terraform-plan":
                raise NotFixable(f"{path} is a Terraform plan; fix the configuration it was made from")
            if root is None or loaded is None:
                raise NotFixable(f"{path} is not a template")
            data = loaded[1]
            resolved = resolve_template(data, path)
            trails = {variants[0].address: variants[0] for variants in resolved if variants}
            self._templates[path] = _Template(source, root, _style(source, root), trails)
        return self._templates[path]

    def _locate(self, finding: Finding) -> _Trail:
        template = self._template(finding.file)
        for key, body in template.resources().value:
            if key.value == finding.resource and key.start_mark.line + 1 == finding.line:
                if not _is_mapping(body) or template.resource_type(key.value) != TRAIL:
                    break
                props = _get(body, "Properties")
                if props is None or not _is_mapping(props[1]) or not props[1].value:
                    raise NotFixable("the trail has no Properties to add to")
                return _Trail(template, key.value, key, body, props[1])
        raise NotFixable("the trail could not be found again")

    # ----- CTL001 and CTL002 -----
    def _cloudwatch(self, trail: _Trail) -> Fix:
        group, role = _get(trail.props, GROUP_PROP), _get(trail.props, ROLE_PROP)
        if group is not None and not _empty(group[1]):
            raise NotFixable(f"{GROUP_PROP} is computed (a condition or a reference); the fixer only fills"
                             " in a"
                             " missing, empty or AWS::NoValue value")
        fix = Fix("")
        if role is not None and not _empty(role[1]):
            return self._log_group_for_role(trail, fix, role[1])
        sibling = self._wired_sibling(trail, None)
        if sibling is not None:
            group_id, role_id, other = sibling
            what = f"deliver to {group_id} with {role_id}, as {other} does"
        else:
            group_id, role_id, days = self._add_resources(trail, fix, None)
            what = f"add {group_id} (RetentionInDays {days}) and {role_id} with a policy for it"
        self._set_props(trail, fix, [(GROUP_PROP, get_att(group_id)), (ROLE_PROP, get_att(role_id))])
        fix.description = f"{what}; set {GROUP_PROP} and {ROLE_PROP}"
        return fix

    def _log_group_for_role(self, trail: _Trail, fix: Fix, role: Any) -> Fix:
        """CTL001 on a trail that names its role: a log group and a policy letting the role write to it."""
        role_id = _get_att_target(role)
        if role_id is None or trail.template.resource_type(role_id) != ROLE:
            raise NotFixable(f"the trail already sets {ROLE_PROP} to a role not defined in this template;"
                             " add a"
                             f" log group that role may write to and set {GROUP_PROP} by hand")
        group_id, _, days = self._add_resources(trail, fix, None, role_id)
        self._set_props(trail, fix, [(GROUP_PROP, get_att(group_id))])
        fix.description = (f"add {group_id} (RetentionInDays {days}) and a policy letting {role_id} write"
                           " to it;"
                           f" set {GROUP_PROP}")
        return fix

    def _role(self, trail: _Trail) -> Fix:
        group, role = _get(trail.props, GROUP_PROP), _get(trail.props, ROLE_PROP)
        if group is None:
            raise NotFixable(f"the trail sets no {GROUP_PROP}")
        if role is not None and not _empty(role[1]):
            raise NotFixable(f"{ROLE_PROP} is computed (a condition or a reference); the fixer only fills"
                             " in a"
                             " missing, empty or AWS::NoValue value")
        model = trail.model
        group_id = model.log_group.address if model is not None and model.log_group is not None else None
        fix = Fix("")
        sibling = self._wired_sibling(trail, group_id) if group_id else None
        if sibling is not None:
            role_id, other = sibling[1], sibling[2]
            what = f"use {role_id}, which {other} uses for the same log group"
        else:
            if group_id is not None:
                resource: Any = get_att(group_id)
            else:
                resource = self._copy(trail.template, group[1])
            _, role_id, _days = self._add_resources(trail, fix, resource)
            what = f"add {role_id} with a policy for the trail's log group"
        self._set_props(trail, fix, [(ROLE_PROP, get_att(role_id))])
        fix.description = f"{what}; set {ROLE_PROP}"
        return fix

    def _copy(self, template: _Template, node: Any) -> Raw:
        """A value written on one line, to be repeated elsewhere in the same template."""
        text = template.source.text[node.start_mark.index:node.end_mark.index]
        if "\n" in text or (not _is_scalar(node) and not getattr(node, "flow_style", False)):
            raise NotFixable("the log group value spans several lines; add the delivery role by hand")
        return Raw(text)

    def _wired_sibling(self, trail: _Trail, group_id: str | None) -> tuple[str, str, str] | None:
        """(log group id, role id, trail id) of another trail that uses ``!GetAtt`` of both."""
        template = trail.template
        for key, body in template.resources().value:
            if key.value == trail.logical_id or template.resource_type(key.value) != TRAIL:
                continue
            props = _get(body, "Properties")
            if props is None or not _is_mapping(props[1]):
                continue
            group, role = _get(props[1], GROUP_PROP), _get(props[1], ROLE_PROP)
            group_ref = _get_att_target(group[1]) if group else None
            role_ref = _get_att_target(role[1]) if role else None
            if (group_ref and role_ref and template.resource_type(group_ref) == LOG_GROUP
                    and template.resource_type(role_ref) == ROLE and group_id in (None, group_ref)):
                return group_ref, role_ref, key.value
        return None

    def _add_resources(self, trail: _Trail, fix: Fix, resource: Any,
                       role_id: str | None = None) -> tuple[str, str, int]:
        """Add resources after the trail: a log group when ``resource`` (the ARN the policy allows) is None,
        and a delivery role with that policy, or the policy alone for the role ``role_id``."""
        template = trail.template
        taken = {key.value for key, _ in template.resources().value}
        new: dict[str, Any] = {}
        group_id, days = "", 0
        if resource is None:
            days = self._new_group_retention()
            group_id = self.ctx.claim(trail.path, f"{trail.logical_id}LogGroup", taken, sep="")
            props: dict[str, Any] = {}
            name = _get(trail.props, "TrailName")
            if name is not None and _is_scalar(name[1]) and not name[1].tag.startswith("!") and name[1].value:
                props["LogGroupName"] = f"/aws/cloudtrail/{name[1].value}"
            props["RetentionInDays"] = days
            new[group_id] = {"Type": LOG_GROUP, "Properties": props}
            resource = get_att(group_id)
        document = {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": resource,
        }]}
        if role_id is None:
            role_id = self.ctx.claim(trail.path, f"{trail.logical_id}LogsRole", taken, sep="")
            trust = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                     "Action": "sts:AssumeRole"}
            new[role_id] = {"Type": ROLE, "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]},
                "Policies": [{"PolicyName": "cloudtrail-to-cloudwatch-logs", "PolicyDocument": document}],
            }}
        else:
            policy_id = self.ctx.claim(trail.path, f"{trail.logical_id}LogsPolicy", taken, sep="")
            new[policy_id] = {"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "cloudtrail-to-cloudwatch-logs", "PolicyDocument": document,
                "Roles": [Intrinsic("Ref", role_id)],
            }}
        fix.add(trail.path, self._resources_edit(trail, new))
        return group_id, role_id, days

    def _resources_edit(self, trail: _Trail, new: dict[str, Any]) -> Edit:
        """New resources right after the trail's own."""
        template = trail.template
        source, style = template.source, template.style
        end = _last_end(trail.body)
        indent = trail.key.start_mark.column
        if style.json or getattr(template.resources(), "flow_style", False):
            if not style.json:
                raise NotFixable("the template's Resources is a flow mapping; add the resources by hand")
            text = "".join(f",\n{' ' * indent}{style.key(rid)}{style.colon}{style.json_text(body, indent)}"
                           for rid, body in new.items())
            return Edit(end, end, text)
        at = source.line_end(end)
        lines: list[str] = []
        for rid, body in new.items():
            lines += [""] * style.spaced + [f"{' ' * indent}{rid}:"]
            lines += style.yaml_lines(body, indent + style.unit)
        lead = "" if source.text[:at].endswith("\n") else "\n"
        return Edit(at, at, lead + "".join(line + "\n" for line in lines))

    def _set_props(self, trail: _Trail, fix: Fix, pairs: list[tuple[str, Any]]) -> None:
        """Give the trail these property values: replace an empty one, insert a missing one."""
        template = trail.template
        style, source = template.style, template.source
        absent = []
        for name, value in pairs:
            found = _get(trail.props, name)
            if found is None:
                absent.append((name, value))
                continue
            start, end, lead = _value_range(source, found[0], found[1])
            fix.add(trail.path, Edit(start, end, lead + style.scalar(value)), first=True)
        if not absent:
            return
        props = trail.props
        last_key, last_value = props.value[-1]
        end = _last_end(last_value)
        if props.flow_style:
            key_line = last_key.start_mark.line
            if key_line != props.start_mark.line:
                pad = source.text[source.line_start(last_key.start_mark.index):last_key.start_mark.index]
                text = "".join(f",\n{pad}{style.entry(n, v)}" for n, v in absent)
            else:
                text = "".join(f", {style.entry(n, v)}" for n, v in absent)
            fix.add(trail.path, Edit(end, end, text), first=True)
            return
        pad = " " * props.value[0][0].start_mark.column
        at = source.line_end(end)
        lead = "" if source.text[:at].endswith("\n") else "\n"
        text = lead + "".join(f"{pad}{style.entry(n, v)}\n" for n, v in absent)
        fix.add(trail.path, Edit(at, at, text), first=True)

    # ----- CTL003 and CTL006 -----
    def _retention(self, trail: _Trail) -> Fix:
        model = trail.model
        if model is None or model.log_group is None:
            raise NotFixable("the trail's log group could not be found again")
        template = trail.template
        group_id = model.log_group.address
        found = _get(template.resources(), group_id)
        props = _get(found[1], "Properties") if found else None
        retention = _get(props[1], "RetentionInDays") if props and _is_mapping(props[1]) else None
        if retention is None:
            raise NotFixable(f"{group_id} sets no RetentionInDays")
        node, where = retention[1], f"RetentionInDays of {group_id}"
        limits: Any = None
        ref = _ref_target(node)
        if ref is not None:
            parameters = _get(template.root, "Parameters")
            param = _get(parameters[1], ref) if parameters and _is_mapping(parameters[1]) else None
            default = _get(param[1], "Default") if param and _is_mapping(param[1]) else None
            if default is None:
                raise NotFixable(f"parameter {ref} has no Default in the template; pass a longer retention"
                                 " when"
                                 " deploying")
            node, where, limits = default[1], f"Default of parameter {ref}", param[1]
        days = _whole_number(node)
        target = retention_target(days, self.ctx.settings.min_retention_days)
        if target is None:
            raise NotFixable(f"no retention CloudWatch Logs accepts is at least {days} and the minimum of"
                             f" {self.ctx.settings.min_retention_days} days")
        if limits is not None:
            _check_parameter_limits(limits, target, ref or "")
        source = template.source
        start, end = node.start_mark.index, node.end_mark.index
        text = source.text[start:end]
        new = f"{text[0]}{target}{text[0]}" if node.style in ('"', "'") else str(target)
        line = node.start_mark.line + 1
        return Fix(f"raise the retention of {group_id} from {days} to {target} days ({where},"
                   f" {trail.path}:{line})",
                   {trail.path: [Edit(start, end, new)]})

    # ----- CTL007 -----
    def _delivery(self, trail: _Trail) -> Fix:
        from .cfn_delivery import fix_delivery

        return fix_delivery(self, trail)

    # ----- CTL004 -----
    def _group_arn(self, trail: _Trail) -> Fix:
        found = _get(trail.props, GROUP_PROP)
        if found is None:
            raise NotFixable(f"the trail sets no {GROUP_PROP}")
        key, node = found
        template = trail.template
        ref = _ref_target(node)
        if ref is not None and template.resource_type(ref) == LOG_GROUP:
            return self._ref_to_get_att(trail, key, node, ref, GROUP_PROP)
        model = trail.model
        data = model.log_group_arn.data if model is not None else None
        text_node = _sub_string(node)
        if (text_node is not None and isinstance(data, str) and not data.endswith(":*")
                and log_group_arn_ok(data + ":*") is not False):
            end = text_node.end_mark.index
            at = end - 1 if text_node.style in ('"', "'") else end
            edit = Edit(at, at, ":*")
            return Fix(f"end {GROUP_PROP} in the log-stream wildcard `:*`", {trail.path: [edit]})
        raise NotFixable(f"{GROUP_PROP} is not a reference or string the fixer can repair; use"
                         " !GetAtt LogGroup.Arn")

    def _role_arn(self, trail: _Trail) -> Fix:
        found = _get(trail.props, ROLE_PROP)
        if found is None:
            raise NotFixable(f"the trail sets no {ROLE_PROP}")
        key, node = found
        ref = _ref_target(node)
        if ref is not None and trail.template.resource_type(ref) == ROLE:
            return self._ref_to_get_att(trail, key, node, ref, ROLE_PROP)
        raise NotFixable(f"{ROLE_PROP} is not a Ref of an AWS::IAM::Role in this template; use !GetAtt"
                         " Role.Arn")

    def _ref_to_get_att(self, trail: _Trail, key: Any, node: Any, ref: str, prop: str) -> Fix:
        source = trail.template.source
        if node.tag == "!Ref":
            edit = Edit(node.start_mark.index, node.end_mark.index, f"!GetAtt {ref}.Arn")
        else:  # long form: rewrite the one key and its value
            inner_key, inner_value = node.value[0]
            quoted = inner_key.style == '"'
            text = json.dumps({"Fn::GetAtt": [ref, "Arn"]})[1:-1] if quoted else f"Fn::GetAtt: [{ref}, Arn]"
            edit = Edit(inner_key.start_mark.index, _last_end(inner_value), text)
        if source.text[edit.start:edit.end].count("\n"):
            raise NotFixable(f"{prop} spans several lines; write !GetAtt {ref}.Arn by hand")
        what = f"write {prop} as !GetAtt {ref}.Arn (Ref gives the name, not the ARN)"
        return Fix(what, {trail.path: [edit]})


# --------------------------------------------------------------------------- node helpers


def _is_mapping(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.MappingNode)


def _is_scalar(node: Any) -> bool:
    import yaml

    return isinstance(node, yaml.ScalarNode)


def _get(mapping: Any, name: str) -> tuple[Any, Any] | None:
    if not _is_mapping(mapping):
        return None
    return next(((k, v) for k, v in mapping.value if _is_scalar(k) and k.value == name), None)


def _scalar(node: Any) -> str | None:
    return node.value if _is_scalar(node) else None


def _ref_target(node: Any) -> str | None:
    """The name in ``!Ref X`` or ``{Ref: X}``."""
    if _is_scalar(node) and node.tag == "!Ref":
        return node.value
    if _is_mapping(node) and len(node.value) == 1 and _scalar(node.value[0][0]) == "Ref":
        return _scalar(node.value[0][1])
    return None


def _get_att_target(node: Any) -> str | None:
    """X in ``!GetAtt X.Arn`` or ``{Fn::GetAtt: [X, Arn]}``."""
    import yaml

    if _is_scalar(node) and node.tag == "!GetAtt" and node.value.endswith(".Arn"):
        return node.value[:-4]
    if isinstance(node, yaml.SequenceNode) and node.tag == "!GetAtt" and len(node.value) == 2:
        return node.value[0].value if _scalar(node.value[1]) == "Arn" else None
    if _is_mapping(node) and len(node.value) == 1 and _scalar(node.value[0][0]) == "Fn::GetAtt":
        return _get_att_target_arg(node.value[0][1])
    return None


def _get_att_target_arg(arg: Any) -> str | None:
    import yaml

    if _is_scalar(arg) and arg.value.endswith(".Arn"):
        return arg.value[:-4]
    if isinstance(arg, yaml.SequenceNode) and len(arg.value) == 2 and _scalar(arg.value[1]) == "Arn":
        return _scalar(arg.value[0])
    return None


def _sub_string(node: Any) -> Any:
    """The string node of a plain string or of a ``Fn::Sub`` (short, long or list form), when on one line."""
    import yaml

    target = None
    if _is_scalar(node) and node.tag in ("!Sub", "tag:yaml.org,2002:str"):
        target = node
    elif isinstance(node, yaml.SequenceNode) and node.tag == "!Sub" and node.value:
        target = node.value[0]
    elif _is_mapping(node) and len(node.value) == 1 and _scalar(node.value[0][0]) == "Fn::Sub":
        arg = node.value[0][1]
        target = arg.value[0] if isinstance(arg, yaml.SequenceNode) and arg.value else arg
    one_line = _is_scalar(target) and target.start_mark.line == target.end_mark.line
    if one_line and target.style in (None, '"', "'"):
        return target
    return None


def _empty(node: Any) -> bool:
    """An unset value: empty, null or ``AWS::NoValue``."""
    if _is_scalar(node) and node.tag in ("tag:yaml.org,2002:null", "tag:yaml.org,2002:str"):
        return node.value in ("", "~", "null", "Null", "NULL") if node.style is None else node.value == ""
    return _ref_target(node) == "AWS::NoValue"


def _last_end(node: Any) -> int:
    """The offset after the last character of ``node`` (block collections end at their last item)."""
    import yaml

    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return key.end_mark.index if _blank(value) else _last_end(value)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _last_end(node.value[-1])
    return node.end_mark.index


def _blank(node: Any) -> bool:
    return _is_scalar(node) and node.start_mark.index == node.end_mark.index


def _value_range(source: Source, key: Any, value: Any) -> tuple[int, int, str]:
    """Where a value is written, and what goes before a value written in its place."""
    if _blank(value) or (not _is_scalar(value) and not value.flow_style):
        colon = source.text.find(":", key.end_mark.index)
        return colon + 1, _last_end(value), " "
    return value.start_mark.index, value.end_mark.index, ""


def _whole_number(node: Any) -> int:
    text = _scalar(node)
    if text is None or not text.strip().isdigit():
        raise NotFixable("the retention is not a whole number written in the template")
    return int(text.strip())


def _check_parameter_limits(param: Any, target: int, name: str) -> None:
    allowed = _get(param, "AllowedValues")
    if allowed is not None:
        values = [_scalar(v) for v in getattr(allowed[1], "value", [])] if not _is_scalar(allowed[1]) else []
        if str(target) not in {v.strip() for v in values if v is not None}:
            raise NotFixable(f"parameter {name} does not allow {target} (AllowedValues); add it there and"
                             " raise the"
                             " Default by hand")
    maximum = _get(param, "MaxValue")
    limit = (_scalar(maximum[1]) or "").strip() if maximum is not None else ""
    if limit.isdigit() and int(limit) < target:
        raise NotFixable(f"parameter {name} has MaxValue {maximum[1].value}, below {target}")


def _style(source: Source, root: Any) -> Style:
    """How the template is written: JSON or YAML, indentation, sequence indentation, tag form."""
    import yaml

    text = source.text
    is_json = source.path.endswith(".json") or text.lstrip().startswith("{")
    short = bool(_SHORT_TAG.search(text)) or not _LONG_FORM.search(text)
    style = Style(json=is_json, short=short and not is_json)
    resources = _get(root, "Resources")
    if resources is not None and _is_mapping(resources[1]) and resources[1].value:
        key, body = resources[1].value[0]
        inner = body.value[0][0] if _is_mapping(body) and body.value else None
        if inner is not None and inner.start_mark.line != key.start_mark.line:
            unit = inner.start_mark.column - key.start_mark.column
            if unit > 0:
                style.unit = unit
        later = [k for k, _ in resources[1].value[1:]]
        if later:
            style.spaced = any(not source.line_text(source.line_start(k.start_mark.index) - 1).strip()
                               for k in later)
        colon = text.find(":", key.end_mark.index)
        if is_json and colon >= 0 and not text[key.end_mark.index:colon].strip():
            style.colon = text[key.end_mark.index:colon] + ": "
    style.seq_indent = style.unit
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:  # an alias: its nodes were looked at already
            continue
        seen.add(id(node))
        if _is_mapping(node):
            for key, value in node.value:
                if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
                    style.seq_indent = max(value.start_mark.column - key.start_mark.column, 0)
                    style.dash_width = max(value.value[0].start_mark.column - value.start_mark.column, 2)
                    return style
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return style

