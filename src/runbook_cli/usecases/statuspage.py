"""Atlassian Statuspage: the public incident, created once and updated when something changed.

Stored in the front matter (integrations.statuspage): the public incident's id and shortlink,
a fingerprint of what was last published (publishing the same state again sends nothing), the
symptom given, and while a create is unconfirmed the attempt's marker and time."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass

from runbook_cli.adapters import outbound
from runbook_cli.domain import clock, vendor
from runbook_cli.domain.model import Incident, Loaded
from runbook_cli.rendering import messages
from runbook_cli.usecases import checklist
from runbook_cli.usecases.integrations import Call, Settings, create_once, path_id
from runbook_cli.usecases.workspace import Edit, Workspace

STATUSPAGE_URL = "https://api.statuspage.io"
SYSTEM = "statuspage"


@dataclass
class Published:
    call: Call
    edit: Edit | None  # None: a dry run, or nothing changed since the last publish
    unchanged: bool = False


def incident_fields(ws: Workspace, loaded: Loaded, symptom: str | None) -> dict:
    """incident[...] as Statuspage documents it: name (255 at most), status, body (the
    status-page template), impact_override and the components' status from the severity."""
    incident = loaded.incident
    status = vendor.STATUSPAGE_STATUS[incident.status]
    configured = ws.config.integrations.statuspage
    ids = [configured.components[s] for s in incident.services if s in configured.components]
    body = messages.message(
        loaded,
        "status-page",
        root=ws.root,
        config=ws.config,
        path=ws.store.relative(loaded.path),
        symptom=symptom,
    ).text.strip()
    fields = {
        "name": vendor.fit(incident.title, vendor.STATUSPAGE_NAME_MAX),
        "status": status,
        "body": vendor.fit(body, vendor.STATUSPAGE_BODY_MAX),
        "component_ids": ids,
    }
    if ids:
        state = (
            "operational"
            if status == "resolved"
            else configured.component_status_for(incident.severity)
        )
        fields["components"] = {component: state for component in ids}
    fields["impact_override"] = configured.impact_for(incident.severity)
    return fields


def fingerprint(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:16]


def publish(
    ws: Workspace,
    reference: str | None,
    *,
    symptom: str | None,
    dry_run: bool,
    author: str | None,
    commit: bool,
) -> Published:
    settings = Settings(ws, dry_run=dry_run)
    key = settings.secret("RUNBOOK_STATUSPAGE_API_KEY", "the Statuspage API key")
    page_id = settings.setting(
        ws.config.integrations.statuspage.page_id,
        "integrations.statuspage.page_id",
        "RUNBOOK_STATUSPAGE_PAGE_ID",
        "the Statuspage page id",
    )
    loaded = ws.load(reference)
    incident = loaded.incident
    state = dict(incident.integrations.get(SYSTEM, {}))
    symptom = symptom or state.get("symptom")
    fields = incident_fields(ws, loaded, symptom)
    page_id = path_id(page_id, "the Statuspage page id")
    base = f"{settings.url('RUNBOOK_STATUSPAGE_URL', STATUSPAGE_URL)}/v1/pages/{page_id}/incidents"
    existing = state.get("incident_id")
    if existing:
        existing = path_id(existing, "the Statuspage incident id in the incident file")
    marker = state.get("attempt") or uuid.uuid4().hex
    headers = {"Authorization": f"OAuth {key}"}
    if existing:
        call = Call("Statuspage", "PATCH", f"{base}/{existing}", {"incident": fields}, headers)
    else:
        payload = {"incident": {**fields, "metadata": {"runbook": {"marker": marker}}}}
        call = Call("Statuspage", "POST", base, payload, headers, idempotent=False)
    call.secrets = (key,)
    if dry_run:
        return Published(call, None)
    printed = fingerprint(fields)
    if state.get("published") == printed:
        return Published(call, None, unchanged=True)
    ws.screen_outgoing(call.text(), "Statuspage", "the incident and --symptom")
    if existing:
        answer = _with_id(call.send())
    else:
        answer = _create(
            ws, incident, call, base, marker, state, printed, commit=commit, author=author
        )
        if answer.pop("_found_for", printed) != printed:
            # An earlier run's create, found now, showed an older state: bring it up to date.
            answer = _with_id(
                Call(
                    "Statuspage",
                    "PATCH",
                    f"{base}/{path_id(answer['id'], 'the Statuspage incident id')}",
                    {"incident": fields},
                    call.headers,
                    call.secrets,
                ).send()
            )
    with ws.change(str(incident.id), commit=commit, author=author) as edit:
        mine = edit.incident
        page_incident = answer["id"]
        mine.integrations[SYSTEM] = {
            "incident_id": page_incident,
            **({"shortlink": answer["shortlink"]} if answer.get("shortlink") else {}),
            "published": printed,
            **({"symptom": symptom} if symptom else {}),
        }
        mine.last_status_page_update_at = clock.now()
        status = fields["status"]
        edit.log(
            f"Status page {'updated' if existing else 'incident created'} ({status}): "
            f"Statuspage incident {page_incident}."
        )
        edit.describe(f"status page {status}", Statuspage=str(page_incident))
        if status == "resolved":
            checklist.tick_done(ws, edit, "status_page_resolved", "runbook statuspage publish")
    return Published(call, edit)


