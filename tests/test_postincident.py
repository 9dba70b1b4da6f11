"""Post-incident workflow: checklist, action items, post-mortem deadlines, report, edit, close."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers import Runbook, complete, git, incident_path, snapshot


def test_checklist_tick_untick_and_unknown_key(declared: Runbook, repo: Path) -> None:
    declared("checklist", "tick", "ticket_updated", "--force", "--reason", "in the wiki")
    declared("checklist", "tick", "metrics-updated", "--force", "--reason", "counted by hand")
    declared("checklist", "untick", "ticket_updated")
    assert declared.json("checklist") == {
        "ticket_updated": False,
        "status_page_resolved": False,
        "postmortem_scheduled": False,
        "action_items_created": False,
        "metrics_updated": True,
    }
    assert "[x] metrics_updated" in declared("checklist").stdout
    before = snapshot(repo)
    error = declared("checklist", "tick", "coffee", expect=2).stderr
    assert (
        "unknown checklist item 'coffee'; valid keys: ticket_updated, status_page_resolved, "
        "postmortem_scheduled, action_items_created, metrics_updated." in error
    )
    assert snapshot(repo) == before


def test_config_can_add_checklist_items(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "checklist:\n", "checklist:\n  customers_emailed: Affected customers emailed.\n", 1
        )
    )
    declared("checklist", "tick", "customers_emailed")
    assert declared.json("checklist")["customers_emailed"] is True


def test_action_items_add_done_list(declared: Runbook, repo: Path) -> None:
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    declared("action", "add", "Old thing", "--owner", "Kim", "--due", "2020-01-01")
    declared("action", "done", "1")
    rows = declared.json("action", "list")
    assert [(r["incident"], r["id"], r["done"], r["overdue"]) for r in rows] == [
        (1, 2, False, True),
        (1, 1, True, False),
    ]
    assert [r["id"] for r in declared.json("action", "list", "--overdue")] == [2]
    assert [r["id"] for r in declared.json("action", "list", "--owner", "lee")] == [1]
    text = incident_path(repo).read_text()
    assert "| 1 | Add retry budget | Lee | 2026-12-10 | yes |" in text
    before = snapshot(repo)
    assert (
        "cannot read the date '10/12/2026'"
        in declared("action", "add", "x", "--owner", "Lee", "--due", "10/12/2026", expect=2).stderr
    )
    assert (
        "missing option '--owner'"
        in declared("action", "add", "x", "--due", "2026-12-10", expect=2).stderr
    )
    assert (
        "has no action item 7 (action items: 1, 2)"
        in declared("action", "done", "7", expect=2).stderr
    )
    assert snapshot(repo) == before


def test_postmortem_deadline_sev1_is_48_hours(declared: Runbook) -> None:
    declared("severity", "SEV-1", "--reason", "wider")
    declared("resolve")
    view = declared.json("show", "-i", "1")

    resolved = datetime.fromisoformat(view["resolved_at"].replace("Z", "+00:00"))
    assert view["postmortem"]["due"] == (resolved + timedelta(hours=48)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


@pytest.mark.parametrize(
    ("holidays", "due"),
    [("[]", "2026-12-04T16:00:00Z"), ("['2026-12-01']", "2026-12-07T16:00:00Z")],
)
def test_sev2_deadline_counts_business_days_skipping_weekends_and_holidays(
    runbook: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch, holidays: str, due: str
) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(config.read_text().replace("  holidays: []", f"  holidays: {holidays}"))
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-27T16:00:00Z")  # a Friday
    runbook(
        "declare",
        "Slow search",
        "-s",
        "SEV-2",
        "--service",
        "patient-web",
        "--started-at",
        "1h ago",
    )
    runbook("resolve")
    assert runbook.json("show", "-i", "1")["postmortem"]["due"] == due


def test_sev3_has_no_postmortem_deadline(runbook: Runbook) -> None:
    runbook("declare", "Typo", "-s", "SEV-3", "--service", "patient-web")
    runbook("resolve")
    assert runbook.json("show", "-i", "1")["postmortem"] == {
        "due": None,
        "scheduled_at": None,
        "attendees": [],
    }


def test_report_set_and_report_in_the_seed_shape(declared: Runbook) -> None:
    declared("timeline", "add", "Rolled back")
    declared("report", "set", "root-cause", "-", input="Line one.\nLine two.\n")
    declared("report", "set", "Root Cause", "Replaced text.")
    report = declared("report").stdout
    lines = report.splitlines()
    assert lines[0] == "# Incident 1 – Checkout errors"
    labels = [line.split(":**")[0] for line in lines if line.startswith("- **")]
    assert labels == [
        "- **Date",
        "- **Severity",
        "- **Services Impacted",
        "- **Duration",
        "- **Summary",
        "- **Timeline",
        "- **Root Cause",
        "- **Detection",
        "- **Resolution & Recovery",
        "- **Preventive Actions",
        "- **Attachments",
    ]
    assert "- **Root Cause:** Replaced text." in report and "Line one." not in report
    assert "  - " in report and "Rolled back" in report
    assert (
        "unknown report section 'conclusion'"
        in declared("report", "set", "conclusion", "x", expect=2).stderr
    )


def test_edit_validates_and_commits_or_keeps_the_rejected_draft(
    declared: Runbook, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\np = "
        "pathlib.Path(sys.argv[1])\np.write_text(p.read_text().replace(sys.argv[0] and 'Checkout "
        "errors', 'Checkout errors (edited)', 1))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert "committed" in declared("edit").stdout
    assert declared.json("show")["title"] == "Checkout errors (edited)"
    assert git(repo, "log", "-1", "--format=%s") == "incident 1: edited by hand"
    breaker = tmp_path / "breaker.py"
    breaker.write_text(
        "import sys, pathlib\np = "
        "pathlib.Path(sys.argv[1])\np.write_text(p.read_text().replace('severity: SEV-2', "
        "'severity: SEV-9'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {breaker}")
    before = incident_path(repo).read_bytes()
    error = declared("edit", expect=4).stderr
    assert "unknown severity 'SEV-9'" in error and ".rejected" in error
    assert incident_path(repo).read_bytes() == before
    assert (
        "SEV-9" in incident_path(repo).with_name(incident_path(repo).name + ".rejected").read_text()
    )


def test_close_refuses_until_complete_then_closes(declared: Runbook, repo: Path) -> None:
    declared("resolve")
    before = snapshot(repo)
    error = declared("close", "-i", "1", expect=2).stderr
    assert (
        "cannot be closed yet" in error
        and "'Root Cause' is empty" in error
        and "checklist items not done" in error
    )
    assert snapshot(repo) == before
    assert "needs --reason" in declared("close", "-i", "1", "--force", expect=2).stderr
    complete(declared)
    declared("comms", "-t", "status-page", "--mark-sent", "-i", "1")  # ticks status_page_resolved
    declared("metrics", "--write")  # ticks metrics_updated
    for key in (
        "ticket_updated",
        "status_page_resolved",
        "postmortem_scheduled",
        "action_items_created",
        "metrics_updated",
    ):
        declared("checklist", "tick", key, "-i", "1")
    declared("close", "-i", "1")
    view = declared.json("show", "-i", "1")
    assert view["status"] == "closed" and view["closed_at"]
    assert declared("check", "--all").exit_code == 0


def test_close_force_records_the_reason(declared: Runbook, repo: Path) -> None:
    declared("resolve")
    declared("close", "-i", "1", "--force", "--reason", "duplicate of incident 0")
    assert "close_reason: duplicate of incident 0" in incident_path(repo).read_text()
    assert "Forced: duplicate of incident 0" in git(repo, "log", "-1", "--format=%b")
    assert json.loads(declared("check", "--all", "--format", "json", expect=1).stdout)["findings"]
