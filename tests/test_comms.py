"""Communication templates, Slack posting against a local server, escalation and what is due."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot

NOW = "2026-11-26T10:40:00Z"


@pytest.fixture
def sev1(runbook: Runbook, monkeypatch: pytest.MonkeyPatch) -> Runbook:
    """A SEV-1 on appointment-service, started 10:00 and detected at 10:05; now is 10:40."""
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    runbook(
        "declare",
        "Bookings fail",
        "-s",
        "SEV-1",
        "--service",
        "appointment-service",
        "--started-at",
        "2026-11-26T10:00:00Z",
        "--detected-at",
        "2026-11-26T10:05:00Z",
        "--commander",
        "Priya",
    )
    return runbook


def test_slack_default_is_the_seed_wording(sev1: Runbook) -> None:
    text = sev1("comms", "--impact", "most users cannot book").stdout
    assert text == (
        "Incident SEV-1 [Bookings fail] started at 10:00 UTC. Impact: most users cannot book. "
        "Mitigation in progress by Priya. Next update in 15 min.\n"
    )


def test_status_page_default_is_the_seed_wording(sev1: Runbook) -> None:
    text = sev1("comms", "--template", "status-page", "--symptom", "failed bookings").stdout
    assert text == (
        "We are currently investigating an issue affecting appointment-service. "
        "Users may experience failed bookings. Updates every 30 minutes.\n"
    )


def test_stakeholder_and_resolution_notices(sev1: Runbook) -> None:
    notice = sev1("comms", "-t", "stakeholder").stdout
    assert (
        notice.startswith("Subject: [SEV-1] Bookings fail (investigating)\n")
        and "Incident Commander: Priya" in notice
    )
    sev1("resolve", "--root-cause", "pool exhausted")
    resolved = sev1("comms", "-t", "resolved", "-i", "1").stdout
    assert (
        "resolved at 10:40 UTC (duration 00:40). Root-cause hypothesis: pool exhausted." in resolved
    )
    assert "post-mortem follows by 2026-11-28 10:40 UTC" in resolved


def test_a_repository_template_overrides_the_packaged_one(sev1: Runbook, repo: Path) -> None:
    (repo / "docs/runbooks/templates/slack.md.j2").write_text(
        "{{ incident.severity }} :: {{ incident.title }} :: {{ now }}\n"
    )
    assert sev1("comms").stdout == f"SEV-1 :: Bookings fail :: {NOW}\n"


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{{ incident.__class__ }}\n", "tried something unsafe"),
        (
            "line one\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n",
            ":2: the template tried something unsafe",
        ),
        ("{{ (incident|attr('__class__')).__mro__ }}\n", "tried something unsafe"),
        ("ok\nok\n{{ no_such_variable }}\n", ":3: 'no_such_variable' is undefined"),
        ("{% if %}\n", ":1: template syntax error"),
        ("fine\n{{ 1 / 0 }}\n", ":2: the template failed: division by zero"),
    ],
)
def test_bad_or_hostile_templates_exit_4_naming_file_and_line(
    sev1: Runbook, repo: Path, template: str, says: str
) -> None:
    (repo / "docs/runbooks/templates/slack.md.j2").write_text(template)
    before = snapshot(repo)
    result = sev1("comms", expect=4)
    assert "docs/runbooks/templates/slack.md.j2" in result.stderr and says in result.stderr, (
        result.stderr
    )
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(repo) == before


class Receiver:
    """A Slack incoming-webhook stand-in on 127.0.0.1 that records requests."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {
                        "path": self.path,
                        "type": self.headers["Content-Type"],
                        "json": json.loads(body),
                    }
                )
                time.sleep(delay)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"invalid_token")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/XXX"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch):
    made = []

    def start(status: int = 200, delay: float = 0.0) -> Receiver:
        server = Receiver(status, delay)
        made.append(server)
        monkeypatch.setenv("RUNBOOK_SLACK_WEBHOOK_URL", server.url)
        return server

    yield start
    for server in made:
        server.close()


