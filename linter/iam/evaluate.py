"""Evaluate policy statements against one request as IAM does, three-valued.

A :class:`Request` names an action, optionally a principal and a target resource (tokens from
:mod:`.match`, possibly with a stream suffix that every CloudTrail stream name must match), and
the condition keys whose values are known (or known to be absent). :func:`evaluate` answers
:class:`Access` ALLOWED, DENIED (an explicit Deny), NOT_ALLOWED (no statement allows) or UNKNOWN
with a reason. An explicit Deny wins; unknown documents may allow, and are assumed not to deny.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..model import UNKNOWN_SEGMENT
from .match import (
    ACCOUNT,
    Budget,
    Tokens,
    Tri,
    action_pattern,
    arn_pattern,
    contextualize,
    covers,
    exact_pattern,
    has_unknown,
    like_pattern,
    literal,
    matches,
    resource_pattern,
    touches,
    tri_and,
    tri_not,
    tri_or,
)
from .policy import Condition, PolicyDocument, Principal, Statement

#: Marks a condition key that is known to be absent from the request.
ABSENT = object()


class Access(enum.Enum):
    """The outcome for one request."""

    ALLOWED = "allowed"
    DENIED = "denied"
    NOT_ALLOWED = "not-allowed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Target:
    """The resource of a request: ``all_of`` must be covered by an Allow (for every stream name);
    a Deny blocks the request if it surely matches ``exact`` or possibly touches ``all_of``."""

    all_of: Tokens
    exact: Tokens
    #: The resource as users write it, for messages.
    text: str = ""
    #: The bare log-group ARN of a stream target: a policy naming only it is a known mistake.
    group: Tokens | None = None


@dataclass(frozen=True)
class Request:
    """What is asked: the action, who asks (type, identifier) and on what, with the condition keys."""

    action: str
    principal: tuple[str, str] | None = None
    target: Target | None = None
    #: Condition keys (lower case) with their value in the request, or :data:`ABSENT`.
    context: dict[str, object] = field(default_factory=dict)
    #: The deployment's partition, region and account when known (see :func:`.match.contextualize`).
    fields: tuple[str | None, str | None, str | None] = (None, None, None)
    #: The matching steps left to the check this request belongs to.
    budget: Budget = field(default_factory=Budget, compare=False)

    def value(self, text: str) -> str:
        """A policy value with placeholders for the deployment's partition/region/account resolved."""
        if text == UNKNOWN_SEGMENT:
            return text
        return contextualize(text, *self.fields)

    def account_value(self, text: str) -> str:
        """A value compared with an account id: a lone placeholder is the deployment's account."""
        return (self.fields[2] or ACCOUNT) if text == UNKNOWN_SEGMENT else text


@dataclass(frozen=True)
class Decision:
    """The outcome and why: the statement that decided, or what could not be evaluated."""

    access: Access
    reason: str = ""
    #: Allow statements that grant the action on a resource that does not cover the target.
    near_misses: tuple[str, ...] = ()
    #: Whether a near miss names the bare log group (``...:log-group:NAME`` without ``:*``).
    bare_group: bool = False


# Conditions.

_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike"}
_STRING_OPS = {
    "stringequals", "stringnotequals", "stringequalsignorecase", "stringnotequalsignorecase",
    "stringlike", "stringnotlike", "arnequals", "arnlike", "arnnotequals", "arnnotlike",
}


def _value_pattern(op: str, value: str, variables: bool) -> Tokens:
    fold = op.endswith("ignorecase")
    if op.startswith("arn"):
        return arn_pattern(value, variables=variables)
    if op in ("stringlike", "stringnotlike"):
        return like_pattern(value, variables=variables)
    return exact_pattern(value.lower() if fold else value, fold=fold, variables=variables)


