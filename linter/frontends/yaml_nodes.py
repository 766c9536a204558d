"""YAML and JSON documents as plain Python data that keeps line and column of every mapping and key.

Parsing stops at PyYAML's composer (libyaml when available): no constructor runs, so no tag can
build an object. CloudFormation short-form tags become their long-form mappings.
"""

from __future__ import annotations

import re
from typing import Any

from . import MAX_DEPTH, ParseError

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


#: Plain scalars longer than this are strings: no number, boolean or date the linter reads is this long,
#: and PyYAML's resolver patterns (sexagesimal ``1:1:1:…`` numbers) take quadratic time on long ones.
MAX_RESOLVED_SCALAR = 256

_LOADER: Any = None


def _yaml():
    """PyYAML and the loader to compose with: libyaml's when available, resolving long plain scalars as
    strings without trying the number patterns (:data:`MAX_RESOLVED_SCALAR`)."""
    import yaml

    global _LOADER
    if _LOADER is None:
        base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader

        class Loader(base):  # type: ignore[misc, valid-type]
            def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
                if kind is yaml.ScalarNode and implicit[0] and len(value) > MAX_RESOLVED_SCALAR:
                    return self.DEFAULT_SCALAR_TAG
                return super().resolve(kind, value, implicit)

        _LOADER = Loader
    return yaml, _LOADER


def load(text: str) -> Document:
    """Compose ``text`` (YAML or JSON) and convert it; raise :class:`ParseError` on bad syntax."""
    yaml, loader = _yaml()
    if text.lstrip().startswith(("{", "[")) and _JSON_ONLY.search(text):
        # JSON allows these characters raw inside strings (the only place it allows them), YAML does
        # not: as escapes they read the same (columns after them shift)
        text = _JSON_ONLY.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    too_deep = _nesting_error(text, yaml, loader)
    if too_deep is not None:
        raise too_deep
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


_BLOCK_PREFIX = "(?m)^[ \t?:-]{%d,}"
#: Characters JSON strings may hold raw but YAML rejects ("special characters are not allowed") or
#: reads as line breaks (NEL, LS, PS).
_JSON_ONLY = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


def _nesting_error(text: str, yaml: Any, loader: Any) -> ParseError | None:
    """A :class:`ParseError` when ``text`` nests collections deeper than :data:`MAX_DEPTH`.

    Runs before composing, without recursion, so neither libyaml's composer (C recursion) nor
    PyYAML's pure-Python one sees a hostile depth. A flow collection starts with ``[`` or ``{``, and
    each column of block indentation (or of ``- ``/``? `` prefixes) adds at most two levels, so when
    those counts cannot reach the limit the text is passed without parsing it twice.
    """
    room = (MAX_DEPTH - text.count("[") - text.count("{")) // 2
    if room > 0 and not re.search(_BLOCK_PREFIX % room, text):
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return ParseError(f"nesting too deep (more than {MAX_DEPTH} levels)", mark.line + 1,
                                      mark.column + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        if "nesting depth" in str(exc.problem) and mark is not None:  # libyaml's own limit (1000)
            return ParseError(f"nesting too deep (more than {MAX_DEPTH} levels)", mark.line + 1,
                              mark.column + 1)
        return None  # composing reports the syntax error with its position
    except yaml.YAMLError:
        return None
    return None


class _Converter:
    """Composed nodes into :class:`PosDict`/:class:`PosList` data.

    An alias shares the value converted for its anchor, so a "billion laughs" document stays small in
    memory; but code that walks the data visits every path, so the depth and the size the data would
    have with every alias expanded are bounded too (:data:`MAX_DEPTH`, :data:`MAX_NODES`).
    """

    def __init__(self, yaml: Any) -> None:
        self.yaml = yaml
        self.constructor = yaml.constructor.SafeConstructor()
        self.memo: dict[int, Any] = {}
        self.count = 0
        self.duplicates: list[tuple[str, int]] = []
        self.foreign: list[Tagged] = []
        #: (levels, expanded size) of each converted node, and per node being converted the most
        #: levels and the total expanded size of its children so far, and its line.
        self.shape: dict[int, tuple[int, int]] = {}
        self.open: list[list[int]] = []
        self.active: set[int] = set()

    def convert(self, node: Any) -> Any:
        key = id(node)
        if key in self.memo:  # an alias: share the converted value, never expand it again
            self._add(node, *self.shape[key])
            return self.memo[key]
        line = node.start_mark.line + 1
        if key in self.active:
            raise ParseError("recursive alias: an anchor is used inside its own value", line)
        if len(self.open) >= MAX_DEPTH:
            raise ParseError(f"nesting too deep (more than {MAX_DEPTH} levels)", line)
        self.count += 1
        if self.count > MAX_NODES:
            raise ParseError(f"document has more than {MAX_NODES} nodes (alias expansion or size limit)")
        self.active.add(key)
        self.open.append([0, 0, line])
        value = self._convert(node)
        levels, size, _ = self.open.pop()
        self.active.discard(key)
        self.shape[key] = (levels + 1, size + 1)
        self.memo[key] = value
        self._add(node, levels + 1, size + 1)
        return value

    def _add(self, node: Any, levels: int, size: int) -> None:
        """Count a converted child (``levels`` deep, ``size`` nodes when expanded) in its parent."""
        line = self.open[-1][2] if self.open else node.start_mark.line + 1  # where an alias is used
        if len(self.open) + levels > MAX_DEPTH:
            raise ParseError(f"nesting too deep through aliases (more than {MAX_DEPTH} levels)", line)
        if size > MAX_NODES or (self.open and self.open[-1][1] + size > MAX_NODES):
            raise ParseError(f"aliases expand to more than {MAX_NODES} nodes (an alias bomb?)", line)
        if self.open:
            parent = self.open[-1]
            parent[0] = max(parent[0], levels)
            parent[1] += size

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
        merged: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *defaults`
                merged.append(value_node)
                continue
            key = self.convert(key_node)
            if isinstance(key, (list, dict, Tagged)):  # a complex key (`? [a, b]`): no CloudFormation name
                key = f"<{type(key).__name__} key at line {key_node.start_mark.line + 1}>"
            if key in out:
                self.duplicates.append((str(key), key_node.start_mark.line + 1))
            out[key] = self.convert(value_node)
            out.key_pos[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        for value_node in merged:
            self._merge(out, value_node)
        return out

    def _merge(self, out: PosDict, value_node: Any) -> None:
        """YAML merge keys, as ``aws cloudformation package`` (and cfn-lint) apply them before deploying:
        keys written in the mapping win, then the merged mappings in order."""
        sources = value_node.value if isinstance(value_node, self.yaml.SequenceNode) else [value_node]
        for source in sources:
            value = self.convert(source)
            if not isinstance(value, PosDict):
                raise ParseError("YAML merge key (<<) needs a mapping or a list of mappings",
                                 source.start_mark.line + 1, source.start_mark.column + 1)
            for key, item in value.items():
                if key not in out:
                    out[key] = item
                    out.key_pos[key] = value.key_pos.get(key, (out.line, out.col))

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
            return node.value
        try:
            value = self.constructor.construct_object(node)
        except Exception:  # a malformed int/float/bool: keep the text
            return node.value
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        return node.value  # bytes, dates, or an empty set/list from a collection tag on a scalar (!!set x)


_STANDARD = {"str", "int", "float", "bool", "null", "timestamp", "binary", "map", "seq", "omap", "set", "pairs",
             "merge", "value"}