def test_post_sends_records_one_commit_and_restarts_the_cadence(
    sev1: Runbook, repo: Path, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = receiver()
    head = git(repo, "rev-parse", "HEAD")
    sev1("comms", "--post", "--impact", "most users cannot book")
    assert server.requests == [
        {
            "path": "/services/T000/B000/XXX",
            "type": "application/json",
            "json": {
                "text": (
                    "Incident SEV-1 [Bookings fail] started at 10:00 UTC. Impact: most users "
                    "cannot book. Mitigation in progress by Priya. Next update in 15 min.\n"
                )
            },
        }
    ]
    assert git(repo, "rev-list", "--count", f"{head}..HEAD") == "1"
    assert (
        git(repo, "log", "-1", "--format=%s") == "incident 1: comms: slack update posted to Slack"
    )
    view = sev1.json("show")
    assert view["timeline"][-1]["text"].startswith(
        "Comms: slack update posted to Slack: Incident SEV-1"
    )
    comms_due = [item for item in sev1.json("due") if item["kind"] == "comms"]
    assert comms_due == [
        {
            "incident": 1,
            "kind": "comms",
            "due_at": "2026-11-26T10:55:00Z",
            "overdue": False,
            "what": "post an internal update in #incident-war-room (runbook comms --post)",
        }
    ]


def test_dry_run_sends_and_records_nothing(sev1: Runbook, repo: Path, receiver) -> None:
    server = receiver()
    before = snapshot(repo)
    out = sev1("comms", "--post", "--dry-run").stdout
    assert "Would POST to the Slack webhook at 127.0.0.1" in out and "XXX" not in out
    assert server.requests == [] and snapshot(repo) == before


@pytest.mark.parametrize(
    ("status", "delay", "says"),
    [
        (500, 0.0, "Slack answered HTTP 500: invalid_token"),
        (200, 2.0, "did not answer within 0.5s"),
    ],
)
def test_failed_posts_exit_5_and_record_nothing(
    sev1: Runbook,
    repo: Path,
    receiver,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    delay: float,
    says: str,
) -> None:
    receiver(status, delay)
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "0.5")
    before = snapshot(repo)
    result = sev1("comms", "--post", expect=5)
    assert says in result.stderr and "nothing was recorded" in result.stderr
    assert snapshot(repo) == before


