"""CloudFormation text for new properties and resources, in the template's own style.

YAML keeps the template's indentation, its way of indenting sequences and its short-form tags
(or long form where the template uses only that); JSON keeps its indentation.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_PLAIN = re.compile(r"[A-Za-z/][A-Za-z0-9_./:*@+-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


@dataclass(frozen=True)
class Intrinsic:
    """An intrinsic function call: ``fn`` is the long-form name (``Fn::GetAtt``), ``arg`` its argument."""

    fn: str
    arg: Any


@dataclass(frozen=True)
class Raw:
    """Text copied from the template as it is written."""

    text: str


def get_att(logical_id: str, attribute: str = "Arn") -> Intrinsic:
    return Intrinsic("Fn::GetAtt", [logical_id, attribute])


@dataclass
class Style:
    """How a template is written."""

    json: bool = False
    short: bool = True
    #: Spaces per mapping level.
    unit: int = 2
    #: Spaces between a key and the ``-`` of its block sequence.
    seq_indent: int = 2
    #: Columns from a ``-`` to its item.
    dash_width: int = 2
    #: What separates a JSON key from its value (``": "`` or ``" : "``).
    colon: str = ": "
    #: Whether resources are separated by blank lines.
    spaced: bool = True

    def scalar(self, value: Any) -> str:
        if isinstance(value, Raw):
            return value.text
        if isinstance(value, Intrinsic):
            return self.intrinsic(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        plain = _PLAIN.fullmatch(value) and value.lower() not in _RESERVED and not value.endswith(":")
        if plain and not self.json:
            return value
        return json.dumps(value)

    def intrinsic(self, call: Intrinsic) -> str:
        """``call`` written inline."""
        if self.short and not self.json:
            tag = "!" + call.fn.replace("Fn::", "")
            if call.fn == "Fn::GetAtt":
                return f"{tag} {call.arg[0]}.{call.arg[1]}"
            return f"{tag} {self.scalar(call.arg)}"
        return json.dumps({call.fn: call.arg})

    def key(self, name: str) -> str:
        return json.dumps(name) if self.json else name

    def entry(self, name: str, value: Any) -> str:
        """``name: value`` with an inline value."""
        return f"{self.key(name)}{self.colon if self.json else ': '}{self.scalar(value)}"

    # ----- YAML block style -----
    def yaml_lines(self, data: dict[str, Any], indent: int) -> list[str]:
        """A mapping in block style, each line indented by ``indent`` spaces or more."""
        lines: list[str] = []
        pad = " " * indent
        for name, value in data.items():
            if isinstance(value, dict):
                lines.append(f"{pad}{name}:")
                lines.extend(self.yaml_lines(value, indent + self.unit))
            elif isinstance(value, list):
                lines.append(f"{pad}{name}:")
                lines.extend(self._yaml_items(value, indent + self.seq_indent))
            else:
                lines.append(f"{pad}{self.entry(name, value)}")
        return lines

    def _yaml_items(self, items: list[Any], indent: int) -> list[str]:
        lines: list[str] = []
        pad = " " * indent
        for item in items:
            dash = "-".ljust(self.dash_width)
            if isinstance(item, dict):
                inner = self.yaml_lines(item, indent + self.dash_width)
                lines.append(f"{pad}{dash}{inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}{dash}{self.scalar(item)}")
        return lines

    # ----- JSON -----
    def json_text(self, value: Any, indent: int) -> str:
        """``value`` as indented JSON for a place ``indent`` spaces in; intrinsic calls and lists of
        scalars stay on one line."""
        value = _plain(value)
        if isinstance(value, (dict, list)) and value and not _inline(value):
            pad = " " * (indent + self.unit)
            if isinstance(value, dict):
                items = [f"{pad}{json.dumps(k)}{self.colon}{self.json_text(v, indent + self.unit)}"
                         for k, v in value.items()]
                return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
            items = [pad + self.json_text(v, indent + self.unit) for v in value]
            return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"
        return json.dumps(value)


def _inline(value: Any) -> bool:
    """Intrinsic calls and lists of scalars are written on one line."""
    if isinstance(value, dict):
        return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))
    return all(not isinstance(v, (dict, list)) or (isinstance(v, dict) and v and _inline(v)) for v in value)


def _plain(value: Any) -> Any:
    if isinstance(value, Intrinsic):
        return {value.fn: _plain(value.arg)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Raw):
        return json.loads(value.text)
    return value
