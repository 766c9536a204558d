"""CTL001: the trail sends its events to no CloudWatch Logs log group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, TF_GOOD_TRAIL


class CloudWatchLogsNotConfigured(Rule):
    id = "CTL001"
    name = "cloudwatch-logs-not-configured"
    severity = "error"
    security_severity = "7.5"
    title = "CloudTrail trail is not integrated with CloudWatch Logs"
    what = (
        "Checks that every trail sets a CloudWatch Logs log group ARN (`cloud_watch_logs_group_arn` in Terraform,"
        " `CloudWatchLogsLogGroupArn` in CloudFormation). An empty string, `null` or `AWS::NoValue` counts as unset."
    )
    why = (
        "Without CloudWatch Logs delivery, API activity only lands in S3, where no metric filter or alarm can watch"
        " it. CIS AWS Foundations requires the integration so that unauthorised API calls, root logins and policy"
        " changes raise alarms in near real time."
    )
    fix = (
        "Create a log group and a delivery role that trusts `cloudtrail.amazonaws.com`, then set both the log group"
        " ARN (ending in `:*`) and the role ARN on the trail."
    )
    terraform = Example(
        bad='resource "aws_cloudtrail" "org" {\n  name           = "org"\n'
        '  s3_bucket_name = "org-cloudtrail-logs"\n}\n',
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD
        + "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n",
        good=CFN_GOOD_TRAIL,
    )
    references = COMMON_REFERENCES

    messages: ClassVar[dict[str, str]] = {
        "group-not-set": "trail sends no events to CloudWatch Logs: {reason}",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        group = trail.log_group_arn
        if group.missing:
            yield self.violation("group-not-set", "group", group, reason=group.reason or "no log group ARN is set")
