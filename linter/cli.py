"""The ``cloudtrail-lint`` command."""

from __future__ import annotations

import contextlib
import os
import sys

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
@click.option("--list-rules", is_flag=True, expose_value=False, is_eager=True, callback=_list_rules,
              help="List the rules and exit.")
@click.option("--explain", metavar="RULE", expose_value=False, is_eager=True, callback=_explain,
              help="Print a rule's documentation and exit.")
@click.version_option(__version__, "--version", prog_name="cloudtrail-lint")
def cli(paths: tuple[str, ...], fmt: str, output: str | None, min_retention_days: int | None,
        unknown: str | None, select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...],
        var_file: tuple[str, ...], max_file_size: int, config_file: str | None,
        honor_peer_suppressions: bool | None, baseline_file: str | None, write_baseline: str | None,
        show_diff: bool, apply_fix: bool, jobs: int | None, no_cache: bool, cache_dir: str | None,
        parse_all: bool, progress: bool | None) -> None:
    """Check that every CloudTrail trail in Terraform and CloudFormation under PATHS sends its events to
    CloudWatch Logs and keeps them long enough.

    Exit status: 0 no error-severity finding, 1 findings, 2 usage error or an input that could not be read.
    """
    from .engine import run
    from .reporters import render
    from .rules import RULES_BY_ID

    selected, ignored = _split(select), _split(ignore)
    for prefix in selected + ignored:
        if not any(rule_id.startswith(prefix) for rule_id in RULES_BY_ID):
            raise click.UsageError(f"no rule matches {prefix!r}; see --list-rules")
    if baseline_file and write_baseline:
        raise click.UsageError("--baseline and --write-baseline cannot be used together")
    given = {
        "paths": list(paths) or ["."], "min_retention_days": min_retention_days, "unknown": unknown,
        "select": selected or None, "ignore": ignored or None, "excludes": list(exclude) or None,
        "var_files": list(var_file) or None, "max_file_size": max_file_size * 1048576,
        "honor_peer_suppressions": honor_peer_suppressions, "jobs": jobs, "cache": False if no_cache else None,
        "cache_dir": cache_dir, "parse_all": parse_all or None,
        "progress": None if progress is None else ("always" if progress else "never"),
    }
    settings = _settings(given, config_file, baseline_file)
    report = _run_with_deep_stack(run, settings)
    if write_baseline:
        _write_baseline(write_baseline, report)
    if show_diff or apply_fix or fmt == "sarif":
        from .fix.command import fix_step

        report = fix_step(settings, report, fmt, output, show_diff, apply_fix, _run_with_deep_stack)
    color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    stdout, stderr = render(report, fmt, color)
    stdout, stderr = _encodable(stdout), _encodable(stderr)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(stdout)
        except OSError as exc:
            failure = click.FileError(output, hint=exc.strerror or str(exc))
            failure.exit_code = 2  # like a usage error: no report was written
            raise failure from None
    else:
        click.echo(stdout, nl=False)
    if stderr:
        click.echo(stderr, nl=False, err=True)
    sys.exit(report.exit_code())


def _encodable(text: str) -> str:
    """``text`` with lone surrogates (file names that are not UTF-8) escaped, so writing it cannot fail."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def _settings(given: dict, config_file: str | None, baseline_file: str | None):
    """Settings from the options, the configuration file and the baseline; exit 2 naming what is wrong."""
    from .baseline import BaselineError, load
    from .config import ConfigError, settings_from

    try:
        settings = settings_from(given, config_file)
        if baseline_file:
            settings.baseline = load(baseline_file)
    except (ConfigError, BaselineError) as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(2)
    return settings


def _write_baseline(path: str, report) -> None:
    """Record the report's unsuppressed findings in ``path`` and exit 0 (2 when it cannot be written)."""
    from .baseline import write
    from .reporters.text import summary

    try:
        count = write(path, report.findings)
    except OSError as exc:
        click.echo(f"error: {path}: cannot write baseline: {exc.strerror or exc}", err=True)
        sys.exit(2)
    from .reporters import clean

    for e in report.errors:
        line = f"{clean(e.file)}:{e.line}:{e.column}: error: {clean(e.message)} (not in the baseline)"
        click.echo(_encodable(line), err=True)
    click.echo(f"{summary(report)}\nwrote {count} finding{'s' * (count != 1)} to baseline {path}")
    sys.exit(0)


def _run_with_deep_stack(fn, *args):
    """Run ``fn`` in a thread with a large stack: deep module chains and nested inputs recurse deeply."""
    import threading

    result: list = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(fn(*args))
        except BaseException as exc:  # re-raised in the calling thread
            failure.append(exc)

    old_limit = sys.getrecursionlimit()
    old_size = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 60_000))
    threading.stack_size(512 * 1024 * 1024)
    try:
        worker = threading.Thread(target=target, name="cloudtrail-lint")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    if failure:
        raise failure[0]
    return result[0]


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
        from .reporters import clean

        sys.stderr.write(_encodable(f"cloudtrail-lint: {clean(internal_error(exc))}\n"))
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
