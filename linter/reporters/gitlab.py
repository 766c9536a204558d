"""GitLab Code Quality report (a JSON array of issues) for merge request widgets.

Fingerprints hash the rule, file and resource (and the repeat number), never the line or message, so
an issue keeps its identity when lines shift and GitLab can tell new issues from fixed ones.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..baseline import fingerprints
from ..findings import Report
from . import hash_bytes, json_text

_SEVERITY = {"error": "major", "warning": "minor", "note": "info"}


def render_gitlab(report: Report) -> str:
    active = [f for f in report.findings if not f.suppressed]
    issues: list[dict[str, Any]] = [
        {
            "type": "issue",
            "check_name": f.rule,
            "description": f"{f.rule} {f.message} [{f.resource}]",
            "categories": ["Security"],
            "engine_name": "cloudtrail-lint",
            "fingerprint": fp,
            "severity": _SEVERITY.get(f.severity, "major"),
            "location": {"path": f.file, "lines": {"begin": max(f.line, 1)}},
        }
        for f, fp in zip(active, fingerprints(active))
    ]
    for e in report.errors:
        digest = hashlib.sha256(hash_bytes(f"input-error\x1f{e.file}\x1f{e.message}")).hexdigest()[:32]
        issues.append({
            "type": "issue",
            "check_name": "input-error",
            "description": f"{e.file} could not be processed: {e.message}",
            "categories": ["Bug Risk"],
            "engine_name": "cloudtrail-lint",
            "fingerprint": digest,
            "severity": "blocker",
            "location": {"path": e.file, "lines": {"begin": max(e.line, 1)}},
        })
    return json_text(issues)
