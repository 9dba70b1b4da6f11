"""Time: what "now" is, how people type times, and how times are stored (ISO-8601 UTC)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta

from runbook_cli.errors import UsageError

UTC = UTC

_RELATIVE = re.compile(r"^(?:-\s*)?((?:\d+\s*[smhd]\s*)+)(?:ago)?$")
_RELATIVE_PART = re.compile(r"(\d+)\s*([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")

TIME_HELP = "ISO-8601 with offset or Z, HH:MM (today, local time), '15m ago', '-15m' or 'now'"


def now() -> datetime:
    """The current time in UTC, to the second. RUNBOOK_NOW pins it (tests, reproducible demos)."""
    pinned = os.environ.get("RUNBOOK_NOW")
    if pinned:
        return parse_stored(pinned)
    return datetime.now(UTC).replace(microsecond=0)


def parse_time(
    text: str, *, reference: datetime | None = None, allow_future: bool = False
) -> datetime:
    """Parse a time as people type it on the command line; the result is UTC, to the second."""
    reference = reference or now()
    value = text.strip().lower()
    if value in ("", "now"):
        return reference
    relative = _RELATIVE.match(value)
    if relative and (value.startswith("-") or value.endswith("ago")):
        seconds = sum(
            int(n) * _UNIT_SECONDS[u] for n, u in _RELATIVE_PART.findall(relative.group(1))
        )
        return reference - timedelta(seconds=seconds)
    clock = _CLOCK_TIME.match(value)
    if clock:
        result = _today_at(int(clock.group(1)), int(clock.group(2)), text, reference)
    else:
        result = _parse_iso(text.strip())
    if not allow_future and result > reference + timedelta(minutes=1):
        raise UsageError(
            f"the time {text!r} is in the future ({format_stored(result)}); give a past time."
        )
    return result


def _today_at(hour: int, minute: int, text: str, reference: datetime) -> datetime:
    if hour > 23 or minute > 59:
        raise UsageError(f"cannot read the time {text!r}: use {TIME_HELP}.")
    local_day = reference.astimezone().date()
    local = datetime.combine(local_day, time(hour, minute)).astimezone()
    return local.astimezone(UTC)


def _parse_iso(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise UsageError(f"cannot read the time {text!r}: use {TIME_HELP}.") from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"the time {text!r} has no time zone: add Z (UTC) or an offset such as +02:00."
        )
    return parsed.astimezone(UTC).replace(microsecond=0)


def parse_date(text: str) -> date:
    """A calendar date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"cannot read the date {text!r}: use YYYY-MM-DD.") from None


def format_stored(moment: datetime) -> str:
    """The stored form: '2026-11-26T10:02:00Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stored(text: str) -> datetime:
    """Read a stored timestamp; raises ValueError when it is not ISO-8601 with a zone."""
    parsed = datetime.fromisoformat(text.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return parsed.astimezone(UTC)


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def format_duration(start: datetime, end: datetime) -> str:
    """hh:mm, as the report template asks for."""
    total = max(0, int((end - start).total_seconds()) // 60)
    return f"{total // 60:02d}:{total % 60:02d}"
