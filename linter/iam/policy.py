"""IAM policy documents as plain data: parsed from a dict, a JSON string or an unknown value, never raising.

The linter's values may be partly unknown: strings carry the placeholders of :mod:`.model`, and a
whole value may be a :class:`~..resolver.common.Unknown`. A document that cannot be evaluated (not
JSON, not the shape IAM accepts, unknown as a whole) becomes a :class:`PolicyDocument` whose
``unknown`` says why; evaluation then answers "unknown" instead of failing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from ..model import UNKNOWN_ANY
from .match import has_unknown

#: Policy versions IAM accepts. Policy variables (``${aws:username}``) exist only in 2012-10-17.
VERSIONS = ("2012-10-17", "2008-10-17")

_STATEMENT_KEYS = {
    "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition",
}

Strings = tuple[str, ...]


def is_unknown_value(value: Any) -> bool:
    """Whether ``value`` is the resolvers' marker for a value known only at deployment."""
    from ..resolver.common import Unknown  # light module; imported here to keep this one free-standing

    return isinstance(value, Unknown)


def _reason_of(value: Any) -> str:
    return str(getattr(value, "reason", "") or "the value is not known")


@dataclass(frozen=True)
class Principal:
    """A ``Principal`` or ``NotPrincipal`` element: everyone (``"*"``) or typed identifiers."""

    everyone: bool = False
    #: (type, identifiers) pairs, e.g. ("Service", ("cloudtrail.amazonaws.com",)).
    entries: tuple[tuple[str, Strings], ...] = ()
    #: Why the element cannot be read (a value not known before deployment), or "".
    unknown: str = ""


@dataclass(frozen=True)
class Condition:
    """One operator/key pair of a ``Condition`` element with its values."""

    operator: str
    key: str
    values: Strings
    unknown: str = ""


@dataclass(frozen=True)
class Statement:
    """One statement. ``None`` means the element is absent; strings may hold placeholders."""

    index: int
    sid: str = ""
    #: "Allow", "Deny", or None when the effect is not known.
    effect: str | None = "Allow"
    actions: Strings | None = None
    not_actions: Strings | None = None
    resources: Strings | None = None
    not_resources: Strings | None = None
    principal: Principal | None = None
    not_principal: Principal | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def label(self) -> str:
        """How messages name the statement."""
        return f'statement "{self.sid}"' if self.sid and not has_unknown(self.sid) else f"statement {self.index + 1}"


@dataclass(frozen=True)
class PolicyDocument:
    """A parsed policy; ``unknown`` is non-empty when it cannot be evaluated, and says why."""

    statements: tuple[Statement, ...] = ()
    name: str = ""
    version: str = "2008-10-17"
    unknown: str = ""

    @property
    def variables(self) -> bool:
        """Whether ``${...}`` in values are policy variables (only in 2012-10-17 documents)."""
        return self.version == "2012-10-17"


def unknown_document(name: str, reason: str) -> PolicyDocument:
    """A document that cannot be evaluated."""
    return PolicyDocument(name=name, unknown=reason)


class _Invalid(Exception):
    """The document is not one IAM accepts (or not one that can be read); the message says why."""


def _strings(value: Any, element: str) -> Strings:
    """A string-or-list element as a tuple of strings; unknown parts become placeholders."""
    if is_unknown_value(value):
        return (UNKNOWN_ANY,)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if is_unknown_value(item):
                out.append(UNKNOWN_ANY)
            elif isinstance(item, str):
                out.append(item)
            elif isinstance(item, bool):
                out.append("true" if item else "false")
            elif isinstance(item, (int, float)):
                out.append(str(item))
            else:
                raise _Invalid(f"{element} holds a {type(item).__name__}, not a string")
        if not out:
            raise _Invalid(f"{element} is an empty list")
        return tuple(out)
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, (int, float)):
        return (str(value),)
    raise _Invalid(f"{element} is a {type(value).__name__}, not a string or a list")


def _principal(value: Any, element: str) -> Principal:
    if is_unknown_value(value):
        return Principal(unknown=f"{element} is not known ({_reason_of(value)})")
    if isinstance(value, str):
        if value == "*":
            return Principal(everyone=True)
        if has_unknown(value):
            return Principal(unknown=f"{element} is not known")
        raise _Invalid(f'{element} is the string "{value}"; only "*" may be given without a type')
    if not isinstance(value, dict) or not value:
        raise _Invalid(f"{element} must be \"*\" or an object such as {{\"Service\": ...}}")
    entries = []
    for kind, ids in value.items():
        if not isinstance(kind, str):
            raise _Invalid(f"{element} has a key that is not a string")
        entries.append((kind, _strings(ids, f"{element}.{kind}")))
    return Principal(entries=tuple(entries))


