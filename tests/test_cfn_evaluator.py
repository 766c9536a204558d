"""The CloudFormation evaluator on its own (linter/resolver/cloudformation.py): what each intrinsic
function gives, the reason of every unknown, and where resources are written. Scenario tests cover the
common paths; these pin the edges the mutation tester found unguarded (docs/testing.md)."""

from __future__ import annotations

from typing import Any

import pytest
from cloudtrail_lint.model import Assumption, Location
from cloudtrail_lint.reader import parse_document_bytes
from cloudtrail_lint.resolver.cloudformation import Evaluator, Template
from cloudtrail_lint.resolver.common import Undecided, Unknown

TEMPLATE = b"""\
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Mappings:
  Groups:
    prod:
      Arn: arn:aws:logs:us-east-1:111122223333:log-group:trail:*
    loop:
      Arn: !FindInMap [Groups, loop, Arn]
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      Tags:
        - Key: team
          Value:
            - nested
  Topic:
    Type: AWS::SNS::Topic
"""


def template_of(source: bytes, path: str) -> Template:
    """``source`` decoded as the front-end decodes it, as the evaluator's template."""
    kind, data = parse_document_bytes(source, path)
    assert kind == "cloudformation"
    return Template(data, path)


@pytest.fixture(scope="module")
def template() -> Template:
    return template_of(TEMPLATE, "stack.yaml")


def evaluate(template: Template, expression: Any, assumptions: dict[str, bool] | None = None) -> Any:
    return Evaluator(template, assumptions).evaluate(expression)[0]


def reason(result: Any) -> str:
    assert isinstance(result, Unknown), result
    return result.reason


# --------------------------------------------------------------------------- where things are written


def test_a_resource_spans_from_its_id_to_its_last_line(template: Template) -> None:
    assert template.location("Trail") == Location("stack.yaml", 13, 3, 20)
    assert template.location("Topic") == Location("stack.yaml", 21, 3, 22)


def test_a_resource_that_is_not_there_has_no_line(template: Template) -> None:
    assert template.location("Missing") == Location("stack.yaml", 0, 0, 0)


def test_property_locations(template: Template) -> None:
    assert template.property_location("Trail", "IsLogging") == Location("stack.yaml", 16, 7)
    assert template.property_location("Trail", "CloudWatchLogsRoleArn") is None
    assert template.property_location("Missing", "IsLogging") is None


# --------------------------------------------------------------------------- intrinsic functions


def test_import_value_names_the_export(template: Template) -> None:
    assert reason(evaluate(template, {"Fn::ImportValue": {"Fn::Sub": "${AWS::StackName}-group"}})) == \
        "the value is imported from another stack (Fn::ImportValue ${…}-group)"
    assert reason(evaluate(template, {"Fn::ImportValue": {"Ref": "Env"}})) == \
        "the value is imported from another stack (Fn::ImportValue <unknown>)"


def test_if_on_a_condition_that_cannot_be_decided(template: Template) -> None:
    ev = Evaluator(template)
    result, trace = ev.evaluate({"Fn::If": ["IsProd", "a", "b"]})
    assert reason(result).startswith("depends on condition IsProd, which cannot be resolved (")
    assert trace.undecided == [Undecided("condition IsProd", "condition IsProd")]


def test_if_under_an_assumption(template: Template) -> None:
    assert evaluate(template, {"Fn::If": ["IsProd", "a", "b"]}, {"condition IsProd": True}) == "a"
    assert evaluate(template, {"Fn::If": ["IsProd", "a", "b"]}, {"condition IsProd": False}) == "b"


@pytest.mark.parametrize("expression", [
    {"Fn::If": ["IsProd", "a"]}, {"Fn::If": [["IsProd"], "a", "b"]}, {"Fn::If": "IsProd"},
])
def test_malformed_if(template: Template, expression: Any) -> None:
    assert reason(evaluate(template, expression)) == "malformed Fn::If"


def test_find_in_map(template: Template) -> None:
    assert evaluate(template, {"Fn::FindInMap": ["Groups", "prod", "Arn"]}) == \
        "arn:aws:logs:us-east-1:111122223333:log-group:trail:*"


