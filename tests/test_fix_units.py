"""The fixer's building blocks: text edits and positions, terraform-fmt alignment, CloudFormation text."""

from __future__ import annotations

import codecs

import yaml
from cloudtrail_lint.fix.cfn_format import Style, get_att
from cloudtrail_lint.fix.context import retention_target
from cloudtrail_lint.fix.edits import Edit, Source
from cloudtrail_lint.fix.tf_format import align, assignment, chain_width, hcl_string


def test_edits_overlap_only_when_they_compete() -> None:
    assert not Edit(3, 3, "a").overlaps(Edit(3, 3, "b"))  # two inserts at one place: both kept, in order
    assert not Edit(3, 5, "x").overlaps(Edit(3, 5, "x"))  # the same edit twice is one edit
    assert Edit(3, 5, "x").overlaps(Edit(3, 5, "y"))
    assert Edit(3, 5, "x").overlaps(Edit(4, 4, "y"))
    assert Edit(3, 3, "x").overlaps(Edit(3, 6, "y"))
    assert not Edit(3, 5, "x").overlaps(Edit(5, 5, "y"))


def test_source_maps_positions_and_keeps_crlf_and_bom() -> None:
    raw = codecs.BOM_UTF8 + b"a = 1\r\nb = 2\r\n"
    source = Source("x.tf", raw)
    assert source.text == "a = 1\nb = 2\n"
    start = source.offset(2, 5)
    assert source.position(start) == (2, 5)
    assert source.text[start] == "2"
    end = len(source.text)
    stored = source.stored_after([Edit(start, start + 1, "365"), Edit(end, end, "c\n")])
    assert stored == "a = 1\r\nb = 365\r\nc\r\n"
    assert source.encode(stored).startswith(codecs.BOM_UTF8)
    rep = source.replacement(Edit(start, start + 1, "3\n6"))
    assert (rep.start_line, rep.start_column, rep.end_line, rep.end_column) == (2, 5, 2, 6)
    assert rep.text == "3\r\n6"


def test_mixed_line_endings_keep_each_line_as_it_was() -> None:
    source = Source("x.tf", b"a = 1\r\nb = 2\nc = 3\r\n")
    edit = Edit(source.offset(3, 5), source.offset(3, 6), "4")
    assert source.stored_after([edit]) == "a = 1\r\nb = 2\nc = 4\r\n"


def test_assignment_lines_are_told_from_openers_and_comparisons() -> None:
    assert assignment('  name = "x"') == 6
    assert assignment("  policy = jsonencode({") == -1
    assert assignment("  x = a == b") == 3
    assert assignment('  tags = { a = "}" }') == 6
    assert assignment("  # a = b") == -1
    assert assignment("  for_each = { for k, v in m : k => v }") == 10


def test_align_pads_each_chain_like_terraform_fmt() -> None:
    lines = [
        "  name = 1",
        "  retention_in_days = 2",
        "",
        "  policy = jsonencode({",
        '    Version = "2012-10-17"',
        "    Statement = [{",
        '      Effect = "Allow"',
        "      Principal = { Service = 1 }",
        "    }]",
        "  })",
    ]
    assert align(lines) == [
        "  name              = 1",
        "  retention_in_days = 2",
        "",
        "  policy = jsonencode({",
        '    Version = "2012-10-17"',
        "    Statement = [{",
        '      Effect    = "Allow"',
        "      Principal = { Service = 1 }",
        "    }]",
        "  })",
    ]
    assert chain_width(align(lines), 0) == len("  retention_in_days")


def test_hcl_strings_escape_interpolation() -> None:
    assert hcl_string('a"b\\c${x}%{y}') == '"a\\"b\\\\c$${x}%%{y}"'


def test_retention_target_rounds_up_to_an_accepted_value() -> None:
    assert retention_target(0, 365) == 365
    assert retention_target(30, 365) == 365
    assert retention_target(366, 365) == 400
    assert retention_target(90, 100) == 120
    assert retention_target(4000, 1) is None


def test_yaml_text_follows_the_template_style() -> None:
    style = Style(unit=4, seq_indent=0)
    lines = style.yaml_lines({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["a:B"]}],
                              "Resource": get_att("Group")}, 2)
    assert lines == [
        '  Version: "2012-10-17"',
        "  Statement:",
        "  - Effect: Allow",
        "    Action:",
        "    - a:B",
        "  Resource: !GetAtt Group.Arn",
    ]
    text = "\n".join(lines) + "\n"
    assert yaml.compose(text, Loader=yaml.SafeLoader) is not None
    assert Style(short=False).scalar(get_att("G")) == '{"Fn::GetAtt": ["G", "Arn"]}'
    for word in ("yes", "No", "null", "12", "a: b", "-x"):
        assert Style().scalar(word).startswith('"'), word


def test_json_text_keeps_calls_and_scalar_lists_on_one_line() -> None:
    style = Style(json=True, unit=2, colon=" : ")
    text = style.json_text({"A": [1, 2], "B": get_att("G"), "C": {"D": "e"}}, 4)
    assert text == '{\n      "A" : [1, 2],\n      "B" : {"Fn::GetAtt": ["G", "Arn"]},\n      "C" : {\n' \
                   '        "D" : "e"\n      }\n    }'
