"""Baselines: --write-baseline records findings without line numbers; --baseline reports only new ones."""

from __future__ import annotations

import json
from pathlib import Path

from cloudtrail_lint.baseline import fingerprint

from .conftest import lint

TRAILS = '''resource "aws_cloudtrail" "old" {
  name           = "old"
  s3_bucket_name = "org-cloudtrail-logs"
}

resource "aws_cloudtrail" "partial" {
  name                       = "partial"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/partial"
  retention_in_days = 90
}
'''

NEW_TRAIL = '''
resource "aws_cloudtrail" "new" {
  name           = "new"
  s3_bucket_name = "org-cloudtrail-logs"
}
'''


def active(result) -> list[tuple[str, str, int]]:
    return [(f["rule"], f["resource"], f["line"]) for f in result.json["findings"] if not f["suppressed"]]


def test_write_baseline_records_findings_without_lines(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRAILS)
    result = lint(tmp_path, "--write-baseline", "baseline.json", ".")
    assert result.exit_code == 0
    assert result.stdout == ("3 errors, 0 warnings in 2 trails (1 file linted, 0 skipped)\n"
                             "wrote 3 findings to baseline baseline.json\n")
    data = json.loads((tmp_path / "baseline.json").read_text())
    assert data == {
        "tool": "cloudtrail-lint",
        "version": 2,
        "findings": [
            {"rule": rule, "kind": kind, "attribute": attribute, "file": "main.tf", "resource": resource,
             "fingerprint": fingerprint(rule, kind, attribute, resource, "main.tf")}
            for rule, kind, attribute, resource in [
                ("CTL001", "group-not-set", "group", "aws_cloudtrail.old"),
                ("CTL002", "role-not-set", "role", "aws_cloudtrail.partial"),
                ("CTL003", "retention-too-short", "retention", "aws_cloudtrail.partial")]
        ],
    }
    assert "line" not in (tmp_path / "baseline.json").read_text()


def test_baseline_survives_a_line_shift_and_a_new_finding_still_fails(tmp_path: Path) -> None:
    main = tmp_path / "main.tf"
    main.write_text(TRAILS)
    assert lint(tmp_path, "--write-baseline", "baseline.json", ".").exit_code == 0
    assert lint(tmp_path, ".").exit_code == 1

    main.write_text("# Audit trails\n# owned by secops\n\nlocals {\n  org = \"example\"\n}\n\n" + TRAILS)
    result = lint(tmp_path, "--format", "json", "--baseline", "baseline.json", ".")
    assert [(f["rule"], f["line"], f["suppressed"]) for f in result.json["findings"]] == [
        ("CTL001", 8, True), ("CTL002", 13, True), ("CTL003", 13, True)]
    assert result.json["findings"][0]["suppression"] == {
        "kind": "baseline", "reason": "recorded in baseline baseline.json", "owner": "", "expires": "",
        "origin": "baseline.json",
    }
    assert result.exit_code == 0

    main.write_text(main.read_text() + NEW_TRAIL)
    result = lint(tmp_path, "--format", "json", "--baseline", "baseline.json", ".")
    assert active(result) == [("CTL001", "aws_cloudtrail.new", 24)]
    assert result.json["summary"]["suppressed"] == 3
    assert result.exit_code == 1
    text = lint(tmp_path, "--baseline", "baseline.json", ".")
    assert text.stdout == (
        "main.tf:24:1: CTL001 error trail sends no events to CloudWatch Logs: no log group ARN is set"
        " [aws_cloudtrail.new]\n1 error, 0 warnings, 3 suppressed in 3 trails (1 file linted, 1 skipped)\n")


