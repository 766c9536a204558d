"""Discovery: which files to read, grouped as Terraform module folders and CloudFormation candidates."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from operator import attrgetter

from .findings import InputError
from .frontends.tf_override import is_override
from .sources import display_path

SKIP_DIRS = {".git", ".terraform", ".terragrunt-cache", "node_modules", ".hg", ".svn", "__pycache__", ".venv"}
#: Files a folder walk reads when they hold a CloudFormation template or a Terraform plan (``.cfn.yaml`` and
#: ``.cfn.json`` end in ``.yaml``/``.json``); a file named on the command line is read whatever its name.
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".cform", ".cfn")
#: Terraform and OpenTofu configuration files.
TF_SUFFIXES = (".tf", ".tf.json", ".tofu", ".tofu.json")
TOFU_SUFFIXES = (".tofu", ".tofu.json")
AUTO_TFVARS = ("terraform.tfvars", "terraform.tfvars.json")
#: A terragrunt configuration.
TERRAGRUNT = "terragrunt.hcl"
#: The sort key of a folder's entries: their names (a walk visits them in this order).
_NAME = attrgetter("name")


def is_terraform(name: str) -> bool:
    return name.endswith(TF_SUFFIXES)


def is_cfn_candidate(name: str) -> bool:
    return name.endswith(CFN_SUFFIXES) and not name.endswith((".tf.json", ".tofu.json", ".tfvars.json"))


def tofu_twin(path: str) -> str | None:
    """The OpenTofu file that replaces ``path`` when both exist: ``x.tofu`` for ``x.tf``, ``x.tofu.json`` for
    ``x.tf.json`` (None for other names)."""
    if path.endswith(".tf"):
        return path[:-3] + ".tofu"
    if path.endswith(".tf.json"):
        return path[:-8] + ".tofu.json"
    return None


def split_shadowed(paths: list[str]) -> tuple[list[str], list[str]]:
    """A folder's Terraform files as (read, ignored): OpenTofu reads ``x.tofu`` instead of ``x.tf`` (and
    ``x.tofu.json`` instead of ``x.tf.json``) when both are there."""
    if not any(p.endswith(TOFU_SUFFIXES) for p in paths):
        return paths, []
    present = set(paths)
    ignored = [p for p in paths if tofu_twin(p) in present]
    return ([p for p in paths if p not in ignored], ignored) if ignored else (paths, [])


def without_shadowed(paths: list[str]) -> list[str]:
    """:func:`split_shadowed`'s files read."""
    return split_shadowed(paths)[0]


def is_auto_tfvars(name: str) -> bool:
    return name in AUTO_TFVARS or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


@dataclass
class Discovered:
    """The inputs of one run, in a stable order."""

    #: Terraform module folders, each with the files findings are reported for (None: all of them).
    terraform: dict[str, set[str] | None] = field(default_factory=dict)
    #: Files that may be CloudFormation templates (or Terraform plans).
    documents: list[str] = field(default_factory=list)
    #: Files skipped because they are not infrastructure as code.
    skipped: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    #: For each walked folder: its Terraform files and its auto-loaded tfvars files, in name order.
    listings: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    #: terragrunt configurations (``terragrunt.hcl``): each deploys the module its source names.
    terragrunt: list[str] = field(default_factory=list)


