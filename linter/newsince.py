"""``--new-since REF``: report only the findings the tree at a git revision did not already have.

The revision's tree is read from git's objects (:mod:`cloudtrail_lint.git`) into a temporary folder outside
the work tree and linted with the same settings; a finding of the work tree is *already present* when the
revision has one with the same identity. Files are compared by their path in the repository, and a finding
whose file changed (a trail moved to another file or folder, with the same address) still matches: the
findings of one rule, kind, attribute, resource type and address are paired first within the same file,
then across files, each finding of the revision pairing with at most one of the work tree.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .discovery import is_cfn_candidate, is_terraform
from .findings import Finding, Report
from .git import GitError, extract, repository_root, resolve_commit

#: A finding without its file (rule, kind, attribute, resource type, resource address), and with it.
Loose = tuple[str, str, str, str, str]
Key = tuple[Loose, str]


@dataclass(frozen=True)
class Revision:
    """The revision to compare with: as the user named it, its commit, and the work tree's top folder."""

    name: str
    commit: str
    root: str


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # another drive
        return False


def _real(path: str) -> str:
    """``path`` with its folders' links resolved (not the file's own name: a finding names the link)."""
    absolute = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(absolute)), os.path.basename(absolute))


def prepare(name: str, paths: list[str]) -> Revision:
    """Check that git can read revision ``name`` of the repository holding ``paths``, before any lint runs."""
    first = os.path.abspath(paths[0] if paths else ".")
    anchor = first if os.path.isdir(first) else os.path.dirname(first)
    root = os.path.realpath(repository_root(anchor if os.path.isdir(anchor) else "."))
    for path in paths:
        if not _inside(os.path.realpath(path), root):
            raise GitError(f"{path} is outside the git repository {root} that --new-since compares in")
    return Revision(name, resolve_commit(root, name), root)


def repository_path(file: str, tops: tuple[str, ...]) -> str:
    """A finding's file as a path in the repository (``/``-separated), from the first of the real
    folders ``tops`` that holds it; the real path itself when none does."""
    real = _real(file)
    for top in tops:
        if _inside(real, top):
            return os.path.relpath(real, top).replace(os.sep, "/")
    return real


def key(finding: Finding, tops: tuple[str, ...]) -> Key:
    loose = (finding.rule, finding.kind, finding.attribute, finding.resource_type, finding.resource)
    return loose, repository_path(finding.file, tops)


