"""The JSON report: a contract other tools parse (see README, "JSON output").

Values are exact; :func:`json_text` writes them in ASCII with JSON escapes."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..findings import Finding, Report
from . import json_text


def finding_dict(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule": f.rule, "name": f.name, "severity": f.severity, "message": f.message, "file": f.file,
        "line": f.line, "column": f.column, "end_line": f.end_line, "resource": f.resource,
        "resource_type": f.resource_type, "kind": f.kind, "attribute": f.attribute,
        "conditions": [list(c) for c in f.conditions], "suppressed": f.suppressed,
    }
    if f.suppression is not None:
        s = f.suppression
        out["suppression"] = {"kind": s.kind, "reason": s.reason, "owner": s.owner, "expires": s.expires,
                              "origin": s.origin}
    if len(f.variants) > 1 or any(v.conditions for v in f.variants):
        out["variants"] = [{"conditions": list(v.conditions), "message": v.message} for v in f.variants]
    if f.related:
        out["related"] = [{"label": r.label, "file": r.file, "line": r.line, "column": r.column} for r in f.related]
    return out


def report_dict(report: Report) -> dict[str, Any]:
    counts = report.counts()
    return {
        "version": __version__,
        "findings": [finding_dict(f) for f in report.findings],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in report.errors],
        "summary": {
            **counts,
            "trails": report.trails,
            "files_linted": report.files_linted,
            "files_skipped": report.files_skipped,
            "input_errors": len(report.errors),
            "exit_code": report.exit_code(),
        },
    }


def render_json(report: Report) -> str:
    return json_text(report_dict(report))
