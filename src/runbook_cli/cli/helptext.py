"""How the command line presents itself: commands grouped in the runbook's order, readable
placeholders, and click's usage errors in the tool's own `runbook: error: ...` form.

A new command gets its panel here, in PANELS (a test fails for a command in none)."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterator

# The runbook's order: respond, communicate, after the incident, team and CI, setup.
PANELS: dict[str, tuple[str, ...]] = {
    "Respond": (
        "declare",
        "ack",
        "assign",
        "join",
        "leave",
        "status",
        "severity",
        "data-affected",
        "set",
        "timeline",
        "page",
        "escalation",
        "escalate",
        "resolve",
        "show",
        "list",
        "use",
        "edit",
        "reopen",
        "cancel",
        "duplicate-of",
    ),
    "Communicate": (
        "comms",
        "capture",
        "statuspage",
        "notified",
        "due",
        "watch",
        "retry",
        "contacts",
    ),
    "After the incident": ("report", "action", "checklist", "postmortem", "close"),
    "Team and CI": ("sync", "check", "audit", "metrics", "site"),
    "Setup": ("init", "demo"),
}
UNSORTED = "Other"

# An example for each command's --help, by command path (a test fails for a command with none).
EXAMPLES: dict[str, tuple[str, ...]] = {
    "declare": (
        "runbook declare 'Bookings fail for most users' -s SEV-1 \\",
        "    --service appointment-service --started-at '10 min ago'",
    ),
    "ack": ("runbook ack", "runbook ack --at 3am"),
    "assign": (
        "runbook assign --commander 'Priya Raman' --comms-lead 'Tomás Ortega'",
        "runbook assign --role 'scribe=Sam Lee' --role 'operations_lead=Ana Costa'",
    ),
    "join": ("runbook join", "runbook join 'Sam Lee'"),
    "leave": ("runbook leave 'Sam Lee'",),
    "status": ("runbook status mitigated --at '5 minutes ago'",),
    "severity": ("runbook severity SEV-1 --reason 'majority of users affected'",),
    "data-affected": (
        "runbook data-affected yes --reason 'export wrote records to a public bucket' --at 09:40",
        "runbook data-affected no --reason 'audit log shows no record was read'",
    ),
    "set": (
        "runbook set title 'Bookings fail for patients on iOS'",
        "runbook set impact --patients 212 --appointments-failed 40",
    ),
    "set title": ("runbook set title 'Bookings fail for patients on iOS'",),
    "set summary": ("runbook set summary 'Most patients could not book between 10:00 and 10:40.'",),
    "set services": ("runbook set services appointment-service patient-web",),
    "set impact": ("runbook set impact --patients 212 --appointments-failed 40",),
    "set detection": ("runbook set detection user-report",),
    "set tags": ("runbook set tags database release-train", "runbook set tags --clear"),
    "set related": ("runbook set related 12 14",),
    "notified": (
        "runbook notified individuals --reason 'letters mailed to 212 patients'",
        "runbook notified hhs --not-required --reason 'fewer than 500: the yearly log applies'",
    ),
    "timeline": ("runbook timeline add 'Rolled back release 2026.11.26-3' --at 23:59",),
    "timeline add": (
        "runbook timeline add 'Rolled back release 2026.11.26-3' --at '2 hours ago'",
        "kubectl logs deploy/booking | tail -20 | runbook timeline add -",
    ),
    "page": ("runbook page --to squad-lead --dry-run",),
    "escalation": ("runbook escalation -i 7",),
    "escalate": ("runbook escalate --to head-of-engineering",),
    "resolve": ("runbook resolve --root-cause 'pool exhausted by retries' --risks 'none'",),
    "show": ("runbook show -i 7", "runbook show --json | jq .status"),
    "list": ("runbook list --open", "runbook list --since 2026-11-01 --severity SEV-1"),
    "use": ("runbook use 7", "runbook use"),
    "edit": ("EDITOR=vim runbook edit -i 7",),
    "reopen": ("runbook reopen -i 7 --reason 'errors are back'",),
    "cancel": ("runbook cancel --reason 'the alert fired on a broken health check'",),
    "duplicate-of": ("runbook duplicate-of 7 -i 8",),
    "comms": (
        "runbook comms -t stakeholder",
        "runbook comms --post --dry-run",
    ),
    "capture": ("runbook capture pagerduty", "runbook capture slack --channel C0123ABCD --follow"),
    "capture pagerduty": ("runbook capture pagerduty -i 7", "runbook capture pagerduty --follow"),
    "capture slack": (
        "runbook capture slack --channel C0123ABCD",
        "runbook capture slack --channel C0123ABCD --all --follow --interval 120",
    ),
    "statuspage": ("runbook statuspage publish --dry-run",),
    "statuspage publish": ("runbook statuspage publish --symptom 'failed bookings' --dry-run",),
    "retry": ("runbook retry", "runbook retry -i 7"),
    "due": ("runbook due", "runbook due --fail-on-overdue   # in cron or CI"),
    "watch": (
        "runbook watch --interval 30",
        "runbook watch --capture slack --channel C0123ABCD --capture pagerduty",
    ),
    "contacts": ("runbook contacts", "runbook contacts refresh"),
    "contacts refresh": ("runbook contacts refresh",),
    "report": ("runbook report -i 7 > report.md", "runbook report set root-cause -"),
    "report set": (
        "runbook report set root-cause 'Connection pool exhausted by a retry storm.'",
        "runbook report set detection --append 'Paged by the 502-rate alert.'",
    ),
    "action": ("runbook action add 'Cap client retries' --owner Sam --due 2026-12-15",),
    "action add": ("runbook action add 'Cap client retries' --owner Sam --due 2026-12-15",),
    "action done": ("runbook action done 1",),
    "action list": ("runbook action list --overdue",),
    "action export": ("runbook action export --to jira --dry-run",),
    "checklist": ("runbook checklist", "runbook checklist tick ticket_updated"),
    "checklist tick": (
        "runbook checklist tick ticket_updated",
        "runbook checklist tick action_items_created --force --reason 'tracked in the Q4 epic'",
    ),
    "checklist untick": ("runbook checklist untick metrics_updated",),
    "postmortem": (
        "runbook postmortem schedule --at '2026-11-28T14:00:00+01:00' --attendee Ana "
        "--attendee 'Lee Park <lee@example.org>'",
    ),
    "postmortem schedule": (
        "runbook postmortem schedule --at '2026-11-28T14:00:00+01:00' --attendee Ana "
        "--attendee 'Lee Park <lee@example.org>'",
        "runbook postmortem schedule --at 2026-11-28T15:00:00Z --ics - > invite.ics   # reschedule",
    ),
    "close": ("runbook close -i 7", "runbook close -i 7 --force --reason 'report in the wiki'"),
    "sync": ("runbook sync", "runbook --sync timeline add 'Flag turned off'"),
    "check": ("runbook check --all", "runbook check --base origin/main --format github"),
    "audit": ("runbook audit -i 7", "runbook audit --json > audit.json"),
    "metrics": (
        "runbook metrics --since 2026-01-01",
        "runbook metrics --csv > incidents.csv",
        "runbook metrics --write   # ticks metrics_updated on the resolved incidents",
    ),
    "site": ("runbook site --out site",),
    "init": ("runbook init", "runbook init --pages --yes"),
    "demo": ("runbook demo",),
}

# Placeholders by parameter name; others get their type's (TEXT, N, PATH).
PLACEHOLDERS = {
    "repo": "PATH",
    "incident": "ID",
    "author": "NAME",
    "commander": "NAME",
    "comms_lead": "NAME",
    "owner": "NAME",
    "at": "TIME",
    "started_at": "TIME",
    "detected_at": "TIME",
    "severity": "SEV",
    "level": "SEV",
    "service": "SERVICE",
    "status": "STATUS",
    "new_status": "STATUS",
    "due": "YYYY-MM-DD",
    "since": "DATE",
    "until": "DATE",
    "template": "TEMPLATE",
    "to": "ROLE",
    "base": "REF",
    "channel": "CHANNEL",
    "capture": "slack|pagerduty",
    "out": "FOLDER",
    "path": "FOLDER",
    "grep": "TEXT",
    "next_update": "MINUTES",
    "interval": "SECONDS",
    "count": "N",
    "number": "N",
}
_BY_TYPE = {
    **dict.fromkeys(("str", "text", "string"), "TEXT"),
    **dict.fromkeys(("int", "integer"), "N"),
    "float": "NUMBER",
    "path": "PATH",
}


def panel_of(name: str) -> str:
    for panel, names in PANELS.items():
        if name in names:
            return panel
    return UNSORTED


def summary(command) -> str:
    """A command's first paragraph, whole (never cut with '...')."""
    return first_paragraph(command.help or command.short_help or "")


