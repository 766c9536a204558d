"""Reporters render a :class:`~cloudtrail_lint.findings.Report`; they never compute findings.

The escaping every output shares lives here, one function per concern (see docs/security.md):

- :func:`clean`: text for people (terminal, CI log, JUnit) shows every character that could change the
  terminal, the layout or the reading order escaped, like Python writes it (``\\x1b``, ``\\u202e``);
- :func:`defuse_ci_commands`: no text from an input can make a log line a CI command (GitHub
  ``::cmd::`` at a line start, ``##[cmd]``, Azure ``##vso[``, TeamCity ``##teamcity[``);
- :func:`json_text`: JSON keeps every value exactly, in ASCII, so no raw control, bidi or line
  separator character and no unencodable file name can reach the file or the log;
- :func:`encodable`: the last step before writing text: names that are not UTF-8 (``os.fsdecode``'s
  surrogate escapes) are shown as ``\\udcXX``;
- :func:`name_bytes` and :func:`uri`: a file name as the bytes it stands for, and as a URI.
"""

from __future__ import annotations

import re
from typing import Any, Callable

#: Printable characters that show as nothing (Hangul fillers, the combining grapheme joiner...).
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def _escaped(char: str, keep_tabs: bool) -> str:
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\t" if keep_tabs else " "
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean(text: str, keep_tabs: bool = False) -> str:
    """Text safe for a terminal, a CI log or a review UI: every character that is not printable is shown
    as its Python escape (C0/C1 controls, DEL, bidi and other format characters, line and paragraph
    separators, non-ASCII spaces, surrogates of names that are not UTF-8), as are invisible fillers. A
    newline becomes ``\\n``; a tab a space (or stays, with ``keep_tabs``)."""
    if text.isprintable() and (text.isascii() or _INVISIBLE.isdisjoint(text)):
        return text
    return "".join(
        char if char.isprintable() and char not in _INVISIBLE else _escaped(char, keep_tabs) for char in text
    )


#: Where a CI runner sees a command: ``::`` first on a line (GitHub trims leading blanks), or anywhere
#: ``##[`` (GitHub's older form), ``##vso[`` (Azure Pipelines), ``##teamcity[`` (TeamCity).
#: (Patterns compile on first use, through ``re``'s cache: start-up stays small.)
_CI_COMMAND = r"(?mi)^[^\S\n]*:(?=:)|#(?=#(?:vso|teamcity)?\[)"
_CI_COMMAND_INSIDE = r"(?i)#(?=#(?:vso|teamcity)?\[)"


def backslash_escape(char: str) -> str:
    return f"\\x{ord(char):02x}"


def json_escape(char: str) -> str:
    return f"\\u{ord(char):04x}"


def xml_escape(char: str) -> str:
    return f"&#{ord(char)};"


def defuse_ci_commands(text: str, escape: Callable[[str], str] = backslash_escape, lines: bool = True) -> str:
    """``text`` (whole ``lines``, or a part inside one) with nothing a CI runner would take for a command:
    the first ``:`` of a line's leading ``::`` and the first ``#`` of ``##[`` are escaped with ``escape``
    (``\\x3a`` in plain text; JSON and XML use their own escapes, which keep the value exact)."""
    if ":" not in text and "#" not in text:
        return text
    pattern = _CI_COMMAND if lines else _CI_COMMAND_INSIDE
    return re.sub(pattern, lambda m: m.group()[:-1] + escape(m.group()[-1]), text)


def json_text(data: Any) -> str:
    """``data`` as indented JSON: ASCII only (every other character a ``\\uXXXX`` escape, so the exact
    value survives, surrogates of names that are not UTF-8 included), no CI command (``##[`` is written
    ``\\u0023#[``), ending with a newline."""
    import json as _json  # not ``json``: importing the submodule .json rebinds that name in this package

    return defuse_ci_commands(_json.dumps(data, indent=2, ensure_ascii=True), json_escape) + "\n"


def encodable(text: str) -> str:
    """``text`` with lone surrogates (file names that are not UTF-8) shown as ``\\udcXX``, so writing it
    as UTF-8 cannot fail."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def name_bytes(name: str) -> bytes:
    """The bytes a file name stands for: a name that is not UTF-8 gets its own bytes back; another lone
    surrogate (a ``\\ud800`` escape in a JSON template) is encoded as UTF-8 would encode it."""
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")


def hash_bytes(text: str) -> bytes:
    """Bytes to hash for ``text``: UTF-8, and any lone surrogate in the same one-to-one way."""
    return text.encode("utf-8", "surrogatepass")


def uri(name: str) -> str:
    """A relative file name as a URI path: its bytes, percent-encoded (``bad%FFname.yml``)."""
    from urllib.parse import quote

    return quote(name_bytes(name))


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
