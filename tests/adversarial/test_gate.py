"""The gate (`runbook check --base`) holds against the pull request it judges: the PR's own config
cannot switch the guard off, every path under docs/runbooks/ is judged, and links or special files
are findings, never read."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import Runbook, git, incident_path

RUNBOOK = shutil.which("runbook") or str(Path(sys.executable).with_name("runbook"))
SSN = "patient SSN 123-45-6789 could not book"
INCIDENTS = "docs/runbooks/incidents"


def on_branch(repo: Path) -> None:
    git(repo, "checkout", "-qb", "pr")


def commit_all(repo: Path, message: str = "pr change") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def gate(repo: Path, *args: str, timeout: float = 30) -> tuple[int, list[dict], str]:
    """The installed executable in its own process, memory-capped: a read of /dev/zero or a
    runaway regex fails the test instead of the machine."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    result = subprocess.run(
        [RUNBOOK, "check", *(args or ("--base", "main")), "--format", "json"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
    )
    found = json.loads(result.stdout)["findings"] if result.stdout.startswith("{") else []
    return result.returncode, found, result.stderr


def rules(found: list[dict]) -> set[tuple[str, str]]:
    return {(f["path"].rsplit("/", 1)[-1], f["rule"]) for f in found}


# --- 13.1 the pull request cannot change the rules that judge it ----------------------------


def test_a_pr_that_disables_the_guard_is_judged_by_the_base_guard(
    declared: Runbook, repo: Path
) -> None:
    on_branch(repo)
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "disabled: []",
            "disabled: [aws-access-key, private-key, github-token, slack-token, jwt, "
            "secret-assignment, password-in-url, us-ssn, medical-record-number, email, phone, "
            "date-of-birth]",
        )
    )
    path = incident_path(repo)
    path.write_text(path.read_text().replace("## Timeline\n", f"## Timeline\n\n{SSN}\n"))
    commit_all(repo)
    code, found, _ = gate(repo)
    assert code == 1
    assert (path.name, "sensitive") in rules(found)
    guard_change = [f for f in found if f["path"] == "docs/runbooks/config.yml"]
    assert guard_change and "config changes the guard: review" in guard_change[0]["message"]


def test_a_pr_that_adds_a_catastrophic_pattern_does_not_hang_the_gate(
    declared: Runbook, repo: Path
) -> None:
    on_branch(repo)
    config = repo / "docs/runbooks/config.yml"
    config.write_text(config.read_text().replace("extra: {}", "extra:\n    evil: '(a+)+$'"))
    path = incident_path(repo)
    path.write_text(path.read_text() + "\n" + "a" * 50_000 + "!\n")
    commit_all(repo)
    started = time.monotonic()
    code, found, _ = gate(repo)
    assert time.monotonic() - started < 10
    assert code == 1 and ("config.yml", "guard-config") in rules(found)
    started = time.monotonic()
    gate(repo, "--all")  # the branch's own config, in a linear-time engine
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("pattern", "says"),
    [(r"(a)\1", "backreference"), ("a(?=b)", "lookaround"), ("x" * 2000, "longer than")],
)
def test_user_patterns_that_cannot_be_bounded_are_refused(
    declared: Runbook, repo: Path, pattern: str, says: str
) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(config.read_text().replace("extra: {}", f"extra:\n    mine: '{pattern}'"))
    result = declared("timeline", "add", "x", expect=4)
    assert "'mine'" in result.stderr and says in result.stderr
    assert result.stderr.count("\n") == 1


def test_user_patterns_still_match(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text()
        .replace("medical_record_number: null", "medical_record_number: 'PT\\d{8}'")
        .replace("extra: {}", "extra:\n    employee-id: '(?i)emp-\\d{6}'")
    )
    assert "(employee-id)" in declared("timeline", "add", "saw Emp-123456", expect=2).stderr
    assert "(medical-record-number)" in declared("timeline", "add", "PT12345678", expect=2).stderr


# --- 13.2 every path under docs/runbooks/ is judged -------------------------------------------