@pytest.mark.parametrize("keys", [["Nope", "prod", "Arn"], ["Groups", "dev", "Arn"], ["Groups", "prod", "Name"]])
def test_find_in_map_default_value_at_every_level(template: Template, keys: list[str]) -> None:
    assert evaluate(template, {"Fn::FindInMap": [*keys, {"DefaultValue": "fallback"}]}) == "fallback"
    assert reason(evaluate(template, {"Fn::FindInMap": keys})) == \
        f"Fn::FindInMap {'/'.join(keys)} is not in Mappings"


@pytest.mark.parametrize("extra", [{"Other": "x"}, ["DefaultValue", "x"]])
def test_find_in_map_without_a_usable_default(template: Template, extra: Any) -> None:
    assert reason(evaluate(template, {"Fn::FindInMap": ["Groups", "dev", "Arn", extra]})) == \
        "Fn::FindInMap Groups/dev/Arn is not in Mappings"


def test_find_in_map_that_refers_to_itself(template: Template) -> None:
    assert reason(evaluate(template, {"Fn::FindInMap": ["Groups", "loop", "Arn"]})) == \
        "Fn::FindInMap Groups/loop/Arn refers to itself"


def test_find_in_map_with_an_unknown_key(template: Template) -> None:
    assert reason(evaluate(template, {"Fn::FindInMap": ["Groups", {"Ref": "Env"}, "Arn"]})).startswith(
        "parameter Env")


@pytest.mark.parametrize(("fn", "arg"), [
    ("Fn::FindInMap", ["Groups", "prod"]), ("Fn::Select", [0]), ("Fn::Select", [0, ["a"], 1]),
    ("Fn::Split", [","]), ("Fn::Join", [","]),
])
def test_malformed_functions(template: Template, fn: str, arg: Any) -> None:
    assert reason(evaluate(template, {fn: arg})) == f"malformed {fn}"


def test_select_and_split(template: Template) -> None:
    assert evaluate(template, {"Fn::Select": [1, {"Fn::Split": [":", "a:b:c"]}]}) == "b"
    assert reason(evaluate(template, {"Fn::Select": [3, ["a"]]})) == "Fn::Select index 3 is out of range"


@pytest.mark.parametrize("fn", ["Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::ToJsonString", "Fn::Length"])
def test_functions_that_are_not_evaluated(template: Template, fn: str) -> None:
    assert reason(evaluate(template, {fn: "x"})) == f"{fn} is not evaluated"


def test_an_unsupported_tag_is_an_unknown() -> None:
    source = b"Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      A: !Foo x\n"
    _kind, data = parse_document_bytes(source, "t.yaml")
    template = Template(data, "t.yaml")
    assert reason(evaluate(template, data["Resources"]["T"]["Properties"]["A"])) == "tag !Foo is not evaluated"


# --------------------------------------------------------------------------- references

REFERENCES = b"""\
Parameters:
  NoDefault:
    Type: String
  FromSsm:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /org/log-group-arn
  Accounts:
    Type: CommaDelimitedList
    Default: "111122223333, 444455556666"
  Names:
    Type: List<String>
    Default: a,b
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Ref Group
  Unnamed:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: ""
  Numbered:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: 42
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://example.com/t.yaml
"""


@pytest.fixture(scope="module")
def references() -> Template:
    return template_of(REFERENCES, "refs.yaml")


def test_a_reference_to_nothing_is_dangling(references: Template) -> None:
    ev = Evaluator(references)
    result, trace = ev.evaluate({"Ref": "Nope"})
    assert reason(result) == "resource or parameter Nope is not defined"
    assert trace.dangling == ["resource or parameter Nope"]


def test_parameters(references: Template) -> None:
    assert reason(evaluate(references, {"Ref": "NoDefault"})) == "parameter NoDefault has no Default"
    assert reason(evaluate(references, {"Ref": "FromSsm"})) == \
        "parameter FromSsm is read from SSM Parameter Store at deployment"
    assert evaluate(references, {"Ref": "Accounts"}) == ["111122223333", "444455556666"]
    assert evaluate(references, {"Ref": "Names"}) == ["a", "b"]


def test_a_log_group_named_after_itself(references: Template) -> None:
    from cloudtrail_lint.model import UNKNOWN_SEGMENT

    result, trace = Evaluator(references).evaluate({"Ref": "Group"})
    assert (result, trace.reasons) == (UNKNOWN_SEGMENT, ["LogGroupName refers to its own resource"])


@pytest.mark.parametrize("group", ["Unnamed", "Numbered"])
def test_a_log_group_name_that_is_not_text_is_generated(references: Template, group: str) -> None:
    from cloudtrail_lint.model import UNKNOWN_SEGMENT

    assert evaluate(references, {"Ref": group}) == UNKNOWN_SEGMENT


