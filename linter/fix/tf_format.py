"""Terraform text the way ``terraform fmt`` writes it: quoting, and ``=`` aligned within a chain of lines.

``terraform fmt`` aligns the ``=`` of consecutive lines that each hold a whole ``name = value``
assignment; a line that opens a multi-line value (``x = jsonencode({``), a blank line, a comment
line or a nested block ends the chain.
"""

from __future__ import annotations

import re

_OPEN, _CLOSE = "([{", ")]}"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def hcl_string(text: str) -> str:
    """``text`` as a quoted HCL string literal."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        .replace("\t", "\\t").replace("${", "$${").replace("%{", "%%{")
    )
    return f'"{escaped}"'


def _code_and_brackets(line: str) -> tuple[int, int]:
    """(index of the first top-level ``=`` or -1, net bracket count) outside strings and comments."""
    depth = 0
    equal = -1
    in_string = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "#" or line.startswith("//", i) or line.startswith("/*", i):
            break
        elif ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "=" and equal < 0 and depth == 0 and _lone_equal(line, i):
            equal = i
        i += 1
    return equal, depth


def _lone_equal(line: str, i: int) -> bool:
    """Whether the ``=`` at ``i`` assigns (not ``==``, ``!=``, ``<=``, ``>=`` or ``=>``)."""
    after = line[i + 1:i + 2]
    before = line[i - 1:i] if i > 0 else ""
    return after not in ("=", ">") and before not in ("=", "!", "<", ">")


def assignment(line: str) -> int:
    """The width of the part before ``=`` (trailing spaces excluded) if ``line`` is a one-line assignment,
    else -1."""
    equal, depth = _code_and_brackets(line)
    if equal <= 0 or depth != 0:
        return -1
    lead = line[:equal].rstrip()
    name = lead.strip()
    if not name or not _IDENT.fullmatch(name.strip('"')):
        return -1
    return len(lead)


def align(lines: list[str]) -> list[str]:
    """Pad the names of each chain of one-line assignments so their ``=`` line up."""
    out = list(lines)
    chain: list[int] = []

    def close() -> None:
        width = max((assignment(out[i]) for i in chain), default=0)
        for i in chain:
            lead_width = assignment(out[i])
            equal = out[i].index("=", lead_width)
            out[i] = out[i][:lead_width].ljust(width) + " " + out[i][equal:]
        chain.clear()

    for i, line in enumerate(out):
        if assignment(line) >= 0:
            chain.append(i)
        else:
            close()
    close()
    return out


def chain_width(lines: list[str], index: int) -> int:
    """The width before ``=`` of the chain of one-line assignments that holds ``lines[index]`` (-1: none)."""
    if assignment(lines[index]) < 0:
        return -1
    first = index
    while first > 0 and assignment(lines[first - 1]) >= 0:
        first -= 1
    last = index
    while last + 1 < len(lines) and assignment(lines[last + 1]) >= 0:
        last += 1
    return max(assignment(lines[i]) for i in range(first, last + 1))


def attribute_line(indent: str, name: str, value: str, width: int = 0) -> str:
    """``indent name = value`` with the name padded so that ``=`` falls after ``width`` columns."""
    lead = (indent + name).ljust(width)
    return f"{lead} = {value}"
