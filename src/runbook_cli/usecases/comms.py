"""Communication: the runbook's message templates rendered for an incident, posted to Slack,
and recorded so the update cadence restarts from it."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from runbook_cli.adapters import outbound
from runbook_cli.domain import clock
from runbook_cli.errors import UsageError
from runbook_cli.rendering import messages
from runbook_cli.rendering.messages import Message
from runbook_cli.usecases import checklist
from runbook_cli.usecases.workspace import Edit, Workspace

WEBHOOK_VARIABLE = "RUNBOOK_SLACK_WEBHOOK_URL"


def render(
    ws: Workspace,
    reference: str | None,
    template: str,
    *,
    impact: str | None = None,
    symptom: str | None = None,
    next_update: int | None = None,
) -> Message:
    if template not in messages.TEMPLATES:
        names = ", ".join(messages.TEMPLATES)
        raise UsageError(f"unknown template {template!r}; use one of {names}.")
    loaded = ws.load(reference)
    return messages.message(
        loaded,
        template,
        root=ws.root,
        config=ws.config,
        path=ws.store.relative(loaded.path),
        impact=impact,
        symptom=symptom,
        next_update=next_update,
    )


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
        if message.template == "status-page":
            checklist.tick_done(
                ws, edit, "status_page_resolved", "status-page update marked sent", at=now
            )
    return edit
