"""Capture's pure rules: what a PagerDuty log entry or a Slack message becomes in the
timeline, which Slack messages are marked for the record, and Slack's mrkdwn as plain text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# PagerDuty log entry types worth a timeline line, and the verb each is told with.
PAGERDUTY_TYPES = {
    "acknowledge_log_entry": "acknowledged",
    "escalate_log_entry": "escalated",
    "assign_log_entry": "reassigned",
    "annotate_log_entry": "note",
    "resolve_log_entry": "resolved",
}


@dataclass(frozen=True)
class Captured:
    """One item from outside, ready for the timeline: `key` is its id at the service."""

    key: str
    at: datetime
    author: str
    text: str
    acknowledgement: bool = False
    resolution: bool = False


def moment(value: str) -> datetime:
    """An ISO-8601 time from a service (Z or an offset) in UTC."""
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def slack_moment(ts: str) -> datetime:
    """A Slack `ts` ('1732690000.000200': seconds since the epoch) in UTC."""
    return datetime.fromtimestamp(float(ts), UTC)


def who(name: object, fallback: str) -> str:
    """A name fit for an entry's author field: one line, without the separator dashes."""
    text = " ".join(str(name or "").split())
    text = re.sub(r" (?:—|–|--|-) ", " ", text).strip(" -—–")
    return text or fallback


def pagerduty_entry(entry: dict) -> Captured | None:
    """A PagerDuty log entry as a timeline item, or None for the kinds not worth one."""
    kind = entry.get("type")
    if kind not in PAGERDUTY_TYPES or not entry.get("id") or not entry.get("created_at"):
        return None
    agent = who((entry.get("agent") or {}).get("summary"), "PagerDuty")
    summary = " ".join(str(entry.get("summary") or PAGERDUTY_TYPES[kind]).split())
    if kind == "annotate_log_entry":
        channel = entry.get("channel") or {}
        note = channel.get("content") or channel.get("summary") or summary
        text = f"PagerDuty note: {note}"
    else:
        text = f"PagerDuty: {summary}"
    return Captured(
        str(entry["id"]),
        moment(entry["created_at"]),
        agent,
        text,
        acknowledgement=kind == "acknowledge_log_entry",
        resolution=kind == "resolve_log_entry",
    )


def marked(message: dict, reaction: str) -> bool:
    """Marked for the record: pinned, or carrying the team's reaction (`pushpin` by default)."""
    if message.get("pinned_to"):
        return True
    wanted = reaction.strip(":")
    return any(r.get("name") == wanted for r in message.get("reactions") or [])


_TOKEN = re.compile(r"<([^<>]+)>")


def plain(text: str, name_of: Callable[[str], str]) -> str:
    """Slack mrkdwn as plain text: <@U1> as @Name (`name_of` looks a user up), <#C1|name> as
    #name, <!here> as @here, <url|label> as 'label (url)', and &lt; &gt; &amp; unescaped."""

    def token(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or name_of(target[1:]))
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            special = target[1:].split("^", 1)[0]
            if special.startswith("subteam"):
                return label or "@group"
            if special.startswith("date"):
                return label or special
            return "@" + special
        return f"{label} ({target})" if label and label != target else target

    return html.unescape(_TOKEN.sub(token, text or "")).strip()


def slack_entry(
    message: dict, channel: str, name_of: Callable[[str], str], *, thread: bool = False
) -> Captured:
    """A Slack message as a timeline item: its text in plain words, its files as links."""
    user = message.get("user")
    author = who(name_of(user) if user else message.get("username") or "", "Slack")
    lines = [plain(message.get("text") or "", name_of)]
    for file in message.get("files") or []:
        link = file.get("permalink") or file.get("url_private") or ""
        title = file.get("title") or file.get("name") or "file"
        lines.append(f"File: {title} ({link})" if link else f"File: {title}")
    body = "\n".join(line for line in lines if line)
    where = f"#{channel} (thread)" if thread else f"#{channel}"
    return Captured(str(message["ts"]), slack_moment(message["ts"]), author, f"{where}: {body}")


def new(items: Iterable[Captured], seen: Iterable[str]) -> list[Captured]:
    """The items not captured before, each once, in time order."""
    known = set(seen)
    fresh: dict[str, Captured] = {}
    for item in items:
        if item.key not in known and item.key not in fresh:
            fresh[item.key] = item
    return sorted(fresh.values(), key=lambda item: item.at)
