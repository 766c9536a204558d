"""The pre-commit hooks of this repository, run by the real pre-commit on throw-away git repositories.

pre-commit installs the hook repository with pip into its own virtualenv (dependencies from PyPI), so
this module takes some seconds: the installed-hook tests share one PRE_COMMIT_HOME and build once.
``try-repo`` always builds in its own temporary store, so it is exercised by a single test.

The hook repository is a committed snapshot of this working tree (tracked and untracked files that git
does not ignore): pre-commit clones hook repositories at a commit, and ``try-repo`` on a dirty checkout
only carries changes to tracked files, so new, uncommitted files would otherwise be left out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import FIXTURES, REPO

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]
UNWIRED_FINDING = (
    "main.tf:35:1: CTL001 error trail sends no events to CloudWatch Logs: no log group ARN is set"
    " [aws_cloudtrail.staging]"
)
SPLIT = FIXTURES / "cli_module_split"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for git and pre-commit: isolated git config, one PRE_COMMIT_HOME for the module."""
    home = tmp_path_factory.mktemp("precommit-env")
    gitconfig = home / "gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = cloudtrail-lint tests\n\temail = tests@example.invalid\n"
        "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[core]\n\tautocrlf = false\n",
        encoding="utf-8",
    )
    out = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    out.update({
        "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1",
        "PRE_COMMIT_HOME": str(home / "cache"),
        "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    })
    out.pop("VIRTUAL_ENV", None)
    out.pop("PYTHONPATH", None)
    return out


def run(cmd: list[str], cwd: Path, env: dict[str, str],
        timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def git(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = run([str(GIT), *args], cwd, env)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> tuple[Path, str]:
    """A git repository holding this working tree in one commit: (path, commit)."""
    dest = tmp_path_factory.mktemp("hook-repo")
    listed = run([str(GIT), "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                 REPO, env)
    if listed.returncode == 0:
        files = [rel for rel in listed.stdout.split("\0") if rel and (REPO / rel).is_file()]
    else:  # not a git checkout (an unpacked sdist): take everything but caches and environments
        skip = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".ruff_cache",
                ".checkov-venv"}
        files = [p.relative_to(REPO).as_posix() for p in REPO.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(REPO).parts)]
    for rel in files:
        if rel.startswith("tests/"):
            continue  # not needed to install the hook
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dest / rel)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    git(dest, env, "init", "-q")
    git(dest, env, "add", "-A")
    git(dest, env, "commit", "-q", "-m", "snapshot of the working tree")
    return dest, git(dest, env, "rev-parse", "HEAD").stdout.strip()


def make_target(root: Path, env: dict[str, str], hook_repo: tuple[Path, str], hook_id: str,
                verbose: bool = False) -> Path:
    """A git repository whose pre-commit config uses ``hook_id`` from the hook repository, installed."""
    repo, rev = hook_repo
    root.mkdir(parents=True, exist_ok=True)
    git(root, env, "init", "-q")
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo}\n    rev: {rev}\n    hooks:\n      - id: {hook_id}\n"
        + ("        verbose: true\n" if verbose else ""),
        encoding="utf-8",
    )
    installed = run([*PRE_COMMIT, "install"], root, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(root, env, "add", ".pre-commit-config.yaml")
    first = run([str(GIT), "commit", "-m", "add pre-commit config"], root, env)
    assert first.returncode == 0, first.stdout + first.stderr
    return root


def commit(root: Path, env: dict[str, str], message: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run([str(GIT), "commit", "-m", message, *extra], root, env)


def commits(root: Path, env: dict[str, str]) -> int:
    return int(git(root, env, "rev-list", "--count", "HEAD").stdout)


def copy_files(src: Path, dest: Path, names: list[str]) -> None:
    for name in names:
        shutil.copy2(src / name, dest / name)


@pytest.fixture(scope="module", autouse=True)
def try_repo_run(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str],
                 hook_repo: tuple[Path, str]) -> Iterator[subprocess.Popen[str]]:
    """``pre-commit try-repo`` on a staged unwired trail, started early: it builds its own hook
    environment, so it runs in the background while the other tests use the shared one."""
    target = tmp_path_factory.mktemp("try-repo-target")
    git(target, env, "init", "-q")
    copy_files(FIXTURES / "tf_no_cloudwatch", target, ["main.tf", "providers.tf"])
    git(target, env, "add", "main.tf", "providers.tf")
    repo, rev = hook_repo
    proc = subprocess.Popen([*PRE_COMMIT, "try-repo", str(repo), "cloudtrail-lint", "--ref", rev], cwd=target,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield proc
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def test_commit_of_an_unwired_trail_is_refused(tmp_path: Path, env: dict[str, str],
                                               hook_repo: tuple[Path, str]) -> None:
    target = make_target(tmp_path / "target", env, hook_repo, "cloudtrail-lint")
    copy_files(FIXTURES / "tf_no_cloudwatch", target, ["main.tf", "providers.tf"])
    git(target, env, "add", "main.tf", "providers.tf")
    proc = commit(target, env, "add an unwired trail")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert UNWIRED_FINDING in output.splitlines()
    assert "1 error, 0 warnings in 1 trail" in output
    assert commits(target, env) == 1  # only the config commit


def test_committing_only_main_tf_reads_logs_tf(tmp_path: Path, env: dict[str, str],
                                              hook_repo: tuple[Path, str]) -> None:
    target = make_target(tmp_path / "target", env, hook_repo, "cloudtrail-lint", verbose=True)
    copy_files(SPLIT, target, ["main.tf", "logs.tf", "iam.tf"])
    logs = target / "logs.tf"
    text = logs.read_text(encoding="utf-8")
    logs.write_text(text.replace("retention_in_days = 90", "retention_in_days = 365"), encoding="utf-8")
    git(target, env, "add", "logs.tf", "iam.tf")
    assert commit(target, env, "log group and role").returncode == 0

    # main.tf alone: pre-commit passes only main.tf, whose log group and role are in the committed files
    git(target, env, "add", "main.tf")
    proc = commit(target, env, "the trail")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "0 errors, 0 warnings in 1 trail" in output  # the trail was linted, and it is clean
    assert "CTL005" not in output and "CTL0" not in output
    assert commits(target, env) == 3


def test_committing_only_main_tf_reports_the_retention_in_logs_tf(tmp_path: Path, env: dict[str, str],
                                                                 hook_repo: tuple[Path, str]) -> None:
    target = make_target(tmp_path / "target", env, hook_repo, "cloudtrail-lint")
    copy_files(SPLIT, target, ["logs.tf", "iam.tf"])  # logs.tf keeps events 90 days
    git(target, env, "add", "logs.tf", "iam.tf")
    assert commit(target, env, "log group and role").returncode == 0  # no trail delivers to it yet
    copy_files(SPLIT, target, ["main.tf"])
    git(target, env, "add", "main.tf")
    proc = commit(target, env, "the trail")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert (
        "main.tf:1:1: CTL003 error log group aws_cloudwatch_log_group.platform (logs.tf:1)"
        " keeps events 90 days; at least 365 are required [aws_cloudtrail.platform]"
    ) in output.splitlines()
    assert "CTL005" not in output
    assert commits(target, env) == 2


def test_committing_only_logs_tf_reports_the_trail_that_delivers_to_it(
        tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]) -> None:
    target = make_target(tmp_path / "target", env, hook_repo, "cloudtrail-lint")
    copy_files(SPLIT, target, ["main.tf", "logs.tf", "iam.tf"])
    (target / "logs.tf").write_text((target / "logs.tf").read_text().replace("= 90", "= 400"))
    git(target, env, "add", "main.tf", "logs.tf", "iam.tf")
    assert commit(target, env, "compliant trail").returncode == 0
    (target / "logs.tf").write_text((target / "logs.tf").read_text().replace("= 400", "= 30"))
    git(target, env, "add", "logs.tf")
    proc = commit(target, env, "shorter retention")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "main.tf:1:1: CTL003 error log group aws_cloudwatch_log_group.platform (logs.tf:1) keeps events" \
        " 30 days; at least 365 are required [aws_cloudtrail.platform]" in output.splitlines()


def test_whole_repository_hook_ignores_which_files_changed(tmp_path: Path, env: dict[str, str],
                                                           hook_repo: tuple[Path, str]) -> None:
    target = make_target(tmp_path / "target", env, hook_repo, "cloudtrail-lint-all")
    copy_files(FIXTURES / "tf_no_cloudwatch", target, ["main.tf", "providers.tf"])
    git(target, env, "add", "main.tf", "providers.tf")
    assert commit(target, env, "unwired trail, hook skipped", "--no-verify").returncode == 0
    (target / "NOTES.txt").write_text("no infrastructure here\n", encoding="utf-8")
    git(target, env, "add", "NOTES.txt")
    proc = commit(target, env, "a text file")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert UNWIRED_FINDING in output.splitlines()
    assert commits(target, env) == 2


def test_try_repo_reports_an_unwired_trail(try_repo_run: subprocess.Popen[str]) -> None:
    output, _ = try_repo_run.communicate(timeout=900)
    assert try_repo_run.returncode == 1, output
    assert "cloudtrail-lint" in output and "Failed" in output
    assert UNWIRED_FINDING in output.splitlines()
    assert "Traceback" not in output
