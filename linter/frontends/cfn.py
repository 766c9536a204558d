"""CloudFormation templates (YAML, JSON, SAM, CDK output) into position-keeping data."""

from __future__ import annotations

import re
from typing import Any, Callable

from ..sources import decode, read_bytes, read_head
from . import ParseError
from .yaml_nodes import load

#: A top-level key of a template, at the start of a line or after ``{``/``,``. Only blanks may precede
#: it on its line: ``\s*`` there would scan ahead over following blank lines from every line start,
#: quadratic time on a file of blank lines.
_HINT = re.compile(r"""(?:^|[{,])[ \t]*["']?(AWSTemplateFormatVersion|Resources)["']?\s*:""", re.M)
_PLAN_HINT = '"planned_values"'
_TEMPLATE_KEY = re.compile("AWSTemplateFormatVersion|Resources")
_TRAIL_TYPE = "AWS::CloudTrail::Trail"


def is_plan(data: Any) -> bool:
    """A Terraform plan in JSON (``terraform show -json plan.out``)."""
    return isinstance(data, dict) and "planned_values" in data and "format_version" in data


def is_template(data: Any) -> bool:
    """A template has AWSTemplateFormatVersion or a Resources mapping of ``AWS::`` types."""
    if not isinstance(data, dict):
        return False
    if "AWSTemplateFormatVersion" in data:
        return True
    resources = data.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(body, dict) and str(body.get("Type", "")).startswith("AWS::") for body in resources.values()
    )


def load_template(path: str, max_size: int) -> dict[str, Any] | None:
    """The template in ``path``, or None when the file is not a CloudFormation template."""
    loaded = load_document(path, max_size)
    return loaded[1] if loaded and loaded[0] == "cloudformation" else None


def load_document(path: str, max_size: int) -> tuple[str, dict[str, Any]] | None:
    """``("cloudformation", template)`` or ``("terraform-plan", plan)``; None when the file is neither."""
    try:
        raw = read_bytes(path, max_size)
    except ParseError as err:
        error = read_error(path, err)
        if error is not None:
            raise error from None
        return None  # too large, and not a template: skipped like any other file
    return document_from_bytes(raw, path)


def read_error(path: str, err: ParseError) -> ParseError | None:
    """A document that could not be read is an error only if it looks like a template or a plan;
    one that cannot be opened at all cannot be told apart from a template, so it is an error too."""
    try:
        head = read_head(path, 65536)  # a regular file only, and never blocking
    except ParseError:
        return err
    return err if looks_like_document(head) else None


def looks_like_document(head: bytes) -> bool:
    """Whether the start of a file reads like a template or a plan."""
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = head.decode("utf-16" if utf16 else "utf-8", "replace")
    return _names_template_key(text) or _names_plan_key(text)


def _names_template_key(text: str) -> bool:
    """A top-level template key; or, in a text that names the trail type, a template key written another
    way YAML and JSON allow (``? Resources``, ``!!str Resources:``, ``"R\\u0065sources"``): the parse
    decides then (a template must never be passed by for how its keys are written)."""
    if _HINT.search(text):
        return True

    def names_both(candidate: str) -> bool:
        return _TRAIL_TYPE in candidate and _TEMPLATE_KEY.search(candidate) is not None

    return names_both(text) or _decoded_matches(text, lambda t: bool(_HINT.search(t)) or names_both(t))


def _names_plan_key(text: str) -> bool:
    return _PLAN_HINT in text or _decoded_matches(text, lambda t: _PLAN_HINT in t)


def _decoded_matches(text: str, check: Callable[[str], bool]) -> bool:
    """``check`` on ``text`` with its escapes decoded (False when it has none: the usual case)."""
    if "\\" not in text:
        return False
    from ..prefilter import without_escapes

    decoded = without_escapes(text.encode("utf-8", "surrogatepass"))
    return decoded is not None and check(decoded.decode("utf-8", "replace"))


def document_from_bytes(raw: bytes, path: str) -> tuple[str, dict[str, Any]] | None:
    """:func:`load_document` for bytes already read.

    A file whose name is not one a folder walk reads (it was named on the command line) is read by its
    content: a template or a plan is read whatever the name, and Terraform configuration in it is an
    error that says Terraform would not read it either.
    """
    try:
        text = decode(raw)
    except ParseError:
        if looks_like_document(raw[:65536]):
            raise
        return None
    from .serverless import is_serverless

    serverless = is_serverless(path)
    plan_like = text.lstrip().startswith("{") and _names_plan_key(text)
    if not (plan_like or serverless or _names_template_key(text)):
        return _other_content(text, path)
    try:
        doc = load(text)
    except ParseError:
        if _usual_name(path) or _TEMPLATE_VERSION.search(text):
            raise
        return _other_content(text, path)  # named, and not YAML or JSON: not a template
    data = doc.data
    if plan_like and is_plan(data):
        return "terraform-plan", data
    if serverless:
        from .serverless import template_of

        data = template_of(data)
    data = _expanded(data, text)
    if not is_template(data):
        return _other_content(text, path)
    if doc.foreign_tags:
        tag = doc.foreign_tags[0]
        raise ParseError(f"YAML tag {tag.tag} is not allowed in a CloudFormation template", tag.line)
    if doc.duplicate_keys:
        key, line = doc.duplicate_keys[0]
        raise ParseError(f"duplicate key {key!r} (CloudFormation rejects templates with duplicate keys)", line)
    return "cloudformation", data


#: ``AWSTemplateFormatVersion`` as a top-level key: a named file that has it is a template, even a broken one.
_TEMPLATE_VERSION = re.compile(r"""^["']?AWSTemplateFormatVersion["']?\s*:""", re.M)
#: A top-level ``resource`` or ``module`` block of Terraform's native syntax.
_TERRAFORM_BLOCK = re.compile(r'^[ \t]*(?:resource[ \t]+"[^"\n]+"[ \t]+"[^"\n]+"|module[ \t]+"[^"\n]+")[ \t]*\{', re.M)
_USUAL_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cform", ".cfn")


def _usual_name(path: str) -> bool:
    """Whether a folder walk reads files of this name as templates (otherwise the file was named)."""
    return path.endswith(_USUAL_SUFFIXES)


def _expanded(data: Any, text: str) -> Any:
    """``data`` with its ``Fn::ForEach`` loops expanded (a malformed loop is an error in a template only)."""
    if "ForEach" not in text and "\\u" not in text:
        return data
    from .cfn_foreach import expand, has_loops

    if not has_loops(data):
        return data
    try:
        return expand(data)
    except ParseError:
        if isinstance(data, dict) and ("AWSTemplateFormatVersion" in data or "Transform" in data or is_template(data)):
            raise
        return data


def _other_content(text: str, path: str) -> None:
    """None (skipped: not infrastructure as code), unless a named file holds Terraform configuration."""
    if _usual_name(path) or not _TERRAFORM_BLOCK.search(text):
        return None
    from .hcl import parse_hcl

    try:
        parsed = parse_hcl(text, path)
    except ParseError:
        return None  # a Markdown or template file that quotes Terraform
    block = next((b for b in parsed.blocks if b.type in ("resource", "module")), None)
    if block is None:
        return None
    raise ParseError("Terraform configuration in a file Terraform and OpenTofu do not read: they read only .tf,"
                     " .tf.json, .tofu and .tofu.json files, so this file is not part of any module; rename it"
                     " to lint it", block.line, block.col)
