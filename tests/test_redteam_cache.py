"""Issue 11, items 1 and 2: the parse cache can neither run code nor change a verdict.

The attacker can write files in the cache (a shared CI runner, a cache folder others can write, a
cache shipped inside a fork). Inputs that are files live in ``tests/redteam/cache_forged_entry``;
pickles, links, FIFOs and permissions are made here. Hang repros run in a subprocess with a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cloudtrail_lint import reader as reader_module
from cloudtrail_lint.cache import Cache

from .conftest import lint

SCENARIO = Path(__file__).parent / "redteam" / "cache_forged_entry"
#: The finding of target/main.tf, a trail that sends nothing to CloudWatch Logs.
TARGET_FINDING = ("CTL001", "main.tf", 35, "aws_cloudtrail.staging")


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(SCENARIO / name, folder)
    return folder


def _entry_path(cache_dir: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """Where the cache files the parse of ``folder/main.tf`` when ``folder`` is linted as ``.``, and the
    digest it is filed under."""
    with monkeypatch.context() as inside:
        inside.chdir(folder)
        kind = reader_module._cache_kind("tf", False, False, "main.tf")
        digest = Cache.digest((folder / "main.tf").read_bytes(), kind)
        root = Path(Cache(str(cache_dir), scope=str(folder)).root)
    return root / "parsed" / digest[:2] / digest, digest


def _bundle_path(cache_dir: Path, folder: Path) -> Path:
    return Path(Cache(str(cache_dir), scope=str(folder))._bundle_path())


def _decoy_entry(tmp_path: Path, cache_dir: Path) -> bytes:
    """The cache's own entry for a file that declares no trail (what a forger copies)."""
    decoy = _copy(tmp_path, "decoy")
    assert lint(decoy, "--format", "json", "--parse-all", "--cache-dir", str(cache_dir), ".").exit_code == 0
    [entry] = [p for p in cache_dir.rglob("*") if p.is_file() and p.parent.parent.name == "parsed"]
    return entry.read_bytes()


def _forge(entry: bytes, digest: str) -> bytes:
    """``entry`` made to claim ``digest`` (a JSON entry names the digest it is for; a pickle does not)."""
    if entry.startswith(b"["):
        data = json.loads(entry)
        data[2] = digest
        return json.dumps(data).encode()
    return entry


# --------------------------------------------------------------------------- 1: no code runs

def _pickle_running(command: str) -> bytes:
    """A pickle that names only ``cloudtrail_lint.*`` classes, the one thing the old allow-list checked,
    and still calls ``os.system(command)``: protocol 4 dotted names reach ``operator.attrgetter`` and
    ``operator.itemgetter`` (both classes) through the linter's own imports; from a linter class they
    reach its module's globals, ``os``, and ``os.system``."""

    def text(value: str) -> bytes:  # SHORT_BINUNICODE
        data = value.encode()
        return b"\x8c" + bytes([len(data)]) + data

    def name(module: str, qualified: str) -> bytes:  # STACK_GLOBAL
        return text(module) + text(qualified) + b"\x93"

    def call(function: bytes, argument: bytes) -> bytes:  # TUPLE1, REDUCE
        return function + argument + b"\x85R"

    attrgetter = name("cloudtrail_lint.cli", "click.termui.inspect.attrgetter")
    itemgetter = name("cloudtrail_lint.cache", "tempfile._shutil.collections._itemgetter")
    cache_globals = call(call(attrgetter, text("__init__.__globals__")), name("cloudtrail_lint.cache", "Cache"))
    os_module = call(call(itemgetter, text("os")), cache_globals)
    system = call(call(attrgetter, text("system")), os_module)
    return b"\x80\x04" + call(system, text(command)) + b"."


def test_a_pickle_planted_in_the_cache_cannot_run_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As entry and as bundle for the very file being linted: the run reports as without a cache."""
    target = _copy(tmp_path, "target")
    cache_dir = tmp_path / "cache"
    marker = tmp_path / "pwned"
    payload = _pickle_running(f"touch {marker}")
    entry, _digest = _entry_path(cache_dir, target, monkeypatch)
    entry.parent.mkdir(parents=True)
    entry.write_bytes(payload)
    _bundle_path(cache_dir, target).write_bytes(payload)
    try:
        result = lint(target, "--format", "json", "--cache-dir", str(cache_dir), ".")
    finally:
        assert not marker.exists(), "a cache entry ran a command"
    assert (result.exit_code, result.findings(), result.json["errors"]) == (1, {TARGET_FINDING}, [])


# --------------------------------------------------------------------------- 2: no verdict changes

def test_an_entry_filed_under_another_digest_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parse of a file without a trail, copied to the name of the target's digest, made the target
    report "0 trails" and exit 0. An entry names the digest it was made for and must match its name."""
    cache_dir = tmp_path / "cache"
    decoy = _decoy_entry(tmp_path, cache_dir)
    target = _copy(tmp_path, "target")
    entry, _digest = _entry_path(cache_dir, target, monkeypatch)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(decoy)
    result = lint(target, "--format", "json", "--cache-dir", str(cache_dir), ".")
    assert (result.exit_code, result.json["summary"]["trails"], result.findings()) == (1, 1, {TARGET_FINDING})


