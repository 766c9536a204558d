"""CI options: --exit-zero, --report FORMAT:PATH, the summary on standard error with -o, the GitHub
annotation limit, --quiet/--silent and --color with NO_COLOR/FORCE_COLOR."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import pytest
from cloudtrail_lint.cli import cli
from cloudtrail_lint.findings import Finding, InputError, Report
from cloudtrail_lint.reporters.github import render_github

from .conftest import lint
from .test_cli import MIXED, MIXED_TEXT, UNWIRED_TRAIL

SUMMARY = "4 errors, 1 warning in 5 trails (4 files linted, 1 skipped)\n"
MIXED_FINDINGS = MIXED_TEXT[: -len(SUMMARY)]
BROKEN = 'resource "aws_cloudtrail" "x" {\n  name = \n}\n'
BROKEN_LINE = "broken.tf:2:10: error: invalid HCL: unexpected line break\n"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def broken_project(root: Path) -> Path:
    """One unwired trail and one file that cannot be parsed."""
    (root / "main.tf").write_text(UNWIRED_TRAIL)
    (root / "broken.tf").write_text(BROKEN)
    return root


# --------------------------------------------------------------------------- --exit-zero


def test_exit_zero_reports_findings_and_exits_0() -> None:
    result = lint(MIXED, "--exit-zero")
    assert (result.exit_code, result.stdout, result.stderr) == (0, MIXED_TEXT, "")


def test_exit_zero_keeps_exit_2_for_an_input_error(tmp_path: Path) -> None:
    result = lint(broken_project(tmp_path), "--exit-zero", ".")
    assert result.exit_code == 2
    assert result.stderr == BROKEN_LINE


# --------------------------------------------------------------------------- --report


def test_extra_reports_are_written_beside_the_main_output(tmp_path: Path) -> None:
    sarif, junit = tmp_path / "out.sarif", tmp_path / "junit.xml"
    result = lint(MIXED, "--format", "text", "--report", f"sarif:{sarif}", "--report", f"junit:{junit}")
    assert (result.exit_code, result.stdout, result.stderr) == (1, MIXED_TEXT, "")
    assert sarif.read_text(encoding="utf-8") == lint(MIXED, "--format", "sarif").stdout
    assert junit.read_text(encoding="utf-8") == lint(MIXED, "--format", "junit").stdout


def test_extra_text_report_is_never_coloured(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = lint(MIXED, "--format", "json", "--color", "always", "--report", f"TEXT:{target}")
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == MIXED_TEXT


@pytest.mark.parametrize(("spec", "message"), [
    ("sarif", "Invalid value for '--report': 'sarif' is not FORMAT:PATH (e.g. sarif:results.sarif)"),
    ("sarif:", "Invalid value for '--report': 'sarif:' is not FORMAT:PATH (e.g. sarif:results.sarif)"),
    (":out.sarif", "Invalid value for '--report': ':out.sarif' is not FORMAT:PATH (e.g. sarif:results.sarif)"),
    ("xml:out.xml", "Invalid value for '--report': 'xml:out.xml': unknown format 'xml'; choose from text, json,"
                    " sarif, junit, github, gitlab"),
])
def test_bad_report_spec_is_a_usage_error(spec: str, message: str) -> None:
    result = lint(MIXED, "--report", spec)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(f"Error: {message}\n")


def test_report_that_cannot_be_written_is_exit_2_with_the_reason(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "out.sarif"
    result = lint(MIXED, "--report", f"sarif:{target}")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: Could not open file '{target}': No such file or directory\n"


@pytest.mark.parametrize("args", [("--diff",), ("--write-baseline", "b.json")])
def test_report_with_an_option_that_writes_no_report_is_a_usage_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = lint(MIXED, *args[:1], *(str(tmp_path / a) for a in args[1:]), "--report", f"json:{tmp_path / 'r'}")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: --report cannot be used with {args[0]} (no report is written)\n")
    assert not (tmp_path / "r").exists()


def test_one_path_written_twice_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "out"
    result = lint(MIXED, "-o", str(target), "--report", f"sarif:{target}")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: {target} is written twice (--output and --report)\n")
    assert not target.exists()


def test_reports_are_replaced_whole_keeping_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old report")
    target.chmod(0o640)
    before = target.stat().st_ino
    result = lint(MIXED, "-o", str(target), "--format", "json", "--report", f"sarif:{tmp_path / 'new.sarif'}")
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == lint(MIXED, "--format", "json").stdout
    assert target.stat().st_ino != before  # a new file renamed over the old one, not rewritten in place
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.sarif").stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sarif", "out.json"]  # no temporary file left


def test_a_report_path_that_is_a_link_updates_the_file_it_names(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old")
    (tmp_path / "link.txt").symlink_to("real.txt")
    assert lint(MIXED, "-o", str(tmp_path / "link.txt")).exit_code == 1
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text(encoding="utf-8") == MIXED_TEXT


def test_a_failed_write_leaves_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("old report")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = lint(MIXED, "--no-cache", "-o", str(target), "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == f"Error: Could not open file '{target}': No space left on device\n"
    assert target.read_text() == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_is_written_not_replaced() -> None:
    result = lint(MIXED, "--report", "sarif:/dev/null", "-o", "/dev/null")
    assert (result.exit_code, result.stdout) == (1, "")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


# --------------------------------------------------------------------------- -o: the summary on standard error


def test_output_file_still_prints_the_summary_line_on_stderr(tmp_path: Path) -> None:
    for fmt in ("text", "json", "sarif"):
        result = lint(MIXED, "--format", fmt, "-o", str(tmp_path / fmt))
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", SUMMARY)


def test_output_file_prints_input_errors_then_the_summary(tmp_path: Path) -> None:
    result = lint(broken_project(tmp_path), "-o", str(tmp_path / "report.txt"), ".")
    assert result.exit_code == 2
    assert result.stderr == BROKEN_LINE + "1 error, 0 warnings in 1 trail (1 file linted, 0 skipped);" \
                                          " 1 input could not be processed\n"


# --------------------------------------------------------------------------- --quiet / --silent


def test_quiet_prints_only_the_findings() -> None:
    result = lint(MIXED, "-q")
    assert (result.exit_code, result.stdout, result.stderr) == (1, MIXED_FINDINGS, "")
    assert lint(MIXED, "--quiet", "--format", "json").stdout == lint(MIXED, "--format", "json").stdout
    github = lint(MIXED, "-q", "--format", "github").stdout
    assert github == lint(MIXED, "--format", "github").stdout[: -len(SUMMARY)]


def test_quiet_keeps_input_errors_and_drops_the_summary_of_an_output_file(tmp_path: Path) -> None:
    result = lint(broken_project(tmp_path), "-q", "-o", str(tmp_path / "report.txt"), ".")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", BROKEN_LINE)
    result = lint(tmp_path, "-q", ".")
    assert result.exit_code == 2
    assert result.stdout == "main.tf:1:1: CTL001 error trail sends no events to CloudWatch Logs: no log group ARN" \
                            " is set [aws_cloudtrail.t]\n"
    assert result.stderr == BROKEN_LINE


@pytest.mark.parametrize("flag", [("-qq",), ("-q", "--quiet"), ("-s",), ("--silent",)])
def test_quiet_twice_or_silent_prints_nothing(tmp_path: Path, flag: tuple[str, ...]) -> None:
    for fmt in ("text", "json", "github"):
        result = lint(MIXED, *flag, "--format", fmt)
        assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")
    result = lint(broken_project(tmp_path), *flag, "--report", f"json:{tmp_path / 'r.json'}", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "")
    assert (tmp_path / "r.json").is_file()  # files are still written


# --------------------------------------------------------------------------- --color


def _colour_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tty: bool,
                env: dict[str, str], *args: str) -> str:
    monkeypatch.chdir(MIXED)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: tty)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        cli.main(list(args), prog_name="cloudtrail-lint")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert ANSI.sub("", out) == MIXED_TEXT
    return out


@pytest.mark.parametrize(("choice", "tty", "env", "coloured"), [
    ("auto", True, {}, True),
    ("auto", False, {}, False),
    ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True),  # only a non-empty NO_COLOR counts
    ("auto", False, {"FORCE_COLOR": "1"}, True),
    ("auto", False, {"FORCE_COLOR": ""}, False),
    ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins, as in CPython
    ("always", False, {}, True),
    ("always", False, {"NO_COLOR": "1"}, True),
    ("never", True, {}, False),
    ("never", True, {"FORCE_COLOR": "1"}, False),
])
def test_colour_choice_and_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                       choice: str, tty: bool, env: dict[str, str], coloured: bool) -> None:
    out = _colour_run(monkeypatch, capsys, tty, env, "--color", choice)
    if coloured:
        assert "main.tf:4:1: \x1b[1mCTL001\x1b[0m \x1b[31merror\x1b[0m trail sends" in out
        assert "\x1b[1mCTL010\x1b[0m \x1b[33mwarning\x1b[0m" in out
    else:
        assert out == MIXED_TEXT


@pytest.mark.parametrize("fmt", ["json", "github"])
def test_colour_only_in_the_text_format(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                        fmt: str) -> None:
    monkeypatch.chdir(MIXED)
    monkeypatch.setenv("FORCE_COLOR", "1")
    with pytest.raises(SystemExit) as exited:
        cli.main(["--color", "always", "--format", fmt], prog_name="cloudtrail-lint")
    assert exited.value.code == 1
    out = capsys.readouterr().out
    assert "CTL001" in out and not ANSI.search(out)


def test_no_colour_in_an_output_file(tmp_path: Path) -> None:
    result = lint(MIXED, "--color", "always", "-o", str(tmp_path / "out.txt"))
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == MIXED_TEXT
    assert not ANSI.search(result.stderr)


# --------------------------------------------------------------------------- GitHub annotation limit


def _finding(i: int, severity: str) -> Finding:
    return Finding(f"CTL00{1 + i % 3}", "rule-name", severity, f"message {i}", f"f{i:02d}.tf", i + 1, 1, i + 1,
                   f"aws_cloudtrail.t{i}", "aws_cloudtrail")


def _report(errors: int, warnings: int, notes: int, input_errors: int = 0) -> Report:
    findings = [_finding(i, "error") for i in range(errors)]
    findings += [_finding(100 + i, "warning") for i in range(warnings)]
    findings += [_finding(200 + i, "note") for i in range(notes)]
    bad = [InputError(f"bad{i}.tf", 2, "invalid HCL", 1) for i in range(input_errors)]
    return Report(findings=findings, errors=bad, files_linted=3, trails=len(findings))


def _kinds(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^::(\w+) ", text, re.M)]


def test_github_annotations_up_to_the_limit_are_all_shown() -> None:
    text = render_github(_report(10, 10, 10))
    assert _kinds(text) == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 10
    assert text.splitlines()[-1] == "10 errors, 10 warnings in 30 trails (3 files linted, 0 skipped)"
    assert "more not annotated" not in text


def test_github_annotations_stop_at_ten_per_kind_with_a_notice_counting_the_rest() -> None:
    text = render_github(_report(11, 3, 10, input_errors=1))
    lines = text.splitlines()
    # 10 errors, 3 warnings and 9 notices: the last notice place is for the count
    assert _kinds(text) == ["error"] * 10 + ["warning"] * 3 + ["notice"] * 9 + ["notice"]
    assert lines[22:] == [
        "f10.tf:11:1: CTL002 error message 10 [aws_cloudtrail.t10]",
        "f209.tf:210:1: CTL003 note message 209 [aws_cloudtrail.t209]",
        "bad0.tf:2:1: error: invalid HCL",
        "::notice title=cloudtrail-lint::3 more not annotated (2 errors, 1 notice): GitHub shows 10 annotations of"
        " each kind per step; they are listed in the log above",
        "11 errors, 3 warnings in 24 trails (3 files linted, 0 skipped); 1 input could not be processed",
    ]


def test_github_limit_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("".join(UNWIRED_TRAIL.replace('"t"', f'"t{i:02d}"') for i in range(12)))
    result = lint(tmp_path, "--format", "github", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(" ", 1)[0] for line in lines[:10]] == ["::error"] * 10
    assert lines[10:] == [
        "main.tf:41:1: CTL001 error trail sends no events to CloudWatch Logs: no log group ARN is set"
        " [aws_cloudtrail.t10]",
        "main.tf:45:1: CTL001 error trail sends no events to CloudWatch Logs: no log group ARN is set"
        " [aws_cloudtrail.t11]",
        "::notice title=cloudtrail-lint::2 more not annotated (2 errors): GitHub shows 10 annotations of each kind"
        " per step; they are listed in the log above",
        "12 errors, 0 warnings in 12 trails (1 file linted, 0 skipped)",
    ]
