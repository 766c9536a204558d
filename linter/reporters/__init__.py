"""Reporters render a :class:`~cloudtrail_lint.findings.Report`; they never compute findings."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text safe for a terminal or log: control characters from inputs are shown escaped."""
    text = text.replace("\n", "\\n").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


FORMATS = ("text", "json", "sarif", "junit", "github", "gitlab")


def render(report, fmt: str, color: bool = False) -> tuple[str, str]:
    """Return (stdout text, stderr text) for ``report`` in ``fmt``."""
    if fmt == "json":
        from .json import render_json

        return render_json(report), ""
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(report), ""
    if fmt == "junit":
        from .junit import render_junit

        return render_junit(report), ""
    if fmt == "github":
        from .github import render_github

        return render_github(report), ""
    if fmt == "gitlab":
        from .gitlab import render_gitlab

        return render_gitlab(report), ""
    from .text import render_text

    return render_text(report, color)
