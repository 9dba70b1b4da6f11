"""PagerDuty, Statuspage, Jira and Linear against local fakes on 127.0.0.1 that check each
request's method, path, headers and JSON as the services document them."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot


class Fake:
    """Answers each request with the next scripted (status, json, delay) for its method+path."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: dict[str, list[tuple[int, dict, float]]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": body,
                    }
                )
                queue = fake.script.get(f"{self.command} {self.path}") or [(200, {}, 0.0)]
                status, answer, delay = queue.pop(0) if len(queue) > 1 else queue[0]
                time.sleep(delay)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PATCH = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def on(self, route: str, *answers: tuple[int, dict] | tuple[int, dict, float]) -> None:
        self.script[route] = [(a[0], a[1], a[2] if len(a) > 2 else 0.0) for a in answers]


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    server = Fake()
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "1")
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def pagerduty(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Fake:
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"{fake.url}/v2/enqueue")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "R0UTINGKEY0123456789abcdef")
    return fake


def test_page_ack_resolve_share_one_dedup_key(
    declared: Runbook, pagerduty: Fake, repo: Path
) -> None:
    pagerduty.on(
        "POST /v2/enqueue",
        (202, {"status": "success", "message": "Event processed", "dedup_key": "runbook/repo/x"}),
    )
    declared("page", "--to", "oncall")
    declared("ack")
    declared("resolve")
    trigger, acknowledge, resolve = pagerduty.requests
    sent_key = trigger["json"]["dedup_key"]
    assert sent_key.startswith("runbook/repo/") and sent_key.endswith(
        "-incident-1"
    )  # stable: repository, start date, id
    assert trigger["json"] == {
        "routing_key": "R0UTINGKEY0123456789abcdef",
        "event_action": "trigger",
        "dedup_key": sent_key,
        "payload": {
            "summary": "SEV-2: Checkout errors",
            "source": "repo",
            "severity": "error",
            "custom_details": {
                "file": trigger["json"]["payload"]["custom_details"]["file"],
                "services": ["appointment-service"],
                "status": "investigating",
                "page": "oncall",
            },
        },
    }
    assert trigger["headers"]["Content-Type"] == "application/json"
    assert acknowledge["json"] == {
        "routing_key": "R0UTINGKEY0123456789abcdef",
        "event_action": "acknowledge",
        "dedup_key": "runbook/repo/x",
    }
    assert (
        resolve["json"]["event_action"] == "resolve"
        and resolve["json"]["dedup_key"] == "runbook/repo/x"
    )
    texts = [e["text"] for e in declared.json("show", "-i", "1")["timeline"]]
    assert "Paged via PagerDuty (oncall): dedup key runbook/repo/x." in texts
    assert "PagerDuty acknowledge sent (dedup key runbook/repo/x)." in texts
    assert "R0UTINGKEY" not in next((repo / "docs/runbooks/incidents").glob("*.md")).read_text()
    assert "R0UTINGKEY" not in git(repo, "log", "-p")


@pytest.mark.parametrize(
    "severity,expected", [("SEV-0", "critical"), ("SEV-1", "critical"), ("SEV-3", "warning")]
)
def test_severity_mapping(declared: Runbook, pagerduty: Fake, severity: str, expected: str) -> None:
    declared("severity", severity)
    declared("page")
    assert pagerduty.requests[-1]["json"]["payload"]["severity"] == expected


def test_dry_run_masks_secrets_and_sends_nothing(
    declared: Runbook, pagerduty: Fake, repo: Path
) -> None:
    before = snapshot(repo)
    out = declared("page", "--dry-run").stdout
    assert (
        "R0UTINGKEY" not in out
        and '"routing_key": "***"' in out
        and '"event_action": "trigger"' in out
    )
    assert pagerduty.requests == [] and snapshot(repo) == before


