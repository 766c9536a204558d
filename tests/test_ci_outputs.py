"""CI outputs: JUnit XML, GitHub workflow commands, GitLab Code Quality, SARIF suppressions, action.yml."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from cloudtrail_lint.findings import Finding, InputError, Report, Suppression
from cloudtrail_lint.reporters import FORMATS, render
from cloudtrail_lint.reporters.github import escape_data, escape_property

from .conftest import REPO, lint, shared

RULES_RUN = ["CTL001", "CTL002", "CTL003", "CTL004", "CTL005", "CTL006", "CTL007", "CTL010"]
NAMES = {
    "CTL001": "cloudwatch-logs-not-configured", "CTL002": "cloudwatch-role-not-configured",
    "CTL003": "log-group-retention-too-short", "CTL004": "cloudwatch-arn-malformed",
    "CTL005": "reference-not-found", "CTL006": "log-group-retention-invalid",
    "CTL007": "delivery-role-cannot-deliver", "CTL010": "value-unresolved",
}

PROJECT = {
    "main.tf": '''# cloudtrail-lint: ignore CTL002 reason="role comes from the landing zone"
resource "aws_cloudtrail" "partial" {
  name                       = "partial"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "cloudtrail/partial"
  retention_in_days = 90
}

variable "arn" {}

resource "aws_cloudtrail" "unknown" {
  name                       = "unknown"
  s3_bucket_name             = "org-cloudtrail-logs"
  cloud_watch_logs_group_arn = var.arn
  cloud_watch_logs_role_arn  = "arn:aws:iam::123456789012:role/cloudtrail-to-cloudwatch"
}
''',
    "stack/template.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrgTrail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: org-cloudtrail-logs
''',
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def hand_made_report() -> Report:
    """Findings with every character that needs escaping somewhere."""
    nasty = Finding("CTL001", NAMES["CTL001"], "error", 'bad <value> & "quote"\nsecond line: 100%, \x01 done',
                    "dir,with:odd%chars/main.tf", 3, 5, 9, 'aws_cloudtrail.t["a,b"]', "aws_cloudtrail")
    warning = Finding("CTL010", NAMES["CTL010"], "warning", "role ARN cannot be resolved", "main.tf", 12, 1,
                      15, "aws_cloudtrail.u", "aws_cloudtrail")
    accepted = Suppression("inline", "archive keeps 10 years", "secops", "", "cloudtrail-lint")
    quiet = Finding("CTL003", NAMES["CTL003"], "error", "keeps 90 days", "main.tf", 12, 1, 15,
                    "aws_cloudtrail.u", "aws_cloudtrail", accepted)
    return Report(
        findings=[nasty, warning, quiet],
        errors=[InputError("broken.tf", 4, "invalid HCL: unexpected '}'", 1)],
        files_linted=3, trails=2,
        checked=[('aws_cloudtrail.t["a,b"]', "dir,with:odd%chars/main.tf", 3),
                 ("aws_cloudtrail.u", "main.tf", 12)],
        rules_run=["CTL001", "CTL003", "CTL010"],
    )


def test_formats_are_registered() -> None:
    assert FORMATS == ("text", "json", "sarif", "junit", "github", "gitlab")
    for fmt in FORMATS:
        stdout, _stderr = render(Report(), fmt)
        assert stdout


# --------------------------------------------------------------------------- JUnit


def cases(root: ET.Element) -> dict[str, ET.Element]:
    return {case.get("name"): case for case in root.iter("testcase")}


def totals(root: ET.Element) -> tuple[str | None, ...]:
    return tuple(root.get(key) for key in ("tests", "failures", "errors", "skipped"))


def test_junit_one_case_per_trail_and_rule(project: Path) -> None:
    result = lint(project, "--format", "junit", ".")
    assert result.exit_code == 1
    assert result.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    root = ET.fromstring(result.stdout)
    assert [s.get("name") for s in root.findall("testsuite")] == ["main.tf", "stack/template.yaml"]
    found = cases(root)
    trails = ("aws_cloudtrail.partial", "aws_cloudtrail.unknown", "OrgTrail")
    assert set(found) == {f"{trail} {rule} {NAMES[rule]}" for trail in trails for rule in RULES_RUN}
    assert totals(root) == ("24", "2", "0", "1")

    failure = found["aws_cloudtrail.partial CTL003 log-group-retention-too-short"].find("failure")
    assert failure.get("type") == "CTL003"
    assert failure.get("message") == (
        "log group aws_cloudwatch_log_group.trail (main.tf:8) keeps events 90 days;"
        " at least 365 are required")
    assert failure.text == f"main.tf:2:1: CTL003 error {failure.get('message')} [aws_cloudtrail.partial]"
    skipped = found["aws_cloudtrail.partial CTL002 cloudwatch-role-not-configured"].find("skipped")
    assert skipped.get("message") == "suppressed (inline): role comes from the landing zone"
    warned = found["aws_cloudtrail.unknown CTL010 value-unresolved"]
    assert warned.find("failure") is None
    assert warned.find("system-out").text.startswith(
        "main.tf:15:1: CTL010 warning log group ARN cannot be resolved")
    cfn = found["OrgTrail CTL001 cloudwatch-logs-not-configured"]
    assert (cfn.get("classname"), cfn.get("file"), cfn.get("line")) == (
        "stack/template.yaml", "stack/template.yaml", "3")
    assert cfn.find("failure") is not None
    passing = found["OrgTrail CTL003 log-group-retention-too-short"]
    assert list(passing) == []


def test_junit_follows_the_rules_that_ran(project: Path) -> None:
    root = ET.fromstring(lint(project, "--format", "junit", "--select", "CTL001", ".").stdout)
    assert sorted(cases(root)) == [f"{t} CTL001 cloudwatch-logs-not-configured"
                                   for t in ("OrgTrail", "aws_cloudtrail.partial", "aws_cloudtrail.unknown")]


def test_junit_escapes_and_reports_input_errors() -> None:
    stdout, _ = render(hand_made_report(), "junit")
    root = ET.fromstring(stdout)  # well-formed despite <, &, quotes, newlines and a control character
    found = cases(root)
    failure = found['aws_cloudtrail.t["a,b"] CTL001 cloudwatch-logs-not-configured'].find("failure")
    assert failure.get("message") == 'bad <value> & "quote"\\nsecond line: 100%, \\x01 done'  # shown escaped
    assert "&lt;value&gt; &amp; &quot;quote&quot;" in stdout
    error = found["broken.tf could not be processed"].find("error")
    assert (error.get("type"), error.get("message")) == ("input-error", "invalid HCL: unexpected '}'")
    assert totals(root) == ("7", "1", "1", "1")


# --------------------------------------------------------------------------- GitHub


def test_github_escaping() -> None:
    assert escape_data("100%\r\nnext: a, b") == "100%25%0D%0Anext: a, b"
    assert escape_property("dir,with:odd%chars\n") == "dir%2Cwith%3Aodd%25chars%0A"


def test_github_annotations(project: Path) -> None:
    result = lint(project, "--format", "github", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # the resolver words why var.arn is unknown; only the annotation's frame is this reporter's business
    assert lines[1].startswith("::warning file=main.tf,line=15,col=1,title=CTL010 value-unresolved::"
                               "log group ARN cannot be resolved: var.arn ")
    assert lines[1].endswith(" [aws_cloudtrail.unknown]")
    assert lines[:1] + lines[2:] == [
        "::error file=main.tf,line=2,col=1,title=CTL003 log-group-retention-too-short::log group"
        " aws_cloudwatch_log_group.trail (main.tf:8) keeps events 90 days; at least 365 are required"
        " [aws_cloudtrail.partial]",
        "::error file=stack/template.yaml,line=3,col=3,title=CTL001 cloudwatch-logs-not-configured::"
        "trail sends no events to CloudWatch Logs: no CloudWatchLogsLogGroupArn is set [OrgTrail]",
        "2 errors, 1 warning, 1 suppressed in 3 trails (2 files linted, 0 skipped)",
    ]


def test_github_escapes_properties_and_message() -> None:
    stdout, _ = render(hand_made_report(), "github")
    lines = stdout.splitlines()
    assert lines[0] == (
        "::error file=dir%2Cwith%3Aodd%25chars/main.tf,line=3,col=5,"
        "title=CTL001 cloudwatch-logs-not-configured::"
        'bad <value> & "quote"%0Asecond line: 100%25, \\x01 done [aws_cloudtrail.t["a,b"]]')
    assert lines[1].startswith("::warning file=main.tf,line=12,col=1,title=CTL010 value-unresolved::")
    assert lines[2] == "::error file=broken.tf,line=4,title=input error::invalid HCL: unexpected '}'"
    assert len(lines) == 4  # the suppressed finding is not annotated; the last line is the summary


# --------------------------------------------------------------------------- GitLab


def test_gitlab_code_quality(project: Path) -> None:
    result = lint(project, "--format", "gitlab", ".")
    issues = json.loads(result.stdout)
    assert [(i["check_name"], i["severity"], i["location"]) for i in issues] == [
        ("CTL003", "major", {"path": "main.tf", "lines": {"begin": 2}}),
        ("CTL010", "minor", {"path": "main.tf", "lines": {"begin": 15}}),
        ("CTL001", "major", {"path": "stack/template.yaml", "lines": {"begin": 3}}),
    ]
    assert issues[0]["description"].startswith("CTL003 log group aws_cloudwatch_log_group.trail")
    assert all(re.fullmatch(r"[0-9a-f]{32}", i["fingerprint"]) for i in issues)
    assert len({i["fingerprint"] for i in issues}) == 3
    assert all(i["type"] == "issue" and i["engine_name"] == "cloudtrail-lint" for i in issues)

    # fingerprints do not move with the lines
    main = project / "main.tf"
    main.write_text("# moved\n\n\n" + main.read_text())
    moved = json.loads(lint(project, "--format", "gitlab", ".").stdout)
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in issues]
    assert moved[0]["location"]["lines"]["begin"] == 5


def test_gitlab_input_errors_and_repeats() -> None:
    report = hand_made_report()
    twin = Finding("CTL001", NAMES["CTL001"], "error", "other message", *(report.findings[0].file, 3, 5, 9),
                   report.findings[0].resource, "aws_cloudtrail")
    report.findings.insert(1, twin)
    issues = json.loads(render(report, "gitlab")[0])
    assert [i["check_name"] for i in issues] == ["CTL001", "CTL001", "CTL010", "input-error"]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]
    assert issues[3]["severity"] == "blocker"
    assert issues[3]["location"] == {"path": "broken.tf", "lines": {"begin": 4}}


# --------------------------------------------------------------------------- SARIF


def test_sarif_with_every_kind_of_suppression_is_valid(project: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    (project / ".cloudtrail-lint.toml").write_text(
        '[[exceptions]]\nrule = "CTL010"\nresource = "aws_cloudtrail.unknown"\n'
        'reason = "owned by the org stack"\n')
    lint(project, "--write-baseline", "b.json", "stack")
    log = lint(project, "--format", "sarif", "--baseline", "b.json", ".").json
    schema = json.loads(shared("schemas", "sarif-2.1.0.json").read_text())
    jsonschema.validate(log, schema)
    results = log["runs"][0]["results"]
    kinds = {r["ruleId"]: r["suppressions"][0]["kind"] for r in results if "suppressions" in r}
    assert kinds == {"CTL002": "inSource", "CTL010": "external", "CTL001": "external"}
    assert {r["ruleId"] for r in results if "suppressions" not in r} == {"CTL003"}


# --------------------------------------------------------------------------- action.yml and docs/ci.md


def test_action_yml() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) >= {"paths", "format", "args"}
    assert action["inputs"]["paths"]["default"] == "."
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    install, run = steps[1], steps[2]
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert 'pip install' in install["run"] and '"$ACTION_PATH"' in install["run"]
    assert run["env"] == {"INPUT_PATHS": "${{ inputs.paths }}", "INPUT_FORMAT": "${{ inputs.format }}",
                          "INPUT_ARGS": "${{ inputs.args }}"}
    assert "${{" not in install["run"] + run["run"]  # inputs reach the shell only through the environment


@pytest.mark.skipif(sys.platform == "win32", reason="the action's steps run in bash")
def test_action_run_step_lints_the_given_paths(project: Path,
                                               tmp_path_factory: pytest.TempPathFactory) -> None:
    """Run the action's shell step with the linter installed where the install step puts it."""
    temp = tmp_path_factory.mktemp("runner")
    (temp / "cloudtrail-lint" / "bin").mkdir(parents=True)
    installed = Path(sys.executable).parent / "cloudtrail-lint"
    (temp / "cloudtrail-lint" / "bin" / "cloudtrail-lint").symlink_to(installed)
    step = yaml.safe_load((REPO / "action.yml").read_text())["runs"]["steps"][2]
    env = {**os.environ, "RUNNER_TEMP": str(temp), "INPUT_PATHS": "stack main.tf", "INPUT_FORMAT": "github",
           "INPUT_ARGS": "--select CTL001,CTL003 --output out.txt"}
    done = subprocess.run(["bash", "-c", step["run"]], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    lines = (project / "out.txt").read_text().splitlines()
    assert [line.split("::")[1] for line in lines[:-1]] == [
        "error file=main.tf,line=2,col=1,title=CTL003 log-group-retention-too-short",
        "error file=stack/template.yaml,line=3,col=3,title=CTL001 cloudwatch-logs-not-configured",
    ]


def yaml_blocks(text: str) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", text, re.S)


def test_ci_docs_show_sarif_upload_and_gitlab() -> None:
    text = (REPO / "docs" / "ci.md").read_text()
    workflows = [yaml.safe_load(block) for block in yaml_blocks(text)]
    workflow = next(w for w in workflows if isinstance(w, dict) and "jobs" in w)
    steps = workflow["jobs"]["cloudtrail-lint"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert any("cloudtrail-lint --format sarif --output results.sarif" in r for r in runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["sarif_file"] == "results.sarif"
    assert workflow["permissions"]["security-events"] == "write"
    job = next(w["cloudtrail-lint"] for w in workflows
               if isinstance(w, dict) and "script" in w.get("cloudtrail-lint", {}))
    assert job["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    assert any("--format gitlab --output gl-code-quality-report.json" in line for line in job["script"])
    assert job["artifacts"]["reports"]["junit"] == "cloudtrail-lint-junit.xml"
