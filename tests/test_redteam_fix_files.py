"""Issue #11, item 8: ``--fix`` replaces a file only when the replacement keeps everything the old file had.

Its mode, owner and group are kept. A read-only file, a file with several hard links (a new file would
split them) and one whose owner a replacement could not keep are left alone, and the fixes that would
change them are listed as not fixed with the reason; the other files are still fixed. Permissions and
links cannot be stored in git, so each case is built here from a fix fixture.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from .conftest import FIXTURES, lint

BEFORE = FIXTURES / "fix_tf_ctl004_arns" / "before"
AFTER = (FIXTURES / "fix_tf_ctl004_arns" / "after" / "main.tf").read_text()


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """Two copies of a module with two fixable CTL004 findings: ``left/`` and ``right/``."""
    for name in ("left", "right"):
        shutil.copytree(BEFORE, tmp_path / "w" / name)
    return tmp_path / "w"


def not_fixed(stderr: str, reason: str) -> list[str]:
    return [line for line in stderr.splitlines() if f"not fixed: {reason}" in line]


def test_a_read_only_file_is_left_alone_and_the_others_are_fixed(two: Path) -> None:
    locked = two / "left" / "main.tf"
    before = locked.read_text()
    locked.chmod(0o444)
    result = lint(two, "--fix", ".")
    assert locked.read_text() == before
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444
    assert (two / "right" / "main.tf").read_text() == AFTER
    assert len(not_fixed(result.stderr, "left/main.tf is read-only, and --fix changes no read-only file")) == 2
    assert "2 findings fixed in 1 file, 2 not fixed" in result.stderr
    assert result.exit_code == 1  # left/ still has its findings


def test_a_hard_linked_file_is_left_alone(two: Path, tmp_path: Path) -> None:
    linked = two / "left" / "main.tf"
    os.link(linked, tmp_path / "elsewhere.tf")  # say, a copy kept outside the scanned tree
    inode, before = linked.stat().st_ino, linked.read_text()
    result = lint(two, "--fix", ".")
    assert (linked.read_text(), linked.stat().st_ino, linked.stat().st_nlink) == (before, inode, 2)
    assert (tmp_path / "elsewhere.tf").read_text() == before
    assert len(not_fixed(result.stderr, "left/main.tf has 2 hard links, which a fixed copy would split;"
                                        " --fix leaves it alone (apply --diff to change every link)")) == 2
    assert (two / "right" / "main.tf").read_text() == AFTER


@pytest.mark.parametrize("mode", [0o640, 0o755, 0o600])
def test_the_mode_is_kept(two: Path, mode: int) -> None:
    path = two / "right" / "main.tf"
    path.chmod(mode)
    lint(two, "--fix", ".")
    assert (path.read_text(), stat.S_IMODE(path.stat().st_mode)) == (AFTER, mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_the_owner_and_group_are_kept(two: Path) -> None:
    path = two / "right" / "main.tf"
    os.chown(path, 65534, 65534)
    path.chmod(0o664)
    lint(two, "--fix", ".")
    facts = path.stat()
    assert (path.read_text(), facts.st_uid, facts.st_gid, stat.S_IMODE(facts.st_mode)) == (AFTER, 65534, 65534, 0o664)
    assert sorted(p.name for p in path.parent.iterdir()) == ["main.tf"]  # no temporary file left


def test_a_file_another_user_owns_is_left_alone(two: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not root: a replacement would belong to whoever runs --fix, so a file of someone else's stays."""
    path = two / "left" / "main.tf"
    before = path.read_text()
    mine = path.stat().st_uid
    monkeypatch.setattr(os, "geteuid", lambda: mine + 1)  # as if another user ran --fix
    result = lint(two, "--fix", "--no-cache", "left")
    assert path.read_text() == before
    assert len(not_fixed(result.stderr, "left/main.tf belongs to another user or group, which a fixed copy would"
                                        " not keep")) == 2