def _wanted(named: set[str]) -> Callable[[str], bool]:
    """Which files of the revision's tree the copy needs: those named (repository paths of the given
    paths), Terraform files anywhere (a module may call any folder), and what ``terraform init`` left in
    ``.terraform``; templates and plans (``.yaml``, ``.json``...) only under the named paths, as nothing
    outside them reads one."""
    prefixes = tuple("" if n == "." else f"{n}/" for n in named)

    def wanted(path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        if path in named or is_terraform(name) or name.endswith((".tfvars", ".tfvars.json")):
            return True
        return "/.terraform/" in f"/{path}" or (is_cfn_candidate(name) and path.startswith(prefixes))

    return wanted


def findings_at(revision: Revision, settings: Any, runner: Callable[..., Any]) -> list[Key]:
    """The keys of the unsuppressed findings of the tree at ``revision``, linted with ``settings``."""
    from .engine import run

    scratch = tempfile.mkdtemp(prefix="cloudtrail-lint-")
    try:
        top = os.path.realpath(scratch)
        if _inside(top, revision.root):
            raise GitError(f"the temporary folder {scratch} is inside the work tree; set TMPDIR to a folder"
                           " outside it")
        here = os.path.realpath(os.getcwd())
        # The copy mirrors the working directory, so that paths print as they do for the work tree and
        # excludes, baselines and exceptions (which match printed paths) apply the same way.
        if _inside(here, revision.root):
            tree, cwd = top, os.path.join(top, os.path.relpath(here, revision.root))
        elif _inside(revision.root, here):
            tree, cwd = os.path.join(top, os.path.relpath(revision.root, here)), top
        else:
            tree, cwd = top, top
        os.makedirs(tree, exist_ok=True)
        named = {os.path.relpath(os.path.realpath(p), revision.root).replace(os.sep, "/") for p in settings.paths}
        written = extract(revision.root, revision.commit, tree, _wanted(named), settings.max_file_size)
        _copy_downloaded_modules(revision.root, tree, written)
        os.makedirs(cwd, exist_ok=True)
        moved = _settings_at(settings, revision.root, tree, cwd)
        before = os.getcwd()
        os.chdir(cwd)
        try:
            report = runner(run, moved)
            keys = [key(f, (tree, revision.root)) for f in report.findings if not f.suppressed]
        finally:
            os.chdir(before)
        _forget_scope(report)
        return keys
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _copy_downloaded_modules(root: str, tree: str, written: list[str]) -> None:
    """Copy ``.terraform/modules`` (what ``terraform init`` downloaded, never committed) of each module folder
    of the copy from the work tree, so that registry and git modules resolve at the revision too."""
    folders = {os.path.dirname(p) for p in written if is_terraform(os.path.basename(p))}
    for folder in sorted(folders):
        source = os.path.join(root, *folder.split("/"), ".terraform", "modules")
        target = os.path.join(tree, *folder.split("/"), ".terraform", "modules")
        if os.path.isdir(source) and not os.path.islink(source) and not os.path.exists(target):
            try:
                shutil.copytree(source, target, symlinks=True)
            except (OSError, shutil.Error):
                continue  # the revision is then linted without that folder's downloaded modules


def _settings_at(settings: Any, root: str, tree: str, cwd: str) -> Any:
    """``settings`` with every path of the work tree moved into the copy ``tree`` (run from ``cwd``)."""

    def move(path: str) -> str | None:
        real = os.path.realpath(path)
        if not _inside(real, root):
            return None
        rel = os.path.relpath(real, root)
        there = tree if rel == "." else os.path.join(tree, rel)
        return there if os.path.isabs(path) else os.path.relpath(there, cwd)

    def moved_file(path: str) -> str:
        there = move(path)
        absolute = there if there is None or os.path.isabs(there) else os.path.join(cwd, there)
        # a file the revision does not have (an untracked tfvars file) is read from the work tree
        return there if absolute is not None and os.path.isfile(absolute) else os.path.abspath(path)

    # an exception's base is the configuration file's folder (absolute): moved when it is in the repository
    exceptions = [dataclasses.replace(e, base=move(e.base)) if e.base and move(e.base) else e
                  for e in settings.exceptions]
    return dataclasses.replace(settings, paths=[move(p) or p for p in settings.paths],
                               var_files=[moved_file(v) for v in settings.var_files],
                               exceptions=exceptions, progress="never")


def _forget_scope(report: Report) -> None:
    """Remove the parse cache's per-scope files of the copy (its folder is gone after this run); the parsed
    files themselves stay cached by content, shared with the work tree's runs."""
    cache = getattr(getattr(report.workspace, "reader", None), "cache", None)
    for name in ("_bundle_path", "_index_path"):
        method = getattr(cache, name, None)
        if getattr(cache, "enabled", False) and callable(method):
            with contextlib.suppress(OSError):
                os.unlink(method())


def keep_new(report: Report, present: list[Key], revision: Revision) -> None:
    """Drop from ``report`` the unsuppressed findings that ``present`` (the revision's) already had: same
    file first, then any file; each finding of the revision accounts for one of the work tree."""
    left: dict[Loose, Counter[str]] = {}
    for loose, file in present:
        left.setdefault(loose, Counter())[file] += 1
    tops = (revision.root,)
    active = [(f, key(f, tops)) for f in report.findings if not f.suppressed]
    old: set[int] = set()
    for finding, (loose, file) in active:
        files = left.get(loose)
        if files and files[file] > 0:
            files[file] -= 1
            old.add(id(finding))
    for finding, (loose, _file) in active:
        files = left.get(loose)
        if id(finding) in old or not files:
            continue
        remaining = sorted(f for f, n in files.items() if n > 0)
        if remaining:
            files[remaining[0]] -= 1
            old.add(id(finding))
    report.findings = [f for f in report.findings if id(f) not in old]
    report.new_since = revision.name
    report.already_present = len(old)