def test_the_gate_trusts_no_cache_for_the_files_it_judges(declared: Runbook, repo: Path) -> None:
    """`check --all` keeps findings in .git/runbook-check.json; a cache that says a file is
    clean (planted, or from another checkout) cannot make `--base` pass the file."""
    on_branch(repo)
    path = incident_path(repo)
    path.write_text(path.read_text().replace("## Timeline\n", f"## Timeline\n\n{SSN}\n"))
    commit_all(repo)
    declared("check", "--all", expect=1)
    cache = repo / ".git/runbook-check.json"
    planted = json.loads(cache.read_text())
    for entry in planted["entries"].values():
        entry[1] = []  # "nothing found"
    cache.write_text(json.dumps(planted))
    assert declared("check", "--all", expect=0).exit_code == 0  # the local cache is trusted
    result = declared("check", "--base", "main", "--format", "json", expect=1)
    assert (path.name, "sensitive") in rules(json.loads(result.stdout)["findings"])
    assert json.loads(cache.read_text()) == planted  # neither read nor written by --base


def test_renamed_incident_and_stray_files_are_findings(declared: Runbook, repo: Path) -> None:
    on_branch(repo)
    path = incident_path(repo)
    git(repo, "mv", str(path), str(path.with_name(path.name.replace("-1.md", "-01.md"))))
    (repo / INCIDENTS / "notes.md").write_text(f"scratch: {SSN}\n")
    commit_all(repo)
    code, found, _ = gate(repo)
    assert code == 1
    assert {
        (path.name, "deleted"),
        (path.name.replace("-1.md", "-01.md"), "file-name"),
        ("notes.md", "file-name"),
        ("notes.md", "sensitive"),
    } <= rules(found)


def test_deleting_a_report_needs_a_reason_in_a_commit(declared: Runbook, repo: Path) -> None:
    on_branch(repo)
    path = incident_path(repo)
    git(repo, "rm", "-q", str(path))
    git(repo, "commit", "-qm", "tidy")
    code, found, _ = gate(repo)
    assert code == 1 and (path.name, "deleted") in rules(found)
    assert "Runbook-Delete:" in found[0]["message"]
    git(repo, "commit", "-q", "--allow-empty", "-m", "why\n\nRunbook-Delete: test incident")
    assert gate(repo)[:2] == (0, [])


def test_other_runbook_files_are_scanned(declared: Runbook, repo: Path) -> None:
    on_branch(repo)
    (repo / "docs/runbooks/templates/slack.md.j2").write_text(f"{{{{ incident.title }}}} {SSN}\n")
    commit_all(repo)
    code, found, _ = gate(repo)
    assert code == 1 and ("slack.md.j2", "sensitive") in rules(found)


# --- 13.3 links and special files are findings, never read ------------------------------------


def test_a_committed_link_is_a_finding_and_its_target_is_not_read(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\nid: 1\nleaked_key: hunter2-value\n---\n")
    on_branch(repo)
    link = repo / INCIDENTS / "2026-01-01-incident-9.md"
    link.symlink_to(secret)
    (repo / INCIDENTS / "2026-01-01-incident-8.md").symlink_to("/dev/zero")
    commit_all(repo)
    for args in (("--base", "main"), ("--all",), (str(link),)):
        code, found, error = gate(repo, *args)
        assert code == 1, error
        assert (link.name, "link") in rules(found)
        assert "leaked_key" not in json.dumps(found)
    code, found, _ = gate(repo, "--all")
    assert ("2026-01-01-incident-8.md", "link") in rules(found)


def test_special_files_are_never_read(declared: Runbook, repo: Path) -> None:
    os.mkfifo(repo / INCIDENTS / "2026-01-01-incident-7.md")
    code, found, _ = gate(repo, "--all", timeout=20)
    assert code == 1 and ("2026-01-01-incident-7.md", "read") in rules(found)


def test_a_config_link_to_dev_zero_is_refused_quickly(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.unlink()
    config.symlink_to("/dev/zero")
    code, _, error = gate(repo, "--all", timeout=20)
    assert code == 4 and "config.yml is a symbolic link" in error
