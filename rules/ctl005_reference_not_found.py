"""CTL005: the log group or role value refers to something that is not defined."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, CFN_ROLE, TF_GOOD_TRAIL, TF_ROLE


class ReferenceNotFound(Rule):
    id = "CTL005"
    name = "reference-not-found"
    severity = "error"
    security_severity = "5.0"
    title = "CloudTrail log group or role refers to something that does not exist"
    what = (
        "Checks that every resource, data source, parameter, local or variable the log group and role values refer"
        " to is defined in the same Terraform module or CloudFormation template."
    )
    why = (
        "A dangling reference fails `terraform plan` or the CloudFormation change set, usually after a rename; the"
        " trail then ships without CloudWatch delivery or blocks the whole deployment."
    )
    fix = "Point the reference at the log group or role that exists, or define the missing one."
    terraform = Example(
        bad='resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
        '  s3_bucket_name             = "org-cloudtrail-logs"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.audit.arn}:*"\n'
        "  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn\n}\n" + TF_ROLE,
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD
        + "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt AuditLogGroup.Arn\n"
        "      CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn\n" + CFN_ROLE,
        good=CFN_GOOD_TRAIL,
    )
    references = COMMON_REFERENCES

    messages: ClassVar[dict[str, str]] = {
        "group-reference-not-found": "log group value refers to {ref}, which is not defined",
        "role-reference-not-found": "role value refers to {ref}, which is not defined",
        "retention-reference-not-found": "retention of {group} refers to {ref}, which is not defined",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        for attribute, value in (("group", trail.log_group_arn), ("role", trail.role_arn)):
            for ref in value.dangling:
                yield self.violation(f"{attribute}-reference-not-found", attribute, value, ref=ref)
        if trail.log_group is not None:
            for ref in trail.log_group.retention.dangling:
                yield self.violation("retention-reference-not-found", "retention", trail.log_group,
                                     group=trail.log_group.address, ref=ref)
