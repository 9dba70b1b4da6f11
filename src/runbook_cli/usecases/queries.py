"""Read-side use cases: one incident's view, and filtered selections of incidents.

The metrics modules (statistics, decimal, fractions: ~4 ms) are imported inside the functions
that compute or write metrics: `list` and `show` load this module and never need them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from runbook_cli.adapters.store import Summary
from runbook_cli.domain import clock
from runbook_cli.domain.config import STATUSES, unknown_choice
from runbook_cli.domain.layout import METRICS_PATH
from runbook_cli.domain.model import Incident
from runbook_cli.rendering import views
from runbook_cli.usecases.workspace import Workspace, commit_message_for


def show(ws: Workspace, reference: str | None) -> dict:
    loaded = ws.load(reference)
    return views.incident_json(loaded, ws.store.relative(loaded.path), ws.config)


def select(
    ws: Workspace,
    *,
    status: str | None = None,
    severity: str | None = None,
    service: str | None = None,
    since: str | None = None,
    until: str | None = None,
    grep: str | None = None,
    open_only: bool = False,
    progress: Callable[[int], None] = lambda _: None,
) -> list[Summary]:
    """Incidents matching every filter given; dates filter on the start time, inclusively."""
    if status and status not in STATUSES:
        raise unknown_choice("status", status, list(STATUSES))
    wanted_severity = ws.config.normalize_severity(severity) if severity else None
    start = _bound(since, end=False) if since else None
    stop = _bound(until, end=True) if until else None
    needle = grep.casefold() if grep else None
    chosen = []
    for each in ws.store.summaries(progress):
        incident = each.incident
        if status and incident.status != status:
            continue
        if wanted_severity and incident.severity != wanted_severity:
            continue
        if service and service not in incident.services:
            continue
        if open_only and not incident.is_open:
            continue
        if start and incident.started_at < start:
            continue
        if stop and incident.started_at >= stop:
            continue
        if needle and not _mentions(each, needle):
            continue
        chosen.append(each)
    return chosen


def list_views(ws: Workspace, **filters) -> list[dict]:
    result = [
        views.summary_json(each.incident, ws.store.relative(each.path), each.summary)
        for each in select(ws, **filters)
    ]
    result.sort(key=lambda view: (view["started_at"], view["id"]), reverse=True)
    return result


def _mentions(each: Summary, needle: str) -> bool:
    """Title, summary, timeline and every section: the whole file but the front matter."""
    if needle in each.incident.title.casefold():
        return True
    try:
        text = each.path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    body = text.split("\n---\n", 1)[-1]
    return needle in body.casefold()


def _bound(text: str, *, end: bool) -> datetime:
    """A date (YYYY-MM-DD: the whole day counts) or a time."""
    if len(text.strip()) == 10:
        day = clock.parse_date(text)
        start = datetime(day.year, day.month, day.day, tzinfo=clock.UTC)
        return start + timedelta(days=1) if end else start
    return clock.parse_time(text, allow_future=True)


def metrics(ws: Workspace, **filters) -> tuple[dict, list]:
    from runbook_cli.domain import metrics as measures  # see the module docstring

    chosen = [each.incident for each in select(ws, **filters)]
    return measures.compute(chosen, ws.config), chosen


@dataclass
class MetricsWritten:
    outcome: str | None  # the commit id, "written" (not committed), or None: nothing changed
    ticked: list[int]  # incidents whose metrics_updated item this write ticked


def write_metrics(
    ws: Workspace, result: dict, covered: list[Incident], *, commit: bool
) -> MetricsWritten:
    """Write docs/runbooks/metrics.md and tick metrics_updated on the resolved incidents it
    covers (not closed ones: closed is closed), all in one commit."""
    # see the module docstring
    from runbook_cli.domain import metrics as measures
    from runbook_cli.usecases import checklist

    path = ws.root / METRICS_PATH
    due = [i.id for i in covered if i.status == "resolved" and not i.checklist.get(KEY, True)]
    with ws.locked():
        if commit:
            ws.git.check_can_commit()
        moment = clock.now()
        text = measures.markdown(result, moment)
        old = path.read_text(encoding="utf-8") if path.exists() else None
        changed = old is None or _without_stamp(old) != _without_stamp(text)
        stamp = measures.written_at(text if changed else old)
        with ws.batch() as edits:  # first: a refused incident leaves metrics.md unwritten
            for number in due:
                with ws.change(str(number), commit=commit) as edit:
                    checklist.tick_done(
                        ws, edit, KEY, "runbook metrics --write", metrics_written_at=stamp
                    )
                    edit.describe("metrics written", Metrics=METRICS_PATH)
        ticked = [edit.incident.id for edit in edits]
        if changed:
            ws.write(path, text)
        if not changed and not ticked:
            return MetricsWritten(None, [])
        if not commit:
            return MetricsWritten("written", ticked)
        subject = (
            f"metrics written ({result['incidents']} incidents), {KEY} ticked"
            if changed
            else f"{KEY} ticked ({METRICS_PATH} already counts it)"
        )
        trailers = {"Metrics": METRICS_PATH, **({"Checklist": f"{KEY} ticked"} if ticked else {})}
        message = (
            commit_message_for(ticked, subject, trailers)
            if ticked
            else f"runbook: update incident metrics ({result['incidents']} incidents)\n\n"
            f"Metrics: {METRICS_PATH}"
        )
        files = [path] if changed else []
        made = ws.commit_together(files + [ws.root / edit.path for edit in edits], message)
        return MetricsWritten(made, ticked)


KEY = "metrics_updated"


def _without_stamp(text: str) -> str:
    from runbook_cli.domain.metrics import STAMP  # see the module docstring

    return "\n".join(line for line in text.split("\n") if not line.startswith(STAMP))
