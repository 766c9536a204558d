"""Other scanners' skips of the CloudTrail/CloudWatch check, read as suppressions of CTL001 and CTL002.

Honoured only with ``--honor-peer-suppressions`` (teams migrating from checkov, tfsec/Trivy or KICS):

- checkov ``#checkov:skip=CKV2_AWS_10:reason`` inside the resource block, or CloudFormation
  ``Metadata.checkov.skip: [{id: CKV2_AWS_10, comment: ...}]``;
- tfsec/Trivy ``#tfsec:ignore:aws-cloudtrail-ensure-cloudwatch-integration`` or
  ``#trivy:ignore:AVD-AWS-0162`` above the resource or inside it, with an optional ``:exp:YYYY-MM-DD``;
- KICS ``# kics-scan ignore-block`` above the resource, or ``# kics-scan ignore-line`` on the line
  above its header (where KICS reports "CloudTrail Not Integrated With CloudWatch").
"""

from __future__ import annotations

import re
from typing import Any

from .suppressions import ABOVE, AROUND, INSIDE, NEXT_LINE, RESOURCE, Directive, comment_body, parse_date

#: The rules a peer's skip stands for: the peers' check is "the trail is integrated with CloudWatch Logs".
PEER_RULES = ("CTL001", "CTL002")
CHECKOV_ID = "CKV2_AWS_10"
#: tfsec and Trivy ids of the check (compared in lower case).
TRIVY_IDS = frozenset({"aws-cloudtrail-ensure-cloudwatch-integration", "avd-aws-0162", "aws-0162"})

_CHECKOV = re.compile(r"checkov:skip=([A-Za-z0-9_]+)(?::([^\n]*))?")
_TFSEC = re.compile(r"\b(tfsec|trivy):ignore:([A-Za-z0-9_.-]+)((?::[a-z]+:[^\s:]+)*)")
_PARAM = re.compile(r":([a-z]+):([^\s:]+)")
_KICS = re.compile(r"kics-scan\s+(ignore-block|ignore-line)\b")


def comment_directives(text: str, path: str, line: int) -> list[Directive]:
    """The peer skips of this check in one Terraform comment."""
    body = comment_body(text)
    end = line + text.count("\n")
    out = []
    for match in _CHECKOV.finditer(body):
        if match.group(1).upper() == CHECKOV_ID:
            reason = (match.group(2) or "").strip() or f"checkov:skip={CHECKOV_ID}"
            out.append(_peer("checkov", reason, path, line, end, INSIDE))
    for match in _TFSEC.finditer(body):
        tool, rule_id, params = match.groups()
        if rule_id.lower() not in TRIVY_IDS:
            continue
        directive = _peer(tool, f"{tool}:ignore:{rule_id}", path, line, end, AROUND)
        for key, value in _PARAM.findall(params or ""):
            if key == "exp":
                directive.expires_text = value
                directive.expires = parse_date(value)
                if directive.expires is None:
                    directive.problem = f"malformed exp date {value!r} (expected YYYY-MM-DD)"
        out.append(directive)
    for match in _KICS.finditer(body):
        placement = ABOVE if match.group(1) == "ignore-block" else NEXT_LINE
        out.append(_peer("kics", f"kics-scan {match.group(1)}", path, line, end, placement))
    return out


def metadata_directives(meta: dict[str, Any], path: str) -> list[Directive]:
    """checkov skips of this check in a CloudFormation resource's ``Metadata``."""
    checkov = meta.get("checkov")
    skips = checkov.get("skip") if isinstance(checkov, dict) else None
    out = []
    for entry in skips if isinstance(skips, list) else []:
        if isinstance(entry, dict) and str(entry.get("id", "")).upper() == CHECKOV_ID:
            line = getattr(entry, "line", 0)
            reason = str(entry.get("comment") or "").strip() or f"checkov skip {CHECKOV_ID}"
            out.append(_peer("checkov", reason, path, line, line, RESOURCE))
    return out


def _peer(tool: str, reason: str, path: str, line: int, end: int, placement: str) -> Directive:
    return Directive(path, line, PEER_RULES, reason=reason, kind="peer", origin=tool, placement=placement,
                     end_line=end)
