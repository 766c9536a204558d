"""CTL007: the trail's delivery role cannot write its events to the log group."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ..model import Location, Trail
from .base import COMMON_REFERENCES, Example, Options, Rule, Violation, delivery_role_at
from .examples import (
    CFN_GOOD_TRAIL,
    CFN_HEAD,
    CFN_LOG_GROUP,
    CFN_ROLE_ONLY,
    CFN_ROLE_POLICIES,
    TF_GOOD_TRAIL,
    TF_LOG_GROUP,
    TF_ROLE_ONLY,
    TF_ROLE_POLICY,
)

_TF_TRAIL = (
    'resource "aws_cloudtrail" "org" {\n  name                       = "org"\n'
    '  s3_bucket_name             = "org-cloudtrail-logs"\n'
    '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n'
    "  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn\n}\n"
)
_CFN_TRAIL = (
    "  OrgTrail:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n      IsLogging: true\n"
    "      S3BucketName: org-cloudtrail-logs\n      CloudWatchLogsLogGroupArn: !GetAtt TrailLogGroup.Arn\n"
    "      CloudWatchLogsRoleArn: !GetAtt TrailToLogsRole.Arn\n"
)

#: Where each kind of failure is about: the trust policy, the permissions policies, the role, the accounts.
_TRUST = ("trust-missing-service", "trust-missing-assume-role", "trust-denied", "trust-condition-excludes-trail")
_ACTIONS = ("create-log-stream-not-allowed", "create-log-stream-denied", "put-log-events-not-allowed",
            "put-log-events-denied")


class DeliveryRoleCannotDeliver(Rule):
    id = "CTL007"
    name = "delivery-role-cannot-deliver"
    severity = "error"
    status = "preview"
    title = "CloudTrail's CloudWatch Logs role cannot deliver the trail's events to its log group"
    what = (
        "For a trail whose CloudWatch Logs role is defined in the scanned code, evaluates the role's policies as"
        " IAM does and reports which part of delivery fails: the trust policy does not let the service principal"
        " `cloudtrail.amazonaws.com` call `sts:AssumeRole` (no statement names the service, the action is"
        " missing, a `Deny` wins, or a condition on `aws:SourceArn` / `aws:SourceAccount` excludes this trail);"
        " no statement allows `logs:CreateLogStream`, or none allows `logs:PutLogEvents`, on the log streams"
        " CloudTrail writes in the trail's log group, or an explicit `Deny` takes one of them away; the role has"
        " no permissions policy at all; or the log group or the role is in another account than the trail."
        " Actions match case-insensitively with `*` and `?` (`logs:*`, `logs:Put*`, `*`); resources match per"
        " ARN segment, a `*` that ends a segment running on past the colons"
        " (`arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:*`); `NotAction`, `NotResource` and `NotPrincipal` are"
        " honoured. `log-group:NAME:*`, `log-group:NAME:log-stream:*` and AWS's own"
        " `log-group:NAME:log-stream:<account>_CloudTrail_<region>*` cover the streams; the bare"
        " `log-group:NAME` and another group's ARN do not; an organization trail also needs its member accounts'"
        " streams (`<organization id>_*`).\n\n"
        "Every policy of the role counts, merged: in Terraform `assume_role_policy`, `inline_policy` blocks,"
        " `aws_iam_role_policy`, `aws_iam_policy` attached with `aws_iam_role_policy_attachment`,"
        " `aws_iam_policy_attachment` or `managed_policy_arns`, and `aws_iam_role_policies_exclusive` /"
        " `aws_iam_role_policy_attachments_exclusive` (which remove what they do not list); policy text from"
        " `jsonencode(...)`, heredoc JSON, `file()` / `templatefile()` of a file in the module, and"
        ' `data "aws_iam_policy_document"` (statements, `source_policy_documents` / `override_policy_documents`'
        " merged by `sid` as the AWS provider does, `principals`, `not_actions`, `not_resources`, `condition`). In"
        " CloudFormation `AssumeRolePolicyDocument`, `Policies`, `ManagedPolicyArns`, and `AWS::IAM::Policy`,"
        " `AWS::IAM::ManagedPolicy` and `AWS::IAM::RolePolicy` that name the role, with documents written as YAML,"
        " as JSON strings or with `Fn::Sub`. AWS managed policies are known by ARN in every partition when they"
        " grant both actions on every log group (`AdministratorAccess`, `PowerUserAccess`,"
        " `CloudWatchLogsFullAccess`, `CloudWatchFullAccess`, `CloudWatchAgentServerPolicy`,"
        " `service-role/AWSLambdaBasicExecutionRole`, ...) or certainly do not (`AWSCloudTrail_FullAccess`,"
        " `CloudWatchLogsReadOnlyAccess`). The deployment's partition, region and account are taken from the"
        " Terraform `aws` provider the trail uses (`region`, one `allowed_account_ids` entry, or the account of"
        " `assume_role.role_arn`). The account the code is deployed to is one unknown account, equal wherever"
        " it is used (an ARN AWS computes, `data.aws_caller_identity`, `${AWS::AccountId}`): two literal accounts"
        " that differ, or a literal account against a pinned one, are `account-mismatch`; a literal account"
        " against an account the code does not pin might be the same one, and is a CTL010 note.\n\n"
        "What cannot be checked is never an error: a role given as a literal ARN of a role not in the scanned"
        " code, a variable, `Fn::ImportValue` or a data source; a policy whose text is not known before"
        " deployment; any other managed policy; a condition on a key the linter does not know; a permissions"
        " boundary it cannot see; a log group or role ARN naming a literal account while the code does not pin"
        " the account it deploys to. CTL010 names what could not be checked, once per trail, and `--unknown`"
        " decides its severity. Service control policies are never visible to the linter."
    )
    why = (
        "CloudTrail accepts the trail and the role and then delivers nothing: each delivery attempt fails, the"
        " trail's status shows a CloudWatch Logs delivery error, and the log group stays empty. Every metric"
        " filter and alarm built on it (CIS 3.x / 4.x) is silently blind, while CTL001-CTL004 and the other linters"
        " see a fully wired trail. The mistakes are common: a policy on the log group's ARN without `:*` (accepted"
        " by IAM, but CloudTrail writes to the group's log streams; the AWS provider 3.0 dropped `:*` from the"
        " `arn` attribute), a trust policy copied from an EC2 role, a tamper-protection `Deny` on `logs:Put*`, an"
        " organization trail still on the single-account policy, or a confused-deputy condition naming a trail"
        " that was renamed."
    )
    fix = (
        "Let `cloudtrail.amazonaws.com` assume the role (`sts:AssumeRole`; conditions on `aws:SourceArn` /"
        " `aws:SourceAccount` must name this trail and its account), and allow `logs:CreateLogStream` and"
        " `logs:PutLogEvents` on the log group's streams in the policy the role already uses: Terraform"
        ' `"${aws_cloudwatch_log_group.x.arn}:*"`, CloudFormation `!GetAtt LogGroup.Arn` (already ends in `:*`).'
        " For an organization trail also allow the member accounts' streams (`...:log-stream:<organization"
        " id>_*`). Keep the log group and the role in the trail's account. `--fix` corrects the resource of a"
        " statement that names the bare log group, adds the missing statement to the policy the role uses, or"
        " gives the role a policy when it has none; a `Deny`, a trust policy or an account it leaves to you."
    )
    terraform = Example(
        bad=_TF_TRAIL + TF_LOG_GROUP + TF_ROLE_ONLY
        + TF_ROLE_POLICY.replace("RESOURCE", "aws_cloudwatch_log_group.trail.arn"),
        good=TF_GOOD_TRAIL,
    )
    cloudformation = Example(
        bad=CFN_HEAD + _CFN_TRAIL + CFN_LOG_GROUP + CFN_ROLE_ONLY + CFN_ROLE_POLICIES.replace(
            "RESOURCE", "!Sub arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogGroup}"),
        good=CFN_GOOD_TRAIL,
    )
    references = (
        "Sending events to CloudWatch Logs: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
        "send-cloudtrail-events-to-cloudwatch-logs.html",
        "Role policy document for CloudTrail to use CloudWatch Logs for monitoring (the default"
        " `CloudTrail_CloudWatchLogs_Role` policy and the organization-trail variant):"
        " https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html",
        "CloudWatch log group and log stream naming for CloudTrail: https://docs.aws.amazon.com/awscloudtrail/latest/"
        "userguide/cloudwatch-log-group-log-stream-naming-for-cloudtrail.html",
        "IAM JSON policy elements: Resource (wildcards in ARN segments): https://docs.aws.amazon.com/IAM/latest/"
        "UserGuide/reference_policies_elements_resource.html",
        "IAM policy evaluation logic (an explicit deny wins): https://docs.aws.amazon.com/IAM/latest/UserGuide/"
        "reference_policies_evaluation-logic.html",
        "AWS Managed Policy Reference: https://docs.aws.amazon.com/aws-managed-policy/latest/reference/",
        "Terraform AWS provider, data source aws_iam_policy_document: https://registry.terraform.io/providers/"
        "hashicorp/aws/latest/docs/data-sources/iam_policy_document",
        "cloudposse/terraform-aws-cloudwatch-logs#37: a policy on the bare log group ARN is accepted but delivery"
        " fails",
        *COMMON_REFERENCES[:2],
    )

    messages: ClassVar[dict[str, str]] = {
        **{kind: "CloudTrail cannot assume the delivery role {role}: {detail}" for kind in _TRUST},
        "create-log-stream-not-allowed": "the delivery role {role} cannot create the trail's log streams: {detail}",
        "create-log-stream-denied": "the delivery role {role} cannot create the trail's log streams: {detail}",
        "put-log-events-not-allowed": "the delivery role {role} cannot write the trail's events: {detail}",
        "put-log-events-denied": "the delivery role {role} cannot write the trail's events: {detail}",
        "no-permissions-policy": "the delivery role {role} cannot deliver: {detail}",
        "account-mismatch": "CloudTrail cannot deliver across accounts: {detail}",
    }

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        role = trail.role
        if role is None or not (role.defined or trail.role_arn.known):
            return  # no role, or one CTL010 already names as unresolved
        from ..iam.trail import trail_delivery  # the IAM package is imported only for trails with a role

        delivery = trail_delivery(trail)
        if delivery is None:
            return
        for failure in delivery.failures:
            where, about = self._where(trail, failure.kind)
            yield self.violation(failure.kind, "role", where, about, role=delivery.role, detail=failure.message)

    @staticmethod
    def _where(trail: Trail, kind: str) -> tuple[Location | None, str]:
        """The expression a failure is about (the trust policy, a permissions policy, the log group ARN,
        the role) and what it is."""
        role = trail.role
        assert role is not None
        if kind in _TRUST and role.trust and role.trust[0].location:
            return role.trust[0].location, "trust policy"
        if kind in _ACTIONS:
            written = next((p for p in role.permissions if p.location), None)
            if written is not None:
                return written.location, f"permissions policy {written.name}"
        if kind == "account-mismatch" and trail.log_group_arn.location:
            return trail.log_group_arn.location, "log group ARN value"
        return delivery_role_at(trail)