def test_get_att_forms(references: Template) -> None:
    assert reason(evaluate(references, {"Fn::GetAtt": "Nested.Outputs.GroupArn"})) == \
        "Nested.Outputs.GroupArn is known only at deployment"
    assert reason(evaluate(references, {"Fn::GetAtt": ["Nested", "Outputs.GroupArn"]})) == \
        "Nested.Outputs.GroupArn is known only at deployment"
    assert reason(evaluate(references, {"Fn::GetAtt": "Nested"})) == "malformed Fn::GetAtt"


def test_no_value_unsets_a_property(tmp_path) -> None:
    import json

    from .conftest import lint

    (tmp_path / "template.yaml").write_text(
        "Resources:\n"
        "  Trail:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n"
        "      IsLogging: true\n"
        "      S3BucketName: logs\n"
        "      CloudWatchLogsLogGroupArn: !Join ['', [arn:aws:logs:us-east-1:111122223333:log-group:t,"
        " !Ref AWS::NoValue, ':*']]\n"
        "      CloudWatchLogsRoleArn: !Ref AWS::NoValue\n")
    findings = json.loads(lint(tmp_path, "--format", "json", ".").stdout)["findings"]
    assert [(f["rule"], f["kind"]) for f in findings] == [("CTL002", "role-not-set")]
    assert "CloudWatchLogsRoleArn is AWS::NoValue" in findings[0]["message"]


# --------------------------------------------------------------------------- conditions

CONDITIONS = b"""\
Parameters:
  Env:
    Type: String
    Default: prod
  Region:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
  NotProd: !Not [!Condition IsProd]
  ProdOrDev: !Or [!Condition IsProd, !Condition IsDev]
  ProdAndDev: !And [!Condition IsProd, !Condition IsDev]
  InRegion: !Equals [!Ref Region, us-east-1]
  DevOrRegion: !Or [!Condition IsDev, !Condition InRegion]
  ProdOrRegion: !Or [!Condition IsProd, !Condition InRegion]
  DevAndRegion: !And [!Condition IsDev, !Condition InRegion]
  ProdAndRegion: !And [!Condition IsProd, !Condition InRegion]
  NotRegion: !Not [!Condition InRegion]
  Loop: !Not [!Condition Loop]
  Dangling: !Condition Nowhere
  Partial: !Equals [!Sub "${AWS::AccountId}", "111122223333"]
  Odd: !Equals [a]
  NotAList: !Not []
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""


@pytest.fixture(scope="module")
def conditions() -> Template:
    return template_of(CONDITIONS, "conditions.yaml")


@pytest.mark.parametrize(("name", "value"), [
    ("IsProd", True), ("IsDev", False), ("NotProd", False), ("ProdOrDev", True), ("ProdAndDev", False),
    ("DevAndRegion", False), ("ProdOrRegion", True),
])
def test_conditions_decided_by_defaults(conditions: Template, name: str, value: bool) -> None:
    assert Evaluator(conditions).condition(name) is value


@pytest.mark.parametrize(("name", "why"), [
    ("InRegion", "parameter Region has no Default"),
    ("DevOrRegion", "parameter Region has no Default"),
    ("ProdAndRegion", "parameter Region has no Default"),
    ("NotRegion", "parameter Region has no Default"),
    ("Loop", "condition Loop refers to itself"),
    ("Dangling", "condition Nowhere is not defined"),
    ("Partial", "Fn::Equals compares a value known only at deployment"),
    ("Odd", "malformed Fn::Equals"),
    ("NotAList", "malformed Fn::Not"),
])
def test_conditions_that_cannot_be_decided(conditions: Template, name: str, why: str) -> None:
    assert reason(Evaluator(conditions).condition(name)) == why


def test_a_condition_is_evaluated_once(conditions: Template) -> None:
    ev = Evaluator(conditions)
    assert ev.condition("IsProd") is True
    conditions.conditions["IsProd"] = {"Fn::Equals": ["a", "b"]}  # what is remembered wins
    try:
        assert ev.condition("IsProd") is True
    finally:
        conditions.conditions["IsProd"] = {"Fn::Equals": [{"Ref": "Env"}, "prod"]}


def test_if_follows_a_decided_condition(conditions: Template) -> None:
    assert evaluate(conditions, {"Fn::If": ["NotProd", "a", "b"]}) == "b"
    assert evaluate(conditions, {"Fn::If": ["ProdOrDev", "a", "b"]}) == "a"


# --------------------------------------------------------------------------- Fn::Sub and Fn::GetAtt

SUBS = b"""\
Parameters:
  Env:
    Type: String
    Default: prod
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/cloudtrail/${Env}
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: trail-delivery
      Path: /service/
  Key:
    Type: AWS::KMS::Key
