"""Inputs that cannot be read are reported (file, line, reason; exit 2) without hiding other findings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, lint

# folder, broken file, its error line, the start of the reason, findings of the valid files
BROKEN_INPUTS = [
    ("errors_hcl_syntax", "broken/main.tf", 4, "invalid HCL: ",
     [("CTL001", "ok/main.tf", 1, "aws_cloudtrail.ok")]),
    ("errors_yaml_syntax", "bad.yaml", 9, "invalid YAML/JSON: did not find expected ',' or ']'",
     [("CTL003", "good.yaml", 3, "OrgTrail")]),
    ("errors_json_syntax", "bad.json", 8, "invalid YAML/JSON: did not find expected ',' or '}'",
     [("CTL001", "trail.json", 4, "Trail")]),
]
IDS = [case[0] for case in BROKEN_INPUTS]


@pytest.mark.parametrize(("folder", "bad", "line", "reason", "findings"), BROKEN_INPUTS, ids=IDS)
def test_broken_file_is_an_error_and_the_rest_is_linted(
    folder: str, bad: str, line: int, reason: str, findings: list[tuple[str, str, int, str]]
) -> None:
    result = lint(FIXTURES / folder, "--format", "json", ".")
    assert result.exit_code == 2
    (error,) = result.json["errors"]
    assert error["file"] == bad
    assert error["line"] == line
    assert error["message"].startswith(reason)
    assert len(error["message"]) > len("invalid HCL: ")
    assert [(f["rule"], f["file"], f["line"], f["resource"]) for f in result.json["findings"]] == findings
    assert result.json["summary"]["input_errors"] == 1
    assert result.json["summary"]["exit_code"] == 2
    assert result.stderr == ""  # machine formats carry errors in the report, not on stderr


@pytest.mark.parametrize(("folder", "bad", "line", "reason", "findings"), BROKEN_INPUTS, ids=IDS)
def test_text_mode_prints_errors_to_stderr(
    folder: str, bad: str, line: int, reason: str, findings: list[tuple[str, str, int, str]]
) -> None:
    result = lint(FIXTURES / folder, ".")
    assert result.exit_code == 2
    (stderr_line,) = result.stderr.splitlines()
    match = re.fullmatch(r"(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): error: (?P<reason>.+)", stderr_line)
    assert match, stderr_line
    assert (match["file"], int(match["line"])) == (bad, line)
    assert int(match["col"]) >= 1
    assert match["reason"].startswith(reason)
    *finding_lines, summary = result.stdout.splitlines()
    assert [ln.split(" ", 2)[:2] for ln in finding_lines] == [
        [f"{file}:{ln}:{ln_col(file)}:", rule] for rule, file, ln, _res in findings]
    assert summary.endswith("; 1 input could not be processed")
    assert summary.startswith("1 error, 0 warnings in 1 trail (")


def ln_col(file: str) -> int:
    """Column of the trail header: Terraform blocks start in column 1, CloudFormation ids in 3 or 5."""
    return {"ok/main.tf": 1, "good.yaml": 3, "trail.json": 5}[file]


def test_exact_stderr_line_for_a_yaml_error() -> None:
    result = lint(FIXTURES / "errors_yaml_syntax", ".")
    assert result.stderr == "bad.yaml:9:7: error: invalid YAML/JSON: did not find expected ',' or ']'\n"


def test_unparseable_file_of_a_module_does_not_become_a_dangling_reference(tmp_path: Path) -> None:
    # The log group is (probably) in the broken file: unknown, never "not defined" (CTL005).
    for name in ("main.tf", "iam.tf"):
        (tmp_path / name).write_bytes((FIXTURES / "cli_module_split" / name).read_bytes())
    (tmp_path / "logs.tf").write_text(
        'resource "aws_cloudwatch_log_group" "platform" {\n  name = "cloudtrail/platform"\n'
        "  retention_in_days =\n}\n",
        encoding="utf-8",
    )
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert [(e["file"], e["line"]) for e in result.json["errors"]] == [("logs.tf", 3)]
    assert [(f["rule"], f["severity"], f["message"]) for f in result.json["findings"]] == [(
        "CTL010", "warning",
        "log group ARN cannot be resolved: aws_cloudwatch_log_group.platform may be defined in logs.tf,"
        " which could not be parsed",
    )]


def test_missing_path_is_an_error_entry(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_bytes((FIXTURES / "tf_no_cloudwatch" / "main.tf").read_bytes())
    result = lint(tmp_path, "--format", "json", "main.tf", "nope", "gone/template.yaml")
    assert result.exit_code == 2
    assert result.json["errors"] == [
        {"file": "gone/template.yaml", "line": 0, "message": "no such file or folder"},
        {"file": "nope", "line": 0, "message": "no such file or folder"},
    ]
    assert [(f["rule"], f["file"]) for f in result.json["findings"]] == [("CTL001", "main.tf")]

    text = lint(tmp_path, "nope")
    assert text.exit_code == 2
    assert text.stderr == "nope:0:0: error: no such file or folder\n"
    assert text.stdout == (
        "0 errors, 0 warnings in 0 trails (0 files linted, 0 skipped); 1 input could not be processed\n"
    )


def test_broken_var_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tfvars"
    bad.write_text("retention_days = [\n", encoding="utf-8")
    result = lint(FIXTURES / "cli_var_file", "--format", "json", "--var-file", str(bad), ".")
    assert result.exit_code == 2
    (error,) = result.json["errors"]
    assert error["file"] == str(bad)  # outside the working directory: shown absolute
    assert error["line"] == 2
    assert error["message"].startswith("invalid HCL: ")


ALL_ERROR_RUNS = [
    (FIXTURES / "errors_hcl_syntax", ["."]),
    (FIXTURES / "errors_yaml_syntax", ["."]),
    (FIXTURES / "errors_json_syntax", ["."]),
    (FIXTURES, ["errors_hcl_syntax", "errors_yaml_syntax", "errors_json_syntax", "no-such-path"]),
]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
@pytest.mark.parametrize(("cwd", "paths"), ALL_ERROR_RUNS, ids=["hcl", "yaml", "json", "all"])
def test_no_traceback_from_the_real_command(cwd: Path, paths: list[str], fmt: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "--format", fmt, *paths], cwd=cwd,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Error" not in proc.stderr.replace("error:", "")  # no exception class names either
    if fmt == "text":
        assert proc.stderr.count(": error: ") == len(proc.stderr.splitlines()) >= 1
    else:
        assert proc.stderr == ""
