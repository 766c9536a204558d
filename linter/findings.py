"""What a run produces: findings, input errors, and the report that reporters render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Suppression:
    """Why a finding is not counted: an inline or central exception, a baseline, a peer's skip."""

    kind: str
    reason: str
    owner: str = ""
    expires: str = ""
    origin: str = ""


@dataclass(frozen=True)
class Related:
    """A place that explains a finding: the attribute's expression, the log group, a module call."""

    label: str
    file: str
    line: int
    column: int = 1


@dataclass(frozen=True)
class VariantResult:
    """How one variant of a trail (one combination of undecidable conditions) gave the finding."""

    #: The conditions of the variant, described (`var.enabled` is true).
    conditions: tuple[str, ...]
    message: str


@dataclass
class Finding:
    """One problem on one trail (or one suppression directive), for reporters to render.

    A finding is identified by :meth:`identity` — rule, kind, attribute, resource and file — never by its
    line or its message, which both change as the code around it does.
    """

    rule: str
    name: str
    severity: str
    #: The rendered message, with the conditions it holds under.
    message: str
    file: str
    line: int
    column: int
    end_line: int
    resource: str
    resource_type: str
    suppression: Suppression | None = None
    #: The automatic fix (a :class:`~cloudtrail_lint.fix.edits.Fix`) when one was planned (SARIF ``fixes``).
    fix: Any = None
    #: What the finding is (a slug its rule declares) and which attribute it is about.
    kind: str = ""
    attribute: str = ""
    #: The conditions it holds under, as alternatives of conjunctions (empty: always).
    conditions: tuple[tuple[str, ...], ...] = ()
    #: Each variant of the trail that gave it.
    variants: tuple[VariantResult, ...] = ()
    #: Where the attribute's value is written, the log group, the module calls on the way.
    related: tuple[Related, ...] = ()
    #: The front-end that read the trail (its ``name``); "" for findings about suppressions.
    frontend: str = ""
    #: The module calls (:class:`~cloudtrail_lint.model.ModuleCall`) from the root module to the trail.
    via: tuple[Any, ...] = ()
    #: Where the trail is written (a :class:`~cloudtrail_lint.model.Location`); the finding itself is
    #: reported there too, except for a trail in a downloaded module (reported at the module call).
    trail_at: Any = None

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def identity(self) -> tuple[str, str, str, str, str]:
        """What makes this finding the same one across edits: not its line nor its message."""
        return (self.rule, self.kind, self.attribute, self.resource, self.file)

    def variant_key(self) -> str:
        """The conditions it holds under, as one stable text ("" when always)."""
        return " or ".join(" and ".join(c) for c in self.conditions)

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.resource, self.rule, self.kind, self.attribute, self.message)


@dataclass
class InputError:
    """An input that could not be processed: file, line (0 when unknown) and why."""

    file: str
    line: int
    message: str
    column: int = 0


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    files_linted: int = 0
    files_skipped: int = 0
    trails: int = 0
    #: Every trail checked, as (resource, file, line): JUnit output has a test case per trail and rule.
    checked: list[tuple[str, str, int]] = field(default_factory=list)
    #: Ids of the rules that ran on every trail.
    rules_run: list[str] = field(default_factory=list)
    #: The run's parsed files (an :class:`~cloudtrail_lint.engine.Workspace`), for fixes to reuse.
    workspace: Any = field(default=None, repr=False, compare=False)
    #: ``--new-since``: the revision compared with, and how many findings were already there (not reported).
    new_since: str = ""
    already_present: int = 0

    def counts(self) -> dict[str, int]:
        active = [f for f in self.findings if not f.suppressed]
        return {
            "errors": sum(f.severity == "error" for f in active),
            "warnings": sum(f.severity == "warning" for f in active),
            "notes": sum(f.severity == "note" for f in active),
            "suppressed": len(self.findings) - len(active),
        }

    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.counts()["errors"] else 0


def internal_error(exc: BaseException) -> str:
    """The message of an input error that is a bug of the linter, not of the input."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"internal error: {type(exc).__name__}{': ' + detail if detail else ''} (please report this)"
