"""CTL004: the log group or role value is not the kind of ARN CloudTrail needs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from ..arn import display, log_group_arn_ok, role_arn_ok
from ..model import UNKNOWN_ANY, Trail, Value
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, CFN_LOG_GROUP, CFN_ROLE, TF_GOOD_TRAIL, TF_LOG_GROUP, TF_ROLE

#: A role's name where its ARN belongs: Terraform ``aws_iam_role.x.name``/``.id``, CloudFormation ``!Ref Role``.
_ROLE_NAME = re.compile(r"\baws_iam_role\.[\w-]+(\[[^\]]*\])?\.(name|id|unique_id)\b|^!Ref \S*[Rr]ole")


class CloudWatchArnMalformed(Rule):
    id = "CTL004"
    name = "cloudwatch-arn-malformed"
    severity = "error"
    security_severity = "7.5"
    title = "CloudTrail log group or role value is not a valid ARN for CloudWatch delivery"
    what = (
        "Checks that the log group value is a CloudWatch Logs log-group ARN ending in the stream wildcard `:*`"
        " and that the role value is an IAM role ARN. Catches Terraform `aws_cloudwatch_log_group.x.arn` without"
        " `:*` (AWS provider 3.0 and later), `.name` or `.id` where an ARN is needed, CloudFormation `!Ref` of a"
        " log group or role (which gives the name), literal ARNs of other services and `!Sub` strings that drop"
        " the `:*`."
    )
    why = (
        "CloudTrail rejects these values at deploy time (InvalidCloudWatchLogsLogGroupArnException: CloudTrail"
        " can't validate it) or accepts them and then fails to deliver. Since AWS provider 3.0 the Terraform `arn`"
        " attribute of a log group no longer ends in `:*` (terraform-provider-aws#14557), so configurations that"
        " worked before break on upgrade."
    )
    fix = (
        'Terraform: write `"${aws_cloudwatch_log_group.x.arn}:*"` and `aws_iam_role.x.arn`. CloudFormation: use'
        " `!GetAtt LogGroup.Arn` (already ends in `:*`) and `!GetAtt Role.Arn`, or add `:*` to a `!Sub` ARN."
    )
    terraform = Example(
        bad='resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
        '  s3_bucket_name             = "org-cloudtrail-logs"\n'
        "  cloud_watch_logs_group_arn = aws_cloudwatch_log_group.trail.arn\n"
        "  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.name\n}\n" + TF_LOG_GROUP + TF_ROLE,
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD
        + "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
        "      CloudWatchLogsRoleArn: !Ref TrailToLogsRole\n" + CFN_LOG_GROUP + CFN_ROLE,
        good=CFN_GOOD_TRAIL,
    )
    references = (
        *COMMON_REFERENCES,
        "terraform-provider-aws#14557: aws_cloudwatch_log_group arn no longer ends in :*",
    )

    messages: ClassVar[dict[str, str]] = {
        "group-arn-missing-wildcard": "log group value {value} is not a CloudWatch Logs log-group ARN: it does not end"
        " in the log-stream wildcard `:*`{hint}",
        "group-arn-wrong-service": "log group value {value} is not a CloudWatch Logs log-group ARN: it is an ARN of"
        " the {service} service, not of a CloudWatch Logs log group",
        "group-not-an-arn": "log group value {value} is not a CloudWatch Logs log-group ARN: it is not an ARN (a log"
        " group name?); use the log group's ARN ending in `:*`",
        "role-is-a-name": "role value {value} is not an IAM role ARN (it is the role name); use the role's ARN"
        " (Terraform `aws_iam_role.x.arn`, CloudFormation `!GetAtt Role.Arn`)",
        "role-not-a-role-arn": "role value {value} is not an IAM role ARN; use the role's ARN (Terraform"
        " `aws_iam_role.x.arn`, CloudFormation `!GetAtt Role.Arn`)",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        group, role = trail.log_group_arn, trail.role_arn
        if group.known and not _shape(group, log_group_arn_ok):
            yield self._group(group)
        if role.known and not _shape(role, role_arn_ok):
            is_name = ":" not in str(role.data) and bool(_ROLE_NAME.search(role.source))
            yield self.violation("role-is-a-name" if is_name else "role-not-a-role-arn", "role", role,
                                 value=_quote(role))

    def _group(self, group: Value) -> Violation:
        text = group.data if isinstance(group.data, str) else ""
        parts = text.split(":")
        if text.startswith("arn:") and len(parts) > 2 and parts[2] == "logs" and ":log-group:" in text:
            hint = ("; aws_cloudwatch_log_group.arn has no `:*` since AWS provider 3.0, write"
                    ' "${aws_cloudwatch_log_group.NAME.arn}:*"' if "aws_cloudwatch_log_group" in group.source else "")
            return self.violation("group-arn-missing-wildcard", "group", group, value=_quote(group), hint=hint)
        if text.startswith("arn:") and len(parts) > 2 and UNKNOWN_ANY not in parts[2]:
            return self.violation("group-arn-wrong-service", "group", group, value=_quote(group),
                                  service=display(parts[2]) or "unknown")
        return self.violation("group-not-an-arn", "group", group, value=_quote(group))


def _shape(value: Value, check) -> bool:
    """False only when the value is certainly not of the shape."""
    if not isinstance(value.data, str):
        return False
    return check(value.data) is not False


def _quote(value: Value) -> str:
    shown = display(value.data)
    if value.source and value.source != value.data:
        return f"{value.source} (= {shown})"
    return shown
