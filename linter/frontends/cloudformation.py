"""The CloudFormation front-end: templates in YAML or JSON (SAM, CDK output), read by content."""

from __future__ import annotations

from typing import Any, ClassVar

from ..discovery import is_cfn_candidate
from ..findings import internal_error
from ..sources import display_path
from . import ParseError
from .base import FrontEnd, Resolved

TEMPLATE = "cloudformation"


def documents(ws: Any, found: Any, report: Any) -> list[tuple[str, str, Any]]:
    """``(path, kind, data)`` of every document of the run that is a template or a plan, loaded once for
    all document front-ends; unreadable ones go to ``ws.errors`` and the others count as skipped."""
    loaded_all = getattr(ws, "_documents", None)
    if loaded_all is not None:
        return loaded_all
    loaded_all = []
    for path in found.documents:
        loaded = ws.reader.document(path)
        if isinstance(loaded, ParseError):
            ws.error(path, loaded)
            continue
        if loaded is None:
            report.files_skipped += 1
            continue
        report.files_linted += 1
        kind, data = loaded
        if kind == TEMPLATE:
            ws.templates[display_path(path)] = data
        loaded_all.append((path, kind, data))
    ws._documents = loaded_all
    return loaded_all


def resolve_documents(ws: Any, found: Any, report: Any, kind: str, resolve: Any) -> list[Resolved]:
    """``resolve(data, display path)`` on every loaded document of ``kind``; a resolver bug costs only
    that document."""
    results: list[Resolved] = []
    for path, doc_kind, data in documents(ws, found, report):
        if doc_kind != kind:
            continue
        try:
            trails = resolve(data, display_path(path))
        except Exception as exc:  # a resolver bug: this file is an input error, the run goes on
            ws.error(path, ParseError(internal_error(exc)))
            continue
        results.extend(Resolved(variants) for variants in trails)
    return results


class CloudFormationFrontEnd(FrontEnd):
    name = "CloudFormation"
    reads = "doc"
    trail_type: ClassVar[str] = "AWS::CloudTrail::Trail"

    def claims(self, file_name: str) -> bool:
        return is_cfn_candidate(file_name)

    def scan(self, raw: bytes) -> Any:
        from ..prefilter import scan_document

        return scan_document(raw)

    def resolve(self, ws: Any, found: Any, report: Any) -> list[Resolved]:
        from ..resolver.cloudformation import resolve_template, unfollowed_in_template

        def resolve(data: Any, path: str) -> Any:
            ws.unfollowed.extend(unfollowed_in_template(data, path))
            return resolve_template(data, path)

        return resolve_documents(ws, found, report, TEMPLATE, resolve)

    def fixer(self, ctx: Any) -> Any:
        from ..fix.cloudformation import CloudFormationFixer

        return CloudFormationFixer(ctx)
