"""JSON (golden files and the key contract) and SARIF 2.1.0 (schema-valid, rule metadata, locations)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from types import ModuleType

import pytest
from cloudtrail_lint import __version__
from cloudtrail_lint.docs import markdown, text
from cloudtrail_lint.findings import Finding, InputError, Report, Suppression
from cloudtrail_lint.reporters import render
from cloudtrail_lint.repository import find_root
from cloudtrail_lint.rules import ALL_RULES, RULES_BY_ID
from jsonschema import Draft7Validator

from .conftest import FIXTURES, REPO, lint, shared

GOLDEN = Path(__file__).parent / "golden"

FINDING_KEYS = ["rule", "name", "severity", "message", "file", "line", "column", "end_line", "resource",
                "resource_type", "kind", "attribute", "conditions", "suppressed"]
#: Keys a finding has only when they say something: a suppression, several variants, related places.
OPTIONAL_KEYS = ["suppression", "variants", "related"]
SUPPRESSION_KEYS = ["kind", "reason", "owner", "expires", "origin"]


def _load_update_golden() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_golden", REPO / "scripts" / "update_golden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


update_golden = _load_update_golden()


# --------------------------------------------------------------------------- JSON golden files


@pytest.mark.parametrize("scenario", update_golden.SCENARIOS)
def test_json_matches_golden(scenario: str) -> None:
    exit_code, raw = update_golden.run_json(scenario)
    data = json.loads(raw)
    assert data["version"] == __version__
    expected = (GOLDEN / f"{scenario}.json").read_text(encoding="utf-8")
    assert update_golden.normalise(raw) == expected, (
        f"JSON output of {scenario} changed; if intended run scripts/update_golden.py and review the diff"
    )
    assert exit_code == data["summary"]["exit_code"]


def test_golden_files_and_scenarios_agree() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(update_golden.SCENARIOS)
    assert len(update_golden.SCENARIOS) >= 5


def test_update_golden_check_passes() -> None:
    assert update_golden.main(["--check"]) == 0


def test_normalise_only_replaces_the_version() -> None:
    raw = json.dumps({"version": "9.9.9", "findings": [{"message": "9.9.9"}], "errors": [], "summary": {}})
    assert json.loads(update_golden.normalise(raw)) == {
        "version": "<version>", "findings": [{"message": "9.9.9"}], "errors": [], "summary": {}}


# --------------------------------------------------------------------------- JSON contract


CONTRACT_RUNS = [
    ("cli_mixed_rules", [".", "missing-folder"]),
    ("errors_yaml_syntax", ["."]),
    ("errors_hcl_syntax", ["."]),
    (".", ["tf_missing_role_short_retention", "cfn_retention_30", "cfn_import_value", "does-not-exist"]),
]


@pytest.mark.parametrize(("folder", "paths"), CONTRACT_RUNS, ids=[f"{r[0]}:{r[1][0]}" for r in CONTRACT_RUNS])
def test_json_contract_keys(folder: str, paths: list[str]) -> None:
    result = lint(FIXTURES / folder, "--format", "json", *paths)
    data = result.json
    assert list(data) == ["version", "findings", "errors", "summary"]
    assert data["findings"], "the run should have findings to check"
    for finding in data["findings"]:
        keys = list(finding)
        if finding["suppressed"]:
            assert keys[:len(FINDING_KEYS) + 1] == [*FINDING_KEYS, "suppression"]
        else:
            assert keys[:len(FINDING_KEYS)] == FINDING_KEYS
        assert keys[len(FINDING_KEYS):] == [k for k in OPTIONAL_KEYS if k in keys]
        rule = RULES_BY_ID[finding["rule"]]
        assert finding["name"] == rule.name
        assert finding["severity"] == ("warning" if rule.id == "CTL010" else rule.severity)
        assert isinstance(finding["line"], int) and finding["line"] >= 1
        assert isinstance(finding["column"], int) and finding["column"] >= 1
        assert isinstance(finding["end_line"], int) and finding["end_line"] >= finding["line"]
        assert "\\" not in finding["file"] and not finding["file"].startswith(("/", "./"))
        assert finding["resource"] and finding["resource_type"]
    assert data["errors"], "the run should have input errors to check"
    for error in data["errors"]:
        assert list(error) == ["file", "line", "message"]
        assert isinstance(error["line"], int) and error["line"] >= 0
        assert error["message"]
    summary = data["summary"]
    active = [f for f in data["findings"] if not f["suppressed"]]
    assert summary["errors"] == sum(f["severity"] == "error" for f in active)
    assert summary["warnings"] == sum(f["severity"] == "warning" for f in active)
    assert summary["input_errors"] == len(data["errors"])
    assert summary["exit_code"] == result.exit_code == 2


def test_json_contract_on_a_clean_run() -> None:
    data = lint(FIXTURES / "tf_compliant", "--format", "json", ".").json
    assert list(data) == ["version", "findings", "errors", "summary"]
    assert data["findings"] == [] and data["errors"] == []
    assert data["summary"]["exit_code"] == 0


def _report_with_suppressed_finding() -> Report:
    active = Finding("CTL001", "cloudwatch-logs-not-configured", "error", "no log group", "a/main.tf", 3, 1,
                     9, "aws_cloudtrail.a", "aws_cloudtrail")
    muted = Finding("CTL003", "log-group-retention-too-short", "error", "keeps events 30 days", "b/main.tf",
                    1, 1, 6, "aws_cloudtrail.b", "aws_cloudtrail",
                    Suppression("inline", "archive elsewhere", "secops", "2030-01-01", "b/main.tf:1"))
    return Report(findings=[active, muted], errors=[InputError("c/bad.tf", 4, "invalid HCL: x", 2)],
                  files_linted=2, files_skipped=0, trails=2)


def test_json_suppressed_finding_shape() -> None:
    data = json.loads(render(_report_with_suppressed_finding(), "json")[0])
    first, second = data["findings"]
    assert list(first) == FINDING_KEYS and first["suppressed"] is False
    assert list(second) == [*FINDING_KEYS, "suppression"] and second["suppressed"] is True
    assert list(second["suppression"]) == SUPPRESSION_KEYS
    assert second["suppression"] == {"kind": "inline", "reason": "archive elsewhere", "owner": "secops",
                                     "expires": "2030-01-01", "origin": "b/main.tf:1"}
    assert data["errors"] == [{"file": "c/bad.tf", "line": 4, "message": "invalid HCL: x"}]
    assert data["summary"]["errors"] == 1
    assert data["summary"]["suppressed"] == 1


# --------------------------------------------------------------------------- SARIF


@pytest.fixture(scope="module")
def sarif_validator() -> Draft7Validator:
    schema = json.loads(shared("schemas", "sarif-2.1.0.json").read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _sarif(validator: Draft7Validator, cwd: Path, *paths: str) -> dict:
    result = lint(cwd, "--format", "sarif", *paths)
    log = json.loads(result.stdout)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    assert result.stderr == ""
    return log


def _in_repo(path: Path) -> str:
    """``path`` as SARIF names it: relative to the repository the fixtures are in (or to the fixture folder
    when this checkout has no .git)."""
    base = find_root(str(path)) or str(path if path.is_dir() else path.parent)
    return os.path.relpath(path, base).replace(os.sep, "/")


def _results(log: dict) -> list[tuple]:
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    out = []
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        out.append((res["ruleId"], res["level"], phys["artifactLocation"]["uri"], phys["region"]["startLine"],
                    phys["region"]["endLine"]))
    return out


def test_sarif_rule_metadata(sarif_validator: Draft7Validator) -> None:
    log = _sarif(sarif_validator, FIXTURES / "tf_retention_90", ".")
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "cloudtrail-lint"
    assert driver["version"] == __version__
    assert [d["id"] for d in driver["rules"]] == [r.id for r in ALL_RULES]
    for descriptor, rule in zip(driver["rules"], ALL_RULES):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.title
        assert descriptor["fullDescription"]["text"] == rule.what
        assert descriptor["help"]["text"] == text(rule)
        assert descriptor["help"]["markdown"] == markdown(rule)
        assert "## How to fix" in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity


def test_sarif_failing_scenario(sarif_validator: Draft7Validator) -> None:
    log = _sarif(sarif_validator, FIXTURES / "tf_retention_90", ".")
    assert _results(log) == [("CTL003", "error", _in_repo(FIXTURES / "tf_retention_90" / "main.tf"), 1, 14)]
    (result,) = log["runs"][0]["results"]
    assert result["message"]["text"] == (
        "log group aws_cloudwatch_log_group.platform_trail (logs.tf:1) keeps events 90 days;"
        " at least 365 are required"
    )
    assert result["locations"][0]["physicalLocation"]["region"]["startColumn"] == 1
    assert result["locations"][0]["logicalLocations"] == [{
        "name": "aws_cloudtrail.platform", "kind": "resource",
        "fullyQualifiedName": "aws_cloudtrail/aws_cloudtrail.platform"}]
    assert log["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_sarif_results_follow_the_findings(sarif_validator: Draft7Validator) -> None:
    log = _sarif(sarif_validator, FIXTURES, "cli_mixed_rules", "cfn_retention_30")
    json_findings = lint(FIXTURES, "--format", "json", "cli_mixed_rules", "cfn_retention_30").json["findings"]
    mixed, cfn = _in_repo(FIXTURES / "cli_mixed_rules" / "main.tf"), _in_repo(FIXTURES / "cfn_retention_30" / "t")
    assert [(r[0], r[1], r[2], r[3]) for r in _results(log)] == [
        ("CTL003", "error", cfn[:-1] + "template.yaml", 35),
        ("CTL001", "error", mixed, 4),
        ("CTL003", "error", mixed, 9),
        ("CTL004", "error", mixed, 16),
        ("CTL005", "error", mixed, 23),
        ("CTL010", "warning", mixed, 30),
    ]
    assert [r["message"]["text"] for r in log["runs"][0]["results"]] == [f["message"] for f in json_findings]


def test_sarif_passing_scenario(sarif_validator: Draft7Validator) -> None:
    log = _sarif(sarif_validator, FIXTURES / "tf_compliant", ".")
    run = log["runs"][0]
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert len(run["tool"]["driver"]["rules"]) == len(ALL_RULES)


def test_sarif_with_an_input_error(sarif_validator: Draft7Validator) -> None:
    log = _sarif(sarif_validator, FIXTURES / "errors_yaml_syntax", ".", "missing.tf")
    run = log["runs"][0]
    folder = FIXTURES / "errors_yaml_syntax"
    assert _results(log) == [("CTL003", "error", _in_repo(folder / "good.yaml"), 3, 9)]
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"], n["locations"][0]["physicalLocation"]) for n in notes] == [
        ("error", "invalid YAML/JSON: did not find expected ',' or ']'",
         {"artifactLocation": {"uri": _in_repo(folder / "bad.yaml"), "uriBaseId": "%SRCROOT%"},
          "region": {"startLine": 9}}),
        ("error", "no such file or folder",
         {"artifactLocation": {"uri": _in_repo(folder / "missing.tf"), "uriBaseId": "%SRCROOT%"}}),
    ]


def test_sarif_suppressed_result(sarif_validator: Draft7Validator) -> None:
    log = json.loads(render(_report_with_suppressed_finding(), "sarif")[0])
    assert list(sarif_validator.iter_errors(log)) == []
    active, muted = log["runs"][0]["results"]
    assert "suppressions" not in active
    assert muted["suppressions"] == [{"kind": "inSource", "status": "accepted",
                                      "justification": "archive elsewhere"}]


_URI_REFERENCE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def test_sarif_uris_are_percent_encoded(sarif_validator: Draft7Validator, tmp_path: Path) -> None:
    # Regression: file names were written raw, so "main #1.tf" became a URI with fragment "1.tf".
    folder = tmp_path / "audit trails"
    folder.mkdir()
    (folder / "main #1.tf").write_text(RULES_BY_ID["CTL001"].terraform.bad, encoding="utf-8")
    (folder / "broken 100%.tf").write_text("resource {\n", encoding="utf-8")
    log = _sarif(sarif_validator, tmp_path, ".")
    (result,) = log["runs"][0]["results"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "audit%20trails/main%20%231.tf"
    (note,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    note_uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert note_uri == "audit%20trails/broken%20100%25.tf"
    assert _URI_REFERENCE.fullmatch(uri)
