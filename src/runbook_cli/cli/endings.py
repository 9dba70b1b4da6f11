"""Commands that end an incident without resolving it, and the one way back: cancel (a false
alarm), duplicate-of, reopen."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import Author, Incident, NoCommit, NoPagerDuty, saved, workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


@app.command()
def reopen(
    ctx: typer.Context,
    reason: Annotated[
        str | None,
        typer.Option(help="Why it is reopened (goes into the timeline).", show_default=False),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="Back to resolved (report work) or an active status (it is back). Default: the "
            "stage it had reached.",
            show_default=False,
            autocompletion=complete.statuses,
        ),
    ] = None,
    author: Author = None,
    incident: Incident = None,
    no_commit: NoCommit = False,
) -> None:
    """Reopen a closed, cancelled or duplicate incident: the only change it takes (the reason is
    kept)."""
    from runbook_cli.usecases import lifecycle

    edit = lifecycle.reopen(
        workspace(ctx),
        incident,
        reason=reason,
        status=to,
        author=author,
        commit=not no_commit,
    )
    saved(edit, f"reopened, now {edit.incident.status}")


@app.command()
def cancel(
    ctx: typer.Context,
    reason: Annotated[
        str | None,
        typer.Option(help="Why it is a false alarm (goes into the timeline).", show_default=False),
    ] = None,
    author: Author = None,
    incident: Incident = None,
    no_pagerduty: NoPagerDuty = False,
    no_commit: NoCommit = False,
) -> None:
    """Cancel a false alarm: status cancelled, left out of MTTA/MTTR, no report owed."""
    from runbook_cli.usecases import lifecycle

    edit = lifecycle.cancel(
        workspace(ctx),
        incident,
        reason=reason,
        author=author,
        commit=not no_commit,
        pagerduty=not no_pagerduty,
    )
    saved(edit, "cancelled (false alarm)")


@app.command("duplicate-of")
def duplicate_of(
    ctx: typer.Context,
    original: Annotated[
        int,
        typer.Argument(
            metavar="ID",
            help="The incident this one repeats (it carries the report).",
            autocompletion=complete.incidents,
            show_default=False,
        ),
    ],
    author: Author = None,
    incident: Incident = None,
    no_pagerduty: NoPagerDuty = False,
    no_commit: NoCommit = False,
) -> None:
    """Close the incident as a duplicate of incident ID (no report owed; left out of metrics)."""
    from runbook_cli.usecases import lifecycle

    edit = lifecycle.mark_duplicate(
        workspace(ctx),
        incident,
        original,
        author=author,
        commit=not no_commit,
        pagerduty=not no_pagerduty,
    )
    saved(edit, f"closed as a duplicate of incident {original}")
