"""Speed features never change results: cache on/off/warm, one or many workers, skipped bodies or not."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cloudtrail_lint import reader as reader_module
from cloudtrail_lint.cache import Cache
from cloudtrail_lint.cache_codec import encode_result
from cloudtrail_lint.frontends import ParseError
from cloudtrail_lint.frontends import hcl as hcl_module
from cloudtrail_lint.frontends.hcl import parse_hcl
from cloudtrail_lint.frontends.slim import UNREAD, slim
from cloudtrail_lint.prefilter import scan_terraform
from cloudtrail_lint.progress import Progress, wanted

from .conftest import FIXTURES, SHARED, lint

CORPUS = SHARED / "corpus"
SCENARIOS = sorted(p.parent for p in FIXTURES.glob("*/expected.txt"))
CASES = SCENARIOS + sorted(p.parent for p in CORPUS.glob("*/*/") if p.is_dir()) if CORPUS.is_dir() else SCENARIOS


def _normalised(stdout: str) -> dict:
    report = json.loads(stdout)
    report.pop("version")
    return report


@pytest.mark.parametrize("folder", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_same_results_with_and_without_cache_workers_and_skipped_bodies(folder: Path, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(tmp_path / "cache")
    everything = lint(folder, "--format", "json", "--no-cache", "--jobs", "1", "--parse-all", ".")
    baseline = lint(folder, "--format", "json", "--no-cache", "--jobs", "1", ".")
    # Parsing every file finds the same; only the counts of files linted and skipped may differ.
    assert baseline.exit_code == everything.exit_code
    for key in ("findings", "errors"):
        assert baseline.json[key] == everything.json[key]
    monkeypatch.setattr(reader_module, "PARALLEL_MIN_FILES", 1)  # use worker processes even for a few files
    monkeypatch.setattr(reader_module, "PARALLEL_SCAN_MIN_FILES", 1)  # and a scan helper process
    runs = [
        lint(folder, "--format", "json", "--cache-dir", cache, "--jobs", "2", "."),  # cold cache, 2 workers
        lint(folder, "--format", "json", "--cache-dir", cache, "--jobs", "2", "."),  # warm cache
        lint(folder, "--format", "json", "--cache-dir", cache, "--jobs", "1", "."),  # warm, in process
    ]
    for run in runs:
        assert run.exit_code == baseline.exit_code
        assert _normalised(run.stdout) == _normalised(baseline.stdout)


def _module(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "main.tf").write_text(
        'resource "aws_cloudwatch_log_group" "trail" {\n  retention_in_days = 30\n}\n\n'
        'resource "aws_cloudtrail" "org" {\n  name = "org"\n  s3_bucket_name = "b"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"\n}\n'
    )
    return tmp_path


def _aged_tree(folder: Path, modules: int) -> Path:
    """``modules`` module folders under ``folder``, their files older than the cache's racy window (so
    the facts index may keep them)."""
    for i in range(modules):
        _module(folder / f"m{i}")
    old = time.time() - 86400
    for path in folder.rglob("*.tf"):
        os.utime(path, (old, old))
    return folder


def test_cache_is_invalidated_by_content(tmp_path: Path) -> None:
    folder = _module(tmp_path / "m")
    cache = str(tmp_path / "cache")
    first = lint(folder, "--format", "json", "--cache-dir", cache, ".")
    assert {f["rule"] for f in first.json["findings"]} == {"CTL002", "CTL003"}
    text = (folder / "main.tf").read_text().replace("= 30", "= 400")
    (folder / "main.tf").write_text(text)  # same size class, new content: must be re-read
    second = lint(folder, "--format", "json", "--cache-dir", cache, ".")
    assert {f["rule"] for f in second.json["findings"]} == {"CTL002"}


def test_cache_lives_under_a_version_directory(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path))
    from cloudtrail_lint import __version__

    assert Path(cache.root).parent == tmp_path
    assert f"v{__version__}-" in Path(cache.root).name


def test_corrupt_and_truncated_entries_are_ignored(tmp_path: Path) -> None:
    folder = _module(tmp_path / "m")
    cache_dir = tmp_path / "cache"
    expected = lint(folder, "--format", "json", "--no-cache", ".").json["findings"]
    lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".")
    entries = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert entries
    for path in entries:  # what a run killed while writing could leave behind, at worst
        path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    assert lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".").json["findings"] == expected


def test_a_warm_run_takes_parsed_files_from_the_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second run reads one bundle: with the per-file entries gone and parsing broken, it still
    reports the same."""
    import shutil

    folder = _aged_tree(tmp_path / "tree", 3)
    cache_dir = tmp_path / "cache"
    first = lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".")
    [bundle] = cache_dir.rglob("bundle-*.json")
    written = bundle.stat().st_mtime_ns
    for parsed in cache_dir.rglob("parsed"):
        shutil.rmtree(parsed)

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed although the bundle has the file")

    monkeypatch.setattr(reader_module, "parse_terraform_bytes", no_parsing)
    second = lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".")
    assert _normalised(second.stdout) == _normalised(first.stdout)
    assert bundle.stat().st_mtime_ns == written  # an unchanged run writes nothing


