"""Can the trail's role deliver to its log group? The IAM evaluation CTL007 needs, on plain data.

:func:`check_delivery` takes the role's trust policy, its permissions policies (inline, managed,
attached: dicts, JSON text, :class:`~.policy.PolicyDocument`, unknown values or policy ARNs) and
the trail's log group ARN (possibly with placeholders) and says which part fails, each with a slug:

- ``trust-missing-service``, ``trust-missing-assume-role``, ``trust-denied``,
  ``trust-condition-excludes-trail``: CloudTrail (``cloudtrail.amazonaws.com``) may not call
  ``sts:AssumeRole``;
- ``create-log-stream-not-allowed``/``-denied``, ``put-log-events-not-allowed``/``-denied``: no
  statement allows the action on the log streams CloudTrail writes (or a Deny wins);
- ``no-permissions-policy``: the role has no permissions policy at all;
- ``account-mismatch``: the trail, log group and role are not all in one account.

What cannot be decided is reported as :class:`Undecided` with a reason, never as a failure.

"The trail's streams" are the streams CloudTrail creates in the group: ``<account>_CloudTrail_<region>``
followed by anything (AWS's default role policy grants ``...:log-stream:<account>_CloudTrail_<region>*``),
and for an organization trail also ``<organization id>_*`` (the streams of member accounts). A policy
must cover every such name: ``log-group:NAME:*`` and ``log-group:NAME:log-stream:*`` do; the bare
``log-group:NAME`` and another group's ARN do not.

Placeholders exactly filling the partition, region or account field of an ARN mean "the deployment's"
(that is how the resolvers rebuild ARNs AWS computes), so they are equal to each other in the policy
and in the log group ARN; give ``partition``/``region``/``account`` when they are known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Optional

from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT
from .accounts import (
    Failure,
    LogGroupArn,
    Undecided,
    account_of,
    check_accounts,
    parse_log_group_arn,
    show,
)
from .evaluate import ABSENT, Access, Decision, Request, Target, evaluate, statement_action, statement_principal
from .managed import is_policy_arn, managed_policy
from .match import (
    ACCOUNT,
    PARTITION,
    REGION,
    Budget,
    contextualize,
    literal,
    with_streams,
)
from .policy import PolicyDocument, parse_policy

CLOUDTRAIL_SERVICE = "cloudtrail.amazonaws.com"
ASSUME_ROLE = "sts:AssumeRole"
CREATE_LOG_STREAM = "logs:CreateLogStream"
PUT_LOG_EVENTS = "logs:PutLogEvents"

#: An organization id as the stream prefix of an organization trail's member accounts.
_ORG_STREAMS = re.compile(r":log-stream:(o-[a-z0-9]{10,32})_")


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of :func:`check_delivery`."""

    failures: tuple[Failure, ...] = ()
    undecided: tuple[Undecided, ...] = ()

    @property
    def kinds(self) -> tuple[str, ...]:
        """The failure slugs, in the order the checks ran."""
        return tuple(f.kind for f in self.failures)

    @property
    def passed(self) -> bool:
        """True when every part was checked and none fails."""
        return not self.failures and not self.undecided


def as_document(value: Any, name: str) -> PolicyDocument:
    """A policy as a document: a policy ARN through the managed-policy table, anything else parsed."""
    if isinstance(value, str) and is_policy_arn(value.strip()):
        return managed_policy(value.strip())
    return parse_policy(value, name)


def as_documents(values: Iterable[Any]) -> list[PolicyDocument]:
    """Permissions policies as documents (unnamed ones are numbered)."""
    return [as_document(value, f"permissions policy {i + 1}") for i, value in enumerate(values)]


def _stream_targets(group: LogGroupArn, organization_id: str | None) -> tuple[Target, Target]:
    """The streams CloudTrail writes for the trail's own account, and for an organization's members."""
    prefix = f"{group.arn}:log-stream:"
    own = literal(f"{prefix}{group.account}_CloudTrail_{group.region}")
    # Organization ids are "o-" and lower-case letters and digits (no "_").
    org = literal(f"{prefix}{organization_id or 'o-' + UNKNOWN_SEGMENT}_")
    shown = show(group.arn)
    bare = literal(group.arn)
    return (Target(with_streams(own), own, f"the log streams of {shown}", bare),
            Target(with_streams(org), org, f"the organization's log streams in {shown}", bare))


