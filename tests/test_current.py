"""The current incident (`use`, `declare`, `close`), and closed meaning closed (`reopen`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Runbook, complete, git, snapshot


def close_incident(runbook: Runbook, number: str = "1") -> None:
    runbook("resolve", "-i", number)
    runbook("close", "-i", number, "--force", "--reason", "report done elsewhere")


def test_declare_makes_the_new_incident_current_and_close_clears_it(
    declared: Runbook, repo: Path
) -> None:
    declared("use", "1")
    close_incident(declared)
    assert "No incident is chosen" in declared("use").stdout
    declared("declare", "Second outage", "-s", "SEV-2", "--service", "web")
    assert "Current incident: 2 (Second outage)" in declared("use").stdout
    declared("timeline", "add", "goes to the new one")
    declared("status", "mitigated")
    assert declared.json("show", "-i", "2")["status"] == "mitigated"
    first = declared.json("show", "-i", "1")
    assert first["status"] == "closed" and first["closed_at"] and first["resolved_at"]
    assert all("goes to the new one" not in e["text"] for e in first["timeline"])


def test_use_shows_chooses_and_clears(declared: Runbook, repo: Path) -> None:
    declared("declare", "Second", "-s", "SEV-3", "--service", "web")
    assert "Current incident: 2 (Second)" in declared("use").stdout
    declared("use", "1")
    assert "Current incident: 1 (Checkout errors)" in declared("use").stdout
    assert "Cleared the current incident" in declared("use", "--clear").stdout
    assert "No incident is chosen" in declared("use").stdout
    error = declared("timeline", "add", "which?", expect=2).stderr
    assert "2 incidents are open" in error
    assert "nothing to clear" in declared("use", "--clear").stdout.lower()


@pytest.mark.parametrize(
    "command",
    [
        ("timeline", "add", "late note"),
        ("status", "mitigated"),
        ("severity", "SEV-1"),
        ("ack",),
        ("resolve",),
        ("checklist", "untick", "ticket_updated"),
        ("report", "set", "summary", "rewritten"),
        ("action", "add", "More", "--owner", "Lee", "--due", "2026-12-10"),
        ("assign", "--commander", "Kim"),
        ("escalate", "--to", "head-of-engineering"),
    ],
)
def test_a_closed_incident_refuses_every_write_naming_reopen(
    declared: Runbook, repo: Path, command: tuple[str, ...]
) -> None:
    close_incident(declared)
    declared("use", "1")  # even when chosen explicitly (or closed by a teammate)
    before = snapshot(repo)
    for args in (command, (*command, "-i", "1")):
        error = declared(*args, expect=2).stderr
        assert "incident 1 is closed" in error and "runbook reopen -i 1 --reason" in error, error
        assert error.count("\n") == 1
    assert snapshot(repo) == before


def test_action_items_of_a_closed_incident_can_still_be_finished(declared: Runbook) -> None:
    declared("action", "add", "Retry budget", "--owner", "Lee", "--due", "2026-12-10")
    close_incident(declared)
    declared("action", "done", "1", "-i", "1")
    assert declared.json("show", "-i", "1")["status"] == "closed"


def test_reopen_needs_a_reason_records_it_and_clears_the_closed_state(
    declared: Runbook, repo: Path
) -> None:
    close_incident(declared)
    before = snapshot(repo)
    assert "--reason" in declared("reopen", "-i", "1", expect=2).stderr
    assert snapshot(repo) == before
    out = declared("reopen", "-i", "1", "--reason", "the report missed the second outage").stdout
    assert "reopened" in out
    view = declared.json("show", "-i", "1")
    assert view["status"] == "resolved" and view["closed_at"] is None and view["resolved_at"]
    assert view.get("close_reason") is None
    last = view["timeline"][-1]["text"]
    assert "Reopened" in last and "the report missed the second outage" in last
    assert "Reopen: the report missed the second outage" in git(repo, "log", "-1", "--format=%B")
    assert "Current incident: 1" in declared("use").stdout
    declared("timeline", "add", "writable again")  # the choice and the incident both work


def test_reopen_to_an_active_status_clears_the_later_stages(declared: Runbook) -> None:
    close_incident(declared)
    declared("reopen", "-i", "1", "--reason", "errors are back", "--status", "investigating")
    view = declared.json("show", "-i", "1")
    assert view["status"] == "investigating"
    assert view["resolved_at"] is None and view["closed_at"] is None
    assert view["postmortem"]["due"] is None if "postmortem" in view else True


def test_reopen_refuses_an_incident_that_is_not_closed(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    error = declared("reopen", "-i", "1", "--reason", "x", expect=2).stderr
    assert "incident 1 is not closed (it is investigating)" in error
    assert snapshot(repo) == before


def test_without_i_the_only_resolved_incident_is_picked_after_resolution(
    runbook: Runbook,
) -> None:
    runbook("declare", "One", "-s", "SEV-2", "--service", "web")
    runbook("declare", "Two", "-s", "SEV-2", "--service", "web")
    runbook("resolve", "-i", "1")
    runbook("resolve", "-i", "2")
    runbook("close", "-i", "1", "--force", "--reason", "tracked in 2")
    runbook("use", "--clear")
    complete_two = runbook("checklist", "tick", "ticket_updated", "--force", "--reason", "wiki")
    assert "incident 2" in complete_two.stdout
    assert runbook.json("show")["id"] == 2


def test_two_resolved_incidents_are_listed_not_guessed(runbook: Runbook) -> None:
    runbook("declare", "One", "-s", "SEV-2", "--service", "web")
    runbook("declare", "Two", "-s", "SEV-2", "--service", "web")
    runbook("resolve", "-i", "1")
    runbook("resolve", "-i", "2")
    runbook("use", "--clear")
    error = runbook("checklist", "tick", "ticket_updated", expect=2).stderr
    assert "1 (One)" in error and "2 (Two)" in error and "pass -i ID" in error


def test_complete_report_then_close_without_i(declared: Runbook) -> None:
    declared("resolve")
    complete(declared)
    declared("close", "--force", "--reason", "checklist kept elsewhere")
    assert declared.json("show", "-i", "1")["status"] == "closed"
