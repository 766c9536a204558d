"""cloudtrail-lint's rules inside cfn-lint (``cloudtrail_lint.cfnlint_rules``), run by the real cfn-lint.

Every CloudFormation template under tests/fixtures, every rule's CloudFormation example and the
CloudFormation cases of the labelled corpus go through cfn-lint's command line and its Python API; the
rule, line and column of each finding must be those of cloudtrail-lint's JSON output for the same file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, REPO, SHARED, lint

cfnlint_api = pytest.importorskip("cfnlint.api", reason="cfn-lint is not installed: pip install -e '.[test]'")

from cfnlint.config import ManualArgs  # noqa: E402
from cfnlint.core import get_rules  # noqa: E402
from cfnlint.decode.decode import decode  # noqa: E402
from cfnlint.rules import Rules  # noqa: E402
from cloudtrail_lint.cfnlint_rules import RULE_IDS, _shared  # noqa: E402
from cloudtrail_lint.cfnlint_rules._nodes import positioned  # noqa: E402
from cloudtrail_lint.frontends import ParseError  # noqa: E402
from cloudtrail_lint.frontends.cfn import load_document  # noqa: E402
from cloudtrail_lint.frontends.yaml_nodes import Tagged, load  # noqa: E402
from cloudtrail_lint.rules import ALL_RULES  # noqa: E402

MODULE = "cloudtrail_lint.cfnlint_rules"
CORPUS = SHARED / "corpus"
MANIFEST = CORPUS / "manifest.json"
NO_CORPUS = (f"labelled corpus not found at {CORPUS}: it ships in /work/shared next to the repository"
             " (CI provides it; copy or link it to ../shared/corpus to run these tests)")
OUR_IDS = set(RULE_IDS.values())
#: cfn-lint's own answers for a template it could not check: a parse error (E0000), or E9501's
#: report that cloudtrail-lint could not check the template it decoded (E0002).
CANNOT_CHECK = {"E0000", "E0002"}

Result = set[tuple[str, int, int]]


# --------------------------------------------------------------------------- helpers


def rules_dir() -> str:
    result = lint(REPO, "--cfn-lint-rules-path")
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


def cfn_lint_command() -> str:
    beside = Path(sys.executable).parent / "cfn-lint"
    found = str(beside) if beside.is_file() else shutil.which("cfn-lint")
    assert found, "the cfn-lint console script is not installed"
    return found


def cfn_lint(cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run([cfn_lint_command(), *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=timeout)


def is_template_file(path: Path) -> bool:
    """Whether cloudtrail-lint reads ``path`` as a CloudFormation template, or reports it as a broken one."""
    if path.suffix not in (".yaml", ".yml", ".json", ".template"):
        return False
    try:
        loaded = load_document(str(path), 20 * 1048576)
    except ParseError:
        return True
    return loaded is not None and loaded[0] == "cloudformation"


def cloudformation_files(root: Path, folders: list[Path]) -> list[str]:
    """Template files under ``folders``, relative to ``root`` with forward slashes."""
    found = {p for folder in folders for p in folder.rglob("*") if p.is_file() and is_template_file(p)}
    return sorted(p.relative_to(root).as_posix() for p in found)


def utf16(path: Path) -> bool:
    return path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")


class Expected:
    """cloudtrail-lint's JSON output for some files, as cfn-lint ids: unsuppressed findings per file, and
    the files it reported as input errors."""

    def __init__(self, root: Path, files: list[str]) -> None:
        result = lint(root, "--format", "json", "--no-cache", *files)
        report = result.json
        self.findings: dict[str, Result] = {}
        for f in report["findings"]:
            if not f["suppressed"]:
                self.findings.setdefault(f["file"], set()).add((RULE_IDS[f["rule"]], f["line"], f["column"]))
        self.errors = {e["file"] for e in report["errors"]}
        self.total = sum(len(v) for v in self.findings.values())


def cli_results(root: Path, files: list[str]) -> dict[str, list[dict[str, Any]]]:
    """cfn-lint's JSON matches per file, with the rules folder ``--cfn-lint-rules-path`` prints."""
    proc = cfn_lint(root, "--append-rules", rules_dir(), "--include-checks", "I", "--format", "json", "--", *files)
    assert proc.returncode != 1, proc.stderr  # 1: cfn-lint itself failed (bits 2/4/8 are matches)
    out: dict[str, list[dict[str, Any]]] = {}
    for match in json.loads(proc.stdout):
        out.setdefault(match["Filename"], []).append(match)
    return out


