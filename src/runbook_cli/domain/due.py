"""What is due now: the acknowledgement, the user-data question, comms updates on cadence,
escalation steps, regulatory clocks, post-mortems, action items. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from runbook_cli.domain import escalation, regulatory
from runbook_cli.domain.clock import UTC, format_stored, parse_stored, show_clock
from runbook_cli.domain.config import Config
from runbook_cli.domain.contacts import Contacts
from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.domain.model import Incident

KINDS = (
    "outside",
    "ack",
    "data",
    "comms",
    "status-page",
    "escalation",
    "regulatory",
    "postmortem",
    "action",
)


@dataclass(frozen=True)
class Due:
    incident: int
    kind: str
    due_at: datetime
    overdue: bool
    what: str

    def to_json(self) -> dict:
        return {
            "incident": self.incident,
            "kind": self.kind,
            "due_at": format_stored(self.due_at),
            "overdue": self.overdue,
            "what": self.what,
        }


def next_update(incident: Incident, config: Config, kind: str) -> datetime | None:
    """When the next internal (`comms`) or `status-page` update is due, on the configured cadence,
    counted from the last recorded update or else from detection."""
    cadence, last = {
        "comms": (config.comms.internal_update_minutes, incident.last_internal_update_at),
        "status-page": (config.comms.status_page_minutes, incident.last_status_page_update_at),
    }[kind]
    minutes = cadence.get(incident.severity)
    if not minutes or not incident.is_open:
        return None
    return (last or incident.detected_at or incident.started_at) + timedelta(minutes=minutes)


def for_incident(
    incident: Incident, contacts: Contacts, config: Config, now: datetime
) -> list[Due]:
    items: list[Due] = []

    def add(kind: str, at: datetime, what: str) -> None:
        items.append(Due(incident.id, kind, at, now > at, what))

    if incident.is_open and not incident.acknowledged_at:
        at = ack_due(incident, config)
        add("ack", at, f"acknowledge by {show_clock(at, config.zone)} (runbook ack)")
    if incident.is_open and regulatory.unanswered(incident, config):
        add(
            "data",
            regulatory.question_due(incident, config),
            "answer: is user data affected? (runbook data-affected yes|no --reason T)",
        )
    for owed in (incident.integrations.get("pagerduty") or {}).get("pending") or []:
        try:
            since = parse_stored(str(owed.get("since")))
        except ValueError:
            since = incident.started_at
        add(
            "outside",
            since,
            f"tell PagerDuty: {owed.get('action')} (dedup key {owed.get('dedup_key')}); "
            "it was down (runbook retry)",
        )
    channel = config.comms.channel
    for kind, what in (
        ("comms", f"post an internal update in {channel} (runbook comms --post)"),
        ("status-page", "update the status page (runbook comms --template status-page)"),
    ):
        at = next_update(incident, config, kind)
        if at:
            add(kind, at, what)
    if escalation.active(incident):
        for step in escalation.steps(incident, contacts, config, now):
            if not step.done:
                names = ", ".join(p.name for p in step.people) or ", ".join(step.roles)
                add(
                    "escalation",
                    step.due_at,
                    f"T+{step.after_minutes} min: notify {names} (then runbook escalate --to "
                    f"{step.roles[0]})",
                )
    for clock in regulatory.open_clocks(incident, config):
        add(
            "regulatory",
            clock.due_at,
            f"{clock.what}"
            + (f" ({clock.condition})" if clock.condition else "")
            + f"; then runbook notified {clock.name}",
        )
    if incident.postmortem_due and not incident.postmortem_scheduled_at:
        add(
            "postmortem",
            incident.postmortem_due,
            "schedule the post-mortem (runbook postmortem schedule --at T --attendee NAME)",
        )
    for item in incident.action_items:
        if not item.done:
            add(
                "action",
                end_of_day(item.due),
                f"action {item.id}: {item.title} (owner {item.owner})",
            )
    return items


def ack_due(incident: Incident, config: Config) -> datetime:
    """The runbook's acknowledgement target, counted from detection."""
    detected = incident.detected_at or incident.started_at
    return detected + timedelta(minutes=config.ack_target_minutes)


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def runbook_review(config: Config, incidents: list[Incident], today: date) -> str | None:
    """The seed: update the runbook quarterly or after any SEV-0 incident."""
    last_day = config.runbook_review.last_reviewed
    if last_day is None:
        return (
            "the runbook has no review date: review it and set runbook_review.last_reviewed in "
            f"{CONFIG_PATH}."
        )
    every = config.runbook_review.every_days
    if (today - last_day).days >= every:
        return (
            f"the runbook was last reviewed {last_day.isoformat()}, more than {every} days ago: "
            "review it (quarterly)."
        )
    gravest = config.severity_names[0]
    # A review on the day of a SEV-0 counts as the review after it.
    sev0 = [i.id for i in incidents if i.severity == gravest and i.started_at.date() > last_day]
    if sev0:
        return (
            f"{gravest} incident {sev0[0]} happened after the last runbook review "
            f"({last_day.isoformat()}): review the runbook."
        )
    return None
