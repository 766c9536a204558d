"""Trails from a Terraform plan in JSON (``terraform show -json plan.out``).

Planned values hold what Terraform already knows at plan time; values known only after apply are
followed through the configuration's references to the resources they come from.
"""

from __future__ import annotations

import re
from typing import Any

from ..arn import log_group_name_from_arn
from ..model import UNKNOWN_ANY, Location, LogGroup, State, Trail, Value
from .common import as_days, unset

TRAIL = "aws_cloudtrail"
LOG_GROUP = "aws_cloudwatch_log_group"
_INDEX = re.compile(r"\[[^\]]*\]")


def _walk_planned(module: Any, out: dict[str, dict[str, Any]]) -> None:
    if not isinstance(module, dict):
        return
    for res in module.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("address"), str):
            out[res["address"]] = res
    for child in module.get("child_modules") or []:
        _walk_planned(child, out)


def _walk_config(module: Any, prefix: str, out: dict[str, dict[str, Any]]) -> None:
    if not isinstance(module, dict):
        return
    for res in module.get("resources") or []:
        if isinstance(res, dict) and isinstance(res.get("address"), str):
            out[prefix + res["address"]] = res.get("expressions") or {}
    for name, call in (module.get("module_calls") or {}).items():
        if isinstance(call, dict):
            _walk_config(call.get("module"), f"{prefix}module.{name}.", out)


def _module_prefix(address: str) -> str:
    """``module.a.module.b.`` of an address (instance keys dropped), or ``""``."""
    parts = _INDEX.sub("", address).split(".")
    prefix = []
    while len(parts) > 2 and parts[0] == "module":
        prefix += parts[:2]
        parts = parts[2:]
    return ".".join(prefix) + "." if prefix else ""


def _config_address(address: str) -> str:
    return _INDEX.sub("", address)


def resolve_plan(plan: dict[str, Any], path: str) -> list[list[Trail]]:
    planned: dict[str, dict[str, Any]] = {}
    _walk_planned((plan.get("planned_values") or {}).get("root_module"), planned)
    config: dict[str, dict[str, Any]] = {}
    _walk_config((plan.get("configuration") or {}).get("root_module"), "", config)
    unknown_after: dict[str, dict[str, Any]] = {}
    for change in plan.get("resource_changes") or []:
        if isinstance(change, dict) and isinstance(change.get("change"), dict):
            unknown_after[str(change.get("address"))] = change["change"].get("after_unknown") or {}

    out = []
    for address, res in planned.items():
        if res.get("type") != TRAIL or res.get("mode", "managed") != "managed":
            continue
        values = res.get("values") if isinstance(res.get("values"), dict) else {}
        unknown = unknown_after.get(address, {})
        expressions = config.get(_config_address(address), {})
        group = _value(values, unknown, expressions, "cloud_watch_logs_group_arn", "no log group ARN is set")
        role = _value(values, unknown, expressions, "cloud_watch_logs_role_arn", "no role ARN is set")
        log_group = _log_group(planned, address, group, path)
        out.append([Trail(address, TRAIL, _location(res, path), group, role, log_group)])
    return out


def _location(res: Any, path: str) -> Location:
    line, col = getattr(res, "key_pos", {}).get("address", (getattr(res, "line", 1), getattr(res, "col", 1)))
    return Location(path, line, col, line)


def _value(values: dict[str, Any], unknown: dict[str, Any], expressions: dict[str, Any], name: str,
           unset_reason: str) -> Value:
    refs = tuple((expressions.get(name) or {}).get("references") or ())
    if unknown.get(name) is True:
        source = ", ".join(refs[:1]) or name
        return Value(State.UNKNOWN, None, f"known only after apply (from {source})", source, refs)
    data = values.get(name)
    if data is None:
        return unset(unset_reason)
    if isinstance(data, str) and not data.strip():
        return Value(State.MISSING, None, f"{name} is an empty string", name)
    return Value(State.KNOWN, data, "", data if isinstance(data, str) else name, refs)


def _log_group(planned: dict[str, dict[str, Any]], trail: str, group: Value, path: str) -> LogGroup | None:
    prefix = _module_prefix(trail)
    target = None
    for ref in group.refs:
        parts = ref.split(".")
        if len(parts) >= 2 and parts[0] == LOG_GROUP:
            base = prefix + ".".join(parts[:2]).split("[")[0]
            target = next((a for a in planned if _config_address(a) == base), None)
            if target:
                break
    if target is None and group.known and isinstance(group.data, str) and UNKNOWN_ANY not in group.data:
        name = log_group_name_from_arn(group.data)
        target = next((a for a, r in planned.items() if r.get("type") == LOG_GROUP
                       and isinstance(r.get("values"), dict) and r["values"].get("name") == name), None)
    if target is None:
        return None
    res = planned[target]
    days = (res.get("values") or {}).get("retention_in_days")
    if days is None:
        retention = unset(f"{target} sets no retention (events never expire)")
    else:
        retention = as_days(Value(State.KNOWN, days, "", "retention_in_days"))
    return LogGroup(target, _location(res, path), retention)
