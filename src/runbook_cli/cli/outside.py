"""Commands for the systems the runbook names: page (PagerDuty), statuspage publish, action export."""

from typing import Annotated

import typer

from runbook_cli.cli import app
from runbook_cli.cli.options import Author, DryRun, Incident, NoCommit, saved, workspace
from runbook_cli.cli.postincident import action_app

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
        ),
    ] = None,
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Page through PagerDuty (Events API v2); later ack and resolve update the same alert."""
    from runbook_cli.usecases import integrations

    call, edit = integrations.page(
        workspace(ctx), incident, to=to, dry_run=dry_run, author=author, commit=not no_commit
    )
    if edit is None:
        _show_dry_run([call])
        return
    saved(edit, f"paged via PagerDuty ({edit.incident.integrations['pagerduty']['dedup_key']})")


@statuspage_app.command("publish")
def statuspage_publish(
    ctx: typer.Context,
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Create the public incident, or update it when it exists (status and the status-page text)."""
    from runbook_cli.usecases import integrations

    call, edit = integrations.publish_status(
        workspace(ctx), incident, dry_run=dry_run, author=author, commit=not no_commit
    )
    if edit is None:
        _show_dry_run([call])
        return
    saved(edit, f"status page {call.payload['incident']['status']}")


@action_app.command("export")
def action_export(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="jira or linear.", show_default=False)],
    dry_run: DryRun = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Create a Jira or Linear issue for each action item that has none yet (safe to re-run)."""
    from runbook_cli.usecases import integrations

    calls, edit = integrations.export_actions(
        workspace(ctx), incident, to.lower(), dry_run=dry_run, author=author, commit=not no_commit
    )
    if dry_run:
        _show_dry_run(calls)
    elif edit is None:
        typer.echo("Every action item already has an issue; nothing to export.")
    else:
        saved(edit, f"{len(calls)} action item(s) exported")
