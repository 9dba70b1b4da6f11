"""The sensitive-data guard: refused with the kind named, nothing written, the secret not echoed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot

SAMPLES = [
    ("aws-access-key", "rotated key AKIAIOSFODNN7EXAMPLE after the leak", "AKIAIOSFODNN7EXAMPLE"),
    ("private-key", "-----BEGIN RSA PRIVATE KEY----- pasted by mistake", "BEGIN RSA PRIVATE KEY"),
    ("github-token", "used ghp_" + "a1B2" * 9 + " to deploy", "ghp_a1B2"),
    ("slack-token", "bot token xoxb-1234567890-abcdefghij", "xoxb-1234567890"),
    ("password-in-url", "connected with postgres://admin:hunter22@db.internal/app", "hunter22"),
    ("secret-assignment", "set password=SuperSecret123 on the replica", "SuperSecret123"),
    ("us-ssn", "patient with SSN 123-45-6789 could not book", "123-45-6789"),
    ("medical-record-number", "record MRN: 00123456 affected", "00123456"),
    ("email", "patient jane.doe@gmail.com reported it", "jane.doe@gmail.com"),
    ("phone", "patient called from +1 415-555-0134", "555-0134"),
    ("date-of-birth", "Jane Doe, DOB 1984-03-12, saw an error", "1984-03-12"),
]


@pytest.mark.parametrize(("kind", "text", "secret"), SAMPLES)
def test_each_kind_is_refused_in_a_timeline_entry(
    declared: Runbook, repo: Path, kind: str, text: str, secret: str
) -> None:
    before = snapshot(repo)
    error = declared("timeline", "add", "--", text, expect=2).stderr
    assert f"({kind})" in error and "the Timeline section" in error and "--allow-sensitive" in error
    assert secret not in error
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    "args",
    [
        ("declare", "Leak of jane.doe@gmail.com", "-s", "SEV-0", "--service", "patient-web"),
        (
            "declare",
            "Leak",
            "-s",
            "SEV-0",
            "--service",
            "patient-web",
            "--summary",
            "SSN 123-45-6789 exposed",
        ),
        ("report", "set", "root-cause", "password=SuperSecret123 was in the config", "-i", "1"),
        ("resolve", "--root-cause", "key AKIAIOSFODNN7EXAMPLE was public", "-i", "1"),
        (
            "action",
            "add",
            "Call +1 415-555-0134 back",
            "--owner",
            "Lee",
            "--due",
            "2026-12-01",
            "-i",
            "1",
        ),
        ("severity", "SEV-0", "--reason", "MRN 00123456 visible to others", "-i", "1"),
    ],
)
def test_every_writing_entry_point_is_guarded(
    declared: Runbook, repo: Path, args: tuple[str, ...]
) -> None:
    before = snapshot(repo)
    assert "refusing to write" in declared(*args, expect=2).stderr
    assert snapshot(repo) == before


def test_allow_sensitive_keeps_it_and_records_the_override(declared: Runbook, repo: Path) -> None:
    declared(
        "timeline", "add", "support mailbox help@example.org is overloaded", "--allow-sensitive"
    )
    assert (
        declared.json("show")["timeline"][-1]["text"]
        == "support mailbox help@example.org is overloaded"
    )
    assert "Sensitive-Data-Allowed: email" in git(repo, "log", "-1", "--format=%B")


def test_patterns_are_configurable(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    text = config.read_text()
    text = text.replace("  disabled: []", "  disabled: [email]").replace(
        "  extra: {}", "  extra:\n    employee-id: 'EMP-\\d{6}'"
    )
    text = text.replace("  medical_record_number: null", "  medical_record_number: 'PT\\d{8}'")
    config.write_text(text)
    declared("timeline", "add", "paged oncall@example.org")  # email disabled
    assert (
        "(employee-id)" in declared("timeline", "add", "EMP-123456 restarted it", expect=2).stderr
    )
    assert (
        "(medical-record-number)"
        in declared("timeline", "add", "chart PT12345678 failed to load", expect=2).stderr
    )
    config.write_text(text.replace("disabled: [email]", "disabled: [emial]"))
    assert "unknown pattern 'emial'" in declared("timeline", "add", "x", expect=4).stderr


def test_check_reports_hand_edited_secrets_without_echoing_them(
    declared: Runbook, repo: Path
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    path.write_text(
        path.read_text().replace(
            "## Root Cause\n", "## Root Cause\n\nThe key was AKIAIOSFODNN7EXAMPLE.\n"
        )
    )
    result = declared("check", "--all", "--format", "json", expect=1)
    assert "AKIAIOSFODNN7EXAMPLE" not in result.stdout
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "sensitive"]
    line = path.read_text().splitlines().index("The key was AKIAIOSFODNN7EXAMPLE.") + 1
    assert found == [
        {
            "path": path.relative_to(repo).as_posix(),
            "line": line,
            "rule": "sensitive",
            "message": (
                "an AWS access key (aws-access-key) at column 13: remove it, and rewrite history "
                "if it was pushed"
            ),
        }
    ]


def test_comms_posts_are_guarded(declared: Runbook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_SLACK_WEBHOOK_URL", "http://127.0.0.1:9/never-called")
    error = declared(
        "comms", "--post", "--impact", "patient 123-45-6789 cannot log in", expect=2
    ).stderr
    assert (
        "refusing to post a US social security number (us-ssn) to Slack" in error
        and "123-45-6789" not in error
    )
