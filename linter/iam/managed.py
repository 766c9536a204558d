"""AWS managed policies by ARN: the few whose effect on CloudWatch Logs delivery is known.

Each entry keeps only the statements of the published policy document that can grant or deny
``logs:`` actions (the rest cannot matter to CloudTrail's delivery role), with where the document
was read. Any other managed policy ARN gives an unknown document whose reason names it. ARNs are
matched in every partition (``aws``, ``aws-cn``, ``aws-us-gov``, or a partition not known yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from .match import has_unknown
from .policy import PolicyDocument, parse_policy, unknown_document

_REFERENCE = "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/"

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@dataclass(frozen=True)
class ManagedPolicy:
    """One AWS managed policy: its path, the statements that concern CloudWatch Logs, and the source."""

    name: str
    path: str
    statements: tuple[dict, ...]
    source: str

    @property
    def grants_delivery(self) -> bool:
        """Whether the policy is in the table because it grants both delivery actions on all log groups."""
        return self.name in _DELIVERING


def _allow(actions: list[str], resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


# Read from the AWS Managed Policy Reference (docs.aws.amazon.com/aws-managed-policy) and, for the
# documents marked "get-policy-version", from the default version as IAM returns it (mirrored by
# github.com/zoph-io/MAMIP, policies/<name>). Only the statements that can concern logs: are kept.
_TABLE = (
    ManagedPolicy("AdministratorAccess", "", (_allow(["*"]),),
                  "get-policy-version AdministratorAccess v1"),
    ManagedPolicy("PowerUserAccess", "",
                  ({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},),
                  _REFERENCE + "PowerUserAccess.html"),
    ManagedPolicy("CloudWatchLogsFullAccess", "", (_allow(["logs:*"]),),
                  "get-policy-version CloudWatchLogsFullAccess v3"),
    ManagedPolicy("CloudWatchFullAccess", "", (_allow(["logs:*"]),),
                  "get-policy-version CloudWatchFullAccess v4"),
    ManagedPolicy("CloudWatchAgentServerPolicy", "",
                  (_allow(["logs:PutLogEvents", "logs:PutRetentionPolicy", "logs:DescribeLogStreams",
                           "logs:DescribeLogGroups", "logs:CreateLogStream", "logs:CreateLogGroup"]),),
                  "get-policy-version CloudWatchAgentServerPolicy v3"),
    ManagedPolicy("AWSLambdaBasicExecutionRole", "service-role/",
                  (_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),),
                  _REFERENCE + "AWSLambdaBasicExecutionRole.html"),
    ManagedPolicy("AWSLambdaVPCAccessExecutionRole", "service-role/",
                  (_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),),
                  "get-policy-version AWSLambdaVPCAccessExecutionRole v3"),
    ManagedPolicy("AmazonAPIGatewayPushToCloudWatchLogs", "service-role/",
                  (_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                           "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:GetLogEvents",
                           "logs:FilterLogEvents"]),),
                  _REFERENCE + "AmazonAPIGatewayPushToCloudWatchLogs.html"),
    ManagedPolicy("AWSAppSyncPushToCloudWatchLogs", "service-role/",
                  (_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]),),
                  _REFERENCE + "AWSAppSyncPushToCloudWatchLogs.html"),
    ManagedPolicy("AmazonECSTaskExecutionRolePolicy", "service-role/",
                  (_allow(["logs:CreateLogStream", "logs:PutLogEvents"]),),
                  "get-policy-version AmazonECSTaskExecutionRolePolicy v1"),
    # Known NOT to be enough: CloudTrail's own full-access policy may only create log groups named
    # aws-cloudtrail-logs*, and the read-only logs policy writes nothing.
    ManagedPolicy("AWSCloudTrail_FullAccess", "",
                  (_allow(["logs:CreateLogGroup"], "arn:*:logs:*:*:log-group:aws-cloudtrail-logs*"),),
                  "get-policy-version AWSCloudTrail_FullAccess v3"),
    ManagedPolicy("CloudWatchLogsReadOnlyAccess", "",
                  (_allow(["logs:Describe*", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery",
                           "logs:TestMetricFilter", "logs:FilterLogEvents", "logs:StartLiveTail",
                           "logs:StopLiveTail"]),),
                  _REFERENCE + "CloudWatchLogsReadOnlyAccess.html"),
)

_DELIVERING = frozenset(p.name for p in _TABLE if p.name not in ("AWSCloudTrail_FullAccess",
                                                                  "CloudWatchLogsReadOnlyAccess"))
_BY_PATH = {p.path + p.name: p for p in _TABLE}
MANAGED_POLICIES = tuple(_TABLE)


def split_managed_arn(arn: str) -> tuple[str, str] | None:
    """(partition, path/name) of an AWS managed policy ARN ``arn:P:iam::aws:policy/PATH/NAME``, else None."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "iam" or parts[3] != "" or parts[4] != "aws":
        return None
    if not parts[5].startswith("policy/"):
        return None
    return parts[1], parts[5][len("policy/"):]


def lookup(arn: str) -> ManagedPolicy | None:
    """The table entry for an AWS managed policy ARN (any partition), or None."""
    split = split_managed_arn(arn)
    if split is None:
        return None
    partition, name = split
    if partition not in PARTITIONS and not (partition and has_unknown(partition) and ":" not in partition):
        return None
    return _BY_PATH.get(name)


def is_policy_arn(text: str) -> bool:
    """Whether ``text`` looks like an IAM policy ARN (managed by AWS or by a customer)."""
    parts = text.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[5].startswith("policy/")


def managed_policy(arn: str) -> PolicyDocument:
    """The policy document for a managed policy ARN: from the table, or unknown with a reason naming it."""
    entry = lookup(arn)
    if entry is not None:
        return parse_policy({"Version": "2012-10-17", "Statement": list(entry.statements)}, f"AWS managed policy "
                            f"{entry.name}")
    if has_unknown(arn):
        return unknown_document("a managed policy", "its ARN is not known before deployment")
    split = split_managed_arn(arn)
    if split is not None:
        return unknown_document(f"AWS managed policy {split[1]}",
                                "its permissions are not in the linter's table of AWS managed policies")
    if is_policy_arn(arn):
        return unknown_document(f"policy {arn}", "it is not defined in the scanned code")
    return unknown_document(f"policy {arn}", "it is not a policy ARN")
