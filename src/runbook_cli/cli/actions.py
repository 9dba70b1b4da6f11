"""Preventive action items: add, done, list, and export to Jira or Linear."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    AllowSensitive,
    Author,
    DryRun,
    Incident,
    Json,
    NoCommit,
    name_unreadable,
    print_json,
    saved,
    show_dry_run,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""
action_app = typer.Typer(
    help="Preventive action items (owners and due dates).", no_args_is_help=True
)
app.add_typer(action_app, name="action")


@action_app.command("add")
def action_add(
    ctx: typer.Context,
    title: str,
    owner: Annotated[str, typer.Option(help="Who owns it.", show_default=False)],
    due: Annotated[str, typer.Option(help="Due date, YYYY-MM-DD.", show_default=False)],
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Add a preventive action item."""
    from runbook_cli.domain import clock
    from runbook_cli.usecases import followup

    edit, item = followup.add_action(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        title,
        owner=owner,
        due=clock.parse_date(due),
        author=author,
        commit=not no_commit,
    )
    saved(edit, f"action item {item.id} added")
    today = clock.now().date()
    if item.due < today:
        typer.echo(
            f"runbook: warning: the due date {item.due.isoformat()} is already past (today is "
            f"{today.isoformat()}); the item counts as overdue at once.",
            err=True,
        )


@action_app.command("done")
def action_done(
    ctx: typer.Context,
    number: Annotated[int, typer.Argument(metavar="N")],
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Mark action item N done."""
    from runbook_cli.usecases import followup

    edit, item = followup.finish_action(
        workspace(ctx), incident, number, author=author, commit=not no_commit
    )
    saved(edit, f"action item {item.id} done")


@action_app.command("list")
def action_list(
    ctx: typer.Context,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only open items past their due date.")
    ] = False,
    owner: Annotated[str | None, typer.Option(help="Only this owner's items.")] = None,
    json: Json = False,
) -> None:
    """Action items across all incidents, open ones first, soonest due first."""
    from runbook_cli.usecases import followup

    ws = workspace(ctx)
    rows = followup.list_actions(ws, overdue_only=overdue, owner=owner)
    if json:
        print_json([row.to_json() for row in rows])
    else:
        from runbook_cli.rendering import render

        render.action_table(rows)
    name_unreadable(ws.store.unreadable)


@action_app.command("export")
def action_export(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="jira or linear.",
            metavar="TRACKER",
            show_default=False,
            autocompletion=complete.trackers,
        ),
    ],
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
    allow_sensitive: AllowSensitive = False,
) -> None:
    """Create a Jira or Linear issue for each action item that has none yet (safe to re-run:
    an issue is never created twice)."""
    from runbook_cli.usecases import trackers

    exported = trackers.export(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        to.lower(),
        dry_run=dry_run,
        author=author,
        commit=not no_commit,
    )
    if dry_run:
        show_dry_run(exported.calls)
    elif exported.edit is None:
        typer.echo("Every action item already has an issue; nothing to export.")
    else:
        saved(exported.edit, f"{len(exported.calls)} action item(s) exported")
    for note in exported.notes:
        typer.echo(f"  note: {note}.")
