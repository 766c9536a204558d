"""Automatic fixes (``--diff``, ``--fix`` and SARIF ``fixes``) for the findings of a run."""

from __future__ import annotations

from .edits import Edit, Fix, Replacement, Source
from .output import WriteError, notes, unified_diff, write_fixes
from .plan import FixPlan, Outcome, plan_fixes

__all__ = [
    "Edit", "Fix", "FixPlan", "Outcome", "Replacement", "Source", "WriteError", "notes", "plan_fixes",
    "unified_diff", "write_fixes",
]
