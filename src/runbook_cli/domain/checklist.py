"""What each post-incident checklist item means: the fact a tick needs. Pure.

A tick is refused while its fact is missing (`runbook checklist tick`), and the tool ticks an
item itself when it does the thing (`postmortem schedule`, `metrics --write`, a resolved status
page, `action export`, `notified`); both ask `missing` here. A team's own items (config
`checklist`) have no fact the tool can see: they tick freely.
"""

from __future__ import annotations

from datetime import datetime

from runbook_cli.domain import clock, document, regulatory, rules
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import Incident

TICKET_SECTIONS = ("Summary", "Resolution & Recovery")
"""The ticket's "final resolution summary": what happened and how it was resolved."""


def missing(
    key: str,
    incident: Incident,
    body: str,
    config: Config,
    *,
    metrics_written_at: datetime | None = None,
) -> str | None:
    """What keeps item `key` from being done, as the end of one sentence; None when its fact is
    there. `metrics_written_at`: when docs/runbooks/metrics.md was last generated."""
    rule = _RULES.get(key)
    return rule(incident, body, config, metrics_written_at) if rule else None


def _unresolved(incident: Incident, what: str) -> str | None:
    if incident.resolved_at is None or incident.is_open:
        return (
            f"incident {incident.id} is {incident.status}, not resolved: {what} (runbook resolve)"
        )
    return None


def _ticket(
    incident: Incident, body: str, _config: Config, _metrics: datetime | None
) -> str | None:
    gap = _unresolved(incident, "the final resolution summary comes after resolving")
    if gap:
        return gap
    for section in TICKET_SECTIONS:
        if not document.written_text(body, section):
            return (
                f"the report's {section} section is empty: write the final resolution summary "
                f"first ({rules.section_command(section)})"
            )
    return None


def _status_page(
    incident: Incident, _body: str, _config: Config, _metrics: datetime | None
) -> str | None:
    gap = _unresolved(incident, "the status page can say resolved only after that")
    if gap:
        return gap
    last = incident.last_status_page_update_at
    if last is None or last < incident.resolved_at:
        return (
            "no status-page update is recorded since it was resolved at "
            f"{clock.format_stored(incident.resolved_at)} (runbook statuspage publish, or runbook "
            "comms -t status-page --mark-sent)"
        )
    return None


def _postmortem(
    incident: Incident, _body: str, config: Config, _metrics: datetime | None
) -> str | None:
    if incident.postmortem_scheduled_at is None:
        return (
            "no post-mortem meeting is scheduled (runbook postmortem schedule --at T --attendee "
            "NAME)"
        )
    if config.postmortem.require_attendees and not incident.postmortem_attendees:
        return (
            "the post-mortem has no attendees, so no invite went out (runbook postmortem "
            "schedule --at T --attendee NAME)"
        )
    return None


def _actions(
    incident: Incident, _body: str, _config: Config, _metrics: datetime | None
) -> str | None:
    if not incident.action_items:
        return "it has no action items (runbook action add TITLE --owner NAME --due DATE)"
    return None


def _metrics(
    incident: Incident, _body: str, _config: Config, written: datetime | None
) -> str | None:
    gap = _unresolved(incident, "its MTTR is counted once it is resolved")
    if gap:
        return gap
    # metrics.md stamps the minute it was written: a write in the minute of resolving counts.
    resolved = incident.resolved_at.replace(second=0, microsecond=0)
    if written is None or written < resolved:
        since = "never" if written is None else f"last at {clock.format_stored(written)}"
        return (
            f"the metrics were not written since it was resolved ({since}; runbook metrics --write)"
        )
    return None


def _risk_assessment(
    incident: Incident, _body: str, _config: Config, _metrics: datetime | None
) -> str | None:
    if incident.patients_affected is None:
        return (
            "the number of people affected is not recorded, and the assessment states it "
            "(runbook set impact --patients N)"
        )
    return None


def _notifications(
    incident: Incident, _body: str, config: Config, _metrics: datetime | None
) -> str | None:
    running = regulatory.open_clocks(incident, config)
    if running:
        names = ", ".join(each.name for each in running)
        return (
            f"regulatory notifications are still open: {names} (runbook notified CLOCK, or "
            "--not-required --reason T)"
        )
    return None


_RULES = {
    "ticket_updated": _ticket,
    "status_page_resolved": _status_page,
    "postmortem_scheduled": _postmortem,
    "action_items_created": _actions,
    "metrics_updated": _metrics,
    "breach_risk_assessment": _risk_assessment,
    "notifications_done": _notifications,
}
