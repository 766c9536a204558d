"""``Fn::ForEach`` loops (the ``AWS::LanguageExtensions`` transform), expanded before anything reads the template.

``Fn::ForEach::Name: [Identifier, Collection, {OutputKey: OutputValue}]`` in ``Resources``,
``Conditions`` and ``Outputs`` (and anywhere inside them, such as resource properties) is replaced by one
copy of the fragment per item of the collection, as CloudFormation does when it applies the transform:

- ``${Identifier}`` in keys and in ``Fn::Sub`` text becomes the item, ``&{Identifier}`` the item without
  its non-alphanumeric characters, and ``Ref: Identifier`` the item; loops nest;
- the collection may be a list written out, a ``Ref`` to a list parameter with a ``Default``, or an
  ``Fn::FindInMap`` or ``Fn::Split`` of such values;
- a collection known only at deployment (a parameter without ``Default``, ``Fn::GetAZs``...) gives one
  instance whose identifier is unknown, with the reason: its keys keep ``${Identifier}`` as written.

Every copy keeps the lines and columns of the fragment it comes from: a finding on a generated trail
points at its ``OutputKey`` line. The result is made of new :class:`PosDict`/:class:`PosList` nodes; the
loaded template is not changed.
"""

from __future__ import annotations

import re
from typing import Any

from . import MAX_DEPTH, ParseError
from .yaml_nodes import PosDict, PosList, Tagged

#: Most nodes the loops of one template may make. CloudFormation's limit on the template after the
#: transform (1 MB) keeps real templates far below; a file of nested loops could ask for billions.
MAX_EXPANDED_NODES = 100_000
PREFIX = "Fn::ForEach::"
SECTIONS = ("Conditions", "Resources", "Outputs")
_LIST_TYPES = ("CommaDelimitedList", "List<")


def has_loops(template: Any) -> bool:
    """Whether a section of ``template`` has a loop at its top level or deeper (a quick look at keys)."""
    return isinstance(template, dict) and any(_has_loop(template.get(s), 0) for s in SECTIONS)


def _has_loop(node: Any, depth: int) -> bool:
    if depth > MAX_DEPTH:
        return False
    if isinstance(node, dict):
        return any((isinstance(k, str) and k.startswith(PREFIX)) or _has_loop(v, depth + 1) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_loop(v, depth + 1) for v in node)
    return False


def expand(template: PosDict) -> PosDict:
    """``template`` with every loop of its sections expanded; :class:`ParseError` for a malformed loop."""
    out = PosDict()
    out.line, out.col = template.line, template.col
    out.key_pos.update(template.key_pos)
    expander = _Expander(template)
    for key, value in template.items():
        out[key] = expander.walk(value, {}, 0) if key in SECTIONS else value
    return out


class _Unknown:
    """The item of a collection known only at deployment: what stands for it in the template."""

    def __init__(self, stand_in: Any) -> None:
        self.stand_in = stand_in


