"""Terraform's ``data "aws_iam_policy_document"`` as a pure function over already-evaluated arguments.

Follows the AWS provider's data source (internal/service/iam/policy_document_data_source.go and the
``Merge`` of policy_model.go): source documents are merged in order (a non-empty ``Sid`` may appear
only once across them), then the ``statement`` blocks (a ``Sid`` replaces a source statement with the
same ``Sid`` in place; others are appended), then each override document the same way. ``effect``
defaults to Allow, ``version`` to 2012-10-17, ``&{`` becomes ``${`` in resources, principals and
condition values. The deprecated ``source_json``/``override_json`` are taken as a first source and a
first override document. Anything Terraform would reject, or that cannot be known, gives a reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import UNKNOWN_ANY
from .match import has_unknown
from .policy import is_unknown_value

_SID = re.compile(r"[A-Za-z0-9]*\Z")
_STATEMENT_KEYS = {
    "sid": "Sid", "effect": "Effect", "action": "Action", "notaction": "NotAction", "resource": "Resource",
    "notresource": "NotResource", "principal": "Principal", "notprincipal": "NotPrincipal", "condition": "Condition",
}


@dataclass(frozen=True)
class TfPolicyDocument:
    """The ``json`` of the data source as a dict, or the reason it cannot be computed."""

    document: dict | None
    reason: str = ""

    def json(self) -> str | None:
        """The document as JSON text (what ``.json`` gives), or None."""
        return None if self.document is None else json.dumps(self.document, indent=2)


class _Fail(Exception):
    pass


def _unknown(value: Any) -> bool:
    return is_unknown_value(value)


def _string_set(value: Any, what: str, version: str, variables: bool) -> Any:
    """A set-of-strings argument as the provider writes it: one string, or a list (reverse-sorted)."""
    if value is None:
        return None
    if _unknown(value):
        items = [UNKNOWN_ANY]
    elif isinstance(value, (list, tuple, set)):
        items = []
        for item in value:
            if _unknown(item):
                items.append(UNKNOWN_ANY)
            elif isinstance(item, str):
                items.append(item)
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                items.append(str(item))
            else:
                raise _Fail(f"{what} must be a list of strings")
    elif isinstance(value, str):
        items = [value]
    else:
        raise _Fail(f"{what} must be a list of strings")
    items = list(dict.fromkeys(items))  # a set
    if not items:
        return None
    if variables:
        for item in items:
            if version == "2008-10-17" and "&{" in item:
                raise _Fail(f"{what}: &{{ is not supported in document version 2008-10-17")
        items = [item.replace("&{", "${") for item in items]
    if len(items) == 1:
        return items[0]
    return sorted(items, reverse=True)


def _blocks(value: Any, what: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if _unknown(value):
        raise _Fail(f"the {what} blocks are not known ({getattr(value, 'reason', '')})")
    if isinstance(value, Mapping):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise _Fail(f"{what} must be blocks")
    out = []
    for block in value:
        if _unknown(block):
            raise _Fail(f"a {what} block is not known ({getattr(block, 'reason', '')})")
        if not isinstance(block, Mapping):
            raise _Fail(f"{what} must be blocks")
        out.append(block)
    return out


def _text(value: Any, what: str, default: str | None = None) -> str | None:
    if value is None:
        return default
    if _unknown(value):
        return UNKNOWN_ANY
    if isinstance(value, str):
        return value
    raise _Fail(f"{what} must be a string")


def _principals(blocks: list[Mapping[str, Any]], version: str) -> Any:
    if not blocks:
        return None
    entries: list[tuple[str, Any]] = []
    for block in blocks:
        kind = _text(block.get("type"), "principals.type")
        if kind is None:
            raise _Fail("principals needs a type")
        ids = _string_set(block.get("identifiers"), "principals.identifiers", version, True)
        if ids is None:
            raise _Fail("principals needs identifiers")
        entries.append((kind, ids))
    if len(entries) == 1 and entries[0][0] == "*" and entries[0][1] in ("*", ["*"]):
        return "*"
    out: dict[str, Any] = {}
    for kind, ids in entries:
        ids_list = ids if isinstance(ids, list) else [ids]
        if kind in out:
            have = out[kind] if isinstance(out[kind], list) else [out[kind]]
            out[kind] = have + ids_list
        else:
            out[kind] = ids
    return out


def _values(raw: Any, version: str) -> list[str]:
    """A condition's ``values``: a list in the schema, so order and duplicates are kept."""
    if raw is None:
        raise _Fail("condition needs values")
    items = [raw] if _unknown(raw) or not isinstance(raw, (list, tuple)) else list(raw)
    out = []
    for item in items:
        if _unknown(item):
            out.append(UNKNOWN_ANY)
            continue
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, (int, float)):
            item = str(item)
        elif not isinstance(item, str):
            raise _Fail("condition.values must be a list of strings")
        if version == "2008-10-17" and "&{" in item:
            raise _Fail("condition.values: &{ is not supported in document version 2008-10-17")
        out.append(item.replace("&{", "${"))
    return out


