"""Configuration files: ``[tool.cloudtrail-lint]`` in ``pyproject.toml`` or top-level keys in
``.cloudtrail-lint.toml``, found by walking up from the working directory to the repository root
(the nearest wins; outside a git repository only the working directory is looked at).

Every key is validated; an unknown key or a bad value is a :class:`ConfigError` naming the file and
the key. Paths and globs in a file stay inside its repository: absolute paths, ``..`` that leaves it
and links out of it are errors. Command-line options override the file, which overrides the
built-in defaults.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from .frontends import ParseError
from .repository import find_root
from .sources import display_path, read_bytes, why_unread

CONFIG_NAME = ".cloudtrail-lint.toml"
PYPROJECT = "pyproject.toml"
SEVERITIES = ("error", "warning", "note")
UNKNOWN_MODES = ("ignore", "warn", "fail")
_EXCEPTION_KEYS = ("rule", "rules", "resource", "file", "reason", "owner", "expires")
#: How much of a path or glob from a configuration file a message shows.
_PATH_ROOM = 240
#: Our table in a pyproject.toml that may not parse: a header ``[tool.cloudtrail-lint]`` or
#: ``[[tool.cloudtrail-lint.exceptions]]``, or a dotted key ``tool.cloudtrail-lint.unknown = ...``, with the
#: spaces and quotes TOML allows. A dependency ``"cloudtrail-lint>=1"`` or ``cloudtrail-lint = "^1"`` is not.
_OURS = re.compile(r"""(?m)^[ \t]*(?:\[\[?[ \t]*)?tool[ \t]*\.[ \t]*"""
                   r"""(?:cloudtrail-lint|"cloudtrail-lint"|'cloudtrail-lint')[ \t]*[.\]=]""")


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
    """The nearest configuration file from ``start`` up to the repository root (outside a git repository:
    in ``start`` only); a pyproject.toml counts only when it is ours (see :func:`_is_ours`).

    A ``.cloudtrail-lint.toml`` that is not a regular file or links out of that folder is a
    :class:`ConfigError`; such a pyproject.toml is passed over, since it need not be ours.
    """
    folder = os.path.abspath(start)
    root = find_root(folder)
    top = root or folder
    real_top = os.path.realpath(top)
    while True:
        candidate = os.path.join(folder, CONFIG_NAME)
        if os.path.lexists(candidate):
            real = os.path.realpath(candidate)
            if not _inside(real, real_top):
                where = "the repository" if root else "the working directory"
                raise ConfigError(f"{display_path(candidate)}: links to {_show(real, _PATH_ROOM)}, outside {where};"
                                  " not read")
            if not os.path.isfile(real):
                raise ConfigError(f"{display_path(candidate)}: not a regular file; not read")
            return candidate
        candidate = os.path.join(folder, PYPROJECT)
        if _is_ours(candidate, real_top):
            return candidate
        if folder == top:
            return None
        folder = os.path.dirname(folder)


def _is_ours(path: str, real_top: str) -> bool:
    """Whether the pyproject.toml at ``path`` holds configuration of ours: a ``tool.cloudtrail-lint`` entry,
    or, when it does not parse, text that writes one (then :func:`load` reports what is wrong). A file that
    merely mentions the tool (a dependency, a comment) is not ours, nor one outside ``real_top``."""
    real = os.path.realpath(path)
    if not os.path.isfile(real) or not _inside(real, real_top):
        return False
    try:
        raw = read_bytes(real, CONFIG_MAX_SIZE, [real_top])
    except ParseError:
        return False
    if b"cloudtrail-lint" not in raw:
        return False
    try:
        tool = _parse(raw, path).get("tool")
    except ConfigError:
        return _OURS.search(raw.decode("utf-8", "replace")) is not None
    return isinstance(tool, dict) and "cloudtrail-lint" in tool


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _show(value: Any, limit: int = 60) -> str:
    """``repr(value)``, shortened: values in messages come from files anyone may have written (paths get
    more room)."""
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # nested too deeply; an int too long to print
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _name(key: str) -> str:
    """A key from a file, for a message: escaped as ``repr`` escapes it, without quotes, shortened."""
    shown = repr(key)[1:-1]
    return shown if len(shown) <= 60 else shown[:59] + "…"


#: Largest configuration file read (a pyproject.toml is rarely more than a few KiB).
CONFIG_MAX_SIZE = 1024 * 1024


def _read(path: str) -> dict[str, Any]:
    """The TOML of a configuration file: a regular file only (``--config /dev/stdin`` never blocks)."""
    try:
        raw = read_bytes(path, CONFIG_MAX_SIZE)
    except ParseError as exc:
        raise ConfigError(f"{display_path(path)}: cannot read configuration: {why_unread(exc)}") from None
    return _parse(raw, path)


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    """The TOML document ``raw``; a :class:`ConfigError` naming ``path`` for anything it cannot be."""
    shown = display_path(path)
    tomllib = _tomllib()
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{shown}: invalid TOML: nested too deeply") from None
    except ValueError as exc:  # tomllib lets int()'s digit limit through
        raise ConfigError(f"{shown}: invalid TOML: {_number_problem(exc)}") from None


def _number_problem(exc: ValueError) -> str:
    if "integer string conversion" in str(exc):
        return f"a number has more than {_max_int_digits()} digits"
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _max_int_digits() -> int:
    return getattr(sys, "get_int_max_str_digits", lambda: 4300)() or 4300


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
    base = os.path.dirname(os.path.abspath(path))
    root = find_root(base)
    ctx = _Context(display_path(path), base, os.path.realpath(root or base),
                   "the repository" if root else "the configuration file's folder")
    return Config(path, _validate(data, ctx))


@dataclass
class _Context:
    shown: str  # the file as named in messages
    base: str  # its folder: relative paths in it are relative to this
    root: str  # the real path of the folder every path in it must stay in: its repository, else its folder
    root_name: str  # that folder in messages


def _validate(data: dict[str, Any], ctx: _Context) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        check = _CHECKS.get(key)
        if check is None:
            raise ConfigError(f"{ctx.shown}: unknown key {_show(key)}")
        name, converted = check(value, f"{ctx.shown}: {key}", ctx)
        out[name] = converted
    return out


def _fail(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}")


def _min_retention(value: Any, where: str, ctx: _Context) -> tuple[str, int]:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _fail(where, f"must be a whole number of days, at least 1 (got {_show(value)})")
    return "min_retention_days", value


def _unknown(value: Any, where: str, ctx: _Context) -> tuple[str, str]:
    if value not in UNKNOWN_MODES:
        raise _fail(where, f"must be one of {', '.join(UNKNOWN_MODES)} (got {_show(value)})")
    return "unknown", value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"must be a list of strings (got {_show(value)})")
    return list(value)


def _rule_prefixes(value: Any, where: str) -> list[str]:
    from .rules import RULES_BY_ID

    prefixes = [p.strip().upper() for v in _strings(value, where) for p in v.split(",") if p.strip()]
    for prefix in prefixes:
        if not any(rule_id.startswith(prefix) for rule_id in RULES_BY_ID):
            raise _fail(where, f"no rule matches {_show(prefix)}")
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
            raise _fail(f"{where}.{_name(rule_id)}", "unknown rule")
        if rule_id.upper() == UNRESOLVED_RULE:
            raise _fail(f"{where}.{_name(rule_id)}", "set its severity with 'unknown' (ignore, warn or fail)")
        if severity not in SEVERITIES:
            raise _fail(f"{where}.{_name(rule_id)}", f"must be one of {', '.join(SEVERITIES)} (got {_show(severity)})")
        out[rule_id.upper()] = severity
    return "severity", out


def _exclude(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    patterns = _strings(value, where)
    for pattern in patterns:
        _check_glob(pattern, where, ctx)
    return "excludes", patterns


def _var_files(value: Any, where: str, ctx: _Context) -> tuple[str, list[str]]:
    paths = []
    for item in _strings(value, where):
        path = _confined(item, where, ctx)
        real = os.path.realpath(path)
        if not _inside(real, ctx.root):
            raise _fail(where, f"{_show(item, _PATH_ROOM)} links to a file outside {ctx.root_name};"
                        f" {_stay_inside(ctx)}")
        if not os.path.isfile(real):
            raise _fail(where, f"no such file {_show(item, _PATH_ROOM)}")
        paths.append(display_path(path))
    return "var_files", paths


def _stay_inside(ctx: _Context) -> str:
    return f"paths in a configuration file must stay inside {ctx.root_name} (name other files on the command line)"


def _is_absolute(text: str) -> bool:
    return os.path.isabs(text) or text.startswith(("/", "\\")) or bool(os.path.splitdrive(text)[0])


def _confined(item: str, where: str, ctx: _Context) -> str:
    """The path ``item`` names, relative to the configuration file's folder; a :class:`ConfigError` when it
    is absolute or ``..`` takes it out of the folder it must stay in."""
    if _is_absolute(item):
        raise _fail(where, f"{_show(item, _PATH_ROOM)} is an absolute path; {_stay_inside(ctx)}")
    path = os.path.normpath(os.path.join(os.path.realpath(ctx.base), item))
    if not _inside(path, ctx.root):
        raise _fail(where, f"{_show(item, _PATH_ROOM)} is outside {ctx.root_name}; {_stay_inside(ctx)}")
    return path


def _check_glob(pattern: str, where: str, ctx: _Context) -> None:
    """A glob from a configuration file names nothing outside its repository: no absolute path, no ``..``."""
    if _is_absolute(pattern):
        raise _fail(where, f"{_show(pattern, _PATH_ROOM)} is an absolute path; {_stay_inside(ctx)}")
    if ".." in re.split(r"[/\\]", pattern):
        raise _fail(where, f"{_show(pattern, _PATH_ROOM)} goes up with '..'; {_stay_inside(ctx)}")


def _honor_peers(value: Any, where: str, ctx: _Context) -> tuple[str, bool]:
    if not isinstance(value, bool):
        raise _fail(where, f"must be true or false (got {_show(value)})")
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
                raise _fail(at, f"unknown key {_show(key)}")
        if "rule" in entry and "rules" in entry:
            raise _fail(at, "give either 'rule' or 'rules', not both")
        if "rule" in entry:
            if not isinstance(entry["rule"], str):
                raise _fail(f"{at}.rule", f"must be a rule id (got {_show(entry['rule'])})")
            rules = [entry["rule"]]
        elif "rules" in entry:
            rules = _strings(entry["rules"], f"{at}.rules")
        else:
            raise _fail(at, "missing key 'rule'")
        rules = [r.strip().upper() for r in rules]
        for rule_id in rules:
            if rule_id not in RULES_BY_ID:
                raise _fail(f"{at}.{'rule' if 'rule' in entry else 'rules'}", f"unknown rule {_show(rule_id)}")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problem = "missing key 'reason'" if reason is None else "reason: must be a non-empty string"
            raise _fail(at, problem)
        for key in ("resource", "file", "owner"):
            if key in entry and not isinstance(entry[key], str):
                raise _fail(f"{at}.{key}", f"must be a string (got {_show(entry[key])})")
        if "file" in entry:
            _check_glob(entry["file"], f"{at}.file", ctx)
        expires = parse_date(entry["expires"]) if "expires" in entry else None
        if "expires" in entry and expires is None:
            raise _fail(f"{at}.expires", f"malformed date {_show(entry['expires'])} (expected YYYY-MM-DD)")
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
