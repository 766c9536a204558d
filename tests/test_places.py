"""Issue #12 items 3 and 5: the places trails live beyond ``.tf`` files and templates with the usual names.

Named files read by their content, ``.cform``/``.cfn`` templates, Serverless Framework ``resources``,
``Fn::ForEach`` loops (checked against cfn-lint's own expansion), Terraform override files and
OpenTofu's ``.tofu`` files. The scenario folders under tests/fixtures/ cover each end to end; these
tests cover named files, the rules of each step one by one, and hostile inputs.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from cloudtrail_lint.discovery import discover, split_shadowed
from cloudtrail_lint.frontends import ParseError
from cloudtrail_lint.frontends.cfn import document_from_bytes
from cloudtrail_lint.frontends.cfn_foreach import expand
from cloudtrail_lint.frontends.hcl import parse_hcl
from cloudtrail_lint.frontends.hcl_ast import Literal
from cloudtrail_lint.frontends.tf_override import is_override, merge_overrides
from cloudtrail_lint.frontends.yaml_nodes import Tagged, load

from .conftest import FIXTURES, REPO, lint
from .test_cfn_decoder_differential import differences

CFORM = FIXTURES / "cfn_cform_and_cfn_extensions"
TOFU = FIXTURES / "tofu_file_replaces_tf"


def _summary(result) -> tuple[int, int, int]:
    summary = result.json["summary"]
    return summary["trails"], summary["files_linted"], summary["files_skipped"]


# --------------------------------------------------------------------------- files named on the command line


@pytest.mark.parametrize("name", ["create_cloudtrail.cform", "trail.txt", "Trailfile", "org-trail.cloudformation"])
def test_a_named_template_is_read_whatever_its_name(tmp_path: Path, name: str) -> None:
    shutil.copy(CFORM / "stacks" / "create_cloudtrail.cform", tmp_path / name)
    result = lint(tmp_path, "--format", "json", name)
    assert result.findings() == {("CTL001", name, 11, "OrganizationTrail")}
    assert result.exit_code == 1


def test_a_named_plan_is_read_whatever_its_name(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "deep_tfplan" / "plan.json", tmp_path / "tfplan")
    result = lint(tmp_path, "--format", "json", "tfplan")
    assert {(f[0], f[1]) for f in result.findings()} == {("CTL002", "tfplan"), ("CTL003", "tfplan"),
                                                          ("CTL010", "tfplan")}


def test_a_named_file_that_is_no_iac_is_counted_as_skipped(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# Audit trail\n\nResources:\n  - the trail\n\n```hcl\nresource \"aws_cloudtrail\" \"org\" {\n"
        "  name = \"org\"\n}\n```\n")
    (tmp_path / "notes.txt").write_text("Resources: [unclosed\nAWS::CloudTrail::Trail\n")
    (tmp_path / ".terraform.lock.hcl").write_text(
        'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.60.0"\n}\n')
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    names = ["README.md", "notes.txt", ".terraform.lock.hcl", "logo.png"]
    result = lint(tmp_path, "--format", "json", *names)
    assert result.exit_code == 0, result.stdout
    assert result.json["errors"] == []
    assert _summary(result) == (0, 0, 4)


def test_named_terraform_configuration_with_another_extension_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "trail.tf.example").write_text(
        '# copy to trail.tf\n\nresource "aws_cloudtrail" "org" {\n  name           = "org"\n'
        '  s3_bucket_name = "org-trail"\n}\n')
    result = lint(tmp_path, "trail.tf.example")
    assert result.exit_code == 2
    assert result.stderr.startswith("trail.tf.example:3:1: error: Terraform configuration in a file Terraform and"
                                    " OpenTofu do not read")
    assert "rename it to lint it" in result.stderr


def test_a_broken_template_with_a_template_name_is_an_error_but_not_a_named_text_file(tmp_path: Path) -> None:
    broken = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Trail: [\n"
    (tmp_path / "stack.cform").write_text(broken)
    (tmp_path / "stack.txt").write_text(broken)
    (tmp_path / "list.txt").write_text("Resources: [\n")
    both = lint(tmp_path, "--format", "json", "stack.cform", "stack.txt", "list.txt")
    assert sorted(e["file"] for e in both.json["errors"]) == ["stack.cform", "stack.txt"]
    assert _summary(both)[2] == 1  # list.txt


def test_folders_read_cform_and_cfn_but_not_other_names(tmp_path: Path) -> None:
    for name in ("a.cform", "b.cfn", "c.cfn.yaml", "d.cfn.json", "e.txt"):
        shutil.copy(CFORM / "stacks" / "create_cloudtrail.cform", tmp_path / name)
    result = lint(tmp_path, "--format", "json", ".")
    assert {f[1] for f in result.findings()} == {"a.cform", "b.cfn", "c.cfn.yaml", "d.cfn.json"}
    assert _summary(result) == (4, 4, 1)


# --------------------------------------------------------------------------- OpenTofu


def test_opentofu_reads_x_tofu_instead_of_x_tf() -> None:
    assert split_shadowed(["m/a.tf", "m/a.tofu", "m/b.tf", "m/c.tf.json", "m/c.tofu.json", "m/d.tofu.json"]) == (
        ["m/a.tofu", "m/b.tf", "m/c.tofu.json", "m/d.tofu.json"], ["m/a.tf", "m/c.tf.json"])
    assert split_shadowed(["m/a.tf", "m/b.tf.json"]) == (["m/a.tf", "m/b.tf.json"], [])
    # a .tf.json file is replaced by .tofu.json only, not by .tofu
    assert split_shadowed(["m/a.tf.json", "m/a.tofu"]) == (["m/a.tf.json", "m/a.tofu"], [])


def test_discovery_lists_tofu_files_and_skips_the_files_they_replace() -> None:
    found = discover([str(TOFU)])
    [(tf, _tfvars)] = found.listings.values()
    assert sorted(Path(p).name for p in tf) == ["iam.tofu.json", "main.tofu", "providers.tf"]
    assert Path(found.skipped[-1]).name == "main.tf"
    assert not any(p.endswith(".tofu.json") for p in found.documents)


def test_a_named_tf_file_that_a_tofu_file_replaces_is_skipped() -> None:
    only_tf = lint(TOFU, "--format", "json", "main.tf")
    assert only_tf.exit_code == 0 and only_tf.json["findings"] == []
    assert _summary(only_tf) == (0, 0, 1)
    only_tofu = lint(TOFU, "--format", "json", "main.tofu")
    assert only_tofu.findings() == {("CTL003", "main.tofu", 7, "aws_cloudtrail.main")}


def test_a_called_module_outside_the_scanned_folder_reads_tofu_files(tmp_path: Path) -> None:
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / "main.tf").write_text('module "trail" {\n  source = "../modules/trail"\n}\n')
    shutil.copytree(TOFU, tmp_path / "modules" / "trail", ignore=shutil.ignore_patterns("expected.txt"))
    result = lint(tmp_path, "--format", "json", "live")  # modules/ is read as called, never walked
    assert result.findings() == {("CTL003", "modules/trail/main.tofu", 7, "module.trail.aws_cloudtrail.main")}


def test_the_pre_commit_hook_passes_tofu_and_template_files() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(next(h for h in hooks if h["id"] == "cloudtrail-lint")["files"])
    for name in ("main.tf", "main.tofu", "x.tf.json", "x.tofu.json", "prod.tfvars", "a.tfvars.json",
                 "t.yaml", "t.yml", "t.json", "t.template", "create_cloudtrail.cform", "t.cfn", "serverless.yml",
                 "terragrunt.hcl"):
        assert pattern.search(f"infra/{name}"), name
    assert pattern.search("terragrunt.hcl")
    for name in ("README.md", "main.py", "x.hcl", ".terraform.lock.hcl", "main.tofu.bak", "not-terragrunt.hcl"):
        assert not pattern.search(f"infra/{name}"), name


# --------------------------------------------------------------------------- Terraform override files


def _files(**texts: str):
    return [parse_hcl(text, name.replace("__", ".").replace("_DOT_", ".")) for name, text in texts.items()]


def _merge(*files, problems: list | None = None):
    return merge_overrides(list(files), (lambda path, err: problems.append((path, err.line, err.message)))
                           if problems is not None else None)


def test_override_file_names() -> None:
    for name in ("override.tf", "override.tf.json", "x_override.tf", "db_override.tf.json", "override.tofu",
                 "a_override.tofu.json", "m/override.tf"):
        assert is_override(name), name
    for name in ("overrides.tf", "my-override.tf", "override.tfvars", "x_override.tf.bak", "main.tf"):
        assert not is_override(name), name


def test_override_attributes_replace_one_by_one_and_null_stays_null_at_its_own_position() -> None:
    main = parse_hcl('resource "aws_cloudtrail" "t" {\n  name = "t"\n  cloud_watch_logs_group_arn = "g"\n'
                     '  cloud_watch_logs_role_arn = "r"\n}\n', "main.tf")
    over = parse_hcl('\n\nresource "aws_cloudtrail" "t" {\n  cloud_watch_logs_group_arn = null\n}\n', "override.tf")
    merged, rest = _merge(main, over)
    [trail] = merged.blocks
    assert (trail.file, trail.line) == ("main.tf", 1)
    assert set(trail.attrs) == {"name", "cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"}
    group = trail.attrs["cloud_watch_logs_group_arn"]
    assert isinstance(group.expr, Literal) and group.expr.value is None and group.line == 4
    assert trail.attrs["name"] is main.blocks[0].attrs["name"]
    assert rest.path == "override.tf" and rest.blocks == []
    # the parsed files are not changed
    assert main.blocks[0].attrs["cloud_watch_logs_group_arn"].expr.value == "g"
    assert len(over.blocks) == 1


def test_override_nested_blocks_replace_those_of_their_type_and_lifecycle_merges() -> None:
    main = parse_hcl(
        'resource "aws_cloudtrail" "t" {\n  event_selector {\n    read_write_type = "All"\n  }\n'
        '  event_selector {\n    read_write_type = "ReadOnly"\n  }\n  insight_selector {\n'
        '    insight_type = "ApiCallRateInsight"\n  }\n  lifecycle {\n    prevent_destroy = true\n'
        '    ignore_changes  = [tags]\n  }\n}\n', "main.tf")
    over = parse_hcl('resource "aws_cloudtrail" "t" {\n  event_selector {\n    read_write_type = "WriteOnly"\n'
                     '  }\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n', "trail_override.tf")
    [trail] = _merge(main, over)[0].blocks
    assert [b.type for b in trail.blocks] == ["insight_selector", "event_selector", "lifecycle"]
    selector, lifecycle = trail.blocks[1], trail.blocks[2]
    assert selector.file == "trail_override.tf"
    assert selector.attrs["read_write_type"].expr.src == '"WriteOnly"'
    assert set(lifecycle.attrs) == {"prevent_destroy", "ignore_changes"}
    assert lifecycle.attrs["prevent_destroy"].expr.src == "false"


def test_overrides_compound_in_file_name_order() -> None:
    main = parse_hcl('variable "days" {\n  default = 365\n  validation {\n    condition = var.days > 0\n'
                     '    error_message = "positive"\n  }\n}\n', "variables.tf")
    first = parse_hcl('variable "days" {\n  default = 30\n}\n', "a_override.tf")
    second = parse_hcl('variable "days" {\n  default = 7\n  type = number\n}\n', "b_override.tf")
    merged = _merge(main, second, first)[0]  # given out of order: applied a_ then b_
    [variable] = merged.blocks
    assert variable.attrs["default"].expr.value == 7
    assert variable.attrs["type"].expr.src == "number"
    assert [b.type for b in variable.blocks] == ["validation"]  # Terraform keeps the declaration's validations


def test_override_locals_replace_value_by_value() -> None:
    a = parse_hcl('locals {\n  name = "org"\n  days = 365\n}\n', "a.tf")
    b = parse_hcl('locals {\n  kms = null\n}\n', "b.tf")
    over = parse_hcl('locals {\n  days = 30\n  kms  = "k"\n}\n', "override.tf")
    merged_a, merged_b, _ = _merge(a, b, over)
    assert {k: v.expr.value for k, v in merged_a.blocks[0].attrs.items()} == {"name": "org", "days": 30}
    assert merged_b.blocks[0].attrs["kms"].expr.value == "k"


def test_override_provider_blocks_match_by_alias_and_terraform_settings_one_by_one() -> None:
    main = parse_hcl(
        'terraform {\n  required_version = ">= 1.0"\n  backend "s3" {\n    bucket = "state"\n  }\n'
        '  required_providers {\n    aws = {\n      source = "hashicorp/aws"\n      version = ">= 2.0"\n    }\n'
        '    random = {\n      source = "hashicorp/random"\n    }\n  }\n}\n\nprovider "aws" {\n'
        '  region = "us-east-1"\n}\n\nprovider "aws" {\n  alias  = "eu"\n  region = "eu-west-1"\n}\n', "main.tf")
    over = parse_hcl(
        'terraform {\n  cloud {\n    organization = "acme"\n  }\n  required_providers {\n    aws = {\n'
        '      source = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n\nprovider "aws" {\n'
        '  alias  = "eu"\n  region = "eu-central-1"\n}\n', "override.tf")
    merged, kept = _merge(main, over)
    settings, default, eu = merged.blocks
    assert set(settings.attrs) == {"required_version"}
    assert [b.type for b in settings.blocks] == ["required_providers"]  # the backend gave way to the cloud block
    assert set(settings.blocks[0].attrs) == {"random"}
    assert [b.type for b in kept.blocks] == ["terraform"]  # read after the primary files
    assert default.attrs["region"].expr.value == "us-east-1"
    assert eu.attrs["region"].expr.value == "eu-central-1"


def test_an_override_without_a_base_block_and_depends_on_are_reported() -> None:
    main = parse_hcl('resource "aws_cloudtrail" "t" {\n  name = "t"\n}\nlocals {\n  a = 1\n}\n', "main.tf")
    over = parse_hcl('resource "aws_cloudtrail" "other" {\n  name = "o"\n}\n\nresource "aws_cloudtrail" "t" {\n'
                     '  depends_on = [aws_s3_bucket.b]\n}\nlocals {\n  b = 2\n}\nmoved {\n  from = a.b\n'
                     '  to   = a.c\n}\n', "override.tofu")
    problems: list = []
    merged, kept = _merge(main, over, problems=problems)
    assert problems == [
        ("override.tofu", 1, 'missing resource to override: no `resource "aws_cloudtrail" "other"` block in the'
         " module's other files (Terraform rejects this override)"),
        ("override.tofu", 6, "unsupported override: the depends_on argument may not be overridden"),
        ("override.tofu", 9, "missing base local value definition to override: no local `b` in the module's"
         " other files (Terraform rejects this override)"),
    ]
    assert [b.labels for b in merged.blocks if b.type == "resource"] == [["aws_cloudtrail", "t"]]
    assert kept.blocks == []


def test_a_module_without_override_files_is_returned_as_it_is() -> None:
    files = [parse_hcl('locals {\n  a = 1\n}\n', "main.tf")]
    assert merge_overrides(files) is files


def test_an_override_in_json_syntax_merges_like_one_in_hcl(tmp_path: Path) -> None:
    folder = FIXTURES / "tf_override_unwires_trail"
    for name in ("main.tf", "providers.tf"):
        shutil.copy(folder / name, tmp_path / name)
    (tmp_path / "override.tf.json").write_text(
        '{"resource": {"aws_cloudtrail": {"audit": {"cloud_watch_logs_group_arn": null}}}}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.findings() == {("CTL001", "main.tf", 20, "aws_cloudtrail.audit")}


def test_a_broken_override_file_is_an_error_and_the_rest_is_merged(tmp_path: Path) -> None:
    folder = FIXTURES / "tf_override_unwires_trail"
    for name in ("main.tf", "override.tf", "providers.tf"):
        shutil.copy(folder / name, tmp_path / name)
    (tmp_path / "late_override.tf").write_text('resource "aws_cloudtrail" "audit" {\n  name = \n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.findings() == {("CTL001", "main.tf", 20, "aws_cloudtrail.audit")}
    assert [e["file"] for e in result.json["errors"]] == ["late_override.tf"]
    assert result.exit_code == 2


# --------------------------------------------------------------------------- Fn::ForEach


def _template(body: str) -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::LanguageExtensions\n' + body


#: Templates whose loops cfn-lint can expand too (known collections).
ORACLE = {
    "literal_and_ref_default": """
