"""Commands that record what happens: declare, timeline add, ack, severity, status, resolve."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    AllowSensitive,
    At,
    Author,
    Incident,
    NoCommit,
    NoPagerDuty,
    next_steps,
    read_text,
    saved,
    when,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

timeline_app = typer.Typer(help="The incident's timeline.", no_args_is_help=True)
app.add_typer(timeline_app, name="timeline")


@app.command()
def declare(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="Short title, e.g. 'Bookings fail for most users'.")],
    severity: Annotated[
        str,
        typer.Option(
            "--severity",
            "-s",
            help="SEV-0 (critical) … SEV-3 (minor).",
            show_default=False,
            autocompletion=complete.severities,
        ),
    ],
    service: Annotated[
        list[str],
        typer.Option(
            "--service",
            help="Affected service; repeat for more.",
            show_default=False,
            autocompletion=complete.services,
        ),
    ],
    summary: Annotated[
        str | None, typer.Option(help="One-paragraph overview (goes into the Summary section).")
    ] = None,
    commander: Annotated[str | None, typer.Option(help="Incident Commander.")] = None,
    comms_lead: Annotated[
        str | None, typer.Option("--comms-lead", help="Communications Lead.")
    ] = None,
    started_at: Annotated[
        str | None,
        typer.Option("--started-at", help="When impact began (default: detection time)."),
    ] = None,
    detected_at: Annotated[
        str | None, typer.Option("--detected-at", help="When it was detected (default: now).")
    ] = None,
    data_affected: Annotated[
        bool | None,
        typer.Option(
            "--data-affected/--no-data-affected",
            help="User data affected (a regulated event), or not; unanswered by default.",
            show_default=False,
        ),
    ] = None,
    patients: Annotated[
        int | None, typer.Option("--patients", help="Patients (people) affected, if known.")
    ] = None,
    appointments_failed: Annotated[
        int | None, typer.Option("--appointments-failed", help="Appointments that failed.")
    ] = None,
    appointments_missed: Annotated[
        int | None, typer.Option("--appointments-missed", help="Appointments missed.")
    ] = None,
    detected_by: Annotated[
        str | None,
        typer.Option("--detected-by", help="How it was detected: alert, user-report or other."),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="A tag; repeat for more.", show_default=False)
    ] = None,
    related: Annotated[
        list[int] | None,
        typer.Option(
            "--related", help="A related incident id; repeat for more.", show_default=False
        ),
    ] = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Declare an incident: create its file from the report template and commit it."""
    from runbook_cli.usecases import lifecycle

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    result = lifecycle.declare(
        ws,
        title=title,
        severity=severity,
        services=service,
        summary=summary,
        commander=commander,
        comms_lead=comms_lead,
        started_at=when(started_at, ws),
        detected_at=when(detected_at, ws),
        data_affected=data_affected,
        counts={
            "patients_affected": patients,
            "appointments_failed": appointments_failed,
            "appointments_missed": appointments_missed,
        },
        detection=detected_by,
        tags=tag or [],
        related=related or [],
        author=author,
        commit=not no_commit,
    )
    incident = result.incident
    typer.echo(f"Declared incident {incident.id}: {incident.severity} {incident.title}")
    typer.echo(f"  file: {result.path}" + ("" if result.commit else " (not committed)"))
    if result.unknown_services:
        typer.echo(
            f"runbook: note: {', '.join(result.unknown_services)} not in the config's services "
            "(typo?); kept as given.",
            err=True,
        )
    next_steps(ws, incident)


@timeline_app.command("add")
def timeline_add(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Argument(
            help="What happened. '-' or no text with piped input reads standard input.",
            show_default=False,
        ),
    ] = None,
    at: At = None,
    author: Author = None,
    incident: Incident = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Add a timeline entry (kept in time order)."""
    from runbook_cli.usecases import lifecycle

    text = read_text(text, "entry text")
    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    edit = lifecycle.add_entry(
        ws,
        incident,
        text,
        at=when(at, ws),
        author=author,
        commit=not no_commit,
    )
    saved(edit, "timeline entry added")


@app.command()
def ack(
    ctx: typer.Context,
    at: At = None,
    author: Author = None,
    incident: Incident = None,
    no_pagerduty: NoPagerDuty = False,
    no_commit: NoCommit = False,
) -> None:
    """Acknowledge the incident (the runbook's target: within 5 minutes of detection)."""
    from runbook_cli.usecases import lifecycle

    ws = workspace(ctx)
    edit = lifecycle.acknowledge(
        ws,
        incident,
        at=when(at, ws),
        author=author,
        commit=not no_commit,
        pagerduty=not no_pagerduty,
    )
    saved(edit, f"acknowledged by {edit.incident.acknowledged_by}")


@app.command()
def severity(
    ctx: typer.Context,
    level: Annotated[
        str,
        typer.Argument(
            metavar="SEV-n", help="The new severity.", autocompletion=complete.severities
        ),
    ],
    reason: Annotated[
        str | None, typer.Option(help="Why it changed (goes into the timeline).")
    ] = None,
    author: Author = None,
    incident: Incident = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Change the severity (recorded in the timeline)."""
    from runbook_cli.usecases import lifecycle

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    edit, old = lifecycle.change_severity(
        ws, incident, level, reason=reason, author=author, commit=not no_commit
    )
    saved(edit, f"severity {old} -> {edit.incident.severity}")
    if edit.written:
        next_steps(ws, edit.incident)


@app.command()
def status(
    ctx: typer.Context,
    new_status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help="investigating, identified, mitigated or resolved.",
            autocompletion=complete.statuses,
        ),
    ],
    at: At = None,
    author: Author = None,
    incident: Incident = None,
    no_commit: NoCommit = False,
) -> None:
    """Move the incident along: investigating → identified → mitigated → resolved."""
    from runbook_cli.usecases import lifecycle

    ws = workspace(ctx)
    edit, old = lifecycle.change_status(
        ws, incident, new_status, at=when(at, ws), author=author, commit=not no_commit
    )
    saved(edit, f"status {old} -> {edit.incident.status}")


@app.command()
def resolve(
    ctx: typer.Context,
    at: At = None,
    root_cause: Annotated[
        str | None, typer.Option("--root-cause", help="Root-cause hypothesis.")
    ] = None,
    risks: Annotated[str | None, typer.Option(help="Remaining risks.")] = None,
    author: Author = None,
    incident: Incident = None,
    allow_sensitive: AllowSensitive = False,
    no_pagerduty: NoPagerDuty = False,
    no_commit: NoCommit = False,
) -> None:
    """Resolve: service restored. Records the time, root-cause hypothesis and remaining risks."""
    from runbook_cli.usecases import lifecycle

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    edit = lifecycle.resolve(
        ws,
        incident,
        at=when(at, ws),
        root_cause=root_cause,
        risks=risks,
        author=author,
        commit=not no_commit,
        pagerduty=not no_pagerduty,
    )
    saved(edit, "resolved")
    from runbook_cli.usecases import followup

    gaps = followup.report_gaps(ws, edit.incident, edit.body)
    if gaps:
        typer.echo("  report sections still to write before closing:")
        for gap in gaps:
            typer.echo(f"    - {gap}")
    next_steps(ws, edit.incident)
