"""Issue #6: hostile and broken inputs.

Every input is linted, skipped as not infrastructure as code, or listed in ``errors`` (file, line when
known, reason) with exit status 2; the other files of the run are still linted. No traceback reaches
the user, time and memory stay bounded, nothing from an input is executed or fetched, text output
carries no raw control characters, symbolic links are not followed out of the scanned tree, and the
linter never writes into it.

Static bad inputs live in ``tests/fixtures/hostile_*`` (one folder per scenario, described in its
SCENARIO.md); inputs that are large, deeply nested, or need symlinks or odd file names are made here.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .conftest import FIXTURES, Unprivileged, lint

#: Findings of the valid files placed next to the bad ones in most scenarios.
OK_CFN = ("CTL001", "ok/trail.yml", 10, "Trail")
OK_TF = ("CTL001", "ok_tf/main.tf", 35, "aws_cloudtrail.staging")
TRAIL_YML = (FIXTURES / "cfn_no_cloudwatch" / "trail.yml").read_text(encoding="utf-8")
TF_MAIN = (FIXTURES / "tf_no_cloudwatch" / "main.tf").read_text(encoding="utf-8")
TF_PROVIDERS = (FIXTURES / "tf_no_cloudwatch" / "providers.tf").read_text(encoding="utf-8")
#: What the YAML tags of hostile_python_tag would create if any of them were ever constructed.
TAG_MARKER = Path("/tmp/cloudtrail-lint-hostile-tag-marker")
SECRET = "SUPERSECRET-do-not-print"
SKIP_DIRS = {".git", ".terraform", ".terragrunt-cache", "node_modules", ".hg", ".svn", "__pycache__", ".venv"}

# folder, expected errors (file, line, message substring), expected findings, exit status
CORPUS = [
    ("hostile_hcl_truncated", [("broken/main.tf", 3, "invalid HCL: unexpected")], {OK_CFN, OK_TF}, 2),
    ("hostile_hcl_malformed", [("broken/main.tf", 3, "invalid HCL: unexpected '='")],
     {OK_CFN, OK_TF}, 2),
    ("hostile_yaml_truncated", [("truncated.yaml", 6, "invalid YAML/JSON: found unexpected end of stream")],
     {OK_CFN}, 2),
    ("hostile_yaml_malformed", [("bad.yaml", 7, "invalid YAML/JSON: did not find expected key")],
     {OK_CFN}, 2),
    ("hostile_json_truncated", [("truncated.json", 7, "invalid YAML/JSON: did not find expected node")],
     {OK_CFN}, 2),
    ("hostile_json_malformed", [("bad.json", 6, "invalid YAML/JSON: did not find expected ',' or '}'")],
     {OK_CFN}, 2),
    # binary main.tf is an error; binary blob.yaml is no template (no hint in it): skipped
    ("hostile_binary_tf", [("bin/main.tf", 1, "file contains NUL bytes (binary, not text)")],
     {OK_CFN, OK_TF}, 2),
    ("hostile_nul_bytes", [("nul_tf/main.tf", 2, "file contains NUL bytes"),
                           ("template.yaml", 15, "file contains NUL bytes")], {OK_CFN, OK_TF}, 2),
    ("hostile_invalid_utf8", [("latin1_tf/main.tf", 2, "invalid UTF-8 at byte 50"),
                              ("template.yaml", 2, "invalid UTF-8 at byte 88")], {OK_CFN, OK_TF}, 2),
    # byte-order marks and CRLF: linted like plain UTF-8 with LF, on the same lines
    ("hostile_bom", [], {("CTL001", "utf8_bom.yaml", 10, "Trail"),
                         ("CTL001", "utf16le_bom.yaml", 10, "Trail"),
                         ("CTL001", "utf16be_bom.json", 4, "Trail"),
                         ("CTL001", "tf_utf8_bom/main.tf", 35, "aws_cloudtrail.staging"),
                         ("CTL001", "tf_utf16/main.tf", 35, "aws_cloudtrail.staging")}, 1),
    ("hostile_crlf", [], {("CTL001", "crlf.yaml", 10, "Trail"), ("CTL001", "crlf.json", 4, "Trail"),
                          ("CTL001", "tf/main.tf", 35, "aws_cloudtrail.staging")}, 1),
    # CloudFormation rejects duplicate keys, so do we (the second occurrence is reported); a YAML file
    # that is no template (config.yaml) may have them
    ("hostile_duplicate_keys", [
        ("dup_property.json", 8, "duplicate key 'S3BucketName' (CloudFormation rejects templates with"),
        ("dup_resource.yaml", 7, "duplicate key 'Trail' (CloudFormation rejects"),
        ("tf_json/main.tf.json", 4, "duplicate key 'name'")], {OK_CFN}, 2),
    # a template with a Python tag is an error; settings.yaml (no template) is skipped silently
    ("hostile_python_tag", [
        ("apply.yaml", 6, "YAML tag !!python/object/apply:os.system is not allowed in a CloudFormation"),
        ("new.yaml", 6, "YAML tag !!python/object/new:subprocess.Popen is not allowed"),
        ("tagged.json", 3, "YAML tag !!python/name:os.system is not allowed")], {OK_CFN}, 2),
    ("hostile_alias_bomb", [("bomb.yaml", 9, "aliases expand to more than 2000000 nodes"),
                            ("chain.yaml", 500, "nesting too deep through aliases (more than 500 levels)"),
                            ("recursive.yaml", 5, "recursive alias: an anchor is used inside its own value")],
     {OK_CFN}, 2),
    ("hostile_control_chars", [], {OK_CFN, ("CTL004", "template.yaml", 3, "Tr\x1b[31mail\x07"),
                                   ("CTL004", "tf/main.tf", 2, "aws_cloudtrail.t\x1b[1m")}, 1),
]
CORPUS_IDS = [case[0] for case in CORPUS]


@pytest.fixture(autouse=True, scope="module")
def _own_cache(tmp_path_factory: pytest.TempPathFactory):
    """Runs here use (and fill) a cache of their own: never the user's, never one shared with other tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CLOUDTRAIL_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        yield


