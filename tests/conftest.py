"""Shared helpers: run the CLI in-process from a folder and read its JSON report; find the shared test data;
set up an install that an unprivileged user can run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cloudtrail_lint.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
#: The labelled corpus and the SARIF schema are kept outside this repository (README.md, "Running the
#: tests"): in ``shared/`` next to the checkout, or wherever ``CLOUDTRAIL_LINT_SHARED`` points.
SHARED = Path(os.environ.get("CLOUDTRAIL_LINT_SHARED") or REPO.parent / "shared")


def shared_missing(*parts: str) -> str:
    """Why a test that needs ``SHARED/parts`` is skipped (empty when it is there)."""
    if SHARED.joinpath(*parts).exists():
        return ""
    return (f"needs {'/'.join(parts)} from the shared test data, which is not next to this checkout: see"
            " README.md, 'Running the tests' (or set CLOUDTRAIL_LINT_SHARED to its folder)")


def shared(*parts: str) -> Path:
    """``SHARED/parts``; skips the calling test, saying what is missing, when it is not there."""
    why = shared_missing(*parts)
    if why:
        pytest.skip(why)
    return SHARED.joinpath(*parts)


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)

    def findings(self) -> set[tuple[str, str, int, str]]:
        return {(f["rule"], f["file"], f["line"], f["resource"]) for f in self.json["findings"]}


def _runner() -> CliRunner:
    """A runner that keeps standard error apart from standard output on every supported Click."""
    try:
        return CliRunner(mix_stderr=False)  # Click < 8.2 mixes them unless told not to
    except TypeError:  # Click 8.2+ keeps them apart and has no such option
        return CliRunner()


def lint(cwd: Path | str, *args: str) -> Result:
    """Run ``cloudtrail-lint ARGS`` with ``cwd`` as the working directory."""
    runner = _runner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        res = runner.invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return Result(res.exit_code, res.stdout, res.stderr)


@pytest.fixture
def run_lint():
    return lint


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    """Every test run uses its own parse cache, never the user's."""
    old = os.environ.get("CLOUDTRAIL_LINT_CACHE_DIR")
    os.environ["CLOUDTRAIL_LINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("CLOUDTRAIL_LINT_CACHE_DIR", None)
    else:
        os.environ["CLOUDTRAIL_LINT_CACHE_DIR"] = old


# --------------------------------------------------------------------------- an unprivileged user

#: The user and group the unprivileged tests run the linter as (``nobody`` on most systems).
NOBODY = 65534


@dataclass
class Unprivileged:
    """Runs ``python -m cloudtrail_lint`` as uid/gid :data:`NOBODY` from a world-readable copy of the package."""

    base: Path  #: a world-readable folder (make the trees to lint in it; NOBODY cannot write to it)
    python: str  #: an interpreter NOBODY can run, of the version running the tests

    def python_command(self, *args: str) -> list[str]:
        """``python -S ARGS`` as NOBODY (no site-packages: only the copy and the standard library)."""
        return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", self.python, "-S", *args]

    def env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(self.base / "site"),
                "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(self.base), "LC_ALL": "C.UTF-8"}

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        """``cloudtrail-lint --no-cache ARGS`` as NOBODY in ``cwd``."""
        command = self.python_command("-m", "cloudtrail_lint", "--no-cache", *args)
        return subprocess.run(command, cwd=cwd, env=self.env(), capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def unprivileged() -> Iterator[Unprivileged]:
    """An install that uid 65534 can run wherever the checkout sits (a 0700 folder from ``mktemp -d``, a
    home folder): the package and its run-time dependencies are copied to a world-readable folder, and an
    interpreter that user can execute is looked for. Skips, saying why, when there is none, or without
    root and ``setpriv``."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv (util-linux) to run the linter as an unprivileged user")
    parent = next((d for d in (tempfile.gettempdir(), "/tmp", "/var/tmp") if _others_can_enter(d)), None)
    if parent is None:
        pytest.skip("no temporary folder that an unprivileged user can enter (all have 0700 parents)")
    base = Path(tempfile.mkdtemp(prefix="ctl-unprivileged-", dir=parent))
    try:
        _copy_runtime(base / "site")
        for path in (base, *base.rglob("*")):
            path.chmod(path.stat().st_mode | (0o555 if path.is_dir() else 0o444))
        yield Unprivileged(base, _python_for_nobody(base))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _others_can_enter(folder: str) -> bool:
    path = Path(folder).resolve()
    return path.is_dir() and all(p.stat().st_mode & 0o001 for p in (path, *path.parents))


def _copy_runtime(site: Path) -> None:
    """Copy cloudtrail_lint and every distribution it needs at run time (recursively) into ``site``."""
    import cloudtrail_lint
    import cloudtrail_lint.rules

    package = Path(cloudtrail_lint.__file__).parent
    junk = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(package, site / "cloudtrail_lint", ignore=junk)
    if not (site / "cloudtrail_lint" / "rules").is_dir():  # an editable install: rules/ sits beside linter/
        shutil.copytree(Path(cloudtrail_lint.rules.__file__).parent, site / "cloudtrail_lint" / "rules", ignore=junk)
    for dist in _runtime_distributions():
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:  # scripts in bin/, byte code
                continue
            source = Path(str(dist.locate_file(file)))
            if source.is_file():
                (site / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, site / file)


def _runtime_distributions() -> list[Any]:
    """The installed distributions cloudtrail-lint requires on this Python, and theirs, recursively."""
    from importlib import metadata

    from packaging.requirements import Requirement

    seen, todo, out = {"cloudtrail-lint"}, ["cloudtrail-lint"], []
    while todo:
        dist = metadata.distribution(todo.pop())
        for text in dist.requires or []:
            requirement = Requirement(text)
            name = requirement.name.lower().replace("_", "-")
            if name not in seen and (requirement.marker is None or requirement.marker.evaluate({"extra": ""})):
                seen.add(name)
                todo.append(name)
        if dist.metadata["Name"] != "cloudtrail-lint":
            out.append(dist)
    return out


def _python_for_nobody(base: Path) -> str:
    """An interpreter of this Python version that uid 65534 can run with the copy in ``base``; else a skip."""
    version = f"{sys.version_info[0]}.{sys.version_info[1]}"
    candidates = dict.fromkeys(filter(None, (
        sys.executable, os.path.realpath(sys.executable), getattr(sys, "_base_executable", None),
        shutil.which(f"python{version}"), f"/usr/bin/python{version}", f"/usr/local/bin/python{version}")))
    tried = []
    for python in candidates:
        probe = Unprivileged(base, python)
        command = probe.python_command("-c", "import sys, cloudtrail_lint.cli; print(*sys.version_info[:2], sep='.')")
        try:
            proc = subprocess.run(command, cwd=base, env=probe.env(), capture_output=True, text=True, timeout=60)
        except OSError as exc:
            tried.append(f"{python} ({exc.strerror})")
            continue
        if proc.returncode == 0 and proc.stdout.strip() == version:
            return python
        tried.append(f"{python} ({(proc.stderr.strip().splitlines() or [proc.stdout.strip()])[-1][:120]})")
    pytest.skip(f"no Python {version} that uid {NOBODY} can run: tried " + "; ".join(tried))
