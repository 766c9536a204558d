"""SARIF 2.1.0 for code-scanning UIs (GitHub code scanning among them); rule descriptors come from the
rules' own documentation.

Artifact URIs are relative to the repository root (``%SRCROOT%``, the nearest folder holding ``.git``),
whatever folder the run started in, so results line up with the repository's files; a file outside the
repository is given by its absolute ``file:`` URI. Values are exact (:func:`json_text`); URIs are the
file names' bytes, percent-encoded (:func:`uri`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

from .. import __version__
from ..docs import markdown, text
from ..findings import Finding, Report
from ..repository import relative, root
from . import hash_bytes, json_text, uri

_LEVEL = {"error": "error", "warning": "warning", "note": "note"}
#: The key of the fingerprint that identifies a result across runs (see :func:`fingerprint`).
FINGERPRINT = "cloudtrailLint/v2"


def fingerprint(finding: Finding, occurrence: int = 0) -> str:
    """What identifies a result across edits: the finding's identity (rule, kind, attribute, resource,
    file relative to the repository), the conditions it holds under, and its number among equal ones;
    never its line or message."""
    text = "\x1f".join((*finding.identity(), finding.variant_key(), str(occurrence)))
    return hashlib.sha256(hash_bytes(text)).hexdigest()[:32]


class _Artifacts:
    """Where files are, for SARIF: relative to the repository root, or absolute when outside it."""

    def __init__(self) -> None:
        self.root = root()

    def location(self, file: str) -> dict[str, Any]:
        inside = relative(file, self.root)
        if inside is None:
            return {"uri": Path(file).resolve().as_uri()}
        return {"uri": uri(inside), "uriBaseId": "%SRCROOT%"}

    def physical(self, file: str, line: int, column: int = 0, end_line: int = 0) -> dict[str, Any]:
        region: dict[str, Any] = {}
        if line > 0:
            region = {"startLine": line, **({"startColumn": column} if column > 0 else {}),
                      **({"endLine": max(end_line, line)} if end_line else {})}
        return {"artifactLocation": self.location(file), **({"region": region} if region else {})}


def render_sarif(report: Report) -> str:
    from ..rules import ALL_RULES

    rules = list(ALL_RULES)
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.what},
            "help": {"text": text(rule), "markdown": markdown(rule)},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"tags": ["security", "cloudtrail", "cloudwatch"],
                           "security-severity": rule.security_severity},
        }
        for rule in rules
    ]
    artifacts = _Artifacts()
    seen: Counter[tuple[str, ...]] = Counter()
    results = []
    for f in report.findings:
        key = (*f.identity(), f.variant_key())
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVEL.get(f.severity, "error"),
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": artifacts.physical(f.file, max(f.line, 1), max(f.column, 1),
                                                       max(f.end_line, f.line, 1)),
                "logicalLocations": [{"name": f.resource, "kind": "resource",
                                      "fullyQualifiedName": f"{f.resource_type}/{f.resource}"}],
            }],
            "partialFingerprints": {FINGERPRINT: fingerprint(f, seen[key])},
            "properties": {"kind": f.kind, "attribute": f.attribute},
        }
        seen[key] += 1
        if f.related:
            result["relatedLocations"] = [
                {"id": i, "message": {"text": r.label},
                 "physicalLocation": artifacts.physical(r.file, r.line, r.column)}
                for i, r in enumerate(f.related, 1)
            ]
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.suppression is not None:
            result["suppressions"] = [{
                "kind": "external" if f.suppression.kind in ("config", "baseline") else "inSource",
                "status": "accepted",
                "justification": f.suppression.reason,
            }]
        if f.fix is not None and f.fix.replacements:
            result["fixes"] = [_fix(f.fix, artifacts)]
        results.append(result)
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": artifacts.physical(e.file, e.line)}],
        }
        for e in report.errors
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cloudtrail-lint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {
                "uri": Path(artifacts.root).as_uri() + "/",
                "description": {"text": "The root of the repository (the folder holding .git)."},
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }
    return json_text(log)


def _fix(fix: Any, artifacts: _Artifacts) -> dict[str, Any]:
    """A planned fix (:class:`~cloudtrail_lint.fix.edits.Fix`) as a SARIF ``fix`` object."""
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": artifacts.location(path),
                "replacements": [
                    {
                        "deletedRegion": {"startLine": r.start_line, "startColumn": r.start_column,
                                          "endLine": r.end_line, "endColumn": r.end_column},
                        **({"insertedContent": {"text": r.text}} if r.text else {}),
                    }
                    for r in replacements
                ],
            }
            for path, replacements in sorted(fix.replacements.items())
        ],
    }