def first_paragraph(text: str) -> str:
    first = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    return " ".join(first.replace("\b", "").split())


def format_commands(listed, formatter) -> None:
    """The command list as sections in runbook order; each description wraps, none is cut.
    `listed`: (name, help text, hidden) of each command."""
    rows: dict[str, list[tuple[str, str]]] = {panel: [] for panel in (*PANELS, UNSORTED)}
    shown = [(name, text) for name, text, hidden in listed if not hidden]
    widest = max((len(name) for name, _ in shown), default=0)
    for name, text in shown:
        rows[panel_of(name)].append((name.ljust(widest), first_paragraph(text)))
    for panel, order in PANELS.items():
        rows[panel].sort(key=lambda row, order=order: order.index(row[0].strip()))
    for panel, entries in rows.items():
        if entries:
            with formatter.section(panel):
                formatter.write_dl(entries)


def registered(app) -> Iterator[tuple[str, str, bool]]:
    """(name, help text, hidden) of a Typer app's commands and groups as registered, without
    building them: `runbook --help` lists every command, and building each one's options would
    cost more than importing Typer. (A test compares this with the built commands.)"""
    import inspect

    from typer.models import CommandInfo

    for name, info in named(app):
        if isinstance(info, CommandInfo):
            yield name, info.help or inspect.getdoc(info.callback) or "", bool(info.hidden)
            continue
        sub = info.typer_instance.info
        callback = _given(info.callback) or _given(sub.callback)
        text = (
            _given(info.help) or _given(sub.help) or (inspect.getdoc(callback) if callback else "")
        )
        yield name, text or "", bool(_given(info.hidden) or _given(sub.hidden))


