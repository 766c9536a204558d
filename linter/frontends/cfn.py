"""CloudFormation templates (YAML, JSON, SAM, CDK output) into position-keeping data."""

from __future__ import annotations

import re
from typing import Any

from ..sources import decode, read_bytes, read_head
from . import ParseError
from .yaml_nodes import load

#: A top-level key of a template, at the start of a line or after ``{``/``,``. Only blanks may precede
#: it on its line: ``\s*`` there would scan ahead over following blank lines from every line start,
#: quadratic time on a file of blank lines.
_HINT = re.compile(r"""(?:^|[{,])[ \t]*["']?(AWSTemplateFormatVersion|Resources)["']?\s*:""", re.M)
_PLAN_HINT = '"planned_values"'


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
    return bool(_HINT.search(text)) or _PLAN_HINT in text


def document_from_bytes(raw: bytes, path: str) -> tuple[str, dict[str, Any]] | None:
    """:func:`load_document` for bytes already read."""
    try:
        text = decode(raw)
    except ParseError:
        if looks_like_document(raw[:65536]):
            raise
        return None
    plan_like = path.endswith(".json") and _PLAN_HINT in text
    if not plan_like and not _HINT.search(text):
        return None
    doc = load(text)
    if plan_like and is_plan(doc.data):
        return "terraform-plan", doc.data
    if not is_template(doc.data):
        return None
    if doc.foreign_tags:
        tag = doc.foreign_tags[0]
        raise ParseError(f"YAML tag {tag.tag} is not allowed in a CloudFormation template", tag.line)
    if doc.duplicate_keys:
        key, line = doc.duplicate_keys[0]
        raise ParseError(f"duplicate key {key!r} (CloudFormation rejects templates with duplicate keys)", line)
    return "cloudformation", doc.data
