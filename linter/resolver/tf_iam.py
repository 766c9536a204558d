"""A Terraform trail's delivery role for CTL007: the ``aws_iam_role`` and every policy that applies to it.

Policies come from the role itself (``assume_role_policy``, ``inline_policy`` blocks,
``managed_policy_arns``, ``permissions_boundary``) and from the resources of its module that name it
(``aws_iam_role_policy``, ``aws_iam_role_policy_attachment``, ``aws_iam_policy_attachment``), limited by
``aws_iam_role_policies_exclusive`` / ``aws_iam_role_policy_attachments_exclusive``; a policy ARN of an
``aws_iam_policy`` of the module is that policy's document. ``data "aws_iam_policy_document"`` is computed
here too (:func:`policy_document_json`). The deployment's partition, region and account come from the
``aws`` provider block the trail uses (``region``, a single ``allowed_account_ids`` entry, or the account
of ``assume_role.role_arn``).

Evaluation runs in an :class:`Evaluator` whose generated names (``name_prefix``, no name) are *symbols*:
unknown, but equal wherever the same resource's name is used, so a policy naming the trail's own
generated log group can be told to cover it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..frontends.hcl_ast import Attribute, Block, TupleExpr
from ..frontends.reads import UNREAD, was_read
from ..model import UNKNOWN_ANY, UNKNOWN_SEGMENT, DeliveryFacts, Location, Policy, Role, Value
from .common import Budget, LimitReached, Trace, Undecided, Unknown
from .terraform import ROLE, Evaluator, Instance, Scope, _attr_location, _short

POLICY = "aws_iam_policy"
ROLE_POLICY = "aws_iam_role_policy"
ATTACHMENT = "aws_iam_role_policy_attachment"
POLICY_ATTACHMENT = "aws_iam_policy_attachment"
POLICIES_EXCLUSIVE = "aws_iam_role_policies_exclusive"
ATTACHMENTS_EXCLUSIVE = "aws_iam_role_policy_attachments_exclusive"
POLICY_DOCUMENT = "aws_iam_policy_document"

_ACCOUNT = re.compile(r"\d{12}\Z")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")
#: Region prefixes of the partitions other than ``aws``.
_PARTITIONS = (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"), ("us-isob-", "aws-iso-b"), ("us-iso-", "aws-iso"),
               ("eu-isoe-", "aws-iso-e"), ("us-isof-", "aws-iso-f"), ("eusc-", "aws-eusc"))


class _SymbolEvaluator(Evaluator):
    """An evaluator whose generated resource names are symbols, and that keeps every undecided condition."""

    def __init__(self, assumptions: dict[str, bool], budget: Budget) -> None:
        super().__init__(assumptions, budget)
        self.undecided: list[Undecided] = []
        #: The modules searched for resources that attach a policy to the role.
        self.scopes: list[Scope] = []

    def own_name(self, inst: Instance, attr: str = "name") -> str:
        name = super().own_name(inst, attr)
        if UNKNOWN_ANY not in name and UNKNOWN_SEGMENT not in name:
            return name
        from ..iam.match import symbol

        if attr not in inst.block.attrs and name.endswith(UNKNOWN_SEGMENT):
            return name[:-1] + symbol(inst.address)
        # a name written with unknown parts (`/aws/cloudtrail/${var.env}`): each part is the same value
        # wherever this resource's name is used (its ARN in the trail and in the role's policy)
        parts = re.split(f"[{UNKNOWN_ANY}{UNKNOWN_SEGMENT}]", name)
        return parts[0] + "".join(symbol(f"{inst.address}.{attr}#{i}") + part for i, part in enumerate(parts[1:], 1))

    def computed(self, inst: Instance, name: str) -> Any:
        if inst.type == POLICY and name == "arn":
            return policy_arn(self, inst)
        return super().computed(inst, name)

    def value(self, scope: Scope, node: Any, env: dict[str, Any]) -> tuple[Any, Trace]:
        result, trace = self.evaluate(scope, node, env)
        self.undecided.extend(u for u in trace.undecided if u not in self.undecided)
        return result, trace

    def instances(self, scope: Scope, block: Block) -> list[Instance | Unknown]:
        """Every instance of a resource block (an unknown ``for_each`` gives one unknown instance)."""
        saved_scope, saved_trace = self.scope, self.trace
        self.scope, self.trace = scope, Trace()
        try:
            value = self.resource_value(scope, "resource", block, {})
            self.undecided.extend(u for u in self.trace.undecided if u not in self.undecided)
        finally:
            self.scope, self.trace = saved_scope, saved_trace
        if isinstance(value, dict):
            return list(value.values())
        if isinstance(value, list):
            return value
        return [value]


# --------------------------------------------------------------------------- the role of a trail


def delivery_role(ev: Evaluator, scope: Scope, trail: Instance, role: Value, rtrace: Trace
                  ) -> tuple[Role | None, list[Undecided]]:
    """The trail's delivery role (None when the trail names none) and the conditions it met and could not
    decide."""
    if role.missing:
        return None, []
    ev.budget.renew()  # the role's policies are a value of their own
    sev = _SymbolEvaluator(ev.assumptions, ev.budget)
    try:
        facts = _facts(sev, scope, trail)
    except LimitReached:
        return None, sev.undecided  # the trail's own values went past the budget: CTL010 says so for them
    try:
        inst = next((r for r in rtrace.refs if isinstance(r, Instance) and r.kind == "resource" and r.type == ROLE),
                    None)
        named = inst is None and role.known
        if named:
            inst = _role_named_in(sev, scope, role.data)
        if inst is None:
            where = "is not known before deployment" if role.unknown else "is not defined in the scanned code"
            arn = role.data if isinstance(role.data, str) else None
            return Role("", arn=arn, outside=f"the role {where}", facts=facts), sev.undecided
        arn, _ = _trail_attr(sev, trail, "cloud_watch_logs_role_arn")
        if not named and arn not in (sev.instance_attribute(inst, "arn"), sev.own_name(inst)):
            return None, sev.undecided  # another attribute of the role (CTL004 says what)
        sev.scopes, cut = searched_scopes(inst.scope, scope)
        found = _role(sev, inst, arn if isinstance(arn, str) else None, facts)
        if cut:
            more = Policy("the policies attached in other modules", None, f"more than {MAX_SEARCHED_SCOPES} modules"
                          " would have to be searched for them")
            found = replace(found, permissions=(*found.permissions, more))
        return found, sev.undecided
    except LimitReached as exc:
        unread = Policy("the role's policies", unknown=f"evaluation limit reached: {exc}")
        return Role(role.source or "the role", arn=None, trust=(unread,), permissions=(unread,)), sev.undecided


def _trail_attr(sev: _SymbolEvaluator, trail: Instance, name: str) -> tuple[Any, Trace]:
    attr = trail.block.attrs.get(name)
    if attr is None:
        return None, Trace()
    return sev.value(trail.scope, attr.expr, trail.env())


def _facts(sev: _SymbolEvaluator, scope: Scope, trail: Instance) -> DeliveryFacts:
    group, _ = _trail_attr(sev, trail, "cloud_watch_logs_group_arn")
    name, _ = _trail_attr(sev, trail, "name")
    organization, _ = _trail_attr(sev, trail, "is_organization_trail")
    if isinstance(organization, str) and organization in ("true", "false"):
        organization = organization == "true"
    partition, region, account = _deployment(sev, scope, trail.block)
    return DeliveryFacts(
        log_group_arn=group if isinstance(group, str) else None,
        trail_name=name if isinstance(name, str) and UNKNOWN_ANY not in name else None,
        organization_trail=organization if isinstance(organization, bool) else (False if organization is None
                                                                                   else None),
        partition=partition, region=region, account=account)


def _role_named_in(sev: _SymbolEvaluator, scope: Scope, arn: Any) -> Instance | None:
    """The single role of ``scope`` whose name a literal role ARN carries."""
    if not isinstance(arn, str) or ":role/" not in arn:
        return None
    wanted = arn.rsplit("/", 1)[-1]
    for (rtype, label), block in scope.resources.items():
        if rtype != ROLE or "count" in block.attrs or "for_each" in block.attrs or "name" not in block.attrs:
            continue
        name, _ = sev.value(scope, block.attrs["name"].expr, {})
        if name == wanted:
            return Instance(scope, "resource", block, f"{scope.prefix}{ROLE}.{label}")
    return None


# --------------------------------------------------------------------------- the deployment


def partition_of(region: str) -> str | None:
    """The partition of a region name (None when it is not one)."""
    if not _REGION.match(region):
        return None
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")


def _deployment(sev: _SymbolEvaluator, scope: Scope, trail: Block) -> tuple[str | None, str | None, str | None]:
    """(partition, region, account) the trail's ``aws`` provider pins, each None when it does not."""
    provider = _provider(scope, trail)
    if provider is None:
        return None, None, None
    block, where = provider
    region, account = None, None
    if "region" in block.attrs:
        value, _ = sev.value(where, block.attrs["region"].expr, {})
        region = value if isinstance(value, str) and _REGION.match(value) else None
    accounts: set[str] = set()
    if "allowed_account_ids" in block.attrs:
        value, _ = sev.value(where, block.attrs["allowed_account_ids"].expr, {})
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and _ACCOUNT.match(value[0]):
            accounts.add(value[0])
    for inner in block.blocks:
        if inner.type == "assume_role" and "role_arn" in inner.attrs:
            value, _ = sev.value(where, inner.attrs["role_arn"].expr, {})
            field = value.split(":")[4] if isinstance(value, str) and value.count(":") >= 5 else ""
            if _ACCOUNT.match(field):
                accounts.add(field)
    if len(accounts) == 1:
        account = accounts.pop()
    return (partition_of(region) if region else None), region, account


