"""The command line: options, output format, discovery, paths, colour and the module entry point."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from cloudtrail_lint import __version__
from cloudtrail_lint.cli import cli
from cloudtrail_lint.rules import ALL_RULES, RULES_BY_ID

from .conftest import FIXTURES, REPO, lint

MIXED = FIXTURES / "cli_mixed_rules"
SPLIT = FIXTURES / "cli_module_split"
VAR_FILE = FIXTURES / "cli_var_file"

UNWIRED_TRAIL = 'resource "aws_cloudtrail" "t" {\n  name           = "t"\n  s3_bucket_name = "b"\n}\n'
UNWIRED_MSG = "trail sends no events to CloudWatch Logs: no log group ARN is set"

# The exact text report for tests/fixtures/cli_mixed_rules, linted from inside the folder.
MIXED_TEXT = (
    f"main.tf:4:1: CTL001 error {UNWIRED_MSG} [aws_cloudtrail.a_unwired]\n"
    "main.tf:9:1: CTL003 error log group aws_cloudwatch_log_group.short (logs.tf:1) keeps events 90 days;"
    " at least 365 are required [aws_cloudtrail.b_short_retention]\n"
    "main.tf:16:1: CTL004 error log group value aws_cloudwatch_log_group.year.arn"
    " (= arn:<?>:logs:<?>:<?>:log-group:cloudtrail/year) is not a CloudWatch Logs log-group ARN:"
    " it does not end in the log-stream wildcard `:*`; aws_cloudwatch_log_group.arn has no `:*`"
    " since AWS provider 3.0, write"
    ' "${aws_cloudwatch_log_group.NAME.arn}:*" [aws_cloudtrail.c_bare_arn]\n'
    "main.tf:23:1: CTL005 error log group value refers to aws_cloudwatch_log_group.renamed,"
    " which is not defined [aws_cloudtrail.d_dangling]\n"
    "main.tf:30:1: CTL010 warning log group ARN cannot be resolved: var.central_log_group_arn"
    " has no default and no tfvars value [aws_cloudtrail.e_unknown]\n"
    "4 errors, 1 warning in 5 trails (4 files linted, 1 skipped)\n"
)

ANSI = re.compile(r"\x1b\[")


def write(root: Path, files: dict[str, str]) -> None:
    """Create ``files`` (relative path -> text) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def rule_ids(result) -> list[str]:
    return [f["rule"] for f in result.json["findings"]]


def files_of(result) -> list[str]:
    return [f["file"] for f in result.json["findings"]]


# --------------------------------------------------------------------------- informational options