def named_organization(docs: Sequence[PolicyDocument]) -> str | None:
    """The organization id the policies grant member-account streams for, when they name exactly one.

    The linter cannot see the organization's id; AWS's policy for organization trails names it
    (``...:log-stream:o-exampleorgid_*``), and a policy that names one id is taken to name the right one.
    """
    found = {m.group(1) for doc in docs for stmt in doc.statements
             for r in (stmt.resources or ()) for m in _ORG_STREAMS.finditer(r)}
    return found.pop() if len(found) == 1 else None


def _trust_failure(docs: Sequence[PolicyDocument], request: Request, decision: Decision) -> Failure:
    """Which part of the trust policy keeps CloudTrail out."""
    if decision.access is Access.DENIED:
        return Failure("trust-denied", f"the trust policy denies {CLOUDTRAIL_SERVICE} {ASSUME_ROLE}: "
                                       f"{decision.reason}")
    principal_seen = action_seen = False
    for doc in docs:
        for stmt in doc.statements:
            if stmt.effect == "Deny" or statement_principal(stmt, request.principal, request.budget) is False:
                continue
            principal_seen = True
            if statement_action(stmt, ASSUME_ROLE, request.budget) is False:
                continue
            action_seen = True
    if action_seen:
        return Failure("trust-condition-excludes-trail",
                       f"the trust policy lets {CLOUDTRAIL_SERVICE} assume the role only under a condition "
                       "(aws:SourceArn / aws:SourceAccount) that excludes this trail")
    if principal_seen:
        return Failure("trust-missing-assume-role",
                       f"the trust policy names {CLOUDTRAIL_SERVICE} but does not allow {ASSUME_ROLE}")
    return Failure("trust-missing-service",
                   f"the trust policy does not let the service principal {CLOUDTRAIL_SERVICE} assume the role")


Fields = tuple[Optional[str], Optional[str], Optional[str]]


def check_trust(trust: Any, trail_arn: str, trail_account: str, fields: Fields = (None, None, None),
                budget: Budget | None = None) -> tuple[list[Failure], list[Undecided]]:
    """Whether CloudTrail, calling for this trail, may assume the role."""
    items = trust if isinstance(trust, (list, tuple)) else [trust]
    docs = [parse_policy(t, "the trust policy") for t in items]
    request = Request(ASSUME_ROLE, principal=("Service", CLOUDTRAIL_SERVICE),
                      context={"aws:sourcearn": trail_arn, "aws:sourceaccount": trail_account}, fields=fields,
                      budget=budget or Budget())
    decision = evaluate(docs, request)
    if decision.access is Access.ALLOWED:
        return [], []
    if decision.access is Access.UNKNOWN:
        return [], [Undecided("trust", show(decision.reason))]
    return [_trust_failure(docs, request, decision)], []


def _action_message(action: str, decision: Decision, target: Target, fields: Fields = (None, None, None)) -> str:
    if decision.access is Access.DENIED:
        return f"{show(decision.reason)}: {action} on {target.text}"
    text = f"no statement of the role's permissions policies allows {action} on {target.text}"
    if decision.bare_group:
        named = next((m for m in decision.near_misses if not m.endswith("*")), "")
        named = contextualize(named, *fields)
        return (f"{text}: {show(named)} names the log group itself, but CloudTrail writes to its log streams"
                f" (use {show(named)}:*)") if named else text
    if decision.near_misses:
        shown = ", ".join(show(contextualize(m, *fields)) for m in decision.near_misses[:3])
        return f"{text}; it is allowed only on {shown}"
    return text