def raw_controls(text: str) -> set[str]:
    """Control characters (C0 but newline, DEL, C1) in ``text``: none may come from an input."""
    return {c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F}


def errors_of(result) -> list[tuple[str, int, str]]:
    return sorted((e["file"], e["line"], e["message"]) for e in result.json["errors"])


def assert_errors(got: list[tuple[str, int, str]], expected: list[tuple[str, int, str]]) -> None:
    assert [(f, ln) for f, ln, _ in got] == sorted((f, ln) for f, ln, _ in expected), got
    for (_, _, message), (_, _, part) in zip(got, sorted(expected)):
        assert part in message, (message, part)


def regular_files(root: Path) -> int:
    """Files discovery would see: regular files, not through symlinks, outside the skipped folders."""
    count = 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        count += sum(1 for f in files if not os.path.islink(os.path.join(folder, f))
                     and os.path.isfile(os.path.join(folder, f)))
    return count


def run_cli(cwd: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 180,
            preexec=None) -> subprocess.CompletedProcess:
    """The real command in a fresh interpreter (a crash there cannot take the test run with it)."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "cloudtrail_lint", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=full_env, preexec_fn=preexec)


# --------------------------------------------------------------------------- 1. the bad-input corpus


@pytest.mark.parametrize(("folder", "errors", "findings", "exit_code"), CORPUS, ids=CORPUS_IDS)
def test_bad_input_corpus(folder: str, errors: list, findings: set, exit_code: int) -> None:
    result = lint(FIXTURES / folder, "--format", "json", ".")
    assert result.exit_code == exit_code
    assert_errors(errors_of(result), errors)
    assert result.findings() == findings  # the valid files of the run are still linted and reported
    summary = result.json["summary"]
    assert summary["input_errors"] == len(errors)
    assert summary["files_linted"] + summary["files_skipped"] + len({e[0] for e in errors}) == regular_files(
        FIXTURES / folder)


@pytest.mark.parametrize(("folder", "errors", "findings", "exit_code"), CORPUS, ids=CORPUS_IDS)
def test_bad_input_corpus_text_output(folder: str, errors: list, findings: set, exit_code: int) -> None:
    result = lint(FIXTURES / folder, ".")
    assert result.exit_code == exit_code
    assert not raw_controls(result.stdout + result.stderr)
    assert len(result.stderr.splitlines()) == len(errors)  # one line per error: nothing forged a line break
    assert len(result.stdout.splitlines()) == len(findings) + 1
    for (file, line, _), text in zip(sorted(errors), sorted(result.stderr.splitlines())):
        assert text.startswith(f"{file}:{line}:")


def test_crlf_and_bom_files_read_like_their_plain_twins(tmp_path: Path) -> None:
    """Not just the same findings: the same parsed data, lines included."""
    from cloudtrail_lint.frontends.cfn import load_template
    from cloudtrail_lint.frontends.hcl import parse_hcl
    from cloudtrail_lint.sources import read_text

    plain = tmp_path / "plain.yml"
    plain.write_text(TRAIL_YML, encoding="utf-8")
    reference = load_template(str(plain), 1 << 20)
    for twin in ("hostile_bom/utf8_bom.yaml", "hostile_bom/utf16le_bom.yaml", "hostile_crlf/crlf.yaml"):
        data = load_template(str(FIXTURES / twin), 1 << 20)
        assert data == reference
        assert data["Resources"].key_pos == reference["Resources"].key_pos
    tf_ref = parse_hcl(TF_MAIN, "main.tf")
    for twin in ("hostile_bom/tf_utf8_bom/main.tf", "hostile_bom/tf_utf16/main.tf",
                 "hostile_crlf/tf/main.tf"):
        text = read_text(str(FIXTURES / twin))
        assert "\r" not in text and not text.startswith("\ufeff")
        parsed = parse_hcl(text, "main.tf")
        assert [(b.type, b.labels, b.line, b.end_line) for b in parsed.blocks] == [
            (b.type, b.labels, b.line, b.end_line) for b in tf_ref.blocks]


def test_python_tags_are_never_constructed() -> None:
    TAG_MARKER.unlink(missing_ok=True)
    for args in ((".",), ("--format", "json", "."), ("settings.yaml",)):
        result = lint(FIXTURES / "hostile_python_tag", *args)
        assert result.exit_code in (0, 2)
    proc = run_cli(FIXTURES / "hostile_python_tag", "--format", "json", ".")
    assert proc.returncode == 2
    assert not TAG_MARKER.exists()
    # the non-template file named on its own is skipped silently, even with its tags
    alone = lint(FIXTURES / "hostile_python_tag", "--format", "json", "settings.yaml")
    assert (alone.exit_code, alone.json["errors"], alone.json["summary"]["files_skipped"]) == (0, [], 1)


def test_alias_bomb_is_fast_and_small() -> None:
    """A billion laughs, run in a fresh process: its peak memory and wall time are measured."""
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc/self/status (Linux)")
    # VmHWM is the peak of this process's own memory; ru_maxrss would include the pytest process
    # it was spawned from (Linux keeps the high-water mark across exec)
    probe = (  # the peak is written just before the process ends (it skips atexit: see cli._hard_exit)
        "import re, sys\n"
        "from cloudtrail_lint import cli\n"
        "hard_exit = cli._hard_exit\n"
        "def peak_then_exit(code):\n"
        "    sys.stderr.write('MAXRSS_KB=%s\\n' % re.search("
        "r'VmHWM:\\s*(\\d+)', open('/proc/self/status').read()).group(1))\n"
        "    hard_exit(code)\n"
        "cli._hard_exit = peak_then_exit\n"
        "sys.argv = ['cloudtrail-lint', '--format', 'json', '--no-cache', 'bomb.yaml', 'bomb_config.yaml']\n"
        "cli.main()\n"
    )
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", probe], cwd=FIXTURES / "hostile_alias_bomb",
                          capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert proc.returncode == 2, proc.stderr
    report = json.loads(proc.stdout)
    assert [(e["file"], e["line"]) for e in report["errors"]] == [("bomb.yaml", 9)]
    assert report["summary"]["files_skipped"] == 1  # bomb_config.yaml is no template: never composed
    max_rss_mb = int(re.search(r"MAXRSS_KB=(\d+)", proc.stderr).group(1)) / 1024
    assert max_rss_mb < 150, max_rss_mb  # about 25 MB: nothing is expanded
    assert elapsed < 20, elapsed


def test_alias_expansion_is_counted_through_shared_nodes() -> None:
    """Aliases share one converted value, but the expanded size and depth are what code walking it sees."""
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.frontends.yaml_nodes import load

    fine = load("a: &a [1, 2, 3]\nb: [*a, *a, *a]\nc: {x: *a}\n").data
    assert fine["b"][0] is fine["a"] and fine["c"]["x"] == [1, 2, 3]
    with pytest.raises(ParseError, match="recursive alias") as recursive:
        load("top:\n  a: &a\n    b: [1, *a]\n")
    assert recursive.value.line == 2
    # l<k> is the top mapping, k + 1 lists and a scalar deep: k + 3 levels, though the text nests 3
    chain = "l0: &l0 [x]\n" + "".join(f"l{i}: &l{i} [*l{i - 1}]\n" for i in range(1, 498))
    assert load(chain).data["l497"][0][0]
    too_deep = r"nesting too deep through aliases \(more than 500 levels\)"
    with pytest.raises(ParseError, match=too_deep) as deep:
        load(chain + "l498: &l498 [*l497]\n")
    assert deep.value.line == 499  # where the alias is used


# --------------------------------------------------------------------------- generated: size, depth


def test_50_mb_file_is_reported_quickly_and_the_limit_can_be_raised(tmp_path: Path) -> None:
    big = "x" * (50 * 1024 * 1024)
    (tmp_path / "trail.yml").write_text(TRAIL_YML + "# " + big + "\n", encoding="utf-8")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text("# " + big + "\n", encoding="utf-8")
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    (tmp_path / "notes.yaml").write_text("note: " + big + "\n", encoding="utf-8")  # no template: skipped
    start = time.monotonic()
    result = lint(tmp_path, "--format", "json", ".")
    assert time.monotonic() - start < 5
    assert result.exit_code == 2
    limit = "file is 50.0 MiB, larger than the 20 MiB limit (raise it with --max-file-size)"
    assert errors_of(result) == [("tf/main.tf", 0, limit), ("trail.yml", 0, limit)]
    assert result.findings() == {OK_CFN}
    assert result.json["summary"]["files_skipped"] == 1

    raised = lint(tmp_path, "--format", "json", "--max-file-size", "60", "trail.yml")
    assert (raised.exit_code, raised.json["errors"]) == (1, [])
    assert raised.findings() == {("CTL001", "trail.yml", 10, "Trail")}


TRAIL_YAML = "Resources:\n  Trail:\n    Type: AWS::CloudTrail::Trail\n    Properties: {S3BucketName: b}\n"
TRAIL_JSON = '"Resources": {"Trail": {"Type": "AWS::CloudTrail::Trail"}}'
TRAIL_HCL = 'resource "aws_cloudtrail" "t" {\n  name = "t"\n}\n'


def _deep_inputs(root: Path, levels: int = 100_000, fillers: int = 0) -> dict[str, str]:
    """Files nested ``levels`` deep (block-indented YAML: 1,000, since each level costs a column). Each
    declares a trail, so the text prefilter hands it to a parser. ``fillers`` valid templates more."""
    head = TRAIL_YAML + 'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n'
    json_head = '{' + TRAIL_JSON + ', "AWSTemplateFormatVersion": "2010-09-09", "Metadata": '
    files = {
        "deep_list.json": json_head + "[" * levels + "]" * levels + "}\n",
        "deep_object.json": json_head + '{"a": ' * levels + "1" + "}" * levels + "}\n",
        "deep_flow.yaml": head + "  x: " + "{a: " * levels + "1" + "}" * levels + "\n",
        "deep_dashes.yaml": head + "  x:\n    " + "- " * levels + "x\n",
        "deep_block.yaml": head + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(1000))
        + " " * 1002 + "v: 1\n",
        "deep_tf/main.tf": TRAIL_HCL + "locals {\n  x = " + "[" * levels + "]" * levels + "\n}\n",
        "deep_tfjson/main.tf.json": '{"resource": {"aws_cloudtrail": {"t": {"name": "t"}}}, "locals": {"x": '
        + "[" * levels + "]" * levels + "}}\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "ok").mkdir()
    (root / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    for i in range(fillers):
        (root / "ok" / f"filler{i}.yml").write_text(TRAIL_YML, encoding="utf-8")
    return files


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "worker-processes"])
def test_100000_levels_of_nesting_are_errors_not_crashes(tmp_path: Path, workers: bool) -> None:
    """Parsed in this process, or (12 files or more, 2 CPUs or more) in forked workers, on a normal stack."""
    from cloudtrail_lint.reader import PARALLEL_MIN_FILES

    if workers and (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU: the linter never starts worker processes")
    files = _deep_inputs(tmp_path, fillers=PARALLEL_MIN_FILES if workers else 0)
    proc = run_cli(tmp_path, "--format", "json", ".")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    report = json.loads(proc.stdout)
    assert sorted(e["file"] for e in report["errors"]) == sorted(files)
    for error in report["errors"]:
        assert re.search(r"nesting too deep|nested too deeply", error["message"]), error
        assert error["line"] >= 1
    assert {(f["rule"], f["file"]) for f in report["findings"] if f["file"].startswith("ok/")} == {
        ("CTL001", name) for name in ["ok/trail.yml"] + [f"ok/filler{i}.yml" for i in range(
            PARALLEL_MIN_FILES if workers else 0)]}


def test_nesting_precheck_protects_the_pure_python_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml, PyYAML's composer recurses per level; the pre-check stops deep text before it."""
    import yaml
    from cloudtrail_lint.frontends import ParseError, yaml_nodes

    monkeypatch.setattr(yaml_nodes, "_yaml", lambda: (yaml, yaml.SafeLoader))
    n = 100_000
    deep = ("[" * n + "]" * n, "a:\n  " + "- " * n + "x\n", "{a: " * 3000 + "1" + "}" * 3000)
    for text in deep:
        with pytest.raises(ParseError, match=r"nesting too deep \(more than 500 levels\)") as caught:
            yaml_nodes.load(text)
        assert caught.value.line >= 1


