"""CTL006: the log group's retention is a number CloudWatch Logs does not accept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..arn import VALID_RETENTION_DAYS, display
from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_ROLE, TF_GOOD_TRAIL, TF_ROLE


class LogGroupRetentionInvalid(Rule):
    id = "CTL006"
    name = "log-group-retention-invalid"
    severity = "error"
    security_severity = "5.0"
    title = "CloudTrail log group retention is not a value CloudWatch Logs accepts"
    what = (
        "Checks that the retention of the trail's log group is one of the values the CloudWatch Logs API accepts:"
        f" 0 (never expire) or {', '.join(map(str, VALID_RETENTION_DAYS))}."
    )
    why = (
        "PutRetentionPolicy rejects any other number (InvalidParameterException), so a value such as 366 or 730"
        " fails the deployment of the log group and, with it, the trail's CloudWatch delivery."
    )
    fix = "Use the nearest accepted value at or above the minimum, for example 365, 400 or 731."
    terraform = Example(
        bad='resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
        '  s3_bucket_name             = "org-cloudtrail-logs"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n'
        "  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn\n}\n\n"
        'resource "aws_cloudwatch_log_group" "trail" {\n  name              = "cloudtrail/org"\n'
        "  retention_in_days = 730\n}\n" + TF_ROLE,
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad='AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
        "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
        "      CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn\n"
        "  TrailLogGroup:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: 366\n" + CFN_ROLE,
        good=CFN_GOOD_TRAIL,
    )
    references = (
        *COMMON_REFERENCES,
        "CloudWatch Logs PutRetentionPolicy: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/"
        "API_PutRetentionPolicy.html",
    )

    messages: ClassVar[dict[str, str]] = {
        "retention-not-a-number": "log group {group} sets retention to {value}, which is not a number of days",
        "retention-not-accepted": "log group {group} sets retention to {days} days, which CloudWatch Logs does"
        " not accept{nearest}",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        group = trail.log_group
        if group is None or not group.retention.known or group.retention.data is None:
            return  # unset (never expire) like CTL003, or CTL010's business
        days = group.retention.data
        if isinstance(days, bool) or not isinstance(days, int):
            yield self.violation("retention-not-a-number", "retention", group, group=group.address,
                                 value=_shown(days))
        elif days != 0 and days not in VALID_RETENTION_DAYS:
            above = [d for d in VALID_RETENTION_DAYS if d >= days]
            nearest = f"; the nearest accepted value above is {above[0]}" if above else ""
            yield self.violation("retention-not-accepted", "retention", group, group=group.address,
                                 days=str(days), nearest=nearest)


def _shown(value: object) -> str:
    """A retention value as the user would write it (``true``, ``"thirty"``, ``[1]``)."""
    import json

    return json.dumps(value) if isinstance(value, str) else display(value)