def test_missing_credentials_exit_2_naming_the_variable(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    assert "export RUNBOOK_PAGERDUTY_ROUTING_KEY" in declared("page", expect=2).stderr
    assert "export RUNBOOK_STATUSPAGE_API_KEY" in declared("statuspage", "publish", expect=2).stderr
    declared("action", "add", "Fix it", "--owner", "Lee", "--due", "2026-12-01")
    before = snapshot(repo)
    assert (
        "export RUNBOOK_JIRA_EMAIL" in declared("action", "export", "--to", "jira", expect=2).stderr
    )
    assert (
        "export RUNBOOK_LINEAR_API_KEY"
        in declared("action", "export", "--to", "linear", expect=2).stderr
    )
    assert snapshot(repo) == before


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        (
            [
                (
                    400,
                    {
                        "status": "invalid event",
                        "message": "Event object is invalid",
                        "errors": ["Length of 'routing_key' is incorrect"],
                    },
                )
            ],
            "PagerDuty answered HTTP 400: Event object is invalid",
        ),
        (
            [
                (500, {"message": "oops"}),
                (500, {"message": "oops"}),
                (500, {"message": "still down"}),
            ],
            "PagerDuty answered HTTP 500: still down",
        ),
        ([(200, {}, 3.0)], "did not answer within 1s"),
    ],
)
def test_service_failures_exit_5_and_record_nothing(
    declared: Runbook, pagerduty: Fake, repo: Path, answers: list, says: str
) -> None:
    pagerduty.on("POST /v2/enqueue", *answers)
    before = snapshot(repo)
    result = declared("page", expect=5)
    assert (
        says in result.stderr
        and "nothing was recorded" in result.stderr
        and "R0UTINGKEY" not in result.stderr
    )
    assert snapshot(repo) == before


def test_429_and_5xx_are_retried_then_succeed(declared: Runbook, pagerduty: Fake) -> None:
    pagerduty.on(
        "POST /v2/enqueue",
        (429, {"message": "slow down"}),
        (503, {}),
        (202, {"status": "success", "dedup_key": "k"}),
    )
    declared("page")
    assert len(pagerduty.requests) == 3
    assert declared.json("show")["timeline"][-1]["text"] == "Paged via PagerDuty: dedup key k."


def test_connection_refused_exits_5(
    declared: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"http://127.0.0.1:{port}/v2/enqueue")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "k" * 32)
    assert "cannot reach PagerDuty at 127.0.0.1" in declared("page", expect=5).stderr


def test_only_https_unless_loopback(declared: Runbook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", "http://events.example.com/v2/enqueue")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "k" * 32)
    assert "must be an https:// URL" in declared("page", expect=2).stderr


@pytest.fixture
def statuspage(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Fake:
    monkeypatch.setenv("RUNBOOK_STATUSPAGE_URL", fake.url)
    monkeypatch.setenv("RUNBOOK_STATUSPAGE_API_KEY", "SPKEY-secret-123")
    monkeypatch.setenv("RUNBOOK_STATUSPAGE_PAGE_ID", "pg1")
    return fake


def test_statuspage_creates_then_updates_and_ticks_the_checklist(
    declared: Runbook, statuspage: Fake, repo: Path
) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "    components: {}", "    components:\n      appointment-service: cmp42"
        )
    )
    statuspage.on(
        "POST /v1/pages/pg1/incidents", (201, {"id": "inc-77", "shortlink": "https://stspg.io/x"})
    )
    statuspage.on("PATCH /v1/pages/pg1/incidents/inc-77", (200, {"id": "inc-77"}))
    declared("statuspage", "publish")
    declared("status", "mitigated")
    declared("statuspage", "publish")
    declared("resolve")
    declared("statuspage", "publish", "-i", "1")
    create, mitigated, resolved = statuspage.requests
    assert create["method"] == "POST" and create["path"] == "/v1/pages/pg1/incidents"
    assert create["headers"]["Authorization"] == "OAuth SPKEY-secret-123"
    assert create["json"] == {
        "incident": {
            "name": "Checkout errors",
            "status": "investigating",
            "component_ids": ["cmp42"],
            "body": "We are currently investigating an issue affecting appointment-service. Users may experience errors or slow responses. Updates every 30 minutes.",
        }
    }
    assert (
        mitigated["method"] == "PATCH"
        and mitigated["path"] == "/v1/pages/pg1/incidents/inc-77"
        and mitigated["json"]["incident"]["status"] == "monitoring"
    )
    assert resolved["json"]["incident"]["status"] == "resolved"
    view = declared.json("show", "-i", "1")
    assert view["checklist"]["status_page_resolved"] is True
    assert "SPKEY" not in git(repo, "log", "-p")


