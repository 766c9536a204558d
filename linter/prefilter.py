"""Cheap text checks that decide which files a trail can depend on, before anything is parsed.

Only a Terraform module that declares a trail, or calls (directly or through other modules) a module
that does, can produce a finding; only a template or plan that names the trail type can. Everything
else is accounted for by this scan and never parsed. The checks are conservative: a comment that
merely mentions the trail type makes a file relevant, never the other way round. Comments may stand
anywhere between the words the checks look for, and a file with escapes (``\\u0054``, ``\\x54``, a
YAML escaped line break) is checked again with them decoded, so neither can hide a trail or a module
call; the plain byte search that comes first keeps the scan of an ordinary file fast.
"""

from __future__ import annotations

import bisect
import os
import re
from typing import NamedTuple

#: ``resource "aws_cloudtrail" ...`` in HCL (labels may be unquoted), or its JSON-syntax key.
_TF_TRAIL = re.compile(rb'\bresource(?:\s*"aws_cloudtrail"|\s+aws_cloudtrail(?![\w-]))|"aws_cloudtrail"\s*:')
#: ``source = "..."`` of a module call (HCL or JSON syntax), or ``source`` and a comment where a blank could
#: be. It starts with its word, not ``\\b``: the regex engine then skips ahead to each ``source`` (twice
#: as fast on a large tree); the word boundary is checked after.
_TF_SOURCE = re.compile(rb'source"?\s*(?:[=:]\s*(?:"([^"\n]+)"|/\*|#|//)|/\*|#|//)')
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_TF_MODULE = re.compile(rb'\bmodule\b')
#: A comment where the plain pattern expects only blanks: then :class:`_Gaps` reads through it.
_RESOURCE_COMMENT = re.compile(rb"\bresource\s*(?:/\*|#|//)")
_RESOURCE = re.compile(rb"\bresource\b")
_SOURCE = re.compile(rb'\bsource\b"?')
_TRAIL_LABEL = re.compile(rb'"aws_cloudtrail"|aws_cloudtrail(?![\w-])')
_QUOTED = re.compile(rb'"([^"\n]+)"')
_BLANKS = re.compile(rb"\s*")
_CFN_TRAIL = b"AWS::CloudTrail::Trail"
_PLAN_TRAIL = b'"aws_cloudtrail"'
#: Escapes of HCL, JSON and YAML strings that can stand for the characters of a type or a module source,
#: and YAML's escaped line break (the break and the next line's leading blanks are left out).
_ESCAPE = re.compile(rb"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|x([0-9a-fA-F]{2})|\r?\n[ \t]*)")


def _decoded(match: re.Match[bytes]) -> bytes:
    code = match.group(1) or match.group(2) or match.group(3)
    if code is None:
        return b""  # an escaped line break
    value = int(code, 16)
    return chr(value).encode("utf-8", "surrogatepass") if value < 0x110000 else match.group(0)


def without_escapes(data: bytes) -> bytes | None:
    """``data`` with the escapes of :data:`_ESCAPE` decoded; None when it has none (the usual case)."""
    if b"\\" not in data or not _ESCAPE.search(data):
        return None
    return _ESCAPE.sub(_decoded, data)


class Facts(NamedTuple):
    """What the text scan learnt about one file (a plain tuple in the cache index: fast to load)."""

    has_trail: bool
    #: Module sources named in the file (Terraform only).
    sources: tuple[str, ...] = ()


def scan_terraform(data: bytes) -> Facts:
    facts = _scan_terraform(data)
    decoded = without_escapes(data)
    if decoded is not None:  # the text as written and as decoded: a decoded quote may break a match
        more = _scan_terraform(decoded)
        written = tuple(s for s in facts.sources if "\\" not in s)
        facts = Facts(facts.has_trail or more.has_trail, tuple(dict.fromkeys(written + more.sources)))
    return facts


def _scan_terraform(data: bytes) -> Facts:
    sources: list[bytes] = []
    gaps = None
    if b"module" in data and _TF_MODULE.search(data):  # the plain search is much faster than a regex
        commented = False
        for match in _TF_SOURCE.finditer(data):
            if match.start() and data[match.start() - 1] in _WORD_BYTES:
                continue  # the end of a longer word
            if match.group(1) is None:
                commented = True
            else:
                sources.append(match.group(1))
        if commented:  # `source = /* c */ "./m"`: read through the comments
            gaps = _Gaps(data)
            for word in _SOURCE.finditer(data):
                i = gaps.end(word.end())
                if data[i:i + 1] in (b"=", b":"):
                    quoted = _QUOTED.match(data, gaps.end(i + 1))
                    if quoted:
                        sources.append(quoted.group(1))
    has_trail = b"aws_cloudtrail" in data and bool(_TF_TRAIL.search(data))
    if not has_trail and b"aws_cloudtrail" in data and _RESOURCE_COMMENT.search(data):
        gaps = gaps or _Gaps(data)  # `resource /* c */ "aws_cloudtrail"`
        has_trail = any(_TRAIL_LABEL.match(data, gaps.end(word.end())) for word in _RESOURCE.finditer(data))
    return Facts(has_trail, tuple(dict.fromkeys(s.decode("utf-8", "replace") for s in sources)))


