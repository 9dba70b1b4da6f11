"""runbook capture: PagerDuty's log entries and the war-room channel become timeline entries,
against local fakes of the REST API v2 and the Slack Web API (paging, 429, errors)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fakes import Fake, PagerDuty, PagerDutyREST, SlackWeb, log_entry
from helpers import Runbook, git, snapshot

from runbook_cli.domain import capture


def ago(minutes: float) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


def iso(minutes: float) -> str:
    return ago(minutes).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    server = Fake()
    monkeypatch.setenv("RUNBOOK_HTTP_TIMEOUT", "1")
    yield server
    server.close()


@pytest.fixture
def pd(fake: Fake, declared: Runbook, monkeypatch: pytest.MonkeyPatch) -> PagerDutyREST:
    """Incident 1 paged through the Events API fake; the REST fake knows it as PD1."""
    PagerDuty(fake)
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_URL", f"{fake.url}/v2/enqueue")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_ROUTING_KEY", "R0UTINGKEY0123456789abcdef")
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_API_URL", fake.url)
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_API_TOKEN", PagerDutyREST.TOKEN)
    declared("page")
    rest = PagerDutyREST(fake)
    key = declared.json("show", "-i", "1")["integrations"]["pagerduty"]["dedup_key"]
    rest.add(key, "PD1")
    return rest


@pytest.fixture
def slack(fake: Fake, monkeypatch: pytest.MonkeyPatch) -> SlackWeb:
    monkeypatch.setenv("RUNBOOK_SLACK_API_URL", f"{fake.url}/api/")
    monkeypatch.setenv("RUNBOOK_SLACK_BOT_TOKEN", SlackWeb.TOKEN)
    web = SlackWeb(fake)
    web.users = {"U1": "Priya Raman", "U2": "Tomás Ortega"}
    return web


def timeline(runbook: Runbook) -> list[dict]:
    return runbook.json("show", "-i", "1")["timeline"]


# --- PagerDuty ---------------------------------------------------------------------------


def test_pagerduty_log_becomes_timeline_at_real_times_once(
    declared: Runbook, pd: PagerDutyREST, fake: Fake, repo: Path
) -> None:
    ack_at = ago(20).replace(microsecond=0)
    pd.log["PD1"] += [
        log_entry(1, "trigger_log_entry", iso(25)),
        log_entry(2, "acknowledge_log_entry", ack_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
        log_entry(3, "escalate_log_entry", iso(18), who="PagerDuty"),
        log_entry(
            4,
            "annotate_log_entry",
            iso(15),
            who="Tomás Ortega",
            channel={"type": "note", "content": "Rolled back the release"},
        ),
    ]
    pd.log["PD1"] += [log_entry(n, "assign_log_entry", iso(14)) for n in range(5, 160)]
    out = declared("capture", "pagerduty").stdout
    assert "captured 158 entries from PagerDuty" in out
    assert (
        git(repo, "log", "-1", "--format=%s") == "incident 1: captured 158 entries from PagerDuty"
    )
    shown = declared.json("show", "-i", "1")
    assert shown["acknowledged_at"] == ack_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert shown["acknowledged_by"] == "Priya Raman"
    texts = {(e["author"], e["text"]) for e in shown["timeline"]}
    assert ("Tomás Ortega", "PagerDuty note: Rolled back the release") in texts
    assert ("Priya Raman", "PagerDuty: Acknowledged by Priya Raman") in texts
    ack = next(e for e in shown["timeline"] if e["text"].startswith("PagerDuty: Ackn"))
    assert ack["at"] == ack_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # paged by offset while `more`; every request with the token and the v2 Accept header
    offsets = [r["query"]["offset"] for r in fake.sent("GET", "/incidents/PD1/log_entries")]
    assert offsets == ["0", "100"]
    # a re-run adds only what is new
    before = git(repo, "rev-parse", "HEAD")
    assert "Nothing new from PagerDuty" in declared("capture", "pagerduty").stdout
    assert git(repo, "rev-parse", "HEAD") == before
    pd.log["PD1"].append(log_entry(900, "resolve_log_entry", iso(1)))
    declared("capture", "pagerduty")
    assert git(repo, "log", "-1", "--format=%s") == "incident 1: captured 1 entry from PagerDuty"
    assert len([e for e in timeline(declared) if e["text"].startswith("PagerDuty")]) == 159


def test_record_acknowledgement_wins_and_the_difference_is_noted(
    declared: Runbook, pd: PagerDutyREST
) -> None:
    declared("ack", "--at", "25 min ago")
    recorded = declared.json("show", "-i", "1")["acknowledged_at"]
    pd.log["PD1"].append(log_entry(1, "acknowledge_log_entry", iso(10)))
    declared("capture", "pagerduty")
    shown = declared.json("show", "-i", "1")
    assert shown["acknowledged_at"] == recorded
    assert any("the record says" in e["text"] for e in shown["timeline"])


def test_pagerduty_down_midway_leaves_the_record_untouched_exit_5(
    declared: Runbook, pd: PagerDutyREST, fake: Fake, repo: Path
) -> None:
    pd.log["PD1"] += [log_entry(n, "assign_log_entry", iso(14)) for n in range(1, 150)]
    before = snapshot(repo)
    # the second page fails every time
    fake.handle(
        "GET /incidents/PD1/log_entries",
        lambda r: pd.entries(r) if r["query"]["offset"] == "0" else (503, {"error": "down"}),
    )
    err = declared("capture", "pagerduty", expect=5).stderr
    assert "100 log entries were fetched" in err and "the record is unchanged" in err
    assert PagerDutyREST.TOKEN not in err
    assert snapshot(repo) == before
    fake.handle("GET /incidents/PD1/log_entries", pd.entries)
    assert "captured 149 entries" in declared("capture", "pagerduty").stdout


def test_pagerduty_429_retry_after_is_waited_then_captured(
    declared: Runbook, pd: PagerDutyREST, fake: Fake
) -> None:
    pd.log["PD1"].append(log_entry(1, "assign_log_entry", iso(14)))
    fake.on(
        "GET /incidents/PD1/log_entries",
        (429, {"error": {"message": "Rate Limit Exceeded"}}, 0, {"Retry-After": "0"}),
    )
    assert "captured 1 entry" in declared("capture", "pagerduty").stdout


def test_pagerduty_wrong_token_exit_5_and_never_paged_exit_2(
    declared: Runbook, pd: PagerDutyREST, monkeypatch: pytest.MonkeyPatch, runbook: Runbook
) -> None:
    monkeypatch.setenv("RUNBOOK_PAGERDUTY_API_TOKEN", "wrongtoken123")
    err = declared("capture", "pagerduty", expect=5).stderr
    assert "HTTP 401" in err and "wrongtoken123" not in err
    runbook("declare", "Other", "--severity", "SEV-3", "--service", "appointment-service")
    assert "never paged" in runbook("capture", "pagerduty", "-i", "2", expect=2).stderr


# --- Slack -------------------------------------------------------------------------------


def test_slack_captures_marked_messages_and_threads_once(
    declared: Runbook, slack: SlackWeb, fake: Fake, repo: Path
) -> None:
    start = ago(40).timestamp()
    slack.say(start, "before the incident", reactions=[{"name": "pushpin", "count": 1}])
    slack.say(ago(20).timestamp(), "just chatter")
    pinned = slack.say(
        ago(19).timestamp(),
        "<@U2> rolled back, see <https://ci.example.com/1|build 1> in <#C0OPS|ops> &amp; <!here>",
        pinned_to=["C0WAR"],
        reply_count=2,
        files=[{"title": "graph.png", "permalink": "https://files.example.com/graph.png"}],
    )
    slack.threads[pinned["ts"]] = [
        {
            "ts": f"{ago(18).timestamp():.6f}",
            "user": "U2",
            "text": "confirmed",
            "reactions": [{"name": "pushpin", "count": 1}],
        },
        {"ts": f"{ago(17).timestamp():.6f}", "user": "U1", "text": "unmarked reply"},
    ]
    slack.page = 1  # every message its own page: the cursor is followed
    out = declared("capture", "slack", "--channel", "C0WAR").stdout
    assert "captured 2 entries from #incident-war-room" in out
    assert (
        git(repo, "log", "-1", "--format=%s")
        == "incident 1: captured 2 entries from #incident-war-room"
    )
    texts = {(e["author"], e["text"]) for e in timeline(declared)}
    assert (
        "Priya Raman",
        "#incident-war-room: @Tomás Ortega rolled back, see build 1 (https://ci.example.com/1) "
        "in #ops & @here\nFile: graph.png (https://files.example.com/graph.png)",
    ) in texts
    assert ("Tomás Ortega", "#incident-war-room (thread): confirmed") in texts
    assert not any("chatter" in t or "before the incident" in t for _, t in texts)
    # users.info is asked once per user, and history pages by cursor
    assert len(fake.sent("GET", "/api/users.info")) + len(fake.sent("POST", "/api/users.info")) == 2
    before = git(repo, "rev-parse", "HEAD")
    assert "Nothing new" in declared("capture", "slack", "--channel", "C0WAR").stdout
    assert git(repo, "rev-parse", "HEAD") == before
    # --all takes the rest, still once each
    assert (
        "captured 2 entries" in declared("capture", "slack", "--channel", "C0WAR", "--all").stdout
    )


def test_slack_guard_refuses_a_message_and_reports_it_without_its_text(
    declared: Runbook, slack: SlackWeb, repo: Path
) -> None:
    slack.say(ago(10).timestamp(), "patient SSN 123-45-6789", pinned_to=["C0WAR"])
    slack.say(ago(9).timestamp(), "fine message", pinned_to=["C0WAR"])
    result = declared("capture", "slack", "--channel", "C0WAR", "--allow-sensitive", expect=2)
    assert "--allow-sensitive" in result.stderr  # not an option of bulk capture
    result = declared("capture", "slack", "--channel", "C0WAR")
    assert "not captured" in result.stderr and "#incident-war-room" in result.stderr
    # when, as every shown time: to the second (to find it in Slack), in the responder's zone
    assert re.search(r" at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC looks like", result.stderr)
    assert "123-45-6789" not in result.stderr + result.stdout
    assert "123-45-6789" not in git(repo, "log", "-p")
    assert "captured 1 entry" in result.stdout


def test_slack_rate_limit_waits_or_stops_with_when_to_retry(
    declared: Runbook, slack: SlackWeb, fake: Fake, repo: Path
) -> None:
    slack.say(ago(10).timestamp(), "decided to fail over", pinned_to=["C0WAR"])
    fake.on(
        "POST /api/conversations.history",
        (429, {"ok": False, "error": "ratelimited"}, 0, {"Retry-After": "0"}),
    )
    assert "captured 1 entry" in declared("capture", "slack", "--channel", "C0WAR").stdout
    slack.say(ago(5).timestamp(), "second decision", pinned_to=["C0WAR"])
    fake.on(
        "POST /api/conversations.history",
        (429, {"ok": False, "error": "ratelimited"}, 0, {"Retry-After": "600"}),
    )
    before = snapshot(repo)
    err = declared("capture", "slack", "--channel", "C0WAR", expect=5).stderr
    assert "try again after" in err and "the record is unchanged" in err
    assert snapshot(repo) == before


def test_follow_waits_as_long_as_a_service_asks_then_goes_on(
    declared: Runbook, slack: SlackWeb, fake: Fake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A one-off run stops at a Retry-After beyond the ceiling (a person is waiting); --follow
    is meant to run unattended, so it waits as asked and captures afterwards."""
    monkeypatch.setenv("RUNBOOK_RETRY_AFTER_MAX", "0")
    slack.say(ago(10).timestamp(), "decided to fail over", pinned_to=["C0WAR"])
    fake.on(
        "POST /api/conversations.history",
        (429, {"ok": False, "error": "ratelimited"}, 0, {"Retry-After": "1"}),
    )
    declared("status", "resolved")  # one capture after the wait, then --follow ends
    done = declared("capture", "slack", "--channel", "C0WAR", "--follow", "--interval", "0")
    assert "waiting until" in done.stderr and "captured 1 entry" in done.stdout


