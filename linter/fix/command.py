"""The ``--diff`` and ``--fix`` steps of a run, and the fixes SARIF output carries."""

from __future__ import annotations

import sys
from typing import Any, Callable

import click

from ..engine import Settings, run
from ..findings import Report
from .output import WriteError, notes, unified_diff, write_fixes
from .plan import plan_fixes

#: Runs a function with a deep stack (the CLI's runner), as the lint itself is run.
Runner = Callable[..., Any]


def fix_step(settings: Settings, report: Report, fmt: str, output: str | None, show_diff: bool,
             apply_fix: bool, runner: Runner) -> Report:
    """Plan the fixes of ``report``; print them as a diff (and exit), or write them and lint again.

    Returns the report to render: ``report`` with its fixes attached, or the report of the run after
    ``--fix`` wrote its changes.
    """
    plan = runner(plan_fixes, settings, report)
    if not show_diff and not apply_fix:
        return report
    diff = unified_diff(plan) if show_diff else ""
    if apply_fix:
        try:
            write_fixes(plan)
        except WriteError as err:
            from ..reporters import clean, defuse_ci_commands

            click.echo(defuse_ci_commands(f"error: {clean(str(err))}"), err=True)
            sys.exit(2)
    click.echo(notes(plan, applied=apply_fix), nl=False, err=True)
    if show_diff:
        _emit(diff, output)
        sys.exit(runner(run, settings).exit_code() if apply_fix else report.exit_code())
    after = runner(run, settings)
    if fmt == "sarif":
        runner(plan_fixes, settings, after)
    return after


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        failure = click.FileError(output, hint=exc.strerror or str(exc))
        failure.exit_code = 2
        raise failure from None
