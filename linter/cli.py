"""The ``cloudtrail-lint`` command."""

from __future__ import annotations

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
@click.option("--min-retention-days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Least number of days the trail's log group must keep events (CTL003).")
@click.option("--unknown", type=click.Choice(["ignore", "warn", "fail"]), default="warn", show_default=True,
              help="What a value that cannot be resolved statically gives (CTL010).")
@click.option("--select", multiple=True, metavar="RULE,...", help="Only these rules (id prefixes).")
@click.option("--ignore", multiple=True, metavar="RULE,...", help="Skip these rules (id prefixes).")
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB (repeatable).")
@click.option("--var-file", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Extra Terraform variable file for the root modules (repeatable).")
@click.option("--max-file-size", type=click.IntRange(min=1), default=20, show_default=True, metavar="MiB",
              help="Report files larger than this as errors instead of reading them.")
@click.option("--list-rules", is_flag=True, expose_value=False, is_eager=True, callback=_list_rules,
              help="List the rules and exit.")
@click.option("--explain", metavar="RULE", expose_value=False, is_eager=True, callback=_explain,
              help="Print a rule's documentation and exit.")
@click.version_option(__version__, "--version", prog_name="cloudtrail-lint")
def cli(paths: tuple[str, ...], fmt: str, output: str | None, min_retention_days: int, unknown: str,
        select: tuple[str, ...], ignore: tuple[str, ...], exclude: tuple[str, ...], var_file: tuple[str, ...],
        max_file_size: int) -> None:
    """Check that every CloudTrail trail in Terraform and CloudFormation under PATHS sends its events to
    CloudWatch Logs and keeps them long enough.

    Exit status: 0 no error-severity finding, 1 findings, 2 usage error or an input that could not be read.
    """
    from .engine import Settings, run
    from .reporters import render
    from .rules import RULES_BY_ID

    selected, ignored = _split(select), _split(ignore)
    for prefix in selected + ignored:
        if not any(rule_id.startswith(prefix) for rule_id in RULES_BY_ID):
            raise click.UsageError(f"no rule matches {prefix!r}; see --list-rules")
    settings = Settings(
        paths=list(paths) or ["."], min_retention_days=min_retention_days, unknown=unknown, select=selected,
        ignore=ignored, excludes=list(exclude), var_files=list(var_file), max_file_size=max_file_size * 1048576,
    )
    report = _run_with_deep_stack(run, settings)
    color = output is None and fmt == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    stdout, stderr = render(report, fmt, color)
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(stdout)
    else:
        click.echo(stdout, nl=False)
    if stderr:
        click.echo(stderr, nl=False, err=True)
    sys.exit(report.exit_code())


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
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
