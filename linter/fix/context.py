"""What every fixer shares in one run: the settings, the files read for fixing, names already taken."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from ..arn import VALID_RETENTION_DAYS
from ..engine import Settings
from ..findings import Finding
from .edits import Fix, Source


class NotFixable(Exception):
    """A finding the fixer leaves alone; the message says why, in words a user can act on."""


def retention_target(days: int, minimum: int) -> int | None:
    """The smallest retention CloudWatch Logs accepts that is at least ``days`` and ``minimum``."""
    floor = max(days, minimum)
    return next((d for d in VALID_RETENTION_DAYS if d >= floor), None)


class RuleFixer:
    """Routes a finding to the fix for its rule; each front-end's fixer implements the steps."""

    ctx: FixContext

    def fix(self, finding: Finding) -> Fix:
        step = self.STEPS.get(finding.kind)
        if step is None:
            raise NotFixable(f"{finding.rule} ({finding.kind}) has no automatic fix")
        return getattr(self, step)(self._locate(finding))

    #: The fix step for each kind of finding (see the rules' ``messages``).
    STEPS: ClassVar[dict[str, str]] = {
        "group-not-set": "_cloudwatch",
        "role-not-set": "_role",
        "retention-too-short": "_retention",
        "retention-not-accepted": "_retention",
        "retention-not-a-number": "_retention",
        "group-arn-missing-wildcard": "_group_arn",
        "group-arn-wrong-service": "_group_arn",
        "group-not-an-arn": "_group_arn",
        "role-is-a-name": "_role_arn",
        "role-not-a-role-arn": "_role_arn",
        "create-log-stream-not-allowed": "_delivery",
        "put-log-events-not-allowed": "_delivery",
        "no-permissions-policy": "_delivery",
    }

    def _new_group_retention(self) -> int:
        """Retention of a log group the fixer adds: the configured minimum, rounded up to a valid value."""
        minimum = self.ctx.settings.min_retention_days
        days = retention_target(0, minimum)
        if days is None:
            raise NotFixable(f"no retention CloudWatch Logs accepts reaches the minimum of {minimum} days")
        return days

    def _locate(self, finding: Finding) -> Any:
        raise NotImplementedError

    def _cloudwatch(self, trail: Any) -> Fix:
        raise NotImplementedError

    def _role(self, trail: Any) -> Fix:
        raise NotImplementedError

    def _retention(self, trail: Any) -> Fix:
        raise NotImplementedError

    def _role_arn(self, trail: Any) -> Fix:
        raise NotImplementedError

    def _group_arn(self, trail: Any) -> Fix:
        raise NotImplementedError

    def _delivery(self, trail: Any) -> Fix:
        raise NotImplementedError


class FixContext:
    """Shared state of one fix run."""

    def __init__(self, settings: Settings, workspace: Any = None) -> None:
        self.settings = settings
        #: The lint run's parsed files (an engine ``Workspace``), reused instead of parsing again.
        self.workspace = workspace
        self._sources: dict[str, Source] = {}
        self._names: set[tuple[str, str]] = set()

    def source(self, path: str) -> Source:
        """The file ``path`` (a display path) as read for fixing; :class:`NotFixable` if it cannot be."""
        key = os.path.realpath(path)
        if key not in self._sources:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read()
                self._sources[key] = Source(path, raw)
            except OSError as exc:
                raise NotFixable(f"cannot read {path}: {exc.strerror or exc}") from None
            except UnicodeDecodeError:
                raise NotFixable(f"{path} is not UTF-8 text, which the fixer does not edit") from None
        return self._sources[key]

    def sources(self) -> dict[str, Source]:
        return dict(self._sources)

    def claim(self, scope: str, name: str, taken: set[str], sep: str = "_") -> str:
        """``name``, or ``name`` with a number, not in ``taken`` and not claimed before in ``scope``."""
        candidate, n = name, 1
        while candidate in taken or (scope, candidate) in self._names:
            n += 1
            candidate = f"{name}{sep}{n}"
        self._names.add((scope, candidate))
        return candidate