"""


@pytest.fixture(scope="module")
def subs() -> Template:
    return template_of(SUBS, "subs.yaml")


@pytest.mark.parametrize(("expression", "value"), [
    ({"Fn::Sub": "${Env}-trail"}, "prod-trail"),
    ({"Fn::Sub": "${!Literal}-${Env}"}, "${Literal}-prod"),
    ({"Fn::Sub": ["${Name}:*", {"Name": {"Fn::GetAtt": ["Group", "Arn"]}}]},
     "arn:\x01:logs:\x01:\x01:log-group:/aws/cloudtrail/prod:*:*"),
    ({"Fn::Sub": "${Group.Arn}"}, "arn:\x01:logs:\x01:\x01:log-group:/aws/cloudtrail/prod:*"),
    ({"Fn::Sub": "${Role.Arn}"}, "arn:\x01:iam::\x01:role/service/trail-delivery"),
    ({"Fn::Sub": "a${AWS::NoValue}b"}, "ab"),
    ({"Fn::GetAtt": ["Role", "Arn"]}, "arn:\x01:iam::\x01:role/service/trail-delivery"),
    ({"Fn::GetAtt": ["Role", "RoleId"]}, "\x01"),
    ({"Fn::GetAtt": "Key.Arn"}, "arn:\x01:kms:\x01:\x01:\x01"),
    ({"Ref": "Group"}, "/aws/cloudtrail/prod"),
    ({"Ref": "Role"}, "trail-delivery"),
    ({"Ref": "Key"}, "\x01"),
])
def test_sub_get_att_and_ref(subs: Template, expression: Any, value: str) -> None:
    from cloudtrail_lint.model import UNKNOWN_SEGMENT

    assert UNKNOWN_SEGMENT == "\x01"
    assert evaluate(subs, expression) == value


@pytest.mark.parametrize(("expression", "why"), [
    ({"Fn::GetAtt": ["Key", "KeyId"]}, "Key.KeyId is known only at deployment"),
    ({"Fn::GetAtt": ["Role", "Name"]}, "Role.Name is known only at deployment"),
    ({"Fn::GetAtt": ["Gone", "Arn"]}, "resource Gone is not defined"),
    ({"Fn::GetAtt": [["Role"], "Arn"]}, "malformed Fn::GetAtt"),
    ({"Fn::Sub": ["${Env}", "not variables", "extra"]}, "malformed Fn::Sub"),
    ({"Fn::Sub": 42}, "malformed Fn::Sub"),
])
def test_get_att_and_sub_unknowns(subs: Template, expression: Any, why: str) -> None:
    assert reason(evaluate(subs, expression)) == why


# --------------------------------------------------------------------------- trails

TRAILS = b"""\
Parameters:
  Env:
    Type: String
  Days:
    Type: Number
    Default: 400
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Wanted: !Equals [!Ref Env, audit]
Resources:
  Filter:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: forever
      FilterPattern: "{ $.errorCode = AccessDenied }"
  Other:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: other
      RetentionInDays: 1
  Forever:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: forever
  Unset:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: unset
      RetentionInDays: !Ref AWS::NoValue
  Kept:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: kept
      RetentionInDays: !Ref Days
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  ByName:
    Type: AWS::CloudTrail::Trail
    Properties:
      CloudWatchLogsLogGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:forever:*
      CloudWatchLogsRoleArn: !GetAtt [Role, Arn]
  NoValueGroup:
    Type: AWS::CloudTrail::Trail
    Properties:
      CloudWatchLogsLogGroupArn: !GetAtt Unset.Arn
      CloudWatchLogsRoleArn: !If [IsProd, !GetAtt Role.Arn, !Ref Role]
  Conditional:
    Type: AWS::CloudTrail::Trail
    Condition: Wanted
    Properties:
      CloudWatchLogsLogGroupArn: !If [IsProd, !GetAtt Kept.Arn, !Sub "${Forever.Arn}"]
      CloudWatchLogsRoleArn: !If [IsProd, !GetAtt Role.Arn, !Ref Role]