class _Walker:
    def __init__(self, excludes: list[str]) -> None:
        self.excludes = excludes
        self.out = Discovered()
        self.seen_dirs: set[str] = set()
        #: Walked folders with an OpenTofu file, the only ones where a ``.tf`` file can be shadowed.
        self.tofu_folders: set[str] = set()

    def excluded(self, path: str) -> bool:
        if not self.excludes:
            return False
        return _matches(display_path(path), os.path.basename(path), self.excludes)

    def add_file(self, path: str, explicit: bool) -> None:
        name = os.path.basename(path)
        if name == TERRAGRUNT:
            self.out.terragrunt.append(path)
        elif explicit and is_terraform(name) and _twin_exists(path):
            self.out.skipped.append(path)  # OpenTofu reads its .tofu twin instead
        elif explicit and is_terraform(name):  # a walk lists the Terraform files it finds itself
            folder = os.path.dirname(path) or "."
            if is_override(path):
                self.out.terraform[folder] = None  # it may change any block of its module: lint them all
            else:
                named = self.out.terraform.setdefault(folder, set())
                if named is not None:
                    named.add(os.path.normpath(path))
        elif is_cfn_candidate(name):
            self.out.documents.append(path)
        elif not explicit and is_auto_tfvars(name):
            self._listing(os.path.dirname(path) or ".")[1].append(path)
            self.out.skipped.append(path)  # variable values, read with their module: not linted themselves
        elif explicit and (is_auto_tfvars(name) or name.endswith((".tfvars", ".tfvars.json"))):
            # a tfvars file named on its own (pre-commit): lint the module it belongs to
            self.out.terraform.setdefault(os.path.dirname(path) or ".", None)
        elif explicit:
            self.out.documents.append(path)  # named: read by its content, whatever its name
        else:
            self.out.skipped.append(path)

    def _listing(self, folder: str) -> tuple[list[str], list[str]]:
        listing = self.out.listings.get(folder)
        if listing is None:
            listing = self.out.listings[folder] = ([], [])
        return listing

    def walk(self, root: str, inside: str, linked: bool = False) -> None:
        if linked:  # only a symbolic link can lead back into a folder already walked
            real = os.path.realpath(root)
            if real in self.seen_dirs:
                return
            self.seen_dirs.add(real)
        try:
            with os.scandir(root) as listing:
                entries = sorted(listing, key=_NAME)
        except OSError as exc:
            self.out.errors.append(InputError(display_path(root), 0, f"cannot read directory: {exc.strerror}"))
            return
        prefix = "" if root == "." else root if root.endswith(os.sep) else root + os.sep
        excludes = self.excludes
        tf_files: list[str] | None = None  # this folder's Terraform files, once it has one
        for entry in entries:
            name = entry.name
            path = prefix + name
            if excludes and self.excluded(path):
                continue
            try:
                is_link = entry.is_symlink()
                if is_link and (not os.path.exists(path) or not _within(os.path.realpath(path), inside)):
                    # never follow a link out of the scanned tree; a dangling or looping link is no input
                    self.out.skipped.append(path)
                    continue
                if entry.is_dir():
                    if name not in SKIP_DIRS:
                        self.walk(path, inside, linked or is_link)
                elif not entry.is_file():
                    self.out.skipped.append(path)
                elif name.endswith(TF_SUFFIXES):  # listed here only: add_file takes the other names
                    if tf_files is None:
                        tf_files = self._listing(root)[0]
                        self.out.terraform[root] = None
                    tf_files.append(path)
                    if name.endswith(TOFU_SUFFIXES):
                        self.tofu_folders.add(root)
                else:
                    self.add_file(path, explicit=False)
            except OSError as exc:
                self.out.errors.append(InputError(display_path(path), 0, f"cannot read: {exc.strerror}"))


def _twin_exists(path: str) -> bool:
    twin = tofu_twin(path)
    return twin is not None and os.path.isfile(twin)


def _drop_shadowed(found: Discovered, folders: set[str]) -> None:
    """Move the ``.tf`` files a ``.tofu`` twin replaces from the listings of ``folders`` to the skipped files."""
    if not folders:
        return
    for folder, (tf, _tfvars) in found.listings.items():
        if folder not in folders:
            continue
        kept, ignored = split_shadowed(tf)
        if ignored:
            tf[:] = kept
            found.skipped.extend(ignored)


def _matches(shown: str, name: str, excludes: list[str]) -> bool:
    return any(
        fnmatch.fnmatch(shown, pat) or fnmatch.fnmatch(name, pat)
        or fnmatch.fnmatch(shown, pat.rstrip("/") + "/*")
        for pat in excludes
    )


def is_excluded(shown: str, excludes: list[str]) -> bool:
    """Whether the display path ``shown``, or a folder above it, matches an ``--exclude`` glob.

    Discovery never lists such a file, but a Terraform module is read whole for resolution, so the
    engine uses this to drop trails written in an excluded file of a module that is otherwise linted.
    """
    parts = shown.split("/")
    return any(_matches("/".join(parts[:i]), parts[i - 1], excludes) for i in range(len(parts), 0, -1))


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def links_outside(path: str, roots: list[str]) -> bool:
    """Whether ``path`` is a symbolic link that leads outside every folder of ``roots`` (real paths)."""
    return os.path.islink(path) and not any(_within(os.path.realpath(path), root) for root in roots)


def discover(paths: list[str], excludes: list[str] | None = None) -> Discovered:
    """Walk ``paths`` (files and folders) and sort what is there into the run's inputs."""
    walker = _Walker(excludes or [])
    for path in paths or ["."]:
        path = os.path.normpath(path)
        if os.path.isdir(path):
            walker.seen_dirs.add(os.path.realpath(path))
            walker.walk(path, os.path.realpath(path))
        elif os.path.isfile(path):
            walker.add_file(path, explicit=True)
        elif os.path.lexists(path):
            walker.out.errors.append(InputError(display_path(path), 0, "not a regular file or folder"))
        else:
            walker.out.errors.append(InputError(display_path(path), 0, "no such file or folder"))
    _drop_shadowed(walker.out, walker.tofu_folders)
    return walker.out
