"""Rule logic against model objects built directly: no Terraform or CloudFormation involved.

Rules are checked by the kinds of violation they report (as pyflakes checks message classes), with one
test of the wording per rule.
"""

from __future__ import annotations

import pytest
from cloudtrail_lint.arn import VALID_RETENTION_DAYS
from cloudtrail_lint.model import UNKNOWN_ANY, UNKNOWN_SEGMENT, Location, LogGroup, State, Trail, Value
from cloudtrail_lint.rules import RULES_BY_ID, Options
from cloudtrail_lint.rules.base import Violation

GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:cloudtrail/org:*"
ROLE_ARN = "arn:aws:iam::123456789012:role/cloudtrail-to-cloudwatch"
GROUP_ADDRESS = "aws_cloudwatch_log_group.trail"


def known(data: object, source: str = "", dangling: tuple[str, ...] = ()) -> Value:
    return Value(State.KNOWN, data, source=source, dangling=dangling)


def missing(reason: str = "") -> Value:
    return Value(State.MISSING, reason=reason)


def unknown(reason: str, dangling: tuple[str, ...] = ()) -> Value:
    return Value(State.UNKNOWN, reason=reason, dangling=dangling)


def group(retention: Value) -> LogGroup:
    return LogGroup(GROUP_ADDRESS, Location("logs.tf", 3, 1, 6), retention)


def trail(log_group_arn: Value | None = None, role_arn: Value | None = None,
          log_group: LogGroup | None = None) -> Trail:
    return Trail(
        address="aws_cloudtrail.org", resource_type="aws_cloudtrail", location=Location("main.tf", 1, 1, 7),
        log_group_arn=log_group_arn if log_group_arn is not None else known(GROUP_ARN),
        role_arn=role_arn if role_arn is not None else known(ROLE_ARN),
        log_group=log_group,
    )


def violations(rule_id: str, subject: Trail, min_days: int = 365) -> list[Violation]:
    return list(RULES_BY_ID[rule_id].check(subject, Options(min_retention_days=min_days)))


def check(rule_id: str, subject: Trail, min_days: int = 365) -> list[str]:
    """The kinds of violation ``rule_id`` reports on ``subject``."""
    return [v.kind for v in violations(rule_id, subject, min_days)]


def words(rule_id: str, subject: Trail, min_days: int = 365) -> list[str]:
    """The messages of ``rule_id`` on ``subject``."""
    rule = RULES_BY_ID[rule_id]
    return [rule.render(v) for v in violations(rule_id, subject, min_days)]


def fired(subject: Trail, min_days: int = 365) -> list[str]:
    """Ids of every rule with at least one violation for ``subject``."""
    return [rule_id for rule_id in RULES_BY_ID if check(rule_id, subject, min_days)]


def test_a_fully_wired_trail_passes_every_rule() -> None:
    assert fired(trail(log_group=group(known(365)))) == []


# --------------------------------------------------------------------------- CTL001 / CTL002


def test_ctl001_when_no_log_group() -> None:
    subject = trail(log_group_arn=missing("no log group ARN is set"), role_arn=missing("no role ARN is set"))
    assert check("CTL001", subject) == ["group-not-set"]
    assert check("CTL002", subject) == []  # CTL001 already says it; no second finding for the role
    assert fired(subject) == ["CTL001"]


def test_ctl001_wording_names_the_reason_and_has_a_default() -> None:
    assert words("CTL001", trail(log_group_arn=missing("cloud_watch_logs_group_arn is \"\""))) == [
        'trail sends no events to CloudWatch Logs: cloud_watch_logs_group_arn is ""']
    assert words("CTL001", trail(log_group_arn=missing())) == [
        "trail sends no events to CloudWatch Logs: no log group ARN is set"]


def test_violations_point_at_the_attribute() -> None:
    at = Location("main.tf", 5, 32, 5, 60)
    subject = trail(log_group_arn=Value(State.MISSING, reason="x is null", location=at))
    (violation,) = violations("CTL001", subject)
    assert (violation.attribute, violation.location) == ("group", at)


