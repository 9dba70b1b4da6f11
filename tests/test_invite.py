"""The post-mortem invite: `postmortem schedule --at T --attendee NAME...` records the meeting in
one commit of the incident file and writes an RFC 5545 invite outside git, read back here with
icalendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import IDENTITY, Runbook, git, snapshot
from icalendar import Calendar

from runbook_cli.domain import invite, model
from runbook_cli.domain.config import REPORT_SECTIONS
from runbook_cli.errors import UsageError

AT = "2099-03-04T14:00:00Z"
START = datetime(2099, 3, 4, 14, 0, tzinfo=UTC)


def event(data: bytes):
    calendar = Calendar.from_ical(data)
    assert calendar["method"] == "REQUEST" and calendar["version"] == "2.0"
    (found,) = calendar.walk("VEVENT")
    return found


def attendees(found) -> dict[str, str]:
    listed = found.get("attendee")
    listed = listed if isinstance(listed, list) else [listed]
    return {str(a.params["CN"]): str(a) for a in listed}


def test_attendees_are_names_with_an_address_for_the_invite_only() -> None:
    assert invite.attendee("Lee Park <lee@example.org>") == invite.Attendee(
        "Lee Park", "lee@example.org"
    )
    assert invite.attendee("sam@example.org") == invite.Attendee("sam", "sam@example.org")
    assert invite.attendee("  Ana ") == invite.Attendee("Ana")
    with pytest.raises(UsageError, match="not an email address"):
        invite.attendee("Bo <not an address>")
    uri = invite.address_uri(invite.Attendee("Ana"), "u@runbook")
    assert uri.startswith("urn:uuid:") and uri == invite.address_uri(
        invite.Attendee("Ana"), "u@runbook"
    )


def test_uid_is_stable_per_incident_and_sequence_counts_reschedules() -> None:
    one = model.Incident(7, "x", "SEV-1", START, ["web"])
    assert invite.uid(one) == invite.uid(model.Incident(7, "y", "SEV-2", START, ["api"]))
    assert invite.uid(one) != invite.uid(model.Incident(8, "x", "SEV-1", START, ["web"]))
    body = (
        "## Timeline\n\n- 2099-01-01 10:00:00 UTC — Ana — Post-mortem scheduled for x.\n"
        "- 2099-01-01 11:00:00 UTC — Ana — Rolled back.\n"
        "- 2099-01-01 12:00:00 UTC — Ana — Post-mortem scheduled for y.\n"
    )
    assert invite.sequence(body) == 2 and invite.sequence("## Summary\n") == 0


def test_schedule_writes_the_invite_and_commits_only_the_incident(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "pm.ics"
    args = ("--attendee", "Lee Park <lee@example.org>", "--attendee", "Sam")
    out = declared("postmortem", "schedule", "--at", AT, *args, "--ics", str(ics)).stdout
    assert f"invite: {ics}" in out
    found = event(ics.read_bytes())
    incident_file = git(repo, "show", "--name-only", "--format=", "HEAD")
    assert incident_file.startswith("docs/runbooks/incidents/") and "\n" not in incident_file
    assert str(found["uid"]).startswith("postmortem-incident-1-") and found["sequence"] == 0
    assert found.decoded("dtstart") == START and found["dtstart"].to_ical() == b"20990304T140000Z"
    assert found.decoded("dtend") - found.decoded("dtstart") == timedelta(minutes=60)
    assert str(found["summary"]) == "Post-mortem: incident 1 (SEV-2) – Checkout errors"
    description = str(found["description"])
    assert incident_file in description and "url" not in found
    agenda = description.split("Agenda", 1)[1]
    positions = [agenda.index(f". {section}: ") for section in REPORT_SECTIONS]
    assert positions == sorted(positions)
    assert attendees(found) == {
        "Lee Park": "mailto:lee@example.org",
        "Sam": attendees(found)["Sam"],
    } and attendees(found)["Sam"].startswith("urn:uuid:")
    assert str(found["organizer"]) == f"mailto:{IDENTITY[1]}"
    view = declared.json("show")
    assert view["postmortem"]["attendees"] == ["Lee Park", "Sam"]
    assert view["checklist"]["postmortem_scheduled"] is True
    assert "lee@example.org" not in (repo / incident_file).read_text()


def test_rescheduling_updates_the_same_meeting_and_the_config_shapes_it(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    cfg = repo / "docs/runbooks/config.yml"
    text = cfg.read_text().replace("invite_minutes: 60", "invite_minutes: 30")
    cfg.write_text(text.replace("  url: null", "  url: https://acme.example/incidents/"))
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    declared("postmortem", "schedule", "--at", AT, "--attendee", "Ana", "--ics", str(first))
    later = "2099-03-05T09:30:00+01:00"
    declared("postmortem", "schedule", "--at", later, "--ics", str(second))
    old, new = event(first.read_bytes()), event(second.read_bytes())
    assert old["uid"] == new["uid"] and new["sequence"] == 1
    assert new["dtstart"].to_ical() == b"20990305T083000Z"
    assert new.decoded("dtend") - new.decoded("dtstart") == timedelta(minutes=30)
    assert list(attendees(new)) == ["Ana"]  # those invited before
    page = str(new["url"])
    assert page.startswith("https://acme.example/incidents/incidents/") and page.endswith(
        "-incident-1.html"
    )
    assert page in str(new["description"])


def test_dash_prints_the_invite_and_the_confirmation_goes_to_stderr(declared: Runbook) -> None:
    result = declared("postmortem", "schedule", "--at", AT, "--attendee", "Ana", "--ics", "-")
    assert "post-mortem scheduled" in result.stderr
    assert event(result.stdout.encode())["summary"].startswith("Post-mortem: incident 1")


def test_refusals_leave_files_and_git_alone(declared: Runbook, repo: Path, tmp_path: Path) -> None:
    ics = tmp_path / "pm.ics"
    before = snapshot(repo)
    cases = [
        (("--at", "1h ago", "--attendee", "Ana"), "is in the past"),
        (("--at", AT), "say who is invited with --attendee NAME"),
        (("--at", AT, "--attendee", "Bo <nope>"), "not an email address"),
        (("--at", AT, "--attendee", "Ana", "--ics", str(tmp_path / "no/such/x.ics")), "exist"),
        (
            ("--at", AT, "--attendee", "Ana", "--ics", str(repo / "docs/runbooks/incidents/x.ics")),
            "does not go into docs/runbooks/incidents/",
        ),
    ]
    for args, says in cases:
        default = () if "--ics" in args else ("--ics", str(ics))
        error = declared("postmortem", "schedule", *args, *default, expect=2).stderr
        assert says in error and error.count("\n") == 1, error
    assert snapshot(repo) == before and not ics.exists()
