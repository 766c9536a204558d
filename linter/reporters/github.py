"""GitHub Actions workflow commands: each unsuppressed finding becomes an annotation on the pull request.

``::error file=main.tf,line=1,col=1,title=CTL001 cloudwatch-logs-not-configured::message``; values
are %-escaped as the runner requires (``%``, CR and LF everywhere, also ``:`` and ``,`` in properties);
every other character :func:`clean` escapes is shown escaped, never raw (the Actions log viewer and the
pull request page would interpret terminal escapes and bidi controls).
"""

from __future__ import annotations

import re

from ..findings import Report
from . import clean, defuse_ci_commands
from .text import summary

_BREAK = re.compile(r"([\r\n])")
_BREAKS = {"\r": "%0D", "\n": "%0A"}

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The runner's %-escaping of a command's data (``%``, CR, LF); other characters :func:`clean` escapes
    are shown escaped, and so is a ``##[`` command (:func:`defuse_ci_commands`)."""
    shown = "".join(_BREAKS.get(part) or clean(part.replace("%", "%25")) for part in _BREAK.split(text))
    return defuse_ci_commands(shown, lines=False)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, message: str, **props: str) -> str:
    shown = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{kind} {shown}::{escape_data(message)}" if shown else f"::{kind}::{escape_data(message)}"


def render_github(report: Report) -> str:
    out = []
    for f in report.findings:
        if f.suppressed:
            continue
        out.append(_command(_COMMAND.get(f.severity, "error"), f"{f.message} [{f.resource}]", file=f.file,
                            line=str(max(f.line, 1)), col=str(max(f.column, 1)), title=f"{f.rule} {f.name}"))
    for e in report.errors:
        props = {"file": e.file, **({"line": str(e.line)} if e.line > 0 else {}), "title": "input error"}
        out.append(_command("error", e.message, **props))
    out.append(summary(report))
    return "\n".join(out) + "\n"
