"""Serverless Framework files (``serverless.yml``, ``.yaml``, ``.json``): their CloudFormation part.

The framework adds the ``resources`` of the file to the stack it deploys: one mapping of template
sections (``Resources``, ``Conditions``, ``Outputs``...) or a list of such fragments, merged in order.
That part is returned as a template whose nodes keep their lines in the serverless file.

Serverless variables (``${self:custom.x}``, ``${opt:stage}``, ``${env:X}``, ``${file(...)}``,
``${ssm:...}``...) are resolved by the framework at deployment. Here ``${self:...}`` is looked up in
the same file when it leads to a value; ``${aws:region}`` and ``${aws:accountId}`` become the pseudo
parameters they stand for; every other variable becomes an unknown value that names it. No other file,
option or environment variable is ever read.
"""

from __future__ import annotations

import os
import re
from typing import Any

from . import MAX_DEPTH, ParseError
from .yaml_nodes import PosDict, PosList, Tagged

NAMES = frozenset({"serverless.yml", "serverless.yaml", "serverless.json"})

#: The start of a serverless variable's address: a source and ``:`` (``self:``, ``opt:``, ``cf.eu-west-1:``),
#: or a function (``file(``, ``strToBool(``). ``${AWS::Region}`` and ``${Bucket.Arn}`` are CloudFormation's.
_SOURCE = re.compile(r"([A-Za-z][\w.-]*)(?::(?!:)|\()")
_PSEUDO = {"aws:region": "AWS::Region", "aws:accountId": "AWS::AccountId"}
_WHAT = {
    "opt": "a Serverless Framework command-line option",
    "env": "a Serverless Framework variable read from the environment at deployment",
    "file": "a Serverless Framework variable read from another file, which is not followed",
    "self": "a Serverless Framework variable that names nothing in this file",
}
#: Most ``${self:...}`` look-ups one value may go through, each inside the other.
_MAX_LOOKUPS = 20
#: Most nodes the CloudFormation part may have once its variables are resolved (CloudFormation takes no
#: template larger than 1 MB; a file of variables that refer to each other could ask for billions).
MAX_RESOLVED_NODES = 100_000


def is_serverless(path: str) -> bool:
    return os.path.basename(path) in NAMES


def template_of(data: Any) -> PosDict | None:
    """The CloudFormation template the ``resources`` of a serverless file add (None when there are none)."""
    if not isinstance(data, dict):
        return None
    resources = data.get("resources")
    fragments = resources if isinstance(resources, list) else [resources]
    out = PosDict()
    out.line, out.col = getattr(resources, "line", 1), getattr(resources, "col", 1)
    for fragment in fragments:
        if not isinstance(fragment, dict):
            continue  # ${file(...)} fragments are not followed
        for section, body in fragment.items():
            place = fragment.key_pos.get(section, (fragment.line, fragment.col))
            if isinstance(body, dict) and isinstance(out.get(section), dict):
                merged = out[section]
                for key, value in body.items():
                    merged[key] = value
                    merged.key_pos[key] = body.key_pos.get(key, place)
            elif isinstance(body, dict):
                copy = PosDict()
                copy.line, copy.col = body.line, body.col
                copy.update(body)
                copy.key_pos.update(body.key_pos)
                out[section] = copy
                out.key_pos[section] = place
            else:
                out[section] = body
                out.key_pos[section] = place
    if not out:
        return None
    return _Variables(data).value(out, out.line)


def _end_of_variable(text: str, start: int) -> int:
    """The index just past the ``}`` closing the ``${`` at ``start`` (-1 when it is not closed)."""
    depth = 0
    i = start
    while i < len(text):
        if text.startswith("${", i):
            depth += 1
            i += 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _split(text: str) -> list[tuple[str, bool]]:
    """``text`` as (piece, is a serverless variable) pieces; CloudFormation's ``${...}`` stay text."""
    pieces: list[tuple[str, bool]] = []
    i = last = 0
    while True:
        i = text.find("${", i)
        if i < 0:
            break
        end = _end_of_variable(text, i)
        if end < 0:
            break
        if _SOURCE.match(text, i + 2):
            if i > last:
                pieces.append((text[last:i], False))
            pieces.append((text[i:end], True))
            last = end
        i = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces


def _fallbacks(inner: str) -> list[str]:
    """``opt:stage, 'dev'`` as ``["opt:stage", "'dev'"]``: the address and its fallbacks."""
    out, depth, quote, start = [], 0, "", 0
    for i, c in enumerate(inner):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(inner[start:i].strip())
            start = i + 1
    out.append(inner[start:].strip())
    return out


