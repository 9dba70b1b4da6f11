"""Text the tool regenerates in the body from the front matter (facts shown twice for readers).

`check` compares these with what is in the file, so a hand edit that drifts is flagged.
"""

from __future__ import annotations

from runbook_cli.domain import clock, document
from runbook_cli.domain.model import Incident

FACTS = "facts"
ACTIONS = "actions"


def title_line(incident: Incident) -> str:
    return f"# Incident {incident.id} – {incident.title}"


def facts(incident: Incident) -> str:
    if incident.resolved_at:
        duration = clock.format_duration(incident.started_at, incident.resolved_at)
    else:
        duration = "ongoing"
    lines = [
        f"- **Date:** {incident.date.isoformat()}",
        f"- **Severity:** {incident.severity}",
        f"- **Status:** {incident.status}",
        f"- **Services Impacted:** {', '.join(incident.services)}",
        f"- **Duration:** {duration}",
        f"- **Incident Commander:** {incident.commander or 'unassigned'}",
        f"- **Communications Lead:** {incident.comms_lead or 'unassigned'}",
    ]
    if incident.data_affected:
        lines.append(
            "- **User data affected:** yes (regulated event: Compliance Officer is notified)"
        )
    return "\n".join(lines) + "\n"


def actions(incident: Incident) -> str:
    if not incident.action_items:
        return "_No action items yet (runbook action add)._\n"
    lines = ["| # | Action | Owner | Due | Done |", "|---|---|---|---|---|"]
    for item in incident.action_items:
        title = item.title.replace("|", "\\|")
        if item.tracker:
            title += f" ([{item.tracker.get('key')}]({item.tracker.get('url')}))"
        lines.append(
            f"| {item.id} | {title} | {item.owner} | {item.due.isoformat()} | {'yes' if item.done else 'no'} |"
        )
    return "\n".join(lines) + "\n"


BLOCKS = {FACTS: facts, ACTIONS: actions}


def regenerate(body: str, incident: Incident) -> str:
    body = document.set_title_line(body, title_line(incident))
    for name, render in BLOCKS.items():
        body = document.write_block(body, name, render(incident))
    return body


def drift(body: str, incident: Incident) -> list[str]:
    """What a hand edit changed in generated text (names of the parts that differ)."""
    found = []
    if document.title_line_of(body) != title_line(incident):
        found.append("title line")
    for name, render in BLOCKS.items():
        current = document.read_block(body, name)
        if current is not None and current != render(incident):
            found.append(f"{name} block")
    return found
