"""The labelled corpus in the shared test data (README.md, "Running the tests"): every trail's expected_flag,
by the score script and singly."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .conftest import SHARED, lint, shared_missing

CORPUS = SHARED / "corpus"
MANIFEST = CORPUS / "manifest.json"
SCORE = SHARED / "tools" / "score_corpus.py"
FLAG_RULES = {"CTL001", "CTL002", "CTL003"}
MISSING = shared_missing("corpus", "manifest.json") or shared_missing("tools", "score_corpus.py")


def _cases() -> list[dict[str, Any]]:
    if not MANIFEST.is_file():
        return []
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


CASES = _cases()
TRAILS = [
    pytest.param(case, trail, id=f"{case['id']}::{trail['name']}")
    for case in CASES for trail in case["trails"]
]


def _bin_dir() -> Path:
    """The folder holding the installed ``cloudtrail-lint`` console script."""
    beside = Path(sys.executable).parent
    if (beside / "cloudtrail-lint").is_file():
        return beside
    found = shutil.which("cloudtrail-lint")
    if found is None:
        pytest.fail("the cloudtrail-lint console script is not installed (pip install -e .)")
    return Path(found).parent


def norm_resource(resource: str) -> str:
    """Like the score script: drop ``[...]`` keys and any module prefix from a Terraform address."""
    bare = re.sub(r"\[[^\]]*\]", "", resource or "")
    parts = bare.split(".")
    if len(parts) >= 2 and parts[-2].startswith("aws_"):
        return parts[-1]
    return bare


@cache
def _report(case_path: str, target: str) -> dict[str, Any]:
    result = lint(CORPUS / case_path, "--format", "json", target)
    return result.json


def test_norm_resource_matches_the_score_script() -> None:
    assert norm_resource("aws_cloudtrail.main") == "main"
    assert norm_resource("module.audit.aws_cloudtrail.this[0]") == "this"
    assert norm_resource('aws_cloudtrail.per_region["eu-west-1"]') == "per_region"
    assert norm_resource("CloudTrail") == "CloudTrail"


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "-")
def test_score_script_agrees_on_every_trail() -> None:
    total = sum(len(case["trails"]) for case in CASES)
    proc = subprocess.run(
        [sys.executable, str(SCORE), str(_bin_dir()), str(MANIFEST), str(CORPUS)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.splitlines()[-1] == f"trails correct: {total}/{total}; input errors or crashes: 0"
    assert total >= 42  # the corpus as of writing; it may grow


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "-")
@pytest.mark.parametrize(("case", "trail"), TRAILS)
def test_corpus_trail(case: dict[str, Any], trail: dict[str, Any]) -> None:
    report = _report(case["path"], case.get("entrypoint") or ".")
    assert report["errors"] == [], f"{case['id']}: input errors {report['errors']}"
    case_dir = os.path.realpath(CORPUS / case["path"])
    # flagged exactly as the score script counts it (suppressed findings included)
    rules = {
        f["rule"]
        for f in report["findings"]
        if f["severity"] == "error"
        and norm_resource(f["resource"]) == trail["name"]
        and os.path.relpath(os.path.realpath(os.path.join(case_dir, f["file"])), case_dir) == trail["file"]
    }
    flagged = bool(rules & FLAG_RULES)
    expected = trail["expected_flag"] is True
    assert flagged == expected, (
        f"{case['id']} {trail['name']} ({trail['file']}:{trail['line']}): got {sorted(rules)},"
        f" expected_flag={trail['expected_flag']!r}; label notes: {trail.get('notes', '')}"
    )
