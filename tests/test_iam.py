"""IAM policy evaluation for CTL007: patterns, documents, decisions, the delivery check, AWS managed
policies and Terraform's aws_iam_policy_document, on plain data (no front-end involved)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from cloudtrail_lint.iam.accounts import account_of, accounts_differ, check_accounts, parse_log_group_arn, show
from cloudtrail_lint.iam.delivery import ACCOUNT, DeliveryResult, check_delivery
from cloudtrail_lint.iam.evaluate import ABSENT, Access, Request, Target, condition_holds, evaluate
from cloudtrail_lint.iam.managed import MANAGED_POLICIES, lookup, managed_policy
from cloudtrail_lint.iam.match import (
    MAX_TOKENS,
    action_pattern,
    contextualize,
    covers,
    literal,
    matches,
    resource_pattern,
    symbol,
    touches,
    with_streams,
)
from cloudtrail_lint.iam.policy import Condition, PolicyDocument, parse_policy
from cloudtrail_lint.iam.tfdoc import terraform_policy_document
from cloudtrail_lint.model import UNKNOWN_ANY, UNKNOWN_SEGMENT
from cloudtrail_lint.resolver.common import Unknown
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import REPO

S = UNKNOWN_SEGMENT
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/org"
#: How the Terraform and CloudFormation resolvers rebuild a log group's ARN (partition, region and
#: account known only at deployment).
COMPUTED_GROUP = f"arn:{S}:logs:{S}:{S}:log-group:/aws/cloudtrail/org"

TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}


def allow(resource, actions=("logs:CreateLogStream", "logs:PutLogEvents"), **extra) -> dict:
    return {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource, **extra}]}


def deliver(*permissions, group=GROUP, trust=TRUST, **kwargs) -> DeliveryResult:
    return check_delivery(trust, list(permissions), group + ":*", **kwargs)


# The two policies AWS documents for the CloudTrail role, as published in the AWS CloudTrail User
# Guide, "Role policy document for CloudTrail to use CloudWatch Logs for monitoring"
# (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html,
# linked from "Sending events to CloudWatch Logs"), with the placeholders filled in as the console does:
# CloudTrail_log_stream_name_prefix is <account>_CloudTrail_<region>, the name CloudTrail gives its
# streams ("CloudWatch log group and log stream naming for CloudTrail": account_ID_CloudTrail_source_region).
DOC_DEFAULT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AWSCloudTrailCreateLogStream2014110", "Effect": "Allow", "Action": ["logs:CreateLogStream"],
         "Resource": ["arn:aws:logs:us-east-2:111122223333:log-group:log_group_name:log-stream:"
                      "111122223333_CloudTrail_us-east-2*"]},
        {"Sid": "AWSCloudTrailPutLogEvents20141101", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
         "Resource": ["arn:aws:logs:us-east-2:111122223333:log-group:log_group_name:log-stream:"
                      "111122223333_CloudTrail_us-east-2*"]},
    ],
}
DOC_DEFAULT_GROUP = "arn:aws:logs:us-east-2:111122223333:log-group:log_group_name"
# Same page: the variant for trails that may be organization trails of organization o-exampleorgid.
_ORG_RESOURCES = [
    "arn:aws:logs:us-east-2:111111111111:log-group:log_group_name:log-stream:111111111111_CloudTrail_us-east-2*",
    "arn:aws:logs:us-east-2:111111111111:log-group:log_group_name:log-stream:o-exampleorgid_*",
]
DOC_ORGANIZATION = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "AWSCloudTrailCreateLogStream20141101", "Effect": "Allow", "Action": ["logs:CreateLogStream"],
         "Resource": _ORG_RESOURCES},
        {"Sid": "AWSCloudTrailPutLogEvents20141101", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
         "Resource": _ORG_RESOURCES},
    ],
}
DOC_ORGANIZATION_GROUP = "arn:aws:logs:us-east-2:111111111111:log-group:log_group_name"


# --- patterns -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "expected"), [
    ("logs:PutLogEvents", True), ("logs:putlogevents", True), ("LOGS:PutLogEvents", True),
    ("logs:*", True), ("logs:Put*", True), ("*", True), ("logs:Put?ogEvents", True), ("*:PutLogEvents", True),
    ("logs:Create*", False), ("logs:PutLogEvent", False), ("s3:*", False), ("logs:PutLogEvents?", False),
])
def test_action_matching_is_case_insensitive_with_wildcards(pattern: str, expected: bool) -> None:
    assert matches(action_pattern(pattern), literal("logs:putlogevents", fold=True)) is expected


STREAMS = with_streams(literal(f"{GROUP}:log-stream:123456789012_CloudTrail_us-east-1"))


@pytest.mark.parametrize(("resource", "expected"), [
    ("*", True),
    ("arn:aws:logs:*:*:*", True),
    ("arn:aws:logs:*", True),
    (f"{GROUP}:*", True),
    (f"{GROUP}:log-stream:*", True),
    (f"{GROUP}*", True),
    ("arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:*", True),
    ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/*", True),
    (f"{GROUP}:log-stream:123456789012_CloudTrail_us-east-1*", True),
    (f"{GROUP}:log-stream:123456789012_CloudTrail_*", True),
    # Not every stream CloudTrail creates: an exact name, another account's prefix.
    (f"{GROUP}:log-stream:123456789012_CloudTrail_us-east-1", False),
    (f"{GROUP}:log-stream:999999999999_CloudTrail_us-east-1*", False),
    (GROUP, False),  # the bare group: accepted by IAM, delivery fails (cloudposse/terraform-aws-cloudwatch-logs#37)
    ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/other:*", False),
    ("arn:aws:logs:*:*:log-group:/AWS/CloudTrail/*:*", False),  # ARNs match case-sensitively
    ("arn:aws-cn:logs:*:*:*", False),
    ("arn:aws:s3:::*", False),
])
def test_resource_covers_every_stream_cloudtrail_writes(resource: str, expected: bool) -> None:
    assert covers(resource_pattern(resource), STREAMS) is expected


def test_a_star_crosses_colons_only_at_the_end_of_a_segment() -> None:
    # IAM User Guide, "IAM JSON policy elements: Resource": a * that is the last character of a segment
    # may match beyond colon boundaries.
    assert matches(resource_pattern("a:x*:c"), literal("a:x1:2:c")) is True
    assert matches(resource_pattern("a:x*y:c"), literal("a:x1:2y:c")) is False
    assert matches(resource_pattern("a:x*y:c"), literal("a:x12y:c")) is True
    assert matches(resource_pattern("a:?:c"), literal("a:::c")) is False


def test_unknown_parts_of_the_target() -> None:
    target = with_streams(literal(f"{COMPUTED_GROUP}:log-stream:{S}_CloudTrail_{S}"))
    # A wildcard over an unknown part covers it.
    assert covers(resource_pattern("arn:*:logs:*:*:log-group:/aws/cloudtrail/org:*"), target) is True
    assert covers(resource_pattern("*"), target) is True
    # A literal that differs from a known part does not.
    assert covers(resource_pattern("arn:*:logs:*:*:log-group:/aws/cloudtrail/other:*"), target) is False
    assert covers(resource_pattern("arn:*:s3:*:*:log-group:/aws/cloudtrail/org:*"), target) is False
    # A literal compared with an unknown part cannot be decided.
    assert covers(resource_pattern("arn:aws:logs:us-east-1:*:log-group:/aws/cloudtrail/org:*"), target) is None


def test_unknown_parts_of_the_pattern() -> None:
    assert covers(resource_pattern(f"arn:aws:logs:*:*:log-group:{UNKNOWN_ANY}"), STREAMS) is None
    assert covers(resource_pattern(f"arn:aws:logs:*:*:log-group:{S}:*"), STREAMS) is None
    assert covers(resource_pattern(f"arn:aws:logs:*:*:log-group:/other/{S}:*"), STREAMS) is False
    # A placeholder without '*' cannot stand for every stream name.
    assert covers(resource_pattern(f"{GROUP}:log-stream:{S}"), STREAMS) is False
    assert covers(resource_pattern(f"{GROUP}:log-stream:{UNKNOWN_ANY}"), STREAMS) is None


def test_symbols_are_equal_only_to_themselves() -> None:
    account = symbol("account")
    assert matches(literal(f"x{account}y"), literal(f"x{account}y")) is True
    assert matches(literal(f"x{account}y"), literal("x123y")) is None
    assert matches(literal(f"x{account}y"), literal(f"x{symbol('other')}y")) is None
    assert matches(literal("x1y"), literal("x2y")) is False


def test_touches_asks_for_some_stream_and_covers_for_every_one() -> None:
    narrow = resource_pattern(f"{GROUP}:log-stream:123456789012_CloudTrail_us-east-1_2")
    assert covers(narrow, STREAMS) is False
    assert touches(narrow, STREAMS) is True
    assert touches(resource_pattern(f"{GROUP}:log-stream:other"), STREAMS) is False


def test_contextualize_names_the_deployments_fields() -> None:
    assert contextualize(COMPUTED_GROUP) == (f"arn:{symbol('partition')}:logs:{symbol('region')}:"
                                             f"{symbol('account')}:log-group:/aws/cloudtrail/org")
    assert contextualize(COMPUTED_GROUP, "aws", "eu-west-1", "123456789012") == \
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/org"
    assert contextualize(f"arn:aws:logs:{S}x:1:log-group:{S}") == f"arn:aws:logs:{S}x:1:log-group:{S}"
    assert contextualize("not-an-arn") == "not-an-arn"


def test_policy_variables_in_2012_10_17_documents() -> None:
    assert matches(resource_pattern("arn:aws:s3:::b/${aws:username}/x"), literal("arn:aws:s3:::b/bob/x")) is None
    assert matches(resource_pattern("arn:aws:s3:::b/${*}"), literal("arn:aws:s3:::b/*")) is True
    assert matches(resource_pattern("arn:aws:s3:::b/${*}"), literal("arn:aws:s3:::b/x")) is False
    assert matches(resource_pattern("a${x}b", variables=False), literal("a${x}b")) is True


def test_long_values_are_not_matched() -> None:
    long = "a" * (MAX_TOKENS + 1)
    assert matches(resource_pattern(long), literal(long)) is None


# --- documents ------------------------------------------------------------------------------------

def test_statement_as_a_dict_or_a_list_and_from_json_text() -> None:
    single = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}}
    doc = parse_policy(single)
    assert doc.unknown == ""
    assert [s.actions for s in doc.statements] == [("logs:*",)]
    assert parse_policy(json.dumps(single)).statements == doc.statements
    heredoc = "  \n" + json.dumps(single, indent=4) + "\n"  # Terraform <<EOF ... EOF keeps the newlines
    assert parse_policy(heredoc).statements == doc.statements


def test_jsonencode_text_with_unknown_parts() -> None:
    # The Terraform resolver's jsonencode() writes unknown values as the UNKNOWN_ANY placeholder.
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "logs:*", "Resource": f"{UNKNOWN_ANY}:*"}]}, separators=(",", ":"))
    assert "\\u0000" in text
    doc = parse_policy(text)
    assert doc.statements[0].resources == (f"{UNKNOWN_ANY}:*",)
    raw = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "\x01"}]}'
    assert parse_policy(raw).statements[0].resources == (S,)


def test_heredoc_with_an_unknown_value_outside_strings_is_unknown() -> None:
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": \x00, "Resource": "*"}]}'
    doc = parse_policy(text, "aws_iam_role_policy.x")
    assert doc.unknown == "part of the policy text is not known before deployment"
    assert doc.name == "aws_iam_role_policy.x"


def test_unknown_values_become_placeholders_or_unknown_documents() -> None:
    gone = Unknown("the value comes from data.aws_iam_policy.x (read from AWS at plan time)")
    assert parse_policy(gone).unknown.endswith("(the value comes from data.aws_iam_policy.x (read from AWS "
                                               "at plan time))")
    doc = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Effect": gone, "Action": ["logs:*", gone], "Resource": gone}]})
    stmt = doc.statements[0]
    assert (stmt.effect, stmt.actions, stmt.resources) == (None, ("logs:*", UNKNOWN_ANY), (UNKNOWN_ANY,))

    class Marker:
        reason = "custom"

    assert parse_policy(Marker(), unknown=lambda v: isinstance(v, Marker)).unknown.endswith("(custom)")


@pytest.mark.parametrize(("value", "reason"), [
    (None, "the policy is not set"),
    ("", "the policy text is empty"),
    ("{not json", "the policy text is not valid JSON: Expecting property name enclosed in double quotes"
                  " (line 1 of the policy text)"),
    ("[]", "the policy is a list, not an object"),
    ({"Version": "2012-10-17"}, "the policy has no Statement"),
    ({"Version": "2013-01-01", "Statement": []}, "the policy Version '2013-01-01' is not one IAM accepts"
                                                 " (2012-10-17, 2008-10-17)"),
    ({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]},
     "statement 1 has the Effect 'allow'; IAM accepts only Allow and Deny"),
    ({"Statement": [{"Action": "*", "Resource": "*"}]}, "statement 1 has no Effect"),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}]},
     "statement 1 has both Action and NotAction"),
    ({"Statement": [{"Effect": "Allow", "Resource": "*"}]}, "statement 1 has neither Action nor NotAction"),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resources": "*"}]},
     "statement 1 has the element 'Resources', which IAM does not accept"),
    ({"Statement": ["Allow"]}, "statement 1 is a str, not an object"),
    ({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}, "statement 1 Action is an empty list"),
    ({"Statement": [{"Effect": "Allow", "Action": [{"x": 1}], "Resource": "*"}]},
     "statement 1 Action holds a dict, not a string"),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Principal": "cloudtrail.amazonaws.com"}]},
     'statement 1 Principal is the string "cloudtrail.amazonaws.com"; only "*" may be given without a type'),
    ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": "x"}]},
     "Condition must be an object of operators"),
])
def test_documents_iam_rejects_are_unknown_with_a_reason(value, reason: str) -> None:
    assert parse_policy(value).unknown == reason


def test_deeply_nested_json_is_unknown_not_a_crash() -> None:
    text = '{"Version": "2012-10-17", "Statement": ' + "[" * 100_000 + "]" * 100_000 + "}"
    assert parse_policy(text).unknown


def test_principals_and_conditions_are_read() -> None:
    doc = parse_policy({"Version": "2012-10-17", "Statement": [
        {"Sid": "A", "Effect": "Allow", "Principal": {"Service": ["cloudtrail.amazonaws.com", "x.amazonaws.com"],
                                                       "AWS": "arn:aws:iam::123456789012:root"},
         "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                                                    "Bool": {"aws:SecureTransport": True}}},
        {"Effect": "Deny", "NotPrincipal": "*", "NotAction": "sts:*"},
    ]})
    first, second = doc.statements
    assert first.label == 'statement "A"' and second.label == "statement 2"
    assert first.principal.entries == (("Service", ("cloudtrail.amazonaws.com", "x.amazonaws.com")),
                                       ("AWS", ("arn:aws:iam::123456789012:root",)))
    assert first.conditions == (Condition("StringEquals", "aws:SourceAccount", ("123456789012",)),
                                Condition("Bool", "aws:SecureTransport", ("true",)))
    assert second.not_principal.everyone and second.not_actions == ("sts:*",)


# --- decisions ------------------------------------------------------------------------------------

def _request(action: str = "logs:PutLogEvents", group: str = GROUP) -> Request:
    own = literal(f"{group}:log-stream:123456789012_CloudTrail_us-east-1")
    context = {"aws:sourcearn": ABSENT, "aws:sourceaccount": ABSENT}
    return Request(action, target=Target(with_streams(own), own, "the streams", literal(group)), context=context)


def _decide(*statements: dict, action: str = "logs:PutLogEvents") -> Access:
    doc = parse_policy({"Version": "2012-10-17", "Statement": list(statements)})
    return evaluate([doc], _request(action)).access


ALLOW_ALL = {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}


def test_explicit_deny_wins() -> None:
    assert _decide(ALLOW_ALL) is Access.ALLOWED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:Put*", "Resource": f"{GROUP}:*"}) is Access.DENIED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "*", "Resource": "*"}) is Access.DENIED
    # A Deny on something else does not matter.
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:DeleteLogGroup", "Resource": "*"}) is Access.ALLOWED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:log-group:x:*"}) \
        is Access.ALLOWED
    # A Deny that may or may not reach the streams leaves the answer open.
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:*", "Resource": f"{GROUP}:log-stream:x*"}) \
        is Access.ALLOWED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:*", "Resource": f"arn:aws:logs:{S}:*"}) \
        is Access.UNKNOWN


def test_not_action_and_not_resource() -> None:
    # PowerUserAccess-style: everything except IAM.
    assert _decide({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}) is Access.ALLOWED
    assert _decide({"Effect": "Allow", "NotAction": "logs:*", "Resource": "*"}) is Access.NOT_ALLOWED
    assert _decide({"Effect": "Allow", "Action": "logs:*", "NotResource": "arn:aws:s3:::*"}) is Access.ALLOWED
    assert _decide({"Effect": "Allow", "Action": "logs:*", "NotResource": f"{GROUP}:*"}) is Access.NOT_ALLOWED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:*", "NotResource": f"{GROUP}:*"}) is Access.ALLOWED
    assert _decide(ALLOW_ALL, {"Effect": "Deny", "Action": "logs:*", "NotResource": "arn:aws:s3:::*"}) \
        is Access.DENIED


def test_each_action_is_checked_on_its_own() -> None:
    only_create = {"Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": "*"}
    assert _decide(only_create, action="logs:CreateLogStream") is Access.ALLOWED
    assert _decide(only_create, action="logs:PutLogEvents") is Access.NOT_ALLOWED


def test_resources_together_may_cover_what_none_covers_alone() -> None:
    exact = f"{GROUP}:log-stream:123456789012_CloudTrail_us-east-1"
    assert _decide({"Effect": "Allow", "Action": "logs:*", "Resource": [exact, exact + "?*"]}) is Access.UNKNOWN
    assert _decide({"Effect": "Allow", "Action": "logs:*", "Resource": [exact]}) is Access.NOT_ALLOWED


def test_conditions_on_keys_cloudtrail_does_not_send_fail_in_the_role_policy() -> None:
    # "The role policy doesn't support the use of aws:SourceArn and aws:SourceAccount" (CloudTrail User Guide).
    cond = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert _decide({**ALLOW_ALL, "Condition": cond}) is Access.NOT_ALLOWED
    assert _decide({**ALLOW_ALL, "Condition": {"StringEqualsIfExists": {"aws:SourceAccount": "1"}}}) is Access.ALLOWED
    assert _decide({**ALLOW_ALL, "Condition": {"Null": {"aws:SourceArn": "true"}}}) is Access.ALLOWED
    assert _decide({**ALLOW_ALL, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}) is Access.UNKNOWN


def test_unknown_documents_may_allow_but_are_not_assumed_to_deny() -> None:
    known = parse_policy({"Version": "2012-10-17", "Statement": [ALLOW_ALL]})
    unknown = PolicyDocument(name="aws_iam_policy.x", unknown="the policy is not known")
    assert evaluate([known, unknown], _request()).access is Access.ALLOWED
    decision = evaluate([unknown], _request())
    assert decision.access is Access.UNKNOWN
    assert decision.reason == "aws_iam_policy.x cannot be evaluated: the policy is not known"


TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org"


def _holds(operator: str, key: str, *values: str, context=None):
    ctx = {"aws:sourcearn": TRAIL_ARN, "aws:sourceaccount": "123456789012"} if context is None else context
    request = Request("sts:AssumeRole", context=ctx)
    return condition_holds(Condition(operator, key, values), request, True)[0]


@pytest.mark.parametrize(("operator", "key", "values", "expected"), [
    ("StringEquals", "aws:SourceAccount", ("123456789012",), True),
    ("StringEquals", "aws:SourceAccount", ("111111111111", "123456789012"), True),
    ("StringEquals", "aws:SourceAccount", ("111111111111",), False),
    ("StringEquals", "AWS:SOURCEACCOUNT", ("123456789012",), True),  # keys are case-insensitive
    ("StringNotEquals", "aws:SourceAccount", ("111111111111",), True),
    ("StringLike", "aws:SourceArn", ("arn:aws:cloudtrail:*:123456789012:trail/*",), True),
    ("StringLike", "aws:SourceArn", ("arn:aws:cloudtrail:*:123456789012:trail/other",), False),
    ("StringEqualsIgnoreCase", "aws:SourceArn", ("ARN:AWS:CLOUDTRAIL:US-EAST-1:123456789012:TRAIL/ORG",), True),
    ("ArnEquals", "aws:SourceArn", (TRAIL_ARN,), True),
    ("ArnLike", "aws:SourceArn", ("arn:aws:cloudtrail:*:123456789012:trail/*",), True),
    ("ArnLike", "aws:SourceArn", ("arn:aws:cloudtrail:*:111111111111:trail/*",), False),
    ("ArnLike", "aws:SourceArn", ("arn:aws:cloudtrail:us-*:123456789012:*",), True),
    ("ArnNotLike", "aws:SourceArn", ("arn:aws:cloudtrail:*:*:trail/org",), False),
    ("ArnLikeIfExists", "aws:SourceArn", ("arn:aws:cloudtrail:*:*:trail/org",), True),
    ("ForAnyValue:StringEquals", "aws:SourceAccount", ("123456789012",), True),
    ("ForAllValues:StringLike", "aws:SourceAccount", ("1*",), True),
    ("Null", "aws:SourceArn", ("false",), True),
    ("Null", "aws:SourceArn", ("true",), False),
    ("StringEquals", "aws:SourceAccount", (UNKNOWN_ANY,), None),
    ("StringEquals", "sts:ExternalId", ("x",), None),
    ("DateGreaterThan", "aws:SourceAccount", ("1",), None),
])
def test_condition_operators(operator: str, key: str, values: tuple, expected) -> None:
    assert _holds(operator, key, *values) is expected


@pytest.mark.parametrize(("operator", "expected"), [
    ("StringEquals", False), ("StringNotEquals", True), ("StringEqualsIfExists", True), ("ArnNotLike", True),
    ("ForAnyValue:StringEquals", False), ("ForAllValues:StringEquals", True), ("Null", True),
])
def test_conditions_on_absent_keys(operator: str, expected: bool) -> None:
    assert _holds(operator, "aws:SourceArn", "true" if operator == "Null" else "x",
                  context={"aws:sourcearn": ABSENT}) is expected


# --- the delivery check ---------------------------------------------------------------------------

def test_the_default_aws_documented_policy_passes() -> None:
    assert deliver(DOC_DEFAULT, group=DOC_DEFAULT_GROUP).passed
    # ... and covers what CloudTrail creates for the account and region it names, no other.
    result = deliver(DOC_DEFAULT, group=DOC_DEFAULT_GROUP.replace("us-east-2", "eu-west-1"))
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")


def test_the_organization_trail_variant_passes() -> None:
    assert deliver(DOC_ORGANIZATION, group=DOC_ORGANIZATION_GROUP).passed
    assert deliver(DOC_ORGANIZATION, group=DOC_ORGANIZATION_GROUP, organization_trail=True,
                   organization_id="o-exampleorgid").passed
    # The organization's id is not known to the linter: the one the policy names is taken.
    assert deliver(DOC_ORGANIZATION, group=DOC_ORGANIZATION_GROUP, organization_trail=True).passed
    # When it differs from the organization's, the member accounts' streams are not covered.
    result = deliver(DOC_ORGANIZATION, group=DOC_ORGANIZATION_GROUP, organization_trail=True,
                     organization_id="o-0123456789")
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    # With no id in the policies, a literal prefix cannot be compared with the organization's streams.
    other = allow([f"{DOC_ORGANIZATION_GROUP}:log-stream:111111111111_CloudTrail_us-east-2*",
                   f"{DOC_ORGANIZATION_GROUP}:log-stream:o-abcdefghij*"])
    result = deliver(other, group=DOC_ORGANIZATION_GROUP, organization_trail=True)
    assert result.failures == () and [u.check for u in result.undecided] == ["create-log-stream", "put-log-events"]
    # The default policy does not cover member accounts' streams, which an organization trail writes.
    result = deliver(DOC_DEFAULT, group=DOC_DEFAULT_GROUP, organization_trail=True, organization_id="o-abc1234567")
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    assert "the organization's log streams" in result.failures[0].message
    result = deliver(DOC_DEFAULT, group=DOC_DEFAULT_GROUP, organization_trail=None)
    assert result.failures == () and "whether the trail is one is not known" in result.undecided[0].reason


@pytest.mark.parametrize("resource", [
    f"{GROUP}:*", f"{GROUP}:log-stream:*", "arn:aws:logs:*:*:*", "*", "arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:*",
])
def test_policies_on_the_groups_streams_pass(resource: str) -> None:
    assert deliver(allow(resource)).passed


def test_a_policy_on_another_group_fails() -> None:
    other = "arn:aws:logs:us-east-1:123456789012:log-group:OTHER:*"
    result = deliver(allow(other))
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    assert result.failures[1].message == (
        "no statement of the role's permissions policies allows logs:PutLogEvents on the log streams of "
        f"{GROUP}; it is allowed only on {other}")


def test_the_bare_group_arn_fails_with_the_fix() -> None:
    result = deliver(allow(GROUP))
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    assert result.failures[0].message == (
        "no statement of the role's permissions policies allows logs:CreateLogStream on the log streams of "
        f"{GROUP}: {GROUP} names the log group itself, but CloudTrail writes to its log streams (use {GROUP}:*)")


def test_arns_the_resolvers_rebuild_compare_equal() -> None:
    # Terraform: resources = ["${aws_cloudwatch_log_group.trail.arn}:*"] with the group the trail uses.
    assert deliver(allow(f"{COMPUTED_GROUP}:*"), group=COMPUTED_GROUP).passed
    assert deliver(allow(f"{COMPUTED_GROUP}:log-stream:*"), group=COMPUTED_GROUP).passed
    assert deliver(allow(f"arn:{S}:logs:{S}:{S}:log-group:/aws/cloudtrail/other:*"),
                   group=COMPUTED_GROUP).kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    # A literal partition against the deployment's one is decided once the partition is known.
    policy = allow("arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:*")
    result = deliver(policy, group=COMPUTED_GROUP)
    assert result.failures == () and len(result.undecided) == 2
    assert "whether the Resource arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:* of statement 1 in permissions " \
           "policy 1 covers them cannot be told" in result.undecided[0].reason
    assert deliver(policy, group=COMPUTED_GROUP, partition="aws").passed
    assert deliver(policy, group=COMPUTED_GROUP, partition="aws-cn").kinds == (
        "create-log-stream-not-allowed", "put-log-events-not-allowed")


def test_a_generated_group_name_compares_through_a_symbol() -> None:
    # CloudFormation without LogGroupName: the name is generated; the resolver can name it with a symbol.
    group = f"arn:{S}:logs:{S}:{S}:log-group:{symbol('TrailLogGroup')}"
    assert deliver(allow(f"{group}:*"), group=group).passed
    plain = f"arn:{S}:logs:{S}:{S}:log-group:{S}"
    assert len(deliver(allow(f"{plain}:*"), group=plain).undecided) == 2


@pytest.mark.parametrize(("trust", "kind"), [
    ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
     "trust-missing-service"),
    ({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                     "Action": "sts:AssumeRole"}]}, "trust-missing-service"),
    ({"Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                     "Action": "sts:TagSession"}]}, "trust-missing-assume-role"),
    ({"Statement": [TRUST["Statement"][0],
                    {"Effect": "Deny", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:*"}]},
     "trust-denied"),
    ({"Statement": [{**TRUST["Statement"][0],
                     "Condition": {"StringEquals": {"aws:SourceAccount": "111111111111"}}}]},
     "trust-condition-excludes-trail"),
    ({"Statement": [{**TRUST["Statement"][0],
                     "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/other"}}}]},
     "trust-condition-excludes-trail"),
])
def test_trust_failures(trust: dict, kind: str) -> None:
    result = deliver(allow("*"), trust={"Version": "2012-10-17", **trust}, trail_arn=TRAIL_ARN)
    assert result.kinds == (kind,)


@pytest.mark.parametrize("trust", [
    {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]},
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com", "CloudTrail.amazonaws.com"]},
                    "Action": ["sts:AssumeRole*"]}]},
    {"Statement": [{**TRUST["Statement"][0], "Condition": {
        "StringEquals": {"aws:SourceAccount": "123456789012"},
        "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:123456789012:trail/*"}}}]},
    {"Statement": [{"Effect": "Allow", "NotPrincipal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:*"}]},
])
def test_trust_policies_that_let_cloudtrail_in(trust: dict) -> None:
    assert deliver(allow("*"), trust={"Version": "2012-10-17", **trust}, trail_arn=TRAIL_ARN).passed


def test_trust_conditions_that_cannot_be_decided() -> None:
    trust = {"Version": "2012-10-17", "Statement": [
        {**TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}
    # The trail's account is the deployment's, not known: the condition may or may not hold.
    result = deliver(allow("*"), trust=trust)
    assert result.failures == ()
    assert result.undecided[0].check == "trust"
    assert "aws:SourceAccount cannot be decided" in result.undecided[0].reason
    assert deliver(allow("*"), trust=trust, account="123456789012").passed
    # A condition on the deployment's own account (data.aws_caller_identity, AWS::AccountId) holds.
    own = {"Version": "2012-10-17", "Statement": [
        {**TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": S},
                                                "ArnLike": {"aws:SourceArn": f"arn:{S}:cloudtrail:{S}:{S}:trail/*"}}}]}
    assert deliver(allow("*"), trust=own).passed


def test_unknown_trust_and_permissions_are_undecided() -> None:
    gone = Unknown("aws_iam_role.x.assume_role_policy comes from a module output that is not known")
    result = check_delivery(gone, [gone], GROUP + ":*")
    assert result.failures == ()
    assert [u.check for u in result.undecided] == ["trust", "create-log-stream", "put-log-events"]
    assert result.undecided[1].reason.endswith("permissions policy 1 cannot be evaluated: the policy is not known "
                                               "before deployment (aws_iam_role.x.assume_role_policy comes from a "
                                               "module output that is not known)")


def test_denied_and_missing_actions() -> None:
    result = deliver(allow("*"), {"Version": "2012-10-17", "Statement": [
        {"Sid": "NoWrites", "Effect": "Deny", "Action": "logs:PutLogEvents", "Resource": "*"}]})
    assert result.kinds == ("put-log-events-denied",)
    assert result.failures[0].message == (
        f'statement "NoWrites" in permissions policy 2 denies it: logs:PutLogEvents on the log streams of {GROUP}')
    assert deliver(allow("*", ["logs:CreateLogStream"])).kinds == ("put-log-events-not-allowed",)
    assert deliver(allow("*", ["logs:PutLogEvents"])).kinds == ("create-log-stream-not-allowed",)


def test_a_role_without_permissions_policies() -> None:
    result = check_delivery(TRUST, [], GROUP + ":*")
    assert result.kinds == ("no-permissions-policy",)


def test_the_log_group_arn_must_be_known() -> None:
    result = check_delivery(TRUST, [allow("*")], UNKNOWN_ANY)
    assert result.undecided[0].check == "log-group"
    assert result.undecided[0].reason == "the log group ARN <unknown> is not known well enough to compare"
    assert check_delivery(TRUST, [allow("*")], "arn:aws:s3:::bucket").undecided[0].reason == \
        "arn:aws:s3:::bucket is not a log-group ARN"
    assert parse_log_group_arn(f"{GROUP}:*") == parse_log_group_arn(GROUP)
    assert parse_log_group_arn(GROUP).name == "/aws/cloudtrail/org"
    assert parse_log_group_arn(COMPUTED_GROUP, region="eu-west-1").arn == \
        f"arn:{symbol('partition')}:logs:eu-west-1:{symbol('account')}:log-group:/aws/cloudtrail/org"


def test_a_permissions_boundary_limits_the_role() -> None:
    boundary = allow("arn:aws:s3:::*", ["s3:*"])
    result = deliver(allow("*"), permissions_boundary=boundary)
    assert result.kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")
    assert result.failures[0].message.startswith("the permissions boundary does not allow it: logs:CreateLogStream")
    assert deliver(allow("*"), permissions_boundary="arn:aws:iam::aws:policy/AdministratorAccess").passed


def test_account_mismatch() -> None:
    group = "arn:aws:logs:us-east-1:222222222222:log-group:/aws/cloudtrail/org"
    result = deliver(allow("*"), group=group, account="111111111111")
    assert result.kinds == ("account-mismatch",)
    assert result.failures[0].message.startswith("the log group is in account 222222222222 but the trail is in "
                                                 "account 111111111111")
    result = deliver(allow("*"), role_arn="arn:aws:iam::333333333333:role/ct")
    assert result.kinds == ("account-mismatch",)
    assert "the log group is in account 123456789012 and the role in account 333333333333" in \
        result.failures[0].message
    # The deployment's account (a computed ARN) against a literal cannot be decided: no finding.
    assert deliver(allow("*"), group=COMPUTED_GROUP, role_arn="arn:aws:iam::333333333333:role/ct",
                   trail_arn=f"arn:{S}:cloudtrail:{S}:{S}:trail/org").failures == ()
    assert deliver(allow("*"), trail_arn="arn:aws:cloudtrail:us-east-1:123456789012:trail/org").passed


def test_account_helpers() -> None:
    assert account_of("arn:aws:iam::123456789012:role/x") == "123456789012"
    assert account_of(contextualize(COMPUTED_GROUP)) == ACCOUNT
    assert account_of(f"arn:aws:iam::{S}:role/x") is None
    assert account_of("no") is None
    assert accounts_differ("111111111111", "222222222222") is True
    assert accounts_differ(ACCOUNT, ACCOUNT) is False
    assert accounts_differ(ACCOUNT, "222222222222") is None
    assert accounts_differ(None, "222222222222") is None


def test_messages_carry_no_control_characters() -> None:
    group = f"arn:{S}:logs:{S}:{S}:log-group:/aws/\x1b[31m"
    result = check_delivery(TRUST, [allow("arn:aws:logs:*:*:log-group:x\x07:*")], group)
    text = " ".join([f.message for f in result.failures] + [u.reason for u in result.undecided])
    assert text and not any(ord(ch) < 32 for ch in text)
    assert show(f"a{S}b{UNKNOWN_ANY}c{ACCOUNT}\x1b") == "a<?>b<unknown>c<account>?"


# --- AWS managed policies -------------------------------------------------------------------------

DELIVERING = [
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
    "arn:aws:iam::aws:policy/CloudWatchFullAccess",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    "arn:aws:iam::aws:policy/service-role/AWSAppSyncPushToCloudWatchLogs",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
]


@pytest.mark.parametrize("arn", DELIVERING)
@pytest.mark.parametrize("partition", ["aws", "aws-cn", "aws-us-gov", S])
def test_managed_policies_that_grant_delivery(arn: str, partition: str) -> None:
    arn = arn.replace("arn:aws:", f"arn:{partition}:")
    assert lookup(arn) is not None and lookup(arn).grants_delivery
    assert deliver(arn).passed
    assert deliver(arn, group=COMPUTED_GROUP).passed


def test_the_table_lists_every_delivering_policy_tested() -> None:
    assert sorted(p.path + p.name for p in MANAGED_POLICIES if p.grants_delivery) == \
        sorted(a.split("policy/", 1)[1] for a in DELIVERING)


@pytest.mark.parametrize("arn", ["arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess",
                                 "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"])
def test_managed_policies_known_not_to_grant_delivery(arn: str) -> None:
    assert not lookup(arn).grants_delivery
    assert deliver(arn).kinds == ("create-log-stream-not-allowed", "put-log-events-not-allowed")


@pytest.mark.parametrize(("arn", "name", "reason"), [
    ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "AWS managed policy AmazonS3FullAccess",
     "its permissions are not in the linter's table of AWS managed policies"),
    # The real ARN has the service-role/ path; this one does not exist.
    ("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole", "AWS managed policy AWSLambdaBasicExecutionRole",
     "its permissions are not in the linter's table of AWS managed policies"),
    ("arn:aws:iam::123456789012:policy/cloudtrail-logs", "policy arn:aws:iam::123456789012:policy/cloudtrail-logs",
     "it is not defined in the scanned code"),
    (f"arn:aws:iam::aws:policy/{UNKNOWN_ANY}", "a managed policy", "its ARN is not known before deployment"),
    ("arn:aws:iam::aws:role/x", "policy arn:aws:iam::aws:role/x", "it is not a policy ARN"),
])
def test_other_managed_policies_are_unknown(arn: str, name: str, reason: str) -> None:
    doc = managed_policy(arn)
    assert (doc.name, doc.unknown) == (name, reason)
    if "policy/" in arn:
        result = deliver(arn)
        assert result.failures == ()
        assert f"{name} cannot be evaluated: {reason}" in result.undecided[0].reason


def test_lookup_rejects_other_partitions_and_shapes() -> None:
    assert lookup("arn:aws-foo:iam::aws:policy/AdministratorAccess") is None
    assert lookup("arn:aws:iam:us-east-1:aws:policy/AdministratorAccess") is None
    assert lookup("AdministratorAccess") is None


# --- Terraform data "aws_iam_policy_document" ------------------------------------------------------

def test_statements_become_a_document() -> None:
    result = terraform_policy_document({"statement": [
        {"sid": "Write", "actions": ["logs:PutLogEvents", "logs:CreateLogStream"],
         "resources": [f"{GROUP}:*"]},
        {"effect": "Deny", "actions": ["logs:*"], "not_resources": ["arn:aws:s3:::*"]},
    ]})
    assert result.reason == ""
    assert result.document == {"Version": "2012-10-17", "Statement": [
        {"Sid": "Write", "Effect": "Allow", "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
         "Resource": f"{GROUP}:*"},
        {"Effect": "Deny", "Action": "logs:*", "NotResource": "arn:aws:s3:::*"},
    ]}
    assert json.loads(result.json()) == result.document
    assert check_delivery(TRUST, [result.document], GROUP + ":*").kinds == ("create-log-stream-denied",
                                                                             "put-log-events-denied")


def test_principals_and_conditions() -> None:
    result = terraform_policy_document({"statement": [{
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]},
                       {"type": "Service", "identifiers": ["config.amazonaws.com"]}],
        "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
                      {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["210987654321"]},
                      {"test": "ArnLike", "variable": "aws:SourceArn", "values": ["arn:aws:cloudtrail:*:&{x}"]}],
    }, {"actions": ["sts:AssumeRole"], "not_principals": [{"type": "*", "identifiers": ["*"]}]}]})
    first, second = result.document["Statement"]
    assert first["Principal"] == {"Service": ["cloudtrail.amazonaws.com", "config.amazonaws.com"]}
    assert first["Condition"] == {"StringEquals": {"aws:SourceAccount": ["123456789012", "210987654321"]},
                                  "ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:${x}"}}
    assert second["NotPrincipal"] == "*"
    # ${x} is a policy variable: its value is not known, so neither is the condition.
    result = deliver(allow("*"), trust=result.document, trail_arn=TRAIL_ARN)
    assert result.undecided[0].reason == ("statement 1 in the trust policy: the condition ArnLike on aws:SourceArn "
                                          "cannot be decided: the values are not all known")


def test_source_and_override_documents_merge_by_sid() -> None:
    source_a = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Create", "Effect": "Allow", "Action": "logs:CreateLogStream", "Resource": GROUP},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    ]})
    source_b = {"Version": "2012-10-17", "Statement": {"Sid": "Put", "Effect": "Allow",
                                                      "Action": "logs:PutLogEvents", "Resource": GROUP}}
    override = json.dumps({"Statement": [
        {"Sid": "Put", "Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": f"{GROUP}:*"},
        {"Effect": "Deny", "Action": "logs:DeleteLogGroup", "Resource": "*"},
    ]})
    result = terraform_policy_document({
        "source_policy_documents": [source_a, source_b],
        "statement": [{"sid": "Create", "actions": ["logs:CreateLogStream"], "resources": [f"{GROUP}:*"]}],
        "override_policy_documents": [override],
    })
    statements = result.document["Statement"]
    assert [(s.get("Sid"), s["Action"], s["Resource"]) for s in statements] == [
        ("Create", "logs:CreateLogStream", f"{GROUP}:*"),   # the statement block replaced source_a's in place
        (None, "s3:GetObject", "*"),
        ("Put", "logs:PutLogEvents", f"{GROUP}:*"),         # the override replaced source_b's in place
        (None, "logs:DeleteLogGroup", "*"),                 # no sid: appended
    ]
    assert check_delivery(TRUST, [result.document], GROUP + ":*").passed
    without = terraform_policy_document({"source_policy_documents": [source_a, source_b]})
    assert check_delivery(TRUST, [without.document], GROUP + ":*").kinds == (
        "create-log-stream-not-allowed", "put-log-events-not-allowed")


def test_legacy_source_json_and_override_json() -> None:
    base = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "x:*",
                                                               "Resource": "*"}]})
    over = json.dumps({"statement": [{"sid": "A", "effect": "Allow", "action": "logs:*", "resource": "*"}]})
    result = terraform_policy_document({"source_json": base, "override_json": over, "statement": []})
    assert result.document["Statement"] == [{"Sid": "A", "Effect": "Allow", "Action": "logs:*", "Resource": "*"}]


@pytest.mark.parametrize(("args", "reason"), [
    ({"source_policy_documents": [json.dumps({"Statement": [{"Sid": "A"}]}),
                                  json.dumps({"Statement": [{"Sid": "A"}]})]},
     "duplicate Sid (A) in source_policy_documents; Terraform rejects it"),
    ({"statement": [{"sid": "A", "actions": ["x:y"]}, {"sid": "A", "actions": ["x:z"]}]},
     "duplicate Sid (A) in the statement blocks; Terraform rejects it"),
    ({"statement": [{"sid": "not-alnum", "actions": ["x:y"]}]},
     "statement 1: sid 'not-alnum' must only include alphanumeric characters"),
    ({"statement": [{"effect": "allow", "actions": ["x:y"]}]},
     "statement 1: effect must be Allow or Deny, not 'allow'"),
    ({"version": "2008-10-17", "statement": [{"actions": ["x:y"], "resources": ["a/&{aws:username}"]}]},
     "statement 1.resources: &{ is not supported in document version 2008-10-17"),
    ({"version": "2020-01-01"}, "version must be 2008-10-17 or 2012-10-17, not '2020-01-01'"),
    ({"source_policy_documents": ["{bad"]}, "source_policy_documents[0] is not valid JSON"),
    ({"source_policy_documents": [Unknown("from a module output")]},
     "source_policy_documents[0] is not known (from a module output)"),
    ({"statement": Unknown("dynamic blocks")}, "the statement blocks are not known (dynamic blocks)"),
    ({"statement": [{"sid": Unknown("x"), "actions": ["x:y"]}],
      "override_policy_documents": [json.dumps({"Statement": [{"Sid": "A"}]})]},
     "a statement's sid is not known, so how the documents merge cannot be told"),
    ({"statement": [{"principals": [{"type": "Service"}]}]}, "principals needs identifiers"),
])
def test_documents_terraform_rejects_or_cannot_know(args: dict, reason: str) -> None:
    result = terraform_policy_document(args)
    assert (result.document, result.reason, result.json()) == (None, reason, None)


def test_unknown_values_inside_statements_stay_unknown() -> None:
    result = terraform_policy_document({"statement": [
        {"sid": Unknown("x"), "actions": ["logs:*"], "resources": [Unknown("arn"), "b"]},
        {"actions": Unknown("a"), "resources": ["*"], "condition": [
            {"test": "StringEquals", "variable": "aws:SourceAccount", "values": Unknown("v")}]},
    ]})
    first, second = result.document["Statement"]
    assert first["Sid"] == UNKNOWN_ANY and first["Resource"] == ["b", UNKNOWN_ANY]
    assert second["Action"] == UNKNOWN_ANY
    assert second["Condition"] == {"StringEquals": {"aws:SourceAccount": UNKNOWN_ANY}}
    assert parse_policy(result.document).unknown == ""


# --- robustness -----------------------------------------------------------------------------------

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                     st.sampled_from(["*", "logs:*", UNKNOWN_ANY, S, "Allow", "Deny", GROUP + ":*"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                                     "NotPrincipal", "Condition", "Service", "AWS", "StringEquals",
                                     "aws:SourceArn", "Sid", "x"]), inner, max_size=5)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(statements=st.lists(_values, max_size=3), trust=_values, group=_scalars)
def test_no_input_raises(statements, trust, group) -> None:
    doc = {"Version": "2012-10-17", "Statement": statements}
    result = check_delivery({"Version": "2012-10-17", "Statement": trust}, [doc, json.dumps(doc)[:-3]], group)
    assert isinstance(result, DeliveryResult)
    terraform_policy_document({"statement": statements, "source_policy_documents": [trust]})


def test_importing_the_module_stays_light() -> None:
    code = ("import sys, cloudtrail_lint.iam.delivery, cloudtrail_lint.iam.tfdoc; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'hcl2', 'lark', 'click')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert out.stdout.strip() == "[]"


# --- the scenario folders tests/fixtures/ctl007_*, as the resolvers would hand them over -----------
# (What the resolvers pass for each folder; expected.txt holds the findings.)

def _tf_group(name: str) -> str:
    return f"arn:{S}:logs:{S}:{S}:log-group:{name}"


_TF_GROUP = _tf_group("/aws/cloudtrail/org-audit")
_DELIVER = allow(f"{_TF_GROUP}:*")
_BOTH_MISSING = ("create-log-stream-not-allowed", "put-log-events-not-allowed")


def _trust_with(condition: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": [{**TRUST["Statement"][0], "Condition": condition}]}


SCENARIOS = {
    "ctl007_tf_policy_file": (
        dict(permissions=[allow("arn:aws:logs:*:*:log-group:/aws/cloudtrail/*:*")], partition="aws"), ()),
    "ctl007_tf_policy_document_principals_condition": (
        dict(trust=_trust_with({"StringEquals": {"aws:SourceAccount": S},
                                "ArnLike": {"aws:SourceArn": f"arn:{S}:cloudtrail:{S}:{S}:trail/org-audit"}}),
             trail_name="org-audit"), ()),
    "ctl007_tf_trust_condition_other_trail": (
        dict(trust=_trust_with({"StringEquals": {
            "aws:SourceArn": f"arn:{S}:cloudtrail:{S}:{S}:trail/management-events"}}), trail_name="org-audit"),
        ("trust-condition-excludes-trail",)),
    "ctl007_tf_trust_condition_source_account": (
        dict(trust=_trust_with({"StringEquals": {"aws:SourceAccount": "111111111111"}}), account="222222222222"),
        ("trust-condition-excludes-trail",)),
    "ctl007_cfn_trust_condition_excludes_trail": (
        dict(trust=_trust_with({"ArnLike": {"aws:SourceArn": f"arn:{S}:cloudtrail:{S}:{S}:trail/security-*"}}),
             trail_name="org-audit", group=_tf_group(symbol("TrailLogGroup")),
             permissions=[allow(f"{_tf_group(symbol('TrailLogGroup'))}:*")]),
        ("trust-condition-excludes-trail",)),
    "ctl007_tf_trust_deny": (
        dict(trust={"Version": "2012-10-17", "Statement": [
            TRUST["Statement"][0],
            {"Sid": "OnlyBreakGlass", "Effect": "Deny",
             "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:role/break-glass"}, "Action": "sts:AssumeRole"}]}),
        ("trust-denied",)),
    "ctl007_tf_explicit_deny": (
        dict(permissions=[{"Version": "2012-10-17", "Statement": [
            _DELIVER["Statement"][0],
            {"Sid": "ProtectAuditLogs", "Effect": "Deny", "Action": ["logs:Delete*", "logs:Put*"],
             "Resource": "arn:*:logs:*:*:log-group:/aws/cloudtrail/*"}]}]),
        ("put-log-events-denied",)),
    "ctl007_tf_bare_group_arn": (dict(permissions=[allow(_TF_GROUP)]), _BOTH_MISSING),
    "ctl007_tf_other_log_group": (dict(permissions=[allow(f"{_tf_group('/acme/app/production')}:*")]),
                                  _BOTH_MISSING),
    "ctl007_cfn_no_put_log_events": (
        dict(group=_tf_group("CloudTrail/org-audit"), permissions=[allow(
            f"{_tf_group('CloudTrail/org-audit')}:*",
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams"])]),
        ("put-log-events-not-allowed",)),
    "ctl007_tf_role_policies_exclusive_drops_policy": (
        dict(permissions=[allow("*", ["tag:GetResources"])]), _BOTH_MISSING),
    "ctl007_tf_aws_managed_policy_insufficient": (
        dict(permissions=["arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess"]), _BOTH_MISSING),
    "ctl007_tf_no_permissions_policy": (dict(permissions=[]), ("no-permissions-policy",)),
    "ctl007_tf_account_mismatch (own_role)": (
        dict(group="arn:aws:logs:us-east-1:222222222222:log-group:org-cloudtrail", account="111111111111",
             permissions=["arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"]), ("account-mismatch",)),
    "ctl007_tf_aws_documented_default_policy": (
        dict(group="arn:aws:logs:us-east-2:111122223333:log-group:CloudTrail/DefaultLogGroup",
             permissions=[json.dumps(DOC_DEFAULT).replace("log_group_name", "CloudTrail/DefaultLogGroup")]), ()),
    "ctl007_cfn_aws_documented_organization_policy": (
        dict(group=DOC_ORGANIZATION_GROUP, permissions=[DOC_ORGANIZATION], organization_trail=True), ()),
    "ctl007_tf_default_policy_on_organization_trail": (
        dict(group=DOC_ORGANIZATION_GROUP, organization_trail=True,
             permissions=[json.dumps(DOC_DEFAULT).replace("111122223333", "111111111111")]), _BOTH_MISSING),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_inputs(scenario: str) -> None:
    args, kinds = SCENARIOS[scenario]
    args = dict(args)
    trust = args.pop("trust", TRUST)
    permissions = args.pop("permissions", [_DELIVER])
    group = args.pop("group", _TF_GROUP)
    result = check_delivery(trust, permissions, group + ":*", **args)
    assert (result.kinds, result.undecided) == (kinds, ())


def test_account_mismatch_of_literal_arns_alone() -> None:
    # ctl007_tf_account_mismatch (to_log_archive), ctl007_cfn_account_mismatch: the role is not in the
    # scanned code, so only the accounts are compared.
    group = parse_log_group_arn("arn:aws:logs:eu-west-1:222222222222:log-group:org-cloudtrail:*")
    failures = check_accounts(ACCOUNT, group, "arn:aws:iam::333333333333:role/service-role/CloudTrailRole")
    assert [f.kind for f in failures] == ["account-mismatch"]


def test_scenario_folders_expect_only_ctl007_and_ctl010() -> None:
    folders = sorted(p for p in (REPO / "tests" / "fixtures").glob("ctl007_*"))
    assert len(folders) >= 40
    for folder in folders:
        assert (folder / "expected.txt").is_file() and not (folder / "expected.pending").exists(), folder.name
        lines = [x for x in (folder / "expected.txt").read_text().splitlines() if x and not x.startswith("#")]
        assert lines[-1] in ("exit: 0", "exit: 1"), folder.name
        assert all(x.split()[0] in ("CTL007", "CTL010") for x in lines[:-1]), folder.name


def test_hostile_policies_are_bounded() -> None:
    import time

    evil = allow([("*a" * 1000) + str(i) for i in range(1500)])
    wild = allow([("*a" * 300) + str(i) for i in range(100)])  # costly to match, cheap to read
    huge = allow([f"arn:aws:logs:*:*:log-group:{i}" + "x" * 5000 for i in range(3000)])
    start = time.perf_counter()
    for policy in (evil, wild, huge):
        result = check_delivery(TRUST, [policy] * 3, "arn:aws:logs:us-east-1:123456789012:log-group:" + "a" * 500)
        assert isinstance(result, DeliveryResult)
    assert time.perf_counter() - start < 5  # a hang guard, not a speed target