def test_slack_errors_exit_5_and_the_next_run_continues(
    declared: Runbook, slack: SlackWeb, fake: Fake, repo: Path
) -> None:
    for n in range(5):
        slack.say(ago(10 - n).timestamp(), f"step {n}", pinned_to=["C0WAR"])
    slack.page = 2
    calls = []

    def flaky(request: dict):
        calls.append(request)
        return slack.history(request) if len(calls) == 1 else (500, {"ok": False, "error": "x"})

    fake.handle("POST /api/conversations.history", flaky)
    before = snapshot(repo)
    err = declared("capture", "slack", "--channel", "C0WAR", expect=5).stderr
    assert "2 messages were fetched" in err and "next run continues" in err
    assert snapshot(repo) == before
    fake.handle("POST /api/conversations.history", slack.history)
    assert "captured 5 entries" in declared("capture", "slack", "--channel", "C0WAR").stdout
    wrong = declared("capture", "slack", "--channel", "C0NOPE", expect=5).stderr
    assert "channel_not_found" in wrong


def test_follow_stops_when_the_incident_is_resolved(declared: Runbook, pd: PagerDutyREST) -> None:
    pd.log["PD1"] += [
        log_entry(1, "acknowledge_log_entry", iso(10)),
        log_entry(2, "resolve_log_entry", iso(5)),
    ]
    out = declared("capture", "pagerduty", "--follow", "--interval", "0").stdout
    assert "captured 2 entries" in out and "Stopped" not in out


