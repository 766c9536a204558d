"""Text edits on one source file: positions, conflicts, application and the bytes to write back.

Offsets are indexes into the file's text as the front-ends see it (byte-order mark removed,
CRLF read as LF); :class:`Source` maps them back to the file as stored.
"""

from __future__ import annotations

import bisect
import codecs
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (``start == end``: insert) with ``new``."""

    start: int
    end: int
    new: str

    def overlaps(self, other: Edit) -> bool:
        """Whether the two edits cannot both be applied (equal edits never conflict)."""
        if self == other:
            return False
        if self.start == other.start:
            return self.end > self.start or other.end > other.start
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Replacement:
    """An edit as 1-based line/column positions (end exclusive), the form SARIF uses."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str


@dataclass
class Fix:
    """What fixing one finding changes: a description and the edits, by file (display path)."""

    description: str
    edits: dict[str, list[Edit]] = field(default_factory=dict)
    #: The edits as line/column regions, filled in once the fix is part of a plan.
    replacements: dict[str, list[Replacement]] = field(default_factory=dict)

    def add(self, path: str, edit: Edit, first: bool = False) -> None:
        """Add ``edit``; of two inserts at one offset, the one added first (or with ``first``) comes first."""
        edits = self.edits.setdefault(path, [])
        edits.insert(0 if first else len(edits), edit)


class Source:
    """One file's text with line positions, as read for fixing."""

    def __init__(self, path: str, raw: bytes) -> None:
        self.path = path
        self.raw = raw
        self.bom = raw.startswith(codecs.BOM_UTF8)
        stored = raw[3:] if self.bom else raw
        self.stored = stored.decode("utf-8")
        self.text = self.stored.replace("\r\n", "\n")
        #: Offsets (in ``text``) of the newlines that are CRLF in the file.
        self._crlf = [i for i, ch in enumerate(self.text) if ch == "\n"] if "\r\n" in self.stored else []
        if self._crlf:
            stored_nl = [i for i, ch in enumerate(self.stored) if ch == "\n"]
            self._crlf = [n for n, s in zip(self._crlf, stored_nl) if s > 0 and self.stored[s - 1] == "\r"]
        self.newline = "\r\n" if self._crlf and len(self._crlf) * 2 > self.text.count("\n") else "\n"
        self._starts = [0] + [i + 1 for i, ch in enumerate(self.text) if ch == "\n"]

    # ----- positions -----
    def offset(self, line: int, column: int) -> int:
        """The offset of 1-based ``line``/``column``."""
        return self._starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset``."""
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1

    def line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def line_end(self, offset: int) -> int:
        """The offset just after the newline that ends the line of ``offset`` (or the end of the text)."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end + 1

    def line_text(self, offset: int) -> str:
        start = self.line_start(offset)
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def indent_at(self, offset: int) -> str:
        line = self.line_text(offset)
        return line[: len(line) - len(line.lstrip(" \t"))]

    # ----- applying -----
    def replacement(self, edit: Edit) -> Replacement:
        start_line, start_col = self.position(edit.start)
        end_line, end_col = self.position(edit.end)
        return Replacement(start_line, start_col, end_line, end_col, self._stored_text(edit.new))

    def apply(self, edits: list[Edit]) -> str:
        """The text with ``edits`` applied (they must not overlap; inserts at one offset keep their order)."""
        out = []
        cursor = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            out.append(self.text[cursor:edit.start])
            out.append(edit.new)
            cursor = max(cursor, edit.end)
        out.append(self.text[cursor:])
        return "".join(out)

    def stored_after(self, edits: list[Edit]) -> str:
        """The file's stored text (its own line endings) after ``edits``."""
        out = []
        cursor = 0
        for edit in sorted(edits, key=lambda e: (e.start, e.end)):
            start, end = self._stored_offset(edit.start), self._stored_offset(edit.end)
            out.append(self.stored[cursor:start])
            out.append(self._stored_text(edit.new))
            cursor = max(cursor, end)
        out.append(self.stored[cursor:])
        return "".join(out)

    def encode(self, stored_text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + stored_text.encode("utf-8")

    def _stored_offset(self, offset: int) -> int:
        return offset + bisect.bisect_left(self._crlf, offset)

    def _stored_text(self, text: str) -> str:
        return text.replace("\n", self.newline) if self.newline != "\n" else text
