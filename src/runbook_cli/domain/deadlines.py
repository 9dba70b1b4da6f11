"""Post-mortem deadlines from the runbook: 48 hours for SEV-0/1, 5 business days for SEV-2. Pure."""

from __future__ import annotations

from collections.abc import Set
from datetime import date, datetime, timedelta

from runbook_cli.domain.config import Config
from runbook_cli.domain.model import Incident


def postmortem_due(incident: Incident, config: Config) -> datetime | None:
    """When the post-mortem must be held, counted from resolution; None when not required."""
    if incident.resolved_at is None:
        return None
    rule = config.postmortem.deadlines.get(incident.severity)
    if not rule:
        return None
    if "hours" in rule:
        return incident.resolved_at + timedelta(hours=rule["hours"])
    return add_business_days(
        incident.resolved_at, rule["business_days"], config.postmortem.holidays
    )


def add_business_days(start: datetime, days: int, holidays: Set[date]) -> datetime:
    """The same time of day, `days` working days later (weekends and holidays skipped)."""
    moment = start
    remaining = days
    while remaining > 0:
        moment += timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in holidays:
            remaining -= 1
    return moment
