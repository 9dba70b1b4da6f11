"""The post-mortem meeting invite: who is invited and what the invite says. Pure.

`rendering/invite.py` turns an `Invite` into iCalendar (RFC 5545). The incident file keeps the
attendees' names only: an address given with a name ("Lee Park <lee@example.org>") goes into
the invite, never into git (the sensitive-data guard refuses addresses in incident files).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from runbook_cli.domain import document, layout
from runbook_cli.domain.config import REPORT_GUIDANCE, Config
from runbook_cli.domain.model import Incident
from runbook_cli.domain.text import clean_name, visible
from runbook_cli.errors import UsageError

SCHEDULED = "Post-mortem scheduled for"
"""How the timeline entry of each scheduling begins (counted for the invite's SEQUENCE)."""
_ADDRESS = re.compile(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+")
_NAMED = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<address>[^<>]*)>$")


@dataclass(frozen=True)
class Attendee:
    name: str
    address: str | None = None


def attendee(text: str) -> Attendee:
    """'Lee Park', 'Lee Park <lee@example.org>' or 'lee@example.org' (named 'lee')."""
    text = text.strip()
    named = _NAMED.match(text)
    name, address = (named["name"], named["address"].strip()) if named else (text, None)
    if address is None and _ADDRESS.fullmatch(text):
        name, address = text.split("@", 1)[0], text
    if address is not None and not _ADDRESS.fullmatch(address):
        raise UsageError(
            f"--attendee {text!r}: {address!r} is not an email address; give NAME or "
            "'NAME <address>'."
        )
    return Attendee(clean_name(name.strip(), "--attendee"), address)


@dataclass(frozen=True)
class Invite:
    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str
    url: str | None
    organizer: Attendee
    attendees: tuple[Attendee, ...]


def uid(incident: Incident) -> str:
    """The same for every (re)scheduling of one incident's post-mortem, so calendars update the
    meeting instead of adding another; the start time keeps two repositories' incident 7 apart."""
    return f"postmortem-incident-{incident.id}-{incident.started_at:%Y%m%dT%H%M%SZ}@runbook"


def sequence(body: str) -> int:
    """How many times the meeting was scheduled before (RFC 5545 SEQUENCE of this revision)."""
    layout_ = document.timeline_layout(body)
    if layout_ is None:
        return 0
    return sum(1 for entry, _ in layout_[1] if entry.text.startswith(SCHEDULED))


def page_url(config: Config, path: str) -> str | None:
    """The incident's page on the published site, when the config says where that is."""
    if not config.site.url:
        return None
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return f"{config.site.url}/{layout.site_page(stem)}"


def build(
    incident: Incident,
    path: str,
    body: str,
    config: Config,
    *,
    at: datetime,
    organizer: Attendee,
    attendees: list[Attendee],
) -> Invite:
    """The invite for the meeting at `at`, from the incident as it is before this scheduling."""
    url = page_url(config, path)
    link = f"Incident: {path}" + (f"\nPage: {url}" if url else "")
    agenda = "\n".join(
        f"{number}. {section}: {guidance}"
        for number, (section, guidance) in enumerate(REPORT_GUIDANCE.items(), 1)
    )
    description = (
        f"Post-mortem of incident {incident.id} ({incident.severity}, "
        f"{', '.join(incident.services)}): {incident.title}\n{link}\n\n"
        f"Agenda, the sections of the Incident Report:\n{agenda}\n"
    )
    summary = f"Post-mortem: incident {incident.id} ({incident.severity}) – {incident.title}"
    return Invite(
        uid=uid(incident),
        sequence=sequence(body),
        start=at,
        end=at + timedelta(minutes=config.postmortem.invite_minutes),
        summary=visible(summary),  # a hand-edited file's text shows its control characters
        description=visible(description),
        url=url,
        organizer=organizer,
        attendees=tuple(Attendee(visible(p.name), p.address) for p in attendees),
    )


def address_uri(person: Attendee, invite_uid: str) -> str:
    """The calendar address: mailto: when known; else a stable urn:uuid (a calendar shows the
    name; RFC 5545 needs a URI)."""
    if person.address:
        return f"mailto:{person.address}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{invite_uid}/{person.name}')}"
