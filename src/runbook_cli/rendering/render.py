"""Terminal rendering with rich. Colour only on a terminal, never with NO_COLOR (rich's rules)."""

from __future__ import annotations

import sys
from datetime import datetime, tzinfo

from rich.console import Console, Group
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from runbook_cli.domain import clock, generated, roles
from runbook_cli.domain.config import Config
from runbook_cli.domain.escalation import counted_from
from runbook_cli.domain.model import BEFORE_IMPACT, IMPACT_LABELS, status_label
from runbook_cli.domain.text import counted, visible
from runbook_cli.rendering import audittext, safe
from runbook_cli.rendering.fit import Wrapped, fitted

STATUS_STYLE = {
    "investigating": "red",
    "identified": "yellow",
    "mitigated": "cyan",
    "resolved": "green",
    "closed": "dim",
    "cancelled": "dim",
}


class SafeConsole(Console):
    """A rich console whose text segments are made visible before rich adds its styles; the
    segments rich marks as its own control codes (cursor moves of a live view) pass."""

    def _render_buffer(self, buffer) -> str:
        return super()._render_buffer(
            segment if segment.control else Segment(visible(segment.text), segment.style)
            for segment in buffer
        )

    def on_broken_pipe(self) -> None:
        """Rich would exit 1 (our code for findings); the command line ends it quietly instead."""
        self.quiet = True
        raise BrokenPipeError


def console(stderr: bool = False) -> Console:
    """Every rich view is drawn through here, to the real stream (rich writes its own colour
    codes): text from files and git is shown, never run."""
    stream = safe.unfiltered(sys.stderr if stderr else sys.stdout)
    return SafeConsole(file=stream, stderr=stderr, highlight=False, soft_wrap=False)


def _time(value: str | None, where=None) -> str:
    """A stored time as the responder reads it: in their zone, with the zone's name."""
    return clock.show(clock.parse_stored(value), where) if value else "—"


def _duration(view: dict, now: datetime, ongoing: str) -> str:
    """hh:mm from start to resolution, or to now (marked with `ongoing`) while unresolved."""
    return generated.span(
        clock.parse_stored(view["started_at"]),
        clock.parse_stored(view["resolved_at"]) if view["resolved_at"] else None,
        called_off=view["status"] in ("closed", "cancelled"),
        now=now,
        ongoing=ongoing,
    )


def severity_text(severity: str, config: Config) -> Text:
    return Text(severity, style=config.severity(severity).style)


def status_text(status: str, duplicate_of: int | None = None) -> Text:
    """The status, coloured by it; a closed duplicate names its original."""
    return Text(status_label(status, duplicate_of), style=STATUS_STYLE.get(status, ""))