def _provider(scope: Scope, trail: Block) -> tuple[Block, Scope] | None:
    """The ``provider "aws"`` block the trail uses and the scope it is written in: its own module's, or (for a
    module that declares none and is called without ``providers``) its caller's."""
    attr = trail.attrs.get("provider")
    alias = attr.expr.src.strip()[4:] if attr is not None and attr.expr.src.strip().startswith("aws.") else None
    if attr is not None and alias is None:
        return None
    while True:
        blocks = [b for tf in scope.module.files for b in tf.blocks if b.type == "provider" and b.labels == ["aws"]]
        for block in blocks:
            named = block.attrs.get("alias")
            value = getattr(named.expr, "value", None) if named is not None else None
            if value == alias:
                return block, scope
        if blocks or not scope.via or alias is not None:
            return None
        caller = next((given.scope for given in scope.inputs.values() if hasattr(given, "scope")), None)
        call = caller.calls.get(scope.via[-1].address.rsplit(".", 1)[-1]) if caller is not None else None
        if caller is None or call is None or "providers" in call.attrs:
            return None
        scope = caller


# --------------------------------------------------------------------------- the role's policies


def _read(inst: Instance, *names: str) -> Block:
    """The instance's block with ``names`` as written (a whole parse when its body was trimmed)."""
    block = inst.block
    if UNREAD in block.attrs and not all(was_read(inst.kind, inst.type, n) for n in names):
        return inst.scope.whole(block)
    return block


