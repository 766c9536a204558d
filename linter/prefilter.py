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

import os
import re
from typing import NamedTuple

#: Blanks and comments between two tokens of HCL: each kind starts with its own character and ends in one
#: way only (a line comment at its line break), so a failed match never backtracks more than linearly.
_GAP = rb"(?:\s|#[^\n]*\n|//[^\n]*\n|/\*(?:[^*]|\*(?!/))*\*/)"
#: ``resource "aws_cloudtrail" ...`` in HCL (labels may be unquoted), or its JSON-syntax key.
_TF_TRAIL = re.compile(rb'\bresource(?:' + _GAP + rb'+"?|' + _GAP + rb'*")aws_cloudtrail(?:"|(?![\w-]))'
                       rb'|"aws_cloudtrail"\s*:')
#: ``source = "..."`` of a module call, in HCL or JSON syntax.
_TF_SOURCE = re.compile(rb'\bsource"?' + _GAP + rb'*[=:]' + _GAP + rb'*"([^"\n]+)"')
_TF_MODULE = re.compile(rb'\bmodule\b')
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
    sources: tuple[str, ...] = ()
    if b"module" in data and _TF_MODULE.search(data):  # the plain search is much faster than a regex
        sources = tuple(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in _TF_SOURCE.finditer(data)))
    return Facts(b"aws_cloudtrail" in data and bool(_TF_TRAIL.search(data)), sources)


def scan_document(data: bytes) -> Facts:
    """A CloudFormation template or Terraform plan can only hold a trail if it names its type."""
    if _CFN_TRAIL in data or _PLAN_TRAIL in data:
        return Facts(True)
    decoded = without_escapes(data)
    return Facts(decoded is not None and (_CFN_TRAIL in decoded or _PLAN_TRAIL in decoded))


def is_local_source(source: str) -> bool:
    return source.startswith(("./", "../"))


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
        if not result:
            for source in {s for f in facts for s in f.sources}:
                if is_local_source(source):
                    child = os.path.normpath(os.path.join(folder, source))
                    # a missing module may have held a trail: parse the caller so the error is reported
                    if not os.path.isdir(child) or self.relevant(child, facts_of):
                        result = True
                        break
                elif self.downloaded_has_trail(folder):
                    result = True
                    break
        self._memo[key] = result
        return result
