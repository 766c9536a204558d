"""The Terraform built-in functions that appear where trails are wired, over known and unknown values."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Callable

from ..arn import display
from ..model import UNKNOWN_ANY
from .common import Unknown

#: A format verb: flags, then a width that does not start with 0 (the flags take the zeros), so a run of
#: digits has one way to match and a long ``%000…0!`` is read in linear time.
_FORMAT_VERB = re.compile(r"%(?:%|[-+ #0]*(?:[1-9]\d*)?(?:\.\d+)?([vsdqtfeEgGxXob]))")
#: Longest string a function may build (the evaluation budget checks every value it returns).
MAX_RESULT = 1_000_000


def to_str(value: Any) -> Any:
    """Terraform's string conversion; unknown parts become placeholders."""
    if isinstance(value, Unknown):
        return UNKNOWN_ANY
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    if value is None:
        return ""
    return UNKNOWN_ANY


def _first_unknown(args: list[Any]) -> Unknown | None:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
    return None


def _format(fmt: Any, *args: Any) -> Any:
    if isinstance(fmt, Unknown):
        return fmt
    out, i, pos = [], 0, 0
    for match in _FORMAT_VERB.finditer(fmt):
        out.append(fmt[pos:match.start()])
        pos = match.end()
        if match.group(0) == "%%":
            out.append("%")
            continue
        value = args[i] if i < len(args) else Unknown("format has fewer arguments than verbs")
        i += 1
        if match.group(1) == "q" and not isinstance(value, Unknown):
            out.append(json.dumps(value))
        else:
            out.append(to_str(value))
    out.append(fmt[pos:])
    return "".join(out)


def _join(sep: Any, *lists: Any) -> Any:
    unknown = _first_unknown([sep, *lists])
    if unknown:
        return unknown
    items: list[Any] = []
    for lst in lists:
        if not isinstance(lst, list):
            return Unknown("join expects lists")
        items.extend(lst)
    texts = [to_str(x) for x in items]
    if len(sep) * len(texts) + sum(map(len, texts)) > MAX_RESULT:
        return Unknown(f"evaluation limit reached: join() would build a string longer than {MAX_RESULT:,}"
                       " characters")
    return sep.join(texts)


def _coalesce(*args: Any) -> Any:
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if arg is not None and arg != "":
            return arg
    return None


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    unknown = _first_unknown([mapping, key])
    if unknown:
        return unknown
    if isinstance(mapping, dict) and key in mapping:
        return mapping[key]
    if default:
        return default[0]
    return Unknown(f"lookup of missing key {display(key)}")


def _element(lst: Any, index: Any) -> Any:
    unknown = _first_unknown([lst, index])
    if unknown:
        return unknown
    if not isinstance(lst, list) or not lst:
        return Unknown("element of an empty list")
    return lst[int(index) % len(lst)]


def _one(lst: Any) -> Any:
    if isinstance(lst, Unknown):
        return lst
    if isinstance(lst, list):
        if not lst:
            return None
        if len(lst) == 1:
            return lst[0]
    return Unknown("one() of a collection with more than one element")


def _tonumber(value: Any) -> Any:
    if isinstance(value, (Unknown, int, float)) or value is None:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return Unknown(f"tonumber({display(value)}) is not a number")
    return int(number) if number.is_integer() else number


def _merge(*maps: Any) -> Any:
    unknown = _first_unknown(list(maps))
    if unknown:
        return unknown
    out: dict[str, Any] = {}
    for item in maps:
        if isinstance(item, dict):
            out.update(item)
    return out


def _concat(*lists: Any) -> Any:
    unknown = _first_unknown(list(lists))
    if unknown:
        return unknown
    out: list[Any] = []
    for lst in lists:
        if isinstance(lst, list):
            out.extend(lst)
    return out


def _jsonencode(value: Any) -> Any:
    try:
        return json.dumps(value, separators=(",", ":"), default=lambda _: UNKNOWN_ANY)
    except (TypeError, ValueError):
        return Unknown("jsonencode of a value that is not known")


