"""PagerDuty, Statuspage, Jira and Linear against local fakes on 127.0.0.1 that check each
request's method, path, headers and JSON as the services document them."""

from __future__ import annotations

import base64
import socket
from pathlib import Path

import pytest
from fakes import Fake, Jira, Linear, PagerDuty, Statuspage
from helpers import Runbook, git, incident_path, snapshot


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    server = Fake()
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "1")
    yield server
    server.close()


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
    # stable: the repository, the incident file's name (start date, id), and the role paged
    assert sent_key == f"runbook/repo/{incident_path(repo).stem}/oncall"
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
            "components": {"cmp42": "degraded_performance"},
            "impact_override": "minor",
            "metadata": create["json"]["incident"]["metadata"],
            "body": (
                "We are currently investigating an issue affecting appointment-service. Users may "
                "experience errors or slow responses. Updates every 30 minutes."
            ),
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
    first, _second = jira.requests
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
    said = declared("action", "export", "--to", "jira", expect=5).stderr
    assert (
        "Jira answered HTTP 400: Field 'duedate' cannot be set; created and recorded: "
        "action item 1 (OPS-1); not created: action item 2; run runbook action export "
        "--to jira again to continue.\n"
    ) in said
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
        "id": request["json"]["variables"]["input"]["id"],
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


# --- Contract fakes: limits, idempotency, errors, a service that is down --------------------


@pytest.fixture
def pd(pagerduty: Fake) -> Fake:
    PagerDuty(pagerduty)
    return pagerduty


def test_long_titles_and_folders_stay_within_pagerduty_limits(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pd: Fake
) -> None:
    import shutil

    long_repo = tmp_path / ("team-" + "r" * 240)
    shutil.copytree(repo, long_repo, symlinks=True)
    runbook = Runbook(long_repo)
    runbook("declare", "Checkout " + "x" * 1500, "-s", "SEV-2", "--service", "patient-web")
    runbook("page")
    runbook("page", "--to", "cto")
    first, second = (r["json"] for r in pd.requests)
    summary = first["payload"]["summary"]
    assert len(summary) == 1024 and summary.endswith("…") and summary.startswith("SEV-2: Checkout")
    assert len(first["dedup_key"]) <= 255 and len(second["dedup_key"]) <= 255
    assert first["dedup_key"] != second["dedup_key"]
    stored = runbook.json("show")["integrations"]["pagerduty"]
    assert stored["dedup_key"] == first["dedup_key"]
    assert stored["roles"] == {"cto": second["dedup_key"]}


def test_each_role_paged_gets_its_own_alert_and_ack_reaches_all(
    declared: Runbook, pd: Fake
) -> None:
    declared("page")
    declared("page", "--to", "head-of-engineering")
    declared("page", "--to", "head-of-engineering")  # the same role again: the same alert
    declared("ack")
    keys = [r["json"]["dedup_key"] for r in pd.requests]
    assert keys[0] != keys[1] and keys[1] == keys[2]
    acks = [r["json"] for r in pd.requests[3:]]
    assert [(a["event_action"], a["dedup_key"]) for a in acks] == [
        ("acknowledge", keys[0]),
        ("acknowledge", keys[1]),
    ]
    assert "unknown escalation role 'ceo'" in declared("page", "--to", "ceo", expect=2).stderr


def test_pages_link_to_the_incident_file_on_the_repository_host(
    declared: Runbook, pd: Fake, repo: Path
) -> None:
    git(repo, "remote", "add", "origin", "https://bot:ghp_SECRET@github.com/acme/ops.git")
    declared("page")
    event = pd.requests[0]["json"]
    path = event["payload"]["custom_details"]["file"]
    url = f"https://github.com/acme/ops/blob/main/{path}"
    assert event["client"] == "runbook" and event["client_url"] == url
    assert event["links"] == [{"href": url, "text": f"Incident 1: {path}"}]
    assert "SECRET" not in str(event)


def test_pagerduty_errors_are_shown_whole_with_secrets_masked(
    declared: Runbook, pagerduty: Fake
) -> None:
    pagerduty.on(
        "POST /v2/enqueue",
        (
            400,
            {
                "status": "invalid event",
                "message": "Event object is invalid.",
                "errors": ["Routing key R0UTINGKEY0123456789abcdef is not valid."],
            },
        ),
    )
    said = declared("page", expect=5).stderr
    assert said == (
        "runbook: error: PagerDuty answered HTTP 400: Event object is invalid "
        "(Routing key *** is not valid); nothing was recorded.\n"
    )


