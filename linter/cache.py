"""A cache of parsed files and scan facts under the user's cache directory.

Parsed syntax trees are stored by the SHA-256 of the file's bytes, so a changed file is never read
from the cache; every entry also lives under a directory named after the linter's code and the
parsers' versions, so an upgrade starts afresh. Per set of scanned paths (a scope), the entries a
run used are also kept together in one bundle, which the next run reads at once. The scan facts of
unchanged files are kept in one index per scope keyed by path and ``stat`` signature, so a warm run
does not even read them. Every write goes to a temporary file that is renamed into place: concurrent
runs and a killed run leave whole entries or none, and an entry that cannot be read is ignored and
rebuilt.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
import time
from typing import Any


class _SafeUnpickler(pickle.Unpickler):
    """Loads only this linter's own data classes: a tampered cache entry cannot name other callables."""

    def find_class(self, module: str, name: str) -> Any:
        if module.startswith("cloudtrail_lint."):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


def _load(handle: Any) -> Any:
    return _SafeUnpickler(handle).load()


#: Files changed this recently are not trusted by their ``stat`` signature (mtime granularity).
_RACY_SECONDS = 2.0


def default_directory() -> str:
    """``$CLOUDTRAIL_LINT_CACHE_DIR``, else the platform's user cache directory."""
    explicit = os.environ.get("CLOUDTRAIL_LINT_CACHE_DIR")
    if explicit:
        return explicit
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Caches")
    elif os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~\\AppData\\Local")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "cloudtrail-lint")


def _version_key() -> str:
    from . import __version__

    return f"v{__version__}-py{sys.version_info[0]}{sys.version_info[1]}-{_code_digest()}"


#: Files of the parsing libraries whose content decides what a parse gives: their versions and grammar.
_LIBRARY_FILES = (("hcl2", "version.py"), ("hcl2", "hcl2.lark"), ("lark", "__init__.py"), ("yaml", "__init__.py"))


def _code_digest() -> str:
    """A digest of the code that shapes cached entries, so a changed checkout or an upgraded parser never
    reads stale ones: this package's front-ends, and the version files and grammar of python-hcl2, Lark
    and PyYAML (located without importing them, and without ``importlib.metadata``: both are slow)."""
    import importlib.util

    package = os.path.dirname(os.path.abspath(__file__))
    files = []
    for folder in (package, os.path.join(package, "frontends")):
        try:
            files += [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".py")]
        except OSError:
            continue
    for library, name in _LIBRARY_FILES:
        try:
            spec = importlib.util.find_spec(library)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.origin:
            files.append(os.path.join(os.path.dirname(spec.origin), name))
    digest = hashlib.sha256()
    for path in files:
        try:
            with open(path, "rb") as handle:
                digest.update(os.path.basename(path).encode() + handle.read())
        except OSError:
            digest.update(b"missing:" + path.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:12]


_STARTED = time.time()


def signature(stat: os.stat_result) -> tuple[int, int, int, int] | None:
    """The ``stat`` fields that change when a file does; None when the file is too new to trust."""
    if _STARTED - stat.st_mtime < _RACY_SECONDS:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)


