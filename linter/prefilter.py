"""Cheap text checks that decide which files a trail can depend on, before anything is parsed.

Only a Terraform module that declares a trail, or calls (directly or through other modules) a module
that does, can produce a finding; only a template or plan that names the trail type can. Everything
else is accounted for by this scan and never parsed. The checks are conservative: a comment that
merely mentions the trail type makes a file relevant, never the other way round.
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple

#: ``resource "aws_cloudtrail" ...`` in HCL (labels may be unquoted), or its JSON-syntax key.
_TF_TRAIL = re.compile(rb'\bresource\s+"?aws_cloudtrail"?[\s{"]|"aws_cloudtrail"\s*:')
#: ``source = "..."`` of a module call, in HCL or JSON syntax.
_TF_SOURCE = re.compile(rb'\bsource"?\s*[=:]\s*"([^"\n]+)"')
_TF_MODULE = re.compile(rb'\bmodule\b')
_CFN_TRAIL = b"AWS::CloudTrail::Trail"
_PLAN_TRAIL = b'"aws_cloudtrail"'


class Facts(NamedTuple):
    """What the text scan learnt about one file (a plain tuple in the cache index: fast to load)."""

    has_trail: bool
    #: Module sources named in the file (Terraform only).
    sources: tuple[str, ...] = ()


def scan_terraform(data: bytes) -> Facts:
    sources: tuple[str, ...] = ()
    if b"module" in data and _TF_MODULE.search(data):  # the plain search is much faster than a regex
        sources = tuple(dict.fromkeys(m.group(1).decode("utf-8", "replace") for m in _TF_SOURCE.finditer(data)))
    return Facts(b"aws_cloudtrail" in data and bool(_TF_TRAIL.search(data)), sources)


def scan_document(data: bytes) -> Facts:
    """A CloudFormation template or Terraform plan can only hold a trail if it names its type."""
    return Facts(_CFN_TRAIL in data or _PLAN_TRAIL in data)


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
