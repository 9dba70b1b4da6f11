"""The post-mortem invite as iCalendar (RFC 5545), written by the `icalendar` library (only
`postmortem schedule` imports this module, so only it pays for the library)."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress

from runbook_cli.domain import clock
from runbook_cli.domain.invite import Attendee, Invite, address_uri


def ics(invite: Invite, now: datetime) -> bytes:
    """A METHOD:REQUEST calendar with one VEVENT: times in UTC, the organizer and attendees."""
    calendar = Calendar()
    calendar.add("prodid", "-//runbook//incident post-mortem//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", invite.uid)
    event.add("sequence", invite.sequence)
    event.add("dtstamp", now.astimezone(clock.UTC))
    event.add("dtstart", invite.start.astimezone(clock.UTC))
    event.add("dtend", invite.end.astimezone(clock.UTC))
    event.add("summary", invite.summary)
    event.add("description", invite.description)
    if invite.url:
        event.add("url", invite.url)
    event.add("status", "CONFIRMED")
    event.add("organizer", _address(invite.organizer, invite.uid, {}))
    for person in invite.attendees:
        role = {"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "TRUE"}
        event.add("attendee", _address(person, invite.uid, role))
    calendar.add_component(event)
    return calendar.to_ical()


def _address(person: Attendee, uid: str, params: dict[str, str]):
    address = vCalAddress(address_uri(person, uid))
    address.params["CN"] = person.name
    for key, value in params.items():
        address.params[key] = value
    return address
