"""Uncommitted changes of incident files: the tool's own pending writes (a refused commit, no git
identity, --no-commit) are committed as their own commits; anyone else's edits are scanned and
committed separately, marked as made outside runbook. Never one commit holding both."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import Runbook, git, incident_path, snapshot


def relative(repo: Path, number: int = 1) -> str:
    return incident_path(repo, number).relative_to(repo).as_posix()


def hand_edit(repo: Path, old: str, new: str) -> None:
    path = incident_path(repo)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def subjects(repo: Path, count: int) -> list[str]:
    return git(repo, "log", f"-{count}", "--format=%s").splitlines()


def test_a_hand_edit_is_committed_separately_and_marked_as_made_outside_runbook(
    declared: Runbook, repo: Path
) -> None:
    hand_edit(repo, "## Root Cause\n", "## Root Cause\n\nA typo in the EU pool size.\n")
    declared("timeline", "add", "the tool's own entry")
    assert subjects(repo, 2) == [
        "incident 1: timeline: the tool's own entry",
        "incident 1: edit made outside runbook",
    ]
    hand = git(repo, "show", "HEAD~1")
    assert "Edited-Outside-Runbook:" in hand and "typo in the EU pool" in hand
    assert "the tool's own entry" not in hand
    added = [line for line in git(repo, "diff", "HEAD~1", "HEAD").splitlines() if line[:1] == "+"]
    assert not any("typo in the EU pool" in line for line in added)
    assert any("the tool's own entry" in line for line in added)
    assert git(repo, "status", "--porcelain") == ""
    records = json.loads(declared("audit", "--json").stdout)
    outside = [r for r in records if r["message"].startswith("incident 1: edit made outside")]
    assert outside and outside[0]["by_tool"] is False and outside[0]["hand_edit"] is True
    assert "[edited outside runbook]" in declared("audit").stdout


def test_a_hand_edit_with_a_secret_is_refused_and_left_alone(declared: Runbook, repo: Path) -> None:
    hand_edit(repo, "## Summary\n", "## Summary\n\npassword=hunter2hunter2\n")
    before = snapshot(repo)
    error = declared("timeline", "add", "next", expect=2).stderr
    assert "made outside runbook" in error and "password" in error.lower()
    assert f"git restore --staged --worktree -- {relative(repo)}" in error
    assert error.count("\n") == 1
    assert snapshot(repo) == before
    declared("timeline", "add", "next", "--allow-sensitive")
    assert "Sensitive-Data-Allowed:" in git(repo, "log", "-1", "--skip=1", "--format=%B")


def test_a_hand_edit_that_breaks_the_file_is_refused_with_how_to_fix_or_discard(
    declared: Runbook, repo: Path
) -> None:
    hand_edit(repo, "severity: SEV-2", "severity: SEV-9")
    before = snapshot(repo)
    error = declared("timeline", "add", "next", expect=4).stderr
    assert "uncommitted changes made outside runbook" in error and "SEV-9" in error
    assert f"git restore --staged --worktree -- {relative(repo)}" in error
    assert snapshot(repo) == before


def test_no_commit_refuses_to_mix_with_a_hand_edit(declared: Runbook, repo: Path) -> None:
    hand_edit(repo, "title: Checkout errors", "title: Checkout errors in EU")
    before = snapshot(repo)
    error = declared("timeline", "add", "draft", "--no-commit", expect=2).stderr
    assert "made outside runbook" in error and f"git commit -- {relative(repo)}" in error
    assert snapshot(repo) == before


def test_a_refused_commit_is_committed_by_the_next_command_as_its_own(
    declared: Runbook, repo: Path
) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    declared("timeline", "add", "kept although the hook refused", expect=3)
    hook.unlink()
    declared("severity", "SEV-1")
    assert subjects(repo, 2) == [
        "incident 1: severity SEV-2 -> SEV-1",
        "incident 1: timeline: kept although the hook refused",
    ]
    assert "Severity: SEV-2 -> SEV-1" not in git(repo, "log", "-1", "--skip=1", "--format=%B")
    added = [line for line in git(repo, "diff", "HEAD~1", "HEAD").splitlines() if line[:1] == "+"]
    assert not any("kept although" in line for line in added)


def test_no_commit_drafts_are_committed_as_their_own_commit_next_time(
    declared: Runbook, repo: Path
) -> None:
    declared("timeline", "add", "draft one", "--no-commit")
    declared("timeline", "add", "draft two", "--no-commit")
    declared("ack")
    assert subjects(repo, 2) == [
        "incident 1: acknowledge",
        "incident 1: 2 changes written without a commit",
    ]
    body = git(repo, "log", "-1", "--skip=1", "--format=%B")
    assert "timeline: draft one" in body and "timeline: draft two" in body
    assert "Incident-Id: 1" in body


def test_a_pending_write_edited_by_hand_afterwards_is_refused(
    declared: Runbook, repo: Path
) -> None:
    declared("timeline", "add", "draft", "--no-commit")
    hand_edit(repo, "title: Checkout errors", "title: Checkout errors in EU")
    before = snapshot(repo)
    error = declared("timeline", "add", "next", expect=2).stderr
    assert "could not commit" in error and "outside runbook" in error
    assert snapshot(repo) == before


def test_without_a_git_identity_the_change_is_kept_and_committed_later(
    declared: Runbook, repo: Path, hermetic_git: Path
) -> None:
    config = (hermetic_git / ".gitconfig").read_text()
    (hermetic_git / ".gitconfig").write_text("[commit]\n\tgpgSign = false\n")
    head = git(repo, "rev-parse", "HEAD")
    result = declared("timeline", "add", "typed mid-outage", expect=3)
    assert "written to" in result.stderr and "not committed" in result.stderr
    assert "git config --global user.name" in result.stderr
    assert result.stderr.count("\n") == 1
    assert "typed mid-outage" in incident_path(repo).read_text()
    assert git(repo, "rev-parse", "HEAD") == head
    result = declared("declare", "Second", "-s", "SEV-3", "--service", "web", expect=3)
    assert incident_path(repo, 2).exists() and "not committed" in result.stderr
    (hermetic_git / ".gitconfig").write_text(config)
    declared("timeline", "add", "identity is back", "-i", "1")
    log = git(repo, "log", "--format=%s", f"{head}..HEAD").splitlines()
    assert sorted(log[1:]) == sorted(
        ["incident 1: timeline: typed mid-outage", "incident 2: declare SEV-3 Second"]
    )
    assert log[0] == "incident 1: timeline: identity is back"
    assert git(repo, "status", "--porcelain") == ""


def test_the_entry_author_without_identity_is_the_given_author(
    declared: Runbook, repo: Path, hermetic_git: Path
) -> None:
    (hermetic_git / ".gitconfig").write_text("[commit]\n\tgpgSign = false\n")
    declared("timeline", "add", "by Kim", "--author", "Kim", expect=3)
    assert "Kim" in incident_path(repo).read_text()


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen to sign")
def test_audit_shows_signature_status(declared: Runbook, repo: Path, tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = tmp_path / "allowed"
    signers.write_text(f"avery@example.invalid {(tmp_path / 'key.pub').read_text()}")
    for name, value in (
        ("gpg.format", "ssh"),
        ("user.signingkey", str(key)),
        ("gpg.ssh.allowedSignersFile", str(signers)),
        ("commit.gpgSign", "true"),
    ):
        git(repo, "config", name, value)
    declared("timeline", "add", "signed entry")
    records = json.loads(declared("audit", "--json").stdout)
    assert records[-1]["signature"] == "G" and records[0]["signature"] == "N"
    text = declared("audit").stdout
    assert "signed" in text and "unsigned" in text
