"""What ``--diff`` prints and ``--fix`` writes: a unified diff, atomic in-place writes, the fix notes."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile

from ..reporters import clean
from .plan import FixPlan


def unified_diff(plan: FixPlan) -> str:
    """The plan's changes as one ``git apply``-able unified diff (paths as ``a/FILE`` and ``b/FILE``)."""
    out: list[str] = []
    for path, (before, after) in plan.new_texts().items():
        lines = difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
        for line in lines:
            out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


class WriteError(Exception):
    """A fixed file could not be written; nothing of that file changed."""


def write_fixes(plan: FixPlan) -> list[str]:
    """Write every changed file in place, atomically and with its mode kept; return the paths written."""
    written = []
    for path, (_before, after) in plan.new_texts().items():
        source = plan.sources[path]
        target = os.path.realpath(path)
        try:
            with open(target, "rb") as handle:
                if handle.read() != source.raw:
                    raise WriteError(f"{path} changed while it was being fixed; run again")
            mode = stat.S_IMODE(os.stat(target).st_mode)
            fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                        dir=os.path.dirname(target))
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(source.encode(after))
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(temp, mode)
                os.replace(temp, target)
            except BaseException:
                if os.path.exists(temp):
                    os.unlink(temp)
                raise
        except OSError as exc:
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def notes(plan: FixPlan, applied: bool) -> str:
    """One line per finding: what was (or would be) fixed, or why not; then a count."""
    lines = []
    verb = "fixed" if applied else "fixable"
    for outcome in plan.outcomes:
        f = outcome.finding
        where = f"{clean(f.file)}:{f.line}: {f.rule}"
        if outcome.fix is not None:
            lines.append(f"{where} {verb}: {clean(outcome.fix.description)} [{clean(f.resource)}]")
        else:
            lines.append(f"{where} not fixed: {clean(outcome.reason)} [{clean(f.resource)}]")
    files = len(plan.edits)
    count = len(plan.fixed)
    lines.append(f"{count} finding{'s' * (count != 1)} {verb} in {files} file{'s' * (files != 1)},"
                 f" {len(plan.not_fixed)} not fixed")
    return "\n".join(lines) + "\n"
