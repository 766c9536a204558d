"""Parse results as plain JSON data for the parse cache, and back, checked field by field.

Nothing read back from the cache can run code: entries are JSON (the parser makes only strings,
numbers, lists, dicts, booleans and null), and this module turns that data into the linter's objects
itself, one explicit encoding per class. Every field is type-checked while decoding; anything else
(an unknown tag, a field of the wrong type, a list of the wrong length) makes the whole entry
:class:`Invalid`, and the caller parses the file again.

Encodings (each a JSON list that starts with a tag; ``l, c, s`` are a node's line, column and source):

- parse results: ``null`` (a file that is no template), ``["E", message, line, column]`` (a
  :class:`ParseError`), ``["F", path, blocks, attrs, comments]`` (a :class:`TfFile`), ``["D", kind,
  data]`` (a CloudFormation template or a Terraform plan);
- Terraform: a block ``[type, labels, attrs, blocks, line, col, end_line, file, end_col]``, attributes
  ``[key, name, expr, line, col, ...]`` (five fields per attribute, flat), expressions ``[tag, l, c, s,
  fields...]`` with the tags of :data:`_NODE_TAGS`;
- YAML/JSON data: strings, numbers, booleans and null as themselves; ``["m", line, col, [key, value,
  ...], [key, line, col, ...]]`` a mapping with its keys' positions, ``["l", line, col, [items]]`` a
  list, ``["t", tag, line]`` a value under a tag the linter does not interpret.
"""

from __future__ import annotations

import json
from typing import Any

from .frontends import ParseError
from .frontends.hcl_ast import (
    Attribute,
    BinOp,
    Block,
    Call,
    Conditional,
    ForExpr,
    GetAttr,
    Index,
    Literal,
    Name,
    Node,
    ObjectExpr,
    Opaque,
    Splat,
    Template,
    TfFile,
    TupleExpr,
    UnaryOp,
)
from .frontends.yaml_nodes import MAX_NODES, PosDict, PosList, Tagged

#: Bumped whenever an encoding changes (the cache directory is also versioned by this code's digest).
FORMAT = 1
#: What a document parse result may be.
DOCUMENT_KINDS = ("cloudformation", "terraform-plan")


class Invalid(Exception):
    """Cache data that is not a well-formed encoding: the entry is ignored."""


class Unencodable(Exception):
    """A value this codec has no encoding for (or too large to store): it is not cached."""


# --------------------------------------------------------------------------- bytes

def dumps(data: Any) -> bytes:
    """Compact JSON; names that are not UTF-8 (lone surrogates) survive as ``\\udcXX`` escapes."""
    try:
        return json.dumps(data, separators=(",", ":")).encode("ascii")
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an int of over 4,300 digits
        raise Unencodable(str(exc)) from None


def loads(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError, MemoryError):
        raise Invalid("not JSON") from None


# --------------------------------------------------------------------------- encoding

