"""Options shared by many commands, and the small helpers every command uses."""

import sys
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated

import typer

from runbook_cli.cli import complete

Incident = Annotated[
    str | None,
    typer.Option(
        "--incident",
        "-i",
        help=(
            "Incident id (7, incident-7 or the file). Default: the one chosen with 'use', else "
            "the only open one."
        ),
        show_default=False,
        autocompletion=complete.incidents,
    ),
]
NoCommit = Annotated[
    bool,
    typer.Option(
        "--no-commit", help="Write the file but do not commit (for review before committing)."
    ),
]
Author = Annotated[
    str | None,
    typer.Option("--author", help="Who did it (default: git user.name).", show_default=False),
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When: '10 min ago', '2 hours ago', 23:59 or 3am (the most recent), "
        "'yesterday 23:00', ISO-8601 with Z or an offset, or now (the default).",
        show_default=False,
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
SeverityFilter = Annotated[
    str | None, typer.Option(help="Only this severity.", autocompletion=complete.severities)
]
ServiceFilter = Annotated[
    str | None,
    typer.Option(help="Only incidents affecting this service.", autocompletion=complete.services),
]
NoPagerDuty = Annotated[
    bool,
    typer.Option(
        "--no-pagerduty",
        help="Record it here only; do not tell PagerDuty (when the incident was paged).",
    ),
]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Print the request (secrets masked); send and record nothing."),
]
AllowSensitive = Annotated[
    bool,
    typer.Option(
        "--allow-sensitive",
        help="Keep or send text that looks like a credential or personal data "
        "(recorded in the commit).",
    ),
]


_OPENED: list = []  # this invocation's workspaces, for the Ctrl-C message


def opened() -> list:
    return _OPENED


def workspace(ctx: typer.Context, *, allow_sensitive: bool = False):
    from runbook_cli.usecases.workspace import Workspace

    state = ctx.ensure_object(dict)
    ws = Workspace(state.get("repo"), allow_sensitive=allow_sensitive)
    ws.on_wait = _say_waiting
    state.setdefault("workspaces", []).append(ws)
    _OPENED.append(ws)
    return ws


def _say_waiting(timeout: float) -> None:
    typer.echo(
        f"runbook: waiting up to {timeout:g}s for another runbook command in this repository…",
        err=True,
    )


def when(text: str | None, ws, *, allow_future: bool = False) -> datetime | None:
    """A typed time; clock times are read in the zone of `ws` (display_timezone, else TZ)."""
    if text is None:
        return None
    from runbook_cli.domain import clock

    return clock.parse_time(text, allow_future=allow_future, where=ws.config.zone)


def read_text(text: str | None, what: str) -> str:
    """The argument, or standard input when it is '-' or absent and input is piped."""
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            from runbook_cli.errors import UsageError

            raise UsageError(
                f"give the {what} as an argument, or '-' to read it from standard input."
            )
        return sys.stdin.read()
    return text


def next_steps(ws, incident) -> None:
    """After declare, severity and resolve: what the runbook asks for next, briefly."""
    from runbook_cli.usecases import oncall

    for line in oncall.next_steps(ws, incident):
        typer.echo(f"  next: {line}")


@contextmanager
def progress_bar(label: str, threshold: int = 300):
    """A progress callback; on a terminal it draws a bar (on stderr) once more than `threshold`
    items turn out to need work, which is when a command would take over a second."""
    if not sys.stderr.isatty():
        yield lambda _: None
        return
    state = {"done": 0, "bar": None}

    def advance(count: int) -> None:
        state["done"] += count
        if state["bar"] is None and state["done"] >= threshold:
            from rich.progress import Progress, SpinnerColumn, TextColumn

            from runbook_cli.rendering.render import console

            bar = Progress(
                SpinnerColumn(),
                TextColumn(f"{label}… {{task.completed}} files"),
                console=console(stderr=True),
                transient=True,
            )
            bar.start()
            state["bar"], state["task"] = bar, bar.add_task(label, total=None)
        if state["bar"] is not None:
            state["bar"].update(state["task"], completed=state["done"])

    try:
        yield advance
    finally:
        if state["bar"] is not None:
            state["bar"].stop()


def name_unreadable(messages: list[str]) -> None:
    """After a command that reads many incidents printed what it could read: one line on stderr
    for each file it left out, saying why, then exit 4."""
    if not messages:
        return
    from runbook_cli.errors import MalformedFileError

    for message in messages:
        typer.echo(f"runbook: left out (cannot read): {message}", err=True)
    raise MalformedFileError("")


def print_json(value: object) -> None:
    """Indented on a terminal; compact in a pipe, where the C encoder is ten times faster."""
    import json

    if sys.stdout.isatty():
        sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n")


def show_dry_run(calls) -> None:
    """What --dry-run would have sent to an outside service, request by request."""
    for call in calls:
        typer.echo(f"Would send to {call.service} (dry run, nothing sent or recorded):")
        typer.echo(call.shown())


def saved(edit, what: str, *, err: bool = False) -> None:
    """One line confirming a change: what, where, and the commit (or that none was made);
    then any warning (on stderr). `err`: the line goes to stderr (stdout carries data)."""
    if not edit.written:
        typer.echo(f"incident {edit.incident.id}: nothing to change ({what}).", err=err)
    else:
        where = (
            f"committed {edit.commit[:8]}"
            if edit.commit
            else "written, not committed (--no-commit)"
        )
        typer.echo(f"incident {edit.incident.id}: {what} ({edit.path}, {where})", err=err)
    for warning in edit.warnings:
        typer.echo(f"runbook: warning: {warning}", err=True)
