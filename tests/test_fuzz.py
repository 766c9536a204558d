"""Issue #6: property-based fuzzing of the whole command and of the front-ends.

Generated Terraform modules (trails, log groups and roles whose attributes are random expressions)
and CloudFormation templates (valid ones, in JSON, long-form and short-form YAML, then randomly
mutated: byte flips, truncation, inserted tags and aliases, control characters) must keep the
guarantees: no exception escapes (not even one caught as an "internal error"), the exit status is 0,
1 or 2 (2 exactly when ``errors`` is not empty), the JSON report parses, and every error names a file.

The budgets here keep CI quick; ``bench/fuzz_long.py`` runs the same properties for longer.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import lint

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FUZZ_FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MARKER = Path("/tmp/cloudtrail-lint-fuzz-marker")

# --------------------------------------------------------------------------- properties


@pytest.fixture(autouse=True, scope="module")
def _own_cache(tmp_path_factory: pytest.TempPathFactory):
    """A cache of this module's own: the text run of each example reads back what its JSON run pickled."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLOUDTRAIL_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield



def check_report(result) -> dict:
    """The guarantees every run keeps, whatever its input."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    report = json.loads(result.stdout)
    for error in report["errors"]:
        assert isinstance(error["file"], str) and error["file"], error
        assert isinstance(error["line"], int) and error["line"] >= 0, error
        assert error["message"] and "internal error" not in error["message"], error
    assert (result.exit_code == 2) == bool(report["errors"]), report["summary"]
    for finding in report["findings"]:
        assert finding["rule"] != "CTL999", finding  # a rule raised
        assert finding["file"] and finding["line"] >= 0, finding
    return report


def lint_files(files: dict[str, bytes | str], *args: str) -> dict:
    """Write ``files`` to a fresh folder, lint it (JSON report) and check the guarantees."""
    with tempfile.TemporaryDirectory(prefix="ctl-fuzz-") as folder:
        for name, data in files.items():
            path = Path(folder) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        result = lint(folder, "--format", "json", *args, ".")
        report = check_report(result)
        text = lint(folder, *args, ".")
        assert text.exit_code == result.exit_code
        shown = text.stdout + text.stderr
        assert not {c for c in shown if (ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F}
    assert not MARKER.exists(), "an input was executed"
    return report


# --------------------------------------------------------------------------- Terraform

NAMES = st.sampled_from(["main", "trail", "org", "audit", "x", "logs", "this"])
# NUL makes a file binary (an input error by design), so valid HCL strings do not hold it
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                       exclude_characters='"\\$%\n\r\x00'), max_size=12)
HCL_STRING_ESCAPES = st.sampled_from(["\\n", "\\t", '\\"', "\\\\", "\\u00e9", "$${literal}", "%%{literal}"])


@st.composite
def hcl_string(draw) -> str:
    parts = draw(st.lists(st.one_of(WORDS, HCL_STRING_ESCAPES), max_size=4))
    return '"' + "".join(parts) + '"'


def hcl_reference() -> st.SearchStrategy[str]:
    attr = st.sampled_from(["arn", "name", "id", "unique_id", "retention_in_days", "nope"])
    return st.one_of(
        st.builds(lambda n, a: f"aws_cloudwatch_log_group.{n}.{a}", NAMES, attr),
        st.builds(lambda n, a: f"aws_iam_role.{n}.{a}", NAMES, attr),
        st.builds(lambda n, a: f"aws_cloudwatch_log_group.{n}[0].{a}", NAMES, attr),
        st.builds(lambda n, a: f"aws_iam_role.{n}[*].{a}", NAMES, attr),
        st.builds(lambda n: f"data.aws_iam_role.{n}.arn", NAMES),
        st.builds(lambda n: f"var.{n}", NAMES),
        st.builds(lambda n: f"local.{n}", NAMES),
        st.builds(lambda n: f"module.{n}.arn", NAMES),
        st.sampled_from(["count.index", "each.value", "each.key", "path.module", "terraform.workspace"]),
    )


LITERALS = st.one_of(
    hcl_string(),
    st.integers(min_value=-10, max_value=4000).map(str),
    st.sampled_from(["true", "false", "null", "1.5", "0", "365", "3653", "1e3", '""',
                     '"arn:aws:logs:us-east-1:123456789012:log-group:g:*"',
                     '"arn:aws:iam::123456789012:role/r"', '"arn:aws:s3:::bucket"']),
)


def _extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    fn = st.sampled_from(["format", "join", "coalesce", "lookup", "try", "element", "jsonencode", "tostring",
                          "tonumber", "lower", "replace", "concat", "length", "max", "nonexistent_fn", "can",
                          "one", "trimsuffix", "split", "merge", "tolist", "file", "templatefile"])
    return st.one_of(
        st.builds(lambda e: f'"${{{e}}}:*"', inner),
        st.builds(lambda a, b: f'"arn:${{{a}}}:log-group:${{{b}}}"', inner, inner),
        st.builds(lambda f, args: f"{f}({', '.join(args)})", fn, st.lists(inner, max_size=3)),
        st.builds(lambda c, a, b: f"{c} ? {a} : {b}", st.sampled_from(
            ["true", "false", "var.enabled", 'var.env == "prod"', "local.x != null", "length(var.l) > 0"]),
            inner, inner),
        st.builds(lambda items: f"[{', '.join(items)}]", st.lists(inner, max_size=3)),
        st.builds(lambda kv: "{ " + ", ".join(f"{k} = {v}" for k, v in kv) + " }",
                  st.lists(st.tuples(NAMES, inner), max_size=3)),
        st.builds(lambda coll, body: f"[for x in {coll} : {body}]", inner, st.one_of(inner, st.just("x"))),
        st.builds(lambda a, op, b: f"{a} {op} {b}", inner, st.sampled_from(["+", "-", "*", "==", "&&", "||"]),
                  inner),
        st.builds(lambda e: f"({e})", inner),
        st.builds(lambda c, a: f'"%{{ if {c} }}{a}%{{ endif }}"', st.sampled_from(["true", "var.x"]), WORDS),
    )


HCL_EXPR = st.recursive(st.one_of(LITERALS, hcl_reference()), _extend, max_leaves=8)


def _block(kind: str, name: str, attrs: list[tuple[str, str]], meta: str = "") -> str:
    body = "".join(f"  {key} = {value}\n" for key, value in attrs)
    return f'resource "{kind}" "{name}" {{\n{meta}{body}}}\n'


@st.composite
def terraform_module(draw) -> dict[str, str]:
    """A syntactically valid module: trails, log groups, roles, variables and locals with random values."""
    blocks = []
    meta = st.one_of(st.just(""), st.builds(lambda e: f"  count = {e}\n", HCL_EXPR),
                     st.builds(lambda e: f"  for_each = {e}\n", HCL_EXPR))
    for name in draw(st.lists(NAMES, max_size=2, unique=True)):
        attrs = [("name", draw(HCL_EXPR))]
        if draw(st.booleans()):
            attrs.append(("retention_in_days", draw(HCL_EXPR)))
        blocks.append(_block("aws_cloudwatch_log_group", name, attrs, draw(meta)))
    for name in draw(st.lists(NAMES, max_size=2, unique=True)):
        blocks.append(_block("aws_iam_role", name, [("name", draw(HCL_EXPR)),
                                                     ("assume_role_policy", draw(HCL_EXPR))]))
    for name in draw(st.lists(NAMES, min_size=1, max_size=2, unique=True)):
        attrs = [("name", draw(HCL_EXPR)), ("s3_bucket_name", draw(HCL_EXPR))]
        for key in ("cloud_watch_logs_group_arn", "cloud_watch_logs_role_arn"):
            if draw(st.integers(0, 4)):
                attrs.append((key, draw(HCL_EXPR)))
        blocks.append(_block("aws_cloudtrail", name, attrs, draw(meta)))
    for name in draw(st.lists(NAMES, max_size=3, unique=True)):
        default = draw(st.one_of(st.just(""), HCL_EXPR.map(lambda e: f"  default = {e}\n")))
        blocks.append(f'variable "{name}" {{\n{default}}}\n')
    local_values = draw(st.lists(st.tuples(NAMES, HCL_EXPR), max_size=3, unique_by=lambda kv: kv[0]))
    if local_values:
        blocks.append("locals {\n" + "".join(f"  {k} = {v}\n" for k, v in local_values) + "}\n")
    files = {"main.tf": "\n".join(blocks)}
    tfvars = draw(st.lists(st.tuples(NAMES, HCL_EXPR), max_size=2, unique_by=lambda kv: kv[0]))
    if tfvars:
        files["terraform.tfvars"] = "".join(f"{k} = {v}\n" for k, v in tfvars)
    return files


@FUZZ
@given(terraform_module())
def test_fuzz_terraform_modules(files: dict[str, str]) -> None:
    report = lint_files(files)
    assert report["errors"] == [], files  # the generator writes valid HCL, whatever its values


# --------------------------------------------------------------------------- CloudFormation


class Short:
    """A short-form intrinsic (``!Ref x``) for the YAML dumper."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_short(dumper: yaml.SafeDumper, data: Short) -> yaml.Node:
    if isinstance(data.value, list):
        return dumper.represent_sequence(data.tag, data.value)
    if isinstance(data.value, dict):
        return dumper.represent_mapping(data.tag, data.value)
    return dumper.represent_scalar(data.tag, str(data.value))


