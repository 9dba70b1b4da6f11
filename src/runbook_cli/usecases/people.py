"""Use cases about the people on an incident: assign roles (handovers kept in `role_history`),
and the responders who join and leave. Each change is a timeline entry and one commit."""

from __future__ import annotations

from runbook_cli.domain import clock, roles
from runbook_cli.domain.text import clean_name
from runbook_cli.errors import UsageError
from runbook_cli.usecases.workspace import Edit, Workspace

TRAILERS = {"commander": "Commander", "comms_lead": "Comms-Lead"}


def parse_roles(values: list[str], ws: Workspace) -> dict[str, str]:
    """`--role scribe=NAME` values: role keys (from the config) mapped to cleaned names."""
    wanted: dict[str, str] = {}
    for value in values:
        role, separator, name = value.partition("=")
        if not separator or not name.strip():
            raise UsageError(
                f"--role takes ROLE=NAME (e.g. --role 'scribe=Sam Lee'), not {value!r}."
            )
        key = roles.known(role, ws.config)
        wanted[key] = clean_name(name, f"--role {key}")
    return wanted


def assign(
    ws: Workspace,
    reference: str | None,
    *,
    commander: str | None,
    comms_lead: str | None,
    others: list[str] | None = None,
    author: str | None,
    commit: bool,
) -> Edit:
    """Give roles to people. Handing a role to someone new ends the previous holder's time in
    the role history (who held it from when to when)."""
    wanted = {
        role: clean_name(name, f"--{role.replace('_', '-')}")
        for role, name in (("commander", commander), ("comms_lead", comms_lead))
        if name
    }
    wanted.update(parse_roles(others or [], ws))
    if not wanted:
        raise UsageError("name someone with --commander, --comms-lead or --role ROLE=NAME.")
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        moment = clock.now()
        changes, trailers = [], {}
        for role, name in wanted.items():
            old = roles.hand_over(incident, role, name, moment)
            if old == name:
                continue
            label = roles.title(role, ws.config)
            changes.append(f"{label}: {name}" + (f" (handed over from {old})" if old else ""))
            trailer = TRAILERS.get(role) or label.replace(" ", "-")
            trailers[trailer] = f"{old or '-'} -> {name}"
        if not changes:
            return edit
        incident.roles_changed_at = moment
        edit.log("; ".join(changes) + ".", moment)
        edit.describe(
            "assign " + ", ".join(f"{k.lower()} {v.split(' -> ')[1]}" for k, v in trailers.items()),
            **trailers,
        )
    return edit


def join(
    ws: Workspace, reference: str | None, name: str | None, *, author: str | None, commit: bool
) -> Edit:
    """Add someone (default: whoever runs the command) to the responders."""
    given = clean_name(name, "the name") if name else None
    with ws.change(reference, commit=commit, author=author) as edit:
        person = given or edit.author
        if person in edit.incident.responders:
            return edit
        edit.incident.responders.append(person)
        edit.log(f"{person} joined the response.")
        edit.describe(f"{person} joins", Responder=f"+ {person}")
    return edit


def leave(
    ws: Workspace, reference: str | None, name: str | None, *, author: str | None, commit: bool
) -> Edit:
    """Take someone (default: whoever runs the command) off the responders. A role they hold
    stays theirs until it is handed over (said as a warning)."""
    given = clean_name(name, "the name") if name else None
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        person = given or edit.author
        if person not in incident.responders:
            listed = ", ".join(incident.responders) or "nobody has joined"
            raise UsageError(
                f"{person} is not among incident {incident.id}'s responders ({listed})."
            )
        incident.responders.remove(person)
        edit.log(f"{person} left the response.")
        edit.describe(f"{person} leaves", Responder=f"- {person}")
        held = [
            roles.title(role, ws.config)
            for role in roles.titles(ws.config)
            if roles.holder(incident, role) == person
        ]
        if held:
            edit.warn(f"{person} still holds {', '.join(held)}; hand it over with runbook assign.")
    return edit
