"""Commands for facts after declare: data-affected, notified, and set."""

from typing import Annotated

import typer

from runbook_cli.cli.options import (
    AllowSensitive,
    At,
    Author,
    Incident,
    NoCommit,
    next_steps,
    saved,
    when,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

Reason = Annotated[
    str | None, typer.Option("--reason", help="Why (goes into the timeline).", show_default=False)
]


@app.command("data-affected")
def data_affected(
    ctx: typer.Context,
    answer: Annotated[
        str, typer.Argument(metavar="yes|no", help="Is user (patient) data affected?")
    ],
    reason: Reason = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="With yes: when it was discovered (the clocks start then; default now).",
            show_default=False,
        ),
    ] = None,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Answer whether user data is affected; yes starts the regulatory clocks."""
    from runbook_cli.errors import UsageError
    from runbook_cli.usecases import facts

    choice = answer.strip().lower()
    if choice not in ("yes", "no"):
        raise UsageError(
            f"answer yes or no, not {answer!r} (runbook data-affected yes --reason T)."
        )
    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    edit = facts.set_data_affected(
        ws,
        incident,
        choice == "yes",
        reason=reason or "",
        at=when(at, ws),
        author=author,
        commit=not no_commit,
    )
    saved(edit, f"user data affected: {choice}")
    if edit.written:
        next_steps(ws, edit.incident)


@app.command()
def notified(
    ctx: typer.Context,
    clock: Annotated[
        str,
        typer.Argument(
            metavar="CLOCK", help="The regulatory clock, e.g. individuals, hhs, media (see due)."
        ),
    ],
    not_required: Annotated[
        bool,
        typer.Option("--not-required", help="Documented as not required (needs --reason)."),
    ] = False,
    reason: Reason = None,
    at: At = None,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Record a regulatory notification as sent, or as not required; the clock stops."""
    from runbook_cli.usecases import facts

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    edit = facts.record_notification(
        ws,
        incident,
        clock,
        not_required=not_required,
        reason=reason,
        at=when(at, ws),
        author=author,
        commit=not no_commit,
    )
    saved(edit, f"notification {clock}: {'not required' if not_required else 'sent'}")


set_app = typer.Typer(
    help="Facts after declare: title, summary, services, impact, detection, tags, related.",
    no_args_is_help=True,
)
app.add_typer(set_app, name="set")

Patients = Annotated[
    int | None,
    typer.Option("--patients", help="Patients (people) affected.", show_default=False),
]
AppointmentsFailed = Annotated[
    int | None,
    typer.Option("--appointments-failed", help="Appointments that failed.", show_default=False),
]
AppointmentsMissed = Annotated[
    int | None,
    typer.Option("--appointments-missed", help="Appointments missed.", show_default=False),
]


@set_app.command("title")
def set_title(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="The new title.")],
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Change the title (recorded in the timeline)."""
    from runbook_cli.usecases import facts

    edit = facts.set_title(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        title,
        author=author,
        commit=not no_commit,
    )
    saved(edit, "title set")


@set_app.command("summary")
def set_summary(
    ctx: typer.Context,
    text: Annotated[
        str | None,
        typer.Argument(
            help="The summary; '-' or piped input reads standard input.", show_default=False
        ),
    ] = None,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Replace the Summary section (recorded in the timeline)."""
    from runbook_cli.cli.options import read_text
    from runbook_cli.usecases import facts

    edit = facts.set_summary(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        read_text(text, "summary"),
        author=author,
        commit=not no_commit,
    )
    saved(edit, "summary set")


@set_app.command("services")
def set_services(
    ctx: typer.Context,
    services: Annotated[
        list[str], typer.Argument(help="Every affected service (replaces the list).")
    ],
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Replace the list of affected services (recorded in the timeline)."""
    from runbook_cli.usecases import facts

    edit, unknown = facts.set_services(
        workspace(ctx), incident, services, author=author, commit=not no_commit
    )
    saved(edit, f"services: {', '.join(edit.incident.services)}")
    if unknown:
        typer.echo(
            f"runbook: note: {', '.join(unknown)} not in the config's services (typo?); "
            "kept as given.",
            err=True,
        )


@set_app.command("impact")
def set_impact(
    ctx: typer.Context,
    patients: Patients = None,
    appointments_failed: AppointmentsFailed = None,
    appointments_missed: AppointmentsMissed = None,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Record the impact in numbers (summed in runbook metrics; patients decide which
    regulatory clocks apply)."""
    from runbook_cli.usecases import facts

    edit = facts.set_impact(
        workspace(ctx),
        incident,
        {
            "patients_affected": patients,
            "appointments_failed": appointments_failed,
            "appointments_missed": appointments_missed,
        },
        author=author,
        commit=not no_commit,
    )
    saved(edit, "impact recorded")


@set_app.command("detection")
def set_detection(
    ctx: typer.Context,
    method: Annotated[str, typer.Argument(metavar="alert|user-report|other")],
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """How the incident was detected (the runbook's Detection step)."""
    from runbook_cli.usecases import facts

    edit = facts.set_detection(
        workspace(ctx), incident, method, author=author, commit=not no_commit
    )
    saved(edit, f"detected by {edit.incident.detection}")


@set_app.command("tags")
def set_tags(
    ctx: typer.Context,
    tags: Annotated[
        list[str] | None, typer.Argument(help="Every tag (replaces the list).", show_default=False)
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every tag.")] = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Replace the incident's tags (recorded in the timeline)."""
    from runbook_cli.usecases import facts

    edit = facts.set_tags(
        workspace(ctx), incident, _listed(tags, clear, "tags"), author=author, commit=not no_commit
    )
    saved(edit, f"tags: {', '.join(edit.incident.tags) or 'none'}")


@set_app.command("related")
def set_related(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None,
        typer.Argument(
            metavar="ID...", help="Related incident ids (replaces the list).", show_default=False
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove every related incident.")] = False,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Replace the list of related incidents (recorded in the timeline)."""
    from runbook_cli.usecases import facts

    edit = facts.set_related(
        workspace(ctx), incident, _listed(ids, clear, "ids"), author=author, commit=not no_commit
    )
    saved(edit, f"related: {', '.join(map(str, edit.incident.related)) or 'none'}")


def _listed(values: list | None, clear: bool, what: str) -> list:
    from runbook_cli.errors import UsageError

    if clear and values:
        raise UsageError(f"give {what} or --clear, not both.")
    if not clear and not values:
        raise UsageError(f"give one or more {what}, or --clear to remove them all.")
    return list(values or [])
