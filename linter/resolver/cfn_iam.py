"""A CloudFormation trail's delivery role for CTL007: the ``AWS::IAM::Role`` and every policy that applies to it.

Policies come from the role (``AssumeRolePolicyDocument``, ``Policies``, ``ManagedPolicyArns``,
``PermissionsBoundary``) and from the ``AWS::IAM::Policy``, ``AWS::IAM::ManagedPolicy`` (``Roles``) and
``AWS::IAM::RolePolicy`` (``RoleName``) resources that name it; a ``Ref`` of an ``AWS::IAM::ManagedPolicy``
is that policy's document. Documents may be YAML/JSON objects, JSON strings or ``Fn::Sub`` text. A
policy resource under a ``Condition`` that cannot be decided makes the trail be checked both ways.

Names CloudFormation generates (a log group or role without a name) are *symbols* here: unknown, but
equal wherever the same resource's name is used.
"""

from __future__ import annotations

from typing import Any

from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT, DeliveryFacts, Location, Policy, Role, Value
from .cloudformation import NO_VALUE, ROLE, Evaluator, Template
from .common import Budget, LimitReached, Trace, Undecided, Unknown, role_arn

MANAGED_POLICY = "AWS::IAM::ManagedPolicy"
POLICY = "AWS::IAM::Policy"
ROLE_POLICY = "AWS::IAM::RolePolicy"

SEG = UNKNOWN_SEGMENT


class _SymbolEvaluator(Evaluator):
    """An evaluator whose generated (or unknown) resource names are symbols and whose ``Ref`` of a managed
    policy is its ARN; it keeps every undecided condition it meets."""

    def __init__(self, template: Template, assumptions: dict[str, bool], budget: Budget) -> None:
        super().__init__(template, assumptions, budget)
        self._ids: dict[int, str] = {}
        self.undecided: list[Undecided] = []

    def _resource(self, name: str) -> dict[str, Any]:
        body = super()._resource(name)
        self._ids[id(body)] = name
        return body

    def _name(self, body: dict[str, Any], prop: str) -> str:
        name = super()._name(body, prop)
        if (SEG in name or UNKNOWN_ANY in name) and id(body) in self._ids:
            from ..iam.match import symbol

            return symbol(self._ids[id(body)])
        return name

    def resource_ref(self, name: str) -> Any:
        body = self._resource(name)
        if body.get("Type") == MANAGED_POLICY:
            return self.managed_policy_arn(name)
        return super().resource_ref(name)

    def managed_policy_arn(self, name: str) -> str:
        body = self._resource(name)
        path = self._prop(body, "Path")
        path = path if isinstance(path, str) and path.startswith("/") and path.endswith("/") else "/"
        return f"arn:{SEG}:iam::{SEG}:policy{path}{self._name(body, 'ManagedPolicyName')}"

    def value(self, node: Any) -> tuple[Any, Trace]:
        result, trace = self.evaluate(node)
        self.undecided.extend(u for u in trace.undecided if u not in self.undecided)
        return _clean(result), trace

    def exists(self, logical_id: str) -> tuple[bool | None, str]:
        """Whether a resource exists: its ``Condition`` holds (None: cannot be told), and why not known."""
        body = self.t.resources.get(logical_id)
        condition = body.get("Condition") if isinstance(body, dict) else None
        if not isinstance(condition, str):
            return True, ""
        key = f"condition {condition}"
        if key in self.assumptions:
            return self.assumptions[key], ""
        value = self.condition(condition)
        if isinstance(value, Unknown):
            if key not in [u.key for u in self.undecided]:
                self.undecided.append(Undecided(key, f"condition {condition}"))
            return None, f"condition {condition} cannot be resolved ({value.reason})"
        return bool(value), ""


def _clean(value: Any) -> Any:
    """``value`` without ``AWS::NoValue`` (removed from objects and lists, None on its own)."""
    if value is NO_VALUE:
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not NO_VALUE}
    if isinstance(value, list):
        return [_clean(v) for v in value if v is not NO_VALUE]
    return value


# --------------------------------------------------------------------------- the role of a trail