def test_version() -> None:
    result = lint(REPO, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"cloudtrail-lint, version {__version__}\n"
    assert re.fullmatch(r"\d+\.\d+\.\d+(?:[.-]?\w+)?", __version__)


CORE_RULES = [
    ("CTL001", "cloudwatch-logs-not-configured", "error"),
    ("CTL002", "cloudwatch-role-not-configured", "error"),
    ("CTL003", "log-group-retention-too-short", "error"),
    ("CTL004", "cloudwatch-arn-malformed", "error"),
    ("CTL005", "reference-not-found", "error"),
    ("CTL006", "log-group-retention-invalid", "error"),
    ("CTL007", "delivery-role-cannot-deliver", "error"),
    ("CTL010", "value-unresolved", "warning"),
]


def test_list_rules() -> None:
    result = lint(REPO, "--list-rules")
    assert result.exit_code == 0
    rows = [line.split(None, 3) for line in result.stdout.splitlines()]
    assert [tuple(row[:3]) for row in rows[: len(CORE_RULES)]] == CORE_RULES
    # every registered rule is listed once, in registry order, with its title
    assert [row[0] for row in rows] == [rule.id for rule in ALL_RULES]
    assert [row[3] for row in rows] == [rule.title for rule in ALL_RULES]


def test_explain_prints_the_rule_page() -> None:
    result = lint(REPO, "--explain", "CTL003")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("CTL003 log-group-retention-too-short\n\n")
    rule = RULES_BY_ID["CTL003"]
    assert f"{rule.title}. Severity: **error**." in out
    headings = ["What it does", "Why is this bad?", "How to fix", "Example (Terraform)",
                "Example (CloudFormation)", "References"]
    positions = [out.index(f"\n{h}\n") for h in headings]
    assert positions == sorted(positions)
    assert "retention_in_days = 90" in out  # the failing Terraform example
    assert "RetentionInDays: 30" in out  # the failing CloudFormation example
    assert "```" not in out and "\n#" not in out  # plain text, not markdown
    assert lint(REPO, "--explain", "ctl003").stdout == out
    assert lint(REPO, "--explain", "log-group-retention-too-short").stdout == out


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = lint(REPO, "--explain", "CTL999")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no rule 'CTL999'; see --list-rules" in result.stderr


# --------------------------------------------------------------------------- text output


def test_text_output_is_exact() -> None:
    result = lint(MIXED)
    assert result.exit_code == 1
    assert result.stdout == MIXED_TEXT
    assert result.stderr == ""


def test_text_summary_with_no_findings() -> None:
    result = lint(FIXTURES / "tf_compliant", ".")
    assert result.exit_code == 0
    assert result.stdout == "0 errors, 0 warnings in 1 trail (6 files linted, 1 skipped)\n"


def test_every_text_line_has_the_documented_shape() -> None:
    result = lint(FIXTURES, "cli_mixed_rules", "cfn_retention_30", "tf_no_cloudwatch")
    *lines, summary = result.stdout.splitlines()
    shape = re.compile(r"(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>CTL\d{3})"
                       r" (?P<sev>error|warning) (?P<msg>.+) \[(?P<res>[^\]]+)\]")
    parsed = [shape.fullmatch(line) for line in lines]
    assert all(parsed), lines
    assert [(m["path"], m["line"], m["rule"], m["res"]) for m in parsed] == [
        ("cfn_retention_30/template.yaml", "35", "CTL003", "DevTrail"),
        ("cli_mixed_rules/main.tf", "4", "CTL001", "aws_cloudtrail.a_unwired"),
        ("cli_mixed_rules/main.tf", "9", "CTL003", "aws_cloudtrail.b_short_retention"),
        ("cli_mixed_rules/main.tf", "16", "CTL004", "aws_cloudtrail.c_bare_arn"),
        ("cli_mixed_rules/main.tf", "23", "CTL005", "aws_cloudtrail.d_dangling"),
        ("cli_mixed_rules/main.tf", "30", "CTL010", "aws_cloudtrail.e_unknown"),
        ("tf_no_cloudwatch/main.tf", "35", "CTL001", "aws_cloudtrail.staging"),
    ]
    assert re.fullmatch(r"6 errors, 1 warning in 7 trails \(\d+ files linted, \d+ skipped\)", summary)


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = lint(MIXED, "--output", str(target))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert target.read_text(encoding="utf-8") == MIXED_TEXT

    as_json = tmp_path / "report.json"
    result = lint(MIXED, "-o", str(as_json), "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert as_json.read_text(encoding="utf-8") == lint(MIXED, "--format", "json").stdout


def test_output_file_that_cannot_be_written_is_exit_2_without_traceback(tmp_path: Path) -> None:
    # Regression: open() failing used to escape as a FileNotFoundError traceback with exit status 1.
    target = tmp_path / "missing-folder" / "report.txt"
    result = lint(MIXED, "--output", str(target))
    assert result.exit_code == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"Could not open file '{target}'" in result.stderr
    assert "No such file or directory" in result.stderr
    assert not target.exists()


# --------------------------------------------------------------------------- options that change findings


def test_min_retention_days_changes_ctl003() -> None:
    default = lint(MIXED, "--format", "json", "--select", "CTL003")
    assert [f["message"] for f in default.json["findings"]] == [
        "log group aws_cloudwatch_log_group.short (logs.tf:1) keeps events 90 days; at least 365 are required"
    ]
    assert default.exit_code == 1

    at_90 = lint(MIXED, "--format", "json", "--select", "CTL003", "--min-retention-days", "90")
    assert at_90.json["findings"] == []
    assert at_90.exit_code == 0

    at_91 = lint(MIXED, "--format", "json", "--select", "CTL003", "--min-retention-days", "91")
    assert [f["message"] for f in at_91.json["findings"]] == [
        "log group aws_cloudwatch_log_group.short (logs.tf:1) keeps events 90 days; at least 91 are required"
    ]

    # the 365-day group passes by default and fails one day above
    above = lint(MIXED, "--format", "json", "--select", "CTL003", "--min-retention-days", "366")
    assert [(f["resource"], f["message"]) for f in above.json["findings"]] == [
        ("aws_cloudtrail.b_short_retention",
         "log group aws_cloudwatch_log_group.short (logs.tf:1) keeps events 90 days;"
         " at least 366 are required"),
        ("aws_cloudtrail.c_bare_arn",
         "log group aws_cloudwatch_log_group.year (logs.tf:6) keeps events 365 days;"
         " at least 366 are required"),
    ]


@pytest.mark.parametrize("value", ["0", "-1", "ten"])
def test_min_retention_days_rejects_non_positive(value: str) -> None:
    result = lint(MIXED, "--min-retention-days", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--min-retention-days'" in result.stderr


@pytest.mark.parametrize(
    ("mode", "severities", "exit_code"),
    [("ignore", [], 0), ("warn", ["warning"], 0), ("fail", ["error"], 1)],
)
def test_unknown_controls_ctl010(mode: str, severities: list[str], exit_code: int) -> None:
    result = lint(FIXTURES / "tf_var_no_default", "--format", "json", "--unknown", mode, ".")
    findings = result.json["findings"]
    assert [f["severity"] for f in findings] == severities
    assert all(f["rule"] == "CTL010" and f["resource"] == "aws_cloudtrail.member" for f in findings)
    assert result.exit_code == exit_code
    assert result.json["summary"]["exit_code"] == exit_code


def test_unknown_default_is_warn_and_text_shows_severity() -> None:
    result = lint(FIXTURES / "tf_var_no_default", ".")
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("main.tf:3:1: CTL010 warning log group ARN cannot be resolved: var.log_group_arn")
    failing = lint(FIXTURES / "tf_var_no_default", "--unknown", "fail", ".")
    assert failing.stdout.splitlines()[0].startswith("main.tf:3:1: CTL010 error ")


ALL_MIXED = ["CTL001", "CTL003", "CTL004", "CTL005", "CTL010"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ALL_MIXED),
        (["--select", "CTL001"], ["CTL001"]),
        (["--select", "CTL001,CTL003"], ["CTL001", "CTL003"]),
        (["--select", " ctl004 , CTL005 "], ["CTL004", "CTL005"]),
        (["--select", "CTL001", "--select", "CTL005"], ["CTL001", "CTL005"]),
        (["--select", "CTL00"], ["CTL001", "CTL003", "CTL004", "CTL005"]),
        (["--select", "CTL01"], ["CTL010"]),
        (["--select", "CTL002"], []),
        (["--ignore", "CTL00"], ["CTL010"]),
        (["--ignore", "CTL003,CTL004"], ["CTL001", "CTL005", "CTL010"]),
        (["--ignore", "CTL001", "--ignore", "CTL010"], ["CTL003", "CTL004", "CTL005"]),
        (["--select", "CTL00", "--ignore", "CTL001"], ["CTL003", "CTL004", "CTL005"]),
        (["--select", "CTL"], ALL_MIXED),
    ],
)
def test_select_and_ignore(args: list[str], expected: list[str]) -> None:
    result = lint(MIXED, "--format", "json", *args)
    assert rule_ids(result) == expected
    assert result.exit_code == (1 if set(expected) - {"CTL010"} else 0)


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        (["--select", "CTL999"], "CTL999"),
        (["--select", "CTL001,CTL998"], "CTL998"),
        (["--ignore", "XYZ"], "XYZ"),
        (["--select", "CTL1"], "CTL1"),
    ],
)
def test_unknown_rule_id_is_a_usage_error(args: list[str], bad: str) -> None:
    result = lint(MIXED, *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"no rule matches {bad!r}; see --list-rules" in result.stderr


def test_exclude_glob(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/main.tf": UNWIRED_TRAIL,
        "b/main.tf": UNWIRED_TRAIL,
        "b/sub/main.tf": UNWIRED_TRAIL,
        "legacy.tf": UNWIRED_TRAIL,
    })
    everything = ["a/main.tf", "b/main.tf", "b/sub/main.tf", "legacy.tf"]
    assert files_of(lint(tmp_path, "--format", "json")) == everything
    assert files_of(lint(tmp_path, "--format", "json", "--exclude", "b")) == ["a/main.tf", "legacy.tf"]
    assert files_of(lint(tmp_path, "--format", "json", "--exclude", "b/sub")) == ["a/main.tf", "b/main.tf",
                                                                                  "legacy.tf"]
    assert files_of(lint(tmp_path, "--format", "json", "--exclude", "b/*", "--exclude", "legacy.tf")) == [
        "a/main.tf"]
    assert files_of(lint(tmp_path, "--format", "json", "--exclude", "sub")) == ["a/main.tf", "b/main.tf",
                                                                                "legacy.tf"]
    none = lint(tmp_path, "--format", "json", "--exclude", "*.tf")
    assert none.json["findings"] == []
    assert none.exit_code == 0


