"""The runbook's communication templates filled in for an incident: the text to post, and the
same text with every substituted value escaped for Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from runbook_cli.domain import clock, vendor
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import Loaded
from runbook_cli.domain.text import clean_line
from runbook_cli.errors import UsageError
from runbook_cli.rendering import templates, views

TEMPLATES = {
    "slack": "slack.md.j2",
    "status-page": "status-page.md.j2",
    "stakeholder": "stakeholder.md.j2",
    "resolved": "resolved.md.j2",
}


@dataclass
class Message:
    incident_id: int
    template: str
    text: str
    slack_text: str = ""  # the same, every substituted value escaped for Slack


def message(
    loaded: Loaded,
    template: str,
    *,
    root: Path,
    config: Config,
    path: str,
    impact: str | None = None,
    symptom: str | None = None,
    next_update: int | None = None,
) -> Message:
    """A template filled in for a loaded incident: a function of the incident, the config and
    the moment (nothing is read but the template). `path` is the file's path in the repository,
    for links."""
    incident = loaded.incident
    if template == "resolved" and incident.resolved_at is None:
        raise UsageError(
            f"incident {incident.id} is {incident.status}, not resolved: the resolved message "
            "announces a resolution; resolve it first (runbook resolve) or use -t slack."
        )
    view = views.incident_json(loaded, path)
    now = clock.now()
    # A message promises its next update counted from when it is written, not from the last one.
    promised = next_update or config.comms.internal_update_minutes.get(incident.severity)
    next_at = now + timedelta(minutes=promised) if promised and incident.is_open else None
    context = dict(
        incident=view,
        now=clock.format_stored(now),
        # The templates end each sentence themselves, so a phrase must not bring its own full stop.
        impact=(
            clean_line(impact, "--impact") if impact else (view["summary"] or "being assessed")
        ).rstrip(". "),
        symptom=(
            clean_line(symptom, "--symptom") if symptom else "errors or slow responses"
        ).rstrip(". "),
        next_update=next_update or config.comms.promised_minutes(incident.severity),
        next_update_at=clock.format_stored(next_at) if next_at else None,
        status_page_minutes=config.comms.status_page_every(incident.severity),
        channel=config.comms.channel,
        severity_meaning=config.severity(incident.severity).meaning.rstrip(". "),
        duration=clock.format_duration(incident.started_at, incident.resolved_at or now),
    )
    text = templates.render(root, TEMPLATES[template], **context)
    slack = (
        templates.render(root, TEMPLATES[template], escape=vendor.slack_escape, **context)
        if template != "status-page"
        else ""
    )
    return Message(incident.id, template, text.strip("\n") + "\n", slack.strip("\n") + "\n")
