"""From a report to a fix plan: one fix (or the reason there is none) per finding, checked to fit together."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field

from ..checks import is_downloaded
from ..discovery import SKIP_DIRS, is_terraform
from ..engine import Settings
from ..findings import Finding, Report
from ..sources import display_path
from .context import FixContext, NotFixable, RuleFixer
from .edits import Edit, Fix, Source

#: Rules with no automatic fix, and why.
UNFIXABLE = {
    "CTL005": "a reference to something undefined needs a person to decide what it should point at",
    "CTL007": "a Deny, the trust policy and the accounts are for a person to change",
    "CTL010": "the value cannot be known from the scanned files",
    "CTL900": "a suppression directive is for a person to correct or remove",
    "CTL999": "an internal error is not something to fix in the input",
}


@dataclass
class Outcome:
    """What the fixer did about one finding: ``fix`` when it has one, else ``reason``."""

    finding: Finding
    fix: Fix | None = None
    reason: str = ""


@dataclass
class FixPlan:
    """Every finding's outcome and, per file, the edits of the fixes that were kept."""

    outcomes: list[Outcome] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    edits: dict[str, list[Edit]] = field(default_factory=dict)

    @property
    def fixed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.fix is not None]

    @property
    def not_fixed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.fix is None]

    def new_texts(self) -> dict[str, tuple[str, str]]:
        """(stored text before, stored text after) of every file the plan changes."""
        out = {}
        for path, edits in sorted(self.edits.items()):
            source = self.sources[path]
            out[path] = (source.stored, source.stored_after(edits))
        return out


def plan_fixes(settings: Settings, report: Report) -> FixPlan:
    """Work out the fixes for the unsuppressed findings of ``report``."""
    from ..frontends.base import frontend_named

    ctx = FixContext(settings, report.workspace)
    fixers: dict[str, object] = {}
    plan = FixPlan()
    allowed = _Scanned(settings)
    ordered = sorted((f for f in report.findings if not f.suppressed), key=_order)
    for finding in ordered:
        outcome = Outcome(finding)
        plan.outcomes.append(outcome)
        if finding.kind not in RuleFixer.STEPS:
            why = UNFIXABLE.get(finding.rule, f"{finding.rule} has no automatic fix")
            outcome.reason = f"{why} ({finding.message})"
            continue
        try:
            if finding.frontend not in fixers:
                frontend = frontend_named(finding.frontend)
                fixers[finding.frontend] = frontend.fixer(ctx) if frontend is not None else None
            fixer = fixers[finding.frontend]
            if fixer is None:
                raise NotFixable(f"{finding.file} is not a file the fixer edits (fix the code it was made from)")
            fix = fixer.fix(finding)
            for path in fix.edits:
                if is_downloaded(path):
                    raise NotFixable(f"the value is written in the downloaded module {path}, not passed by the"
                                     " module call; change it in the module's own source")
                if not allowed.contains(path):
                    raise NotFixable(f"the fix would change {path}, which is outside the scanned paths")
            _accept(plan, fix)
            outcome.fix = fix
        except NotFixable as exc:
            outcome.reason = str(exc)
        except Exception as exc:  # a fixer bug must not cost the report or the other fixes
            outcome.reason = f"internal error in the fixer: {type(exc).__name__}: {exc}"
    plan.sources = {s.path: s for s in ctx.sources().values()}
    _check_parses(plan)
    plan.outcomes.sort(key=lambda o: o.finding.sort_key())
    for outcome in plan.outcomes:
        if outcome.fix is not None:
            outcome.fix.replacements = {
                path: [plan.sources[path].replacement(e) for e in sorted(edits, key=lambda e: e.start)]
                for path, edits in outcome.fix.edits.items()
            }
        outcome.finding.fix = outcome.fix
    return plan


def _order(finding: Finding) -> tuple:
    """Fix findings that add resources before those that edit values, so their edits never compete."""
    return (finding.kind not in ("group-not-set", "role-not-set"), finding.sort_key())


def _accept(plan: FixPlan, fix: Fix) -> None:
    """Keep ``fix`` if its edits fit with the kept ones (equal edits are shared), else :class:`NotFixable`."""
    for path, edits in fix.edits.items():
        for edit in edits:
            for kept in plan.edits.get(path, []):
                if edit.overlaps(kept):
                    raise NotFixable(f"its edit of {path} overlaps the fix of another finding; run --fix"
                                     " again")
    for path, edits in fix.edits.items():
        kept = plan.edits.setdefault(path, [])
        kept.extend(e for e in edits if e not in kept)


def _check_parses(plan: FixPlan) -> None:
    """Drop the fixes of a file whose edited text no longer parses (a fixer bug must not break a file)."""
    from ..frontends import ParseError
    from ..frontends.hcl import parse_hcl
    from ..frontends.yaml_nodes import load

    broken = set()
    for path, edits in plan.edits.items():
        text = plan.sources[path].apply(edits)
        try:
            if is_terraform(os.path.basename(path)) or path.endswith(".tfvars"):
                parse_hcl(text, path)
            else:
                load(text)
        except ParseError:
            broken.add(path)
    if not broken:
        return
    for outcome in plan.outcomes:
        if outcome.fix is not None and broken & set(outcome.fix.edits):
            outcome.reason = "internal error: the edited file would not parse, so it was left alone"
            outcome.fix = None
    plan.edits = {}
    for outcome in plan.fixed:
        _accept(plan, outcome.fix)  # type: ignore[arg-type]


class _Scanned:
    """Whether a file was scanned: in a scanned folder, a named file, or in a named file's module."""

    def __init__(self, settings: Settings) -> None:
        self.excludes = settings.excludes
        self.folders: list[str] = []
        self.modules: set[str] = set()
        self.files: set[str] = set()
        for path in settings.paths:
            real = os.path.realpath(path)
            if os.path.isdir(real):
                self.folders.append(real)
            elif _module_file(os.path.basename(real)):
                self.modules.add(os.path.dirname(real))
            else:
                self.files.add(real)

    def contains(self, path: str) -> bool:
        shown = display_path(path)
        name = os.path.basename(shown)
        if any(fnmatch.fnmatch(shown, p) or fnmatch.fnmatch(name, p) for p in self.excludes):
            return False
        real = os.path.realpath(path)
        name = os.path.basename(real)
        if real in self.files or (os.path.dirname(real) in self.modules and _module_file(name)):
            return True
        for folder in self.folders:
            if real.startswith(folder.rstrip(os.sep) + os.sep):
                inside = os.path.relpath(os.path.dirname(real), folder)
                parts = [] if inside == "." else inside.split(os.sep)
                if not any(part in SKIP_DIRS for part in parts):
                    return True
        return False


def _module_file(name: str) -> bool:
    return is_terraform(name) or name.endswith((".tfvars", ".tfvars.json"))
