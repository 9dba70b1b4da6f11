"""Facts after declare (runbook set …) and at declare: title, summary, services, impact numbers,
detection, tags, related incidents; each in the timeline and one commit; summed in metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot


def texts(runbook: Runbook, incident: str = "1") -> list[str]:
    return [entry["text"] for entry in runbook.json("show", "-i", incident)["timeline"]]


def test_declare_takes_every_fact_and_says_them_in_the_timeline(declared: Runbook) -> None:
    declared(
        "declare",
        "Reminders not sent",
        "-s",
        "SEV-2",
        "--service",
        "admin-console",
        "--patients",
        "120",
        "--appointments-missed",
        "33",
        "--detected-by",
        "user-report",
        "--tag",
        "Notifications",
        "--tag",
        "sms,notifications",
        "--related",
        "1",
    )
    view = declared.json("show", "-i", "2")
    assert (view["patients_affected"], view["appointments_missed"]) == (120, 33)
    assert view["appointments_failed"] is None
    assert view["detection"] == "user-report"
    assert view["tags"] == ["notifications", "sms"]
    assert view["related"] == [1]
    assert texts(declared, "2")[0].endswith(
        "Patients affected: 120. Appointments missed: 33. Detected by: user-report. "
        "Tags: notifications, sms. Related incidents: 1."
    )


def test_set_title_summary_and_services_are_timeline_entries_and_commits(
    declared: Runbook, repo: Path
) -> None:
    declared("set", "title", "Checkout fails on iOS")
    assert declared.json("show")["title"] == "Checkout fails on iOS"
    assert "Title: Checkout fails on iOS (was: Checkout errors)" in texts(declared)
    assert (
        "# Incident 1 – Checkout fails on iOS"
        in next((repo / "docs/runbooks/incidents").glob("*-incident-1.md")).read_text()
    )
    declared("set", "summary", "-", input="Most iOS patients could not pay.\nSecond line.\n")
    assert declared.json("show")["summary"] == "Most iOS patients could not pay.\nSecond line."
    assert "Summary updated: Most iOS patients could not pay." in texts(declared)
    result = declared("set", "services", "appointment-service", "payments-gateway")
    assert "payments-gateway not in the config's services" in result.stderr
    assert declared.json("show")["services"] == ["appointment-service", "payments-gateway"]
    assert "Services: appointment-service, payments-gateway (was appointment-service)" in texts(
        declared
    )
    subjects = git(repo, "log", "-3", "--format=%s").splitlines()
    assert subjects == [
        "incident 1: services: appointment-service, payments-gateway",
        "incident 1: summary updated",
        "incident 1: title: Checkout fails on iOS",
    ]


def test_set_impact_detection_tags_related(declared: Runbook, repo: Path) -> None:
    declared("declare", "Older one", "-s", "SEV-3", "--service", "admin-console")
    declared("set", "impact", "--patients", "40", "--appointments-failed", "7", "-i", "1")
    declared("set", "impact", "--patients", "45", "-i", "1")
    assert "Impact: Patients affected: 45 (was 40)." in texts(declared)
    declared("set", "detection", "alert", "-i", "1")
    declared("set", "tags", "database", "pool", "-i", "1")
    declared("set", "related", "2", "-i", "1")
    view = declared.json("show", "-i", "1")
    assert (view["patients_affected"], view["appointments_failed"]) == (45, 7)
    assert (view["detection"], view["tags"], view["related"]) == (
        "alert",
        ["database", "pool"],
        [2],
    )
    assert "Impact: 45" not in texts(declared)
    assert git(repo, "log", "-1", "--format=%(trailers:key=Related,valueonly)").strip() == "2"
    declared("set", "tags", "--clear", "-i", "1")
    assert declared.json("show", "-i", "1")["tags"] == []
    text = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md")).read_text()
    assert "patients_affected: 45" in text and "- **Patients affected:** 45" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["detection", "pager"], "unknown detection method 'pager'; use one of alert, user-report"),
        (["related", "1"], "incident 1 cannot be related to itself"),
        (["related", "9"], "there is no incident 9 to relate to"),
        (["tags", "no spaces"], "'no spaces' is not a tag"),
        (["tags"], "give one or more tags, or --clear"),
        (["tags", "a", "--clear"], "give tags or --clear, not both"),
        (["impact"], "give at least one number"),
        (["impact", "--patients", "-3"], "--patients must be 0 or more, not -3"),
        (["title", ""], "the title is empty"),
        (["services", "bad name!"], "is not a service name"),
    ],
)
def test_set_refusals_change_nothing(
    declared: Runbook, repo: Path, args: list[str], message: str
) -> None:
    before = snapshot(repo)
    assert message in declared("set", *args, expect=2).stderr
    assert snapshot(repo) == before


def test_declare_refuses_bad_facts_and_writes_nothing(runbook: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    base = ["declare", "X", "-s", "SEV-3", "--service", "admin-console"]
    assert "unknown detection method" in runbook(*base, "--detected-by", "fax", expect=2).stderr
    assert "there is no incident 4" in runbook(*base, "--related", "4", expect=2).stderr
    assert "must be 0 or more" in runbook(*base, "--patients", "-1", expect=2).stderr
    assert snapshot(repo) == before


def test_metrics_sum_the_numbers_and_count_detection_and_tags(declared: Runbook) -> None:
    declared("set", "impact", "--patients", "10", "--appointments-failed", "4")
    declared("set", "detection", "alert")
    declared("set", "tags", "database")
    declared(
        "declare",
        "Second",
        "-s",
        "SEV-3",
        "--service",
        "admin-console",
        "--patients",
        "5",
        "--detected-by",
        "user-report",
        "--tag",
        "database",
    )
    result = declared.json("metrics")
    assert result["impact_numbers"] == {
        "patients_affected": {"total": 15, "incidents": 2},
        "appointments_failed": {"total": 4, "incidents": 1},
        "appointments_missed": {"total": 0, "incidents": 0},
    }
    assert result["by_detection"] == {"alert": 1, "user-report": 1}
    assert result["by_tag"] == {"database": 2}
    out = declared("metrics").stdout
    assert "Impact in numbers: patients affected 15; appointments failed 4" in out
    declared("metrics", "--write")
    written = (declared.repo / "docs/runbooks/metrics.md").read_text()
    assert "| Patients affected | 15 | 2 |" in written and "| database | 2 |" in written
