"""What ``--diff`` prints and ``--fix`` writes: a unified diff, atomic in-place writes, the fix notes."""

from __future__ import annotations

import difflib
import os
import stat
import tempfile

from ..reporters import clean, defuse_ci_commands, name_bytes
from .plan import FixPlan

#: How ``git`` writes these bytes inside a quoted path; other bytes outside printable ASCII are octal.
_C_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0B: "\\v", 0x0C: "\\f", 0x0D: "\\r",
              0x22: '\\"', 0x5C: "\\\\"}


def unified_diff(plan: FixPlan) -> str:
    """The plan's changes as one ``git apply``-able unified diff (paths as ``a/FILE`` and ``b/FILE``).

    Nothing from a file reaches the terminal raw: a path that is not plain printable ASCII is quoted
    the way git quotes it (``"a/bad\\377name.yml"``, which ``git apply`` and ``patch`` read back), and a
    line holding a character :func:`clean` escapes, or a CI command, is shown escaped. Such a file's
    part cannot be applied as shown; a line before its header (ignored by ``git apply`` and ``patch``)
    says so.
    """
    out: list[str] = []
    for path, (before, after) in plan.new_texts().items():
        lines = difflib.unified_diff(_lines(before), _lines(after), _quoted(f"a/{path}"), _quoted(f"b/{path}"))
        part = []
        escaped = False
        for line in lines:
            shown = _shown(line)
            escaped = escaped or shown != line
            part.append(shown if shown.endswith("\n") else shown + "\n\\ No newline at end of file\n")
        if escaped:
            out.append(defuse_ci_commands(f"cloudtrail-lint: {clean(path)}: characters that are unsafe to show are"
                                          " escaped below, so this part does not apply as shown; use --fix\n"))
        out.extend(part)
    return "".join(out)


def _lines(text: str) -> list[str]:
    """``text`` split after each LF only (``str.splitlines`` also splits at CR, FF, U+2028...)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    return lines if lines[-1] else lines[:-1]


def _shown(line: str) -> str:
    """A diff line (with its end, LF or CRLF, kept) with what :func:`clean` escapes escaped; tabs stay."""
    body = line.rstrip("\n")
    end = line[len(body):]
    if end and body.endswith("\r"):
        body, end = body[:-1], "\r" + end
    return defuse_ci_commands(clean(body, keep_tabs=True)) + end


def _quoted(path: str) -> str:
    """``path`` as git writes it in a diff header: as is when it is printable ASCII without ``"`` or
    ``\\``, else in double quotes with C escapes and its bytes outside printable ASCII in octal (the ``#``
    of a ``##[`` CI command too)."""
    if path.isascii() and path.isprintable() and '"' not in path and "\\" not in path and \
            defuse_ci_commands(path) == path:
        return path
    shown = "".join(_C_ESCAPES.get(byte) or (chr(byte) if 0x20 <= byte < 0x7F else f"\\{byte:03o}")
                    for byte in name_bytes(path))
    return '"' + defuse_ci_commands(shown, lambda char: f"\\{ord(char):03o}") + '"'


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
    return defuse_ci_commands("\n".join(lines) + "\n")
