"""Configuration files: ``[tool.cloudtrail-lint]`` in ``pyproject.toml`` or top-level keys in
``.cloudtrail-lint.toml``, found by walking up from the working directory (the nearest wins).

Every key is validated; an unknown key or a bad value is a :class:`ConfigError` naming the file and
the key. Command-line options override the file, which overrides the built-in defaults.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from .sources import display_path

CONFIG_NAME = ".cloudtrail-lint.toml"
PYPROJECT = "pyproject.toml"
SEVERITIES = ("error", "warning", "note")
UNKNOWN_MODES = ("ignore", "warn", "fail")
_EXCEPTION_KEYS = ("rule", "rules", "resource", "file", "reason", "owner", "expires")


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names the file and the key."""


@dataclass
class Config:
    """A validated configuration; ``values`` are keyword arguments of the engine's ``Settings``."""

    path: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _tomllib():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.9/3.10 only
        import tomli as tomllib
    return tomllib


def find(start: str = ".") -> str | None:
    """The nearest configuration file at or above ``start``; a pyproject.toml counts only with our table."""
    folder = os.path.abspath(start)
    while True:
        candidate = os.path.join(folder, CONFIG_NAME)
        if os.path.isfile(candidate):
            return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _has_table(candidate):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_table(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            if b"cloudtrail-lint" not in handle.read():
                return False
    except OSError:
        return False
    try:
        tool = _read(path).get("tool")
    except ConfigError:
        return True  # let load() report what is wrong with it
    return isinstance(tool, dict) and "cloudtrail-lint" in tool


def _read(path: str) -> dict[str, Any]:
    shown = display_path(path)
    tomllib = _tomllib()
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read configuration: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None


def load(path: str | None) -> Config:
    """Read and validate the configuration in ``path`` (no file: an empty configuration)."""
    if path is None:
        return Config()
    data = _read(path)
    if os.path.basename(path) == PYPROJECT:
        tool = data.get("tool", {})
        data = tool.get("cloudtrail-lint", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise ConfigError(f"{display_path(path)}: [tool.cloudtrail-lint] must be a table")
    return Config(path, _validate(data, _Context(display_path(path), os.path.dirname(os.path.abspath(path)))))


@dataclass
class _Context:
    shown: str  # the file as named in messages
    base: str  # its folder: relative paths in it are relative to this


def _validate(data: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        check = _CHECKS.get(key)
        if check is None:
            raise ConfigError(f"{ctx.shown}: unknown key {key!r}")
        name, converted = check(value, f"{ctx.shown}: {key}", ctx)
        out[name] = converted
    return out


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def _min_retention(value: Any, where: str, ctx: _Context) -> tuple[str, int]:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail(where, f"must be a whole number of days, at least 1 (got {value!r})")
    return "min_retention_days", value


def _unknown(value: Any, where: str, ctx: _Context) -> tuple[str, str]:
    if value not in UNKNOWN_MODES:
        raise _fail(where, f"must be one of {', '.join(UNKNOWN_MODES)} (got {value!r})")
    return "unknown", value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"must be a list of strings (got {value!r})")
    return list(value)


def _rule_prefixes(value: Any, where: str) -> list[str]:
    from .rules import RULES_BY_ID

    prefixes = [p.strip().upper() for v in _strings(value, where) for p in v.split(",") if p.strip()]
    for prefix in prefixes:
        if not any(rule_id.startswith(prefix) for rule_id in RULES_BY_ID):
            raise _fail(where, f"no rule matches {prefix!r}")
    return prefixes


def _select(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    return "select", _rule_prefixes(value, where)


def _ignore(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    return "ignore", _rule_prefixes(value, where)


def _severity(value: Any, where: str, ctx: _Context) -> tuple[str, dict[str, str]]:
    from .rules import RULES_BY_ID, UNRESOLVED_RULE

    if not isinstance(value, dict):
        raise _fail(where, 'must be a table of rule id to severity, e.g. {CTL003 = "warning"}')
    out = {}
    for rule_id, severity in value.items():
        if rule_id.upper() not in RULES_BY_ID:
            raise _fail(f"{where}.{rule_id}", "unknown rule")
        if rule_id.upper() == UNRESOLVED_RULE:
            raise _fail(f"{where}.{rule_id}", "set its severity with 'unknown' (ignore, warn or fail)")
        if severity not in SEVERITIES:
            raise _fail(f"{where}.{rule_id}", f"must be one of {', '.join(SEVERITIES)} (got {severity!r})")
        out[rule_id.upper()] = severity
    return "severity", out


def _exclude(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    return "excludes", _strings(value, where)


def _var_files(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    paths = []
    for item in _strings(value, where):
        path = os.path.normpath(os.path.join(ctx.base, item))
        if not os.path.isfile(path):
            raise _fail(where, f"no such file {item!r}")
        paths.append(display_path(path))
    return "var_files", paths


def _honor_peers(value: Any, where: str, ctx: _Context) -> tuple[str, bool]:
    if not isinstance(value, bool):
        raise _fail(where, f"must be true or false (got {value!r})")
    return "honor_peer_suppressions", value


def _exceptions(value: Any, where: str, ctx: _Context) -> tuple[str, list[Any]]:
    from .rules import RULES_BY_ID
    from .suppressions import CentralException, parse_date

    if not isinstance(value, list):
        raise _fail(where, "must be a list of [[exceptions]] tables")
    out = []
    for i, entry in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(entry, dict):
            raise _fail(at, "must be a table")
        for key in entry:
            if key not in _EXCEPTION_KEYS:
                raise _fail(at, f"unknown key {key!r}")
        if "rule" in entry and "rules" in entry:
            raise _fail(at, "give either 'rule' or 'rules', not both")
        if "rule" in entry:
            if not isinstance(entry["rule"], str):
                raise _fail(f"{at}.rule", f"must be a rule id (got {entry['rule']!r})")
            rules = [entry["rule"]]
        elif "rules" in entry:
            rules = _strings(entry["rules"], f"{at}.rules")
        else:
            raise _fail(at, "missing key 'rule'")
        rules = [r.strip().upper() for r in rules]
        for rule_id in rules:
            if rule_id not in RULES_BY_ID:
                raise _fail(f"{at}.{'rule' if 'rule' in entry else 'rules'}", f"unknown rule {rule_id!r}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problem = "missing key 'reason'" if reason is None else "reason: must be a non-empty string"
            raise _fail(at, problem)
        for key in ("resource", "file", "owner"):
            if key in entry and not isinstance(entry[key], str):
                raise _fail(f"{at}.{key}", f"must be a string (got {entry[key]!r})")
        expires = parse_date(entry["expires"]) if "expires" in entry else None
        if "expires" in entry and expires is None:
            raise _fail(f"{at}.expires", f"malformed date {entry['expires']!r} (expected YYYY-MM-DD)")
        out.append(CentralException(
            rules=tuple(rules), reason=reason.strip(), resource=entry.get("resource", "*"),
            file=entry.get("file", "*"), owner=entry.get("owner", ""), expires=expires,
            expires_text=expires.isoformat() if expires else "", origin=ctx.shown, base=ctx.base,
        ))
    return "exceptions", out


_CHECKS = {
    "min-retention-days": _min_retention,
    "unknown": _unknown,
    "select": _select,
    "ignore": _ignore,
    "severity": _severity,
    "exclude": _exclude,
    "var-files": _var_files,
    "honor-peer-suppressions": _honor_peers,
    "exceptions": _exceptions,
}


def merge(given: dict[str, Any], config: Config) -> dict[str, Any]:
    """Settings keyword arguments: options given on the command line (not None), else the file's values."""
    out = dict(config.values)
    out.update({key: value for key, value in given.items() if value is not None})
    return out


def settings_from(given: dict[str, Any], config_file: str | None = None, start: str = ".") -> Any:
    """:class:`~cloudtrail_lint.engine.Settings` from command-line values (None: not given), the named
    configuration file or else the nearest one above ``start``, and the built-in defaults."""
    from .engine import Settings

    config = load(config_file if config_file else find(start))
    return Settings(**merge(given, config))
