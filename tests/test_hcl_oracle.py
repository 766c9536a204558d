"""Issue #12 (7): HCL that Terraform accepts is parsed, to the values HashiCorp's parser gives.

HashiCorp's own parser (``@cdktf/hcl2json``: hashicorp/hcl compiled to WebAssembly, run by node) is the
oracle. Every ``.tf`` file of the fixtures and of the labelled corpus, and variants of each with comments
and escapes everywhere HCL allows them, go through it in one node process; wherever it accepts a file,
our front-end must parse it too and give the same literals, strings, references and block structure.
Where it rejects a file we may be more lenient (docs/hcl-compat.md lists what and why). The divergences
found that way are also pinned below as plain examples that run without node.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cloudtrail_lint.frontends import ParseError
from cloudtrail_lint.frontends.hcl import _filtered_parser, parse_hcl
from cloudtrail_lint.sources import decode

from . import hcl_oracle as oracle
from .conftest import FIXTURES, SHARED, lint

CORPUS = SHARED / "corpus"
#: Variants with one comment at one place, per file (the all-at-once variants cover every place).
ONE_PLACE_VARIANTS = 6

# --------------------------------------------------------------------------- divergences, pinned

#: (HCL, the file in the oracle's form), read as HashiCorp reads it: python-hcl2 alone rejects or misreads
#: all but the three with line breaks inside brackets, which guard how the token filter handles those
#: (test_pinned_cases_are_what_hashicorp_says checks the forms with the oracle).
PINNED = [
    ('v = /* c */ "1.0.8"\n', {"v": "1.0.8"}),
    ('resource /* c */ "aws_cloudtrail" "t" {\n  name = "t"\n}\n',
     {"resource": {"aws_cloudtrail": {"t": [{"name": "t"}]}}}),
    ('resource "aws_cloudtrail" /* c */ "t" /* c */ {\n  name /* c */ = "t" /* c */\n}\n',
     {"resource": {"aws_cloudtrail": {"t": [{"name": "t"}]}}}),
    ('x = jsonencode /* c */ ({ a = 1 })\n', {"x": "${jsonencode /* c */ ({ a = 1 })}"}),
    ("a = /* one\n two */ 1\n", {"a": 1}),
    ("x = [\n  1 # c\n  , 2\n]\n", {"x": [1, 2]}),
    ('x = f(\n  a, # c\n  b\n)\n', {"x": "${f(\n  a, # c\n  b\n)}"}),
    ("x = (a\n  + b)\n", {"x": "${(a\n  + b)}"}),
    ("x = { for k, v in var.m : k\n  => v }\n", {"x": "${{ for k, v in var.m : k\n  => v }}"}),
    ('x = "${var.a /* c */}"\n', {"x": "${var.a}"}),
    ('resource "aws_\\u0063loudtrail" "\\U00000074" {}\n', {"resource": {"aws_cloudtrail": {"t": [{}]}}}),
    ('resource "a$${b}" "c" {}\n', {"resource": {"a${b}": {"c": [{}]}}}),
]


@pytest.mark.parametrize(("text", "expected"), PINNED, ids=[repr(t[:40]) for t, _ in PINNED])
def test_pinned_divergences_are_read_as_hashicorp_reads_them(text: str, expected: dict[str, Any]) -> None:
    ours = oracle.tf_file(parse_hcl(text, "main.tf"))
    assert oracle.differences(ours, oracle.normalise(expected)) == []


def test_comments_keep_every_position() -> None:
    tf = parse_hcl('resource /* a */ "aws_cloudtrail" "t" {\n  name = /* b\n */ "x" # c\n  s3 = [ # d\n'
                   '    "b",\n  ]\n}\n', "main.tf")
    (block,) = tf.blocks
    assert (block.labels, block.line, block.col, block.end_line) == (["aws_cloudtrail", "t"], 1, 1, 7)
    assert [(a.name, a.line, a.col, a.expr.line, a.expr.col) for a in block.attrs.values()] == [
        ("name", 2, 3, 3, 5), ("s3", 4, 3, 4, 8)]
    assert block.attrs["s3"].expr.items[0].line == 5
    # every comment reaches the suppressions, those python-hcl2 could not take included
    assert tf.comments == [(1, "/* a */"), (2, "/* b\n */"), (3, "# c"), (4, "# d")]


def test_errors_are_reported_where_they_are() -> None:
    with pytest.raises(ParseError) as missing:
        parse_hcl('resource "aws_cloudtrail" "t" {\n  name =\n}\n', "main.tf")
    assert (str(missing.value), missing.value.line) == ("invalid HCL: unexpected line break", 2)
    with pytest.raises(ParseError) as continued:
        parse_hcl("x = a\n  + b\n", "main.tf")  # HCL ends the attribute at the line break
    assert (str(continued.value), continued.value.line) == ("invalid HCL: unexpected '+'", 2)
    with pytest.raises(ParseError) as unclosed:
        parse_hcl("x = [\n  1,\n", "main.tf")
    assert unclosed.value.line == 3


def test_a_suppression_in_a_comment_python_hcl2_rejected_still_applies(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        '# cloudtrail-lint: ignore CTL001 reason="sandbox account"\n'
        'resource /* sandbox */ "aws_cloudtrail" "sandbox" {\n'
        '  name           = /* fixed */ "sandbox"\n'
        '  s3_bucket_name = "initech-sandbox-trail"\n'
        "}\n", encoding="utf-8")
    result = lint(tmp_path, "--format", "json", ".")
    assert result.json["errors"] == []
    assert [(f["rule"], f["line"], f["suppressed"]) for f in result.json["findings"]] == [("CTL001", 2, True)]
    assert result.exit_code == 0


def test_the_parser_is_built_as_python_hcl2_builds_its_own() -> None:
    """Same grammar and options as ``hcl2.parser.parser()`` (so the same Lark cache file loads, fast)."""
    from hcl2.parser import parser

    ours, theirs = _filtered_parser().options.options, parser().options.options
    assert {k: v for k, v in ours.items() if k != "postlex"} == {k: v for k, v in theirs.items() if k != "postlex"}


# --------------------------------------------------------------------------- the oracle


def _texts(root: Path) -> list[tuple[str, str]]:
    out = []
    for path in oracle.tf_files(root):
        try:
            out.append((str(path.relative_to(root)), decode(path.read_bytes())))
        except ParseError:
            continue  # not text (a hostile fixture): nothing to compare
    return out


def _with_variants(files: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for name, text in files:
        out.append((name, text))
        kinds = ("block comments everywhere", "# comments everywhere", "// comments everywhere",
                 "escapes everywhere")
        out += [(f"{name} ({kind})", variant) for kind, variant in zip(kinds, oracle.everywhere_variants(text))]
        out += [(f"{name} (one comment, #{n})", variant)
                for n, variant in enumerate(oracle.one_place_variants(text, ONE_PLACE_VARIANTS))]
    return out


def _groups() -> dict[str, list[tuple[str, str]]]:
    groups = {"fixtures": _with_variants(_texts(FIXTURES)),
              "pinned": [(repr(text), text) for text, _ in PINNED]}
    if CORPUS.is_dir():
        groups["corpus"] = _with_variants(_texts(CORPUS))
    return groups


@pytest.fixture(scope="module")
def answers() -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """Each group's inputs with the oracle's answer, from one node process."""
    reason = oracle.unavailable()
    if reason:
        pytest.skip(reason)
    groups = _groups()
    flat = [(group, name, text) for group, inputs in groups.items() for name, text in inputs]
    out: dict[str, list[tuple[str, str, dict[str, Any]]]] = {group: [] for group in groups}
    for (group, name, text), answer in zip(flat, oracle.run_oracle((Path(n).name, t) for _, n, t in flat)):
        out[group].append((name, text, answer))
    assert sum(map(len, out.values())) == len(flat), "the oracle answered fewer inputs than it was given"
    return out


def _disagreements(cases: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    problems = []
    for name, text, answer in cases:
        if not answer["ok"]:
            continue  # HashiCorp rejects it: we may be more lenient (docs/hcl-compat.md)
        try:
            ours = oracle.tf_file(parse_hcl(text, "main.tf"))
        except ParseError as err:
            problems.append(f"{name}: HashiCorp accepts it, we fail at line {err.line}: {err}\n{text}")
            continue
        diff = oracle.differences(ours, oracle.normalise(answer["value"]))
        if diff:
            problems.append(f"{name}: values differ: {'; '.join(diff[:5])}\n{text}")
    return problems


@pytest.mark.parametrize("group", ["fixtures", "corpus", "pinned"])
def test_the_front_end_agrees_with_hashicorp(answers: dict[str, list[Any]], group: str) -> None:
    if group not in answers:
        pytest.skip(f"the labelled corpus is not at {CORPUS} (it lives in the shared folder next to the "
                    "repository: ../shared/corpus)")
    cases = answers[group]
    assert cases
    accepted = sum(answer["ok"] for _, _, answer in cases)
    assert accepted >= len(cases) // 2, f"HashiCorp rejects most {group} inputs: is the oracle working?"
    problems = _disagreements(cases)
    assert not problems, f"{len(problems)} of {accepted} inputs HashiCorp accepts:\n\n" + "\n\n".join(problems[:8])


def test_pinned_cases_are_what_hashicorp_says(answers: dict[str, list[Any]]) -> None:
    for (text, expected), (_, _, answer) in zip(PINNED, answers["pinned"]):
        assert answer["ok"], (text, answer)
        assert oracle.differences(oracle.normalise(expected), oracle.normalise(answer["value"])) == [], text


def test_the_oracle_reads_what_it_is_given() -> None:
    """The oracle itself: values, escapes and errors come back for each input in order."""
    reason = oracle.unavailable()
    if reason:
        pytest.skip(reason)
    got = list(oracle.run_oracle([("a.tf", 'a = "\\u0041"\nb = [1, true]\n'), ("b.tf", "a = \n"),
                                  ("c.tf", "c = var.x\n")]))
    assert [g["ok"] for g in got] == [True, False, True]
    assert got[0]["value"] == {"a": "A", "b": [1, True]}
    assert "Invalid expression" in got[1]["error"]
    assert json.dumps(got[2]["value"]) == '{"c": "${var.x}"}'
