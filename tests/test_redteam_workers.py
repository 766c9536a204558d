"""Issue 11, item 6: worker processes never outlive the linter, and Ctrl-C is one line and status 130.

Killed during the scan of a large tree, the linter left its forked scan helper and its parsing
workers running, holding its stdout: a caller reading the output (CI, ``$(...)``) hung. The trees are
generated here (4,200 small files: the scan is split with a helper and the workers start early); a
``sitecustomize`` slows the scan or the parse down so that the signal lands where it should, and
writes a marker when it got there. Every wait has a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cloudtrail_lint import reader as reader_module
from cloudtrail_lint.cache import Cache

from .conftest import lint

pytestmark = pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2,
                                reason="forks workers (2 CPUs or more) and looks for them in /proc (Linux)")

SLOW = """
import os, time
import cloudtrail_lint.reader as reader

_MARK, _PHASE = os.environ["CTL_TEST_MARK"], os.environ["CTL_TEST_PHASE"]
_MAIN = os.getpid()

def _arrived(in_main):
    if (os.getpid() == _MAIN) == in_main and not os.path.exists(_MARK):
        open(_MARK, "w").close()

if _PHASE == "scan":
    _scan = reader.scan_terraform
    def scan_terraform(data):
        _arrived(True)
        time.sleep(0.003)
        return _scan(data)
    reader.scan_terraform = scan_terraform
else:
    _parse = reader.parse_terraform_bytes
    def parse_terraform_bytes(*args):
        _arrived(False)
        time.sleep(0.2)
        return _parse(*args)
    reader.parse_terraform_bytes = parse_terraform_bytes
"""

TRAIL = ('resource "aws_cloudtrail" "t" {{\n  name           = "t{i}"\n  s3_bucket_name = "b{i}"\n}}\n')
OTHER = 'resource "aws_s3_bucket" "b" {{\n  bucket = "b{i}"\n}}\n'


def _tree(root: Path, folders: int, trails: bool) -> Path:
    """``folders`` module folders of three files (one with a trail when ``trails``), older than the
    cache's racy window so that the scan indexes them."""
    old = time.time() - 86400
    for i in range(folders):
        folder = root / f"m{i:05d}"
        folder.mkdir(parents=True)
        for name in ("main.tf", "variables.tf", "outputs.tf"):
            text = TRAIL.format(i=i) if trails and name == "main.tf" else OTHER.format(i=i)
            (folder / name).write_text(text)
            os.utime(folder / name, (old, old))
    return root


def _start(tmp_path: Path, phase: str) -> tuple[subprocess.Popen, Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW)
    mark = tmp_path / "arrived"
    tree = _tree(tmp_path / "tree", 1400 if phase == "scan" else 40, trails=phase == "parse")
    env = {**os.environ, "PYTHONPATH": str(site), "CTL_TEST_MARK": str(mark), "CTL_TEST_PHASE": phase,
           "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "cloudtrail_lint", "--format", "json", "-j", "2",
               "--cache-dir", str(tmp_path / "cache"), str(tree)]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while not mark.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            _kill_session(proc.pid)
            pytest.fail(f"the run did not reach the {phase}: {proc.stderr.read().decode()[-2000:]}")
        time.sleep(0.01)
    time.sleep(0.3)  # the workers and the scan helper are running now
    return proc, tree


def _session(sid: int) -> list[int]:
    """Live processes (not zombies) of the session ``sid``."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == sid and fields[0] != "Z":
                out.append(int(stat.parent.name))
    return out


def _kill_session(sid: int) -> None:
    for pid in _session(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _gone(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while _session(sid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _session(sid)


def test_a_run_killed_during_the_scan_leaves_nothing_holding_its_output(tmp_path: Path) -> None:
    """SIGKILL to the main process only (nothing can clean up): its output ends at once, because the
    scan helper and the workers hold no copy of it and end with it."""
    proc, _tree = _start(tmp_path, "scan")
    try:
        proc.kill()
        proc.wait()
        out: list[bytes] = []
        reading = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
        reading.start()
        reading.join(timeout=20)
        assert not reading.is_alive(), f"processes of the killed run still hold its stdout: {_session(proc.pid)}"
        assert out == [b""]
        assert _gone(proc.pid, 10) == []
    finally:
        _kill_session(proc.pid)


@pytest.mark.parametrize("phase", ["scan", "parse"])
def test_ctrl_c_is_one_line_and_status_130(phase: str, tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal sends it: the workers ignore it, the main process
    prints one line and exits 130 at once, and the workers end with it; no traceback, no report."""
    proc, _tree = _start(tmp_path, phase)
    try:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("Ctrl-C did not end the run within 30 s")
        assert (proc.returncode, err.decode(), out) == (130, "cloudtrail-lint: interrupted\n", b"")
        assert _gone(proc.pid, 10) == []
    finally:
        _kill_session(proc.pid)


def _probe() -> tuple[int, object, str, str, str]:
    """In a worker: its parent-death signal, SIGINT handler and standard streams."""
    import ctypes

    value = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
    streams = [os.readlink(f"/proc/self/fd/{fd}") for fd in (0, 1, 2)]
    return (value.value, signal.getsignal(signal.SIGINT), *streams)


def test_each_worker_ends_with_the_main_process_on_its_own(tmp_path: Path) -> None:
    """PR_SET_PDEATHSIG (the kernel kills the worker when the main process dies), Ctrl-C left to the main
    process, and no copy of its standard streams."""
    reader = reader_module.Reader(Cache(enabled=False), 1 << 20, jobs=2)
    reader.start_workers()
    try:
        assert reader._pool is not None
        death, sigint, *streams = reader._pool.submit(_probe).result(timeout=60)
    finally:
        reader.close()
    assert (death, sigint, streams) == (signal.SIGKILL, signal.SIG_IGN, [os.devnull] * 3)


def test_jobs_are_capped_at_the_cpu_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``-j 300`` once started 300 workers on 2 CPUs (0.1 s became 32 s)."""
    from cloudtrail_lint.engine import Settings, Workspace

    cpus = len(os.sched_getaffinity(0))
    assert Workspace(Settings(jobs=300, cache=False)).reader.jobs == cpus
    assert Workspace(Settings(jobs=1, cache=False)).reader.jobs == 1
    tree = _tree(tmp_path / "tree", 3 * cpus, trails=True)
    started: list[int] = []
    real = reader_module.Reader._new_pool
    monkeypatch.setattr(reader_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(reader_module.Reader, "_new_pool", staticmethod(lambda n: started.append(n) or real(n)))
    result = lint(tree, "--format", "json", "--no-cache", "-j", "300", ".")
    assert result.exit_code == 1
    assert started and max(started) <= cpus
    assert "at most one per CPU" in " ".join(lint(tree, "--help").stdout.split())