class _Expander:
    def __init__(self, template: dict) -> None:
        self.parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
        self.mappings = template.get("Mappings") if isinstance(template.get("Mappings"), dict) else {}
        self.made = 0

    def _count(self, line: int) -> None:
        self.made += 1
        if self.made > MAX_EXPANDED_NODES:
            raise ParseError(f"Fn::ForEach expands to more than {MAX_EXPANDED_NODES} nodes (CloudFormation accepts"
                             " no template that large)", line)

    # ----- walking the template -----
    def walk(self, node: Any, params: dict[str, Any], depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ParseError(f"nesting too deep (more than {MAX_DEPTH} levels)", getattr(node, "line", 0))
        if isinstance(node, dict):
            return self._mapping(node, params, depth)
        if isinstance(node, list):
            self._count(getattr(node, "line", 0))
            out = PosList(self.walk(item, params, depth + 1) for item in node)
            out.line, out.col = getattr(node, "line", 0), getattr(node, "col", 0)
            return out
        return node

    def _mapping(self, node: dict, params: dict[str, Any], depth: int) -> Any:
        line, col = getattr(node, "line", 0), getattr(node, "col", 0)
        positions = getattr(node, "key_pos", {})
        if len(node) == 1 and params:
            (fn, arg), = node.items()
            if fn == "Ref" and isinstance(arg, str) and arg in params:
                value = params[arg]
                return value.stand_in if isinstance(value, _Unknown) else value
            if fn == "Fn::Sub":
                return self._sub(node, arg, params, depth)
            if fn == "Fn::GetAtt":  # "Log${Name}.Arn" or ["Log${Name}", "Arn"]
                return _wrap(fn, self._names(arg, params, depth), line, col)
        self._count(line)
        out = PosDict()
        out.line, out.col = line, col
        for key, value in node.items():
            place = positions.get(key, (line, col))
            if isinstance(key, str) and key.startswith(PREFIX):
                self._loop(key, value, place, params, depth, out)
                continue
            new_key = _substitute(key, params) if isinstance(key, str) and params else key
            self._add(out, new_key, self.walk(value, params, depth + 1), place)
        return out

    @staticmethod
    def _add(out: PosDict, key: Any, value: Any, place: tuple[int, int]) -> None:
        if key in out:
            raise ParseError(f"Fn::ForEach: {key} is defined twice after expansion", place[0], place[1])
        out[key] = value
        out.key_pos[key] = place

    def _names(self, arg: Any, params: dict[str, Any], depth: int) -> Any:
        if isinstance(arg, str):
            return _substitute(arg, params)
        walked = self.walk(arg, params, depth + 1)
        if isinstance(walked, list):
            walked[:] = [_substitute(item, params) if isinstance(item, str) else item for item in walked]
        return walked

    # ----- one loop -----
    def _loop(self, key: str, spec: Any, place: tuple[int, int], params: dict[str, Any], depth: int,
              out: PosDict) -> None:
        line, col = place
        if not (isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str) and spec[0]
                and isinstance(spec[2], dict)):
            raise ParseError(f"malformed {key}: it takes a list of an identifier, a collection and a mapping of"
                             " output keys to values", line, col)
        identifier, collection, fragment = spec
        items = self.collection(collection, params)
        if items is None:
            items = [_Unknown(self._stand_in(key, collection, params, line))]
        for item in items:
            inner = {**params, identifier: item}
            expanded = self._mapping(fragment, inner, depth + 1)
            for out_key, value in expanded.items():
                self._add(out, out_key, value, expanded.key_pos.get(out_key, place))

    def _stand_in(self, key: str, collection: Any, params: dict[str, Any], line: int) -> Any:
        """What an unknown item reads as: the collection's first item, when what makes the collection unknown
        says why itself (a parameter without a default, ``Fn::GetAZs``...), else an unknown that names the loop."""
        if isinstance(collection, dict) and len(collection) == 1:
            (fn, arg), = collection.items()
            telling = fn in ("Fn::GetAZs", "Fn::ImportValue", "Fn::GetAtt") or (
                fn == "Ref" and isinstance(arg, str) and arg in self.parameters and arg not in params)
            if telling:
                first = PosList(["0", collection])
                first.line, first.col = line, 0
                out = PosDict()
                out.line, out.col = line, 0
                out["Fn::Select"] = first
                out.key_pos["Fn::Select"] = (line, 0)
                return out
        return Tagged(f"{key} (its collection is not known before deployment)", line)

    # ----- the collection -----
    def collection(self, node: Any, params: dict[str, Any]) -> list[str] | None:
        """The items of a loop's collection, as text; None when they are known only at deployment."""
        if isinstance(node, list):
            items = [self.scalar(item, params) for item in node]
            return None if any(i is None for i in items) else items  # type: ignore[misc]
        if not (isinstance(node, dict) and len(node) == 1):
            return None
        (fn, arg), = node.items()
        if fn == "Ref" and isinstance(arg, str) and arg not in params:
            spec = self.parameters.get(arg)
            if not (isinstance(spec, dict) and str(spec.get("Type", "")).startswith(_LIST_TYPES)):
                return None
            default = spec.get("Default")
            if isinstance(default, list):
                return self.collection(default, params)
            return [item.strip() for item in default.split(",")] if isinstance(default, str) else None
        if fn == "Fn::Split" and isinstance(arg, list) and len(arg) == 2:
            separator, text = self.scalar(arg[0], params), self.scalar(arg[1], params)
            if not separator or text is None:
                return None
            return text.split(separator)
        if fn == "Fn::FindInMap" and isinstance(arg, list) and len(arg) in (3, 4):
            keys = [self.scalar(item, params) for item in arg[:3]]
            found: Any = self.mappings
            for k in keys:
                found = found.get(k) if isinstance(found, dict) and k is not None else None
            if found is None and len(arg) == 4 and isinstance(arg[3], dict):
                found = arg[3].get("DefaultValue")
            return self.collection(found, params) if isinstance(found, list) else None
        return None

    def scalar(self, node: Any, params: dict[str, Any]) -> str | None:
        """A collection item or function argument as text, when it is known."""
        if isinstance(node, bool):
            return "true" if node else "false"
        if isinstance(node, (str, int, float)):
            return str(node)
        if isinstance(node, dict) and len(node) == 1 and isinstance(node.get("Ref"), str):
            name = node["Ref"]
            if name in params:
                value = params[name]
                return None if isinstance(value, _Unknown) else value
            spec = self.parameters.get(name)
            if isinstance(spec, dict) and not str(spec.get("Type", "")).startswith(_LIST_TYPES):
                return self.scalar(spec.get("Default"), {}) if "Default" in spec else None
        return None

    # ----- Fn::Sub -----
    def _sub(self, node: dict, arg: Any, params: dict[str, Any], depth: int) -> Any:
        """``Fn::Sub`` with the identifiers written in; an unknown one becomes a Sub variable."""
        line, col = getattr(node, "line", 0), getattr(node, "col", 0)
        text, given = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, None)
        if not isinstance(text, str):
            return self._plain_sub(node, params, depth)
        unknown = {name: v for name, v in params.items() if isinstance(v, _Unknown)}
        new_text = _substitute(text, params)
        for name in unknown:
            new_text = new_text.replace("&{" + name + "}", "${" + name + "}")
        used = [name for name in unknown if "${" + name + "}" in new_text]
        if given is None and not used:
            if "${" not in new_text:
                return new_text  # nothing left to substitute: a plain string
            return _wrap("Fn::Sub", new_text, line, col)
        variables = self.walk(given, params, depth + 1) if isinstance(given, dict) else PosDict()
        if not isinstance(given, dict):
            variables.line, variables.col = line, col
        for name in used:
            variables[name] = unknown[name].stand_in
            variables.key_pos[name] = (line, col)
        pair = PosList([new_text, variables])
        pair.line, pair.col = line, col
        return _wrap("Fn::Sub", pair, line, col)

    def _plain_sub(self, node: dict, params: dict[str, Any], depth: int) -> PosDict:
        (fn, arg), = node.items()
        return _wrap(fn, self.walk(arg, params, depth + 1), getattr(node, "line", 0), getattr(node, "col", 0))


_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")


def _substitute(text: str, params: dict[str, Any]) -> str:
    """``${Identifier}`` and ``&{Identifier}`` of the known identifiers written in."""
    if "{" not in text:
        return text
    for name, value in params.items():
        if isinstance(value, _Unknown):
            continue
        text = text.replace("${" + name + "}", value)
        if "&{" in text:
            text = text.replace("&{" + name + "}", _NOT_ALPHANUMERIC.sub("", value))
    return text


def _wrap(fn: str, arg: Any, line: int, col: int) -> PosDict:
    out = PosDict()
    out.line, out.col = line, col
    out[fn] = arg
    out.key_pos[fn] = (line, col)
    return out