Parameters:
  Units:
    Type: CommaDelimitedList
    Default: "payments,identity"
Resources:
  Fn::ForEach::Groups:
    - Unit
    - !Ref Units
    - ${Unit}Logs:
        Type: AWS::Logs::LogGroup
        Properties:
          LogGroupName: !Sub /aws/cloudtrail/${Unit}
          RetentionInDays: 90
      ${Unit}Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          IsLogging: true
          S3BucketName: !Sub "${Unit}-trail-${AWS::AccountId}"
          CloudWatchLogsLogGroupArn: !GetAtt [!Sub "${Unit}Logs", Arn]
          CloudWatchLogsRoleArn: !Ref RoleArn
          Tags:
            - Key: unit
              Value: !Ref Unit
""",
    "nested_and_ampersand": """
Resources:
  Fn::ForEach::Kinds:
    - Kind
    - [Lambda, S3]
    - Fn::ForEach::Regions:
        - Region
        - [us-east-1, eu-west-1]
        - ${Kind}Trail&{Region}:
            Type: AWS::CloudTrail::Trail
            Properties:
              IsLogging: true
              S3BucketName: !Sub "${Kind}-${Region}"
              TrailName: !Join ["-", [!Ref Kind, !Ref Region]]
""",
    "find_in_map_and_sections": """
