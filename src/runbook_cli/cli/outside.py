"""Commands for the systems the runbook names: page (PagerDuty), statuspage publish, and retry
(what an outside service is still owed). Action items go to Jira or Linear from `actions`."""

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
    show_dry_run,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

statuspage_app = typer.Typer(
    help="The public status page (Atlassian Statuspage).", no_args_is_help=True
)
app.add_typer(statuspage_app, name="statuspage")


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
        show_dry_run([call])
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
        show_dry_run([published.call])
    else:
        saved(published.edit, f"status page {published.call.payload['incident']['status']}")


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
