"""Bad input and bad repository states: one sentence, the documented exit code, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot


def refused(
    runbook: Runbook, repo: Path, *args: str, code: int, says: str, input: str | None = None
) -> str:
    before = snapshot(repo)
    result = runbook(*args, expect=code, input=input)
    assert says in result.stderr, result.stderr
    assert result.stderr.startswith("runbook: error: ") and result.stderr.count("\n") == 1, (
        result.stderr
    )
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(repo) == before
    return result.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("severity", "SEV-9"),
            "unknown severity 'SEV-9'; use one of SEV-0 (Critical), SEV-1 (Major), SEV-2 "
            "(Moderate), SEV-3 (Minor).",
        ),
        (
            ("status", "done"),
            "unknown status 'done'; use one of investigating, identified, mitigated, resolved.",
        ),
        (("status", "closed"), "close an incident with runbook close"),
        (("timeline", "add", "x", "--at", "yesterday-ish"), "cannot read the time 'yesterday-ish'"),
        (("timeline", "add", "x", "--at", "2026-11-26T10:00:00"), "has no time zone"),
        (("timeline", "add", "x", "--at", "25:00"), "cannot read the time '25:00'"),
        (("timeline", "add", "x", "--at", "2999-01-01T00:00:00Z"), "is in the future"),
        (
            ("timeline", "add", "x", "--at", "2000-01-01T00:00:00Z"),
            "is more than 30 days before the incident started",
        ),
        (("timeline", "add", "   "), "the timeline entry is empty"),
        (
            ("timeline", "add", "x", "-i", "42"),
            "there is no incident 42; open incidents: 1 (Checkout errors).",
        ),
        (
            ("timeline", "add", "x", "-i", "../../etc/passwd"),
            "'../../etc/passwd' is not an incident id",
        ),
        (
            ("timeline", "add", "x", "-i", "/etc/2026-11-26-incident-1.md"),
            "is not an incident file in docs/runbooks/incidents/",
        ),
        (("timeline", "add", "x", "-i", "1; rm -rf /"), "is not an incident id"),
        (("timeline", "add", "x", "--author", "Eve — Mallory"), "separates fields in the timeline"),
        (("assign",), "name someone with --commander, --comms-lead or --role ROLE=NAME."),
        (
            ("declare", "Broken", "--severity", "SEV-1", "--service", "bad service!"),
            "is not a service name",
        ),
        (("declare", "", "--severity", "SEV-1", "--service", "web"), "the title is empty"),
        (
            (
                "declare",
                "Late",
                "--severity",
                "SEV-1",
                "--service",
                "web",
                "--started-at",
                "5m ago",
                "--detected-at",
                "10m ago",
            ),
            "impact cannot start after it was detected",
        ),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    declared: Runbook, repo: Path, args: tuple[str, ...], says: str
) -> None:
    refused(declared, repo, *args, code=2, says=says)


def test_unknown_option_is_a_usage_error(declared: Runbook) -> None:
    result = declared("timeline", "add", "x", "--bogus", expect=2)
    assert result.stderr.startswith("runbook: error: no such option: --bogus")
    assert "Traceback" not in result.stderr and "Usage:" not in result.stderr


def test_malformed_incident_file_exits_4_naming_file_and_line(
    declared: Runbook, repo: Path
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    path.write_text(path.read_text().replace("severity: SEV-2", "severity: SEV-7"))
    error = refused(
        declared, repo, "timeline", "add", "x", "-i", "1", code=4, says="unknown severity 'SEV-7'"
    )
    assert f"{path.relative_to(repo).as_posix()}:4:" in error
    path.write_text("---\nid: 1\ntitle: [unclosed\n---\n")
    refused(declared, repo, "show", "-i", "1", code=4, says="front matter")
    path.write_text("no front matter at all\n")
    refused(
        declared,
        repo,
        "show",
        "-i",
        "1",
        code=4,
        says="does not start with a '---' front matter line",
    )


def test_malformed_config_exits_4_with_a_did_you_mean(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(config.read_text() + "ack_target_minute: 7\n")
    refused(
        declared,
        repo,
        "ack",
        code=4,
        says="unknown setting 'ack_target_minute'. Did you mean 'ack_target_minutes'?",
    )
    config.write_text("comms:\n  chanel: '#war-room'\n")
    refused(
        declared,
        repo,
        "ack",
        code=4,
        says="unknown setting 'comms.chanel'. Did you mean 'comms.channel'?",
    )


def test_not_a_repository_exits_3(tmp_path: Path) -> None:
    result = Runbook(tmp_path)("list", expect=3)
    assert "is not inside a git repository" in result.stderr


def test_no_git_identity_on_a_non_incident_commit_exits_3_and_writes_nothing(
    declared: Runbook, repo: Path, hermetic_git: Path
) -> None:
    """Incident changes are kept uncommitted without an identity (tests/test_uncommitted.py);
    other commits (metrics.md) are refused before writing."""
    (hermetic_git / ".gitconfig").write_text("[commit]\n\tgpgSign = false\n")
    refused(declared, repo, "metrics", "--write", code=3, says="git has no identity here")


@pytest.mark.parametrize("state", ["MERGE_HEAD", "rebase-merge", "CHERRY_PICK_HEAD", "BISECT_LOG"])
def test_operation_in_progress_exits_3(declared: Runbook, repo: Path, state: str) -> None:
    marker = repo / ".git" / state
    if state == "rebase-merge":
        marker.mkdir()
    else:
        marker.write_text(git(repo, "rev-parse", "HEAD") + "\n")
    refused(
        declared, repo, "timeline", "add", "x", code=3, says="the repository is in the middle of"
    )


def test_detached_head_exits_3(declared: Runbook, repo: Path) -> None:
    git(repo, "checkout", "--quiet", "--detach")
    refused(declared, repo, "timeline", "add", "x", code=3, says="HEAD is detached")


def test_commit_hook_refusal_keeps_the_entry_and_says_it_is_uncommitted(
    declared: Runbook, repo: Path
) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD")
    result = declared("timeline", "add", "kept even though the hook refused", expect=3)
    assert "git did not commit it: policy: no commits today" in result.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    hook.unlink()
    declared("timeline", "add", "next one")
    assert "kept even though the hook refused" in git(repo, "show", "HEAD")
