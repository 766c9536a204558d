"""Skip, before parsing, what no trail check reads of a Terraform file.

A typical module file is mostly buckets, security groups and functions; the trail checks only read
trails, log groups, some attributes of IAM roles, variables, outputs and data sources, and locals and
module calls whole (``reads.py`` declares it). Everything else in a block is blanked out before
python-hcl2 sees it, and the block gets one marker attribute (on its first line, else before its closing
brace); every line and column of
what is kept stays in place. The resolver reads a marked block's other attributes from a whole parse
of the file, so skipping never changes a finding. Any text this scanner is not sure about is left
whole, and so is a resource whose type is written with escapes (``"aws_\\u0063loudtrail"`` is a trail).
"""

from __future__ import annotations

import re

from .reads import UNREAD, kept

_HEADER = re.compile(r'[A-Za-z_][\w-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{')
_RESOURCE = re.compile(r'resource[ \t]+"([^"\n]+)"[ \t]+"[^"\n]+"[ \t]*\{')
_HEREDOC = re.compile(r"<<-?([A-Za-z_][\w-]*)[ \t]*\n")
_SPECIAL = re.compile(r'[{}"#/<]')
_EXPR_SPECIAL = re.compile(r'[{}()\[\]"#/<\n]')
_ATTRIBUTE = re.compile(r'([A-Za-z_][\w-]*)[ \t]*=(?!=)')
_BLOCK_KIND = re.compile(r'(variable|output|data)[ \t]+"?([^"\n \t{]*)"?[ \t]*')
_NAME = re.compile(r"[A-Za-z_][\w-]*")


class _Unsure(Exception):
    """The text does not look like what this scanner handles: parse it whole."""


def _skip_string(text: str, i: int) -> int:
    """``i`` is just past an opening quote; return the index just past the closing one."""
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        elif c in "$%" and text.startswith("{", i + 1) and not text.startswith(c, i - 1 if i else 0):
            i = _skip_braces(text, i + 1)
        elif c == "\n":
            raise _Unsure
        else:
            i += 1
    raise _Unsure


def _is_comment(text: str, i: int) -> bool:
    return text[i] == "#" or text.startswith(("//", "/*"), i)


def _comment_end(text: str, i: int, stop: int) -> int:
    """``text[i]`` starts a comment: the index just past it (a line comment's line break included)."""
    if text.startswith("/*", i):
        end = text.find("*/", i + 2, stop)
        if end < 0:
            raise _Unsure
        return end + 2
    end = text.find("\n", i, stop)
    return stop if end < 0 else end + 1


def _next_item(text: str, i: int, stop: int) -> int:
    """The index of the next character of ``text[i:stop]`` that is neither blank nor in a comment."""
    while i < stop:
        if text[i] in " \t\r\n":
            i += 1
        elif _is_comment(text, i):
            i = _comment_end(text, i, stop)
        else:
            return i
    return stop


def _skip_braces(text: str, i: int) -> int:
    """``text[i]`` is ``{``; return the index just past its matching ``}``."""
    depth = 0
    n = len(text)
    while i < n:
        match = _SPECIAL.search(text, i)
        if match is None:
            raise _Unsure
        i = match.start()
        c = text[i]
        if c == "{":
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
            if depth == 0:
                return i
        elif c == '"':
            i = _skip_string(text, i + 1)
        elif _is_comment(text, i):
            i = _comment_end(text, i, n)
        elif c == "<":
            end = _skip_heredoc(text, i)
            i = i + 1 if end is None else end
        else:
            i += 1
    raise _Unsure


def _skip_heredoc(text: str, i: int) -> int | None:
    heredoc = _HEREDOC.match(text, i)
    if heredoc is None:
        return None
    closing = re.compile(r"^[ \t]*" + re.escape(heredoc.group(1)) + r"[ \t]*$", re.M)
    end = closing.search(text, heredoc.end())
    if end is None:
        raise _Unsure
    return end.end()