# --- pure rules --------------------------------------------------------------------------


def test_mrkdwn_as_plain_text() -> None:
    names = {"U1": "Priya"}.get
    assert (
        capture.plain(
            "<@U1> see <https://x.example/a|the graph> in <#C1|ops>, <!channel> &lt;b&gt; &amp;",
            lambda u: names(u) or u,
        )
        == "@Priya see the graph (https://x.example/a) in #ops, @channel <b> &"
    )
    assert capture.plain("<https://x.example>", str) == "https://x.example"
    assert capture.plain("<!subteam^S1|@sre>", str) == "@sre"


def test_marked_and_new() -> None:
    assert capture.marked({"pinned_to": ["C1"]}, "pushpin")
    assert capture.marked({"reactions": [{"name": "memo"}]}, ":memo:")
    assert not capture.marked({"reactions": [{"name": "eyes"}]}, "pushpin")
    one = capture.slack_entry({"ts": "1700000000.000100", "text": "a"}, "war", str)
    assert capture.new([one, one], []) == [one] and capture.new([one], [one.key]) == []
    assert capture.who("Ann - Lee\n", "x") == "Ann Lee"


def test_slack_on_this_machine_is_never_asked_through_a_proxy(
    declared: Runbook, slack: SlackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    # slack_sdk takes HTTPS_PROXY and ignores NO_PROXY; a proxy cannot reach 127.0.0.1 here
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    slack.say(ago(10).timestamp(), "decided to fail over", pinned_to=["C0WAR"])
    out = declared("capture", "slack", "--channel", "C0WAR").stdout
    assert "+ " in out and "Priya Raman: #incident-war-room: decided to fail over" in out
    assert "captured 1 entry" in out


# --- watch --capture ---------------------------------------------------------------------


def test_watch_captures_and_shows_a_failure_without_exiting(
    declared: Runbook, slack: SlackWeb, fake: Fake, repo: Path
) -> None:
    slack.say(ago(10).timestamp(), "decided to fail over", pinned_to=["C0WAR"])
    out = declared("watch", "--count", "1", "--capture", "slack", "--channel", "C0WAR").stdout
    assert "Due as of" in out and "#incident-war-room" in out and "captured 1 entry" in out
    assert (
        git(repo, "log", "-1", "--format=%s")
        == "incident 1: captured 1 entry from #incident-war-room"
    )
    slack.say(ago(5).timestamp(), "second decision", pinned_to=["C0WAR"])
    fake.on(
        "POST /api/conversations.history",
        (429, {"ok": False, "error": "ratelimited"}, 0, {"Retry-After": "600"}),
    )
    before = snapshot(repo)
    calls = len(fake.sent("POST", "/api/conversations.history"))
    args = ("watch", "--count", "2", "--interval", "0", "--capture", "slack", "--channel", "C0WAR")
    shown = declared(*args).stdout  # exit 0: the view goes on
    out = " ".join(shown.replace("│", " ").split())
    assert "failed: Slack answered conversations.history with HTTP 429" in out
    assert "try again after" in out
    # asked once: the second refresh waits for Retry-After (and the capture interval)
    assert len(fake.sent("POST", "/api/conversations.history")) == calls + 1
    assert snapshot(repo) == before


def test_watch_capture_usage_errors_exit_2(declared: Runbook, slack: SlackWeb) -> None:
    assert "--channel" in declared("watch", "--capture", "slack", expect=2).stderr
    assert "slack or pagerduty" in declared("watch", "--capture", "jira", expect=2).stderr
    assert "never paged" in declared("watch", "--capture", "pagerduty", expect=2).stderr


def test_poll_waits_for_the_interval_and_for_retry_after() -> None:
    from runbook_cli.adapters import outbound
    from runbook_cli.usecases.capture import Outcome, Watched, poll

    moment = [0.0]
    answers: list = [
        outbound.Failure("Slack", "HTTP 429", retry_at=datetime.now(UTC) + timedelta(seconds=600)),
        outbound.Failure("Slack", "HTTP 503"),
        Outcome("#war", added=2),
        Outcome("#war", resolved=True),
    ]
    runs = []

    def run():
        runs.append(moment[0])
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    job = Watched("Slack C1", run)
    for moment[0] in (0, 61, 599, 601, 630, 662, 724, 800):
        poll([job], 60, now=lambda: moment[0])
        if moment[0] == 601:
            assert job.failure and "HTTP 503" in job.failure and job.retry_at is None
    assert runs == [0, 601, 662, 724]  # Retry-After kept it off until 600 s, then every 60 s
    assert job.done and job.failure is None and job.source == "#war"
