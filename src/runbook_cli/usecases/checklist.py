"""The post-incident checklist: ticks by hand (refused while the item's fact is missing, unless
forced with a reason) and the ticks the tool makes itself when it does the thing."""

from __future__ import annotations

from datetime import datetime

from runbook_cli import files
from runbook_cli.domain import checklist, metrics
from runbook_cli.domain.layout import METRICS_PATH
from runbook_cli.domain.model import Incident
from runbook_cli.domain.text import clean_line
from runbook_cli.errors import UsageError
from runbook_cli.usecases.workspace import Edit, Workspace


def metrics_written_at(ws: Workspace) -> datetime | None:
    """When docs/runbooks/metrics.md was last generated (its stamp), None if never."""
    try:
        text = files.read_regular(ws.root / METRICS_PATH).decode("utf-8", "replace")
    except OSError:
        return None
    return metrics.written_at(text)


def gaps(ws: Workspace, incident: Incident, body: str) -> dict[str, str]:
    """For each item not done yet whose fact is missing: what is missing."""
    undone = [key for key, done in incident.checklist.items() if not done]
    written = metrics_written_at(ws) if "metrics_updated" in undone else None
    found = {
        key: checklist.missing(key, incident, body, ws.config, metrics_written_at=written)
        for key in undone
    }
    return {key: gap for key, gap in found.items() if gap}


def _key(ws: Workspace, key: str) -> str:
    wanted = key.strip().replace("-", "_").lower()
    if wanted not in ws.config.checklist_for(True):
        listed = ", ".join(ws.config.checklist)
        raise UsageError(f"unknown checklist item {key!r}; valid keys: {listed}.")
    return wanted


def set_item(
    ws: Workspace,
    reference: str | None,
    key: str,
    done: bool,
    *,
    force: bool = False,
    reason: str | None = None,
    author: str | None,
    commit: bool,
) -> Edit:
    """Tick or untick one item. A tick whose fact is missing is refused, saying what is missing;
    `force` with a `reason` ticks it anyway, the reason in the timeline and the commit."""
    key = _key(ws, key)
    if force and not reason:
        raise UsageError("ticking with --force needs --reason saying why the item counts as done.")
    reason = clean_line(reason, "--reason") if reason else None
    written = metrics_written_at(ws) if done and key == "metrics_updated" else None
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        if key not in incident.checklist:
            raise UsageError(
                f"incident {incident.id} has no checklist item {key}: it is for incidents "
                "with user data affected (runbook data-affected yes --reason T)."
            )
        if incident.checklist[key] == done:
            return edit
        gap = (
            checklist.missing(key, incident, edit.body, ws.config, metrics_written_at=written)
            if done
            else None
        )
        if gap and not force:
            raise UsageError(
                f"cannot tick {key}: {gap}; tick it anyway with --force --reason TEXT."
            )
        incident.checklist[key] = done
        text = ws.config.checklist_for(True)[key]
        trailers = {"Checklist": f"{key} {'ticked' if done else 'unticked'}"}
        if gap:
            edit.log(f"Checklist: done: {text} Ticked with --force although {gap}: {reason}")
            trailers["Forced"] = reason
        else:
            edit.log(f"Checklist: {'done' if done else 'not done'}: {text}")
        edit.describe(f"checklist {'tick' if done else 'untick'} {key}", **trailers)
    return edit


def tick_done(
    ws: Workspace,
    edit: Edit,
    key: str,
    by: str,
    *,
    at: datetime | None = None,
    metrics_written_at: datetime | None = None,
) -> bool:
    """Inside a change that did the thing item `key` asks for: tick it (a timeline entry and a
    commit trailer in the same commit) when the incident has it, it is not done yet and its
    fact now holds. True if ticked."""
    incident = edit.incident
    if incident.checklist.get(key, True):
        return False
    gap = checklist.missing(
        key, incident, edit.body, ws.config, metrics_written_at=metrics_written_at
    )
    if gap:
        return False
    incident.checklist[key] = True
    edit.log(f"Checklist: done: {ws.config.checklist_for(True)[key]} ({by})", at)
    edit.trailers["Checklist"] = f"{key} ticked"
    return True
