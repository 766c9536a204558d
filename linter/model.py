"""The common resource model that rules check.

Front-ends and resolvers turn Terraform and CloudFormation into these objects; a rule only ever
sees a :class:`Trail` with resolved :class:`Value` objects, never HCL or YAML.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

#: Placeholder for an unknown part of a string that contains no ``:`` or ``*`` (a region, an
#: account id, a generated resource name).
UNKNOWN_SEGMENT = "\x01"
#: Placeholder for an unknown part of a string that could be anything.
UNKNOWN_ANY = "\x00"


@dataclass(frozen=True)
class Location:
    """Where something is written: file relative to the working directory, 1-based line/column."""

    file: str
    line: int
    column: int = 1
    end_line: int = 0


class State(enum.Enum):
    """The three outcomes of resolving a value."""

    KNOWN = "known"
    UNKNOWN = "unknown"
    MISSING = "missing"


@dataclass(frozen=True)
class Value:
    """A resolved attribute value.

    ``data`` holds the value when known; strings may contain :data:`UNKNOWN_SEGMENT` or
    :data:`UNKNOWN_ANY` where only part of the value is known. ``reason`` says why a value is
    unknown or missing. ``refs`` names the resources the value was derived from and
    ``dangling`` the references that point at nothing.
    """

    state: State
    data: Any = None
    reason: str = ""
    source: str = ""
    refs: tuple[str, ...] = ()
    dangling: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.state is State.KNOWN

    @property
    def missing(self) -> bool:
        return self.state is State.MISSING

    @property
    def unknown(self) -> bool:
        return self.state is State.UNKNOWN


@dataclass(frozen=True)
class LogGroup:
    """A CloudWatch Logs log group defined in the scanned module or template."""

    address: str
    location: Location
    retention: Value


@dataclass(frozen=True)
class Trail:
    """One CloudTrail trail (one instance of it, for ``count``/``for_each``) as deployed."""

    address: str
    resource_type: str
    location: Location
    log_group_arn: Value
    role_arn: Value
    log_group: LogGroup | None = None
    #: Human-readable assumptions under which this variant was evaluated (unknown conditions).
    assumptions: tuple[str, ...] = ()
    #: Provider facts that change what an attribute returns (e.g. AWS provider < 3.0).
    notes: dict[str, Any] = field(default_factory=dict)
