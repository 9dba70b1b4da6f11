"""People on an incident: roles beyond IC and CL from the config (`assign --role`), the
responders (`join`, `leave`) and handovers kept in the role history."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from helpers import IDENTITY, Runbook, git, snapshot

from runbook_cli.domain import config, roles
from runbook_cli.domain.model import Incident


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD"))


def test_handover_keeps_who_held_the_role_from_when_to_when(runbook: Runbook, repo: Path) -> None:
    runbook("declare", "Bookings fail", "-s", "SEV-1", "--service", "patient-web",
            "--commander", "Priya Raman", "--comms-lead", "Tomás Ortega")  # fmt: skip
    before = commits(repo)
    runbook("assign", "--commander", "Kim Lee", "--role", "scribe=Sam Hill")
    assert commits(repo) == before + 1
    message = git(repo, "log", "-1", "--format=%B")
    assert "Commander: Priya Raman -> Kim Lee" in message and "Scribe: - -> Sam Hill" in message
    view = runbook.json("show")
    assert view["commander"] == "Kim Lee" and view["roles"] == {"scribe": "Sam Hill"}
    history = view["role_history"]
    assert [(h["role"], h["name"], "to" in h) for h in history] == [
        ("commander", "Priya Raman", True),
        ("comms_lead", "Tomás Ortega", False),
        ("commander", "Kim Lee", False),
        ("scribe", "Sam Hill", False),
    ]
    assert history[0]["to"] == history[2]["from"]  # the handover moment ends one, starts the next
    assert view["timeline"][-1]["text"] == (
        "Incident Commander: Kim Lee (handed over from Priya Raman); Scribe: Sam Hill."
    )
    shown = runbook("show").stdout
    assert "Handover" in shown and "Priya Raman (" in shown and "Kim Lee (from" in shown
    assert "Scribe" in shown and "Sam Hill" in shown
    report = runbook("report").stdout
    assert "- **Handover:** Incident Commander: Priya Raman (" in report
    assert "- **Scribe:** Sam Hill" in report
    text = (repo / view["path"]).read_text()
    assert "- **Handover:** Incident Commander: Priya Raman (" in text  # the facts block
    runbook("check", "--all")  # the generated block matches the front matter
    before = commits(repo)
    assert "nothing to change" in runbook("assign", "--commander", "Kim Lee").stdout
    assert commits(repo) == before


def test_assign_refusals_change_nothing(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    for args, said in (
        (("--role", "stenographer=Sam"), "unknown role 'stenographer'"),
        (("--role", "scribe"), "--role takes ROLE=NAME"),
        ((), "name someone with --commander, --comms-lead or --role"),
    ):
        error = declared("assign", *args, expect=2).stderr
        assert said in error and error.count("\n") == 1, error
    assert snapshot(repo) == before
    declared("assign", "--role", "Operations Lead=Ana Costa")  # the title works as well as the key
    assert declared.json("show")["roles"] == {"operations_lead": "Ana Costa"}


def test_join_and_leave_the_responders(declared: Runbook, repo: Path) -> None:
    before = commits(repo)
    declared("join")  # the git identity's name
    declared("join", "Lee Park")
    assert commits(repo) == before + 2
    assert declared.json("show")["responders"] == [IDENTITY[0], "Lee Park"]
    assert "nothing to change" in declared("join", "Lee Park").stdout
    assert commits(repo) == before + 2
    snap = snapshot(repo)
    error = declared("leave", "Nobody Here", expect=2).stderr
    assert "Nobody Here is not among incident 1's responders (Avery Oncall, Lee Park)" in error
    assert snapshot(repo) == snap
    declared("assign", "--role", "scribe=Lee Park")
    result = declared("leave", "Lee Park")
    assert "Lee Park still holds Scribe; hand it over with runbook assign" in result.stderr
    view = declared.json("show")
    assert view["responders"] == [IDENTITY[0]]
    assert [e["text"] for e in view["timeline"][-4:]] == [
        f"{IDENTITY[0]} joined the response.",
        "Lee Park joined the response.",
        "Scribe: Lee Park.",
        "Lee Park left the response.",
    ]
    assert "- **Responders:** Avery Oncall" in (repo / view["path"]).read_text()


def test_history_lines_show_only_roles_that_changed_hands() -> None:
    incident = Incident(
        1, "t", "SEV-2", datetime(2026, 11, 26, 10, tzinfo=UTC), ["web"], commander="Avery"
    )
    at = datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    assert roles.hand_over(incident, "scribe", "Sam", at) is None
    assert roles.history_lines(incident.role_history) == []  # nobody handed over yet
    assert roles.hand_over(incident, "commander", "Kim", at) == "Avery"
    assert roles.hand_over(incident, "commander", "Kim", at) == "Kim"  # no change
    assert roles.hand_over(incident, "commander", "Lee", datetime(2026, 11, 27, 9, tzinfo=UTC))
    assert roles.history_lines(incident.role_history) == [
        "Incident Commander: Avery (until 2026-11-26 10:30 UTC), "
        "Kim (2026-11-26 10:30 UTC – 2026-11-27 09:00 UTC), Lee (from 2026-11-27 09:00 UTC)"
    ]
    assert roles.title("operations_lead", config.defaults()) == "Operations Lead"
    assert roles.title("operations_lead") == "Operations lead"  # files never hold config text
