"""Commands that set things up: init, demo."""

from pathlib import Path
from typing import Annotated

import typer

from runbook_cli.cli.options import NoCommit, workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


@app.command()
def init(
    ctx: typer.Context,
    pages: Annotated[
        bool,
        typer.Option(
            "--pages", help="Also add a workflow that publishes the incident site to GitHub Pages."
        ),
    ] = False,
    tool: Annotated[
        str | None,
        typer.Option(
            "--tool",
            metavar="SOURCE",
            help="Where the written workflows get runbook: OWNER/REPO@REF (default: this "
            "version's Action), ./PATH (a vendored copy) or git+https://HOST/REPO.git@REF.",
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --pages: publish without asking.")
    ] = False,
    no_commit: NoCommit = False,
) -> None:
    """Set up docs/runbooks/ (config, contacts, incidents/, templates/), the CI check and git
    attributes; safe to run again."""
    from runbook_cli.domain.layout import RUNBOOKS_DIR
    from runbook_cli.usecases import scaffold

    if pages and not yes:
        _confirm_publishing()
    result = scaffold.init(workspace(ctx), commit=not no_commit, pages=pages, tool=tool)
    for path in result.differing:
        typer.echo(
            f"  kept {path} as it is; this runbook writes it differently (its actions, its "
            "pin): to take the new one, remove it and run runbook init again"
        )
    if not result.created:
        typer.echo("runbook is already set up here; nothing to do.")
        return
    for path in result.created:
        typer.echo(f"  created {path}")
    typer.echo(
        f"Set up {RUNBOOKS_DIR}/ "
        f"({'committed ' + result.commit[:8] if result.commit else 'not committed'})."
    )


@app.command()
def demo(
    path: Annotated[
        Path | None,
        typer.Option(
            "--path", help="Folder for the scratch repository (default: a new temporary folder)."
        ),
    ] = None,
) -> None:
    """Walk a full SEV-1 through every step (its war room captured from a local stand-in for
    Slack on 127.0.0.1), then a data-affected SEV-0 with its clocks."""
    import shlex

    from runbook_cli.cli import app as runbook  # the whole command line, as a user types it
    from runbook_cli.usecases import demo as scenario

    folder = scenario.prepare(path)
    typer.echo(f"Scratch repository: {folder}\n")
    with scenario.war_room():
        for number, (minute, title, args) in enumerate(scenario.STEPS, start=1):
            typer.secho(f"Step {number} (T+{minute} min). {title}", bold=True)
            typer.echo(f"$ runbook {shlex.join(args)}")
            with scenario.clock_at(minute):
                code = runbook(
                    ["--repo", str(folder), *args], prog_name="runbook", standalone_mode=False
                )
            if code:
                raise typer.Exit(code)
            typer.echo()
    typer.echo(f"Done. Every step above is one commit: cd {folder} && git log --stat")


PAGES_WARNING = (
    "A GitHub Pages site may be public: on public repositories, and on plans without private "
    "Pages, anyone with the link can read it. Incident reports of a healthcare company belong "
    "behind the organisation's access control (private Pages, or a web server behind SSO)."
)


def _confirm_publishing() -> None:
    """--pages publishes every incident report: say where it may be readable, and ask."""
    import sys

    from runbook_cli.errors import UsageError

    typer.echo(f"runbook: warning: {PAGES_WARNING}", err=True)
    if not sys.stdin.isatty():
        raise UsageError(
            "init --pages publishes incident reports; confirm with --yes once access is restricted."
        )
    if not typer.confirm("Add the workflow that publishes the incident site?", default=False):
        raise UsageError("nothing was set up; run init without --pages, or again with --yes.")