def test_retry_after_is_honoured_up_to_the_ceiling(
    declared: Runbook, pagerduty: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    pagerduty.on(
        "POST /v2/enqueue",
        (429, {"message": "Too many requests"}, 0.0, {"Retry-After": "1"}),
        (202, {"status": "success", "dedup_key": "k"}),
    )
    started = time.monotonic()
    declared("page")
    assert time.monotonic() - started >= 1.0 and len(pagerduty.requests) == 2
    pagerduty.requests.clear()
    pagerduty.on(
        "POST /v2/enqueue", (429, {"message": "Too many requests"}, 0.0, {"Retry-After": "3600"})
    )
    said = declared("page", "--to", "cto", expect=5).stderr
    assert len(pagerduty.requests) == 1  # stopped at once instead of retrying too early
    assert "PagerDuty answered HTTP 429: Too many requests; it asks to wait 3600 s" in said
    assert "(30 s), so try again after " in said and " UTC; nothing was recorded." in said


def test_ack_and_resolve_are_recorded_when_pagerduty_is_down_and_delivered_later(
    declared: Runbook, pd: Fake, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared("page")
    key = pd.requests[0]["json"]["dedup_key"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"http://127.0.0.1:{port}/v2/enqueue")
    result = declared("ack")
    assert "acknowledged by" in result.stdout
    assert "PagerDuty was not updated (cannot reach PagerDuty at 127.0.0.1" in result.stderr
    assert "runbook retry delivers it" in result.stderr
    view = declared.json("show")
    assert view["acknowledged_at"] and view["integrations"]["pagerduty"]["pending"][0][
        "action"
    ] == ("acknowledge")
    owed = [i for i in declared.json("due") if i["kind"] == "outside"]
    assert len(owed) == 1 and f"tell PagerDuty: acknowledge (dedup key {key})" in owed[0]["what"]
    declared("resolve")  # still down: the resolve is owed too, and recorded
    assert declared.json("show", "-i", "1")["status"] == "resolved"
    assert "Nothing is owed" not in declared("retry", expect=5).stderr
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"{pd.url}/v2/enqueue")
    head = git(repo, "rev-parse", "HEAD")
    declared("retry")
    assert [(r["json"]["event_action"], r["json"]["dedup_key"]) for r in pd.requests[1:]] == [
        ("acknowledge", key),
        ("resolve", key),
    ]
    assert git(repo, "rev-list", "--count", f"{head}..HEAD") == "1"
    assert "pending" not in declared.json("show", "-i", "1")["integrations"]["pagerduty"]
    assert not [i for i in declared.json("due") if i["kind"] == "outside"]
    assert "Nothing is owed to PagerDuty." in declared("retry").stdout


def test_the_next_ack_delivers_what_is_owed(
    declared: Runbook, pd: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared("page")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "")
    assert "PagerDuty was not updated" in declared("ack").stderr
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "R0UTINGKEY0123456789abcdef")
    declared("ack")
    assert [r["json"]["event_action"] for r in pd.requests] == ["trigger", "acknowledge"]
    assert "pending" not in declared.json("show")["integrations"]["pagerduty"]


def test_dry_runs_work_without_credentials(declared: Runbook, repo: Path) -> None:
    declared("action", "add", "Fix it", "--owner", "Lee", "--due", "2026-12-01")
    before = snapshot(repo)
    assert (
        '"routing_key": "<RUNBOOK_PAGERDUTY_ROUTING_KEY>"' in declared("page", "--dry-run").stdout
    )
    shown = declared("statuspage", "publish", "--dry-run").stdout
    assert "/v1/pages/<RUNBOOK_STATUSPAGE_PAGE_ID>/incidents" in shown
    shown = declared("action", "export", "--to", "jira", "--dry-run").stdout
    assert '"key": "<RUNBOOK_JIRA_PROJECT>"' in shown and "/rest/api/3/issue" in shown
    assert (
        '"teamId": "<RUNBOOK_LINEAR_TEAM_ID>"'
        in declared("action", "export", "--to", "linear", "--dry-run").stdout
    )
    assert snapshot(repo) == before


# --- Statuspage ---------------------------------------------------------------------------


