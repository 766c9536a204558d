"""The delivery check of one model :class:`~..model.Trail`: its role's policies as documents, checked once.

CTL007 reports the failures and CTL010 what could not be checked; both ask :func:`trail_delivery`, which
evaluates each trail variant once. A trail with no log group or no role (CTL001, CTL002) is not checked. A
role defined in the code is checked even when the trail names it wrongly (CTL004: its name for its ARN),
as its policies are a problem of their own; a role outside the code is only noted when the values are
well-formed and known.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..arn import log_group_arn_ok, role_arn_ok
from ..model import Policy, Role, Trail
from .accounts import Failure, Undecided, check_accounts, parse_log_group_arn, show, undecided_accounts
from .match import ACCOUNT

if TYPE_CHECKING:
    from .policy import PolicyDocument


@dataclass(frozen=True)
class TrailDelivery:
    """What the delivery check found for one trail variant, and how messages name the role."""

    role: str
    failures: tuple[Failure, ...] = ()
    undecided: tuple[Undecided, ...] = ()


#: Results by ``id`` of the trail variant (the trail is kept, so its id is not reused meanwhile).
_CACHE: dict[int, tuple[Trail, TrailDelivery | None]] = {}
_CACHE_SIZE = 64


def trail_delivery(trail: Trail) -> TrailDelivery | None:
    """The delivery check of ``trail`` (None when there is nothing to check)."""
    hit = _CACHE.get(id(trail))
    if hit is not None and hit[0] is trail:
        return hit[1]
    result = _check(trail)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[id(trail)] = (trail, result)
    return result


def _check(trail: Trail) -> TrailDelivery | None:
    role = trail.role
    value = trail.role_arn
    if role is None or value.missing or trail.log_group_arn.missing:
        return None
    facts = role.facts
    partition = facts.partition or _named_partition(role, facts.log_group_arn)
    fields = {"partition": partition, "region": facts.region, "account": facts.account}
    trail_account = facts.account or ACCOUNT
    group = parse_log_group_arn(facts.log_group_arn, **fields)
    known_group = None if isinstance(group, str) else group
    if not role.defined:
        group_value = trail.log_group_arn.data if trail.log_group_arn.known else None
        if not value.known or not isinstance(value.data, str) or role_arn_ok(value.data) is False \
                or not isinstance(group_value, str) or log_group_arn_ok(group_value) is False:
            return None  # CTL010 or CTL004 names the value; nothing of the delivery could be checked
        arn = str(value.data)
        failures = check_accounts(trail_account, known_group, arn)
        note = Undecided("role", "it is not defined in the scanned code, so its policies are not checked")
        return TrailDelivery(show(arn), tuple(failures), (note,))
    from .delivery import check_delivery  # the policy evaluation: only for a role defined in the code
    from .policy import unknown_document

    result = check_delivery(
        _documents(role.trust, role, "trust policy") or [unknown_document("the trust policy", "it is not set")],
        _documents(role.permissions, role, "permissions policy"), facts.log_group_arn,
        trail_name=facts.trail_name, role_arn=role.arn, organization_trail=facts.organization_trail,
        permissions_boundary=_documents((role.boundary,), role, "permissions boundary")[0] if role.boundary
        else None, **fields)
    undecided = [u for u in result.undecided if u.check != "log-group"]  # CTL010/CTL004 report the group value
    if not trail.log_group_arn.known:  # CTL010 names the log group value; what depends on it is not repeated
        undecided = [u for u in undecided if u.check == "trust"]
    if not any(f.kind == "account-mismatch" for f in result.failures):
        undecided += undecided_accounts(trail_account, known_group, _role_arn(role, fields))
    return TrailDelivery(role.address, result.failures, _merged(undecided))


def _merged(undecided: list[Undecided]) -> tuple[Undecided, ...]:
    """The undecided parts, with the two actions said once when they are undecided for the same reason."""
    create = next((u for u in undecided if u.check == "create-log-stream"), None)
    put = next((u for u in undecided if u.check == "put-log-events"), None)
    if create is not None and put is not None:
        rest = create.reason.split(" on ", 1)[-1]
        if put.reason.split(" on ", 1)[-1] == rest:
            both = Undecided("create-log-stream", f"logs:CreateLogStream and logs:PutLogEvents on {rest}")
            undecided = [both if u is create else u for u in undecided if u is not put]
    return tuple(undecided)


_PARTITION = re.compile(r"\barn:(aws(?:-[a-z]+)*):")


def _named_partition(role: Role, group_arn: Any) -> str | None:
    """The partition the role's policies and the trail's values name, when they name exactly one.

    The code rarely pins its partition (a Terraform provider region does; a template cannot), and AWS's own
    policies write ``arn:aws:``; a policy that names one partition is taken to name the deployment's, as a
    policy naming one organization id is taken to name the organization's.
    """
    found: set[str] = set()
    texts = [group_arn, role.arn] + [p.document for p in (*role.trust, *role.permissions, role.boundary)
                                     if p is not None and not p.unknown]
    stack = list(texts)
    while stack and len(found) < 2:
        item = stack.pop()
        if isinstance(item, str):
            found.update(m.group(1) for m in _PARTITION.finditer(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    found.discard("")
    return found.pop() if len(found) == 1 else None


def _role_arn(role: Role, fields: dict[str, Any]) -> str | None:
    from .match import contextualize

    return contextualize(role.arn, **fields) if isinstance(role.arn, str) else None


def _documents(policies: tuple[Policy | None, ...], role: Role, what: str) -> list[PolicyDocument]:
    """The policies as documents named for messages (a policy ARN through the managed-policy table)."""
    from .delivery import as_document
    from .policy import unknown_document

    out = []
    for policy in policies:
        if policy is None:
            continue
        name = show(policy.name)
        if policy.unknown:
            out.append(unknown_document(name, policy.unknown))
        else:
            out.append(as_document(policy.document, name))
    return out