@pytest.fixture
def jira(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Fake:
    monkeypatch.setenv("RUNBOOK_JIRA_URL", fake.url)
    monkeypatch.setenv("RUNBOOK_JIRA_EMAIL", "sre@example.invalid")
    monkeypatch.setenv("RUNBOOK_JIRA_TOKEN", "JIRATOKEN-secret")
    monkeypatch.setenv("RUNBOOK_JIRA_PROJECT", "OPS")
    return fake


def test_jira_export_creates_one_issue_per_item_and_is_idempotent(
    declared: Runbook, jira: Fake, repo: Path
) -> None:
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    declared("action", "add", "Alert on pool saturation", "--owner", "Ana", "--due", "2026-12-12")
    jira.on(
        "POST /rest/api/3/issue",
        (201, {"id": "10001", "key": "OPS-1", "self": "x"}),
        (201, {"id": "10002", "key": "OPS-2", "self": "y"}),
    )
    declared("action", "export", "--to", "jira")
    first, second = jira.requests
    assert first["path"] == "/rest/api/3/issue"
    assert (
        first["headers"]["Authorization"]
        == "Basic " + base64.b64encode(b"sre@example.invalid:JIRATOKEN-secret").decode()
    )
    fields = first["json"]["fields"]
    assert (
        fields["project"] == {"key": "OPS"}
        and fields["summary"] == "Add retry budget"
        and fields["duedate"] == "2026-12-10"
    )
    assert fields["issuetype"] == {"name": "Task"} and fields["description"]["type"] == "doc"
    assert "docs/runbooks/incidents/" in fields["description"]["content"][0]["content"][0]["text"]
    items = declared.json("show")["action_items"]
    assert [i["tracker"] for i in items] == [
        {"system": "jira", "key": "OPS-1", "url": f"{jira.url}/browse/OPS-1"},
        {"system": "jira", "key": "OPS-2", "url": f"{jira.url}/browse/OPS-2"},
    ]
    assert declared.json("checklist")["action_items_created"] is True
    head = git(repo, "rev-parse", "HEAD")
    assert "nothing to export" in declared("action", "export", "--to", "jira").stdout
    assert len(jira.requests) == 2 and git(repo, "rev-parse", "HEAD") == head
    assert "JIRATOKEN" not in git(repo, "log", "-p")


def test_a_failure_midway_keeps_what_was_created(declared: Runbook, jira: Fake) -> None:
    declared("action", "add", "One", "--owner", "Lee", "--due", "2026-12-10")
    declared("action", "add", "Two", "--owner", "Lee", "--due", "2026-12-10")
    jira.on(
        "POST /rest/api/3/issue",
        (201, {"key": "OPS-1"}),
        (400, {"errorMessages": ["Field 'duedate' cannot be set."]}),
    )
    assert (
        "Jira answered HTTP 400: Field 'duedate' cannot be set."
        in declared("action", "export", "--to", "jira", expect=5).stderr
    )
    assert [i.get("tracker", {}).get("key") for i in declared.json("show")["action_items"]] == [
        "OPS-1",
        None,
    ]
    assert declared.json("checklist")["action_items_created"] is False


def test_linear_export_uses_graphql_issue_create(
    declared: Runbook, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_LINEAR_URL", f"{fake.url}/graphql")
    monkeypatch.setenv("RUNBOOK_LINEAR_API_KEY", "lin_api_secret")
    monkeypatch.setenv("RUNBOOK_LINEAR_TEAM_ID", "team-9")
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    fake.on(
        "POST /graphql",
        (
            200,
            {
                "data": {
                    "issueCreate": {
                        "success": True,
                        "issue": {
                            "id": "u1",
                            "identifier": "ENG-5",
                            "url": "https://linear.app/x/ENG-5",
                        },
                    }
                }
            },
        ),
    )
    declared("action", "export", "--to", "linear")
    (request,) = fake.requests
    assert request["headers"]["Authorization"] == "lin_api_secret"
    assert "issueCreate(input: $input)" in request["json"]["query"]
    assert request["json"]["variables"]["input"] == {
        "teamId": "team-9",
        "title": "Add retry budget",
        "description": request["json"]["variables"]["input"]["description"],
        "dueDate": "2026-12-10",
    }
    assert declared.json("show")["action_items"][0]["tracker"]["key"] == "ENG-5"


def test_linear_graphql_errors_are_failures(
    declared: Runbook, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_LINEAR_URL", f"{fake.url}/graphql")
    monkeypatch.setenv("RUNBOOK_LINEAR_API_KEY", "lin_api_secret")
    monkeypatch.setenv("RUNBOOK_LINEAR_TEAM_ID", "team-9")
    declared("action", "add", "X", "--owner", "Lee", "--due", "2026-12-10")
    fake.on("POST /graphql", (200, {"errors": [{"message": "Entity not found: Team"}]}))
    assert (
        "Linear did not create the issue: Entity not found: Team"
        in declared("action", "export", "--to", "linear", expect=5).stderr
    )
