"""The escalation matrix applied to one incident: who is due when, who was reached. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runbook_cli.domain.clock import format_stored
from runbook_cli.domain.config import Config
from runbook_cli.domain.contacts import SQUAD_LEADS, Contacts, Person
from runbook_cli.domain.model import Incident


@dataclass(frozen=True)
class Step:
    after_minutes: int
    due_at: datetime
    reached: bool  # its time has come
    roles: tuple[str, ...]
    people: tuple[Person, ...]
    done: bool  # every role in it was recorded as contacted (runbook escalate)
    regulated: bool  # the Compliance Officer step for user data

    def to_json(self) -> dict:
        return {
            "after_minutes": self.after_minutes,
            "notify": [person.name for person in self.people] or list(self.roles),
            "due_at": format_stored(self.due_at),
            "reached": self.reached,
            "roles": list(self.roles),
            "contacts": [
                {"name": p.name, "role": p.role, "squad": p.squad, "how": p.how}
                for p in self.people
            ],
            "done": self.done,
            "regulated": self.regulated,
        }


def impacted_squads(incident: Incident, config: Config) -> set[str]:
    squads = (config.service(name).squad for name in incident.services)
    return {squad for squad in squads if squad}


def active(incident: Incident) -> bool:
    """Escalation steps fall due only until the impact is contained (mitigated or later)."""
    return incident.status in ("investigating", "identified")


def counted_from(incident: Incident) -> tuple[str, datetime]:
    """What T+0 is: detection, or the start for a file that records no detection."""
    if incident.detected_at:
        return "detection", incident.detected_at
    return "the start", incident.started_at


def steps(incident: Incident, contacts: Contacts, config: Config, now: datetime) -> list[Step]:
    """The matrix for this incident, counted from detection. The T+0 step (the on-call
    engineer) counts as done once the incident is acknowledged."""
    squads = impacted_squads(incident, config)
    start = counted_from(incident)[1]
    result = []
    for step in contacts.steps:
        if step.only_when_data_affected and not incident.data_affected:
            continue
        if step.severities and incident.severity not in step.severities:
            continue
        people: list[Person] = []
        for role in step.notify:
            people += contacts.with_role(role, squads if role == SQUAD_LEADS else None)
        due = start + timedelta(minutes=step.after_minutes)
        done = all(incident.escalated.get(role) for role in step.notify) or (
            step.after_minutes == 0 and incident.acknowledged_at is not None
        )
        result.append(
            Step(
                step.after_minutes,
                due,
                now >= due,
                step.notify,
                tuple(people),
                done,
                step.only_when_data_affected,
            )
        )
    return result


def roles(contacts: Contacts) -> list[str]:
    return list(dict.fromkeys(role for step in contacts.steps for role in step.notify))
