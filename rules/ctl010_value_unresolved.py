"""CTL010: a value the other rules need cannot be determined before deployment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation, delivery_role_at
from .examples import CFN_GOOD_TRAIL, CFN_HEAD, TF_GOOD_TRAIL


class ValueUnresolved(Rule):
    id = "CTL010"
    name = "value-unresolved"
    severity = "warning"
    security_severity = "3.0"
    title = "CloudTrail log group, role or retention cannot be resolved statically"
    what = (
        "Reports a log group ARN, role ARN or retention that depends on something not visible in the scanned"
        " files: a variable with no default and no tfvars value, a data source, a remote module, a parameter"
        " with no default, `Fn::ImportValue`. It also names what CTL007 could not check about the delivery role"
        " (`delivery-unresolved`): a role given as the literal ARN of a role not in the scanned code, a policy"
        " whose document is not known before deployment, a managed policy the linter does not know, a"
        " permissions boundary, a literal account while the code does not pin the one it deploys to. The message"
        " says what could not be resolved and why. Its severity follows `--unknown` (warn by default, `fail`"
        " makes it an error, `ignore` drops it)."
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

    messages: ClassVar[dict[str, str]] = {
        "group-unresolved": "log group ARN cannot be resolved: {reason}",
        "role-unresolved": "role ARN cannot be resolved: {reason}",
        "retention-unresolved": "retention of {group} cannot be resolved: {reason}",
        "module-not-followed": "{what} ({source}) is not downloaded; run `terraform init` to check the trails"
        " inside it",
        "terragrunt-not-followed": "the terraform source of {file} ({source}) is not in .terragrunt-cache; run"
        " `terragrunt init` to check the trails inside it",
        "stack-not-followed": "nested stack {what} ({source}) is not read; lint its template to check the trails"
        " inside it",
        "custom-resource-not-followed": "custom resource {what} ({source}) may create a trail that cannot be"
        " checked",
        "delivery-unresolved": "whether the delivery role {role} can deliver to the log group cannot be checked:"
        " {reason}",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        for attribute, value in (("group", trail.log_group_arn), ("role", trail.role_arn)):
            if value.unknown and not value.dangling:
                yield self.violation(f"{attribute}-unresolved", attribute, value, reason=value.reason)
        group = trail.log_group
        if group is not None and group.retention.unknown and not group.retention.dangling:
            yield self.violation("retention-unresolved", "retention", group, group=group.address,
                                 reason=group.retention.reason)
        role = trail.role
        if role is not None and (role.defined or trail.role_arn.known):
            from ..iam.trail import trail_delivery  # the IAM package is imported only for trails with a role

            delivery = trail_delivery(trail)
            if delivery is not None and delivery.undecided:
                reasons = "; ".join(dict.fromkeys(u.reason for u in delivery.undecided))
                where, about = delivery_role_at(trail)  # where CTL007 points too
                yield self.violation("delivery-unresolved", "role", where, about, role=delivery.role, reason=reasons)
