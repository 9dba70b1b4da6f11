"""Who holds which role in an incident, and who held it before (handovers). Pure.

The Incident Commander and Communications Lead are built in (`commander`, `comms_lead` in the
front matter); other roles come from the config's `roles` (scribe, operations lead by default)
and are kept in the front matter's `roles`. `role_history` lists every holding, `{role, name,
from, to}`: the current holder's entry has no `to`. A holding from before the history was
kept (or a hand edit) has no `from`.
"""

from __future__ import annotations

from datetime import datetime

from runbook_cli.domain import clock
from runbook_cli.domain.config import TRIAGE_ROLES, Config, unknown_choice
from runbook_cli.domain.model import Incident


def titles(config: Config | None = None) -> dict[str, str]:
    """Every role an incident can have filled, built-in first: key -> title."""
    return {**TRIAGE_ROLES, **(config.roles if config else {})}


def title(role: str, config: Config | None = None) -> str:
    """The config's title for a role; without a config (text stored in files) the built-in
    titles, else the key said plainly ('operations_lead': 'Operations lead')."""
    return titles(config).get(role) or role.replace("_", " ").capitalize()


def known(typed: str, config: Config) -> str:
    """The role key for what was typed ('Scribe', 'operations-lead'); unknown ones are refused."""
    key = typed.strip().casefold().replace("-", "_").replace(" ", "_")
    by_title = {name.casefold().replace(" ", "_"): role for role, name in titles(config).items()}
    found = key if key in titles(config) else by_title.get(key)
    if found is None:
        raise unknown_choice("role", typed, list(titles(config)))
    return found


def holder(incident: Incident, role: str) -> str | None:
    if role in TRIAGE_ROLES:
        return getattr(incident, role)
    return incident.roles.get(role)


def hand_over(incident: Incident, role: str, name: str, at: datetime) -> str | None:
    """`name` holds `role` from `at`; the previous holder's time ends then. Returns who held
    it before (None: nobody). Nothing changes when `name` already holds it."""
    old = holder(incident, role)
    if old == name:
        return old
    if role in TRIAGE_ROLES:
        setattr(incident, role, name)
    else:
        incident.roles[role] = name
    stamp = clock.format_stored(at)
    current = _open_entry(incident, role)
    if current is not None:
        current["to"] = stamp
    elif old:
        incident.role_history.append({"role": role, "name": old, "to": stamp})
    incident.role_history.append({"role": role, "name": name, "from": stamp})
    return old


def _open_entry(incident: Incident, role: str) -> dict | None:
    for held in reversed(incident.role_history):
        if held.get("role") == role and not held.get("to"):
            return held
    return None


def history_lines(history: list[dict], config: Config | None = None, shown=None) -> list[str]:
    """One line per role that changed hands, from the role history: 'Incident Commander: Avery
    (10:02 – 10:31 UTC), Kim (from 10:31 UTC)'. `shown` turns a stored time into text (default:
    UTC with the date, as files say it)."""
    shown = shown or _utc
    by_role: dict[str, list[str]] = {}
    for held in history:
        by_role.setdefault(str(held.get("role")), []).append(_span(held, shown))
    changed = {str(held.get("role")) for held in history if held.get("to")}
    return [
        f"{title(role, config)}: {', '.join(spans)}"
        for role, spans in by_role.items()
        if role in changed
    ]


def _span(held: dict, shown) -> str:
    start, end = held.get("from"), held.get("to")
    if start and end:
        began, ended = shown(start), shown(end)
        if ended[:11] == began[:11]:  # the same day: 'YYYY-MM-DD ' once
            ended = ended[11:]
        return f"{held.get('name')} ({began} – {ended})"
    if end:
        return f"{held.get('name')} (until {shown(end)})"
    return f"{held.get('name')} (from {shown(start)})" if start else str(held.get("name"))


def _utc(stored: str) -> str:
    return clock.parse_stored(stored).strftime("%Y-%m-%d %H:%M UTC")
