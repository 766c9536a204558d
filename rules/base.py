"""What every rule declares: its public id and name, severity, documentation, its kinds and the check."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from ..model import Location, LogGroup, Trail, Value


@dataclass(frozen=True)
class Options:
    """Settings a rule may read."""

    min_retention_days: int = 365


@dataclass(frozen=True)
class Example:
    """A failing and a fixed snippet for one input format; both are linted by the test suite."""

    bad: str
    good: str


@dataclass(frozen=True)
class Violation:
    """One problem a rule found on one trail variant: what it is (``kind``, a stable slug), which attribute
    it is about, where that attribute's value is written, and the facts its message is rendered from.

    Downstream code (fixes, baselines, SARIF) works from ``kind``, ``attribute`` and ``location``, never from
    the rendered message.
    """

    kind: str
    #: What it is about: "group" (the log group ARN), "role", "retention", "source" (code not followed) or
    #: "suppression".
    attribute: str
    location: Location | None = None
    args: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: What is written at ``location``, for related locations ("" names the attribute's value).
    about: str = ""


class Rule:
    """Base class: subclasses set the metadata, the message of each kind, and implement :meth:`check`."""

    id: str = ""
    name: str = ""
    severity: str = "error"
    #: GitHub code scanning's score, 0.1 to 10 (high from 7.0, medium from 4.0, low below).
    security_severity: str = "5.0"
    status: str = "stable"
    title: str = ""
    what: str = ""
    why: str = ""
    fix: str = ""
    terraform: Example
    cloudformation: Example
    references: tuple[str, ...] = ()
    #: Every kind of violation the rule reports, with its message template (``str.format`` with the args).
    messages: ClassVar[Mapping[str, str]] = {}

    def check(self, trail: Trail, options: Options) -> Iterator[Violation]:
        raise NotImplementedError

    def violation(self, kind: str, attribute: str, at: Value | LogGroup | Location | None = None,
                  about: str = "", **args: str) -> Violation:
        """A violation of ``kind``, located at the value's expression (or the log group, or ``at`` itself)."""
        if kind not in self.messages:
            raise KeyError(f"{self.id} has no kind {kind!r}")
        if isinstance(at, Value):
            location = at.location
        elif isinstance(at, LogGroup):
            location = at.retention.location or at.location
        else:
            location = at
        return Violation(kind, attribute, location, args, about)

    def render(self, violation: Violation) -> str:
        """The message of ``violation`` in words."""
        return self.messages[violation.kind].format(**violation.args)


COMMON_REFERENCES = (
    "CIS AWS Foundations Benchmark v1.2.0 control 2.4 and v1.4.0 control 3.4: Ensure CloudTrail trails are"
    " integrated with CloudWatch Logs (CCE-78916-4)",
    "AWS Security Hub control CloudTrail.5: https://docs.aws.amazon.com/securityhub/latest/userguide/"
    "cloudtrail-controls.html#cloudtrail-5",
    "Sending CloudTrail events to CloudWatch Logs: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
    "send-cloudtrail-events-to-cloudwatch-logs.html",
)


def delivery_role_at(trail: Trail) -> tuple[Location | None, str]:
    """Where a finding about the trail's delivery role points, and what that place is: the role's block
    when the role is in the scanned code, else the trail's role value."""
    if trail.role is not None and trail.role.location:
        return trail.role.location, f"delivery role {trail.role.address}"
    return trail.role_arn.location, ""