def _policy(name: str, value: Any, location: Location | None) -> Policy | None:
    """A policy document value as a :class:`Policy` (None when it is not set)."""
    if isinstance(value, Unknown):
        return Policy(name, None, value.reason, location)
    if value is None or value == "":
        return None
    if isinstance(value, Instance):
        return Policy(name, None, f"{value.address} is a whole resource, not a policy", location)
    return Policy(name, value, "", location)


def _location(inst: Instance, block: Block, attr: Attribute | None) -> Location:
    if attr is not None:
        return _attr_location(block, attr)
    return Location(block.file, block.line, block.col, block.end_line)


def _role(sev: _SymbolEvaluator, role: Instance, arn: str | None, facts: DeliveryFacts) -> Role:
    block = _read(role, "assume_role_policy", "inline_policy", "dynamic", "managed_policy_arns",
                  "permissions_boundary")
    env = role.env()
    trust: list[Policy] = []
    attr = block.attrs.get("assume_role_policy")
    if attr is not None:
        value, _ = sev.value(role.scope, attr.expr, env)
        found = _policy(f"the trust policy of {role.address}", value, _location(role, block, attr))
        trust += [found] if found else []
    inline: list[tuple[Policy, Any]] = []  # (policy, its name)
    managed: list[Policy] = []
    for inner in block.blocks:
        if inner.type == "inline_policy":
            name_attr, policy_attr = inner.attrs.get("name"), inner.attrs.get("policy")
            name = sev.value(role.scope, name_attr.expr, env)[0] if name_attr is not None else None
            if policy_attr is None:
                continue
            value, _ = sev.value(role.scope, policy_attr.expr, env)
            label = f'inline_policy "{name}"' if isinstance(name, str) else "an inline_policy block"
            found = _policy(f"{label} of {role.address}", value, _location(role, inner, policy_attr))
            inline += [(found, name)] if found else []
        elif inner.type == "dynamic" and inner.labels == ["inline_policy"]:
            inline.append((Policy(f"dynamic inline_policy of {role.address}", None,
                                  "dynamic inline_policy blocks are not evaluated",
                                  Location(inner.file, inner.line, inner.col, inner.end_line)), None))
    attr = block.attrs.get("managed_policy_arns")
    if attr is not None:
        managed += _arn_policies(sev, role, attr, env)
    boundary = None
    attr = block.attrs.get("permissions_boundary")
    if attr is not None:
        found_all = _arn_policies(sev, role, attr, env)
        boundary = found_all[0] if found_all else None
    role_name = sev.own_name(role)
    inline += _attached_inline(sev, role, role_name, arn)
    managed += _attached_managed(sev, role, role_name, arn)
    inline, managed = _exclusive(sev, role, role_name, arn, inline, managed)
    location = Location(role.block.file, role.block.line, role.block.col, role.block.end_line)
    return Role(role.address, location, arn, tuple(trust), tuple(p for p, _ in inline) + tuple(managed),
                boundary, facts=facts)