class Cache:
    """Parsed files by content hash, and per-path scan facts by stat signature."""

    def __init__(self, directory: str | None = None, enabled: bool = True, scope: str = "") -> None:
        self.enabled = enabled
        self.root = os.path.join(directory or default_directory(), _version_key())
        #: One facts index per set of scanned paths, holding only the files the last run saw.
        self._scope = hashlib.sha256(scope.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        self._index: dict[str, tuple[tuple[int, int, int, int], Any]] = {}
        self._touched: set[str] = set()
        self._index_dirty = False
        self._index_loaded = False
        self._had_index = False
        #: Index keys written this run (see :meth:`delta`).
        self._written: set[str] = set()
        #: Parsed entries this scope's last run used, loaded at once (see :meth:`get`); None until read.
        self._bundle: dict[str, Any] | None = None
        #: Parsed entries this run used, by digest: the next bundle.
        self._used: dict[str, Any] = {}

    # ----- parsed files -----
    @staticmethod
    def digest(data: bytes, kind: str) -> str:
        return hashlib.sha256(kind.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()  # any name

    def get(self, digest: str) -> Any:
        """The entry stored for ``digest``: from this scope's bundle if the last run used it, else from
        its own file (shared by every scope). One bundle read replaces hundreds of small ones."""
        if not self.enabled:
            return None
        if self._bundle is None:
            loaded = self._read(self._bundle_path())
            self._bundle = loaded if isinstance(loaded, dict) else {}
        value = self._bundle.get(digest)
        if value is None:
            path = os.path.join(self.root, "parsed", digest[:2], digest)
            try:
                with open(path, "rb") as handle:
                    value = _load(handle)
            except Exception:  # missing, truncated by a killed run, or from an incompatible build
                return None
        self._used[digest] = value
        return value

    def put(self, digest: str, value: Any) -> None:
        if self.enabled:
            self._write(os.path.join(self.root, "parsed", digest[:2], digest), value)
            self._used[digest] = value

    # ----- scan facts -----
    def facts(self, path: str, stat: os.stat_result) -> Any:
        if not self.enabled:
            return None
        self._load_index()
        sig = signature(stat)
        entry = self._index.get(path)
        if sig is not None and entry is not None and entry[0] == sig:
            self._touched.add(path)
            return entry[1]
        return None

    def stat_facts(self, prefix: str, paths: list[str]) -> list[tuple[os.stat_result | None, Any]]:
        """For each path, its ``stat`` (None when it cannot be had) and what the index holds for
        ``prefix + path`` if the file is unchanged (else None): :meth:`facts` for a whole folder."""
        out: list[tuple[os.stat_result | None, Any]] = []
        for path in paths:
            try:
                stat = os.stat(path)
            except OSError:
                out.append((None, None))
                continue
            out.append((stat, self.facts(prefix + path, stat)))
        return out

    def has_index(self) -> bool:
        """Whether an earlier run left scan facts for this scope (a warm run, most files unchanged)."""
        if not self.enabled:
            return False
        self._load_index()
        return self._had_index

    def put_facts(self, path: str, stat: os.stat_result, facts: Any) -> None:
        sig = signature(stat)
        if self.enabled and sig is not None:
            self._load_index()
            self._index[path] = (sig, facts)
            self._touched.add(path)
            self._written.add(path)
            self._index_dirty = True

    def delta(self) -> tuple[set[str], dict[str, Any]]:
        """What this run did to the index: keys used, and entries written (for a helper process's work
        to be merged into the main one's with :meth:`merge`)."""
        return self._touched, {key: self._index[key] for key in self._written if key in self._index}

    def merge(self, delta: tuple[set[str], dict[str, Any]]) -> None:
        touched, written = delta
        self._touched.update(touched)
        if written:
            self._index.update(written)
            self._written.update(written)
            self._index_dirty = True

    def save(self) -> None:
        """Write the facts index and the bundle of parsed entries with what this run used (what is
        gone drops out); an unchanged run writes nothing."""
        if not self.enabled:
            return
        if self._used and (self._bundle is None or self._used.keys() != self._bundle.keys()):
            self._write(self._bundle_path(), self._used)
            self._bundle = dict(self._used)
        stale = len(self._touched) < len(self._index)
        if not (self._index_dirty or stale):
            return
        self._index = {key: self._index[key] for key in self._touched if key in self._index}
        self._write(self._index_path(), self._index)
        self._index_dirty = False

    def _bundle_path(self) -> str:
        return os.path.join(self.root, f"bundle-{self._scope}.pickle")

    def _index_path(self) -> str:
        return os.path.join(self.root, f"facts-{self._scope}.pickle")

    def _load_index(self) -> None:
        if not self._index_loaded:
            self._index_loaded = True
            loaded = self._read(self._index_path())
            if isinstance(loaded, dict):
                self._index = loaded
            self._had_index = bool(self._index)

    @staticmethod
    def _read(path: str) -> Any:
        try:
            with open(path, "rb") as handle:
                return _load(handle)
        except Exception:
            return None

    @staticmethod
    def _write(path: str, value: Any) -> None:
        folder = os.path.dirname(path)
        try:
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, pickle.PicklingError, RecursionError):
            pass  # a cache that cannot be written only costs speed