def test_a_second_finding_of_the_same_rule_on_a_trail_is_new(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "group" {}\n\nresource "aws_cloudtrail" "t" {\n  name                       = "t"\n'
        '  s3_bucket_name             = "logs"\n  cloud_watch_logs_group_arn = var.group\n'
        '  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/r"\n}\n')
    lint(tmp_path, "--write-baseline", "b.json", ".")
    assert [f["rule"] for f in json.loads((tmp_path / "b.json").read_text())["findings"]] == ["CTL010"]
    text = (tmp_path / "main.tf").read_text().replace('"arn:aws:iam::123456789012:role/r"', "var.role")
    (tmp_path / "main.tf").write_text('variable "role" {}\n' + text)
    result = lint(tmp_path, "--format", "json", "--baseline", "b.json", ".")
    found = [(f["rule"], f["suppressed"]) for f in result.json["findings"]]
    assert found == [("CTL010", True), ("CTL010", False)]
    assert result.exit_code == 0  # CTL010 is a warning


def test_already_suppressed_findings_are_not_recorded(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('# cloudtrail-lint: ignore CTL001 reason="sandbox"\n' + TRAILS)
    lint(tmp_path, "--write-baseline", "b.json", ".")
    data = json.loads((tmp_path / "b.json").read_text())
    assert [(f["rule"], f["resource"]) for f in data["findings"]] == [
        ("CTL002", "aws_cloudtrail.partial"), ("CTL003", "aws_cloudtrail.partial")]


def test_fingerprint_ignores_lines_and_messages() -> None:
    identity = ("CTL001", "group-not-set", "group", "aws_cloudtrail.old", "main.tf")
    assert fingerprint(*identity) == fingerprint(*identity)
    assert fingerprint(*identity) != fingerprint(*identity, occurrence=1)
    assert len(fingerprint(*identity)) == 32


ROLE_BY_NAME = '''resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.delivery.name
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/org"
  retention_in_days = 365
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


def test_a_new_finding_of_a_baselined_rule_on_another_attribute_is_new(tmp_path: Path) -> None:
    """Matching is on rule, kind and attribute too: a second CTL004, about the group, is not the baselined
    role finding (before, the role finding was reported as new and the group one hidden)."""
    main = tmp_path / "main.tf"
    main.write_text(ROLE_BY_NAME)
    lint(tmp_path, "--write-baseline", "b.json", ".")
    assert [(f["kind"], f["attribute"]) for f in json.loads((tmp_path / "b.json").read_text())["findings"]] == [
        ("role-is-a-name", "role")]
    main.write_text(ROLE_BY_NAME.replace('"${aws_cloudwatch_log_group.trail.arn}:*"',
                                         "aws_cloudwatch_log_group.trail.arn", 1))
    result = lint(tmp_path, "--format", "json", "--baseline", "b.json", ".")
    assert [(f["rule"], f["kind"], f["suppressed"]) for f in result.json["findings"]] == [
        ("CTL004", "group-arn-missing-wildcard", False), ("CTL004", "role-is-a-name", True)]
    assert result.exit_code == 1


def test_a_format_1_baseline_still_matches(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRAILS)
    (tmp_path / "v1.json").write_text(json.dumps({"tool": "cloudtrail-lint", "version": 1, "findings": [
        {"rule": "CTL001", "file": "main.tf", "resource": "aws_cloudtrail.old", "fingerprint": "x"}]}))
    result = lint(tmp_path, "--format", "json", "--baseline", "v1.json", ".")
    assert [(f["rule"], f["suppressed"]) for f in result.json["findings"]] == [
        ("CTL001", True), ("CTL002", False), ("CTL003", False)]


def test_bad_baseline_files_are_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRAILS)
    result = lint(tmp_path, "--baseline", "missing.json", ".")
    assert (result.exit_code, result.stderr) == (
        2, "error: missing.json: cannot read baseline: No such file or directory\n")
    (tmp_path / "bad.json").write_text("{")
    result = lint(tmp_path, "--baseline", "bad.json", ".")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bad.json: baseline is not valid JSON: ")
    (tmp_path / "other.json").write_text('{"runs": []}')
    result = lint(tmp_path, "--baseline", "other.json", ".")
    assert result.stderr == (
        "error: other.json: not a cloudtrail-lint baseline (written by --write-baseline)\n")
    (tmp_path / "entry.json").write_text(
        '{"tool": "cloudtrail-lint", "version": 1, "findings": [{"rule": 1}]}')
    result = lint(tmp_path, "--baseline", "entry.json", ".")
    assert result.stderr == "error: entry.json: findings[0] needs string rule, file and resource\n"
    (tmp_path / "v9.json").write_text('{"tool": "cloudtrail-lint", "version": 9, "findings": []}')
    assert lint(tmp_path, "--baseline", "v9.json", ".").stderr == (
        "error: v9.json: baseline version 9 is not supported\n")


def test_baseline_and_write_baseline_together_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRAILS)
    result = lint(tmp_path, "--baseline", "a.json", "--write-baseline", "b.json", ".")
    assert result.exit_code == 2
    assert "--baseline and --write-baseline cannot be used together" in result.stderr


def test_write_baseline_names_inputs_it_could_not_read(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TRAILS)
    (tmp_path / "broken.tf").write_text('resource "aws_cloudtrail" "x" {\n')
    result = lint(tmp_path, "--write-baseline", "b.json", ".")
    assert result.exit_code == 0
    assert result.stderr.startswith("broken.tf:")
    assert result.stderr.rstrip().endswith("(not in the baseline)")
