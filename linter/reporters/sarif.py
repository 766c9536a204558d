"""SARIF 2.1.0 for code-scanning UIs; rule descriptors come from the rules' own documentation.

Values are exact (:func:`json_text`); artifact URIs are the file names' bytes, percent-encoded (:func:`uri`).
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..docs import markdown, text
from ..findings import Report
from . import json_text, uri

_LEVEL = {"error": "error", "warning": "warning", "note": "note"}


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
            "properties": {"tags": ["security", "cloudtrail", "cloudwatch"]},
        }
        for rule in rules
    ]
    results = []
    for f in report.findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": _LEVEL.get(f.severity, "error"),
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(f.file), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1),
                               "endLine": max(f.end_line, f.line, 1)},
                },
                "logicalLocations": [{"name": f.resource, "kind": "resource",
                                      "fullyQualifiedName": f"{f.resource_type}/{f.resource}"}],
            }],
            "partialFingerprints": {"cloudtrailLint/v1": f"{f.rule}:{f.file}:{f.resource}"},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        if f.suppression is not None:
            result["suppressions"] = [{
                "kind": "external" if f.suppression.kind in ("config", "baseline") else "inSource",
                "status": "accepted",
                "justification": f.suppression.reason,
            }]
        if f.fix is not None and f.fix.replacements:
            result["fixes"] = [_fix(f.fix)]
        results.append(result)
    notifications = [
        {
            "level": "error",
            "message": {"text": e.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": uri(e.file), "uriBaseId": "%SRCROOT%"},
                **({"region": {"startLine": e.line}} if e.line > 0 else {}),
            }}],
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
                "informationUri": "https://pypi.org/project/cloudtrail-lint/",
                "rules": descriptors,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The working directory of the run."}}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    }
    return json_text(log)


def _fix(fix: Any) -> dict[str, Any]:
    """A planned fix (:class:`~cloudtrail_lint.fix.edits.Fix`) as a SARIF ``fix`` object."""
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
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
