"""The Terraform and OpenTofu front-end: module folders of ``.tf``/``.tf.json`` files and their tfvars."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from ..discovery import is_terraform
from ..findings import InputError, internal_error
from ..sources import display_path
from .base import FrontEnd, Resolved


class TerraformFrontEnd(FrontEnd):
    name = "Terraform"
    reads = "tf"
    trail_type: ClassVar[str] = "aws_cloudtrail"

    def claims(self, file_name: str) -> bool:
        return is_terraform(file_name)

    def scan(self, raw: bytes) -> Any:
        from ..prefilter import scan_terraform

        return scan_terraform(raw)

    def resolve(self, ws: Any, found: Any, report: Any) -> list[Resolved]:
        """Every trail of every root module: a module that another scanned module calls is checked
        through its caller (with the caller's arguments), not again on its own with its defaults; folders
        left over (a module cycle with no outside caller) are then checked as roots, shallowest first.

        When files are named (the pre-commit hook), their modules are checked where they are used: the
        modules that call them, up to the repository's root modules, are the roots, and the trails
        reported are those whose verdict can depend on the named modules (see :func:`depends_on`)."""
        from ..resolver.terraform import resolve_module

        results: list[Resolved] = []
        covered: set[str] = set()
        for path in found.terragrunt:  # first: the modules they deploy are then covered
            results.extend(self._terragrunt(ws, path, covered))
        named = {os.path.abspath(f) for f, only in found.terraform.items() if only is not None}
        roots: dict[str, set[str] | None] = {f: None for f, only in found.terraform.items() if only is None}
        if named:
            for top in callers_up_to_roots(ws, named):
                roots.setdefault(top, named)
        order = sorted(roots.items(), key=lambda item: (os.path.normpath(item[0]).count(os.sep), item[0]))
        first = [(f, dep) for f, dep in order if dep is not None or os.path.abspath(f) not in ws.called]
        rest = [(f, dep) for f, dep in order if (f, dep) not in first]
        for folder, depends in first + rest:
            if depends is None and os.path.abspath(folder) in covered:
                continue
            try:
                module = ws.root_module(folder)
                if not module.files:
                    continue
                trails, problems, children, unfollowed = resolve_module(module, ws.loader(folder))
            except Exception as exc:  # a resolver bug: this module is an input error, the run goes on
                ws.errors.append(InputError(display_path(folder), 0, internal_error(exc)))
                covered.add(os.path.abspath(folder))
                continue
            for block, why in problems:
                ws.errors.append(InputError(block.file, block.line, why, block.col))
            ws.unfollowed.extend(unfollowed)
            covered.add(os.path.abspath(folder))
            covered.update(os.path.abspath(c) for c in children)
            results.extend(Resolved(variants, depends) for variants in trails)
        report.files_linted += ws.terraform_files_read() + ws.terragrunt_read
        # a folder the scan found no trail in may still be parsed as a module another one calls: count it once
        report.files_linted += sum(n for folder, n in ws.scanned_only.items() if ws.abs(folder) not in ws._modules)
        return results

    def _terragrunt(self, ws: Any, path: str, covered: set[str]) -> list[Resolved]:
        """The trails of the module a terragrunt configuration deploys, with its inputs."""
        from ..frontends import ParseError
        from ..resolver.terraform import TfModule, resolve_module
        from .terragrunt import open_inputs, root_file

        config = ws.reader.terraform_whole(path)
        if isinstance(config, ParseError):
            ws.error(path, config)
            return []
        ws.terragrunt_read += 1
        synthetic, unfollowed, why = root_file(config, path)
        if unfollowed is not None:
            ws.unfollowed.append(unfollowed)
        if why.startswith("terraform source"):
            block = next(b for b in config.blocks if b.type == "terraform" and "source" in b.attrs)
            ws.errors.append(InputError(display_path(path), block.attrs["source"].line, why))
        if synthetic is None:
            return []
        folder = os.path.dirname(path) or "."
        module = TfModule(folder, [synthetic], terragrunt=True, open_inputs=open_inputs(config))
        try:
            trails, problems, children, more = resolve_module(module, ws.loader(folder))
        except Exception as exc:  # a resolver bug: this configuration is an input error, the run goes on
            ws.errors.append(InputError(display_path(path), 0, internal_error(exc)))
            return []
        for block, why in problems:
            ws.errors.append(InputError(block.file, block.line, why, block.col))
        ws.unfollowed.extend(more)
        covered.update(os.path.abspath(c) for c in children)
        return [Resolved(variants) for variants in trails]

    def fixer(self, ctx: Any) -> Any:
        from ..fix.terraform import TerraformFixer

        return TerraformFixer(ctx)


def depends_on(variants: list[Any], folders: set[str]) -> bool:
    """Whether the verdict on a trail can depend on the modules in ``folders`` (absolute paths): the trail
    is written in one, is reached through a module call written in one (which passes it arguments), or
    delivers to a log group written in one."""
    for trail in variants:
        files = [trail.location.file, *(call.location.file for call in trail.via)]
        if trail.log_group is not None:
            files.append(trail.log_group.location.file)
        if any(os.path.dirname(os.path.abspath(f)) in folders for f in files):
            return True
    return False


def callers_up_to_roots(ws: Any, folders: set[str]) -> list[str]:
    """The root modules whose module trees hold ``folders``: the folders themselves when nothing calls
    them, else the modules that call them, followed up to modules nothing calls, found by a text scan of
    every Terraform folder of the repository (the named files' repository root, else the working
    directory)."""
    from ..discovery import discover
    from ..prefilter import is_local_source
    from ..repository import root

    base = root(next(iter(folders)))
    callers: dict[str, set[str]] = {}
    for folder, (tf_files, _tfvars) in discover([base]).listings.items():
        caller = os.path.abspath(folder)
        for facts in ws.reader.facts_of_files(tf_files, "tf"):
            for source in facts.sources:
                if is_local_source(source):
                    callers.setdefault(os.path.normpath(os.path.join(caller, source)), set()).add(caller)
    tops: list[str] = []
    seen: set[str] = set()
    stack = sorted(folders)
    while stack:
        folder = stack.pop()
        if folder in seen:
            continue
        seen.add(folder)
        above = callers.get(folder, set())
        if not above:
            tops.append(folder)
        stack.extend(sorted(above - seen))
    if not tops:  # a cycle of modules calling each other: check them from the named ones
        tops = sorted(folders)
    return sorted(tops)