@pytest.mark.parametrize("value", [known(GROUP_ARN), unknown("var.arn has no default")])
def test_ctl001_silent_when_the_group_is_set_or_unknown(value: Value) -> None:
    assert check("CTL001", trail(log_group_arn=value)) == []


def test_ctl002_when_only_the_group_is_set() -> None:
    assert check("CTL002", trail(role_arn=missing())) == ["role-not-set"]
    assert words("CTL002", trail(role_arn=missing("CloudWatchLogsRoleArn is AWS::NoValue"))) == [
        "trail sets a CloudWatch Logs log group but no delivery role: CloudWatchLogsRoleArn is AWS::NoValue"]
    # an unknown group still counts as set
    assert check("CTL002", trail(log_group_arn=unknown("imported"), role_arn=missing())) == ["role-not-set"]


def test_ctl002_silent_with_an_unknown_role() -> None:
    assert check("CTL002", trail(role_arn=unknown("var.role has no default"))) == []


# --------------------------------------------------------------------------- CTL003


def _retention_message(days: int, minimum: int = 365) -> str:
    return f"log group {GROUP_ADDRESS} (logs.tf:3) keeps events {days} days; at least {minimum} are required"


def test_ctl003_wording() -> None:
    assert words("CTL003", trail(log_group=group(known(90)))) == [_retention_message(90)]


@pytest.mark.parametrize(
    ("retention", "expected"),
    [
        (known(364), ["retention-too-short"]),
        (known(1), ["retention-too-short"]),
        (known(365), []),
        (known(3653), []),
        (known(0), []),  # never expire
        (known(None), []),  # unset
        (missing("retention_in_days is not set"), []),
        (unknown("var.days has no default"), []),  # CTL010's business
        (known(True), []),  # regression: a bool is an int in Python; CTL006 reports it, CTL003 must not
        (known("90"), []),  # not a number: CTL006
    ],
    ids=["364", "1", "365", "3653", "0", "None", "missing", "unknown", "True", "str"],
)
def test_ctl003_boundaries(retention: Value, expected: list[str]) -> None:
    assert check("CTL003", trail(log_group=group(retention))) == expected


def test_ctl003_uses_the_minimum_from_options() -> None:
    assert words("CTL003", trail(log_group=group(known(365))), min_days=400) == [_retention_message(365, 400)]
    assert check("CTL003", trail(log_group=group(known(400))), min_days=400) == []
    assert check("CTL003", trail(log_group=group(known(90))), min_days=90) == []
    assert words("CTL003", trail(log_group=group(known(90))), min_days=91) == [_retention_message(90, 91)]


def test_ctl003_without_a_known_log_group() -> None:
    assert check("CTL003", trail(log_group=None)) == []


def test_ctl003_still_checks_a_partly_wired_trail() -> None:
    subject = trail(role_arn=missing(), log_group=group(known(30)))
    assert fired(subject) == ["CTL002", "CTL003"]


# --------------------------------------------------------------------------- CTL004


def test_ctl004_log_group_arn_without_wildcard() -> None:
    bare = "arn:aws:logs:us-east-1:123456789012:log-group:x"
    assert check("CTL004", trail(log_group_arn=known(bare))) == ["group-arn-missing-wildcard"]
    assert words("CTL004", trail(log_group_arn=known(bare))) == [
        f"log group value {bare} is not a CloudWatch Logs log-group ARN: it does not end in the log-stream"
        " wildcard `:*`"]


def test_ctl004_names_the_provider_3_change_for_the_arn_attribute() -> None:
    value = known(f"arn:{UNKNOWN_SEGMENT}:logs:{UNKNOWN_SEGMENT}:{UNKNOWN_SEGMENT}:log-group:org",
                  source="aws_cloudwatch_log_group.trail.arn")
    (message,) = words("CTL004", trail(log_group_arn=value))
    assert message.startswith(
        "log group value aws_cloudwatch_log_group.trail.arn (= arn:<?>:logs:<?>:<?>:log-group:org) is not a"
        " CloudWatch Logs log-group ARN: it does not end in the log-stream wildcard `:*`;"
        " aws_cloudwatch_log_group.arn has no `:*` since AWS provider 3.0")