def _arn_policies(sev: _SymbolEvaluator, owner: Instance, attr: Attribute, env: dict[str, Any]) -> list[Policy]:
    """The policies a policy ARN (or a list of them) names: an ``aws_iam_policy`` of the code by its document,
    any other ARN as itself (the managed-policy table knows some)."""
    block = owner.block
    nodes = attr.expr.items if isinstance(attr.expr, TupleExpr) else [attr.expr]
    out: list[Policy] = []
    for node in nodes:
        value, trace = sev.value(owner.scope, node, env)
        location = _attr_location(block, Attribute(attr.name, node, node.line or attr.line, node.col or attr.col))
        items = value if isinstance(value, list) and node is attr.expr else [value]
        for item in items:
            out.append(_arn_policy(sev, item, trace, location, _short(node.src)))
    return out


def policy_arn(sev: Evaluator, inst: Instance) -> str:
    """The ARN of an ``aws_iam_policy``, its generated name a symbol (account unknown)."""
    path = sev.instance_attribute(inst, "path") if "path" in inst.block.attrs else "/"
    path = path if isinstance(path, str) and path.startswith("/") and path.endswith("/") else "/"
    return f"arn:{UNKNOWN_SEGMENT}:iam::{UNKNOWN_SEGMENT}:policy{path}{sev.own_name(inst)}"


def _arn_policy(sev: _SymbolEvaluator, value: Any, trace: Trace, location: Location, source: str) -> Policy:
    policies = [r for r in trace.refs if isinstance(r, Instance) and r.type == POLICY and r.kind == "resource"]
    inst = next((p for p in policies if value == policy_arn(sev, p)), None)
    if inst is not None:
        block = _read(inst, "policy")
        attr = block.attrs.get("policy")
        if attr is None:
            return Policy(inst.address, None, f"{inst.address} sets no policy", location)
        doc, _ = sev.value(inst.scope, attr.expr, inst.env())
        return _policy(inst.address, doc, _attr_location(block, attr)) or \
            Policy(inst.address, None, f"{inst.address} has an empty policy", location)
    if isinstance(value, Unknown):
        return Policy(source, None, value.reason, location)
    if isinstance(value, str) and UNKNOWN_ANY not in value:
        return Policy(value, value, "", location)  # messages show its placeholders
    return Policy(source, None, f"the policy ARN `{source}` is not known before deployment", location)


def _names_role(sev: _SymbolEvaluator, value: Any, trace: Trace, role: Instance, role_name: str,
                arn: str | None) -> bool | None:
    """Whether a ``role``/``role_name`` value names ``role``: True, False, or None when it cannot be told."""
    if isinstance(value, Unknown):
        return None
    if not isinstance(value, str):
        return False
    if value in (role_name, arn):
        return True
    others = [r for r in trace.refs if isinstance(r, Instance) and r.type == ROLE and r != role]
    if others and role not in trace.refs:
        return False
    known = UNKNOWN_ANY not in value and UNKNOWN_SEGMENT not in value and "\x02" not in value
    if known and UNKNOWN_SEGMENT not in role_name and "\x02" not in role_name:
        return False
    return None


