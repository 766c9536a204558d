"""The rule registry: every rule, in id order. Ids are a public contract and are never reused."""

from __future__ import annotations

from .base import Options, Rule
from .ctl001_cloudwatch_logs_not_configured import CloudWatchLogsNotConfigured
from .ctl002_cloudwatch_role_not_configured import CloudWatchRoleNotConfigured
from .ctl003_log_group_retention_too_short import LogGroupRetentionTooShort
from .ctl004_cloudwatch_arn_malformed import CloudWatchArnMalformed
from .ctl005_reference_not_found import ReferenceNotFound
from .ctl006_log_group_retention_invalid import LogGroupRetentionInvalid
from .ctl007_delivery_role_cannot_deliver import DeliveryRoleCannotDeliver
from .ctl010_value_unresolved import ValueUnresolved
from .ctl900_suppression_invalid import SuppressionInvalid

ALL_RULES: tuple[Rule, ...] = (
    CloudWatchLogsNotConfigured(),
    CloudWatchRoleNotConfigured(),
    LogGroupRetentionTooShort(),
    CloudWatchArnMalformed(),
    ReferenceNotFound(),
    LogGroupRetentionInvalid(),
    DeliveryRoleCannotDeliver(),
    ValueUnresolved(),
    SuppressionInvalid(),
)

#: The id of the rule whose severity ``--unknown`` controls.
UNRESOLVED_RULE = "CTL010"
#: The id of the rule the engine emits for a malformed or unused suppression (it has no check of its own).
SUPPRESSION_RULE = "CTL900"

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_ID", "SUPPRESSION_RULE", "UNRESOLVED_RULE", "Options", "Rule"]
