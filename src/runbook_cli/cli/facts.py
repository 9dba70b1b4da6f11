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
        at=when(at),
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

    edit = facts.record_notification(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        clock,
        not_required=not_required,
        reason=reason,
        at=when(at),
        author=author,
        commit=not no_commit,
    )
    saved(edit, f"notification {clock}: {'not required' if not_required else 'sent'}")
