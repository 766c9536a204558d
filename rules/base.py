"""What every rule declares: its public id and name, severity, documentation and the check."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Trail


@dataclass(frozen=True)
class Options:
    """Settings a rule may read."""

    min_retention_days: int = 365


@dataclass(frozen=True)
class Example:
    """A failing and a fixed snippet for one input format; both are linted by the test suite."""

    bad: str
    good: str


class Rule:
    """Base class: subclasses set the metadata and implement :meth:`check`.

    ``check`` yields one message per problem; the engine turns each into a finding located at the
    trail's header.
    """

    id: str = ""
    name: str = ""
    severity: str = "error"
    status: str = "stable"
    title: str = ""
    what: str = ""
    why: str = ""
    fix: str = ""
    terraform: Example
    cloudformation: Example
    references: tuple[str, ...] = ()

    def check(self, trail: Trail, options: Options) -> Iterator[str]:
        raise NotImplementedError


COMMON_REFERENCES = (
    "CIS AWS Foundations Benchmark v1.2.0 control 2.4 and v1.4.0 control 3.4: Ensure CloudTrail trails are"
    " integrated with CloudWatch Logs (CCE-78916-4)",
    "AWS Security Hub control CloudTrail.5: https://docs.aws.amazon.com/securityhub/latest/userguide/"
    "cloudtrail-controls.html#cloudtrail-5",
    "Sending CloudTrail events to CloudWatch Logs: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/"
    "send-cloudtrail-events-to-cloudwatch-logs.html",
)
