"""CTL002: a log group is set but no role CloudTrail can use to write to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, CFN_LOG_GROUP, TF_GOOD_TRAIL, TF_LOG_GROUP


class CloudWatchRoleNotConfigured(Rule):
    id = "CTL002"
    name = "cloudwatch-role-not-configured"
    severity = "error"
    security_severity = "7.5"
    title = "CloudTrail trail has a log group but no delivery role"
    what = (
        "Checks that a trail which sets a CloudWatch Logs log group ARN also sets the IAM role CloudTrail assumes"
        " to write to it (`cloud_watch_logs_role_arn` / `CloudWatchLogsRoleArn`)."
    )
    why = (
        "CloudTrail needs both values: the CreateTrail/UpdateTrail call fails with"
        " InvalidCloudWatchLogsRoleArnException when only the log group is given, so the deployment breaks or the"
        " trail silently stays without CloudWatch delivery."
    )
    fix = (
        "Add an IAM role that trusts `cloudtrail.amazonaws.com` and allows `logs:CreateLogStream` and"
        " `logs:PutLogEvents` on the log group, and set its ARN (not its name) on the trail."
    )
    terraform = Example(
        bad='resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
        '  s3_bucket_name             = "org-cloudtrail-logs"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n}\n' + TF_LOG_GROUP,
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD
        + "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
        + CFN_LOG_GROUP,
        good=CFN_GOOD_TRAIL,
    )
    references = COMMON_REFERENCES

    messages: ClassVar[dict[str, str]] = {
        "role-not-set": "trail sets a CloudWatch Logs log group but no delivery role: {reason}",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        if not trail.log_group_arn.missing and trail.role_arn.missing:
            reason = trail.role_arn.reason or "no role ARN is set"
            yield self.violation("role-not-set", "role", trail.role_arn, reason=reason)