def _strfn(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        unknown = _first_unknown(list(args))
        if unknown:
            return unknown
        if not all(isinstance(a, str) for a in args[:1]):
            return Unknown("string function applied to a non-string")
        return fn(*args)
    return wrapper


def _replace(text: str, old: Any, new: Any) -> Any:
    if not isinstance(old, str) or not isinstance(new, str):
        return Unknown("replace() of a value that is not a string")
    if old.startswith("/"):
        return Unknown("replace() with a regular expression")
    if old and text.count(old) * max(len(new) - len(old), 0) + len(text) > MAX_RESULT:
        return Unknown(f"evaluation limit reached: replace() would build a string longer than {MAX_RESULT:,}"
                       " characters")
    if not old and len(new) * (len(text) + 1) + len(text) > MAX_RESULT:
        return Unknown(f"evaluation limit reached: replace() would build a string longer than {MAX_RESULT:,}"
                       " characters")
    return text.replace(old, new)


def _length(value: Any) -> Any:
    if isinstance(value, (list, dict, str)):
        return len(value)
    return value if isinstance(value, Unknown) else Unknown("length of a non-collection")


def _split(sep: Any, text: Any) -> Any:
    unknown = _first_unknown([sep, text])
    return unknown or text.split(sep)


def _flatten(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        flat = _flatten(item)
        if isinstance(item, list):
            out.extend(flat)
        else:
            out.append(item)
    return out


def _minmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any) -> Any:
        unknown = _first_unknown(list(args))
        return unknown or fn(args)
    return wrapper


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "format": _format,
    "join": _join,
    "concat": _concat,
    "coalesce": _coalesce,
    "lookup": _lookup,
    "element": _element,
    "one": _one,
    "tostring": lambda v: v if isinstance(v, (Unknown, str)) or v is None else to_str(v),
    "tonumber": _tonumber,
    "tobool": lambda v: v,
    "tolist": lambda v: v,
    "toset": lambda v: sorted(set(v), key=str) if isinstance(v, list) else v,
    "tomap": lambda v: v,
    "jsonencode": _jsonencode,
    "merge": _merge,
    "length": _length,
    "lower": _strfn(str.lower),
    "upper": _strfn(str.upper),
    "trimspace": _strfn(str.strip),
    "trimsuffix": _strfn(lambda s, x: s[: -len(x)] if x and s.endswith(x) else s),
    "trimprefix": _strfn(lambda s, x: s[len(x):] if s.startswith(x) else s),
    "replace": _strfn(lambda s, a, b: _replace(s, a, b)),
    "split": _split,
    "flatten": _flatten,
    "compact": lambda v: [x for x in v if x not in (None, "")] if isinstance(v, list) else v,
    "keys": lambda v: sorted(v) if isinstance(v, dict) else v,
    "values": lambda v: [v[k] for k in sorted(v)] if isinstance(v, dict) else v,
    "contains": lambda c, x: x in c if isinstance(c, list) and not isinstance(x, Unknown) else Unknown("contains()"),
    "distinct": lambda v: list(dict.fromkeys(v)) if isinstance(v, list) else v,
    "min": _minmax(min),
    "max": _minmax(max),
    "abs": lambda v: abs(v) if isinstance(v, (int, float)) else v,
    "ceil": lambda v: math.ceil(v) if isinstance(v, (int, float)) else v,
    "floor": lambda v: math.floor(v) if isinstance(v, (int, float)) else v,
    "startswith": lambda s, p: (
        s.startswith(p) if isinstance(s, str) and isinstance(p, str) else Unknown("startswith()")
    ),
    "endswith": lambda s, p: s.endswith(p) if isinstance(s, str) and isinstance(p, str) else Unknown("endswith()"),
    "coalescelist": lambda *ls: next((x for x in ls if isinstance(x, list) and x), []),
}