class _Gaps:
    """Where the blanks and comments after a position end, for many positions of one text.

    Hostile text such as ``resource /* resource /* ...`` makes many positions cross the same comments;
    comment ends are looked up in sorted offsets and every position a walk passed through remembers
    where it ended, so the whole scan stays linear in the size of the text.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.ends: dict[int, int] = {}
        self._closers: list[int] | None = None
        self._breaks: list[int] | None = None

    def end(self, i: int) -> int:
        data, n = self.data, len(self.data)
        passed = []
        while i < n:
            if i in self.ends:
                i = self.ends[i]
                break
            passed.append(i)
            i = _BLANKS.match(data, i).end()
            if data.startswith(b"/*", i):
                if self._closers is None:
                    self._closers = [m.start() for m in re.finditer(rb"\*/", data)]
                i = self._after(self._closers, i + 2) + 2
            elif data.startswith((b"#", b"//"), i):
                if self._breaks is None:
                    self._breaks = [m.start() for m in re.finditer(rb"\n", data)]
                i = self._after(self._breaks, i)
            else:
                break
        for position in passed:
            self.ends[position] = i
        return min(i, n)

    def _after(self, offsets: list[int], start: int) -> int:
        """The first offset at or after ``start``; the end of the text (a comment left open) if none."""
        k = bisect.bisect_left(offsets, start)
        return offsets[k] if k < len(offsets) else len(self.data)


#: Resource types whose contents are deployed from elsewhere (a nested stack, a custom resource): a
#: template with one is read, so that one that may create a trail is reported as not followed.
_CFN_OPAQUE = (b"AWS::CloudFormation::Stack", b"Custom::", b"CustomResource", b"AWS::Serverless::Application")


def scan_document(data: bytes) -> Facts:
    """A CloudFormation template or Terraform plan can only hold a trail if it names its type (or deploys
    contents from elsewhere)."""
    if _CFN_TRAIL in data or _PLAN_TRAIL in data or any(t in data for t in _CFN_OPAQUE):
        return Facts(True)
    decoded = without_escapes(data)
    return Facts(decoded is not None and (_CFN_TRAIL in decoded or _PLAN_TRAIL in decoded))


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../"))


#: Words in the source or name of code the linter cannot read (a module that is not downloaded, a nested
#: stack, a custom resource) that suggest it may create a trail.
_TRAIL_HINT = re.compile(r"trail|audit|baseline|landing.?zone|control.?tower|guardrail|security|compliance"
                         r"|log.?archive|organi[sz]ation", re.I)


def may_hold_trail(*texts: str) -> bool:
    """Whether code named or sourced like this may create a trail."""
    return any(_TRAIL_HINT.search(text) for text in texts if text)


class Relevance:
    """Decides, per Terraform module folder, whether it can contain or lead to a trail."""

    def __init__(self, folder_facts: dict[str, list[Facts]], downloaded_has_trail, absolute=os.path.abspath) -> None:
        #: absolute path of a folder -> facts of its .tf files
        self.folder_facts = folder_facts
        self.downloaded_has_trail = downloaded_has_trail
        self.absolute = absolute
        self._memo: dict[str, bool] = {}

    def relevant(self, folder: str, facts_of) -> bool:
        """``facts_of(folder)`` gives the facts of a folder not scanned yet (a called module)."""
        key = self.absolute(folder)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = False  # a module cycle adds nothing
        facts = self.folder_facts.get(key)
        if facts is None:
            facts = facts_of(folder)
            self.folder_facts[key] = facts
        result = any(f.has_trail for f in facts)
        if not result and any(f.sources for f in facts):
            for source in {s for f in facts for s in f.sources}:
                if is_local_source(source):
                    child = os.path.normpath(os.path.join(folder, source))
                    # a missing module may have held a trail: parse the caller so the error is reported
                    if not os.path.isdir(child) or self.relevant(child, facts_of):
                        result = True
                        break
                elif may_hold_trail(source) or self.downloaded_has_trail(folder):
                    # a remote module named like one that creates a trail: parse the caller, so the module
                    # is followed if downloaded and reported if not
                    result = True
                    break
        self._memo[key] = result
        return result
