"""--new-since REF: only the findings the tree at a git revision did not have, on real repositories built here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cloudtrail_lint import git as git_module

from .conftest import REPO, lint
from .test_cli import UNWIRED_MSG, write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def trail(name: str) -> str:
    return f'resource "aws_cloudtrail" "{name}" {{\n  name           = "{name}"\n  s3_bucket_name = "b"\n}}\n'


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def commit_all(repo: Path, message: str = "change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose main branch has one unwired trail, ``old``, in infra/a/main.tf."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, {"infra/a/main.tf": trail("old"), "README.md": "infrastructure\n"})
    commit_all(root, "one unwired trail")
    return root


def finding(file: str, line: int, name: str) -> str:
    return f"{file}:{line}:1: CTL001 error {UNWIRED_MSG} [aws_cloudtrail.{name}]\n"


def summary(errors: int, trails: int, files: int, present: int, ref: str = "main", skipped: int = 1) -> str:
    """The summary line (README.md is the one file skipped)."""
    return (f"{errors} error{'s' * (errors != 1)}, 0 warnings in {trails} trail{'s' * (trails != 1)}"
            f" ({files} file{'s' * (files != 1)} linted, {skipped} skipped);"
            f" {present} finding{'s' * (present != 1)} already present at {ref}\n")


# --------------------------------------------------------------------------- what is new


def test_only_the_new_finding_is_reported(repo: Path) -> None:
    (repo / "infra/a/main.tf").write_text(trail("old") + "\n" + trail("new"))
    result = lint(repo, "--new-since", "main")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == finding("infra/a/main.tf", 6, "new") + summary(1, 2, 1, 1)


def test_nothing_new_exits_0_and_says_what_was_already_there(repo: Path) -> None:
    result = lint(repo, "--new-since", "main")
    assert (result.exit_code, result.stdout, result.stderr) == (0, summary(0, 1, 1, 1), "")


def test_a_committed_change_compared_with_an_earlier_commit(repo: Path) -> None:
    write(repo, {"infra/b/main.tf": trail("second")})
    commit_all(repo)
    assert lint(repo, "--new-since", "HEAD").stdout == summary(0, 2, 2, 2, "HEAD")
    result = lint(repo, "--new-since", "HEAD~1")
    assert result.stdout == finding("infra/b/main.tf", 1, "second") + summary(1, 2, 2, 1, "HEAD~1")


def test_a_fixed_finding_is_not_reported_and_a_new_one_is(repo: Path) -> None:
    fixed = trail("old").replace('"b"\n', '"b"\n  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.g.arn}:*"\n')
    (repo / "infra/a/main.tf").write_text(fixed)
    result = lint(repo, "--new-since", "main", "--format", "json")
    assert [(f["rule"], f["kind"], f["resource"]) for f in result.json["findings"]] == [
        ("CTL002", "role-not-set", "aws_cloudtrail.old"),
        ("CTL005", "group-reference-not-found", "aws_cloudtrail.old")]  # and CTL001 is gone


@pytest.mark.parametrize("moved_to", ["infra/a/trails.tf", "infra/b/main.tf", "elsewhere/deep/main.tf"])
def test_a_trail_moved_to_another_file_is_not_new(repo: Path, moved_to: str) -> None:
    (repo / "infra/a/main.tf").unlink()
    write(repo, {moved_to: "\n\n" + trail("old")})
    result = lint(repo, "--new-since", "main")
    assert (result.exit_code, result.stdout) == (0, summary(0, 1, 1, 1))


def test_two_findings_where_the_revision_had_one_give_one_new_preferring_the_same_file(repo: Path) -> None:
    write(repo, {"infra/b/main.tf": trail("old")})  # the same address in another module folder
    result = lint(repo, "--new-since", "main")
    assert result.stdout == finding("infra/b/main.tf", 1, "old") + summary(1, 2, 2, 1)
    # the copy that stayed is matched first, even when the other file sorts first
    (repo / "infra/0").mkdir()
    (repo / "infra/b/main.tf").rename(repo / "infra/0/main.tf")
    assert lint(repo, "--new-since", "main").stdout == finding("infra/0/main.tf", 1, "old") + summary(1, 2, 2, 1)


def test_an_unsuppressed_finding_that_was_suppressed_at_the_revision_is_new(repo: Path) -> None:
    (repo / "infra/a/main.tf").write_text('# cloudtrail-lint: ignore CTL001 reason="not yet"\n' + trail("old"))
    commit_all(repo, "suppressed")
    assert lint(repo, "--new-since", "main").stdout == (
        "0 errors, 0 warnings, 1 suppressed in 1 trail (1 file linted, 1 skipped); 0 findings already present"
        " at main\n")
    (repo / "infra/a/main.tf").write_text(trail("old"))
    result = lint(repo, "--new-since", "main")
    assert (result.exit_code, result.stdout) == (1, finding("infra/a/main.tf", 1, "old") + summary(1, 1, 1, 0))


def test_input_errors_of_the_work_tree_still_count(repo: Path) -> None:
    write(repo, {"infra/a/broken.tf": 'resource "aws_cloudtrail" "x" {\n  name = \n}\n'})
    result = lint(repo, "--new-since", "main")
    assert result.exit_code == 2
    assert result.stderr == "infra/a/broken.tf:2:10: error: invalid HCL: unexpected line break\n"
    assert result.stdout.endswith("; 1 finding already present at main; 1 input could not be processed\n")


def test_from_a_subfolder_and_with_paths(repo: Path) -> None:
    (repo / "infra/a/main.tf").write_text(trail("old") + "\n" + trail("new"))
    expected = finding("a/main.tf", 6, "new") + summary(1, 2, 1, 1, skipped=0)
    assert lint(repo / "infra", "--new-since", "main").stdout == expected
    assert lint(repo / "infra", "--new-since", "main", "a").stdout == expected
    assert lint(repo / "infra", "--new-since", "main", "a/main.tf").stdout == expected
    assert lint(repo / "infra" / "a", "--new-since", "main", str(repo / "infra")).stdout == (
        finding("main.tf", 6, "new") + summary(1, 2, 1, 1, skipped=0))
    # from above the repository
    assert lint(repo.parent, "--new-since", "main", "repo/infra").stdout == (
        finding("repo/infra/a/main.tf", 6, "new") + summary(1, 2, 1, 1, skipped=0))


CFN_TRAIL = """  {name}:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: logs
"""


def test_cloudformation_templates_under_the_named_path(repo: Path) -> None:
    template = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n" + CFN_TRAIL.format(name="Old")
    write(repo, {"stacks/trail.yaml": template})
    commit_all(repo)
    (repo / "stacks/trail.yaml").write_text(template + CFN_TRAIL.format(name="New"))
    result = lint(repo, "--new-since", "main", "stacks")
    assert result.stdout == (
        "stacks/trail.yaml:8:3: CTL001 error trail sends no events to CloudWatch Logs: no CloudWatchLogsLogGroupArn"
        " is set [New]\n" + summary(1, 2, 1, 1, skipped=0))


def test_a_folder_new_in_the_work_tree(repo: Path) -> None:
    write(repo, {"infra/new/main.tf": trail("fresh")})
    result = lint(repo / "infra/new", "--new-since", "main", ".")
    assert result.stdout == finding("main.tf", 1, "fresh") + summary(1, 1, 1, 0, skipped=0)


def test_excludes_and_baseline_of_the_work_tree_apply_to_the_revision(repo: Path) -> None:
    lint(repo, "--write-baseline", "baseline.json")  # records infra/a/main.tf's old
    write(repo, {"infra/b/main.tf": trail("new")})
    commit_all(repo)
    write(repo, {"infra/c/main.tf": trail("old") + "\n" + trail("new")})
    # At main, old is baselined and infra/b excluded: had either been missed there, its finding would pair with
    # one of infra/c (same address, another file) and hide it.
    result = lint(repo, "--new-since", "main", "--baseline", "baseline.json", "--exclude", "infra/b/*")
    assert result.stdout == finding("infra/c/main.tf", 1, "old") + finding("infra/c/main.tf", 6, "new") + (
        "2 errors, 0 warnings, 1 suppressed in 3 trails (2 files linted, 2 skipped); 0 findings already present"
        " at main\n")


def test_downloaded_modules_of_the_work_tree_are_used_for_the_revision(repo: Path) -> None:
    module = trail("this").replace("\n}", '\n  cloud_watch_logs_group_arn = var.arn\n}\nvariable "arn" {}')
    write(repo, {
        ".gitignore": ".terraform/\n",
        "root/main.tf": 'module "trail" {\n  source = "acme/trail/aws"\n  arn = "arn:aws:logs:us-east-1:1:x"\n}\n',
    })
    commit_all(repo)
    write(repo, {
        "root/.terraform/modules/trail/main.tf": module,
        "root/.terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "trail", "Source": "registry.terraform.io/acme/trail/aws", "Dir": ".terraform/modules/trail"}]}),
    })
    plain = lint(repo / "root", "--format", "json", ".")
    assert {f["rule"] for f in plain.json["findings"]} >= {"CTL004"}  # the module's trail has findings
    result = lint(repo / "root", "--new-since", "main", "--format", "json", ".")
    assert result.json["findings"] == []


def test_diff_shows_the_fixes_of_the_new_findings_only(repo: Path) -> None:
    (repo / "infra/a/main.tf").write_text(trail("old") + "\n" + trail("new"))
    result = lint(repo, "--new-since", "main", "--diff")
    assert result.exit_code == 1
    assert 'resource "aws_cloudwatch_log_group" "new_cloudtrail"' in result.stdout
    assert "old_cloudtrail" not in result.stdout
    assert result.stderr.endswith("1 finding fixable in 1 file, 0 not fixed\n")


# --------------------------------------------------------------------------- what cannot be compared


@pytest.mark.parametrize(("ref", "message"), [
    ("nope", "nope is not a commit in this repository; fetch it first (git fetch origin <branch>)"),
    ("HEAD:", "HEAD: is a tree, not a commit"),
    ("HEAD:README.md", "HEAD:README.md is a blob, not a commit"),
    ("--output=x", "'--output=x' is not a git revision"),
])
def test_a_revision_that_is_not_a_commit_is_exit_2(repo: Path, ref: str, message: str) -> None:
    result = lint(repo, f"--new-since={ref}")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"error: --new-since: {message}\n")


def test_a_tag_names_its_commit(repo: Path) -> None:
    git(repo, "tag", "-a", "v1", "-m", "release")
    assert lint(repo, "--new-since", "v1").stdout == summary(0, 1, 1, 1, "v1")


def test_shallow_clone_without_the_revision_says_to_fetch_it(repo: Path, tmp_path: Path) -> None:
    write(repo, {"infra/b/main.tf": trail("second")})
    commit_all(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = lint(clone, "--new-since", "HEAD~1")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --new-since: HEAD~1 is not a commit in this repository; this is a shallow clone: fetch it first"
        " (git fetch --depth=1 origin <branch>), or clone with its history (actions/checkout: fetch-depth: 0)\n")
    assert lint(clone, "--new-since", "origin/main").stdout == summary(0, 2, 2, 2, "origin/main")


def test_a_partial_clone_never_fetches_a_missing_file(repo: Path, tmp_path: Path) -> None:
    git(repo, "config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "partial"
    git(tmp_path, "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{repo}", str(clone))
    result = lint(clone, "--new-since", "origin/main")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --new-since: object ")
    # git's own reason in the brackets ("could not fetch ... from promisor remote"; newer git: "lazy fetching
    # disabled") varies with its version
    assert result.stderr.endswith("): the clone is partial or damaged; fetch the revision with its files\n")
    # git itself would have fetched it from the (local) remote
    assert git(clone, "cat-file", "-p", "origin/main:infra/a/main.tf") == trail("old")


def test_outside_a_repository_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "plain", {"main.tf": trail("t")})
    result = lint(tmp_path / "plain", "--new-since", "main")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --new-since: {tmp_path / 'plain'} is not inside a git work tree (")


def test_a_path_outside_the_repository_is_exit_2(repo: Path, tmp_path: Path) -> None:
    write(tmp_path / "other", {"main.tf": trail("t")})
    result = lint(repo, "--new-since", "main", ".", str(tmp_path / "other"))
    assert result.exit_code == 2
    assert result.stderr == (f"error: --new-since: {tmp_path / 'other'} is outside the git repository"
                             f" {os.path.realpath(repo)} that --new-since compares in\n")


def test_without_git_is_exit_2(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = lint(repo, "--new-since", "main")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "error: --new-since: git is not installed or not on PATH (--new-since reads the" \
                            " revision with git)\n"


@pytest.mark.parametrize("option", ["--fix", "--write-baseline=b.json"])
def test_options_that_change_files_cannot_be_combined(repo: Path, option: str) -> None:
    result = lint(repo, "--new-since", "main", option)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: --new-since cannot be used with {option.split('=')[0]}\n")


# --------------------------------------------------------------------------- safety


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_nothing_is_written_to_the_repository_and_no_filter_or_fsmonitor_runs(repo: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    script.chmod(0o755)
    git(repo, "config", "filter.evil.smudge", str(script))
    git(repo, "config", "filter.evil.clean", "cat")
    git(repo, "config", "core.fsmonitor", str(script))
    write(repo, {".gitattributes": "*.tf filter=evil\n"})
    commit_all(repo)
    marker.unlink(missing_ok=True)
    (repo / "infra/a/main.tf").write_text(trail("old") + "\n" + trail("new"))
    before = _snapshot(repo)
    result = lint(repo, "--new-since", "main")
    assert result.stdout == finding("infra/a/main.tf", 6, "new") + summary(1, 2, 1, 1, skipped=2)
    assert _snapshot(repo) == before
    assert not marker.exists()


def test_extraction_writes_only_inside_and_drops_links_that_leave(tmp_path: Path) -> None:
    repo = tmp_path / "links"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, {"shared/providers.tf": "# shared\n", "m/main.tf": trail("t")})
    os.symlink("../shared/providers.tf", repo / "m/providers.tf")  # inside: kept
    os.symlink("/etc/passwd", repo / "m/absolute.tf")  # absolute: dropped
    os.symlink("../../outside.tf", repo / "m/up.tf")  # leaves lexically: dropped
    os.symlink(".", repo / "m/here")  # inside ...
    os.symlink("here/..", repo / "m/sneaky")  # ... but resolving through it stays inside: kept
    os.symlink("../m/here/../..", repo / "m/escape")  # leaves only through the links: dropped
    commit_all(repo)
    commit = git(repo, "rev-parse", "HEAD").strip()
    dest = tmp_path / "out"
    dest.mkdir()
    written = git_module.extract(str(repo), commit, str(dest), lambda p: p.endswith(".tf"), 1 << 20)
    assert sorted(written) == ["m/main.tf", "shared/providers.tf"]
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_symlink()) == [
        "m/here", "m/providers.tf", "m/sneaky"]
    assert (dest / "m/providers.tf").read_text() == "# shared\n"


@pytest.mark.parametrize("path", ["a/../b.tf", "./a.tf", ".git/config", "a/.GIT/x", "", "a//b.tf"])
def test_unsafe_tree_paths_are_refused(path: str) -> None:
    assert git_module.safe_parts(path) is None


def test_git_is_never_taken_from_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "git"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", os.pathsep.join([".", "", "relative/bin"]))
    with pytest.raises(git_module.GitError, match="git is not installed or not on PATH"):
        git_module.executable()


# --------------------------------------------------------------------------- the documented workflow


def test_the_pull_request_workflow_of_the_ci_docs_runs(tmp_path: Path) -> None:
    """docs/ci.md's pull request job, run step by step on a checkout made as actions/checkout makes it."""
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    workflows = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    job = next(w["jobs"]["new-findings"] for w in workflows if isinstance(w, dict) and "new-findings" in w.get(
        "jobs", {}))
    fetch = next(s for s in job["steps"] if s.get("name", "").startswith("Fetch the base branch"))
    check = next(s for s in job["steps"] if "--new-since" in s.get("run", ""))
    assert fetch["env"] == check["env"] == {"BASE": "${{ github.base_ref }}"}

    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    write(origin, {"infra/main.tf": trail("old")})
    commit_all(origin, "base")
    git(origin, "checkout", "-q", "-b", "feature")
    write(origin, {"infra/main.tf": trail("old") + "\n" + trail("new")})
    commit_all(origin, "pull request")
    work = tmp_path / "work"  # what actions/checkout leaves: one commit, no base branch
    work.mkdir()
    git(work, "init", "-q")
    git(work, "remote", "add", "origin", f"file://{origin}")
    git(work, "fetch", "-q", "--depth=1", "origin", "+refs/heads/feature:refs/remotes/pull/1/merge")
    git(work, "checkout", "-q", "--detach", "refs/remotes/pull/1/merge")
    env = {**os.environ, "BASE": "main", "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                                  os.environ.get("PATH", "")])}
    env.pop("NO_COLOR", None)
    for step in (fetch, check):
        done = subprocess.run(["bash", "-c", step["run"]], cwd=work, env=env, capture_output=True, text=True,
                              timeout=120)
        if step is fetch:
            assert done.returncode == 0, done.stderr
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "::error file=infra/main.tf,line=6,col=1,title=CTL001 cloudwatch-logs-not-configured::" + UNWIRED_MSG
        + " [aws_cloudtrail.new]",
        "1 error, 0 warnings in 2 trails (1 file linted, 0 skipped); 1 finding already present at origin/main",
    ]
    sarif = json.loads((work / "cloudtrail-lint-new.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["CTL001"]
