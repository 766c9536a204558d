"""The run: discovery, front-ends, resolvers and rules, from paths to a :class:`Report`."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .discovery import Discovered, discover, is_auto_tfvars, is_terraform
from .findings import Finding, InputError, Report
from .frontends import ParseError
from .frontends.hcl_ast import TfFile
from .model import Trail
from .sources import DEFAULT_MAX_FILE_SIZE, display_path, read_text


@dataclass
class Settings:
    """Everything a run needs to know, whether from the command line or a configuration file."""

    paths: list[str] = field(default_factory=lambda: ["."])
    min_retention_days: int = 365
    unknown: str = "warn"
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    var_files: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


class Workspace:
    """Parses each file once per run and builds Terraform modules from them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.errors: list[InputError] = []
        self._tf: dict[str, TfFile | ParseError] = {}
        self._modules: dict[str, object] = {}
        self._reported: set[str] = set()

    def error(self, path: str, err: ParseError) -> None:
        key = f"{path}:{err.line}:{err.message}"
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(InputError(display_path(path), err.line, err.message, err.column))

    def terraform_files_read(self) -> int:
        """How many Terraform configuration files (not tfvars) were parsed successfully."""
        return sum(isinstance(v, TfFile) and not k.endswith((".tfvars", ".tfvars.json")) for k, v in self._tf.items())

    def tf_file(self, path: str, tfvars: bool = False) -> TfFile | ParseError:
        key = os.path.realpath(path)
        if key not in self._tf:
            self._tf[key] = _parse_tf(path, tfvars, self.settings.max_file_size)
        return self._tf[key]

    def module(self, folder: str):
        """The Terraform module in ``folder`` (cached); parse errors are recorded once."""
        from .resolver.terraform import TfModule

        key = os.path.realpath(folder)
        if key in self._modules:
            return self._modules[key]
        module = TfModule(folder, [])
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            self.errors.append(InputError(display_path(folder), 0, f"cannot read directory: {exc.strerror}"))
            names = []
        for name in names:
            path = os.path.join(folder, name)
            if is_terraform(name) and os.path.isfile(path):
                parsed = self.tf_file(path)
                if isinstance(parsed, ParseError):
                    self.error(path, parsed)
                    module.broken_files.append(display_path(path))
                else:
                    module.files.append(parsed)
        var_files = [os.path.join(folder, n) for n in names if is_auto_tfvars(n)]
        self._apply_tfvars(module, var_files)
        self._modules[key] = module
        return module

    def _apply_tfvars(self, module, paths: list[str]) -> None:
        ordered = sorted(paths, key=lambda p: (not os.path.basename(p).startswith("terraform.tfvars"), p))
        for path in ordered:
            parsed = self.tf_file(path, tfvars=True)
            if isinstance(parsed, ParseError):
                self.error(path, parsed)
            else:
                module.tfvars.update(parsed.attrs)

    def root_module(self, folder: str):
        module = self.module(folder)
        if self.settings.var_files:
            from .resolver.terraform import TfModule

            module = TfModule(module.dir, module.files, dict(module.tfvars), module.broken_files)
            self._apply_tfvars(module, [])
            for path in self.settings.var_files:
                parsed = self.tf_file(path, tfvars=True)
                if isinstance(parsed, ParseError):
                    self.error(path, parsed)
                else:
                    module.tfvars.update(parsed.attrs)
        return module

    def loader(self, root: str):
        """Loads child modules for the module tree rooted at ``root``."""
        downloaded = _downloaded_modules(root)

        def load(caller: str, source: str, key: str):
            if source.startswith(("./", "../")):
                folder = os.path.normpath(os.path.join(caller, source))
                if not os.path.isdir(folder):
                    return None, f"module source {source} does not exist ({display_path(folder)})"
                return self.module(folder), ""
            if key in downloaded:
                folder = os.path.normpath(os.path.join(root, downloaded[key]))
                if os.path.isdir(folder):
                    return self.module(folder), ""
            return None, f"module {source} is not downloaded; run terraform init"

        return load


def _downloaded_modules(root: str) -> dict[str, str]:
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return {m["Key"]: m["Dir"] for m in data.get("Modules", []) if m.get("Key") and m.get("Dir")}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _parse_tf(path: str, tfvars: bool, max_size: int) -> TfFile | ParseError:
    try:
        text = read_text(path, max_size)
        if path.endswith(".json"):
            from .frontends.tfjson import parse_tf_json

            return parse_tf_json(text, display_path(path), tfvars)
        from .frontends.hcl import parse_hcl

        return parse_hcl(text, display_path(path))
    except ParseError as err:
        return err


# --------------------------------------------------------------------------- the run