class _Encoder:
    """Objects into plain data. Aliased YAML values are written out each time they are used, so the
    number of values written is bounded (:data:`~.yaml_nodes.MAX_NODES`, as when a document is read)."""

    def __init__(self) -> None:
        self.left = MAX_NODES

    def result(self, value: Any) -> Any:
        if value is None:
            return None
        kind = type(value)
        if kind is ParseError:
            return ["E", _str(value.message), _int(value.line), _int(value.column)]
        if kind is TfFile:
            comments = []
            for line, text in value.comments:
                comments += (_int(line), _str(text))
            return ["F", _str(value.path), [self.block(b) for b in value.blocks], self.attrs(value.attrs),
                    comments]
        if kind is tuple and len(value) == 2 and value[0] in DOCUMENT_KINDS:
            return ["D", value[0], self.data(value[1])]
        raise Unencodable(kind.__name__)

    def block(self, block: Block) -> list:
        if type(block) is not Block:
            raise Unencodable(type(block).__name__)
        return [_str(block.type), [_str(label) for label in block.labels], self.attrs(block.attrs),
                [self.block(b) for b in block.blocks], _int(block.line), _int(block.col), _int(block.end_line),
                _str(block.file), _int(block.end_col)]

    def attrs(self, attrs: dict[str, Attribute]) -> list:
        out: list = []
        for key, attr in attrs.items():
            if type(attr) is not Attribute:
                raise Unencodable(type(attr).__name__)
            out += (_str(key), _str(attr.name), self.expr(attr.expr), _int(attr.line), _int(attr.col))
        return out

    def expr(self, node: Node) -> list:
        self._count()
        encode = _NODE_ENCODERS.get(type(node))
        if encode is None:
            raise Unencodable(type(node).__name__)
        return [encode[0], _int(node.line), _int(node.col), _str(node.src), *encode[1](self, node)]

    def optional(self, node: Node | None) -> list | None:
        return None if node is None else self.expr(node)

    def data(self, value: Any) -> Any:
        self._count()
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind is PosDict:
            items: list = []
            for key, item in value.items():
                items += (_key(key), self.data(item))
            positions: list = []
            for key, (line, col) in value.key_pos.items():
                positions += (_key(key), _int(line), _int(col))
            return ["m", _int(value.line), _int(value.col), items, positions]
        if kind is PosList:
            return ["l", _int(value.line), _int(value.col), [self.data(item) for item in value]]
        if kind is Tagged:
            return ["t", _str(value.tag), _int(value.line)]
        raise Unencodable(kind.__name__)

    def _count(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise Unencodable("too many values")


def _int(value: Any) -> int:
    if type(value) is not int:
        raise Unencodable(f"{type(value).__name__} for an int")
    return value


def _str(value: Any) -> str:
    if type(value) is not str:
        raise Unencodable(f"{type(value).__name__} for a str")
    return value


def _key(value: Any) -> Any:
    if type(value) not in _SCALARS:
        raise Unencodable(f"{type(value).__name__} as a key")
    return value


def _literal_value(enc: _Encoder, node: Literal) -> list:
    value = node.value
    if type(value) in _SCALARS:
        return [value]
    if type(value) is Tagged:
        return [enc.data(value)]
    raise Unencodable(f"{type(value).__name__} literal")


def _template_parts(enc: _Encoder, node: Template) -> list:
    return [[part if type(part) is str else enc.expr(part) for part in node.parts]]


def _splat_ops(enc: _Encoder, node: Splat) -> list:
    ops = []
    for kind, arg in node.ops:
        if kind == "attr":
            ops += ("attr", _str(arg))
        elif kind == "index":
            ops += ("index", enc.expr(arg))
        else:
            raise Unencodable(f"splat {kind!r}")
    return [enc.expr(node.obj), ops]


def _object_items(enc: _Encoder, node: ObjectExpr) -> list:
    items: list = []
    for key, value in node.items:
        items += (enc.expr(key), enc.expr(value))
    return [items]


def _for_fields(enc: _Encoder, node: ForExpr) -> list:
    key_var = None if node.key_var is None else _str(node.key_var)
    return [key_var, _str(node.val_var), enc.expr(node.coll), enc.optional(node.key_expr), enc.expr(node.val_expr),
            enc.optional(node.cond), _bool(node.grouping)]


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise Unencodable(f"{type(value).__name__} for a bool")
    return value


_SCALARS = (str, int, float, bool, type(None))

_NODE_ENCODERS: dict[type, tuple[str, Any]] = {
    Literal: ("L", _literal_value),
    Template: ("T", _template_parts),
    Name: ("N", lambda enc, n: [_str(n.name)]),
    GetAttr: ("G", lambda enc, n: [enc.expr(n.obj), _str(n.name)]),
    Index: ("I", lambda enc, n: [enc.expr(n.obj), enc.expr(n.key)]),
    Splat: ("S", _splat_ops),
    Call: ("C", lambda enc, n: [_str(n.name), [enc.expr(a) for a in n.args], _bool(n.expand)]),
    Conditional: ("?", lambda enc, n: [enc.expr(n.cond), enc.expr(n.yes), enc.expr(n.no)]),
    BinOp: ("B", lambda enc, n: [_str(n.op), enc.expr(n.left), enc.expr(n.right)]),
    UnaryOp: ("U", lambda enc, n: [_str(n.op), enc.expr(n.operand)]),
    TupleExpr: ("[", lambda enc, n: [[enc.expr(item) for item in n.items]]),
    ObjectExpr: ("{", _object_items),
    ForExpr: ("R", _for_fields),
    Opaque: ("O", lambda enc, n: [_str(n.what)]),
}


def encode_result(value: Any) -> Any:
    """Plain data for a parse result: a :class:`TfFile`, a :class:`ParseError`, ``(kind, data)`` of a
    document, or None. :class:`Unencodable` when the value holds anything else."""
    try:
        return _Encoder().result(value)
    except RecursionError:
        raise Unencodable("nested too deeply") from None


# --------------------------------------------------------------------------- decoding
# Hot on a warm run (a few hundred files, tens of thousands of nodes): one function per encoding,
# lengths checked by unpacking, exact type checks (``type(x) is int`` also refuses booleans). Anything
# malformed raises (Invalid, or a TypeError, ValueError, KeyError or IndexError on the way), and
# decode_result turns that into Invalid.

_MALFORMED = (Invalid, TypeError, ValueError, KeyError, IndexError, RecursionError)


def decode_result(data: Any) -> Any:
    """The parse result ``data`` encodes; :class:`Invalid` if it is not exactly a valid encoding."""
    try:
        if data is None:
            return None
        if type(data) is not list:
            raise Invalid("not a result")
        tag = data[0]
        if tag == "F":
            _, path, blocks, attrs, comments = data
            if type(path) is not str or type(blocks) is not list or type(comments) is not list or len(comments) % 2:
                raise Invalid("file")
            pairs = [(comments[i], comments[i + 1]) for i in range(0, len(comments), 2)]
            if not all(type(line) is int and type(text) is str for line, text in pairs):
                raise Invalid("comments")
            return TfFile(path, [_block(b) for b in blocks], _attrs(attrs), pairs)
        if tag == "E":
            _, message, line, column = data
            if type(message) is not str or type(line) is not int or type(column) is not int:
                raise Invalid("error")
            return ParseError(message, line, column)
        if tag == "D":
            _, kind, document = data
            if kind not in DOCUMENT_KINDS:
                raise Invalid("document kind")
            return kind, _data(document)
        raise Invalid("unknown result")
    except _MALFORMED as exc:
        raise Invalid(str(exc)) from None


def _block(data: list) -> Block:
    if type(data) is not list:
        raise Invalid("block")
    if len(data) != 9:
        raise Invalid("block")
    kind, labels, attrs, blocks, line, col, end_line, file, end_col = data
    if (type(kind) is not str or type(labels) is not list or type(blocks) is not list or type(line) is not int
            or type(col) is not int or type(end_line) is not int or type(file) is not str
            or type(end_col) is not int):
        raise Invalid("block")
    for label in labels:
        if type(label) is not str:
            raise Invalid("block label")
    return Block(kind, labels, _attrs(attrs), [_block(b) for b in blocks], line, col, end_line, file, end_col)


def _attrs(data: list) -> dict[str, Attribute]:
    if type(data) is not list or len(data) % 5:
        raise Invalid("attributes")
    out = {}
    for i in range(0, len(data), 5):
        key, name, line, col = data[i], data[i + 1], data[i + 3], data[i + 4]
        if type(key) is not str or type(name) is not str or type(line) is not int or type(col) is not int:
            raise Invalid("attribute")
        out[key] = Attribute(name, _expr(data[i + 2]), line, col)
    return out


def _expr(data: list) -> Node:
    """An expression node, its position checked here once for every kind (``[tag, line, col, src, ...]``)."""
    if type(data) is not list or len(data) < 4:
        raise Invalid("expression")
    if type(data[1]) is not int or type(data[2]) is not int or type(data[3]) is not str:
        raise Invalid("position")
    return _NODE_DECODERS[data[0]](data)


def _literal(data: list) -> Literal:
    _, line, col, src, value = data
    if type(value) not in _SCALARS:
        value = _tagged(value)
    return Literal(value, line, col, src)


def _template(data: list) -> Template:
    _, line, col, src, parts = data
    if type(parts) is not list:
        raise Invalid("template")
    return Template([p if type(p) is str else _expr(p) for p in parts], line, col, src)


def _name(data: list) -> Name:
    _, line, col, src, name = data
    if type(name) is not str:
        raise Invalid("name")
    return Name(name, line, col, src)


def _get_attr(data: list) -> GetAttr:
    _, line, col, src, obj, name = data
    if type(name) is not str:
        raise Invalid("attribute name")
    return GetAttr(_expr(obj), name, line, col, src)


def _index(data: list) -> Index:
    _, line, col, src, obj, key = data
    return Index(_expr(obj), _expr(key), line, col, src)


def _splat(data: list) -> Splat:
    _, line, col, src, obj, flat = data
    if type(flat) is not list or len(flat) % 2:
        raise Invalid("splat")
    ops: list[tuple[str, Any]] = []
    for i in range(0, len(flat), 2):
        kind, arg = flat[i], flat[i + 1]
        if kind == "attr" and type(arg) is str:
            ops.append(("attr", arg))
        elif kind == "index":
            ops.append(("index", _expr(arg)))
        else:
            raise Invalid("splat")
    return Splat(_expr(obj), ops, line, col, src)


def _call(data: list) -> Call:
    _, line, col, src, name, args, expand = data
    if type(name) is not str or type(args) is not list or type(expand) is not bool:
        raise Invalid("call")
    return Call(name, [_expr(a) for a in args], expand, line, col, src)


def _conditional(data: list) -> Conditional:
    _, line, col, src, cond, yes, no = data
    return Conditional(_expr(cond), _expr(yes), _expr(no), line, col, src)


def _binop(data: list) -> BinOp:
    _, line, col, src, op, left, right = data
    if type(op) is not str:
        raise Invalid("operator")
    return BinOp(op, _expr(left), _expr(right), line, col, src)


def _unary(data: list) -> UnaryOp:
    _, line, col, src, op, operand = data
    if type(op) is not str:
        raise Invalid("operator")
    return UnaryOp(op, _expr(operand), line, col, src)


def _tuple(data: list) -> TupleExpr:
    _, line, col, src, items = data
    if type(items) is not list:
        raise Invalid("tuple")
    return TupleExpr([_expr(item) for item in items], line, col, src)


def _object(data: list) -> ObjectExpr:
    _, line, col, src, flat = data
    if type(flat) is not list or len(flat) % 2:
        raise Invalid("object")
    return ObjectExpr([(_expr(flat[i]), _expr(flat[i + 1])) for i in range(0, len(flat), 2)], line, col, src)


def _for(data: list) -> ForExpr:
    _, line, col, src, key_var, val_var, coll, key_expr, val_expr, cond, grouping = data
    if (key_var is not None and type(key_var) is not str) or type(val_var) is not str or type(grouping) is not bool:
        raise Invalid("for")
    return ForExpr(key_var, val_var, _expr(coll), None if key_expr is None else _expr(key_expr), _expr(val_expr),
                   None if cond is None else _expr(cond), grouping, line, col, src)


def _opaque(data: list) -> Opaque:
    _, line, col, src, what = data
    if type(what) is not str:
        raise Invalid("opaque")
    return Opaque(what, line, col, src)


_NODE_DECODERS = {
    "L": _literal, "T": _template, "N": _name, "G": _get_attr, "I": _index, "S": _splat, "C": _call,
    "?": _conditional, "B": _binop, "U": _unary, "[": _tuple, "{": _object, "R": _for, "O": _opaque,
}
#: The tag of each expression class (one per :mod:`~.hcl_ast` node class).
NODE_TAGS = {cls: tag for cls, (tag, _encode) in _NODE_ENCODERS.items()}


def _data(value: Any) -> Any:
    """YAML/JSON data: scalars as they are, or a tagged mapping, list or foreign tag."""
    if type(value) in _SCALARS:
        return value
    if type(value) is not list:
        raise Invalid("data")
    tag = value[0]
    if tag == "m":
        _, line, col, items, positions = value
        if (type(line) is not int or type(col) is not int or type(items) is not list or len(items) % 2
                or type(positions) is not list or len(positions) % 3):
            raise Invalid("mapping")
        out = PosDict()
        out.line, out.col = line, col
        for i in range(0, len(items), 2):
            key = items[i]
            if type(key) not in _SCALARS:
                raise Invalid("key")
            out[key] = _data(items[i + 1])
        key_pos = out.key_pos
        for i in range(0, len(positions), 3):
            key, key_line, key_col = positions[i], positions[i + 1], positions[i + 2]
            if type(key) not in _SCALARS or type(key_line) is not int or type(key_col) is not int:
                raise Invalid("key position")
            key_pos[key] = (key_line, key_col)
        return out
    if tag == "l":
        _, line, col, items = value
        if type(line) is not int or type(col) is not int or type(items) is not list:
            raise Invalid("list")
        out_list = PosList([_data(item) for item in items])
        out_list.line, out_list.col = line, col
        return out_list
    return _tagged(value)


def _tagged(value: Any) -> Tagged:
    if type(value) is not list:
        raise Invalid("tagged value")
    marker, tag, line = value
    if marker != "t" or type(tag) is not str or type(line) is not int:
        raise Invalid("tagged value")
    return Tagged(tag, line)


# --------------------------------------------------------------------------- scan facts

def decode_facts(value: Any) -> tuple[bool, tuple[str, ...]] | None:
    """``(has_trail, sources)`` from an index entry: 0 or 1 for a file without module sources (has no trail,
    has one: nearly every file, and one small token to load), else ``[has_trail, [source, ...]]``; None
    if malformed."""
    if type(value) is int:
        return _BARE_FACTS.get(value)
    if type(value) is not list or len(value) != 2:
        return None
    has_trail, sources = value
    if type(has_trail) is not bool or type(sources) is not list:
        return None
    if sources and not all(type(s) is str for s in sources):
        return None
    return has_trail, tuple(sources)


def encode_facts(facts: tuple[bool, tuple[str, ...]]) -> Any:
    has_trail, sources = bool(facts[0]), [str(s) for s in facts[1]]
    return [has_trail, sources] if sources else int(has_trail)


_BARE_FACTS: dict[int, tuple[bool, tuple[str, ...]]] = {0: (False, ()), 1: (True, ())}
