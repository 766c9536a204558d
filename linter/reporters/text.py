"""Human-readable lines: ``path:line:col: RULE severity message [resource]`` and a summary.

Every value from an input goes through :func:`clean`, and the lines through :func:`defuse_ci_commands`.
"""

from __future__ import annotations

from ..findings import Report
from . import clean, defuse_ci_commands

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "note": "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def render_text(report: Report, color: bool = False) -> tuple[str, str]:
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
    err = [f"{clean(e.file)}:{e.line}:{e.column}: error: {clean(e.message)}" for e in report.errors]
    out.append(summary(report))
    return defuse_ci_commands("\n".join(out) + "\n"), defuse_ci_commands("\n".join(err) + "\n") if err else ""


def summary(report: Report) -> str:
    counts = report.counts()
    parts = [f"{counts['errors']} error{'s' * (counts['errors'] != 1)}",
             f"{counts['warnings']} warning{'s' * (counts['warnings'] != 1)}"]
    if counts["suppressed"]:
        parts.append(f"{counts['suppressed']} suppressed")
    trails = f"{report.trails} trail{'s' * (report.trails != 1)}"
    files = f"{report.files_linted} file{'s' * (report.files_linted != 1)} linted, {report.files_skipped} skipped"
    text = f"{', '.join(parts)} in {trails} ({files})"
    if report.errors:
        n = len(report.errors)
        text += f"; {n} input{'s' * (n != 1)} could not be processed"
    return text
