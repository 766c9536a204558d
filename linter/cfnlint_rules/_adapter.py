"""The one place the cfn-lint rules reach into cloudtrail-lint: rule metadata, and :func:`violations`,
which runs the CloudFormation resolver, the rules (as the engine does, variants and conditions
included) and the inline suppressions on one template.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Violation:
    """One finding as cloudtrail-lint reports it for a template: rule id (``CTL001``), message, and the
    1-based line and column it reports, in the resource it names (the logical id)."""

    rule: str
    message: str
    line: int
    column: int
    resource: str


def describe(rule_id: str) -> tuple[str, str]:
    """The title and the "what it checks" text of a cloudtrail-lint rule."""
    from ..rules import RULES_BY_ID

    rule = RULES_BY_ID[rule_id]
    return rule.title, rule.what


def can_have_findings(template: Any) -> bool:
    """Whether cloudtrail-lint can report anything on ``template`` (as decoded, by cfn-lint or the
    front-end): it has a trail, a resource with a ``cloudtrail-lint`` directive in its Metadata, or a
    nested stack or custom resource."""
    from ..resolver.cloudformation import OPAQUE, TRAIL

    resources = template.get("Resources") if isinstance(template, dict) else None
    if not isinstance(resources, dict):
        return False
    for body in resources.values():
        if isinstance(body, dict):
            meta = body.get("Metadata")
            rtype = str(body.get("Type", ""))
            if rtype == TRAIL or (isinstance(meta, dict) and "cloudtrail-lint" in meta):
                return True
            if rtype in OPAQUE or rtype.startswith("Custom::") or rtype == "AWS::CloudFormation::CustomResource":
                return True  # it may create a trail that cannot be read (CTL010 says so)
    return False


def violations(template: Any, path: str, min_retention_days: int = 365,
               today: datetime.date | None = None) -> list[Violation]:
    """The findings cloudtrail-lint gives for ``template`` (position-keeping data, as the front-end
    loads it) that no inline suppression in its ``Metadata`` covers, plus the CTL900 findings for
    directives that are invalid or suppress nothing. An expired suppression leaves its finding, with
    the expiry named in the message. Messages are safe to print (control characters escaped)."""
    from .. import suppressions
    from ..checks import check_trail, unfollowed_findings
    from ..reporters import clean
    from ..resolver.cloudformation import resolve_template, unfollowed_in_template
    from ..rules import ALL_RULES, RULES_BY_ID, SUPPRESSION_RULE, Options

    options = Options(min_retention_days=min_retention_days)
    findings = [finding for variants in resolve_template(template, path)
                for finding in check_trail(variants, ALL_RULES, options, "warn")]
    findings += unfollowed_findings(unfollowed_in_template(template, path), "warn")
    source = suppressions.template_source(path, template, RULES_BY_ID)
    ran = [rule.id for rule in ALL_RULES if rule.id != SUPPRESSION_RULE]
    invalid = suppressions.apply_directives(findings, {path: source}, today or suppressions.today(), ran)
    return [Violation(f.rule, clean(f.message), f.line, f.column, f.resource)
            for f in findings + invalid if not f.suppressed]
