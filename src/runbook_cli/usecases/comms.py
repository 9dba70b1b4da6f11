"""Communication: the runbook's message templates rendered for an incident, posted to Slack,
and recorded so the update cadence restarts from it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from runbook_cli.adapters import outbound
from runbook_cli.domain import clock, vendor
from runbook_cli.domain.text import clean_line
from runbook_cli.errors import UsageError
from runbook_cli.rendering import templates, views
from runbook_cli.usecases.workspace import Edit, Workspace

TEMPLATES = {
    "slack": "slack.md.j2",
    "status-page": "status-page.md.j2",
    "stakeholder": "stakeholder.md.j2",
    "resolved": "resolved.md.j2",
}
WEBHOOK_VARIABLE = "RUNBOOK_SLACK_WEBHOOK_URL"


@dataclass
class Message:
    incident_id: int
    template: str
    text: str
    slack_text: str = ""  # the same, every substituted value escaped for Slack


def render(
    ws: Workspace,
    reference: str | None,
    template: str,
    *,
    impact: str | None = None,
    symptom: str | None = None,
    next_update: int | None = None,
) -> Message:
    if template not in TEMPLATES:
        raise UsageError(f"unknown template {template!r}; use one of {', '.join(TEMPLATES)}.")
    loaded = ws.load(reference)
    incident = loaded.incident
    if template == "resolved" and incident.resolved_at is None:
        raise UsageError(
            f"incident {incident.id} is {incident.status}, not resolved: the resolved message "
            "announces a resolution; resolve it first (runbook resolve) or use -t slack."
        )
    view = views.incident_json(loaded, ws.store.relative(loaded.path))
    now = clock.now()
    cadence = ws.config.comms.internal_update_minutes
    page_cadence = ws.config.comms.status_page_minutes
    # A message promises its next update counted from when it is written, not from the last one.
    promised = next_update or cadence.get(incident.severity)
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
        next_update=promised or 30,
        next_update_at=clock.format_stored(next_at) if next_at else None,
        status_page_minutes=page_cadence.get(incident.severity, 30),
        channel=ws.config.comms.channel,
        severity_meaning=ws.config.severity(incident.severity).meaning.rstrip(". "),
        duration=clock.format_duration(incident.started_at, incident.resolved_at or now),
    )
    text = templates.render(ws.root, TEMPLATES[template], **context)
    slack = (
        templates.render(ws.root, TEMPLATES[template], escape=vendor.slack_escape, **context)
        if template != "status-page"
        else ""
    )
    return Message(incident.id, template, text.strip("\n") + "\n", slack.strip("\n") + "\n")


def webhook_url(ws: Workspace) -> str:
    url = os.environ.get(WEBHOOK_VARIABLE) or ws.config.comms.slack_webhook_url
    if not url:
        raise UsageError(
            f"no Slack webhook is set; export {WEBHOOK_VARIABLE}=https://hooks.slack.com/... (or "
            "set comms.slack_webhook_url)."
        )
    return outbound.check_url(str(url), "the Slack webhook URL")


def webhook_host(ws: Workspace) -> str:
    """Where a post would go, for a dry run: the host only (the path is the secret), or a
    placeholder when no webhook is set yet."""
    try:
        return f"{urlsplit(webhook_url(ws)).netloc} (path hidden)"
    except UsageError:
        return f"<{WEBHOOK_VARIABLE}> (not set yet)"


def post(ws: Workspace, message: Message) -> None:
    if message.template == "status-page":
        raise UsageError(
            "the status-page text belongs on the status page, not in Slack; publish it there and "
            "record it with --mark-sent."
        )
    ws.screen_outgoing(message.slack_text, "Slack", "--impact/--symptom or the incident")
    url = webhook_url(ws)
    # Not retried on 5xx or silence: Slack may have posted it, and a second post is noise.
    outbound.request(
        "POST",
        url,
        "Slack",
        payload={"text": message.slack_text},
        secrets=(urlsplit(url).path,),
        idempotent=False,
    )


def record(
    ws: Workspace, message: Message, *, posted: bool, author: str | None, commit: bool
) -> Edit:
    """Note the update in the timeline and restart its cadence."""
    with ws.change(str(message.incident_id), commit=commit, author=author) as edit:
        now = clock.now()
        first_line = message.text.strip().split("\n", 1)[0]
        if message.template == "status-page":
            edit.incident.last_status_page_update_at = now
            where = "status page updated"
        else:
            edit.incident.last_internal_update_at = now
            where = f"{message.template} update {'posted to Slack' if posted else 'sent'}"
        edit.log(f"Comms: {where}: {first_line}", now)
        edit.describe(f"comms: {where}", Comms=message.template)
    return edit
