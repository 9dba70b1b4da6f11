"""`runbook demo`: a full SEV-1 incident, step by step, through the real commands, in a
scratch repository."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from runbook_cli import demo_fakes
from runbook_cli.adapters import gitrepo
from runbook_cli.domain import clock
from runbook_cli.errors import RepositoryError, UsageError

_PIN = {"pinned_to": ["C0WARROOM"]}
_MARK = {"reactions": [{"name": "pushpin", "count": 1}]}

# (minutes since the demo's start, what the step shows, the command's arguments)
STEPS: list[tuple[int, str, list[str]]] = [
    (0, "Set up the runbook folder in the repository", ["init"]),
    (
        4,
        "Detection: an alert fired at T+0; the on-call engineer declares the incident",
        [
            "declare",
            "Appointment booking fails for most users",
            "--severity",
            "SEV-2",
            "--service",
            "appointment-service",
            "--service",
            "patient-web",
            "--summary",
            "Patients could not book or reschedule appointments; the booking API returned 502s.",
            "--started-at",
            "4m ago",
            "--detected-at",
            "2m ago",
        ],
    ),
    (4, "Make it the default incident for the next commands (this clone only)", ["use", "1"]),
    (5, "On-call acknowledges (the runbook's target: within 5 minutes)", ["ack"]),
    (
        7,
        "Triage: assign the Incident Commander and Communications Lead",
        ["assign", "--commander", "Priya Raman", "--comms-lead", "Tomás Ortega"],
    ),
    (
        8,
        "Triage: appointment-service holds patient data, so answer whether user data is affected",
        [
            "data-affected",
            "no",
            "--reason",
            "booking requests failed; no patient record was read or exposed",
        ],
    ),
    (
        9,
        "Capture what is seen and done in the timeline",
        ["timeline", "add", "Grafana: booking API 502 rate at 64%, began with deploy 2026.11.26-3"],
    ),
    (
        11,
        "Triage: most users are affected, so this is SEV-1",
        [
            "severity",
            "SEV-1",
            "--reason",
            "core booking workflow degraded for the majority of users",
        ],
    ),
    (17, "T+15 has passed: who to page now, per the escalation matrix", ["escalation"]),
    (17, "The squad leads of the impacted services are paged", ["escalate", "--to", "squad-lead"]),
    (
        17,
        "The Communications Lead's update, in the runbook's wording",
        ["comms", "--impact", "most patients cannot book appointments"],
    ),
    (18, "The cause is identified", ["status", "identified"]),
    (
        21,
        "Containment: roll back",
        ["timeline", "add", "Rolled back appointment-service to 2026.11.26-2"],
    ),
    (
        22,
        "The war room's messages marked for the record (pinned or :pushpin:) join the timeline "
        "at their real times; the guard keeps patient data out (Slack here is a local stand-in "
        "on 127.0.0.1)",
        ["capture", "slack", "--channel", "C0WARROOM"],
    ),
    (26, "Impact contained", ["status", "mitigated"]),
    (
        41,
        "Resolution confirmed by monitoring and functional checks",
        [
            "resolve",
            "--root-cause",
            "connection pool exhausted by a retry storm in release 2026.11.26-3",
            "--risks",
            "the retry policy is unchanged in the mobile client",
        ],
    ),
    (43, "The incident, as the repository now holds it", ["show"]),
    (
        44,
        "The Incident Report in the runbook template's shape (for the ticket; fill it in with "
        "report set)",
        ["report"],
    ),
    (
        46,
        "A second incident: another clinic's staff could open patient records (SEV-0)",
        [
            "declare",
            "Patient records visible to another clinic",
            "--severity",
            "SEV-0",
            "--service",
            "doctor-hub",
            "--detected-at",
            "1m ago",
            "--commander",
            "Priya Raman",
            "--comms-lead",
            "Tomás Ortega",
        ],
    ),
    (
        47,
        "User data is affected: the HIPAA breach-notification clocks start from discovery",
        [
            "data-affected",
            "yes",
            "--reason",
            "audit log shows records read across clinics",
        ],
    ),
    (
        48,
        "The number of people affected decides which notifications apply",
        ["set", "impact", "--patients", "212"],
    ),
    (
        48,
        "What is due now: acknowledgement, escalations, and the regulatory clocks (guidance, "
        "not legal advice)",
        ["due"],
    ),
]


def prepare(path: Path | None) -> Path:
    """A new git repository with a demo identity (local to it; the user's config is untouched)."""
    if path is None:
        folder = Path(tempfile.mkdtemp(prefix="runbook-demo-"))
    else:
        folder = path.resolve()
        if folder.exists() and any(folder.iterdir()):
            raise UsageError(f"{folder} is not empty; give a new or empty folder to --path.")
        folder.mkdir(parents=True, exist_ok=True)
    demo = {"user.name": "Dana Demo", "user.email": "dana.demo@example.invalid"}
    try:
        gitrepo.create(folder, {**demo, "commit.gpgsign": "false"})
    except RepositoryError as error:
        raise UsageError(f"could not prepare the demo repository: {error}") from None
    return folder


_START = clock.now() - timedelta(minutes=50)


# The war room the demo captures from: (minute, user, text, how it is marked, thread replies).
WAR_ROOM: list[tuple[float, str, str, dict, list[tuple[float, str, str, dict]]]] = [
    (6, "U1", "I'm IC, <@U2> has comms. Booking API 502s since deploy 2026.11.26-3", _PIN, []),
    (10, "U2", "anyone else seeing the mobile app spin?", {}, []),
    (
        19,
        "U1",
        "Decision: roll back appointment-service to 2026.11.26-2, see "
        "<https://grafana.example.com/d/booking|booking 502s>",
        _MARK,
        [
            (19.5, "U3", "Rollback started, ETA 3 min", _MARK),
            (20, "U2", "ok, drafting the status page update", {}),
        ],
    ),
    (20.5, "U3", "a patient called support: SSN 123-45-6789, cannot book", _PIN, []),
]


@contextmanager
def war_room() -> Iterator[None]:
    """While the demo runs, `capture slack` reads a local stand-in for Slack (demo material:
    runbook_cli.demo_fakes on 127.0.0.1) holding WAR_ROOM's messages, never a real workspace."""
    channel = demo_fakes.SlackChannel("C0WARROOM", "incident-war-room")
    channel.users = {"U1": "Priya Raman", "U2": "Tomás Ortega", "U3": "Ana Silva"}
    for minute, user, text, marks, replies in WAR_ROOM:
        parent = channel.say(_moment(minute), text, user=user, **marks)
        for at, who, said, how in replies:
            channel.reply(parent, _moment(at), said, user=who, **how)
    with (
        demo_fakes.serving(channel) as url,
        _environment(RUNBOOK_SLACK_API_URL=url, RUNBOOK_SLACK_BOT_TOKEN=channel.token),
    ):
        yield


def _moment(minute: float) -> float:
    return (_START + timedelta(minutes=minute)).timestamp()


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def clock_at(minute: int) -> Iterator[None]:
    """Run a step as if `minute` minutes had passed since the demo's alert fired."""
    with _environment(RUNBOOK_NOW=clock.format_stored(_START + timedelta(minutes=minute))):
        yield
