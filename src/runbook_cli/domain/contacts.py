"""docs/runbooks/contacts.md: the people to call and the escalation matrix.

The front matter is the data; the body's table is regenerated from it so readers and the tool
never disagree. Defaults are the runbook's draft matrix (T+0 on-call, T+15 squad leads of the
impacted services, T+30 Head of Engineering, T+60 CTO, and the Compliance Officer when user
data is affected).
"""

from __future__ import annotations

from dataclasses import dataclass

from runbook_cli.domain import document, yamlio
from runbook_cli.domain.layout import CONTACTS_PATH
from runbook_cli.errors import MalformedFileError

SQUAD_LEADS = "squad-lead"
TABLE = "contacts"

DEFAULT_DATA: dict = {
    "people": [
        {
            "name": "SRE on-call (primary)",
            "role": "oncall",
            "slack": "@sre-oncall",
            "pager": "PagerDuty: SRE Primary",
        },
        {
            "name": "Patient Platform lead",
            "role": SQUAD_LEADS,
            "squad": "Patient Platform",
            "slack": "@patient-platform-lead",
            "pager": "PagerDuty: Patient Platform",
        },
        {
            "name": "Doctor Hub lead",
            "role": SQUAD_LEADS,
            "squad": "Doctor Hub",
            "slack": "@doctor-hub-lead",
            "pager": "PagerDuty: Doctor Hub",
        },
        {
            "name": "Admin Console lead",
            "role": SQUAD_LEADS,
            "squad": "Admin Console",
            "slack": "@admin-console-lead",
            "pager": "PagerDuty: Admin Console",
        },
        {
            "name": "Head of Engineering",
            "role": "head-of-engineering",
            "slack": "@head-of-eng",
            "phone": "+00 000 000 0000",
        },
        {"name": "CTO", "role": "cto", "slack": "@cto", "phone": "+00 000 000 0000"},
        {
            "name": "Compliance Officer",
            "role": "compliance-officer",
            "slack": "@compliance",
            "phone": "+00 000 000 0000",
        },
    ],
    "escalation": [
        {"after_minutes": 0, "notify": ["oncall"]},
        {"after_minutes": 15, "notify": [SQUAD_LEADS]},
        {"after_minutes": 30, "notify": ["head-of-engineering"]},
        {"after_minutes": 60, "notify": ["cto"]},
        {"after_minutes": 60, "notify": ["compliance-officer"], "when": "data_affected"},
    ],
}

_BODY_INTRO = """\
# Contacts and escalation matrix

The front matter above is the data `runbook` reads; edit it, not the table below, which
`runbook contacts refresh` regenerates. Escalation steps count from detection; the T+0 step
is reached when the incident is acknowledged, and no step falls due once it is mitigated. A
step may name `severities: [SEV-0, SEV-1]` to apply to those only. `squad-lead` means the
leads of the squads that own the impacted services (`config.yml`).

"""


@dataclass(frozen=True)
class Person:
    """Someone the escalation matrix may call, and how to reach them."""

    name: str
    role: str
    squad: str | None
    how: str  # "Slack @x · PagerDuty: y · phone z"
    # Tracker accounts, so an action item's owner becomes the assignee.
    jira_account_id: str | None = None
    linear_user_id: str | None = None


@dataclass(frozen=True)
class Step:
    """One step of the escalation matrix: who is told, how long after the start."""

    after_minutes: int
    notify: tuple[str, ...]
    only_when_data_affected: bool
    severities: tuple[str, ...] = ()  # empty: every severity


@dataclass(frozen=True)
class Contacts:
    """docs/runbooks/contacts.md: the people and the escalation matrix."""

    people: tuple[Person, ...]
    steps: tuple[Step, ...]

    def with_role(self, role: str, squads: set[str] | None = None) -> list[Person]:
        return [p for p in self.people if p.role == role and (squads is None or p.squad in squads)]

    def named(self, name: str) -> Person | None:
        """The person of that name (case and surrounding spaces aside)."""
        wanted = name.strip().casefold()
        return next((p for p in self.people if p.name.strip().casefold() == wanted), None)


def default_text() -> str:
    return render(DEFAULT_DATA)


def render(data: dict) -> str:
    begin, end = document.block_markers(TABLE)
    return f"---\n{yamlio.dump(data)}---\n{_BODY_INTRO}{begin}\n{table(parse(data))}{end}\n"


def table(contacts: Contacts) -> str:
    lines = ["| After | Notify | Who | How to reach |", "|---|---|---|---|"]
    for step in contacts.steps:
        when = " (if user data affected)" if step.only_when_data_affected else ""
        if step.severities:
            when += f" ({', '.join(step.severities)} only)"
        for role in step.notify:
            people = contacts.with_role(role) or [Person("—", role, None, "—")]
            for person in people:
                who = person.name + (f" ({person.squad})" if person.squad else "")
                lines.append(
                    f"| T+{step.after_minutes} min | {role}{when} | {who} | {person.how} |"
                )
    return "\n".join(lines) + "\n"


def parse(data: object, source: str = "(defaults)") -> Contacts:
    def fail(message: str) -> MalformedFileError:
        return MalformedFileError(f"{source}: {message}; fix the front matter.")

    if not isinstance(data, dict) or set(data) - {"people", "escalation"}:
        raise fail("the front matter holds 'people' and 'escalation'")
    people = []
    for entry in data.get("people") or []:
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("role"):
            raise fail("each person needs a name and a role")
        how = " · ".join(
            f"{label}{entry[key]}"
            for key, label in (("slack", "Slack "), ("pager", ""), ("phone", "phone "))
            if entry.get(key)
        )
        accounts = {
            key: str(entry[key]).strip() or None
            for key in ("jira_account_id", "linear_user_id")
            if entry.get(key) is not None
        }
        people.append(
            Person(
                str(entry["name"]), str(entry["role"]), entry.get("squad"), how or "—", **accounts
            )
        )
    steps = []
    for entry in data.get("escalation") or []:
        minutes = entry.get("after_minutes") if isinstance(entry, dict) else None
        notify = entry.get("notify") if isinstance(entry, dict) else None
        if (
            not isinstance(minutes, int)
            or minutes < 0
            or not isinstance(notify, list)
            or not notify
        ):
            raise fail(
                "each escalation step needs after_minutes (a whole number) and notify (a list of "
                "roles)"
            )
        if entry.get("when") not in (None, "data_affected"):
            raise fail("an escalation step's 'when' may only be data_affected")
        if set(entry) - {"after_minutes", "notify", "when", "severities"}:
            raise fail(
                "an escalation step holds after_minutes, notify, and optionally when and severities"
            )
        severities = entry.get("severities") or []
        if not isinstance(severities, list) or not all(isinstance(s, str) for s in severities):
            raise fail("an escalation step's 'severities' must be a list such as [SEV-0, SEV-1]")
        steps.append(
            Step(
                minutes,
                tuple(str(role) for role in notify),
                entry.get("when") == "data_affected",
                tuple(severities),
            )
        )
    return Contacts(tuple(people), tuple(sorted(steps, key=lambda step: step.after_minutes)))


def refreshed(text: str) -> str:
    """The file with its table regenerated from its front matter (everything else kept)."""
    doc = document.parse(text)
    doc.body = document.write_block(doc.body, TABLE, table(parse(doc.meta, CONTACTS_PATH)))
    return doc.render()
