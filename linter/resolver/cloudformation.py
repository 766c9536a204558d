"""Evaluate a CloudFormation template into trails with resolved values."""

from __future__ import annotations

import re
from typing import Any

from ..arn import log_group_name_from_arn
from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT, Location, LogGroup, Trail, Value
from .tf_functions import to_str
from .values import MAX_VARIANTS, Trace, Unknown, as_days, to_value, unset

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
    def __init__(self, template: Template, assumptions: dict[str, bool] | None = None) -> None:
        self.t = template
        self.assumptions = assumptions or {}
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
        if isinstance(value, list):
            return [self.eval(v) for v in value]
        if not isinstance(value, dict):
            if hasattr(value, "tag"):  # an unsupported tag
                return self.trace.unknown(f"tag {value.tag} is not evaluated")
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
            return to_str(sep).join(self.text(item) for item in items if item is not NO_VALUE)
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
                if (key, arg[0]) not in self.trace.undecided:
                    self.trace.undecided.append((key, arg[0]))
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
            except (IndexError, TypeError, ValueError):
                return self.trace.unknown("Fn::Select index out of range")
        if fn == "Fn::Split":
            if not isinstance(arg, list) or len(arg) != 2:
                return self.trace.unknown("malformed Fn::Split")
            sep, text = self.eval(arg[0]), self.eval(arg[1])
            for part in (sep, text):
                if isinstance(part, Unknown):
                    return part
            return to_str(text).split(to_str(sep))
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
        if what not in self.trace.dangling:
            self.trace.dangling.append(what)
        return Unknown(f"{what} is not defined")

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
        if rtype == LOG_GROUP and attr == "Arn":
            return f"arn:{SEG}:logs:{SEG}:{SEG}:log-group:{self._name(body, 'LogGroupName')}:*"
        if rtype == ROLE and attr == "Arn":
            path = self._prop(body, "Path")
            path = path.strip("/") + "/" if isinstance(path, str) and path.strip("/") else ""
            return f"arn:{SEG}:iam::{SEG}:role/{path}{self._name(body, 'RoleName')}"
        if rtype == ROLE and attr == "RoleId":
            return SEG
        if attr == "Arn" and rtype.startswith("AWS::"):
            service = rtype.split("::")[1].lower()
            return f"arn:{SEG}:{service}:{SEG}:{SEG}:{SEG}"
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

        return _SUB_VAR.sub(replace, text)

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
    pending: list[dict[str, bool]] = [{f"condition {own}": True} if isinstance(own, str) else {}]
    done: list[Trail] = []
    evaluations = 0
    while pending:
        assumptions = pending.pop(0)
        evaluations += 1
        trail, undecided = _evaluate(template, logical_id, assumptions)
        open_keys = [key for key, _ in undecided if key not in assumptions]
        if open_keys and evaluations + len(pending) + 2 <= MAX_VARIANTS:
            pending.extend({**assumptions, open_keys[0]: choice} for choice in (True, False))
            continue
        if isinstance(own, str):
            trail.notes["conditional"] = True  # every finding holds only when the trail exists
        done.append(trail)
    return done


def _evaluate(template: Template, logical_id: str, assumptions: dict[str, bool]) -> tuple[Trail, list]:
    ev = Evaluator(template, assumptions)
    body = template.resources[logical_id]
    props = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
    group, gtrace = _prop_value(ev, props, "CloudWatchLogsLogGroupArn", "no CloudWatchLogsLogGroupArn is set")
    role, rtrace = _prop_value(ev, props, "CloudWatchLogsRoleArn", "no CloudWatchLogsRoleArn is set")
    undecided = [*gtrace.undecided, *(x for x in rtrace.undecided if x not in gtrace.undecided)]
    log_group = _log_group(ev, template, gtrace, group)
    if log_group is not None:
        undecided.extend(x for x in log_group[1].undecided if x not in undecided)
    described = tuple(f"condition {key.split(' ', 1)[1]} is {'true' if v else 'false'}"
                      for key, v in assumptions.items())
    trail = Trail(logical_id, TRAIL, template.location(logical_id), group, role,
                  log_group[0] if log_group else None, described)
    return trail, undecided


def _prop_value(ev: Evaluator, props: dict[str, Any], name: str, unset_reason: str) -> tuple[Value, Trace]:
    if name not in props:
        return unset(unset_reason), Trace()
    raw = props[name]
    result, trace = ev.evaluate(raw)
    source = _source(raw)
    if result is NO_VALUE:
        return unset(f"{name} is AWS::NoValue"), trace
    return to_value(result, trace, source, unset_reason), trace


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
    return raw if isinstance(raw, str) else repr(raw) if raw is not None else ""


def _log_group(ev: Evaluator, template: Template, trace: Trace, group: Value) -> tuple[LogGroup, Trace] | None:
    name = next((r for r in trace.refs if template.resources.get(r, {}).get("Type") == LOG_GROUP), None)
    if name is None and isinstance(group.data, str):
        wanted = log_group_name_from_arn(group.data)
        for logical_id, body in template.resources.items():
            if wanted and isinstance(body, dict) and body.get("Type") == LOG_GROUP:
                value, _ = ev.evaluate((body.get("Properties") or {}).get("LogGroupName"))
                if value == wanted:
                    name = logical_id
                    break
    if name is None:
        return None
    props = template.resources[name].get("Properties")
    props = props if isinstance(props, dict) else {}
    if "RetentionInDays" not in props:
        retention, rtrace = unset(f"{name} sets no RetentionInDays (events never expire)"), Trace()
    else:
        result, rtrace = ev.evaluate(props["RetentionInDays"])
        if result is NO_VALUE:
            retention = unset(f"{name} RetentionInDays is AWS::NoValue (events never expire)")
        else:
            retention = as_days(to_value(result, rtrace, _source(props["RetentionInDays"]), "retention not set"))
    return LogGroup(name, template.location(name), retention), rtrace