#: Most module instances searched for resources that attach a policy to the role.
MAX_SEARCHED_SCOPES = 64


def searched_scopes(*starts: Scope) -> tuple[list[Scope], bool]:
    """The modules searched for a role's policies: the role's and the trail's, and the modules they call
    (a policy may be attached there, given the role's name); and whether the search stopped early."""
    out: list[Scope] = []
    queue = list(starts)
    while queue:
        scope = queue.pop(0)
        if any(scope is seen for seen in out):
            continue
        if len(out) >= MAX_SEARCHED_SCOPES:
            return out, True
        out.append(scope)
        for name in scope.calls:
            child, _why = scope.child(name)
            if child is not None:
                queue.append(child)
    return out, False


def _scope_instances(sev: _SymbolEvaluator, role: Instance, rtype: str):
    """Every instance of the resources of ``rtype`` in the modules searched (see :func:`searched_scopes`)."""
    for scope in sev.scopes:
        for (kind, _label), block in sorted(scope.resources.items(), key=lambda item: item[0]):
            if kind != rtype:
                continue
            for inst in sev.instances(scope, block):
                if isinstance(inst, Instance):
                    yield inst


def _membership(sev: _SymbolEvaluator, inst: Instance, attr_name: str, role: Instance, role_name: str,
                arn: str | None) -> tuple[bool | None, str]:
    """Whether the resource's ``attr_name`` (a role, or a list of roles) names ``role``, and why not known."""
    block = _read(inst, attr_name)
    attr = block.attrs.get(attr_name)
    if attr is None:
        return False, ""
    value, trace = sev.value(inst.scope, attr.expr, inst.env())
    items = value if isinstance(value, list) else [value]
    results = [_names_role(sev, item, trace, role, role_name, arn) for item in items]
    if True in results:
        return True, ""
    if None in results:
        reason = value.reason if isinstance(value, Unknown) else f"`{_short(attr.expr.src)}` is not known"
        return None, reason
    return False, ""


def _maybe(policy: Policy, inst: Instance, reason: str) -> Policy:
    return Policy(policy.name, None, f"whether {inst.address} applies to this role cannot be told ({reason})",
                  policy.location)


def _attached_inline(sev: _SymbolEvaluator, role: Instance, role_name: str, arn: str | None
                     ) -> list[tuple[Policy, Any]]:
    out: list[tuple[Policy, Any]] = []
    for inst in _scope_instances(sev, role, ROLE_POLICY):
        member, why = _membership(sev, inst, "role", role, role_name, arn)
        if member is False:
            continue
        block = _read(inst, "policy", "name")
        attr = block.attrs.get("policy")
        value, _ = sev.value(inst.scope, attr.expr, inst.env()) if attr is not None else (None, None)
        found = _policy(inst.address, value, _location(inst, block, attr))
        if found is None:
            continue
        name = sev.own_name(inst)
        out.append((found if member else _maybe(found, inst, why), name))
    return out


def _attached_managed(sev: _SymbolEvaluator, role: Instance, role_name: str, arn: str | None) -> list[Policy]:
    out: list[Policy] = []
    for rtype, attr_name in ((ATTACHMENT, "role"), (POLICY_ATTACHMENT, "roles")):
        for inst in _scope_instances(sev, role, rtype):
            member, why = _membership(sev, inst, attr_name, role, role_name, arn)
            if member is False:
                continue
            block = _read(inst, "policy_arn")
            attr = block.attrs.get("policy_arn")
            if attr is None:
                continue
            for found in _arn_policies(sev, inst, attr, inst.env()):
                out.append(found if member else _maybe(found, inst, why))
    return out


