"""Terraform override files, merged into the blocks they override as Terraform and OpenTofu do.

``override.tf``, ``*_override.tf`` (and their ``.tf.json``, ``.tofu``, ``.tofu.json`` forms) are read
after a module's other files, in name order and then block by block, and each of their blocks is
merged into the block of the same header written in a primary file:

- an attribute replaces the attribute of the same name (``x = null`` sets it to null);
- nested blocks replace *all* nested blocks of the same type; other types stay;
- in ``resource`` and ``data`` blocks, ``lifecycle`` is merged argument by argument;
- ``locals`` are replaced value by value, whichever ``locals`` block declared them;
- ``variable`` and ``output`` merge their arguments, and keep their own nested blocks (validations,
  preconditions); ``provider`` blocks are matched by name and ``alias``;
- in ``terraform`` blocks each setting is replaced on its own, ``required_providers`` entry by entry,
  and a ``backend`` or ``cloud`` block replaces both.

A block with nothing to override, and ``depends_on`` in an override, are errors in Terraform; they
are reported and the block is left out. The merged block keeps the header (file, line) of the primary
block; each attribute and nested block keeps the position it was written at, in whichever file.
Nothing here changes the parsed files: merged blocks and files are new objects.
(https://developer.hashicorp.com/terraform/language/files/override)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from . import ParseError
from .hcl_ast import Attribute, Block, Literal, TfFile

_SUFFIXES = (".tf.json", ".tofu.json", ".tf", ".tofu")
#: Block types whose nested blocks are not taken from an override (Terraform does not merge them).
_KEEP_NESTED = frozenset({"variable", "output"})
#: Block types that are matched with a primary block by their header.
_MATCHED = frozenset({"resource", "data", "variable", "output", "module", "provider"})
_WHAT = {"resource": "resource", "data": "data resource", "variable": "variable declaration",
         "output": "output", "module": "module call", "provider": "provider configuration"}

#: Receives each problem: the file it is in, and the error with its line and column.
Report = Callable[[str, ParseError], None]


def is_override(path: str) -> bool:
    """``override.tf`` or ``*_override.tf`` (and the ``.tf.json``, ``.tofu``, ``.tofu.json`` forms)."""
    name = os.path.basename(path)
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem == "override" or stem.endswith("_override")
    return False


def merge_overrides(files: list[TfFile], report: Report | None = None) -> list[TfFile]:
    """The files of one module with every override file merged into the primary files.

    Primary files come first, in their order, with merged blocks; then each override file, holding
    only its ``terraform`` blocks (settings are read module-wide, and what they replace is removed
    from the primary files). ``files`` is returned as it is when it holds no override file.
    """
    overrides = [tf for tf in files if is_override(tf.path)]
    if not overrides:
        return files
    merger = _Merger([tf for tf in files if not is_override(tf.path)], report)
    kept: list[TfFile] = []
    for tf in sorted(overrides, key=lambda f: os.path.basename(f.path)):
        kept.append(TfFile(tf.path, [b for b in tf.blocks if merger.apply(b)], dict(tf.attrs), list(tf.comments)))
    return [*merger.primary_files(), *kept]


@dataclass
class _Slot:
    """Where a primary block sits: file index and block index."""

    file: int
    block: int


class _Merger:
    def __init__(self, primary: list[TfFile], report: Report | None) -> None:
        self.primary = primary
        self.report = report
        #: The current (possibly merged) blocks of each primary file.
        self.blocks = [list(tf.blocks) for tf in primary]
        self.changed: set[int] = set()
        self.slots: dict[tuple, _Slot] = {}
        self.local_slots: dict[str, _Slot] = {}
        self.settings: list[_Slot] = []
        for i, tf in enumerate(primary):
            for j, block in enumerate(tf.blocks):
                slot = _Slot(i, j)
                if block.type in _MATCHED:
                    self.slots.setdefault(_identity(block), slot)
                elif block.type == "locals":
                    for name in block.attrs:
                        self.local_slots.setdefault(name, slot)
                elif block.type == "terraform":
                    self.settings.append(slot)

    def primary_files(self) -> list[TfFile]:
        return [TfFile(tf.path, self.blocks[i], tf.attrs, tf.comments) if i in self.changed else tf
                for i, tf in enumerate(self.primary)]

    def _get(self, slot: _Slot) -> Block:
        return self.blocks[slot.file][slot.block]

    def _put(self, slot: _Slot, block: Block) -> None:
        self.blocks[slot.file][slot.block] = block
        self.changed.add(slot.file)

    def _problem(self, where: Block | Attribute, file: str, message: str) -> None:
        if self.report is not None:
            self.report(file, ParseError(message, where.line, where.col))

    def apply(self, over: Block) -> bool:
        """Merge one block of an override file; True when the block stays in the override file."""
        if over.type == "locals":
            self._locals(over)
            return False
        if over.type == "terraform":
            self._settings(over)
            return True
        if over.type not in _MATCHED:
            return False  # moved, import, check...: nothing Terraform merges
        slot = self.slots.get(_identity(over))
        if slot is None:
            header = " ".join([over.type, *(f'"{label}"' for label in over.labels)])
            self._problem(over, over.file, f"missing {_WHAT[over.type]} to override: no `{header}` block in the"
                          " module's other files (Terraform rejects this override)")
            return False
        if "depends_on" in over.attrs and over.type in ("resource", "data", "output", "module"):
            self._problem(over.attrs["depends_on"], over.file,
                          "unsupported override: the depends_on argument may not be overridden")
        self._put(slot, _merge(self._get(slot), over))
        return False

    def _locals(self, over: Block) -> None:
        for name, attr in over.attrs.items():
            slot = self.local_slots.get(name)
            if slot is None:
                self._problem(attr, over.file, f"missing base local value definition to override: no local"
                              f" `{name}` in the module's other files (Terraform rejects this override)")
                continue
            base = self._get(slot)
            self._put(slot, _copy(base, attrs={**base.attrs, name: attr}))

    def _settings(self, over: Block) -> None:
        """Remove from the primary ``terraform`` blocks every setting ``over`` sets."""
        names = set(over.attrs)
        providers = {name for b in over.blocks if b.type == "required_providers" for name in b.attrs}
        kinds = {b.type for b in over.blocks if b.type != "required_providers"}
        if kinds & {"backend", "cloud"}:
            kinds |= {"backend", "cloud"}
        for slot in self.settings:
            base = self._get(slot)
            nested = []
            for inner in base.blocks:
                if inner.type == "required_providers" and providers:
                    inner = _copy(inner, attrs={k: v for k, v in inner.attrs.items() if k not in providers})
                elif inner.type in kinds:
                    continue
                nested.append(inner)
            attrs = {k: v for k, v in base.attrs.items() if k not in names}
            if len(attrs) != len(base.attrs) or nested != base.blocks:
                self._put(slot, _copy(base, attrs=attrs, blocks=nested))


def _identity(block: Block) -> tuple:
    if block.type == "provider":
        alias = block.attrs.get("alias")
        expr = alias.expr if alias is not None else None
        name = expr.value if isinstance(expr, Literal) else (expr.src if expr is not None else None)
        return (block.type, *block.labels, name)
    return (block.type, *block.labels)


def _merge(base: Block, over: Block) -> Block:
    """``over`` merged into ``base``: attributes one by one, nested blocks type by type."""
    attrs = {**base.attrs, **over.attrs}
    if base.type in _KEEP_NESTED:
        return _copy(base, attrs=attrs)
    replaced = {_nested_type(b) for b in over.blocks}
    blocks = [b for b in base.blocks if _nested_type(b) not in replaced]
    for inner in over.blocks:
        if inner.type == "lifecycle" and base.type in ("resource", "data"):
            earlier = [b for b in base.blocks if b.type == "lifecycle"]
            if earlier:
                inner = _merge_lifecycle(earlier[-1], inner)
        blocks.append(inner)
    return _copy(base, attrs=attrs, blocks=blocks)


def _merge_lifecycle(base: Block, over: Block) -> Block:
    replaced = {b.type for b in over.blocks}
    blocks = [b for b in base.blocks if b.type not in replaced] + list(over.blocks)
    return Block(over.type, over.labels, {**base.attrs, **over.attrs}, blocks, over.line, over.col, over.end_line,
                 over.file)


def _nested_type(block: Block) -> str:
    """A ``dynamic "x"`` block stands for blocks of type ``x``."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _copy(block: Block, attrs: dict[str, Attribute] | None = None, blocks: list[Block] | None = None) -> Block:
    return Block(block.type, block.labels, block.attrs if attrs is None else attrs,
                 block.blocks if blocks is None else blocks, block.line, block.col, block.end_line, block.file)
