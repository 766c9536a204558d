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
    """Write every changed file in place, atomically, keeping its mode and owner; return the paths written.

    A file that a new file must not replace is left alone, and the fixes that change it become "not
    fixed" with the reason (:func:`leave_alone`): a read-only file, one with several hard links (a new
    file would split them), one whose owner or group the replacement could not keep.
    """
    leave_alone(plan)
    written = []
    for path, (_before, after) in plan.new_texts().items():
        source = plan.sources[path]
        target = os.path.realpath(path)
        try:
            with open(target, "rb") as handle:
                if handle.read() != source.raw:
                    raise WriteError(f"{path} changed while it was being fixed; run again")
                facts = os.fstat(handle.fileno())
            _replace(target, source.encode(after), facts)
        except OSError as exc:
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append(path)
    return written


def leave_alone(plan: FixPlan) -> None:
    """Turn the fixes that change a file :func:`_why_not_replace` refuses into "not fixed" with its reason."""
    from .plan import _accept

    refused = {path: why for path in plan.edits if (why := _why_not_replace(path))}
    if not refused:
        return
    for outcome in plan.outcomes:
        reasons = [refused[path] for path in outcome.fix.edits if path in refused] if outcome.fix else []
        if reasons:
            outcome.reason = "; ".join(dict.fromkeys(reasons))
            outcome.fix = outcome.finding.fix = None
    plan.edits = {}
    for outcome in plan.fixed:
        _accept(plan, outcome.fix)  # type: ignore[arg-type]


def _why_not_replace(path: str) -> str:
    """Why ``--fix`` must not replace ``path`` with a new file, or "" (a file it cannot read: the write says)."""
    target = os.path.realpath(path)
    try:
        facts = os.stat(target)
    except OSError:
        return ""
    if not facts.st_mode & 0o222 or not os.access(target, os.W_OK):
        return f"{path} is read-only, and --fix changes no read-only file"
    if facts.st_nlink > 1:
        return (f"{path} has {facts.st_nlink} hard links, which a fixed copy would split; --fix leaves it"
                " alone (apply --diff to change every link)")
    if not _can_give_away(facts):
        return f"{path} belongs to another user or group, which a fixed copy would not keep"
    return ""


def _can_give_away(facts: os.stat_result) -> bool:
    """Whether a file this process creates can take the owner and group in ``facts``."""
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        return True
    return facts.st_uid == os.geteuid() and facts.st_gid in {os.getegid(), *os.getgroups()}


def _replace(target: str, data: bytes, facts: os.stat_result) -> None:
    """Replace ``target`` with a new file holding ``data``, with the owner, group and mode in ``facts``."""
    fd, temp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp",
                                dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if hasattr(os, "fchown"):  # POSIX; the owner first, since changing it clears set-id bits
                os.fchown(handle.fileno(), facts.st_uid, facts.st_gid)
                os.fchmod(handle.fileno(), stat.S_IMODE(facts.st_mode))
            os.fsync(handle.fileno())
        if not hasattr(os, "fchown"):
            os.chmod(temp, stat.S_IMODE(facts.st_mode))
        os.replace(temp, target)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise


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
