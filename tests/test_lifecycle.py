"""The incident's life through the CLI, against a real repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import IDENTITY, Runbook, git

from runbook_cli.adapters import gitrepo
from runbook_cli.errors import RepositoryError

SHOW_KEYS = {
    "id",
    "path",
    "title",
    "severity",
    "status",
    "services",
    "commander",
    "comms_lead",
    "data_affected",
    "summary",
    "detected_at",
    "acknowledged_at",
    "started_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "timeline",
    "checklist",
    "action_items",
    "postmortem",
}


def incident_file(repo: Path) -> Path:
    (path,) = (repo / "docs/runbooks/incidents").glob("*-incident-1.md")
    return path


def test_declare_creates_file_commits_it_and_prints_id_and_path(
    runbook: Runbook, repo: Path
) -> None:
    result = runbook(
        "declare",
        "Bookings fail",
        "--severity",
        "sev1",
        "--service",
        "appointment-service",
        "--service",
        "patient-web",
        "--summary",
        "Most users cannot book.",
        "--commander",
        "Priya",
        "--comms-lead",
        "Tom",
        "--started-at",
        "2026-11-26T10:00:00Z",
        "--detected-at",
        "2026-11-26T10:03:00Z",
        "--data-affected",
    )
    assert "Declared incident 1: SEV-1 Bookings fail" in result.stdout
    assert "docs/runbooks/incidents/2026-11-26-incident-1.md" in result.stdout
    text = (repo / "docs/runbooks/incidents/2026-11-26-incident-1.md").read_text()
    assert text.startswith(
        "---\nid: 1\ntitle: Bookings fail\nseverity: SEV-1\nstatus: investigating\n"
    )
    assert "started_at: '2026-11-26T10:00:00Z'\ndetected_at: '2026-11-26T10:03:00Z'\n" in text
    for section in (
        "Summary",
        "Timeline",
        "Root Cause",
        "Detection",
        "Resolution & Recovery",
        "Preventive Actions",
        "Attachments",
    ):
        assert f"\n## {section}\n" in text
    assert git(repo, "log", "-1", "--format=%s") == "incident 1: declare SEV-1 Bookings fail"
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [
        "docs/runbooks/incidents/2026-11-26-incident-1.md"
    ]
    view = runbook.json("show")
    assert view["summary"] == "Most users cannot book."
    assert view["data_affected"] is True
    assert view["commander"] == "Priya" and view["comms_lead"] == "Tom"
    # backdated: the impact start and the detection are entries at their own times, first
    started, detected, declared = view["timeline"]
    assert (started["at"], started["text"]) == ("2026-11-26T10:00:00Z", "Impact started.")
    assert (detected["at"], detected["text"]) == ("2026-11-26T10:03:00Z", "Detected.")
    assert declared["author"] == IDENTITY[0]
    assert declared["text"].startswith("Declared SEV-1: Bookings fail.")
    assert not any(entry["before_impact"] for entry in view["timeline"])


def test_show_json_has_the_design_keys_and_types(declared: Runbook) -> None:
    view = declared.json("show")
    assert set(view) >= SHOW_KEYS
    assert (
        isinstance(view["id"], int)
        and view["path"] == "docs/runbooks/incidents/" + Path(view["path"]).name
    )
    assert view["services"] == ["appointment-service"]
    assert list(view["checklist"]) == [
        "ticket_updated",
        "status_page_resolved",
        "postmortem_scheduled",
        "action_items_created",
        "metrics_updated",
    ]
    assert view["postmortem"] == {"due": None, "scheduled_at": None, "attendees": []}
    assert view["started_at"].endswith("Z") and view["acknowledged_at"] is None


def test_ids_increase_and_list_filters(runbook: Runbook) -> None:
    runbook("declare", "First", "-s", "SEV-3", "--service", "patient-web")
    runbook("declare", "Second", "-s", "SEV-1", "--service", "appointment-service")
    runbook("resolve", "-i", "1")
    listed = runbook.json("list")
    assert [v["id"] for v in listed] == [2, 1]
    assert "timeline" not in listed[0] and {"id", "title", "severity", "status"} <= set(listed[0])
    assert [v["id"] for v in runbook.json("list", "--open")] == [2]
    assert [v["id"] for v in runbook.json("list", "--severity", "SEV-3")] == [1]
    assert [v["id"] for v in runbook.json("list", "--service", "patient-web")] == [1]
    assert [v["id"] for v in runbook.json("list", "--status", "resolved")] == [1]
    assert runbook.json("list", "--since", "2999-01-01") == []
    table = runbook("list").stdout
    assert "Second" in table and "First" in table and "\x1b[" not in table


def test_timeline_add_keeps_time_order_and_commits_each_entry(
    declared: Runbook, repo: Path
) -> None:
    declared("timeline", "add", "second", "--at", "10m ago")
    declared("timeline", "add", "first", "--at", "20m ago", "--author", "Sam")
    declared("timeline", "add", "-", input="from stdin\nwith a second line\n")
    texts = [(e["author"], e["text"]) for e in declared.json("show")["timeline"]]
    # declared now, for an impact that began 30 minutes ago and was detected 28 minutes ago
    assert texts.pop(4)[1].startswith("Declared")
    assert texts == [
        (IDENTITY[0], "Impact started."),
        (IDENTITY[0], "Detected."),
        ("Sam", "first"),
        (IDENTITY[0], "second"),
        (IDENTITY[0], "from stdin\nwith a second line"),
    ]
    assert "\n  with a second line\n" in incident_file(repo).read_text()
    subjects = git(repo, "log", "--format=%s", "-3").splitlines()
    assert subjects == [
        "incident 1: timeline: from stdin",
        "incident 1: timeline: first",
        "incident 1: timeline: second",
    ]
    assert "Incident-Id: 1" in git(repo, "log", "-1", "--format=%b")


def test_text_that_looks_like_an_option_is_data(declared: Runbook) -> None:
    declared("timeline", "add", "--", "--force is not an option here")
    assert declared.json("show")["timeline"][-1]["text"] == "--force is not an option here"


def test_ack_assign_severity_status_resolve_are_timestamped_and_in_the_timeline(
    declared: Runbook, repo: Path
) -> None:
    declared("ack", "--at", "27m ago")
    declared("assign", "--commander", "Priya", "--comms-lead", "Tom")
    declared("severity", "SEV-1", "--reason", "majority of users")
    declared("status", "identified", "--at", "15m ago")
    declared("status", "mitigated", "--at", "10m ago")
    declared("resolve", "--root-cause", "pool exhausted", "--risks", "retry storm may recur")
    declared("use", "--clear")
    assert declared.json("show")["id"] == 1  # the only resolved incident, without -i
    view = declared.json("show", "-i", "1")
    assert view["status"] == "resolved" and view["severity"] == "SEV-1"
    assert view["acknowledged_at"] and view["mitigated_at"] and view["resolved_at"]
    assert (
        view["root_cause_hypothesis"] == "pool exhausted"
        and view["remaining_risks"] == "retry storm may recur"
    )
    texts = "\n".join(e["text"] for e in view["timeline"])
    for expected in (
        "Acknowledged by",
        "Incident Commander: Priya",
        "Severity SEV-2 → SEV-1: majority of users",
        "Status investigating → identified.",
        "Status identified → mitigated.",
        "Status mitigated → resolved.",
        "Root-cause hypothesis: pool exhausted",
    ):
        assert expected in texts
    log = git(repo, "log", "--format=%B")
    assert (
        "Severity: SEV-2 -> SEV-1" in log
        and "Commander: - -> Priya" in log
        and "Status: mitigated -> resolved" in log
    )
    meta = incident_file(repo).read_text()
    assert "severity_changed_at: '" in meta and "roles_changed_at: '" in meta
    assert "- **Severity:** SEV-1" in meta and "- **Status:** resolved" in meta


def test_reopening_clears_later_stage_times(declared: Runbook) -> None:
    declared("status", "mitigated", "--at", "10m ago")
    declared("status", "investigating")
    view = declared.json("show")
    assert view["status"] == "investigating" and view["mitigated_at"] is None
    assert view["timeline"][-1]["text"] == "Status mitigated → investigating (reopened)."


def test_repeating_a_change_commits_nothing(declared: Runbook, repo: Path) -> None:
    declared("ack")
    head = git(repo, "rev-parse", "HEAD")
    assert "nothing to change" in declared("ack").stdout
    assert "nothing to change" in declared("severity", "SEV-2").stdout
    assert git(repo, "rev-parse", "HEAD") == head


def test_users_staged_and_unstaged_work_is_untouched(declared: Runbook, repo: Path) -> None:
    (repo / "README.md").write_text("staged change\n")
    git(repo, "add", "README.md")
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "README.md").write_text("staged change\nplus unstaged\n")
    declared("timeline", "add", "rolled back")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").splitlines() == [
        incident_file(repo).relative_to(repo).as_posix()
    ]
    assert git(repo, "diff", "--cached", "--name-only") == "README.md"
    assert git(repo, "show", ":README.md") == "staged change"
    assert (repo / "README.md").read_text() == "staged change\nplus unstaged\n"
    assert (repo / "notes.txt").exists()


def test_no_commit_writes_only_and_the_next_command_commits_it(
    declared: Runbook, repo: Path
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert "not committed" in declared("timeline", "add", "draft", "--no-commit").stdout
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain").split() == [
        "M",
        incident_file(repo).relative_to(repo).as_posix(),
    ]
    assert git(repo, "diff", "--cached", "--name-only") == ""  # written, not staged
    declared("timeline", "add", "final")
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-2", "--format=%s").splitlines() == [
        "incident 1: timeline: final",
        "incident 1: timeline: draft",  # its own commit, with its own message
    ]


def test_incident_selection_use_and_only_open(runbook: Runbook, repo: Path) -> None:
    runbook("declare", "One", "-s", "SEV-2", "--service", "patient-web")
    runbook("declare", "Two", "-s", "SEV-2", "--service", "patient-web")
    runbook("use", "--clear")  # declare chose the new one
    error = runbook("timeline", "add", "which?", expect=2).stderr
    assert "2 incidents are open: 1 (One), 2 (Two)" in error and "runbook use" in error
    runbook("use", "incident-2")
    runbook("timeline", "add", "goes to two")
    assert runbook.json("show", "-i", "2")["timeline"][-1]["text"] == "goes to two"
    path = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md"))
    assert runbook.json("show", "-i", str(path))["id"] == 1
    assert not (repo / "docs/runbooks/runbook-current").exists()  # the choice lives under .git/


def test_init_is_idempotent_and_commits_only_its_files(bare_repo: Path) -> None:
    runbook = Runbook(bare_repo)
    first = runbook("init").stdout
    assert "created docs/runbooks/config.yml" in first
    head = git(bare_repo, "rev-parse", "HEAD")
    assert "already set up" in runbook("init").stdout
    assert git(bare_repo, "rev-parse", "HEAD") == head
    committed = git(bare_repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert sorted(committed) == [
        ".gitattributes",
        ".github/workflows/runbook-check.yml",
        "docs/runbooks/config.yml",
        "docs/runbooks/contacts.md",
        "docs/runbooks/incidents/.gitkeep",
        "docs/runbooks/templates/README.md",
    ]
    assert (
        "uses: runbook-cli/runbook@v"
        in (bare_repo / ".github/workflows/runbook-check.yml").read_text()
    )


def test_init_again_names_a_workflow_an_older_runbook_wrote(bare_repo: Path) -> None:
    """Workflows are never overwritten (they may be edited), but one that differs from what this
    version writes (older actions, an older pin) is named, with how to take the new one."""
    runbook = Runbook(bare_repo)
    runbook("init")
    workflow = bare_repo / ".github/workflows/runbook-check.yml"
    workflow.write_text(workflow.read_text().replace("actions/checkout@v7", "actions/checkout@v4"))
    git(bare_repo, "commit", "--quiet", "-am", "an older runbook's workflow")
    head = git(bare_repo, "rev-parse", "HEAD")
    out = runbook("init").stdout
    assert "kept .github/workflows/runbook-check.yml as it is" in out
    assert "remove it and run runbook init again" in out
    assert "actions/checkout@v4" in workflow.read_text()
    assert git(bare_repo, "rev-parse", "HEAD") == head


def test_init_again_never_reads_a_workflow_through_a_link(bare_repo: Path) -> None:
    """A cloned repository's workflow may be a link anywhere (to /dev/zero, init read until
    memory ran out): it is not followed, only named as kept, and left as it is."""
    runbook = Runbook(bare_repo)
    runbook("init")
    workflow = bare_repo / ".github/workflows/runbook-check.yml"
    outside = bare_repo.parent / "runbook-check.yml"  # what this version writes, outside
    outside.write_text(workflow.read_text())
    workflow.unlink()
    workflow.symlink_to(outside)
    git(bare_repo, "commit", "--quiet", "-am", "the workflow is a link")
    out = runbook("init").stdout
    assert "kept .github/workflows/runbook-check.yml as it is" in out
    assert workflow.is_symlink()


def test_show_renders_a_readable_view_without_escape_codes(declared: Runbook) -> None:
    declared("timeline", "add", "a [bold]not markup[/bold] entry")
    out = declared("show").stdout
    assert "Incident 1 – Checkout errors" in out and "SEV-2" in out and "investigating" in out
    assert "[bold]not markup[/bold]" in out and "\x1b[" not in out


def test_the_demo_repository_is_made_by_the_git_adapter(tmp_path: Path) -> None:
    gitrepo.create(tmp_path, {"user.name": "Dana Demo", "commit.gpgsign": "false"})
    assert git(tmp_path, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert git(tmp_path, "config", "--local", "user.name") == "Dana Demo"
    (tmp_path / "other").mkdir()
    with pytest.raises(RepositoryError, match="git config failed: key does not contain"):
        gitrepo.create(tmp_path / "other", {"nosection": "x"})


def test_demo_walks_a_sev1_incident(tmp_path: Path) -> None:
    result = Runbook(tmp_path)("demo", "--path", str(tmp_path / "demo"))
    assert "Step 1" in result.stdout and "$ runbook resolve" in result.stdout
    demo_repo = tmp_path / "demo"
    log = git(demo_repo, "log", "--format=%s").splitlines()
    assert "incident 1: resolve after 00:41" in log
    # init; the SEV-1: declare, ack, assign, data-affected no, 2 entries, severity, escalate,
    # a capture, 2 statuses, resolve; the SEV-0: declare, data-affected yes, impact
    assert len(log) == 16
    # the capture read the demo's local Slack stand-in: marked messages and a thread reply,
    # chatter left out, the patient's SSN refused by the guard and named without its text
    assert "incident 1: captured 3 entries from #incident-war-room" in log
    assert "Ana Silva: #incident-war-room (thread): Rollback started" in result.stdout
    assert "mobile app" not in result.stdout
    assert "looks like us-ssn" in result.stderr and "123-45-6789" not in result.stderr
    assert log[0] == "incident 2: impact: Patients affected: 212"
    out = result.stdout
    assert "$ runbook data-affected yes" in out and "regulatory" in out
    assert "(45 CFR 164.404)" in out
    assert git(demo_repo, "status", "--porcelain") == ""
    # "T+15 has passed" is true when the matrix is shown: its T+15 step (from detection) is due
    matrix = out.split("T+15 has passed")[1].split("Step ")[0]
    assert re.search(r"T\+15 min +│[^│]*│ NOW", matrix), matrix


def test_how_it_began_tells_only_what_was_backdated() -> None:
    from datetime import UTC, datetime

    from runbook_cli.usecases.lifecycle import how_it_began

    ten, three, now = (datetime(2026, 11, 26, 10, m, tzinfo=UTC) for m in (0, 3, 30))
    assert how_it_began(now, now, now, None) == []  # declared when detected: nothing to tell
    assert how_it_began(ten, three, now, "alert") == [
        (ten, "Impact started."),
        (three, "Detected by alert."),
    ]
    assert how_it_began(ten, ten, now, None) == [(ten, "Impact started; detected.")]
    assert how_it_began(ten, now, now, None) == [(ten, "Impact started.")]  # --started-at only


def test_an_entry_before_the_impact_is_allowed_marked_and_passes_check(
    declared: Runbook, monkeypatch
) -> None:
    declared("timeline", "add", "Deployed appointment-service v2.31.4", "--at", "2 hours ago")
    view = declared.json("show")
    first = view["timeline"][0]
    assert first["text"] == "Deployed appointment-service v2.31.4" and first["before_impact"]
    assert [e["before_impact"] for e in view["timeline"][1:]] == [False] * 3
    monkeypatch.setenv("COLUMNS", "120")
    assert "(before impact) Deployed appointment-service v2.31.4" in declared("show").stdout
    assert "— (before impact) Deployed appointment-service" in declared("report").stdout
    declared("site", "--out", str(declared.repo.parent / "site"))
    page = next((declared.repo.parent / "site/incidents").glob("*.html")).read_text()
    assert '<span class="before">(before impact)</span> Deployed' in page
    result = declared("check", "--all", expect=None)
    assert "time-order" not in result.stdout and "timeline" not in result.stdout, result.stdout