def check_actions(docs: Sequence[PolicyDocument], group: LogGroupArn, organization_trail: bool | None,
                  organization_id: str | None, boundary: PolicyDocument | None = None,
                  fields: Fields = (None, None, None), budget: Budget | None = None
                  ) -> tuple[list[Failure], list[Undecided]]:
    """Whether the permissions policies allow CreateLogStream and PutLogEvents on the trail's streams."""
    failures: list[Failure] = []
    undecided: list[Undecided] = []
    if organization_id is None and organization_trail is not False:
        organization_id = named_organization(docs)
    own, org = _stream_targets(group, organization_id)
    budget = budget or Budget()
    targets = [own] if organization_trail is False else [own, org]
    # CloudTrail's calls carry no aws:SourceArn / aws:SourceAccount (AWS CloudTrail User Guide, "Role
    # policy document for CloudTrail to use CloudWatch Logs for monitoring").
    context: dict[str, object] = {"aws:sourcearn": ABSENT, "aws:sourceaccount": ABSENT}
    for action, slug in ((CREATE_LOG_STREAM, "create-log-stream"), (PUT_LOG_EVENTS, "put-log-events")):
        for target in targets:
            request = Request(action, target=target, context=context, fields=fields, budget=budget)
            decision = evaluate(docs, request)
            if boundary is not None and decision.access is not Access.DENIED:
                limit = evaluate([boundary], request)
                if limit.access in (Access.DENIED, Access.NOT_ALLOWED):
                    verdict = "does not allow it" if limit.access is Access.NOT_ALLOWED else \
                        f"denies it ({limit.reason})"
                    decision = Decision(limit.access, f"{boundary.name or 'the permissions boundary'} {verdict}")
                elif limit.access is Access.UNKNOWN and decision.access is Access.ALLOWED:
                    decision = Decision(Access.UNKNOWN, f"the permissions boundary: {limit.reason}")
            if decision.access is Access.ALLOWED:
                continue
            if target is org and organization_trail is None and decision.access is not Access.UNKNOWN:
                undecided.append(Undecided(slug, f"{action} is not allowed on {target.text}, which an "
                                                 "organization trail needs; whether the trail is one is not known"))
                break
            if decision.access is Access.UNKNOWN:
                undecided.append(Undecided(slug, f"{action} on {target.text}: {show(decision.reason)}"))
                break
            kind = f"{slug}-denied" if decision.access is Access.DENIED else f"{slug}-not-allowed"
            message = _action_message(action, decision, target, fields)
            if boundary is not None and decision.reason.startswith(boundary.name or "the permissions boundary"):
                message = f"{show(decision.reason)}: {action} on {target.text}"
            failures.append(Failure(kind, message))
            break
    return failures, undecided


def check_delivery(trust: Any, permissions: Sequence[Any], log_group_arn: Any, *,
                   trail_arn: str | None = None, trail_name: str | None = None,
                   partition: str | None = None, region: str | None = None, account: str | None = None,
                   role_arn: str | None = None, organization_trail: bool | None = False,
                   organization_id: str | None = None, permissions_boundary: Any = None) -> DeliveryResult:
    """Which parts of CloudTrail's delivery through the role to the log group fail, or cannot be checked.

    ``trust`` is the role's trust policy (or a list of documents); ``permissions`` every permissions
    policy of the role. ``trail_arn`` or ``trail_name`` feed the aws:SourceArn condition key, and the
    trail's account aws:SourceAccount. With ``organization_trail`` (None: not known) the member
    accounts' streams must be covered too.
    """
    failures: list[Failure] = []
    undecided: list[Undecided] = []
    ctx = {"partition": partition, "region": region, "account": account}
    if isinstance(trail_arn, str):
        arn = contextualize(trail_arn, **ctx)
    else:
        name = trail_name if isinstance(trail_name, str) else UNKNOWN_ANY
        arn = f"arn:{partition or PARTITION}:cloudtrail:{region or REGION}:{account or ACCOUNT}:trail/{name}"
    trail_account = account or account_of(arn) or ACCOUNT
    group = parse_log_group_arn(log_group_arn, **ctx)
    role = contextualize(role_arn, **ctx) if isinstance(role_arn, str) else None

    fields = (partition, region, account)
    budget = Budget()
    found, open_ = check_trust(trust, arn, trail_account, fields, budget)
    failures += found
    undecided += open_
    docs = as_documents(permissions)
    if not docs:
        failures.append(Failure("no-permissions-policy", "the role has no permissions policy, so CloudTrail may "
                                                         f"neither {CREATE_LOG_STREAM} nor {PUT_LOG_EVENTS}"))
    elif isinstance(group, str):
        undecided.append(Undecided("log-group", group))
    else:
        boundary = None if permissions_boundary is None else \
            as_document(permissions_boundary, "the permissions boundary")
        found, open_ = check_actions(docs, group, organization_trail, organization_id, boundary, fields, budget)
        failures += found
        undecided += open_
    failures += check_accounts(trail_account, None if isinstance(group, str) else group, role)
    return DeliveryResult(tuple(failures), tuple(undecided))

