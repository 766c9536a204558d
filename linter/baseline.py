"""Baselines: record today's findings so that only new ones fail, matched on their identity.

A finding is identified by its rule, kind, attribute, resource and file (see ``Finding.identity``), never
by its line, which shifts whenever lines are added above a trail, or its message. When one trail has
several findings of one identity, the baseline counts them, so a further one is still new. Baselines of
format 1 (rule, file and resource only) are still read: their entries match any kind and attribute.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .findings import Finding, Suppression
from .reporters import hash_bytes, json_text

FORMAT_VERSION = 2
#: Largest baseline read.
BASELINE_MAX_SIZE = 64 * 1024 * 1024
#: Versions :func:`load` reads.
READABLE_VERSIONS = (1, 2)
#: Kind and attribute of an entry from a format-1 baseline: it matches any.
ANY = "*"

Key = tuple[str, str, str, str, str]


class BaselineError(Exception):
    """The baseline file cannot be read or is not a cloudtrail-lint baseline."""


def key(finding: Finding) -> Key:
    return finding.identity()


def fingerprint(*identity: str, occurrence: int = 0) -> str:
    """A hash of what identifies a finding (never its line or message), stable across edits."""
    text = "\x1f".join((*identity, str(occurrence)))
    return hashlib.sha256(hash_bytes(text)).hexdigest()[:32]


def fingerprints(findings: Iterable[Finding]) -> list[str]:
    """One fingerprint per finding; repeats of one identity are numbered in order."""
    seen: Counter[Key] = Counter()
    out = []
    for finding in findings:
        k = key(finding)
        out.append(fingerprint(*k, occurrence=seen[k]))
        seen[k] += 1
    return out


@dataclass
class Baseline:
    path: str
    counts: Counter[Key] = field(default_factory=Counter)


def dumps(findings: list[Finding]) -> str:
    """The baseline of ``findings`` that are not already suppressed, as JSON text."""
    active = sorted((f for f in findings if not f.suppressed), key=lambda f: (*key(f), f.line))
    entries = [
        {"rule": f.rule, "kind": f.kind, "attribute": f.attribute, "file": f.file, "resource": f.resource,
         "fingerprint": fp}
        for f, fp in zip(active, fingerprints(active))
    ]
    data = {"tool": "cloudtrail-lint", "version": FORMAT_VERSION, "findings": entries}
    return json_text(data)


def write(path: str, findings: list[Finding]) -> int:
    """Write the baseline; return how many findings it holds."""
    text = dumps(findings)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return len(json.loads(text)["findings"])


def load(path: str) -> Baseline:
    """Read the baseline in ``path``; a :class:`BaselineError` for anything that is not one we wrote."""
    from .frontends import ParseError
    from .sources import read_bytes, why_unread

    try:
        data = json.loads(read_bytes(path, BASELINE_MAX_SIZE).decode("utf-8"))
    except ParseError as exc:  # also a FIFO or device: only regular files are read
        raise BaselineError(f"{path}: cannot read baseline: {why_unread(exc)}") from None
    except RecursionError:
        raise BaselineError(f"{path}: baseline is not valid JSON: nested too deeply") from None
    except ValueError as exc:  # also bad UTF-8, and int()'s digit limit
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        if "integer string conversion" in detail:
            detail = f"a number has more than {getattr(sys, 'get_int_max_str_digits', lambda: 4300)()} digits"
        raise BaselineError(f"{path}: baseline is not valid JSON: {detail}") from None
    if not isinstance(data, dict) or data.get("tool") != "cloudtrail-lint" or not isinstance(
            data.get("findings"), list):
        raise BaselineError(f"{path}: not a cloudtrail-lint baseline (written by --write-baseline)")
    version = data.get("version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        raise BaselineError(f"{path}: baseline version {version!r} is not supported")
    baseline = Baseline(path)
    fields = ("rule", "file", "resource") if version == 1 else ("rule", "kind", "attribute", "file", "resource")
    for i, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in fields):
            raise BaselineError(f"{path}: findings[{i}] needs string {', '.join(fields[:-1])} and {fields[-1]}")
        kind, attribute = (ANY, ANY) if version == 1 else (entry["kind"], entry["attribute"])
        baseline.counts[(entry["rule"], kind, attribute, entry["resource"], entry["file"])] += 1
    return baseline


def apply(findings: list[Finding], baseline: Baseline) -> None:
    """Mark findings recorded in ``baseline`` as suppressed (kind ``baseline``)."""
    left = Counter(baseline.counts)
    for finding in sorted((f for f in findings if not f.suppressed), key=Finding.sort_key):
        exact = key(finding)
        rule, _kind, _attribute, resource, file = exact
        for k in (exact, (rule, ANY, ANY, resource, file)):
            if left[k] > 0:
                left[k] -= 1
                finding.suppression = Suppression("baseline", f"recorded in baseline {baseline.path}",
                                                  origin=baseline.path)
                break
