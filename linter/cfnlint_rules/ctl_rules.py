"""The cfn-lint rules, one per cloudtrail-lint rule that applies to CloudFormation.

Ids are in cfn-lint's range for user rules (9xxx): 95NN for CTL0NN, 959N for CTL90N. The letter is
the level: E for error, W for warning, I (informational, shown with ``--include-checks I``) for
CTL010's unresolved values. They are a public contract, like the CTL ids.

cfn-lint loads this file on its own when given the folder (``--append-rules``), so it imports the
package by its absolute name, and holds only the concrete rules (cfn-lint instantiates every rule
class it finds here).
"""

from __future__ import annotations

from typing import Any

from cloudtrail_lint.cfnlint_rules import _shared as shared


class CloudWatchLogsNotConfigured(shared.CtlRule):
    id = "E9501"
    ctl_id = "CTL001"
    reports_errors = True


class CloudWatchRoleNotConfigured(shared.CtlRule):
    id = "E9502"
    ctl_id = "CTL002"


class LogGroupRetentionTooShort(shared.CtlRule):
    id = "E9503"
    ctl_id = "CTL003"

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = {
            "min_retention_days": {"default": shared.DEFAULT_MIN_RETENTION_DAYS, "type": "integer"},
        }
        self.configure()

    def configure(self, configs: Any = None, experimental: bool = False) -> None:
        """``--configure-rule E9503:min_retention_days=N`` (or ``configure_rules`` in .cfnlintrc) sets the
        least retention for every rule: suppressions of CTL003 depend on it too."""
        super().configure(configs, experimental)
        shared.SETTINGS.min_retention_days = self.config["min_retention_days"]


class CloudWatchArnMalformed(shared.CtlRule):
    id = "E9504"
    ctl_id = "CTL004"


class ReferenceNotFound(shared.CtlRule):
    id = "E9505"
    ctl_id = "CTL005"


class LogGroupRetentionInvalid(shared.CtlRule):
    id = "E9506"
    ctl_id = "CTL006"


class DeliveryRoleCannotDeliver(shared.CtlRule):
    id = "E9507"
    ctl_id = "CTL007"


class ValueUnresolved(shared.CtlRule):
    id = "I9510"
    ctl_id = "CTL010"


class SuppressionInvalid(shared.CtlRule):
    id = "W9590"
    ctl_id = "CTL900"
