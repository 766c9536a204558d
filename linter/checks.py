"""Run the rules on every variant of one trail and turn their violations into findings.

A trail whose conditions cannot be decided is evaluated once per combination of their values (a
variant). The same violation (rule, kind, attribute) found in several variants is one finding; the
variants it holds in are described compactly ("when `var.enabled` is true"), and each variant's own
message is kept for JSON output.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .findings import Finding, Related, VariantResult
from .model import Assumption, Trail, Unfollowed


def check_trail(variants: Sequence[Trail], rules: Iterable[Any], options: Any, unknown_mode: str) -> list[Finding]:
    """The findings of ``rules`` on the variants of one trail instance."""
    from .rules import UNRESOLVED_RULE

    if not variants:
        return []
    rules = list(rules)
    # (rule id, kind, attribute) -> [(variant index, rule, violation)]
    found: dict[tuple[str, str, str], list[tuple[int, Any, Any]]] = {}
    for index, trail in enumerate(variants):
        for rule in rules:
            try:
                violations = list(rule.check(trail, options))
            except Exception as exc:  # a rule bug must not hide the other findings
                found.setdefault(("CTL999", "internal-error", rule.id), []).append(
                    (index, None, f"internal error in {rule.id}: {type(exc).__name__}: {exc}"))
                continue
            for violation in violations:
                found.setdefault((rule.id, violation.kind, violation.attribute), []).append(
                    (index, rule, violation))
    first = variants[0]
    out = []
    for (rule_id, kind, attribute), hits in found.items():
        rule = hits[0][1]
        severity = rule.severity if rule is not None else "error"
        if rule_id == UNRESOLVED_RULE:
            severity = "error" if unknown_mode == "fail" else "warning"
        texts = [(index, rule.render(v) if rule is not None else v) for index, _rule, v in hits]
        message = _message(variants, texts)
        cubes = _cubes(first.variants, [variants[i].assumptions for i, _ in texts])
        described = [tuple(a.describe() for a in first.exists_when + cube) for cube in cubes]
        conditions = tuple(c for c in described if c)  # an empty conjunction: the finding always holds
        trail = variants[hits[0][0]]
        loc = reported_at(trail)
        out.append(Finding(
            rule_id, rule.name if rule is not None else "internal-error", severity, message, loc.file, loc.line,
            loc.column, loc.end_line or loc.line, trail.address, trail.resource_type,
            kind=kind, attribute=attribute, conditions=conditions,
            variants=tuple(VariantResult(tuple(a.describe() for a in variants[i].assumptions), text)
                           for i, text in texts),
            related=_related(trail, hits[0][2] if rule is not None else None), via=trail.via,
            trail_at=trail.location,
        ))
    return out


def _message(variants: Sequence[Trail], texts: list[tuple[int, str]]) -> str:
    """One message for the variants that share a finding: each distinct text with the conditions it
    holds under (none when it holds whatever they are)."""
    first = variants[0]
    by_text: dict[str, list[int]] = {}
    for index, text in texts:
        by_text.setdefault(text, []).append(index)
    parts = []
    for text, indexes in by_text.items():
        cubes = _cubes(first.variants, [variants[i].assumptions for i in indexes])
        whens = [" and ".join(a.describe() for a in first.exists_when + cube) for cube in cubes]
        whens = [w for w in whens if w]
        parts.append(f"{text} (when {'; or when '.join(whens)})" if whens else text)
    return "; ".join(parts)


def _cubes(every: Sequence[tuple[Assumption, ...]], holding: Sequence[tuple[Assumption, ...]]
           ) -> list[tuple[Assumption, ...]]:
    """The variants in ``holding`` (out of ``every`` variant evaluated) as few conjunctions as possible.

    Variants come from a decision tree over the undecidable conditions, so two that differ only in the
    value of one condition merge into one without it; a finding every variant has needs no condition.
    """
    keys = {a.key: a for leaf in every for a in leaf}
    cubes = {frozenset((a.key, a.holds) for a in leaf) for leaf in holding}
    merged = True
    while merged and len(cubes) > 1:
        merged = False
        for a in sorted(cubes, key=sorted):
            for b in sorted(cubes, key=sorted):
                diff = a ^ b
                if len(diff) == 2 and len({key for key, _ in diff}) == 1:
                    cubes -= {a, b}
                    cubes.add(a & b)
                    merged = True
                    break
            if merged:
                break
    if len(holding) == len(every) and set(map(frozenset, holding)) >= set(map(frozenset, every)):
        return [()]  # the finding holds in every variant
    out = []
    for cube in sorted(cubes, key=lambda c: sorted(c)):
        order = [a.key for leaf in every for a in leaf]
        ordered = sorted(cube, key=lambda item: order.index(item[0]))
        out.append(tuple(_assumption(keys[key], holds) for key, holds in ordered))
    return out


def _assumption(like: Assumption, holds: bool) -> Assumption:
    return Assumption(like.key, like.text, holds, like.default)


#: Where ``terraform init`` puts downloaded modules (and terragrunt its copies): code the user does not own.
DOWNLOADED = ("/.terraform/modules/", "/.terragrunt-cache/")


def is_downloaded(path: str) -> bool:
    """Whether ``path`` (a display path) is in a module that ``terraform init`` or terragrunt downloaded."""
    return any(part in "/" + path.replace("\\", "/") for part in DOWNLOADED)


def reported_at(trail: Trail) -> Any:
    """Where a trail's findings are reported: the trail itself, or for a trail in a downloaded module the
    last module call in the user's own code on the way to it (where its arguments can be changed)."""
    if not is_downloaded(trail.location.file):
        return trail.location
    owned = [call for call in trail.via if not is_downloaded(call.location.file)]
    return owned[-1].location if owned else trail.location


_ATTRIBUTE_NAMES = {"group": "log group ARN", "role": "role ARN", "retention": "retention"}


def _related(trail: Trail, violation: Any) -> tuple[Related, ...]:
    """Where the attribute's value is written, the trail's log group, and the module calls on the way."""
    out = []
    if reported_at(trail) is not trail.location:
        at = trail.location
        out.append(Related(f"trail {trail.address}", at.file, at.line, at.column))
    if violation is not None and violation.location is not None:
        at = violation.location
        what = violation.about or f"{_ATTRIBUTE_NAMES.get(violation.attribute, violation.attribute)} value"
        out.append(Related(what, at.file, at.line, at.column))
    group = trail.log_group
    if group is not None:
        out.append(Related(f"log group {group.address}", group.location.file, group.location.line,
                           group.location.column))
    for call in trail.via:
        out.append(Related(f"{call.address} ({call.source})", call.location.file, call.location.line,
                           call.location.column))
    return tuple(dict.fromkeys(out))


def unfollowed_findings(unfollowed: Sequence[Unfollowed], unknown_mode: str) -> list[Finding]:
    """One CTL010 finding per piece of code that may create trails but could not be read."""
    from .rules import RULES_BY_ID, UNRESOLVED_RULE

    rule = RULES_BY_ID[UNRESOLVED_RULE]
    severity = "error" if unknown_mode == "fail" else "warning"
    out: dict[tuple[str, int, str], Finding] = {}
    for item in unfollowed:
        at = item.location
        violation = rule.violation(f"{item.kind}-not-followed", "source", at, what=item.address, source=item.source,
                                   file=at.file)
        finding = Finding(rule.id, rule.name, severity, rule.render(violation), at.file, at.line, at.column,
                          at.end_line or at.line, item.address, item.resource_type, kind=violation.kind,
                          attribute="source", trail_at=at)
        out.setdefault((at.file, at.line, item.address), finding)
    return list(out.values())
