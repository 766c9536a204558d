"""Terraform's ``file()`` and ``templatefile()``, reading only small text files of the module itself.

A path is taken as Terraform does (``path.module`` is the module's folder; a relative path is relative to
the root module's folder, where Terraform runs). A file is read only when its real path (symlinks
resolved) is inside the calling module's folder or the root module's folder, it is a regular file and
it is at most :data:`MAX_FILE_SIZE` bytes; anything else is an unknown value that says why. Templates
are rendered for plain ``${name}`` and ``${jsonencode(name)}`` interpolations; directives (``%{ if }``)
and other expressions make the result unknown.
"""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

from ..model import UNKNOWN_ANY
from .common import Unknown
from .tf_functions import to_str

if TYPE_CHECKING:
    from ..frontends.hcl_ast import Call
    from .terraform import Evaluator, Scope

#: Largest file ``file()``/``templatefile()`` read (IAM policies are at most a few KiB).
MAX_FILE_SIZE = 256 * 1024

_NAME = re.compile(r"\s*([A-Za-z_][\w-]*)\s*\Z")
_JSONENCODE = re.compile(r"\s*jsonencode\(\s*([A-Za-z_][\w-]*)\s*\)\s*\Z")


def folders(scope: Scope) -> tuple[str, str]:
    """(the scope's module folder, the root module's folder), as absolute paths."""
    module = os.path.abspath(scope.module.dir)
    root = os.path.dirname(os.path.abspath(scope.via[0].location.file)) if scope.via else module
    return module, root


def call(ev: Evaluator, node: Call, env: dict[str, Any]) -> Any:
    """The value of a ``file(...)`` or ``templatefile(...)`` call in the evaluator's current scope."""
    scope = ev.scope
    assert scope is not None
    name = node.name.split("::")[-1]
    module, root = folders(scope)
    if not node.args or len(node.args) != (1 if name == "file" else 2):
        return ev.trace.unknown(f"error: `{_short(node.src)}` has the wrong number of arguments")
    paths = {"module": module, "root": root, "cwd": root}
    path = ev.eval(node.args[0], {**env, "path": paths})
    if isinstance(path, Unknown):
        return path
    if not isinstance(path, str) or UNKNOWN_ANY in path or "\x01" in path:
        return ev.trace.unknown(f"the file name in `{_short(node.src)}` is not known")
    text = read(path, (module, root))
    if isinstance(text, Unknown):
        return ev.trace.unknown(f"{name}({_show(path, root)}): {text.reason}")
    if name == "file":
        return ev.budget.text(text)
    variables = ev.eval(node.args[1], env)
    if isinstance(variables, Unknown):
        return variables
    if not isinstance(variables, dict):
        return ev.trace.unknown(f"error: the variables of `{_short(node.src)}` are not a map")
    rendered = render(text, variables)
    if isinstance(rendered, Unknown):
        return ev.trace.unknown(f"templatefile({_show(path, root)}): {rendered.reason}")
    return ev.budget.text(rendered)


def read(path: str, allowed: tuple[str, ...]) -> str | Unknown:
    """The text of ``path`` (relative to the last of ``allowed``) when it is a small regular file inside one of
    the ``allowed`` folders; else an :class:`Unknown` saying why not."""
    from ..frontends import ParseError
    from ..sources import read_text

    full = path if os.path.isabs(path) else os.path.join(allowed[-1], path)
    real = os.path.realpath(full)
    inside = any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in map(os.path.realpath, allowed))
    if not inside:
        return Unknown("the file is outside the module's folder, so it is not read")
    if not os.path.isfile(real):
        return Unknown("the file does not exist")
    try:
        return read_text(real, MAX_FILE_SIZE)
    except ParseError as exc:
        return Unknown(f"the file cannot be read ({exc.message})")


def render(text: str, variables: dict[str, Any]) -> str | Unknown:
    """``templatefile``'s rendering for ``${name}`` and ``${jsonencode(name)}``; anything else is unknown."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        dollar, percent = text.find("${", i), text.find("%{", i)
        starts = [p for p in (dollar, percent) if p >= 0]
        if not starts:
            out.append(text[i:])
            break
        at = min(starts)
        if at > 0 and text[at - 1] == text[at]:
            out.append(text[i:at - 1] + text[at:at + 2])  # $${ and %%{ are the literal text
            i = at + 2
            continue
        out.append(text[i:at])
        if at == percent:
            return Unknown("template directives (%{ ... }) are not evaluated")
        end = text.find("}", at + 2)
        if end < 0:
            return Unknown("an interpolation is not closed")
        expr = text[at + 2:end]
        value = _interpolate(expr, variables)
        if isinstance(value, Unknown):
            return value
        out.append(value)
        i = end + 1
    return "".join(out)


def _interpolate(expr: str, variables: dict[str, Any]) -> str | Unknown:
    name = _NAME.match(expr)
    encoded = _JSONENCODE.match(expr)
    key = (name or encoded).group(1) if (name or encoded) else None
    if key is None:
        return Unknown(f"the interpolation ${{{_short(expr, 40)}}} is not evaluated")
    if key not in variables:
        return Unknown(f"the template reads {key}, which is not among its variables")
    value = variables[key]
    if encoded:
        try:
            return json.dumps(value, default=lambda _: UNKNOWN_ANY)
        except (TypeError, ValueError):
            return Unknown(f"jsonencode({key}) is not known")
    if isinstance(value, Unknown):
        return UNKNOWN_ANY
    if isinstance(value, (list, dict)):
        return Unknown(f"the template interpolates {key}, which is not a string")
    return to_str(value)


def _show(path: str, root: str) -> str:
    shown = os.path.relpath(path, root) if os.path.isabs(path) else path
    return json.dumps(shown.replace(os.sep, "/"))


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