def test_exclude_a_file_of_a_module_drops_its_trails() -> None:
    # Regression: the module folder is read whole for resolution, so an excluded main.tf used to be
    # reported anyway.
    only_other = lint(SPLIT, "--format", "json", "--exclude", "main.tf")
    assert [(f["rule"], f["file"]) for f in only_other.json["findings"]] == [("CTL001", "data_events.tf")]
    # ...while the excluded file's neighbours still resolve: no CTL005 for main.tf's trail
    only_main = lint(SPLIT, "--format", "json", "--exclude", "data_*.tf")
    assert [(f["rule"], f["file"]) for f in only_main.json["findings"]] == [("CTL003", "main.tf")]
    from_parent = lint(FIXTURES, "--format", "json", "--exclude", "cli_module_split/main.tf",
                       "cli_module_split")
    assert [(f["rule"], f["file"]) for f in from_parent.json["findings"]] == [
        ("CTL001", "cli_module_split/data_events.tf")]


def test_var_file() -> None:
    plain = lint(VAR_FILE, "--format", "json")
    assert plain.json["findings"] == []
    assert plain.exit_code == 0

    with_dev = lint(VAR_FILE, "--format", "json", "--var-file", "dev.tfvars")
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in with_dev.json["findings"]] == [
        ("CTL003", "main.tf", 1,
         "log group aws_cloudwatch_log_group.trail (main.tf:8) keeps events 30 days;"
         " at least 365 are required"),
    ]
    assert with_dev.exit_code == 1

    from_parent = lint(FIXTURES, "--format", "json", "--var-file", "cli_var_file/dev.tfvars", "cli_var_file")
    assert [(f["rule"], f["file"]) for f in from_parent.json["findings"]] == [
        ("CTL003", "cli_var_file/main.tf")]


