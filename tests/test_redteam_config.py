"""Issue #11, items 4 and 8: configuration stays inside the repository, and odd configuration files,
pyproject.toml files and baselines become one clear error line, never a traceback or a lost report.

The inputs live in ``tests/redteam/config_*`` (one folder per scenario, described in its SCENARIO.md);
deeply nested and oversized ones are generated here. A folder becomes a git repository by getting a
``.git`` folder (or a ``.git`` file, as git worktrees and submodules have): that is all the lookup reads.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import lint

REDTEAM = Path(__file__).parent / "redteam"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTOPSECRET"
STAY_INSIDE = "paths in a configuration file must stay inside the repository (name other files on the command line)"
CTL001_ORG = ("CTL001", "aws_cloudtrail.org", False)


def scenario(name: str, tmp_path: Path) -> Path:
    """A copy of ``tests/redteam/NAME`` (``*.in`` files under their real name)."""
    target = tmp_path / name
    shutil.copytree(REDTEAM / name, target)
    for stored in target.rglob("*.in"):
        stored.rename(stored.with_suffix(""))
    return target


def rules_of(result) -> list[tuple[str, str, bool]]:
    return sorted((f["rule"], f["resource"], f["suppressed"]) for f in result.json["findings"])


# --------------------------------------------------------------------------- paths stay inside


@pytest.fixture
def escape(tmp_path: Path) -> Path:
    """The var-file scenario; returns the repository (``repo/``, with a ``.git`` folder)."""
    repo = scenario("config_var_file_escape", tmp_path) / "repo"
    (repo / ".git").mkdir()
    return repo


def test_the_secret_is_really_there_when_the_command_line_names_it(escape: Path) -> None:
    """The command line may name any file: this is what the configuration file used to achieve."""
    (escape / ".cloudtrail-lint.toml").unlink()
    result = lint(escape, "--format", "json", "--var-file", "../secret/credentials.tfvars", ".")
    assert SECRET in result.stdout
    assert result.exit_code == 1


def test_var_files_going_up_out_of_the_repository_are_refused(escape: Path) -> None:
    result = lint(escape, "--format", "json", ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: .cloudtrail-lint.toml: var-files: '../secret/credentials.tfvars' is outside the repository;"
        f" {STAY_INSIDE}\n")
    assert SECRET not in result.stderr


def test_var_files_with_an_absolute_path_are_refused(escape: Path) -> None:
    secret = escape.parent / "secret" / "credentials.tfvars"
    (escape / ".cloudtrail-lint.toml").write_text(f"var-files = [{json.dumps(str(secret))}]\n")
    result = lint(escape, "--format", "json", ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: .cloudtrail-lint.toml: var-files: '{secret}' is an absolute path; {STAY_INSIDE}\n"


def test_var_files_through_a_link_out_of_the_repository_are_refused(escape: Path) -> None:
    (escape / "envs").mkdir()
    (escape / "envs" / "prod.tfvars").symlink_to(escape.parent / "secret" / "credentials.tfvars")
    (escape / ".cloudtrail-lint.toml").write_text('var-files = ["envs/prod.tfvars"]\n')
    result = lint(escape, "--format", "json", ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == ("error: .cloudtrail-lint.toml: var-files: 'envs/prod.tfvars' links to a file outside"
                             f" the repository; {STAY_INSIDE}\n")
    # a folder link counts the same
    (escape / "envs" / "prod.tfvars").unlink()
    (escape / "envs").rmdir()
    (escape / "envs").symlink_to(escape.parent / "secret")
    (escape / ".cloudtrail-lint.toml").write_text('var-files = ["envs/credentials.tfvars"]\n')
    result = lint(escape, "--format", "json", ".")
    assert result.exit_code == 2
    assert "'envs/credentials.tfvars' links to a file outside the repository" in result.stderr


def test_paths_inside_the_repository_still_work_also_with_dotdot(escape: Path) -> None:
    """A configuration file in a subfolder may name a file elsewhere in the repository."""
    (escape / ".cloudtrail-lint.toml").unlink()
    (escape / "vars").mkdir()
    (escape / "vars" / "prod.tfvars").write_text('aws_secret_access_key = "not-an-arn"\n')
    team = escape / "team"
    team.mkdir()
    (team / "main.tf").write_text((escape / "main.tf").read_text())
    (team / ".cloudtrail-lint.toml").write_text('var-files = ["../vars/prod.tfvars"]\nexclude = ["legacy/*"]\n')
    result = lint(team, "--format", "json", ".")
    assert result.exit_code == 1
    assert "not-an-arn" in result.json["findings"][0]["message"]


@pytest.mark.parametrize("text, message", [
    ('exclude = ["../other/*"]', "exclude: '../other/*' goes up with '..'"),
    ('exclude = ["modules/../../x"]', "exclude: 'modules/../../x' goes up with '..'"),
    ('exclude = ["/etc/*"]', "exclude: '/etc/*' is an absolute path"),
    ('[[exceptions]]\nrule = "CTL004"\nfile = "../*"\nreason = "r"', "exceptions[0].file: '../*' goes up with '..'"),
    ('[[exceptions]]\nrule = "CTL004"\nfile = "/*"\nreason = "r"', "exceptions[0].file: '/*' is an absolute path"),
])
def test_globs_cannot_name_anything_outside_the_repository(escape: Path, text: str, message: str) -> None:
    (escape / ".cloudtrail-lint.toml").write_text(text + "\n")
    result = lint(escape, ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: .cloudtrail-lint.toml: {message}; {STAY_INSIDE}\n"


def test_outside_a_repository_paths_stay_in_the_configuration_files_folder(tmp_path: Path) -> None:
    work = scenario("config_var_file_escape", tmp_path) / "repo"  # no .git anywhere
    result = lint(work, ".")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: .cloudtrail-lint.toml: var-files: '../secret/credentials.tfvars' is outside the configuration"
        " file's folder; paths in a configuration file must stay inside the configuration file's folder (name"
        " other files on the command line)\n")


def test_a_named_configuration_file_is_confined_too(escape: Path) -> None:
    """``--config`` picks the file; what the file names still stays inside the file's repository."""
    config = escape / ".cloudtrail-lint.toml"
    config.rename(escape / "team.toml")
    result = lint(escape, "--config", "team.toml", ".")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: team.toml: var-files: '../secret/credentials.tfvars' is outside")