@pytest.mark.parametrize(
    "value",
    [
        GROUP_ARN,
        "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:/aws/cloudtrail/org:*",
        f"arn:{UNKNOWN_SEGMENT}:logs:{UNKNOWN_SEGMENT}:{UNKNOWN_SEGMENT}:log-group:org:*",
        f"{UNKNOWN_ANY}:*",  # e.g. "${var.arn}:*": cannot tell, so no finding
        UNKNOWN_ANY,
        f"arn:aws:logs:us-east-1:123456789012:log-group:{UNKNOWN_ANY}",
    ],
    ids=["literal", "govcloud", "unknown-segments", "unknown-then-wildcard", "all-unknown", "unknown-name"],
)
def test_ctl004_accepts_or_cannot_decide(value: str) -> None:
    assert check("CTL004", trail(log_group_arn=known(value))) == []


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (f"arn:aws:s3:::{UNKNOWN_ANY}", "group-arn-wrong-service"),
        ("arn:aws:sns:us-east-1:123456789012:trail", "group-arn-wrong-service"),
        ("cloudtrail/org", "group-not-an-arn"),
        (":*", "group-not-an-arn"),  # format("%s:*", "") - clouddrove#31
        ("arn:aws:logs:us-east-1:123456789012:log-group::*", "group-arn-missing-wildcard"),
        ("arn:aws:logs:us-east-1:123456789012:log-group:x:*:extra", "group-arn-missing-wildcard"),
        (f"arn:aws:logs:us-east-1:{UNKNOWN_ANY}:log-group:x", "group-arn-missing-wildcard"),
        (42, "group-not-an-arn"),
    ],
    ids=["s3-partial", "sns", "name", "empty-format", "empty-name", "extra-field", "unknown-no-wildcard",
         "int"],
)
def test_ctl004_rejects(value: object, kind: str) -> None:
    assert check("CTL004", trail(log_group_arn=known(value))) == [kind]


def test_ctl004_wording_of_each_group_kind() -> None:
    (sns,) = words("CTL004", trail(log_group_arn=known("arn:aws:sns:us-east-1:123456789012:trail")))
    assert sns.endswith("it is an ARN of the sns service, not of a CloudWatch Logs log group")
    (name,) = words("CTL004", trail(log_group_arn=known("cloudtrail/org")))
    assert name == ("log group value cloudtrail/org is not a CloudWatch Logs log-group ARN: it is not an ARN (a"
                    " log group name?); use the log group's ARN ending in `:*`")


@pytest.mark.parametrize(
    "role",
    [
        ROLE_ARN,
        "arn:aws:iam::123456789012:role/service-role/cloudtrail/delivery",  # role with a path
        "arn:aws-cn:iam::123456789012:role/x",
        f"arn:aws:iam::{UNKNOWN_SEGMENT}:role/x",
        f"arn:aws:iam::123456789012:role/{UNKNOWN_ANY}",
        UNKNOWN_ANY,
    ],
    ids=["plain", "path", "china", "unknown-account", "unknown-name", "all-unknown"],
)
def test_ctl004_accepts_role_arns(role: str) -> None:
    assert check("CTL004", trail(role_arn=known(role))) == []


@pytest.mark.parametrize(
    "role",
    [
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam:us-east-1:123456789012:role/x",  # IAM ARNs have no region
        "arn:aws:sts::123456789012:assumed-role/x/y",
        f"arn:aws:s3:::{UNKNOWN_ANY}",
    ],
)
def test_ctl004_rejects_role_values(role: str) -> None:
    assert check("CTL004", trail(role_arn=known(role))) == ["role-not-a-role-arn"]
    (message,) = words("CTL004", trail(role_arn=known(role)))
    assert message.startswith(f"role value {role.replace(UNKNOWN_ANY, '<unknown>')} is not an IAM role ARN;")