def test_nesting_limit_boundary_and_cheap_path(tmp_path: Path) -> None:
    """499 levels under the template load; 501 do not; many brackets or deep indentation alone are fine."""
    head = TRAIL_YAML + 'AWSTemplateFormatVersion: "2010-09-09"\nMetadata:\n  x: '
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    (tmp_path / "at_limit.yaml").write_text(head + "[" * 498 + "]" * 498 + "\n", encoding="utf-8")
    (tmp_path / "over.yaml").write_text(head + "[" * 499 + "]" * 499 + "\n", encoding="utf-8")
    many = ", ".join(["[1, {a: [2]}]"] * 400)  # 1,200 brackets, 4 levels: the exact scan runs and passes
    (tmp_path / "wide.yaml").write_text(head + "[" + many + "]\n", encoding="utf-8")
    literal = "  y: |\n" + "".join(" " * 300 + "indented text\n" for _ in range(3))  # deep indent, no nesting
    (tmp_path / "indented.yaml").write_text(head + "1\n" + literal, encoding="utf-8")
    result = lint(tmp_path, "--format", "json", ".")
    assert errors_of(result) == [("over.yaml", 7, "nesting too deep (more than 500 levels)")]
    assert result.json["summary"]["files_linted"] == 4


def test_hcl_chains_and_blocks_are_bounded() -> None:
    """Deep Terraform expressions built no stack or memory bomb (each level kept a copy of its source)."""
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.frontends.hcl import parse_hcl

    n = 2000
    cases = {
        "conditional": "locals {\n  x = " + "true ? 1 : " * n + "2\n}\n",
        "attributes": "locals {\n  x = a" + ".b" * n + "\n}\n",
        "calls": "locals {\n  x = " + "f(" * n + ")" * n + "\n}\n",
        "interpolation": 'locals {\n  x = ' + '"${' * n + "1" + '}"' * n + "\n}\n",
        "blocks": "a {\n" * n + "}\n" * n,
    }
    for name, text in cases.items():
        with pytest.raises(ParseError, match=r"invalid HCL: (nesting too deep|expressions nested too deep)"):
            parse_hcl(text, f"{name}.tf")
    parse_hcl("locals {\n  x = " + "[" * 40 + "]" * 40 + "\n  y = " + "true ? 1 : " * 40 + "2\n}\n", "ok.tf")


