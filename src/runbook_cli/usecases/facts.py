"""Facts about an incident after it is declared: whether user data is affected, the regulatory
notifications sent, and (runbook set) its title, summary, services, impact numbers, detection
method, tags and related incidents. Each change is a timeline entry and one commit."""

from __future__ import annotations

from datetime import datetime

from runbook_cli.domain import clock, document, inputs, model, regulatory
from runbook_cli.domain.text import clean_line, clean_section
from runbook_cli.errors import MalformedFileError, UsageError
from runbook_cli.usecases import checklist
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
            inputs.not_before_start(incident, moment, "the discovery time")
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
        edit.describe(f"notification {wanted}: {outcome}", Notification=f"{wanted} {outcome}")
        checklist.tick_done(ws, edit, "notifications_done", "every clock recorded", at=moment)
    return edit


def set_title(
    ws: Workspace, reference: str | None, title: str, *, author: str | None, commit: bool
) -> Edit:
    title = clean_line(title, "the title")
    with ws.change(reference, commit=commit, author=author) as edit:
        old = edit.incident.title
        if old != title:
            edit.incident.title = title
            edit.log(f"Title: {title} (was: {old})")
            edit.describe(f"title: {title}"[:120], Title=title)
    return edit


def set_summary(
    ws: Workspace, reference: str | None, text: str, *, author: str | None, commit: bool
) -> Edit:
    """The Summary section, replaced; the timeline says it changed and gives its first line."""
    content = clean_section(text, "Summary")
    if not content.strip():
        raise UsageError("the summary is empty; give it as an argument or on standard input.")
    with ws.change(reference, commit=commit, author=author) as edit:
        old = document.visible_text(document.section_text(edit.body, "Summary") or "")
        if old.strip() == content.strip():
            return edit
        try:
            edit.body = document.replace_section(edit.body, "Summary", content)
        except document.DocumentError as error:
            raise MalformedFileError(
                f"{edit.path}: {error}; add the heading by hand (runbook edit)."
            ) from None
        first = content.split("\n", 1)[0]
        edit.log(f"Summary updated: {first[:100]}{'…' if len(first) > 100 else ''}")
        edit.describe("summary updated", Section="Summary")
    return edit


def set_services(
    ws: Workspace, reference: str | None, names: list[str], *, author: str | None, commit: bool
) -> tuple[Edit, list[str]]:
    services, unknown = inputs.services(names, ws.config)
    with ws.change(reference, commit=commit, author=author) as edit:
        old = edit.incident.services
        if old != services:
            edit.incident.services = services
            edit.log(f"Services: {', '.join(services)} (was {', '.join(old)})")
            edit.describe(f"services: {', '.join(services)}"[:120], Services=", ".join(services))
    return edit, unknown


def set_impact(
    ws: Workspace,
    reference: str | None,
    counts: dict[str, int | None],
    *,
    author: str | None,
    commit: bool,
) -> Edit:
    numbers = inputs.counts(counts)
    if not numbers:
        raise UsageError(
            "give at least one number: --patients N, --appointments-failed N, "
            "--appointments-missed N."
        )
    with ws.change(reference, commit=commit, author=author) as edit:
        said = []
        for name, value in numbers.items():
            old = getattr(edit.incident, name)
            if old != value:
                setattr(edit.incident, name, value)
                label = model.IMPACT_LABELS[name]
                said.append(f"{label}: {value}" + (f" (was {old})" if old is not None else ""))
        if said:
            edit.log("Impact: " + "; ".join(said) + ".")
            edit.describe("impact: " + "; ".join(said)[:100], Impact="; ".join(said))
    return edit


def set_detection(
    ws: Workspace, reference: str | None, method: str, *, author: str | None, commit: bool
) -> Edit:
    method = inputs.detection(method)
    with ws.change(reference, commit=commit, author=author) as edit:
        if edit.incident.detection != method:
            old = edit.incident.detection
            edit.incident.detection = method
            edit.log(f"Detected by: {method}" + (f" (was {old})." if old else "."))
            edit.describe(f"detected by {method}", Detection=method)
    return edit


def set_tags(
    ws: Workspace, reference: str | None, tags: list[str], *, author: str | None, commit: bool
) -> Edit:
    wanted = inputs.tags(tags)
    with ws.change(reference, commit=commit, author=author) as edit:
        if edit.incident.tags != wanted:
            edit.incident.tags = wanted
            edit.log(f"Tags: {', '.join(wanted) or 'none'}.")
            edit.describe(f"tags: {', '.join(wanted) or 'none'}"[:120], Tags=", ".join(wanted))
    return edit


def set_related(
    ws: Workspace, reference: str | None, ids: list[int], *, author: str | None, commit: bool
) -> Edit:
    with ws.change(reference, commit=commit, author=author) as edit:
        wanted = inputs.related(ids, edit.incident.id, ws.store.paths())
        if edit.incident.related != wanted:
            edit.incident.related = wanted
            listed = ", ".join(map(str, wanted)) or "none"
            edit.log(f"Related incidents: {listed}.")
            edit.describe(f"related: {listed}"[:120], Related=listed)
    return edit
