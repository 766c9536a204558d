"""Rule documentation: docs/rules/ is regenerated from the rule classes and must be current; --explain shows
each rule's failing and fixed examples and its references. (The examples themselves are linted in
tests/test_rule_examples.py.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from cloudtrail_lint.docs import markdown
from cloudtrail_lint.rules import ALL_RULES, Rule

from .conftest import REPO, lint

SCRIPT = REPO / "scripts" / "generate_rule_docs.py"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_rule_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _generator()


def test_generated_pages_are_current() -> None:
    stale = generator.stale(REPO / "docs" / "rules")
    script = SCRIPT.relative_to(REPO)
    assert stale == [], f"docs/rules is stale ({', '.join(stale)}): run .venv/bin/python {script}"


def test_one_page_per_rule_and_a_table() -> None:
    pages = generator.pages()
    assert sorted(pages) == sorted([f"{rule.id}.md" for rule in ALL_RULES] + ["README.md"])
    table = pages["README.md"]
    for rule in ALL_RULES:
        assert pages[f"{rule.id}.md"] == markdown(rule)
        link = f"[{rule.id}]({rule.id}.md)"
        row = f"| {link} | `{rule.name}` | {rule.severity} | {rule.status} | {rule.title} |"
        assert row in table


def test_check_mode_and_regeneration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generator.main(["--check", "--out", str(tmp_path)]) == 1
    assert "stale: " in capsys.readouterr().err
    assert generator.main(["--out", str(tmp_path)]) == 0
    assert generator.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "CTL003.md").write_text("edited by hand\n")
    (tmp_path / "CTL999.md").write_text("a rule that no longer exists\n")
    assert generator.stale(tmp_path) == ["CTL003.md", "CTL999.md"]
    assert generator.main(["--out", str(tmp_path)]) == 0
    assert generator.stale(tmp_path) == []
    assert not (tmp_path / "CTL999.md").exists()


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_explain_shows_examples_and_references(rule: Rule) -> None:
    result = lint(REPO, "--explain", rule.id)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith(f"{rule.id} {rule.name}\n")
    for example in (rule.terraform, rule.cloudformation):
        assert example.bad.strip() in out
        assert example.good.strip() in out
    for heading in ("What it does", "Why is this bad?", "How to fix", "Example (Terraform)",
                    "Example (CloudFormation)", "Failing:", "Fixed:", "References"):
        assert f"\n{heading}\n" in out
    for reference in rule.references:
        assert f"- {reference}" in out
    assert lint(REPO, "--explain", rule.name).stdout == out
