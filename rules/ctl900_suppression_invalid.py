"""CTL900: a suppression directive is malformed or suppresses nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import Example, Options, Rule, Violation
from .ctl003_log_group_retention_too_short import LogGroupRetentionTooShort

_TF_BAD_TRAIL = LogGroupRetentionTooShort.terraform.bad
_CFN_BAD_TRAIL = LogGroupRetentionTooShort.cloudformation.bad
_CFN_TRAIL_HEADER = "    Type: AWS::CloudTrail::Trail\n"


def _cfn_with_metadata(entry: str) -> str:
    """CTL003's failing template with ``entry`` under the trail's ``Metadata``."""
    metadata = "    Metadata:\n      cloudtrail-lint:\n        ignore:\n" + entry
    return _CFN_BAD_TRAIL.replace(_CFN_TRAIL_HEADER, _CFN_TRAIL_HEADER + metadata, 1)


class SuppressionInvalid(Rule):
    id = "CTL900"
    name = "suppression-invalid"
    severity = "warning"
    security_severity = "2.0"
    title = "Suppression directive is malformed or matches no finding"
    what = (
        "Reports a `cloudtrail-lint: ignore` comment (Terraform) or `Metadata.cloudtrail-lint.ignore` entry"
        " (CloudFormation) that has no `reason`, names an unknown rule id, has an unknown key or an `expires`"
        " date that is not YYYY-MM-DD, cannot be read at all, or matches no finding. The finding is located"
        " at the directive itself. An invalid directive suppresses nothing. The engine emits this rule after"
        " the other rules ran; it has no check of its own."
    )
    why = (
        "A suppression is an accepted risk. One that silently does nothing (a typo in the rule id, a"
        " directive left behind after the trail was fixed or moved) hides nothing today but misleads"
        " reviewers, and one without a reason cannot be reviewed at all. Typos are never silent."
    )
    fix = (
        "Write the directive as"
        ' `# cloudtrail-lint: ignore CTL003 reason="why" owner=team expires=YYYY-MM-DD` on the line above the'
        " resource header or inside the block (CloudFormation: an `ignore` entry with `rule` and `reason` in"
        " the resource's `Metadata`), or remove it when it no longer matches a finding."
    )
    terraform = Example(
        bad="# cloudtrail-lint: ignore CTL003\n" + _TF_BAD_TRAIL,
        good='# cloudtrail-lint: ignore CTL003 reason="org archive keeps 10 years" owner=secops\n'
        + _TF_BAD_TRAIL,
    )
    cloudformation = Example(
        bad=_cfn_with_metadata("          - rule: CTL03\n            reason: org archive keeps 10 years\n"),
        good=_cfn_with_metadata("          - rule: CTL003\n            reason: org archive keeps 10 years\n"
                                "            owner: secops\n"),
    )
    references = (
        "cloudtrail-lint suppressions: docs/adoption.md, \"Inline suppressions\"",
        "ruff unused-noqa (RUF100), the same idea for Python: https://docs.astral.sh/ruff/rules/unused-noqa/",
    )

    messages: ClassVar[dict[str, str]] = {
        "suppression-invalid": "{what}: {problem}",
        "suppression-unused": "suppression of {rules} matches no finding; remove it or move it to the resource it"
        " is meant for",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        """Nothing per trail: the engine's suppression pass emits CTL900 at the directive's line."""
        return iter(())
