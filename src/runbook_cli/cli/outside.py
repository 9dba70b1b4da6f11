"""Commands for the systems the runbook names: page (PagerDuty), statuspage publish, action
export (Jira, Linear), and retry (what an outside service is still owed)."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    AllowSensitive,
    Author,
    DryRun,
    Incident,
    NoCommit,
    saved,
    workspace,
)
from runbook_cli.cli.postincident import action_app

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

statuspage_app = typer.Typer(
    help="The public status page (Atlassian Statuspage).", no_args_is_help=True
)
app.add_typer(statuspage_app, name="statuspage")


def _show_dry_run(calls) -> None:
    for call in calls:
        typer.echo(f"Would send to {call.service} (dry run, nothing sent or recorded):")
        typer.echo(call.shown())


@app.command()
def page(
    ctx: typer.Context,
    to: Annotated[
        str | None,
        typer.Option(
            "--to",
            help="Who is being paged (a role from the escalation matrix), for the page's details.",
            autocompletion=complete.roles,
        ),
    ] = None,
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
    allow_sensitive: AllowSensitive = False,
) -> None:
    """Page through PagerDuty (Events API v2); each role gets its own alert, and later ack and
    resolve update them all."""
    from runbook_cli.usecases import pagerduty

    call, edit = pagerduty.page(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        to=to,
        dry_run=dry_run,
        author=author,
        commit=not no_commit,
    )
    if edit is None:
        _show_dry_run([call])
        return
    saved(edit, f"paged via PagerDuty ({call.payload['dedup_key']})")


@statuspage_app.command("publish")
def statuspage_publish(
    ctx: typer.Context,
    symptom: Annotated[
        str | None,
        typer.Option(
            help="What users may experience, for the public text (kept for later publishes)."
        ),
    ] = None,
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
    allow_sensitive: AllowSensitive = False,
) -> None:
    """Create the public incident, or update it when something changed (status, text, impact)."""
    from runbook_cli.usecases import statuspage

    published = statuspage.publish(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        symptom=symptom,
        dry_run=dry_run,
        author=author,
        commit=not no_commit,
    )
    if published.unchanged:
        typer.echo("The status page already shows this; nothing sent (subscribers not notified).")
    elif published.edit is None:
        _show_dry_run([published.call])
    else:
        saved(published.edit, f"status page {published.call.payload['incident']['status']}")


@action_app.command("export")
def action_export(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="jira or linear.", show_default=False)],
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
        _show_dry_run(exported.calls)
    elif exported.edit is None:
        typer.echo("Every action item already has an issue; nothing to export.")
    else:
        saved(exported.edit, f"{len(exported.calls)} action item(s) exported")
    for note in exported.notes:
        typer.echo(f"  note: {note}.")


@app.command()
def retry(
    ctx: typer.Context,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Deliver what PagerDuty is still owed (an ack or resolve it missed while down): for one
    incident with -i, else for every incident that owes something."""
    from runbook_cli.usecases import pagerduty

    done = pagerduty.retry(workspace(ctx), incident, author=author, commit=not no_commit)
    if not done:
        typer.echo("Nothing is owed to PagerDuty.")
    for each in done:
        saved(each.edit, "delivered what PagerDuty was owed")
