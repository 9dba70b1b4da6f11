"""Capture: the timeline writes itself from PagerDuty's log entries and the war-room channel.

A run reads everything first (the record is untouched when a service fails midway), passes
every text through the sensitive-data guard (a failing one is reported, never written; no
override), then adds what is new in one commit. Captured ids are kept in the front matter
(integrations.pagerduty.captured, integrations.slack.captured per channel), so a run adds
only what the last one did not."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from runbook_cli.adapters import outbound
from runbook_cli.domain import capture, clock, document, vendor
from runbook_cli.domain.capture import Captured
from runbook_cli.domain.text import clean_text, counted
from runbook_cli.errors import RunbookError, UsageError
from runbook_cli.usecases.integrations import Settings, path_id
from runbook_cli.usecases.workspace import Edit, Workspace

PAGERDUTY_API_URL = "https://api.pagerduty.com"
PAGE_LIMIT = 100


@dataclass
class Refused:
    """A captured text the guard stopped: where and when, and the kind (never the text)."""

    where: str
    at: datetime
    kind: str


@dataclass
class Outcome:
    source: str  # "PagerDuty" or "#channel"
    added: int = 0
    entries: list[Captured] = field(default_factory=list)  # what was added, in time order
    edit: Edit | None = None
    refused: list[Refused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resolved: bool = False  # the service says the incident is resolved, or the record does


# --- PagerDuty ---------------------------------------------------------------------------


def from_pagerduty(
    ws: Workspace, reference: str | None, *, author: str | None = None, commit: bool = True
) -> Outcome:
    incident = ws.load(reference).incident
    keys = vendor.paged_keys(incident)
    if not keys:
        raise UsageError(
            f"incident {incident.id} was never paged through runbook page, so PagerDuty has "
            "nothing to find it by; nothing was captured."
        )
    settings = Settings(ws)
    token = settings.secret("RUNBOOK_PAGERDUTY_API_TOKEN", "the PagerDuty API token")
    base = settings.url("RUNBOOK_PAGERDUTY_API_URL", PAGERDUTY_API_URL)
    headers = {
        "Authorization": f"Token token={token}",
        "Accept": "application/vnd.pagerduty+json;version=2",
    }

    def get(path: str, **params) -> dict:
        return outbound.request(
            "GET", base + path, "PagerDuty", params=params, headers=headers, secrets=(token,)
        )

    items: list[Captured] = []
    try:
        found: list[str] = []
        for key in keys:
            for each in get("/incidents", incident_key=key).get("incidents") or []:
                found.append(path_id(each.get("id"), "the PagerDuty incident id"))
        for pd_id in dict.fromkeys(found):
            offset = 0
            while True:
                page = get(
                    f"/incidents/{pd_id}/log_entries",
                    offset=offset,
                    limit=PAGE_LIMIT,
                    is_overview="false",
                )
                entries = page.get("log_entries") or []
                items.extend(i for i in map(capture.pagerduty_entry, entries) if i)
                offset += len(entries)
                if not page.get("more") or not entries:
                    break
    except outbound.Failure as failure:
        raise failure.saying(_so_far(items, "log entries"), "the next run continues") from None
    outcome = Outcome("PagerDuty", resolved=any(i.resolution for i in items))
    if not found:
        outcome.notes.append(f"PagerDuty has no incident for the dedup keys {', '.join(keys)}")
    _record(
        ws, str(incident.id), outcome, items, ["pagerduty", "captured"], "PagerDuty", author, commit
    )
    return outcome


# --- Slack -------------------------------------------------------------------------------


def from_slack(
    ws: Workspace,
    reference: str | None,
    channel: str,
    *,
    everything: bool = False,
    author: str | None = None,
    commit: bool = True,
) -> Outcome:
    from runbook_cli.adapters import slackapi  # only `capture slack` needs slack_sdk

    incident = ws.load(reference).incident
    channel = path_id(channel, "the Slack channel id")
    token = Settings(ws).secret("RUNBOOK_SLACK_BOT_TOKEN", "the Slack bot token")
    base = os.environ.get("RUNBOOK_SLACK_API_URL") or slackapi.SLACK_API_URL
    reader = slackapi.Channel(token, channel, base)
    reaction = ws.config.capture.slack_reaction
    items: list[Captured] = []
    try:
        name = reader.name()
        for message in reader.history(incident.started_at.timestamp()):
            if message.get("subtype") in ("channel_join", "channel_leave"):
                continue
            if everything or capture.marked(message, reaction):
                items.append(capture.slack_entry(message, name, reader.user_name))
            if message.get("reply_count"):
                for reply in reader.replies(message["ts"]):
                    if everything or capture.marked(reply, reaction):
                        items.append(
                            capture.slack_entry(reply, name, reader.user_name, thread=True)
                        )
    except outbound.Failure as failure:
        raise failure.saying(_so_far(items, "messages"), "the next run continues") from None
    outcome = Outcome(f"#{name}")
    _record(
        ws,
        str(incident.id),
        outcome,
        items,
        ["slack", "captured", channel],
        f"#{name}",
        author,
        commit,
    )
    return outcome


# --- watch -------------------------------------------------------------------------------


@dataclass
class Watched:
    """One capture `watch` runs between refreshes: what it last did or why it failed, and when
    it may run again (the capture interval, or later when a service asked to wait)."""

    source: str  # "PagerDuty" or "Slack C0123ABCD" until a run names the channel
    run: Callable[[], Outcome]
    outcome: Outcome | None = None  # the last run that succeeded
    failure: str | None = None  # the last run's failure, when it failed
    ran_at: datetime | None = None
    retry_at: datetime | None = None  # a service asked to wait until then (Retry-After)
    done: bool = False  # the incident is resolved: nothing more to capture
    next_run: float = 0.0  # time.monotonic() from which it may run


def watched(
    ws: Workspace,
    kinds: list[str],
    reference: str | None,
    channel: str | None,
    *,
    everything: bool = False,
    author: str | None = None,
) -> list[Watched]:
    """The captures `watch --capture` asked for, checked before the view starts."""
    unknown = sorted(set(kinds) - {"slack", "pagerduty"})
    if unknown:
        raise UsageError(f"--capture takes slack or pagerduty, not {unknown[0]!r}.")
    if "slack" in kinds and not channel:
        raise UsageError("--capture slack needs the war-room channel: add --channel ID.")
    if channel and "slack" not in kinds:
        raise UsageError("--channel is the channel of --capture slack; add --capture slack.")
    jobs = []
    if "pagerduty" in kinds:
        jobs.append(Watched("PagerDuty", lambda: from_pagerduty(ws, reference, author=author)))
    if "slack" in kinds:
        jobs.append(
            Watched(
                f"Slack {channel}",
                lambda: from_slack(ws, reference, channel, everything=everything, author=author),
            )
        )
    return jobs


def poll(jobs: list[Watched], interval: float, now: Callable[[], float] = time.monotonic) -> None:
    """Run every capture that is due, each at most every `interval` seconds and never before
    the time a service asked for. A failure is kept for the view and retried later; a usage
    error (no token, never paged) is raised, since waiting will not mend it."""
    for job in jobs:
        if job.done or now() < job.next_run:
            continue
        job.ran_at = clock.now()
        wait = interval
        try:
            job.outcome = job.run()
        except UsageError:
            raise
        except RunbookError as error:
            job.failure = str(error)
            job.retry_at = getattr(error, "retry_at", None)
            if job.retry_at is not None:
                wait = max(wait, (job.retry_at - datetime.now(UTC)).total_seconds())
        else:
            job.failure = job.retry_at = None
            job.source = job.outcome.source
            job.done = job.outcome.resolved
        job.next_run = now() + wait


# --- shared ------------------------------------------------------------------------------


def _so_far(items: list[Captured], what: str) -> str:
    if not items:
        return "nothing was fetched; the record is unchanged"
    last = max(i.at for i in items)
    return (
        f"{len(items)} {what} were fetched (up to {clock.format_stored(last)}) but none "
        "recorded; the record is unchanged"
    )


def _record(
    ws: Workspace,
    reference: str,
    outcome: Outcome,
    items: list[Captured],
    where: list[str],
    source: str,
    author: str | None,
    commit: bool,
) -> None:
    """Screen, then write what is new in one change (none when nothing is)."""
    guard = ws.guard()
    fine: list[Captured] = []
    for item in items:
        matches = guard.scan(f"{item.author}\n{item.text}")
        if matches:
            outcome.refused.append(Refused(source, item.at, matches[0].kind))
        else:
            fine.append(item)
    system, *path = where
    with ws.change(reference, commit=commit, author=author) as edit:
        outcome.resolved = outcome.resolved or not edit.incident.is_open
        state = edit.incident.integrations.get(system) or {}
        seen = _dig(state, path)
        fresh = capture.new(fine, seen)
        outcome.edit = edit
        if not fresh:
            return
        for item in fresh:
            edit.entries.append(document.Entry(item.at, item.author, clean_text(item.text)))
        _acknowledgement(edit, fine, fresh)
        state = edit.incident.integrations.setdefault(system, {})
        _dig(state, path, create=True).extend(item.key for item in fresh)
        outcome.added = len(fresh)
        outcome.entries = fresh
        edit.describe(
            f"captured {counted(len(fresh), 'entry', 'entries')} from {source}", Captured=source
        )


def _dig(state: dict, path: list[str], *, create: bool = False) -> list[str]:
    """The list of captured ids at `path` under the system's state (a copy unless `create`)."""
    *parents, last = path
    for key in parents:
        inner = state.get(key)
        if not isinstance(inner, dict):
            if not create:
                return []
            inner = state[key] = {}
        state = inner
    found = state.get(last)
    if not isinstance(found, list):
        if not create:
            return []
        found = state[last] = []
    return found if create else list(found)


def _acknowledgement(edit: Edit, items: list[Captured], fresh: list[Captured]) -> None:
    """PagerDuty's first acknowledgement sets acknowledged_at when the record has none; the
    record's own value wins over a different one, and the difference is noted once."""
    acks = sorted((i for i in items if i.acknowledgement), key=lambda i: i.at)
    if not acks or acks[0] not in fresh:
        return
    first, incident = acks[0], edit.incident
    when = clock.format_stored(first.at)
    if incident.acknowledged_at is None and first.at >= incident.started_at:
        incident.acknowledged_at = first.at
        incident.acknowledged_by = incident.acknowledged_by or first.author
    elif incident.acknowledged_at is None:
        edit.log(
            f"PagerDuty's acknowledgement ({when}) is before the incident's start; "
            "acknowledged_at was left empty."
        )
    elif abs((incident.acknowledged_at - first.at).total_seconds()) >= 60:
        edit.log(
            f"PagerDuty says {first.author} acknowledged at {when}; the record says "
            f"{clock.format_stored(incident.acknowledged_at)} (kept)."
        )