def test_connection_refused_exits_5(
    sev1: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RUNBOOK_SLACK_WEBHOOK_URL", f"http://127.0.0.1:{port}/hook")
    before = snapshot(repo)
    assert "cannot reach Slack at 127.0.0.1" in sev1("comms", "--post", expect=5).stderr
    assert snapshot(repo) == before


def test_webhook_must_be_https_unless_local_and_must_be_set(
    sev1: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert (
        "no Slack webhook is set; export RUNBOOK_SLACK_WEBHOOK_URL"
        in sev1("comms", "--post", expect=2).stderr
    )
    monkeypatch.setenv("RUNBOOK_SLACK_WEBHOOK_URL", "http://hooks.example.com/x")
    assert "must be an https:// URL" in sev1("comms", "--post", expect=2).stderr


def test_mark_sent_records_a_status_page_update(sev1: Runbook) -> None:
    sev1("comms", "-t", "status-page", "--mark-sent")
    assert [i["due_at"] for i in sev1.json("due") if i["kind"] == "status-page"] == [
        "2026-11-26T11:10:00Z"
    ]


def test_escalation_steps_reached_squad_leads_and_compliance_only_with_user_data(
    sev1: Runbook,
) -> None:
    steps = sev1.json("escalation")
    assert [(s["after_minutes"], s["reached"], s["notify"]) for s in steps] == [
        (0, True, ["SRE on-call (primary)"]),
        (15, True, ["Patient Platform lead"]),  # appointment-service belongs to Patient Platform
        (30, True, ["Head of Engineering"]),
        (60, False, ["CTO"]),
    ]
    assert steps[3]["due_at"] == "2026-11-26T11:05:00Z"  # counted from detection (10:05)
    sev1(
        "declare",
        "Records exposed",
        "-s",
        "SEV-0",
        "--service",
        "doctor-hub",
        "--data-affected",
        "--started-at",
        "2026-11-26T10:30:00Z",
    )
    regulated = sev1.json("escalation", "-i", "2")
    assert regulated[-1]["notify"] == ["Compliance Officer"] and regulated[-1]["regulated"] is True
    assert regulated[1]["notify"] == ["Doctor Hub lead"]


def test_escalate_records_the_step_and_due_drops_it(sev1: Runbook) -> None:
    sev1("escalate", "--to", "head-of-engineering")
    assert (
        sev1.json("show")["timeline"][-1]["text"]
        == "Escalated to head-of-engineering: Head of Engineering."
    )
    assert [s["done"] for s in sev1.json("escalation")] == [False, False, True, False]
    assert not [i for i in sev1.json("due") if "head-of-engineering" in i["what"]]
    assert (
        "unknown escalation role 'ceo'; use one of oncall, squad-lead, head-of-engineering, cto, "
        "compliance-officer." in sev1("escalate", "--to", "ceo", expect=2).stderr
    )


def test_due_is_sorted_flags_overdue_and_can_fail(sev1: Runbook) -> None:
    sev1("action", "add", "Retry budget", "--owner", "Lee", "--due", "2026-11-20")
    items = sev1.json("due")
    assert [i["due_at"] for i in items] == sorted(i["due_at"] for i in items)
    # action due 11-20; escalations from detection (10:05) at +0, +15, +30 and +60; the
    # acknowledgement 10:05+5; the user-data question (appointment-service holds patient data)
    # 10:05+15; internal update 10:05+15; status page 10:05+30
    assert [(i["kind"], i["due_at"][5:16], i["overdue"]) for i in items] == [
        ("action", "11-20T23:59", True),
        ("escalation", "11-26T10:05", True),
        ("ack", "11-26T10:10", True),
        ("data", "11-26T10:20", True),
        ("comms", "11-26T10:20", True),
        ("escalation", "11-26T10:20", True),
        ("status-page", "11-26T10:35", True),
        ("escalation", "11-26T10:35", True),
        ("escalation", "11-26T11:05", False),
    ]
    assert {i["kind"] for i in items} == {
        "escalation",
        "action",
        "comms",
        "status-page",
        "ack",
        "data",
    }
    assert all(i["overdue"] == (i["due_at"] < NOW) for i in items)
    assert sev1("due", "--fail-on-overdue", expect=1).exit_code == 1


def test_nothing_due_passes_the_cron_check(runbook: Runbook) -> None:
    assert runbook("due", "--fail-on-overdue").stdout.startswith("Nothing is due.")


def test_runbook_review_reminder(sev1: Runbook, repo: Path) -> None:
    assert "the runbook has no review date" in sev1("due").stdout
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace("last_reviewed: null", "last_reviewed: '2026-10-01'")
    )
    assert "Runbook review" not in sev1("due").stdout
    sev1("declare", "Breach", "-s", "SEV-0", "--service", "doctor-hub")
    assert (
        "SEV-0 incident 2 happened after the last runbook review (2026-10-01)" in sev1("due").stdout
    )


def test_next_steps_after_declare(runbook: Runbook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    out = runbook(
        "declare",
        "Down",
        "-s",
        "SEV-1",
        "--service",
        "patient-web",
        "--started-at",
        "2026-11-26T10:20:00Z",
    ).stdout
    # Backdated by 20 minutes, but detected now: the matrix counts from detection, so only
    # T+0 is due now, not every step up to T+15.
    assert "next: Page now (T+0 min): SRE on-call (primary)" in out
    assert "Page now (T+15 min)" not in out
    assert "next: Next escalation at 10:55 UTC (T+15 min): squad-lead." in out
    assert "next: Acknowledge by 10:45 UTC (runbook ack)." in out
    assert "next: Answer: is user data affected?" in out  # patient-web holds patient data
    assert "next: Next internal update due 10:55 UTC" in out


def test_watch_refreshes_then_stops(sev1: Runbook) -> None:
    out = sev1("watch", "--count", "1").stdout
    assert "Due as of 2026-11-26 10:40 UTC" in out


def test_contacts_table_is_regenerated_from_front_matter(sev1: Runbook, repo: Path) -> None:
    path = repo / "docs/runbooks/contacts.md"
    path.write_text(path.read_text().replace("name: CTO", "name: Dr. Ada CTO"))
    assert "contacts.md table regenerated" in sev1("contacts", "refresh").stdout
    assert "| T+60 min | cto | Dr. Ada CTO |" in path.read_text()
    assert (
        git(repo, "log", "-1", "--format=%s")
        == "runbook: regenerate the escalation table in contacts.md"
    )
    assert "up to date" in sev1("contacts", "refresh").stdout


def test_declare_writes_service_links_into_attachments(runbook: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "  patient-web:\n    squad: Patient Platform\n",
            "  patient-web:\n    squad: Patient Platform\n    links:\n    - 'Grafana: "
            "https://grafana.example/d/patient-web'\n    - 'Loki: {app=\"patient-web\"}'\n",
        )
    )
    runbook("declare", "Slow pages", "-s", "SEV-2", "--service", "patient-web")
    text = next((repo / "docs/runbooks/incidents").glob("*.md")).read_text()
    assert text.endswith(
        "<!-- Links to dashboards, logs, PRs, ADRs. -->\n- Grafana: "
        'https://grafana.example/d/patient-web\n- Loki: {app="patient-web"}\n'
    )


def test_slack_posts_escape_every_value_but_keep_the_templates_own_controls(
    runbook: Runbook, repo: Path, receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack reads &, < and > as control characters: user text must not ping the channel,
    mention anyone or dress up a link; a template's own <!here> is the team's choice."""
    monkeypatch.setenv("RUNBOOK_NOW", NOW)
    runbook(
        "declare",
        "<!channel> Bookings & <https://evil.example|Log in>",
        "-s",
        "SEV-1",
        "--service",
        "appointment-service",
        "--started-at",
        "2026-11-26T10:00:00Z",
        "--commander",
        "Priya <@U0123>",
    )
    server = receiver()
    shown = runbook("comms", "--post", "--impact", "a < b && c > d").stdout
    posted = server.requests[0]["json"]["text"]
    assert posted == (
        "Incident SEV-1 [&lt;!channel&gt; Bookings &amp; &lt;https://evil.example|Log in&gt;] "
        "started at 10:00 UTC. Impact: a &lt; b &amp;&amp; c &gt; d. Mitigation in progress by "
        "Priya &lt;@U0123&gt;. Next update in 15 min.\n"
    )
    assert shown.startswith("Incident SEV-1 [<!channel> Bookings & <https://evil.example|Log in>]")
    (repo / "docs/runbooks/templates/stakeholder.md.j2").write_text(
        "<!here> {{ incident.title }} <{{ channel }}>\n"
    )
    runbook("comms", "--post", "-t", "stakeholder")
    assert server.requests[1]["json"]["text"] == (
        "<!here> &lt;!channel&gt; Bookings &amp; &lt;https://evil.example|Log in&gt; "
        "<#incident-war-room>\n"
    )


def test_a_dry_run_post_needs_no_webhook_and_shows_what_slack_would_get(
    sev1: Runbook, repo: Path
) -> None:
    before = snapshot(repo)
    out = sev1("comms", "--post", "--dry-run", "--impact", "<!channel> down").stdout
    assert out.startswith("Would POST to the Slack webhook at <RUNBOOK_SLACK_WEBHOOK_URL>")
    assert "Impact: &lt;!channel&gt; down." in out
    assert snapshot(repo) == before
