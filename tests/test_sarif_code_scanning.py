"""SARIF as GitHub code scanning needs it: results identified across runs, files named from the
repository root wherever the run starts, a security severity per rule, related locations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from .conftest import SHARED, lint

SCHEMA = SHARED / "schemas" / "sarif-2.1.0.json"

TWO_CTL004 = '''resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = aws_cloudwatch_log_group.trail.arn
  cloud_watch_logs_role_arn  = aws_iam_role.delivery.name
}
'''

GROUP_AND_ROLE = '''
resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/org"
  retention_in_days = 30
}

resource "aws_iam_role" "delivery" {
  name = "cloudtrail-delivery"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "cloudtrail.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "delivery" {
  name = "deliver"
  role = aws_iam_role.delivery.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.trail.arn}:*"
    }]
  })
}
'''

MODULE_CALL = '''module "trail" {
  source    = "../../modules/trail"
  retention = 30
}
'''

TRAIL_MODULE = '''variable "retention" {
  type = number
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/org"
  retention_in_days = var.retention
}

resource "aws_cloudtrail" "this" {
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/delivery"
}
'''


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    if not SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not at {SCHEMA}: put the shared folder beside the checkout (README)")
    return Draft7Validator(json.loads(SCHEMA.read_text()))


def sarif(validator: Draft7Validator, cwd: Path, *paths: str) -> dict:
    result = lint(cwd, "--format", "sarif", *paths)
    log = json.loads(result.stdout)
    assert [e.message for e in validator.iter_errors(log)] == []
    return log["runs"][0]


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "live" / "prod").mkdir(parents=True)
    (root / "modules" / "trail").mkdir(parents=True)
    (root / "live" / "prod" / "main.tf").write_text(MODULE_CALL)
    (root / "modules" / "trail" / "main.tf").write_text(TRAIL_MODULE)
    return root


def uris(run: dict) -> list[str]:
    """Where the retention findings are (the delivery role, a literal ARN, also gets a CTL010 note)."""
    return [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
            if r["ruleId"] == "CTL003"]


def test_two_findings_of_one_rule_on_one_trail_have_their_own_fingerprint(validator, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TWO_CTL004 + GROUP_AND_ROLE)
    run = sarif(validator, tmp_path, ".")
    prints = [(r["ruleId"], r["properties"]["kind"], r["partialFingerprints"]["cloudtrailLint/v2"])
              for r in run["results"]]
    assert [p[:2] for p in prints] == [("CTL003", "retention-too-short"), ("CTL004", "group-arn-missing-wildcard"),
                                      ("CTL004", "role-is-a-name")]
    assert len({p[2] for p in prints}) == 3
    # a line shift and a new comment do not change what identifies them
    (tmp_path / "main.tf").write_text("# audit trail\n\n" + TWO_CTL004 + GROUP_AND_ROLE)
    assert [(r["ruleId"], r["partialFingerprints"]["cloudtrailLint/v2"])
            for r in sarif(validator, tmp_path, ".")["results"]] == [(p[0], p[2]) for p in prints]


def test_findings_in_different_variants_have_their_own_fingerprint(validator, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "central" {\n  type = bool\n}\n\nvariable "arn" {\n  type = string\n}\n\n'
        'resource "aws_cloudtrail" "org" {\n  name           = "org"\n  s3_bucket_name = "logs"\n'
        '  cloud_watch_logs_group_arn = var.central ? var.arn : "arn:aws:logs:us-east-1:1:log-group:x"\n'
        '  cloud_watch_logs_role_arn  = var.central ? var.arn : "r"\n}\n')
    run = sarif(validator, tmp_path, ".")
    prints = [r["partialFingerprints"]["cloudtrailLint/v2"] for r in run["results"]]
    assert len(prints) == len(set(prints)) >= 3


def test_uris_are_relative_to_the_repository_root_from_a_subfolder(validator, tmp_path: Path) -> None:
    root = repo(tmp_path)
    from_root = sarif(validator, root, ".")
    from_sub = sarif(validator, root / "live" / "prod", ".")
    from_elsewhere = sarif(validator, root / "modules", "../live/prod")
    expected = ["modules/trail/main.tf"]
    assert uris(from_root) == uris(from_sub) == uris(from_elsewhere) == expected
    for run in (from_root, from_sub, from_elsewhere):
        base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        assert base == root.resolve().as_uri() + "/"
        for result in run["results"]:
            assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"


def test_a_file_outside_the_repository_has_an_absolute_uri(validator, tmp_path: Path) -> None:
    root = repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "main.tf").write_text(TWO_CTL004 + GROUP_AND_ROLE)
    run = sarif(validator, root, str(outside))
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {loc["uri"] for loc in locations} == {(outside / "main.tf").resolve().as_uri()}
    assert all("uriBaseId" not in loc for loc in locations)


def test_related_locations_name_the_attribute_the_log_group_and_the_module_call(validator, tmp_path: Path) -> None:
    root = repo(tmp_path)
    (result,) = [r for r in sarif(validator, root / "live" / "prod", ".")["results"] if r["ruleId"] == "CTL003"]
    related = [(r["message"]["text"], r["physicalLocation"]["artifactLocation"]["uri"],
                r["physicalLocation"]["region"]["startLine"]) for r in result["relatedLocations"]]
    assert related == [
        ("retention value", "modules/trail/main.tf", 7),
        ("log group module.trail.aws_cloudwatch_log_group.trail", "modules/trail/main.tf", 5),
        ("module.trail (../../modules/trail)", "live/prod/main.tf", 1),
    ]
    assert [r["id"] for r in result["relatedLocations"]] == [1, 2, 3]


def test_every_rule_has_a_security_severity_and_no_made_up_links(validator, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TWO_CTL004 + GROUP_AND_ROLE)
    run = sarif(validator, tmp_path, ".")
    driver = run["tool"]["driver"]
    for rule in driver["rules"]:
        score = float(rule["properties"]["security-severity"])
        assert 0 < score <= 10, rule["id"]
    assert "informationUri" not in driver
    assert "helpUri" not in json.dumps(driver)
