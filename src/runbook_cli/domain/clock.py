"""Time: what "now" is, how people type times, how times are shown, and how they are stored.

Storage is always ISO-8601 UTC. What people type and read is in the responder's zone: the
config's `display_timezone`, else the system's (which honours `TZ`); shown times carry its name.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from runbook_cli.errors import UsageError

UTC = UTC

# "15m ago", "-15m", "1h30m ago", "10 min ago", "5 minutes ago", "2 hours ago", "1 hour 5 min ago"
_RELATIVE = re.compile(r"(?:\d+\s*[a-z]+\s*,?\s*(?:and\s+)?)+")
_RELATIVE_PART = re.compile(r"(\d+)\s*([a-z]+)")
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
}
# "10:30", "3am", "3:15 pm", "yesterday 23:00", "today 9am"
_CLOCK_TIME = re.compile(
    r"(?:(today|yesterday)\s+)?(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
)
# A clock time typed just after the fact may be a minute ahead of this machine's clock.
_GRACE = timedelta(minutes=1)

MIN_YEAR, MAX_YEAR = 1900, 2999
"""Times outside these years are refused as input and reported as malformed in files: date
arithmetic near the ends of the calendar (deadlines, cadences, time zones) would overflow."""
OUT_OF_RANGE = f"outside the years {MIN_YEAR}–{MAX_YEAR} that runbook accepts"

TIME_HELP = (
    "ISO-8601 with offset or Z, a clock time such as 23:59 or 3am (the most recent one), "
    "'yesterday 23:00', '10 min ago', '2 hours ago', '-15m' or 'now'"
)


def now() -> datetime:
    """The current time in UTC, to the second. RUNBOOK_NOW pins it (tests, reproducible demos)."""
    pinned = os.environ.get("RUNBOOK_NOW")
    if pinned:
        return parse_stored(pinned)
    return datetime.now(UTC).replace(microsecond=0)


def zone(name: str | None = None) -> tzinfo | None:
    """The responder's zone: an IANA name such as Europe/Berlin, else None for the system's."""
    if not name:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # ~2 ms: only a display_timezone

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC."
        ) from None


def local(moment: datetime, where: tzinfo | None = None) -> datetime:
    """`moment` in the responder's zone (None: the system's, which honours TZ)."""
    return moment.astimezone(where) if where is not None else moment.astimezone()


def _at_local(day: date, at: time, where: tzinfo | None) -> datetime:
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=where) if where is not None else naive.astimezone()
    return aware.astimezone(UTC)


def show(moment: datetime | None, where: tzinfo | None = None, *, seconds: bool = False) -> str:
    """A time for people: '2026-11-26 11:02 CET', always with the zone's name."""
    if moment is None:
        return "—"
    shown = local(moment, where)
    return shown.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + (
        f" {zone_name(shown)}"
    )


def show_clock(moment: datetime, where: tzinfo | None = None) -> str:
    """A time of day for people: '11:02 CET'."""
    shown = local(moment, where)
    return f"{shown:%H:%M} {zone_name(shown)}"


def zone_name(aware: datetime) -> str:
    name = aware.tzname() or aware.strftime("%z")
    return "UTC" if name in ("UTC", "Z", "+0000", "GMT") and not aware.utcoffset() else name


def parse_time(
    text: str,
    *,
    reference: datetime | None = None,
    allow_future: bool = False,
    where: tzinfo | None = None,
) -> datetime:
    """Parse a time as people type it on the command line; the result is UTC, to the second.

    A clock time without a day ('23:59', '3am') is its most recent occurrence: typed at 00:05,
    23:59 is yesterday's. `where` is the zone clock times are read in (None: the system's).
    """
    reference = reference or now()
    value = " ".join(text.strip().lower().split())
    if value in ("", "now"):
        return reference
    seconds = _relative_seconds(value, text)
    try:
        if seconds is not None:
            return in_range(reference - timedelta(seconds=seconds))
        clock = _CLOCK_TIME.fullmatch(value)
        if clock and (clock.group(3) or clock.group(4)):
            result = _clock_time(clock, text, reference, where, roll_back=not allow_future)
        else:
            result = _parse_iso(text.strip())
        in_range(result)
    except (OverflowError, ValueError):
        raise UsageError(f"the time {text!r} is {OUT_OF_RANGE}; check the year.") from None
    if not allow_future and result > reference + _GRACE:
        raise UsageError(
            f"the time {text!r} is in the future ({show(result, where)}); give a past time."
        )
    return result


