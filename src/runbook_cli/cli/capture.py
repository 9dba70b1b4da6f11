"""runbook capture pagerduty|slack: the timeline writes itself from PagerDuty's log entries
and the war-room channel, one commit per run; --follow keeps capturing until resolved."""

from typing import Annotated

import typer

from runbook_cli.cli.options import Author, Incident, NoCommit, saved, workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

capture_app = typer.Typer(
    help="Write PagerDuty's log and the war-room channel into the timeline.",
    no_args_is_help=True,
)
app.add_typer(capture_app, name="capture")

Follow = Annotated[
    bool,
    typer.Option(
        "--follow",
        help="Keep capturing at --interval until the incident is resolved "
        "(at most capture.max_polls runs).",
    ),
]
Interval = Annotated[
    float | None,
    typer.Option(
        "--interval",
        help="Seconds between runs with --follow (default: capture.interval_seconds).",
        show_default=False,
    ),
]


def _run(ctx: typer.Context, once, follow: bool, interval: float | None) -> None:
    """One capture run, or (with --follow) runs until the incident is resolved."""
    import time

    from runbook_cli.domain import clock
    from runbook_cli.errors import RunbookError

    ws = workspace(ctx)
    settings = ws.config.capture
    pause = interval if interval is not None else float(settings.interval_seconds)
    polls = settings.max_polls if follow else 1
    for poll in range(1, polls + 1):
        wait = max(0.0, pause)
        try:
            outcome = once(ws)
        except RunbookError as error:
            asked = getattr(error, "retry_at", None)  # a rate limit's Retry-After
            if not follow or asked is None:
                raise
            # Unattended, so wait as long as the service asks rather than stop.
            typer.echo(
                f"runbook: {error}; waiting until {clock.show_clock(asked, ws.config.zone)} as "
                "the service asks.",
                err=True,
            )
            wait = max(wait, (asked - clock.now()).total_seconds())
        else:
            _show(outcome, ws.config.zone)
            if not follow or outcome.resolved:
                return
        if poll < polls:
            time.sleep(wait)
    typer.echo(f"Stopped after {polls} runs (capture.max_polls); run it again to go on.")


SHOWN = 10  # captured entries listed after a run; the rest are counted


def _show(outcome, zone) -> None:
    from runbook_cli.domain import clock
    from runbook_cli.domain.text import counted

    for refused in outcome.refused:
        typer.echo(
            f"runbook: not captured: a message in {refused.where} at "
            f"{clock.show(refused.at, zone, seconds=True)} looks like "
            f"{refused.kind}; delete it there too.",
            err=True,
        )
    for note in outcome.notes:
        typer.echo(f"  note: {note}.")
    if outcome.added:
        for item in outcome.entries[:SHOWN]:
            text = item.text.splitlines()[0] if item.text else ""
            typer.echo(f"  + {clock.show_clock(item.at, zone)} {item.author}: {text}")
        if outcome.added > SHOWN:
            typer.echo(f"  … and {outcome.added - SHOWN} more")
        entries = counted(outcome.added, "entry", "entries")
        saved(outcome.edit, f"captured {entries} from {outcome.source}")
    else:
        typer.echo(f"Nothing new from {outcome.source}.")


@capture_app.command("pagerduty")
def capture_pagerduty(
    ctx: typer.Context,
    follow: Follow = False,
    interval: Interval = None,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Acknowledgements, escalations, reassignments, notes and resolution from the incident's
    PagerDuty log (REST API v2, RUNBOOK_PAGERDUTY_API_TOKEN), each at its real time."""
    from runbook_cli.usecases import capture

    _run(
        ctx,
        lambda ws: capture.from_pagerduty(ws, incident, author=author, commit=not no_commit),
        follow,
        interval,
    )


@capture_app.command("slack")
def capture_slack(
    ctx: typer.Context,
    channel: Annotated[
        str,
        typer.Option("--channel", help="The channel id (C0123ABCD).", show_default=False),
    ],
    everything: Annotated[
        bool,
        typer.Option(
            "--all", help="Every message, not only those pinned or marked with the reaction."
        ),
    ] = False,
    follow: Follow = False,
    interval: Interval = None,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Messages marked for the record (pinned, or with the capture.slack_reaction reaction,
    :pushpin: by default) from the incident's start, threads included (RUNBOOK_SLACK_BOT_TOKEN)."""
    from runbook_cli.usecases import capture

    _run(
        ctx,
        lambda ws: capture.from_slack(
            ws, incident, channel, everything=everything, author=author, commit=not no_commit
        ),
        follow,
        interval,
    )
