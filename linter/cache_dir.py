"""The parse cache's directory: whether it can be trusted, and its files read and written without
following a symbolic link.

Whoever can write the cache can change what the linter reports, so, as ssh does for ``~/.ssh`` and
ccache for its cache, a cache directory is used only when

- it and every folder above it, up to and including your home directory when the cache is inside it
  (else up to ``/``), belong to you or to root and cannot be written by group or others (a folder
  above it may be world-writable only with the sticky bit, like ``/tmp``: others cannot then rename
  or delete what is yours in it);
- it is not inside a scanned path (a repository, or a fork of one, could ship a forged cache).

Below that directory, every folder and file is opened relative to its parent's descriptor with
``O_NOFOLLOW``: a symbolic link is never followed, and only regular files (and folders) that belong to
you and are not writable by others are read. Entries are written to a temporary file that is renamed
into place.
"""

from __future__ import annotations

import contextlib
import os
import stat as stat_module
from collections.abc import Iterable

#: Folders of the cache this process creates: only the user may enter them.
_DIR_MODE = 0o700
_FILE_MODE = 0o600
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)
#: Whether folders can be opened and files created relative to a folder's descriptor (POSIX).
_DIR_FD = os.open in os.supports_dir_fd and os.mkdir in os.supports_dir_fd and bool(_O_DIRECTORY)


class Untrusted(Exception):
    """The cache directory could be written by someone else: it must not be used (the message says why)."""


def _user() -> int | None:
    """The effective user id (None where there are no POSIX owners)."""
    geteuid = getattr(os, "geteuid", None)
    return geteuid() if geteuid is not None else None


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def trust_root(real: str) -> str:
    """The last folder checked above the cache directory ``real``: your home directory when the cache is
    inside it, else the file system's root."""
    home = os.path.realpath(os.path.expanduser("~"))
    if home != os.sep and os.path.isabs(home) and _within(real, home):
        return home
    return os.path.abspath(os.sep)


def _problem(path: str, st: os.stat_result, itself: bool, user: int | None) -> str | None:
    """Why the folder ``path`` (with ``lstat`` result ``st``) cannot hold or lead to a trusted cache."""
    if not stat_module.S_ISDIR(st.st_mode):
        return f"{path} is not a directory"
    if user is None:
        return None
    if st.st_uid not in (user, 0):
        return f"{path} is owned by another user (uid {st.st_uid})"
    if st.st_mode & 0o022 and (itself or not st.st_mode & stat_module.S_ISVTX):
        who = "group and others" if st.st_mode & 0o022 == 0o022 else "group" if st.st_mode & 0o020 else "others"
        return f"{path} is writable by {who} (chmod go-w {path})"
    return None


def _check(path: str, user: int | None, itself: bool) -> None:
    """:class:`Untrusted` unless the existing real folder ``path`` (the cache directory itself, or a
    folder that is to hold it) and its parents up to :func:`trust_root` are safe."""
    stop = trust_root(path)
    while True:
        problem = _problem(path, os.lstat(path), itself, user)
        if problem:
            raise Untrusted(problem)
        parent = os.path.dirname(path)
        if path == stop or parent == path:
            return
        path, itself = parent, False


def prepare(directory: str, scanned: Iterable[str]) -> str:
    """The real path of the cache directory ``directory``, created (mode 0700) if missing, once it is
    known to be safe; :class:`Untrusted` if it is not, OSError if it cannot be created or read."""
    real = os.path.realpath(directory)
    for path in scanned:
        if not os.path.lexists(path):
            continue  # reported as missing; it holds nothing
        folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
        if _within(real, os.path.realpath(folder)):
            raise Untrusted(f"{real} is inside the scanned path {path}")
    user = _user()
    missing = []
    existing = real
    while not os.path.lexists(existing):
        missing.append(os.path.basename(existing))
        existing = os.path.dirname(existing)
    if missing:  # check what is there before creating anything in it
        _check(existing, user, itself=False)
        for name in reversed(missing):
            existing = os.path.join(existing, name)
            with contextlib.suppress(FileExistsError):
                os.mkdir(existing, _DIR_MODE)
    _check(real, user, itself=True)
    return real


def _safe(st: os.stat_result, user: int | None) -> bool:
    """A file or folder inside the cache: yours (or root's) and not writable by group or others."""
    return user is None or (st.st_uid in (user, 0) and not st.st_mode & 0o022)


