"""Every rule's documented examples are linted, and the rule registry is complete and consistent."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from cloudtrail_lint.rules import ALL_RULES, RULES_BY_ID, Rule

from .conftest import REPO, lint

FORMATS = {"terraform": "main.tf", "cloudformation": "template.yaml"}

#: Rules whose failing example cannot help also showing another rule's finding. CTL900's bad example is
#: an invalid suppression directive above CTL003's failing trail: it suppresses nothing, so CTL003 stays.
ALSO_FIRES: dict[str, set[str]] = {"CTL900": {"CTL003"}}

CASES = [
    pytest.param(rule, fmt, kind, id=f"{rule.id}-{fmt}-{kind}")
    for rule in ALL_RULES for fmt in FORMATS for kind in ("bad", "good")
]


def _lint_example(tmp_path: Path, rule: Rule, fmt: str, kind: str) -> dict:
    snippet = getattr(getattr(rule, fmt), kind)
    (tmp_path / FORMATS[fmt]).write_text(snippet, encoding="utf-8")
    result = lint(tmp_path, "--format", "json", ".")
    assert result.json["errors"] == [], f"{rule.id} {fmt} {kind} example does not parse"
    assert result.json["summary"]["trails"] >= 1, f"{rule.id} {fmt} {kind} example has no trail"
    return result.json


@pytest.mark.parametrize(("rule", "fmt", "kind"), CASES)
def test_rule_example(tmp_path: Path, rule: Rule, fmt: str, kind: str) -> None:
    report = _lint_example(tmp_path, rule, fmt, kind)
    active = [f for f in report["findings"] if not f["suppressed"] and f["severity"] in ("error", "warning")]
    if kind == "bad":
        assert {f["rule"] for f in active} == {rule.id} | ALSO_FIRES.get(rule.id, set()), active
        assert rule.id in {f["rule"] for f in active}
    else:
        shown = [(f["rule"], f["message"]) for f in active]
        assert active == [], f"{rule.id} {fmt} good example yields {shown}"


# --------------------------------------------------------------------------- the registry


def test_ids_are_unique_and_well_formed() -> None:
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"CTL\d{3}", rule_id) for rule_id in ids), ids
    assert ids == sorted(ids), "ALL_RULES is in id order"
    assert {rule.id: rule for rule in ALL_RULES} == RULES_BY_ID


def test_names_are_unique_kebab_case() -> None:
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", name) for name in names), names


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_rule_file_name_matches_id_and_name(rule: Rule) -> None:
    source = Path(inspect.getsourcefile(type(rule)) or "")
    assert source.name == f"{rule.id.lower()}_{rule.name.replace('-', '_')}.py"
    assert source.resolve().parent == (REPO / "rules").resolve()


def test_every_rule_file_is_registered() -> None:
    files = sorted(p.name for p in (REPO / "rules").glob("ctl*.py"))
    assert files == sorted(f"{r.id.lower()}_{r.name.replace('-', '_')}.py" for r in ALL_RULES)


@pytest.mark.parametrize("rule", ALL_RULES, ids=[r.id for r in ALL_RULES])
def test_metadata_is_complete(rule: Rule) -> None:
    assert rule.severity in ("error", "warning", "note")
    assert rule.status in ("stable", "preview", "deprecated", "removed")
    for field in ("title", "what", "why", "fix"):
        value = getattr(rule, field)
        assert isinstance(value, str) and value.strip(), f"{rule.id}.{field} is empty"
    assert rule.references and all(isinstance(r, str) and r.strip() for r in rule.references)
    for fmt in FORMATS:
        example = getattr(rule, fmt)
        assert example.bad.strip() and example.good.strip(), f"{rule.id}.{fmt} example is empty"
        assert example.bad != example.good
    assert 'resource "aws_cloudtrail"' in rule.terraform.bad + rule.terraform.good
    assert "AWS::CloudTrail::Trail" in rule.cloudformation.bad
    assert type(rule).check is not Rule.check or rule.id == "CTL900", f"{rule.id} does not implement check()"