def _other_user(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``path`` (and what is in it) belong to someone else: for real as root, else by making the
    cache believe it runs as another user."""
    if os.geteuid() == 0:
        for item in [path, *path.rglob("*")]:
            os.chown(item, 65534, 65534, follow_symlinks=False)
    else:
        monkeypatch.setattr("cloudtrail_lint.cache_dir._user", lambda: os.geteuid() + 1)


UNSAFE = {
    "world-writable": lambda cache, mp: cache.chmod(0o777),
    "group-writable": lambda cache, mp: cache.chmod(0o770),
    "parent-world-writable": lambda cache, mp: cache.parent.chmod(0o777),
    "owned-by-another-user": _other_user,
}


@pytest.mark.parametrize("how", sorted(UNSAFE))
def test_a_cache_directory_others_can_write_is_not_used(how: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Refused with one warning, and the run goes on without a cache: a forged entry (even one that
    claims the right digest) changes nothing, and nothing is written there."""
    holder = tmp_path / "holder"
    holder.mkdir(mode=0o755)
    cache_dir = holder / "cache"
    decoy = _decoy_entry(tmp_path, cache_dir)
    target = _copy(tmp_path, "target")
    entry, digest = _entry_path(cache_dir, target, monkeypatch)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(_forge(decoy, digest))
    before = sorted(str(p) for p in cache_dir.rglob("*"))
    UNSAFE[how](cache_dir, monkeypatch)
    try:
        first = lint(target, "--format", "json", "--cache-dir", str(cache_dir), ".")
        second = lint(target, "--format", "json", "--cache-dir", str(cache_dir), ".")
    finally:
        holder.chmod(0o755)
    assert (first.exit_code, first.findings()) == (1, {TARGET_FINDING})
    assert (second.exit_code, second.findings()) == (1, {TARGET_FINDING})
    [warning] = first.stderr.splitlines()
    assert warning.startswith("cloudtrail-lint: warning: not using the parse cache: ")
    assert warning.endswith("; running without it")
    assert ("owned by another user" if how == "owned-by-another-user" else "writable by") in warning
    assert second.stderr == ""  # once per process
    assert sorted(str(p) for p in cache_dir.rglob("*")) == before


def test_a_sticky_world_writable_parent_is_accepted(tmp_path: Path) -> None:
    """Like /tmp: others may write the folder above the cache, but cannot rename or remove what is yours."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    target = _copy(tmp_path, "target")
    result = lint(target, "--format", "json", "--cache-dir", str(shared / "cache"), ".")
    assert (result.exit_code, result.findings(), result.stderr) == (1, {TARGET_FINDING}, "")
    assert list((shared / "cache").rglob("bundle-*"))
    assert (shared / "cache").stat().st_mode & 0o777 == 0o700


def test_the_checks_stop_at_your_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders above your home are the system's (a group-writable /home exists): a cache inside your
    home is checked up to it; one outside it is checked up to /."""
    above = tmp_path / "above"
    home = above / "home"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    target = _copy(tmp_path, "target")
    above.chmod(0o775)
    try:
        inside = lint(target, "--format", "json", "--cache-dir", str(home / ".cache" / "ctl"), ".")
        outside = lint(target, "--format", "json", "--cache-dir", str(above / "cache"), ".")
    finally:
        above.chmod(0o755)
    assert (inside.exit_code, inside.stderr) == (1, "")
    assert list((home / ".cache" / "ctl").rglob("bundle-*"))
    assert outside.exit_code == 1 and f"{above} is writable by group" in outside.stderr
    assert not (above / "cache").exists()


@pytest.mark.parametrize("how", ["--cache-dir", "environment", "named-file"])
def test_a_cache_directory_inside_the_scanned_tree_is_not_used(how: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork can ship a ready-made cache: a cache directory inside a scanned path (or inside the folder
    of a scanned file) is refused before anything is created or read there."""
    target = _copy(tmp_path, "target")
    cache_dir = target / ".cache" / "cloudtrail-lint"
    args = ["--format", "json", "main.tf" if how == "named-file" else "."]
    if how == "environment":
        monkeypatch.setenv("CLOUDTRAIL_LINT_CACHE_DIR", str(cache_dir))
    else:
        args = ["--cache-dir", str(cache_dir), *args]
    result = lint(target, *args)
    assert (result.exit_code, result.findings()) == (1, {TARGET_FINDING})
    assert "not using the parse cache" in result.stderr and "is inside the scanned path" in result.stderr
    assert not (target / ".cache").exists()


# --------------------------------------------------------------------------- links and FIFOs in the cache

def _run(folder: Path, cache_dir: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """The real command with a pipe for stdout and one for stdin that stays open (as in CI), so that
    reading either blocks; a run that blocks fails the test instead of hanging it."""
    command = [sys.executable, "-m", "cloudtrail_lint", "--format", "json", "--cache-dir", str(cache_dir), "."]
    stdin, keep_open = os.pipe()
    try:
        proc = subprocess.Popen(command, cwd=folder, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        os.close(stdin)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"the linter blocked for {timeout} s on a link or FIFO in its cache")
    finally:
        os.close(keep_open)
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _entry_to_stdout(entry: Path, bundle: Path, index: Path, outside: Path) -> None:
    entry.symlink_to("/proc/self/fd/1")


def _bundle_fifo(entry: Path, bundle: Path, index: Path, outside: Path) -> None:
    os.mkfifo(bundle)


def _index_to_stdin(entry: Path, bundle: Path, index: Path, outside: Path) -> None:
    index.symlink_to("/dev/stdin")


def _folder_link(entry: Path, bundle: Path, index: Path, outside: Path) -> None:
    """The two-letter folder of the entry links to a folder the attacker filled."""
    (outside / entry.name).write_bytes(entry.read_bytes())
    entry.unlink()
    entry.parent.rmdir()
    entry.parent.symlink_to(outside)


TRAPS = {"entry-to-stdout": _entry_to_stdout, "bundle-is-a-fifo": _bundle_fifo,
         "index-to-stdin": _index_to_stdin, "folder-link": _folder_link}


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="needs /proc and FIFOs")
@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_links_and_fifos_in_the_cache_are_never_followed(trap: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry linked to /proc/self/fd/1 blocked the run forever; a linked folder served a forged parse."""
    cache_dir = tmp_path / "cache"
    decoy = _decoy_entry(tmp_path, cache_dir)
    target = _copy(tmp_path, "target")
    entry, digest = _entry_path(cache_dir, target, monkeypatch)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_bytes(_forge(decoy, digest))
    outside = tmp_path / "outside"
    outside.mkdir()
    index = Path(str(_bundle_path(cache_dir, target)).replace("bundle-", "facts-"))
    if trap != "folder-link":
        entry.unlink()
    TRAPS[trap](entry, _bundle_path(cache_dir, target), index, outside)
    proc = _run(target, cache_dir)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["summary"]["trails"] == 1
    assert [(f["rule"], f["line"]) for f in report["findings"]] == [("CTL001", 35)]


# --------------------------------------------------------------------------- the codec, field by field

CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
TF_FILES = sorted(p for root in (FIXTURES, CORPUS) if root.is_dir() for p in root.rglob("*")
                  if p.name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")) and p.is_file())
DOC_FILES = sorted(p for root in (FIXTURES, CORPUS) if root.is_dir() for p in root.rglob("*")
                   if p.name.endswith((".yaml", ".yml", ".json", ".template")) and p.is_file()
                   and not p.name.endswith((".tf.json", ".tfvars.json")))


def _same(a, b, where: str = "") -> None:
    """``a`` and ``b`` are equal in type and in every field (slots, dataclass fields, the positions of
    YAML data), recursively."""
    from dataclasses import fields, is_dataclass

    assert type(a) is type(b), (where, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
        for attr in ("line", "col", "key_pos"):
            assert getattr(a, attr, None) == getattr(b, attr, None), (where, attr)
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
        assert [getattr(a, n, None) for n in ("line", "col")] == [getattr(b, n, None) for n in ("line", "col")], where
    elif is_dataclass(a):
        for f in fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif hasattr(type(a), "__slots__") or hasattr(a, "__dict__"):
        names = {s for cls in type(a).__mro__ for s in getattr(cls, "__slots__", ())} | set(getattr(a, "__dict__", {}))
        assert names, where
        for name in sorted(names):
            _same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    else:
        assert a == b or (a != a and b != b), where  # NaN equals itself here


def _round_trip(result):
    from cloudtrail_lint import cache_codec as codec

    encoded = codec.encode_result(result)
    back = codec.decode_result(codec.loads(codec.dumps(encoded)))
    _same(result, back)
    if type(result).__name__ == "ParseError":
        assert (back.message, back.line, back.column) == (result.message, result.line, result.column)
    return encoded


def test_every_parse_result_of_the_fixtures_and_corpus_survives_the_cache_unchanged() -> None:
    """Terraform files (whole and with skipped bodies, tfvars), templates, plans, documents that are no
    template, and parse errors: decoded from the cache, each equals what the front-end gave, field by field."""
    from cloudtrail_lint.frontends import ParseError

    kinds: set[str] = set()
    for path in TF_FILES:
        raw = path.read_bytes()
        for whole in (True, False):
            tfvars = path.name.endswith((".tfvars", ".tfvars.json"))
            result = reader_module.parse_terraform_bytes(raw, str(path), tfvars, whole)
            _round_trip(result)
            kinds.add(type(result).__name__)
    for path in DOC_FILES:
        result = reader_module.parse_document_bytes(path.read_bytes(), str(path))
        _round_trip(result)
        kinds.add(result[0] if isinstance(result, tuple) else type(result).__name__)
    assert {"TfFile", "ParseError", "NoneType", "cloudformation", "terraform-plan"} <= kinds
    _round_trip(ParseError("nesting too deep", 7, 3))


def test_every_syntax_tree_class_has_an_encoding() -> None:
    """A class added to the front-ends without a cache encoding would not be cached; one whose fields
    changed is caught by the round trip above."""
    import inspect

    from cloudtrail_lint import cache_codec
    from cloudtrail_lint.frontends import hcl_ast

    nodes = {cls for _, cls in inspect.getmembers(hcl_ast, inspect.isclass)
             if issubclass(cls, hcl_ast.Node) and cls is not hcl_ast.Node}
    assert nodes == set(cache_codec.NODE_TAGS)


def _mutations(data, count: int = 1500):
    """Copies of the encoded ``data`` with one list changed at random (a fixed seed): an element replaced
    by a value of another type, one removed, or one added."""
    import random

    rng = random.Random(11)
    lists = _lists(data)
    odd = [None, True, -1, 1.5, "x", [], ["t"], {"a": 1}, ["L", 1, 1, "s"], 0]
    for _ in range(count):
        mutated = json.loads(json.dumps(data))
        target = _lists(mutated)[rng.randrange(len(lists))]
        position = rng.randrange(len(target) + 1)
        change = rng.randrange(len(odd) + 1)
        if change == len(odd):
            if position < len(target):
                del target[position]
        elif position < len(target):
            target[position] = odd[change]
        else:
            target.append(odd[change])
        yield mutated


def _lists(data) -> list[list]:
    """Every list in ``data``, in a fixed order."""
    out, stack = [], [data]
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            out.append(value)
            stack.extend(reversed(value))
    return out


@pytest.mark.parametrize("name", ["tf_no_cloudwatch/main.tf", "deep_for_each_teams/main.tf",
                                  "cfn_no_cloudwatch/trail.yml", "deep_tfplan/plan.json"])
def test_a_malformed_entry_is_rejected_never_an_error(name: str) -> None:
    """Every field is checked: any change of type, length or tag is Invalid (or still a valid encoding,
    e.g. one string for another), never another exception or an object with a field of the wrong type."""
    from cloudtrail_lint import cache_codec as codec

    path = FIXTURES / name
    if path.name.endswith(".tf"):
        result = reader_module.parse_terraform_bytes(path.read_bytes(), str(path), False, True)
    else:
        result = reader_module.parse_document_bytes(path.read_bytes(), str(path))
    encoded = codec.encode_result(result)
    rejected = 0
    for mutated in _mutations(encoded):
        try:
            decoded = codec.decode_result(mutated)
        except codec.Invalid:
            rejected += 1
            continue
        assert codec.encode_result(decoded) == mutated  # whatever decodes is a valid encoding
    assert rejected > 1000


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b'["E", "x", ' + b"9" * 5000 + b", 1]",
                                 b"\xff\xfe", b"", b"null", b'{"__class__": "os.system"}', b'["F", 1]'])
def test_hostile_json_is_invalid(raw: bytes) -> None:
    from cloudtrail_lint import cache_codec as codec

    with pytest.raises(codec.Invalid):
        data = codec.loads(raw)
        codec.decode_result(data)
        raise codec.Invalid("decoded as something")  # only None decodes; it is not an entry either


def test_malformed_facts_are_ignored() -> None:
    from cloudtrail_lint.cache_codec import decode_facts

    assert decode_facts([True, ["./m"]]) == (True, ("./m",))
    assert decode_facts(0) == (False, ()) and decode_facts(1) == (True, ())
    for bad in (None, [], [1, []], [True, "./m"], [True, [1]], [True, [], 3], "digest", {"a": 1}, 2, -1, True,
                False, 1.0):
        assert decode_facts(bad) is None


@pytest.mark.parametrize("facts", [(False, ()), (True, ()), (False, ("./m", "../n")), (True, ("git::x",))])
def test_facts_round_trip(facts: tuple) -> None:
    from cloudtrail_lint.cache_codec import decode_facts, encode_facts

    assert decode_facts(encode_facts(facts)) == facts
