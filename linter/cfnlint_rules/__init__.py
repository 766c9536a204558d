"""cloudtrail-lint's rules as a cfn-lint rules package (``pip install 'cloudtrail-lint[cfn-lint]'``).

``cfn-lint --append-rules=cloudtrail_lint.cfnlint_rules template.yaml`` (the module), or the folder
``cloudtrail-lint --cfn-lint-rules-path`` prints. cloudtrail-lint itself never imports this package.

Given the folder, cfn-lint executes every file in it whose name does not start with an underscore as a
module of its own: ``ctl_rules.py`` is the only such file, and the helpers' names start with ``_``.
"""

from .ctl_rules import (
    CloudWatchArnMalformed,
    CloudWatchLogsNotConfigured,
    CloudWatchRoleNotConfigured,
    DeliveryRoleCannotDeliver,
    LogGroupRetentionInvalid,
    LogGroupRetentionTooShort,
    ReferenceNotFound,
    SuppressionInvalid,
    ValueUnresolved,
)

#: cfn-lint rule id of each cloudtrail-lint rule.
RULE_IDS = {rule.ctl_id: rule.id for rule in (
    CloudWatchLogsNotConfigured, CloudWatchRoleNotConfigured, LogGroupRetentionTooShort, CloudWatchArnMalformed,
    ReferenceNotFound, LogGroupRetentionInvalid, DeliveryRoleCannotDeliver, ValueUnresolved, SuppressionInvalid,
)}

__all__ = [
    "RULE_IDS",
    "CloudWatchArnMalformed",
    "CloudWatchLogsNotConfigured",
    "CloudWatchRoleNotConfigured",
    "DeliveryRoleCannotDeliver",
    "LogGroupRetentionInvalid",
    "LogGroupRetentionTooShort",
    "ReferenceNotFound",
    "SuppressionInvalid",
    "ValueUnresolved",
]
