"""Paths around the sensitive-data guard: an override written without a commit is recorded on
the commit that carries the data, and every path out of the machine (PagerDuty, Statuspage,
Jira, Linear, the static site) passes the guard `comms --post` passes."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot

EMAIL = "jane.doe@gmail.com"
ANSWER = {"id": "x1", "key": "OPS-1", "data": {"issueCreate": {"issue": {"identifier": "L-1"}}}}


def test_an_override_without_commit_is_recorded_on_the_commit_that_carries_it(
    declared: Runbook, repo: Path
) -> None:
    declared("timeline", "add", f"patient {EMAIL} wrote in", "--allow-sensitive", "--no-commit")
    declared("timeline", "add", "next entry")  # commits the file, the earlier line included
    carrying = git(repo, "log", f"-S{EMAIL}", "--format=%H").split()
    assert len(carrying) == 1
    assert "Sensitive-Data-Allowed: email" in git(repo, "show", "-s", "--format=%B", carrying[0])
    declared("timeline", "add", "a third entry")  # the override is spent: no trailer any more
    assert "Sensitive-Data-Allowed" not in git(repo, "log", "-1", "--format=%B")


def test_a_reverted_override_leaves_no_trailer(declared: Runbook, repo: Path) -> None:
    declared("timeline", "add", f"patient {EMAIL} wrote in", "--allow-sensitive", "--no-commit")
    git(repo, "checkout", "--", "docs/runbooks/incidents")
    declared("timeline", "add", "next entry")
    assert "Sensitive-Data-Allowed" not in git(repo, "log", "-1", "--format=%B")


class Recorder:
    """A local service that answers 200 {} and counts what reached it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.paths.append(self.path)
                answer = json.dumps(ANSWER).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch):
    recorder = Recorder()
    for name, value in {
        "RUNBOOK_PAGERDUTY_URL": f"{recorder.url}/v2/enqueue",
        "RUNBOOK_PAGERDUTY_ROUTING_KEY": "R0UTINGKEY0123456789abcdef",
        "RUNBOOK_STATUSPAGE_URL": recorder.url,
        "RUNBOOK_STATUSPAGE_API_KEY": "SPKEY-secret-123",
        "RUNBOOK_STATUSPAGE_PAGE_ID": "pg1",
        "RUNBOOK_JIRA_URL": recorder.url,
        "RUNBOOK_JIRA_EMAIL": "sre@example.invalid",
        "RUNBOOK_JIRA_TOKEN": "JIRATOKEN-secret",
        "RUNBOOK_JIRA_PROJECT": "OPS",
        "RUNBOOK_LINEAR_URL": f"{recorder.url}/graphql",
        "RUNBOOK_LINEAR_API_KEY": "LINKEY-secret",
        "RUNBOOK_LINEAR_TEAM_ID": "team1",
        "RUNBOOK_HTTP_TIMEOUT": "1",
    }.items():
        monkeypatch.setenv(name, value)
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()


@pytest.fixture
def leaky(runbook: Runbook) -> Runbook:
    """An incident whose title holds an email address, kept knowingly when it was declared."""
    runbook(
        "declare",
        f"Leak of {EMAIL}",
        "-s",
        "SEV-1",
        "--service",
        "patient-web",
        "--allow-sensitive",
    )
    runbook("action", "add", "Rotate the mailbox", "--owner", "Lee", "--due", "2026-12-10")
    return runbook


@pytest.mark.parametrize(
    ("args", "service"),
    [
        (("page",), "PagerDuty"),
        (("statuspage", "publish"), "Statuspage"),
        (("action", "export", "--to", "jira"), "Jira"),
        (("action", "export", "--to", "linear"), "Linear"),
    ],
)
def test_every_outside_service_is_guarded(
    leaky: Runbook, repo: Path, services: Recorder, args: tuple[str, ...], service: str
) -> None:
    before = snapshot(repo)
    error = leaky(*args, expect=2).stderr
    assert f"refusing to post an email address (email) to {service}" in error
    assert EMAIL not in error and "Traceback" not in error
    assert services.paths == [] and snapshot(repo) == before
    leaky(*args, "--allow-sensitive")  # knowingly: sent
    assert services.paths


def test_the_static_site_is_guarded(leaky: Runbook, repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    error = leaky("site", "--out", str(out), expect=2).stderr
    assert "refusing to publish an email address (email)" in error and EMAIL not in error
    assert not out.exists()
    leaky("site", "--out", str(out), "--allow-sensitive")
    assert (out / "index.html").exists()
    (out / "index.html").write_text("before")  # a page to change: the refusal must keep it
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    leaky("site", "--out", str(out), expect=2)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # no temp file
