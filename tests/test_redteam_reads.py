"""Issue 11, item 3: no read follows a link out of the tree, and none blocks on a FIFO or device.

A fork can commit ``.terraform/modules`` with links in it: ``modules.json -> /proc/self/fd/1`` or a
module file ``-> /dev/stdin`` blocked the run forever when stdout/stdin were pipes (CI). The files of
the scenario are in ``tests/redteam/downloaded_module_links``; links and FIFOs are made here. Every run
is a subprocess with a pipe for stdout and one for stdin that stays open, and a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import lint

SCENARIO = Path(__file__).parent / "redteam" / "downloaded_module_links"
#: The downloaded module's trail, wired to a log group ARN without ":*" (CTL004), and no role (CTL002),
#: reported at the module call in the user's code.
DOWNLOADED = {("CTL002", "main.tf", 2, "module.trail.aws_cloudtrail.this"),
              ("CTL004", "main.tf", 2, "module.trail.aws_cloudtrail.this")}

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/proc/self/fd").is_dir(),
                                reason="needs FIFOs and /proc")


def _tree(tmp_path: Path, own_trail: bool = False) -> Path:
    """The root module with its downloaded module, as ``terraform init`` leaves them; with ``own_trail``
    the root module also declares a (compliant) trail, so it is read whatever the downloaded module holds."""
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(SCENARIO / "main.tf", tree / "main.tf")
    if own_trail:
        shutil.copy(SCENARIO / "account_trail.tf", tree / "account_trail.tf")
    modules = tree / ".terraform" / "modules"
    shutil.copytree(SCENARIO / "downloaded", modules / "trail")
    shutil.copy(SCENARIO / "modules.json", modules / "modules.json")
    return tree


def _outside(tmp_path: Path) -> Path:
    """A folder outside the tree holding a trail module (a secret would do as well)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(SCENARIO / "downloaded" / "main.tf", outside / "main.tf")
    return outside


