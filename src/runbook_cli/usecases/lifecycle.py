"""Use cases of the incident's life: declare, record, acknowledge, assign, re-grade, move, resolve.

Each takes parsed command-line values, applies the runbook's rules, and leaves the file
written and committed through Workspace.change (or Workspace.create for a new incident).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from runbook_cli.domain import clock, deadlines, document, generated, inputs, model, roles
from runbook_cli.domain.config import STATUSES, unknown_choice
from runbook_cli.domain.layout import file_name
from runbook_cli.domain.text import clean_line, clean_name, clean_section, clean_text
from runbook_cli.errors import MalformedFileError, UsageError
from runbook_cli.rendering import templates
from runbook_cli.usecases.workspace import Edit, Workspace, commit_message


@dataclass
class Declared:
    """What `declare` made: the incident, its file, the commit, the services the config does
    not know."""

    incident: model.Incident
    path: str
    commit: str | None
    unknown_services: list[str]


def declare(
    ws: Workspace,
    *,
    title: str,
    severity: str,
    services: list[str],
    summary: str | None = None,
    commander: str | None = None,
    comms_lead: str | None = None,
    started_at: datetime | None = None,
    detected_at: datetime | None = None,
    data_affected: bool | None = None,
    counts: dict[str, int | None] | None = None,
    detection: str | None = None,
    tags: list[str] | None = None,
    related: list[int] | None = None,
    author: str | None = None,
    commit: bool = True,
) -> Declared:
    title = clean_line(title, "the title")
    severity = ws.config.normalize_severity(severity)
    service_list, unknown = inputs.services(services, ws.config)
    commander = clean_name(commander, "--commander") if commander else None
    comms_lead = clean_name(comms_lead, "--comms-lead") if comms_lead else None
    summary = clean_section(summary, "Summary") if summary else None
    numbers = inputs.counts(counts or {})
    method = inputs.detection(detection) if detection else None
    tag_list = inputs.tags(tags or [])
    moment = clock.now()
    detected = detected_at or moment
    started = started_at or detected
    if started > detected:
        raise UsageError(
            "--started-at is after --detected-at; impact cannot start after it was detected."
        )

    with ws.locked():
        me = ws.author(author, commit)
        ws.settle(None, commit)
        new_id = ws.store.next_id()
        incident = model.Incident(
            id=new_id,
            title=title,
            severity=severity,
            started_at=started,
            detected_at=detected,
            services=service_list,
            data_affected=data_affected,
            data_discovered_at=detected if data_affected else None,
            detection=method,
            tags=tag_list,
            related=inputs.related(related or [], new_id, ws.store.paths()),
            **numbers,
            roles_changed_at=moment if (commander or comms_lead) else None,
            checklist={key: False for key in ws.config.checklist_for(data_affected is True)},
        )
        for role, name in (("commander", commander), ("comms_lead", comms_lead)):
            if name:  # the role history starts with the first holders
                roles.hand_over(incident, role, name, incident.roles_changed_at)
        path = ws.incidents_folder() / file_name(incident)
        body = _initial_body(ws, incident, summary)
        note = f"Declared {severity}: {title}. Services: {', '.join(service_list)}."
        if data_affected:
            note += " User data affected (regulated event)."
        elif data_affected is False:
            note += " User data not affected."
        note += "".join(f" {fact}." for fact in facts_said(incident))
        began = [*how_it_began(started, detected, moment, method), (moment, note)]
        body = document.add_entries(body, [document.Entry(at, me, text) for at, text in began])
        doc = document.Document(meta=incident.to_meta(), body=body)
        message = commit_message(
            incident.id,
            f"declare {severity} {title}"[:180],
            {"Severity": severity, "Services": ", ".join(service_list)},
        )
        try:
            made = ws.create(path, doc.render(), message, commit)
        finally:
            if path.exists():  # written, even if not committed: the new incident is the current one
                ws.choose_id(incident.id)
    return Declared(incident, ws.store.relative(path), made, unknown)


def how_it_began(
    started: datetime, detected: datetime, declared: datetime, method: str | None
) -> list[tuple[datetime, str]]:
    """A backdated declare tells the impact start and the detection as timeline entries at
    their own times, before "Declared"; a declare at the moment of detection tells neither."""
    how = f"detected by {method}" if method else "detected"
    if started == detected < declared:
        return [(started, f"Impact started; {how}.")]
    began = [(started, "Impact started.")] if started < detected else []
    if detected < declared:
        began.append((detected, f"{how.capitalize()}."))
    return began


def facts_said(incident: model.Incident) -> list[str]:
    """The optional facts an incident holds, as a timeline entry says them."""
    said = [
        f"{label}: {getattr(incident, name)}"
        for name, label in model.IMPACT_LABELS.items()
        if getattr(incident, name) is not None
    ]
    if incident.detection:
        said.append(f"Detected by: {incident.detection}")
    if incident.tags:
        said.append(f"Tags: {', '.join(incident.tags)}")
    if incident.related:
        said.append(f"Related incidents: {', '.join(map(str, incident.related))}")
    return said


def _initial_body(ws: Workspace, incident: model.Incident, summary: str | None) -> str:
    facts_begin, facts_end = document.block_markers(generated.FACTS)
    actions_begin, actions_end = document.block_markers(generated.ACTIONS)
    view = {**incident.to_meta(), "summary": summary or ""}
    body = templates.render(
        ws.root,
        "incident.md.j2",
        incident=view,
        title_line=generated.title_line(incident),
        links=[link for service in incident.services for link in ws.config.service(service).links],
        facts=generated.facts(incident),
        facts_begin=facts_begin,
        facts_end=facts_end,
        actions=generated.actions(incident),
        actions_begin=actions_begin,
        actions_end=actions_end,
        now=clock.format_stored(clock.now()),
    )
    missing = [
        name for name in ("Summary", "Timeline") if document.find_section(body, name) is None
    ]
    if missing:
        raise MalformedFileError(
            f"the incident.md.j2 template has no '## {missing[0]}' section; add it to the template."
        )
    return generated.regenerate(body, incident)


def add_entry(
    ws: Workspace,
    reference: str | None,
    text: str,
    *,
    at: datetime | None,
    author: str | None,
    commit: bool,
) -> Edit:
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise UsageError(
            "the timeline entry is empty; give the text as an argument or on standard input."
        )
    with ws.change(reference, commit=commit, author=author) as edit:
        moment = at or clock.now()
        _not_long_before_start(edit.incident, moment)
        edit.log(cleaned, moment)
        first_line = cleaned.split("\n", 1)[0]
        edit.describe(
            f"timeline: {first_line[:60]}{'…' if len(first_line) > 60 else ''}",
            Timeline="entry added",
        )
    return edit


def _tell_pagerduty(ws: Workspace, edit: Edit, action: str, enabled: bool) -> None:
    """Once an incident was paged, PagerDuty hears of its ack and resolve. The local fact is
    recorded whatever PagerDuty does: what it could not be told stays owed (see pagerduty)."""
    if not enabled or not edit.incident.integrations.get("pagerduty"):
        return
    # HTTP machinery (~8 ms) for paged incidents only: this module is on `timeline add`'s path
    from runbook_cli.usecases import pagerduty

    pagerduty.tell(ws, edit, action)


def _deliver_owed(ws: Workspace, edit: Edit, enabled: bool) -> None:
    """A repeated ack or resolve changes nothing here but still delivers what PagerDuty is owed."""
    if not enabled or not edit.incident.integrations.get("pagerduty", {}).get("pending"):
        return
    from runbook_cli.usecases import pagerduty  # as above

    pagerduty.deliver(ws, edit, [])
    if not edit.subject:
        edit.describe("delivered what was owed to PagerDuty", PagerDuty="retried")


def acknowledge(
    ws: Workspace,
    reference: str | None,
    *,
    at: datetime | None,
    author: str | None,
    commit: bool,
    pagerduty: bool = True,
) -> Edit:
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if incident.acknowledged_at:
            _deliver_owed(ws, edit, pagerduty)
            return edit
        moment = at or clock.now()
        inputs.not_before(
            incident.detected_at or incident.started_at, moment, "the acknowledgement", "detection"
        )
        incident.acknowledged_at = moment
        incident.acknowledged_by = edit.author
        minutes = clock.minutes_between(incident.detected_at or incident.started_at, moment)
        late = minutes > ws.config.ack_target_minutes
        edit.log(
            f"Acknowledged by {edit.author}, {minutes:.0f} min after detection"
            + (f" (target {ws.config.ack_target_minutes} min)." if late else "."),
            moment,
        )
        edit.describe("acknowledge", Acknowledged=f"{edit.author} at {clock.format_stored(moment)}")
        _tell_pagerduty(ws, edit, "acknowledge", pagerduty)
    return edit


def change_severity(
    ws: Workspace,
    reference: str | None,
    severity: str,
    *,
    reason: str | None,
    author: str | None,
    commit: bool,
) -> tuple[Edit, str]:
    severity = ws.config.normalize_severity(severity)
    reason = clean_line(reason, "--reason") if reason else None
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        old = incident.severity
        if old == severity:
            return edit, old
        incident.severity = severity
        incident.severity_changed_at = clock.now()
        incident.postmortem_due = deadlines.postmortem_due(incident, ws.config)
        edit.log(f"Severity {old} → {severity}" + (f": {reason}" if reason else "."))
        edit.describe(f"severity {old} -> {severity}", Severity=f"{old} -> {severity}")
    return edit, old


def change_status(
    ws: Workspace,
    reference: str | None,
    status: str,
    *,
    at: datetime | None,
    author: str | None,
    commit: bool,
) -> tuple[Edit, str]:
    status = status.strip().lower()
    if status not in STATUSES:
        raise unknown_choice("status", status, list(STATUSES[:4]))
    if status == "closed":
        raise UsageError(
            "close an incident with runbook close, which checks the report is complete first."
        )
    if status == "cancelled":
        raise UsageError("call off a false alarm with runbook cancel --reason TEXT.")
    if status == "resolved":
        return resolve(
            ws, reference, at=at, root_cause=None, risks=None, author=author, commit=commit
        ), "resolved"
    with ws.change(reference, commit=commit, author=author) as edit:
        old = _move(edit, status, at)
    return edit, old


def _move(edit: Edit, status: str, at: datetime | None) -> str:
    """Set the status and its timestamp; going back (a regression) clears the later stages."""
    incident = edit.incident
    old = incident.status
    if old == status:
        return old
    moment = at or clock.now()
    inputs.not_before_start(incident, moment, f"the {status} time")
    _clear_after(incident, status)
    if status in model.STATUS_TIMESTAMP:
        setattr(incident, model.STATUS_TIMESTAMP[status], moment)
    incident.status = status
    regressed = STATUSES.index(status) < STATUSES.index(old)
    edit.log(f"Status {old} → {status}" + (" (reopened)." if regressed else "."), moment)
    edit.describe(f"status {old} -> {status}", Status=f"{old} -> {status}")
    return old


def _clear_after(incident: model.Incident, status: str) -> None:
    """Going back to `status` clears the timestamps of the stages after it."""
    rank = STATUSES.index(status)
    for later in STATUSES[rank + 1 :]:
        if later in model.STATUS_TIMESTAMP:
            setattr(incident, model.STATUS_TIMESTAMP[later], None)
    if rank < STATUSES.index("resolved"):
        incident.postmortem_due = None


def reopen(
    ws: Workspace,
    reference: str | None,
    *,
    reason: str | None,
    status: str | None = None,
    author: str | None,
    commit: bool,
) -> Edit:
    """The only change a closed incident (a cancelled one, a duplicate) takes: back to the stage
    it had reached (default), to resolved (the report needs more work) or to an active status
    (the problem is back), with the reason in the timeline. A duplicate stops being one."""
    if not reason or not reason.strip():
        raise UsageError("reopening needs --reason saying why (it goes into the timeline).")
    reason = clean_line(reason, "--reason")
    target = status.strip().lower() if status else None
    if target is not None and target not in STATUSES[:4]:
        raise UsageError(
            f"cannot reopen to {status!r}; use one of {', '.join(STATUSES[:4])} "
            "(default: the stage it had reached)."
        )
    with ws.change(reference, commit=commit, author=author, after_close=True) as edit:
        incident = edit.incident
        if not incident.is_closed:
            raise UsageError(
                f"incident {incident.id} is not closed (it is {incident.status}); "
                "only a closed, cancelled or duplicate incident is reopened."
            )
        target = target or reached(incident)
        old, said = incident.status, model.status_label(incident.status, incident.duplicate_of)
        _clear_after(incident, target)
        incident.close_reason = None
        incident.duplicate_of = None
        incident.status = target
        edit.log(f"Reopened ({said} → {target}): {reason}")
        edit.describe(f"reopen, {old} -> {target}", Status=f"{old} -> {target}", Reopen=reason)
    if edit.written:
        ws.choose_id(incident.id)
    return edit


def reached(incident: model.Incident) -> str:
    """The last stage before closing whose time is recorded: where reopening goes back to."""
    for status in ("resolved", "mitigated", "identified"):
        if getattr(incident, model.STATUS_TIMESTAMP[status]):
            return status
    return "investigating"


def cancel(
    ws: Workspace,
    reference: str | None,
    *,
    reason: str | None,
    author: str | None,
    commit: bool,
    pagerduty: bool = True,
) -> Edit:
    """A false alarm: status cancelled, with the reason. It owes no report or post-mortem and
    is left out of MTTA/MTTR; like a closed incident, only reopening changes it."""
    if not reason or not reason.strip():
        raise UsageError(
            "cancelling needs --reason saying why it is a false alarm (it goes into the timeline)."
        )
    reason = clean_line(reason, "--reason")
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        old = _end(incident, "cancelled")
        incident.close_reason = reason
        edit.log(f"Cancelled as a false alarm (was {old}): {reason}", incident.closed_at)
        edit.describe("cancel (false alarm)", Status=f"{old} -> cancelled", Cancel=reason)
        _tell_pagerduty(ws, edit, "resolve", pagerduty)
    if edit.written:
        ws.forget_choice(incident.id)
    return edit


def mark_duplicate(
    ws: Workspace,
    reference: str | None,
    original: int,
    *,
    author: str | None,
    commit: bool,
    pagerduty: bool = True,
) -> Edit:
    """Close the incident as a duplicate of `original`, which carries the report; like a
    closed incident, only reopening changes it."""
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if original == incident.id:
            raise UsageError(f"incident {incident.id} cannot be a duplicate of itself.")
        found = ws.store.paths().get(original)
        if not found:
            raise UsageError(
                f"there is no incident {original}; name the incident this one repeats."
            )
        target = ws.store.read(ws.store.resolve(str(original))).incident
        if target.duplicate_of is not None:
            raise UsageError(
                f"incident {original} is itself a duplicate of incident {target.duplicate_of}; "
                f"runbook duplicate-of {target.duplicate_of}."
            )
        old = _end(incident, "closed")
        incident.duplicate_of = original
        edit.log(
            f"Closed as a duplicate of incident {original} ({target.title}); was {old}.",
            incident.closed_at,
        )
        edit.describe(
            f"duplicate of incident {original}",
            Status=f"{old} -> closed",
            **{"Duplicate-Of": str(original)},
        )
        _tell_pagerduty(ws, edit, "resolve", pagerduty)
    if edit.written:
        ws.forget_choice(incident.id)
    return edit


def _end(incident: model.Incident, status: str) -> str:
    """Close without resolving (cancelled, duplicate): the status, closed now, no post-mortem
    owed. Returns the status it had."""
    old = incident.status
    incident.status, incident.closed_at = status, clock.now()
    incident.postmortem_due = None
    return old


def resolve(
    ws: Workspace,
    reference: str | None,
    *,
    at: datetime | None,
    root_cause: str | None,
    risks: str | None,
    author: str | None,
    commit: bool,
    pagerduty: bool = True,
) -> Edit:
    root_cause = clean_text(root_cause) if root_cause else None
    risks = clean_text(risks) if risks else None
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        moved = incident.status != "resolved"
        if moved:
            _move(edit, "resolved", at)
        incident.postmortem_due = deadlines.postmortem_due(incident, ws.config)
        notes = []
        if root_cause and root_cause != incident.root_cause_hypothesis:
            incident.root_cause_hypothesis = root_cause
            notes.append(f"Root-cause hypothesis: {root_cause}")
        if risks and risks != incident.remaining_risks:
            incident.remaining_risks = risks
            notes.append(f"Remaining risks: {risks}")
        if notes:
            edit.log(
                "\n".join(notes), incident.resolved_at if not edit.entries else edit.entries[-1].at
            )
        duration = (
            clock.format_duration(incident.started_at, incident.resolved_at)
            if incident.resolved_at
            else "?"
        )
        edit.describe(
            f"resolve after {duration}",
            Status=edit.trailers.get("Status", "resolved"),
            Duration=duration,
        )
        if moved:
            _tell_pagerduty(ws, edit, "resolve", pagerduty)
        else:
            _deliver_owed(ws, edit, pagerduty)
    return edit


def _not_long_before_start(incident: model.Incident, moment: datetime) -> None:
    """A timeline entry may tell what came before the impact (the deploy that caused it),
    up to model.BEFORE_IMPACT_LIMIT before it; older is taken for a typo."""
    if moment < incident.started_at - model.BEFORE_IMPACT_LIMIT:
        raise UsageError(
            f"the entry ({clock.format_stored(moment)}) is more than "
            f"{model.BEFORE_IMPACT_LIMIT.days} days before the incident started "
            f"({clock.format_stored(incident.started_at)}); check the time you gave."
        )
