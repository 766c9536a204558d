"""cfn-lint's decoded template (``dict_node``/``list_node``/``str_node`` with 0-based marks) as the
position-keeping data the resolver reads (:mod:`cloudtrail_lint.frontends.yaml_nodes`), the same data the
front-end gives for the same text.

No second parse: the values and marks cfn-lint already holds are copied. A value without a mark (under
a short-form tag such as ``!Sub`` or ``!If``) takes its parent's position, as in the front-end; a value
shared through a YAML alias is converted once and stays shared. ``!GetAtt a.b``, which cfn-lint splits
into ``[a, b]``, is ``a.b`` again, and a tag that is no intrinsic function (``!Include x``, which
cfn-lint reads as ``Fn::Include``) is the front-end's unevaluated :class:`Tagged` again. Nothing here
recurses: the nesting, aliases expanded, is bounded as the front-end bounds it before the resolver
walks the data.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..frontends import MAX_DEPTH
from ..frontends.yaml_nodes import INTRINSIC_TAGS, PosDict, PosList, Tagged


class TooDeep(ValueError):
    """The template nests deeper than the front-end accepts, or an alias is used inside its own value."""


def positioned(template: Any) -> Any:
    """``template`` (as cfn-lint decoded it) as :class:`PosDict`/:class:`PosList` data."""
    if _levels(template) > MAX_DEPTH:
        raise TooDeep(f"nesting too deep (more than {MAX_DEPTH} levels)")
    return _convert(template)


def _children(node: Any) -> list[Any]:
    values = node.values() if isinstance(node, dict) else node
    return [value for value in values if isinstance(value, (dict, list))]


def _levels(root: Any) -> int:
    """How deep mappings and lists nest in ``root`` with every alias expanded (each shared value is
    measured once)."""
    if not isinstance(root, (dict, list)):
        return 0
    levels: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            levels[key] = 1 + max((levels[id(child)] for child in _children(node)), default=0)
            open_nodes.discard(key)
            if levels[key] > MAX_DEPTH:
                break
        elif key not in levels:
            if key in open_nodes:  # reached again below itself
                raise TooDeep("recursive alias: an anchor is used inside its own value")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in levels)
    return max(levels.values(), default=0)


def _position(node: Any, parent: tuple[int, int]) -> tuple[int, int]:
    """1-based (line, column) of a node's start mark, or ``parent`` when it has none."""
    mark = getattr(node, "start_mark", None)
    if mark is None:
        return parent
    return mark.line + 1, mark.column + 1


def _convert(root: Any) -> Any:
    if not isinstance(root, (dict, list)):
        return _scalar(root)
    memo: dict[int, Any] = {}
    pending: list[tuple[Any, Any]] = []

    def converted(node: Any, parent: tuple[int, int]) -> Any:
        if not isinstance(node, (dict, list)):
            return _scalar(node)
        tag = _foreign_tag(node)
        if tag:
            return Tagged(tag, _position(node, parent)[0])
        known = memo.get(id(node))
        if known is None:
            known = memo[id(node)] = PosDict() if isinstance(node, dict) else PosList()
            known.line, known.col = _position(node, parent)
            pending.append((node, known))
        return known

    top = converted(root, (1, 1))
    while pending:
        node, out = pending.pop()
        here = (out.line, out.col)
        if isinstance(out, PosList):
            out.extend(converted(item, here) for item in node)
            continue
        for key, value in node.items():
            plain = _scalar(key)
            out[plain] = ".".join(value) if _split_get_att(key, value) else converted(value, here)
            out.key_pos[plain] = _position(key, here)
    return top


_INTRINSICS = frozenset(INTRINSIC_TAGS.values())


def _foreign_tag(node: Any) -> str:
    """``!Name`` when ``node`` is cfn-lint's reading of a short-form tag that is no intrinsic function:
    its one key, of cfn-lint's making (no mark), is ``Fn::Name``; else ``""``."""
    if not isinstance(node, dict) or len(node) != 1:
        return ""
    (key,) = node
    if type(key) is not str or not key.startswith("Fn::") or key in _INTRINSICS:
        return ""
    return f"!{key[4:]}"


def _split_get_att(key: Any, value: Any) -> bool:
    """Whether ``key: value`` is cfn-lint's reading of ``!GetAtt name.attribute``: a key of its own
    making (no mark) over the two parts it split, which are plain strings (read ones are ``str_node``)."""
    return (key == "Fn::GetAtt" and not hasattr(key, "start_mark") and isinstance(value, list)
            and len(value) == 2 and all(type(part) is str for part in value))


def _scalar(value: Any) -> Any:
    """A plain ``str`` for a ``str_node``; dates in the text YAML wrote them in (the front-end keeps
    timestamps as text)."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
