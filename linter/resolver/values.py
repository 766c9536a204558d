"""Shared pieces of evaluation: the unknown marker, the trace of what an evaluation touched, Value building."""

from __future__ import annotations

from typing import Any

from ..model import UNKNOWN_ANY, State, Value

#: Most variants one trail is evaluated under when conditions cannot be decided (2 ** 4).
MAX_VARIANTS = 16


class Unknown:
    """A value that cannot be known before deployment, with the reason in words a user can act on."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class Trace:
    """What one evaluation touched: resources it read, dangling references, reasons, open conditions."""

    def __init__(self) -> None:
        self.refs: list[Any] = []
        self.dangling: list[str] = []
        self.reasons: list[str] = []
        self.undecided: list[tuple[str, str]] = []

    def merge(self, other: Trace) -> None:
        for mine, theirs in ((self.refs, other.refs), (self.dangling, other.dangling),
                             (self.reasons, other.reasons), (self.undecided, other.undecided)):
            for item in theirs:
                if item not in mine:
                    mine.append(item)

    def unknown(self, reason: str) -> Unknown:
        if reason not in self.reasons:
            self.reasons.append(reason)
        return Unknown(reason)


def to_value(result: Any, trace: Trace, source: str, unset_reason: str, ref_names: tuple[str, ...] = ()) -> Value:
    """Turn an evaluation result into a :class:`Value` with one of the three outcomes."""
    dangling = tuple(trace.dangling)
    if isinstance(result, Unknown):
        return Value(State.UNKNOWN, None, result.reason, source, ref_names, dangling)
    if result is None:
        return Value(State.MISSING, None, f"{source} is null" if source else unset_reason, source, ref_names)
    if isinstance(result, str) and not result.strip():
        return Value(State.MISSING, None, f"{source} is an empty string" if source else unset_reason, source,
                     ref_names)
    if isinstance(result, str) and UNKNOWN_ANY in result:
        reason = "; ".join(trace.reasons) or "part of the value is not known before deployment"
        return Value(State.UNKNOWN, result, reason, source, ref_names, dangling)
    return Value(State.KNOWN, result, "", source, ref_names, dangling)


def unset(reason: str) -> Value:
    return Value(State.MISSING, None, reason)


def as_days(value: Value) -> Value:
    """Normalise a retention value: numbers and numeric strings become ``int``."""
    if not value.known:
        return value
    data = value.data
    if isinstance(data, bool):
        return value
    if isinstance(data, float) and data.is_integer():
        data = int(data)
    elif isinstance(data, str) and data.strip().lstrip("-").isdigit():
        data = int(data.strip())
    if data == value.data and type(data) is type(value.data):
        return value
    return Value(value.state, data, value.reason, value.source, value.refs, value.dangling)
