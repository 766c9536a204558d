"""A progress bar on standard error for long runs: only on a terminal, never in pipes or CI logs."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def wanted(mode: str | None, stream: TextIO | None = None) -> bool:
    """``mode`` is "always", "never" or None/"auto" (a terminal that is not a CI job)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)()) and not os.environ.get("CI")


class Progress:
    """``files done of total``, redrawn at most ten times a second, erased when done."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None, label: str = "files") -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.stream = stream or sys.stderr
        self.label = label
        self.done = 0
        self._last = 0.0
        self._shown = False

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and self.done < self.total:
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {self.label}")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()
            self._shown = False