def test_two_runs_at_once_and_a_killed_run_leave_the_cache_usable(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    for i in range(30):
        _module(folder / f"m{i:02d}")
    cache = str(tmp_path / "cache")
    env = {**os.environ, "CLOUDTRAIL_LINT_CACHE_DIR": cache}
    command = [sys.executable, "-m", "cloudtrail_lint", "--format", "json", str(folder)]
    killed = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    both = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [1, 1]
    reference = subprocess.run([*command[:-1], "--no-cache", str(folder)], capture_output=True, text=True)
    for stdout, stderr in outputs:
        assert stderr == ""
        assert _normalised(stdout) == _normalised(reference.stdout)
    again = subprocess.run(command, env=env, capture_output=True, text=True)
    assert _normalised(again.stdout) == _normalised(reference.stdout)


def test_linting_never_writes_into_the_scanned_tree(tmp_path: Path) -> None:
    folder = _module(tmp_path / "m")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    lint(folder, "--format", "json", "--cache-dir", str(tmp_path / "cache"), ".")
    assert sorted((p.name, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before


# ----- the text prefilter -----

def test_prefilter_sees_trails_in_hcl_and_json_and_ignores_mentions() -> None:
    assert scan_terraform(b'resource "aws_cloudtrail" "x" {}').has_trail
    assert scan_terraform(b"resource aws_cloudtrail x {}").has_trail
    assert scan_terraform(b'{"resource": {"aws_cloudtrail": {"x": {}}}}').has_trail
    assert not scan_terraform(b"# trails (aws_cloudtrail) live in the security account\n").has_trail
    assert not scan_terraform(b'resource "aws_cloudtrail_event_data_store" "x" {}').has_trail
    facts = scan_terraform(b'module "a" {\n  source = "./a"\n}\nmodule "b" {\n  source = "hashicorp/x/aws"\n}\n')
    assert facts.sources == ("./a", "hashicorp/x/aws")


def test_a_module_that_only_calls_a_trail_module_is_linted(tmp_path: Path) -> None:
    (tmp_path / "modules" / "trail").mkdir(parents=True)
    (tmp_path / "modules" / "trail" / "main.tf").write_text(
        'variable "group" {\n  type = string\n}\n\nresource "aws_cloudtrail" "this" {\n  name = "t"\n'
        '  s3_bucket_name = "b"\n  cloud_watch_logs_group_arn = var.group\n}\n')
    (tmp_path / "live" / "prod").mkdir(parents=True)
    (tmp_path / "live" / "prod" / "main.tf").write_text(
        'module "trail" {\n  source = "../../modules/trail"\n  group = ""\n}\n')
    result = lint(tmp_path, "--format", "json", ".")
    assert result.findings() == {("CTL001", "modules/trail/main.tf", 5, "module.trail.aws_cloudtrail.this")}


def test_files_without_trails_are_not_parsed_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')  # broken, no trail
    assert lint(tmp_path, "--format", "json", ".").exit_code == 0
    strict = lint(tmp_path, "--format", "json", "--parse-all", ".")
    assert strict.exit_code == 2
    assert [(e["file"], e["line"]) for e in strict.json["errors"]] == [("main.tf", 2)]
    named = lint(tmp_path, "--format", "json", "main.tf")  # a named file is always parsed
    assert named.exit_code == 2


# ----- skipping resource bodies -----

def test_slim_keeps_every_line_and_what_the_rules_read() -> None:
    text = (
        'variable "days" {\n  description = "x"\n  type        = number\n  default     = 30\n'
        "  validation {\n    condition     = var.days > 0\n    error_message = \"positive\"\n  }\n}\n\n"
        'resource "aws_s3_bucket" "logs" {\n  bucket = "${var.name}-{logs}"\n  policy = <<EOF\n{ "a": "}" }\nEOF\n}\n\n'
        'resource "aws_iam_role" "r" {\n  name = "r"\n  assume_role_policy = jsonencode({ a = "}" })\n}\n\n'
        'resource "aws_cloudtrail" "t" {\n  # cloudtrail-lint: ignore CTL003 reason="x"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.g.arn}:*"\n}\n'
    )
    slimmed = slim(text)
    assert slimmed is not None and slimmed.count("\n") == text.count("\n")
    whole, thin = parse_hcl(text, "x.tf"), parse_hcl(slimmed, "x.tf")
    assert [(b.type, b.labels, b.line, b.end_line) for b in whole.blocks] == [
        (b.type, b.labels, b.line, b.end_line) for b in thin.blocks]
    variable, bucket, role, trail = thin.blocks
    assert sorted(variable.attrs) == [UNREAD, "default"]
    assert list(bucket.attrs) == [UNREAD]
    assert sorted(role.attrs) == [UNREAD, "assume_role_policy", "name"]  # CTL007 reads the trust policy
    assert list(trail.attrs) == ["cloud_watch_logs_group_arn"]
    # what is kept is where it is written, to the column (fixes edit it there)
    for kept, full in zip(thin.blocks, whole.blocks):
        for name, attr in kept.attrs.items():
            if name != UNREAD:
                assert (attr.line, attr.col, attr.expr.src) == (
                    full.attrs[name].line, full.attrs[name].col, full.attrs[name].expr.src)
    assert any("cloudtrail-lint: ignore" in text for _line, text in thin.comments)


@pytest.mark.parametrize("text", [
    'resource "a" "b" {\n  x = "unterminated\n}\n', "x = 1\n", 'locals {\n  a = <<EOF\nno end\n'])
def test_slim_leaves_text_it_is_unsure_about_whole(text: str) -> None:
    assert slim(text) is None


def test_attributes_skipped_before_parsing_are_read_from_the_whole_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ssm_parameter" "group" {\n  name  = "/audit/group"\n'
        '  value = "arn:aws:logs:us-east-1:111122223333:log-group:audit:*"\n}\n\n'
        'resource "aws_cloudtrail" "org" {\n  name = "org"\n  s3_bucket_name = "b"\n'
        '  cloud_watch_logs_group_arn = aws_ssm_parameter.group.value\n'
        '  cloud_watch_logs_role_arn = "arn:aws:iam::111122223333:role/r"\n}\n')
    # the group value is read (a well-formed ARN: no CTL004); only the role outside the code is noted
    quick = lint(tmp_path, "--format", "json", ".").json["findings"]
    assert [(f["rule"], f["kind"]) for f in quick] == [("CTL010", "delivery-unresolved")]
    assert lint(tmp_path, "--format", "json", "--parse-all", ".").json["findings"] == quick


def test_a_skipped_attribute_gives_what_parse_all_gives(tmp_path: Path) -> None:
    """Issue 12.9: `aws_iam_role.r.description` was null in the default run (the role's body is trimmed)."""
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "r" {\n  name        = "trail"\n  description = "delivery role"\n'
        '  assume_role_policy = "{}"\n}\n\nresource "aws_cloudwatch_log_group" "g" {\n  name = "g"\n}\n\n'
        'resource "aws_cloudtrail" "org" {\n  name = "org"\n  s3_bucket_name = "b"\n'
        '  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.g.arn}:*"\n'
        '  cloud_watch_logs_role_arn = aws_iam_role.r.description\n}\n')
    quick = lint(tmp_path, "--format", "json", ".").json["findings"]
    assert [(f["rule"], f["kind"]) for f in quick] == [("CTL004", "role-not-a-role-arn")]
    assert lint(tmp_path, "--format", "json", "--parse-all", ".").json["findings"] == quick


# ----- progress -----

def test_progress_only_on_a_terminal_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    assert wanted(None, Tty()) is True
    assert wanted(None, io.StringIO()) is False
    monkeypatch.setenv("CI", "true")
    assert wanted(None, Tty()) is False
    assert wanted("always", io.StringIO()) is True
    assert wanted("never", Tty()) is False


def test_progress_bar_counts_files_and_erases_itself() -> None:
    stream = io.StringIO()
    bar = Progress(3, True, stream, label="files parsed")
    for _ in range(3):
        bar.advance()
    bar.close()
    out = stream.getvalue()
    assert "3/3 files parsed" in out
    assert out.endswith("\r")


def test_progress_flag_writes_to_stderr_only(tmp_path: Path) -> None:
    folder = _module(tmp_path / "m")
    result = lint(folder, "--format", "json", "--progress", ".")
    assert "files scanned" in result.stderr
    json.loads(result.stdout)
    assert "files scanned" not in lint(folder, "--format", "json", ".").stderr


def test_the_facts_index_forgets_files_that_are_gone(tmp_path: Path) -> None:
    folder = tmp_path / "tree"
    _module(folder / "a")
    _module(folder / "b")
    old = time.time() - 86400
    for path in folder.rglob("*.tf"):
        os.utime(path, (old, old))  # older than the racy window, so the index may keep them
    cache_dir = tmp_path / "cache"
    lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".")
    [index] = list(cache_dir.rglob("facts-*.json"))
    keys = _index_keys(index)
    assert _indexed(keys, "a/main.tf") and _indexed(keys, "b/main.tf")
    (folder / "b" / "main.tf").unlink()
    lint(folder, "--format", "json", "--cache-dir", str(cache_dir), ".")
    keys = _index_keys(index)
    assert _indexed(keys, "a/main.tf")
    assert not _indexed(keys, "b/main.tf")


def _index_keys(index: Path) -> dict:
    """The entries of a facts index file (``["cloudtrail-lint-facts", format, {key: entry}]``)."""
    kind, _format, entries = json.loads(index.read_bytes())
    assert kind == "cloudtrail-lint-facts"
    return entries


def _indexed(keys, path: str) -> bool:
    """Whether the facts index has an entry for ``path`` (keys end with the path as discovery gave it)."""
    return any(key.endswith((":" + path, "/" + path)) for key in keys)


# ----- the Terraform parser without tree positions -----

@pytest.fixture(scope="module")
def parsers() -> tuple[object, object]:
    """python-hcl2's own parser, and the copy without tree positions."""
    saved = hcl_module._parser
    hcl_module._parser = None
    std = hcl_module._parser_in_use()
    assert hcl_module.use_positionless_parser(), "this Lark cannot copy python-hcl2's parser"
    copy = hcl_module._parser
    hcl_module._parser = saved
    assert std.options.propagate_positions and copy.options.propagate_positions is False
    return std, copy


def _parse_both(text: str, parsers: tuple[object, object], monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """parse_hcl's result (a TfFile as the cache stores it, or the ParseError's fields) with each parser."""
    results: list[object] = []
    for parser in parsers:
        monkeypatch.setattr(hcl_module, "_parser", parser)
        try:
            results.append(encode_result(parse_hcl(text, "x.tf")))
        except ParseError as err:
            results.append((err.message, err.line, err.column))
    return results


TF_INPUTS = sorted({*FIXTURES.rglob("*.tf"), *FIXTURES.rglob("*.tfvars"),
                    *(CORPUS.rglob("*.tf") if CORPUS.is_dir() else [])})


def test_positionless_parser_gives_identical_files_and_errors(parsers, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Terraform file of the fixtures and the corpus, whole and slimmed: the same nodes, lines, columns
    and source text, and the same error where a file is broken."""
    assert len(TF_INPUTS) > 100
    compared = 0
    for path in TF_INPUTS:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for variant in {text, slim(text) or text}:
            std, copy = _parse_both(variant, parsers, monkeypatch)
            assert std == copy, path
            compared += 1
    assert compared > 150


def test_spans_from_tokens_are_the_spans_lark_propagates(parsers) -> None:
    """The builder's first and last token of every node match Lark's ``propagate_positions`` meta."""
    import lark

    std = parsers[0]
    nodes = 0
    for path in TF_INPUTS:
        try:
            text = path.read_text(encoding="utf-8") + "\n"
            tree = std.parse(text + "\n")
        except (UnicodeDecodeError, OSError, lark.exceptions.LarkError):
            continue
        builder = hcl_module._Builder(text, "x.tf", lark)
        for node in tree.iter_subtrees():
            meta = node.meta
            first, last = builder.edge(node, 0), builder.edge(node, 1)
            if getattr(meta, "empty", True):
                assert first is None and last is None
                continue
            assert (first.line, first.column, first.start_pos, last.end_line, last.end_pos) == (
                meta.line, meta.column, meta.start_pos, meta.end_line, meta.end_pos), (path, node.data)
            nodes += 1
    assert nodes > 10_000


@pytest.mark.parametrize("text", [
    "x = " + "a + " * 3000 + "a\n",  # a left-deep chain: spans come from tokens without recursion
    "locals {\n  x = " + "[" * 600 + "]" * 600 + "\n}\n",
    'x = "${' + "(" * 400 + "1" + ")" * 400 + '}"\n',
    "a = {}\nb = []\nc = \"\"\nd = <<EOT\nhi\nEOT\n",
    'resource "x" "y" {\n  # c\n  dynamic "d" {\n    for_each = [1]\n    content {}\n  }\n}\n',
])
def test_positionless_parser_on_edge_cases(text: str, parsers, monkeypatch: pytest.MonkeyPatch) -> None:
    std, copy = _parse_both(text, parsers, monkeypatch)
    assert std == copy


def test_workers_started_before_the_scan_give_the_same_results(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A large unseen tree starts its workers early (with the positionless parser); a tree where nothing
    needs parsing then stops them unused."""
    folder = FIXTURES / "deep_root_calls_local_module"
    baseline = lint(folder, "--format", "json", "--no-cache", "--jobs", "1", ".")
    monkeypatch.setattr(reader_module, "EARLY_WORKERS_FILES", 1)
    monkeypatch.setattr(reader_module, "PARALLEL_MIN_FILES", 1)
    started = []
    original = reader_module.Reader.start_workers

    def spy(self):
        original(self)
        started.append(self._pool is not None)

    monkeypatch.setattr(reader_module.Reader, "start_workers", spy)
    early = lint(folder, "--format", "json", "--no-cache", "--jobs", "2", ".")
    assert started == [True]
    assert early.exit_code == baseline.exit_code
    assert _normalised(early.stdout) == _normalised(baseline.stdout)
    quiet = _module(tmp_path / "nothing")
    (quiet / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    assert lint(quiet, "--format", "json", "--no-cache", "--jobs", "2", ".").exit_code == 0
    assert started == [True, True]


def test_a_large_parse_in_process_switches_to_the_positionless_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = FIXTURES / "deep_root_calls_local_module"
    baseline = lint(folder, "--format", "json", "--no-cache", "--jobs", "1", ".")
    monkeypatch.setattr(hcl_module, "_parser", None)
    monkeypatch.setattr(reader_module, "POSITIONLESS_MIN_FILES", 1)
    switched = lint(folder, "--format", "json", "--no-cache", "--jobs", "1", ".")
    assert hcl_module._parser.options.propagate_positions is False
    assert switched.exit_code == baseline.exit_code
    assert _normalised(switched.stdout) == _normalised(baseline.stdout)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds worker processes through /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """A SIGKILLed run (nothing can clean up) must not leave its worker processes behind."""
    folder = tmp_path / "tree"
    for i in range(80):  # enough files to start the workers before the scan
        _module(folder / f"m{i:02d}")
    env = {**os.environ, "CLOUDTRAIL_LINT_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.Popen([sys.executable, "-m", "cloudtrail_lint", "--jobs", "2", "--no-cache", str(folder)],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 20
    while not workers and time.monotonic() < deadline and run.poll() is None:
        for children in Path(f"/proc/{run.pid}/task").glob("*/children"):  # forked from the run's thread
            with contextlib.suppress(OSError):
                workers += [int(pid) for pid in children.read_text().split()]
        time.sleep(0.005)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert workers, "the run ended before its workers could be seen"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def test_a_first_run_reads_each_file_once_without_a_separate_stat(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """With no index to look files up in, the scan opens each file straight away (its size from the open
    file), for the whole run, not only until the first entry is indexed; the next run finds them all."""
    folder = _aged_tree(tmp_path / "tree", 3)
    cache = Cache(str(tmp_path / "cache"), scope="tree")
    reader = reader_module.Reader(cache, 1 << 20)
    stats = []
    real_stat = os.stat
    monkeypatch.setattr(reader_module.os, "stat", lambda *a, **k: stats.append(a[0]) or real_stat(*a, **k))
    paths = sorted(str(p) for p in folder.rglob("*.tf"))
    for path in paths:
        assert reader.facts(path, "tf") == scan_terraform(Path(path).read_bytes())
    assert not [p for p in stats if str(p) in paths]
    cache.save()
    again = reader_module.Reader(Cache(str(tmp_path / "cache"), scope="tree"), 1 << 20)
    assert again.cache.has_index()
    monkeypatch.setattr(reader_module.Reader, "_scan", None)  # nothing is read: all from the index
    assert again.facts_of_files(paths, "tf") == [scan_terraform(Path(p).read_bytes()) for p in paths]
    assert sorted(str(p) for p in stats if str(p) in paths) == paths  # one stat each


def test_a_scan_split_with_a_helper_process_finds_the_same_and_indexes_every_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _aged_tree(tmp_path / "tree", 6)
    groups = [sorted(str(p) for p in (folder / f"m{i}").glob("*.tf")) for i in range(6)]
    serial = reader_module.Reader(Cache(enabled=False), 1 << 20, jobs=1).facts_of_folders(groups, "tf")
    monkeypatch.setattr(reader_module, "PARALLEL_SCAN_MIN_FILES", 1)
    cache = Cache(str(tmp_path / "cache"), scope="tree")
    split = reader_module.Reader(cache, 1 << 20, jobs=2)
    started = []
    real_start = reader_module._start_helper
    monkeypatch.setattr(reader_module, "_start_helper", lambda *a: started.append(1) or real_start(*a))
    assert split.facts_of_folders(groups, "tf") == serial
    assert started == [1]
    cache.save()
    [index] = (tmp_path / "cache").rglob("facts-*.json")
    keys = _index_keys(index)
    assert all(_indexed(keys, path.split(str(tmp_path) + "/", 1)[1]) for group in groups for path in group)


def test_a_scan_helper_that_dies_is_made_up_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _aged_tree(tmp_path / "tree", 4)
    groups = [sorted(str(p) for p in (folder / f"m{i}").glob("*.tf")) for i in range(4)]
    serial = reader_module.Reader(Cache(enabled=False), 1 << 20, jobs=1).facts_of_folders(groups, "tf")
    monkeypatch.setattr(reader_module, "PARALLEL_SCAN_MIN_FILES", 1)
    monkeypatch.setattr(reader_module, "_helper", lambda *args: os._exit(1))  # killed before it answers
    cache = Cache(str(tmp_path / "cache"), scope="tree")
    assert reader_module.Reader(cache, 1 << 20, jobs=2).facts_of_folders(groups, "tf") == serial