def test_var_file_must_exist() -> None:
    result = lint(VAR_FILE, "--var-file", "prod.tfvars")
    assert result.exit_code == 2
    assert "Invalid value for '--var-file': File 'prod.tfvars' does not exist." in result.stderr


# --------------------------------------------------------------------------- discovery and paths


def test_discovery_skips_tool_and_vendor_folders(tmp_path: Path) -> None:
    write(tmp_path, {
        "a/main.tf": UNWIRED_TRAIL,
        ".git/main.tf": UNWIRED_TRAIL,
        ".terraform/modules/x/main.tf": UNWIRED_TRAIL,
        ".terragrunt-cache/abc/def/main.tf": UNWIRED_TRAIL,
        "node_modules/pkg/main.tf": UNWIRED_TRAIL,
        "node_modules/pkg/template.yaml": RULES_BY_ID["CTL001"].cloudformation.bad,
        "b/.terraform/modules/y/main.tf": UNWIRED_TRAIL,
        "c/node_modules/z/main.tf": UNWIRED_TRAIL,
        "c/.terragrunt-cache/q/main.tf": UNWIRED_TRAIL,
        "z/main.tf": UNWIRED_TRAIL,
    })
    result = lint(tmp_path, "--format", "json")
    assert files_of(result) == ["a/main.tf", "z/main.tf"]
    assert result.json["summary"]["trails"] == 2