def run_cli(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """The command with stdout a pipe and stdin a pipe nobody writes to or closes; blocking fails the test."""
    command = [sys.executable, "-m", "cloudtrail_lint", *args]
    stdin, keep_open = os.pipe()
    try:
        proc = subprocess.Popen(command, cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        os.close(stdin)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail(f"the linter blocked for {timeout} s")
    finally:
        os.close(keep_open)
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def _report(proc: subprocess.CompletedProcess) -> dict:
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(proc.stdout)


def _findings(report: dict) -> set[tuple[str, str, int, str]]:
    return {(f["rule"], f["file"], f["line"], f["resource"]) for f in report["findings"]}


@pytest.mark.parametrize("own_trail", [False, True], ids=["root-calls-only", "root-with-own-trail"])
def test_the_scenario_as_terraform_init_leaves_it(own_trail: bool, tmp_path: Path) -> None:
    """The control: the downloaded module is read and its trail checked."""
    report = _report(run_cli(_tree(tmp_path, own_trail), "--format", "json", "."))
    assert _findings(report) == DOWNLOADED
    assert report["summary"]["trails"] == 1 + own_trail


def _modules_json_to_stdout(tree: Path, outside: Path) -> None:
    modules_json = tree / ".terraform" / "modules" / "modules.json"
    modules_json.unlink()
    modules_json.symlink_to("/proc/self/fd/1")


def _module_file_to_stdin(tree: Path, outside: Path) -> None:
    (tree / ".terraform" / "modules" / "trail" / "main.tf").unlink()
    (tree / ".terraform" / "modules" / "trail" / "main.tf").symlink_to("/dev/stdin")


def _module_file_fifo(tree: Path, outside: Path) -> None:
    (tree / ".terraform" / "modules" / "trail" / "main.tf").unlink()
    os.mkfifo(tree / ".terraform" / "modules" / "trail" / "main.tf")


def _module_file_outside(tree: Path, outside: Path) -> None:
    (tree / ".terraform" / "modules" / "trail" / "main.tf").unlink()
    (tree / ".terraform" / "modules" / "trail" / "main.tf").symlink_to(outside / "main.tf")


def _module_folder_outside(tree: Path, outside: Path) -> None:
    shutil.rmtree(tree / ".terraform" / "modules" / "trail")
    (tree / ".terraform" / "modules" / "trail").symlink_to(outside, target_is_directory=True)


def _modules_json_dir_outside(tree: Path, outside: Path) -> None:
    shutil.rmtree(tree / ".terraform" / "modules" / "trail")
    (tree / ".terraform" / "modules" / "modules.json").write_text(json.dumps({"Modules": [
        {"Key": "trail", "Source": "registry.terraform.io/acme/org-trail/aws", "Dir": "../outside"}]}))


def _terraform_folder_outside(tree: Path, outside: Path) -> None:
    """All of ``.terraform`` is a link: its modules.json leads to a module folder outside too."""
    shutil.move(str(tree / ".terraform"), str(outside / ".terraform"))
    (tree / ".terraform").symlink_to(outside / ".terraform", target_is_directory=True)


TRAPS = {
    "modules.json-to-stdout": _modules_json_to_stdout,
    "module-file-to-stdin": _module_file_to_stdin,
    "module-file-is-a-fifo": _module_file_fifo,
    "module-file-outside": _module_file_outside,
    "module-folder-outside": _module_folder_outside,
    "modules.json-dir-outside": _modules_json_dir_outside,
    "terraform-folder-outside": _terraform_folder_outside,
}


@pytest.mark.parametrize("own_trail", [False, True], ids=["root-calls-only", "root-with-own-trail"])
@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_downloaded_modules_never_lead_out_of_the_tree_or_block(trap: str, own_trail: bool, tmp_path: Path) -> None:
    """The run ends and reads nothing outside the tree; the module's trail is not seen, as when the module
    is not downloaded, and the module call, named like one that creates a trail, is reported as not
    followed (CTL010)."""
    tree = _tree(tmp_path, own_trail)
    TRAPS[trap](tree, _outside(tmp_path))
    proc = run_cli(tree, "--format", "json", ".")
    report = _report(proc)
    assert (proc.returncode, report["errors"]) == (0, [])
    # a module folder that leads out is refused like one not downloaded (CTL010 says the call is not
    # followed); a module file that does, or is no regular file, is skipped in a folder that is read
    refused = not trap.startswith("module-file")
    assert [(f["rule"], f["kind"], f["file"], f["line"]) for f in report["findings"]] == (
        [("CTL010", "module-not-followed", "main.tf", 2)] if refused else [])
    assert report["summary"]["trails"] == int(own_trail)


def test_a_var_file_that_is_not_a_regular_file_is_an_error(tmp_path: Path) -> None:
    """A path named on the command line may be a link (it was asked for), but it must be a regular file:
    ``--var-file /dev/stdin`` read the pipe forever."""
    tree = _tree(tmp_path)
    (tree / "fifo.tfvars").unlink(missing_ok=True)
    os.mkfifo(tree / "fifo.tfvars")
    (tree / "linked.tfvars").symlink_to(tmp_path / "outside.tfvars")
    (tmp_path / "outside.tfvars").write_text('name = "from-outside"\n')
    for var_file in ("/dev/stdin", "fifo.tfvars"):
        proc = run_cli(tree, "--format", "json", "--var-file", var_file, ".")
        report = _report(proc)
        assert proc.returncode == 2
        assert [e["message"] for e in report["errors"]] == ["not a regular file (a FIFO, socket or device): not read"]
        assert _findings(report) == DOWNLOADED  # the rest of the run is reported
    linked = run_cli(tree, "--format", "json", "--var-file", "linked.tfvars", ".")
    assert (linked.returncode, _report(linked)["errors"]) == (1, [])


def test_fifos_and_links_to_devices_in_the_tree_are_never_opened(tmp_path: Path) -> None:
    """Discovery skips them (not regular files); a tfvars link to /dev/stdin and a template link to
    /proc/self/fd/1 lead out of the tree and are not read."""
    tree = _tree(tmp_path)
    os.mkfifo(tree / "pipe.tf")
    os.mkfifo(tree / "pipe.yaml")
    (tree / "terraform.tfvars").symlink_to("/dev/stdin")
    (tree / "stdout.yaml").symlink_to("/proc/self/fd/1")
    report = _report(run_cli(tree, "--format", "json", "."))
    assert _findings(report) == DOWNLOADED
    assert report["errors"] == []


def test_a_link_to_a_file_inside_the_tree_is_still_followed(tmp_path: Path) -> None:
    """As documented: links that stay inside the scanned tree are read, also under .terraform/modules."""
    tree = _tree(tmp_path)
    real = tree / "vendor" / "trail"
    real.mkdir(parents=True)
    shutil.move(str(tree / ".terraform" / "modules" / "trail" / "main.tf"), str(real / "main.tf"))
    (tree / ".terraform" / "modules" / "trail" / "main.tf").symlink_to(real / "main.tf")
    result = lint(tree, "--format", "json", ".")
    assert result.findings() >= DOWNLOADED  # read through the link (vendor/trail is also linted on its own)


@pytest.mark.parametrize("option", ["--config", "--baseline"])
@pytest.mark.parametrize("target", ["fifo", "stdin"])
def test_a_config_or_baseline_that_is_no_regular_file_is_an_error(tmp_path: Path, option: str, target: str) -> None:
    """`--config /dev/stdin` or a FIFO used to block the run; like every input, they are read only when
    they are regular files."""
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    path = "/dev/stdin"
    if target == "fifo":
        os.mkfifo(tmp_path / "trap")
        path = str(tmp_path / "trap")
    proc = run_cli(tmp_path, option, path, ".", timeout=20)
    what = "configuration" if option == "--config" else "baseline"
    assert proc.returncode == 2
    assert proc.stderr.strip().endswith(f"cannot read {what}: not a regular file (a FIFO, socket or device):"
                                        " not read")
