"""GitHub Actions workflow commands: each unsuppressed finding becomes an annotation on the pull request.

``::error file=main.tf,line=1,col=1,title=CTL001 cloudwatch-logs-not-configured::message``; values
are %-escaped as the runner requires (``%``, CR and LF everywhere, also ``:`` and ``,`` in properties);
every other character :func:`clean` escapes is shown escaped, never raw (the Actions log viewer and the
pull request page would interpret terminal escapes and bidi controls).

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per job); the rest
are dropped silently. See "Limitations" in the Actions toolkit's problem matcher documentation,
https://github.com/actions/toolkit/blob/main/docs/problem-matchers.md#limitations ("10 warning annotations,
10 error annotations, and 10 notice annotations per step"). So annotations stop at that limit: what is
left is printed as plain log lines, and a last notice (which takes one of the notice places) counts it.
"""

from __future__ import annotations

import re

from ..findings import Report
from . import clean, defuse_ci_commands
from .text import summary

_BREAK = re.compile(r"([\r\n])")
_BREAKS = {"\r": "%0D", "\n": "%0A"}

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}

#: Annotations of each kind GitHub shows per step.
PER_STEP = 10


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


def _annotations(report: Report) -> list[tuple[str, str, str]]:
    """(command, annotation, the same as a plain log line) for each unsuppressed finding and input error."""
    out = []
    for f in report.findings:
        if f.suppressed:
            continue
        kind = _COMMAND.get(f.severity, "error")
        line = _command(kind, f"{f.message} [{f.resource}]", file=f.file, line=str(max(f.line, 1)),
                        col=str(max(f.column, 1)), title=f"{f.rule} {f.name}")
        plain = f"{clean(f.file)}:{f.line}:{f.column}: {f.rule} {f.severity} {clean(f.message)} [{clean(f.resource)}]"
        out.append((kind, line, plain))
    for e in report.errors:
        props = {"file": e.file, **({"line": str(e.line)} if e.line > 0 else {}), "title": "input error"}
        out.append(("error", _command("error", e.message, **props),
                    f"{clean(e.file)}:{e.line}:{e.column}: error: {clean(e.message)}"))
    return out


def render_github(report: Report, summary_line: bool = True) -> str:
    items = _annotations(report)
    totals = {kind: sum(k == kind for k, _line, _plain in items) for kind in _COMMAND.values()}
    limit = dict.fromkeys(totals, PER_STEP)
    if any(n > PER_STEP for n in totals.values()):
        limit["notice"] = PER_STEP - 1  # the last notice, which counts the rest, takes one place
    shown: dict[str, int] = dict.fromkeys(totals, 0)
    out, rest = [], []
    for kind, line, plain in items:
        if shown[kind] < limit[kind]:
            shown[kind] += 1
            out.append(line)
        else:
            rest.append((kind, plain))
    if rest:
        out.extend(defuse_ci_commands(plain) for _kind, plain in rest)
        counts = [f"{n} {kind}{'s' * (n != 1)}" for kind in _COMMAND.values()
                  if (n := sum(k == kind for k, _plain in rest))]
        out.append(_command("notice", f"{len(rest)} more not annotated ({', '.join(counts)}): GitHub shows"
                            f" {PER_STEP} annotations of each kind per step; they are listed in the log above",
                            title="cloudtrail-lint"))
    if summary_line:
        out.append(summary(report))
    return "\n".join(out) + "\n" if out else ""
