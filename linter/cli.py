"""The ``cloudtrail-lint`` command."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import NoReturn

import click

from . import __version__
from .reporters import FORMATS


def _split(values: tuple[str, ...]) -> list[str]:
    return [item.strip().upper() for value in values for item in value.split(",") if item.strip()]


def _list_rules(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .rules import ALL_RULES

    for rule in ALL_RULES:
        click.echo(f"{rule.id}  {rule.name:<34} {rule.severity:<8} {rule.title}")
    ctx.exit(0)


def _cfn_lint_rules_path(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    # the folder of the cfn-lint rules package, found without importing it (or cfn-lint)
    click.echo(os.path.join(os.path.dirname(os.path.abspath(__file__)), "cfnlint_rules"))
    ctx.exit(0)


def _explain(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if not value or ctx.resilient_parsing:
        return
    from .docs import text
    from .rules import RULES_BY_ID

    rule = RULES_BY_ID.get(value.upper()) or next((r for r in RULES_BY_ID.values() if r.name == value), None)
    if rule is None:
        raise click.BadParameter(f"no rule {value!r}; see --list-rules", ctx=ctx, param=_param)
    click.echo(text(rule), nl=False)
    ctx.exit(0)


def _report_specs(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> list[tuple[str, str]]:
    """``--report FORMAT:PATH`` values as (format, path); a usage error naming the option otherwise."""
    specs = []
    for value in values:
        kind, colon, path = value.partition(":")
        if not colon or not kind or not path:
            raise click.BadParameter(f"{value!r} is not FORMAT:PATH (e.g. sarif:results.sarif)", ctx, param)
        if kind.lower() not in FORMATS:
            raise click.BadParameter(f"{value!r}: unknown format {kind!r}; choose from {', '.join(FORMATS)}",
                                     ctx, param)
        specs.append((kind.lower(), path))
    return specs


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of standard output.")
@click.option("--min-retention-days", type=click.IntRange(min=1), default=None,
              help="Least number of days the trail's log group must keep events (CTL003).  [default: 365]")
@click.option("--unknown", type=click.Choice(["ignore", "warn", "fail"]), default=None,
              help="What a value that cannot be resolved statically gives (CTL010).  [default: warn]")
@click.option("--select", multiple=True, metavar="RULE,...", help="Only these rules (id prefixes).")
@click.option("--ignore", multiple=True, metavar="RULE,...", help="Skip these rules (id prefixes).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra Terraform variable file for the root modules (repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=20, show_default=True, metavar="MiB",
              help="Report files larger than this as errors instead of reading them.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Read settings from FILE instead of the nearest .cloudtrail-lint.toml or pyproject.toml.")
@click.option("--honor-peer-suppressions/--no-honor-peer-suppressions", default=None,
              help="Let checkov, tfsec/Trivy and KICS skips of their CloudWatch check suppress CTL001 and"
              " CTL002.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Report only findings not recorded in FILE (written by --write-baseline).")
@click.option("--write-baseline", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Record the current findings in FILE and exit 0.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the automatic fixes as a unified diff instead of the report; change no file.")
@click.option("--fix", "apply_fix", is_flag=True,
              help="Apply the automatic fixes to the files in place, then report what is left.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, metavar="N",
              help="Worker processes for parsing, at most one per CPU (default: one per CPU; 1 parses in this"
              " process).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the parse cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where the parse cache lives (default: $CLOUDTRAIL_LINT_CACHE_DIR or the user cache folder).")
@click.option("--parse-all", is_flag=True,
              help="Parse every Terraform and CloudFormation file, also those no trail can depend on, so that"
              " syntax errors anywhere are reported (slower).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar on standard error (default: only on a terminal outside CI).")
@click.option("--report", "extra_reports", multiple=True, metavar="FORMAT:PATH", callback=_report_specs,
              help="Also write the report in FORMAT to PATH (repeatable), e.g. sarif:results.sarif.")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when findings are reported (2 still means an input could not be processed).")
@click.option("--new-since", metavar="REF",
              help="Report only findings that the tree at git revision REF did not have (e.g. origin/main).")
@click.option("--quiet", "-q", count=True,
              help="Print only the findings, no summary line; twice (-qq): print nothing, only the exit status"
              " tells.")
@click.option("--silent", "-s", is_flag=True, help="Print nothing; the same as -qq.")
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour the text report on standard output; auto: on a terminal, unless NO_COLOR is set"
              " (FORCE_COLOR: also elsewhere).")
@click.option("--list-rules", is_flag=True, expose_value=False, is_eager=True, callback=_list_rules,
              help="List the rules and exit.")
@click.option("--cfn-lint-rules-path", is_flag=True, expose_value=False, is_eager=True,
              callback=_cfn_lint_rules_path,
              help="Print the folder to pass to cfn-lint --append-rules (needs the cfn-lint extra) and exit.")
@click.option("--explain", metavar="RULE", expose_value=False, is_eager=True, callback=_explain,
              help="Print a rule's documentation and exit.")
@click.version_option(__version__, "--version", prog_name="cloudtrail-lint")
def cli(paths: tuple[str, ...], fmt: str, output: str | None, min_retention_days: int | None,
        unknown: str | None, select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
        var_file: tuple[str, ...], max_file_size: int, config_file: str | None,
        honor_peer_suppressions: bool | None, baseline_file: str | None, write_baseline: str | None,
        show_diff: bool, apply_fix: bool, jobs: int | None, no_cache: bool, cache_dir: str | None,
        parse_all: bool, progress: bool | None, extra_reports: list[tuple[str, str]], exit_zero: bool,
        new_since: str | None, quiet: int, silent: bool, color_choice: str) -> None:
    """Check that every CloudTrail trail in Terraform and CloudFormation under PATHS sends its events to
    CloudWatch Logs and keeps them long enough.

    Exit status: 0 no error-severity finding, 1 findings, 2 usage error or an input that could not be read.
    """
    from .engine import run
    from .rules import RULES_BY_ID

    quiet = 2 if silent else min(quiet, 2)

    selected, ignored = _split(select), _split(ignore)
    for prefix in selected + ignored:
        if not any(rule_id.startswith(prefix) for rule_id in RULES_BY_ID):
            raise click.UsageError(f"no rule matches {prefix!r}; see --list-rules")
    if baseline_file and write_baseline:
        raise click.UsageError("--baseline and --write-baseline cannot be used together")
    _check_combinations(output, extra_reports, new_since, write_baseline, show_diff, apply_fix)
    given = {
        "paths": list(paths) or ["."], "min_retention_days": min_retention_days, "unknown": unknown,
        "select": selected or None, "ignore": ignored or None, "excludes": list(exclude) or None,
        "var_files": list(var_file) or None, "max_file_size": max_file_size * 1048576,
        "honor_peer_suppressions": honor_peer_suppressions, "jobs": jobs, "cache": False if no_cache else None,
        "cache_dir": cache_dir, "parse_all": parse_all or None,
        "progress": None if progress is None else ("always" if progress else "never"),
    }
    settings = _settings(given, config_file, baseline_file)
    revision = _revision(new_since, settings.paths) if new_since else None
    report = _run_with_deep_stack(run, settings)
    if revision is not None:
        _keep_new(report, revision, settings)
    if callable(getattr(sys.stdout, "reconfigure", None)):  # a stream that is not UTF-8 (a Windows pipe)
        sys.stdout.reconfigure(errors="backslashreplace")  # shows what it cannot encode as \uXXXX
    if write_baseline:
        _write_baseline(write_baseline, report)
    wants_sarif = fmt == "sarif" or any(kind == "sarif" for kind, _path in extra_reports)
    if show_diff or apply_fix or wants_sarif:
        from .fix.command import fix_step

        report = fix_step(settings, report, "sarif" if wants_sarif else fmt, output, show_diff, apply_fix,
                          _run_with_deep_stack)
    files = ([(fmt, output)] if output else []) + list(extra_reports)
    for kind, path in files:
        _write_report(path, _encodable(_render_file(report, kind)))
    if quiet < 2:
        _print(report, fmt, output, quiet, _use_color(color_choice, fmt, output))
    code = report.exit_code()
    sys.exit(0 if exit_zero and code == 1 else code)


def _check_combinations(output: str | None, extra_reports: list[tuple[str, str]], new_since: str | None,
                        write_baseline: str | None, show_diff: bool, apply_fix: bool) -> None:
    """Usage errors for options that cannot go together."""
    if extra_reports and (show_diff or write_baseline):
        raise click.UsageError(f"--report cannot be used with {'--diff' if show_diff else '--write-baseline'}"
                               " (no report is written)")
    if new_since and (apply_fix or write_baseline):
        raise click.UsageError(f"--new-since cannot be used with {'--fix' if apply_fix else '--write-baseline'}")
    seen: dict[str, str] = {}
    for option, path in ([("--output", output)] if output else []) + [("--report", p) for _k, p in extra_reports]:
        where = os.path.normcase(os.path.abspath(path))
        if os.path.exists(where) and not os.path.isfile(where):
            continue  # /dev/null, a pipe: nothing to overwrite
        if where in seen:
            raise click.UsageError(f"{path} is written twice ({seen[where]} and {option})")
        seen[where] = option


def _revision(name: str, paths: list[str]):
    """The ``--new-since`` revision, checked before the lint; exit 2 saying what is wrong."""
    from .git import GitError
    from .newsince import prepare

    try:
        return prepare(name, paths)
    except GitError as err:
        _fail(f"--new-since: {err}")


def _keep_new(report, revision, settings) -> None:
    """Lint the tree at ``revision`` and drop from ``report`` what it already had; exit 2 when git fails."""
    from .git import GitError
    from .newsince import findings_at, keep_new

    try:
        present = findings_at(revision, settings, _run_with_deep_stack)
    except GitError as err:
        _fail(f"--new-since: {err}")
    keep_new(report, present, revision)


def _fail(message: str) -> NoReturn:
    from .reporters import clean, defuse_ci_commands

    click.echo(defuse_ci_commands(f"error: {clean(message)}"), err=True)
    sys.exit(2)


def _render_file(report, fmt: str) -> str:
    """The report in ``fmt`` for a file: what standard output would get (never coloured)."""
    from .reporters import render

    return render(report, fmt)[0]


def _print(report, fmt: str, output: str | None, quiet: int, color: bool) -> None:
    """Standard output: the report, unless it went to the file ``output``; then standard error gets the
    summary line instead. The text format prints the input errors on standard error. ``quiet``: no summary."""
    from .reporters.text import render_text, summary

    if output:
        stdout, stderr = "", render_text(report)[1] if fmt == "text" else ""
        if not quiet:
            stderr += summary(report) + "\n"
    elif fmt == "text":
        stdout, stderr = render_text(report, color, summary_line=not quiet)
    elif fmt == "github":
        from .reporters.github import render_github

        stdout, stderr = render_github(report, summary_line=not quiet), ""
    else:
        from .reporters import render

        stdout, stderr = render(report, fmt)
    if stdout:
        click.echo(_encodable(stdout), nl=False, color=color or None)  # click would strip colour off a terminal
    if stderr:
        click.echo(_encodable(stderr), nl=False, err=True)


def _use_color(choice: str, fmt: str, output: str | None) -> bool:
    """Colour only the text report on standard output: ``always``/``never`` as said; ``auto``: not with a
    non-empty ``NO_COLOR``, else with a non-empty ``FORCE_COLOR``, else on a terminal."""
    if fmt != "text" or output is not None:
        return False
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    return bool(isatty and isatty())


def _write_report(path: str, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (a temporary file in the same folder, renamed over it);
    a path that is no regular file (``/dev/stdout``, a pipe), or an existing file in a folder where no
    file can be made, is written directly. Exit 2 with the reason when it cannot be written."""
    import tempfile

    target = os.path.realpath(path) if os.path.islink(path) else path  # keep a link, update its file
    try:
        if os.path.exists(target) and not os.path.isfile(target):
            _write_directly(target, text)
            return
        mode = _new_file_mode(target)
        try:
            fd, temporary = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(target)),
                                             prefix=f".{os.path.basename(target)}.", suffix=".tmp")
        except PermissionError:
            if not os.access(target, os.W_OK):
                raise
            _write_directly(target, text)
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError as exc:
        failure = click.FileError(path, hint=exc.strerror or str(exc))
        failure.exit_code = 2  # like a usage error: the report was not written
        raise failure from None


