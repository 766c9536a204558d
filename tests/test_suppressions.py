"""Inline suppressions (Terraform comments, ``"//"`` keys, CloudFormation Metadata), CTL900 and peer skips."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from cloudtrail_lint import suppressions
from cloudtrail_lint.engine import Settings, run
from cloudtrail_lint.suppressions import parse_comment

from .conftest import FIXTURES, lint

KNOWN = {"CTL001", "CTL002", "CTL003", "CTL004", "CTL005", "CTL006", "CTL010", "CTL900"}
NO_GROUP = "trail sends no events to CloudWatch Logs: no log group ARN is set"
NO_GROUP_CFN = "trail sends no events to CloudWatch Logs: no CloudWatchLogsLogGroupArn is set"
UNUSED = "matches no finding; remove it or move it to the resource it is meant for"
NO_REASON = 'no reason given (add reason="why this is accepted")'

TRAIL_90_DAYS = '''{directive}resource "aws_cloudtrail" "org" {{
  name                       = "org"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${{aws_cloudwatch_log_group.trail.arn}}:*"
}}

resource "aws_cloudwatch_log_group" "trail" {{
  name              = "cloudtrail/org"
  retention_in_days = 90
}}
'''


def by_key(result) -> dict[tuple[str, str], dict]:
    """JSON findings by (rule, resource); fails on a duplicate key so tests stay exact."""
    out: dict[tuple[str, str], dict] = {}
    for f in result.json["findings"]:
        key = (f["rule"], f["resource"])
        assert key not in out, key
        out[key] = f
    return out


def write_trail(folder: Path, directive: str) -> None:
    (folder / "main.tf").write_text(TRAIL_90_DAYS.format(directive=directive))


# --------------------------------------------------------------------------- Terraform comments


def test_terraform_directive_above_inside_and_stacked_suppress() -> None:
    found = by_key(lint(FIXTURES / "adoption_inline_tf", "--format", "json", "."))
    assert found[("CTL001", "aws_cloudtrail.above")]["suppression"] == {
        "kind": "inline", "reason": "org trail lives in the audit account", "owner": "secops",
        "expires": "2099-12-31", "origin": "cloudtrail-lint",
    }
    assert found[("CTL001", "aws_cloudtrail.inside")]["suppression"] == {
        "kind": "inline", "reason": "sandbox account, no alarms needed", "owner": "", "expires": "",
        "origin": "cloudtrail-lint",
    }
    assert found[("CTL001", "aws_cloudtrail.stacked")]["suppression"]["reason"] == "block comment"
    for name in ("above", "inside", "stacked"):
        finding = found[("CTL001", f"aws_cloudtrail.{name}")]
        assert finding["suppressed"] is True
        assert finding["message"] == NO_GROUP


def test_every_mistake_is_a_ctl900_at_the_directive() -> None:
    result = lint(FIXTURES / "adoption_inline_tf", "--format", "json", ".")
    invalid = {(f["line"], f["resource"]): f["message"]
               for f in result.json["findings"] if f["rule"] == "CTL900"}
    assert invalid == {
        (28, "aws_cloudtrail.no_reason"): f"invalid suppression: {NO_REASON}",
        (34, "aws_cloudtrail.typo"): "invalid suppression: unknown rule 'CTL01'",
        (40, "aws_cloudtrail.bad_date"):
            "invalid suppression: malformed expires date '2027-13-01' (expected YYYY-MM-DD)",
        (46, "aws_cloudtrail.bad_key"):
            f"invalid suppression: unknown key 'reson' (expected reason, owner, expires); {NO_REASON}",
        (52, "aws_cloudtrail.detached"): f"suppression of CTL001 {UNUSED}",
        (59, "aws_s3_bucket.logs"): f"suppression of CTL003 {UNUSED}",
    }
    for f in result.json["findings"]:
        if f["rule"] == "CTL900":
            assert (f["severity"], f["name"], f["file"], f["column"], f["suppressed"]) == (
                "warning", "suppression-invalid", "main.tf", 1, False)
    # an invalid directive suppresses nothing: its trail's CTL001 stays an error
    active = {f["resource"] for f in result.json["findings"] if f["rule"] == "CTL001" and not f["suppressed"]}
    assert active == {f"aws_cloudtrail.{n}" for n in ("expired", "no_reason", "typo", "bad_date", "bad_key",
                                                        "detached")}
    assert result.json["summary"]["warnings"] == 6
    assert result.exit_code == 1


def test_expired_suppression_turns_back_into_a_finding() -> None:
    found = by_key(lint(FIXTURES / "adoption_inline_tf", "--format", "json", "."))
    expired = found[("CTL001", "aws_cloudtrail.expired")]
    assert expired["suppressed"] is False
    assert expired["severity"] == "error"
    assert expired["message"] == (
        f"{NO_GROUP} (suppression expired 2020-01-01: accepted until the 2020 migration)")


@pytest.mark.parametrize(("today", "suppressed", "exit_code"), [
    (datetime.date(2027, 6, 29), True, 0),
    (datetime.date(2027, 6, 30), True, 0),  # valid through its expiry date
    (datetime.date(2027, 7, 1), False, 1),
])
def test_expiry_is_compared_with_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       today: datetime.date, suppressed: bool, exit_code: int) -> None:
    monkeypatch.setattr(suppressions, "today", lambda: today)
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL002,CTL003 reason="org archive keeps 10 years"'
                          " owner=secops expires=2027-06-30\n")
    result = lint(tmp_path, "--format", "json", ".")
    found = by_key(result)
    assert set(found) == {("CTL002", "aws_cloudtrail.org"), ("CTL003", "aws_cloudtrail.org")}
    assert all(f["suppressed"] is suppressed for f in found.values())
    assert result.exit_code == exit_code
    if not suppressed:
        assert found[("CTL003", "aws_cloudtrail.org")]["message"].endswith(
            " (suppression expired 2027-06-30: org archive keeps 10 years)")


def test_settings_today_is_injectable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL002,CTL003 reason="r" expires=2030-01-01\n')
    monkeypatch.chdir(tmp_path)
    before = run(Settings(paths=["."], today=datetime.date(2029, 12, 31)))
    after = run(Settings(paths=["."], today=datetime.date(2030, 1, 2)))
    assert [f.suppressed for f in before.findings] == [True, True]
    assert [f.suppressed for f in after.findings] == [False, False]
    assert after.exit_code() == 1 and before.exit_code() == 0


def test_text_output_shows_only_a_count_and_exit_is_unaffected(tmp_path: Path) -> None:
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL002 reason="role added by the landing zone"\n')
    result = lint(tmp_path, ".")
    assert result.stdout == (
        "main.tf:2:1: CTL003 error log group aws_cloudwatch_log_group.trail (main.tf:8) keeps events 90 days;"
        " at least 365 are required [aws_cloudtrail.org]\n"
        "1 error, 0 warnings, 1 suppressed in 1 trail (1 file linted, 0 skipped)\n"
    )
    assert result.exit_code == 1
    write_trail(tmp_path, "# cloudtrail-lint: ignore CTL002, CTL003"
                          ' reason="role added by the landing zone"\n')
    result = lint(tmp_path, ".")
    assert result.stdout == "0 errors, 0 warnings, 2 suppressed in 1 trail (1 file linted, 0 skipped)\n"
    assert result.exit_code == 0


def test_sarif_carries_the_justification(tmp_path: Path) -> None:
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL003 reason="org archive keeps 10 years"\n')
    results = lint(tmp_path, "--format", "sarif", ".").json["runs"][0]["results"]
    by_rule = {r["ruleId"]: r for r in results}
    assert by_rule["CTL003"]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "org archive keeps 10 years"}]
    assert "suppressions" not in by_rule["CTL002"]


def test_directive_in_a_nested_block_and_module_instances(tmp_path: Path) -> None:
    """Suppressions apply by location, so module prefixes and instance keys need no special syntax."""
    (tmp_path / "main.tf").write_text(
        'module "a" {\n  source = "./trail"\n}\n\nmodule "b" {\n  source = "./trail"\n}\n')
    (tmp_path / "trail").mkdir()
    (tmp_path / "trail" / "main.tf").write_text(
        'variable "names" {\n  default = ["x", "y"]\n}\n\n'
        'resource "aws_cloudtrail" "t" {\n  for_each       = toset(var.names)\n  name           = each.key\n'
        '  s3_bucket_name = "org-cloudtrail-logs"\n  event_selector {\n'
        '    # cloudtrail-lint: ignore CTL001 reason="delivered by the org trail"\n'
        '    read_write_type = "All"\n  }\n}\n'
    )
    result = lint(tmp_path, "--format", "json", ".")
    found = {(f["rule"], f["file"], f["line"], f["resource"], f["suppressed"])
             for f in result.json["findings"]}
    assert found == {
        ("CTL001", "trail/main.tf", 5, f'module.{m}.aws_cloudtrail.t["{k}"]', True)
        for m in "ab" for k in "xy"
    }
    assert result.exit_code == 0


def test_ctl900_can_be_deselected_but_invalid_directives_still_suppress_nothing(tmp_path: Path) -> None:
    write_trail(tmp_path, "# cloudtrail-lint: ignore CTL003\n")
    result = lint(tmp_path, "--format", "json", "--ignore", "CTL900", ".")
    found = {(f["rule"], f["suppressed"]) for f in result.json["findings"]}
    assert found == {("CTL002", False), ("CTL003", False)}
    assert result.exit_code == 1


def test_unused_is_reported_only_for_rules_that_ran(tmp_path: Path) -> None:
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL001 reason="r"\n')
    assert [(f["rule"], f["line"]) for f in lint(tmp_path, "--format", "json", ".").json["findings"]
            if f["rule"] == "CTL900"] == [("CTL900", 1)]
    selected = lint(tmp_path, "--format", "json", "--select", "CTL003,CTL900", ".")
    assert [f["rule"] for f in selected.json["findings"]] == ["CTL003"]


def test_partly_unused_directive_names_the_unused_rule(tmp_path: Path) -> None:
    write_trail(tmp_path, '# cloudtrail-lint: ignore CTL003,CTL001 reason="r"\n')
    found = by_key(lint(tmp_path, "--format", "json", "."))
    assert found[("CTL003", "aws_cloudtrail.org")]["suppressed"] is True
    assert found[("CTL900", "aws_cloudtrail.org")]["message"] == f"suppression of CTL001 {UNUSED}"


# --------------------------------------------------------------------------- Terraform JSON, CloudFormation


def test_terraform_json_double_slash_key() -> None:
    result = lint(FIXTURES / "adoption_tf_json", "--format", "json", ".")
    found = by_key(result)
    assert found[("CTL001", "aws_cloudtrail.accepted")]["suppression"] == {
        "kind": "inline", "reason": "org trail lives in the audit account", "owner": "secops", "expires": "",
        "origin": "cloudtrail-lint",
    }
    assert found[("CTL900", "aws_cloudtrail.typo")]["message"] == "invalid suppression: unknown rule 'CTL01'"
    assert found[("CTL900", "aws_cloudtrail.typo")]["line"] == 10
    assert found[("CTL001", "aws_cloudtrail.plain")]["suppressed"] is False
    assert result.exit_code == 1


def test_cloudformation_metadata() -> None:
    result = lint(FIXTURES / "adoption_cfn", "--format", "json", ".")
    found = by_key(result)
    assert found[("CTL001", "Accepted")]["suppression"] == {
        "kind": "inline", "reason": "org trail lives in the audit account", "owner": "secops",
        "expires": "2099-12-31", "origin": "cloudtrail-lint",
    }
    assert found[("CTL001", "Expired")]["suppressed"] is False
    assert found[("CTL001", "Expired")]["message"] == (
        f"{NO_GROUP_CFN} (suppression expired 2020-01-01: accepted until the 2020 migration)")
    invalid = {(f["resource"], f["line"], f["column"], f["message"]) for f in result.json["findings"]
               if f["rule"] == "CTL900"}
    assert invalid == {
        ("Typo", 32, 13, "invalid suppression: unknown rule 'CTL01'"),
        ("NoReason", 42, 13, 'invalid suppression: no reason given (add reason="why this is accepted")'),
        ("LogBucket", 61, 13, f"suppression of CTL003 {UNUSED}"),
    }
    assert found[("CTL900", "LogBucket")]["resource_type"] == "AWS::S3::Bucket"
    assert found[("CTL001", "CheckovSkip")]["suppressed"] is False
    assert result.exit_code == 1


@pytest.mark.parametrize("metadata, problem", [
    ("      cloudtrail-lint: [CTL001]\n", "Metadata cloudtrail-lint must be a mapping with an 'ignore' list"),
    ("      cloudtrail-lint:\n        skip: []\n",
     "unknown key 'skip' under Metadata cloudtrail-lint (expected 'ignore')"),
    ("      cloudtrail-lint:\n        ignore: CTL001\n",
     "Metadata cloudtrail-lint ignore must be a list of {rule, reason} entries"),
    ("      cloudtrail-lint:\n        ignore:\n          - reason: r\n", "no rule given; add rule: CTL00N"),
    ("      cloudtrail-lint:\n        ignore:\n          - {rule: CTL001, reason: r, expires: soon}\n",
     "malformed expires date 'soon' (expected YYYY-MM-DD)"),
])
def test_cloudformation_metadata_mistakes(tmp_path: Path, metadata: str, problem: str) -> None:
    (tmp_path / "t.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n'
        "    Metadata:\n" + metadata + "    Properties:\n      IsLogging: true\n      S3BucketName: logs\n")
    found = by_key(lint(tmp_path, "--format", "json", "."))
    assert found[("CTL900", "Trail")]["message"] == f"invalid suppression: {problem}"
    assert found[("CTL001", "Trail")]["suppressed"] is False


# --------------------------------------------------------------------------- peers


def test_peer_skips_count_only_with_the_flag() -> None:
    folder = FIXTURES / "adoption_peers"
    assert not any(f["suppressed"] for f in lint(folder, "--format", "json", ".").json["findings"])
    result = lint(folder, "--format", "json", "--honor-peer-suppressions", ".")
    found = by_key(result)
    origins = {key: f.get("suppression", {}).get("origin") for key, f in found.items()}
    assert origins == {
        ("CTL001", "aws_cloudtrail.checkov"): "checkov",
        ("CTL001", "aws_cloudtrail.checkov_above"): None,  # checkov reads skips inside the block only
        ("CTL001", "aws_cloudtrail.tfsec"): "tfsec",
        ("CTL001", "aws_cloudtrail.trivy"): "trivy",
        ("CTL001", "aws_cloudtrail.tfsec_expired"): None,
        ("CTL001", "aws_cloudtrail.kics_block"): "kics",
        ("CTL001", "aws_cloudtrail.kics_line"): "kics",
        ("CTL001", "aws_cloudtrail.other_check"): None,  # a skip of another check
        ("CTL002", "aws_cloudtrail.no_role"): "trivy",
        ("CTL003", "aws_cloudtrail.no_role"): None,  # peers stand for CTL001 and CTL002 only
    }
    assert found[("CTL001", "aws_cloudtrail.checkov")]["suppression"] == {
        "kind": "peer", "reason": "Events reach the SIEM through Firehose", "owner": "", "expires": "",
        "origin": "checkov",
    }
    assert found[("CTL001", "aws_cloudtrail.trivy")]["suppression"] == {
        "kind": "peer", "reason": "trivy:ignore:AVD-AWS-0162", "owner": "", "expires": "2099-01-01",
        "origin": "trivy",
    }
    assert found[("CTL001", "aws_cloudtrail.kics_line")]["suppression"]["reason"] == "kics-scan ignore-line"
    assert found[("CTL001", "aws_cloudtrail.tfsec_expired")]["message"] == (
        f"{NO_GROUP} (suppression expired 2025-01-01:"
        " tfsec:ignore:aws-cloudtrail-ensure-cloudwatch-integration)")
    assert not [f for f in result.json["findings"] if f["rule"] == "CTL900"]  # unused peer skips are not ours
    assert result.json["summary"]["suppressed"] == 6
    assert result.exit_code == 1


def test_peer_checkov_metadata_in_cloudformation() -> None:
    folder = FIXTURES / "adoption_cfn"
    off = by_key(lint(folder, "--format", "json", "."))
    on = by_key(lint(folder, "--format", "json", "--honor-peer-suppressions", "."))
    assert off[("CTL001", "CheckovSkip")]["suppressed"] is False
    assert on[("CTL001", "CheckovSkip")]["suppression"] == {
        "kind": "peer", "reason": "Events reach the SIEM through Firehose", "owner": "", "expires": "",
        "origin": "checkov",
    }


def test_peer_ignore_with_a_malformed_exp_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '#tfsec:ignore:aws-cloudtrail-ensure-cloudwatch-integration:exp:2025-1-1\n'
        'resource "aws_cloudtrail" "t" {\n  name           = "t"\n  s3_bucket_name = "logs"\n}\n')
    found = by_key(lint(tmp_path, "--format", "json", "--honor-peer-suppressions", "."))
    assert found[("CTL900", "aws_cloudtrail.t")]["message"] == (
        "invalid tfsec ignore: malformed exp date '2025-1-1' (expected YYYY-MM-DD)")
    assert found[("CTL001", "aws_cloudtrail.t")]["suppressed"] is False


# --------------------------------------------------------------------------- the directive grammar


@pytest.mark.parametrize("text", [
    '# cloudtrail-lint: ignore CTL003 reason="org archive keeps 10 years" owner=secops expires=2027-06-30',
    '// cloudtrail-lint: ignore CTL003 reason="org archive keeps 10 years" owner=secops expires=2027-06-30',
    "/* cloudtrail-lint: ignore ctl003 reason='org archive keeps 10 years' owner=secops"
    " expires=2027-06-30 */",
    '#cloudtrail-lint:ignore CTL003 owner = secops reason = "org archive keeps 10 years" expires=2027-06-30',
])
def test_directive_forms(text: str) -> None:
    d = parse_comment(text, "main.tf", 3, KNOWN)
    assert d is not None and d.problem == ""
    assert (d.rules, d.reason, d.owner, d.expires, d.expires_text, d.line) == (
        ("CTL003",), "org archive keeps 10 years", "secops", datetime.date(2027, 6, 30), "2027-06-30", 3)


def test_directive_rule_list_and_escaped_quote() -> None:
    d = parse_comment('# cloudtrail-lint: ignore CTL001, CTL002,CTL003 reason="the \\"audit\\" account"',
                      "m.tf", 1, KNOWN)
    assert d is not None and d.problem == ""
    assert d.rules == ("CTL001", "CTL002", "CTL003")
    assert d.reason == 'the "audit" account'


@pytest.mark.parametrize("text, problem", [
    ("# cloudtrail-lint: disable CTL001", "unknown directive 'disable'; expected 'ignore'"),
    ("# cloudtrail-lint:", "empty directive; expected 'ignore RULE reason=\"...\"'"),
    ('# cloudtrail-lint: ignore reason="x"', "no rule id after 'ignore'"),
    ('# cloudtrail-lint: ignore CTL900 reason="x"',
     "CTL900 cannot be suppressed; fix or remove the directive instead"),
    ('# cloudtrail-lint: ignore CTL001 reason="x" reason="y"', "duplicate key 'reason'"),
    ('# cloudtrail-lint: ignore CTL001 reason="x" because',
     "cannot read 'because'; write key=value or key=\"a value\""),
    ('# cloudtrail-lint: ignore CTL001 reason="  "', 'no reason given (add reason="why this is accepted")'),
    ('# cloudtrail-lint: ignore CTL001 reason="x" expires=20270630',
     "malformed expires date '20270630' (expected YYYY-MM-DD)"),
])
def test_directive_mistakes(text: str, problem: str) -> None:
    d = parse_comment(text, "m.tf", 1, KNOWN)
    assert d is not None
    assert d.problem == problem


@pytest.mark.parametrize("text", ["# ordinary comment", "# see cloudtrail-lint: docs", "// TODO", "/* x */"])
def test_ordinary_comments_are_not_directives(text: str) -> None:
    assert parse_comment(text, "m.tf", 1, KNOWN) is None


def test_multiline_block_comment_spans_its_lines(tmp_path: Path) -> None:
    write_trail(tmp_path, "/* cloudtrail-lint: ignore CTL002,CTL003\n"
                          '   reason="role and archive elsewhere" */\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert all(f["suppressed"] for f in result.json["findings"])
    assert json.dumps(result.json["summary"]["suppressed"]) == "2"
