"""CTL007 around the IAM evaluation: what the resolvers read (file(), templatefile(), heredocs, the declared
IAM attributes), that the IAM package is imported only for a trail whose role is in the code, and the
honest unknowns. The policy sources and failures themselves are the tests/fixtures/ctl007_* scenarios."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cloudtrail_lint.frontends.hcl import parse_hcl
from cloudtrail_lint.frontends.hcl_ast import Opaque, Template
from cloudtrail_lint.resolver.common import Unknown
from cloudtrail_lint.resolver.tf_files import MAX_FILE_SIZE, read, render

from .conftest import FIXTURES, REPO, lint

TRAIL = '''resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = "acme-org-cloudtrail"
  cloud_watch_logs_group_arn = GROUP
  cloud_watch_logs_role_arn  = ROLE
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = 365
}
'''

ROLE = '''
resource "aws_iam_role" "trail" {
  name = "org-cloudtrail"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "cloudtrail.amazonaws.com" } }]
  })
}

resource "aws_iam_role_policy" "trail" {
  name   = "deliver"
  role   = aws_iam_role.trail.id
  policy = POLICY
}
'''


def trail(group: str = '"${aws_cloudwatch_log_group.trail.arn}:*"', role: str = "aws_iam_role.trail.arn",
          policy: str | None = None) -> str:
    text = TRAIL.replace("GROUP", group).replace("ROLE", role)
    return text + ROLE.replace("POLICY", policy) if policy is not None else text


DELIVER = 'file("${path.module}/policies/deliver.json")'
DELIVER_JSON = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
    "Resource": "arn:aws:logs:*:*:log-group:/aws/cloudtrail/org:*"}]})


def findings(folder: Path, *args: str) -> list[tuple[str, str]]:
    return [(f["rule"], f["kind"]) for f in lint(folder, "--format", "json", *args, ".").json["findings"]]


# --------------------------------------------------------------------------- the import of the IAM package


def _iam_modules(folder: Path) -> list[str]:
    code = (
        "import json, os, sys\n"
        "from cloudtrail_lint.cli import cli\n"
        "try:\n    cli(['--no-cache', '-o', os.devnull, '.'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cloudtrail_lint.iam'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def test_the_iam_package_is_imported_only_for_a_role_in_the_code(tmp_path: Path) -> None:
    cases = {
        "no_role": TRAIL.replace("  cloud_watch_logs_role_arn  = ROLE\n", "").replace("GROUP", '"x"'),
        "unknown_role": 'variable "role" {}\n' + trail(role="var.role"),
        "literal_role": trail(role='"arn:aws:iam::111122223333:role/delivery"'),
        "role_in_code": trail(policy=DELIVER),
    }
    for name, text in cases.items():
        (tmp_path / name / "policies").mkdir(parents=True)
        (tmp_path / name / "main.tf").write_text(text)
        (tmp_path / name / "policies" / "deliver.json").write_text(DELIVER_JSON)
    assert _iam_modules(tmp_path / "no_role") == []
    assert _iam_modules(tmp_path / "unknown_role") == []
    # a role outside the code is noted with the light part only: no policy is evaluated
    assert not {"cloudtrail_lint.iam.delivery", "cloudtrail_lint.iam.evaluate"} & set(
        _iam_modules(tmp_path / "literal_role"))
    assert "cloudtrail_lint.iam.delivery" in _iam_modules(tmp_path / "role_in_code")


# --------------------------------------------------------------------------- file() and templatefile()


def test_file_reads_a_policy_of_the_module(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deliver.json").write_text(DELIVER_JSON)
    (tmp_path / "providers.tf").write_text('provider "aws" {\n  region = "us-east-1"\n}\n')
    (tmp_path / "main.tf").write_text(trail(policy=DELIVER))
    assert findings(tmp_path) == []
    (tmp_path / "policies" / "deliver.json").write_text(DELIVER_JSON.replace("/aws/cloudtrail/org", "/other"))
    assert findings(tmp_path) == [("CTL007", "create-log-stream-not-allowed"),
                                  ("CTL007", "put-log-events-not-allowed")]


@pytest.mark.parametrize(("path", "why"), [
    ('"/etc/passwd"', "outside the module's folder"),
    ('"${path.module}/../secret.json"', "outside the module's folder"),
    ('"${path.module}/policies/link.json"', "outside the module's folder"),
    ('"${path.module}/policies/missing.json"', "does not exist"),
    ('"${path.module}/policies"', "does not exist"),
    ('"${path.module}/policies/huge.json"', "larger than"),
])
def test_file_reads_nothing_outside_the_module_or_too_large(tmp_path: Path, path: str, why: str) -> None:
    module = tmp_path / "module"
    (module / "policies").mkdir(parents=True)
    (tmp_path / "secret.json").write_text(DELIVER_JSON)
    (module / "policies" / "link.json").symlink_to(tmp_path / "secret.json")
    (module / "policies" / "huge.json").write_text(" " * (MAX_FILE_SIZE + 1) + DELIVER_JSON)
    (module / "main.tf").write_text(trail(policy=f"file({path})"))
    report = lint(module, "--format", "json", ".").json
    [note] = [f for f in report["findings"] if f["kind"] == "delivery-unresolved"]
    assert why in note["message"]
    assert report["errors"] == []


def test_read_and_render_directly(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{}")
    assert read("a.json", (str(tmp_path),)) == "{}"
    assert isinstance(read(str(tmp_path.parent / "x"), (str(tmp_path),)), Unknown)
    assert render('{"a": "${x}", "b": ${jsonencode(y)}, "c": "$${z}"}', {"x": "1", "y": ["p", "q"]}) == \
        '{"a": "1", "b": ["p", "q"], "c": "${z}"}'
    for template, why in (("%{ if x }y%{ endif }", "directives"), ("${x.y}", "not evaluated"),
                          ("${nope}", "not among its variables"), ("${x", "not closed"), ("${l}", "not a string")):
        result = render(template, {"x": "1", "l": [1]})
        assert isinstance(result, Unknown) and why in result.reason, template


def test_templatefile_renders_the_module_template(tmp_path: Path) -> None:
    (tmp_path / "deliver.json.tftpl").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ${jsonencode(actions)},'
        ' "Resource": "${group}:*"}]}')
    policy = ('templatefile("${path.module}/deliver.json.tftpl", {actions = ["logs:CreateLogStream",'
              ' "logs:PutLogEvents"], group = aws_cloudwatch_log_group.trail.arn})')
    (tmp_path / "main.tf").write_text(trail(policy=policy))
    assert findings(tmp_path) == []
    (tmp_path / "main.tf").write_text(trail(policy=policy.replace('"logs:PutLogEvents"', '"logs:GetLogEvents"')))
    assert findings(tmp_path) == [("CTL007", "put-log-events-not-allowed")]


# --------------------------------------------------------------------------- heredocs


def test_a_heredoc_with_interpolations_is_a_template() -> None:
    text = ('x = <<-EOT\n  {"Resource": "${aws_cloudwatch_log_group.g.arn}:*", "Quote": "a\\\\b \\"c\\"",\n'
            '   "Call": "${join(",", ["a", "b"])}", "Literal": "$${not}"}\n  EOT\n')
    node = parse_hcl(text, "x.tf").attrs["x"].expr
    assert isinstance(node, Template) and node.line == 1
    assert [p if isinstance(p, str) else p.src for p in node.parts] == [
        '{"Resource": "', "aws_cloudwatch_log_group.g.arn", ':*", "Quote": "a\\\\b \\"c\\"",\n "Call": "',
        'join(",", ["a", "b"])', '", "Literal": "${not}"}\n']
    directive = parse_hcl('x = <<EOT\n%{ if true }a%{ endif }\nEOT\n', "x.tf").attrs["x"].expr
    assert isinstance(directive, Opaque)


def test_a_heredoc_policy_is_evaluated(tmp_path: Path) -> None:
    policy = ('<<-POLICY\n    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",\n'
              '     "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],\n'
              '     "Resource": "${aws_cloudwatch_log_group.trail.arn}"}]}\n  POLICY')
    (tmp_path / "main.tf").write_text(trail(policy=policy))
    assert findings(tmp_path) == [("CTL007", "create-log-stream-not-allowed"),
                                  ("CTL007", "put-log-events-not-allowed")]


def test_json_syntax_keeps_quotes_inside_interpolations(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(trail(policy=DELIVER).split('resource "aws_iam_role" "trail"')[0])
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:*"],
                                                        "Resource": "*"}]}
    role = {"resource": {
        "aws_iam_role": {"trail": {
            "name": "org-cloudtrail",
            "assume_role_policy": '${jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow", Principal = '
                                  '{Service = "cloudtrail.amazonaws.com"}, Action = "sts:AssumeRole"}]})}'}},
        "aws_iam_role_policy": {"trail": {"role": "${aws_iam_role.trail.id}", "policy": json.dumps(document)}}}}
    (tmp_path / "iam.tf.json").write_text(json.dumps(role))
    assert findings(tmp_path) == []


# --------------------------------------------------------------------------- what the default run reads


@pytest.mark.parametrize("scenario", sorted(p.name for p in FIXTURES.glob("ctl007_tf_*")))
def test_the_default_run_parses_no_iam_file_twice(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every IAM attribute the resolver reads is declared (frontends/reads.py), so the trimmed parse has it."""
    from cloudtrail_lint import engine

    def whole(self, path: str):
        raise AssertionError(f"{path} was parsed again whole")

    monkeypatch.setattr(engine.Workspace, "_whole_file", whole)
    lint(FIXTURES / scenario, "--format", "json", "--no-cache", ".")


