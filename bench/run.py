#!/usr/bin/env python3
"""Time cloudtrail-lint against checkov and a grep floor on generated trees.

Usage: python bench/run.py [--sizes 100,1000,5000,dense] [--skip-checkov]
                           [--linter PATH] [--checkov PATH] [--json FILE]
                           [--workdir DIR] [--seed S]

For every size a synthetic tree is generated with bench/generate.py (reused
when already present with the same parameters and generator), then each
command runs as a child process; wall time, CPU time, peak RSS (ru_maxrss from
os.wait4 on the child) and the exit code are recorded.

Size tokens: an integer is a normal tree with that many modules; ``dense`` is
the dense worst case with --dense-modules modules; ``dense:N`` a dense tree
with N modules.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GENERATOR = HERE / "generate.py"
DEFAULT_CHECKOV = HERE / ".checkov-venv" / "bin" / "checkov"
CHECKOV_CHECKS = "CKV2_AWS_10,CKV_AWS_66,CKV_AWS_338"
GREP_PATTERN = "aws_cloudtrail|AWS::CloudTrail::Trail"

LINTER_OK = {0, 1, 2}
CHECKOV_OK = {0, 1}
GREP_OK = {0, 1}

# Targets from bench/README.md.
TARGET_CHECKOV_RATIO = 30.0
TARGET_GREP_RATIO = 10.0
TARGET_WARM_GREP_RATIO = 3.0
TARGET_DENSE_CHECKOV_RATIO = 5.0
TARGET_PEAK_RSS_MB = 300.0
LINEAR_TOLERANCE = 1.2


@dataclass
class Case:
    """One tree to benchmark."""

    modules: int
    dense: bool

    @property
    def label(self) -> str:
        """Short name used in tables and file names."""
        return f"dense-{self.modules}" if self.dense else str(self.modules)


@dataclass
class Measurement:
    """Resource use of one finished child process."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    timed_out: bool = False


@dataclass
class Result:
    """One timed command on one tree."""

    case: str
    modules: int
    dense: bool
    tool: str
    command: list[str]
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    exit_code: int
    ok: bool
    stdout_file: str = ""
    findings: int | None = None
    trails: int | None = None
    note: str = ""
    #: Killed at --timeout: wall_s is then a lower bound.
    timed_out: bool = False
    #: When the row was measured, if it was taken from an earlier run (--checkov-from).
    measured: str = ""


@dataclass
class Tools:
    """Resolved commands and what is known about them."""

    linter: str | None
    linter_version: str = ""
    cache_supported: bool = False
    checkov: str | None = None
    checkov_version: str = ""
    netns_prefix: list[str] = field(default_factory=list)
    #: Checkov results taken from an earlier run (--checkov-from), by case label.
    checkov_reused: dict[str, dict[str, object]] = field(default_factory=dict)
    rss_floor_mb: float = 0.0
    notes: list[str] = field(default_factory=list)


def log(msg: str) -> None:
    """Progress message on stderr."""
    print(msg, file=sys.stderr, flush=True)


def measure(
    cmd: list[str],
    stdout: Path,
    stderr: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    cwd: Path | None = None,
) -> Measurement:
    """Run ``cmd`` as a child and return its wall time, CPU, peak RSS and exit code.

    The child is reaped with ``os.wait4`` so that the rusage (and ru_maxrss, in KB
    on Linux) belongs to that child alone (including descendants it waited for).
    """
    timed_out = threading.Event()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): the child has its own session, so end it here.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            os.waitpid(proc.pid, 0)
            proc.returncode = -signal.SIGKILL
            raise
        finally:
            if timer:
                timer.cancel()
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped: keep Popen from waiting again
    return Measurement(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        exit_code=code,
        timed_out=timed_out.is_set(),
    )