def _conditions(blocks: list[Mapping[str, Any]], version: str) -> Any:
    if not blocks:
        return None
    out: dict[str, dict[str, list[str]]] = {}
    for block in blocks:
        test = _text(block.get("test"), "condition.test")
        variable = _text(block.get("variable"), "condition.variable")
        if test is None or variable is None:
            raise _Fail("condition needs test and variable")
        listed = _values(block.get("values"), version)
        out.setdefault(test, {}).setdefault(variable, []).extend(listed)
    return {test: {var: vals[0] if len(vals) == 1 else vals for var, vals in keys.items()}
            for test, keys in out.items()}


def _statement(block: Mapping[str, Any], version: str, index: int) -> dict[str, Any]:
    what = f"statement {index + 1}"
    stmt: dict[str, Any] = {}
    sid = _text(block.get("sid"), f"{what}.sid", "")
    if sid and not has_unknown(sid) and not _SID.match(sid):
        raise _Fail(f"{what}: sid {sid!r} must only include alphanumeric characters")
    if sid:
        stmt["Sid"] = sid
    effect = _text(block.get("effect"), f"{what}.effect", "Allow")
    if effect not in ("Allow", "Deny") and not has_unknown(effect or ""):
        raise _Fail(f"{what}: effect must be Allow or Deny, not {effect!r}")
    stmt["Effect"] = effect
    for arg, key, variables in (("actions", "Action", False), ("not_actions", "NotAction", False),
                                ("resources", "Resource", True), ("not_resources", "NotResource", True)):
        value = _string_set(block.get(arg), f"{what}.{arg}", version, variables)
        if value is not None:
            stmt[key] = value
    for arg, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        value = _principals(_blocks(block.get(arg), arg), version)
        if value is not None:
            stmt[key] = value
    condition = _conditions(_blocks(block.get("condition"), "condition"), version)
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def _document(value: Any, what: str) -> dict[str, Any]:
    """A source or override document (JSON text or parsed), with element names as the provider reads them."""
    if _unknown(value):
        raise _Fail(f"{what} is not known ({getattr(value, 'reason', '')})")
    data = value
    if isinstance(value, str):
        try:
            data = json.loads(value, strict=False)
        except (ValueError, RecursionError) as exc:
            if has_unknown(value):
                raise _Fail(f"{what} is not known before deployment") from exc
            raise _Fail(f"{what} is not valid JSON") from exc
    if not isinstance(data, dict):
        raise _Fail(f"{what} is not a policy document")
    top = {k.lower(): v for k, v in data.items() if isinstance(k, str)}  # Go's decoder ignores case
    raw = top.get("statement", [])
    if _unknown(raw):
        raise _Fail(f"the statements of {what} are not known")
    items = raw if isinstance(raw, list) else [raw]
    statements = []
    for item in items:
        if not isinstance(item, dict):
            raise _Fail(f"{what} has a statement that is not an object")
        statements.append({_STATEMENT_KEYS[k.lower()]: v for k, v in item.items()
                           if isinstance(k, str) and k.lower() in _STATEMENT_KEYS})
    version = top.get("version", "")
    return {"Version": version if isinstance(version, str) else "", "Id": top.get("id", ""),
            "Statement": statements}


def _sid(stmt: dict[str, Any]) -> str:
    sid = stmt.get("Sid", "")
    if _unknown(sid):
        return UNKNOWN_ANY
    return sid if isinstance(sid, str) else str(sid)


