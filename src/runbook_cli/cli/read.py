"""Commands that read: show, list, use."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    Incident,
    Json,
    ServiceFilter,
    SeverityFilter,
    name_unreadable,
    print_json,
    progress_bar,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


@app.command()
def show(ctx: typer.Context, incident: Incident = None, json: Json = False) -> None:
    """Show one incident: facts, roles, timeline, follow-up."""
    from runbook_cli.domain import clock
    from runbook_cli.usecases import queries

    ws = workspace(ctx)
    view = queries.show(ws, incident)
    if json:
        print_json(view)
        return
    from runbook_cli.rendering import render

    render.show(view, ws.config, clock.now())


@app.command("list")
def list_incidents(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help="Only this status.", autocompletion=complete.statuses)
    ] = None,
    severity: SeverityFilter = None,
    service: ServiceFilter = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only incidents started on or after this date (YYYY-MM-DD) or time."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Only incidents started on or before this date (YYYY-MM-DD) or time."),
    ] = None,
    grep: Annotated[
        str | None,
        typer.Option(
            help="Only incidents mentioning TEXT (title, summary, timeline, sections; any case)."
        ),
    ] = None,
    open_only: Annotated[
        bool,
        typer.Option("--open", help="Only open incidents (investigating, identified, mitigated)."),
    ] = False,
    json: Json = False,
) -> None:
    """List incidents, newest first."""
    from runbook_cli.domain import clock
    from runbook_cli.usecases import queries

    ws = workspace(ctx)
    with progress_bar("Reading incidents") as advance:
        views = queries.list_views(
            ws,
            status=status,
            severity=severity,
            service=service,
            since=since,
            until=until,
            grep=grep,
            open_only=open_only,
            progress=advance,
        )
    if json:
        print_json(views)
    else:
        from runbook_cli.rendering import render

        render.incident_table(views, ws.config, clock.now())
    name_unreadable(ws.store.unreadable)


@app.command()
def use(
    ctx: typer.Context,
    incident: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]", help="Incident to work on by default (none: show the current one)."
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the current incident.")] = False,
) -> None:
    """Show, choose or clear the current incident: the one commands act on without -i
    (kept in this clone only; declare makes the new incident current, close, cancel and
    duplicate-of clear it)."""
    from runbook_cli.errors import UsageError

    ws = workspace(ctx)
    if clear and incident:
        raise UsageError(
            "give an incident id to choose, or --clear to forget the choice, not both."
        )
    if clear:
        typer.echo(
            "Cleared the current incident."
            if ws.forget_choice()
            else "No incident was chosen; nothing to clear."
        )
        return
    if incident:
        chosen = ws.choose(incident)
        typer.echo(f"Using incident {chosen.id}: {chosen.title}")
        return
    current = ws.current()
    if current is None:
        typer.echo(
            "No incident is chosen; commands without -i act on the only open incident "
            "(choose one with runbook use ID)."
        )
    else:
        typer.echo(f"Current incident: {current.id} ({current.title}), {current.status}.")
