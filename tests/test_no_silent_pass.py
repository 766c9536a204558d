"""Issue 12: every trail the code can create is checked, and what cannot be checked is said.

The scenarios live in tests/fixtures/ (their findings are checked by test_fixtures.py); these tests
check the wording users act on.
"""

from __future__ import annotations

import re

import pytest

from .conftest import FIXTURES, lint


def messages(scenario: str, *args: str) -> list[tuple[str, str]]:
    result = lint(FIXTURES / scenario, "--format", "json", *args, ".")
    return [(f["rule"], f["message"]) for f in result.json["findings"]]


def test_a_trail_off_by_default_is_checked_when_it_would_be_on() -> None:
    found = messages("count_zero_by_default")
    assert found == [
        ("CTL002", "trail sets a CloudWatch Logs log group but no delivery role: no role ARN is set"
                   " (when `var.enabled` is true; false by default)"),
        ("CTL003", "log group aws_cloudwatch_log_group.trail[0] (main.tf:12) keeps events 90 days; at least 365"
                   " are required (when `var.enabled` is true; false by default)"),
    ]


def test_a_module_off_by_default_is_checked_when_it_would_be_on() -> None:
    assert messages("module_count_zero_by_default") == [
        ("CTL001", "trail sends no events to CloudWatch Logs: no log group ARN is set"
                   " (when `var.create_audit_trail` is true; false by default)")]


