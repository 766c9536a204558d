"""HashiCorp's HCL parser as an oracle for the HCL front-end (used by ``test_hcl_oracle.py``).

``@cdktf/hcl2json`` is hashicorp/hcl compiled to WebAssembly; it turns a ``.tf`` file into Terraform JSON
(literals as JSON values, other expressions as ``"${source}"``, blocks nested by type and labels). The
helpers here run it in one node process for many inputs, and turn our :class:`TfFile` into the same form
so the two can be compared value by value.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from cloudtrail_lint.frontends import hcl_ast as ast

ORACLE = Path(__file__).parent / "oracle"
SCRIPT = ORACLE / "hcl2json.js"
PACKAGE = ORACLE / "node_modules" / "@cdktf" / "hcl2json" / "package.json"


def unavailable() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed: the HCL oracle (@cdktf/hcl2json) runs under node"
    if not PACKAGE.is_file():
        return "the HCL oracle is not installed: run `npm ci` in tests/oracle (the CI script does)"
    return None


def run_oracle(inputs: Iterable[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """``{"ok": True, "value": ...}`` or ``{"ok": False, "error": ...}`` for each ``(name, text)``, in order,
    from one node process (inputs are written by a thread so a long batch cannot fill the pipes)."""
    import threading

    proc = subprocess.Popen(["node", str(SCRIPT)], cwd=ORACLE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, encoding="utf-8")

    def feed() -> None:
        assert proc.stdin is not None
        with proc.stdin:
            for name, text in inputs:
                proc.stdin.write(json.dumps({"name": name, "text": text}) + "\n")

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            yield json.loads(line)
    finally:
        writer.join(timeout=5)
        proc.stdout.close()
        if proc.wait(timeout=30) != 0:
            raise RuntimeError(f"the HCL oracle exited with status {proc.returncode}")


class _Any:
    """Stands for a value this comparison does not model (a template directive): equal to anything."""

    def __eq__(self, other: object) -> bool:
        return True

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "<any>"


ANY = _Any()


def _escape_template(text: str) -> str:
    """Literal text as Terraform JSON writes it inside a template: ``${`` and ``%{`` doubled."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _wrap(node: ast.Node) -> str:
    return "${" + _strip_parens(node.src) + "}"


def _strip_parens(src: str) -> str:
    """``src`` without parentheses around all of it (our front-end drops them, the oracle keeps them)."""
    src = src.strip()
    while src.startswith("(") and src.endswith(")"):
        depth = 0
        for i, char in enumerate(src):
            depth += char == "("
            depth -= char == ")"
            if depth == 0 and i < len(src) - 1:
                return src
        src = src[1:-1].strip()
    return src


def expression(node: ast.Node) -> Any:
    """An expression of ours in the oracle's form."""
    if isinstance(node, ast.Literal):
        return _escape_template(node.value) if isinstance(node.value, str) else node.value
    if isinstance(node, ast.Template):
        if any(isinstance(p, ast.Opaque) for p in node.parts):
            return ANY
        return "".join(_escape_template(p) if isinstance(p, str) else _wrap(p) for p in node.parts)
    if isinstance(node, ast.TupleExpr):
        return [expression(item) for item in node.items]
    if isinstance(node, ast.ObjectExpr):
        out = {}
        for key, value in node.items:
            if isinstance(key, ast.Literal):
                name = str(key.value).lower() if isinstance(key.value, bool) else str(key.value)
            elif isinstance(key, ast.Template):
                name = expression(key)
            else:
                name = _wrap(key)
            out[name] = expression(value)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Literal):
        value = node.operand.value
        if node.op == "-" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
        if node.op == "!" and isinstance(value, bool):
            return not value
    if isinstance(node, ast.Opaque):
        return ANY
    return _wrap(node)


def body(attrs: dict[str, ast.Attribute], blocks: list[ast.Block]) -> dict[str, Any]:
    """A body of ours (a file's or a block's) in the oracle's form: blocks nested by type and labels."""
    out: dict[str, Any] = {name: expression(attr.expr) for name, attr in attrs.items()}
    for block in blocks:
        slot: Any = out
        key = block.type
        for label in block.labels:
            slot = slot.setdefault(key, {})
            key = label
        slot.setdefault(key, []).append(body(block.attrs, block.blocks))
    return out


def tf_file(tf: ast.TfFile) -> dict[str, Any]:
    return body(tf.attrs, tf.blocks)


_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?\Z")


def normalise(value: Any) -> Any:
    """The oracle's value with ``${...}`` expressions trimmed and unparenthesised, as :func:`expression`."""
    if isinstance(value, dict):
        return {normalise(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and value.startswith("${") and value.endswith("}") and value.count("${") == 1:
        return "${" + _strip_parens(value[2:-1]) + "}"
    return value


def differences(ours: Any, theirs: Any, where: str = "") -> list[str]:
    """Where two values in the oracle's form differ (paths to the first differing leaves)."""
    if ours is ANY or theirs is ANY:
        return []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in sorted(set(ours) | set(theirs), key=str):
            if key not in ours or key not in theirs:
                out.append(f"{where}/{key}: only in {'theirs' if key in theirs else 'ours'}")
            else:
                out += differences(ours[key], theirs[key], f"{where}/{key}")
        return out
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [d for i, (a, b) in enumerate(zip(ours, theirs)) for d in differences(a, b, f"{where}[{i}]")]
    if isinstance(theirs, str) and theirs.startswith("${") and not isinstance(ours, (list, dict)) and (
            _strip_comments(theirs[2:-1]) == json.dumps(ours)):
        return []  # `(1)`: the oracle leaves a literal in parentheses as an expression, we drop the parentheses
    if (ours == theirs and type(ours) is type(theirs)) or (
            isinstance(ours, (int, float)) and isinstance(theirs, (int, float))
            and not isinstance(ours, bool) and not isinstance(theirs, bool) and ours == theirs):
        return []
    return [f"{where}: ours {ours!r}, theirs {theirs!r}"]


def _strip_comments(src: str) -> str:
    return _strip_parens(re.sub(r"#[^\n]*|//[^\n]*|/\*.*?\*/", "", src, flags=re.S))


def tf_files(*roots: Path) -> list[Path]:
    """Every ``.tf`` file under ``roots`` (sorted; hidden folders skipped)."""
    out = []
    for root in roots:
        for folder, dirs, names in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            out += [Path(folder) / n for n in sorted(names) if n.endswith(".tf")]
    return out


_WORD = re.compile(r"[A-Za-z_][\w-]*|\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
_OPERATOR = re.compile(r"==|!=|<=|>=|&&|\|\||=>|\.\.\.|::|\[\*\]|\.\*|.", re.S)
_HEREDOC = re.compile(r"<<-?([A-Za-z][\w.-]*)\n")


class Layout:
    """Where tokens end in a file (outside quoted text), and where the letters of its quoted strings are."""

    def __init__(self, text: str) -> None:
        #: (offset just past a token, whether newlines are ignored there: inside ( [ or ${ })
        self.token_ends: list[tuple[int, bool]] = []
        #: offsets of letters, digits and ``_-./:`` in quoted strings (outside interpolations)
        self.string_chars: list[int] = []
        self._scan(text)

    def _scan(self, text: str) -> None:
        stack = ["{"]  # "{" a body or object, "(" parentheses, brackets or an interpolation, '"' a string
        i, n = 0, len(text)
        while i < n:
            top, char = stack[-1], text[i]
            if top == '"':
                if char == "\\":
                    i += 2
                elif char == '"':
                    stack.pop()
                    i += 1
                    self.token_ends.append((i, stack[-1] == "("))
                elif text.startswith(("$${", "%%{"), i):
                    i += 3
                elif text.startswith(("${", "%{"), i):
                    stack.append("(")
                    i += 2
                    self.token_ends.append((i, True))
                else:
                    if char.isalnum() or char in "_-./:":
                        self.string_chars.append(i)
                    i += 1
                continue
            if char in " \t\r\n":
                i += 1
                continue
            if char == "#" or text.startswith(("//", "/*"), i):
                end = text.find("*/", i) + 2 if text.startswith("/*", i) else text.find("\n", i)
                i = n if end < 2 or end < 0 else end
                continue
            heredoc = _HEREDOC.match(text, i)
            if heredoc:
                closing = re.compile(r"^[ \t]*" + re.escape(heredoc.group(1)) + r"$", re.M).search(text, heredoc.end())
                i = n if closing is None else min(n, closing.end() + 1)  # the token takes the line break
            elif char == '"':
                stack.append('"')
                i += 1
                continue
            elif char in "{([":
                stack.append("{" if char == "{" else "(")
                i += 1
            elif char in "})]":
                if len(stack) > 1:
                    stack.pop()
                i += 1
                if stack[-1] == '"':
                    continue  # the end of an interpolation: back in the string
            else:
                match = _WORD.match(text, i) or _OPERATOR.match(text, i)
                i = match.end()
            self.token_ends.append((i, stack[-1] == "("))


COMMENTS = ("/* c */", "# c\n", "// c\n")


def _insert(text: str, offsets: Iterable[int], what: str) -> str:
    out, last = [], 0
    for offset in sorted(set(offsets)):
        out += [text[last:offset], what]
        last = offset
    return "".join(out) + text[last:]


def everywhere_variants(text: str) -> list[str]:
    """``text`` with comments everywhere HCL allows them, all at once: a block comment after every token; a
    line comment after every token inside parentheses or brackets and at the end of every line; and each
    letter of every quoted string written as a ``\\u`` escape (``\\U`` in every other string)."""
    layout = Layout(text)
    ends = [end for end, _ in layout.token_ends]
    line_ends = [end for end, ignored in layout.token_ends if ignored or text.startswith("\n", end)]
    escaped = "".join(
        f"\\u{ord(c):04X}" if i in layout.string_chars and i % 3 else
        f"\\U{ord(c):08x}" if i in layout.string_chars else c
        for i, c in enumerate(text))
    return [_insert(text, ends, "/* c */"), _insert(text, line_ends, "# c\n"), _insert(text, line_ends, "// c\n"),
            escaped]


def one_place_variants(text: str, count: int) -> list[str]:
    """``text`` with one comment inserted after one token, for ``count`` tokens spread over the file, the
    comment kinds taken in turn."""
    ends = [end for end, _ in Layout(text).token_ends]
    step = max(1, len(ends) // max(1, count))
    return [_insert(text, [end], COMMENTS[n % len(COMMENTS)]) for n, end in enumerate(ends[::step][:count])]