_Dumper.add_representer(Short, _represent_short)

LOGICAL = st.sampled_from(["Trail", "TrailLogGroup", "TrailRole", "LogGroup2", "Param", "Missing"])
CFN_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=16)


def _fn(name: str, arg: Any) -> dict:
    return {"Ref" if name == "Ref" else f"Fn::{name}": arg}


def _extend_cfn(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda r, a: _fn("GetAtt", [r, a]), LOGICAL, st.sampled_from(["Arn", "Name", "Nope"])),
        st.builds(lambda r: _fn("GetAtt", f"{r}.Arn"), LOGICAL),
        st.builds(lambda s: _fn("Sub", s), st.sampled_from(
            ["arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${TrailLogGroup}:*",
             "${TrailLogGroup.Arn}", "${Missing}", "${!Literal}", "${",
             "arn:aws:iam::${AWS::AccountId}:role/x"])),
        st.builds(lambda s, v: _fn("Sub", [s, v]), st.just("${A}:*"), st.dictionaries(st.just("A"), inner)),
        st.builds(lambda items: _fn("Join", [":", items]), st.lists(inner, max_size=3)),
        st.builds(lambda c, a, b: _fn("If", [c, a, b]), st.sampled_from(["IsProd", "Nope"]), inner, inner),
        st.builds(lambda v: _fn("ImportValue", v), inner),
        st.builds(lambda i, items: _fn("Select", [i, items]), st.integers(-1, 3),
                  st.lists(inner, max_size=3)),
        st.builds(lambda v: _fn("Split", [",", v]), inner),
        st.builds(lambda k: _fn("FindInMap", ["Map", k, "Arn"]), st.sampled_from(["a", "b", "zz"])),
        st.builds(lambda v: _fn("Base64", v), inner),
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["A", "B", "Fn::Nope"]), inner, max_size=2),
    )


