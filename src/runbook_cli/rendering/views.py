"""The incident as readers see it: the JSON object of `show --json` (DESIGN.md's contract)."""

from __future__ import annotations

from runbook_cli.domain import document, regulatory, rules
from runbook_cli.domain.clock import format_stored
from runbook_cli.domain.config import REPORT_SECTIONS, Config
from runbook_cli.domain.model import IMPACT_FIELDS, TIMESTAMP_FIELDS, Incident, Loaded


def incident_json(
    loaded: Loaded, relative_path: str, config: Config | None = None, *, with_timeline: bool = True
) -> dict:
    """`show --json`: the summary view plus the timeline, the report's sections and, given the
    config, the required sections still without text."""
    body = loaded.doc.body
    summary = document.visible_text(document.section_text(body, "Summary") or "")
    view = summary_json(loaded.incident, relative_path, summary)
    if with_timeline:
        entries, _ = document.timeline(loaded.doc)
        view["timeline"] = [
            {**entry.to_json(), "before_impact": loaded.incident.before_impact(entry.at)}
            for entry in entries
        ]
    view["report"] = {
        name: document.visible_text(document.section_text(body, name) or "")
        for name in REPORT_SECTIONS
        if name != "Timeline"
    }
    if config is not None:
        incident = loaded.incident
        view["missing_sections"] = [
            name for name, _ in rules.missing_sections(incident, body, config)
        ]
        view["data_question"] = (
            "unanswered"
            if regulatory.unanswered(incident, config)
            else None
            if incident.data_affected is None
            else "yes"
            if incident.data_affected
            else "no"
        )
        view["clocks"] = [c.to_json() for c in regulatory.clocks(incident, config)]
    return view


def summary_json(incident: Incident, relative_path: str, summary: str) -> dict:
    """`list --json`: every key of `show --json` but the timeline."""
    result: dict = {
        "id": incident.id,
        "path": relative_path,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "services": list(incident.services),
        "commander": incident.commander,
        "comms_lead": incident.comms_lead,
        "data_affected": bool(incident.data_affected),
        "data_affected_answered": incident.data_affected is not None,
        "summary": summary,
    }
    for key in TIMESTAMP_FIELDS:
        value = getattr(incident, key)
        result[key] = format_stored(value) if value else None
    result["acknowledged_by"] = incident.acknowledged_by
    result["root_cause_hypothesis"] = incident.root_cause_hypothesis
    result["remaining_risks"] = incident.remaining_risks
    result["close_reason"] = incident.close_reason
    result["escalated"] = {role: format_stored(at) for role, at in incident.escalated.items()}
    result["integrations"] = incident.integrations
    for key in IMPACT_FIELDS:
        result[key] = getattr(incident, key)
    result["detection"] = incident.detection
    result["tags"] = list(incident.tags)
    result["related"] = list(incident.related)
    result["duplicate_of"] = incident.duplicate_of
    result["roles"] = dict(incident.roles)
    result["responders"] = list(incident.responders)
    result["role_history"] = [dict(held) for held in incident.role_history]
    result["notifications"] = {k: dict(v) for k, v in incident.notifications.items()}
    result["checklist"] = dict(incident.checklist)
    result["action_items"] = [item.to_meta() for item in incident.action_items]
    result["postmortem"] = {
        "due": format_stored(incident.postmortem_due) if incident.postmortem_due else None,
        "scheduled_at": format_stored(incident.postmortem_scheduled_at)
        if incident.postmortem_scheduled_at
        else None,
        "attendees": list(incident.postmortem_attendees),
    }
    return result