def _merge(into: dict[str, Any], new: dict[str, Any], unique: bool = False) -> None:
    """The provider's Merge: adopt Id, upgrade Version, replace statements by Sid or append.

    With ``unique`` (the statement blocks, whose Sids Terraform has checked to be distinct) a
    statement is compared only with those that were there before.
    """
    if new.get("Id"):
        into["Id"] = new["Id"]
    if isinstance(new.get("Version"), str) and new["Version"] > into.get("Version", ""):
        into["Version"] = new["Version"]
    before = len(into["Statement"])
    for stmt in new["Statement"]:
        sid = _sid(stmt)
        existing = into["Statement"][:before] if unique else into["Statement"]
        for i, other in enumerate(existing):
            other_sid = _sid(other)
            if not sid or not other_sid:
                continue
            if has_unknown(sid) or has_unknown(other_sid):
                raise _Fail("a statement's sid is not known, so how the documents merge cannot be told")
            if other_sid == sid:
                into["Statement"][i] = stmt
                break
        else:
            into["Statement"].append(stmt)


def _documents(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if _unknown(value):
        raise _Fail(f"{what} is not known ({getattr(value, 'reason', '')})")
    if isinstance(value, (str, dict)):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise _Fail(f"{what} must be a list of policy documents")
    return [v for v in value if v is not None]


def terraform_policy_document(args: Mapping[str, Any]) -> TfPolicyDocument:
    """The document ``data "aws_iam_policy_document"`` produces from its evaluated arguments.

    ``args`` holds ``version``, ``policy_id``, ``statement`` (a list of dicts with ``sid``, ``effect``,
    ``actions``, ``not_actions``, ``resources``, ``not_resources``, ``principals``/``not_principals``
    (lists of ``{type, identifiers}``) and ``condition`` (a list of ``{test, variable, values}``)),
    ``source_policy_documents`` and ``override_policy_documents`` (JSON strings or parsed documents).
    """
    try:
        version = _text(args.get("version"), "version", "2012-10-17") or "2012-10-17"
        if has_unknown(version):
            version = "2012-10-17"
        elif version not in ("2008-10-17", "2012-10-17"):
            raise _Fail(f"version must be 2008-10-17 or 2012-10-17, not {version!r}")
        merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
        for source in _documents(args.get("source_json"), "source_json"):
            if source != "":
                doc = _document(source, "source_json")
                merged = {"Version": doc["Version"], "Id": doc["Id"], "Statement": list(doc["Statement"])}
        seen = {_sid(s) for s in merged["Statement"]} - {""}
        if any(has_unknown(sid) for sid in seen):
            raise _Fail("a statement's sid in source_json is not known")
        for i, source in enumerate(_documents(args.get("source_policy_documents"), "source_policy_documents")):
            doc = _document(source, f"source_policy_documents[{i}]")
            for stmt in doc["Statement"]:
                sid = _sid(stmt)
                if has_unknown(sid):
                    raise _Fail(f"a statement's sid in source_policy_documents[{i}] is not known")
                if sid and sid in seen:
                    raise _Fail(f"duplicate Sid ({sid}) in source_policy_documents; Terraform rejects it")
                seen.add(sid)
            _merge(merged, doc)
        current: dict[str, Any] = {"Version": version, "Id": "", "Statement": []}
        policy_id = _text(args.get("policy_id"), "policy_id", "")
        if policy_id:
            current["Id"] = policy_id
        sids: set[str] = set()
        for i, block in enumerate(_blocks(args.get("statement"), "statement")):
            stmt = _statement(block, version, i)
            sid = stmt.get("Sid", "")
            if sid and not has_unknown(sid):
                if sid in sids:
                    raise _Fail(f"duplicate Sid ({sid}) in the statement blocks; Terraform rejects it")
                sids.add(sid)
            current["Statement"].append(stmt)
        _merge(merged, current, unique=True)
        for what in ("override_json", "override_policy_documents"):
            for i, override in enumerate(_documents(args.get(what), what)):
                if override == "":
                    continue
                _merge(merged, _document(override, f"{what}[{i}]" if what.endswith("s") else what))
    except _Fail as exc:
        return TfPolicyDocument(None, str(exc))
    except RecursionError:
        return TfPolicyDocument(None, "a policy document is nested too deeply")
    out: dict[str, Any] = {"Version": merged["Version"]}
    if merged.get("Id"):
        out["Id"] = merged["Id"]
    out["Statement"] = merged["Statement"]
    return TfPolicyDocument(out)
