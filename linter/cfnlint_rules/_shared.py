"""The base of the cfn-lint rules: each template is checked once, and every rule reports its share.

cfn-lint runs every rule's ``match`` on a template in turn (after configuring them all); the first
one converts cfn-lint's decoded template, runs cloudtrail-lint on it and keeps the outcome, which
the others then read. Only the last template is kept. A template without trails or cloudtrail-lint
directives is not converted at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from ._adapter import Violation, can_have_findings, describe, violations
from ._nodes import positioned

#: Where cloudtrail-lint is documented (its README explains the rules; ``cloudtrail-lint --explain``).
SOURCE_URL = "https://pypi.org/project/cloudtrail-lint/"
DEFAULT_MIN_RETENTION_DAYS = 365


@dataclass
class Outcome:
    """cloudtrail-lint's findings on one template, or why it could not check it."""

    violations: list[Violation] = field(default_factory=list)
    error: str = ""


@dataclass
class _Settings:
    """What the rules were configured with for the template being checked (``--configure-rule``)."""

    min_retention_days: int = DEFAULT_MIN_RETENTION_DAYS


SETTINGS = _Settings()
_last: tuple[Any, int, Outcome] | None = None


def outcome(cfn: Any) -> Outcome:
    """cloudtrail-lint's outcome for the template cfn-lint is checking, computed once per template."""
    global _last
    template, days = cfn.template, SETTINGS.min_retention_days
    if _last is not None and _last[0] is template and _last[1] == days:
        return _last[2]
    result = Outcome()
    if days < 1:
        result.error = f"min_retention_days must be at least 1, not {days}"
    elif can_have_findings(template) or _loops(cfn):  # most templates have no trail: nothing to convert
        try:
            result.violations = violations(_data(cfn), cfn.filename or "<template>", days)
        except Exception as exc:  # a bug or a hostile template: one rule says so, cfn-lint goes on
            result.error = f"cloudtrail-lint could not check this template: {type(exc).__name__}: {exc}"
    _last = (template, days, result)
    return result


def _loops(cfn: Any) -> bool:
    """Whether the template uses ``AWS::LanguageExtensions`` (``Fn::ForEach`` loops)."""
    declared = getattr(cfn, "transform_pre", {}).get("Transform") or []
    return "AWS::LanguageExtensions" in (declared if isinstance(declared, list) else [declared])


def _data(cfn: Any) -> Any:
    """The template as cloudtrail-lint's resolver reads it: cfn-lint's decoded data, converted. A template
    with ``Fn::ForEach`` loops is read again by cloudtrail-lint's own front-end instead, because cfn-lint
    has replaced it by its own expansion, which drops a loop over a collection it cannot know (a
    parameter without a default); cloudtrail-lint checks such a loop as one instance."""
    if _loops(cfn) and cfn.filename:
        from ..frontends.cfn import load_document

        loaded = load_document(cfn.filename, 20 * 1048576)
        if loaded is not None and loaded[0] == "cloudformation":
            return loaded[1]
    return positioned(cfn.template)


class CtlRule(CloudFormationLintRule):
    """A cloudtrail-lint rule inside cfn-lint: reports the findings of rule ``ctl_id``."""

    ctl_id = ""
    #: The one rule that turns a template cloudtrail-lint could not check into cfn-lint's E0002.
    reports_errors = False
    source_url = SOURCE_URL
    tags: ClassVar[list[str]] = ["cloudtrail", "cloudwatch", "cloudtrail-lint"]

    def __init__(self) -> None:
        super().__init__()
        title, what = describe(self.ctl_id)
        self.shortdesc = f"{self.ctl_id}: {title}"
        self.description = (f"cloudtrail-lint rule {self.ctl_id}: {what} Details: `cloudtrail-lint --explain"
                            f" {self.ctl_id}`.")

    def match(self, cfn: Any) -> list[RuleMatch]:
        found = outcome(cfn)
        if found.error:
            if self.reports_errors:
                raise RuntimeError(found.error)
            return []
        return [self._match(cfn, v) for v in found.violations if v.rule == self.ctl_id]

    def _match(self, cfn: Any, violation: Violation) -> RuleMatch:
        """A match at the line and column cloudtrail-lint reports, ending where the resource's logical id
        ends when it starts there; its path names the resource, for ``ignore_checks`` in its Metadata."""
        line, col = violation.line - 1, violation.column - 1
        end = (line, col)
        resources = cfn.template.get("Resources")
        key = next((k for k in resources if k == violation.resource), None) if isinstance(resources, dict) else None
        start_mark, end_mark = getattr(key, "start_mark", None), getattr(key, "end_mark", None)
        if start_mark is not None and end_mark is not None and (start_mark.line, start_mark.column) == (line, col):
            end = (end_mark.line, end_mark.column)
        path = ["Resources", violation.resource] if violation.resource else ["Resources"]
        return RuleMatch(path, f"{self.ctl_id}: {violation.message}", location=(line, col, *end))