Mappings:
  Teams:
    All:
      Names: [red, blue]
Conditions:
  Fn::ForEach::IsTeam:
    - Team
    - !FindInMap [Teams, All, Names]
    - Is${Team}:
        Fn::Equals: [!Ref Team, red]
Resources:
  Fn::ForEach::Trails:
    - Team
    - !FindInMap [Teams, All, Names]
    - ${Team}Trail:
        Type: AWS::CloudTrail::Trail
        Condition: !Sub Is${Team}
        Properties:
          IsLogging: true
          S3BucketName: shared-trail
Outputs:
  Fn::ForEach::Out:
    - Team
    - [red, blue]
    - ${Team}TrailArn:
        Value: !GetAtt [!Sub "${Team}Trail", Arn]
""",
}


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_loops_expand_as_cfn_lint_expands_them(name: str, tmp_path: Path) -> None:
    pytest.importorskip("cfnlint")
    from cfnlint.decode import decode
    from cfnlint.template import Template
    from cfnlint.template.transforms.transform import Transform

    path = tmp_path / "template.yaml"
    path.write_text(_template(ORACLE[name]))
    decoded, matches = decode(str(path))
    assert not matches
    theirs = Template(str(path), decoded, ["us-east-1"])
    assert Transform().transform(theirs) == []
    kind, ours = document_from_bytes(path.read_bytes(), str(path))
    assert kind == "cloudformation"
    for section in ("Conditions", "Resources", "Outputs"):
        if section in theirs.template:
            assert differences(ours[section], theirs.template[section], section) == []


def test_generated_resources_keep_the_positions_of_their_fragment() -> None:
    text = _template(ORACLE["nested_and_ampersand"])
    data = expand(load(text).data)
    resources = data["Resources"]
    assert list(resources) == ["LambdaTrailuseast1", "LambdaTraileuwest1", "S3Trailuseast1", "S3Traileuwest1"]
    line = text.splitlines().index("        - ${Kind}Trail&{Region}:") + 1
    assert {resources.key_pos[k] for k in resources} == {(line, 11)}
    properties = resources["S3Traileuwest1"]["Properties"]
    assert properties.line == line + 3 and properties.key_pos["S3BucketName"] == (line + 4, 15)
    assert properties["S3BucketName"] == "S3-eu-west-1"


def test_an_unknown_collection_gives_one_instance_with_the_reason() -> None:
    data = expand(load(_template("""
