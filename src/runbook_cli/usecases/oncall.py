"""Use cases for who to call and what is due: escalation, escalate, due, contacts, next steps."""

from __future__ import annotations

from dataclasses import dataclass

from runbook_cli.adapters import teamfiles
from runbook_cli.domain import clock, contacts, due, escalation, regulatory
from runbook_cli.domain.model import Incident
from runbook_cli.errors import MalformedFileError, UsageError
from runbook_cli.usecases.workspace import Edit, Workspace


def escalation_steps(
    ws: Workspace, reference: str | None
) -> tuple[Incident, list[escalation.Step]]:
    loaded = ws.load(reference)
    return loaded.incident, escalation.steps(
        loaded.incident, teamfiles.contacts(ws.root), ws.config, clock.now()
    )


def escalate(
    ws: Workspace, reference: str | None, role: str, *, author: str | None, commit: bool
) -> Edit:
    book = teamfiles.contacts(ws.root)
    known = escalation.roles(book)
    wanted = role.strip().lower().replace(" ", "-")
    if wanted not in known:
        raise UsageError(f"unknown escalation role {role!r}; use one of {', '.join(known)}.")
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if incident.escalated.get(wanted):
            return edit
        now = clock.now()
        incident.escalated[wanted] = now
        squads = (
            escalation.impacted_squads(incident, ws.config)
            if wanted == contacts.SQUAD_LEADS
            else None
        )
        # Names only: phone numbers and pagers stay in contacts.md, out of incident history.
        people = ", ".join(p.name for p in book.with_role(wanted, squads)) or wanted
        edit.log(f"Escalated to {wanted}: {people}.", now)
        edit.describe(f"escalate to {wanted}", Escalated=wanted)
    return edit


@dataclass
class DueReport:
    items: list[due.Due]
    review: str | None


def due_now(ws: Workspace) -> DueReport:
    now = clock.now()
    book = teamfiles.contacts(ws.root)
    loaded = ws.store.summaries()
    items = [
        item for each in loaded for item in due.for_incident(each.incident, book, ws.config, now)
    ]
    items.sort(key=lambda item: (item.due_at, item.incident, due.KINDS.index(item.kind)))
    return DueReport(
        items, due.runbook_review(ws.config, [each.incident for each in loaded], now.date())
    )


def refresh_contacts(ws: Workspace, *, commit: bool) -> str | None:
    """Regenerate the table in contacts.md from its front matter; the new commit, if any."""
    path = ws.root / contacts.CONTACTS_PATH
    with ws.locked():
        if commit:
            ws.git.check_can_commit()
        if not path.exists():
            raise UsageError(f"there is no {contacts.CONTACTS_PATH}; create it with runbook init.")
        text = path.read_text(encoding="utf-8")
        try:
            new = contacts.refreshed(text)
        except ValueError as error:
            raise MalformedFileError(
                f"{contacts.CONTACTS_PATH}: {error}; fix the front matter."
            ) from None
        if new == text:
            return None
        ws.write(path, new)
        return (
            ws.commit_paths([path], "runbook: regenerate the escalation table in contacts.md")
            if commit
            else "written"
        )


def next_steps(ws: Workspace, incident: Incident) -> list[str]:
    """What the runbook asks for next, briefly: who to page, the next update, the post-mortem."""
    now, where = clock.now(), ws.config.zone
    lines = []
    if incident.is_open and not incident.acknowledged_at:
        ack_by = clock.show_clock(due.ack_due(incident, ws.config), where)
        lines.append(f"Acknowledge by {ack_by} (runbook ack).")
    if incident.is_open and regulatory.unanswered(incident, ws.config):
        lines.append(
            "Answer: is user data affected? runbook data-affected yes|no --reason T "
            f"(by {clock.show_clock(regulatory.question_due(incident, ws.config), where)})."
        )
    for running in regulatory.open_clocks(incident, ws.config):
        condition = f" ({running.condition})" if running.condition else ""
        lines.append(
            f"By {clock.show(running.due_at, where)}: {running.what}{condition} "
            f"(runbook notified {running.name})."
        )
    if escalation.active(incident):
        steps = escalation.steps(incident, teamfiles.contacts(ws.root), ws.config, now)
        for step in steps:
            if step.reached and not step.done:
                names = ", ".join(f"{p.name} ({p.how})" for p in step.people) or ", ".join(
                    step.roles
                )
                lines.append(f"Page now (T+{step.after_minutes} min): {names}.")
        upcoming = next((s for s in steps if not s.reached), None)
        if upcoming:
            lines.append(
                f"Next escalation at {clock.show_clock(upcoming.due_at, where)} "
                f"(T+{upcoming.after_minutes} min): {', '.join(upcoming.roles)}."
            )
    if incident.is_open:
        for kind, label in (("comms", "internal update"), ("status-page", "status page update")):
            at = due.next_update(incident, ws.config, kind)
            if at:
                command = "comms --template status-page" if kind == "status-page" else "comms"
                lines.append(f"Next {label} due {clock.show_clock(at, where)} (runbook {command}).")
    if incident.postmortem_due and not incident.postmortem_scheduled_at:
        lines.append(
            f"Post-mortem due by {clock.show(incident.postmortem_due, where)} "
            "(runbook postmortem schedule --at T --attendee NAME)."
        )
    return lines