def condition_holds(cond: Condition, request: Request, variables: bool) -> tuple[Tri, str]:
    """Whether one operator/key condition holds for the request, and why not when unknown."""
    context = request.context
    if cond.unknown:
        return None, cond.unknown
    raw = cond.operator
    if has_unknown(raw) or has_unknown(cond.key):
        return None, "a condition operator or key is not known"
    op = raw.lower()
    qualifier = ""
    for prefix in ("foranyvalue:", "forallvalues:"):
        if op.startswith(prefix):
            qualifier, op = prefix[:-1], op[len(prefix):]
    if_exists = op.endswith("ifexists")
    if if_exists:
        op = op[: -len("ifexists")]
    key = cond.key.lower()
    if key not in context:
        return None, f"the condition {raw} on {cond.key} cannot be evaluated (the linter does not know that key)"
    value = context[key]
    if op == "null":
        if len(cond.values) != 1 or cond.values[0].lower() not in ("true", "false") or qualifier or if_exists:
            return None, f"the condition {raw} on {cond.key} is not evaluated"
        return (cond.values[0].lower() == "true") == (value is ABSENT), ""
    if op not in _STRING_OPS:
        return None, f"the condition operator {raw} is not evaluated"
    if value is ABSENT:
        if if_exists or qualifier == "forallvalues":
            return True, ""
        if qualifier == "foranyvalue":
            return False, ""
        return op in _NEGATED, ""
    # The keys the linter knows (aws:SourceArn, aws:SourceAccount) are single-valued: the
    # set qualifiers then behave as the plain operator.
    text = str(value)
    fold = op.endswith("ignorecase")
    target = literal(text.lower() if fold else text, fold=fold)
    values = [request.account_value(v) if key.endswith("account") else request.value(v) for v in cond.values]
    hits = [matches(_value_pattern(op, v, variables), target, request.budget) for v in values]
    result = tri_or(*hits) if hits else False
    if op in _NEGATED:
        result = tri_not(result)
    if result is None:
        return None, f"the condition {raw} on {cond.key} cannot be decided: the values are not all known"
    return result, ""


def conditions_hold(conds: Iterable[Condition], request: Request, variables: bool) -> tuple[Tri, str]:
    """All conditions of a statement (they are ANDed)."""
    results: list[Tri] = []
    reasons: list[str] = []
    for cond in conds:
        res, why = condition_holds(cond, request, variables)
        if res is False:
            return False, ""
        results.append(res)
        if why:
            reasons.append(why)
    return tri_and(*results), "; ".join(reasons)


# Actions and principals.

def action_matches(patterns: Iterable[str], action: str, budget: Budget | None = None) -> Tri:
    """Whether any of ``patterns`` matches ``action`` (case-insensitive, ``*`` and ``?``)."""
    target = literal(action.lower(), fold=True)
    results = [matches(action_pattern(p), target, budget) for p in patterns]
    return tri_or(*results) if results else False


def statement_action(stmt: Statement, action: str, budget: Budget | None = None) -> Tri:
    """Whether the statement's Action/NotAction applies to ``action``."""
    if stmt.actions is not None:
        return action_matches(stmt.actions, action, budget)
    if stmt.not_actions is not None:
        return tri_not(action_matches(stmt.not_actions, action, budget))
    return False


def principal_matches(principal: Principal, who: tuple[str, str], budget: Budget | None = None) -> Tri:
    """Whether the element names ``who`` (a (type, identifier) pair such as ("Service", "...") )."""
    if principal.unknown:
        return None
    if principal.everyone:
        return True
    kind, ident = who
    results: list[Tri] = []
    for entry_kind, ids in principal.entries:
        if has_unknown(entry_kind):
            results.append(None)
            continue
        if entry_kind == "AWS" and "*" in ids:
            return True  # {"AWS": "*"} is every principal, as "*" is
        if entry_kind != kind:
            continue
        fold = kind == "Service"
        target = literal(ident.lower() if fold else ident, fold=fold)
        results.extend(matches(exact_pattern(i.lower() if fold else i, fold=fold, variables=False), target, budget)
                       for i in ids)
    return tri_or(*results) if results else False


