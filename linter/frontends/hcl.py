"""Terraform native syntax (``.tf``, ``.tfvars``): python-hcl2's Lark tree into :mod:`hcl_ast` nodes."""

from __future__ import annotations

import re
import sys
from typing import Any

from . import MAX_DEPTH, ParseError
from .hcl_ast import (
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
from .hcl_tokens import TokenFilter


def _integer(text: str, line: int, col: int, src: str) -> Node:
    """An integer literal; one with more digits than Python converts (``sys.get_int_max_str_digits()``,
    4,300 by default) is opaque, so it evaluates to an unknown instead of failing the file."""
    try:
        return Literal(int(text), line, col, src)
    except ValueError:
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300
        return Opaque(f"a number with more than {limit} digits", line, col, src)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)")


def _unescape(text: str) -> str:
    def sub(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, code)

    return _ESCAPE_RE.sub(sub, text) if "\\" in text else text


def _lark():
    """Import Lark (and python-hcl2, through :func:`_parser_in_use`) only when a Terraform file is read:
    together they cost ~0.1 s."""
    import lark

    return lark


#: The Lark parser :func:`parse_hcl` uses; None until the first file (then :func:`_filtered_parser`'s).
_parser: Any = None


def _parser_in_use() -> Any:
    """The parser in use: python-hcl2's grammar and tables with :class:`TokenFilter` as the post-lexer
    (unless :func:`use_positionless_parser` swapped in its copy)."""
    global _parser
    if _parser is None:
        _parser = _filtered_parser()
    return _parser


def _filtered_parser() -> Any:
    """python-hcl2's parser with :class:`TokenFilter` as its post-lexer, built with the arguments
    ``hcl2.parser.parser()`` uses, so from the same Lark cache file (the cache key leaves the post-lexer
    out; ``test_hcl_oracle.py`` checks that the arguments still match)."""
    import hcl2.parser as hcl2_parser
    from lark import Lark

    parser = Lark.open("hcl2.lark", rel_to=hcl2_parser.__file__, parser="lalr",
                       cache=str(hcl2_parser.PARSER_FILE), propagate_positions=True, postlex=TokenFilter())
    _linear_string_chars(parser)
    return parser


#: python-hcl2's ``STRING_CHARS``, which repeats an alternation once per character: Python's regular
#: expression engine keeps a backtracking entry for every repetition, about 200 bytes per character, so
#: a 10 MB string took 2 GB. The same language, with runs of plain characters matched at once.
_STRING_CHARS = r'(?:[^"\\$%]+|\\.|\$(?!\$?\{)|%(?!%?\{))+'


def _linear_string_chars(parser: Any) -> None:
    """Give ``parser`` the :data:`_STRING_CHARS` pattern (before its lexers are built on first use)."""
    from lark.lexer import PatternRE

    for terminal in parser.terminals:
        if terminal.name == "STRING_CHARS" and isinstance(terminal.pattern, PatternRE):
            terminal.pattern = PatternRE(_STRING_CHARS, terminal.pattern.flags)


def use_positionless_parser() -> bool:
    """Switch to a copy of python-hcl2's parser that does not put positions on tree nodes.

    python-hcl2 builds its Lark parser with ``propagate_positions``, which costs almost half of the
    parse time; :class:`_Builder` takes every position from the first and last token of a node instead,
    so both parsers give identical results. The copy takes ~0.1 s to build, which pays off in a worker
    process that parses many files. Returns False (keeping python-hcl2's parser) if this Lark cannot
    make the copy.
    """
    global _parser
    current = _parser_in_use()
    if not current.options.propagate_positions:
        return True  # already switched
    try:
        from lark import Lark
        from lark.grammar import Rule
        from lark.lexer import TerminalDef

        data, memo = current.memo_serialize([TerminalDef, Rule])
        data["options"] = {**data["options"], "propagate_positions": False}
        _parser = Lark.load({"data": data, "memo": memo})
    except Exception:  # another Lark release: stay with the slower parser
        return False
    return True


