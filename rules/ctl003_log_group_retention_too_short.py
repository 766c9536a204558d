"""CTL003: the trail's log group deletes events before the required minimum."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_ROLE, TF_GOOD_TRAIL, TF_ROLE

_TF_BAD = (
    'resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
    '  s3_bucket_name             = "org-cloudtrail-logs"\n'
    '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n'
    "  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn\n}\n\n"
    'resource "aws_cloudwatch_log_group" "trail" {\n  name              = "cloudtrail/org"\n'
    "  retention_in_days = 90\n}\n" + TF_ROLE
)

_CFN_BAD = (
    'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
    "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
    "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
    "      CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn\n"
    "  TrailLogGroup:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 30\n" + CFN_ROLE
)


class LogGroupRetentionTooShort(Rule):
    id = "CTL003"
    name = "log-group-retention-too-short"
    severity = "error"
    security_severity = "5.5"
    title = "CloudTrail log group keeps events for less than the required minimum"
    what = (
        "Follows the trail's log group ARN to the log group defined in the same module or template and checks its"
        " retention (`retention_in_days` / `RetentionInDays`) against the minimum (`--min-retention-days`, default"
        " 365). Unset and 0 mean the events never expire, which passes. The check runs whenever the log group is"
        " known, even if the trail is only partly wired."
    )
    why = (
        "CIS AWS Foundations and most audit regimes (PCI DSS 10.7, SOC 2) expect at least a year of audit logs that"
        " can be searched. Events deleted after 30 or 90 days are gone when an incident is discovered months later."
    )
    fix = (
        "Raise the log group's retention to a value AWS accepts at or above the minimum (365, 400, 545, 731, ...),"
        " where the value is defined: the literal, the variable default or tfvars entry, or the parameter default."
    )
    terraform = Example(bad=_TF_BAD, good=TF_GOOD_TRAIL)
    cloudformation = Example(bad=_CFN_BAD, good=CFN_GOOD_TRAIL)
    references = (
        *COMMON_REFERENCES,
        "CloudWatch Logs PutRetentionPolicy: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
        "API_PutRetentionPolicy.html",
    )

    messages: ClassVar[dict[str, str]] = {
        "retention-too-short": "log group {group} ({where}) keeps events {days} days; at least {minimum} are required",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        group = trail.log_group
        if group is None or not group.retention.known:
            return
        days = group.retention.data
        # a bool is an int in Python, but `true` is no number of days (CTL006 reports it)
        is_days = isinstance(days, int) and not isinstance(days, bool)
        if is_days and 0 < days < options.min_retention_days:
            yield self.violation("retention-too-short", "retention", group, group=group.address,
                                 where=f"{group.location.file}:{group.location.line}", days=str(days),
                                 minimum=str(options.min_retention_days))