def capture(cmd: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run a short command and return (exit code, stdout + stderr)."""
    try:
        proc = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, str(exc)
    return proc.returncode, proc.stdout + proc.stderr


def checkov_env() -> dict[str, str]:
    """Environment for checkov: no update check, no mapping download."""
    env = dict(os.environ)
    env["CKV_SKIP_PACKAGE_UPDATE_CHECK"] = "true"
    env["BC_SKIP_MAPPING"] = "TRUE"
    env.pop("BC_API_KEY", None)
    return env


def find_linter(arg: str | None) -> str | None:
    """The linter given, else cloudtrail-lint on PATH, else the repo's .venv one."""
    if arg:
        return arg
    found = shutil.which("cloudtrail-lint")
    if found:
        return found
    local = REPO / ".venv" / "bin" / "cloudtrail-lint"
    return str(local) if local.exists() else None


def resolve_tools(args: argparse.Namespace) -> Tools:
    """Locate the linter and checkov and probe their versions and features."""
    tools = Tools(linter=find_linter(args.linter))
    if tools.linter:
        code, text = capture([tools.linter, "--help"])
        tools.cache_supported = "--no-cache" in text
        if code != 0:
            tools.notes.append(f"`{tools.linter} --help` exited {code}")
        if not tools.cache_supported:
            tools.notes.append("cache not supported: linter runs without --no-cache")
        code, text = capture([tools.linter, "--version"])
        tools.linter_version = text.strip().splitlines()[0] if code == 0 and text.strip() else "unknown"
    else:
        tools.notes.append("cloudtrail-lint not found (PATH, --linter, .venv): linter runs skipped")

    if args.skip_checkov:
        tools.notes.append("checkov skipped (--skip-checkov)")
    else:
        path = args.checkov or (str(DEFAULT_CHECKOV) if DEFAULT_CHECKOV.exists() else None)
        if path and (Path(path).exists() or shutil.which(path)):
            tools.checkov = path
            code, text = capture([path, "--version"], timeout=300)
            tools.checkov_version = text.strip().splitlines()[-1] if text.strip() else f"exit {code}"
        else:
            tools.notes.append(
                "checkov skipped: bench/.checkov-venv/bin/checkov not found and no --checkov given "
                "(run bash bench/setup_checkov.sh)"
            )
        if tools.checkov and not args.allow_network:
            unshare = shutil.which("unshare")
            if unshare and capture([unshare, "-n", "true"])[0] == 0:
                tools.netns_prefix = [unshare, "-n"]
            else:
                tools.notes.append("unshare -n unavailable: checkov runs with the host network")
    return tools


def file_sha256(path: Path) -> str:
    """Hex digest of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_tree(workdir: Path, case: Case, seed: int) -> tuple[Path, dict[str, object]]:
    """Generate the tree for ``case`` unless an identical one is already there."""
    trees = workdir / "trees"
    name = f"n{case.modules}-s{seed}" + ("-dense" if case.dense else "")
    tree = trees / name
    stamp = trees / f"{name}.manifest.json"
    digest = file_sha256(GENERATOR)
    if tree.is_dir() and stamp.exists():
        try:
            info = json.loads(stamp.read_text())
        except json.JSONDecodeError:
            info = {}
        if info.get("generator_sha256") == digest:
            log(f"[{case.label}] reusing {tree}")
            return tree, info
    log(f"[{case.label}] generating {tree}")
    cmd = [sys.executable, str(GENERATOR), str(tree), "--modules", str(case.modules)]
    cmd += ["--seed", str(seed), "--force", "--manifest", str(stamp)]
    if case.dense:
        cmd.append("--dense")
    subprocess.run(cmd, check=True)
    info = json.loads(stamp.read_text())
    info["generator_sha256"] = digest
    stamp.write_text(json.dumps(info, indent=2) + "\n")
    return tree, info


def count_findings(path: Path, tool: str) -> int | None:
    """Best-effort count in a tool's output: grep lines, failed checks, findings."""
    if tool == "grep":
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    try:
        data = json.loads(path.read_text() or "null")
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if tool == "checkov":
        reports = data if isinstance(data, list) else [data]
        total = 0
        for rep in reports:
            if isinstance(rep, dict) and isinstance(rep.get("summary"), dict):
                total += int(rep["summary"].get("failed", 0))
        return total
    if isinstance(data, list):
        return len(data)
    if isinstance(data, dict):
        for key in ("findings", "results", "violations"):
            if isinstance(data.get(key), list):
                return len(data[key])
    return None


def linter_trails(path: Path) -> int | None:
    """Trails the linter says it checked (``summary.trails`` of its JSON report)."""
    try:
        data = json.loads(path.read_text() or "null")
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    summary = data.get("summary") if isinstance(data, dict) else None
    value = summary.get("trails") if isinstance(summary, dict) else None
    return value if isinstance(value, int) else None


RATIO_HEADERS = [
    "size",
    "trails",
    "found",
    "non-compliant",
    "findings",
    "checkov/linter",
    "linter/grep",
    "warm/grep",
]


def as_int(value: object) -> int | None:
    """``value`` if it is an int, else None."""
    return value if isinstance(value, int) else None


def run_case(
    case: Case,
    tree: Path,
    tools: Tools,
    outdir: Path,
    timeout: float,
    results: list[Result],
    repeat: int = 1,
) -> None:
    """Time every command on one tree, appending a row to ``results`` as each finishes."""
    outdir.mkdir(parents=True, exist_ok=True)

    def run(
        tool: str,
        cmd: list[str],
        ok: set[int],
        env: dict[str, str] | None = None,
        note: str = "",
        times: int = 1,
    ) -> None:
        log(f"[{case.label}] {tool}: {' '.join(cmd)}")
        out = outdir / f"{tool}.out"
        runs = []
        for _ in range(times):
            runs.append(measure(cmd, out, outdir / f"{tool}.err", env=env, timeout=timeout))
            if runs[-1].timed_out or runs[-1].exit_code not in ok:
                break
        # the run with the median wall time (the row's wall, CPU and RSS all come from it)
        m = sorted(runs, key=lambda r: r.wall_s)[(len(runs) - 1) // 2]
        if len(runs) > 1:
            walls = sorted(r.wall_s for r in runs)
            spread = f"median of {len(runs)}, {walls[0]:.3f}-{walls[-1]:.3f}"
            note = f"{note}; {spread}" if note else spread
        good = m.exit_code in ok and not m.timed_out
        if m.timed_out:
            note = (note + "; " if note else "") + f"killed after {timeout:.0f}s"
        elif not good:
            note = (note + "; " if note else "") + f"failed, see {outdir / (tool + '.err')}"
        results.append(
            Result(
                case=case.label,
                modules=case.modules,
                dense=case.dense,
                tool=tool,
                command=cmd,
                wall_s=m.wall_s,
                cpu_s=m.cpu_s,
                peak_rss_mb=m.peak_rss_mb,
                exit_code=m.exit_code,
                ok=good,
                stdout_file=str(out),
                note=note,
                timed_out=m.timed_out,
            )
        )
        log(f"[{case.label}] {tool}: {m.wall_s:.2f}s, {m.peak_rss_mb:.0f} MB, exit {m.exit_code}")

    grep = shutil.which("grep") or "grep"
    grep_cmd = [grep, "-rlE", GREP_PATTERN, str(tree)]
    # Untimed pass so every tool starts with the tree in the OS page cache.
    subprocess.run(grep_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    run("grep", grep_cmd, GREP_OK, note="files matching", times=repeat)

    if tools.linter:
        base = [tools.linter, "--format", "json"]
        if tools.cache_supported:
            run("linter-cold", [*base, "--no-cache", str(tree)], LINTER_OK, note="--no-cache", times=repeat)
        else:
            run("linter-cold", [*base, str(tree)], LINTER_OK, note="cache not supported")
        run("linter-1st", [*base, str(tree)], LINTER_OK, note="fills cache")
        run("linter-warm", [*base, str(tree)], LINTER_OK, note="warm rerun", times=repeat)

    if tools.checkov and case.label in tools.checkov_reused:
        earlier = tools.checkov_reused[case.label]
        log(f"[{case.label}] checkov: reusing the run of {earlier['date']} ({earlier['wall_s']:.1f}s)")
        fields = {k: v for k, v in earlier.items() if k in Result.__dataclass_fields__}
        note = str(earlier["note"]).split("; measured ")[0] + f"; measured {earlier['date']} (--checkov-from)"
        results.append(Result(**{**fields, "note": note, "measured": str(earlier["date"])}))
    elif tools.checkov:
        cmd = [tools.checkov, "-d", str(tree), "--check", CHECKOV_CHECKS]
        cmd += ["--skip-download", "--quiet", "--compact", "-o", "json"]
        run("checkov", [*tools.netns_prefix, *cmd], CHECKOV_OK, env=checkov_env(), note="failed checks")


def ratio(num: float | None, den: float | None) -> float | None:
    """num / den, or None when either is missing or den is zero."""
    if num is None or den is None or den <= 0:
        return None
    return num / den


def fmt(value: float | None, spec: str = ".1f", suffix: str = "") -> str:
    """Format an optional number."""
    return "-" if value is None else f"{value:{spec}}{suffix}"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Plain-text table with right-aligned columns (first column left-aligned)."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    lines = []
    for row in [headers, ["-" * w for w in widths], *rows]:
        cells = [c.ljust(w) if i in (0, 1) else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def killed_after(results: list[Result], case: str, tool: str) -> float | None:
    """Wall time of a run killed at --timeout (a lower bound on its duration), if any."""
    for r in results:
        if r.case == case and r.tool == tool and r.timed_out:
            return r.wall_s
    return None


def wall(results: list[Result], case: str, tool: str) -> float | None:
    """Wall time of a successful run, if any."""
    for r in results:
        if r.case == case and r.tool == tool and r.ok:
            return r.wall_s
    return None


def summarize(
    cases: list[Case], results: list[Result], manifests: dict[str, dict[str, object]], tools: Tools
) -> dict[str, object]:
    """Print the tables and return ratios, growth and target verdicts."""
    print()
    print(
        table(
            ["size", "tool", "wall s", "cpu s", "peak RSS MB", "exit", "count", "notes"],
            [
                [
                    r.case,
                    r.tool,
                    f"{r.wall_s:.3f}",
                    f"{r.cpu_s:.2f}",
                    f"{r.peak_rss_mb:.1f}",
                    str(r.exit_code),
                    fmt(r.findings, "d"),
                    r.note,
                ]
                for r in results
            ],
        )
    )

    ratios: dict[str, dict[str, float | bool | None]] = {}
    for c in cases:
        cold = wall(results, c.label, "linter-cold")
        checkov_wall, killed = wall(results, c.label, "checkov"), killed_after(results, c.label, "checkov")
        ratios[c.label] = {
            # checkov killed at --timeout: the ratio is a lower bound ("checkov/linter at least")
            "checkov/linter": ratio(checkov_wall if checkov_wall is not None else killed, cold),
            "checkov/linter at least": killed is not None and checkov_wall is None,
            "linter/grep": ratio(cold, wall(results, c.label, "grep")),
            "warm/grep": ratio(wall(results, c.label, "linter-warm"), wall(results, c.label, "grep")),
        }
    # Sanity check: the linter must see every generated trail and flag each bad one.
    counts: dict[str, dict[str, int | None]] = {}
    for c in cases:
        cold = next((r for r in results if r.case == c.label and r.tool == "linter-cold" and r.ok), None)
        trails = as_int(manifests[c.label].get("trails"))
        compliant = as_int(manifests[c.label].get("compliant_trails"))
        counts[c.label] = {
            "trails": trails,
            "trails_found": cold.trails if cold else None,
            "noncompliant": None if trails is None or compliant is None else trails - compliant,
            "findings": cold.findings if cold else None,
        }
        found = counts[c.label]["trails_found"]
        if found is not None and found != trails:
            tools.notes.append(f"{c.label}: the linter checked {found} trails, the tree has {trails}")
    print()
    print(
        table(
            RATIO_HEADERS,
            [
                [
                    c.label,
                    *(fmt(counts[c.label][k], "d") for k in ("trails", "trails_found")),
                    *(fmt(counts[c.label][k], "d") for k in ("noncompliant", "findings")),
                    (">" if ratios[c.label]["checkov/linter at least"] else "")
                    + fmt(ratios[c.label]["checkov/linter"], ".1f", "x"),
                    fmt(ratios[c.label]["linter/grep"], ".1f", "x"),
                    fmt(ratios[c.label]["warm/grep"], ".1f", "x"),
                ]
                for c in cases
            ],
        )
    )

    normal = sorted((c for c in cases if not c.dense), key=lambda c: c.modules)
    growth: dict[str, dict[str, float | None]] = {}
    tool_names = ["grep", "linter-cold", "linter-warm", "checkov"]
    for c in normal:
        growth[c.label] = {t: ratio(wall(results, c.label, t), c.modules / 1000) for t in tool_names}
    marginal: dict[str, dict[str, float | None]] = {}
    for a, b in zip(normal, normal[1:]):
        key = f"{a.modules}->{b.modules}"
        marginal[key] = {}
        for t in tool_names:
            ta, tb = wall(results, a.label, t), wall(results, b.label, t)
            marginal[key][t] = (
                None if ta is None or tb is None else (tb - ta) / (b.modules - a.modules) * 1000
            )
    if normal:
        print("\nseconds per 1000 modules (wall / modules * 1000; marginal = slope between sizes)")
        rows = [[c.label, *(fmt(growth[c.label][t], ".3f") for t in tool_names)] for c in normal]
        rows += [[f"marginal {k}", *(fmt(v[t], ".3f") for t in tool_names)] for k, v in marginal.items()]
        print(table(["size", *tool_names], rows))

    targets = evaluate_targets(cases, results, ratios, growth, normal, tools)
    if targets:
        print("\ntargets (see bench/README.md)")
        print(
            table(
                ["target", "measured", "verdict"],
                [[t["target"], t["measured"], t["verdict"]] for t in targets],
            )
        )
    for note in tools.notes:
        print(f"note: {note}")
    return {
        "counts": counts,
        "ratios": ratios,
        "per_1000_modules": growth,
        "marginal_per_1000_modules": marginal,
        "targets": targets,
    }


def evaluate_targets(
    cases: list[Case],
    results: list[Result],
    ratios: dict[str, dict[str, float | bool | None]],
    growth: dict[str, dict[str, float | None]],
    normal: list[Case],
    tools: Tools,
) -> list[dict[str, str]]:
    """PASS/FAIL for each README target that this run measured."""
    out: list[dict[str, str]] = []

    def add(
        target: str,
        value: float | None,
        passed: bool | None,
        spec: str = ".1f",
        unit: str = "x",
        at_least: bool = False,
    ) -> None:
        if at_least and passed is False:
            passed = None  # a lower bound under the target decides nothing
        verdict = "n/a" if passed is None else ("PASS" if passed else "FAIL")
        shown = (">" if at_least else "") + fmt(value, spec, unit)
        out.append({"target": target, "measured": shown, "verdict": verdict})

    if not tools.linter:
        return out
    if normal:
        big = normal[-1].label
        at = f" (at {big} modules)"
        r = ratios[big]["checkov/linter"]
        add(
            f">= {TARGET_CHECKOV_RATIO:.0f}x faster than checkov{at}",
            r,
            None if r is None else r >= TARGET_CHECKOV_RATIO,
            at_least=bool(ratios[big]["checkov/linter at least"]),
        )
        r = ratios[big]["linter/grep"]
        add(
            f"within {TARGET_GREP_RATIO:.0f}x the grep floor{at}",
            r,
            None if r is None else r <= TARGET_GREP_RATIO,
        )
        r = ratios[big]["warm/grep"]
        add(
            f"warm rerun within {TARGET_WARM_GREP_RATIO:.0f}x grep{at}",
            r,
            None if r is None else r <= TARGET_WARM_GREP_RATIO,
        )
    if len(normal) >= 2:
        a, b = normal[-2].label, normal[-1].label
        r = ratio(growth[b]["linter-cold"], growth[a]["linter-cold"])
        add(
            f"linear growth: s/1000 modules at {b} <= {LINEAR_TOLERANCE}x that at {a}",
            r,
            None if r is None else r <= LINEAR_TOLERANCE,
            ".2f",
        )
    for c in cases:
        if c.dense:
            r = ratios[c.label]["checkov/linter"]
            add(
                f">= {TARGET_DENSE_CHECKOV_RATIO:.0f}x faster than checkov ({c.label})",
                r,
                None if r is None else r >= TARGET_DENSE_CHECKOV_RATIO,
                at_least=bool(ratios[c.label]["checkov/linter at least"]),
            )
    peaks = [r.peak_rss_mb for r in results if r.tool.startswith("linter") and r.ok]
    if peaks:
        peak = max(peaks)
        add(f"linter peak RSS < {TARGET_PEAK_RSS_MB:.0f} MB", peak, peak < TARGET_PEAK_RSS_MB, ".0f", " MB")
    return out


def parse_sizes(text: str, dense_modules: int) -> list[Case]:
    """Parse '100,1000,5000,dense' / 'dense:500' into cases."""
    cases = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        if token == "dense":
            cases.append(Case(dense_modules, True))
        elif token.startswith("dense:"):
            cases.append(Case(int(token.split(":", 1)[1]), True))
        else:
            cases.append(Case(int(token), False))
    for c in cases:
        if c.modules <= 0:
            raise ValueError(f"size must be positive: {c.label}")
    return cases


def earlier_checkov(path: Path, version: str) -> dict[str, dict[str, object]]:
    """Successful checkov results of an earlier ``--json`` file made with checkov ``version``, by case,
    each with the date it was measured and the manifest of the tree it ran on."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise SystemExit(f"--checkov-from {path}: {exc}") from None
    meta = doc.get("meta", {})
    if meta.get("checkov_version") != version:
        log(f"--checkov-from {path}: checkov {meta.get('checkov_version')} there, {version} here: not reused")
        return {}
    reused = {}
    for r in doc.get("results", []):
        if r.get("tool") == "checkov" and (r.get("ok") or r.get("timed_out")):
            date = r.get("measured") or meta.get("date", "?")  # the first measurement, if reused before
            reused[r["case"]] = {**r, "date": date, "tree": doc.get("trees", {}).get(r["case"])}
    return reused


def raise_on_sigterm() -> None:
    """Turn SIGTERM into KeyboardInterrupt so a running child is ended too."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    raise_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument(
        "--sizes",
        default="100,1000,5000,dense",
        help="comma-separated module counts; 'dense' or 'dense:N' adds a dense tree "
        "(default: 100,1000,5000,dense)",
    )
    ap.add_argument(
        "--dense-modules", type=int, default=200, help="modules in the 'dense' tree (default 200)"
    )
    ap.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    ap.add_argument("--linter", help="cloudtrail-lint executable (default: cloudtrail-lint on PATH)")
    ap.add_argument("--checkov", help="checkov executable (default: bench/.checkov-venv/bin/checkov)")
    ap.add_argument("--skip-checkov", action="store_true", help="do not run checkov")
    ap.add_argument(
        "--allow-network",
        action="store_true",
        help="do not run checkov inside a network namespace without network (unshare -n)",
    )
    ap.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "cloudtrail-lint-bench",
        help="where trees and command outputs go (default: $TMPDIR/cloudtrail-lint-bench)",
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds before a command is killed")
    ap.add_argument(
        "--repeat",
        type=int,
        default=5,
        help="run grep, linter-cold and linter-warm this many times and keep the median (default 5)",
    )
    ap.add_argument("--json", type=Path, help="also write all results to this JSON file")
    ap.add_argument(
        "--checkov-from",
        type=Path,
        help="reuse checkov's timings from this earlier --json file, for trees generated the same way "
        "and the same checkov version (checkov takes half an hour on 5,000 modules)",
    )
    args = ap.parse_args(argv)

    try:
        cases = parse_sizes(args.sizes, args.dense_modules)
    except ValueError as exc:
        ap.error(str(exc))
    if not cases:
        ap.error("no sizes given")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")

    tools = resolve_tools(args)
    workdir: Path = args.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    floor = measure(["true"], workdir / "floor.out", workdir / "floor.err")
    tools.rss_floor_mb = floor.peak_rss_mb
    tools.notes.append(
        f"peak RSS floor {floor.peak_rss_mb:.1f} MB (`true`): a child's ru_maxrss includes this "
        "runner's RSS until exec, so values at the floor mean 'at most this'"
    )
    log(f"linter: {tools.linter or 'not found'} {tools.linter_version}".rstrip())
    log(f"checkov: {tools.checkov or 'skipped'} {tools.checkov_version}".rstrip())

    if args.checkov_from and tools.checkov:
        tools.checkov_reused = earlier_checkov(args.checkov_from, tools.checkov_version)

    results: list[Result] = []
    manifests: dict[str, dict[str, object]] = {}
    started = time.time()
    interrupted = False
    try:
        for case in cases:
            tree, info = ensure_tree(workdir, case, args.seed)
            manifests[case.label] = info
            log(
                f"[{case.label}] {info.get('tf_files')} .tf files, "
                f"{int(info.get('cfn_yaml', 0)) + int(info.get('cfn_json', 0))} templates, "
                f"{info.get('trails')} trails ({info.get('compliant_trails')} compliant), "
                f"{int(info.get('bytes', 0)) / 1e6:.1f} MB"
            )
            earlier = tools.checkov_reused.get(case.label)
            if earlier is not None and earlier.get("tree") != info:
                log(f"[{case.label}] checkov: not reusing {args.checkov_from}: the tree was generated differently")
                del tools.checkov_reused[case.label]
            run_case(case, tree, tools, workdir / "out" / case.label, args.timeout, results, args.repeat)
    except KeyboardInterrupt:
        interrupted = True
        log("interrupted: summarizing the commands that finished")
        tools.notes.append("run interrupted: incomplete")
    cases = [c for c in cases if c.label in manifests]

    # Parse outputs only now: reading a big report would raise this process's RSS
    # high-water mark, which Linux carries into every child forked afterwards.
    for r in results:
        counted = count_findings(Path(r.stdout_file), r.tool)
        r.findings = r.findings if counted is None else counted  # a reused result keeps its count
        if r.tool.startswith("linter"):
            r.trails = linter_trails(Path(r.stdout_file))

    summary = summarize(cases, results, manifests, tools)
    if args.json:
        doc = {
            "meta": {
                "date": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
                "host": platform.node(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "linter": tools.linter,
                "linter_version": tools.linter_version,
                "cache_supported": tools.cache_supported,
                "checkov": tools.checkov,
                "checkov_version": tools.checkov_version,
                "checkov_checks": CHECKOV_CHECKS,
                "checkov_netns": bool(tools.netns_prefix),
                "rss_floor_mb": tools.rss_floor_mb,
                "seed": args.seed,
                "workdir": str(workdir),
                "notes": tools.notes,
            },
            "trees": manifests,
            "results": [asdict(r) for r in results],
            **summary,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        log(f"wrote {args.json}")
    failed = [r for r in results if not r.ok]
    if failed:
        log(f"{len(failed)} command(s) failed: " + ", ".join(f"{r.case}/{r.tool}" for r in failed))
    total = statistics.fsum(r.wall_s for r in results)
    log(f"done: {len(results)} timed commands, {total:.0f}s timed, {time.time() - started:.0f}s total")
    if interrupted:
        return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