@pytest.fixture
def page(statuspage: Fake, repo: Path) -> Statuspage:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "    components: {}", "    components:\n      appointment-service: cmp42"
        )
    )
    return Statuspage(statuspage)


def test_statuspage_sends_nothing_when_nothing_changed(
    declared: Runbook, page: Statuspage, statuspage: Fake, repo: Path
) -> None:
    declared("statuspage", "publish")
    before = snapshot(repo)
    out = declared("statuspage", "publish").stdout
    assert "nothing sent" in out and len(statuspage.requests) == 1
    assert snapshot(repo) == before
    declared("status", "identified")
    declared("statuspage", "publish")
    assert [r["method"] for r in statuspage.requests] == ["POST", "PATCH"]


def test_statuspage_publish_reads_the_incident_file_once(
    declared: Runbook, page: Statuspage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The public text is rendered from the incident already loaded, not parsed again."""
    from runbook_cli.adapters.store import Store

    reads = []
    original = Store.parse
    monkeypatch.setattr(
        Store, "parse", lambda self, path, raw: reads.append(path) or original(self, path, raw)
    )
    declared("statuspage", "publish", "--dry-run")
    assert len(reads) == 1


def test_statuspage_components_and_impact_follow_the_severity(
    declared: Runbook, page: Statuspage, repo: Path
) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "    impact:\n      SEV-0: critical\n      SEV-1: major",
            "    impact:\n      SEV-0: critical\n      SEV-1: critical",
        )
    )
    declared("statuspage", "publish")
    (incident,) = page.incidents
    assert incident["components"] == {"cmp42": "degraded_performance"}
    assert incident["impact_override"] == "minor"
    declared("severity", "SEV-1")
    declared("statuspage", "publish")
    assert incident["components"] == {"cmp42": "partial_outage"}
    assert incident["impact_override"] == "critical"  # from config.yml
    declared("resolve")
    declared("statuspage", "publish", "-i", "1")
    assert incident["components"] == {"cmp42": "operational"}
    assert incident["status"] == "resolved"


def test_statuspage_symptom_fills_the_public_text_and_is_kept(
    declared: Runbook, page: Statuspage
) -> None:
    declared("statuspage", "publish", "--symptom", "failed bookings")
    assert "Users may experience failed bookings." in page.incidents[0]["body"]
    declared("status", "identified")
    declared("statuspage", "publish")
    assert "Users may experience failed bookings." in page.incidents[0]["body"]


def test_statuspage_long_names_are_cut_visibly(runbook: Runbook, page: Statuspage) -> None:
    runbook("declare", "Bookings " + "y" * 400, "-s", "SEV-2", "--service", "patient-web")
    runbook("statuspage", "publish")
    name = page.incidents[0]["name"]
    assert len(name) == 255 and name.endswith("…")


def test_a_reply_without_an_id_is_a_failure(
    declared: Runbook, statuspage: Fake, page: Statuspage
) -> None:
    statuspage.on("POST /v1/pages/pg1/incidents", (201, {}))
    statuspage.on("GET /v1/pages/pg1/incidents", (200, []))
    said = declared("statuspage", "publish", expect=5).stderr
    assert "Statuspage answered without an incident id" in said
    stored = declared.json("show")["integrations"].get("statuspage", {})
    assert "incident_id" not in stored


def test_statuspage_420_is_a_rate_limit_and_is_retried(
    declared: Runbook, statuspage: Fake, page: Statuspage
) -> None:
    statuspage.on("POST /v1/pages/pg1/incidents", (420, {"error": "Enhance your calm"}))
    declared("statuspage", "publish")
    assert len(statuspage.sent("POST", "/v1/pages/pg1/incidents")) == 2
    assert len(page.incidents) == 1


def test_a_statuspage_create_lost_at_the_gateway_is_found_not_repeated(
    declared: Runbook, statuspage: Fake, page: Statuspage
) -> None:
    page.lost = 1
    declared("statuspage", "publish")
    assert len(page.incidents) == 1
    marker = statuspage.requests[0]["json"]["incident"]["metadata"]["runbook"]["marker"]
    assert page.incidents[0]["metadata"]["runbook"]["marker"] == marker
    assert statuspage.requests[1]["query"] == {"q": "Checkout errors", "limit": "100"}
    stored = declared.json("show")["integrations"]["statuspage"]
    assert stored["incident_id"] == "inc1" and "attempt" not in stored


# --- Jira and Linear ----------------------------------------------------------------------


def _people(repo: Path) -> None:
    contacts = repo / "docs/runbooks/contacts.md"
    contacts.write_text(
        contacts.read_text().replace(
            "people:\n",
            "people:\n- name: Lee\n  role: engineer\n  jira_account_id: 5b10ac8d82e05b22cc7d4ef5\n"
            "  linear_user_id: user-lee\n",
            1,
        )
    )


def test_a_jira_create_lost_at_the_gateway_is_found_by_its_label(
    declared: Runbook, jira: Fake, repo: Path
) -> None:
    tracker = Jira(jira)
    _people(repo)
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    declared("action", "add", "Alert on saturation", "--owner", "Ana", "--due", "2026-12-12")
    tracker.lost = 1
    out = declared("action", "export", "--to", "jira").stdout
    assert [i["key"] for i in tracker.issues] == ["OPS-1", "OPS-2"]  # no duplicate
    first, second = (i["fields"] for i in tracker.issues)
    assert first["labels"] == ["runbook-" + _stem(repo) + "-action-1"]
    assert first["assignee"] == {"accountId": "5b10ac8d82e05b22cc7d4ef5"}
    assert "assignee" not in second
    assert "action item 2: owner Ana is named in the description only" in out
    items = declared.json("show")["action_items"]
    assert [i["tracker"]["key"] for i in items] == ["OPS-1", "OPS-2"]


def _stem(repo: Path) -> str:
    return next((repo / "docs/runbooks/incidents").glob("*.md")).stem


def test_an_unanswered_jira_create_is_looked_for_on_the_next_run(
    declared: Runbook, jira: Fake, repo: Path
) -> None:
    tracker = Jira(jira)
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    tracker.lost = 1
    jira.on("GET /rest/api/3/search/jql", (200, {"issues": [], "isLast": True}))  # search lags
    said = declared("action", "export", "--to", "jira", expect=5).stderr
    assert "Jira answered HTTP 502: Bad gateway; action item 1: Jira may have created it" in said
    assert "nothing was recorded" not in said
    stored = declared.json("show")["action_items"][0]["tracker"]
    assert stored == {"system": "jira", "attempt": "runbook-" + _stem(repo) + "-action-1"}
    assert git(repo, "status", "--porcelain") == ""  # the attempt is committed
    declared("action", "export", "--to", "jira")
    assert len(tracker.issues) == 1 and len(jira.sent("POST", "/rest/api/3/issue")) == 1
    assert declared.json("show")["action_items"][0]["tracker"]["key"] == "OPS-1"


def test_a_refused_export_leaves_files_and_git_unchanged(
    declared: Runbook, jira: Fake, repo: Path
) -> None:
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    jira.on(
        "POST /rest/api/3/issue",
        (401, {"errorMessages": ["Token JIRATOKEN-secret is not valid."]}),
    )
    before = snapshot(repo)
    said = declared("action", "export", "--to", "jira", expect=5).stderr
    assert "Jira answered HTTP 401: Token *** is not valid; not created: action item 1" in said
    assert "JIRATOKEN" not in said and ".;" not in said and ".." not in said
    assert snapshot(repo) == before


@pytest.fixture
def linear(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Linear:
    monkeypatch.setenv("RUNBOOK_LINEAR_URL", f"{fake.url}/graphql")
    monkeypatch.setenv("RUNBOOK_LINEAR_API_KEY", "lin_api_secret")
    monkeypatch.setenv("RUNBOOK_LINEAR_TEAM_ID", "team-9")
    return Linear(fake)


def test_linear_reuses_its_issue_id_so_a_retry_never_duplicates(
    declared: Runbook, fake: Fake, linear: Linear, repo: Path
) -> None:
    _people(repo)
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    linear.lost = 1  # created, then the gateway times out: the retry with the same id finds it
    declared("action", "export", "--to", "linear")
    (issue,) = linear.issues.values()
    creates = [r["json"]["variables"]["input"] for r in fake.requests if "input" in str(r["json"])]
    assert len({c["id"] for c in creates}) == 1 and creates[0]["assigneeId"] == "user-lee"
    assert declared.json("show")["action_items"][0]["tracker"]["key"] == issue["identifier"]


def test_an_unanswered_linear_create_reuses_the_stored_id_next_run(
    declared: Runbook, fake: Fake, linear: Linear, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared("action", "add", "Add retry budget", "--owner", "Lee", "--due", "2026-12-10")
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "0.2")
    fake.on("POST /graphql", *[(200, {}, 0.4)] * 6)  # no answer in time: 3 creates, 3 looks
    declared("action", "export", "--to", "linear", expect=5)
    stored = declared.json("show")["action_items"][0]["tracker"]["attempt"]
    fake.script.clear()
    declared("action", "export", "--to", "linear")
    (issue,) = linear.issues.values()
    assert issue["id"] == stored


def test_linear_shows_its_user_presentable_message(
    declared: Runbook, linear: Linear, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNBOOK_LINEAR_TEAM_ID", "team-0")
    declared("action", "add", "X", "--owner", "Lee", "--due", "2026-12-10")
    said = declared("action", "export", "--to", "linear", expect=5).stderr
    assert (
        "Linear answered HTTP 400: Could not find referenced Team (Entity not found: Team); "
        "not created: action item 1; nothing was recorded" in said
    )


def test_a_rate_limited_pagerduty_does_not_keep_the_responder_waiting(
    declared: Runbook, pd: Fake
) -> None:
    import time

    declared("page")
    pd.on(
        "POST /v2/enqueue",
        (429, {"message": "Too many requests"}, 0.0, {"Retry-After": "20"}),
    )
    started = time.monotonic()
    result = declared("ack")
    assert time.monotonic() - started < 5  # not 20 s: the ack is recorded, the event owed
    assert "PagerDuty was not updated (PagerDuty answered HTTP 429" in result.stderr
    assert declared.json("show")["acknowledged_at"]
    assert declared.json("show")["integrations"]["pagerduty"]["pending"][0]["action"] == (
        "acknowledge"
    )


def test_an_unconfirmed_statuspage_create_is_found_next_run_and_brought_up_to_date(
    declared: Runbook, statuspage: Fake, page: Statuspage, repo: Path
) -> None:
    page.lost = 1
    statuspage.on("GET /v1/pages/pg1/incidents", (200, []))  # the listing lags the create
    said = declared("statuspage", "publish", expect=5).stderr
    assert "Statuspage answered HTTP 502: Bad gateway" in said
    assert "the attempt is recorded: runbook statuspage publish looks for the incident" in said
    incidents = "docs/runbooks/incidents"
    assert git(repo, "status", "--porcelain", "--", incidents) == ""  # the attempt is committed
    declared("status", "identified")
    declared("statuspage", "publish")
    assert len(page.incidents) == 1 and page.incidents[0]["status"] == "identified"
    assert [r["method"] for r in statuspage.requests] == ["POST", "GET", "GET", "PATCH"]
    stored = declared.json("show")["integrations"]["statuspage"]
    assert stored["incident_id"] == "inc1" and "attempt" not in stored


def test_the_next_page_delivers_what_is_owed_after_its_trigger(
    declared: Runbook, pd: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared("page")
    first = pd.requests[0]["json"]["dedup_key"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"http://127.0.0.1:{port}/v2/enqueue")
    assert "PagerDuty was not updated" in declared("ack").stderr
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"{pd.url}/v2/enqueue")
    declared("page", "--to", "cto")
    sent = [(r["json"]["event_action"], r["json"]["dedup_key"]) for r in pd.requests[1:]]
    assert sent[0][0] == "trigger" and sent[0][1] != first
    assert sent[1:] == [("acknowledge", first)]
    texts = [e["text"] for e in declared.json("show")["timeline"]]
    assert f"PagerDuty acknowledge sent (dedup key {first})." in texts


def test_cancel_and_duplicate_of_resolve_the_paged_alert(
    declared: Runbook, pagerduty: Fake
) -> None:
    pagerduty.on(
        "POST /v2/enqueue",
        (202, {"status": "success", "message": "Event processed", "dedup_key": "runbook/repo/x"}),
    )
    declared("declare", "Again", "-s", "SEV-2", "--service", "web")
    declared("page", "--to", "oncall", "-i", "1")
    declared("page", "--to", "oncall", "-i", "2")
    declared("cancel", "-i", "1", "--reason", "a broken health check")
    declared("duplicate-of", "1", "-i", "2", "--no-pagerduty")  # told nothing
    actions = [r["json"]["event_action"] for r in pagerduty.requests]
    assert actions == ["trigger", "trigger", "resolve"]