def _describe(token, char) -> str:
    """What the parser stumbled on, in words rather than grammar token names."""
    if token is None:
        return repr(char) if char else "input"
    kind, value = getattr(token, "type", ""), str(token)
    if kind == "$END":
        return "end of file (a block, string or bracket is not closed)"
    if not value.strip():
        return "line break" if "\n" in value else "space"
    first = value.strip().splitlines()[0]
    return repr(first if len(first) <= 40 else first[:37] + "...")


def parse_hcl(text: str, path: str) -> TfFile:
    """Parse Terraform native syntax; raise :class:`ParseError` with the line on bad input."""
    lark = _lark()
    if not text.endswith("\n"):
        text += "\n"
    try:
        tree = _parser_in_use().parse(text + "\n")  # the extra newline as python-hcl2's parses_to_tree adds
    except lark.exceptions.UnexpectedInput as exc:
        line = getattr(exc, "line", 0) or 0
        column = getattr(exc, "column", 0) or 0
        last = _parser_in_use().options.postlex.last
        if getattr(getattr(exc, "token", None), "type", "") == "$END" and last is not None:
            line, column = last.line, last.column  # the end is where the last token (even one dropped) starts
        detail = f"unexpected {_describe(getattr(exc, 'token', None), getattr(exc, 'char', None))}"
        raise ParseError(f"invalid HCL: {detail}", max(line, 0), max(column, 0)) from None
    except lark.exceptions.LarkError as exc:
        raise ParseError(f"invalid HCL: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:
        raise ParseError("invalid HCL: nesting too deep") from None
    builder = _Builder(text, path, lark)
    out = TfFile(path)
    out.comments = _parser_in_use().options.postlex.comments
    try:
        builder.body(tree.children[0], out.blocks, out.attrs)
    except RecursionError:
        raise ParseError("invalid HCL: nesting too deep") from None
    return out


class _Builder:
    def __init__(self, text: str, path: str, lark: Any) -> None:
        self.text = text
        self.path = path
        self.Tree = lark.Tree
        self.Token = lark.Token
        self.depth = 0
        #: First and last token under each tree node, by ``id`` (see :meth:`edge`).
        self.edges: tuple[dict[int, Any], dict[int, Any]] = ({}, {})
        # Every expression keeps its source text, so nested expressions copy the same characters
        # again at each level; real files copy under 10 times their size.
        self.budget = 64 * len(text) + 1_000_000

    def enter(self, node) -> None:
        """One more level of blocks or expressions; hostile nesting is an error, not a stack overflow."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            first = self.edge(node, 0)
            raise ParseError(f"invalid HCL: nesting too deep (more than {MAX_DEPTH} levels)",
                             getattr(first, "line", 0), getattr(first, "column", 0))

    def edge(self, node, last: int) -> Any:
        """The first (``last`` 0) or last (1) token under ``node``, or None if it holds none.

        Positions come from tokens, not from Lark's ``propagate_positions`` (see
        :func:`use_positionless_parser`); the node's span runs from its first token to its last, which
        is what Lark computes. Memoised and without recursion: left-deep chains can be very deep.
        """
        memo = self.edges[last]
        known = memo.get(id(node), memo)  # the memo itself stands for "not there"
        if known is not memo:
            return known
        Token, Tree = self.Token, self.Tree
        stack = [node]
        while stack:
            current = stack[-1]
            if id(current) in memo:
                stack.pop()
                continue
            found, pending = None, False
            for child in reversed(current.children) if last else current.children:
                if isinstance(child, Token):
                    found = child
                    break
                if isinstance(child, Tree):
                    if id(child) not in memo:
                        stack.append(child)
                        pending = True
                        break
                    found = memo[id(child)]
                    if found is not None:
                        break
            if not pending:
                memo[id(current)] = found
                stack.pop()
        return memo[id(node)]

    def source(self, first, last) -> str:
        self.budget -= last.end_pos - first.start_pos
        if self.budget < 0:
            raise ParseError("invalid HCL: expressions nested too deeply for the size of the file", first.line,
                             first.column)
        return self.text[first.start_pos:last.end_pos]

    # ----- structure -----
    def body(self, body, blocks: list[Block], attrs: dict[str, Attribute]) -> None:
        for child in body.children:
            kind = child.data
            if kind == "attribute":
                name = self.name_of(child.children[0])
                first = self.edge(child, 0)
                attrs[name] = Attribute(name, self.expr(child.children[2]), first.line, first.column)
            elif kind == "block":
                blocks.append(self.block(child))

    def block(self, node) -> Block:
        self.enter(node)
        parts = []
        body = None
        for child in node.children:
            if isinstance(child, self.Tree):
                if child.data == "body":
                    body = child
                elif child.data == "string":
                    parts.append(self.label(child))
                elif child.data != "new_line_or_comment":
                    parts.append(self.name_of(child))
        first, last = self.edge(node, 0), self.edge(node, 1)
        blk = Block(parts[0], parts[1:], {}, [], first.line, first.column, last.end_line, self.path,
                    last.end_column)
        if body is not None:
            self.body(body, blk.blocks, blk.attrs)
        self.depth -= 1
        return blk

    def label(self, node) -> str:
        """A quoted block label's text, escapes decoded (``"aws_\\u0063loudtrail"`` is ``aws_cloudtrail``)."""
        text = []
        for part in node.children:
            if isinstance(part, self.Tree) and isinstance(part.children[0], self.Token):
                token = part.children[0]
                text.append(_unescape(str(token)) if token.type == "STRING_CHARS" else str(token)[1:])
        return "".join(text)

    def name_of(self, node) -> str:
        return str(node.children[0]) if isinstance(node, self.Tree) else str(node)

    # ----- expressions -----
    def pos(self, node) -> tuple[int, int, str]:
        first = self.edge(node, 0)
        if first is None:
            return 0, 0, ""
        return first.line, first.column, self.source(first, self.last_of_expression(node))

    def last_of_expression(self, node) -> Any:
        """The last token of an expression: a line break or comment that the grammar attaches after it
        (``a == b # note``) is not part of it."""
        while isinstance(node, self.Tree) and node.children:
            tail = node.children[-1]
            if isinstance(tail, self.Tree) and tail.data == "new_line_or_comment" and len(node.children) > 1:
                inner = [c for c in node.children if not (isinstance(c, self.Tree) and c.data == "new_line_or_comment")]
                last = inner[-1]
                return last if isinstance(last, self.Token) else self.edge(last, 1)
            break
        return self.edge(node, 1)

    def subtrees(self, node) -> list:
        return [c for c in node.children if isinstance(c, self.Tree) and c.data != "new_line_or_comment"]

    def expr(self, node) -> Node:
        self.enter(node)
        out = self._expr(node)
        self.depth -= 1
        return out

    def _expr(self, node) -> Node:
        kind = node.data
        line, col, src = self.pos(node)
        if kind == "expr_term":
            inner = self.subtrees(node)
            if len(inner) == 1:
                return self.expr(inner[0])
            return Opaque("empty expression", line, col, src)
        if kind == "literal_value":
            word = str(node.children[0])
            return Literal({"true": True, "false": False, "null": None}[word], line, col, src)
        if kind == "int_lit":
            return _integer(str(node.children[0]), line, col, src)
        if kind == "float_lit":
            return Literal(float(str(node.children[0])), line, col, src)
        if kind == "string":
            return self.string(node, line, col, src)
        if kind in ("heredoc_template", "heredoc_template_trim"):
            return self.heredoc(str(node.children[0]), kind.endswith("trim"), line, col, src)
        if kind == "identifier":
            return Name(str(node.children[0]), line, col, src)
        if kind == "keyword":
            return Name(str(node.children[0]), line, col, src)
        if kind == "get_attr_expr_term":
            obj, attr = self.subtrees(node)
            return GetAttr(self.expr(obj), self.name_of(self.subtrees(attr)[0]), line, col, src)
        if kind == "index_expr_term":
            obj, index = self.subtrees(node)
            return Index(self.expr(obj), self.index_key(index), line, col, src)
        if kind in ("attr_splat_expr_term", "full_splat_expr_term"):
            obj, splat = self.subtrees(node)
            ops: list[tuple[str, Any]] = []
            for op in self.subtrees(splat):
                if op.data == "get_attr":
                    ops.append(("attr", self.name_of(self.subtrees(op)[0])))
                else:
                    ops.append(("index", self.index_key(op)))
            return Splat(self.expr(obj), ops, line, col, src)
        if kind == "function_call":
            names = [str(c.children[0]) for c in node.children if isinstance(c, self.Tree) and c.data == "identifier"]
            args_node = [c for c in node.children if isinstance(c, self.Tree) and c.data == "arguments"]
            args: list[Node] = []
            expand = False
            if args_node:
                args = [self.expr(a) for a in self.subtrees(args_node[0])]
                expand = any(isinstance(t, self.Token) and t.type == "ELLIPSIS" for t in args_node[0].children)
            return Call("::".join(names), args, expand, line, col, src)
        if kind == "conditional":
            cond, yes, no = self.subtrees(node)
            return Conditional(self.expr(cond), self.expr(yes), self.expr(no), line, col, src)
        if kind == "binary_op":
            left, term = self.subtrees(node)[:2]
            op_node, right = self.subtrees(term)[:2]
            return BinOp(str(op_node.children[0]), self.expr(left), self.expr(right), line, col, src)
        if kind == "unary_op":
            op = str(node.children[0])
            return UnaryOp(op, self.expr(self.subtrees(node)[0]), line, col, src)
        if kind == "tuple":
            return TupleExpr([self.expr(c) for c in self.subtrees(node)], line, col, src)
        if kind == "object":
            items = []
            for elem in self.subtrees(node):
                key_node, value_node = self.subtrees(elem)[:2]
                items.append((self.object_key(key_node), self.expr(value_node)))
            return ObjectExpr(items, line, col, src)
        if kind in ("for_tuple_expr", "for_object_expr"):
            return self.for_expr(node, kind == "for_object_expr", line, col, src)
        return Opaque(kind, line, col, src)

    def object_key(self, node) -> Node:
        inner = self.subtrees(node)[0]
        if inner.data == "keyword":
            return Literal(str(inner.children[0]), *self.pos(inner))
        key = self.expr(inner)
        if isinstance(key, Name):  # `{ a = 1 }`: a bare word key is a string
            return Literal(key.name, key.line, key.col, key.src)
        return key

    def index_key(self, node) -> Node:
        if node.data == "short_index":
            tok = next(t for t in node.children if isinstance(t, self.Token) and t.type == "INT_LITERAL")
            return _integer(str(tok), tok.line, tok.column, str(tok))
        return self.expr(self.subtrees(node)[0])

    def for_expr(self, node, is_object: bool, line: int, col: int, src: str) -> ForExpr:
        trees = self.subtrees(node)
        intro = trees[0]
        names = [str(c.children[0]) for c in intro.children if isinstance(c, self.Tree) and c.data == "identifier"]
        coll = next(c for c in self.subtrees(intro) if c.data != "identifier")
        key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        rest = trees[1:]
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond = self.expr(self.subtrees(rest[-1])[0])
            rest = rest[:-1]
        grouping = any(isinstance(t, self.Token) and t.type == "ELLIPSIS" for t in node.children)
        if is_object:
            key_expr, val_expr = self.expr(rest[0]), self.expr(rest[1])
        else:
            key_expr, val_expr = None, self.expr(rest[0])
        return ForExpr(key_var, val_var, self.expr(coll), key_expr, val_expr, cond, grouping, line, col, src)

    def string(self, node, line: int, col: int, src: str) -> Node:
        parts: list[Any] = []
        for part in node.children:
            if not isinstance(part, self.Tree):
                continue
            inner = part.children[0]
            if isinstance(inner, self.Token):
                text = str(inner)
                if inner.type == "ESCAPED_INTERPOLATION" or inner.type == "ESCAPED_DIRECTIVE":
                    text = text[1:]
                else:
                    text = _unescape(text)
                if parts and isinstance(parts[-1], str):
                    parts[-1] += text
                else:
                    parts.append(text)
            elif inner.data == "interpolation":
                parts.append(self.expr(self.subtrees(inner)[0]))
            else:
                return Opaque("template directive", line, col, src)
        if not parts:
            return Literal("", line, col, src)
        if len(parts) == 1 and isinstance(parts[0], str):
            return Literal(parts[0], line, col, src)
        return Template(parts, line, col, src)

    def heredoc(self, raw: str, trim: bool, line: int, col: int, src: str) -> Node:
        lines = raw.split("\n")
        body = lines[1:-2]
        if trim:
            indent = min((len(x) - len(x.lstrip()) for x in body if x.strip()), default=0)
            body = [x[indent:] for x in body]
        text = "\n".join(body) + ("\n" if body else "")
        if "${" in text or "%{" in text:
            return _heredoc_template(text, line, col, src)
        return Literal(text, line, col, src)