def named(app) -> Iterator[tuple[str, object]]:
    """(name, registration) of a Typer app's commands, then its groups, by Typer's naming rule."""
    for info in app.registered_commands:
        yield info.name or info.callback.__name__.lower().replace("_", "-"), info
    for info in app.registered_groups:
        yield _given(info.name) or _given(info.typer_instance.info.name), info


def _given(value):
    from typer.models import DefaultPlaceholder

    return None if isinstance(value, DefaultPlaceholder) else value


def prepare(command, path: str = "") -> None:
    """Readable placeholders (TIME, ID, SEV) and the examples, for the whole tree, in place."""
    if path and not command.short_help:
        command.short_help = summary(command)  # listed whole in its group, never cut with '...'
    example = EXAMPLES.get(path)
    if example and not command.epilog:
        command.epilog = "\b\nExample:\n" + "\n".join(f"  {line}" for line in example)
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            continue
        if param.param_type_name == "argument":
            _argument_placeholder(param)
        elif param.metavar is None and param.type.name in _BY_TYPE:
            param.metavar = PLACEHOLDERS.get(param.name, _BY_TYPE.get(param.type.name, "TEXT"))
    for name, child in getattr(command, "commands", {}).items():
        prepare(child, f"{path} {name}".strip())


def _argument_placeholder(param) -> None:
    shown = param.metavar or PLACEHOLDERS.get(param.name) or param.name.upper().replace("_", "-")
    if param.nargs != 1:
        shown += "..."

    def make_metavar(self, ctx=None, *, usage: bool = False) -> str:
        return f"[{shown}]" if usage and not self.required else shown

    param.make_metavar = types.MethodType(make_metavar, param)


def usage_message(error) -> str:
    """click's usage error as one sentence, with what to type instead where we can tell."""
    message = error.format_message().rstrip(".")
    message = message[:1].lower() + message[1:]
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return f"{message}."
    path = ctx.command_path
    unknown = re.match(r"no such command '(.+?)'", message)
    listing = getattr(ctx.command, "list_commands", None)
    commands = listing(ctx) if listing else None
    if unknown and commands:
        typed = unknown.group(1)
        if "add" in commands and not difflib.get_close_matches(typed, list(commands), n=1):
            import shlex

            return f"{path} has no command {typed!r}; did you mean {path} add {shlex.quote(typed)}?"
        close = difflib.get_close_matches(typed, list(commands), n=1)
        hint = f"did you mean '{path} {close[0]}'?" if close else f"see '{path} --help'."
        return f"{path} has no command {typed!r}; {hint}"
    return f"{message}; see '{path} --help'."
