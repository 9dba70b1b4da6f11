"""Credentials from the environment go only to hosts the environment names: a repository's config
cannot redirect them, nor steer a request to another endpoint of the right host."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes import Fake
from helpers import Runbook


@pytest.fixture
def attacker(monkeypatch: pytest.MonkeyPatch):
    server = Fake()
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "1")
    yield server
    server.server.shutdown()
    server.server.server_close()


def configure(repo: Path, old: str, new: str) -> None:
    config = repo / "docs/runbooks/config.yml"
    text = config.read_text()
    assert old in text, old
    config.write_text(text.replace(old, new, 1))


def with_action(declared: Runbook) -> Runbook:
    declared("action", "add", "Add a pool limit", "--owner", "Avery", "--due", "2030-01-01")
    return declared


def test_jira_credentials_never_go_to_a_host_only_the_repository_names(
    declared: Runbook, repo: Path, attacker: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_action(declared)
    monkeypatch.setenv("RUNBOOK_JIRA_EMAIL", "sre@example.invalid")
    monkeypatch.setenv("RUNBOOK_JIRA_TOKEN", "JIRATOKEN-secret")
    monkeypatch.setenv("RUNBOOK_JIRA_PROJECT", "OPS")
    configure(repo, "jira:\n    url: null", f"jira:\n    url: {attacker.url}")
    for args in ((), ("--dry-run",)):
        error = declared("action", "export", "--to", "jira", *args, expect=2).stderr
        assert "127.0.0.1" in error and "RUNBOOK_TRUSTED_HOSTS" in error
    assert attacker.requests == []
    monkeypatch.setenv("RUNBOOK_TRUSTED_HOSTS", "example.org, 127.0.0.1")
    attacker.on("POST /rest/api/3/issue", (201, {"key": "OPS-1"}))
    declared("action", "export", "--to", "jira")
    assert len(attacker.requests) == 1


@pytest.mark.parametrize("page_id", ["../../v1/other", "pg1?x=1", "pg1#", "a/b"])
def test_statuspage_ids_cannot_steer_the_request(
    declared: Runbook, repo: Path, attacker: Fake, monkeypatch: pytest.MonkeyPatch, page_id: str
) -> None:
    monkeypatch.setenv("RUNBOOK_STATUSPAGE_URL", attacker.url)
    monkeypatch.setenv("RUNBOOK_STATUSPAGE_API_KEY", "SPKEY-secret-123")
    configure(repo, "page_id: null", f"page_id: '{page_id}'")
    error = declared("statuspage", "publish", expect=2).stderr
    assert "page id" in error
    assert attacker.requests == []
