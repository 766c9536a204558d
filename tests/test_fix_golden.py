"""``--fix`` and ``--diff`` on the golden scenarios under tests/fixtures/fix_*/: each ``before/`` tree,
fixed, is its ``after/`` tree byte for byte; a second run changes nothing; the fixed findings are gone
and no finding is new; fixed Terraform parses with python-hcl2 and fixed templates give cfn-lint no
new error or warning; the diff and the SARIF fixes describe the same change.

To regenerate an ``after/`` tree after a deliberate change: copy ``before/`` over it and run
``cloudtrail-lint --fix .`` inside it, then review the diff.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from .conftest import FIXTURES, lint, shared

SCENARIOS = sorted(p.name for p in FIXTURES.glob("fix_*") if (p / "before").is_dir())
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _copy(scenario: str, tmp_path: Path) -> Path:
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / scenario / "before", work)
    return work


def _keys(report: dict) -> set[tuple[str, str, str]]:
    return {(f["rule"], f["file"], f["resource"]) for f in report["findings"]}


def _fixed(stderr: str) -> set[tuple[str, str, str]]:
    """(rule, file, resource) of the ``fixed:`` note lines."""
    out = set()
    for line in stderr.splitlines():
        if " fixed: " in line and " not fixed: " not in line:
            where, rest = line.split(" fixed: ", 1)
            file_line, rule = where.rsplit(": ", 1)
            out.add((rule, file_line.rsplit(":", 1)[0], rest.rsplit(" [", 1)[1].rstrip("]")))
    return out


def test_scenarios_exist() -> None:
    assert len(SCENARIOS) >= 20
    for scenario in SCENARIOS:
        assert (FIXTURES / scenario / "after").is_dir(), scenario


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fix_matches_golden_and_is_idempotent(scenario: str, tmp_path: Path) -> None:
    work = _copy(scenario, tmp_path)
    before = lint(work, "--format", "json", ".")
    first = lint(work, "--fix", "--format", "json", ".")
    assert _tree(work) == _tree(FIXTURES / scenario / "after")
    after = first.json
    assert first.exit_code == after["summary"]["exit_code"]
    fixed = _fixed(first.stderr)
    assert not fixed & _keys(after), "a fixed finding is still reported"
    assert _keys(after) <= _keys(before.json), "the fix brought a new finding"
    assert after["errors"] == []
    second = lint(work, "--fix", "--format", "json", ".")
    assert _tree(work) == _tree(FIXTURES / scenario / "after"), "a second --fix changed the files"
    assert "0 findings fixed in 0 files" in second.stderr
    assert _keys(second.json) == _keys(after)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_fixed_files_parse(scenario: str) -> None:
    import hcl2
    from cfnlint.api import lint_all

    before_root, after_root = FIXTURES / scenario / "before", FIXTURES / scenario / "after"
    for path in sorted(after_root.rglob("*")):
        if path.suffix == ".tf" or path.name.endswith(".tfvars"):
            hcl2.loads(path.read_text())  # raises on a syntax error
        elif path.suffix in TEMPLATE_SUFFIXES:
            old = (before_root / path.relative_to(after_root)).read_text()
            new = path.read_text()
            if old == new:
                continue
            known = {m.rule.id for m in lint_all(old) if m.rule.id[0] in "EW"}
            added = [(m.rule.id, m.linenumber, m.message) for m in lint_all(new)
                     if m.rule.id[0] in "EW" and m.rule.id not in known]
            assert added == [], f"cfn-lint finds new problems in {path.name}"


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_diff_applies_to_the_golden_result(scenario: str, tmp_path: Path) -> None:
    work = _copy(scenario, tmp_path)
    plain = lint(work, ".")
    shown = lint(work, "--diff", ".")
    assert _tree(work) == _tree(FIXTURES / scenario / "before"), "--diff changed a file"
    assert shown.exit_code == plain.exit_code, "--diff exits like the run without fixes"
    changed = _tree(FIXTURES / scenario / "before") != _tree(FIXTURES / scenario / "after")
    if not changed:
        assert shown.stdout == ""
        return
    assert shown.stdout.startswith("--- a/")
    assert "\n+++ b/" in shown.stdout and "\n@@ -" in shown.stdout
    to_file = lint(work, "--diff", "--output", str(tmp_path / "fix.patch"), ".")  # the bytes, CRLF and all
    assert to_file.stdout == "" and to_file.exit_code == plain.exit_code
    subprocess.run(["git", "apply", "--whitespace=nowarn", str(tmp_path / "fix.patch")], cwd=work, check=True)
    assert _tree(work) == _tree(FIXTURES / scenario / "after")


def _offset(text: str, line: int, column: int) -> int:
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts[line - 1] + column - 1


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_sarif_fixes_are_the_same_edits(scenario: str, tmp_path: Path) -> None:
    import jsonschema

    work = _copy(scenario, tmp_path)
    log = lint(work, "--format", "sarif", ".").json
    schema = json.loads(shared("schemas", "sarif-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    changes: dict[str, list[tuple[int, int, int, int, str]]] = {}
    for result in log["runs"][0]["results"]:
        for fix in result.get("fixes", []):
            assert fix["description"]["text"]
            for change in fix["artifactChanges"]:
                kept = changes.setdefault(unquote(change["artifactLocation"]["uri"]), [])
                for rep in change["replacements"]:
                    region = rep["deletedRegion"]
                    item = (region["startLine"], region["startColumn"], region["endLine"],
                            region["endColumn"], rep.get("insertedContent", {}).get("text", ""))
                    if item not in kept:
                        kept.append(item)
    for uri, reps in changes.items():
        path = work / uri
        text = path.read_bytes().decode("utf-8")
        normal = text.replace("\r\n", "\n")
        edits = [(_offset(normal, a, b), _offset(normal, c, d), new) for a, b, c, d, new in reps]
        out, cursor = [], 0
        for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
            out.append(normal[cursor:start])
            out.append(new.replace("\r\n", "\n"))
            cursor = max(cursor, end)
        out.append(normal[cursor:])
        result = "".join(out)
        if "\r\n" in text:
            result = result.replace("\n", "\r\n")
        path.write_bytes(result.encode("utf-8"))
    assert _tree(work) == _tree(FIXTURES / scenario / "after")
