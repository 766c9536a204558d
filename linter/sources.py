"""Reading input files safely: regular files only, never blocking, never through a link out of the
tree; size limit, encodings and byte-order marks, binary detection.

Every read of an input goes through :func:`open_regular` (``read_bytes``, ``read_text`` and
``read_head`` use it): a FIFO, socket or device is never read, and opening one cannot block
(``O_NONBLOCK``, then ``fstat``), so a link to ``/dev/stdin`` or ``/proc/self/fd/1`` is an error, not
a hang. Where a file could lead out of the tree the user asked for (a file found in a folder, rather
than named on the command line), callers pass ``within``: the real folders it must resolve into.
"""

from __future__ import annotations

import codecs
import os
import stat as stat_module
from collections.abc import Iterable

from .frontends import ParseError

DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024
#: Opening never waits (a FIFO without a writer, a terminal) and never leaks into a started process.
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
               | getattr(os, "O_BINARY", 0))
OUTSIDE = "symbolic link leads out of the scanned tree: not read"
NOT_REGULAR = "not a regular file (a FIFO, socket or device): not read"


def is_within(path: str, roots: Iterable[str]) -> bool:
    """Whether the real path ``path`` is one of the real folders ``roots`` or inside one."""
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def open_regular(path: str, stat: os.stat_result | None = None,
                 within: Iterable[str] | None = None) -> tuple[int, os.stat_result]:
    """A descriptor open for reading on ``path`` and its ``fstat``, if ``path`` is a regular file (links
    followed), else :class:`ParseError`. ``stat``, when the caller has it, is checked before opening;
    with ``within``, the file must also resolve inside one of those real folders."""
    if within is not None and not is_within(os.path.realpath(path), within):
        raise ParseError(OUTSIDE)
    if stat is not None and not stat_module.S_ISREG(stat.st_mode):
        raise ParseError(NOT_REGULAR)
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        if not stat_module.S_ISREG(opened.st_mode):
            raise ParseError(NOT_REGULAR)
    except OSError as exc:
        os.close(fd)
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    except ParseError:
        os.close(fd)
        raise
    return fd, opened


def read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes from ``fd``. Plain system calls: for the thousands of small files a scan
    reads, a third cheaper than ``open()`` and its buffered file object."""
    parts = []
    while limit > 0:
        chunk = os.read(fd, min(limit, 1 << 20))
        if not chunk:
            break
        parts.append(chunk)
        limit -= len(chunk)
    return b"".join(parts)


def display_path(path: str) -> str:
    """A path relative to the working directory with forward slashes (absolute when outside it)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    if rel.startswith(".." + os.sep) or rel == "..":
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")


def read_text(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, within: Iterable[str] | None = None) -> str:
    """The decoded text of ``path``; :class:`ParseError` when it is too big, binary or not text, or
    for the reasons of :func:`read_bytes`."""
    return decode(read_bytes(path, max_size, within))


def read_bytes(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, within: Iterable[str] | None = None) -> bytes:
    """The bytes of ``path``; :class:`ParseError` when it resolves outside the real folders ``within``
    (if given), is not a regular file, is too big (all known from ``stat`` before it is opened), or
    cannot be read."""
    if within is not None and not is_within(os.path.realpath(path), within):
        raise ParseError(OUTSIDE)
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    if stat_module.S_ISREG(stat.st_mode) and stat.st_size > max_size:
        raise ParseError(
            f"file is {stat.st_size / 1048576:.1f} MiB, larger than the {max_size / 1048576:g} MiB limit"
            " (raise it with --max-file-size)"
        )
    fd, _opened = open_regular(path, stat)
    try:
        return read_fd(fd, max_size + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_head(path: str, size: int) -> bytes:
    """The first ``size`` bytes of the regular file ``path`` (:class:`ParseError` as :func:`open_regular`)."""
    fd, _ = open_regular(path)
    try:
        return read_fd(fd, size)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode(raw: bytes) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ParseError("invalid UTF-16 text") from None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ParseError("file contains NUL bytes (binary, not text)", line)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParseError(f"invalid UTF-8 at byte {exc.start}", line) from None
    return text.replace("\r\n", "\n")


def why_unread(err: ParseError) -> str:
    """Why a file could not be read, for a message that already says it could not be read."""
    prefix = "cannot read file: "
    return err.message[len(prefix):] if err.message.startswith(prefix) else err.message
