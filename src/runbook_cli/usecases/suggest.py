"""Values a shell can offer on <TAB>: each list is read from the repository's config, contacts
and incidents. Pairs are (value, help); the command line turns them into completions."""

from pathlib import Path

from runbook_cli.adapters import teamfiles
from runbook_cli.domain import vendor
from runbook_cli.domain.config import STATUSES
from runbook_cli.rendering.messages import TEMPLATES
from runbook_cli.usecases.workspace import Workspace

Choice = tuple[str, str]


def severities(repo: Path | None) -> list[Choice]:
    return [(s.name, s.label) for s in Workspace(repo).config.severities.values()]


def statuses(_repo: Path | None = None) -> list[Choice]:
    return [(status, "") for status in STATUSES]


def services(repo: Path | None) -> list[Choice]:
    return [(name, "") for name in Workspace(repo).config.services]


def templates(_repo: Path | None = None) -> list[Choice]:
    return [(name, "") for name in TEMPLATES]


def trackers(_repo: Path | None = None) -> list[Choice]:
    """The issue trackers `action export --to` creates issues in."""
    return list(vendor.TRACKERS.items())


def checklist_keys(repo: Path | None) -> list[Choice]:
    config = Workspace(repo).config
    return list(config.checklist_for(regulated=True).items())


def roles(repo: Path | None) -> list[Choice]:
    """Every role the escalation matrix notifies, then any other role a contact holds."""
    ws = Workspace(repo)
    known = teamfiles.contacts(ws.root)
    found: dict[str, str] = {}
    for step in known.steps:
        for role in step.notify:
            found.setdefault(role, f"after {step.after_minutes} min")
    for person in known.people:
        found.setdefault(person.role, person.name)
    return list(found.items())


def incident_roles(repo: Path | None) -> list[Choice]:
    """`--role ROLE=` for each role from the config (the IC and CL have their own options)."""
    return [(f"{role}=", title) for role, title in Workspace(repo).config.roles.items()]


def incidents(repo: Path | None) -> list[Choice]:
    """Open incidents first (newest first), then the rest; each with its title."""
    summaries = Workspace(repo).store.summaries()
    ordered = sorted(summaries, key=lambda each: (not each.incident.is_open, -each.incident.id))
    return [
        (str(each.incident.id), f"{each.incident.status}: {each.incident.title}")
        for each in ordered
    ]
