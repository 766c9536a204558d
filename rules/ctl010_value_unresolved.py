"""CTL010: a value the other rules need cannot be determined before deployment."""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, TF_GOOD_TRAIL


class ValueUnresolved(Rule):
    id = "CTL010"
    name = "value-unresolved"
    severity = "warning"
    title = "CloudTrail log group, role or retention cannot be resolved statically"
    what = (
        "Reports a log group ARN, role ARN or retention that depends on something not visible in the scanned"
        " files: a variable with no default and no tfvars value, a data source, a remote module, a parameter"
        " with no default, `Fn::ImportValue`. The message says what could not be resolved and why. Its severity"
        " follows `--unknown` (warn by default, `fail` makes it an error, `ignore` drops it)."
    )
    why = (
        "Unknown is neither pass nor fail: a linter that passes unknowns silently hides unwired trails, one that"
        " fails them blocks legitimate designs. Naming the unresolved value lets you add a default or tfvars entry"
        " or check the other stack."
    )
    fix = "Give the variable or parameter a default (or a tfvars value), or lint the stack that owns the value."
    terraform = Example(
        bad='variable "log_group_arn" {\n  type = string\n}\n\n'
        'resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
        '  s3_bucket_name             = "org-cloudtrail-logs"\n'
        "  cloud_watch_logs_group_arn = var.log_group_arn\n"
        '  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/cloudtrail-to-cloudwatch"\n}\n',
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD
        + "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
        "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !ImportValue audit-log-group-arn\n"
        "      CloudWatchLogsRoleArn: !ImportValue audit-log-role-arn\n",
        good=CFN_GOOD_TRAIL,
    )
    references = COMMON_REFERENCES

    def check(self, trail: Trail, options: Options) -> Iterator[str]:
        values = [("log group ARN", trail.log_group_arn), ("role ARN", trail.role_arn)]
        if trail.log_group is not None:
            values.append((f"retention of {trail.log_group.address}", trail.log_group.retention))
        for what, value in values:
            if value.unknown and not value.dangling:
                yield f"{what} cannot be resolved: {value.reason}"