def delivery_role(template: Template, logical_id: str, ev: Evaluator, role: Value, rtrace: Trace
                  ) -> tuple[Role | None, list[Undecided]]:
    """The trail's delivery role (None when the trail names none) and the conditions it met and could not
    decide."""
    if role.missing:
        return None, []
    ev.budget.renew()  # the role's policies are a value of their own
    sev = _SymbolEvaluator(template, ev.assumptions, ev.budget)
    try:
        facts = _facts(sev, logical_id)
    except LimitReached:
        return None, sev.undecided  # the trail's own values went past the budget: CTL010 says so for them
    try:
        role_id = next((r for r in rtrace.refs if template.resources.get(r, {}).get("Type") == ROLE), None)
        named = role_id is None and role.known
        if named:
            role_id = _role_named_in(sev, role.data)
        if role_id is None:
            where = "is not known before deployment" if role.unknown else "is not defined in the scanned code"
            arn = role.data if isinstance(role.data, str) else None
            return Role("", arn=arn, outside=f"the role {where}", facts=facts), sev.undecided
        props = _props(template, logical_id)
        arn = sev.value(props["CloudWatchLogsRoleArn"])[0] if "CloudWatchLogsRoleArn" in props else None
        body = sev._resource(role_id)
        name = sev._name(body, "RoleName")
        if not named and arn not in (role_arn(name, sev._prop(body, "Path")), name):
            return None, sev.undecided  # another attribute of the role (CTL004 says what)
        return _role(sev, role_id, arn if isinstance(arn, str) else None, facts), sev.undecided
    except LimitReached as exc:
        unread = Policy("the role's policies", unknown=f"evaluation limit reached: {exc}")
        return Role(role.source or "the role", trust=(unread,), permissions=(unread,)), sev.undecided


def _props(template: Template, logical_id: str) -> dict[str, Any]:
    body = template.resources.get(logical_id)
    props = body.get("Properties") if isinstance(body, dict) else None
    return props if isinstance(props, dict) else {}


def _facts(sev: _SymbolEvaluator, logical_id: str) -> DeliveryFacts:
    props = _props(sev.t, logical_id)
    group = sev.value(props["CloudWatchLogsLogGroupArn"])[0] if "CloudWatchLogsLogGroupArn" in props else None
    if "TrailName" in props:
        name = sev.value(props["TrailName"])[0]
    else:
        from ..iam.match import symbol

        name = symbol(logical_id)  # a name CloudFormation generates
    organization = sev.value(props["IsOrganizationTrail"])[0] if "IsOrganizationTrail" in props else False
    if isinstance(organization, str) and organization.lower() in ("true", "false"):
        organization = organization.lower() == "true"
    return DeliveryFacts(
        log_group_arn=group if isinstance(group, str) else None,
        trail_name=name if isinstance(name, str) and UNKNOWN_ANY not in name else None,
        organization_trail=organization if isinstance(organization, bool) else (False if organization is None
                                                                                   else None))


def _role_named_in(sev: _SymbolEvaluator, arn: Any) -> str | None:
    """The role of the template whose literal ``RoleName`` a literal role ARN carries."""
    if not isinstance(arn, str) or ":role/" not in arn:
        return None
    wanted = arn.rsplit("/", 1)[-1]
    for logical_id, body in sev.t.resources.items():
        props = _props(sev.t, logical_id)
        if isinstance(body, dict) and body.get("Type") == ROLE and "RoleName" in props \
                and sev.value(props["RoleName"])[0] == wanted:
            return logical_id
    return None


# --------------------------------------------------------------------------- the role's policies


def _where(template: Template, logical_id: str, prop: str | None = None) -> Location | None:
    return template.property_location(logical_id, prop) if prop else template.location(logical_id)


def _policy(name: str, value: Any, location: Location | None) -> Policy | None:
    if isinstance(value, Unknown):
        return Policy(name, None, value.reason, location)
    if value is None or value == "":
        return None
    return Policy(name, value, "", location)


