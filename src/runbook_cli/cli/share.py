"""Sharing with the team's remote: sync, and the merge driver git calls."""

from pathlib import Path
from typing import Annotated

import typer

from runbook_cli.cli.options import workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


@app.command()
def sync(
    ctx: typer.Context,
    no_push: Annotated[
        bool, typer.Option("--no-push", help="Fetch and merge only; do not push.")
    ] = False,
) -> None:
    """Share with the team's remote: fetch, renumber clashing incidents, merge by meaning, push."""
    from runbook_cli.usecases import sharing

    outcome = sharing.sync(workspace(ctx), push=not no_push)
    for old, new in outcome.renumbered:
        typer.echo(f"incident {old} is now incident {new}: id {old} was declared upstream first.")
    merged = "merged upstream changes" if outcome.merged else "nothing new upstream"
    typer.echo(
        f"{outcome.remote}/{outcome.branch}: {merged}"
        + (", pushed." if outcome.pushed else " (not pushed).")
    )


@app.command("merge-driver", hidden=True)
def merge_driver(base: Path, ours: Path, theirs: Path, path: str) -> None:
    """Called by git (%O %A %B %P) to merge an incident file by meaning."""
    from runbook_cli.usecases import sharing

    outcome = sharing.merge_driver(base, ours, theirs)
    if outcome.line_merged:
        typer.echo(
            f"runbook merge-driver: {path}: not merged by meaning ({outcome.line_merged}); "
            "git merged it line by line: review it before committing.",
            err=True,
        )
    elif outcome.conflicts:
        typer.echo(
            f"runbook merge-driver: {path}: conflicts in {', '.join(outcome.conflicts)}.", err=True
        )
    raise typer.Exit(outcome.status)