REFS = st.one_of(LOGICAL, st.sampled_from(["AWS::NoValue", "AWS::Region"]))
ARNS = st.sampled_from(["arn:aws:logs:us-east-1:123456789012:log-group:g:*", "arn:aws:iam::1:role/r"])
CFN_VALUE = st.recursive(
    st.one_of(CFN_TEXT, st.integers(-5, 4000), st.booleans(), st.none(), ARNS,
              st.builds(lambda r: _fn("Ref", r), REFS)),
    _extend_cfn, max_leaves=6)


@st.composite
def cfn_template(draw) -> dict:
    resources: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["TrailLogGroup", "LogGroup2"]), max_size=2, unique=True)):
        props = {"RetentionInDays": draw(CFN_VALUE)} if draw(st.booleans()) else {}
        resources[name] = {"Type": "AWS::Logs::LogGroup", "Properties": props}
    if draw(st.booleans()):
        resources["TrailRole"] = {"Type": "AWS::IAM::Role", "Properties": {"RoleName": draw(CFN_VALUE)}}
    trail: dict[str, Any] = {"S3BucketName": draw(CFN_VALUE), "IsLogging": True}
    for key in ("CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn"):
        if draw(st.integers(0, 4)):
            trail[key] = draw(CFN_VALUE)
    resources["Trail"] = {"Type": "AWS::CloudTrail::Trail", "Properties": trail}
    if draw(st.booleans()):
        resources["Trail"]["Condition"] = draw(st.sampled_from(["IsProd", "Nope"]))
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if draw(st.booleans()):
        template["Parameters"] = {"Param": {"Type": "String", **({"Default": draw(CFN_VALUE)}
                                                                 if draw(st.booleans()) else {})}}
    if draw(st.booleans()):
        template["Conditions"] = {"IsProd": _fn("Equals", [draw(CFN_VALUE), "prod"])}
    if draw(st.booleans()):
        template["Mappings"] = {"Map": {"a": {"Arn": draw(CFN_VALUE)}}}
    return template


