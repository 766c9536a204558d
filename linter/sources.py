"""Reading input files safely: size limit, encodings and byte-order marks, binary detection."""

from __future__ import annotations

import codecs
import os

from .frontends import ParseError

DEFAULT_MAX_FILE_SIZE = 20 * 1024 * 1024


def display_path(path: str) -> str:
    """A path relative to the working directory with forward slashes (absolute when outside it)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        rel = os.path.abspath(path)
    if rel.startswith(".." + os.sep) or rel == "..":
        rel = os.path.abspath(path)
    return rel.replace(os.sep, "/")


def read_text(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str:
    """The decoded text of ``path``; :class:`ParseError` when it is too big, binary or not text."""
    return decode(read_bytes(path, max_size))


def read_bytes(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of ``path``; :class:`ParseError` when it is too big or cannot be read."""
    try:
        size = os.path.getsize(path)
        if size > max_size:
            raise ParseError(
                f"file is {size / 1048576:.1f} MiB, larger than the {max_size / 1048576:g} MiB limit"
                " (raise it with --max-file-size)"
            )
        with open(path, "rb") as handle:
            raw = handle.read(max_size + 1)
    except OSError as exc:
        raise ParseError(f"cannot read file: {exc.strerror or exc}") from None
    return raw


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