def _with_id(answer: dict, *, created: bool = False) -> dict:
    """A reply without the incident's id is a failure, never a success recorded as null."""
    if not answer.get("id"):
        raise outbound.Failure(
            "Statuspage", "Statuspage answered without an incident id", uncertain=created
        )
    return answer


def _after(created: object, since: str) -> bool:
    try:
        return clock.parse_stored(str(created)) >= clock.parse_stored(since)
    except ValueError:
        return False


def _create(
    ws: Workspace,
    incident: Incident,
    call: Call,
    base: str,
    marker: str,
    state: dict,
    printed: str,
    *,
    commit: bool,
    author: str | None,
) -> dict:
    """POST at most once: the attempt's marker (also sent as the incident's metadata) and time
    are stored before the call; after an unknown outcome, or on the next run, the incident is
    looked for (same name, and our marker or created since the attempt) before creating."""
    attempted_before = bool(state.get("attempt"))
    since = state.get("attempted_at") or clock.format_stored(clock.now())
    name = call.payload["incident"]["name"]
    if not attempted_before:
        with ws.change(str(incident.id), commit=False) as edit:
            edit.incident.integrations.setdefault(SYSTEM, {}).update(
                attempt=marker, attempted_at=since, attempt_published=printed
            )

    def find() -> dict | None:
        listing = outbound.request(
            "GET",
            base,
            "Statuspage",
            params={"q": name, "limit": 100},
            headers=call.headers,
            secrets=call.secrets,
        )
        for found in listing.get("value") or []:
            if not isinstance(found, dict) or found.get("name") != name:
                continue
            theirs = ((found.get("metadata") or {}).get("runbook") or {}).get("marker")
            if theirs == marker or (not theirs and _after(found.get("created_at"), since)):
                # What that attempt published, to update it when the incident changed since.
                return {**_with_id(found), "_found_for": state.get("attempt_published", printed)}
        return None

    try:
        return create_once(
            lambda: _with_id(call.send(), created=True),
            find,
            attempted_before=attempted_before,
        )
    except outbound.Failure as failure:
        if not failure.uncertain:
            with ws.change(str(incident.id), commit=False) as edit:
                for field in ("attempt", "attempted_at", "attempt_published"):
                    edit.incident.integrations.get(SYSTEM, {}).pop(field, None)
                if not edit.incident.integrations.get(SYSTEM):
                    edit.incident.integrations.pop(SYSTEM, None)
            raise
        with ws.change(str(incident.id), commit=commit, author=author) as edit:
            edit.log(
                f"Statuspage may have created the public incident ({failure.reason}); the "
                "attempt is recorded, and the next publish looks for it before creating another."
            )
            edit.describe("status page publish attempted", Statuspage="unconfirmed")
        raise failure.saying(
            "the attempt is recorded: runbook statuspage publish looks for the incident "
            "before creating another, so run it again"
        ) from None