"""


@pytest.fixture(scope="module")
def trails() -> dict[str, list[Any]]:
    from cloudtrail_lint.resolver.cloudformation import resolve_template

    _kind, data = parse_document_bytes(TRAILS, "trails.yaml")
    return {variants[0].address: variants for variants in resolve_template(data, "trails.yaml")}


def test_a_literal_arn_finds_its_log_group_by_name_past_other_groups(trails: dict[str, list[Any]]) -> None:
    [trail] = trails["ByName"]
    assert trail.log_group.address == "Forever"
    assert trail.log_group.retention.reason == "Forever sets no RetentionInDays (events never expire)"
    assert trail.log_group.location == Location("trails.yaml", 21, 3, 24)
    assert trail.log_group_arn.location == Location("trails.yaml", 42, 7)
    assert trail.role_arn.source == "!GetAtt Role.Arn"


def test_retention_set_to_no_value(trails: dict[str, list[Any]]) -> None:
    group = trails["NoValueGroup"][0].log_group
    assert group.retention.reason == "Unset RetentionInDays is AWS::NoValue (events never expire)"
    assert group.retention.location == Location("trails.yaml", 29, 7)


def test_variants_of_the_group_and_the_role_share_their_conditions(trails: dict[str, list[Any]]) -> None:
    variants = trails["Conditional"]
    described = [tuple(a.describe() for a in t.assumptions) for t in variants]
    assert described == [("condition IsProd is true",), ("condition IsProd is false",)]
    assert [t.exists_when for t in variants] == [
        (Assumption("condition Wanted", "condition Wanted", True),)] * 2
    prod, other = variants
    assert (prod.log_group.address, prod.log_group.retention.data, prod.log_group.retention.source) == \
        ("Kept", 400, "!Ref Days")
    assert other.log_group.address == "Forever"
    assert (prod.role_arn.source, other.role_arn.source) == ("!If [IsProd, !GetAtt Role.Arn, !Ref Role]",) * 2
    assert other.log_group_arn.source == '!If [IsProd, !GetAtt Kept.Arn, !Sub ${Forever.Arn}]'


def test_variants_under_the_role_condition_alone(trails: dict[str, list[Any]]) -> None:
    variants = trails["NoValueGroup"]
    assert [tuple(a.describe() for a in t.assumptions) for t in variants] == [
        ("condition IsProd is true",), ("condition IsProd is false",)]
    assert [t.role_arn.data for t in variants] == ["arn:\x01:iam::\x01:role/\x01", "\x01"]


def test_the_name_of_a_metric_filter_is_not_a_log_group(trails: dict[str, list[Any]]) -> None:
    assert trails["ByName"][0].log_group.address == "Forever"


def test_a_resource_ends_on_its_last_key(trails: dict[str, list[Any]]) -> None:
    assert template_of(TRAILS, "trails.yaml").location("Other") == Location("trails.yaml", 16, 3, 20)


def test_a_null_property_is_unset_not_no_value() -> None:
    from cloudtrail_lint.resolver.cloudformation import resolve_template

    _kind, data = parse_document_bytes(
        b"Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
        b"      CloudWatchLogsLogGroupArn: null\n      CloudWatchLogsRoleArn: !Ref AWS::NoValue\n", "t.yaml")
    [[trail]] = resolve_template(data, "t.yaml")
    assert (trail.log_group_arn.state.name, trail.log_group_arn.reason) == \
        ("MISSING", "no CloudWatchLogsLogGroupArn is set")
    assert (trail.role_arn.state.name, trail.role_arn.reason) == ("MISSING", "CloudWatchLogsRoleArn is AWS::NoValue")


def test_a_long_select_index_is_cut_in_the_message(template: Template) -> None:
    assert reason(evaluate(template, {"Fn::Select": ["x" * 50, ["a"]]})) == \
        f"Fn::Select index {'x' * 40} is out of range"


def test_sources_in_messages() -> None:
    from cloudtrail_lint.resolver.cloudformation import _source

    assert [_source(30), _source(None), _source("text"), _source([1, {"Ref": "X"}])] == \
        ["30", "", "text", "[1, !Ref X]"]


@pytest.mark.parametrize(("condition", "value"), [
    ({"Fn::And": [{"Condition": "IsProd"}, {"Condition": "IsProd"}]}, True),
    ({"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsDev"}]}, False),
    (True, True),
])
def test_and_or_without_a_decisive_item(conditions: Template, condition: Any, value: bool) -> None:
    assert Evaluator(conditions).boolean(condition) is value


@pytest.mark.parametrize(("condition", "why"), [
    ({"Ref": "Region"}, "parameter Region has no Default"),
    ({"Ref": "Env"}, "malformed condition"),
    (["a"], "malformed condition"),
])
def test_conditions_that_are_not_conditions(conditions: Template, condition: Any, why: str) -> None:
    assert reason(Evaluator(conditions).boolean(condition)) == why


def test_a_log_group_name_past_the_budget_is_no_log_group(monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudtrail_lint.resolver import common
    from cloudtrail_lint.resolver.cloudformation import resolve_template

    monkeypatch.setattr(common.Budget, "STEPS", 20)
    _kind, data = parse_document_bytes(
        b"Resources:\n  Group:\n    Type: AWS::Logs::LogGroup\n    Properties:\n"
        b"      LogGroupName: !Join ['', [" + b", ".join([b"a"] * 30) + b"]]\n"
        b"  T:\n    Type: AWS::CloudTrail::Trail\n    Properties:\n"
        b"      CloudWatchLogsLogGroupArn: arn:aws:logs:us-east-1:111122223333:log-group:aaa:*\n", "t.yaml")
    [[trail]] = resolve_template(data, "t.yaml")
    assert trail.log_group is None


CONDITIONAL_PARTS = b"""\
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: RETENTION
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: cloudtrail.amazonaws.com}
            Action: sts:AssumeRole
      Policies: !If
        - POLICY_CONDITION
        - - PolicyName: logs
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: [logs:CreateLogStream, logs:PutLogEvents]
                  Resource: !GetAtt Group.Arn
        - !Ref AWS::NoValue
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
"""


@pytest.mark.parametrize(("retention", "policies", "retentions"), [
    (b"!If [IsProd, 30, 365]", b"AlwaysTrue", [30, 365]),  # only the log group meets IsProd
    (b"365", b"IsProd", [365, 365]),  # only the role's policies meet it
])
def test_conditions_met_by_the_log_group_or_the_role_make_variants(retention: bytes, policies: bytes,
                                                                    retentions: list[int]) -> None:
    """The trail's own values hold no condition; its log group's retention or its role's policies do."""
    from cloudtrail_lint.resolver.cloudformation import resolve_template

    text = CONDITIONAL_PARTS.replace(b"RETENTION", retention).replace(b"POLICY_CONDITION", policies)
    text = text.replace(b"Resources:", b"  AlwaysTrue: !Equals [a, a]\nResources:")
    _kind, data = parse_document_bytes(text, "t.yaml")
    [variants] = resolve_template(data, "t.yaml")
    assert [tuple(a.describe() for a in t.assumptions) for t in variants] == [
        ("condition IsProd is true",), ("condition IsProd is false",)]
    assert [t.log_group.retention.data for t in variants] == retentions


