"""Facts about an incident after it is declared: whether user data is affected, the regulatory
notifications sent, and (runbook set) its title, summary, services, impact numbers, detection
method, tags and related incidents. Each change is a timeline entry and one commit."""

from __future__ import annotations

from datetime import datetime

from runbook_cli.domain import clock, regulatory
from runbook_cli.domain.text import clean_line
from runbook_cli.errors import UsageError
from runbook_cli.usecases.lifecycle import not_before_start
from runbook_cli.usecases.workspace import Edit, Workspace


def set_data_affected(
    ws: Workspace,
    reference: str | None,
    affected: bool,
    *,
    reason: str,
    at: datetime | None,
    author: str | None,
    commit: bool,
) -> Edit:
    """Answer 'is user data affected?'. Yes starts the regulatory clocks from `at` (discovery,
    default now), brings the Compliance Officer into the escalation matrix and adds the
    regulated checklist items; no stops them. Either way the answer and reason are in the
    timeline."""
    if not (reason or "").strip():
        raise UsageError("say why with --reason (e.g. --reason 'audit log shows no PHI read').")
    reason = clean_line(reason, "--reason")
    if at and not affected:
        raise UsageError("--at is the time user data was found affected; give it with 'yes' only.")
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if incident.data_affected is affected:
            return edit
        moment = at or clock.now()
        if affected:
            not_before_start(incident, moment, "the discovery time")
        previous = incident.data_affected
        incident.data_affected = affected
        incident.data_discovered_at = moment if affected else None
        incident.checklist = {
            key: incident.checklist.get(key, False) for key in ws.config.checklist_for(affected)
        }
        answer = "yes (regulated event; the regulatory clocks start)" if affected else "no"
        was = "" if previous is None else f" (was {'yes' if previous else 'no'})"
        edit.log(f"User data affected: {answer}{was}: {reason}", moment if affected else None)
        edit.describe(
            f"user data affected: {'yes' if affected else 'no'}",
            **{"Data-Affected": "yes" if affected else "no"},
        )
    return edit


def record_notification(
    ws: Workspace,
    reference: str | None,
    name: str,
    *,
    not_required: bool,
    reason: str | None,
    at: datetime | None,
    author: str | None,
    commit: bool,
) -> Edit:
    """Record that a regulatory clock's notification was sent (or is not required, with why).
    When every running clock is recorded, the checklist's notifications item ticks itself."""
    reason = clean_line(reason, "--reason") if reason else None
    if not_required and not reason:
        raise UsageError("say why the notification is not required with --reason T.")
    clocks = ws.config.regulatory.clocks
    wanted = name.strip().lower()
    if wanted not in clocks:
        raise UsageError(
            f"unknown regulatory clock {name!r}; the config has {', '.join(clocks) or 'none'}."
        )
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if incident.data_affected is not True:
            raise UsageError(
                f"incident {incident.id} has no user data affected, so no regulatory clock runs; "
                "record it first with runbook data-affected yes --reason T."
            )
        outcome = regulatory.NOT_REQUIRED if not_required else regulatory.SENT
        if (incident.notifications.get(wanted) or {}).get("outcome") == outcome:
            return edit
        moment = at or clock.now()
        if moment < regulatory.discovered(incident):
            raise UsageError(
                f"the notification time ({clock.format_stored(moment)}) is before the user data "
                f"was found affected ({clock.format_stored(regulatory.discovered(incident))})."
            )
        incident.notifications[wanted] = {"at": clock.format_stored(moment), "outcome": outcome}
        what = clocks[wanted].what
        edit.log(
            f"Regulatory notification ({wanted}): "
            + (f"not required: {reason}" if not_required else f"sent: {what}")
            + (f". {reason}" if reason and not not_required else ""),
            moment,
        )
        trailers = {"Notification": f"{wanted} {outcome}"}
        key = "notifications_done"
        if (
            key in incident.checklist
            and not incident.checklist[key]
            and not regulatory.open_clocks(incident, ws.config)
        ):
            incident.checklist[key] = True
            edit.log(f"Checklist: done: {ws.config.checklist_for(True)[key]}", moment)
            trailers["Checklist"] = f"{key} ticked"
        edit.describe(f"notification {wanted}: {outcome}", **trailers)
    return edit
