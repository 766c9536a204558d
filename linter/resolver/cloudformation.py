"""Evaluate a CloudFormation template into trails with resolved values."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..arn import display
from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT, Assumption, Location, LogGroup, Trail, Unfollowed, Value
from ..prefilter import may_hold_trail
from .common import (
    Budget,
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
from .tf_functions import to_str

TRAIL = "AWS::CloudTrail::Trail"
LOG_GROUP = "AWS::Logs::LogGroup"
ROLE = "AWS::IAM::Role"
SEG = UNKNOWN_SEGMENT

_PSEUDO = {
    "AWS::Region": SEG, "AWS::AccountId": SEG, "AWS::Partition": SEG, "AWS::StackName": SEG,
    "AWS::StackId": SEG, "AWS::URLSuffix": SEG,
}
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")


class _NoValue:
    """``Ref: AWS::NoValue``: the property is removed."""

    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()


class Template:
    """The parts of a template the resolver reads."""

    def __init__(self, data: dict[str, Any], path: str) -> None:
        self.path = path
        self.data = data
        self.resources = _mapping(data.get("Resources"))
        self.parameters = _mapping(data.get("Parameters"))
        self.mappings = _mapping(data.get("Mappings"))
        self.conditions = _mapping(data.get("Conditions"))

    def location(self, logical_id: str) -> Location:
        resources = self.data.get("Resources")
        line, col = getattr(resources, "key_pos", {}).get(logical_id, (0, 0))
        body = self.resources.get(logical_id)
        return Location(self.path, line, col, max(line, _last_line(body)))

    def property_location(self, logical_id: str, prop: str) -> Location | None:
        """Where the key of a resource property is written."""
        props = self.resources.get(logical_id, {}).get("Properties")
        pos = getattr(props, "key_pos", {}).get(prop)
        return Location(self.path, pos[0], pos[1]) if pos else None


def _last_line(node: Any, depth: int = 0) -> int:
    """The last line any key or item of ``node`` starts on (the end of a resource, near enough)."""
    if depth > 200:
        return 0
    last = getattr(node, "line", 0)
    if isinstance(node, dict):
        last = max([last, *(pos[0] for pos in getattr(node, "key_pos", {}).values())])
        values = node.values()
    elif isinstance(node, list):
        values = node
    else:
        return last
    return max([last, *(_last_line(v, depth + 1) for v in values)])


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Evaluator:
    def __init__(self, template: Template, assumptions: dict[str, bool] | None = None,
                 budget: Budget | None = None) -> None:
        self.t = template
        self.assumptions = assumptions or {}
        self.budget = budget or Budget()
        self.trace = Trace()
        self._conditions: dict[str, Any] = {}
        self._active: set[str] = set()

    def evaluate(self, value: Any) -> tuple[Any, Trace]:
        saved = self.trace
        self.trace = Trace()
        try:
            return self.eval(value), self.trace
        finally:
            self.trace = saved

    def eval(self, value: Any) -> Any:
        self.budget.step()
        if isinstance(value, list):
            return [self.eval(v) for v in value]
        if not isinstance(value, dict):
            if hasattr(value, "tag"):  # an unsupported tag, or a variable of a Serverless file (its reason)
                tag = str(value.tag)
                return self.trace.unknown(f"tag {tag} is not evaluated" if tag.startswith("!") else tag)
            return value
        if len(value) != 1:
            return {k: self.eval(v) for k, v in value.items()}
        (fn, arg), = value.items()
        if fn == "Ref":
            return self.ref(arg)
        if fn == "Fn::GetAtt":
            return self.get_att(arg)
        if fn == "Fn::Sub":
            return self.sub(arg)
        if fn == "Fn::Join":
            if not isinstance(arg, list) or len(arg) != 2:
                return self.trace.unknown("malformed Fn::Join")
            sep, items = self.eval(arg[0]), self.eval(arg[1])
            if isinstance(sep, Unknown):
                return sep
            if isinstance(items, Unknown):
                return items
            if not isinstance(items, list):
                return self.trace.unknown("Fn::Join of something that is not a list")
            self.budget.charge(items)
            return self.budget.text(to_str(sep).join(self.text(item) for item in items if item is not NO_VALUE))
        if fn == "Fn::ImportValue":
            name = self.eval(arg)
            shown = to_str(name).replace(SEG, "${…}") if not isinstance(name, Unknown) else "<unknown>"
            return self.trace.unknown(f"the value is imported from another stack (Fn::ImportValue {shown})")
        if fn == "Fn::If":
            if not isinstance(arg, list) or len(arg) != 3 or not isinstance(arg[0], str):
                return self.trace.unknown("malformed Fn::If")
            key = f"condition {arg[0]}"
            cond = self.assumptions[key] if key in self.assumptions else self.condition(arg[0])
            if isinstance(cond, Unknown):
                self.trace.undecidable(Undecided(key, f"condition {arg[0]}"))
                return self.trace.unknown(f"depends on condition {arg[0]}, which cannot be resolved ({cond.reason})")
            return self.eval(arg[1] if cond else arg[2])
        if fn == "Fn::FindInMap":
            if not isinstance(arg, list) or len(arg) < 3:
                return self.trace.unknown("malformed Fn::FindInMap")
            keys = [self.eval(a) for a in arg[:3]]
            for key in keys:
                if isinstance(key, Unknown):
                    return key
            node: Any = self.t.mappings
            for key in keys:
                if not isinstance(node, dict) or to_str(key) not in node:
                    if len(arg) > 3 and isinstance(arg[3], dict) and "DefaultValue" in arg[3]:
                        return self.eval(arg[3]["DefaultValue"])
                    return self.trace.unknown(f"Fn::FindInMap {'/'.join(map(to_str, keys))} is not in Mappings")
                node = node[to_str(key)]
            key = f"mapping {'/'.join(map(to_str, keys))}"
            if key in self._active:
                return self.trace.unknown(f"Fn::FindInMap {key[8:]} refers to itself")
            self._active.add(key)
            try:
                return self.eval(node)
            finally:
                self._active.discard(key)
        if fn == "Fn::Select":
            if not isinstance(arg, list) or len(arg) != 2:
                return self.trace.unknown("malformed Fn::Select")
            index, items = self.eval(arg[0]), self.eval(arg[1])
            for part in (index, items):
                if isinstance(part, Unknown):
                    return part
            try:
                return items[int(index)]
            except (IndexError, TypeError, ValueError, OverflowError, KeyError):
                return self.trace.unknown(f"Fn::Select index {to_str(index)[:40]} is out of range")
        if fn == "Fn::Split":
            if not isinstance(arg, list) or len(arg) != 2:
                return self.trace.unknown("malformed Fn::Split")
            sep, text = self.eval(arg[0]), self.eval(arg[1])
            for part in (sep, text):
                if isinstance(part, Unknown):
                    return part
            if not to_str(sep):
                return self.trace.unknown("Fn::Split with an empty delimiter (CloudFormation rejects it)")
            parts = to_str(text).split(to_str(sep))
            self.budget.items(len(parts))
            return parts
        if fn in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Condition"):
            return self.boolean(value)
        if fn in ("Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform", "Fn::ToJsonString", "Fn::Length",
                  "Fn::ForEach"):
            return self.trace.unknown(f"{fn} is not evaluated")
        return {fn: self.eval(arg)}

    def text(self, value: Any) -> str:
        if isinstance(value, (Unknown, list, dict)):
            return UNKNOWN_ANY
        return to_str(value)

    # ----- references -----
    def dangling(self, what: str) -> Unknown:
        return self.trace.missing(what)

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return self.trace.unknown("Ref to something that is not a name")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name == "AWS::NotificationARNs":
            return self.trace.unknown("AWS::NotificationARNs is known only at deployment")
        if name in self.t.parameters:
            return self.parameter(name)
        if name in self.t.resources:
            return self.resource_ref(name)
        return self.dangling(f"resource or parameter {name}")

    def parameter(self, name: str) -> Any:
        spec = self.t.parameters[name]
        if not isinstance(spec, dict) or "Default" not in spec:
            return self.trace.unknown(f"parameter {name} has no Default")
        ptype = str(spec.get("Type", "String"))
        if ptype.startswith("AWS::SSM::Parameter::Value"):
            return self.trace.unknown(f"parameter {name} is read from SSM Parameter Store at deployment")
        default = spec["Default"]
        if ptype in ("CommaDelimitedList", "List<Number>") or ptype.startswith("List<"):
            return [item.strip() for item in to_str(default).split(",")]
        return default

    def _resource(self, name: str) -> dict[str, Any]:
        body = self.t.resources.get(name)
        if name not in self.trace.refs:
            self.trace.refs.append(name)
        return body if isinstance(body, dict) else {}

    def _prop(self, body: dict[str, Any], prop: str) -> Any:
        props = body.get("Properties")
        if not isinstance(props, dict) or prop not in props:
            return None
        key = f"property {prop} of {id(body)}"  # a resource whose property refers to the resource itself
        if key in self._active:
            return self.trace.unknown(f"{prop} refers to its own resource")
        self._active.add(key)
        try:
            return self.eval(props[prop])
        finally:
            self._active.discard(key)

    def _name(self, body: dict[str, Any], prop: str) -> str:
        value = self._prop(body, prop)
        return value if isinstance(value, str) and value else SEG

    def resource_ref(self, name: str) -> Any:
        body = self._resource(name)
        rtype = body.get("Type")
        if rtype == LOG_GROUP:
            return self._name(body, "LogGroupName")
        if rtype == ROLE:
            return self._name(body, "RoleName")
        return SEG

    def get_att(self, arg: Any) -> Any:
        if isinstance(arg, str) and "." in arg:
            name, attr = arg.split(".", 1)
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            name, attr = arg[0], self.eval(arg[1])
            if isinstance(attr, Unknown):
                return attr
        else:
            return self.trace.unknown("malformed Fn::GetAtt")
        if name not in self.t.resources:
            return self.dangling(f"resource {name}")
        body = self._resource(name)
        rtype = str(body.get("Type", ""))
        if rtype == LOG_GROUP and attr == "Arn":  # unlike Terraform's, it ends in :*
            return log_group_arn(self._name(body, "LogGroupName"))
        if rtype == ROLE and attr == "Arn":
            return role_arn(self._name(body, "RoleName"), self._prop(body, "Path"))
        if rtype == ROLE and attr == "RoleId":
            return SEG
        if attr == "Arn" and rtype.startswith("AWS::"):
            return service_arn(rtype.split("::")[1].lower())
        return self.trace.unknown(f"{name}.{attr} is known only at deployment")

    def sub(self, arg: Any) -> Any:
        if isinstance(arg, list) and len(arg) == 2:
            text, variables = arg[0], arg[1] if isinstance(arg[1], dict) else {}
        else:
            text, variables = arg, {}
        if not isinstance(text, str):
            return self.trace.unknown("malformed Fn::Sub")

        def replace(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return self.text(self.eval(variables[inner]))
            if "." in inner and inner.split(".", 1)[0] in self.t.resources:
                return self.text(self.get_att(inner))
            value = self.ref(inner)
            return "" if value is NO_VALUE else self.text(value)

        return self.budget.text(_SUB_VAR.sub(replace, text))

    # ----- conditions -----
    def condition(self, name: str) -> Any:
        if name in self._conditions:
            return self._conditions[name]
        if name not in self.t.conditions:
            return self.dangling(f"condition {name}")
        if name in self._active:
            return self.trace.unknown(f"condition {name} refers to itself")
        self._active.add(name)
        result = self.boolean(self.t.conditions[name])
        self._active.discard(name)
        self._conditions[name] = result
        return result

    def boolean(self, expr: Any) -> Any:
        if not isinstance(expr, dict) or len(expr) != 1:
            value = self.eval(expr)
            return value if isinstance(value, (bool, Unknown)) else self.trace.unknown("malformed condition")
        (fn, arg), = expr.items()
        if fn == "Condition":
            return self.condition(arg) if isinstance(arg, str) else self.trace.unknown("malformed Condition")
        if fn == "Fn::Equals":
            if not isinstance(arg, list) or len(arg) != 2:
                return self.trace.unknown("malformed Fn::Equals")
            left, right = self.eval(arg[0]), self.eval(arg[1])
            for side in (left, right):
                if isinstance(side, Unknown):
                    return side
            if any(isinstance(s, str) and (SEG in s or UNKNOWN_ANY in s) for s in (left, right)):
                return self.trace.unknown("Fn::Equals compares a value known only at deployment")
            return _cfn_text(left) == _cfn_text(right)
        if fn in ("Fn::And", "Fn::Or", "Fn::Not"):
            items = [self.boolean(a) for a in (arg if isinstance(arg, list) else [arg])]
            if fn == "Fn::Not":
                item = items[0] if items else self.trace.unknown("malformed Fn::Not")
                return item if isinstance(item, Unknown) else not item
            decisive = fn == "Fn::Or"
            if decisive in items:
                return decisive
            unknown = next((i for i in items if isinstance(i, Unknown)), None)
            return unknown if unknown else not decisive
        value = self.eval(expr)
        return value if isinstance(value, (bool, Unknown)) else self.trace.unknown("malformed condition")


def _cfn_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return to_str(value)


# --------------------------------------------------------------------------- trails


def resolve_template(data: dict[str, Any], path: str) -> list[list[Trail]]:
    template = Template(data, path)
    out = []
    for logical_id, body in template.resources.items():
        if isinstance(body, dict) and body.get("Type") == TRAIL:
            out.append(_variants(template, logical_id))
    return out


def _variants(template: Template, logical_id: str) -> list[Trail]:
    """Evaluate a trail under each assignment of the conditions it depends on that cannot be decided.

    A trail under a resource-level ``Condition`` exists only when that condition holds: it is checked
    as written, with the condition assumed true (whatever the parameter defaults say).
    """
    own = template.resources[logical_id].get("Condition")
    exists_when = (Assumption(f"condition {own}", f"condition {own}", True),) if isinstance(own, str) else ()

    def evaluate(assumed: dict[str, bool]) -> tuple[Trail, list[Undecided]]:
        return _evaluate(template, logical_id, assumed)

    leaves = explore(evaluate, {a.key: a.holds for a in exists_when}, exists_when)
    every = tuple(leaf.assumptions for leaf in leaves)
    return [replace(leaf.result, assumptions=leaf.assumptions, variants=every, exists_when=exists_when)
            for leaf in leaves]


def _evaluate(template: Template, logical_id: str, assumed: dict[str, bool]) -> tuple[Trail, list[Undecided]]:
    ev = Evaluator(template, assumed)
    body = template.resources[logical_id]
    props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
    location = template.location(logical_id)
    group, gtrace = _prop_value(ev, template, logical_id, props, "CloudWatchLogsLogGroupArn",
                                "no CloudWatchLogsLogGroupArn is set")
    role, rtrace = _prop_value(ev, template, logical_id, props, "CloudWatchLogsRoleArn",
                               "no CloudWatchLogsRoleArn is set")
    try:
        log_group = _log_group(ev, template, gtrace, group)
    except LimitReached:
        log_group = None
    undecided = [*gtrace.undecided, *(x for x in rtrace.undecided if x not in gtrace.undecided)]
    if log_group is not None:
        undecided.extend(x for x in log_group[1].undecided if x not in undecided)
    from .cfn_iam import delivery_role  # CTL007: the role and its policies
    role_model, met = delivery_role(template, logical_id, ev, role, rtrace)
    undecided.extend(x for x in met if x not in undecided)
    trail = Trail(logical_id, TRAIL, location, group, role, log_group[0] if log_group else None, role=role_model)
    return trail, undecided


def _prop_value(ev: Evaluator, template: Template, logical_id: str, props: dict[str, Any], name: str,
                unset_reason: str) -> tuple[Value, Trace]:
    if name not in props:
        return unset(unset_reason), Trace()
    raw = props[name]
    location = template.property_location(logical_id, name)
    ev.budget.renew()
    try:
        result, trace = ev.evaluate(raw)
    except LimitReached as exc:  # this value is unknown; the others may still be evaluated
        return limit_reached(str(exc), location), Trace()
    source = _source(raw)
    if result is NO_VALUE:
        return unset(f"{name} is AWS::NoValue", location), trace
    return to_value(result, trace, source, unset_reason, location), trace


def _source(raw: Any) -> str:
    """A short rendering of a property's expression for messages, in short-form style."""
    if isinstance(raw, dict) and len(raw) == 1:
        (fn, arg), = raw.items()
        short = fn.replace("Fn::", "")
        if short == "GetAtt" and isinstance(arg, list):
            return f"!GetAtt {'.'.join(map(str, arg))}"
        return f"!{short} {_source(arg)}"
    if isinstance(raw, list):
        return "[" + ", ".join(_source(item) for item in raw) + "]"
    return raw if isinstance(raw, str) else display(raw) if raw is not None else ""


