"""`runbook check`: each rule fails and passes, output formats, scopes, the shallow-clone trap."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from helpers import Runbook, complete, findings, git, incident_path

from runbook_cli import __version__
from runbook_cli.domain.rules import CheckResult, Finding
from runbook_cli.rendering import checkreport


def rules_of(runbook: Runbook) -> set[str]:
    return {f["rule"] for f in findings(runbook)}


@pytest.fixture
def resolved(declared: Runbook) -> Runbook:
    declared("resolve")
    complete(declared)
    return declared


def edit(repo: Path, old: str, new: str) -> None:
    path = incident_path(repo)
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_a_complete_resolved_incident_passes(resolved: Runbook) -> None:
    assert findings(resolved) == []
    assert "1 incident file(s) complete" in resolved("check", "--all").stdout


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ("severity: SEV-2", "severity: SEV-5", "schema"),
        ("status: resolved", "status: done", "schema"),
        ("title: Checkout errors\n", "title: Checkout errors\ntitle: again\n", "front-matter"),
        ("id: 1\n", "id: 1\nsurprise: field\n", "schema"),
        ("acknowledged_at: null", "acknowledged_at: 12:30", "schema"),
        ("- **Severity:** SEV-2", "- **Severity:** SEV-0", "drift"),
        ("## Timeline\n", "## Timeline\n\n- yesterday-ish, someone did something\n", "timeline"),
        (
            "<!-- Detailed analysis. -->\nPool exhausted by retries.",
            "<!-- Detailed analysis. -->",
            "sections",
        ),
    ],
)
def test_hand_edits_that_break_a_rule_are_found(
    resolved: Runbook, repo: Path, old: str, new: str, rule: str
) -> None:
    edit(repo, old, new)
    assert rule in rules_of(resolved)


def test_time_order(resolved: Runbook, repo: Path) -> None:
    text = incident_path(repo).read_text()
    resolved_at = text.split("resolved_at: '")[1][:20]
    edit(repo, f"resolved_at: '{resolved_at}'", "resolved_at: '2000-01-01T00:00:00Z'")
    found = findings(resolved)
    assert any(
        f["rule"] == "time-order"
        and "resolved_at (2000-01-01T00:00:00Z) is before started_at" in f["message"]
        for f in found
    ), found


def test_file_name_must_match_id_and_date(resolved: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    path.rename(path.with_name("2020-01-01-incident-1.md"))
    assert "file-name" in rules_of(resolved)


def test_duplicate_ids(resolved: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    (path.parent / "2020-01-01-incident-1.md").write_bytes(path.read_bytes())
    assert "duplicate-id" in rules_of(resolved)


def test_open_sev1_needs_commander_and_comms_lead(declared: Runbook) -> None:
    declared("severity", "SEV-1")
    assert [f["rule"] for f in findings(declared)] == ["roles", "roles"]
    declared("assign", "--commander", "Ana", "--comms-lead", "Bo")
    assert findings(declared) == []


def test_postmortem_scheduled_after_deadline_is_flagged(resolved: Runbook) -> None:
    resolved("postmortem", "schedule", "--at", "2099-01-01T00:00:00Z", "-i", "1", "--ics", "-")
    assert "postmortem" in rules_of(resolved)


def test_github_format_annotates_lines_and_writes_a_step_summary(
    resolved: Runbook, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(repo, "## Timeline\n", "## Timeline\n\n- garbled, line\n")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = resolved("check", "--all", "--format", "github", expect=1)
    lines = result.stdout.splitlines()
    path = incident_path(repo).relative_to(repo).as_posix()
    line_number = incident_path(repo).read_text().splitlines().index("- garbled, line") + 1
    assert lines[0].startswith(
        f"::error file={path},line={line_number},title=runbook check%3A timeline::cannot read "
        "this timeline line"
    )
    assert lines[-1] == "1 problem(s) in 1 of 1 file(s)."
    assert (
        "## runbook check: 1 problem(s)" in summary.read_text()
        and f"`{path}`" in summary.read_text()
    )


def test_base_scope_checks_only_files_changed_on_the_branch(resolved: Runbook, repo: Path) -> None:
    edit(repo, "## Timeline\n", "## Timeline\n\n- garbled\n")
    git(repo, "commit", "-qam", "broken incident 1 on main")
    git(repo, "checkout", "-qb", "feature")
    resolved(
        "declare",
        "Second",
        "-s",
        "SEV-3",
        "--service",
        "patient-web",
        "--commander",
        "Lee",
        "--comms-lead",
        "Lee",
    )
    found = findings(resolved, "--base", "main")
    assert found == []  # incident 2 is fine; the broken incident 1 did not change on this branch
    assert "timeline" in rules_of(resolved)


def test_shallow_clone_that_cannot_reach_the_base_is_an_error(
    resolved: Runbook, repo: Path, tmp_path: Path
) -> None:
    git(repo, "checkout", "-qb", "feature")
    for n in range(3):
        resolved("timeline", "add", f"entry {n}", "-i", "1")
    git(repo, "checkout", "-q", "main")
    for n in range(3):
        resolved("timeline", "add", f"main entry {n}", "-i", "1")
    shallow = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{repo}",
            str(shallow),
        ],
        check=True,
    )
    subprocess.run(
        ["git", "-C", str(shallow), "fetch", "-q", "--depth", "1", "origin", "main:main"],
        check=True,
    )
    result = Runbook(shallow)("check", "--base", "main", expect=3)
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr


def test_scope_is_required(resolved: Runbook) -> None:
    assert "say what to check" in resolved("check", expect=2).stderr


def test_the_projects_own_example_incidents_pass() -> None:
    project = Path(__file__).resolve().parents[1]
    if not (project / ".git").exists():
        pytest.skip("not a git checkout")
    result = Runbook(project)("check", "--all", expect=None)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "complete" in result.stdout


def test_a_large_repository_is_checked_on_all_cores_with_the_same_findings(
    resolved: Runbook, repo: Path
) -> None:
    path = incident_path(repo)
    text = path.read_text()
    for number in range(2, 341):  # past the point where work is spread over processes
        copy = text.replace("id: 1\n", f"id: {number}\n", 1).replace(
            "# Incident 1 –", f"# Incident {number} –", 1
        )
        (path.parent / path.name.replace("-incident-1.md", f"-incident-{number}.md")).write_text(
            copy
        )
    broken = path.parent / path.name.replace("-incident-1.md", "-incident-200.md")
    broken.write_text(broken.read_text().replace("severity: SEV-2", "severity: SEV-9"))
    found = findings(resolved, "--all")
    assert [(f["path"].rsplit("/", 1)[-1], f["rule"]) for f in found] == [(broken.name, "schema")]


def test_the_step_summary_points_to_this_versions_rules_not_a_file_the_team_lacks() -> None:
    finding = Finding("docs/runbooks/incidents/x.md", 3, "timeline", "cannot read this line")
    text = checkreport.step_summary(CheckResult(files=["x"], findings=[finding]))
    assert f"/blob/v{__version__}/docs/runbooks/guide.md#what-runbook-check-enforces" in text
    assert "(see docs/runbooks/guide.md)" not in text
    assert checkreport.step_summary(CheckResult(files=["x"], findings=[])).startswith(
        "## runbook check: 1 incident file(s) complete"
    )