def _skip_expression(text: str, i: int, stop: int) -> int:
    """From the start of an attribute's expression, the index of the line break that ends it."""
    depth = 0
    while i < stop:
        match = _EXPR_SPECIAL.search(text, i, stop)
        if match is None:
            return stop
        i = match.start()
        c = text[i]
        if c == "\n":
            if depth == 0:
                return i
            i += 1
        elif c in "{([":
            depth += 1
            i += 1
        elif c in "})]":
            depth -= 1
            i += 1
            if depth < 0:
                return i - 1  # the closing brace of a one-line block
        elif c == '"':
            i = _skip_string(text, i + 1)
        elif c == "#" or text.startswith("//", i):
            end = text.find("\n", i, stop)
            return stop if end < 0 else end  # a line comment ends the expression
        elif text.startswith("/*", i):
            i = _comment_end(text, i, stop)
        elif c == "<":
            end = _skip_heredoc(text, i)
            i = i + 1 if end is None else end
        else:
            i += 1
    return stop


def _kept_spans(text: str, start: int, stop: int, keep: set[str]) -> list[tuple[int, int]] | None:
    """Spans of the ``keep`` attributes in the block body ``text[start:stop]``; None (or :class:`_Unsure`)
    when unsure."""
    spans = []
    i = _next_item(text, start, stop)
    while i < stop:
        attribute = _ATTRIBUTE.match(text, i)
        if attribute is not None:
            end = _skip_expression(text, attribute.end(), stop)
            if attribute.group(1) in keep:
                spans.append((i, end))
            i = end
        else:
            header = _HEADER.match(text, i, stop)
            if header is None:
                return None
            end = _skip_braces(text, header.end() - 1)
            if _NAME.match(text, i).group(0) in keep:  # a nested block that is read (inline_policy)
                spans.append((i, end))
            i = end
        i = _next_item(text, i, stop)
    return spans


def _blank(text: str, start: int, end: int, marker: str = "") -> str:
    """A stand-in for ``text[start:end]`` with the same line breaks, after which the text goes on at the
    same column; ``marker`` is put on its first line.

    The skipped lines go into one block comment: python-hcl2 lexes a comment as one token, but every
    blank line as a token of its own.
    """
    lead = f" {marker} " if marker else ""
    breaks = text.count("\n", start, end)
    if breaks == 0:
        return lead.ljust(end - start)
    tail = end - text.rfind("\n", start, end) - 1  # characters before ``end`` on its line
    if breaks == 1:
        return lead + "\n" + " " * tail
    if tail < 2:  # no room for the comment's end on the last line: it ends on the line before
        return lead + "\n/*" + "\n" * (breaks - 2) + "*/\n" + " " * tail
    return lead + "\n/*" + "\n" * (breaks - 1) + "*/" + " " * (tail - 2)


def slim(text: str) -> str | None:
    """``text`` with unread resource bodies blanked, or None when nothing was blanked or it is unsure."""
    out: list[str] = []
    pos = 0
    n = len(text)
    changed = False
    try:
        i = _next_item(text, 0, n)
        while i < n:
            header = _HEADER.match(text, i)
            if header is None:
                raise _Unsure  # a top-level attribute or something unexpected
            brace = header.end() - 1
            end = _skip_braces(text, brace)
            resource = _RESOURCE.match(text, i)
            if resource is not None and "\\" in resource.group(1):
                resource = None  # an escape in the type ("aws_\\u0063loudtrail"): keep the block whole
            kind = _BLOCK_KIND.match(text, i)
            keep = None
            if resource is not None:
                keep = kept("resource", resource.group(1))
            elif kind is not None:
                keep = kept(kind.group(1), kind.group(2))
            if keep is not None:
                # what the resolver reads (see reads.py) stays; the rest becomes one marker, so a
                # read of anything else knows to parse the file whole
                spans = _kept_spans(text, brace + 1, end - 1, keep) if keep else []
                if spans is None:
                    raise _Unsure
                cursor = brace + 1
                out.append(text[pos:cursor])
                # the marker goes on the header's line when a line break follows it there (it then moves
                # nothing), else just before the closing brace (it moves only the brace)
                marker = f"{UNREAD}=1"
                for span_start, span_end in spans:
                    early = marker if "\n" in text[cursor:span_start] else ""
                    out.append(_blank(text, cursor, span_start, early))
                    marker = "" if early else marker
                    out.append(text[span_start:span_end])
                    cursor = span_end
                out.append(_blank(text, cursor, end - 1, marker))
                pos = end - 1
                changed = True
            i = _next_item(text, end, n)
    except _Unsure:
        return None
    if not changed:
        return None
    out.append(text[pos:])
    return "".join(out)
