"""What AWS accepts for CloudTrail's CloudWatch Logs settings: ARN shapes and retention values."""

from __future__ import annotations

from typing import Callable

from .model import UNKNOWN_ANY, UNKNOWN_SEGMENT

#: RetentionInDays values the CloudWatch Logs API accepts (0 or unset: never expire).
VALID_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

FieldCheck = Callable[[str, bool], bool]


def _fixed(expected: str) -> FieldCheck:
    def check(text: str, partial: bool) -> bool:
        return expected.startswith(text) if partial else text == expected
    return check


def _nonempty(text: str, partial: bool) -> bool:
    return partial or bool(text)


def _anything(text: str, partial: bool) -> bool:
    return True


def _role_resource(text: str, partial: bool) -> bool:
    if partial and len(text) < 5:
        return "role/".startswith(text)
    return text.startswith("role/") and (partial or len(text) > 5)


# arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME:*
LOG_GROUP_FIELDS: tuple[FieldCheck, ...] = (
    _fixed("arn"), _nonempty, _fixed("logs"), _anything, _anything, _fixed("log-group"), _nonempty, _fixed("*"),
)
# arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
ROLE_FIELDS: tuple[FieldCheck, ...] = (
    _fixed("arn"), _nonempty, _fixed("iam"), _fixed(""), _anything, _role_resource,
)


def _fields_ok(text: str, fields: tuple[FieldCheck, ...], open_end: bool) -> bool:
    """Whether the colon-separated ``text`` fits ``fields``; with ``open_end`` the last field may go on."""
    parts = text.split(":")
    if len(parts) > len(fields):
        return False
    for i, part in enumerate(parts):
        partial = open_end and i == len(parts) - 1
        if UNKNOWN_SEGMENT in part:
            continue
        if not fields[i](part, partial):
            return False
    return open_end or len(parts) == len(fields)


def _shape_ok(value: str, fields: tuple[FieldCheck, ...], tail: str) -> bool | None:
    """True if ``value`` has the shape, False if it certainly has not, None if that cannot be told."""
    if UNKNOWN_ANY not in value:
        return _fields_ok(value, fields, open_end=False)
    chunks = value.split(UNKNOWN_ANY)
    head, last = chunks[0], chunks[-1]
    if head and not _fields_ok(head, fields, open_end=True):
        return False
    if tail and last:
        # The value ends in known text: its last field must be exactly ``tail``.
        if ":" in last:
            if last.rsplit(":", 1)[1] != tail:
                return False
        elif last != tail:
            return False
    return None


def log_group_arn_ok(value: str) -> bool | None:
    """Whether ``value`` is a CloudWatch Logs log-group ARN ending in ``:*`` (None: cannot tell)."""
    return _shape_ok(value, LOG_GROUP_FIELDS, "*")


def role_arn_ok(value: str) -> bool | None:
    """Whether ``value`` is an IAM role ARN (None: cannot tell)."""
    return _shape_ok(value, ROLE_FIELDS, "")


def log_group_name_from_arn(value: str) -> str | None:
    """The log-group name in a log-group ARN, if that part is literal text."""
    parts = value.split(":")
    if len(parts) >= 7 and parts[2] == "logs" and parts[5] == "log-group":
        name = parts[6]
        if name and UNKNOWN_ANY not in name and UNKNOWN_SEGMENT not in name:
            return name
    return None


def display(value: object) -> str:
    """A value as shown in messages, in the input's own notation (JSON-like: ``["a", 1]``, ``true``,
    ``null``), with unknown parts marked; never a Python representation of an internal object."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, (bool, int, float, list, tuple, dict)) or value is None:
        import json

        try:
            text = json.dumps(value, ensure_ascii=False, default=lambda _: UNKNOWN_ANY)
        except (TypeError, ValueError, RecursionError):
            text = UNKNOWN_ANY
    else:
        text = UNKNOWN_ANY  # an internal object (a resource instance, a module): nothing to show
    if len(text) > 200:
        text = text[:199] + "…"
    return text.replace(UNKNOWN_SEGMENT, "<?>").replace(UNKNOWN_ANY, "<unknown>")
