"""``--fix`` and ``--diff`` behaviour beyond the golden scenarios: exit codes, what is never touched,
atomic writes, names that are taken, shared edits, provider 2.x, and the parse safety net."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from .conftest import FIXTURES, lint

PROVIDERS = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n' \
            '      version = "{version}"\n    }\n  }\n}\n'

UNWIRED = 'resource "aws_cloudtrail" "{label}" {\n  name           = "{label}"\n  s3_bucket_name = "b"\n}\n'


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_diff_exits_like_a_plain_run_and_lists_what_is_not_fixed(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_unfixable" / "before", tmp_path / "w")
    plain = lint(tmp_path / "w", ".")
    shown = lint(tmp_path / "w", "--diff", ".")
    assert shown.exit_code == plain.exit_code == 1
    assert shown.stdout == ""
    assert "main.tf:5: CTL010 not fixed: the value cannot be known from the scanned files (log group ARN" \
        in shown.stderr
    assert "main.tf:12: CTL005 not fixed:" in shown.stderr
    assert shown.stderr.rstrip().endswith("0 findings fixable in 0 files, 2 not fixed")


def test_fix_exits_with_the_status_of_the_run_after_it(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_tf_ctl001_new" / "before", tmp_path / "ok")
    assert lint(tmp_path / "ok", ".").exit_code == 1
    fixed = lint(tmp_path / "ok", "--fix", ".")
    assert fixed.exit_code == 0
    assert "0 errors" in fixed.stdout  # the text report of what is left
    assert "main.tf:35: CTL001 fixed: add aws_cloudwatch_log_group.staging_cloudtrail" in fixed.stderr
    shutil.copytree(FIXTURES / "fix_unfixable" / "before", tmp_path / "left")
    assert lint(tmp_path / "left", "--fix", ".").exit_code == 1


def test_fix_and_diff_together_write_and_print(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_tf_ctl004_arns" / "before", tmp_path / "w")
    both = lint(tmp_path / "w", "--fix", "--diff", ".")
    assert both.exit_code == 0
    assert "+  cloud_watch_logs_role_arn  = aws_iam_role.payments_logs.arn" in both.stdout
    golden = FIXTURES / "fix_tf_ctl004_arns" / "after" / "main.tf"
    assert (tmp_path / "w" / "main.tf").read_text() == golden.read_text()


def test_fix_keeps_the_file_mode_and_replaces_the_file_atomically(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_tf_ctl004_arns" / "before", tmp_path / "w")
    path = tmp_path / "w" / "main.tf"
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    lint(tmp_path / "w", "--fix", ".")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # a new file moved into place, not the old one rewritten
    assert sorted(p.name for p in (tmp_path / "w").iterdir()) == ["main.tf"]  # no temporary file left


def test_fix_never_edits_a_var_file_outside_the_scanned_paths(tmp_path: Path) -> None:
    _write(tmp_path, {
        "outside/dev.tfvars": "retention = 30\n",
        "mod/main.tf": (
            'variable "retention" {\n  type = number\n}\n\n'
            'resource "aws_cloudtrail" "t" {\n  name                       = "t"\n'
            '  s3_bucket_name             = "b"\n'
            '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.g.arn}:*"\n'
            '  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/r"\n}\n\n'
            'resource "aws_cloudwatch_log_group" "g" {\n  retention_in_days = var.retention\n}\n'
        ),
    })
    before = (tmp_path / "mod" / "main.tf").read_text()
    result = lint(tmp_path, "--fix", "--var-file", "outside/dev.tfvars", "mod")
    assert "CTL003 not fixed: the fix would change outside/dev.tfvars, which is outside the scanned paths" \
        in result.stderr
    assert (tmp_path / "outside" / "dev.tfvars").read_text() == "retention = 30\n"
    assert (tmp_path / "mod" / "main.tf").read_text() == before
    scanned = lint(tmp_path, "--fix", "--var-file", "outside/dev.tfvars", ".")
    assert "CTL003 fixed: raise the retention" in scanned.stderr
    assert (tmp_path / "outside" / "dev.tfvars").read_text() == "retention = 365\n"


def test_fix_never_edits_a_downloaded_module(tmp_path: Path) -> None:
    trail = (
        'resource "aws_cloudtrail" "this" {\n  name                       = "x"\n'
        '  s3_bucket_name             = "b"\n'
        "  cloud_watch_logs_group_arn = aws_cloudwatch_log_group.this.arn\n"
        '  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/r"\n}\n\n'
        'resource "aws_cloudwatch_log_group" "this" {\n  retention_in_days = 365\n}\n'
    )
    _write(tmp_path, {
        "main.tf": 'module "trail" {\n  source = "git::https://example.com/trail.git"\n}\n',
        ".terraform/modules/modules.json": '{"Modules": [{"Key": "trail", "Source": "git::https://example.com/'
                                           'trail.git", "Dir": ".terraform/modules/trail"}]}',
        ".terraform/modules/trail/main.tf": trail,
    })
    result = lint(tmp_path, "--fix", ".")
    assert ("CTL004 not fixed: the value is written in the downloaded module .terraform/modules/trail/main.tf,"
            " not passed by the module call" in result.stderr)
    assert (tmp_path / ".terraform" / "modules" / "trail" / "main.tf").read_text() == trail


def test_new_names_do_not_collide_and_two_trails_get_their_own(tmp_path: Path) -> None:
    _write(tmp_path, {
        "providers.tf": PROVIDERS.replace("{version}", ">= 4.0"),
        "main.tf": UNWIRED.replace("{label}", "a") + "\n" + UNWIRED.replace("{label}", "b")
        + '\nresource "aws_cloudwatch_log_group" "a_cloudtrail" {\n  retention_in_days = 0\n}\n',
    })
    result = lint(tmp_path, "--fix", ".")
    assert result.exit_code == 0, result.stdout + result.stderr
    text = (tmp_path / "main.tf").read_text()
    assert 'resource "aws_cloudwatch_log_group" "a_cloudtrail_2" {' in text
    assert 'resource "aws_cloudwatch_log_group" "b_cloudtrail" {' in text
    assert text.count('resource "aws_iam_role" ') == 2


def test_two_trails_sharing_a_log_group_share_the_retention_edit(tmp_path: Path) -> None:
    trail = (
        'resource "aws_cloudtrail" "{label}" {\n  name                       = "{label}"\n'
        '  s3_bucket_name             = "b"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.shared.arn}:*"\n'
        '  cloud_watch_logs_role_arn  = "arn:aws:iam::111122223333:role/r"\n}\n\n'
    )
    _write(tmp_path, {
        "providers.tf": PROVIDERS.replace("{version}", ">= 4.0"),
        "main.tf": trail.replace("{label}", "a") + trail.replace("{label}", "b")
        + 'resource "aws_cloudwatch_log_group" "shared" {\n  retention_in_days = 30\n}\n',
    })
    result = lint(tmp_path, "--fix", ".")
    assert result.stderr.count("CTL003 fixed: raise the retention of aws_cloudwatch_log_group.shared") == 2
    assert "retention_in_days = 365\n" in (tmp_path / "main.tf").read_text()
    assert result.exit_code == 0


def test_provider_before_3_keeps_the_arn_as_it_is(tmp_path: Path) -> None:
    _write(tmp_path, {"providers.tf": PROVIDERS.replace("{version}", "~> 2.70"),
                      "main.tf": UNWIRED.replace("{label}", "old")})
    result = lint(tmp_path, "--fix", ".")
    assert result.exit_code == 0, result.stdout + result.stderr
    text = (tmp_path / "main.tf").read_text()
    assert "cloud_watch_logs_group_arn = aws_cloudwatch_log_group.old_cloudtrail.arn\n" in text
    assert "Resource = aws_cloudwatch_log_group.old_cloudtrail.arn\n" in text


def test_a_trail_with_count_gets_no_new_resources(tmp_path: Path) -> None:
    _write(tmp_path, {"main.tf": UNWIRED.replace("{label}", "c").replace('"c" {\n', '"c" {\n  count = 2\n')})
    before = (tmp_path / "main.tf").read_text()
    result = lint(tmp_path, "--fix", ".")
    assert "CTL001 not fixed: the trail uses count or for_each" in result.stderr
    assert (tmp_path / "main.tf").read_text() == before


def test_retention_fixes_respect_the_configured_minimum(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_tf_ctl003_variable_default" / "before", tmp_path / "w")
    lint(tmp_path / "w", "--fix", "--min-retention-days", "500", ".")
    assert "default     = 545\n" in (tmp_path / "w" / "variables.tf").read_text()
    _write(tmp_path, {"x/main.tf": (tmp_path / "w" / "main.tf").read_text(),
                      "x/variables.tf": (tmp_path / "w" / "variables.tf").read_text().replace("545", "30")})
    too_long = lint(tmp_path / "x", "--fix", "--min-retention-days", "5000", ".")
    assert "CTL003 not fixed: no retention CloudWatch Logs accepts is at least 30 and the minimum of 5000" \
        in too_long.stderr


def test_cfn_parameter_whose_allowed_values_exclude_the_target_is_not_fixed(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_cfn_ctl003_parameter" / "before", tmp_path / "w")
    path = tmp_path / "w" / "template.yaml"
    path.write_text(path.read_text().replace('"365", ', ""))
    before = path.read_text()
    result = lint(tmp_path / "w", "--fix", ".")
    assert "CTL003 not fixed: parameter RetentionDays does not allow 365 (AllowedValues)" in result.stderr
    assert path.read_text() == before


def test_an_edit_that_would_break_the_file_is_dropped(tmp_path: Path, monkeypatch) -> None:
    from cloudtrail_lint.fix import terraform
    from cloudtrail_lint.fix.edits import Edit, Fix

    def broken(self, trail):
        return Fix("break it", {trail.source.path: [Edit(trail.span[1] - 1, trail.span[1], "")]})

    monkeypatch.setattr(terraform.TerraformFixer, "_cloudwatch", broken)
    shutil.copytree(FIXTURES / "fix_tf_ctl001_new" / "before", tmp_path / "w")
    before = (tmp_path / "w" / "main.tf").read_text()
    result = lint(tmp_path / "w", "--fix", ".")
    assert "CTL001 not fixed: internal error: the edited file would not parse" in result.stderr
    assert (tmp_path / "w" / "main.tf").read_text() == before


def test_suppressed_findings_are_not_fixed(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_tf_ctl004_arns" / "before", tmp_path / "w")
    lint(tmp_path / "w", "--write-baseline", "baseline.json", ".")
    before = (tmp_path / "w" / "main.tf").read_text()
    result = lint(tmp_path / "w", "--fix", "--baseline", "baseline.json", ".")
    assert "0 findings fixed in 0 files, 0 not fixed" in result.stderr
    assert (tmp_path / "w" / "main.tf").read_text() == before


def test_imported_values_are_listed_as_not_fixed(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_cfn_import_value" / "before", tmp_path / "w")
    result = lint(tmp_path / "w", "--diff", ".")
    assert result.stdout == ""
    assert "template.yaml:33: CTL010 not fixed: the value cannot be known from the scanned files" \
        in result.stderr
    assert "Fn::ImportValue" in result.stderr


def test_sarif_without_fixes_has_no_fixes_key(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "fix_unfixable" / "before", tmp_path / "w")
    results = lint(tmp_path / "w", "--format", "sarif", ".").json["runs"][0]["results"]
    assert results and all("fixes" not in r for r in results)
