"""Times as a tired responder types them, read against a fixed 'now' (pure: no git, no disk)."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runbook_cli.domain import clock
from runbook_cli.errors import UsageError

NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
JUST_AFTER_MIDNIGHT = datetime(2026, 11, 27, 0, 5, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "minutes_ago"),
    [
        ("10 min ago", 10),
        ("5 minutes ago", 5),
        ("2 hours ago", 120),
        ("1 hour 30 min ago", 90),
        ("1h30m ago", 90),
        ("90s ago", 1.5),
        ("-15m", 15),
        ("1 day ago", 1440),
        ("  3   mins   ago ", 3),
    ],
)
def test_relative_times_in_words(text: str, minutes_ago: float) -> None:
    parsed = clock.parse_time(text, reference=NOON, where=UTC)
    assert parsed == NOON - timedelta(minutes=minutes_ago)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3am", datetime(2026, 11, 26, 3, 0, tzinfo=UTC)),
        ("3 AM", datetime(2026, 11, 26, 3, 0, tzinfo=UTC)),
        ("11:15pm", datetime(2026, 11, 25, 23, 15, tzinfo=UTC)),  # tonight's is still to come
        ("12am", datetime(2026, 11, 26, 0, 0, tzinfo=UTC)),
        ("12pm", datetime(2026, 11, 26, 12, 0, tzinfo=UTC)),
        ("yesterday 23:00", datetime(2026, 11, 25, 23, 0, tzinfo=UTC)),
        ("today 9am", datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        ("10:30", datetime(2026, 11, 26, 10, 30, tzinfo=UTC)),
    ],
)
def test_clock_times_are_the_most_recent_past_occurrence(text: str, expected: datetime) -> None:
    assert clock.parse_time(text, reference=NOON, where=UTC) == expected


def test_a_clock_time_typed_just_after_midnight_is_yesterdays() -> None:
    assert clock.parse_time("23:59", reference=JUST_AFTER_MIDNIGHT, where=UTC) == datetime(
        2026, 11, 26, 23, 59, tzinfo=UTC
    )
    assert clock.parse_time("00:04", reference=JUST_AFTER_MIDNIGHT, where=UTC) == datetime(
        2026, 11, 27, 0, 4, tzinfo=UTC
    )


def test_clock_times_are_read_in_the_responders_zone_and_stored_in_utc() -> None:
    # 00:05 UTC is 01:05 in Berlin: "1am" there is 00:00 UTC, "23:59" is Berlin's yesterday.
    assert clock.parse_time("1am", reference=JUST_AFTER_MIDNIGHT, where=BERLIN) == datetime(
        2026, 11, 27, 0, 0, tzinfo=UTC
    )
    assert clock.parse_time("23:59", reference=JUST_AFTER_MIDNIGHT, where=BERLIN) == datetime(
        2026, 11, 26, 22, 59, tzinfo=UTC
    )


def test_an_explicit_today_in_the_future_is_refused_not_moved() -> None:
    with pytest.raises(UsageError, match="in the future"):
        clock.parse_time("today 23:00", reference=NOON, where=UTC)


def test_future_times_are_allowed_only_when_asked_and_then_not_rolled_back() -> None:
    assert clock.parse_time("15:00", reference=NOON, where=UTC, allow_future=True) == datetime(
        2026, 11, 26, 15, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["13pm", "25:00", "10 parsecs ago", "3", "yesterday", "soon"])
def test_unreadable_times_say_what_is_accepted(text: str) -> None:
    with pytest.raises(UsageError, match=r"cannot read the time|not a unit"):
        clock.parse_time(text, reference=NOON, where=UTC)


def test_shown_times_always_name_their_zone() -> None:
    moment = datetime(2026, 11, 26, 10, 2, tzinfo=UTC)
    assert clock.show(moment, UTC) == "2026-11-26 10:02 UTC"
    assert clock.show(moment, BERLIN) == "2026-11-26 11:02 CET"
    assert clock.show_clock(moment, ZoneInfo("America/New_York")) == "05:02 EST"
    assert clock.show(None, BERLIN) == "—"


def test_unknown_zone_names_are_refused_in_one_sentence() -> None:
    with pytest.raises(UsageError, match="unknown time zone 'Mars/Olympus'"):
        clock.zone("Mars/Olympus")
    assert clock.zone(None) is None


@given(
    moment=st.datetimes(
        min_value=datetime(clock.MIN_YEAR, 1, 2), max_value=datetime(clock.MAX_YEAR, 12, 30)
    ),
    offset=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_the_stored_form_is_utc_to_the_second_and_reads_back(moment: datetime, offset: int) -> None:
    zoned = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    stored = clock.format_stored(zoned)
    assert stored == zoned.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert clock.parse_stored(stored) == zoned.replace(microsecond=0)
