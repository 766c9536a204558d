"""The CloudFormation evaluator on its own (linter/resolver/cloudformation.py): what each intrinsic
function gives, the reason of every unknown, and where resources are written. Scenario tests cover the
common paths; these pin the edges the mutation tester found unguarded (docs/testing.md)."""

from __future__ import annotations

from typing import Any

import pytest
from cloudtrail_lint.model import Location
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


@pytest.fixture(scope="module")
def template() -> Template:
    kind, data = parse_document_bytes(TEMPLATE, "stack.yaml")
    assert kind == "cloudformation"
    return Template(data, "stack.yaml")


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
    _kind, data = parse_document_bytes(REFERENCES, "refs.yaml")
    return Template(data, "refs.yaml")


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
