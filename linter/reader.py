"""Reads every input once: text-scan facts, the content-hash cache, and parsing in worker processes."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import GC_THRESHOLDS
from .cache import Cache
from .findings import internal_error
from .frontends import ParseError
from .prefilter import Facts, scan_document, scan_terraform
from .sources import decode, display_path, is_within, open_regular, read_bytes, read_fd

#: A tree with this many files to scan, and no scan facts cached for it, starts its worker processes
#: before the scan, so that they are ready to parse when it ends. Below it the scan is shorter than a
#: worker's start-up (~0.3 s), and a run that turns out to need no parsing would wait for them.
EARLY_WORKERS_FILES = 2000
#: Fewer files than this are parsed in this process: starting workers would cost more.
PARALLEL_MIN_FILES = 12
#: A scan of this many files is split with a helper process (forked: it starts in milliseconds).
PARALLEL_SCAN_MIN_FILES = 4000
#: Parsing this many Terraform files in this process repays building the faster parser (~0.1 s; about
#: 1 ms less per file).
POSITIONLESS_MIN_FILES = 150


def parse_terraform_bytes(raw: bytes, path: str, tfvars: bool, whole: bool = True) -> Any:
    """A TfFile, or the ParseError that says why the file could not be read.

    Unless ``whole``, the bodies of resources no trail check reads are skipped (see ``slim``).
    """
    try:
        text = decode(raw)
        shown = display_path(path)
        if path.endswith(".json"):
            from .frontends.tfjson import parse_tf_json

            return parse_tf_json(text, shown, tfvars)
        from .frontends.hcl import parse_hcl

        if not (whole or tfvars):
            from .frontends.slim import slim

            slimmed = slim(text)
            if slimmed is not None:
                try:
                    return parse_hcl(slimmed, shown)
                except ParseError:
                    pass  # report the error as the whole file gives it
        return parse_hcl(text, shown)
    except ParseError as err:
        return err
    except RecursionError:
        return ParseError("nesting too deep")
    except Exception as exc:  # a front-end bug: this file is an input error, the run goes on
        return ParseError(internal_error(exc))


def parse_document_bytes(raw: bytes, path: str) -> Any:
    """``(kind, data)``, None (not a template or plan), or a ParseError."""
    from .frontends.cfn import document_from_bytes

    try:
        return document_from_bytes(raw, path)
    except ParseError as err:
        return err
    except RecursionError:
        return ParseError("nesting too deep")
    except Exception as exc:
        return ParseError(internal_error(exc))


@contextlib.contextmanager
def _forking():
    """Around starting processes: the engine runs in a thread, and Python 3.12+ warns (DeprecationWarning)
    about any fork from a threaded process; the processes forked here only read and parse files."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _detach(parent: int) -> None:
    """In a process forked by the main one (a parsing worker or the scan helper), first thing: Ctrl-C is
    the main process's to handle (the terminal sends SIGINT to every process of the group); end when the
    main process ends, even when it is killed (``PR_SET_PDEATHSIG`` on Linux, and a thread that watches
    it everywhere); and keep no copy of its standard streams, so that whoever reads its output sees the
    end of it as soon as the main process is gone."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _kill_with_parent()
    if os.getppid() != parent:  # it ended before the signal was set up
        os._exit(1)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        devnull = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    for fd in (0, 1, 2):
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    os.close(devnull)


def _kill_with_parent() -> None:
    """Linux: have the kernel send SIGKILL to this process when the thread that forked it ends (the
    engine's thread: it always stops its workers before ending, so only a dead main process does)."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # no libc to ask: the watching thread still ends this process, a little later
        pass


#: ``prctl`` option: the signal a process gets when its parent ends (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def _exit_with(parent: int) -> None:
    """Wait until the process ``parent`` has ended, then end this one. Polls the parent's id: the
    sentinel pipe of :mod:`multiprocessing` stays open while a sibling forked later holds a copy."""
    import time

    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _worker_start(parent: int) -> None:
    """Worker initializer: end with the main process, and get the Terraform parser ready while it scans."""
    import gc

    _detach(parent)
    gc.set_threshold(*GC_THRESHOLDS)
    from .frontends.hcl import use_positionless_parser

    use_positionless_parser()


def _ready() -> bool:
    """A task that only makes the pool start its workers (and so run :func:`_worker_start`)."""
    return True


def _job(job: tuple[str, str, bool, int, bool]) -> tuple[str, Any, str | None]:
    """Worker: read and parse one file; return (path, result, cache digest)."""
    kind, path, tfvars, max_size, whole = job
    try:
        raw = read_bytes(path, max_size)
    except ParseError as err:
        return path, err, None
    digest = Cache.digest(raw, _cache_kind(kind, tfvars, whole, path))
    result = parse_terraform_bytes(raw, path, tfvars, whole) if kind == "tf" else parse_document_bytes(raw, path)
    return path, result, digest


def _helper(conn: Any, receiver: Any, parent: int, work: Callable[[], Any]) -> None:
    """Helper process: ``work()`` sent back on ``conn`` (None if anything went wrong: the main process
    then does the work itself). It closes its copy of the receiving end first, so that a send to a main
    process that is gone fails instead of filling a pipe no one reads."""
    receiver.close()
    _detach(parent)
    try:
        result = work()
    except BaseException:
        result = None
    with contextlib.suppress(BaseException):
        conn.send(result)
    with contextlib.suppress(BaseException):
        conn.close()
    os._exit(0)


def _cacheable(result: Any) -> bool:
    """An internal error is a bug of this run (or a MemoryError), not a property of the file's bytes."""
    return not (isinstance(result, ParseError) and result.message.startswith("internal error"))


def _cache_kind(kind: str, tfvars: bool, whole: bool, path: str) -> str:
    return f"{kind}:{int(tfvars)}:{int(whole)}:{display_path(path)}"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@dataclass(frozen=True)
class Selection:
    """What a run parses, after the text scan: ``found`` is discovery's result with the Terraform folders
    and documents no trail can depend on left out (those documents counted as skipped)."""

    found: Any
    #: Local module calls the scan found: absolute paths of the called folders.
    called: set[str]
    #: Folders whose files the scan showed cannot hold or lead to a trail, with their number of files.
    scanned_only: dict[str, int]


class Reader:
    """Facts and parse results for the files of one run, from the cache where it has them."""

    def __init__(self, cache: Cache, max_size: int, jobs: int = 1, whole: bool = False,
                 whole_paths: Iterable[str] = (), absolute: Callable[[str], str] = os.path.abspath) -> None:
        #: ``os.path.abspath``, or a remembered one (folders are looked up several times in a run).
        self.absolute = absolute
        #: Parse every resource body (``--parse-all``), not only those the rules read.
        self.whole = whole
        #: Files parsed whole in any case: those named on the command line (absolute paths).
        self.whole_paths: frozenset[str] = frozenset(os.path.abspath(p) for p in whole_paths)
        self.cache = cache
        self.max_size = max_size
        self.jobs = max(1, jobs)
        self._parsed: dict[tuple[str, str], Any] = {}
        #: The worker processes (a ProcessPoolExecutor), once started.
        self._pool: Any = None

    # ----- what to parse -----
    def select(self, found: Any, module_files: Callable[[str], tuple[list[str], list[str]]], parse_all: bool,
               progress: str | None = None) -> Selection:
        """Scan every file's text, leave out what no trail can depend on, and parse the rest ahead (in
        worker processes on a large tree). Named files are always parsed; ``parse_all`` parses everything.
        ``module_files(folder)`` gives a folder's Terraform files and auto-loaded tfvars."""
        from dataclasses import replace

        from .prefilter import Relevance, is_local_source
        from .progress import Progress, wanted

        files = {folder: module_files(folder) for folder in found.terraform}
        to_scan = sum(len(tf) for tf, _ in files.values()) + len(found.documents)
        if to_scan >= EARLY_WORKERS_FILES and not self.cache.has_index():
            self.start_workers()  # a large tree not seen before: most of its relevant files need parsing
        show = wanted(progress)
        scan = Progress(to_scan, show, label="files scanned")

        # the discovered folders at once (split between two processes on a large tree)
        groups = [files[folder][0] for folder in found.terraform]
        scanned = dict(zip(found.terraform, self.facts_of_folders(groups, "tf", scan)))

        def facts_of(folder: str) -> list[Facts]:
            """A folder discovery did not list: a module called from outside the scanned paths."""
            tf = module_files(folder)[0]
            scan.advance(len(tf))
            return self.facts_of_files(tf, "tf")

        def downloaded_has_trail(folder: str) -> bool:
            modules = os.path.join(folder, ".terraform", "modules")
            return os.path.isdir(modules) and self._tree_has_trail(modules)

        relevance = Relevance({self.absolute(folder): facts for folder, facts in scanned.items()},
                              downloaded_has_trail, self.absolute)
        keep: dict[str, set[str] | None] = {}
        called: set[str] = set()
        scanned_only: dict[str, int] = {}
        for folder, only in found.terraform.items():
            for f in scanned[folder]:
                if f.sources:
                    called.update(os.path.abspath(os.path.join(folder, src)) for src in f.sources
                                  if is_local_source(src))
            if only is not None or parse_all or relevance.relevant(folder, facts_of):
                keep[folder] = only
            else:
                scanned_only[folder] = len(files[folder][0])

        read_anyway = [parse_all or self._whole(path) for path in found.documents]
        by_text = [path for path, anyway in zip(found.documents, read_anyway) if not anyway]
        doc_facts = iter(self.facts_of_files(by_text, "doc"))  # in one loop, as a folder's files
        documents, skipped = [], []
        for path, anyway in zip(found.documents, read_anyway):
            (documents if anyway or next(doc_facts).has_trail else skipped).append(path)
        scan.advance(len(found.documents))
        scan.close()

        jobs: list[tuple[str, str, bool]] = [("doc", path, False) for path in documents]
        for folder in self._with_local_children(keep, module_files):
            tf, tfvars = files[folder] if folder in files else module_files(folder)
            jobs.extend(("tf", path, False) for path in tf)
            jobs.extend(("tf", path, True) for path in tfvars)
        parse = Progress(len(jobs), show, label="files parsed")
        self.prefetch(jobs, parse)
        parse.close()
        chosen = replace(found, terraform=keep, documents=documents, skipped=[*found.skipped, *skipped])
        return Selection(chosen, called, scanned_only)

    def _with_local_children(self, folders: dict[str, set[str] | None],
                             module_files: Callable[[str], tuple[list[str], list[str]]]) -> list[str]:
        """``folders`` and every folder they call through local module sources, each once."""
        from .prefilter import is_local_source

        out: list[str] = []
        seen: set[str] = set()
        stack = list(folders)
        while stack:
            folder = stack.pop()
            real = os.path.abspath(folder)
            if real in seen or not os.path.isdir(folder):
                continue
            seen.add(real)
            out.append(folder)
            for path in module_files(folder)[0]:
                for source in self.facts(path, "tf").sources:
                    if is_local_source(source):
                        stack.append(os.path.normpath(os.path.join(folder, source)))
        return out

    def _tree_has_trail(self, root: str) -> bool:
        """Whether a Terraform file under ``root`` (a ``.terraform/modules`` folder) declares a trail. Only
        regular files and folders that resolve inside the module folder holding ``.terraform`` are read:
        linked folders are not entered, and links that lead out of it are skipped."""
        from .discovery import is_terraform

        inside = [os.path.realpath(os.path.dirname(os.path.dirname(root)))]
        if not is_within(os.path.realpath(root), inside):
            return False
        stack = [root]
        while stack:
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif (is_terraform(entry.name) and entry.is_file()
                          and (not entry.is_symlink() or is_within(os.path.realpath(entry.path), inside))
                          and self.facts(entry.path, "tf").has_trail):
                        return True
                except OSError:
                    continue
        return False

    # ----- text scan -----
    def facts(self, path: str, kind: str) -> Facts:
        """What a text scan of ``path`` shows; unreadable files count as relevant (to report them)."""
        return self.facts_of_files([path], kind)[0]

    def facts_of_folders(self, groups: list[list[str]], kind: str, progress: Any = None) -> list[list[Facts]]:
        """:meth:`facts_of_files` of each group (the files of one folder). A large scan is split with a
        forked helper process that takes every other folder, so both cores read and look up files."""

        def scan(some: list[list[str]]) -> list[list[Facts]]:
            out = []
            for group in some:
                out.append(self.facts_of_files(group, kind))
                if progress is not None:
                    progress.advance(len(group))
            return out

        small = sum(map(len, groups)) < PARALLEL_SCAN_MIN_FILES or len(groups) < 2
        # has_index() also loads the index, before the fork: the helper inherits it
        if self.jobs < 2 or small or self.cache.has_index():  # a warm scan is too quick to split
            return scan(groups)
        theirs = groups[1::2]

        def their_scan() -> tuple[list[list[tuple]], Any]:
            facts = [[tuple(f) for f in self.facts_of_files(group, kind)] for group in theirs]
            return facts, self.cache.delta()

        helper = _start_helper(their_scan)
        mine = scan(groups[0::2])
        received = _finish_helper(*helper) if helper else None
        if received is None:
            their_facts = scan(theirs)
        else:
            facts, delta = received
            self.cache.merge(delta)
            their_facts = [[Facts._make(f) for f in group] for group in facts]
            if progress is not None:
                progress.advance(sum(map(len, theirs)))
        out: list[list[Facts]] = [[] for _ in groups]
        out[0::2], out[1::2] = mine, their_facts
        return out

    def facts_of_files(self, paths: list[str], kind: str) -> list[Facts]:
        """:meth:`facts` of each path; an unchanged file the index knows costs one ``stat``."""
        # Paths as discovery gives them: the index belongs to one set of scanned paths, so a relative
        # path always means the same file in it (and the stat signature must match too).
        prefix = kind + ":"
        if not self.cache.has_index():  # nothing to look up (a first run, --no-cache): read each file
            return [self._scan(path, kind, prefix + path) for path in paths]
        out = []
        for path, (stat, cached) in zip(paths, self.cache.stat_facts(prefix, paths)):
            if stat is None:
                out.append(Facts(True))
            elif cached is not None:  # checked by the cache: (has_trail, sources)
                out.append(Facts._make(cached))
            else:
                out.append(self._scan(path, kind, prefix + path, stat))
        return out

    def _scan(self, path: str, kind: str, key: str, stat: os.stat_result | None = None) -> Facts:
        """Read ``path`` and scan its text (``stat`` when the caller has it, else from the open file). A
        file that cannot be read, or is no regular file, is relevant: a front-end reports it."""
        try:
            fd, stat = open_regular(path, stat)
        except ParseError:
            return Facts(True)
        try:
            if stat.st_size > self.max_size:
                return Facts(True)  # reported by the front-end with the size limit
            raw = read_fd(fd, self.max_size + 1)
        except OSError:
            return Facts(True)
        finally:
            os.close(fd)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            try:
                raw = raw.decode("utf-16").encode("utf-8")
            except UnicodeDecodeError:
                raw = b"\x00"
        if b"\x00" in raw or not (raw.isascii() or _is_utf8(raw)):
            facts = Facts(True)  # not text: an input error, it must reach a front-end to be reported
        else:
            facts = scan_terraform(raw) if kind == "tf" else scan_document(raw)
        self.cache.put_facts(key, stat, facts)
        return facts

    def _whole(self, path: str) -> bool:
        return self.whole or os.path.abspath(path) in self.whole_paths

    # ----- parsing -----
    def terraform(self, path: str, tfvars: bool = False) -> Any:
        return self._get("tf", path, tfvars)

    def terraform_whole(self, path: str) -> Any:
        """``path`` parsed with every block whole, however the run parses it otherwise."""
        if self._whole(path):
            return self.terraform(path)
        key = ("tf-whole", os.path.abspath(path))
        if key not in self._parsed:
            self._parsed[key] = self._load("tf", path, False, whole=True)
        return self._parsed[key]

    def document(self, path: str) -> Any:
        return self._get("doc", path, False)

    def _get(self, kind: str, path: str, tfvars: bool) -> Any:
        key = (kind, os.path.abspath(path))
        if key not in self._parsed:
            self._parsed[key] = self._load(kind, path, tfvars)
        return self._parsed[key]

    def _load(self, kind: str, path: str, tfvars: bool, whole: bool | None = None) -> Any:
        whole = self._whole(path) if whole is None else whole
        found, result, raw, digest = self._lookup(kind, path, tfvars, whole)
        if found:
            return result
        if raw is None:
            return result  # the read error
        result = parse_terraform_bytes(raw, path, tfvars, whole) if kind == "tf" else parse_document_bytes(raw, path)
        if _cacheable(result):
            self.cache.put(digest, (result,))
        return result

    def _lookup(self, kind: str, path: str, tfvars: bool,
                whole: bool | None = None) -> tuple[bool, Any, bytes | None, str]:
        """(found in cache, result, bytes read, digest). An unchanged file's digest comes from the index,
        so it is not even read."""
        cache_kind = _cache_kind(kind, tfvars, self._whole(path) if whole is None else whole, path)
        index_key = f"digest:{cache_kind}:{path}"
        try:
            stat = os.stat(path)
            known = self.cache.known_digest(index_key, stat)
        except OSError:
            stat, known = None, None
        if known is not None:
            hit = self.cache.get(known)
            if hit is not None:
                return True, hit[0], None, known
        try:
            raw = read_bytes(path, self.max_size)
        except ParseError as err:
            return False, _document_read_error(path, err) if kind == "doc" else err, None, ""
        digest = Cache.digest(raw, cache_kind)
        if stat is not None:
            self.cache.put_digest(index_key, stat, digest)
        hit = self.cache.get(digest)
        if hit is not None:
            return True, hit[0], raw, digest
        return False, None, raw, digest

    def prefetch(self, jobs: list[tuple[str, str, bool]], progress: Any = None) -> None:
        """Parse ``(kind, path, tfvars)`` jobs ahead, in worker processes when there are enough."""
        todo = [(k, p, t) for k, p, t in jobs if (k, os.path.abspath(p)) not in self._parsed]
        if len(todo) >= PARALLEL_MIN_FILES:
            todo = self._from_cache(todo, progress)
        if self.jobs > 1 and len(todo) >= PARALLEL_MIN_FILES:
            self._parallel(todo, progress)
            return
        if sum(kind == "tf" for kind, _path, _tfvars in todo) >= POSITIONLESS_MIN_FILES:
            from .frontends.hcl import use_positionless_parser

            use_positionless_parser()  # enough files to repay building it
        for kind, path, tfvars in todo:
            self._get(kind, path, tfvars)
            if progress is not None:
                progress.advance()

    def _from_cache(self, todo: list[tuple[str, str, bool]], progress: Any) -> list[tuple[str, str, bool]]:
        """Serve cached files here; return the ones that still need parsing."""
        if not self.cache.enabled:
            return todo  # nothing to serve: do not read the files only to compute their digests
        left = []
        for kind, path, tfvars in todo:
            found, result, _raw, _digest = self._lookup(kind, path, tfvars)
            if found:
                self._parsed[(kind, os.path.abspath(path))] = result
                if progress is not None:
                    progress.advance()
            else:
                left.append((kind, path, tfvars))
        return left

    def start_workers(self) -> None:
        """Start the worker processes now, so they get ready while this process scans.

        Does nothing with one job, or where worker processes cannot be started.
        """
        if self.jobs > 1 and self._pool is None:
            self._pool = self._new_pool(self.jobs)
            try:
                with _forking():  # the pool forks its workers on the first submit
                    for _ in range(self.jobs if self._pool is not None else 0):
                        self._pool.submit(_ready)
            except (OSError, RuntimeError):  # e.g. fork refused: the parse falls back to this process
                self.close()

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @staticmethod
    def _new_pool(workers: int) -> Any:
        """A pool of ``workers`` processes, not started yet (None where there can be none)."""
        import concurrent.futures
        import multiprocessing

        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        try:
            return concurrent.futures.ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context(method), initializer=_worker_start,
                initargs=(os.getpid(),))
        except (OSError, RuntimeError, ValueError):
            return None

    def _parallel(self, todo: list[tuple[str, str, bool]], progress: Any) -> None:
        import concurrent.futures

        jobs = [(kind, path, tfvars, self.max_size, self._whole(path)) for kind, path, tfvars in todo]
        if self._pool is None:
            self._pool = self._new_pool(min(self.jobs, len(jobs)))
        chunk = max(1, len(jobs) // (32 * self.jobs))  # small chunks: the workers finish together
        kinds = {path: kind for kind, path, _tfvars in todo}
        try:
            if self._pool is None:
                raise RuntimeError("no worker processes")
            with _forking():
                for path, result, digest in self._pool.map(_job, jobs, chunksize=chunk):
                    kind = kinds[path]
                    if kind == "doc" and isinstance(result, ParseError):
                        result = _document_read_error(path, result)
                    self._parsed[(kind, os.path.abspath(path))] = result
                    if digest is not None and _cacheable(result):
                        self.cache.put(digest, (result,))
                    if progress is not None:
                        progress.advance()
        except (OSError, RuntimeError, concurrent.futures.process.BrokenProcessPool):
            self.close()
            for kind, path, tfvars in todo:  # no worker processes here: parse in this one
                self._get(kind, path, tfvars)
        finally:
            self.close()


def _start_helper(work: Callable[[], Any]) -> tuple[Any, Any] | None:
    """Fork a :func:`_helper` for ``work``: (process, connection), or None where one cannot be."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None  # spawning a fresh interpreter would cost more than the scan
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    try:
        with _forking():
            process = context.Process(target=_helper, daemon=True, args=(sender, receiver, os.getpid(), work))
            process.start()
    except (OSError, RuntimeError):
        receiver.close()
        return None
    finally:
        sender.close()
    return process, receiver


def _finish_helper(process: Any, receiver: Any) -> Any:
    """The helper's result, or None if it failed or died."""
    try:
        return receiver.recv()
    except (EOFError, OSError):
        return None
    finally:
        receiver.close()
        process.join()


def _document_read_error(path: str, err: ParseError) -> Any:
    from .frontends.cfn import read_error

    return read_error(path, err)