def statement_principal(stmt: Statement, who: tuple[str, str] | None, budget: Budget | None = None) -> Tri:
    """Whether the statement's Principal/NotPrincipal applies (always, when the request names no one)."""
    if who is None:
        return True
    if stmt.principal is not None:
        return principal_matches(stmt.principal, who, budget)
    if stmt.not_principal is not None:
        return tri_not(principal_matches(stmt.not_principal, who, budget))
    return False


# Resources.

@dataclass
class _Grant:
    """How one Allow statement's resources relate to the target."""

    gate: Tri
    cover: Tri
    touch: Tri
    label: str
    texts: tuple[str, ...]
    bare: bool = False
    #: How many of its resources may match some of the target (several may cover it together).
    touching: int = 0


@dataclass
class _View:
    """How a statement's resources relate to the target (only what its effect needs is computed)."""

    cover: Tri = None      # every stream CloudTrail may write is matched
    touch: Tri = None      # some stream is matched
    exact: Tri = None      # the first stream, as CloudTrail names it, is matched
    block: Tri = None      # a Deny would reach some stream
    bare: bool = False     # an entry names the bare log group
    touching: int = 0      # entries that may match some stream (several may cover it together)
    why: str = ""


def _first(check: Callable[[Tokens, Tokens, Budget], Tri], patterns: list[Tokens], target: Tokens,
           budget: Budget) -> Tri:
    """``check`` over ``patterns``, ORed, stopping at the first True."""
    results: list[Tri] = []
    for pattern in patterns:
        result = check(pattern, target, budget)
        if result is True:
            return True
        results.append(result)
    return tri_or(*results) if results else False


def _resource_view(stmt: Statement, request: Request, variables: bool, allow: bool, deny: bool) -> _View:
    """The statement's Resource/NotResource against the target; ``allow``/``deny``: what to compute."""
    target = request.target
    assert target is not None
    budget = request.budget
    view = _View()
    entries = stmt.resources if stmt.resources is not None else stmt.not_resources or ()
    budget.left -= sum(len(e) for e in entries) // 4  # reading the patterns costs too
    if budget.left < 0:
        view.why = "the policy is too large to evaluate"
        return view
    if stmt.resources is not None:
        pats = [resource_pattern(request.value(r), variables=variables) for r in stmt.resources]
        if allow:
            view.cover = _first(covers, pats, target.all_of, budget)
            if view.cover is True:
                view.touch, view.touching = True, 1
            else:
                touching = [touches(p, target.all_of, budget) for p in pats]
                view.touch = tri_or(*touching)
                view.touching = sum(1 for t in touching if t is not False)
                if view.cover is False and target.group is not None:
                    view.bare = any(matches(p, target.group, budget) is True for p in pats)
        if deny:
            view.exact = _first(matches, pats, target.exact, budget)
            view.block = True if view.exact is True else \
                view.touch if view.touch is not None else _first(touches, pats, target.all_of, budget)
        return view
    pats = [resource_pattern(request.value(r), variables=variables) for r in stmt.not_resources or ()]
    excluded_all = _first(covers, pats, target.all_of, budget)
    if allow:
        view.cover = tri_not(_first(touches, pats, target.all_of, budget))
        view.touch = tri_not(excluded_all)
        view.touching = int(view.touch is not False)
    if deny:
        view.exact = tri_not(_first(matches, pats, target.exact, budget))
        view.block = tri_not(excluded_all)
    return view