class _Variables:
    """Resolves serverless variables in a template built from one serverless file.

    A ``${self:...}`` target is resolved once and shared by every use; the nodes made are counted, so
    no file can make this expand without bound.
    """

    def __init__(self, root: Any) -> None:
        self.root = root
        self.active: set[str] = set()
        self.resolved: dict[str, Any] = {}
        self.made = 0

    def _count(self, line: int) -> None:
        self.made += 1
        if self.made > MAX_RESOLVED_NODES:
            raise ParseError(f"serverless variables expand to more than {MAX_RESOLVED_NODES} nodes (CloudFormation"
                             " accepts no template that large)", line)

    def value(self, node: Any, line: int, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting too deep (more than {MAX_DEPTH} levels)", line)
        if isinstance(node, dict):
            return self._mapping(node, depth)
        if isinstance(node, list):
            self._count(line)
            out = PosList(self.value(item, getattr(node, "line", line), depth + 1) for item in node)
            out.line, out.col = getattr(node, "line", line), getattr(node, "col", 0)
            return out
        if isinstance(node, str) and "${" in node:
            return self.string(node, line, depth)
        return node

    def _mapping(self, node: dict, depth: int) -> PosDict:
        line = getattr(node, "line", 0)
        self._count(line)
        out = PosDict()
        out.line, out.col = line, getattr(node, "col", 0)
        positions = getattr(node, "key_pos", {})
        for key, item in node.items():
            place = positions.get(key, (line, out.col))
            if key == "Fn::Sub" and len(node) == 1:
                value = self._sub(item, place[0], depth)
            else:
                if isinstance(key, str) and "${" in key:
                    resolved = self.string(key, place[0], depth)
                    key = resolved if isinstance(resolved, str) else key
                value = self.value(item, place[0], depth + 1)
            out[key] = value
            out.key_pos[key] = place
        return out

    def string(self, text: str, line: int, depth: int) -> Any:
        """The value of a string with serverless variables: a string when every part is known, else the
        parts joined with ``Fn::Join`` (a variable the whole string consists of gives its value as is)."""
        pieces = _split(text)
        if not any(is_var for _piece, is_var in pieces):
            return text
        if len(pieces) == 1:
            return self.variable(pieces[0][0], line, depth)
        parts: list[Any] = []
        for piece, is_var in pieces:
            value = self.variable(piece, line, depth) if is_var else piece
            if isinstance(value, bool):
                value = "true" if value else "false"
            elif isinstance(value, (int, float)):
                value = str(value)
            elif isinstance(value, (dict, list)) and not _is_expression(value):
                value = Tagged(f"{piece} ({'a list' if isinstance(value, list) else 'a mapping'}, not text)", line)
            if isinstance(value, str) and parts and isinstance(parts[-1], str):
                parts[-1] += value
            else:
                parts.append(value)
        if len(parts) == 1 and isinstance(parts[0], str):
            return parts[0]
        return _join(parts, line)

    def _sub(self, arg: Any, line: int, depth: int) -> Any:
        """``Fn::Sub`` text: known variables are written in, unknown ones become Sub variables."""
        text, given = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, None)
        if not isinstance(text, str):
            return self.value(arg, line, depth + 1)
        variables: dict[str, Any] = {}
        out = []
        for piece, is_var in _split(text):
            if not is_var:
                out.append(piece)
                continue
            value = self.variable(piece, line, depth)
            if isinstance(value, bool):
                out.append("true" if value else "false")
            elif isinstance(value, (str, int, float)):
                out.append(str(value).replace("${", "${!"))
            else:
                name = f"serverless-variable-{len(variables) + 1}"
                variables[name] = value
                out.append("${" + name + "}")
        new_text = "".join(out)
        if not variables and given is None:
            return new_text
        mapping = self.value(given, line, depth + 1) if isinstance(given, dict) else PosDict()
        if not isinstance(given, dict):
            mapping.line, mapping.col = line, 0
        for name, value in variables.items():
            mapping[name] = value
            mapping.key_pos[name] = (line, 0)
        pair = PosList([new_text, mapping])
        pair.line, pair.col = line, 0
        return pair

    def variable(self, text: str, line: int, depth: int) -> Any:
        """The value of one ``${...}``: known data, a pseudo parameter, or a :class:`Tagged` unknown."""
        inner = text[2:-1]
        if "${" in inner:  # a variable inside the address: ${self:custom.${opt:stage}}
            resolved = self.string(inner, line, depth + 1)
            if not isinstance(resolved, str):
                return resolved if isinstance(resolved, Tagged) else _unknown(text, "self", line)
            inner = resolved
        address, *fallbacks = _fallbacks(inner)
        if address in _PSEUDO:
            return _ref(_PSEUDO[address], line)
        source = _SOURCE.match(address)
        kind = source.group(1) if source else ""
        if kind == "self" and address.startswith("self:"):
            found = self._self(address[5:].strip(), line, depth)
            if found is not _MISSING:
                return found
            for fallback in fallbacks:
                if len(fallback) >= 2 and fallback[0] == fallback[-1] and fallback[0] in "'\"":
                    return fallback[1:-1]
        return _unknown(text, kind, line)

    def _self(self, path: str, line: int, depth: int) -> Any:
        """The value ``self:path`` names in the file, resolved (once); missing on a cycle or a dead end."""
        parts = [p.strip() for p in path.split(".") if p.strip()]
        path = ".".join(parts)
        if path in self.resolved:
            return self.resolved[path]
        if path in self.active or len(self.active) >= _MAX_LOOKUPS:
            return _MISSING
        node = self.root
        for part in parts:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return _MISSING
        self.active.add(path)
        try:
            found = self.value(node, getattr(node, "line", line), depth + 1)
        finally:
            self.active.discard(path)
        self.resolved[path] = found
        return found


_MISSING = object()


def _unknown(text: str, kind: str, line: int) -> Tagged:
    return Tagged(f"{text} ({_WHAT.get(kind, 'a Serverless Framework variable resolved at deployment')})", line)


def _is_expression(value: Any) -> bool:
    """A CloudFormation function (``{"Ref": ...}``, ``{"Fn::...": ...}``), usable inside ``Fn::Join``."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith(("Ref", "Fn::"))


def _ref(name: str, line: int) -> PosDict:
    out = PosDict()
    out.line, out.col = line, 0
    out["Ref"] = name
    out.key_pos["Ref"] = (line, 0)
    return out


def _join(parts: list[Any], line: int) -> PosDict:
    items = PosList(parts)
    items.line, items.col = line, 0
    args = PosList(["", items])
    args.line, args.col = line, 0
    out = PosDict()
    out.line, out.col = line, 0
    out["Fn::Join"] = args
    out.key_pos["Fn::Join"] = (line, 0)
    return out
