"""GitHub Actions workflow commands: each unsuppressed finding becomes an annotation on the pull request.

``::error file=main.tf,line=1,col=1,title=CTL001 cloudwatch-logs-not-configured::message``; values
are %-escaped as the runner requires (``%``, CR and LF everywhere, also ``:`` and ``,`` in properties).
"""

from __future__ import annotations

import re

from ..findings import Report
from .text import summary

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def escape_data(text: str) -> str:
    """%-escaping for the runner; other control characters from inputs are shown escaped, never raw (the
    Actions log viewer interprets terminal escapes)."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


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