def _relative_seconds(value: str, text: str) -> int | None:
    """Seconds before now for '10 min ago' or '-15m'; None when `value` is not relative."""
    negative = value.startswith("-")
    ago = value.endswith("ago")
    if not (negative or ago):
        return None
    body = value.lstrip("-").strip()
    body = body[: -len("ago")].strip() if ago else body
    if not _RELATIVE.fullmatch(body):
        return None
    total = 0
    for number, unit in _RELATIVE_PART.findall(body):
        if unit not in _UNIT_SECONDS:
            raise UsageError(
                f"cannot read the time {text!r}: {unit!r} is not a unit; use s, min, h or d."
            )
        total += int(number) * _UNIT_SECONDS[unit]
    return total


def _clock_time(
    match: re.Match, text: str, reference: datetime, where: tzinfo | None, *, roll_back: bool
) -> datetime:
    day_word, hour_text, minute_text, half = match.groups()
    hour, minute = int(hour_text), int(minute_text or 0)
    if half:
        if not 1 <= hour <= 12:
            raise UsageError(f"cannot read the time {text!r}: use {TIME_HELP}.")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise UsageError(f"cannot read the time {text!r}: use {TIME_HELP}.")
    today = local(reference, where).date()
    day = today - timedelta(days=1) if day_word == "yesterday" else today
    result = _at_local(day, time(hour, minute), where)
    if roll_back and day_word is None and result > reference + _GRACE:
        result = _at_local(today - timedelta(days=1), time(hour, minute), where)
    return result


def _parse_iso(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise UsageError(f"cannot read the time {text!r}: use {TIME_HELP}.") from None
    if parsed.tzinfo is None:
        raise UsageError(
            f"the time {text!r} has no time zone: add Z (UTC) or an offset such as +02:00."
        )
    return parsed.astimezone(UTC).replace(microsecond=0)  # OverflowError: see parse_time


def parse_date(text: str) -> date:
    """A calendar date, YYYY-MM-DD."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"cannot read the date {text!r}: use YYYY-MM-DD.") from None


_TWO_DIGITS = tuple(f"{number:02d}" for number in range(100))


def format_stored(moment: datetime) -> str:
    """The stored form: '2026-11-26T10:02:00Z'. (Put together from two-digit strings made once:
    a quarter of isoformat's cost, a tenth of strftime's; `list --json` writes about ten of
    these per incident, most of them already UTC, as stored times are read.)"""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    two = _TWO_DIGITS
    return (
        f"{moment.year:04d}-{two[moment.month]}-{two[moment.day]}"
        f"T{two[moment.hour]}:{two[moment.minute]}:{two[moment.second]}Z"
    )


def parse_stored(text: str) -> datetime:
    """Read a stored timestamp; raises ValueError when it is not ISO-8601 with a zone or is
    outside MIN_YEAR..MAX_YEAR (then the message is OUT_OF_RANGE)."""
    parsed = datetime.fromisoformat(text.replace("z", "Z"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    if parsed.tzinfo is not UTC:  # the stored form ('...Z') is read as UTC already
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError(OUT_OF_RANGE) from None
    return in_range(parsed)


def in_range(moment: datetime) -> datetime:
    """The time itself; ValueError(OUT_OF_RANGE) when its year is outside MIN_YEAR..MAX_YEAR."""
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise ValueError(OUT_OF_RANGE)
    return moment


def minutes_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def format_duration(start: datetime, end: datetime) -> str:
    """hh:mm, as the report template asks for."""
    total = max(0, int((end - start).total_seconds()) // 60)
    return f"{total // 60:02d}:{total % 60:02d}"