def _short_form(value: Any) -> Any:
    """Long-form intrinsics as short-form tags (``{"Ref": x}`` becomes ``!Ref x``)."""
    if isinstance(value, list):
        return [_short_form(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref" or (key.startswith("Fn::") and key != "Fn::Nope"):
                return Short("!" + key.replace("Fn::", ""), _short_form(arg))
        return {k: _short_form(v) for k, v in value.items()}
    return value


def serialise(template: dict, form: str) -> tuple[str, str]:
    """(file name, text) of ``template`` as JSON, long-form YAML or short-form YAML."""
    if form == "json":
        return "template.json", json.dumps(template, indent=2, ensure_ascii=False)
    if form == "yaml":
        return "template.yaml", yaml.safe_dump(template, sort_keys=False, allow_unicode=True)
    short = _short_form(template)
    return "template.yaml", yaml.dump(short, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


FORMS = st.sampled_from(["json", "yaml", "short"])


@FUZZ
@given(cfn_template(), FORMS)
def test_fuzz_valid_cloudformation(template: dict, form: str) -> None:
    name, text = serialise(template, form)
    report = lint_files({name: text})
    assert report["errors"] == [], text  # a valid template is always read
    assert report["summary"]["files_linted"] == 1


INSERTIONS = [
    f'!!python/object/apply:os.system ["touch {MARKER}"] ', "!!python/name:os.system ", "!Foo ", "!!binary ",
    "!!set ", "&a ", "*a ", "*nope ", "<<: *a\n", "\x00", "\x1b[31m", "\x07", "\r", "\ufeff", "\t", "{", "[",
    "]", "}", '"', "'", ": ", "- ", "\n  ", "#", "%YAML 1.1\n", "---\n", "...\n", "? ", "|\n", ">-\n",
    "\udcff", "\u202e", "\\", "${", "\n" + "- " * 600,
]


@st.composite
def mutated(draw, text_strategy: st.SearchStrategy[tuple[str, str]]) -> tuple[str, bytes]:
    """A document after a few random edits at byte level."""
    name, text = draw(text_strategy)
    data = bytearray(text.encode("utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "duplicate", "crlf", "bom16"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        elif kind == "insert":
            piece = draw(st.sampled_from(INSERTIONS))
            data[at:at] = piece.encode("utf-8", "surrogateescape")
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 20))]
        elif kind == "duplicate":
            end = data.find(b"\n", at)
            line_start = data.rfind(b"\n", 0, at) + 1
            if end > 0:
                data[end + 1:end + 1] = data[line_start:end + 1]
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        elif kind == "bom16":
            with contextlib.suppress(UnicodeDecodeError):
                data = bytearray(b"\xff\xfe" + bytes(data).decode("utf-8").encode("utf-16-le"))
    return name, bytes(data)


@FUZZ
@given(mutated(st.builds(serialise, cfn_template(), FORMS)))
def test_fuzz_mutated_cloudformation(doc: tuple[str, bytes]) -> None:
    name, data = doc
    lint_files({name: data, "ok/trail.yml": _OK_TEMPLATE})


@FUZZ
@given(mutated(terraform_module().map(lambda files: ("main.tf", files["main.tf"]))))
def test_fuzz_mutated_terraform(doc: tuple[str, bytes]) -> None:
    name, data = doc
    report = lint_files({f"mod/{name}": data, "ok/trail.yml": _OK_TEMPLATE})
    assert {f["file"] for f in report["findings"]} >= {"ok/trail.yml"}  # the valid file is still linted


_OK_TEMPLATE = (Path(__file__).parent / "fixtures" / "cfn_no_cloudwatch" / "trail.yml").read_text("utf-8")


# --------------------------------------------------------------------------- front-ends alone (fast)


@FUZZ_FAST
@given(st.binary(max_size=400))
def test_fuzz_decode_bytes(raw: bytes) -> None:
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.sources import decode

    try:
        text = decode(raw)
    except ParseError as err:
        assert err.message and err.line >= 0
        return
    assert "\x00" not in text and "\r\n" not in text


YAMLISH = st.lists(st.sampled_from([*"{}[]-?:,&*!|>'\"#% \n\tab01.", "!Ref ", "!!str ", "<<", "&a ", "*a"]),
                   max_size=80).map("".join)


@FUZZ_FAST
@given(st.one_of(YAMLISH, st.text(max_size=80)))
def test_fuzz_yaml_loader(text: str) -> None:
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.frontends.yaml_nodes import load

    try:
        load(text)
    except ParseError as err:
        assert err.message and err.line >= 0


HCLISH = st.lists(st.sampled_from([*'{}[]()"=.,:?!<>+-*/%$#\n ab1', "${", "%{", "<<EOF\n", "\nEOF\n",
                                   "resource ", "for ", " in ", "=>", "...", "/*", "*/", "//"]),
                   max_size=80).map("".join)


@FUZZ_FAST
@given(st.one_of(HCLISH, HCL_EXPR.map(lambda e: f"locals {{\n  x = {e}\n}}\n")))
def test_fuzz_hcl_parser(text: str) -> None:
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.frontends.hcl import parse_hcl

    try:
        parse_hcl(text, "fuzz.tf")
    except ParseError as err:
        assert err.message.startswith("invalid HCL") and err.line >= 0


def test_fuzz_marker_never_created() -> None:
    """The tags inserted by the mutations would create this file if one were ever constructed."""
    assert not os.path.exists(MARKER)


# --------------------------------------------------------------------------- regressions found by fuzzing


def test_regression_for_expression_over_a_number() -> None:
    """``[for x in 1 : x]`` raised TypeError in the Terraform resolver (now unknown: Terraform errors)."""
    main = ('resource "aws_cloudtrail" "main" {\n  count = [for x in 1 : x]\n  name = "n"\n'
            '  s3_bucket_name = "b"\n  cloud_watch_logs_group_arn = [for x in true : x]\n}\n')
    report = lint_files({"main.tf": main})
    assert report["errors"] == [] and report["summary"]["trails"] == 1


def test_regression_collection_tag_on_a_scalar() -> None:
    """``!!set key: value`` made PyYAML hand back an empty set, which then failed as a mapping key."""
    from cloudtrail_lint.frontends.yaml_nodes import load

    data = load("!!set AWSTemplateFormatVersion: '2010-09-09'\nx: !!seq y\nz: !!omap w\n").data
    assert data == {"AWSTemplateFormatVersion": "2010-09-09", "x": "y", "z": "w"}


def test_regression_json_characters_yaml_rejects() -> None:
    """Raw DEL, C1, NEL, LS/PS, U+FFFE/U+FFFF: valid in JSON strings, rejected or folded as YAML."""
    from cloudtrail_lint.frontends.yaml_nodes import load

    doc = {"Resources": {"A\x7f": {"Type": "x\x80\x85\x9f\u2028\u2029\ufffe\uffff"}}}
    assert load(json.dumps(doc, ensure_ascii=False, indent=2)).data == doc
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Description": "\x80",
                "Resources": {"T": {"Type": "AWS::CloudTrail::Trail"}}}
    report = lint_files({"t.json": json.dumps(template, ensure_ascii=False)})
    assert report["errors"] == [] and report["summary"]["trails"] == 1


def test_regression_self_referencing_mappings_and_properties() -> None:
    """A mapping value that is a FindInMap of itself, a role named after its own ARN: endless recursion."""
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Mappings": {"Map": {"a": {"Arn": {"Fn::FindInMap": ["Map", "a", "Arn"]}}}},
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": {"Fn::GetAtt": ["Role", "Arn"]}}},
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {
                "S3BucketName": "b", "CloudWatchLogsLogGroupArn": {"Fn::FindInMap": ["Map", "a", "Arn"]},
                "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["Role", "Arn"]}}},
        },
    }
    report = lint_files({"t.json": json.dumps(template)})
    assert report["errors"] == []
    assert any("Fn::FindInMap Map/a/Arn refers to itself" in f["message"] for f in report["findings"])
