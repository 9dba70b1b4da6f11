"""Post-incident commands: checklist, postmortem, report, edit, close."""

import sys
from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import (
    AllowSensitive,
    Author,
    Incident,
    Json,
    NoCommit,
    print_json,
    read_text,
    saved,
    when,
    workspace,
)

checklist_app = typer.Typer(help="The post-incident checklist.", invoke_without_command=True)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""
postmortem_app = typer.Typer(help="The post-mortem meeting.", no_args_is_help=True)
report_app = typer.Typer(help="The Incident Report.", invoke_without_command=True)
app.add_typer(checklist_app, name="checklist")
app.add_typer(postmortem_app, name="postmortem")
app.add_typer(report_app, name="report")


@checklist_app.callback()
def checklist(ctx: typer.Context, incident: Incident = None, json: Json = False) -> None:
    """Show the post-incident checklist (tick items with: runbook checklist tick KEY)."""
    if ctx.invoked_subcommand:
        return
    ws = workspace(ctx)
    loaded = ws.load(incident)
    found = loaded.incident
    if json:
        print_json(dict(found.checklist))
        return
    from runbook_cli.usecases import checklist as items

    missing = items.gaps(ws, found, loaded.doc.body)
    texts = ws.config.checklist_for(True)
    typer.echo(f"Post-incident checklist, incident {found.id} ({found.status}):")
    for key, done in found.checklist.items():
        typer.echo(f"  [{'x' if done else ' '}] {key:<22} {texts.get(key, '')}")
        if key in missing:
            typer.echo(f"      {'':<22} missing: {missing[key]}")