Parameters:
  Accounts:
    Type: CommaDelimitedList
Resources:
  Fn::ForEach::Partners:
    - Account
    - !Ref Accounts
    - Partner${Account}Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          CloudWatchLogsRoleArn: !Sub arn:aws:iam::${Account}:role/trail
          TrailName: !Ref Account
  Fn::ForEach::Zones:
    - Zone
    - !Split [",", !ImportValue zone-list]
    - Zone&{Zone}Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          TrailName: !Ref Zone
""")).data)
    partner, zone = data["Resources"]["Partner${Account}Trail"], data["Resources"]["Zone&{Zone}Trail"]
    select = {"Fn::Select": ["0", {"Ref": "Accounts"}]}
    assert partner["Properties"]["TrailName"] == select
    assert partner["Properties"]["CloudWatchLogsRoleArn"] == {
        "Fn::Sub": ["arn:aws:iam::${Account}:role/trail", {"Account": select}]}
    unknown = zone["Properties"]["TrailName"]
    assert isinstance(unknown, Tagged) and "Fn::ForEach::Zones" in unknown.tag


def test_a_trail_made_by_a_loop_is_suppressed_by_its_metadata(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(_template("""
Resources:
  Fn::ForEach::Trails:
    - Name
    - [audit, sandbox]
    - ${Name}Trail:
        Type: AWS::CloudTrail::Trail
        Metadata:
          cloudtrail-lint:
            ignore:
              - rule: CTL001
                reason: delivered by the organization trail
        Properties:
          IsLogging: true
          S3BucketName: org-trails