def show(view: dict, config: Config, now: datetime) -> None:
    """Every fact the incident file holds, times in the responder's zone."""
    out, where = console(), config.zone

    def at(key: str) -> str:
        return _time(view.get(key), where)

    out.print(Wrapped(generated.heading(view["id"], view["title"]), "bold"))
    out.print(
        Text.assemble(
            "  ",
            severity_text(view["severity"], config),
            "  ",
            status_text(view["status"], view["duplicate_of"]),
            f"  {view['path']}",
        )
    )
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    acknowledged = at("acknowledged_at") + (
        f" by {view['acknowledged_by']}" if view.get("acknowledged_by") else ""
    )
    rows: list[tuple[str, str | Text]] = [
        ("Services", ", ".join(view["services"])),
        ("Commander", view["commander"] or Text("unassigned", style="yellow")),
        ("Comms lead", view["comms_lead"] or Text("unassigned", style="yellow")),
        ("User data", _user_data(view, where)),
        ("Started", at("started_at")),
        ("Detected", at("detected_at")),
        ("Acknowledged", acknowledged),
        ("Identified", at("identified_at")),
        ("Mitigated", at("mitigated_at")),
        ("Resolved", at("resolved_at")),
        ("Closed", at("closed_at")),
        ("Duration", _duration(view, now, " (ongoing)")),
    ]
    optional = (
        ("Root cause?", view.get("root_cause_hypothesis")),
        ("Risks", view.get("remaining_risks")),
        ("Close reason", view.get("close_reason")),
        ("Severity set", view.get("severity_changed_at") and at("severity_changed_at")),
        ("Roles set", view.get("roles_changed_at") and at("roles_changed_at")),
        ("Last update", view.get("last_internal_update_at") and at("last_internal_update_at")),
        (
            "Status page",
            view.get("last_status_page_update_at") and at("last_status_page_update_at"),
        ),
        (
            "Escalated",
            "; ".join(
                f"{role} {_time(when, where)}" for role, when in view.get("escalated", {}).items()
            ),
        ),
        ("Linked", _linked(view.get("integrations") or {})),
        ("Patients affected", _number(view.get("patients_affected"))),
        ("Appts failed", _number(view.get("appointments_failed"))),
        ("Appts missed", _number(view.get("appointments_missed"))),
        ("Detected by", view.get("detection")),
        ("Tags", ", ".join(view.get("tags") or [])),
        ("Related", ", ".join(str(n) for n in view.get("related") or [])),
        ("Duplicate of", view.get("duplicate_of") and f"incident {view['duplicate_of']}"),
        *((roles.title(role, config), person) for role, person in view["roles"].items()),
        ("Responders", ", ".join(view["responders"])),
        *(
            ("Handover", line)
            for line in roles.history_lines(
                view["role_history"], config, lambda stored: _time(stored, where)
            )
        ),
    )
    rows += [(label, Text(value)) for label, value in optional if value]
    postmortem = view["postmortem"]
    if postmortem["due"] or postmortem["scheduled_at"]:
        rows.append(
            (
                "Post-mortem",
                f"due {_time(postmortem['due'], where)}, "
                f"scheduled {_time(postmortem['scheduled_at'], where)}",
            )
        )
    for label, value in rows:
        facts.add_row(label, _wrapped(value))
    out.print(facts)
    if view.get("clocks"):
        out.print(Text("\nRegulatory clocks (from discovery; guidance, not legal advice)", "bold"))
        for item in view["clocks"]:
            done = item["done"]
            state = (
                Text(f"{done['outcome']} {_time(done['at'], where)}", style="green")
                if done
                else Text(f"due {_time(item['due_at'], where)}", style="bold red")
            )
            condition = f" ({item['condition']})" if item["condition"] else ""
            out.print(Text.assemble(f"  {item['name']}: ", state, f"  {item['what']}{condition}"))
    report = view.get("report", {"Summary": view["summary"]})
    for name, text in report.items():
        if text:
            out.print(Text(f"\n{name}", style="bold"))
            out.print(Wrapped(text))
    missing = view.get("missing_sections")
    if missing:
        out.print(Text(f"\nReport sections still empty: {', '.join(missing)}", style="yellow"))
    # Who gives up room first, then What down to 40 cells, then When (date over time), then
    # What again.
    entries = [
        [
            Wrapped(clock.show(clock.parse_stored(entry["at"]), where)),
            Wrapped(entry["author"]),
            Wrapped(_what(entry)),
        ]
        for entry in view["timeline"]
    ]
    out.print(
        fitted(
            out,
            ("When", "Who", "What"),
            entries,
            order=(1, (2, 40), 0, 2),
            title="\nTimeline",
            title_justify="left",
            show_edge=False,
        )
    )
    if view["action_items"]:
        items = [
            [
                str(item["id"]),
                Wrapped(item["title"]),
                Wrapped(item["owner"]),
                item["due"],
                "✓" if item["done"] else "",
                (item.get("tracker") or {}).get("key", ""),
            ]
            for item in view["action_items"]
        ]
        headers = ("#", "Action", "Owner", "Due", "Done", "Tracker")
        out.print(
            fitted(
                out,
                headers,
                items,
                order=(2, 1),
                title="\nAction items",
                title_justify="left",
                show_edge=False,
            )
        )
    done = sum(view["checklist"].values())
    out.print(
        Text(f"\nPost-incident checklist: {done}/{len(view['checklist'])} done", style="bold")
    )
    for key, ticked in view["checklist"].items():
        out.print(Text(f"  [{'x' if ticked else ' '}] {key}"))


