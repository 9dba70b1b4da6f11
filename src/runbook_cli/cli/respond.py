"""Communication and escalation commands: comms, escalation, escalate, due, watch, contacts."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    AllowSensitive,
    Author,
    Incident,
    Json,
    NoCommit,
    name_unreadable,
    print_json,
    saved,
    workspace,
)

contacts_app = typer.Typer(
    help="Contacts and the escalation matrix (docs/runbooks/contacts.md).",
    invoke_without_command=True,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""
app.add_typer(contacts_app, name="contacts")


@app.command()
def comms(
    ctx: typer.Context,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="slack, status-page, stakeholder or resolved.",
            autocompletion=complete.templates,
        ),
    ] = "slack",
    impact: Annotated[
        str | None, typer.Option(help="Impact, in a phrase (default: the incident's summary).")
    ] = None,
    symptom: Annotated[
        str | None, typer.Option(help="What users may experience (status page).")
    ] = None,
    next_update: Annotated[
        int | None,
        typer.Option("--next-update", help="Minutes to the next update (default: the cadence)."),
    ] = None,
    post: Annotated[
        bool,
        typer.Option(
            "--post", help="Send it to the Slack webhook (RUNBOOK_SLACK_WEBHOOK_URL) and record it."
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="With --post: show what would be sent; send and record nothing."
        ),
    ] = False,
    mark_sent: Annotated[
        bool,
        typer.Option(
            "--mark-sent", help="Record that you sent it yourself (restarts the update cadence)."
        ),
    ] = False,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Render a communication template for the incident (the runbook's wording); or post it."""
    from runbook_cli.usecases import comms

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    message = comms.render(
        ws, incident, template, impact=impact, symptom=symptom, next_update=next_update
    )
    if post and dry_run:
        typer.echo(f"Would POST to the Slack webhook at {comms.webhook_host(ws)}:")
        typer.echo(message.slack_text or message.text, nl=False)
        return
    typer.echo(message.text, nl=False)
    if post:
        comms.post(ws, message)
    if post or mark_sent:
        saved(
            comms.record(ws, message, posted=post, author=author, commit=not no_commit),
            "update recorded",
        )


@app.command("escalation")
def escalation_matrix(ctx: typer.Context, incident: Incident = None, json: Json = False) -> None:
    """The escalation matrix for an incident: each step, when due, whether reached, who and how."""
    from runbook_cli.usecases import oncall

    ws = workspace(ctx)
    found, steps = oncall.escalation_steps(ws, incident)
    if json:
        print_json([step.to_json() for step in steps])
        return
    from runbook_cli.rendering import render

    render.escalation(found, steps, ws.config.zone)


@app.command()
def escalate(
    ctx: typer.Context,
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="The role contacted, e.g. head-of-engineering.",
            show_default=False,
            autocompletion=complete.roles,
        ),
    ],
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Record that an escalation step was done (who was contacted) in the timeline."""
    from runbook_cli.usecases import oncall

    saved(
        oncall.escalate(workspace(ctx), incident, to, author=author, commit=not no_commit),
        f"escalated to {to}",
    )


@app.command("due")
def due_now(
    ctx: typer.Context,
    json: Json = False,
    fail_on_overdue: Annotated[
        bool, typer.Option("--fail-on-overdue", help="Exit 1 when anything is overdue (cron, CI).")
    ] = False,
) -> None:
    """What is due across incidents, soonest first: updates, escalations, post-mortems, actions."""
    from runbook_cli.domain import clock
    from runbook_cli.errors import CheckFailed
    from runbook_cli.usecases import oncall

    ws = workspace(ctx)
    report = oncall.due_now(ws)
    if json:
        print_json([item.to_json() for item in report.items])
    else:
        from runbook_cli.rendering import render

        render.due(report, clock.now(), ws.config.zone)
    name_unreadable(ws.store.unreadable)
    if fail_on_overdue and any(item.overdue for item in report.items):
        raise CheckFailed("")


@app.command()
def watch(
    ctx: typer.Context,
    interval: Annotated[float, typer.Option(help="Seconds between refreshes.")] = 15.0,
    count: Annotated[
        int | None, typer.Option(help="Stop after this many refreshes (default: until Ctrl-C).")
    ] = None,
    capture: Annotated[
        list[str] | None,
        typer.Option(
            "--capture",
            help="Also capture into the incident's timeline as it refreshes, at most every "
            "capture.interval_seconds (repeat for both).",
            show_default=False,
        ),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option("--channel", help="The war-room channel id for --capture slack."),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="--capture slack takes every message, not only marked.")
    ] = False,
    incident: Incident = None,
    author: Author = None,
) -> None:
    """Keep the 'due' view live on a war-room screen (Ctrl-C to leave); with --capture, the
    war-room channel and PagerDuty's log flow into the timeline while it runs."""
    import time

    from rich.live import Live

    from runbook_cli.domain import clock
    from runbook_cli.rendering import render
    from runbook_cli.usecases import capture as capturing
    from runbook_cli.usecases import oncall

    ws = workspace(ctx)
    jobs = capturing.watched(
        ws, capture or [], incident, channel, everything=everything, author=author
    )
    every = float(ws.config.capture.interval_seconds)

    def view():
        capturing.poll(jobs, every)
        return render.watch_view(oncall.due_now(ws), clock.now(), jobs, ws.config.zone)

    shown = 0
    try:
        with Live(view(), console=render.console(), auto_refresh=False) as live:
            while True:
                shown += 1
                if count is not None and shown >= count:
                    break
                time.sleep(interval)
                live.update(view(), refresh=True)
    except KeyboardInterrupt:
        pass


@contacts_app.callback()
def contacts(ctx: typer.Context) -> None:
    """Show the contacts and escalation matrix."""
    if ctx.invoked_subcommand:
        return
    from runbook_cli.domain import contacts as book

    typer.echo(book.table(book.load(workspace(ctx).root)), nl=False)


@contacts_app.command("refresh")
def contacts_refresh(ctx: typer.Context, no_commit: NoCommit = False) -> None:
    """Regenerate the readable table in contacts.md from its front matter, and commit it."""
    from runbook_cli.usecases import oncall

    result = oncall.refresh_contacts(workspace(ctx), commit=not no_commit)
    typer.echo(
        "contacts.md is up to date."
        if result is None
        else f"contacts.md table regenerated ({result[:8]})."
    )