"""))
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 0
    assert sorted((f["resource"], f["suppressed"]) for f in result.json["findings"]) == [
        ("auditTrail", True), ("sandboxTrail", True)]


@pytest.mark.parametrize(("body", "message", "line"), [
    ("Resources:\n  aTrail:\n    Type: AWS::CloudTrail::Trail\n  Fn::ForEach::Bad:\n    - Name\n    - [a]\n",
     "malformed Fn::ForEach::Bad", 6),
    ("Resources:\n  aTrail:\n    Type: AWS::CloudTrail::Trail\n  Fn::ForEach::Twice:\n    - N\n    - [a]\n"
     "    - ${N}Trail:\n        Type: AWS::CloudTrail::Trail\n", "aTrail is defined twice", 9),
])
def test_a_malformed_loop_in_a_template_is_an_error(tmp_path: Path, body: str, message: str, line: int) -> None:
    (tmp_path / "t.yaml").write_text(_template(body))
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    [error] = result.json["errors"]
    assert message in error["message"] and error["line"] == line


def test_a_loop_that_expands_without_bound_is_an_error_not_a_hang() -> None:
    items = "[" + ", ".join(f"v{i}" for i in range(300)) + "]"
    body = "Resources:\n"
    indent = "  "
    for depth in range(4):
        body += f"{indent}Fn::ForEach::L{depth}:\n{indent}  - I{depth}\n{indent}  - {items}\n{indent}  - "
        indent += "    "
        body += "\n" if depth < 3 else ""
    body += "T${I0}${I1}${I2}${I3}:\n" + indent + "  Type: AWS::CloudTrail::Trail\n"
    started = time.monotonic()
    with pytest.raises(ParseError, match="expands to more than"):
        document_from_bytes(_template(body).encode(), "bomb.yaml")
    assert time.monotonic() - started < 5


# --------------------------------------------------------------------------- Serverless Framework


def _serverless(text: str, name: str = "serverless.yml"):
    loaded = document_from_bytes(text.encode(), f"svc/{name}")
    assert loaded is not None and loaded[0] == "cloudformation"
    return loaded[1]


def test_serverless_self_variables_are_resolved_from_the_same_file() -> None:
    data = _serverless("""
