"""A small Terraform syntax tree with positions, shared by the HCL and JSON-syntax readers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Node:
    """An expression; ``src`` is its source text, ``line``/``col`` its 1-based start."""

    __slots__ = ("col", "line", "src")

    def __init__(self, line: int, col: int, src: str) -> None:
        self.line = line
        self.col = col
        self.src = src

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.src!r})"


class Literal(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any, line: int = 0, col: int = 0, src: str = "") -> None:
        super().__init__(line, col, src)
        self.value = value


class Template(Node):
    """A quoted string: literal text and interpolated expressions."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[str | Node], line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.parts = parts


class Name(Node):
    __slots__ = ("name",)

    def __init__(self, name: str, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.name = name


class GetAttr(Node):
    __slots__ = ("name", "obj")

    def __init__(self, obj: Node, name: str, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.obj = obj
        self.name = name


class Index(Node):
    __slots__ = ("key", "obj")

    def __init__(self, obj: Node, key: Node, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.obj = obj
        self.key = key


class Splat(Node):
    """``x[*].a`` or ``x.*.a``: ``ops`` applies to each element (``("attr", name)`` or ``("index", node)``)."""

    __slots__ = ("obj", "ops")

    def __init__(self, obj: Node, ops: list[tuple[str, Any]], line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.obj = obj
        self.ops = ops


class Call(Node):
    __slots__ = ("args", "expand", "name")

    def __init__(self, name: str, args: list[Node], expand: bool, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.name = name
        self.args = args
        self.expand = expand


class Conditional(Node):
    __slots__ = ("cond", "no", "yes")

    def __init__(self, cond: Node, yes: Node, no: Node, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.cond = cond
        self.yes = yes
        self.no = no


class BinOp(Node):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Node, right: Node, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.op = op
        self.left = left
        self.right = right


class UnaryOp(Node):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Node, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.op = op
        self.operand = operand


class TupleExpr(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.items = items


class ObjectExpr(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Node, Node]], line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.items = items


class ForExpr(Node):
    __slots__ = ("coll", "cond", "grouping", "key_expr", "key_var", "val_expr", "val_var")

    def __init__(
        self, key_var: str | None, val_var: str, coll: Node, key_expr: Node | None, val_expr: Node,
        cond: Node | None, grouping: bool, line: int, col: int, src: str,
    ) -> None:
        super().__init__(line, col, src)
        self.key_var = key_var
        self.val_var = val_var
        self.coll = coll
        self.key_expr = key_expr
        self.val_expr = val_expr
        self.cond = cond
        self.grouping = grouping


class Opaque(Node):
    """Syntax the evaluator does not model (template directives); evaluates to unknown."""

    __slots__ = ("what",)

    def __init__(self, what: str, line: int, col: int, src: str) -> None:
        super().__init__(line, col, src)
        self.what = what


@dataclass
class Attribute:
    name: str
    expr: Node
    line: int
    col: int


@dataclass
class Block:
    """A Terraform block: ``type "label" "label" { ... }``."""

    type: str
    labels: list[str]
    attrs: dict[str, Attribute]
    blocks: list[Block]
    line: int
    col: int
    end_line: int
    file: str = ""
    #: The column just past the closing brace (0: not known, e.g. JSON syntax).
    end_col: int = 0


@dataclass
class TfFile:
    """One parsed ``.tf`` or ``.tf.json`` file (or a tfvars file, whose attributes sit in ``attrs``)."""

    path: str
    blocks: list[Block] = field(default_factory=list)
    attrs: dict[str, Attribute] = field(default_factory=dict)
    comments: list[tuple[int, str]] = field(default_factory=list)
