"""Text the tool regenerates in the body from the front matter (facts shown twice for readers).

`check` compares these with what is in the file, so a hand edit that drifts is flagged.
"""

from __future__ import annotations

from datetime import datetime

from runbook_cli.domain import clock, document, roles
from runbook_cli.domain.model import Incident

FACTS = "facts"
ACTIONS = "actions"


def heading(number: int, title: str) -> str:
    """How an incident is named atop its file, its page in the site and `show`."""
    return f"Incident {number} – {title}"


def title_line(incident: Incident) -> str:
    return f"# {heading(incident.id, incident.title)}"


def duration(incident: Incident) -> str:
    """hh:mm from impact start to resolution, or "ongoing" until the incident is resolved."""
    return span(incident.started_at, incident.resolved_at, called_off=incident.is_closed)


def span(
    started: datetime,
    resolved: datetime | None,
    *,
    called_off: bool,
    now: datetime | None = None,
    ongoing: str = "ongoing",
) -> str:
    """The duration rule: hh:mm from impact start to resolution; "—" for an incident that ended
    unresolved (cancelled, a duplicate); while open, `ongoing`, after the time so far when `now`
    is given."""
    if resolved:
        return clock.format_duration(started, resolved)
    if called_off:
        return "—"
    return clock.format_duration(started, now) + ongoing if now else ongoing


def facts(incident: Incident) -> str:
    lines = [
        f"- **Date:** {incident.date.isoformat()}",
        f"- **Severity:** {incident.severity}",
        f"- **Status:** {incident.status}",
        f"- **Services Impacted:** {', '.join(incident.services)}",
        f"- **Duration:** {duration(incident)}",
        f"- **Incident Commander:** {incident.commander or 'unassigned'}",
        f"- **Communications Lead:** {incident.comms_lead or 'unassigned'}",
    ]
    if incident.data_affected:
        lines.append(
            "- **User data affected:** yes (regulated event: Compliance Officer is notified)"
        )
    if incident.patients_affected is not None:
        lines.append(f"- **Patients affected:** {incident.patients_affected}")
    lines += ending(incident) + people(incident)
    return "\n".join(lines) + "\n"


def ending(incident: Incident) -> list[str]:
    """How an incident that was never resolved ended: a false alarm, or a duplicate."""
    if incident.duplicate_of is not None:
        return [f"- **Duplicate of:** incident {incident.duplicate_of}"]
    if incident.status == "cancelled":
        return [f"- **Cancelled:** false alarm: {incident.close_reason or 'no reason given'}"]
    return []


def people(incident: Incident) -> list[str]:
    """The other roles, the responders and the handovers, as the facts block and report say
    (role titles from their keys, so a config change never makes a file drift)."""
    lines = [f"- **{roles.title(role)}:** {name}" for role, name in incident.roles.items()]
    if incident.responders:
        lines.append(f"- **Responders:** {', '.join(incident.responders)}")
    lines += [f"- **Handover:** {line}" for line in roles.history_lines(incident.role_history)]
    return lines


def actions(incident: Incident) -> str:
    if not incident.action_items:
        return "_No action items yet (runbook action add)._\n"
    lines = ["| # | Action | Owner | Due | Done |", "|---|---|---|---|---|"]
    for item in incident.action_items:
        title = item.title.replace("|", "\\|")
        if item.tracker:
            title += f" ([{item.tracker.get('key')}]({item.tracker.get('url')}))"
        lines.append(
            f"| {item.id} | {title} | {item.owner} | {item.due.isoformat()} "
            f"| {'yes' if item.done else 'no'} |"
        )
    return "\n".join(lines) + "\n"


BLOCKS = {FACTS: facts, ACTIONS: actions}


def regenerate(body: str, incident: Incident) -> str:
    """The title line and every block rewritten from the facts; a block whose markers are both
    gone is put back where the template has it (after the title, in Preventive Actions)."""
    body = document.set_title_line(body, title_line(incident))
    for name, render in BLOCKS.items():
        if not document.has_marker(body, name):
            body = _restore(body, name, render(incident))
        else:
            body = document.write_block(body, name, render(incident))
    return body


def _restore(body: str, name: str, content: str) -> str:
    lines = body.split("\n")
    if name == FACTS:
        title = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        return body if title is None else document.insert_block(body, name, content, title + 1)
    section = document.find_section(body, "Preventive Actions")
    if section is None:
        return body
    end = section.end
    while end > section.heading + 1 and not lines[end - 1].strip():
        end -= 1
    return document.insert_block(body, name, content, end)


def drift(body: str, incident: Incident) -> list[str]:
    """What a hand edit changed in generated text, each with how to repair it."""
    again = "any runbook command that changes this incident regenerates it"
    found = []
    if document.title_line_of(body) != title_line(incident):
        found.append(f"the title line differs from the front matter (hand edit?); {again}")
    for name, render in BLOCKS.items():
        current = document.read_block(body, name)
        if current is None and document.has_marker(body, name):
            found.append(
                f"the generated {name} block has lost a marker; put back both "
                f"{' and '.join(document.block_markers(name))} (runbook edit)"
            )
        elif current is None:
            found.append(f"the generated {name} block is missing; {again}")
        elif current != render(incident):
            found.append(f"the {name} block differs from the front matter (hand edit?); {again}")
    return found