def _write_directly(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _new_file_mode(path: str) -> int:
    """The permissions a report file gets: those of the file it replaces, else the umask's default."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (file names that are not UTF-8) escaped, so writing it cannot fail."""
    from .reporters import encodable

    return encodable(text)


def _settings(given: dict, config_file: str | None, baseline_file: str | None):
    """Settings from the options, the configuration file and the baseline; exit 2 naming what is wrong."""
    from .config import ConfigError, settings_from

    try:
        settings = settings_from(given, config_file)
    except ConfigError as err:
        _fail(str(err))
    if baseline_file:
        from .baseline import BaselineError, load  # only when there is one: most runs have none

        try:
            settings.baseline = load(baseline_file)
        except BaselineError as err:
            _fail(str(err))
    return settings


def _write_baseline(path: str, report) -> None:
    """Record the report's unsuppressed findings in ``path`` and exit 0 (2 when it cannot be written)."""
    from .baseline import write
    from .reporters import clean, defuse_ci_commands
    from .reporters.text import summary

    try:
        count = write(path, report.findings)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        click.echo(defuse_ci_commands(f"error: {clean(path)}: cannot write baseline: {clean(reason)}"), err=True)
        sys.exit(2)
    for e in report.errors:
        line = f"{clean(e.file)}:{e.line}:{e.column}: error: {clean(e.message)} (not in the baseline)"
        click.echo(defuse_ci_commands(line), err=True)
    click.echo(f"{summary(report)}\nwrote {count} finding{'s' * (count != 1)} to baseline {clean(path)}")
    sys.exit(0)


#: Stacks the engine's thread is tried with, largest first, each with the recursion limit it holds.
#: The deepest recursion is evaluation through long chains (modules handing a value down, locals, GetAtt):
#: at 60,000 frames it needed 16-32 MiB of stack on Python 3.9, whose frames take the most C stack
#: (about 0.5 KiB each; 3.11+ take far less). 64 MiB leaves twice that; the nesting limits of
#: docs/security.md (500 levels) need under 1 MiB. Smaller stacks keep the same room per frame.
DEEP_STACKS = ((64 << 20, 60_000), (32 << 20, 30_000), (16 << 20, 15_000), (8 << 20, 7_500))


def _run_with_deep_stack(fn, *args):
    """Run ``fn`` in a thread with a deep stack: deep module chains and nested inputs recurse deeply.

    When the system refuses a thread with that stack (an address-space limit such as ``ulimit -v``),
    smaller ones are tried with proportionally lower recursion limits, and at last ``fn`` runs in the
    calling thread with the interpreter's own limit; an input too deep for it is an error for that input.
    """
    import threading

    result: list = []
    failure: list[BaseException] = []
    started = threading.Event()  # set once the default stack size is back

    def target() -> None:
        started.wait()
        try:
            result.append(fn(*args))
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    old_limit = sys.getrecursionlimit()
    try:
        for size, limit in DEEP_STACKS:
            sys.setrecursionlimit(max(old_limit, limit))
            worker = _start_thread(threading, target, size)
            if worker is not None:
                started.set()
                worker.join()
                break
        else:
            sys.setrecursionlimit(old_limit)
            started.set()
            target()
    finally:
        sys.setrecursionlimit(old_limit)
    if failure:
        raise failure[0]
    return result[0]


def _start_thread(threading, target, stack_size: int):
    """A started thread running ``target`` on a stack of ``stack_size`` bytes, or None if none can be had.

    The size is set only while the thread starts: threads started later (the parse workers', which are
    forked from this one) get the default again."""
    old_size = threading.stack_size()
    try:
        threading.stack_size(stack_size)
    except (ValueError, RuntimeError):  # a platform that cannot size thread stacks
        return None
    try:
        worker = threading.Thread(target=target, name="cloudtrail-lint")
        worker.start()
    except RuntimeError:  # "can't start new thread": no room for that stack
        return None
    finally:
        threading.stack_size(old_size)
    return worker


def main() -> None:
    """Console entry point: never show a traceback to the user."""
    import gc
    import signal

    from . import GC_THRESHOLDS

    gc.set_threshold(*GC_THRESHOLDS)  # a short-lived process: collect rarely
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGINT, _interrupted)
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as done:
        _hard_exit(done.code)
    except Exception as exc:  # a bug: one line instead of a traceback, and the "cannot process" status
        from .findings import internal_error
        from .reporters import clean, defuse_ci_commands

        sys.stderr.write(_encodable(defuse_ci_commands(f"cloudtrail-lint: {clean(internal_error(exc))}\n")))
        sys.exit(2)


#: The process :func:`main` runs in (its forked workers inherit the SIGINT handler until they ignore it).
_MAIN_PID = 0


def _interrupted(_signal: int = 0, _frame: object = None) -> None:
    """Ctrl-C: one line and status 130, at once, wherever the run is (the engine's thread, a worker pool).
    The workers ignore SIGINT and end with this process; nothing half-done is printed."""
    if os.getpid() != _MAIN_PID:
        return  # a worker forked a moment ago, before it could ignore SIGINT
    with contextlib.suppress(OSError):
        os.write(2, b"cloudtrail-lint: interrupted\n")
    os._exit(130)


def _hard_exit(code: object) -> None:
    """Flush the output and end the process, skipping the interpreter's teardown: after a large run it
    collects and frees every object one by one, which takes tens of milliseconds (mypy does the same)."""
    if code is not None and not isinstance(code, int):
        sys.stderr.write(f"{code}\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`| head`): the exit status still tells
        code = code or 1
    os._exit(code or 0)