def test_findings_are_in_a_stable_order(tmp_path: Path) -> None:
    # created out of order on purpose: output order must not depend on creation or argument order
    write(tmp_path, {
        "zeta/main.tf": UNWIRED_TRAIL + "\n" + UNWIRED_TRAIL.replace('"t"', '"u"'),
        "alpha/template.yaml": RULES_BY_ID["CTL001"].cloudformation.bad,
        "mid/beta/main.tf": UNWIRED_TRAIL,
        "alpha/main.tf": UNWIRED_TRAIL,
    })
    expected = [
        ("alpha/main.tf", 1, "aws_cloudtrail.t"),
        ("alpha/template.yaml", 3, "OrgTrail"),
        ("mid/beta/main.tf", 1, "aws_cloudtrail.t"),
        ("zeta/main.tf", 1, "aws_cloudtrail.t"),
        ("zeta/main.tf", 6, "aws_cloudtrail.u"),
    ]
    first = lint(tmp_path, "--format", "json")
    assert [(f["file"], f["line"], f["resource"]) for f in first.json["findings"]] == expected
    again = lint(tmp_path, "--format", "json", "zeta", "mid", "alpha")
    assert again.stdout == first.stdout
    assert lint(tmp_path).stdout == lint(tmp_path).stdout


@pytest.mark.parametrize("arg", ["envs/prod", "./envs/prod/", "envs//prod", "ABS"])
def test_paths_are_relative_to_cwd_with_forward_slashes(tmp_path: Path, arg: str) -> None:
    for rel in ("main.tf", "logs.tf", "iam.tf"):
        (tmp_path / "envs" / "prod").mkdir(parents=True, exist_ok=True)
        (tmp_path / "envs" / "prod" / rel).write_bytes((SPLIT / rel).read_bytes())
    if arg == "ABS":
        arg = str(tmp_path / "envs" / "prod")
    result = lint(tmp_path, "--format", "json", arg)
    assert [(f["file"], f["message"]) for f in result.json["findings"]] == [(
        "envs/prod/main.tf",
        "log group aws_cloudwatch_log_group.platform (envs/prod/logs.tf:1) keeps events 90 days;"
        " at least 365 are required",
    )]
    nested = lint(tmp_path / "envs", "--format", "json", "prod")
    assert files_of(nested) == ["prod/main.tf"]