def _log_group(ev: Evaluator, template: Template, trace: Trace, group: Value) -> tuple[LogGroup, Trace] | None:
    name = next((r for r in trace.refs if template.resources.get(r, {}).get("Type") == LOG_GROUP), None)
    if name is None:
        name = group_named_in(group.data, (
            (logical_id, lambda b=body: ev.evaluate((b.get("Properties") or {}).get("LogGroupName"))[0])
            for logical_id, body in template.resources.items()
            if isinstance(body, dict) and body.get("Type") == LOG_GROUP))
    if name is None:
        return None
    props = template.resources[name].get("Properties")
    props = props if isinstance(props, dict) else {}
    location = template.property_location(name, "RetentionInDays")
    if "RetentionInDays" not in props:
        retention, rtrace = unset(f"{name} sets no RetentionInDays (events never expire)"), Trace()
    else:
        try:
            result, rtrace = ev.evaluate(props["RetentionInDays"])
        except LimitReached as exc:
            return LogGroup(name, template.location(name), limit_reached(str(exc), location)), Trace()
        if result is NO_VALUE:
            retention = unset(f"{name} RetentionInDays is AWS::NoValue (events never expire)", location)
        else:
            retention = as_days(to_value(result, rtrace, _source(props["RetentionInDays"]), "retention not set",
                                         location))
    return LogGroup(name, template.location(name), retention), rtrace


#: Resource types whose contents CloudFormation deploys from elsewhere: (kind, property naming the source).
OPAQUE = {
    "AWS::CloudFormation::Stack": ("stack", "TemplateURL"),
    "AWS::Serverless::Application": ("stack", "Location"),
    "AWS::CloudFormation::StackSet": ("stack", "TemplateURL"),
}


def unfollowed_in_template(data: dict[str, Any], path: str) -> list[Unfollowed]:
    """Nested stacks and custom resources of a template that may create trails but cannot be read."""
    template = Template(data, path)
    out = []
    for logical_id, body in template.resources.items():
        if not isinstance(body, dict):
            continue
        rtype = str(body.get("Type", ""))
        props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
        if rtype in OPAQUE:
            kind, prop = OPAQUE[rtype]
            source = _source(props.get(prop)) if props.get(prop) is not None else rtype
        elif rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource":
            kind, source = "custom-resource", rtype
        else:
            continue
        if may_hold_trail(str(logical_id), source, rtype):
            out.append(Unfollowed(kind, str(logical_id), source, template.location(str(logical_id)), rtype))
    return out
