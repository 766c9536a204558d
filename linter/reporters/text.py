"""Human-readable lines: ``path:line:col: RULE severity message [resource]`` and a summary.

Every value from an input goes through :func:`clean`, and the lines through :func:`defuse_ci_commands`.
Colour (ANSI escapes: severity in red, yellow or cyan, the rule in bold) is added only when asked for,
which the command line does only for standard output (see ``--color``).
"""

from __future__ import annotations

from ..findings import Report
from . import clean, defuse_ci_commands

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


def finding_lines(report: Report, color: bool = False) -> list[str]:
    """One line per unsuppressed finding."""
    out = []
    for f in report.findings:
        if f.suppressed:
            continue
        sev = f.severity
        if color:
            sev = f"{_COLORS.get(sev, '')}{sev}{_RESET}"
            rule = f"{_BOLD}{f.rule}{_RESET}"
        else:
            rule = f.rule
        out.append(f"{clean(f.file)}:{f.line}:{f.column}: {rule} {sev} {clean(f.message)} [{clean(f.resource)}]")
    return out


def error_lines(report: Report) -> list[str]:
    """One line per input that could not be processed."""
    return [f"{clean(e.file)}:{e.line}:{e.column}: error: {clean(e.message)}" for e in report.errors]


def _text(lines: list[str]) -> str:
    return defuse_ci_commands("\n".join(lines) + "\n") if lines else ""


def render_text(report: Report, color: bool = False, summary_line: bool = True) -> tuple[str, str]:
    """(standard output, standard error): the findings and the summary line; the input errors."""
    return _text(finding_lines(report, color) + ([summary(report)] if summary_line else [])), _text(
        error_lines(report))


def summary(report: Report) -> str:
    counts = report.counts()
    parts = [f"{counts['errors']} error{'s' * (counts['errors'] != 1)}",
             f"{counts['warnings']} warning{'s' * (counts['warnings'] != 1)}"]
    if counts["suppressed"]:
        parts.append(f"{counts['suppressed']} suppressed")
    trails = f"{report.trails} trail{'s' * (report.trails != 1)}"
    files = f"{report.files_linted} file{'s' * (report.files_linted != 1)} linted, {report.files_skipped} skipped"
    text = f"{', '.join(parts)} in {trails} ({files})"
    if report.new_since:
        n = report.already_present
        text += f"; {n} finding{'s' * (n != 1)} already present at {clean(report.new_since)}"
    if report.errors:
        n = len(report.errors)
        text += f"; {n} input{'s' * (n != 1)} could not be processed"
    return text
