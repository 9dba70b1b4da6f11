"""Incidents that end without being resolved: `cancel` (a false alarm) and `duplicate-of N`;
both count apart in metrics, owe no report, refuse writes like a closed incident and reopen."""

from __future__ import annotations

from pathlib import Path

from helpers import Runbook, git, snapshot


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_cancel_records_a_false_alarm_left_out_of_the_measures(
    declared: Runbook, repo: Path
) -> None:
    declared("ack")
    before = commits(repo)
    out = declared("cancel", "--reason", "the health check itself was broken").stdout
    assert "cancelled (false alarm)" in out
    assert commits(repo) == before + 1
    only = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert only == [declared.json("show", "-i", "1")["path"]]
    message = git(repo, "log", "-1", "--format=%B")
    assert "Status: investigating -> cancelled" in message
    assert "Cancel: the health check itself was broken" in message
    view = declared.json("show", "-i", "1")
    assert view["status"] == "cancelled" and view["closed_at"]
    assert view["close_reason"] == "the health check itself was broken"
    assert view["timeline"][-1]["text"] == (
        "Cancelled as a false alarm (was investigating): the health check itself was broken"
    )
    assert view["missing_sections"] == []  # a false alarm owes no report
    assert "No incident is chosen" in declared("use").stdout  # as after close
    assert (
        "- **Cancelled:** false alarm: the health check itself was broken"
        in declared("report", "-i", "1").stdout
    )
    measured = declared.json("metrics")
    assert measured["incidents"] == 0 and measured["cancelled"] == 1
    assert measured["mtta_minutes"] is None  # its acknowledgement is not measured
    declared("check", "--all")


def test_cancel_refusals_change_nothing(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    assert "needs --reason" in declared("cancel", expect=2).stderr
    assert "runbook cancel --reason" in declared("status", "cancelled", expect=2).stderr
    assert snapshot(repo) == before
    declared("resolve")
    declared("close", "--force", "--reason", "done elsewhere")
    before = snapshot(repo)
    error = declared("cancel", "-i", "1", "--reason", "x", expect=2).stderr
    assert "incident 1 is closed" in error and "runbook reopen -i 1" in error
    assert snapshot(repo) == before


def test_a_cancelled_incident_refuses_writes_and_reopens_where_it_was(
    declared: Runbook, repo: Path
) -> None:
    declared("status", "mitigated")
    declared("cancel", "--reason", "not an outage")
    before = snapshot(repo)
    for args in (("timeline", "add", "late"), ("cancel", "--reason", "again"), ("join",)):
        error = declared(*args, "-i", "1", expect=2).stderr
        assert "incident 1 is cancelled" in error and "runbook reopen -i 1" in error
    assert snapshot(repo) == before
    declared("reopen", "-i", "1", "--reason", "errors after all")
    view = declared.json("show", "-i", "1")
    assert view["status"] == "mitigated" and view["mitigated_at"]
    assert view["closed_at"] is None and view["close_reason"] is None
    assert view["timeline"][-1]["text"] == "Reopened (cancelled → mitigated): errors after all"
    assert "Status: cancelled -> mitigated" in git(repo, "log", "-1", "--format=%B")


def test_duplicate_of_closes_pointing_at_the_original(declared: Runbook, repo: Path) -> None:
    declared("declare", "Checkout errors again", "-s", "SEV-2", "--service", "appointment-service")
    before = commits(repo)
    out = declared("duplicate-of", "1").stdout  # the current incident: 2, just declared
    assert "incident 2: closed as a duplicate of incident 1" in out
    assert commits(repo) == before + 1
    assert "Duplicate-Of: 1" in git(repo, "log", "-1", "--format=%B")
    view = declared.json("show", "-i", "2")
    assert view["status"] == "closed" and view["duplicate_of"] == 1 and view["closed_at"]
    assert view["timeline"][-1]["text"].startswith(
        "Closed as a duplicate of incident 1 (Checkout errors); was investigating."
    )
    assert "duplicate of 1" in declared("show", "-i", "2").stdout
    listed = declared("list").stdout
    assert "duplicate of 1" in listed
    assert {v["id"]: v["duplicate_of"] for v in declared.json("list")} == {1: None, 2: 1}
    assert "- **Duplicate of:** incident 1" in declared("report", "-i", "2").stdout
    assert "- **Duplicate of:** incident 1" in (repo / view["path"]).read_text()
    site = repo.parent / "site"
    declared("site", "--out", str(site))
    assert "duplicate of 1" in next((site / "incidents").glob("*incident-2.html")).read_text()
    assert "duplicate of 1" in (site / "index.html").read_text()
    measured = declared.json("metrics")
    assert measured["incidents"] == 1 and measured["duplicates"] == 1
    assert "No incident is chosen" in declared("use").stdout
    declared("check", str(repo / view["path"]))  # never resolved, no report, no checklist: fine
    before = snapshot(repo)
    error = declared("timeline", "add", "more", "-i", "2", expect=2).stderr
    assert "incident 2 is closed as a duplicate of 1" in error
    assert snapshot(repo) == before
    declared("reopen", "-i", "2", "--reason", "a different cause")
    view = declared.json("show", "-i", "2")
    assert view["status"] == "investigating" and view["duplicate_of"] is None


def test_duplicate_of_refusals_change_nothing(declared: Runbook, repo: Path) -> None:
    declared("declare", "Again", "-s", "SEV-2", "--service", "appointment-service")
    declared("declare", "And again", "-s", "SEV-2", "--service", "appointment-service")
    declared("duplicate-of", "1", "-i", "2")
    before = snapshot(repo)
    for args, said in (
        (("duplicate-of", "3", "-i", "3"), "incident 3 cannot be a duplicate of itself"),
        (("duplicate-of", "9", "-i", "3"), "there is no incident 9"),
        (("duplicate-of", "2", "-i", "3"), "incident 2 is itself a duplicate of incident 1"),
        (("duplicate-of", "3", "-i", "2"), "incident 2 is closed as a duplicate of 1"),
    ):
        error = declared(*args, expect=2).stderr
        assert said in error and error.count("\n") == 1, error
    assert snapshot(repo) == before
