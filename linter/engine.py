"""The run: discovery, front-ends, resolvers and rules, from paths to a :class:`Report`."""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from typing import Any

from .checks import check_trail, unfollowed_findings
from .discovery import (
    Discovered,
    discover,
    is_auto_tfvars,
    is_excluded,
    is_terraform,
    links_outside,
    without_shadowed,
)
from .findings import Finding, InputError, Report
from .frontends import ParseError
from .frontends.base import frontends
from .frontends.hcl_ast import TfFile
from .frontends.terraform import depends_on
from .frontends.tf_override import merge_overrides
from .sources import DEFAULT_MAX_FILE_SIZE, display_path, is_within, read_text


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
    #: Severity per rule id, overriding the rule's own (configuration ``severity``).
    severity: dict[str, str] = field(default_factory=dict)
    honor_peer_suppressions: bool = False
    #: :class:`~cloudtrail_lint.suppressions.CentralException` entries of the configuration file.
    exceptions: list[Any] = field(default_factory=list)
    #: A loaded :class:`~cloudtrail_lint.baseline.Baseline`: findings recorded in it are suppressed.
    baseline: Any = None
    #: The date suppression expiries are compared with (None: today).
    today: datetime.date | None = None
    #: Worker processes for parsing (0: one per CPU).
    jobs: int = 0
    #: Use the parse cache (``--no-cache`` turns it off) and where it lives (None: the user cache dir).
    cache: bool = True
    cache_dir: str | None = None
    #: Parse every Terraform and CloudFormation file, not only those a trail can depend on.
    parse_all: bool = False
    #: Progress bar: "always", "never" or None (only on a terminal outside CI).
    progress: str | None = None


