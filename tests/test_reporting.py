"""Metrics against hand-computed values, the audit trail, search, and the cache staying correct."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from helpers import Runbook, git

# Three incidents with hand-picked times (minutes after 10:00 on 2026-11-02):
#  1 SEV-1: started 0, detected 4, ack 6 (MTTA 2), resolved 64 (MTTR 60, impact 64)
#  2 SEV-2: started 0 (Dec), detected 10, ack 25 (MTTA 15, a breach of 5), resolved 40
#    (MTTR 30, impact 40)
#  3 SEV-1: started 0, no ack, still open (missing MTTA, MTTR and impact)


def declare_at(
    runbook: Runbook,
    title: str,
    severity: str,
    service: str,
    started: str,
    detected: str,
    monkeypatch: pytest.MonkeyPatch,
    now: str,
) -> None:
    monkeypatch.setenv("RUNBOOK_NOW", now)
    runbook(
        "declare",
        title,
        "-s",
        severity,
        "--service",
        service,
        "--started-at",
        started,
        "--detected-at",
        detected,
    )


@pytest.fixture
def three(runbook: Runbook, monkeypatch: pytest.MonkeyPatch) -> Runbook:
    declare_at(
        runbook,
        "One",
        "SEV-1",
        "patient-web",
        "2026-11-02T10:00:00Z",
        "2026-11-02T10:04:00Z",
        monkeypatch,
        "2026-11-02T10:05:00Z",
    )
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-02T12:00:00Z")
    runbook("ack", "-i", "1", "--at", "2026-11-02T10:06:00Z")
    runbook("resolve", "-i", "1", "--at", "2026-11-02T11:04:00Z")
    declare_at(
        runbook,
        "Two",
        "SEV-2",
        "doctor-hub",
        "2026-12-01T10:00:00Z",
        "2026-12-01T10:10:00Z",
        monkeypatch,
        "2026-12-01T10:11:00Z",
    )
    monkeypatch.setenv("RUNBOOK_NOW", "2026-12-01T12:00:00Z")
    runbook("ack", "-i", "2", "--at", "2026-12-01T10:25:00Z")
    runbook("resolve", "-i", "2", "--at", "2026-12-01T10:40:00Z")
    declare_at(
        runbook,
        "Three",
        "SEV-1",
        "patient-web",
        "2026-12-02T10:00:00Z",
        "2026-12-02T10:00:00Z",
        monkeypatch,
        "2026-12-02T10:01:00Z",
    )
    return runbook


def test_metrics_match_hand_computed_values(three: Runbook) -> None:
    result = three.json("metrics")
    assert result["incidents"] == 3
    assert result["mtta_minutes"] == {"mean": 8.5, "median": 8.5, "p90": 13.7}  # 2 and 15
    assert result["mttr_minutes"] == {"mean": 45.0, "median": 45.0, "p90": 57.0}  # 60 and 30
    assert result["impact_minutes"] == {"mean": 52.0, "median": 52.0, "p90": 61.6}  # 64 and 40
    assert result["by_severity"] == {"SEV-0": 0, "SEV-1": 2, "SEV-2": 1, "SEV-3": 0}
    assert result["by_service"] == {"doctor-hub": 1, "patient-web": 2}
    assert result["by_month"] == {
        "2026-11": {"SEV-0": 0, "SEV-1": 1, "SEV-2": 0, "SEV-3": 0},
        "2026-12": {"SEV-0": 0, "SEV-1": 1, "SEV-2": 1, "SEV-3": 0},
    }
    assert result["ack_slo_breaches"] == 1 and result["ack_slo_breach_incidents"] == [2]
    assert result["missing"] == {"mtta": [3], "mttr": [3], "impact": [3]}


def test_metrics_filters_csv_and_empty_data(three: Runbook, runbook: Runbook) -> None:
    assert three.json("metrics", "--since", "2026-12-01", "--until", "2026-12-01")["incidents"] == 1
    assert three.json("metrics", "--severity", "SEV-1")["mttr_minutes"] == {
        "mean": 60.0,
        "median": 60.0,
        "p90": 60.0,
    }
    empty = three.json("metrics", "--service", "nothing-here")
    assert (
        empty["incidents"] == 0
        and empty["mtta_minutes"] is None
        and empty["mttr_minutes"] is None
        and empty["impact_minutes"] is None
    )
    rows = list(csv.reader(io.StringIO(three("metrics", "--csv").stdout)))
    assert rows[0][:3] == ["id", "started_at", "severity"] and rows[1] == [
        "1",
        "2026-11-02T10:00:00Z",
        "SEV-1",
        "resolved",
        "patient-web",
        "2.0",
        "60.0",
        "64.0",
    ]
    assert rows[3][5:] == ["", "", ""]
    text = three("metrics").stdout
    assert "MTTR" in text and "2026-12 ▓▒ 2" in text


def test_metrics_write_commits_the_page(three: Runbook, repo: Path) -> None:
    three("metrics", "--write")
    page = (repo / "docs/runbooks/metrics.md").read_text()
    assert "**3 incidents.**" in page and "| 2026-12 | 0 | 1 | 1 | 0 | 2 |" in page
    # One commit: the page, and the resolved incidents whose metrics_updated item it ticked.
    committed = git(repo, "show", "--name-only", "--format=", "HEAD").split("\n")
    assert committed[-1] == "docs/runbooks/metrics.md"
    resolved = [i["id"] for i in three.json("list") if i["status"] == "resolved"]
    assert len(committed) == 1 + len(resolved) and resolved
    assert all(three.json("checklist", "-i", str(number))["metrics_updated"] for number in resolved)
    head = git(repo, "rev-parse", "HEAD")
    assert "unchanged" in three("metrics", "--write").stdout
    assert git(repo, "rev-parse", "HEAD") == head


def test_list_grep_and_until(three: Runbook, repo: Path) -> None:
    three("timeline", "add", "Rolled back the Kubernetes deployment", "-i", "2")
    assert [v["id"] for v in three.json("list", "--grep", "kubernetes")] == [2]
    assert [v["id"] for v in three.json("list", "--grep", "three")] == [3]  # the title
    assert [v["id"] for v in three.json("list", "--until", "2026-11-30")] == [1]


def test_audit_reports_cli_changes_and_flags_hand_edits(three: Runbook, repo: Path) -> None:
    three("severity", "SEV-0", "-i", "3", "--reason", "data exposed")
    path = next((repo / "docs/runbooks/incidents").glob("*-incident-3.md"))
    path.write_text(
        path.read_text()
        .replace("title: Three", "title: Three (renamed in review)")
        .replace("- 2026-12-02 10:01:00 UTC", "- 2026-12-02 10:01:30 UTC")
    )
    git(repo, "commit", "-qam", "Reviewer: clarify title")
    records = three.json("audit", "-i", "3")
    assert [r["by_tool"] for r in records] == [True, True, False]
    assert {"field": "severity", "old": "SEV-1", "new": "SEV-0"} in records[1]["changes"]
    assert any(
        c["field"] == "timeline" and c["old"] is None and "Severity SEV-1 → SEV-0" in c["new"]
        for c in records[1]["changes"]
    )
    hand = records[2]
    assert hand["message"] == "Reviewer: clarify title" and hand["author"].startswith(
        "Avery Oncall"
    )
    assert {"field": "title", "old": "Three", "new": "Three (renamed in review)"} in hand["changes"]
    assert any(
        c["field"] == "timeline"
        and c["old"].startswith("- 2026-12-02 10:01:00")
        and c["new"].startswith("- 2026-12-02 10:01:30")
        for c in hand["changes"]
    )
    everything = three.json("audit")
    assert {r["incident"] for r in everything} == {1, 2, 3}
    assert "[edited outside runbook]" in three("audit", "-i", "3").stdout


def cold(runbook: Runbook, repo: Path, *args: str) -> object:
    (repo / ".git/runbook-index.json").unlink(missing_ok=True)
    return runbook.json(*args)


def test_cache_always_matches_a_cold_run(three: Runbook, repo: Path) -> None:
    warm = three.json("list")
    assert (repo / ".git/runbook-index.json").exists()
    assert warm == cold(three, repo, "list")
    path = next((repo / "docs/runbooks/incidents").glob("*-incident-2.md"))
    path.write_text(
        path.read_text().replace("title: Two", "title: Two edited")
    )  # a hand edit, same second
    assert three.json("list") == cold(three, repo, "list")
    assert [v["title"] for v in three.json("list") if v["id"] == 2] == ["Two edited"]
    path.write_text(path.read_text().replace("title: Two edited", "title: Owt edited"))  # same size
    assert [v["title"] for v in three.json("list") if v["id"] == 2] == ["Owt edited"]
    git(repo, "commit", "-qam", "edit")
    git(repo, "checkout", "-qb", "other")
    three("severity", "SEV-2", "-i", "3")
    assert three.json("metrics") == cold(three, repo, "metrics")
    git(repo, "checkout", "-q", "main")
    assert three.json("list") == cold(three, repo, "list")
    assert [v["severity"] for v in three.json("list") if v["id"] == 3] == ["SEV-1"]
    path.unlink()
    assert (
        [v["id"] for v in three.json("list")]
        == [3, 1]
        == [v["id"] for v in cold(three, repo, "list")]
    )


def test_a_corrupt_cache_is_ignored(three: Runbook, repo: Path) -> None:
    expected = three.json("list")
    (repo / ".git/runbook-index.json").write_text("{not json")
    assert three.json("list") == expected