def test_single_named_file_reads_the_whole_module() -> None:
    # pre-commit passes only the changed file: its log group lives in logs.tf, its role in iam.tf; the
    # module is what is evaluated, so every trail of the named file's module is reported
    expected = [("CTL001", "data_events.tf", 2), ("CTL003", "main.tf", 1)]
    main_only = lint(SPLIT, "--format", "json", "main.tf")
    assert [(f["rule"], f["file"], f["line"]) for f in main_only.json["findings"]] == expected
    assert main_only.json["findings"][1]["message"] == (
        "log group aws_cloudwatch_log_group.platform (logs.tf:1) keeps events 90 days; at least 365 are required")
    assert main_only.json["errors"] == []
    assert main_only.json["summary"]["trails"] == 2

    # lowering the retention in logs.tf alone, or a default in variables, must not slip through the hook
    for name in ("data_events.tf", "logs.tf", "iam.tf"):
        only = lint(SPLIT, "--format", "json", name)
        assert [(f["rule"], f["file"], f["line"]) for f in only.json["findings"]] == expected, name
        assert only.exit_code == 1

    both = lint(FIXTURES, "--format", "json", "cli_module_split/main.tf", "cli_module_split/data_events.tf")
    assert [(f["rule"], f["file"]) for f in both.json["findings"]] == [
        ("CTL001", "cli_module_split/data_events.tf"), ("CTL003", "cli_module_split/main.tf")]


def test_single_named_file_of_a_compliant_module_is_clean() -> None:
    result = lint(FIXTURES / "tf_compliant", "--format", "json", "main.tf")
    assert result.json["findings"] == []
    assert result.json["errors"] == []
    assert result.json["summary"]["trails"] == 1
    assert result.exit_code == 0


# --------------------------------------------------------------------------- colour


def _run_in_process(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tty: bool,
                    *args: str) -> tuple[int, str]:
    """Run the command against real ``sys.stdout`` (so its ``isatty`` decides colour)."""
    monkeypatch.chdir(MIXED)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args), prog_name="cloudtrail-lint")
    return exited.value.code, capsys.readouterr().out


def test_colour_on_a_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out = _run_in_process(monkeypatch, capsys, True)
    assert code == 1
    assert "\x1b[31merror\x1b[0m" in out
    assert "\x1b[33mwarning\x1b[0m" in out
    assert re.sub(r"\x1b\[[0-9;]*m", "", out) == MIXED_TEXT


def test_no_colour_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    code, out = _run_in_process(monkeypatch, capsys, False)
    assert code == 1
    assert out == MIXED_TEXT


@pytest.mark.parametrize("value", ["1", "true"])
def test_no_colour_with_no_color(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                 value: str) -> None:
    monkeypatch.setenv("NO_COLOR", value)
    code, out = _run_in_process(monkeypatch, capsys, True)
    assert code == 1
    assert out == MIXED_TEXT


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_no_colour_in_machine_formats(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                      fmt: str) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    _code, out = _run_in_process(monkeypatch, capsys, True, "--format", fmt)
    assert not ANSI.search(out)


def test_subprocess_output_has_no_ansi_escapes() -> None:
    proc = subprocess.run([sys.executable, "-m", "cloudtrail_lint"], cwd=MIXED, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert proc.returncode == 1
    assert proc.stdout == MIXED_TEXT
    assert not ANSI.search(proc.stdout + proc.stderr)


# --------------------------------------------------------------------------- entry points


def test_python_dash_m() -> None:
    version = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "--version"], capture_output=True,
                             text=True, timeout=120)
    assert version.returncode == 0
    assert version.stdout == f"cloudtrail-lint, version {__version__}\n"

    run = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "--format", "json", "tf_no_cloudwatch"],
                         cwd=FIXTURES, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert run.stderr == ""
    assert '"rule": "CTL001"' in run.stdout
    assert '"file": "tf_no_cloudwatch/main.tf"' in run.stdout


def test_help_lists_every_option() -> None:
    result = lint(REPO, "--help")
    assert result.exit_code == 0
    for option in ("--format", "--output", "--min-retention-days", "--unknown", "--select", "--ignore",
                   "--exclude", "--var-file", "--list-rules", "--explain", "--version"):
        assert option in result.stdout
    assert "Exit status: 0 no error-severity finding, 1 findings, 2 usage error" in result.stdout
