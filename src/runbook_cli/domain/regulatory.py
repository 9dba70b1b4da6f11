"""User data affected: when the question must be answered, and the regulatory clocks it starts.

The default clocks are the HIPAA Breach Notification Rule (45 CFR 164.404-408), counted from
the discovery of the breach; a team adds or replaces clocks in the config. Guidance, not legal
advice. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from runbook_cli.domain.clock import UTC, format_stored
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import Incident

NOT_REQUIRED = "not-required"
SENT = "sent"


@dataclass(frozen=True)
class Clock:
    """A regulatory clock running for one incident: its deadline and whether it is done."""

    name: str
    what: str
    due_at: datetime
    condition: str  # "" when it applies for certain, else what decides (the count is unknown)
    done: dict | None  # {at, outcome} once recorded with runbook notified

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "what": self.what,
            "due_at": format_stored(self.due_at),
            "condition": self.condition or None,
            "done": dict(self.done) if self.done else None,
        }


def asks(incident: Incident, config: Config) -> bool:
    """Whether the incident must answer 'is user data affected?': its severity is one the config
    names (SEV-0 by default, whose definition includes data breaches) or a service it affects
    holds patient data."""
    return incident.severity in config.regulatory.ask_data_affected or any(
        config.holds_patient_data(service) for service in incident.services
    )


def unanswered(incident: Incident, config: Config) -> bool:
    return (
        incident.data_affected is None
        and incident.status not in ("cancelled",)
        and incident.duplicate_of is None
        and asks(incident, config)
    )


def question_due(incident: Incident, config: Config) -> datetime:
    start = incident.detected_at or incident.started_at
    return start + timedelta(minutes=config.regulatory.answer_within_minutes)


def discovered(incident: Incident) -> datetime:
    return incident.data_discovered_at or incident.detected_at or incident.started_at


def clocks(incident: Incident, config: Config) -> list[Clock]:
    """The clocks running for an incident with user data affected, soonest first. A clock whose
    people threshold the recorded count rules out is left out; with no count it is kept, saying
    what decides."""
    if incident.data_affected is not True:
        return []
    start = discovered(incident)
    count = incident.patients_affected
    result = []
    for name, rule in config.regulatory.clocks.items():
        low, high = rule.min_people, rule.max_people
        if count is not None and (
            (low is not None and count < low) or (high is not None and count > high)
        ):
            continue
        condition = ""
        if count is None and (low is not None or high is not None):
            condition = (
                f"if {low} or more people are affected"
                if high is None
                else f"if {high} or fewer people are affected"
                if low is None
                else f"if {low} to {high} people are affected"
            )
        result.append(
            Clock(
                name,
                rule.what,
                deadline(start, rule.within),
                condition,
                incident.notifications.get(name),
            )
        )
    return sorted(result, key=lambda clock: (clock.due_at, clock.name))


def deadline(start: datetime, within: dict) -> datetime:
    unit, amount = next(iter(within.items()))
    if unit == "hours":
        return start + timedelta(hours=amount)
    if unit == "days":
        return start + timedelta(days=amount)
    year_end = datetime(start.year, 12, 31, 23, 59, 59, tzinfo=UTC)
    return year_end + timedelta(days=amount)


def open_clocks(incident: Incident, config: Config) -> list[Clock]:
    return [clock for clock in clocks(incident, config) if not clock.done]
