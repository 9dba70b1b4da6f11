"""The `runbook` command line: a thin Typer layer. Each command parses its options, calls one
use case, and renders the result; errors become one sentence and a documented exit code."""

import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from runbook_cli import __version__
from runbook_cli.cli import (
    facts,
    gate,
    outside,
    postincident,
    read,
    record,
    reporting,
    respond,
    setup,
    share,
)

# click's error for bad usage (an unknown option, a missing argument), whichever click is in use
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class RunbookGroup(TyperGroup):
    """Turns RunbookError into `runbook: error: ...` on stderr and its exit code, in one place;
    click's usage errors get the same form; help lists commands in the runbook's order."""

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        from runbook_cli.cli import helptext

        helptext.prepare(self)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _CLICK_ERROR as error:
            typer.echo(f"runbook: error: {helptext.usage_message(error)}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("runbook: aborted; nothing was changed.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def format_commands(self, ctx, formatter) -> None:
        from runbook_cli.cli import helptext

        helptext.format_commands(self, ctx, formatter)

    def invoke(self, ctx):
        from runbook_cli.errors import RunbookError

        try:
            result = super().invoke(ctx)
            _share_if_asked(ctx)
            return result
        except RunbookError as error:
            if str(error):
                typer.echo(f"runbook: error: {error}", err=True)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            typer.echo(
                "runbook: interrupted; nothing half-written (files are replaced atomically).",
                err=True,
            )
            raise typer.Exit(130) from None


def _share_if_asked(ctx) -> None:
    """With --sync (or sync.auto in the config), share what this command committed."""
    from runbook_cli.errors import RepositoryError, RunbookError

    state = ctx.obj or {}
    for ws in state.get("workspaces", []):
        if ws.committed and (state.get("sync") or ws.config.sync.auto):
            from runbook_cli.usecases import sharing

            try:
                outcome = sharing.sync(ws)
            except RunbookError as error:
                raise RepositoryError(
                    f"the change is committed here, but sharing it failed: {error}"
                ) from None
            typer.echo(f"shared with {outcome.remote}/{outcome.branch}", err=True)


app = typer.Typer(
    cls=RunbookGroup,
    name="runbook",
    help="Follow the incident-response runbook from the terminal. Every change is a git commit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"runbook {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            "-C",
            help="The git repository (default: the one containing the current folder).",
            show_default=False,
        ),
    ] = None,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="Share the change with the team's remote right after committing it."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    ctx.obj = {"repo": repo, "sync": sync, "workspaces": []}


for _commands in (
    facts,
    gate,
    outside,
    postincident,
    read,
    record,
    reporting,
    respond,
    setup,
    share,
):
    app.add_typer(_commands.app)


def main() -> None:
    try:
        app(prog_name="runbook")
    except Exception as error:  # a bug: still one sentence, never a traceback
        typer.echo(
            f"runbook: internal error: {type(error).__name__}: {error}; please report it.", err=True
        )
        sys.exit(70)