def run(settings: Settings) -> Report:
    from .rules import ALL_RULES, UNRESOLVED_RULE, Options

    found = discover(settings.paths, settings.excludes)
    ws = Workspace(settings)
    report = Report(errors=list(found.errors))
    rules = [r for r in ALL_RULES if _selected(r.id, settings)]
    if settings.unknown == "ignore":
        rules = [r for r in rules if r.id != UNRESOLVED_RULE]
    options = Options(min_retention_days=settings.min_retention_days)
    checked: list[tuple[list[Trail], set[str] | None]] = []

    checked.extend(_terraform(found, ws, report))
    checked.extend(_documents(found, ws, report))
    report.files_skipped += len(found.skipped)
    for variants, only in checked:
        if only is not None and variants and os.path.normpath(variants[0].location.file) not in only:
            continue
        report.trails += 1
        report.findings.extend(_check(variants, rules, options, settings))
    report.errors.extend(ws.errors)
    report.findings.sort(key=Finding.sort_key)
    report.errors.sort(key=lambda e: (e.file, e.line, e.message))
    return report


def _selected(rule_id: str, settings: Settings) -> bool:
    if settings.select and not any(rule_id.startswith(p) for p in settings.select):
        return False
    return not any(rule_id.startswith(p) for p in settings.ignore)


def _terraform(found: Discovered, ws: Workspace, report: Report) -> list[tuple[list[Trail], set[str] | None]]:
    from .resolver.terraform import resolve_module

    results = []
    covered: set[str] = set()
    called = _locally_called(found, ws)
    # Modules that no scanned module calls are roots; a called module is checked through its caller
    # (with the caller's arguments), not again on its own with its defaults. Folders left over (a
    # module cycle with no outside caller) are then checked as roots, shallowest first.
    order = sorted(found.terraform.items(), key=lambda item: (os.path.normpath(item[0]).count(os.sep), item[0]))
    first = [(f, only) for f, only in order if only is not None or os.path.realpath(f) not in called]
    rest = [(f, only) for f, only in order if (f, only) not in first]
    for folder, only in first + rest:
        if only is None and os.path.realpath(folder) in covered:
            continue
        module = ws.root_module(folder)
        if not module.files:
            continue
        trails, problems, children = resolve_module(module, ws.loader(folder))
        for block, why in problems:
            ws.errors.append(InputError(block.file, block.line, why, block.col))
        covered.add(os.path.realpath(folder))
        covered.update(os.path.realpath(c) for c in children)
        named = {display_path(p) for p in only} if only is not None else None
        results.extend((variants, named) for variants in trails)
    report.files_linted += ws.terraform_files_read()
    return results


def _locally_called(found: Discovered, ws: Workspace) -> set[str]:
    """Folders that a scanned module calls with a local ``source = "./..."``."""
    called = set()
    for folder in found.terraform:
        for tf in ws.module(folder).files:
            for block in tf.blocks:
                source = block.attrs.get("source") if block.type == "module" else None
                value = getattr(source.expr, "value", None) if source else None
                if isinstance(value, str) and value.startswith(("./", "../")):
                    called.add(os.path.realpath(os.path.join(folder, value)))
    return called


def _documents(found: Discovered, ws: Workspace, report: Report) -> list[tuple[list[Trail], None]]:
    from .frontends.cfn import load_document
    from .resolver.cloudformation import resolve_template

    results = []
    for path in found.documents:
        try:
            loaded = load_document(path, ws.settings.max_file_size)
        except ParseError as err:
            ws.error(path, err)
            continue
        if loaded is None:
            report.files_skipped += 1
            continue
        report.files_linted += 1
        kind, data = loaded
        if kind == "terraform-plan":
            from .resolver.tfplan import resolve_plan

            trails = resolve_plan(data, display_path(path))
        else:
            trails = resolve_template(data, display_path(path))
        results.extend((variants, None) for variants in trails)
    return results


def _check(variants: list[Trail], rules, options, settings: Settings) -> list[Finding]:
    """Run the rules on every variant of one trail; a finding only some variants have names them."""
    per_variant: list[list[tuple[str, str]]] = []
    for trail in variants:
        messages = []
        for rule in rules:
            try:
                messages.extend((rule.id, msg) for msg in rule.check(trail, options))
            except Exception as exc:  # a rule bug must not hide the other findings
                messages.append(("CTL999", f"internal error in {rule.id}: {type(exc).__name__}: {exc}"))
        per_variant.append(messages)
    complete = bool(variants) and len(variants) >= variants[0].notes.get("variants", len(variants))
    common = set.intersection(*(set(m) for m in per_variant)) if per_variant and complete else set()
    out: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    from .rules import RULES_BY_ID, UNRESOLVED_RULE

    for trail, messages in zip(variants, per_variant):
        for rule_id, msg in messages:
            text = msg if (rule_id, msg) in common or not trail.assumptions else (
                f"{msg} (when {' and '.join(trail.assumptions)})")
            if (rule_id, text) in seen:
                continue
            seen.add((rule_id, text))
            rule = RULES_BY_ID.get(rule_id)
            severity = rule.severity if rule else "error"
            if rule_id == UNRESOLVED_RULE:
                severity = "error" if settings.unknown == "fail" else "warning"
            loc = trail.location
            out.append(Finding(rule_id, rule.name if rule else "internal-error", severity, text, loc.file,
                               loc.line, loc.column, loc.end_line or loc.line, trail.address, trail.resource_type))
    return out