# --------------------------------------------------------------------------- lookup stops at the root


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """The planted-config scenario; returns the folder holding the planted file."""
    return scenario("config_planted_above", tmp_path)


@pytest.mark.parametrize("marker", ["folder", "file"])
def test_a_configuration_file_above_the_repository_never_applies(planted: Path, marker: str) -> None:
    repo = planted / "repo"
    if marker == "folder":
        (repo / ".git").mkdir()
    else:  # a git worktree or submodule: .git is a file naming the real git folder
        (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    for cwd in (repo, repo / "envs" / "prod"):
        result = lint(cwd, "--format", "json", ".")
        assert rules_of(result) == [CTL001_ORG], cwd
        assert result.exit_code == 1


def test_outside_a_repository_only_the_working_directory_is_looked_at(planted: Path) -> None:
    result = lint(planted / "repo" / "envs" / "prod", "--format", "json", ".")
    assert (rules_of(result), result.exit_code) == ([CTL001_ORG], 1)
    # run where the file is, it applies: the working directory is yours
    result = lint(planted, "--format", "json", ".")
    assert (rules_of(result), result.exit_code) == ([("CTL001", "aws_cloudtrail.org", True)], 0)


def test_a_configuration_file_inside_the_repository_applies_from_below(planted: Path) -> None:
    (planted / ".git").mkdir()  # now the planted file is the repository's own
    result = lint(planted / "repo" / "envs" / "prod", "--format", "json", ".")
    assert (rules_of(result), result.exit_code) == ([("CTL001", "aws_cloudtrail.org", True)], 0)


def test_a_configuration_link_out_of_the_repository_is_not_read(planted: Path) -> None:
    repo = planted / "repo"
    (repo / ".git").mkdir()
    (repo / ".cloudtrail-lint.toml").symlink_to(planted / ".cloudtrail-lint.toml")
    result = lint(repo, ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (f"error: .cloudtrail-lint.toml: links to '{planted / '.cloudtrail-lint.toml'}',"
                             " outside the repository; not read\n")


def test_a_configuration_fifo_is_not_opened(planted: Path) -> None:
    """Opening a FIFO blocks until someone writes to it: the run must not hang."""
    repo = planted / "repo"
    (repo / ".git").mkdir()
    os.mkfifo(repo / ".cloudtrail-lint.toml")
    result = lint(repo, ".")
    assert (result.exit_code, result.stderr) == (2, "error: .cloudtrail-lint.toml: not a regular file; not read\n")


# --------------------------------------------------------------------------- pyproject.toml that is not ours


@pytest.mark.parametrize("case", ["dependency", "broken_mention"])
def test_a_pyproject_that_only_mentions_the_tool_is_passed_over(tmp_path: Path, case: str) -> None:
    top = scenario("config_pyproject_mentions", tmp_path) / case
    (top / ".git").mkdir()
    result = lint(top / "app", "--format", "json", ".")
    assert (result.stderr, rules_of(result), result.exit_code) == ("", [CTL001_ORG], 1)


def test_a_broken_pyproject_with_our_table_is_an_error_naming_it(tmp_path: Path) -> None:
    top = scenario("config_pyproject_mentions", tmp_path) / "broken_ours"
    (top / ".git").mkdir()
    result = lint(top / "app", "--format", "json", ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {top / 'pyproject.toml'}: invalid TOML: ")


@pytest.mark.parametrize("header", ["[tool.cloudtrail-lint]", '[ tool . "cloudtrail-lint" ]',
                                    "[[tool.cloudtrail-lint.exceptions]]", "tool.cloudtrail-lint.unknown = 'x'"])
def test_our_table_is_recognised_in_a_broken_pyproject_however_it_is_written(tmp_path: Path, header: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[project\n{header}\n")
    assert lint(tmp_path, ".").stderr.startswith("error: pyproject.toml: invalid TOML: ")


def test_a_deeply_nested_pyproject_that_mentions_the_tool_is_passed_over(tmp_path: Path) -> None:
    top = scenario("config_pyproject_mentions", tmp_path) / "dependency"
    (top / ".git").mkdir()
    (top / "pyproject.toml").write_text("# cloudtrail-lint\nx = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = lint(top / "app", "--format", "json", ".")
    assert (result.stderr, rules_of(result), result.exit_code) == ("", [CTL001_ORG], 1)


# --------------------------------------------------------------------------- odd configuration files


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    shutil.copy(REDTEAM / "config_planted_above" / "repo" / "envs" / "prod" / "main.tf", tmp_path)
    return tmp_path


@pytest.mark.parametrize("levels", [1_000, 100_000])
def test_a_deeply_nested_configuration_is_an_error(repo: Path, levels: int) -> None:
    (repo / ".cloudtrail-lint.toml").write_text("x = " + "[" * levels + "]" * levels + "\n")
    result = lint(repo, ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: .cloudtrail-lint.toml: invalid TOML: nested too deeply\n"


def test_a_deeply_nested_table_in_pyproject_is_an_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.cloudtrail-lint]\nx = " + "{a = " * 100_000 + "1" + "}" * 100_000)
    result = lint(repo, ".")
    assert (result.exit_code, result.stderr) == (2, "error: pyproject.toml: invalid TOML: nested too deeply\n")


def test_a_number_too_long_to_read_in_the_configuration_is_an_error(repo: Path) -> None:
    (repo / ".cloudtrail-lint.toml").write_text("min-retention-days = " + "9" * 5000 + "\n")
    result = lint(repo, ".")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: .cloudtrail-lint.toml: invalid TOML: a number has more than 4300 digits\n"


def test_values_in_messages_are_shortened(repo: Path) -> None:
    (repo / ".cloudtrail-lint.toml").write_text(f'unknown = "{"x" * 10_000}"\n')
    result = lint(repo, ".")
    assert result.exit_code == 2
    assert result.stderr == ("error: .cloudtrail-lint.toml: unknown: must be one of ignore, warn, fail (got"
                             f" '{'x' * 58}…)\n")


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "baseline is not valid JSON: nested too deeply"),
    ('{"tool": "cloudtrail-lint", "version": ' + "1" * 5000 + ', "findings": []}',
     "baseline is not valid JSON: a number has more than 4300 digits"),
])
def test_an_odd_baseline_is_an_error_naming_it(repo: Path, text: str, message: str) -> None:
    (repo / "base.json").write_text(text)
    result = lint(repo, "--baseline", "base.json", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: base.json: {message}\n")