def _linked(integrations: dict) -> str:
    """Outside systems the incident is linked to, by their ids: 'pagerduty abc123'."""
    parts = []
    for system, ids in integrations.items():
        known = ids if isinstance(ids, dict) else {}
        shown = known.get("dedup_key") or known.get("incident_id") or known.get("id") or ""
        parts.append(f"{system} {shown}".strip())
    return ", ".join(parts)


def _user_data(view: dict, where) -> Text | str:
    if view["data_affected"]:
        discovered = _time(view.get("data_discovered_at"), where)
        return Text(f"affected (regulated event), discovered {discovered}", style="bold red")
    if view.get("data_question") == "unanswered":
        return Text("not answered yet: runbook data-affected yes|no --reason T", style="yellow")
    return "not affected" if view.get("data_affected_answered") else "not asked"


def _what(entry: dict) -> str:
    """A timeline entry's text, marked when it tells of something before the impact."""
    return f"{BEFORE_IMPACT} {entry['text']}" if entry.get("before_impact") else entry["text"]


def _wrapped(value: str | Text) -> Wrapped:
    """A fact's value (plain, or one styled Text) wrapped at line-break opportunities."""
    if isinstance(value, Text):
        return Wrapped(value.plain, value.style)
    return Wrapped(value)


def _number(value: int | None) -> str | None:
    return None if value is None else str(value)


def incident_table(views: list[dict], config: Config, now: datetime) -> None:
    out = console()
    if not views:
        out.print("No incidents match.")
        return
    # Below 100 columns (a pipe is 80) the padding goes, leaving the rules between columns, so
    # every column still fits: ID, date, severity, status and duration never wrap; services,
    # then commander, then title give up room, wrapping at line-break opportunities.
    narrow = out.width < 100
    headers = ("ID", "Date", "Sev" if narrow else "Severity", "Status", "Title", "Services")
    rows = [
        [
            str(view["id"]),
            view["started_at"][:10],
            severity_text(view["severity"], config),
            status_text(view["status"], view["duplicate_of"]),
            Wrapped(view["title"]),
            Wrapped(", ".join(view["services"])),
            Wrapped(view["commander"] or "—"),
            _duration(view, now, "+"),
        ]
        for view in views
    ]
    out.print(
        fitted(
            out,
            (*headers, "Commander", "Duration"),
            rows,
            order=(5, 6, 4),
            show_edge=False,
            padding=(0, 0) if narrow else (0, 1),
        )
    )


def action_table(rows: list) -> None:
    out = console()
    if not rows:
        out.print("No action items match.")
        return
    cells = [
        [
            str(row.incident),
            str(row.item.id),
            Wrapped(row.item.title),
            Wrapped(row.item.owner),
            row.item.due.isoformat(),
            Text("done", style="green")
            if row.item.done
            else Text("OVERDUE", style="bold red")
            if row.overdue
            else Text("open"),
        ]
        for row in rows
    ]
    headers = ("Incident", "#", "Action", "Owner", "Due", "State")
    out.print(fitted(out, headers, cells, order=(3, 2), show_edge=False))


