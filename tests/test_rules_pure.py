"""Pure rules with no repository: post-mortem deadlines and metrics."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runbook_cli.domain import config, deadlines, generated, inputs, metrics, model
from runbook_cli.errors import UsageError

SEED = config.defaults()


def incident(**facts: object) -> model.Incident:
    meta = {
        "id": 7,
        "title": "Bookings fail",
        "severity": "SEV-1",
        "status": "investigating",
        "services": ["appointment-service"],
        "started_at": "2026-11-20T10:00:00Z",
        **facts,
    }
    return model.from_meta(meta, SEED)


@pytest.mark.parametrize(
    ("severity", "resolved", "due"),
    [
        ("SEV-0", "2026-11-20T12:00:00Z", datetime(2026, 11, 22, 12, tzinfo=UTC)),
        ("SEV-1", "2026-11-20T12:00:00Z", datetime(2026, 11, 22, 12, tzinfo=UTC)),
        # Friday: five business days later is the next Friday
        ("SEV-2", "2026-11-20T12:00:00Z", datetime(2026, 11, 27, 12, tzinfo=UTC)),
        ("SEV-3", "2026-11-20T12:00:00Z", None),
    ],
)
def test_postmortem_deadlines_follow_the_runbook(
    severity: str, resolved: str, due: datetime | None
) -> None:
    resolved_incident = incident(
        severity=severity, status="resolved", mitigated_at=resolved, resolved_at=resolved
    )
    assert deadlines.postmortem_due(resolved_incident, SEED) == due
    assert deadlines.postmortem_due(incident(severity=severity), SEED) is None


def test_holidays_are_skipped_with_weekends() -> None:
    friday = datetime(2026, 12, 18, 9, tzinfo=UTC)
    christmas_week = {date(2026, 12, 24), date(2026, 12, 25)}
    assert deadlines.add_business_days(friday, 5, christmas_week) == datetime(
        2026, 12, 29, 9, tzinfo=UTC
    )


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)),
    st.integers(min_value=1, max_value=30),
)
def test_business_days_land_on_a_weekday_at_least_as_many_days_later(
    start: datetime, days: int
) -> None:
    end = deadlines.add_business_days(start.replace(tzinfo=UTC), days, set())
    assert end.weekday() < 5
    assert days <= (end - start.replace(tzinfo=UTC)).days <= days + 2 * (days // 5 + 1)
    assert end.time() == start.time()


def test_durations_count_from_detection_and_leave_gaps_empty() -> None:
    measured = metrics.durations(
        incident(
            detected_at="2026-11-20T10:05:00Z",
            acknowledged_at="2026-11-20T10:08:00Z",
            status="resolved",
            mitigated_at="2026-11-20T11:00:00Z",
            resolved_at="2026-11-20T12:05:00Z",
        )
    )
    assert measured == {"mtta": 3.0, "mttr": 120.0, "impact": 125.0}
    assert metrics.durations(incident()) == {"mtta": None, "mttr": None, "impact": None}


def test_summary_is_mean_median_and_interpolated_p90() -> None:
    assert metrics.summary([]) is None
    assert metrics.summary([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]) == {
        "mean": 55.0,
        "median": 55.0,
        "p90": 91.0,
    }


def test_counts_by_severity_list_every_level_of_the_config() -> None:
    result = metrics.compute([incident(), incident(id=8, severity="SEV-3")], SEED)
    assert result["by_severity"] == {"SEV-0": 0, "SEV-1": 1, "SEV-2": 0, "SEV-3": 1}


def test_no_finding_repeats_what_the_guard_refuses() -> None:
    """`check` prints findings in CI logs, annotations and the step summary: a rule that quotes
    the line it cannot read must not quote a patient identifier the guard found there."""
    from runbook_cli.domain import rules
    from runbook_cli.domain.sensitive import Guard

    text = (
        "---\nid: 7\ntitle: Bookings fail\nseverity: SEV-1\nstatus: investigating\n"
        "services: [appointment-service]\nstarted_at: '2026-11-20T10:00:00Z'\n---\n"
        "# Incident 7 – Bookings fail\n\n## Timeline\n\n"
        "- called back patient SSN 123-45-6789 about it\n"
    )
    judged, _ = rules.judge_text("x.md", text.encode(), SEED, Guard())
    findings = [finding for finding, _ in judged.findings]
    assert {"sensitive", "timeline"} <= {f.rule for f in findings}
    for finding in findings:
        assert "6789" not in finding.message and "123-45" not in finding.message, finding


def test_paths_are_shown_from_the_root_as_pathlib_would() -> None:
    from pathlib import Path

    from runbook_cli.adapters.store import Store

    store = Store(Path("/srv/repo"), SEED, Path("/srv/repo/.git"))
    inside = Path("/srv/repo/docs/runbooks/incidents/2026-11-27-incident-1.md")
    assert store.relative(inside) == inside.relative_to("/srv/repo").as_posix()
    assert store.shown(inside) == "docs/runbooks/incidents/2026-11-27-incident-1.md"
    assert store.shown(Path("/srv/repo2/x.md")) == "/srv/repo2/x.md"  # a sibling, not inside
    assert store.shown(Path("/tmp/x.md")) == "/tmp/x.md"


def test_one_duration_rule_for_the_file_and_the_terminal() -> None:
    start = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    later = datetime(2026, 11, 27, 10, 41, tzinfo=UTC)
    assert generated.span(start, later, called_off=False) == "01:41"
    assert generated.span(start, later, called_off=True, now=start) == "01:41"
    assert generated.span(start, None, called_off=True, now=later) == "—"
    assert generated.span(start, None, called_off=False) == "ongoing"
    assert generated.span(start, None, called_off=False, now=later, ongoing="+") == "01:41+"


def test_typed_facts_are_checked_without_a_repository() -> None:
    seed = config.defaults()
    assert inputs.services(["patient-web, billing", "patient-web"], seed) == (
        ["patient-web", "billing"],
        ["billing"],
    )
    assert inputs.tags(["DB,release-train", "db"]) == ["db", "release-train"]
    assert inputs.detection("User report") == "user-report"
    assert inputs.counts({"patients_affected": 3, "appointments_failed": None}) == {
        "patients_affected": 3
    }
    assert inputs.related([2, 3, 2], own=1, known={2, 3}) == [2, 3]
    for wrong in (
        lambda: inputs.services([" , "], seed),
        lambda: inputs.tags(["no spaces"]),
        lambda: inputs.counts({"patients_affected": -1}),
        lambda: inputs.related([1], own=1, known={1}),
        lambda: inputs.related([9], own=1, known={2}),
    ):
        with pytest.raises(UsageError):
            wrong()
