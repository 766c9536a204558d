"""Shared helpers: run the CLI in-process from a folder and read its JSON report."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from cloudtrail_lint.cli import cli

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


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


def lint(cwd: Path | str, *args: str) -> Result:
    """Run ``cloudtrail-lint ARGS`` with ``cwd`` as the working directory."""
    runner = CliRunner()
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