def escalation(incident, steps: list, where: tzinfo | None) -> None:
    out = console()
    event, start = counted_from(incident)
    out.print(
        Text.assemble(
            ("Escalation, incident ", "bold"),
            (str(incident.id), "bold"),
            f" (T+ counts from {event} at {clock.show_clock(start, where)})",
        )
    )
    table = Table(show_edge=False)
    for column in ("After", "Due", "State", "Who", "How to reach"):
        table.add_column(column, overflow="fold")
    for step in steps:
        state = (
            Text("done", style="green")
            if step.done
            else Text("NOW", style="bold red")
            if step.reached
            else Text("later", style="dim")
        )
        people = step.people or ()
        who = "\n".join(p.name + (f" ({p.squad})" if p.squad else "") for p in people) or ", ".join(
            step.roles
        )
        how = "\n".join(p.how for p in people) or "—"
        label = f"T+{step.after_minutes} min" + (
            " (regulated: user data)" if step.regulated else ""
        )
        table.add_row(label, clock.show_clock(step.due_at, where), state, who, how)
    out.print(table)


def due_panel(report, now: datetime, where: tzinfo | None, *, with_review: bool = True) -> Table:
    table = Table(
        title=f"Due as of {clock.show(now, where)}", title_justify="left", show_edge=False
    )
    shown = [clock.local(item.due_at, where) for item in report.items]
    # the zone in the header when every row shares it, so What keeps its room; else in each row
    zones = {clock.zone_name(at) for at in shown}
    one = zones.pop() if len(zones) == 1 else None
    for column in (f"Due ({one})" if one else "Due", "When", "Incident", "Kind", "What"):
        # What takes the room the others leave and wraps in it (a minimum width would push the
        # table past the terminal's edge, where each line is cut)
        table.add_column(column, overflow="fold", no_wrap=column != "What")
    for item, at in zip(report.items, shown, strict=True):
        minutes = int((item.due_at - now).total_seconds() // 60)
        when = (
            Text(f"{_span(-minutes)} ago", style="bold red")
            if item.overdue
            else Text(f"in {_span(minutes)}")
        )
        table.add_row(
            f"{at:%m-%d %H:%M}" + ("" if one else f" {clock.zone_name(at)}"),
            when,
            str(item.incident),
            item.kind,
            Wrapped(item.what, "bold red" if item.overdue else ""),
        )
    if report.review and with_review:
        table.caption = f"Runbook review: {report.review}"
    return table


def watch_view(report, now: datetime, captures: list, where=None):
    """`watch`'s screen: the due view, and under it each capture's latest news (`captures`:
    usecases.capture.Watched values), a failure in red with when it is tried again."""
    due_view = due_panel(report, now, where)
    if not captures:
        return due_view
    table = Table(title="Capture", title_justify="left", show_edge=False)
    for column in ("From", "Last run", "What happened"):
        table.add_column(column, overflow="fold", no_wrap=column != "What happened")
    for job in captures:
        ran = clock.show_clock(job.ran_at, where) if job.ran_at else "—"
        table.add_row(job.source, ran, _capture_news(job, where))
    return Group(due_view, Text(""), table)


def _capture_news(job, where) -> Text:
    if job.ran_at is None:
        return Text("not run yet")
    if job.failure:
        return Text(f"failed: {job.failure}", style="bold red")
    outcome = job.outcome
    lines = [
        f"captured {counted(outcome.added, 'entry', 'entries')}" if outcome.added else "nothing new"
    ]
    lines += [
        f"not captured: a message at {clock.show(r.at, where, seconds=True)} looks like "
        f"{r.kind}; delete it there too"
        for r in outcome.refused
    ]
    if job.done:
        lines.append("the incident is resolved; capture stopped")
    return Text("\n".join(lines), style="yellow" if outcome.refused else "")


def _span(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // 1440} days"


def due(report, now: datetime, where: tzinfo | None) -> None:
    out = console()
    if report.items:
        out.print(due_panel(report, now, where, with_review=False))
    else:
        out.print("Nothing is due.")
    if report.review:
        out.print(f"Runbook review: {report.review}", soft_wrap=True)


BAR_GLYPHS = "█▓▒░"
"""Bars by severity rank, most severe first, so they differ without colour."""


def _bar(severity: str, config: Config) -> str:
    return BAR_GLYPHS[min(config.rank(severity), len(BAR_GLYPHS) - 1)]


def metrics(result: dict, config: Config) -> None:
    out = console()
    out.print(
        Text.assemble(
            ("Incidents: ", "bold"),
            str(result["incidents"]),
            "   ",
            ("Acknowledged later than target: ", "bold"),
            f"{result['ack_slo_breaches']} (target {result['ack_target_minutes']} min)",
        )
    )
    table = Table(show_edge=False)
    for column in ("Minutes", "Mean", "Median", "p90", "Without data"):
        table.add_column(column, justify="left" if column == "Minutes" else "right")
    for key, label in (("mtta", "MTTA"), ("mttr", "MTTR"), ("impact", "Impact")):
        stats = result[f"{key}_minutes"]
        values = (
            ["—"] * 3 if stats is None else [f"{stats[k]:g}" for k in ("mean", "median", "p90")]
        )
        missing = result["missing"][key]
        table.add_row(
            label,
            *values,
            f"{len(missing)}" + (f" (e.g. {', '.join(map(str, missing[:3]))})" if missing else ""),
        )
    out.print(table)
    counts = Table(show_edge=False, title="By severity and service", title_justify="left")
    counts.add_column("Severity / service")
    counts.add_column("Incidents", justify="right")
    for name, count in result["by_severity"].items():
        counts.add_row(severity_text(name, config), str(count))
    for name, count in result["by_service"].items():
        counts.add_row(name, str(count))
    for method, count in result["by_detection"].items():
        counts.add_row(f"detected by {method}", str(count))
    for tag, count in result["by_tag"].items():
        counts.add_row(f"tag {tag}", str(count))
    out.print(counts)
    numbers = [
        f"{label.lower()} {result['impact_numbers'][name]['total']}"
        for name, label in IMPACT_LABELS.items()
        if result["impact_numbers"][name]["incidents"]
    ]
    if numbers:
        out.print(Text.assemble(("Impact in numbers: ", "bold"), "; ".join(numbers)))
    if result["cancelled"] or result["duplicates"]:
        out.print(
            f"Not counted above: {result['cancelled']} cancelled (false alarms), "
            f"{result['duplicates']} duplicates."
        )
    if result["by_month"]:
        out.print(
            Text(
                "Incidents per month ("
                + "  ".join(f"{_bar(s, config)} {s}" for s in config.severities)
                + ")",
                style="bold",
            )
        )
        widest = max(sum(c.values()) for c in result["by_month"].values()) or 1
        scale = min(1.0, 50 / widest)
        for month, month_counts in result["by_month"].items():
            bar = Text()
            for name, count in month_counts.items():
                bar.append(
                    _bar(name, config) * max(1 if count else 0, round(count * scale)),
                    style=config.severity(name).style,
                )
            out.print(Text.assemble(f"{month} ", bar, f" {sum(month_counts.values())}"))


def audit(records: list) -> None:
    out = console()
    if not records:
        out.print("No commits touched incident files.")
        return
    for record in records:
        flag = (
            Text("") if record.by_tool else Text("  [edited outside runbook]", style="bold yellow")
        )
        signed = record.signature != "N"
        out.print(
            Text.assemble(
                (record.at.replace("T", " ").replace("Z", " UTC"), "bold"),
                f"  {record.commit[:8]}  {record.author}  ",
                Text(record.message.splitlines()[0]),
                flag,
                Text(
                    f"  [{'signed: ' if signed else ''}{record.signature_status}]",
                    style="green" if record.signature == "G" else "dim",
                ),
            )
        )
        if record.changes:
            changes = Table.grid()
            changes.add_column(width=6, no_wrap=True)
            changes.add_column(ratio=1, overflow="fold")
            for change in record.changes:
                for line in audittext.lines(change):
                    changes.add_row("    - ", Text(line))
            out.print(changes)
