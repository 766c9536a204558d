"""Issue #11, item 8: valid but odd inputs never lose the report.

- Integers with more digits than Python converts (4,300 by default, ``sys.get_int_max_str_digits``) in
  Terraform (HCL and JSON), tfvars and CloudFormation (YAML and JSON) make that value unknown (CTL010);
  the rest of the run is reported. (The configuration file and the baseline: tests/test_redteam_config.py.)
- Under an address-space limit (``ulimit -v 600000``) the linter runs: the engine's thread gets a stack
  sized for its recursion limit, and a smaller one (with a lower limit) when the system refuses it.

The inputs are generated here: they are numbers thousands of digits long, and resource limits.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cloudtrail_lint import cli

from .conftest import FIXTURES, REPO, lint

DIGITS = 5000
BIG = "9" * DIGITS
ROLE = "arn:aws:iam::123456789012:role/cloudtrail-to-cloudwatch"
#: A module whose trail is reported whatever happens to the odd files next to it.
CONTROL = ('resource "aws_cloudtrail" "control" {\n  name           = "control"\n'
           '  s3_bucket_name = "acme-trail-logs"\n}\n')
CONTROL_FINDING = ("CTL001", "control/main.tf", 1, "aws_cloudtrail.control")

TF_TRAIL = '''resource "aws_cloudtrail" "t" {
  name                       = "t"
  s3_bucket_name             = "acme-trail-logs"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.g.arn}:*"
  cloud_watch_logs_role_arn  = "%s"
}

resource "aws_cloudwatch_log_group" "g" {
  name              = "/aws/cloudtrail/t"
  retention_in_days = %s
}
'''
CFN_YAML = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: acme-trail-logs
      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn
      CloudWatchLogsRoleArn: %s
  Group:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: %s
'''


def cfn_json(retention: str) -> str:
    return ('{"Resources": {"Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": true,'
            ' "S3BucketName": "acme-trail-logs", "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["Group", "Arn"]},'
            f' "CloudWatchLogsRoleArn": "{ROLE}"}}}}, "Group": {{"Type": "AWS::Logs::LogGroup",'
            f' "Properties": {{"RetentionInDays": {retention}}}}}}}}}')


def tf_json(retention: str) -> str:
    return ('{"resource": {"aws_cloudtrail": {"t": {"name": "t", "s3_bucket_name": "acme-trail-logs",'
            ' "cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.g.arn}:*",'
            f' "cloud_watch_logs_role_arn": "{ROLE}"}}}}, "aws_cloudwatch_log_group": {{"g": {{'
            f'"name": "/aws/cloudtrail/t", "retention_in_days": {retention}}}}}}}}}')


#: The odd file(s) of each case.
CASES = {
    "hcl": {"main.tf": TF_TRAIL % (ROLE, BIG)},
    "tfvars": {"main.tf": 'variable "days" {}\n\n' + TF_TRAIL % (ROLE, "var.days"),
               "terraform.tfvars": f"days = {BIG}\n"},
    "hcl_product": {"main.tf": TF_TRAIL % (ROLE, f"{'9' * 3000} * {'9' * 3000}")},
    "tf_json": {"main.tf.json": tf_json(BIG)},
    "tfvars_json": {"main.tf": 'variable "days" {}\n\n' + TF_TRAIL % (ROLE, "var.days"),
                    "terraform.tfvars.json": f'{{"days": {BIG}}}'},
    "cfn_yaml": {"template.yaml": CFN_YAML % (ROLE, BIG)},
    "cfn_yaml_quoted": {"template.yaml": CFN_YAML % (ROLE, f'"{BIG}"')},
    "cfn_json": {"template.json": cfn_json(BIG)},
}


@pytest.mark.parametrize("case", ["hcl", "tfvars", "hcl_product", "tf_json", "tfvars_json", "cfn_yaml",
                                  "cfn_yaml_quoted", "cfn_json"])
def test_a_number_too_long_to_read_is_an_unknown_and_the_run_is_reported(tmp_path: Path, case: str) -> None:
    for name, text in CASES[case].items():
        (tmp_path / "odd" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "odd" / name).write_text(text)
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "main.tf").write_text(CONTROL)
    result = lint(tmp_path, "--format", "json", ".")
    report = result.json
    assert report["errors"] == []
    assert CONTROL_FINDING in result.findings()
    [odd] = [f for f in report["findings"] if f["file"].startswith("odd/") and f["kind"] != "delivery-unresolved"]
    assert odd["rule"] == "CTL010"
    assert "4300 digits" in odd["message"]
    assert len(odd["message"]) < 400  # the number itself is never printed whole
    assert result.exit_code == 1


def test_the_hcl_message_names_the_number(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF_TRAIL % (ROLE, BIG))
    [finding] = [f for f in lint(tmp_path, "--format", "json", ".").json["findings"]
                 if f["kind"] == "retention-unresolved"]
    assert finding["message"] == (
        f"retention of aws_cloudwatch_log_group.g cannot be resolved: `{'9' * 79}…` uses a number with more"
        " than 4300 digits, which is not evaluated")


# --------------------------------------------------------------------------- the engine's stack


def _limit_address_space(kib: int):
    def limit() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (kib * 1024, kib * 1024))
    return limit


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS counts reserved memory this way on Linux only")
def test_the_linter_runs_under_ulimit_v_600000() -> None:
    """The engine's thread used to ask for a 512 MiB stack, and its parse workers inherited the setting."""
    command = [sys.executable, "-m", "cloudtrail_lint", "--no-cache", "--format", "json", "-j", "2", "."]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    free = subprocess.run(command, cwd=FIXTURES, capture_output=True, text=True, timeout=300, env=env)
    limited = subprocess.run(command, cwd=FIXTURES, capture_output=True, text=True, timeout=300, env=env,
                             preexec_fn=_limit_address_space(600_000))
    assert "internal error" not in limited.stderr
    assert "Traceback" not in limited.stderr
    assert (limited.returncode, json.loads(limited.stdout)) == (free.returncode, json.loads(free.stdout))
    assert json.loads(free.stdout)["summary"]["trails"] > 50


