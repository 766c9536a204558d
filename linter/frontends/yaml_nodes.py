"""YAML and JSON documents as plain Python data that keeps line and column of every mapping and key.

Parsing stops at PyYAML's composer (libyaml when available): no constructor runs, so no tag can
build an object. CloudFormation short-form tags become their long-form mappings.
"""

from __future__ import annotations

import datetime
from typing import Any

from . import ParseError

#: Short-form CloudFormation tags and the key of their long form.
INTRINSIC_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And", "Base64", "Cidr", "Equals", "FindInMap", "ForEach", "GetAtt", "GetAZs", "If", "ImportValue",
            "Join", "Length", "Not", "Or", "Select", "Split", "Sub", "ToJsonString", "Transform",
        )
    },
}

#: Most nodes one document may expand to; guards against alias bombs and giant files.
MAX_NODES = 2_000_000


class PosDict(dict):
    """A mapping with the position of itself and of each key."""

    line: int = 0
    col: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_pos: dict[Any, tuple[int, int]] = {}


class PosList(list):
    line: int = 0
    col: int = 0


class Tagged:
    """A value under a tag this linter does not interpret (``!!python/object``, ``!Include``)."""

    def __init__(self, tag: str, line: int) -> None:
        self.tag = tag
        self.line = line

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r})"


class Document:
    """The loaded data plus what was noticed while loading it."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.duplicate_keys: list[tuple[str, int]] = []
        self.foreign_tags: list[Tagged] = []


def _yaml():
    import yaml

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    return yaml, loader


def load(text: str) -> Document:
    """Compose ``text`` (YAML or JSON) and convert it; raise :class:`ParseError` on bad syntax."""
    yaml, loader = _yaml()
    try:
        node = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        column = mark.column + 1 if mark else 0
        raise ParseError(f"invalid YAML/JSON: {exc.problem or exc.context}", line, column) from None
    except yaml.YAMLError as exc:
        raise ParseError(f"invalid YAML/JSON: {str(exc).splitlines()[0][:200]}") from None
    except RecursionError:
        raise ParseError("nesting too deep") from None
    converter = _Converter(yaml)
    doc = Document(None)
    try:
        doc.data = converter.convert(node) if node is not None else None
    except RecursionError:
        raise ParseError("nesting too deep") from None
    doc.duplicate_keys = converter.duplicates
    doc.foreign_tags = converter.foreign
    return doc


class _Converter:
    def __init__(self, yaml: Any) -> None:
        self.yaml = yaml
        self.constructor = yaml.constructor.SafeConstructor()
        self.memo: dict[int, Any] = {}
        self.count = 0
        self.duplicates: list[tuple[str, int]] = []
        self.foreign: list[Tagged] = []

    def convert(self, node: Any) -> Any:
        key = id(node)
        if key in self.memo:  # an alias: share the converted value, never expand it again
            return self.memo[key]
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(f"document has more than {MAX_NODES} nodes (alias expansion or size limit)")
        value = self._convert(node)
        self.memo[key] = value
        return value

    def _convert(self, node: Any) -> Any:
        yaml = self.yaml
        tag = node.tag or ""
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if tag in INTRINSIC_TAGS:
            wrapped = PosDict()
            wrapped.line, wrapped.col = line, col
            name = INTRINSIC_TAGS[tag]
            wrapped[name] = self._plain(node, line, col)
            wrapped.key_pos[name] = (line, col)
            return wrapped
        if tag.startswith("!") or (tag.startswith("tag:yaml.org,2002:") and tag[18:] not in _STANDARD):
            if not tag.startswith("!"):
                marker = Tagged(tag.replace("tag:yaml.org,2002:", "!!"), line)
                self.foreign.append(marker)
                return marker
            return Tagged(tag, line)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, line, col)
        if isinstance(node, yaml.SequenceNode):
            out = PosList(self.convert(item) for item in node.value)
            out.line, out.col = line, col
            return out
        return self._scalar(node)

    def _plain(self, node: Any, line: int, col: int) -> Any:
        """The value under a short-form tag, converted as if untagged."""
        yaml = self.yaml
        if isinstance(node, yaml.ScalarNode):
            return node.value
        if isinstance(node, yaml.SequenceNode):
            out = PosList(self.convert(item) for item in node.value)
            out.line, out.col = line, col
            return out
        return self._mapping(node, line, col)

    def _mapping(self, node: Any, line: int, col: int) -> PosDict:
        out = PosDict()
        out.line, out.col = line, col
        for key_node, value_node in node.value:
            key = self.convert(key_node)
            if isinstance(key, (list, dict, Tagged)):
                key = str(getattr(key_node, "value", key))
            if key in out:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            out[key] = self.convert(value_node)
            out.key_pos[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return node.value
        try:
            value = self.constructor.construct_object(node)
        except Exception:  # a malformed int/float/bool: keep the text
            return node.value
        if isinstance(value, (datetime.date, bytes)):
            return node.value
        return value


_STANDARD = {"str", "int", "float", "bool", "null", "timestamp", "binary", "map", "seq", "omap", "set", "pairs",
             "merge", "value"}