def _statement_view(stmt: Statement, request: Request, variables: bool, label: str) -> _View:
    """:func:`_resource_view` for any statement, with why it is unknown."""
    if request.target is None:  # trust policies: the role itself is the resource
        return _View(True, True, True, True, False, 1)
    if stmt.resources is None and stmt.not_resources is None:
        return _View(touching=1, why=f"{label} has no Resource element (IAM rejects such a policy)")
    allow, deny = stmt.effect in ("Allow", None), stmt.effect in ("Deny", None)
    view = _resource_view(stmt, request, variables, allow, deny)
    if view.why:
        view.why = f"{label}: {view.why}"
    elif (allow and view.cover is None) or (deny and view.block is None):
        shown = ", ".join(stmt.resources or stmt.not_resources or ())
        element = "Resource" if stmt.resources is not None else "NotResource"
        view.why = f"whether the {element} {shown} of {label} covers them cannot be told (parts are not known)"
    return view


def evaluate(documents: Iterable[PolicyDocument], request: Request) -> Decision:
    """The IAM decision for ``request`` under the union of ``documents``."""
    grants: list[_Grant] = []
    allow_unknowns: list[str] = []
    deny_unknowns: list[str] = []
    deny_sure: str | None = None
    for doc in documents:
        where = f" in {doc.name}" if doc.name else ""
        if doc.unknown:
            # It may allow; it is assumed not to deny (a Deny is rare outside hand-written policies).
            grants.append(_Grant(None, None, None, doc.name, (), touching=1))
            allow_unknowns.append(f"{doc.name or 'a policy'} cannot be evaluated: {doc.unknown}")
            continue
        for stmt in doc.statements:
            act = statement_action(stmt, request.action, request.budget)
            if act is False:
                continue
            who = statement_principal(stmt, request.principal, request.budget)
            if who is False:
                continue
            cond, cond_why = conditions_hold(stmt.conditions, request, doc.variables)
            if cond is False:
                continue
            label = f"{stmt.label}{where}"
            view = _statement_view(stmt, request, doc.variables, label)
            gate = tri_and(act, who, cond)
            why = []
            if act is None:
                why.append(f"the actions of {label} are not all known")
            if who is None:
                why.append(f"the principal of {label} is not known")
            if cond is None:
                why.append(f"{label}: {cond_why}" if cond_why else f"a condition of {label} cannot be decided")
            if stmt.effect is None:
                why.append(f"the Effect of {label} is not known")
            if stmt.effect in ("Deny", None):
                if stmt.effect == "Deny" and tri_and(gate, view.exact) is True:
                    deny_sure = deny_sure or label
                elif tri_and(gate, view.block) is not False:
                    deny_unknowns.extend(why + ([view.why] if view.block is None and view.why else [])
                                         or [f"{label} may deny it"])
            if stmt.effect in ("Allow", None):
                g = gate if stmt.effect == "Allow" else tri_and(gate, None)
                grants.append(_Grant(g, view.cover, view.touch, label, tuple(stmt.resources or ()), view.bare,
                                     view.touching))
                if view.cover is not False and (g is None or view.cover is None):
                    allow_unknowns.extend(why + ([view.why] if view.cover is None and view.why else []))
    if deny_sure:
        return Decision(Access.DENIED, f"{deny_sure} denies it")
    allowed_by = next((g.label for g in grants if g.gate is True and g.cover is True), None)
    if allowed_by and not deny_unknowns:
        return Decision(Access.ALLOWED, f"{allowed_by} allows it")
    if allowed_by:
        return Decision(Access.UNKNOWN, f"{allowed_by} allows it, but " + "; ".join(_unique(deny_unknowns)))
    open_grants = [g for g in grants if g.gate is not False]
    possible = any(g.cover is not False for g in open_grants) or \
        sum(g.touching for g in open_grants if g.touch is not False) >= 2
    if not possible:
        misses = tuple(t for g in open_grants for t in g.texts)
        bare = any(g.bare for g in open_grants)
        return Decision(Access.NOT_ALLOWED, "no statement allows it", misses, bare)
    reasons = _unique(allow_unknowns + deny_unknowns)
    if not reasons:
        reasons = ["statements together may allow it, but none does alone"]
    return Decision(Access.UNKNOWN, "; ".join(reasons))


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item)
    return out