def test_a_value_set_by_tfvars_still_means_no_instance(tmp_path) -> None:
    text = (FIXTURES / "count_zero_by_default" / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(text)
    (tmp_path / "terraform.tfvars").write_text("enabled = false\n")
    result = lint(tmp_path, "--format", "json", ".")
    assert (result.exit_code, result.json["findings"], result.json["summary"]["trails"]) == (0, [], 0)


def test_what_was_not_followed_is_said_in_every_format() -> None:
    text = lint(FIXTURES / "unfollowed_registry_module", ".")
    assert text.stdout.splitlines()[0] == (
        "main.tf:1:1: CTL010 warning module.cloudtrail (cloudposse/cloudtrail/aws 0.24.0) is not downloaded;"
        " run `terraform init` to check the trails inside it [module.cloudtrail]")
    assert text.exit_code == 0
    for fmt in ("json", "sarif", "junit", "github", "gitlab"):
        out = lint(FIXTURES / "unfollowed_registry_module", "--format", fmt, ".").stdout
        assert "cloudposse/cloudtrail/aws 0.24.0" in out, fmt
    assert lint(FIXTURES / "unfollowed_registry_module", "--unknown", "fail", ".").exit_code == 1
    assert lint(FIXTURES / "unfollowed_registry_module", "--unknown", "ignore", ".").stdout.startswith("0 errors")


def test_nested_stacks_and_custom_resources_that_may_create_trails() -> None:
    assert messages("unfollowed_cfn_nested_stack") == [
        ("CTL010", "nested stack AuditLoggingStack (https://acme-templates.s3.amazonaws.com/audit-logging.yaml)"
                   " is not read; lint its template to check the trails inside it"),
        ("CTL010", "custom resource OrgTrailSetup (Custom::OrganizationTrail) may create a trail that cannot be"
                   " checked"),
    ]


def test_module_instances_are_indexed_and_no_message_shows_an_internal_object() -> None:
    found = messages("module_for_each_indexed")
    assert [rule for rule, _ in found] == ["CTL003", "CTL004"]
    assert found[0][1].startswith('log group module.lg["platform"].aws_cloudwatch_log_group.this ')
    for _rule, message in found:
        assert not re.search(r"Literal\(|Instance|ModuleRef|object at 0x|\['", message), message


def test_a_module_input_the_caller_sets_is_not_null() -> None:
    (only,) = messages("module_input_not_null")
    assert only[0] == "CTL010"
    assert "when" not in only[1]


def test_conditions_are_branched_on_what_they_are_made_of() -> None:
    found = [m for m in messages("conditions_branch_on_atoms") if "delivery role" not in m[1]]
    assert found == [
        ("CTL003", "log group aws_cloudwatch_log_group.this[0] (main.tf:15) keeps events 90 days; at least 365 are"
                   ' required (when `var.log_group_arn == ""` is true)'),
        ("CTL010", "log group ARN cannot be resolved: var.log_group_arn has no default and no tfvars value"
                   ' (when `var.log_group_arn == ""` is false)'),
    ]


def test_a_followed_value_is_not_unresolved() -> None:
    result = lint(FIXTURES / "log_group_name_from_variable", "--format", "json", "--unknown", "fail", ".")
    assert (result.exit_code, result.json["findings"]) == (0, [])


def _repository(tmp_path, scenario: str):
    import shutil

    root = tmp_path / "repo"
    shutil.copytree(FIXTURES / scenario, root)
    (root / ".git").mkdir()
    (root / "expected.txt").unlink()
    return root


@pytest.mark.parametrize(("named", "expected"), [
    # a module's log group changed: reported at the trail of every root that uses it
    ("modules/logs/main.tf", [("modules/trail/main.tf", 9, "module.logs.aws_cloudwatch_log_group.this")]),
    # a caller changed: the trails of the modules it calls, with its arguments
    ("root/main.tf", [("modules/trail/main.tf", 9, "aws_cloudwatch_log_group.trail")]),
    ("live/prod/main.tf", [("modules/trail/main.tf", 9, "module.logs.aws_cloudwatch_log_group.this")]),
    # the trail's own module changed: checked from every root that calls it
    ("modules/trail/main.tf", [("modules/trail/main.tf", 9, "aws_cloudwatch_log_group.trail"),
                               ("modules/trail/main.tf", 9, "module.logs.aws_cloudwatch_log_group.this")]),
])
def test_a_named_file_is_checked_where_its_module_is_used(tmp_path, named: str, expected) -> None:
    root = _repository(tmp_path, "per_file_callers")
    result = lint(root, "--format", "json", named)
    retention = [f for f in result.json["findings"] if f["rule"] == "CTL003"]
    assert [(f["file"], f["line"], f["message"].split(" ")[2]) for f in retention] == expected
    # the only other finding says the delivery role, a literal ARN, cannot be checked
    assert {f["kind"] for f in result.json["findings"] if f["rule"] != "CTL003"} == {"delivery-unresolved"}
    assert result.exit_code == 1
    # with the call chain, from the root module down
    chains = [[r["label"] for r in f["related"] if r["label"].startswith("module.")] for f in retention]
    assert all(chain and chain[-1].startswith("module.trail ") for chain in chains)


def test_a_named_file_that_nothing_depends_on_reports_nothing(tmp_path) -> None:
    root = _repository(tmp_path, "per_file_callers")
    (root / "unrelated").mkdir()
    (root / "unrelated" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    result = lint(root, "--format", "json", "unrelated/main.tf")
    assert (result.exit_code, result.json["findings"]) == (0, [])


def test_a_terragrunt_source_downloaded_into_its_cache_is_followed(tmp_path) -> None:
    unit = tmp_path / "live" / "audit"
    copy = unit / ".terragrunt-cache" / "Xq1" / "aB2" / "modules" / "org-trail"
    copy.mkdir(parents=True)
    (unit / "terragrunt.hcl").write_text(
        (FIXTURES / "terragrunt_units" / "live" / "audit" / "terragrunt.hcl").read_text())
    (copy / "main.tf").write_text(
        'variable "name" {\n  type = string\n}\n\nresource "aws_cloudtrail" "org" {\n  name           = var.name\n'
        '  s3_bucket_name = "acme-org-trails"\n  is_organization_trail = true\n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    (finding,) = result.json["findings"]
    # reported at the terraform block the user owns, with the downloaded trail as a related location
    assert (finding["rule"], finding["file"], finding["line"], finding["resource"]) == (
        "CTL001", "live/audit/terragrunt.hcl", 1, "aws_cloudtrail.org")
    assert finding["related"][0] == {"label": "trail aws_cloudtrail.org", "line": 5, "column": 1,
                                     "file": "live/audit/.terragrunt-cache/Xq1/aB2/modules/org-trail/main.tf"}


def test_a_named_terragrunt_file_is_linted() -> None:
    result = lint(FIXTURES / "terragrunt_units", "--format", "json", "live/prod/terragrunt.hcl")
    assert [(f["rule"], f["kind"], f["file"]) for f in result.json["findings"]] == [
        ("CTL003", "retention-too-short", "modules/trail/main.tf"),
        ("CTL010", "delivery-unresolved", "modules/trail/main.tf")]


def test_a_terragrunt_source_that_does_not_exist_is_an_input_error(tmp_path) -> None:
    (tmp_path / "terragrunt.hcl").write_text('terraform {\n  source = "../modules/trail"\n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert result.json["errors"] == [
        {"file": "terragrunt.hcl", "line": 2, "message": "terraform source ../modules/trail does not exist"}]


SEVERAL_CONDITIONS = '''variable "central_logging" {
  type = bool
}

variable "log_group_arn" {
  type    = string
  default = null
}

variable "short_retention" {
  type = bool
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = var.short_retention ? 30 : 365
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "acme-trails"
  cloud_watch_logs_group_arn = var.central_logging ? var.log_group_arn : aws_cloudwatch_log_group.trail.arn
  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/delivery"
}
'''


def test_one_line_per_rule_kind_and_attribute_with_compact_conditions(tmp_path) -> None:
    """Issue 13 B4: variants that share a finding are one line; the conditions are merged (the CTL004 of
    both `short_retention` branches says only "when `var.central_logging` is false")."""
    (tmp_path / "main.tf").write_text(SEVERAL_CONDITIONS)
    text = lint(tmp_path, ".").stdout.splitlines()
    assert [line.split(" ", 2)[1] for line in text[:-1]] == ["CTL001", "CTL003", "CTL004"]
    assert text[0].endswith("is null (when `var.central_logging` is true) [aws_cloudtrail.org]")
    assert text[1].endswith("(when `var.central_logging` is false and `var.short_retention` is true)"
                            " [aws_cloudtrail.org]")
    assert text[2].endswith("(when `var.central_logging` is false) [aws_cloudtrail.org]")
    # JSON keeps each variant under its finding
    (ctl004,) = [f for f in lint(tmp_path, "--format", "json", ".").json["findings"] if f["rule"] == "CTL004"]
    assert ctl004["conditions"] == [["`var.central_logging` is false"]]
    assert [v["conditions"] for v in ctl004["variants"]] == [
        ["`var.central_logging` is false", "`var.short_retention` is true"],
        ["`var.central_logging` is false", "`var.short_retention` is false"]]