def _exclusive(sev: _SymbolEvaluator, role: Instance, role_name: str, arn: str | None,
               inline: list[tuple[Policy, Any]], managed: list[Policy]
               ) -> tuple[list[tuple[Policy, Any]], list[Policy]]:
    """The policies left once ``aws_iam_role_policies_exclusive`` and ``aws_iam_role_policy_attachments_exclusive``
    have removed those they do not list (the attachments one also attaches what it lists)."""
    for inst in _scope_instances(sev, role, POLICIES_EXCLUSIVE):
        member, why = _membership(sev, inst, "role_name", role, role_name, arn)
        if member is False:
            continue
        block = _read(inst, "policy_names")
        attr = block.attrs.get("policy_names")
        names, _ = sev.value(inst.scope, attr.expr, inst.env()) if attr is not None else ([], None)
        kept = []
        for policy, name in inline:
            listed = _listed(name, names)
            if member and listed is True:
                kept.append((policy, name))
            elif member is None or listed is None:
                reason = why or f"the names in {inst.address} are not all known"
                kept.append((_maybe(policy, inst, reason) if not policy.unknown else policy, name))
        inline = kept
    for inst in _scope_instances(sev, role, ATTACHMENTS_EXCLUSIVE):
        member, why = _membership(sev, inst, "role_name", role, role_name, arn)
        if member is False:
            continue
        block = _read(inst, "policy_arns")
        attr = block.attrs.get("policy_arns")
        listed_policies = _arn_policies(sev, inst, attr, inst.env()) if attr is not None else []
        managed = listed_policies if member else [_maybe(p, inst, why) for p in managed + listed_policies]
    return inline, managed


def _listed(name: Any, names: Any) -> bool | None:
    """Whether the policy name is in the list (None: cannot be told)."""
    if isinstance(names, Unknown) or not isinstance(name, str) or UNKNOWN_ANY in name:
        return None
    if not isinstance(names, list):
        return None
    if name in names:
        return True
    if any(not isinstance(n, str) or UNKNOWN_ANY in n or UNKNOWN_SEGMENT in n or "\x02" in n for n in names):
        return None
    return None if (UNKNOWN_SEGMENT in name or "\x02" in name) else False


# --------------------------------------------------------------------------- data "aws_iam_policy_document"


def policy_document_json(ev: Evaluator, inst: Instance) -> Any:
    """The ``json`` of a ``data "aws_iam_policy_document"`` instance, or an unknown value saying why not."""
    from ..iam.tfdoc import terraform_policy_document

    block = inst.block if UNREAD not in inst.block.attrs else inst.scope.whole(inst.block)
    env = inst.env()
    args: dict[str, Any] = {}
    for name in ("version", "policy_id", "source_policy_documents", "override_policy_documents", "source_json",
                 "override_json"):
        if name in block.attrs:
            args[name] = ev.eval(block.attrs[name].expr, env)
    statements = _blocks(ev, block, "statement", env)
    if statements is not None:
        args["statement"] = statements
    result = terraform_policy_document(args)
    text = result.json()
    if text is None:
        return ev.trace.unknown(f"{inst.address} cannot be computed: {result.reason}")
    return text


def _blocks(ev: Evaluator, block: Block, kind: str, env: dict[str, Any]) -> Any:
    """The nested ``kind`` blocks (``dynamic`` ones expanded) as dicts of evaluated arguments; None when there
    are none, an unknown value when a dynamic block's collection is not known."""
    out: list[Any] = []
    for inner in block.blocks:
        if inner.type == kind:
            out.append(_block_args(ev, inner, env))
        elif inner.type == "dynamic" and inner.labels == [kind]:
            expanded = _dynamic(ev, inner, kind, env)
            if isinstance(expanded, Unknown):
                return expanded
            out.extend(expanded)
    return out or None


def _block_args(ev: Evaluator, block: Block, env: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {name: ev.eval(attr.expr, env) for name, attr in block.attrs.items()}
    for kind in ("principals", "not_principals", "condition"):
        found = _blocks(ev, block, kind, env)
        if found is not None:
            args[kind] = found
    return args


def _dynamic(ev: Evaluator, block: Block, kind: str, env: dict[str, Any]) -> Any:
    """``dynamic "kind" { for_each = ...  content { ... } }``: one argument dict per element."""
    coll_attr = block.attrs.get("for_each")
    content = next((b for b in block.blocks if b.type == "content"), None)
    if coll_attr is None or content is None:
        return ev.trace.unknown(f"a dynamic {kind} block without for_each or content")
    coll = ev.eval(coll_attr.expr, env)
    if isinstance(coll, Unknown):
        return ev.trace.unknown(f"the dynamic {kind} blocks are not known ({coll.reason})")
    iterator = block.attrs.get("iterator")
    name = iterator.expr.src.strip() if iterator is not None else kind
    pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll)) if isinstance(coll, list) \
        else None
    if pairs is None:
        return ev.trace.unknown(f"error: the for_each of a dynamic {kind} block is not a collection")
    ev.budget.items(len(pairs))
    return [_block_args(ev, content, {**env, name: {"key": key, "value": value}}) for key, value in pairs]
