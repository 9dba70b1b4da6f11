"""User data affected, the regulatory clocks, the acknowledgement due, triage roles and the
escalation matrix counted from detection: through the CLI against real repositories."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot

from runbook_cli.domain import regulatory

NOW = "2026-11-26T10:40:00Z"


@pytest.fixture
def sev0(runbook: Runbook, monkeypatch: pytest.MonkeyPatch) -> Runbook:
    """A SEV-0 on admin-console (no patient data there) detected at 10:05, not yet answered."""
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    runbook(
        "declare",
        "Records visible to other clinics",
        "-s",
        "SEV-0",
        "--service",
        "admin-console",
        "--started-at",
        "2026-11-26T10:00:00Z",
        "--detected-at",
        "2026-11-26T10:05:00Z",
    )
    return runbook


def kinds(runbook: Runbook) -> list[tuple[str, str]]:
    return [(item["kind"], item["what"]) for item in runbook.json("due")]


def config_edit(repo: Path, old: str, new: str) -> None:
    path = repo / "docs/runbooks/config.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# --- 1. the user-data question -------------------------------------------------------------


def test_sev0_asks_whether_user_data_is_affected_until_answered(sev0: Runbook) -> None:
    view = sev0.json("show")
    assert view["data_question"] == "unanswered" and view["data_affected"] is False
    data = [item for item in sev0.json("due") if item["kind"] == "data"]
    assert data == [
        {
            "incident": 1,
            "kind": "data",
            "due_at": "2026-11-26T10:20:00Z",
            "overdue": True,
            "what": "answer: is user data affected? (runbook data-affected yes|no --reason T)",
        }
    ]
    assert "not answered yet" in sev0("show").stdout

    out = sev0("data-affected", "no", "--reason", "only appointment times were shown").stdout
    assert "user data affected: no" in out
    assert not [item for item in sev0.json("due") if item["kind"] == "data"]
    view = sev0.json("show")
    assert view["data_question"] == "no" and view["data_affected_answered"] is True
    assert view["timeline"][-1]["text"] == (
        "User data affected: no: only appointment times were shown"
    )


def test_patient_data_services_ask_and_others_do_not(
    runbook: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    runbook("declare", "Slow search", "-s", "SEV-2", "--service", "admin-console")
    runbook("declare", "Slow booking", "-s", "SEV-2", "--service", "appointment-service")
    asked = {item["incident"] for item in runbook.json("due") if item["kind"] == "data"}
    assert asked == {2}  # appointment-service is marked patient_data: true in the config
    runbook("declare", "Login fails", "-s", "SEV-3", "--service", "sso", "--no-data-affected")
    assert runbook.json("show", "-i", "3")["data_question"] == "no"


def test_yes_brings_in_compliance_the_facts_block_and_the_regulated_checklist(
    sev0: Runbook, repo: Path
) -> None:
    assert [s["roles"] for s in sev0.json("escalation")][-1] == ["cto"]
    sev0(
        "data-affected",
        "yes",
        "--reason",
        "export wrote records to a public bucket",
        "--at",
        "2026-11-26T10:20:00Z",
    )
    steps = sev0.json("escalation")
    assert steps[-1]["roles"] == ["compliance-officer"] and steps[-1]["regulated"] is True
    text = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md")).read_text()
    assert "data_affected: true" in text and "data_discovered_at: '2026-11-26T10:20:00Z'" in text
    assert "- **User data affected:** yes" in text
    checklist = sev0.json("checklist")
    assert list(checklist)[-2:] == ["breach_risk_assessment", "notifications_done"]
    (entry,) = [e for e in sev0.json("show")["timeline"] if e["text"].startswith("User data")]
    assert entry["at"] == "2026-11-26T10:20:00Z"  # at discovery, in time order
    assert entry["text"].startswith("User data affected: yes (regulated event")
    message = git(repo, "log", "-1", "--format=%B")
    assert "Data-Affected: yes" in message

    sev0("data-affected", "no", "--reason", "the bucket was never public after all")
    assert "breach_risk_assessment" not in sev0.json("checklist")
    assert sev0.json("show")["clocks"] == []
    assert "(was yes)" in sev0.json("show")["timeline"][-1]["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["maybe", "--reason", "x"], "answer yes or no, not 'maybe'"),
        (["yes"], "say why with --reason"),
        (["no", "--reason", "x", "--at", "10:30"], "give it with 'yes' only"),
        (["yes", "--reason", "x", "--at", "2026-11-26T09:00:00Z"], "is before the incident"),
    ],
)
def test_data_affected_refusals_change_nothing(
    sev0: Runbook, repo: Path, args: list[str], message: str
) -> None:
    before = snapshot(repo)
    assert message in sev0("data-affected", *args, expect=2).stderr
    assert snapshot(repo) == before


def test_declaring_is_never_blocked_and_the_flag_still_works(
    runbook: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    runbook("declare", "Breach", "-s", "SEV-0", "--service", "doctor-hub", "--data-affected")
    view = runbook.json("show")
    assert view["data_affected"] is True and view["data_discovered_at"] == NOW
    assert view["data_question"] == "yes"


# --- 2. the regulatory clocks --------------------------------------------------------------


def test_hipaa_clocks_run_from_discovery_in_due_show_and_report(sev0: Runbook) -> None:
    sev0("data-affected", "yes", "--reason", "bucket", "--at", "2026-11-26T10:20:00Z")
    clocks = {c["name"]: c for c in sev0.json("show")["clocks"]}
    assert clocks["individuals"]["due_at"] == "2027-01-25T10:20:00Z"  # 60 calendar days
    assert clocks["hhs"]["due_at"] == "2027-01-25T10:20:00Z"
    assert clocks["hhs"]["condition"] == "if 500 or more people are affected"
    assert clocks["hhs-log"]["due_at"] == "2027-03-01T23:59:59Z"  # 60 days after the year ends
    assert clocks["media"]["condition"] == "if 501 or more people are affected"
    due = [item for item in sev0.json("due") if item["kind"] == "regulatory"]
    assert len(due) == 4 and all(not item["overdue"] for item in due)
    assert any("runbook notified individuals" in item["what"] for item in due)
    report = sev0("report").stdout
    assert "- **User Data Affected:** yes, discovered 2026-11-26 10:20 UTC" in report
    assert "  - notify the affected individuals without unreasonable delay (45 CFR 164.404)" in (
        report
    )


def test_a_gdpr_clock_is_added_in_the_config_and_check_flags_it_when_overdue(
    sev0: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_edit(
        repo,
        "  clocks:\n",
        "  clocks:\n    gdpr:\n      what: notify the supervisory authority (GDPR Art. 33)\n"
        "      within:\n        hours: 72\n",
    )
    git(repo, "commit", "-qam", "GDPR clock")
    sev0("data-affected", "yes", "--reason", "bucket", "--at", "2026-11-26T10:20:00Z")
    gdpr = [c for c in sev0.json("show")["clocks"] if c["name"] == "gdpr"]
    assert gdpr[0]["due_at"] == "2026-11-29T10:20:00Z"
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-30T09:00:00Z")
    assert regulatory_findings(sev0) == [
        "regulatory deadline passed 2026-11-29T10:20:00Z: notify the supervisory authority "
        "(GDPR Art. 33) (runbook notified gdpr)"
    ]
    sev0("notified", "gdpr", "--reason", "reported via the authority's portal, ref 4411")
    assert regulatory_findings(sev0) == []


def regulatory_findings(runbook: Runbook) -> list[str]:
    result = runbook("check", "--all", "--format", "json", expect=None)
    return [
        f["message"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "regulatory"
    ]


def test_people_affected_decides_which_clocks_run(sev0: Runbook) -> None:
    sev0("data-affected", "yes", "--reason", "bucket")
    sev0("set", "impact", "--patients", "212")
    names = [c["name"] for c in sev0.json("show")["clocks"]]
    assert sorted(names) == ["hhs-log", "individuals"]  # under 500: the yearly log, no media
    sev0("set", "impact", "--patients", "501")
    names = [c["name"] for c in sev0.json("show")["clocks"]]
    assert sorted(names) == ["hhs", "individuals", "media"]


def test_notified_stops_the_clock_and_ticks_the_checklist_when_all_are_done(
    sev0: Runbook, repo: Path
) -> None:
    sev0("data-affected", "yes", "--reason", "bucket")
    sev0("notified", "individuals", "--reason", "letters mailed")
    sev0("notified", "hhs", "--not-required", "--reason", "212 people: the yearly log applies")
    sev0("notified", "media", "--not-required", "--reason", "no state has more than 500")
    assert sev0.json("checklist")["notifications_done"] is False
    sev0("notified", "hhs-log")
    assert sev0.json("checklist")["notifications_done"] is True
    assert not [item for item in sev0.json("due") if item["kind"] == "regulatory"]
    texts = [e["text"] for e in sev0.json("show")["timeline"]]
    assert "Regulatory notification (hhs): not required: 212 people: the yearly log applies" in (
        texts
    )
    assert any(t.startswith("Checklist: done: Notifications sent") for t in texts)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fax"], "unknown regulatory clock 'fax'; the config has individuals, hhs"),
        (["hhs", "--not-required"], "say why the notification is not required"),
    ],
)
def test_notified_refusals(sev0: Runbook, repo: Path, args: list[str], message: str) -> None:
    sev0("data-affected", "yes", "--reason", "bucket")
    before = snapshot(repo)
    assert message in sev0("notified", *args, expect=2).stderr
    assert snapshot(repo) == before


def test_notified_needs_user_data_affected(sev0: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    assert "has no user data affected" in sev0("notified", "hhs", expect=2).stderr
    assert snapshot(repo) == before


def test_deadline_units() -> None:
    start = datetime(2028, 12, 30, 8, 0, tzinfo=UTC)
    assert regulatory.deadline(start, {"hours": 72}) == datetime(2029, 1, 2, 8, 0, tzinfo=UTC)
    assert regulatory.deadline(start, {"days": 60}) == datetime(2029, 2, 28, 8, 0, tzinfo=UTC)
    # 2029 is not a leap year: 60 days after 2028-12-31 is 2029-03-01
    assert regulatory.deadline(start, {"days_after_year_end": 60}) == datetime(
        2029, 3, 1, 23, 59, 59, tzinfo=UTC
    )


def test_a_bad_clock_in_the_config_is_refused(sev0: Runbook, repo: Path) -> None:
    config_edit(repo, "  clocks:\n", "  clocks:\n    gdpr:\n      what: x\n      within: 72\n")
    error = sev0("due", expect=4).stderr
    assert "regulatory clock gdpr needs 'what' and 'within'" in error


# --- 3. the acknowledgement is due ---------------------------------------------------------


def test_acknowledge_by_is_due_until_ack(sev0: Runbook) -> None:
    assert ("ack", "acknowledge by 10:10 UTC (runbook ack)") in kinds(sev0)
    assert "acknowledge by 10:10 UTC" in sev0("due").stdout
    sev0("ack")
    assert not [k for k, _ in kinds(sev0) if k == "ack"]


# --- 4. triage roles per severity ----------------------------------------------------------


def test_every_severity_needs_both_triage_roles_by_default_and_one_person_may_hold_both(
    runbook: Runbook, repo: Path
) -> None:
    runbook("declare", "Typo", "-s", "SEV-3", "--service", "admin-console")
    result = runbook("check", "--all", "--format", "json", expect=1)
    assert '"rule":"roles"' in result.stdout.replace(" ", "").replace("\n", "")
    runbook("assign", "--commander", "Lee", "--comms-lead", "Lee")
    assert runbook("check", "--all").exit_code == 0


def test_triage_roles_can_be_relaxed_per_severity_in_the_config(
    runbook: Runbook, repo: Path
) -> None:
    seed = "  SEV-3: 'Minor: cosmetic issues, single-customer impact, or mitigated alert.'\n"
    config_edit(repo, seed, "  SEV-3: {meaning: Minor, triage: [commander]}\n")
    runbook("declare", "Typo", "-s", "SEV-3", "--service", "admin-console")
    result = runbook("check", "--all", "--format", "json", expect=1)
    assert [f["message"] for f in json.loads(result.stdout)["findings"]] == [
        "open SEV-3 incident has no Incident Commander (runbook assign)"
    ]
    config_edit(repo, "triage: [commander]", "triage: []")
    assert runbook("check", "--all").exit_code == 0
    config_edit(repo, "triage: []", "triage: [scribe]")
    error = runbook("check", "--all", expect=4).stderr
    assert "severity SEV-3: 'triage' must be a list drawn from commander, comms_lead" in error


# --- 5. escalation that fits the incident --------------------------------------------------


def test_escalation_counts_from_detection_and_ack_reaches_t0(sev0: Runbook) -> None:
    steps = sev0.json("escalation")
    assert steps[0]["due_at"] == "2026-11-26T10:05:00Z" and steps[0]["done"] is False
    sev0("ack")
    assert sev0.json("escalation")[0]["done"] is True


def test_nothing_escalates_once_mitigated(sev0: Runbook) -> None:
    assert [k for k, _ in kinds(sev0) if k == "escalation"]
    sev0("status", "mitigated")
    assert not [k for k, _ in kinds(sev0) if k == "escalation"]


def test_a_step_can_be_limited_to_severities_in_contacts(sev0: Runbook, repo: Path) -> None:
    contacts = repo / "docs/runbooks/contacts.md"
    contacts.write_text(
        contacts.read_text().replace(
            "- after_minutes: 60\n  notify:\n  - cto\n",
            "- after_minutes: 60\n  notify:\n  - cto\n  severities:\n  - SEV-1\n",
        )
    )
    assert "cto" not in [s["roles"][0] for s in sev0.json("escalation")]
    sev0("severity", "SEV-1", "--reason", "regraded")
    assert "cto" in [s["roles"][0] for s in sev0.json("escalation")]
    sev0("contacts", "refresh")
    assert "| T+60 min | cto (SEV-1 only) |" in contacts.read_text()


# --- 9. the runbook review on the day of a SEV-0 --------------------------------------------


def test_a_review_on_the_day_of_a_sev0_does_not_nag(sev0: Runbook, repo: Path) -> None:
    config_edit(repo, "last_reviewed: null", "last_reviewed: '2026-11-26'")
    assert "Runbook review" not in sev0("due").stdout
    config_edit(repo, "last_reviewed: '2026-11-26'", "last_reviewed: '2026-11-25'")
    assert "happened after the last runbook review" in sev0("due").stdout