class Workspace:
    """Parses each file once per run and builds Terraform modules from them."""

    def __init__(self, settings: Settings) -> None:
        from .cache import Cache
        from .reader import Reader, available_cpus

        self.settings = settings
        cpus = available_cpus()
        jobs = min(settings.jobs or cpus, cpus)  # more workers than CPUs only compete for them
        scope = "\0".join(sorted(os.path.abspath(p) for p in settings.paths))
        cache = Cache(settings.cache_dir, settings.cache, scope, scanned=settings.paths)
        named = [p for p in settings.paths if os.path.isfile(p)]  # files named on the command line: parsed whole
        self._absolute: dict[str, str] = {}
        self.reader = Reader(cache, settings.max_file_size, jobs, whole=settings.parse_all, whole_paths=named,
                             absolute=self.abs)
        self.errors: list[InputError] = []
        self._tf: dict[str, TfFile | ParseError] = {}
        self._modules: dict[str, object] = {}
        self._reported: set[str] = set()
        #: Terraform files and auto-loaded tfvars per folder (absolute path), as discovery saw them.
        self.listings: dict[str, tuple[list[str], list[str]]] = {}
        #: Folders whose Terraform files a text scan showed cannot hold or lead to a trail (not parsed,
        #: unless another module calls them), with their number of files.
        self.scanned_only: dict[str, int] = {}
        #: Local module calls found by the text scan: realpath of a called folder.
        self.called: set[str] = set()
        #: CloudFormation templates read this run, by display path (suppressions live in their Metadata).
        self.templates: dict[str, Any] = {}
        #: Code that may create trails but could not be read (:class:`~cloudtrail_lint.model.Unfollowed`).
        self.unfollowed: list[Any] = []
        #: terragrunt configurations read.
        self.terragrunt_read = 0

    def abs(self, path: str) -> str:
        """``os.path.abspath``, remembered: folders are looked up many times in a run."""
        found = self._absolute.get(path)
        if found is None:
            found = self._absolute[path] = os.path.abspath(path)
        return found

    def error(self, path: str, err: ParseError) -> None:
        key = f"{path}:{err.line}:{err.message}"
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(InputError(display_path(path), err.line, err.message, err.column))

    def terraform_files_read(self) -> int:
        """How many Terraform configuration files (not tfvars) were parsed successfully."""
        return sum(isinstance(v, TfFile) and not k.endswith((".tfvars", ".tfvars.json")) for k, v in self._tf.items())

    def terraform_files(self) -> list[TfFile]:
        """The Terraform configuration files (not tfvars) parsed this run."""
        parsed = [v for v in self._tf.values() if isinstance(v, TfFile)]
        return [tf for tf in parsed if is_terraform(os.path.basename(tf.path))]

    def tf_file(self, path: str, tfvars: bool = False) -> TfFile | ParseError:
        key = os.path.abspath(path)
        if key not in self._tf:
            self._tf[key] = self.reader.terraform(path, tfvars)
        return self._tf[key]

    def module_files(self, folder: str) -> tuple[list[str], list[str]]:
        """The Terraform configuration files and the auto-loaded tfvars files of ``folder``."""
        key = self.abs(folder)
        if key in self.listings:
            return self.listings[key]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return [], []
        roots = None
        tf, tfvars = [], []
        for entry in entries:
            name = entry.name
            wanted_tf, wanted_vars = is_terraform(name), is_auto_tfvars(name)
            if not (wanted_tf or wanted_vars):
                continue
            path = os.path.join(folder, name)
            try:
                if entry.is_symlink():
                    roots = roots or self._roots(folder)
                    if links_outside(path, roots):
                        continue
                if not entry.is_file():
                    continue
            except OSError:
                continue
            (tf if wanted_tf else tfvars).append(path)
        tf = without_shadowed(tf)  # OpenTofu reads x.tofu instead of x.tf
        self.listings[key] = (tf, tfvars)
        return tf, tfvars

    def module(self, folder: str):
        """The Terraform module in ``folder`` (cached); parse errors are recorded once."""
        from .resolver.terraform import TfModule

        key = self.abs(folder)
        if key in self._modules:
            return self._modules[key]
        module = TfModule(folder, [], reparse=self._whole_file)
        if not os.path.isdir(folder):
            self.errors.append(InputError(display_path(folder), 0, "cannot read directory"))
        tf_paths, var_files = self.module_files(folder)
        for path in tf_paths:
            parsed = self.tf_file(path)
            if isinstance(parsed, ParseError):
                self.error(path, parsed)
                module.broken_files.append(display_path(path))
            else:
                module.files.append(parsed)
        module.files = merge_overrides(module.files, self.error)  # override files, as Terraform merges them
        self._apply_tfvars(module, var_files)
        self._modules[key] = module
        return module

    def _whole_file(self, path: str) -> TfFile | None:
        """A file of a module parsed whole (the resolver reads an attribute its trimmed parse left out)."""
        parsed = self.reader.terraform_whole(path)
        return parsed if isinstance(parsed, TfFile) else None

    def _roots(self, folder: str) -> list[str]:
        """The real folders a file of ``folder`` may link into: the scanned paths and ``folder`` itself."""
        paths = [p if os.path.isdir(p) else os.path.dirname(p) or "." for p in self.settings.paths]
        return [os.path.realpath(p) for p in (folder, *paths)]

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

            module = TfModule(module.dir, module.files, dict(module.tfvars), module.broken_files, module.reparse)
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
            if os.path.isabs(source):  # a terragrunt source, already resolved to its folder
                return (self.module(source), "") if os.path.isdir(source) else (
                    None, f"module source {source} does not exist")
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
    """Key -> folder of the modules ``terraform init`` downloaded for the root module ``root``, from
    ``.terraform/modules/modules.json``. The file and each folder must resolve inside ``root`` (where
    Terraform puts them): a link or a ``Dir`` that leads elsewhere is ignored (the module then counts as
    not downloaded), and the file is read only if it is a regular file."""
    path = os.path.join(root, ".terraform", "modules", "modules.json")
    if not os.path.lexists(path):  # the common case, in one system call
        return {}
    real = [os.path.realpath(root)]
    try:
        data = json.loads(read_text(path, within=real))  # size-limited like every input
        found = {}
        for m in data.get("Modules", []):
            key, folder = m.get("Key"), m.get("Dir")
            if key and isinstance(folder, str) and folder and is_within(os.path.realpath(os.path.join(root, folder)),
                                                                       real):
                found[key] = folder
        return found
    except (ParseError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


# --------------------------------------------------------------------------- the run

def run(settings: Settings) -> Report:
    from .rules import ALL_RULES, SUPPRESSION_RULE, UNRESOLVED_RULE, Options

    discovered = discover(settings.paths, settings.excludes)
    ws = Workspace(settings)
    ws.listings.update({ws.abs(k): v for k, v in discovered.listings.items()})
    try:
        selected = ws.reader.select(discovered, ws.module_files, settings.parse_all, settings.progress)
    finally:
        ws.reader.close()
    found = selected.found
    ws.called, ws.scanned_only = selected.called, selected.scanned_only
    report = Report(errors=list(found.errors))
    rules = [r for r in ALL_RULES if _selected(r.id, settings)]
    if settings.unknown == "ignore":
        rules = [r for r in rules if r.id != UNRESOLVED_RULE]
    options = Options(min_retention_days=settings.min_retention_days)
    for frontend in frontends():
        for resolved in frontend.resolve(ws, found, report):
            variants, only = resolved.variants, resolved.named
            if only is not None and variants and not depends_on(variants, only):
                continue
            if settings.excludes and variants and is_excluded(variants[0].location.file, settings.excludes):
                continue  # written in an excluded file of a module read whole for resolution
            report.trails += 1
            if variants:
                report.checked.append((variants[0].address, variants[0].location.file, variants[0].location.line))
            for finding in check_trail(variants, rules, options, settings.unknown):
                finding.frontend = frontend.name
                report.findings.append(finding)
    report.files_skipped += len(found.skipped)
    if any(rule.id == UNRESOLVED_RULE for rule in rules):
        report.findings.extend(unfollowed_findings(ws.unfollowed, settings.unknown))
    report.errors.extend(ws.errors)
    ws.reader.cache.save()
    report.rules_run = [r.id for r in rules if r.id != SUPPRESSION_RULE]
    _suppress(report, ws, found, settings)
    report.findings.sort(key=Finding.sort_key)
    report.workspace = ws
    report.errors.sort(key=lambda e: (e.file, e.line, e.message))
    return report


def _suppress(report: Report, ws: Workspace, found: Discovered, settings: Settings) -> None:
    """Inline and peer suppressions (with their CTL900 warnings), central exceptions, the baseline, and
    the configured severities."""
    from . import suppressions
    from .rules import SUPPRESSION_RULE

    sources = suppressions.collect(_linted_terraform(ws, settings), ws.templates,
                                   settings.honor_peer_suppressions, settings.max_file_size)
    when = settings.today or suppressions.today()
    invalid = suppressions.apply_directives(report.findings, sources, when, report.rules_run)
    named = {os.path.abspath(f) for f, only in found.terraform.items() if only is not None}
    if named:  # a directive in a module read only to resolve the named ones is not this run's to judge
        whole = {os.path.abspath(f) for f, only in found.terraform.items() if only is None}
        invalid = [f for f in invalid if not is_terraform(os.path.basename(f.file))
                   or os.path.dirname(os.path.abspath(f.file)) in named | whole]
    if _selected(SUPPRESSION_RULE, settings):
        report.findings.extend(invalid)
    suppressions.apply_exceptions(report.findings, settings.exceptions, when)
    if settings.baseline is not None:
        from .baseline import apply

        apply(report.findings, settings.baseline)
    for finding in report.findings:
        finding.severity = settings.severity.get(finding.rule, finding.severity)


def _linted_terraform(ws: Workspace, settings: Settings) -> list[TfFile]:
    """Parsed Terraform files whose directives apply this run: every one not excluded."""
    excludes = settings.excludes
    return [tf for tf in ws.terraform_files() if not (excludes and is_excluded(tf.path, excludes))]


def _selected(rule_id: str, settings: Settings) -> bool:
    if settings.select and not any(rule_id.startswith(p) for p in settings.select):
        return False
    return not any(rule_id.startswith(p) for p in settings.ignore)
