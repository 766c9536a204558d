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
        left over (a module cycle with no outside caller) are then checked as roots, shallowest first."""
        from ..resolver.terraform import resolve_module

        results: list[Resolved] = []
        covered: set[str] = set()
        order = sorted(found.terraform.items(), key=lambda item: (os.path.normpath(item[0]).count(os.sep), item[0]))
        first = [(f, only) for f, only in order if only is not None or os.path.abspath(f) not in ws.called]
        rest = [(f, only) for f, only in order if (f, only) not in first]
        for folder, only in first + rest:
            if only is None and os.path.abspath(folder) in covered:
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
            named = {display_path(p) for p in only} if only is not None else None
            results.extend(Resolved(variants, named) for variants in trails)
        report.files_linted += ws.terraform_files_read()
        # a folder the scan found no trail in may still be parsed as a module another one calls: count it once
        report.files_linted += sum(n for folder, n in ws.scanned_only.items() if ws.abs(folder) not in ws._modules)
        return results

    def fixer(self, ctx: Any) -> Any:
        from ..fix.terraform import TerraformFixer

        return TerraformFixer(ctx)
