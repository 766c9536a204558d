"""Issue #11, items 7 and 8 (first bullet): output cannot forge CI commands or terminal state, and a file
name that is not UTF-8 never loses the report.

One hostile tree (``tests/redteam/output_*``, plus file names made here because git cannot hold them)
goes through every output: the six formats on standard output and with ``-o FILE``, ``--diff`` (its
headers, context lines and notes), ``--write-baseline`` and the input errors on standard error. Each
must write, hold no character that is not printable (no terminal escape, bidi control, line separator
or lone surrogate), contain no line a CI runner would take for a command, and the machine formats keep
the exact names and values.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes

import pytest
from cloudtrail_lint.reporters import FORMATS, clean, defuse_ci_commands, encodable, json_text, uri

from .conftest import SHARED

REDTEAM = Path(__file__).parent / "redteam"

#: File names (as the bytes on disk) an attacker can commit; each gets a copy of a fixable trail.
HOSTILE_NAMES = [
    b"::error file=forged.tf,line=1::forged.yml",
    b" \t::warning::indented.yml",
    b"esc\x1b[2J\x1b]0;title\x07bel\x08bs\x1b[1;1H.yml",
    b"cr\rlf\n::error::forged after a newline.yml",
    b"c0\x01\x0b\x0c\x1f c1\xc2\x85\xc2\x9b31m del\x7f.yml",
    "bidi\u202eelif.lmy\u202c\u2066\u2069\u200e\u200f\u061c.yml".encode(),
    "sep\u2028::error::x\u2029 zw\u200b\ufeff filler\u3164 nbsp\u00a0.yml".encode(),
    b"pct%0A%0D%25%3A::error::x.yml",
    b"hash##[error]x##vso[task.complete result=Succeeded]y##TeamCity[z].yml",
    b"not-utf8\xff\xfe\x80.yml",
    b"not-utf8-esc\xff\x1b[31m.yml",
]
#: A broken Terraform file under a hostile name: its input error carries the name.
BROKEN_NAME = b"broken\x1b[31m\xe2\x80\xae::error::x\xff.tf"

#: Printable characters that show as nothing.
INVISIBLE = set("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
#: A CI command anywhere in a line: GitHub's older form, Azure Pipelines, TeamCity.
CI_COMMAND = re.compile(r"##(vso|teamcity)?\[", re.IGNORECASE)
#: One GitHub workflow command as this linter writes it: known properties, none holding ``:`` or ``,``.
GITHUB_LINE = re.compile(r"::(error|warning|notice) (file=[^:,]*)(,line=\d+)?(,col=\d+)?,title=[^:,]*::[^\r\n]*")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("redteam-output") / "tree"
    shutil.copytree(REDTEAM / "output_hostile_values", root / "values")
    names = root  # at the top, so that a name starts the line of its finding
    trail = (REDTEAM / "output_hostile_names" / "trail.yml").read_bytes()
    for name in HOSTILE_NAMES:
        (names / os.fsdecode(name)).write_bytes(trail)
    (names / os.fsdecode(BROKEN_NAME)).write_bytes((REDTEAM / "output_hostile_names" / "broken.tf").read_bytes())
    return root


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The real command, its output as bytes, writing to a strict UTF-8 stream."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "cloudtrail_lint", *args], cwd=cwd, env=env,
                          capture_output=True, timeout=300)


def unsafe(text: str) -> list[str]:
    """Characters that could change a terminal, the layout or the reading order, or hide text."""
    return sorted({c for c in text if c not in "\n\t" and (not c.isprintable() or c in INVISIBLE)})


def forged_commands(text: str, ours: re.Pattern[str] | None = None) -> list[str]:
    """Lines a CI runner would take for a command (GitHub trims leading white space), except ours."""
    return [line for line in text.split("\n")
            if (line.lstrip().startswith("::") and not (ours and ours.fullmatch(line))) or CI_COMMAND.search(line)]


def assert_safe(text: str, ours: re.Pattern[str] | None = None) -> None:
    assert unsafe(text) == []
    assert forged_commands(text, ours) == []


@pytest.fixture(scope="module")
def report(tree: Path) -> dict:
    """The JSON report: what every other output is compared with."""
    proc = run(tree, "--format", "json", "--parse-all", ".")
    assert proc.returncode == 2, proc.stderr
    return json.loads(proc.stdout)


def expected_files() -> set[str]:
    return {os.fsdecode(n) for n in HOSTILE_NAMES} | {"values/tf/main.tf", "values/template.json"}


@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "output-file"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_writes_and_escapes(tree: Path, report: dict, tmp_path: Path, fmt: str, to_file: bool) -> None:
    out = tmp_path / "report"
    proc = run(tree, "--format", fmt, "--parse-all", *(["-o", str(out)] if to_file else []), ".")
    assert proc.returncode == 2  # an input error (the broken file) and findings: nothing lost
    assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
    data = out.read_bytes() if to_file else proc.stdout
    if to_file:
        assert proc.stdout == b""
    text, stderr = data.decode("utf-8"), proc.stderr.decode("utf-8")  # strict: nothing unencodable
    assert_safe(stderr)
    findings, errors = report["findings"], report["errors"]
    assert {f["file"] for f in findings} == expected_files()
    assert {e["file"] for e in errors} == {os.fsdecode(BROKEN_NAME), "values/dup.template.json"}

    if fmt in ("json", "sarif", "gitlab"):
        assert text.isascii()  # every character beyond ASCII is a JSON escape: exact, and safe in any log
        assert_safe(text)
        parsed = json.loads(text)
    if fmt == "text":
        assert_safe(text)
        assert len(text.splitlines()) == len(findings) + 1  # no forged line; the last is the summary
        assert len(stderr.splitlines()) == len(errors) + to_file  # with -o, the summary line too
        starts = {line.split(" CTL")[0] for line in text.splitlines()}
        assert {
            "not-utf8\\udcff\\udcfe\\udc80.yml:10:3:",
            "\\x3a:error file=forged.tf,line=1::forged.yml:10:3:",
            "  \\x3a:warning::indented.yml:10:3:",  # the tab is a space
            "bidi\\u202eelif.lmy\\u202c\\u2066\\u2069\\u200e\\u200f\\u061c.yml:10:3:",
            "cr\\x0dlf\\n::error::forged after a newline.yml:10:3:",
            "hash\\x23#[error]x\\x23#vso[task.complete result=Succeeded]y\\x23#TeamCity[z].yml:10:3:",
        } <= starts
    elif fmt == "json":
        assert parsed == report  # the same exact values whichever way it is written
        messages = " ".join(f["message"] for f in findings)
        assert "\x1b[2J\rrole\x07\x9b31m\n##[error]forged" in messages
        assert "Trail\x1b[31m\x07\r\n::error::forged\u202e\u2028" in {f["resource"] for f in findings}
    elif fmt == "sarif":
        results = parsed["runs"][0]["results"]
        locations = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
        assert sorted(unquote_to_bytes(u) for u in locations) == sorted(
            os.fsencode(f["file"]) for f in findings)  # the name's own bytes, percent-encoded
        assert "not-utf8%FF%FE%80.yml" in locations
        _validate_sarif(parsed)
    elif fmt == "gitlab":
        assert {i["location"]["path"] for i in parsed} == expected_files() | {e["file"] for e in errors}
        assert len({i["fingerprint"] for i in parsed}) == len(parsed)
    elif fmt == "junit":
        root = ET.fromstring(data)  # well-formed
        assert_safe(text)
        suites = {s.get("name") for s in root.iter("testsuite")}
        assert suites == {clean(f) for f in expected_files() | {e["file"] for e in errors}}
        assert root.get("failures") == str(len(findings))
    elif fmt == "github":
        notice = re.compile(r"::notice title=cloudtrail-lint::\d+ more not annotated \([^\r\n]*")
        assert_safe(text, ours=re.compile(f"{GITHUB_LINE.pattern}|{notice.pattern}"))
        lines = text.splitlines()
        # GitHub shows 10 annotations of a kind per step: the rest are log lines, and a last notice counts them
        assert len(lines) == len(findings) + len(errors) + 2
        annotations = [line for line in lines if line.startswith("::")]
        assert len(annotations) == 11 and notice.fullmatch(annotations[-1])
        assert all(GITHUB_LINE.fullmatch(line) for line in annotations[:-1])
        assert "::error file=%3A%3Aerror file=forged.tf%2Cline=1%3A%3Aforged.yml,line=10," in text
        assert "::error file=cr%0Dlf%0A%3A%3Aerror%3A%3Aforged after a newline.yml,line=10," in text


def _validate_sarif(log: dict) -> None:
    schema = SHARED / "schemas" / "sarif-2.1.0.json"
    if not schema.is_file():
        return  # the schema check itself lives in test_output_formats.py (it says where to get ../shared)
    from jsonschema import Draft7Validator

    Draft7Validator(json.loads(schema.read_text(encoding="utf-8"))).validate(log)


def test_diff_headers_context_and_notes(tree: Path, tmp_path: Path) -> None:
    proc = run(tree, "--diff", ".")
    assert proc.returncode == 2  # the input errors
    diff, notes = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert_safe(diff)
    assert_safe(notes)
    # names are quoted as git quotes them, bytes outside printable ASCII in octal
    assert '--- "a/not-utf8\\377\\376\\200.yml"\n' in diff
    assert '+++ "b/cr\\rlf\\n::error::forged after a newline.yml"\n' in diff
    assert '--- "a/hash\\043#[error]x\\043#vso[task.complete result=Succeeded]y\\043#TeamCity[z].yml"' in diff
    assert "--- a/::error file=forged.tf,line=1::forged.yml\n" in diff  # not at the start of the line
    # source lines with escapes and CI commands are shown escaped, and the part says it does not apply
    assert "cloudtrail-lint: values/tf/main.tf: characters that are unsafe to show are escaped below" in diff
    assert " \\x1b]0;pwned\\x07\\x1b[2J\\x1b[1;1H \\u202eevil\\u202c \\u2066x\\u2069 \\x9b31m\\x7f" in diff
    assert "\n   \\x3a:warning::indented\n \\x3a:error file=forged.tf,line=1::forged \\x23#[add-mask]" in diff
    assert '+  name              = "/aws/cloudtrail/org\\x1b[31m\\x9b2J\\x7f\\u2028\\u2029\\x85\\u200f::error' in diff
    assert len(notes.splitlines()) == len(HOSTILE_NAMES) + 4
    assert "\nesc\\x1b[2J\\x1b]0;title\\x07bel\\x08bs\\x1b[1;1H.yml:10: CTL001 fixable:" in notes

    written = tmp_path / "fixes.diff"
    assert run(tree, "--diff", "-o", str(written), ".").returncode == 2
    assert written.read_bytes() == proc.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to apply the diff")
def test_diff_of_hostile_names_still_applies(tree: Path, tmp_path: Path) -> None:
    """Quoting keeps the diff usable: ``git apply`` finds every file, names that are not UTF-8 included."""
    copy = tmp_path / "copy"
    shutil.copytree(tree, copy)
    shutil.rmtree(copy / "values")
    os.unlink(copy / os.fsdecode(BROKEN_NAME))
    diff = run(copy, "--diff", ".").stdout
    applied = subprocess.run(["git", "apply", "--unsafe-paths", "-"], cwd=copy, input=diff, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert run(copy, ".").returncode == 0  # every trail fixed, under every name


def test_write_baseline_with_hostile_names(tree: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline\x1b[31m.json"
    proc = run(tree, "--parse-all", "--write-baseline", str(baseline), ".")
    assert proc.returncode == 0, proc.stderr
    stdout, stderr = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert_safe(stdout)
    assert_safe(stderr)
    assert "baseline\\x1b[31m.json" in stdout
    assert len(stderr.splitlines()) == 2  # the two input errors, one line each
    text = baseline.read_text(encoding="utf-8")
    assert text.isascii() and not forged_commands(text)
    files = {entry["file"] for entry in json.loads(text)["findings"]}
    assert files == expected_files()  # exact names, surrogate escapes included
    again = run(tree, "--parse-all", "--format", "json", "--baseline", str(baseline), ".")
    assert all(f["suppressed"] for f in json.loads(again.stdout)["findings"])  # it matches what it recorded


# --------------------------------------------------------------------------- the escaping functions


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[31m\x07\x08\r\x0b\x0c\x7f", "\\x1b[31m\\x07\\x08\\x0d\\x0b\\x0c\\x7f"),
    ("a\nb\tc", "a\\nb c"),
    ("\x85\x9b\xa0", "\\x85\\x9b\\xa0"),
    ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "\\u202a\\u202b\\u202c\\u202d"
     "\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"),
    ("\u2028\u2029\u200b\u200d\ufeff\u00ad\u3164\U000e0041", "\\u2028\\u2029\\u200b\\u200d\\ufeff\\xad\\u3164"
     "\\U000e0041"),
    ("bad\udcffname", "bad\\udcffname"),
    ("plain é ü ß 日本 ✓", "plain é ü ß 日本 ✓"),
])
def test_clean(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_defuse_ci_commands() -> None:
    assert defuse_ci_commands("::error::x\n  ::warning::y\nok ::z") == "\\x3a:error::x\n  \\x3a:warning::y\nok ::z"
    assert defuse_ci_commands("a ##[error]b ##VSO[x]c ###[d ##teamcity[e") == (
        "a \\x23#[error]b \\x23#VSO[x]c #\\x23#[d \\x23#teamcity[e")
    value = {"file": "##[error]x", "message": "\u2028\x1b"}
    text = json_text(value)
    assert text.isascii() and "##[" not in text and json.loads(text) == value


def test_names_that_are_not_utf8() -> None:
    name = os.fsdecode(b"dir/bad\xff name%.yml")
    assert encodable(name) == "dir/bad\\udcff name%.yml"
    assert uri(name) == "dir/bad%FF%20name%25.yml"
    assert uri("\ud800") == "%ED%A0%80"  # a lone surrogate from a JSON escape: as UTF-8 would encode it


def test_report_written_to_a_stream_that_is_not_utf8(tmp_path: Path) -> None:
    """A Windows pipe (cp1252) or a latin-1 terminal: what it cannot encode is shown as ``\\uXXXX``."""
    shutil.copy(REDTEAM / "output_hostile_names" / "trail.yml", tmp_path / "日本-é.yml")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    proc = subprocess.run([sys.executable, "-m", "cloudtrail_lint", "."], cwd=tmp_path, env=env,
                          capture_output=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.decode("latin-1").startswith("\\u65e5\\u672c-é.yml:10:3: CTL001")


def test_usage_error_lines_are_escaped(tmp_path: Path) -> None:
    proc = run(tmp_path, "--config", "::error::x\x1b]0;t\x07\u202e.toml", ".")
    assert proc.returncode == 2
    stderr = proc.stderr.decode("utf-8")
    assert_safe(stderr)
    assert stderr.startswith("error: ::error::x\\x1b]0;t\\x07\\u202e.toml: cannot read configuration")