def _conditions(value: Any) -> tuple[Condition, ...]:
    if is_unknown_value(value):
        return (Condition("", "", (), unknown=f"the Condition element is not known ({_reason_of(value)})"),)
    if not isinstance(value, dict):
        raise _Invalid("Condition must be an object of operators")
    out = []
    for operator, keys in value.items():
        if is_unknown_value(keys):
            out.append(Condition(str(operator), "", (), unknown=f"the keys of condition {operator} are not known"))
            continue
        if not isinstance(operator, str) or not isinstance(keys, dict):
            raise _Invalid(f"condition {operator} must map condition keys to values")
        for key, values in keys.items():
            if not isinstance(key, str):
                raise _Invalid(f"condition {operator} has a key that is not a string")
            try:
                parsed = _strings(values, f"condition {operator} {key}")
            except _Invalid:
                if values == []:
                    parsed = ()
                else:
                    raise
            out.append(Condition(operator, key, parsed))
    return tuple(out)


def _statement(raw: Any, index: int) -> Statement:
    if is_unknown_value(raw):
        raise _Invalid(f"statement {index + 1} is not known ({_reason_of(raw)})")
    if not isinstance(raw, dict):
        raise _Invalid(f"statement {index + 1} is a {type(raw).__name__}, not an object")
    extra = sorted(str(k) for k in raw if k not in _STATEMENT_KEYS)
    if extra:
        raise _Invalid(f"statement {index + 1} has the element {extra[0]!r}, which IAM does not accept")
    sid = raw.get("Sid", "")
    sid = UNKNOWN_ANY if is_unknown_value(sid) else sid if isinstance(sid, str) else str(sid)
    effect: str | None
    raw_effect = raw.get("Effect")
    if raw_effect in ("Allow", "Deny"):
        effect = raw_effect
    elif is_unknown_value(raw_effect) or (isinstance(raw_effect, str) and has_unknown(raw_effect)):
        effect = None
    elif raw_effect is None:
        raise _Invalid(f"statement {index + 1} has no Effect")
    else:
        raise _Invalid(f"statement {index + 1} has the Effect {raw_effect!r}; IAM accepts only Allow and Deny")
    label = f"statement {index + 1}"
    pairs = (("Action", "NotAction"), ("Resource", "NotResource"), ("Principal", "NotPrincipal"))
    for a, b in pairs:
        if a in raw and b in raw:
            raise _Invalid(f"{label} has both {a} and {b}")
    if "Action" not in raw and "NotAction" not in raw:
        raise _Invalid(f"{label} has neither Action nor NotAction")

    def strings(name: str) -> Strings | None:
        return _strings(raw[name], f"{label} {name}") if name in raw else None

    def principal(name: str) -> Principal | None:
        return _principal(raw[name], f"{label} {name}") if name in raw else None

    return Statement(
        index=index, sid=sid, effect=effect,
        actions=strings("Action"), not_actions=strings("NotAction"),
        resources=strings("Resource"), not_resources=strings("NotResource"),
        principal=principal("Principal"), not_principal=principal("NotPrincipal"),
        conditions=_conditions(raw["Condition"]) if "Condition" in raw else (),
    )


def _decode(text: str) -> Any:
    stripped = text.strip()
    if not stripped:
        raise _Invalid("the policy text is empty")
    try:
        # strict=False: placeholders for unknown parts are control characters inside strings.
        return json.loads(stripped, strict=False)
    except (ValueError, RecursionError) as exc:
        if has_unknown(stripped):
            raise _Invalid("part of the policy text is not known before deployment") from exc
        message = getattr(exc, "msg", None) or "not valid JSON"
        lineno = getattr(exc, "lineno", None)
        where = f" (line {lineno} of the policy text)" if lineno else ""
        raise _Invalid(f"the policy text is not valid JSON: {message}{where}") from exc


def parse_policy(value: Any, name: str = "", *, unknown: Callable[[Any], bool] | None = None) -> PolicyDocument:
    """A :class:`PolicyDocument` from a dict, JSON text (also Terraform heredoc/jsonencode text),
    an existing document, or an unknown value. ``unknown`` tells unknown values apart when they are
    not the resolvers' :class:`~..resolver.common.Unknown`. Never raises."""
    if isinstance(value, PolicyDocument):
        return value
    if (unknown is not None and unknown(value)) or is_unknown_value(value):
        return unknown_document(name, f"the policy is not known before deployment ({_reason_of(value)})")
    if value is None:
        return unknown_document(name, "the policy is not set")
    try:
        data = _decode(value) if isinstance(value, str) else value
        if not isinstance(data, dict):
            raise _Invalid(f"the policy is a {type(data).__name__}, not an object")
        version = data.get("Version", "2008-10-17")
        if is_unknown_value(version) or (isinstance(version, str) and has_unknown(version)):
            version = "2012-10-17"
        elif version not in VERSIONS:
            raise _Invalid(f"the policy Version {version!r} is not one IAM accepts ({', '.join(VERSIONS)})")
        if "Statement" not in data:
            raise _Invalid("the policy has no Statement")
        raw = data["Statement"]
        if is_unknown_value(raw):
            raise _Invalid(f"the policy's statements are not known ({_reason_of(raw)})")
        items = raw if isinstance(raw, list) else [raw]
        statements = tuple(_statement(item, i) for i, item in enumerate(items))
    except _Invalid as exc:
        return unknown_document(name, str(exc))
    except RecursionError:
        return unknown_document(name, "the policy is nested too deeply")
    return PolicyDocument(statements=statements, name=name, version=version)
