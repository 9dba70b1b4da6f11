"""Commands about the people on an incident: assign (roles and handovers), join, leave."""

from typing import Annotated

import typer

from runbook_cli.cli import complete
from runbook_cli.cli.options import Author, Incident, NoCommit, saved, workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""

Person = Annotated[
    str | None,
    typer.Argument(
        metavar="[NAME]", help="Who (default: your git identity's name).", show_default=False
    ),
]


@app.command()
def assign(
    ctx: typer.Context,
    commander: Annotated[str | None, typer.Option(help="Incident Commander (IC).")] = None,
    comms_lead: Annotated[
        str | None, typer.Option("--comms-lead", help="Communications Lead (CL).")
    ] = None,
    role: Annotated[
        list[str] | None,
        typer.Option(
            "--role",
            metavar="ROLE=NAME",
            help="Another role from the config's roles (scribe, operations_lead by default); "
            "repeat for more.",
            show_default=False,
            autocompletion=complete.incident_roles,
        ),
    ] = None,
    author: Author = None,
    incident: Incident = None,
    no_commit: NoCommit = False,
) -> None:
    """Assign roles (Incident Commander, Communications Lead, scribe and the config's others).
    A new holder is a handover: the role history keeps who held it from when to when."""
    from runbook_cli.usecases import people

    edit = people.assign(
        workspace(ctx),
        incident,
        commander=commander,
        comms_lead=comms_lead,
        others=role or [],
        author=author,
        commit=not no_commit,
    )
    saved(
        edit,
        f"commander {edit.incident.commander or '-'}, comms lead {edit.incident.comms_lead or '-'}"
        + "".join(f", {key} {name}" for key, name in edit.incident.roles.items()),
    )


@app.command()
def join(
    ctx: typer.Context,
    name: Person = None,
    author: Author = None,
    incident: Incident = None,
    no_commit: NoCommit = False,
) -> None:
    """Add someone to the incident's responders (a timeline entry)."""
    from runbook_cli.usecases import people

    edit = people.join(workspace(ctx), incident, name, author=author, commit=not no_commit)
    saved(edit, f"responders: {', '.join(edit.incident.responders)}")


@app.command()
def leave(
    ctx: typer.Context,
    name: Person = None,
    author: Author = None,
    incident: Incident = None,
    no_commit: NoCommit = False,
) -> None:
    """Take someone off the incident's responders (a timeline entry)."""
    from runbook_cli.usecases import people

    edit = people.leave(workspace(ctx), incident, name, author=author, commit=not no_commit)
    saved(edit, f"responders: {', '.join(edit.incident.responders) or 'none'}")
