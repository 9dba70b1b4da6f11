"""Checklist ticks that mean something: each item's fact (pure rules), refusals that say what is
missing, --force --reason, and the ticks the tool makes itself in the same commit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from helpers import Runbook, git, snapshot

from runbook_cli.domain import checklist, config, metrics, model

CONFIG = config.defaults()
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
REPORT = (
    "# Incident 1 – x\n\n## Summary\n\n<!-- One-paragraph overview. -->\n{summary}\n\n"
    "## Timeline\n\n## Resolution & Recovery\n\n<!-- Steps taken. -->\n{resolution}\n"
)


def incident(**changes) -> model.Incident:
    base = model.Incident(1, "Checkout errors", "SEV-2", T0, ["appointment-service"])
    for name, value in changes.items():
        setattr(base, name, value)
    return base


def resolved(**changes) -> model.Incident:
    return incident(**{"status": "resolved", "resolved_at": T0 + timedelta(hours=1), **changes})


def gap(key: str, case: model.Incident, body: str = "", **facts) -> str | None:
    return checklist.missing(key, case, body, CONFIG, **facts)


def test_ticket_needs_resolution_then_summary_and_resolution_written() -> None:
    empty = REPORT.format(summary="", resolution="")
    assert "is investigating, not resolved" in gap("ticket_updated", incident(), empty)
    assert "Summary section is empty" in gap("ticket_updated", resolved(), empty)
    half = REPORT.format(summary="Bookings failed.", resolution="")
    assert "Resolution & Recovery section is empty" in gap("ticket_updated", resolved(), half)
    assert "report set resolution" in gap("ticket_updated", resolved(), half)
    full = REPORT.format(summary="Bookings failed.", resolution="Rolled back.")
    assert gap("ticket_updated", resolved(), full) is None


def test_status_page_needs_resolution_and_an_update_since() -> None:
    assert "is mitigated, not resolved" in gap("status_page_resolved", incident(status="mitigated"))
    assert "no status-page update" in gap("status_page_resolved", resolved())
    before = resolved(last_status_page_update_at=T0 + timedelta(minutes=30))
    assert "no status-page update" in gap("status_page_resolved", before)
    after = resolved(last_status_page_update_at=T0 + timedelta(hours=2))
    assert gap("status_page_resolved", after) is None


def test_postmortem_actions_and_metrics_facts() -> None:
    assert "no post-mortem meeting" in gap("postmortem_scheduled", incident())
    without_invite = incident(postmortem_scheduled_at=T0)
    assert "no attendees, so no invite went out" in gap("postmortem_scheduled", without_invite)
    invited = incident(postmortem_scheduled_at=T0, postmortem_attendees=["Ana"])
    assert gap("postmortem_scheduled", invited) is None
    assert "no action items" in gap("action_items_created", incident())
    item = model.ActionItem(1, "Retry budget", "Lee", T0.date())
    assert gap("action_items_created", incident(action_items=[item])) is None
    assert "not resolved" in gap("metrics_updated", incident())
    assert "(never;" in gap("metrics_updated", resolved())
    stale = T0 + timedelta(minutes=59)
    assert "last at 2026-11-20T09:59:00Z" in gap("metrics_updated", resolved(), **_m(stale))
    # The stamp has minutes only: a write in the minute of resolving counts.
    same_minute = resolved(resolved_at=T0 + timedelta(hours=1, seconds=40))
    assert gap("metrics_updated", same_minute, **_m(T0 + timedelta(hours=1))) is None


def _m(at: datetime) -> dict:
    return {"metrics_written_at": at}


def test_regulated_items_and_a_teams_own_item() -> None:
    affected = incident(data_affected=True)
    assert "people affected is not recorded" in gap("breach_risk_assessment", affected)
    assert gap("breach_risk_assessment", incident(patients_affected=12)) is None
    assert "still open: " in gap("notifications_done", affected)
    assert gap("notifications_done", incident(data_affected=False)) is None
    assert gap("customers_emailed", incident()) is None  # no fact the tool can see


def test_metrics_stamp_round_trips() -> None:
    result = metrics.compute([], CONFIG)
    assert metrics.written_at(metrics.markdown(result, T0)) == T0
    assert metrics.written_at("# Incident metrics\n") is None


# --- through the command line -------------------------------------------------------------------


def test_a_tick_without_its_fact_is_refused_saying_what_is_missing(declared: Runbook, repo) -> None:
    before = snapshot(repo)
    result = declared("checklist", "tick", "status_page_resolved", expect=2)
    assert result.stderr.count("\n") == 1
    assert (
        "cannot tick status_page_resolved: incident 1 is investigating, not resolved: the status "
        "page can say resolved only after that (runbook resolve); tick it anyway with --force "
        "--reason TEXT." in result.stderr
    )
    assert (
        "no post-mortem meeting"
        in declared("checklist", "tick", "postmortem_scheduled", expect=2).stderr
    )
    assert (
        "--reason" in declared("checklist", "tick", "metrics_updated", "--force", expect=2).stderr
    )
    assert snapshot(repo) == before
    shown = declared("checklist").stdout
    assert "missing: it has no action items (runbook action add" in shown
    assert shown.count("missing: ") == 5  # every item, none done yet


def test_force_with_a_reason_ticks_it_recorded_in_timeline_commit_and_audit(
    declared: Runbook, repo
) -> None:
    declared(
        "checklist", "tick", "action-items-created", "--force", "--reason", "tracked in the Q4 epic"
    )
    assert declared.json("checklist")["action_items_created"] is True
    text = next((repo / "docs/runbooks/incidents").glob("*.md")).read_text()
    assert "Ticked with --force although it has no action items" in text
    assert "tracked in the Q4 epic" in text
    assert "Forced: tracked in the Q4 epic" in git(repo, "log", "-1", "--format=%b")
    assert "tracked in the Q4 epic" in declared("audit", "-i", "1").stdout


def test_the_tool_ticks_status_page_resolved_in_the_commit_that_records_the_update(
    declared: Runbook, repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = datetime.now(UTC) - timedelta(minutes=10)
    monkeypatch.setenv("RUNBOOK_NOW", earlier.strftime("%Y-%m-%dT%H:%M:%SZ"))
    declared("comms", "-t", "status-page", "--mark-sent")  # while open: nothing to tick
    monkeypatch.delenv("RUNBOOK_NOW")
    assert declared.json("checklist")["status_page_resolved"] is False
    declared("resolve")
    assert (
        "no status-page update"
        in declared("checklist", "tick", "status_page_resolved", expect=2).stderr
    )
    declared("comms", "-t", "status-page", "--mark-sent", "-i", "1")
    assert declared.json("checklist", "-i", "1")["status_page_resolved"] is True
    body = git(repo, "log", "-1", "--format=%B")
    assert "Comms: status-page" in body and "Checklist: status_page_resolved ticked" in body
    assert len(git(repo, "show", "--name-only", "--format=", "HEAD").split("\n")) == 1


def test_metrics_write_ticks_the_resolved_incidents_it_covers_in_one_commit(
    declared: Runbook, repo
) -> None:
    declared("declare", "Still open", "--severity", "SEV-3", "--service", "admin-console")
    declared("resolve", "-i", "1")
    assert (
        "the metrics were not written since"
        in declared("checklist", "tick", "metrics_updated", "-i", "1", expect=2).stderr
    )
    out = declared("metrics", "--write").stdout
    assert "metrics_updated ticked on incident(s) 1" in out
    assert declared.json("checklist", "-i", "1")["metrics_updated"] is True
    assert declared.json("checklist", "-i", "2")["metrics_updated"] is False  # still open
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert changed[-1] == "docs/runbooks/metrics.md" and len(changed) == 2
    assert git(repo, "log", "-1", "--format=%s").startswith("incident 1: metrics written")
    records = declared.json("audit", "-i", "1")
    assert records[-1]["by_tool"] and "checklist.metrics_updated" in str(records[-1]["changes"])
    declared("checklist", "untick", "metrics_updated", "-i", "1")
    declared("checklist", "tick", "metrics_updated", "-i", "1")  # the written metrics count it


def test_postmortem_schedule_ticks_its_item(declared: Runbook, repo) -> None:
    declared(
        "postmortem", "schedule", "--at", "2099-01-01T10:00:00Z", "--attendee", "Ana", "--ics", "-"
    )
    assert declared.json("checklist")["postmortem_scheduled"] is True
    assert "Checklist: postmortem_scheduled ticked" in git(repo, "log", "-1", "--format=%b")


def test_ticket_updated_is_refused_until_the_resolution_summary_is_written(
    declared: Runbook,
) -> None:
    key = "ticket_updated"
    declared("resolve")
    assert "Summary section is empty" in declared("checklist", "tick", key, expect=2).stderr
    declared("report", "set", "summary", "Bookings failed for 40 minutes.")
    declared("report", "set", "resolution", "Rolled back the deploy.")
    declared("checklist", "tick", key)