# --------------------------------------------------------------------------- honest unknowns


def test_a_literal_role_outside_the_code_gets_one_note(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(trail(role='"arn:aws:iam::111122223333:role/delivery"'))
    report = lint(tmp_path, "--format", "json", ".").json
    [note] = report["findings"]
    assert (note["rule"], note["kind"], note["severity"]) == ("CTL010", "delivery-unresolved", "warning")
    assert note["message"] == (
        "whether the delivery role arn:aws:iam::111122223333:role/delivery can deliver to the log group cannot"
        " be checked: it is not defined in the scanned code, so its policies are not checked")
    assert findings(tmp_path, "--unknown", "ignore") == []
    assert lint(tmp_path, "--unknown", "fail", ".").exit_code == 1


def test_a_literal_role_that_names_a_role_of_the_module_is_checked(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(trail(role='"arn:aws:iam::111122223333:role/org-cloudtrail"',
                                            policy='jsonencode({ Version = "2012-10-17", Statement = [] })'))
    assert ("CTL007", "no-permissions-policy") not in findings(tmp_path)
    assert ("CTL007", "create-log-stream-not-allowed") in findings(tmp_path)


@pytest.mark.parametrize(("role", "rule"), [
    ("var.role", "role-unresolved"), ("data.aws_iam_role.x.arn", "role-unresolved")])
def test_an_unknown_role_is_named_once(tmp_path: Path, role: str, rule: str) -> None:
    (tmp_path / "main.tf").write_text('variable "role" {}\ndata "aws_iam_role" "x" {\n  name = "x"\n}\n'
                                      + trail(role=role))
    assert findings(tmp_path) == [("CTL010", rule)]


def test_cloudformation_import_value_role_is_named_once(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n'
        "    Properties:\n      IsLogging: true\n      S3BucketName: b\n"
        "      CloudWatchLogsLogGroupArn: !GetAtt Group.Arn\n      CloudWatchLogsRoleArn: !ImportValue audit-role\n"
        "  Group:\n    Type: AWS::Logs::LogGroup\n")
    assert findings(tmp_path) == [("CTL010", "role-unresolved")]


def test_account_literal_against_the_deploying_account(tmp_path: Path) -> None:
    group = '"arn:aws:logs:us-east-1:111122223333:log-group:/aws/cloudtrail/org:*"'
    policy = ('jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:*",'
              ' Resource = "*" }] })')
    (tmp_path / "main.tf").write_text(trail(group=group, policy=policy))
    assert findings(tmp_path) == [("CTL010", "delivery-unresolved")]  # the deploying account is not pinned
    (tmp_path / "providers.tf").write_text('provider "aws" {\n  allowed_account_ids = ["111122223333"]\n}\n')
    assert findings(tmp_path) == []
    (tmp_path / "providers.tf").write_text('provider "aws" {\n  allowed_account_ids = ["444455556666"]\n}\n')
    assert findings(tmp_path) == [("CTL007", "account-mismatch")]
    (tmp_path / "providers.tf").write_text(
        'provider "aws" {\n  assume_role {\n    role_arn = "arn:aws:iam::444455556666:role/deploy"\n  }\n}\n')
    assert findings(tmp_path) == [("CTL007", "account-mismatch")]


def test_the_rule_modules_do_not_import_the_iam_package() -> None:
    for path in (REPO / "rules").glob("*.py"):
        top = [line for line in path.read_text().splitlines() if line.startswith(("from ", "import "))]
        assert not [line for line in top if re.search(r"\biam\b", line)], f"{path.name} imports the IAM package"


# --------------------------------------------------------------------------- every policy source is read

#: The scenarios in which delivery passes, with the policies the role was found to have: each source of
#: issue 14 item 2 must be read (a source the resolver missed would leave the role with no policy).
PASSING = {
    "ctl007_cfn_aws_managed_policy_arn": ["arn:\x01:iam::aws:policy/CloudWatchLogsFullAccess"],
    "ctl007_cfn_iam_policy_roles": ["TrailRoleLogsPolicy"],
    "ctl007_cfn_json_template": ["Policies[0] (cloudwatch-logs) of AuditRole"],
    "ctl007_cfn_managed_policy_arns": ["DeliveryPolicy"],
    "ctl007_cfn_managed_policy_roles": ["TrailDeliveryPolicy"],
    "ctl007_cfn_policy_json_string_sub": ["Policies[0] (cloudwatch-logs) of TrailRole"],
    "ctl007_cfn_role_policies_yaml": ["Policies[0] (cloudwatch-logs) of TrailRole"],
    "ctl007_cfn_role_policy": ["TrailRolePolicy"],
    "ctl007_tf_assume_role_heredoc": ["aws_iam_role_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_aws_documented_default_policy": ["aws_iam_role_policy.cloudtrail_cloudwatch_logs"],
    "ctl007_tf_aws_documented_organization_policy": ["aws_iam_role_policy.cloudtrail"],
    "ctl007_tf_aws_managed_policy": ["arn:\x01:iam::aws:policy/CloudWatchLogsFullAccess"],
    "ctl007_tf_inline_policy_block": ['inline_policy "read-tags" of aws_iam_role.this',
                                      'inline_policy "cloudwatch-logs-delivery" of aws_iam_role.this'],
    "ctl007_tf_managed_policy_arns": ["aws_iam_policy.org_trail_logs"],
    "ctl007_tf_policy_attachment": ["aws_iam_policy.audit_logs"],
    "ctl007_tf_policy_document_not_actions": ["aws_iam_role_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_policy_document_not_resources": ["aws_iam_role_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_policy_document_principals_condition": ["aws_iam_role_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_policy_document_source_override": ["aws_iam_role_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_policy_file": ["aws_iam_role_policy.cloudtrail"],
    "ctl007_tf_policy_in_caller": ["aws_iam_role_policy.deliver"],
    "ctl007_tf_policy_role_attachment": ["aws_iam_policy.cloudtrail_cloudwatch"],
    "ctl007_tf_policy_templatefile": ["aws_iam_role_policy.cloudtrail"],
    "ctl007_tf_role_policies_exclusive": ["aws_iam_role_policy.deliver"],
    "ctl007_tf_role_policy_attachments_exclusive": ["aws_iam_policy.deliver"],
    "ctl007_tf_role_policy_jsonencode": ["aws_iam_role_policy.delivery"],
}


def _trails(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list:
    from cloudtrail_lint import engine

    seen: list = []
    check = engine.check_trail

    def spy(variants, *args):
        seen.extend(variants)
        return check(variants, *args)

    monkeypatch.setattr(engine, "check_trail", spy)
    lint(folder, "--format", "json", ".")
    return seen


@pytest.mark.parametrize("scenario", sorted(PASSING))
def test_passing_scenarios_read_their_policy_source(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cloudtrail_lint.iam.trail import trail_delivery

    [trail] = _trails(FIXTURES / scenario, monkeypatch)
    assert trail.role is not None and trail.role.defined
    assert [p.name for p in trail.role.permissions] == PASSING[scenario]
    assert [p.unknown for p in (*trail.role.trust, *trail.role.permissions)] == [""] * (
        len(trail.role.trust) + len(trail.role.permissions))
    delivery = trail_delivery(trail)
    assert delivery is not None and (delivery.failures, delivery.undecided) == ((), ())


def test_every_passing_scenario_is_listed() -> None:
    quiet = {p.name for p in FIXTURES.glob("ctl007_*")
             if not [x for x in (p / "expected.txt").read_text().splitlines() if x.startswith("CTL")]}
    assert quiet == set(PASSING)


@pytest.mark.parametrize(("scenario", "kind", "related"), [
    ("ctl007_tf_trust_wrong_principal", "trust-missing-service", ("trust policy", "iam.tf", 3)),
    ("ctl007_tf_no_create_log_stream", "create-log-stream-not-allowed",
     ("permissions policy aws_iam_role_policy.cloudtrail_cloudwatch", "iam.tf", 16)),
    ("ctl007_tf_account_mismatch", "account-mismatch", ("log group ARN value", "main.tf", 8)),
    ("ctl007_tf_no_permissions_policy", "no-permissions-policy",
     ("delivery role aws_iam_role.cloudtrail_cloudwatch", "iam.tf", 1)),
    ("ctl007_cfn_no_put_log_events", "put-log-events-not-allowed",
     ("permissions policy Policies[0] (cloudwatch-logs) of TrailRole", "template.yaml", 21)),
    # CTL010's note that delivery cannot be checked points at the role too (a boundary it cannot see)
    ("ctl007_tf_permissions_boundary", "delivery-unresolved", ("delivery role aws_iam_role.cloudtrail", "main.tf", 15)),
])
def test_a_failure_points_at_what_it_is_about(scenario: str, kind: str, related: tuple[str, str, int]) -> None:
    """The first related location of a CTL007 finding is the policy, value or role the failure is about."""
    result = lint(FIXTURES / scenario, "--format", "json", ".")
    first = next(f for f in result.json["findings"] if f["kind"] == kind)
    at = first["related"][0]
    assert (at["label"], at["file"], at["line"]) == related