class Store:
    """Files under the folder ``prefix`` of the trusted real directory ``base``, addressed by path
    components (names the caller made: never a separator or a name from outside)."""

    def __init__(self, base: str, prefix: tuple[str, ...] = ()) -> None:
        self.base = base
        self.prefix = prefix
        self.user = _user()

    def read(self, parts: tuple[str, ...]) -> bytes | None:
        """The bytes of the regular file at ``parts``; None if it is missing, a link, not a regular file,
        or could have been written by someone else."""
        try:
            folder = self._folder(self.prefix + parts[:-1], create=False)
        except OSError:
            return None
        if folder is None:
            return None
        try:
            fd = self._open(folder, parts[-1], os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC | _O_BINARY)
        except OSError:
            return None
        finally:
            self._close(folder)
        try:
            st = os.fstat(fd)
            if not stat_module.S_ISREG(st.st_mode) or not _safe(st, self.user):
                return None
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    return b"".join(chunks)
                chunks.append(chunk)
        except OSError:
            return None
        finally:
            os.close(fd)

    def write(self, parts: tuple[str, ...], data: bytes) -> None:
        """Replace the file at ``parts`` with ``data`` at once (a temporary file renamed into place);
        errors are ignored (a cache that cannot be written only costs speed)."""
        try:
            folder = self._folder(self.prefix + parts[:-1], create=True)
        except OSError:
            return
        if folder is None:
            return
        tmp = f".tmp-{os.getpid()}-{os.urandom(6).hex()}"
        # Created by its full path (an audit hook sees where), never through a link (O_EXCL), and
        # renamed only if it landed in the folder opened above.
        path = os.path.join(self.base, *self.prefix, *parts[:-1], tmp)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY,
                         _FILE_MODE)
            try:
                created = os.fstat(fd)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            if isinstance(folder, int):
                there = os.stat(tmp, dir_fd=folder, follow_symlinks=False)
                if (there.st_dev, there.st_ino) != (created.st_dev, created.st_ino):
                    raise OSError("the cache folder changed while it was written")
            self._rename(folder, tmp, parts[-1])
        except OSError:
            with contextlib.suppress(OSError):
                self._unlink(folder, tmp)
        finally:
            self._close(folder)

    # Descriptor-relative operations where the platform has them (``folder`` is a descriptor), else
    # paths checked with ``lstat`` (``folder`` is a path).

    def _folder(self, parts: tuple[str, ...], create: bool) -> int | str | None:
        """The folder ``parts`` below the base, opened without following links (None if it is missing
        and not to be created, or not safe)."""
        if not _DIR_FD:
            return self._folder_by_path(parts, create)
        fd = os.open(self.base, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
        try:
            for name in parts:
                try:
                    child = os.open(name, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(name, _DIR_MODE, dir_fd=fd)
                    child = os.open(name, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
                os.close(fd)
                fd = child
                if not _safe(os.fstat(fd), self.user):
                    os.close(fd)
                    return None
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _folder_by_path(self, parts: tuple[str, ...], create: bool) -> str | None:
        path = self.base
        for name in parts:
            path = os.path.join(path, name)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                if not create:
                    return None
                with contextlib.suppress(FileExistsError):
                    os.mkdir(path, _DIR_MODE)
                st = os.lstat(path)
            if not stat_module.S_ISDIR(st.st_mode) or not _safe(st, self.user):
                return None
        return path

    @staticmethod
    def _open(folder: int | str, name: str, flags: int, mode: int = 0o777) -> int:
        if isinstance(folder, int):
            return os.open(name, flags, mode, dir_fd=folder)
        path = os.path.join(folder, name)
        if os.path.islink(path):  # no O_NOFOLLOW on this platform
            raise OSError(f"{path} is a symbolic link")
        return os.open(path, flags, mode)

    @staticmethod
    def _rename(folder: int | str, old: str, new: str) -> None:
        if isinstance(folder, int):
            os.replace(old, new, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            os.replace(os.path.join(folder, old), os.path.join(folder, new))

    @staticmethod
    def _unlink(folder: int | str, name: str) -> None:
        if isinstance(folder, int):
            os.unlink(name, dir_fd=folder)
        else:
            os.unlink(os.path.join(folder, name))

    @staticmethod
    def _close(folder: int | str) -> None:
        if isinstance(folder, int):
            os.close(folder)