service: audit
provider:
  stage: ${opt:stage, 'dev'}
custom:
  names:
    trail: ${self:service}-trail
  days: ${self:custom.missing, '90'}
  loop: ${self:custom.loop}
resources:
  Resources:
    ${self:service}Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        TrailName: ${self:custom.names.trail}
        S3BucketName: ${self:service}-${self:provider.stage}-logs
        Tags: [{Key: days, Value: "${self:custom.days}"}, {Key: loop, Value: "${self:custom.loop}"}]
        CloudWatchLogsLogGroupArn: arn:aws:logs:${aws:region}:${aws:accountId}:log-group:/trail:*
""")
    trail = data["Resources"]["auditTrail"]
    assert data["Resources"].key_pos["auditTrail"] == (12, 5)
    props = trail["Properties"]
    assert props["TrailName"] == "audit-trail"
    stage = props["S3BucketName"]["Fn::Join"][1]
    assert stage[0] == "audit-" and stage[2] == "-logs"
    assert isinstance(stage[1], Tagged) and stage[1].tag.startswith("${opt:stage, 'dev'} (a Serverless Framework"
                                                                     " command-line option")
    assert props["Tags"][0]["Value"] == "90"
    assert isinstance(props["Tags"][1]["Value"], Tagged)  # a cycle is unknown, and ends
    assert props["CloudWatchLogsLogGroupArn"] == {"Fn::Join": ["", [
        "arn:aws:logs:", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"}, ":log-group:/trail:*"]]}


def test_serverless_variables_in_sub_text_become_sub_variables() -> None:
    data = _serverless("""
service: audit
resources:
  Resources:
    Trail:
      Type: AWS::CloudTrail::Trail
      Properties:
        TrailName: !Sub "${self:service}-${AWS::Region}"
        S3BucketName: !Sub ["${Prefix}-${env:BUCKET}", {Prefix: "${self:service}"}]