def _role(sev: _SymbolEvaluator, role_id: str, arn: str | None, facts: DeliveryFacts) -> Role:
    template = sev.t
    props = _props(template, role_id)
    body = sev._resource(role_id)
    trust: list[Policy] = []
    if "AssumeRolePolicyDocument" in props:
        found = _policy(f"the trust policy of {role_id}", sev.value(props["AssumeRolePolicyDocument"])[0],
                        _where(template, role_id, "AssumeRolePolicyDocument"))
        trust += [found] if found else []
    permissions: list[Policy] = []
    if "Policies" in props:
        policies = sev.value(props["Policies"])[0]
        where = _where(template, role_id, "Policies")
        if isinstance(policies, Unknown):
            permissions.append(Policy(f"the Policies of {role_id}", None, policies.reason, where))
        for i, item in enumerate(policies if isinstance(policies, list) else []):
            item = item if isinstance(item, dict) else {}
            name = item.get("PolicyName")
            label = f"Policies[{i}]" + (f" ({name})" if isinstance(name, str) else "") + f" of {role_id}"
            found = _policy(label, item.get("PolicyDocument"), where)
            permissions += [found] if found else []
    if "ManagedPolicyArns" in props:
        permissions += _arn_policies(sev, props["ManagedPolicyArns"], _where(template, role_id, "ManagedPolicyArns"))
    boundary = None
    if "PermissionsBoundary" in props:
        found_all = _arn_policies(sev, [props["PermissionsBoundary"]], _where(template, role_id,
                                                                               "PermissionsBoundary"))
        boundary = found_all[0] if found_all else None
    role_name = sev._name(body, "RoleName")
    for logical_id, other in template.resources.items():
        rtype = other.get("Type") if isinstance(other, dict) else None
        if rtype not in (POLICY, MANAGED_POLICY, ROLE_POLICY):
            continue
        found = _attached(sev, logical_id, rtype, role_id, role_name)
        permissions += [found] if found else []
    return Role(role_id, template.location(role_id), arn if arn is not None else role_arn(role_name),
                tuple(trust), tuple(permissions), boundary, facts=facts)


def _arn_policies(sev: _SymbolEvaluator, node: Any, location: Location | None) -> list[Policy]:
    """The policies a list of policy ARNs names: a managed policy of the template by its document, any other
    ARN as itself (the managed-policy table knows some)."""
    items = node if isinstance(node, list) else [node]
    out: list[Policy] = []
    for item in items:
        value, trace = sev.value(item)
        for arn in value if isinstance(value, list) else [value]:
            if arn is None:
                continue
            managed = next((r for r in trace.refs if sev.t.resources.get(r, {}).get("Type") == MANAGED_POLICY
                            and sev.managed_policy_arn(r) == arn), None)
            if managed is not None:
                document = sev.value(_props(sev.t, managed).get("PolicyDocument"))[0]
                found = _policy(managed, document, _where(sev.t, managed, "PolicyDocument"))
                out.append(found or Policy(managed, None, f"{managed} has no PolicyDocument", location))
            elif isinstance(arn, Unknown):
                out.append(Policy("a managed policy", None, arn.reason, location))
            elif isinstance(arn, str) and UNKNOWN_ANY not in arn:
                out.append(Policy(arn, arn, "", location))  # messages show its placeholders
            else:
                out.append(Policy("a managed policy", None, "its ARN is not known before deployment", location))
    return out


def _attached(sev: _SymbolEvaluator, logical_id: str, rtype: str, role_id: str, role_name: str) -> Policy | None:
    """The document of a policy resource that names the role (one that may name it: unknown), else None."""
    props = _props(sev.t, logical_id)
    names = [props["RoleName"]] if rtype == ROLE_POLICY and "RoleName" in props else props.get("Roles")
    if names is None:
        return None
    value, trace = sev.value(names)
    items = value if isinstance(value, list) else [value]
    results = [_names_role(item, trace, role_id, role_name, sev.t) for item in items]
    member: bool | None = True if True in results else None if None in results else False
    why = f"its {'RoleName' if rtype == ROLE_POLICY else 'Roles'} are not all known"
    if member is not False:
        exists, reason = sev.exists(logical_id)
        if exists is False:
            return None
        if exists is None:
            member, why = None, reason
    if member is False:
        return None
    document = sev.value(props.get("PolicyDocument"))[0]
    where = _where(sev.t, logical_id, "PolicyDocument")
    found = _policy(logical_id, document, where)
    if found is None:
        return Policy(logical_id, None, f"{logical_id} has no PolicyDocument", where)
    if member is None:
        return Policy(logical_id, None, f"whether {logical_id} applies to this role cannot be told ({why})", where)
    return found


def _names_role(value: Any, trace: Trace, role_id: str, role_name: str, template: Template) -> bool | None:
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return False
    if value == role_name:
        return True
    others = [r for r in trace.refs if r != role_id and template.resources.get(r, {}).get("Type") == ROLE]
    if others and role_id not in trace.refs:
        return False
    unknown = any(c in value or c in role_name for c in (SEG, UNKNOWN_ANY, "\x02"))
    return None if unknown else False
