"""The common resource model that rules check.

Front-ends and resolvers turn Terraform and CloudFormation into these objects; a rule only ever
sees a :class:`Trail` with resolved :class:`Value` objects, never HCL or YAML.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
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
    #: The column just past the last character (0: not known).
    end_column: int = 0


@dataclass(frozen=True)
class Assumption:
    """A condition that cannot be decided statically, assumed true or false in one variant of a trail."""

    #: What identifies the condition (two places that test the same thing share the key).
    key: str
    #: The condition as the user wrote it, for messages (`var.enabled`, condition IsProd).
    text: str
    holds: bool
    #: The value the condition has when nobody sets the variables it reads (None: it has none).
    default: bool | None = None

    def describe(self) -> str:
        said = f"{self.text} is {'true' if self.holds else 'false'}"
        if self.default is not None and self.default != self.holds:
            said += f"; {'true' if self.default else 'false'} by default"
        return said


@dataclass(frozen=True)
class ModuleCall:
    """A ``module`` block on the way from the linted root module to a trail."""

    address: str
    source: str
    location: Location


class State(enum.Enum):
    """The three outcomes of resolving a value."""

    KNOWN = "known"
    UNKNOWN = "unknown"
    MISSING = "missing"


@dataclass(frozen=True)
class Unfollowed:
    """Code that may create trails but that the linter cannot read: a module that is not downloaded, a
    nested stack, an opaque custom resource. Reported once, so that silence never means "no trail"."""

    #: What it is: "module", "terragrunt", "stack" or "custom-resource".
    kind: str
    #: Its address or logical id.
    address: str
    #: Its source (module source and version, template URL, resource type).
    source: str
    location: Location
    resource_type: str = ""


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
    #: Where the expression that gave the value is written (None: nowhere, e.g. an unset attribute).
    location: Location | None = None

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
    """One CloudTrail trail (one instance of it, for ``count``/``for_each``) in one variant.

    When conditions cannot be decided, a trail is evaluated once per combination of their values (a
    variant); ``assumptions`` are the values this variant assumed and ``variants`` every combination
    evaluated for the trail's block, also those in which this instance does not exist.
    """

    address: str
    resource_type: str
    location: Location
    log_group_arn: Value
    role_arn: Value
    log_group: LogGroup | None = None
    #: The conditions assumed in this variant.
    assumptions: tuple[Assumption, ...] = ()
    #: The assumptions of every variant evaluated for this trail's block (one empty tuple: no variants).
    variants: tuple[tuple[Assumption, ...], ...] = ((),)
    #: Conditions the trail exists only under (a CloudFormation resource ``Condition``), assumed true.
    exists_when: tuple[Assumption, ...] = ()
    #: The module calls from the linted root module down to the trail's module.
    via: tuple[ModuleCall, ...] = ()
