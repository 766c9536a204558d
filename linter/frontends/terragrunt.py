"""terragrunt: a ``terragrunt.hcl`` whose ``terraform { source }`` names a module deploys that module as a
root, with its ``inputs`` as the variables' values. It is read as a root module that calls the module:

- a local source (``../modules/trail``, ``${get_terragrunt_dir()}/../modules//trail``) is followed;
- a registry or git source is followed when terragrunt has downloaded it into ``.terragrunt-cache``,
  and otherwise reported as not followed (CTL010) when it may create a trail;
- ``inputs`` written as an object are the module's arguments; ``dependency.<name>.outputs`` are known only
  after the other module is applied, and values an ``include``d parent configuration may set are not read:
  both are unknowns with that reason.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..model import Location, Unfollowed
from .hcl_ast import Attribute, Block, Call, Literal, Name, ObjectExpr, Template, TfFile

FILE_NAME = "terragrunt.hcl"
CACHE = ".terragrunt-cache"
#: The module call a terragrunt configuration stands for (its trails keep their root addresses).
CALL = "terragrunt"
_REMOTE = re.compile(r"^(?:[a-z0-9]+::|[a-z]+://|tfr:|github\.com/|bitbucket\.org/|git@)", re.I)


def source_text(expr: Any, folder: str) -> str | None:
    """The source of ``terraform { source }``: a literal, or a template of ``get_terragrunt_dir()`` /
    ``get_parent_terragrunt_dir()`` and text (None when it cannot be read statically)."""
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Template):
        out = []
        for part in expr.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Call) and part.name in ("get_terragrunt_dir", "get_original_terragrunt_dir"):
                out.append(folder)
            else:
                return None
        return "".join(out)
    return None


def local_folder(source: str, folder: str) -> str | None:
    """The folder a local source names (``//`` separates a package from its subfolder), or None."""
    if _REMOTE.match(source):
        return None
    path = source.replace("//", "/")
    path = path if os.path.isabs(path) else os.path.join(folder, path)
    return os.path.normpath(path)


def cached_folder(source: str, folder: str) -> str | None:
    """Where terragrunt downloaded a remote source: ``.terragrunt-cache/<hash>/<hash>/<subfolder>`` when
    there is exactly one such copy (several: it cannot be told which one is current)."""
    cache = os.path.join(folder, CACHE)
    try:
        copies = [os.path.join(cache, a, b) for a in sorted(os.listdir(cache))
                  for b in sorted(os.listdir(os.path.join(cache, a)))
                  if os.path.isdir(os.path.join(cache, a, b))]
    except OSError:
        return None
    if len(copies) != 1:
        return None
    sub = source.split("?", 1)[0].split("//", 2)
    inside = sub[2] if source.startswith(("git::", "s3::", "gcs::")) and len(sub) > 2 else (
        sub[1] if len(sub) > 1 and "://" not in source.split("?", 1)[0] else "")
    target = os.path.normpath(os.path.join(copies[0], inside)) if inside else copies[0]
    return target if os.path.isdir(target) else None


def root_file(config: TfFile, path: str) -> tuple[TfFile | None, Unfollowed | None, str]:
    """A Terraform file standing for the terragrunt configuration ``config`` read from ``path``: its
    locals and one module call of the source with the inputs as arguments. Also what could not be
    followed, and why nothing can be linted (no ``terraform { source }``: e.g. a parent configuration
    only included by others). A local source that does not exist is an error (the message starts
    with "terraform source")."""
    from ..prefilter import may_hold_trail

    folder = os.path.dirname(os.path.abspath(path))
    terraform = next((b for b in config.blocks if b.type == "terraform" and "source" in b.attrs), None)
    if terraform is None:
        return None, None, "no terraform { source }"
    attr = terraform.attrs["source"]
    source = source_text(attr.expr, folder)
    where = Location(config.path, attr.line, attr.col)
    if source is None:
        return None, None, f"the source `{attr.expr.src}` cannot be read statically"
    local = local_folder(source, folder)
    if local is not None and not os.path.isdir(local):
        return None, None, f"terraform source {source} does not exist"
    target = local or cached_folder(source, folder)
    if target is None:
        unfollowed = None
        if may_hold_trail(source):
            unfollowed = Unfollowed("terragrunt", "terraform", source, where, "terragrunt")
        return None, unfollowed, "the source is not downloaded"
    args: dict[str, Attribute] = {"source": Attribute("source", Literal(target, attr.line, attr.col, attr.expr.src),
                                                      attr.line, attr.col)}
    inputs = config.attrs.get("inputs")
    if inputs is not None and isinstance(inputs.expr, ObjectExpr):
        for key, value in inputs.expr.items:
            name = key.value if isinstance(key, Literal) else key.name if isinstance(key, Name) else None
            if isinstance(name, str):
                args[name] = Attribute(name, value, value.line or inputs.line, value.col or inputs.col)
    call = Block("module", [CALL], args, [], terraform.line, terraform.col, terraform.end_line, config.path,
                 terraform.end_col)
    blocks = [b for b in config.blocks if b.type == "locals"] + [call]
    return TfFile(config.path, blocks, {}, config.comments), None, ""


def open_inputs(config: TfFile) -> str:
    """Why module variables the inputs do not set may still be set (empty: they are not)."""
    if any(b.type == "include" for b in config.blocks):
        return "it may be set by the terragrunt configuration terragrunt.hcl includes, which is not read"
    inputs = config.attrs.get("inputs")
    if inputs is not None and not isinstance(inputs.expr, ObjectExpr):
        return f"the inputs of terragrunt.hcl are computed (`{inputs.expr.src[:60]}`)"
    return ""
