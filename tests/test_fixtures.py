"""Every scenario under tests/fixtures/ gives exactly the findings and exit status in its expected.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FIXTURES, lint


def _expected(folder: Path) -> tuple[set[tuple[str, str, int, str]], int]:
    findings = set()
    exit_code = None
    for raw in (folder / "expected.txt").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("exit:"):
            exit_code = int(line.split(":", 1)[1])
            continue
        rule, where, resource = line.split(None, 2)
        file, lineno = where.rsplit(":", 1)
        findings.add((rule, file, int(lineno), resource))
    assert exit_code is not None, f"{folder.name}/expected.txt has no exit: line"
    return findings, exit_code


SCENARIOS = sorted(p.parent.name for p in FIXTURES.glob("*/expected.txt"))


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario(scenario: str) -> None:
    folder = FIXTURES / scenario
    expected, exit_code = _expected(folder)
    result = lint(folder, "--format", "json", ".")
    assert result.findings() == expected, result.stdout
    assert result.exit_code == exit_code
    assert result.json["errors"] == []


def test_scenarios_exist() -> None:
    assert len(SCENARIOS) >= 40