@checklist_app.command("tick")
def checklist_tick(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(autocompletion=complete.checklist_keys)],
    force: Annotated[
        bool,
        typer.Option("--force", help="Tick although its fact is missing (needs --reason)."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why it counts as done (with --force).", show_default=False)
    ] = None,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Mark a checklist item done; refused, saying what is missing, until its fact is there
    (e.g. status_page_resolved: resolved, and the status page updated since)."""
    from runbook_cli.usecases import checklist

    saved(
        checklist.set_item(
            workspace(ctx),
            incident,
            key,
            True,
            force=force,
            reason=reason,
            author=author,
            commit=not no_commit,
        ),
        f"{key} done",
    )


@checklist_app.command("untick")
def checklist_untick(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(autocompletion=complete.checklist_keys)],
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Mark a checklist item not done."""
    from runbook_cli.usecases import checklist

    saved(
        checklist.set_item(
            workspace(ctx), incident, key, False, author=author, commit=not no_commit
        ),
        f"{key} not done",
    )


@postmortem_app.command("schedule")
def postmortem_schedule(
    ctx: typer.Context,
    at: Annotated[
        str,
        typer.Option(
            "--at",
            help="When the meeting is (in the future): ISO-8601 with offset or Z, or HH:MM or "
            "3pm today.",
            show_default=False,
        ),
    ],
    attendee: Annotated[
        list[str] | None,
        typer.Option(
            "--attendee",
            metavar="NAME",
            help="Who is invited (repeat it): NAME or 'NAME <address>' (the address goes into "
            "the invite only, never into git). Default: those invited before.",
            show_default=False,
        ),
    ] = None,
    ics: Annotated[
        str | None,
        typer.Option(
            "--ics",
            metavar="PATH",
            help="Where to write the calendar invite; '-' prints it. "
            "[default: ./incident-N-postmortem.ics]",
            show_default=False,
        ),
    ] = None,
    incident: Incident = None,
    author: Author = None,
    no_commit: NoCommit = False,
) -> None:
    """Record when the post-mortem meeting is and who is invited (one commit), and write the
    calendar invite (iCalendar, outside git). Past the deadline is allowed; check flags it."""
    from runbook_cli.usecases import followup

    ws = workspace(ctx)
    scheduled = followup.schedule_postmortem(
        ws,
        incident,
        when(at, ws, allow_future=True),
        attendee or [],
        ics=ics,
        author=author,
        commit=not no_commit,
    )
    edit = scheduled.edit
    saved(edit, "post-mortem scheduled", err=scheduled.written_to is None)
    if scheduled.written_to is None:
        from runbook_cli.rendering.safe import unfiltered

        # Bytes as they are (RFC 5545 lines end in CRLF); icalendar escaped the text in them,
        # and names and titles hold no control characters (they are cleaned on the way in).
        out = unfiltered(sys.stdout)
        out.flush()
        out.buffer.write(scheduled.ics)
        out.buffer.flush()
    else:
        typer.echo(
            f"  invite: {scheduled.written_to} (open it in your calendar, or attach it to the "
            "invitation)"
        )
    due = edit.incident.postmortem_due
    if due and edit.incident.postmortem_scheduled_at > due:
        from runbook_cli.domain import clock

        typer.echo(
            f"runbook: note: that is after the deadline ({clock.show(due, ws.config.zone)}); "
            "runbook check will flag it.",
            err=True,
        )


@report_app.callback()
def report(ctx: typer.Context, incident: Incident = None) -> None:
    """Print the Incident Report in the runbook template's shape (for pasting elsewhere)."""
    if ctx.invoked_subcommand:
        return
    from runbook_cli.rendering import report as report_text

    ws = workspace(ctx)
    typer.echo(report_text.render(ws.load(incident), ws.config), nl=False)


@report_app.command("set")
def report_set(
    ctx: typer.Context,
    section: Annotated[
        str,
        typer.Argument(
            help="summary, root-cause, detection, resolution, preventive-actions or attachments."
        ),
    ],
    text: Annotated[
        str | None,
        typer.Argument(
            help="The text; '-' or piped input reads standard input.", show_default=False
        ),
    ] = None,
    append: Annotated[
        bool, typer.Option("--append", help="Add the text after what the section holds.")
    ] = False,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Fill one report section: replaces its text (says what it replaced), or adds to it with
    --append; the template's guidance stays."""
    from runbook_cli.usecases import followup

    edit, previous = followup.set_section(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        section,
        read_text(text, "section text"),
        author=author,
        commit=not no_commit,
        append=append,
    )
    name = edit.trailers.get("Section", section)
    saved(edit, f"report section {name} {'added to' if append and previous else 'written'}")
    if previous and not append and edit.written:
        shown = " ".join(previous.split())
        shown = shown if len(shown) <= 70 else shown[:69] + "…"
        typer.echo(
            f"  replaced {len(previous.split())} word(s) that were there: {shown!r}\n"
            "  (they stay in git history; to add instead of replace, use --append)",
            err=True,
        )


@app.command()
def edit(
    ctx: typer.Context,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Open the incident file in $EDITOR; it is validated on save, then committed."""
    from runbook_cli.usecases import followup

    relative, changed, commit = followup.edit_in_editor(
        workspace(ctx, allow_sensitive=allow_sensitive),
        incident,
        author=author,
        commit=not no_commit,
    )
    outcome = (
        f"committed {commit[:8]}"
        if commit
        else "written, not committed (--no-commit)"
        if changed
        else "no change"
    )
    typer.echo(f"{relative}: {outcome}")


@app.command()
def close(
    ctx: typer.Context,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Close even though the report is incomplete (needs --reason)."
        ),
    ] = False,
    reason: Annotated[str | None, typer.Option(help="Why it is closed incomplete.")] = None,
    incident: Incident = None,
    author: Author = None,
    allow_sensitive: AllowSensitive = False,
    no_commit: NoCommit = False,
) -> None:
    """Close a resolved incident; refused, listing what is missing, until check passes for it."""
    from runbook_cli.usecases import followup

    saved(
        followup.close(
            workspace(ctx, allow_sensitive=allow_sensitive),
            incident,
            force=force,
            reason=reason,
            author=author,
            commit=not no_commit,
        ),
        "closed",
    )
