"""Read-side use cases: one incident's view, and filtered lists of them."""

from __future__ import annotations

from datetime import datetime

from runbook_cli import clock, views
from runbook_cli.config import STATUSES
from runbook_cli.errors import UsageError
from runbook_cli.lifecycle import normalize_severity
from runbook_cli.workspace import Workspace


def show(ws: Workspace, reference: str | None) -> dict:
    loaded = ws.load(reference)
    return views.incident_json(loaded, ws.store.relative(loaded.path))


def list_views(
    ws: Workspace,
    *,
    status: str | None = None,
    severity: str | None = None,
    service: str | None = None,
    since: str | None = None,
    open_only: bool = False,
) -> list[dict]:
    if status and status not in STATUSES:
        raise UsageError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}.")
    wanted_severity = normalize_severity(severity, ws.config) if severity else None
    since_time = _since(since) if since else None
    result = []
    for loaded in ws.store.scan():
        incident = loaded.incident
        if status and incident.status != status:
            continue
        if wanted_severity and incident.severity != wanted_severity:
            continue
        if service and service not in incident.services:
            continue
        if open_only and not incident.is_open:
            continue
        if since_time and incident.started_at < since_time:
            continue
        result.append(views.incident_json(loaded, ws.store.relative(loaded.path), with_timeline=False))
    result.sort(key=lambda view: (view["started_at"], view["id"]), reverse=True)
    return result


def _since(text: str) -> datetime:
    if len(text.strip()) == 10:
        day = clock.parse_date(text)
        return datetime(day.year, day.month, day.day, tzinfo=clock.UTC)
    return clock.parse_time(text)