def test_ctl004_says_when_the_role_value_is_its_name() -> None:
    role = known("cloudtrail-to-cloudwatch", source="aws_iam_role.ct.name")
    assert check("CTL004", trail(role_arn=role)) == ["role-is-a-name"]
    (message,) = words("CTL004", trail(role_arn=role))
    assert message == (
        "role value aws_iam_role.ct.name (= cloudtrail-to-cloudwatch) is not an IAM role ARN"
        " (it is the role name); use the role's ARN (Terraform `aws_iam_role.x.arn`,"
        " CloudFormation `!GetAtt Role.Arn`)"
    )


def test_ctl004_reports_group_and_role_separately() -> None:
    found = violations("CTL004", trail(log_group_arn=known("x"), role_arn=known("y")))
    assert [(v.kind, v.attribute) for v in found] == [("group-not-an-arn", "group"), ("role-not-a-role-arn", "role")]


@pytest.mark.parametrize("value", [missing(), unknown("imported")])
def test_ctl004_silent_without_a_known_value(value: Value) -> None:
    assert check("CTL004", trail(log_group_arn=value, role_arn=value)) == []


# --------------------------------------------------------------------------- CTL005 / CTL010


def test_ctl005_names_each_dangling_reference() -> None:
    subject = trail(
        log_group_arn=unknown("not defined", dangling=("aws_cloudwatch_log_group.audit",)),
        role_arn=unknown("not defined", dangling=("aws_iam_role.gone", "var.missing")),
    )
    assert check("CTL005", subject) == ["group-reference-not-found", "role-reference-not-found",
                                        "role-reference-not-found"]
    assert words("CTL005", subject) == [
        "log group value refers to aws_cloudwatch_log_group.audit, which is not defined",
        "role value refers to aws_iam_role.gone, which is not defined",
        "role value refers to var.missing, which is not defined",
    ]


def test_ctl005_reports_a_dangling_reference_in_the_retention() -> None:
    subject = trail(log_group=group(unknown("var.days is not defined", dangling=("var.days",))))
    assert check("CTL005", subject) == ["retention-reference-not-found"]
    assert words("CTL005", subject) == [f"retention of {GROUP_ADDRESS} refers to var.days, which is not defined"]
    assert check("CTL010", subject) == []
    assert check("CTL010", subject) == []  # a dangling reference is CTL005's, not also "unresolved"


def test_ctl010_names_what_cannot_be_resolved() -> None:
    subject = trail(
        log_group_arn=unknown("var.log_group_arn has no default and no tfvars value"),
        role_arn=unknown("the value is imported from another stack"),
        log_group=group(unknown("var.days has no default")),
    )
    assert check("CTL010", subject) == ["group-unresolved", "role-unresolved", "retention-unresolved"]
    assert words("CTL010", subject) == [
        "log group ARN cannot be resolved: var.log_group_arn has no default and no tfvars value",
        "role ARN cannot be resolved: the value is imported from another stack",
        f"retention of {GROUP_ADDRESS} cannot be resolved: var.days has no default",
    ]
    assert check("CTL010", trail(log_group=group(known(365)))) == []


# --------------------------------------------------------------------------- CTL006


@pytest.mark.parametrize("days", [0, *VALID_RETENTION_DAYS])
def test_ctl006_accepts_every_valid_value(days: int) -> None:
    assert check("CTL006", trail(log_group=group(known(days)))) == []


def test_valid_retention_values_are_the_api_list() -> None:
    assert VALID_RETENTION_DAYS == (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                                    2192, 2557, 2922, 3288, 3653)


