"""Issue #12 (2): the text prefilter never hides a trail.

Before anything is parsed, a text scan decides which files a trail can depend on (``linter/prefilter.py``)
and which resource bodies can be skipped (``linter/frontends/slim.py``); a document must also look like a
template to be read (``cfn.looks_like_document``). Escapes and comments are where a trail's type or a
module call can be written so that a plain text search misses it. Each repro is pinned here, and a
property test generates projects with comments and escapes anywhere and requires the default run and
``--parse-all`` (which skips nothing) to give the same findings.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

import pytest
from cloudtrail_lint.frontends.cfn import document_from_bytes, looks_like_document
from cloudtrail_lint.frontends.slim import UNREAD, slim
from cloudtrail_lint.prefilter import scan_document, scan_terraform, without_escapes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import lint
from .hcl_oracle import Layout

# --------------------------------------------------------------------------- the repros, one by one

TERRAFORM_TRAILS = [
    'resource /* c */ "aws_cloudtrail" "t" {}\n',
    'resource "aws_cloudtrail"/* c */"t" {}\n',
    'resource "aws_\\u0063loudtrail" "t" {}\n',
    'resource "\\U00000061ws_cloudtrail" "t" {}\n',
    '{"resource": {"aws_\\u0063loudtrail": {"t": {}}}}\n',
    '{"resource": {"aws_cloudtrail"\n  : {"t": {}}}}\n',
]


@pytest.mark.parametrize("text", TERRAFORM_TRAILS)
def test_a_terraform_trail_written_with_comments_or_escapes_is_seen(text: str) -> None:
    assert scan_terraform(text.encode()).has_trail


@pytest.mark.parametrize("text", [
    'data "aws_cloudtrail_service_account" "main" {}\n',
    'output "arn" {\n  value = aws_cloudtrail.t.arn\n}\n',
    'resource "aws_cloudtrail_event_data_store" "s" {}\n',
    'resource "aws_\\u0063loudtrail_event_data_store" "s" {}\n',
    "resourceaws_cloudtrail = 1\n",
])
def test_what_is_not_a_trail_stays_irrelevant(text: str) -> None:
    assert not scan_terraform(text.encode()).has_trail


@pytest.mark.parametrize(("text", "source"), [
    ('module "t" {\n  source = /* local copy */ "./trail"\n}\n', "./trail"),
    ('module "t" {\n  source /* c */ = "./trail"\n}\n', "./trail"),
    ('module "t" {\n  source = "./tr\\u0061il"\n}\n', "./trail"),
    ('{"module": {"t": {"s\\u006furce": "../trail"}}}\n', "../trail"),
    ('{"m\\u006fdule": {"t": {"source": "../trail"}}}\n', "../trail"),
])
def test_a_module_source_written_with_comments_or_escapes_is_followed(text: str, source: str) -> None:
    assert scan_terraform(text.encode()).sources == (source,)


@pytest.mark.parametrize("text", [
    '{"Resources": {"T": {"Type": "AWS::CloudTrail::\\u0054rail"}}}\n',
    'Resources:\n  T:\n    Type: "AWS::CloudTrail::\\x54rail"\n',
    'Resources:\n  T:\n    Type: "AWS::CloudTrail::\\U00000054rail"\n',
    'Resources:\n  T:\n    Type: "AWS::CloudTrail::\\\n      Trail"\n',
    'Resources:\n  T:\n    Type: "AWS::Cloud\\\r\n      Trail::Trail"\n',
    '{"resource_changes": [{"type": "aws_\\u0063loudtrail"}]}\n',
])
def test_a_document_naming_the_trail_type_with_escapes_is_seen(text: str) -> None:
    assert scan_document(text.encode()).has_trail


@pytest.mark.parametrize("raw", [
    b'{"R\\u0065sources": {"T": {"\\u0054ype": "AWS::CloudTrail::Trail", "Properties": {}}}}\n',
    b'{"Resources": {"T": {"Type": "AWS::CloudTrail::\\u0054rail", "Properties": {}}}}\n',
    b"? Resources\n: T:\n    Type: AWS::CloudTrail::Trail\n    Properties: {}\n",  # an explicit key
    b"!!str Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties: {}\n",  # a tagged key
    b"&keys Resources:\n  T:\n    Type: AWS::CloudTrail::Trail\n    Properties: {}\n",  # an anchored key
])
def test_a_template_whose_keys_are_written_another_way_is_read_as_a_template(raw: bytes) -> None:
    assert looks_like_document(raw)
    assert document_from_bytes(raw, "t.json") == (
        "cloudformation", {"Resources": {"T": {"Type": "AWS::CloudTrail::Trail", "Properties": {}}}})


def test_a_plain_file_is_not_decoded() -> None:
    assert without_escapes(b'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n') is None
    assert without_escapes(b'x = "a\\nb \\\\ c"\n') is None  # backslashes, but no escape that could matter
    assert without_escapes(b'x = "\\uD800 \\U0011FFFF"') == b'x = "\xed\xa0\x80 \\U0011FFFF"'


def test_slim_keeps_a_resource_whose_type_has_escapes_whole() -> None:
    text = ('resource "aws_\\u0063loudtrail" "t" {\n  name = "t"\n}\n'
            'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    slimmed = slim(text)
    assert slimmed is not None and UNREAD in slimmed
    assert slimmed.startswith('resource "aws_\\u0063loudtrail" "t" {\n  name = "t"\n}\n')


@pytest.mark.parametrize("hostile", [
    b"aws_cloudtrail module " + b"resource /* " * 10_000,  # comments left open, each read to the end
    b"aws_cloudtrail module " + b"source = /* " * 10_000,
    b"aws_cloudtrail module " + b"resource # " * 10_000,  # one long line
    b"aws_cloudtrail module " + b"resource /* x */ " * 10_000 + b"/* " * 10_000,
    b"aws_cloudtrail module " + b"resource # # # # # # # # # # # # # # # # # # # #\n" * 10_000,
    b"\\u0041" * 200_000 + b'resource "aws_cloudtrail"',
])
def test_the_scan_stays_linear_on_hostile_text(hostile: bytes) -> None:
    start = time.perf_counter()
    scan_terraform(hostile)
    scan_document(hostile)
    assert time.perf_counter() - start < 5  # a generous guard: catastrophic backtracking takes minutes


# --------------------------------------------------------------------------- the default run and --parse-all

#: A project as people write it: a module with its trail, a caller of a trail module that changes the
#: trail's verdict through an argument, Terraform JSON, and CloudFormation in YAML and JSON.
PROJECT = {
    "org/main.tf": '''terraform {
  required_version = ">= 1.5.0"
}

resource "aws_s3_bucket" "trail" {
  bucket = "initech-org-trail"
  tags = {
    Team = "security"
  }
}

resource "aws_cloudwatch_log_group" "trail" {
  name              = "/aws/cloudtrail/org"
  retention_in_days = var.retention_days
}

resource "aws_iam_role" "trail" {
  name = "org-trail-to-cloudwatch"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "cloudtrail.amazonaws.com" } }]
  })
}

resource "aws_cloudtrail" "org" {
  name                       = "org"
  s3_bucket_name             = aws_s3_bucket.trail.id
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  cloud_watch_logs_role_arn  = aws_iam_role.trail.arn
}

variable "retention_days" {
  type    = number
  default = 90
}
''',
    "live/main.tf": '''module "trail" {
  source = "../modules/trail"

  name              = "sandbox"
  retention_in_days = 30
}

resource "aws_sns_topic" "alarms" {
  name = "sandbox-alarms"
}
''',
    "modules/trail/main.tf": '''variable "name" {
  type = string
}

variable "retention_in_days" {
  type    = number
  default = 365
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/cloudtrail/${var.name}"
  retention_in_days = var.retention_in_days
}

resource "aws_cloudtrail" "this" {
  name                       = var.name
  s3_bucket_name             = "initech-${var.name}-trail"
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.this.arn}:*"
}
''',
    "generated/main.tf.json": '''{
  "resource": {
    "aws_cloudtrail": {
      "generated": {
        "name": "generated",
        "s3_bucket_name": "initech-generated-trail"
      }
    }
  }
}
''',
    "stacks/trail.yaml": '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  "LogGroup":
    Type: "AWS::Logs::LogGroup"
    Properties:
      RetentionInDays: 14
  "AuditTrail":
    Type: "AWS::CloudTrail::Trail"
    Properties:
      S3BucketName: "initech-audit-trail"
      CloudWatchLogsLogGroupArn: !GetAtt "LogGroup.Arn"
      CloudWatchLogsRoleArn: "arn:aws:iam::123456789012:role/trail"
''',
    "stacks/bucket.json": '''{
  "Resources": {
    "Trail": {
      "Type": "AWS::CloudTrail::Trail",
      "Properties": {
        "S3BucketName": "initech-stack-trail",
        "IsLogging": true
      }
    }
  }
}
''',
}

_JSON_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_YAML_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def _escape_positions(text: str, strings: re.Pattern[str]) -> list[int]:
    """Offsets of the letters of quoted strings (not those right after a backslash)."""
    return [i for m in strings.finditer(text) for i in range(m.start() + 1, m.end() - 1)
            if (text[i].isalnum() or text[i] in "_:") and text[i - 1] != "\\"]


@st.composite
def _picks(draw, count: int) -> set[int]:
    """A few of ``count`` places, or all of them."""
    if not count:
        return set()
    if draw(st.booleans()):
        return set(range(count)) if draw(st.booleans()) else set()
    return set(draw(st.lists(st.integers(0, count - 1), max_size=6)))


@st.composite
def _mutated_hcl(draw, text: str) -> str:
    layout = Layout(text)
    ends = layout.token_ends
    block = draw(_picks(len(ends)))
    lines = [n for n, (end, ignored) in enumerate(ends) if ignored or text.startswith("\n", end)]
    line = {lines[n] for n in draw(_picks(len(lines)))}
    escapes = draw(_picks(len(layout.string_chars)))
    inserts: dict[int, str] = {}
    for n, (end, _) in enumerate(ends):
        inserts[end] = ("/* c */" if n in block else "") + (("# c\n" if n % 2 else "// c\n") if n in line else "")
    escaped = {layout.string_chars[n]: n for n in escapes}
    out = []
    for i, char in enumerate(text):
        out.append(inserts.get(i, ""))
        out.append((f"\\u{ord(char):04X}" if escaped[i] % 2 else f"\\U{ord(char):08x}") if i in escaped else char)
    out.append(inserts.get(len(text), ""))
    return "".join(out)


@st.composite
def _mutated_json(draw, text: str) -> str:
    places = _escape_positions(text, _JSON_STRING)
    escaped = {places[n] for n in draw(_picks(len(places)))}
    return "".join(f"\\u{ord(c):04x}" if i in escaped else c for i, c in enumerate(text))


@st.composite
def _mutated_yaml(draw, text: str) -> str:
    places = _escape_positions(text, _YAML_STRING)
    escaped = {places[n]: n for n in draw(_picks(len(places)))}
    values = [i for m in _YAML_STRING.finditer(text) if text[m.end():m.end() + 1] != ":"
              for i in range(m.start() + 2, m.end() - 1) if text[i] != " "]
    breaks = {values[n] for n in draw(_picks(len(values)))}
    line_ends = [m.start() for m in re.finditer(r"\n", text)]
    comments = {line_ends[n] for n in draw(_picks(len(line_ends)))}
    out = []
    for i, char in enumerate(text):
        if i in breaks:
            indent = len(text[:i].rsplit("\n", 1)[-1]) - len(text[:i].rsplit("\n", 1)[-1].lstrip())
            out.append("\\\n" + " " * (indent + 4))
        if i in comments:
            out.append("  # c")
        if i in escaped:
            n = escaped[i]
            out.append(f"\\x{ord(char):02x}" if n % 3 == 0 else f"\\u{ord(char):04X}" if n % 3 == 1
                       else f"\\U{ord(char):08x}")
        else:
            out.append(char)
    return "".join(out)


@st.composite
def mutated_project(draw) -> dict[str, str]:
    out = {}
    for name, text in PROJECT.items():
        if name.endswith(".tf"):
            out[name] = draw(_mutated_hcl(text))
        elif name.endswith(".json"):
            out[name] = draw(_mutated_json(text))
        else:
            out[name] = draw(_mutated_yaml(text))
    return out


def _findings(folder: str, *args: str) -> tuple[set[tuple[str, str, int, str]], list[dict]]:
    result = lint(folder, "--format", "json", *args, ".")
    return result.findings(), result.json["errors"]


def test_the_project_has_a_finding_in_every_file_kind() -> None:
    """The unmutated project: every kind of file holds a trail with a finding (so a hidden one shows)."""
    with tempfile.TemporaryDirectory(prefix="ctl-prefilter-") as folder:
        for name, text in PROJECT.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        findings, errors = _findings(folder)
    assert errors == []
    assert {(rule, file, resource) for rule, file, _, resource in findings} == {
        ("CTL003", "org/main.tf", "aws_cloudtrail.org"),
        ("CTL007", "org/main.tf", "aws_cloudtrail.org"),  # its role has no permissions policy
        ("CTL010", "stacks/trail.yaml", "AuditTrail"),  # its role is a literal ARN: its policies are not checked
        ("CTL002", "modules/trail/main.tf", "module.trail.aws_cloudtrail.this"),
        ("CTL003", "modules/trail/main.tf", "module.trail.aws_cloudtrail.this"),
        ("CTL001", "generated/main.tf.json", "aws_cloudtrail.generated"),
        ("CTL003", "stacks/trail.yaml", "AuditTrail"),
        ("CTL001", "stacks/bucket.json", "Trail"),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_project())
def test_the_default_run_and_parse_all_give_the_same_findings(project: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="ctl-prefilter-") as folder:
        for name, text in project.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        default, default_errors = _findings(folder)
        everything, all_errors = _findings(folder, "--parse-all")
    assert default == everything, json.dumps(project, indent=1)
    assert default_errors == all_errors == [], json.dumps(project, indent=1)  # the mutations keep files valid