def _stack_sizes_refused_above(monkeypatch: pytest.MonkeyPatch, most: int) -> list[int]:
    """Make every thread with a stack over ``most`` bytes fail to start, as ``ulimit -v`` does."""
    tried: list[int] = []
    start = threading.Thread.start

    def refusing_start(self: threading.Thread) -> None:
        size = threading.stack_size()
        tried.append(size)
        if size > most:
            raise RuntimeError("can't start new thread")
        start(self)

    monkeypatch.setattr(threading.Thread, "start", refusing_start)
    return tried


def test_a_smaller_stack_and_recursion_limit_when_the_system_refuses_a_large_one(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tried = _stack_sizes_refused_above(monkeypatch, 16 << 20)
    before = sys.getrecursionlimit()
    assert cli._run_with_deep_stack(sys.getrecursionlimit) == 15_000
    assert tried == [64 << 20, 32 << 20, 16 << 20]
    assert (sys.getrecursionlimit(), threading.stack_size()) == (before, 0)  # both restored


def test_the_calling_thread_when_no_thread_can_be_started(monkeypatch: pytest.MonkeyPatch) -> None:
    _stack_sizes_refused_above(monkeypatch, -1)
    before = sys.getrecursionlimit()
    assert cli._run_with_deep_stack(lambda: (threading.current_thread(), sys.getrecursionlimit())) == (
        threading.main_thread(), before)


def test_the_stack_is_restored_once_the_thread_runs() -> None:
    """Threads started later (the parse workers' watchers, forked from the engine's thread) get the default."""
    assert cli._run_with_deep_stack(threading.stack_size) == 0


def test_each_stack_holds_the_recursion_limit_it_is_paired_with(tmp_path: Path) -> None:
    """The deepest evaluation, a chain of log groups each named after the next one's ARN through Fn::Sub
    (``re.sub`` calls back into the evaluator), recursed until the limit on the smallest stack: an
    error for that template, never a crash. The pairs keep the same room per frame, so one stands for all."""
    resources = {"Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
        "IsLogging": True, "S3BucketName": "b", "CloudWatchLogsRoleArn": ROLE,
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["G0", "Arn"]}}}}
    levels = 3000
    for i in range(levels):
        name = {"Fn::Sub": f"g-${{G{i + 1}.Arn}}"} if i + 1 < levels else "last"
        resources[f"G{i}"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": name}}
    (tmp_path / "chain.json").write_text(json.dumps({"Resources": resources}))
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "main.tf").write_text(CONTROL)
    script = ("import sys; from cloudtrail_lint import cli; cli.DEEP_STACKS = cli.DEEP_STACKS[-1:];"
              " sys.argv = ['cloudtrail-lint', '--no-cache', '--format', 'json', '.']; cli.main()")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]  # not -11 (SIGSEGV)
    report = json.loads(proc.stdout)
    assert [(e["file"], "RecursionError" in e["message"]) for e in report["errors"]] == [("chain.json", True)]
    assert [f["file"] for f in report["findings"]] == ["control/main.tf"]


def test_the_deep_stack_still_evaluates_a_long_module_chain(tmp_path: Path) -> None:
    """bench/module_tree.py hands a value down a chain of modules: 600 of them evaluate on every Python."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import module_tree
    finally:
        sys.path.remove(str(REPO / "bench"))
    (tmp_path / "main.tf").write_text(module_tree.ROOT_HEAD)
    for i in range(600):
        folder = tmp_path / "modules" / f"chain-{i}"
        folder.mkdir(parents=True)
        (folder / "main.tf").write_text(module_tree.CHAIN.format(nxt=i + 1) if i < 599 else module_tree.CHAIN_END)
    result = lint(tmp_path, "--format", "json", "--no-cache", ".")
    assert (result.json["errors"], result.json["summary"]["trails"]) == ([], 1)
