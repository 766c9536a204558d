"""The common resource model that rules check.

Front-ends and resolvers turn Terraform and CloudFormation into these objects; a rule only ever
sees a :class:`Trail` with resolved :class:`Value` objects (and its delivery :class:`Role`), never HCL or
YAML.
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
class Policy:
    """One policy of a delivery role as the resolver found it: what it is called, its document, where."""

    #: How messages name it (`aws_iam_role_policy.deliver`, `Policies[0] (deliver) of TrailRole`).
    name: str
    #: The document as plain data: a dict, JSON text, or a policy ARN (None when ``unknown``).
    document: Any = field(default=None, compare=False)
    #: Why the document cannot be known before deployment ("" when it can).
    unknown: str = ""
    #: Where the policy (its document or its ARN) is written.
    location: Location | None = None


@dataclass(frozen=True)
class DeliveryFacts:
    """What the code says about the trail that the delivery check needs (None: not known)."""

    #: The trail's log group ARN as the role's evaluation sees it (generated names as symbols).
    log_group_arn: Any = None
    trail_name: str | None = None
    #: Whether the trail is an organization trail (None: not known).
    organization_trail: bool | None = False
    #: The deployment's partition, region and account when the code pins them (provider settings).
    partition: str | None = None
    region: str | None = None
    account: str | None = None


@dataclass(frozen=True)
class Role:
    """The trail's delivery role as the resolvers see it, for CTL007.

    A role defined in the scanned code has an ``address`` and its policies, each with where it comes
    from; a role that is not (a literal ARN, a variable, an import, a data source) has ``outside``
    saying so. A policy that cannot be read is kept, with the reason.
    """

    #: The role's address or logical ID ("" when the role is not in the scanned code).
    address: str
    location: Location | None = None
    #: The role's ARN as the evaluation sees it (placeholders for what only deployment knows).
    arn: str | None = None
    #: The trust policy (one document; several when a condition makes it one of a few).
    trust: tuple[Policy, ...] = ()
    #: Every permissions policy of the role, merged from all the places that attach one.
    permissions: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    #: Why the role's policies cannot be checked at all ("" when it is defined in the scanned code).
    outside: str = ""
    facts: DeliveryFacts = field(default_factory=DeliveryFacts)

    @property
    def defined(self) -> bool:
        """Whether the role is defined in the scanned code."""
        return bool(self.address) and not self.outside


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
    #: The delivery role with its policies (None: the trail names no role, or the front-end does not read
    #: roles).
    role: Role | None = None
