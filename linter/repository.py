"""The repository a run lints: its root is the nearest folder holding ``.git`` (a folder, or a file as
in git worktrees and submodules), found without running git; outside any repository, the working
directory."""

from __future__ import annotations

import os


def find_root(start: str = ".") -> str | None:
    """The nearest folder at or above ``start`` that holds ``.git``, or None."""
    folder = os.path.abspath(start)
    while True:
        if os.path.lexists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def root(start: str = ".") -> str:
    """The repository root of ``start`` (absolute), else the working directory."""
    return find_root(start) or os.path.abspath(".")


def relative(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with forward slashes, or None when it is not inside ``base``."""
    absolute = os.path.abspath(path)
    if absolute != base and not absolute.startswith(base.rstrip(os.sep) + os.sep):
        return None
    return os.path.relpath(absolute, base).replace(os.sep, "/")
