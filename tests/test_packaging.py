"""The wheel: one ``cloudtrail_lint`` package (rules inside it), the console script, runs once installed."""

from __future__ import annotations

import email
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
from cloudtrail_lint import __version__

from .conftest import FIXTURES, REPO

IGNORED = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "build", "dist", "__pycache__", "*.pyc",
                                 ".pytest_cache", ".ruff_cache", ".hypothesis", ".checkov-venv", ".nox")


def snapshot(dest: Path) -> Path:
    """Copy the repository's working tree (tracked and untracked, not ignored files) to ``dest``.

    Building from a copy keeps ``build/`` and ``*.egg-info`` out of the shared checkout.
    """
    git = shutil.which("git")
    if git and (REPO / ".git").exists():
        listed = subprocess.run(
            [git, "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, check=True,
        ).stdout.decode().split("\0")
        for rel in filter(None, listed):
            src = REPO / rel
            if src.is_file():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / rel)
    else:
        shutil.copytree(REPO, dest, ignore=IGNORED, dirs_exist_ok=True)
    return dest


def _has_setuptools() -> bool:
    """Whether this environment can build the wheel itself: setuptools >= 77 reads the SPDX license string
    of pyproject.toml and has bdist_wheel built in (else pip builds in isolation, fetching setuptools)."""
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (77, 0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(source copy, wheel) built with pip from a copy of the working tree."""
    root = tmp_path_factory.mktemp("packaging")
    source = snapshot(root / "src")
    out = root / "dist"
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)]
    if _has_setuptools():
        cmd.insert(4, "--no-build-isolation")  # offline and fast; otherwise pip fetches setuptools
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = out.glob("*.whl")
    return source, wheel


def test_wheel_name(built: tuple[Path, Path]) -> None:
    assert built[1].name == f"cloudtrail_lint-{__version__}-py3-none-any.whl"


def test_wheel_has_one_top_level_package(built: tuple[Path, Path]) -> None:
    names = zipfile.ZipFile(built[1]).namelist()
    info = f"cloudtrail_lint-{__version__}.dist-info"
    assert {name.split("/", 1)[0] for name in names} == {"cloudtrail_lint", info}
    assert not any(name.startswith(("rules/", "linter/", "tests/")) for name in names)
    assert "cloudtrail_lint/rules/__init__.py" in names
    assert "cloudtrail_lint/rules/ctl001_cloudwatch_logs_not_configured.py" in names
    top_level = zipfile.ZipFile(built[1]).read(f"{info}/top_level.txt").decode()
    assert top_level.split() == ["cloudtrail_lint"]


def test_wheel_ships_every_module(built: tuple[Path, Path]) -> None:
    """A new subpackage under linter/ or rules/ that is not listed in pyproject.toml would be left out."""
    source, wheel = built
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"cloudtrail_lint/{p.relative_to(source / 'linter').as_posix()}"
                for p in (source / "linter").rglob("*.py")}
    expected |= {f"cloudtrail_lint/rules/{p.relative_to(source / 'rules').as_posix()}"
                 for p in (source / "rules").rglob("*.py")}
    assert sorted(expected - names) == []
    assert sorted(n for n in names if n.endswith(".py") and n not in expected) == []


def test_wheel_metadata_and_console_script(built: tuple[Path, Path]) -> None:
    archive = zipfile.ZipFile(built[1])
    info = f"cloudtrail_lint-{__version__}.dist-info"
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "[console_scripts]\ncloudtrail-lint = cloudtrail_lint.cli:main\n" in entry_points
    meta = email.message_from_bytes(archive.read(f"{info}/METADATA"))
    assert meta["Name"] == "cloudtrail-lint"
    assert meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"  # PEP 639, not the deprecated license table
    requires = sorted(r.split(";")[0].replace(" ", "") for r in meta.get_all("Requires-Dist") or []
                      if "extra ==" not in r)
    # tomli only on Python < 3.11 (its environment marker is cut off above)
    assert requires == ["PyYAML>=6.0", "click>=8.1", "python-hcl2<9,>=8.1", "tomli>=1.1"]


@pytest.fixture(scope="module")
def fresh_venv(built: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with only the wheel installed; dependencies come from this venv by .pth."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
         "--quiet", str(built[1])],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # click, python-hcl2, lark and PyYAML, without this checkout's editable cloudtrail_lint (its finder
    # hook is a .pth file, which a path listed in another .pth does not run)
    deps = Path(click.__file__).resolve().parent.parent
    (Path(purelib) / "test-deps.pth").write_text(f"{deps}\n", encoding="utf-8")
    return venv


def _run(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_installed_console_script_runs(fresh_venv: Path, tmp_path: Path) -> None:
    script = fresh_venv / "bin" / "cloudtrail-lint"
    version = _run(fresh_venv, str(script), "--version", cwd=tmp_path)
    assert version.returncode == 0, version.stderr
    assert version.stdout == f"cloudtrail-lint, version {__version__}\n"

    where = _run(fresh_venv, str(fresh_venv / "bin" / "python"), "-c",
                 "import cloudtrail_lint, cloudtrail_lint.rules as r; print(cloudtrail_lint.__file__);"
                 " print(len(r.ALL_RULES))", cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    path, count = where.stdout.split()
    assert Path(path).resolve().is_relative_to(fresh_venv.resolve())  # the wheel, not the editable checkout
    assert int(count) >= 7

    no_rules = _run(fresh_venv, str(fresh_venv / "bin" / "python"), "-c", "import rules", cwd=tmp_path)
    assert no_rules.returncode == 1
    assert "ModuleNotFoundError: No module named 'rules'" in no_rules.stderr


def test_installed_console_script_lints(fresh_venv: Path) -> None:
    proc = _run(fresh_venv, str(fresh_venv / "bin" / "cloudtrail-lint"), "tf_retention_90", cwd=FIXTURES)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[0] == (
        "tf_retention_90/main.tf:1:1: CTL003 error log group aws_cloudwatch_log_group.platform_trail"
        " (tf_retention_90/logs.tf:1) keeps events 90 days; at least 365 are required"
        " [aws_cloudtrail.platform]"
    )
    listed = _run(fresh_venv, str(fresh_venv / "bin" / "cloudtrail-lint"), "--list-rules", cwd=FIXTURES)
    assert listed.stdout.startswith("CTL001  cloudwatch-logs-not-configured")