""")
    props = data["Resources"]["Trail"]["Properties"]
    assert props["TrailName"] == {"Fn::Sub": "audit-${AWS::Region}"}
    text, variables = props["S3BucketName"]["Fn::Sub"]
    assert text == "${Prefix}-${serverless-variable-1}"
    assert variables["Prefix"] == "audit"
    assert "read from the environment" in variables["serverless-variable-1"].tag


def test_serverless_json_and_resources_as_fragments() -> None:
    data = _serverless("""{
  "service": "ingest",
  "resources": [
    "${file(resources/bucket.yml)}",
    {"Resources": {"A": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": true}}}},
    {"Resources": {"B": {"Type": "AWS::Logs::LogGroup"}}, "Outputs": {"O": {"Value": {"Ref": "A"}}}}
  ]
}
""", "serverless.json")
    assert list(data["Resources"]) == ["A", "B"]
    assert data["Resources"].key_pos["A"] == (5, 20) and data["Resources"].key_pos["B"] == (6, 20)
    assert data["Outputs"]["O"]["Value"] == {"Ref": "A"}


def test_other_files_with_a_resources_key_are_not_serverless_files() -> None:
    text = "resources:\n  Resources:\n    T:\n      Type: AWS::CloudTrail::Trail\n"
    assert document_from_bytes(text.encode(), "svc/app.yml") is None
    assert document_from_bytes(text.encode(), "svc/serverless.yml") is not None


def test_serverless_variables_that_expand_without_bound_are_an_error_not_a_hang() -> None:
    refs = [f'"${{self:custom.v{i + 1}}}"' for i in range(40)]
    custom = "\n".join(f"  v{i}: [{', '.join([refs[i]] * 30)}]" for i in range(40))
    text = ("service: s\ncustom:\n" + custom + "\n  v40: x\nresources:\n  Resources:\n    T:\n"
            "      Type: AWS::CloudTrail::Trail\n      Properties:\n        Tags: ${self:custom.v0}\n")
    started = time.monotonic()
    data = _serverless(text)  # each target is resolved once and shared: 30 * 40 nodes, not 30 ** 40
    assert time.monotonic() - started < 5
    tags = data["Resources"]["T"]["Properties"]["Tags"]
    assert tags[0][0][0] is tags[1][0][0]


def test_sub_text_keeps_its_escapes_and_other_variables() -> None:
    data = expand(load(_template("""
Resources:
  Fn::ForEach::T:
    - N
    - [a]
    - ${N}Trail:
        Type: AWS::CloudTrail::Trail
        Properties:
          S3BucketName: !Sub "${N}-${!Literal}"
          TrailName: !Sub "${N}-${AWS::Region}"
          KmsKeyId: !Sub "${N}"
""")).data)
    props = data["Resources"]["aTrail"]["Properties"]
    assert props["S3BucketName"] == {"Fn::Sub": "a-${!Literal}"}
    assert props["TrailName"] == {"Fn::Sub": "a-${AWS::Region}"}
    assert props["KmsKeyId"] == "a"


def test_a_named_override_file_reports_the_trails_of_its_whole_module() -> None:
    """The pre-commit hook passes only the changed override.tf: the trail it unwires is in main.tf."""
    result = lint(FIXTURES / "tf_override_unwires_trail", "--format", "json", "override.tf")
    assert result.findings() == {("CTL001", "main.tf", 20, "aws_cloudtrail.audit")}
    assert result.exit_code == 1


def test_serverless_variables_past_the_node_limit_are_an_error() -> None:
    big = "[" + ", ".join(f"[{i}]" for i in range(2000)) + "]"
    aliases = "".join(f"  b{i}: *big\n" for i in range(60))  # 60 names for one 2,000-node list
    tags = ", ".join(f'"${{self:custom.b{i}}}"' for i in range(60))
    text = (f"service: s\ncustom:\n  big: &big {big}\n{aliases}  copies: [{tags}]\nresources:\n  Resources:\n"
            "    T:\n      Type: AWS::CloudTrail::Trail\n      Properties:\n        Tags: ${self:custom.copies}\n")
    started = time.monotonic()
    with pytest.raises(ParseError, match="serverless variables expand to more than 100000 nodes"):
        document_from_bytes(text.encode(), "svc/serverless.yml")
    assert time.monotonic() - started < 5
