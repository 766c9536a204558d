"""Suppressions: ``cloudtrail-lint: ignore`` directives in Terraform comments and CloudFormation Metadata,
peer tools' skips (see :mod:`peers`) and central exceptions from the configuration, applied to findings.

A directive belongs to one block: a Terraform directive to the block that contains it or sits right
below it (as its placement says), a CloudFormation one to the resource whose ``Metadata`` holds it. It
covers the findings of that block, whatever line they are reported at: those of the trail written
there, or, for a ``module`` block, of every trail the module call leads to. A directive that cannot be
read, or that suppresses nothing, becomes a CTL900 warning at its own line.
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .findings import Finding, Suppression

#: Placements: where a directive sits relative to the Terraform block it covers.
ABOVE = "above"  # in the comment lines directly above the block header
INSIDE = "inside"  # within the block's lines
AROUND = "around"  # above or inside
NEXT_LINE = "next-line"  # on the line directly above the header
RESOURCE = "resource"  # CloudFormation: in the covered resource's Metadata

_KEYS = ("reason", "owner", "expires")
_HEAD = re.compile(r"cloudtrail-lint\s*:\s*")
_IGNORE = re.compile(
    r"ignore(?=\s|$)\s*(?P<rules>[A-Za-z]+[0-9]+(?:\s*,\s*[A-Za-z]+[0-9]+)*)?(?P<rest>.*)\Z", re.S
)
_PAIR = re.compile(
    r"""\s+(?P<key>[A-Za-z][\w-]*)\s*=\s*(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_REST_BLANK = re.compile(r"\s*\Z")


@dataclass
class Directive:
    """One suppression written in a source file; ``problem`` says why it is invalid (empty when valid)."""

    file: str
    line: int
    rules: tuple[str, ...] = ()
    reason: str = ""
    owner: str = ""
    expires: datetime.date | None = None
    expires_text: str = ""
    kind: str = "inline"
    origin: str = "cloudtrail-lint"
    placement: str = AROUND
    end_line: int = 0
    column: int = 1
    resource: str = ""
    resource_type: str = ""
    problem: str = ""

    def suppression(self) -> Suppression:
        return Suppression(self.kind, self.reason, self.owner, self.expires_text, self.origin)


@dataclass
class Source:
    """The directives of one file, the lines its comments cover, and its blocks (to name CTL900 findings)."""

    directives: list[Directive] = field(default_factory=list)
    comment_lines: set[int] = field(default_factory=set)
    #: (address, resource type, first line, last line) of each top-level Terraform block.
    blocks: list[tuple[str, str, int, int]] = field(default_factory=list)


@dataclass
class CentralException:
    """An ``[[exceptions]]`` entry of the configuration file."""

    rules: tuple[str, ...]
    reason: str
    resource: str = "*"
    file: str = "*"
    owner: str = ""
    expires: datetime.date | None = None
    expires_text: str = ""
    origin: str = ""
    #: The configuration file's folder: ``file`` globs also match paths relative to it.
    base: str = ""


def today() -> datetime.date:
    """The date expiries are compared with (tests pass ``Settings.today`` instead)."""
    return datetime.date.today()


def parse_date(text: Any) -> datetime.date | None:
    """A ``YYYY-MM-DD`` date, or None when ``text`` is not one."""
    if isinstance(text, datetime.date) and not isinstance(text, datetime.datetime):
        return text
    if not isinstance(text, str) or not _DATE.fullmatch(text.strip()):
        return None
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def comment_body(text: str) -> str:
    """A comment's text without its ``#``, ``//`` or ``/* */`` markers."""
    text = text.strip()
    for marker in ("#", "//", "/*"):
        if text.startswith(marker):
            text = text[len(marker):]
            break
    if text.endswith("*/"):
        text = text[:-2]
    return text.strip()


# --------------------------------------------------------------------------- reading directives


def collect(tf_files: list[Any], templates: dict[str, Any], honor_peers: bool,
            max_size: int) -> dict[str, Source]:
    """The directives of every linted file, by display path (``TfFile`` objects and loaded templates)."""
    from .rules import RULES_BY_ID

    known = set(RULES_BY_ID)
    sources: dict[str, Source] = {}
    for tf in tf_files:
        comments = tf.comments if not tf.path.endswith(".json") else _tf_json_comments(tf.path, max_size)
        sources[tf.path] = terraform_source(tf.path, comments, tf.blocks, known, honor_peers)
    for path, data in templates.items():
        sources[path] = template_source(path, data, known, honor_peers)
    return sources


def _tf_json_comments(path: str, max_size: int) -> list[tuple[int, str]]:
    """Terraform JSON has no comments; its ``"//"`` keys stand for them (read again: the parse drops them)."""
    from .frontends import ParseError
    from .frontends.yaml_nodes import load
    from .sources import read_text

    try:
        return json_comments(load(read_text(path, max_size)).data)
    except ParseError:
        return []


def parse_comment(text: str, file: str, line: int, known: Iterable[str]) -> Directive | None:
    """The directive in one comment, or None when the comment is not a ``cloudtrail-lint:`` directive."""
    body = comment_body(text)
    head = _HEAD.match(body)
    if head is None:
        return None
    directive = Directive(file, line, end_line=line + text.count("\n"))
    rest = body[head.end():]
    match = _IGNORE.match(rest)
    if match is None:
        verb = rest.split(None, 1)[0] if rest.strip() else ""
        directive.problem = (f"unknown directive {verb!r}; expected 'ignore'" if verb
                             else "empty directive; expected 'ignore RULE reason=\"...\"'")
        return directive
    if not match.group("rules"):
        directive.problem = "no rule id after 'ignore'"
        return directive
    fields, problems = _pairs(match.group("rest"))
    rules = tuple(r.strip().upper() for r in match.group("rules").split(","))
    _fill(directive, rules, fields, problems, known)
    return directive


def _pairs(text: str) -> tuple[dict[str, str], list[str]]:
    fields: dict[str, str] = {}
    problems: list[str] = []
    pos = 0
    while not _REST_BLANK.match(text, pos):  # not text[pos:].strip(): that copies the rest every time
        match = _PAIR.match(text, pos)
        if match is None:
            problems.append(f"cannot read {text[pos:].strip()[:40]!r}; write key=value or key=\"a value\"")
            break
        key = match.group("key")
        if match.group("dq") is not None:
            value = re.sub(r"\\(.)", r"\1", match.group("dq"))
        else:
            value = match.group("sq") if match.group("sq") is not None else match.group("bare")
        if key in fields:
            problems.append(f"duplicate key {key!r}")
        fields[key] = value
        pos = match.end()
    return fields, problems


def _fill(directive: Directive, rules: tuple[str, ...], fields: dict[str, Any], problems: list[str],
          known: Iterable[str]) -> None:
    """Validate rule ids and fields into ``directive``; every problem found is named."""
    known = set(known)
    for key in fields:
        if key not in _KEYS:
            problems.append(f"unknown key {key!r} (expected reason, owner, expires)")
    for rule in rules:
        if rule == "CTL900":
            problems.append("CTL900 cannot be suppressed; fix or remove the directive instead")
        elif rule not in known:
            problems.append(f"unknown rule {rule!r}")
    reason = fields.get("reason")
    reason = "" if reason is None else str(reason).strip()
    if not reason:
        problems.append('no reason given (add reason="why this is accepted")')
    expires = fields.get("expires")
    if expires is not None:
        directive.expires = parse_date(expires)
        directive.expires_text = str(expires)
        if directive.expires is None:
            problems.append(f"malformed expires date {str(expires)!r} (expected YYYY-MM-DD)")
    directive.rules = rules
    directive.reason = reason
    directive.owner = "" if fields.get("owner") is None else str(fields["owner"])
    directive.problem = "; ".join(problems)


def terraform_source(path: str, comments: list[tuple[int, str]], blocks: list[Any], known: Iterable[str],
                     honor_peers: bool = False) -> Source:
    """Directives in one Terraform file's comments (``comments`` as ``TfFile.comments``)."""
    from . import peers

    source = Source(blocks=[_block_name(b) for b in blocks])
    for line, text in comments:
        source.comment_lines.update(range(line, line + text.count("\n") + 1))
        if text.startswith("/*") and text.endswith("*/") and text[2:-2].isspace():
            continue  # an empty block comment (as ``slim`` leaves for a skipped body) holds no directive
        directive = parse_comment(text, path, line, known)
        if directive is not None:
            source.directives.append(directive)
        if honor_peers:
            source.directives.extend(peers.comment_directives(text, path, line))
    return source


def _block_name(block: Any) -> tuple[str, str, int, int]:
    labels = list(block.labels)
    if block.type == "resource" and len(labels) >= 2:
        address, rtype = f"{labels[0]}.{labels[1]}", labels[0]
    elif block.type == "data" and len(labels) >= 2:
        address, rtype = f"data.{labels[0]}.{labels[1]}", labels[0]
    else:
        address, rtype = ".".join([block.type, *labels]), block.type
    return address, rtype, block.line, block.end_line or block.line


def json_comments(data: Any) -> list[tuple[int, str]]:
    """``"//"`` keys of a Terraform JSON document as ``(line, text)`` comments."""
    out: list[tuple[int, str]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "//":
                    line = getattr(node, "key_pos", {}).get(key, (0, 0))[0]
                    texts = value if isinstance(value, list) else [value]
                    out.extend((line, text) for text in texts if isinstance(text, str))
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(out)


def template_source(path: str, data: Any, known: Iterable[str], honor_peers: bool = False) -> Source:
    """Directives in a CloudFormation template's ``Resources.*.Metadata``."""
    from . import peers

    source = Source()
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return source
    for logical_id, body in resources.items():
        meta = body.get("Metadata") if isinstance(body, dict) else None
        if not isinstance(meta, dict):
            continue
        rtype = str(body.get("Type", ""))
        if "cloudtrail-lint" in meta:
            line = meta.key_pos.get("cloudtrail-lint", (0, 0))[0] if hasattr(meta, "key_pos") else 0
            for directive in _metadata_directives(meta["cloudtrail-lint"], path, line, known):
                directive.resource, directive.resource_type = str(logical_id), rtype
                source.directives.append(directive)
        if honor_peers:
            for directive in peers.metadata_directives(meta, path):
                directive.resource, directive.resource_type = str(logical_id), rtype
                source.directives.append(directive)
    return source


def _metadata_directives(value: Any, path: str, line: int, known: Iterable[str]) -> list[Directive]:
    def invalid(problem: str, at: int = line) -> list[Directive]:
        return [Directive(path, at, placement=RESOURCE, end_line=at, problem=problem)]

    if not isinstance(value, dict):
        return invalid("Metadata cloudtrail-lint must be a mapping with an 'ignore' list")
    extra = [k for k in value if k != "ignore"]
    if extra:
        return invalid(f"unknown key {str(extra[0])!r} under Metadata cloudtrail-lint (expected 'ignore')")
    entries = value.get("ignore")
    if not isinstance(entries, list):
        return invalid("Metadata cloudtrail-lint ignore must be a list of {rule, reason} entries")
    out = []
    for entry in entries:
        at = getattr(entry, "line", 0) or line
        if not isinstance(entry, dict):
            out.extend(invalid("an ignore entry must be a mapping with rule and reason", at))
            continue
        directive = Directive(path, at, placement=RESOURCE, end_line=at, column=getattr(entry, "col", 1) or 1)
        fields = {str(k): v for k, v in entry.items() if k not in ("rule", "rules")}
        problems: list[str] = []
        rules: list[str] = []
        for key in ("rule", "rules"):
            raw = entry.get(key)
            items = raw if isinstance(raw, list) else ([] if raw is None else [raw])
            parts = (part.strip().upper() for text in items for part in str(text).split(","))
            rules.extend(part for part in parts if part)
        if not rules:
            problems.append("no rule given; add rule: CTL00N")
        _fill(directive, tuple(rules), fields, problems, known)
        out.append(directive)
    return out


# --------------------------------------------------------------------------- applying


def covers(directive: Directive, finding: Finding, source: Source) -> bool:
    """Whether ``directive`` (in ``source``) covers ``finding``: the block it belongs to is the one the
    finding is reported at, or a module call on the way to the finding's trail."""
    if directive.placement == RESOURCE:
        return finding.file == directive.file and finding.resource == directive.resource
    for _address, _rtype, first, last in source.blocks:
        if not placed(directive, first, last, source.comment_lines):
            continue
        if finding.file == directive.file and finding.line == first:
            return True
        if any(call.location.file == directive.file and call.location.line == first for call in finding.via):
            return True
    return False


def placed(directive: Directive, first: int, last: int, comment_lines: set[int]) -> bool:
    """Whether ``directive`` is placed to belong to the block on lines ``first`` to ``last``."""
    last = max(last, first)
    inside = first <= directive.line <= last
    end = directive.end_line or directive.line
    above = end < first and all(n in comment_lines for n in range(end + 1, first))
    if directive.placement == INSIDE:
        return inside
    if directive.placement == ABOVE:
        return above
    if directive.placement == NEXT_LINE:
        return end == first - 1
    return inside or above


def apply_directives(findings: list[Finding], sources: dict[str, Source], when: datetime.date,
                     rules_run: Iterable[str]) -> list[Finding]:
    """Suppress ``findings`` covered by a valid directive; return the CTL900 findings for the directives."""
    used: set[tuple[int, str]] = set()
    for finding in findings:
        if finding.suppressed:
            continue
        files = dict.fromkeys([finding.file, *(call.location.file for call in finding.via)])
        candidates = [(d, sources[f]) for f in files if f in sources for d in sources[f].directives]
        expired: Directive | None = None
        for directive, source in candidates:
            if directive.problem or finding.rule not in directive.rules:
                continue
            if not covers(directive, finding, source):
                continue
            used.add((id(directive), finding.rule))
            if directive.expires is not None and directive.expires < when:
                expired = expired or directive
                continue
            finding.suppression = directive.suppression()
            break
        if finding.suppression is None and expired is not None:
            finding.message += f" (suppression expired {expired.expires_text}: {expired.reason})"
    ran = set(rules_run)
    out = []
    for source in sources.values():
        for directive in source.directives:
            if directive.problem:
                inline = directive.kind == "inline"
                what = "invalid suppression" if inline else f"invalid {directive.origin} ignore"
                out.append(_ctl900(directive, source, "suppression-invalid", what=what, problem=directive.problem))
                continue
            unused = [r for r in directive.rules if r in ran and (id(directive), r) not in used]
            if directive.kind == "inline" and unused:
                out.append(_ctl900(directive, source, "suppression-unused", rules=", ".join(unused)))
    return out


def _ctl900(directive: Directive, source: Source, kind: str, **args: str) -> Finding:
    from .rules import RULES_BY_ID, SUPPRESSION_RULE

    rule = RULES_BY_ID[SUPPRESSION_RULE]
    resource, rtype = directive.resource, directive.resource_type
    if not resource:
        resource, rtype = _enclosing(directive, source)
    message = rule.render(rule.violation(kind, "suppression", **args))
    return Finding(rule.id, rule.name, rule.severity, message, directive.file, directive.line,
                   directive.column, directive.end_line or directive.line, resource, rtype, kind=kind,
                   attribute="suppression")


def _enclosing(directive: Directive, source: Source) -> tuple[str, str]:
    """The Terraform block a directive is inside or above (for naming its CTL900 finding)."""
    probe = Directive(directive.file, directive.line, end_line=directive.end_line)
    for address, rtype, first, last in source.blocks:
        if placed(probe, first, last, source.comment_lines):
            return address, rtype
    below = [(first, address, rtype) for address, rtype, first, _ in source.blocks if first > directive.line]
    return min(below)[1:] if below else ("", "")


def apply_exceptions(findings: list[Finding], exceptions: list[CentralException],
                     when: datetime.date) -> None:
    """Suppress findings that a central exception of the configuration file covers."""
    for finding in findings:
        if finding.suppressed:
            continue
        expired: CentralException | None = None
        for exc in exceptions:
            if finding.rule not in exc.rules or not _matches(finding, exc):
                continue
            if exc.expires is not None and exc.expires < when:
                expired = expired or exc
                continue
            finding.suppression = Suppression("config", exc.reason, exc.owner, exc.expires_text, exc.origin)
            break
        if finding.suppression is None and expired is not None:
            finding.message += f" (exception expired {expired.expires_text}: {expired.reason})"


def _matches(finding: Finding, exc: CentralException) -> bool:
    resource_ok = finding.resource == exc.resource or fnmatch.fnmatchcase(finding.resource, exc.resource)
    if not resource_ok:
        return False
    paths = [finding.file]
    if exc.base:
        with contextlib.suppress(ValueError):  # another drive on Windows
            paths.append(os.path.relpath(os.path.abspath(finding.file), exc.base).replace(os.sep, "/"))
    return any(path == exc.file or fnmatch.fnmatchcase(path, exc.file) for path in paths)