def _heredoc_template(text: str, line: int, col: int, src: str) -> Node:
    """A heredoc with interpolations (``${aws_cloudwatch_log_group.x.arn}``) as a :class:`Template`.

    The text is rewritten as a quoted string (escaping only outside the interpolations) and parsed as one;
    directives (``%{ if }``) and anything that does not parse stay opaque. Inner expressions keep the
    heredoc's own position (their offsets inside it are not recorded).
    """
    quoted = _quoted(text)
    if quoted is None:
        return Opaque("heredoc template", line, col, src)
    try:
        node = parse_template(quoted, line, col, quoted=True)
    except ParseError:
        return Opaque("heredoc template", line, col, src)
    if isinstance(node, Opaque):
        return Opaque("heredoc template", line, col, src)
    node.src = src
    return node


def _quoted(text: str) -> str | None:
    """``text`` as the body of an HCL quoted string with the same value, or None when it holds a directive
    or an interpolation this rewriting does not follow (one spanning lines)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith(("$${", "%%{"), i):
            out.append(text[i:i + 3])
            i += 3
        elif text.startswith("%{", i):
            return None
        elif text.startswith("${", i):
            end = _interpolation_end(text, i + 2)
            if end is None:
                return None
            out.append(text[i:end])
            i = end
        else:
            out.append({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}.get(ch, ch))
            i += 1
    return "".join(out)


def _interpolation_end(text: str, i: int) -> int | None:
    """The index just past the ``}`` that closes an interpolation whose expression starts at ``i``."""
    depth = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            return None
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\n":
                    return None
                i += 2 if text[i] == "\\" else 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    return None


def parse_template(text: str, line: int, col: int, quoted: bool = False) -> Node:
    """Parse one string of Terraform JSON syntax as a template (``"${var.x}:*"``); with ``quoted``,
    ``text`` is already the body of an HCL quoted string."""
    import json

    if "${" not in text and "%{" not in text:
        return Literal(text.replace("$${", "${"), line, col, json.dumps(text))
    lark = _lark()
    body = text if quoted else _quoted(text)  # quotes inside an interpolation stay as they are
    source = "x = " + ('"' + body + '"' if body is not None else json.dumps(text)) + "\n"
    try:
        tree = _parser_in_use().parse(source + "\n")
    except (lark.exceptions.LarkError, RecursionError):
        raise ParseError(f"invalid template expression {text[:80]!r}", line, col) from None
    builder = _Builder(source, "", lark)
    attr = tree.children[0].children[0]
    node = builder.expr(attr.children[2])
    node.line, node.col = line, col  # positions inside a JSON string are those of the string
    return node
