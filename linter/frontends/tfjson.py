"""Terraform JSON syntax (``.tf.json``, ``.tfvars.json``) into the same syntax tree as HCL."""

from __future__ import annotations

from typing import Any

from . import ParseError
from .hcl import parse_template
from .hcl_ast import Attribute, Block, Literal, Node, ObjectExpr, TfFile, TupleExpr
from .yaml_nodes import PosDict, PosList, load

#: Block types and how many labels each takes in JSON syntax.
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
           "locals": 0, "terraform": 0, "moved": 0, "import": 0, "check": 1}
#: Attributes whose JSON value is literal, never a template.
_LITERAL_ATTRS = {"default", "description", "type", "source", "version"}


def parse_tf_json(text: str, path: str, tfvars: bool = False) -> TfFile:
    doc = load(text)
    if doc.duplicate_keys:
        key, line = doc.duplicate_keys[0]
        raise ParseError(f"duplicate key {key!r}", line)
    data = doc.data
    if not isinstance(data, dict):
        raise ParseError("Terraform JSON must be an object at the top level", 1)
    out = TfFile(path)
    if tfvars:
        for key, value in data.items():
            line, col = data.key_pos.get(key, (1, 1))
            out.attrs[key] = Attribute(key, _literal(value), line, col)
        return out
    for block_type, body in data.items():
        if block_type.startswith("//"):
            continue
        labels = _LABELS.get(block_type)
        line, col = data.key_pos.get(block_type, (1, 1))
        for item in body if isinstance(body, list) else [body]:
            _blocks(block_type, [], item, labels if labels is not None else 0, out.blocks, path, line, col)
    return out


def _blocks(block_type: str, labels: list[str], body: Any, depth: int, out: list[Block], path: str,
            line: int, col: int) -> None:
    if depth:
        if not isinstance(body, dict):
            raise ParseError(f"{block_type} block body must be an object", getattr(body, "line", line))
        for label, inner in body.items():
            kline, kcol = body.key_pos.get(label, (line, col))
            for item in inner if isinstance(inner, list) else [inner]:
                _blocks(block_type, [*labels, label], item, depth - 1, out, path, kline, kcol)
        return
    if not isinstance(body, dict):
        raise ParseError(f"{block_type} block body must be an object", getattr(body, "line", line))
    end = _end_line(body, line)
    block = Block(block_type, labels, {}, [], line, col, end, path)
    literal = block_type == "variable"
    for key, value in body.items():
        if key.startswith("//"):
            continue
        kline, kcol = body.key_pos.get(key, (line, col))
        if block_type in ("locals", "terraform", "output", "variable", "module") or not _is_nested_block(value):
            expr = _literal(value) if (literal and key in _LITERAL_ATTRS) else _expr(value, kline, kcol)
            block.attrs[key] = Attribute(key, expr, kline, kcol)
        else:
            for item in value if isinstance(value, list) else [value]:
                _blocks(key, [], item, 0, block.blocks, path, kline, kcol)
    out.append(block)


def _is_nested_block(value: Any) -> bool:
    """``lifecycle``, ``event_selector`` and similar nested blocks are objects or lists of objects."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _end_line(body: Any, default: int) -> int:
    lines = [pos[0] for pos in getattr(body, "key_pos", {}).values()]
    return max(lines, default=default)


def _expr(value: Any, line: int, col: int) -> Node:
    if isinstance(value, str):
        return parse_template(value, line, col)
    if isinstance(value, PosList):
        return TupleExpr([_expr(v, v.line if hasattr(v, "line") else line, col) for v in value], line, col, "[...]")
    if isinstance(value, PosDict):
        items = [(Literal(k, line, col, k), _expr(v, *value.key_pos.get(k, (line, col)))) for k, v in value.items()]
        return ObjectExpr(items, line, col, "{...}")
    return Literal(value, line, col, repr(value))


def _literal(value: Any) -> Node:
    line = getattr(value, "line", 0)
    col = getattr(value, "col", 0)
    if isinstance(value, list):
        return TupleExpr([_literal(v) for v in value], line, col, "[...]")
    if isinstance(value, dict):
        return ObjectExpr([(Literal(k), _literal(v)) for k, v in value.items()], line, col, "{...}")
    return Literal(value, line, col, repr(value))