def ours(matches: list[dict[str, Any]]) -> Result:
    return {(m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"], m["Location"]["Start"]["ColumnNumber"])
            for m in matches if m["Rule"]["Id"] in OUR_IDS}


@cache
def api_rules() -> Any:
    return get_rules([MODULE], [], ["I"])


def api_results(path: Path) -> tuple[Result, set[str]]:
    """cfn-lint's Python API on the text of ``path``: our matches, and the ids of all matches."""
    text = path.read_text(encoding="utf-8")
    if "ForEach" in text:  # cfn-lint replaces loops by its own expansion: the rules read the file again
        matches = cfnlint_api.lint_file(path, config=ManualArgs(append_rules=[MODULE], include_checks=["I"]))
    else:
        matches = cfnlint_api.lint(text, rules=api_rules(), config=ManualArgs(include_checks=["I"]))
    found = {(m.rule.id, m.linenumber, m.columnnumber) for m in matches if m.rule.id in OUR_IDS}
    return found, {m.rule.id for m in matches}


class Suite:
    """One cloudtrail-lint run and one cfn-lint run over a set of files under ``root``."""

    def __init__(self, root: Path, files: list[str]) -> None:
        self.root, self.files = root, files
        self.expected = Expected(root, files)
        self.cli = cli_results(root, files)

    def check_cli(self, file: str) -> None:
        matches = self.cli.get(file, [])
        if file in self.expected.errors:
            assert ours(matches) == set(), file
            assert CANNOT_CHECK & {m["Rule"]["Id"] for m in matches}, (file, matches)
        elif utf16(self.root / file):  # cfn-lint reads UTF-8 only: it says so, our rules never see the file
            assert [m["Rule"]["Id"] for m in matches] == ["E0000"], matches
            assert "Cannot read file contents" in matches[0]["Message"]
        else:
            assert ours(matches) == self.expected.findings.get(file, set()), file

    def check_api(self, file: str) -> None:
        path = self.root / file
        if file in self.expected.errors or utf16(path):
            pytest.skip("cloudtrail-lint reports this file as an input error, or cfn-lint cannot read it")
        found, _ = api_results(path)
        assert found == self.expected.findings.get(file, set()), file


#: Templates written for these tests: forms the fixtures do not show.
WRITTEN = {
    "foreign_tags.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Trail:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !Include group-arn.txt
      CloudWatchLogsRoleArn: !Foo [a, b]
""",
    "get_att_forms.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs: {Type: AWS::Logs::LogGroup, Properties: {LogGroupName: /trail, RetentionInDays: 7}}
  Role: {Type: AWS::IAM::Role, Properties: {RoleName: trail, Path: /ct/}}
  Short:
    Type: AWS::CloudTrail::Trail
    Properties: {S3BucketName: b, CloudWatchLogsLogGroupArn: !GetAtt Logs.Arn, CloudWatchLogsRoleArn: !Ref Role}
  Listed:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      CloudWatchLogsLogGroupArn: {"Fn::GetAtt": "Logs.Arn"}
      CloudWatchLogsRoleArn: {"Fn::GetAtt": [Role, Arn]}
  Dangling:
    Type: AWS::CloudTrail::Trail
    Properties:
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt Gone.Arn
      CloudWatchLogsRoleArn: !GetAtt Role.Arn
""",
    "aliases.yaml": """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: &logs
      LogGroupName: /trail
      RetentionInDays: 30
  Trail:
    Type: AWS::CloudTrail::Trail
    Metadata:
      cloudtrail-lint:
        ignore:
          - {rule: CTL003, reason: dev account, expires: 2021-06-30}
          - {rule: CTL002, reason: the role is attached by the org pipeline}
    Properties: &trail
      S3BucketName: b
      CloudWatchLogsLogGroupArn: !GetAtt Logs.Arn
  Second:
    Type: AWS::CloudTrail::Trail
    Properties:
      <<: *trail
      IsLogging: true
""",
    "conditions.json": """\
{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Wire": {"Type": "String", "AllowedValues": ["yes", "no"]}},
  "Conditions": {"Wired": {"Fn::Equals": [{"Ref": "Wire"}, "yes"]}},
  "Resources": {
    "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 14}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
    "Trail": {
      "Type": "AWS::CloudTrail::Trail",
      "Properties": {
        "S3BucketName": "b",
        "CloudWatchLogsLogGroupArn": {"Fn::If": ["Wired", {"Fn::GetAtt": ["Logs", "Arn"]}, {"Ref": "AWS::NoValue"}]},
        "CloudWatchLogsRoleArn": {"Fn::If": ["Wired", {"Fn::GetAtt": ["Role", "Arn"]}, ""]}
      }
    }
  }
}
""",
}


def write_templates(dest: Path) -> list[str]:
    """Every rule's failing and fixed CloudFormation example, and :data:`WRITTEN`, under ``dest``."""
    texts = {f"{rule.id}_{kind}.yaml": getattr(rule.cloudformation, kind)
             for rule in ALL_RULES for kind in ("bad", "good")}
    texts.update(WRITTEN)
    for name, text in texts.items():
        (dest / name).write_text(text, encoding="utf-8")
    return sorted(texts)


def corpus_folders() -> list[Path]:
    cases = json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.is_file() else []
    return [CORPUS / case["path"] for case in cases if case["format"] == "cloudformation"]


#: YAML alias bombs: cfn-lint's own rules take half a minute on the chain, and cfn-lint 1.46 (the last for
#: Python 3.9) did not finish the others in ten minutes. cloudtrail-lint reports them as input errors (see
#: test_a_template_cloudtrail_lint_cannot_check_is_one_rule_error and tests/test_hostile_input.py).
SLOW_FOR_CFN_LINT = {"hostile_alias_bomb/chain.yaml", "hostile_alias_bomb/bomb.yaml",
                     "hostile_alias_bomb/bomb_config.yaml", "hostile_alias_bomb/recursive.yaml"}
#: Serverless Framework files hold CloudFormation under `resources:`; cfn-lint does not read them.
NOT_FOR_CFN_LINT = {f for f in cloudformation_files(FIXTURES, [FIXTURES])
                    if f.rsplit("/", 1)[-1].startswith("serverless.")}
FIXTURE_FILES = [f for f in cloudformation_files(FIXTURES, [FIXTURES])
                 if f not in SLOW_FOR_CFN_LINT | NOT_FOR_CFN_LINT]
CORPUS_FILES = cloudformation_files(CORPUS, corpus_folders()) if MANIFEST.is_file() else []
WRITTEN_FILES = sorted([f"{rule.id}_{kind}.yaml" for rule in ALL_RULES for kind in ("bad", "good")] + list(WRITTEN))


@pytest.fixture(scope="module")
def fixtures_suite() -> Suite:
    return Suite(FIXTURES, FIXTURE_FILES)


@pytest.fixture(scope="module")
def corpus_suite() -> Suite:
    return Suite(CORPUS, CORPUS_FILES)


@pytest.fixture(scope="module")
def written_suite(tmp_path_factory: pytest.TempPathFactory) -> Suite:
    root = tmp_path_factory.mktemp("written")
    return Suite(root, write_templates(root))


# --------------------------------------------------------------------------- the rules


def test_rule_ids_are_the_published_table() -> None:
    assert RULE_IDS == {
        "CTL001": "E9501", "CTL002": "E9502", "CTL003": "E9503", "CTL004": "E9504", "CTL005": "E9505",
        "CTL006": "E9506", "CTL007": "E9507", "CTL010": "I9510", "CTL900": "W9590",
    }


def test_every_rule_has_a_cfn_lint_rule_at_its_level() -> None:
    assert set(RULE_IDS) == {rule.id for rule in ALL_RULES}
    for rule in ALL_RULES:
        letter = "I" if rule.id == "CTL010" else {"error": "E", "warning": "W"}[rule.severity]
        number = int(rule.id[3:])
        assert RULE_IDS[rule.id] == f"{letter}{9500 + number if number < 100 else 9590 + number - 900}"


def test_the_folder_and_the_module_give_the_same_rules_and_nothing_else() -> None:
    for rules in (Rules.create_from_directory(rules_dir()), Rules.create_from_module(MODULE)):
        assert set(rules.data) == OUR_IDS
        for rule in rules.data.values():
            assert rule.shortdesc.startswith(f"{rule.ctl_id}: ")
            assert rule.ctl_id in rule.description
            assert rule.severity == {"E": "error", "W": "warning", "I": "informational"}[rule.id[0]]


def test_cfn_lint_rules_path_is_the_package_folder() -> None:
    folder = Path(rules_dir())
    assert folder == Path(_shared.__file__).parent
    assert (folder / "ctl_rules.py").is_file()


# --------------------------------------------------------------------------- same findings as cloudtrail-lint


def test_the_comparison_has_findings_of_every_rule(fixtures_suite: Suite, written_suite: Suite) -> None:
    """The parity tests below compare real findings: the fixtures alone have dozens, the rule examples
    and written templates each rule at least once."""
    assert len(FIXTURE_FILES) >= 60
    assert fixtures_suite.expected.total >= 50
    seen = {rule for found in written_suite.expected.findings.values() for rule, _, _ in found}
    assert seen == OUR_IDS


@pytest.mark.parametrize("file", FIXTURE_FILES)
def test_cli_fixture(fixtures_suite: Suite, file: str) -> None:
    fixtures_suite.check_cli(file)


@pytest.mark.parametrize("file", FIXTURE_FILES)
def test_api_fixture(fixtures_suite: Suite, file: str) -> None:
    fixtures_suite.check_api(file)


@pytest.mark.parametrize("file", WRITTEN_FILES)
def test_cli_written(written_suite: Suite, file: str) -> None:
    written_suite.check_cli(file)


@pytest.mark.parametrize("file", WRITTEN_FILES)
def test_api_written(written_suite: Suite, file: str) -> None:
    written_suite.check_api(file)


@pytest.mark.skipif(not MANIFEST.is_file(), reason=NO_CORPUS)
@pytest.mark.parametrize("file", CORPUS_FILES)
def test_cli_corpus(corpus_suite: Suite, file: str) -> None:
    corpus_suite.check_cli(file)


@pytest.mark.skipif(not MANIFEST.is_file(), reason=NO_CORPUS)
@pytest.mark.parametrize("file", CORPUS_FILES)
def test_api_corpus(corpus_suite: Suite, file: str) -> None:
    corpus_suite.check_api(file)


@pytest.mark.skipif(not MANIFEST.is_file(), reason=NO_CORPUS)
def test_corpus_comparison_has_findings(corpus_suite: Suite) -> None:
    assert len(CORPUS_FILES) >= 20
    assert corpus_suite.expected.total >= 10


@pytest.mark.parametrize("file", FIXTURE_FILES + [f"corpus/{f}" for f in CORPUS_FILES]
                         + [f"written/{f}" for f in WRITTEN])
def test_converted_template_is_what_the_front_end_reads(file: str, tmp_path: Path) -> None:
    """cfn-lint's decoded template, converted, is the front-end's data: values, unevaluated tags, and the
    position of every mapping, list and key. (Key order differs only where YAML merge keys (``<<``)
    add keys: cfn-lint puts them first, the front-end last.)"""
    if file.startswith("written/"):
        path = tmp_path / file[len("written/"):]
        path.write_text(WRITTEN[path.name], encoding="utf-8")
    else:
        path = CORPUS / file[len("corpus/"):] if file.startswith("corpus/") else FIXTURES / file
    if utf16(path):
        pytest.skip("cfn-lint reads UTF-8 only")
    try:
        front_end = load(path.read_text(encoding="utf-8-sig")).data
    except (ParseError, UnicodeDecodeError):
        pytest.skip("not a template cloudtrail-lint reads")
    decoded, errors = decode(str(path))
    if errors:
        pytest.skip("cfn-lint reports a parse error")
    assert _shape(positioned(decoded)) == _shape(front_end)


def _shape(value: Any) -> Any:
    """Values with positions, key order and key positions, comparable with ``==``."""
    if isinstance(value, dict):
        return ("map", value.line, value.col,
                sorted((str(k), value.key_pos[k], _shape(v)) for k, v in value.items()))
    if isinstance(value, Tagged):
        return ("tag", value.tag, value.line)
    if isinstance(value, list):
        return ("list", value.line, value.col, [_shape(v) for v in value])
    return (type(value).__name__, value)


# --------------------------------------------------------------------------- cfn-lint's mechanisms

UNWIRED = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Audit:
    Type: AWS::CloudTrail::Trail
    Metadata:
      cfn-lint:
        config:
          ignore_checks: [E9501]
    Properties:
      IsLogging: true
      S3BucketName: audit-logs
  Workloads:
    Type: AWS::CloudTrail::Trail
    Properties:
      IsLogging: true
      S3BucketName: workload-logs
"""


def api(text: str, **config: Any) -> list[tuple[str, int, int, str]]:
    """Our matches from cfn-lint's Python API, configured as documented: (id, line, column, message)."""
    matches = cfnlint_api.lint(text, config=ManualArgs(append_rules=[MODULE], **config))
    return sorted((m.rule.id, m.linenumber, m.columnnumber, m.message) for m in matches if m.rule.id in OUR_IDS)


def ids_at(found: list[tuple[Any, ...]]) -> list[tuple[str, int, int]]:
    return [(rule, line, column) for rule, line, column, *_ in found]


def cli_matches(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    return sorted((m["Rule"]["Id"], m["Location"]["Start"]["LineNumber"], m["Location"]["Start"]["ColumnNumber"],
                   m["Message"]) for m in json.loads(proc.stdout) if m["Rule"]["Id"] in OUR_IDS)


def test_metadata_ignore_checks_hides_the_finding_of_its_resource_only() -> None:
    assert ids_at(api(UNWIRED)) == [("E9501", 12, 3)]


def test_ignore_checks_option_hides_the_rule() -> None:
    assert api(UNWIRED, ignore_checks=["E9501"]) == []


def test_template_metadata_ignore_checks_hides_the_rule() -> None:
    text = UNWIRED.replace("Resources:\n", "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [E95]\n"
                           "Resources:\n", 1)
    assert api(text) == []


@pytest.mark.parametrize("where", ["folder", "module"])
def test_append_rules_in_cfnlintrc(tmp_path: Path, where: str) -> None:
    rules = rules_dir() if where == "folder" else MODULE
    (tmp_path / ".cfnlintrc").write_text(f"append_rules:\n  - {rules}\n", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(UNWIRED, encoding="utf-8")
    proc = cfn_lint(tmp_path, "--format", "json", "template.yaml")
    assert ids_at(cli_matches(proc)) == [("E9501", 12, 3)]
    assert proc.returncode == 2  # cfn-lint's error bit


def test_append_rules_with_equals_leaves_the_templates_to_lint(tmp_path: Path) -> None:
    """``--append-rules X template.yaml`` would read the template as a second rules path; the README's
    pre-commit args use ``--append-rules=X``, after which the file names pre-commit adds are templates."""
    (tmp_path / "template.yaml").write_text(UNWIRED, encoding="utf-8")
    proc = cfn_lint(tmp_path, f"--append-rules={MODULE}", "--ignore-checks", "E9501", "--format", "json",
                    "template.yaml")
    assert proc.returncode == 0, proc.stderr
    assert cli_matches(proc) == []


def test_inline_suppressions_are_honoured_with_the_messages_cloudtrail_lint_gives() -> None:
    proc = cfn_lint(FIXTURES / "adoption_cfn", "--append-rules", MODULE, "--format", "json", "--", "template.yaml")
    unwired = "CTL001: trail sends no events to CloudWatch Logs: no CloudWatchLogsLogGroupArn is set"
    assert cli_matches(proc) == [
        # Accepted (line 4) is suppressed until 2099; Expired's suppression ended in 2020
        ("E9501", 16, 3, f"{unwired} (suppression expired 2020-01-01: accepted until the 2020 migration)"),
        ("E9501", 27, 3, unwired),
        ("E9501", 37, 3, unwired),
        ("E9501", 46, 3, unwired),  # a checkov skip is not a cloudtrail-lint suppression
        ("W9590", 32, 13, "CTL900: invalid suppression: unknown rule 'CTL01'"),
        ("W9590", 42, 13, 'CTL900: invalid suppression: no reason given (add reason="why this is accepted")'),
        ("W9590", 61, 13, "CTL900: suppression of CTL003 matches no finding; remove it or move it to the"
                          " resource it is meant for"),
    ]


def test_unresolved_values_are_informational() -> None:
    text = (FIXTURES / "cfn_import_value" / "template.yaml").read_text(encoding="utf-8")
    assert api(text) == []
    assert [rule for rule, *_ in api(text, include_checks=["I"])] == ["I9510"]


@pytest.mark.parametrize(("days", "expected"), [
    (None, [("E9503", 35, 3, "keeps events 30 days; at least 365 are required")]),
    (90, [("E9503", 35, 3, "keeps events 30 days; at least 90 are required")]),
    (30, []),
])
def test_min_retention_days_is_a_rule_setting(days: int | None, expected: list[tuple[Any, ...]]) -> None:
    text = (FIXTURES / "cfn_retention_30" / "template.yaml").read_text(encoding="utf-8")
    config = {"configure_rules": {"E9503": {"min_retention_days": days}}} if days else {}
    found = [(rule, line, column, message.split("(<template>:5) ", 1)[-1])
             for rule, line, column, message in api(text, **config)]
    assert found == expected


def test_a_template_cloudtrail_lint_cannot_check_is_one_rule_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template deeper than the front-end accepts (cloudtrail-lint: an input error) gives no findings;
    E9501 alone raises, which cfn-lint reports as its E0002 naming the rule. (The fixture
    hostile_alias_bomb/chain.yaml is such a template, but cfn-lint's own rules take half a minute on it.)"""
    deep: Any = "x"
    for _ in range(501):
        deep = [deep]
    trail = {"Type": "AWS::CloudTrail::Trail", "Metadata": deep}
    cfn = type("Cfn", (), {"template": {"Resources": {"T": trail}}, "filename": "deep.yaml"})()
    monkeypatch.setattr(_shared, "_last", None)
    rules = Rules.create_from_module(MODULE).data
    for rule_id, rule in rules.items():
        if rule_id == "E9501":
            with pytest.raises(RuntimeError, match=r"^cloudtrail-lint could not check this template: TooDeep:"
                               r" nesting too deep \(more than 500 levels\)$"):
                rule.match(cfn)
        else:
            assert rule.match(cfn) == []


def test_messages_never_carry_control_characters() -> None:
    text = (FIXTURES / "hostile_control_chars" / "template.yaml").read_text(encoding="utf-8")
    ((_, _, _, message),) = api(text)
    assert message.startswith("CTL004: role value \\x1b[2J\\x0drole\\x07\\x9b31m is not an IAM role ARN")
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in message)


def test_findings_span_the_logical_id_and_name_the_resource() -> None:
    text = (FIXTURES / "cfn_retention_30" / "template.yaml").read_text(encoding="utf-8")
    (match,) = [m for m in cfnlint_api.lint(text, config=ManualArgs(append_rules=[MODULE])) if m.rule.id in OUR_IDS]
    assert (match.linenumber, match.columnnumber, match.linenumberend, match.columnnumberend) == (35, 3, 35, 11)
    assert match.path == ["Resources", "DevTrail"]


def test_each_template_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _shared.violations

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(_shared, "violations", counting)
    monkeypatch.setattr(_shared, "_last", None)
    for name in ("cfn_retention_30", "cfn_missing_role"):
        assert api((FIXTURES / name / "template.yaml").read_text(encoding="utf-8"))
    assert calls == ["<template>", "<template>"]  # eight rules, two templates


def test_a_template_without_trails_or_directives_is_not_converted(monkeypatch: pytest.MonkeyPatch) -> None:
    converted = []
    monkeypatch.setattr(_shared, "positioned", lambda template: converted.append(template) or {})
    monkeypatch.setattr(_shared, "_last", None)
    bucket = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Logs:\n    Type: AWS::S3::Bucket\n'
    assert api(bucket) == []
    assert converted == []
    directive = {"Resources": {"Logs": {"Type": "AWS::S3::Bucket", "Metadata": {"cloudtrail-lint": {}}}}}
    _shared.outcome(type("Cfn", (), {"filename": "t.yaml", "template": directive})())
    assert converted == [directive]  # a directive alone may be a CTL900 finding


# --------------------------------------------------------------------------- cloudtrail-lint without cfn-lint


@pytest.mark.parametrize("args", [
    ["--version"], ["--list-rules"], ["--cfn-lint-rules-path"],
    ["--no-cache", "--format", "json", str(FIXTURES / "adoption_cfn"), str(FIXTURES / "cfn_retention_30")],
])
def test_cloudtrail_lint_never_imports_cfn_lint(args: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "cloudtrail_lint", *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    imported = [line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert "cloudtrail_lint.cli" in imported  # the check sees the imports
    assert [name for name in imported if name.startswith(("cfnlint", "cloudtrail_lint.cfnlint_rules"))] == []
    assert proc.returncode in (0, 1), proc.stderr[-2000:]


# --------------------------------------------------------------------------- the README's pre-commit setup

GIT = shutil.which("git")
#: cfn-lint's hook, as its repository defines it (.pre-commit-hooks.yaml); the stand-in repository
#: installs cfn-lint from the package index, as cfn-lint's own repository does by being cfn-lint.
CFN_LINT_HOOK = """\
- id: cfn-lint
  name: cfn-lint
  language: python
  entry: cfn-lint
  files: \\\\.(json|yaml|yml|template)$
"""
STAND_IN_PROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "cfn-lint-hook-stand-in"
version = "0"
dependencies = ["cfn-lint>=1.30"]

[tool.setuptools]
py-modules = []
"""


def readme_pre_commit_config() -> dict[str, Any]:
    """The pre-commit configuration the README's "Inside cfn-lint" section shows."""
    import yaml

    section = (REPO / "README.md").read_text(encoding="utf-8").split("\n## Inside cfn-lint\n", 1)[1]
    section = section.split("\n## ", 1)[0]
    return yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])


def git_env(home: Path) -> dict[str, str]:
    config = home / "gitconfig"
    config.write_text("[user]\n\tname = tests\n\temail = tests@example.invalid\n[init]\n\tdefaultBranch = main\n"
                      "[commit]\n\tgpgsign = false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env.update({"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1", "PRE_COMMIT_HOME": str(home / "cache"),
                "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    return env


def git_repo(folder: Path, env: dict[str, str], files: dict[str, str]) -> str:
    """Commit ``files`` (name: text) into a new repository in ``folder``; return the commit."""
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "files"]):
        subprocess.run([str(GIT), *args], cwd=folder, env=env, check=True, capture_output=True)
    return subprocess.run([str(GIT), "rev-parse", "HEAD"], cwd=folder, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.skipif(GIT is None, reason="git is not installed")
def test_readme_pre_commit_configuration_works_in_pre_commit(tmp_path: Path) -> None:
    """The README's hook configuration, run by the real pre-commit: cfn-lint's hook in its own virtual
    environment, cloudtrail-lint from ``additional_dependencies``, the rules by module name."""
    from .test_packaging import snapshot

    config = readme_pre_commit_config()
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "https://github.com/aws-cloudformation/cfn-lint"
    assert hook["id"] == "cfn-lint"
    assert hook["args"] == [f"--append-rules={MODULE}"]
    assert hook["additional_dependencies"][0].startswith("cloudtrail-lint @ git+")
    env = git_env(tmp_path)
    stand_in = tmp_path / "cfn-lint-hook"
    stand_in.mkdir()
    repo["repo"] = str(stand_in)
    repo["rev"] = git_repo(stand_in, env, {".pre-commit-hooks.yaml": CFN_LINT_HOOK,
                                           "pyproject.toml": STAND_IN_PROJECT})
    hook["additional_dependencies"] = [str(snapshot(tmp_path / "cloudtrail-lint"))]  # this working tree
    project = tmp_path / "project"
    project.mkdir()
    missing_role = (FIXTURES / "cfn_missing_role" / "template.yaml").read_text(encoding="utf-8")
    git_repo(project, env, {
        ".pre-commit-config.yaml": json.dumps(config),
        "templates/trail.yaml": missing_role,
        "templates/compliant.yaml": (FIXTURES / "cfn_compliant_yaml" / "template.yaml").read_text(encoding="utf-8"),
        "elsewhere/trail.yaml": missing_role,  # outside the hook's files
    })
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = [block.strip() for block in proc.stdout.split("\n\n") if block.strip()[:5] in OUR_IDS]
    assert found == ["E9502 CTL002: trail sets a CloudWatch Logs log group but no delivery role: no"
                     " CloudWatchLogsRoleArn is set\ntemplates/trail.yaml:11:3"], proc.stdout
