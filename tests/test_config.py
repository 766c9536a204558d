"""Configuration files: discovery, validation naming the key, command line over file, central exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest
from cloudtrail_lint.config import find
from cloudtrail_lint.rules.examples import TF_ROLE

from .conftest import lint

#: A trail whose log group keeps events 60 days: CTL003 unless the minimum is at most 60.
TRAIL_60_DAYS = '''resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail_to_logs.arn
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/org"
  retention_in_days = var.days
}

variable "days" {
  default = 60
}
''' + TF_ROLE

NO_LOGS = (
    'resource "aws_cloudtrail" "{name}" {{\n  name           = "{name}"\n'
    '  s3_bucket_name = "logs"\n}}\n'
)


def rules_of(result) -> list[tuple[str, str, bool]]:
    return sorted((f["rule"], f["resource"], f["suppressed"]) for f in result.json["findings"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository (a ``.git`` folder is all the lookup needs) holding a trail."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(TRAIL_60_DAYS)
    return tmp_path


def configure(folder: Path, text: str, name: str = ".cloudtrail-lint.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- discovery


def test_no_configuration_uses_the_defaults(project: Path) -> None:
    result = lint(project, "--format", "json", ".")
    assert rules_of(result) == [("CTL003", "aws_cloudtrail.org", False)]
    assert result.exit_code == 1


def test_dot_file_is_read(project: Path) -> None:
    configure(project, "min-retention-days = 30\n")
    result = lint(project, "--format", "json", ".")
    assert rules_of(result) == []
    assert result.exit_code == 0


def test_pyproject_table_is_read(project: Path) -> None:
    configure(project, '[project]\nname = "infra"\n\n[tool.cloudtrail-lint]\nmin-retention-days = 30\n',
              "pyproject.toml")
    assert lint(project, "--format", "json", ".").exit_code == 0


def test_walks_up_from_the_working_directory_and_nearest_wins(project: Path) -> None:
    configure(project, "min-retention-days = 30\n")
    sub = project / "envs" / "prod"
    sub.mkdir(parents=True)
    (sub / "main.tf").write_text(TRAIL_60_DAYS)
    assert lint(sub, "--format", "json", ".").exit_code == 0  # found two levels up
    configure(sub.parent, '[tool.cloudtrail-lint]\nmin-retention-days = 90\n', "pyproject.toml")
    assert rules_of(lint(sub, "--format", "json", ".")) == [("CTL003", "aws_cloudtrail.org", False)]
    assert find(str(sub)) == str(sub.parent / "pyproject.toml")


def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    configure(project, "min-retention-days = 30\n")
    sub = project / "app"
    sub.mkdir()
    (sub / "main.tf").write_text(TRAIL_60_DAYS)
    configure(sub, '[project]\nname = "app"\n\n[tool.ruff]\nline-length = 100\n', "pyproject.toml")
    assert find(str(sub)) == str(project / ".cloudtrail-lint.toml")
    assert lint(sub, "--format", "json", ".").exit_code == 0


def test_dot_file_wins_over_pyproject_in_the_same_folder(project: Path) -> None:
    configure(project, "min-retention-days = 30\n")
    configure(project, "[tool.cloudtrail-lint]\nmin-retention-days = 90\n", "pyproject.toml")
    assert find(str(project)) == str(project / ".cloudtrail-lint.toml")
    assert lint(project, "--format", "json", ".").exit_code == 0


def test_config_option_names_the_file(project: Path) -> None:
    configure(project, "min-retention-days = 30\n")
    other = configure(project, "[tool.cloudtrail-lint]\nmin-retention-days = 400\n", "team.toml")
    other.rename(project / "pyproject.toml")
    result = lint(project, "--format", "json", "--config", "pyproject.toml", ".")
    assert [f["message"] for f in result.json["findings"]] == [
        "log group aws_cloudwatch_log_group.trail (main.tf:8) keeps events 60 days;"
        " at least 400 are required"]
    configure(project, "min-retention-days = 90\n", "strict.toml")
    assert rules_of(lint(project, "--format", "json", "--config", "strict.toml", ".")) == [
        ("CTL003", "aws_cloudtrail.org", False)]


def test_config_option_with_a_missing_file(project: Path) -> None:
    result = lint(project, "--config", "missing.toml", ".")
    assert result.exit_code == 2
    assert result.stderr == "error: missing.toml: cannot read configuration: No such file or directory\n"
    assert result.stdout == ""


# --------------------------------------------------------------------------- validation


def test_unknown_key_is_a_usage_error_naming_the_key(project: Path) -> None:
    configure(project, "min-retention = 30\n")
    result = lint(project, ".")
    assert result.exit_code == 2
    assert result.stderr == "error: .cloudtrail-lint.toml: unknown key 'min-retention'\n"
    assert result.stdout == ""


def test_unknown_key_in_pyproject(project: Path) -> None:
    configure(project, "[tool.cloudtrail-lint]\nformat = 'json'\n", "pyproject.toml")
    result = lint(project, ".")
    assert (result.exit_code, result.stderr) == (2, "error: pyproject.toml: unknown key 'format'\n")


DAYS = "min-retention-days: must be a whole number of days, at least 1"


@pytest.mark.parametrize("text, message", [
    ("min-retention-days = 0", f"{DAYS} (got 0)"),
    ('min-retention-days = "365"', f"{DAYS} (got '365')"),
    ("min-retention-days = true", f"{DAYS} (got True)"),
    ('unknown = "maybe"', "unknown: must be one of ignore, warn, fail (got 'maybe')"),
    ('select = "CTL001"', "select: must be a list of strings (got 'CTL001')"),
    ('select = ["CTL7"]', "select: no rule matches 'CTL7'"),
    ('ignore = ["XYZ"]', "ignore: no rule matches 'XYZ'"),
    ('severity = "warning"', 'severity: must be a table of rule id to severity, e.g. {CTL003 = "warning"}'),
    ('severity = {CTL003 = "fatal"}', "severity.CTL003: must be one of error, warning, note (got 'fatal')"),
    ('severity = {CTL03 = "warning"}', "severity.CTL03: unknown rule"),
    ('severity = {CTL010 = "error"}',
     "severity.CTL010: set its severity with 'unknown' (ignore, warn or fail)"),
    ('exclude = "modules/*"', "exclude: must be a list of strings (got 'modules/*')"),
    ('var-files = ["prod.tfvars"]', "var-files: no such file 'prod.tfvars'"),
    ('honor-peer-suppressions = "yes"', "honor-peer-suppressions: must be true or false (got 'yes')"),
    ('exceptions = {rule = "CTL001"}', "exceptions: must be a list of [[exceptions]] tables"),
])
def test_bad_values_are_usage_errors_naming_the_key(project: Path, text: str, message: str) -> None:
    configure(project, text + "\n")
    result = lint(project, ".")
    assert result.exit_code == 2
    assert result.stderr == f"error: .cloudtrail-lint.toml: {message}\n"


@pytest.mark.parametrize("entry, message", [
    ('rule = "CTL001"', "exceptions[0]: missing key 'reason'"),
    ('rule = "CTL001"\nreason = ""', "exceptions[0]: reason: must be a non-empty string"),
    ('reason = "r"', "exceptions[0]: missing key 'rule'"),
    ('rule = "CTL01"\nreason = "r"', "exceptions[0].rule: unknown rule 'CTL01'"),
    ('rules = ["CTL001", "CTL09"]\nreason = "r"', "exceptions[0].rules: unknown rule 'CTL09'"),
    ('rule = "CTL001"\nrules = ["CTL002"]\nreason = "r"',
     "exceptions[0]: give either 'rule' or 'rules', not both"),
    ('rule = "CTL001"\nreason = "r"\nresources = "x"', "exceptions[0]: unknown key 'resources'"),
    ('rule = "CTL001"\nreason = "r"\nexpires = "2027-6-30"',
     "exceptions[0].expires: malformed date '2027-6-30' (expected YYYY-MM-DD)"),
    ('rule = "CTL001"\nreason = "r"\nexpires = 2027-06-30T10:00:00',
     "exceptions[0].expires: malformed date datetime.datetime(2027, 6, 30, 10, 0) (expected YYYY-MM-DD)"),
    ('rule = "CTL001"\nreason = "r"\nresource = 3', "exceptions[0].resource: must be a string (got 3)"),
])
def test_invalid_exceptions_are_usage_errors(project: Path, entry: str, message: str) -> None:
    configure(project, "[[exceptions]]\n" + entry + "\n")
    result = lint(project, ".")
    assert result.exit_code == 2
    assert result.stderr == f"error: .cloudtrail-lint.toml: {message}\n"


def test_invalid_toml(project: Path) -> None:
    configure(project, "min-retention-days = \n")
    result = lint(project, ".")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: .cloudtrail-lint.toml: invalid TOML: ")


# --------------------------------------------------------------------------- precedence


def test_command_line_overrides_the_file(project: Path) -> None:
    configure(project, 'min-retention-days = 30\nunknown = "fail"\nselect = ["CTL001"]\n')
    (project / "unresolved.tf").write_text(
        'variable "arn" {}\n\nresource "aws_cloudtrail" "other" {\n  name                       = "other"\n'
        '  s3_bucket_name             = "logs"\n  cloud_watch_logs_group_arn = var.arn\n'
        '  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/r"\n}\n')
    # from the file: only CTL001 runs, nothing fails
    assert lint(project, "--format", "json", ".").json["findings"] == []
    # the command line wins key by key; the rest still comes from the file
    result = lint(project, "--format", "json", "--select", "CTL003,CTL010", ".")
    assert [(f["rule"], f["severity"]) for f in result.json["findings"]] == [("CTL010", "error")]
    result = lint(project, "--format", "json", "--select", "CTL003,CTL010", "--min-retention-days", "365",
                  "--unknown", "warn", ".")
    assert sorted((f["rule"], f["severity"]) for f in result.json["findings"]) == [
        ("CTL003", "error"), ("CTL010", "warning")]


def test_peer_flag_from_file_and_command_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudtrail" "t" {\n  #checkov:skip=CKV2_AWS_10:SIEM via Firehose\n'
        '  name           = "t"\n'
        '  s3_bucket_name = "logs"\n}\n')
    assert lint(tmp_path, "--format", "json", ".").exit_code == 1
    configure(tmp_path, "honor-peer-suppressions = true\n")
    assert lint(tmp_path, "--format", "json", ".").exit_code == 0
    assert lint(tmp_path, "--format", "json", "--no-honor-peer-suppressions", ".").exit_code == 1
    configure(tmp_path, "honor-peer-suppressions = false\n")
    assert lint(tmp_path, "--format", "json", "--honor-peer-suppressions", ".").exit_code == 0


def test_exclude_and_var_files_from_the_file(project: Path) -> None:
    (project / "vars").mkdir()
    (project / "vars" / "long.tfvars").write_text("days = 400\n")
    (project / "legacy").mkdir()
    (project / "legacy" / "main.tf").write_text(NO_LOGS.format(name="legacy"))
    configure(project, 'var-files = ["vars/long.tfvars"]\nexclude = ["legacy"]\n')
    result = lint(project, "--format", "json", ".")
    assert (result.json["findings"], result.exit_code) == ([], 0)
    sub = project / "legacy"
    # var-files are relative to the configuration file, wherever the linter runs
    assert lint(sub, "--format", "json", "--exclude", "nothing", ".").json["findings"][0]["rule"] == "CTL001"
    # the command line replaces the file's lists
    result = lint(project, "--format", "json", "--exclude", "vars", ".")
    assert sorted(f["resource"] for f in result.json["findings"]) == ["aws_cloudtrail.legacy"]
    result = lint(project, "--format", "json", "--var-file", "vars/long.tfvars", "--exclude", "legacy", ".")
    assert result.json["findings"] == []


def test_severity_overrides(project: Path) -> None:
    configure(project, 'severity = {CTL003 = "warning"}\n')
    result = lint(project, "--format", "json", ".")
    assert [(f["rule"], f["severity"]) for f in result.json["findings"]] == [("CTL003", "warning")]
    assert result.exit_code == 0
    (project / "main.tf").write_text("# cloudtrail-lint: ignore CTL03 reason=\"typo\"\n" + TRAIL_60_DAYS)
    configure(project, 'severity = {CTL003 = "note", CTL900 = "error"}\n')
    result = lint(project, "--format", "json", ".")
    assert sorted((f["rule"], f["severity"]) for f in result.json["findings"]) == [
        ("CTL003", "note"), ("CTL900", "error")]
    assert result.exit_code == 1  # a typo in a suppression now fails the build


# --------------------------------------------------------------------------- central exceptions


def test_central_exceptions(tmp_path: Path) -> None:
    names = ("legacy_a", "legacy_b", "new")
    (tmp_path / "main.tf").write_text("".join(NO_LOGS.format(name=n) + "\n" for n in names))
    configure(tmp_path, '''
[[exceptions]]
rule = "CTL001"
resource = "aws_cloudtrail.legacy_*"
file = "*.tf"
reason = "legacy trails are replaced by the org trail in Q3"
owner = "secops"
expires = 2099-09-30
''')
    result = lint(tmp_path, "--format", "json", ".")
    found = {f["resource"]: f for f in result.json["findings"]}
    for name in ("legacy_a", "legacy_b"):
        assert found[f"aws_cloudtrail.{name}"]["suppression"] == {
            "kind": "config", "reason": "legacy trails are replaced by the org trail in Q3",
            "owner": "secops", "expires": "2099-09-30", "origin": ".cloudtrail-lint.toml",
        }
    assert found["aws_cloudtrail.new"]["suppressed"] is False
    assert result.exit_code == 1
    sarif = lint(tmp_path, "--format", "sarif", ".").json["runs"][0]["results"]
    assert [r["suppressions"][0]["kind"] for r in sarif if "suppressions" in r] == ["external", "external"]


def test_central_exception_by_exact_address_with_an_instance_key(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudtrail" "t" {\n  for_each       = toset(["a", "b"])\n  name           = each.key\n'
        '  s3_bucket_name = "logs"\n}\n')
    configure(tmp_path, '[[exceptions]]\nrules = ["CTL001", "CTL002"]\nresource = \'aws_cloudtrail.t["a"]\'\n'
                        'reason = "sandbox"\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert rules_of(result) == [
        ("CTL001", 'aws_cloudtrail.t["a"]', True), ("CTL001", 'aws_cloudtrail.t["b"]', False)]


def test_expired_central_exception(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(NO_LOGS.format(name="t"))
    configure(tmp_path, '[[exceptions]]\nrule = "CTL001"\nreason = "until the 2020 migration"\n'
                        "expires = 2020-01-01\n")
    result = lint(tmp_path, "--format", "json", ".")
    [finding] = result.json["findings"]
    assert finding["suppressed"] is False
    assert finding["message"] == ("trail sends no events to CloudWatch Logs: no log group ARN is set"
                                  " (exception expired 2020-01-01: until the 2020 migration)")
    assert result.exit_code == 1


def test_central_exception_file_glob_is_relative_to_the_configuration(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "accounts" / "sandbox"
    sub.mkdir(parents=True)
    (sub / "main.tf").write_text(NO_LOGS.format(name="t"))
    configure(tmp_path, '[[exceptions]]\nrule = "CTL001"\nfile = "accounts/sandbox/*"\nreason = "sandbox"\n')
    assert lint(tmp_path, "--format", "json", ".").exit_code == 0
    result = lint(sub, "--format", "json", ".")  # findings say main.tf; the glob still matches
    assert result.json["findings"][0]["suppression"]["origin"] == str(tmp_path / ".cloudtrail-lint.toml")
    assert result.exit_code == 0
