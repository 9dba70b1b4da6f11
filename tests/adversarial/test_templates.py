"""Hostile templates: a repository's template or include must be a regular file inside
docs/runbooks/templates/, and rendering is bounded in time and output, so it can neither leak
the responder's environment nor hang a command (or hold the repository lock)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from helpers import Runbook, git

TEMPLATES = "docs/runbooks/templates"
NESTED = (
    "{% for a in range(100000) %}{% for b in range(100000) %}{{ '' }}{% endfor %}{% endfor %}\n"
)


def override(repo: Path, name: str, text: str) -> Path:
    path = repo / TEMPLATES / name
    path.write_text(text)
    return path


def test_a_template_link_to_the_environment_is_refused(
    declared: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_SLACK_WEBHOOK_URL", "https://hooks.slack.example/T0/B0/SECRETHOOK")
    (repo / TEMPLATES / "slack.md.j2").symlink_to("/proc/self/environ")
    result = declared("comms", expect=4)
    assert f"{TEMPLATES}/slack.md.j2 is a symbolic link" in result.stderr
    assert "SECRETHOOK" not in result.stdout + result.stderr


@pytest.mark.parametrize("kind", ["link", "fifo", "folder"])
def test_a_refused_include_names_the_included_file(
    declared: Runbook, repo: Path, tmp_path: Path, kind: str
) -> None:
    override(repo, "slack.md.j2", "{{ incident.title }}\n{% include 'part.j2' %}\n")
    part = repo / TEMPLATES / "part.j2"
    if kind == "link":
        secret = tmp_path / "secret.txt"
        secret.write_text("TOPSECRET\n")
        part.symlink_to(secret)
    elif kind == "fifo":
        import os

        os.mkfifo(part)
    else:
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere" / "part.j2").write_text("TOPSECRET\n")
        (repo / TEMPLATES / "sub").symlink_to(tmp_path / "elsewhere")
        override(repo, "slack.md.j2", "{% include 'sub/part.j2' %}\n")
        part = repo / TEMPLATES / "sub/part.j2"
    started = time.monotonic()
    result = declared("comms", expect=4)
    assert time.monotonic() - started < 10
    shown = part.relative_to(repo).as_posix() if kind != "folder" else f"{TEMPLATES}/sub"
    assert shown in result.stderr and "TOPSECRET" not in result.stdout + result.stderr


def test_a_runaway_template_is_stopped(declared: Runbook, repo: Path) -> None:
    override(repo, "slack.md.j2", NESTED)
    started = time.monotonic()
    result = declared("comms", expect=4)
    assert time.monotonic() - started < 10
    assert f"{TEMPLATES}/slack.md.j2" in result.stderr and "seconds" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}",
        "{{ 'x' * 1000000000 }}",
        "{{ [1] * 1000000000 }}",
    ],
)
def test_template_output_is_bounded(declared: Runbook, repo: Path, text: str) -> None:
    override(repo, "slack.md.j2", text)
    started = time.monotonic()
    result = declared("comms", expect=4)
    assert time.monotonic() - started < 10 and f"{TEMPLATES}/slack.md.j2" in result.stderr


def test_a_runaway_incident_template_does_not_hold_the_lock(runbook: Runbook, repo: Path) -> None:
    override(repo, "incident.md.j2", NESTED)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hostile template")
    started = time.monotonic()
    runbook("declare", "Slow", "-s", "SEV-3", "--service", "patient-web", expect=4)
    assert time.monotonic() - started < 10
    (repo / TEMPLATES / "incident.md.j2").unlink()
    runbook("declare", "Fine", "-s", "SEV-3", "--service", "patient-web")
