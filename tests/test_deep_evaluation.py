"""Deep evaluation beyond the scenario folders: module errors, downloaded modules, unknowns explained."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import lint

TRAIL_MODULE = '''
variable "log_group_arn" {
  type = string
}

resource "aws_cloudtrail" "this" {
  name                       = "org"
  s3_bucket_name             = "acme-org-trail"
  cloud_watch_logs_group_arn = var.log_group_arn
}
'''


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_module_cycle_is_an_error_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'module "a" {\n  source = "./a"\n}\n',
        "a/main.tf": '\n\nmodule "back" {\n  source = "../"\n}\n' + TRAIL_MODULE.replace("variable", "# v", 0),
    })
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    errors = result.json["errors"]
    assert [(e["file"], e["line"]) for e in errors] == [("a/main.tf", 3)]
    assert "module cycle" in errors[0]["message"]


def test_missing_local_module_source_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'resource "aws_s3_bucket" "b" {}\n\nmodule "trail" {\n  source = "./modules/trail"\n}\n',
    })
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert result.json["errors"] == [{
        "file": "main.tf", "line": 3,
        "message": "module source ./modules/trail does not exist (modules/trail)",
    }]


def test_registry_module_not_downloaded_is_explained(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
module "logs" {
  source  = "terraform-aws-modules/cloudwatch/aws//modules/log-group"
  version = "~> 5.0"
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "acme-org-trail"
  cloud_watch_logs_group_arn = "${module.logs.cloudwatch_log_group_arn}:*"
  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/trail"
}
'''})
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 0
    [finding] = result.json["findings"]
    assert finding["rule"] == "CTL010"
    assert finding["message"] == (
        "log group ARN cannot be resolved: module terraform-aws-modules/cloudwatch/aws//modules/log-group"
        " is not downloaded; run terraform init"
    )


def test_downloaded_registry_module_is_followed(tmp_path: Path) -> None:
    write(tmp_path, {
        "main.tf": 'module "trail" {\n  source = "acme/trail/aws"\n'
                   '  log_group_arn = "arn:aws:logs:us-east-1:1:log-group:x"\n}\n',
        ".terraform/modules/trail/main.tf": TRAIL_MODULE,
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "trail", "Source": "registry.terraform.io/acme/trail/aws", "Dir": ".terraform/modules/trail"},
        ]}),
    })
    result = lint(tmp_path, "--format", "json", ".")
    # reported at the module call the user owns, with the trail in the downloaded module as related
    assert result.findings() == {
        ("CTL002", "main.tf", 1, "module.trail.aws_cloudtrail.this"),
        ("CTL004", "main.tf", 1, "module.trail.aws_cloudtrail.this"),
    }
    ctl004 = next(f for f in result.json["findings"] if f["rule"] == "CTL004")
    assert [(r["label"], r["file"], r["line"]) for r in ctl004["related"]] == [
        ("trail module.trail.aws_cloudtrail.this", ".terraform/modules/trail/main.tf", 6),
        ("log group ARN value", ".terraform/modules/trail/main.tf", 9),
        ("module.trail (acme/trail/aws)", "main.tf", 1),
    ]


DOWNLOADED = {
    "main.tf": '# cloudtrail-lint: ignore CTL002 reason="the role comes from the landing zone" owner=secops\n'
               'module "trail" {\n  source = "acme/trail/aws"\n'
               '  log_group_arn = aws_cloudwatch_log_group.trail.arn\n}\n\n'
               'resource "aws_cloudwatch_log_group" "trail" {\n  name              = "org-trail"\n'
               '  retention_in_days = 365\n}\n',
    ".terraform/modules/trail/main.tf": TRAIL_MODULE,
    ".terraform/modules/modules.json": json.dumps({"Modules": [
        {"Key": "trail", "Source": "registry.terraform.io/acme/trail/aws", "Dir": ".terraform/modules/trail"},
    ]}),
}


def test_a_suppression_on_the_module_call_covers_the_trails_inside(tmp_path: Path) -> None:
    write(tmp_path, DOWNLOADED)
    result = lint(tmp_path, "--format", "json", ".")
    assert [(f["rule"], f["file"], f["line"], f["suppressed"]) for f in result.json["findings"]] == [
        ("CTL002", "main.tf", 2, True), ("CTL004", "main.tf", 2, False)]
    assert result.json["findings"][0]["suppression"]["reason"] == "the role comes from the landing zone"


def test_a_downloaded_trail_is_fixed_at_its_module_call(tmp_path: Path) -> None:
    write(tmp_path, DOWNLOADED)
    module_text = (tmp_path / ".terraform/modules/trail/main.tf").read_text()
    result = lint(tmp_path, "--diff", ".")
    assert result.stdout == (
        "--- a/main.tf\n+++ b/main.tf\n@@ -1,7 +1,7 @@\n"
        ' # cloudtrail-lint: ignore CTL002 reason="the role comes from the landing zone" owner=secops\n'
        ' module "trail" {\n   source = "acme/trail/aws"\n'
        "-  log_group_arn = aws_cloudwatch_log_group.trail.arn\n"
        '+  log_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n'
        " }\n \n"
        ' resource "aws_cloudwatch_log_group" "trail" {\n')
    lint(tmp_path, "--fix", ".")
    assert (tmp_path / ".terraform/modules/trail/main.tf").read_text() == module_text
    after = lint(tmp_path, "--format", "json", ".")
    assert [(f["rule"], f["suppressed"]) for f in after.json["findings"]] == [("CTL002", True)]


def test_data_source_and_missing_variable_are_explained(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
variable "role_arn" {
  type = string
}

data "aws_cloudwatch_log_group" "shared" {
  name = "org-trail"
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "acme-org-trail"
  cloud_watch_logs_group_arn = "${data.aws_cloudwatch_log_group.shared.arn}:*"
  cloud_watch_logs_role_arn  = var.role_arn
}
'''})
    result = lint(tmp_path, "--format", "json", ".")
    messages = sorted(f["message"] for f in result.json["findings"])
    assert messages == [
        "log group ARN cannot be resolved: the value comes from data.aws_cloudwatch_log_group.shared"
        " (read from AWS at plan time)",
        "role ARN cannot be resolved: var.role_arn has no default and no tfvars value",
    ]
    assert result.exit_code == 0
    assert lint(tmp_path, "--format", "json", "--unknown", "fail", ".").exit_code == 1


def test_unknown_condition_names_the_condition(tmp_path: Path) -> None:
    fixture = Path(__file__).parent / "fixtures" / "deep_conditional_unknown"
    result = lint(fixture, "--format", "json", ".")
    [finding] = result.json["findings"]
    assert finding["message"].endswith("(when `var.send_to_cloudwatch` is false)")


def test_functions_in_wiring_positions(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
locals {
  groups = {
    org = aws_cloudwatch_log_group.org
  }
  role_arns = [aws_iam_role.trail.arn]
  settings  = merge({ retention = 14 }, { retention = 30 })
}

resource "aws_cloudwatch_log_group" "org" {
  name              = join("/", ["", "aws", "cloudtrail", lower("ORG")])
  retention_in_days = tonumber(lookup(local.settings, "retention", 365))
}

resource "aws_iam_role" "trail" {
  name               = format("%s-trail", "org")
  assume_role_policy = jsonencode({ Version = "2012-10-17" })
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "acme-org-trail"
  cloud_watch_logs_group_arn = try(format("%s:*", local.groups["org"].arn), null)
  cloud_watch_logs_role_arn  = coalesce(one(local.role_arns), element(concat(local.role_arns, ["x"]), 0))
}

resource "aws_cloudtrail" "splat" {
  name                       = "splat"
  s3_bucket_name             = "acme-org-trail"
  cloud_watch_logs_group_arn = "${one(aws_cloudwatch_log_group.org[*].arn)}:*"
  cloud_watch_logs_role_arn  = tostring(aws_iam_role.trail.arn)
}
'''})
    result = lint(tmp_path, "--format", "json", ".")
    # the role has no permissions policy (CTL007) and a trust policy without a statement (CTL010)
    assert result.findings() == {
        ("CTL003", "main.tf", 20, "aws_cloudtrail.org"),
        ("CTL003", "main.tf", 27, "aws_cloudtrail.splat"),
        ("CTL007", "main.tf", 20, "aws_cloudtrail.org"),
        ("CTL007", "main.tf", 27, "aws_cloudtrail.splat"),
        ("CTL010", "main.tf", 20, "aws_cloudtrail.org"),
        ("CTL010", "main.tf", 27, "aws_cloudtrail.splat"),
    }
    assert all("keeps events 30 days" in f["message"] for f in result.json["findings"] if f["rule"] == "CTL003")
    assert {f["kind"] for f in result.json["findings"] if f["rule"] != "CTL003"} == {
        "no-permissions-policy", "delivery-unresolved"}


def test_terraform_011_quoted_references(tmp_path: Path) -> None:
    write(tmp_path, {"main.tf": '''
resource "aws_cloudwatch_log_group" "trail" {
  name = "trail"
  retention_in_days = "7"
}

resource "aws_cloudtrail" "old" {
  name = "old"
  s3_bucket_name = "b"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}"
  cloud_watch_logs_role_arn = "${aws_iam_role.missing.arn}"
}
'''})
    result = lint(tmp_path, "--format", "json", ".")
    assert result.findings() == {
        ("CTL003", "main.tf", 7, "aws_cloudtrail.old"),
        ("CTL004", "main.tf", 7, "aws_cloudtrail.old"),
        ("CTL005", "main.tf", 7, "aws_cloudtrail.old"),
    }


def test_naming_only_the_log_group_file_still_reports_its_trail() -> None:
    """The pre-commit hook passes only changed files: lowering retention in logs.tf must not slip through."""
    folder = Path(__file__).parent / "fixtures" / "cli_module_split"
    result = lint(folder, "--format", "json", "logs.tf")
    assert {(f["rule"], f["file"]) for f in result.json["findings"]} == {("CTL003", "main.tf"),
                                                                        ("CTL001", "data_events.tf")}
    # the module is what is evaluated: any of its files names all its trails
    assert lint(folder, "--format", "json", "iam.tf").json["findings"] == result.json["findings"]


def test_a_trail_under_a_resource_condition_is_checked_as_written_and_says_so() -> None:
    folder = Path(__file__).parent / "fixtures" / "deep_cfn_resource_condition"
    messages = [f["message"] for f in lint(folder, "--format", "json", ".").json["findings"]]
    assert len(messages) == 2
    assert all(m.endswith("(when condition CreateAccountTrail is true)") for m in messages)