@pytest.mark.parametrize(
    ("retention", "message"),
    [
        (366, "sets retention to 366 days, which CloudWatch Logs does not accept; the nearest accepted value"
              " above is 400"),
        (200, "sets retention to 200 days, which CloudWatch Logs does not accept; the nearest accepted value"
              " above is 365"),
        (730, "sets retention to 730 days, which CloudWatch Logs does not accept; the nearest accepted value"
              " above is 731"),
        (4000, "sets retention to 4000 days, which CloudWatch Logs does not accept"),
        (-1, "sets retention to -1 days, which CloudWatch Logs does not accept; the nearest accepted value"
             " above is 1"),
        ("90", 'sets retention to "90", which is not a number of days'),
        (True, "sets retention to true, which is not a number of days"),
        (90.5, "sets retention to 90.5, which is not a number of days"),
    ],
)
def test_ctl006_rejects(retention: object, message: str) -> None:
    expected = [f"log group {GROUP_ADDRESS} {message}"]
    assert words("CTL006", trail(log_group=group(known(retention)))) == expected
    kind = "retention-not-accepted" if "days, which" in message else "retention-not-a-number"
    assert check("CTL006", trail(log_group=group(known(retention)))) == [kind]


@pytest.mark.parametrize("retention", [known(None), missing(), unknown("var.days")])
def test_ctl006_silent_when_unset_or_unknown(retention: Value) -> None:
    assert check("CTL006", trail(log_group=group(retention))) == []


# --------------------------------------------------------------------------- found by mutation testing


def test_the_default_minimum_is_365_days() -> None:
    assert Options().min_retention_days == 365
    assert list(RULES_BY_ID["CTL003"].check(trail(log_group=group(known(365))), Options())) == []
    assert [v.kind for v in RULES_BY_ID["CTL003"].check(trail(log_group=group(known(364))), Options())] == [
        "retention-too-short"]


def test_every_rule_has_a_security_severity_code_scanning_accepts() -> None:
    for rule in RULES_BY_ID.values():
        assert 0.1 <= float(rule.security_severity) <= 10.0, rule.id


def test_a_retention_violation_points_at_the_retention_else_at_the_log_group() -> None:
    at = Location("logs.tf", 3, 23, 3, 25)
    written = LogGroup(GROUP_ADDRESS, Location("logs.tf", 1, 1, 4), Value(State.KNOWN, 30, location=at))
    (violation,) = violations("CTL003", trail(log_group=written))
    assert violation.location == at
    (violation,) = violations("CTL003", trail(log_group=group(known(30))))
    assert violation.location == Location("logs.tf", 3, 1, 6)  # no retention location: the log group's


@pytest.mark.parametrize(("value", "kind"), [
    ("arn:logs", "group-not-an-arn"),  # two fields only
    (f"arn:aws:sns:{UNKNOWN_ANY}:123456789012:trail", "group-arn-wrong-service"),  # unknown region, known service
])
def test_ctl004_short_and_partly_unknown_arns(value: str, kind: str) -> None:
    assert check("CTL004", trail(log_group_arn=known(value))) == [kind]


@pytest.mark.parametrize(("value", "kind"), [
    ("arn:aws:sns", "group-arn-wrong-service"),  # three fields: the service is known
    (f"arn:aws:{UNKNOWN_ANY}:us-east-1:123456789012:x", "group-not-an-arn"),  # the service is not known
])
def test_ctl004_how_much_of_an_arn_names_its_service(value: str, kind: str) -> None:
    assert check("CTL004", trail(log_group_arn=known(value))) == [kind]


def test_a_violation_at_a_location_keeps_it() -> None:
    at = Location("main.tf", 1, 1)
    violation = RULES_BY_ID["CTL010"].violation("module-not-followed", "source", at, what="module.x", source="s",
                                                file="main.tf")
    assert violation.location == at


def test_a_rule_cannot_report_a_kind_it_does_not_declare() -> None:
    with pytest.raises(KeyError) as raised:
        RULES_BY_ID["CTL001"].violation("no-such-kind", "group")
    assert raised.value.args == ("CTL001 has no kind 'no-such-kind'",)