def test_nesting_deeper_than_200_levels_does_not_extend_a_resource() -> None:
    """The end of a resource is looked for 200 levels deep at most (a guard against hostile nesting)."""
    lines = ["Resources:", "  Deep:", "    Type: AWS::SNS::Topic", "    Properties:"]
    lines += ["  " * (3 + i) + f"L{i}:" for i in range(205)] + ["  " * 208 + "leaf: 1"]
    deep = template_of(("\n".join(lines) + "\n").encode(), "deep.yaml")
    assert deep.location("Deep") == Location("deep.yaml", 2, 3, 204)


def test_nested_stacks_are_found_after_other_resources() -> None:
    from cloudtrail_lint.resolver.cloudformation import unfollowed_in_template

    data = {"Resources": {"Broken": "not a mapping", "Topic": {"Type": "AWS::SNS::Topic"},
                          "AuditTrailStack": {"Type": "AWS::CloudFormation::Stack",
                                              "Properties": {"TemplateURL": "https://example.com/trail.yaml"}},
                          "Other": {"Type": "AWS::SNS::Topic"},
                          "CloudTrailSetup": {"Type": "Custom::CloudTrail"}}}
    found = unfollowed_in_template(data, "t.yaml")
    assert [(u.kind, u.address, u.source) for u in found] == [
        ("stack", "AuditTrailStack", "https://example.com/trail.yaml"),
        ("custom-resource", "CloudTrailSetup", "Custom::CloudTrail")]
