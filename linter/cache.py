"""A cache of parsed files and scan facts under the user's cache directory.

Parsed syntax trees are stored by the SHA-256 of the file's bytes, so a changed file is never read
from the cache; every entry also lives under a directory named after the linter's code and the
parsers' versions, so an upgrade starts afresh. Per set of scanned paths (a scope), the entries a
run used are also kept together in one bundle, which the next run reads at once. The scan facts of
unchanged files are kept in one index per scope keyed by path and ``stat`` signature, so a warm run
does not even read them.

Nothing in the cache can run code or come from someone else: entries are JSON turned back into
objects field by field (:mod:`.cache_codec`), each carries the digest it is filed under, and the
directory is used only when no one else can write it (:mod:`.cache_dir`). Every write goes to a
temporary file that is renamed into place: concurrent runs and a killed run leave whole entries or
none, and an entry that cannot be read or does not check out is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

from . import cache_codec as codec
from .cache_dir import Store, Untrusted, prepare

#: Marks of the three kinds of cache file: a parsed entry, a bundle of them, and a facts index.
_ENTRY, _BUNDLE, _FACTS = "cloudtrail-lint-entry", "cloudtrail-lint-bundle", "cloudtrail-lint-facts"
#: What a digest looks like (it also names a file: nothing else may).
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: Warnings already given by this process (a run with --fix builds its cache twice).
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        from .reporters import clean

        sys.stderr.write(f"cloudtrail-lint: warning: {clean(message)}\n")
        sys.stderr.flush()  # a warning is seen at once, also where stderr is a buffered wrapper


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


def _unchanged(entry: Any, stat: os.stat_result) -> bool:
    """Whether the index ``entry`` (``[mtime_ns, size, ino, ctime_ns, value]``) is for a file with ``stat``,
    which is old enough to trust (see :func:`signature`)."""
    return (type(entry) is list and len(entry) == 5 and entry[0] == stat.st_mtime_ns and entry[1] == stat.st_size
            and entry[2] == stat.st_ino and entry[3] == stat.st_ctime_ns
            and _STARTED - stat.st_mtime >= _RACY_SECONDS)


class Cache:
    """Parsed files by content hash, and per-path scan facts by stat signature."""

    def __init__(self, directory: str | None = None, enabled: bool = True, scope: str = "",
                 scanned: Iterable[str] = ()) -> None:
        self.enabled = enabled
        base = directory or default_directory()
        version = _version_key()
        self.root = os.path.join(base, version)
        self._store: Store | None = None
        if enabled:
            try:
                self._store = Store(prepare(base, scanned), (version,))
            except Untrusted as why:
                _warn_once(f"not using the parse cache: {why}; running without it")
                self.enabled = False
            except OSError:  # cannot be created or read: a cache that cannot be used only costs speed
                self.enabled = False
        #: One facts index per set of scanned paths, holding only the files the last run saw.
        self._scope = hashlib.sha256(scope.encode("utf-8", "surrogateescape")).hexdigest()[:16]
        #: Index entries as stored: ``[mtime_ns, size, ino, ctime_ns, value]``, checked when used.
        self._index: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._index_dirty = False
        self._index_loaded = False
        self._had_index = False
        #: Index keys written this run (see :meth:`delta`).
        self._written: set[str] = set()
        #: Encoded entries this scope's last run used, by digest (see :meth:`get`); None until read.
        self._bundle: dict[str, Any] | None = None
        #: Encoded entries this run used, by digest: the next bundle.
        self._used: dict[str, Any] = {}

    # ----- parsed files -----
    @staticmethod
    def digest(data: bytes, kind: str) -> str:
        return hashlib.sha256(kind.encode("utf-8", "surrogateescape") + b"\0" + data).hexdigest()  # any name

    def get(self, digest: str) -> tuple[Any] | None:
        """``(result,)`` stored for ``digest``: from this scope's bundle if the last run used it, else from
        its own file (shared by every scope); None if there is none that checks out. One bundle read
        replaces hundreds of small ones."""
        if not self.enabled or not _DIGEST.fullmatch(digest):
            return None
        if self._bundle is None:
            self._bundle = self._read_bundle()
        payload = self._bundle.get(digest, _MISSING)
        if payload is _MISSING:
            payload = self._read_entry(digest)
            if payload is _MISSING:
                return None
        try:
            value = codec.decode_result(payload)
        except codec.Invalid:
            return None
        self._used[digest] = payload
        return (value,)

    def put(self, digest: str, value: tuple[Any]) -> None:
        """Store ``(result,)`` for ``digest`` (a result the codec cannot encode is not stored)."""
        if not self.enabled or not _DIGEST.fullmatch(digest):
            return
        try:
            payload = codec.encode_result(value[0])
            data = codec.dumps([_ENTRY, codec.FORMAT, digest, payload])
        except codec.Unencodable:
            return
        self._store.write(("parsed", digest[:2], digest), data)
        self._used[digest] = payload

    def _read_entry(self, digest: str) -> Any:
        """The encoded result in ``digest``'s own file, if that file is an entry for that digest."""
        loaded = self._read_json(("parsed", digest[:2], digest))
        if type(loaded) is list and len(loaded) == 4 and loaded[:3] == [_ENTRY, codec.FORMAT, digest]:
            return loaded[3]
        return _MISSING

    def _read_bundle(self) -> dict[str, Any]:
        loaded = self._read_json((self._bundle_name(),))
        out: dict[str, Any] = {}
        if type(loaded) is list and len(loaded) == 3 and loaded[:2] == [_BUNDLE, codec.FORMAT] \
                and type(loaded[2]) is list:
            for entry in loaded[2]:
                if type(entry) is list and len(entry) == 2 and type(entry[0]) is str:
                    out[entry[0]] = entry[1]
        return out

    # ----- scan facts -----
    def facts(self, path: str, stat: os.stat_result) -> tuple[bool, tuple[str, ...]] | None:
        """The scan facts indexed for ``path`` if the file is unchanged and the entry is well formed."""
        return codec.decode_facts(self._indexed(path, stat))

    def known_digest(self, key: str, stat: os.stat_result) -> str | None:
        """The digest indexed under ``key`` for an unchanged file, if it looks like one."""
        value = self._indexed(key, stat)
        return value if type(value) is str and _DIGEST.fullmatch(value) else None

    def _indexed(self, key: str, stat: os.stat_result) -> Any:
        if not self.enabled:
            return None
        self._load_index()
        entry = self._index.get(key)
        if _unchanged(entry, stat):
            self._touched.add(key)
            return entry[4]
        return None

    def stat_facts(self, prefix: str, paths: list[str]) -> list[tuple[os.stat_result | None, Any]]:
        """For each path, its ``stat`` (None when it cannot be had) and what the index holds for
        ``prefix + path`` if the file is unchanged (else None): :meth:`facts` for a whole folder, in one
        loop (a warm run does this for every file of the tree)."""
        out: list[tuple[os.stat_result | None, Any]] = []
        if self.enabled:
            self._load_index()
        index, touched = self._index, self._touched
        for path in paths:
            try:
                stat = os.stat(path)
            except OSError:
                out.append((None, None))
                continue
            key = prefix + path
            entry = index.get(key)
            if _unchanged(entry, stat):
                touched.add(key)
                out.append((stat, codec.decode_facts(entry[4])))
            else:
                out.append((stat, None))
        return out

    def has_index(self) -> bool:
        """Whether an earlier run left scan facts for this scope (a warm run, most files unchanged)."""
        if not self.enabled:
            return False
        self._load_index()
        return self._had_index

    def put_facts(self, path: str, stat: os.stat_result, facts: tuple[bool, tuple[str, ...]]) -> None:
        self._put_indexed(path, stat, codec.encode_facts(facts))

    def put_digest(self, key: str, stat: os.stat_result, digest: str) -> None:
        self._put_indexed(key, stat, digest)

    def _put_indexed(self, key: str, stat: os.stat_result, value: Any) -> None:
        sig = signature(stat)
        if self.enabled and sig is not None:
            self._load_index()
            self._index[key] = [*sig, value]
            self._touched.add(key)
            self._written.add(key)
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
            entries = [[digest, payload] for digest, payload in self._used.items()]
            self._write_json((self._bundle_name(),), [_BUNDLE, codec.FORMAT, entries])
            self._bundle = dict(self._used)
        stale = len(self._touched) < len(self._index)
        if not (self._index_dirty or stale):
            return
        self._index = {key: self._index[key] for key in self._touched if key in self._index}
        self._write_json((self._index_name(),), [_FACTS, codec.FORMAT, self._index])
        self._index_dirty = False

    def _bundle_name(self) -> str:
        return f"bundle-{self._scope}.json"

    def _index_name(self) -> str:
        return f"facts-{self._scope}.json"

    def _bundle_path(self) -> str:
        return os.path.join(self.root, self._bundle_name())

    def _index_path(self) -> str:
        return os.path.join(self.root, self._index_name())

    def _load_index(self) -> None:
        if not self._index_loaded:
            self._index_loaded = True
            loaded = self._read_json((self._index_name(),))
            if type(loaded) is list and len(loaded) == 3 and loaded[:2] == [_FACTS, codec.FORMAT] \
                    and type(loaded[2]) is dict:
                self._index = loaded[2]  # each entry is checked when it is used (see _indexed)
            self._had_index = bool(self._index)

    def _read_json(self, parts: tuple[str, ...]) -> Any:
        raw = self._store.read(parts) if self._store is not None else None
        if raw is None:
            return None
        try:
            return codec.loads(raw)
        except codec.Invalid:
            return None

    def _write_json(self, parts: tuple[str, ...], data: Any) -> None:
        if self._store is None:
            return
        try:
            raw = codec.dumps(data)
        except codec.Unencodable:
            return
        self._store.write(parts, raw)


#: "No entry" where None is a value (a file that is no template).
_MISSING = object()
