"""The interface every front-end implements, and the list of front-ends the engine loops over.

A front-end owns one input language from end to end: which files are its own (discovery), what a
text scan of them shows (prefilter), how they parse, how a unit of them (a Terraform module tree, a
template, a plan) resolves into trails, and which fixer edits them. The engine knows no language; it
asks each front-end for its trails, runs the rules, and reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..model import Trail


@dataclass
class Resolved:
    """The variants of one trail instance, and the modules its findings are reported for.

    ``named`` is None when the trail is reported wherever it is; otherwise the trail is reported only if
    its verdict can depend on one of these module folders (absolute paths: the folders of files named on
    the command line, see ``frontends.terraform.depends_on``).
    """

    variants: list[Trail]
    named: set[str] | None = None


class FrontEnd:
    """One input language: discovery, scan, parse, resolve and fix."""

    #: What the front-end reads, in words (for messages and docs).
    name: ClassVar[str] = ""
    #: The reader's kind of file: "tf" (Terraform configuration) or "doc" (a YAML/JSON document).
    reads: ClassVar[str] = ""
    #: The resource type of the trails it produces.
    trail_type: ClassVar[str] = ""

    def claims(self, file_name: str) -> bool:
        """Whether a file of this name is one of this front-end's inputs (discovery)."""
        raise NotImplementedError

    def scan(self, raw: bytes) -> Any:
        """What a text scan of a file's bytes shows (:class:`~cloudtrail_lint.prefilter.Facts`)."""
        raise NotImplementedError

    def resolve(self, ws: Any, found: Any, report: Any) -> list[Resolved]:
        """Every trail in the inputs of the run (``found``), parsed through the workspace ``ws``; counts
        the files it linted and skipped in ``report``; records unreadable inputs in ``ws.errors``."""
        raise NotImplementedError

    def fixer(self, ctx: Any) -> Any:
        """The fixer for this front-end's findings (``--diff``, ``--fix``, SARIF fixes)."""
        raise NotImplementedError


def frontends() -> tuple[FrontEnd, ...]:
    """Every front-end, in the order the engine runs them."""
    from .cloudformation import CloudFormationFrontEnd
    from .terraform import TerraformFrontEnd
    from .tfplan import TerraformPlanFrontEnd

    return (TerraformFrontEnd(), CloudFormationFrontEnd(), TerraformPlanFrontEnd())


def frontend_named(name: str) -> FrontEnd | None:
    """The front-end called ``name`` (a finding's ``frontend``)."""
    return next((fe for fe in frontends() if fe.name == name), None)