def test_parse_error_messages_stay_short() -> None:
    """A token can be most of a file (even a secret in it): the message shows its start only."""
    from cloudtrail_lint.frontends import ParseError
    from cloudtrail_lint.frontends.hcl import parse_hcl

    with pytest.raises(ParseError) as caught:
        parse_hcl("[default]\nkey = " + "A" * 10_000 + "\n", "x.tf")
    assert len(caught.value.message) < 120


def test_text_scans_stay_linear(tmp_path: Path) -> None:
    """The template hint was quadratic on blank lines (40 KB of them: 19 s; also on the 64 KB read when a
    file cannot be decoded), the directive parser quadratic in the length of a comment."""
    blank = "\n" * 100_000  # about two minutes with the old pattern, milliseconds now
    (tmp_path / "blank.yaml").write_text(blank + "x: AWS::CloudTrail::Trail\n", encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\n" * 65_536 + b"\x00 AWS::CloudTrail::Trail\n")
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(
        "# cloudtrail-lint: ignore CTL001 reason=x " + "k=v " * 200_000 + "\n" + TF_MAIN, encoding="utf-8")
    start = time.monotonic()
    result = lint(tmp_path, "--format", "json", ".")
    assert time.monotonic() - start < 10
    assert result.json["errors"] == []
    assert result.json["summary"]["files_skipped"] == 2  # no template: no hint in them


# --------------------------------------------------------------------------- generated: the file system


def test_directory_named_like_a_terraform_file(tmp_path: Path) -> None:
    for name in ("x.tf", "y.tf.json", "t.yaml", "terraform.tfvars"):
        (tmp_path / "mod" / name).mkdir(parents=True)
        (tmp_path / "mod" / name / "notes.txt").write_text("not IaC\n", encoding="utf-8")
    (tmp_path / "mod" / "main.tf").write_text(TF_MAIN, encoding="utf-8")
    result = lint(tmp_path, "--format", "json", ".")
    assert (result.exit_code, result.json["errors"]) == (1, [])
    assert result.findings() == {("CTL001", "mod/main.tf", 35, "aws_cloudtrail.staging")}
    named = lint(tmp_path / "mod", "--format", "json", "x.tf", "main.tf")
    assert (named.exit_code, named.json["errors"]) == (1, [])


def _symlink_tree(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    (outside / "mod").mkdir(parents=True)
    (outside / "credentials").write_text(f"[default]\naws_secret_access_key = {SECRET}\n", encoding="utf-8")
    (outside / "template.yaml").write_text(TRAIL_YML, encoding="utf-8")
    (outside / "mod" / "main.tf").write_text(TF_MAIN, encoding="utf-8")
    (outside / "vars.tfvars").write_text(f'secret = "{SECRET}"\n', encoding="utf-8")
    tree = tmp_path / "tree"
    (tree / "ok").mkdir(parents=True)
    (tree / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    (tree / "mod").mkdir()
    (tree / "mod" / "main.tf").write_text(TF_MAIN, encoding="utf-8")
    links = {
        "self": ".", "loop_a": "loop_b", "loop_b": "loop_a", "dangling.tf": "nowhere.tf",  # loops, dead link
        "out_dir": "../outside", "out_file.yaml": "../outside/template.yaml",  # out of the tree
        "mod/leak.tf": "../../outside/credentials", "mod/leak.auto.tfvars": "../../outside/vars.tfvars",
        "mod/up": "..",  # a loop through the parent
    }
    for name, target in links.items():
        os.symlink(target, tree / name)
    return tree


def test_symlinks_are_not_followed_out_of_the_tree_and_loops_end(tmp_path: Path) -> None:
    tree = _symlink_tree(tmp_path)
    expected = {OK_CFN, ("CTL001", "mod/main.tf", 35, "aws_cloudtrail.staging")}
    result = lint(tree, "--format", "json", ".")
    assert (result.exit_code, result.json["errors"]) == (1, [])
    assert result.findings() == expected
    text = lint(tree, ".")
    for output in (result.stdout, text.stdout, text.stderr):
        assert SECRET not in output and "outside" not in output
    # the module folder named on its own: the link in it still leads out of the scanned tree
    alone = lint(tree, "--format", "json", "mod")
    assert (alone.exit_code, alone.json["errors"]) == (1, [])
    assert SECRET not in alone.stdout


def test_unreadable_files_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Permission denied on files and a folder, simulated: as root (CI), chmod 000 does not stop reads."""
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "main.tf").write_text(TF_MAIN, encoding="utf-8")
    (tmp_path / "locked.yaml").write_text(TRAIL_YML, encoding="utf-8")
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    denied = {"main.tf", "locked.yaml"}
    real_open, real_scandir = os.open, os.scandir

    def fake_open(file, *args, **kwargs):  # every input is opened with os.open (sources.open_regular)
        if isinstance(file, (str, os.PathLike)) and os.path.basename(os.fspath(file)) in denied:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    def fake_scandir(path="."):
        if os.path.basename(os.path.normpath(os.fspath(path))) == "closed":
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "scandir", fake_scandir)
    result = lint(tmp_path, "--format", "json", ".")
    assert result.exit_code == 2
    assert errors_of(result) == [
        ("closed", 0, "cannot read directory: Permission denied"),
        ("locked.yaml", 0, "cannot read file: Permission denied"),
        ("locked/main.tf", 0, "cannot read file: Permission denied"),
    ]
    assert result.findings() == {OK_CFN}


@pytest.mark.skipif(os.geteuid() == 0, reason="runs as root: chmod 000 does not stop root from reading "
                    "(see test_unreadable_files_simulated and test_unreadable_files_as_unprivileged_user)")
def test_unreadable_files_chmod(tmp_path: Path) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    locked = tmp_path / "locked.yaml"
    locked.write_text(TRAIL_YML, encoding="utf-8")
    locked.chmod(0)
    try:
        result = lint(tmp_path, "--format", "json", ".")
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 2
    assert errors_of(result) == [("locked.yaml", 0, "cannot read file: Permission denied")]
    assert result.findings() == {OK_CFN}


def test_unreadable_files_as_unprivileged_user(unprivileged: Unprivileged) -> None:
    """The real thing: chmod 000 files and folder, the command run as nobody (uid 65534) from an install it
    can read, wherever this checkout sits (see the ``unprivileged`` fixture)."""
    root = Path(tempfile.mkdtemp(prefix="ctl-unreadable-", dir=unprivileged.base))
    try:
        root.chmod(0o755)
        (root / "ok").mkdir(mode=0o755)
        (root / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
        (root / "locked.yaml").write_text(TRAIL_YML, encoding="utf-8")
        (root / "tf").mkdir(mode=0o755)
        (root / "tf" / "main.tf").write_text(TF_MAIN, encoding="utf-8")
        (root / "closed").mkdir()
        for path in (root / "locked.yaml", root / "tf" / "main.tf", root / "closed"):
            path.chmod(0)
        for path in (root / "ok" / "trail.yml",):
            path.chmod(0o644)
        proc = unprivileged.run("--format", "json", ".", cwd=root)
        assert proc.returncode == 2, proc.stderr
        report = json.loads(proc.stdout)
        assert sorted((e["file"], e["message"]) for e in report["errors"]) == [
            ("closed", "cannot read directory: Permission denied"),
            ("locked.yaml", "cannot read file: Permission denied"),
            ("tf/main.tf", "cannot read file: Permission denied"),
        ]
        assert [(f["rule"], f["file"]) for f in report["findings"]] == [("CTL001", "ok/trail.yml")]
    finally:
        for path in root.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- control characters


EVIL_NAMES = {
    "names/evil\x1b[31m\x07\r\n\x9b\x7f.tf": 'resource "aws_cloudtrail" "t" {\n  x = = 1\n}\n',  # broken
    "names/ok\x1b]0;title\x07.yml": TRAIL_YML,  # a finding carries the name
}


def _evil_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "hostile_control_chars", tree)
    for name, text in EVIL_NAMES.items():
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(text, encoding="utf-8")
    return tree


def test_control_characters_never_reach_text_output(tmp_path: Path) -> None:
    tree = _evil_tree(tmp_path)
    data = lint(tree, "--format", "json", ".")
    assert data.exit_code == 2
    files = {f["file"] for f in data.json["findings"]} | {e["file"] for e in data.json["errors"]}
    assert set(EVIL_NAMES) <= files  # JSON keeps names and values exactly (escaped by JSON itself)
    messages = " ".join(f["message"] for f in data.json["findings"])
    assert "\x1b[2J\rrole\x07\x9b31m" in messages and "role\x1b[31m\x07\rforged line" in messages

    text = lint(tree, ".")
    assert text.exit_code == 2
    assert not raw_controls(text.stdout + text.stderr)
    assert len(text.stdout.splitlines()) == len(data.json["findings"]) + 1  # no forged lines
    assert len(text.stderr.splitlines()) == len(data.json["errors"])
    assert "names/evil\\x1b[31m\\x07\\x0d\\n\\x9b\\x7f.tf:2:" in text.stderr
    for fmt in ("sarif", "json"):
        assert json.loads(lint(tree, "--format", fmt, ".").stdout)
    baseline = lint(tree, "--write-baseline", str(tmp_path / "baseline.json"), ".")
    assert not raw_controls(baseline.stdout + baseline.stderr)


def test_file_names_that_are_not_utf8(tmp_path: Path) -> None:
    """Undecodable names (surrogate escapes) are printed escaped, even to a strict UTF-8 stream."""
    (tmp_path / os.fsdecode(b"bad\xffname.yml")).write_text(TRAIL_YML, encoding="utf-8")
    (tmp_path / os.fsdecode(b"worse\xfe.tf")).write_text(TRAIL_HCL + "x = = 1\n", encoding="utf-8")
    proc = run_cli(tmp_path, ".", env={"PYTHONIOENCODING": "utf-8", "LC_ALL": "C.UTF-8"})
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "bad\\udcffname.yml:10:3: CTL001" in proc.stdout
    assert proc.stderr.startswith("worse\\udcfe.tf:4:")
    report = json.loads(run_cli(tmp_path, "--format", "json", ".").stdout)
    assert {f["file"] for f in report["findings"]} == {os.fsdecode(b"bad\xffname.yml")}


# --------------------------------------------------------------------------- 2. guarantees


def _mixed_tree(root: Path) -> Path:
    for folder in ("boom_mod", "ok_tf"):
        (root / folder).mkdir(parents=True)
        (root / folder / "main.tf").write_text(TF_MAIN, encoding="utf-8")
        (root / folder / "providers.tf").write_text(TF_PROVIDERS, encoding="utf-8")
    (root / "ok").mkdir()
    (root / "ok" / "trail.yml").write_text(TRAIL_YML, encoding="utf-8")
    (root / "boom.yaml").write_text(TRAIL_YML, encoding="utf-8")
    return root


def _boom(real, when):
    def fake(*args, **kwargs):
        if when(args):
            raise RuntimeError("boom \x1b[31m\nsecond line")
        return real(*args, **kwargs)

    return fake


@pytest.mark.parametrize("where", ["parse_hcl", "resolve_module", "document_from_bytes", "resolve_template"])
def test_an_internal_error_is_an_error_entry_and_the_run_goes_on(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudtrail_lint.frontends import cfn, hcl
    from cloudtrail_lint.resolver import cloudformation, terraform

    module, pick = {
        "parse_hcl": (hcl, lambda a: a[1] == "boom_mod/main.tf"),
        "resolve_module": (terraform, lambda a: "boom_mod" in str(a[0].dir)),
        "document_from_bytes": (cfn, lambda a: "boom" in a[1]),
        "resolve_template": (cloudformation, lambda a: "boom" in a[1]),
    }[where]
    monkeypatch.setenv("CLOUDTRAIL_LINT_CACHE_DIR", str(tmp_path / "cache"))  # parsed here, not cached
    monkeypatch.setattr(module, where, _boom(getattr(module, where), pick))
    root = _mixed_tree(tmp_path / "tree")
    result = lint(root, "--format", "json", ".")
    assert result.exit_code == 2
    message = "internal error: RuntimeError: boom \x1b[31m (please report this)"
    bad_file = {"parse_hcl": "boom_mod/main.tf", "resolve_module": "boom_mod"}.get(where, "boom.yaml")
    assert [(e["file"], e["line"], e["message"]) for e in result.json["errors"]] == [(bad_file, 0, message)]
    assert {OK_CFN, ("CTL001", "ok_tf/main.tf", 35, "aws_cloudtrail.staging")} <= result.findings()
    text = lint(root, ".")
    assert "Traceback" not in text.stdout + text.stderr
    assert not raw_controls(text.stdout + text.stderr)


def test_an_internal_error_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug (or a MemoryError) is no property of the file's bytes: the next run parses the file again."""
    from cloudtrail_lint.frontends import cfn

    monkeypatch.setenv("CLOUDTRAIL_LINT_CACHE_DIR", str(tmp_path / "cache"))
    root = _mixed_tree(tmp_path / "tree")
    with monkeypatch.context() as broken:
        broken.setattr(cfn, "document_from_bytes", _boom(cfn.document_from_bytes, lambda a: "boom" in a[1]))
        assert lint(root, "--format", "json", ".").exit_code == 2
    again = lint(root, "--format", "json", ".")
    assert (again.exit_code, again.json["errors"]) == (1, [])
    assert ("CTL001", "boom.yaml", 10, "Trail") in again.findings()


def test_main_turns_an_unexpected_exception_into_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cloudtrail_lint import cli, engine

    def broken_run(settings):
        raise ValueError("kaputt\x07\nsecond line")

    monkeypatch.setattr(engine, "run", broken_run)
    monkeypatch.setattr(sys, "argv", ["cloudtrail-lint", str(tmp_path)])
    with pytest.raises(SystemExit) as caught:
        cli.main()
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == "cloudtrail-lint: internal error: ValueError: kaputt\\x07 (please report this)\n"
    assert captured.out == ""


def test_main_in_a_real_process(tmp_path: Path) -> None:
    """The console entry point, with a bug injected by a sitecustomize: one line, exit 2."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import cloudtrail_lint.engine as engine\n"
        "def run(settings):\n    raise MemoryError('injected')\n"
        "engine.run = run\n", encoding="utf-8")
    proc = run_cli(tmp_path, ".", env={"PYTHONPATH": str(site)})
    assert proc.returncode == 2
    assert proc.stderr == "cloudtrail-lint: internal error: MemoryError: injected (please report this)\n"


def test_every_input_is_linted_skipped_or_an_error() -> None:
    """Across all fixtures: regular files = linted + skipped + files with an error entry."""
    result = lint(FIXTURES, "--format", "json", ".")
    summary = result.json["summary"]
    with_errors = {e["file"] for e in result.json["errors"] if (FIXTURES / e["file"]).is_file()}
    assert summary["files_linted"] + summary["files_skipped"] + len(with_errors) == regular_files(FIXTURES)
    for error in result.json["errors"]:
        assert error["file"] and error["message"] and error["line"] >= 0
    assert result.exit_code == 2


AUDIT_HOOK = """
import json, os, sys
_LOG = os.environ["CTL_AUDIT_LOG"]
_TREE = os.environ["CTL_AUDIT_TREE"]
# os.fork is allowed: the linter forks its own parsing workers (they never exec anything)
_BLOCK = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.forkpty",
          "pty.", "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.", "ctypes.")
# ...and asks libc for prctl(PR_SET_PDEATHSIG) in them, so that they end with it (ctypes, nothing else)
_ALLOWED = lambda event, args: ((event == "ctypes.dlopen" and args == (None,))
                                or (event == "ctypes.dlsym" and args[-1] == "prctl"))
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC

def _hook(event, args):
    if event.startswith(_BLOCK) and not _ALLOWED(event, args):
        with open(_LOG, "a") as log:
            log.write(json.dumps([event, repr(args)[:300]]) + "\\n")
        raise RuntimeError("blocked by the test: " + event)
    if event == "open" and args and isinstance(args[0], (str, bytes)):
        mode, flags = args[1], args[2]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (flags & _WRITE_FLAGS)
        path = os.path.realpath(os.fsdecode(args[0]))
        if writing and path != _LOG and path.startswith(_TREE):
            with open(_LOG, "a") as log:
                log.write(json.dumps(["write", path]) + "\\n")

sys.addaudithook(_hook)
"""


def test_nothing_is_executed_fetched_or_written(tmp_path: Path) -> None:
    """Lint every fixture and the generated hostile trees with process, network and write attempts audited."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.log"
    scanned = tmp_path / "scanned"
    shutil.copytree(FIXTURES, scanned / "fixtures", symlinks=True)
    links = _symlink_tree(tmp_path / "links")  # a second root; its "outside" folder is outside both roots
    _evil_tree(scanned / "evil")
    _mixed_tree(scanned / "mixed")
    TAG_MARKER.unlink(missing_ok=True)
    env = {"PYTHONPATH": str(site), "CTL_AUDIT_LOG": str(log), "CTL_AUDIT_TREE": str(tmp_path.resolve())}
    for fmt in ("text", "json", "sarif"):
        proc = run_cli(scanned, "--format", fmt, ".", str(links), env=env)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and "blocked by the test" not in proc.stdout + proc.stderr
    assert not log.exists(), log.read_text()
    assert not TAG_MARKER.exists()
    assert SECRET not in proc.stdout + proc.stderr


def _report(proc: subprocess.CompletedProcess) -> dict:
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def test_cache_survives_concurrent_and_killed_runs(tmp_path: Path) -> None:
    """Two runs filling one cache at once, runs killed (SIGKILL, workers included) while writing it, and
    torn entries: every later run still gives the report of a run without the cache."""
    import signal

    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree, symlinks=True)
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "cloudtrail_lint", "--format", "json", "--cache-dir", str(cache), "."]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    reference = _report(run_cli(tree, "--format", "json", "--no-cache", "."))

    both = [subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    for proc in both:
        out, err = proc.communicate(timeout=180)
        assert _report(subprocess.CompletedProcess(command, proc.returncode, out, err)) == reference
    assert list(cache.rglob("*")), "the runs filled the cache"

    for delay in (0.05, 0.15, 0.3, 0.5):  # kill cold runs at various points, each with a fresh cache area
        shutil.rmtree(cache)
        for _ in range(2):
            proc = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True)
            time.sleep(delay)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        assert _report(run_cli(tree, "--format", "json", "--cache-dir", str(cache), ".")) == reference

    entries = sorted(p for p in cache.rglob("*") if p.is_file())
    for torn in entries[::3]:  # as if a disk filled up or another program truncated them
        torn.write_bytes(torn.read_bytes()[: max(0, torn.stat().st_size // 2)])
    for warm in range(2):
        assert _report(run_cli(tree, "--format", "json", "--cache-dir", str(cache), ".")) == reference, warm


def _snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            digest = ""
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            out[os.path.relpath(path, root)] = (st.st_mode, st.st_size, st.st_mtime_ns, digest)
    return out


def test_the_scanned_tree_is_never_written(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree, symlinks=True)
    before = _snapshot(tree)
    for args in ((".",), ("--format", "json", "."), ("--format", "sarif", "."),
                 ("--output", str(tmp_path / "report.txt"), "."), ("--diff", ".")):
        lint(tree, *args)
    run_cli(tree, "--format", "json", ".")
    assert _snapshot(tree) == before


def test_the_process_ends_with_every_byte_written_and_the_right_status(tmp_path: Path) -> None:
    """``main`` ends the process without the interpreter's teardown: output must still be whole."""
    for i in range(40):  # a report of a few hundred KB, more than any pipe buffer
        (tmp_path / f"m{i:02d}").mkdir()
        (tmp_path / f"m{i:02d}" / "main.tf").write_text(
            "".join(f'resource "aws_cloudtrail" "t{j}" {{\n  name = "t{j}"\n  s3_bucket_name = "b"\n}}\n'
                    for j in range(20)))
    command = [sys.executable, "-m", "cloudtrail_lint", "--no-cache", "--format", "json", str(tmp_path)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert len(json.loads(proc.stdout)["findings"]) == 800
    usage = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "--no-such-option"], capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2 and "No such option" in usage.stderr
    clean = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "--version"], capture_output=True, text=True,
                           timeout=60)
    assert clean.returncode == 0 and clean.stdout.startswith("cloudtrail-lint, version")
