"""Reading a repository's tree at a revision from git's objects, for ``--new-since``.

The user's own ``git`` binary reads the user's repository; nothing is checked out and nothing is written to
the work tree or the index. What this module guards against:

- **programs a repository could make git run**: only plumbing that reads objects is used (``rev-parse``,
  ``ls-tree``, ``cat-file --batch``): no hooks run, no filter driver (``.gitattributes`` filters, LFS
  smudge, ``export-subst``) is applied because blobs are read raw, not through ``git archive`` or a
  checkout; ``core.fsmonitor`` is turned off for good measure;
- **network**: ``protocol.allow=never`` and ``GIT_NO_LAZY_FETCH`` stop a partial clone from fetching a
  missing object (it is reported as missing instead), and ``GIT_TERMINAL_PROMPT=0`` stops any prompt;
- **the binary**: ``git`` is looked up in the absolute folders of ``PATH`` only, never in the working
  directory (Windows' process search would try it first);
- **hangs**: every command has a timeout, and no shell is involved;
- **the tree's names**: a path with an empty, ``.``, ``..`` or ``.git`` part, or a backslash or colon
  (Windows), is not written; symbolic links are recreated only when their target stays inside the
  extracted tree (checked again after all are made, through the real paths).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Seconds a quick command (rev-parse, cat-file -t) may take, and the tree listing plus reading.
QUICK_TIMEOUT = 60
TREE_TIMEOUT = 600

_CONFIG = ("-c", "core.fsmonitor=false", "-c", "protocol.allow=never")
_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_NO_LAZY_FETCH": "1", "GIT_OPTIONAL_LOCKS": "0"}

_SYMLINK = "120000"
_REGULAR = ("100644", "100755")
#: Longest symbolic link target read (a longer one is not a path any file system takes).
_LINK_MAX = 4096


class GitError(Exception):
    """git is missing, the folder is not in a repository, or a revision cannot be read; says what to do."""


@dataclass(frozen=True)
class Entry:
    """One file of a tree: its mode, object id and path (``/``-separated, relative)."""

    mode: str
    oid: str
    path: str


def executable() -> str:
    """The absolute path of ``git`` from the absolute folders of ``PATH`` (never the working directory)."""
    names = ["git"]
    if os.name == "nt":
        names = ["git" + ext.lower() for ext in os.environ.get("PATHEXT", ".EXE").split(os.pathsep) if ext]
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not folder or not os.path.isabs(folder):
            continue
        for name in names:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
    raise GitError("git is not installed or not on PATH (--new-since reads the revision with git)")


def _command(*args: str) -> list[str]:
    return [executable(), *_CONFIG, *args]


def _environment() -> dict[str, str]:
    return {**os.environ, **_ENV}


def _run(cwd: str, *args: str, timeout: float = QUICK_TIMEOUT) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(_command(*args), cwd=cwd, env=_environment(), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} did not finish within {timeout:g} seconds") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None


def _first_line(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return next((line for line in lines if line.startswith(("fatal:", "error:"))), lines[0] if lines else "")


def repository_root(folder: str) -> str:
    """The top folder of the work tree that holds ``folder``."""
    done = _run(folder, "rev-parse", "--show-toplevel")
    top = os.fsdecode(done.stdout.rstrip(b"\r\n"))
    if done.returncode != 0 or not top:
        reason = _first_line(done.stderr) or "not a git repository"
        raise GitError(f"{folder} is not inside a git work tree ({reason})")
    return os.path.normpath(top)


def resolve_commit(root: str, revision: str) -> str:
    """The commit id ``revision`` names; a :class:`GitError` that says why when it names none."""
    if not revision or revision.startswith("-") or any(c in revision for c in "\0\n\r"):
        raise GitError(f"{revision!r} is not a git revision")
    done = _run(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if done.returncode == 0:
        return done.stdout.decode("ascii").strip()
    anything = _run(root, "rev-parse", "--verify", "--quiet", revision)
    if anything.returncode == 0:
        kind = _run(root, "cat-file", "-t", anything.stdout.decode("ascii").strip()).stdout.decode().strip()
        raise GitError(f"{revision} is a {kind or 'git object'}, not a commit")
    shallow = _run(root, "rev-parse", "--is-shallow-repository").stdout.strip() == b"true"
    if shallow:
        hint = ("this is a shallow clone: fetch it first (git fetch --depth=1 origin <branch>), or clone with"
                " its history (actions/checkout: fetch-depth: 0)")
    else:
        hint = "fetch it first (git fetch origin <branch>)"
    raise GitError(f"{revision} is not a commit in this repository; {hint}")


def list_tree(root: str, commit: str) -> list[Entry]:
    """Every file of the commit's tree (regular files, symbolic links; submodules left out). Sizes are not
    asked for: in a partial clone that would fetch every blob."""
    done = _run(root, "ls-tree", "-r", "-z", "--full-tree", commit, timeout=TREE_TIMEOUT)
    if done.returncode != 0:
        raise GitError(f"cannot list the tree of {commit}: {_first_line(done.stderr)}")
    entries = []
    for record in done.stdout.split(b"\0"):
        meta, tab, name = record.partition(b"\t")
        fields = meta.decode("ascii", "replace").split()
        if tab and len(fields) == 3 and (fields[0] in _REGULAR or fields[0] == _SYMLINK):
            entries.append(Entry(fields[0], fields[2], os.fsdecode(name)))
    return entries


def safe_parts(path: str) -> list[str] | None:
    """The parts of a tree path, or None when writing it could leave the destination or confuse git."""
    parts = path.split("/")
    for part in parts:
        if part in ("", ".", "..") or part.lower() == ".git" or "\0" in part:
            return None
        if os.name == "nt" and ("\\" in part or ":" in part):
            return None
    return parts


def read_blobs(root: str, oids: list[str], max_size: int) -> dict[str, bytes]:
    """The raw contents of blobs (no filter, no attribute applied), by object id, through one
    ``git cat-file --batch``; a blob larger than ``max_size`` bytes is left out. A :class:`GitError` when
    one is missing (a partial or damaged clone: git is not allowed to fetch it)."""
    if not oids:
        return {}
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(_command("cat-file", "--batch"), cwd=root, env=_environment(),
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise GitError(f"cannot run git: {exc.strerror or exc}") from None
        watchdog = threading.Timer(TREE_TIMEOUT, proc.kill)
        watchdog.start()
        writer = threading.Thread(target=_feed, args=(proc, oids), daemon=True)
        writer.start()
        try:
            return _answers(proc, oids, max_size, errors)
        finally:
            watchdog.cancel()
            proc.kill()
            proc.wait()
            writer.join()
            if proc.stdout is not None:
                proc.stdout.close()


def _feed(proc: subprocess.Popen, oids: list[str]) -> None:
    """Ask ``git cat-file --batch`` for every object (in a thread, so that its answers never block it)."""
    try:
        assert proc.stdin is not None
        proc.stdin.write("".join(f"{oid}\n" for oid in oids).encode("ascii"))
        proc.stdin.close()
    except OSError:
        pass  # git ended early: the reader reports it


def _answers(proc: subprocess.Popen, oids: list[str], max_size: int, errors: Any) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    assert proc.stdout is not None
    for oid in oids:
        header = proc.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            proc.kill()
            proc.wait()
            errors.seek(0)
            what = _first_line(errors.read()) or b" ".join(header[1:]).decode("ascii", "replace") or "no answer"
            raise GitError(f"object {oid} cannot be read ({what}): the clone is partial or damaged;"
                           " fetch the revision with its files")
        size = int(header[2])
        if size <= max_size:
            out[oid] = proc.stdout.read(size)
        else:
            while size > 0:  # skipped, read in pieces
                piece = proc.stdout.read(min(size, 1 << 20))
                if not piece:
                    break
                size -= len(piece)
        proc.stdout.read(1)  # the newline after each object
    return out


def extract(root: str, commit: str, dest: str, wanted: Callable[[str], bool], max_size: int) -> list[str]:
    """Write the files of ``commit`` that ``wanted`` accepts (by tree path), up to ``max_size`` bytes each,
    and its symbolic links that stay inside, under the folder ``dest``; return the tree paths written."""
    entries = [e for e in list_tree(root, commit) if safe_parts(e.path) is not None]
    files = [e for e in entries if e.mode in _REGULAR and wanted(e.path)]
    links = [e for e in entries if e.mode == _SYMLINK]
    blobs = read_blobs(root, sorted({e.oid for e in files + links}), max_size)
    written: list[str] = []
    folders: set[str] = set()
    for entry in files:
        if entry.oid not in blobs:
            continue  # too large: at the work tree it is an input error anyway
        target = os.path.join(dest, *entry.path.split("/"))
        try:
            if os.path.dirname(target) not in folders:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                folders.add(os.path.dirname(target))
            with open(target, "xb") as handle:  # never over something already there
                handle.write(blobs[entry.oid])
            written.append(entry.path)
        except OSError:
            continue  # a name this file system cannot hold, or a clash with another entry
    _make_links(dest, [(e.path, blobs[e.oid]) for e in links if e.oid in blobs and len(blobs[e.oid]) <= _LINK_MAX])
    return written


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive
        return False


def _make_links(dest: str, links: list[tuple[str, bytes]]) -> None:
    """Recreate symbolic links whose target is relative and stays inside ``dest``; then remove any that
    leaves it through another link (checked on real paths)."""
    made = []
    top = os.path.realpath(dest)
    for path, raw in links:
        target = os.fsdecode(raw)
        link = os.path.join(dest, *path.split("/"))
        if not target or os.path.isabs(target) or "\0" in target or (os.name == "nt" and ":" in target):
            continue
        if not _inside(os.path.normpath(os.path.join(os.path.dirname(link), target)), os.path.normpath(dest)):
            continue
        try:
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink(target, link)
            made.append(link)
        except (OSError, NotImplementedError):
            continue  # no symbolic links here (Windows without the privilege), or a clash
    changed = True
    while changed:
        changed = False
        for link in list(made):
            if not _inside(os.path.realpath(link), top):
                os.unlink(link)
                made.remove(link)
                changed = True
