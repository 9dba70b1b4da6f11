"""The completeness rules `runbook check` and `runbook close` apply to one incident file. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from runbook_cli.domain import clock, document, generated, layout, model, regulatory
from runbook_cli.domain.config import TRIAGE_ROLES, Config
from runbook_cli.domain.sensitive import Guard, Match


@dataclass(frozen=True)
class Finding:
    """A problem `check` reports: the file, the line, the rule and what is wrong."""

    path: str
    line: int
    rule: str
    message: str

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.line, "rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class Judged:
    """Every finding for one file's bytes, each with the moment after which it holds (None:
    always). It depends on nothing but the bytes, the path, the config and the code, so `check`
    can keep it; the findings at any moment follow from it (`at`), so a deadline that passes
    is reported although the file did not change."""

    findings: tuple[tuple[Finding, datetime | None], ...]

    def at(self, now: datetime) -> list[Finding]:
        """The findings that hold at `now`, by line (the order in which they were found within
        a line)."""
        return sorted(holding(self.findings, now), key=lambda f: f.line)

    def to_json(self) -> list:
        return [
            [f.line, f.rule, f.message, after.isoformat() if after else None]
            for f, after in self.findings
        ]

    @classmethod
    def from_json(cls, relative: str, data: list) -> Judged:
        """Raises ValueError (or TypeError) on anything `to_json` did not write."""
        findings = []
        for line, rule, message, after in data:
            if not (type(line) is int and isinstance(rule, str) and isinstance(message, str)):
                raise ValueError("not a finding")
            when = datetime.fromisoformat(after) if after is not None else None
            if when is not None and when.tzinfo is None:
                raise ValueError("a moment without a zone")
            findings.append((Finding(relative, line, rule, message), when))
        return cls(tuple(findings))


def holding(found: Iterable[tuple[Finding, datetime | None]], now: datetime) -> list[Finding]:
    """The findings that hold at `now`, in the order they were found."""
    return [finding for finding, after in found if after is None or now > after]


def check_text(
    relative: str, raw: bytes, config: Config, now: datetime, guard: Guard | None = None
) -> tuple[list[Finding], model.Incident | None]:
    """Every finding for one file's bytes at `now`, and the incident when its front matter is
    valid."""
    judged, incident = judge_text(relative, raw, config, guard)
    return judged.at(now), incident


def judge_text(
    relative: str, raw: bytes, config: Config, guard: Guard | None = None
) -> tuple[Judged, model.Incident | None]:
    """Every finding for one file's bytes at any moment (see Judged), and the incident when its
    front matter is valid."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        found = Finding(relative, 1, "encoding", f"not valid UTF-8 (byte {error.start})")
        return Judged(((found, None),)), None
    sensitive = [
        (Finding(relative, m.line, "sensitive", sensitive_message(m)), None)
        for m in (guard.scan(text.lstrip("\ufeff")) if guard else [])
    ]
    found, incident = _judge_document(relative, raw, text, config)
    if guard:
        flagged = {finding.line for finding, _ in sensitive}
        found = [(_unquoted(finding, guard, flagged), after) for finding, after in found]
    return Judged(tuple(found + sensitive)), incident


def _unquoted(finding: Finding, guard: Guard, flagged: set[int]) -> Finding:
    """A finding that may quote the file (a line it cannot read, a value it refuses) quotes
    nothing from a line the guard flags, nor anything the guard would refuse: findings are
    printed in CI logs, annotations and the step summary."""
    if finding.line not in flagged and not guard.scan(finding.message):
        return finding
    return Finding(
        finding.path,
        finding.line,
        finding.rule,
        f"this line breaks the {finding.rule} rule; its text is not shown because the "
        "sensitive-data guard flags it",
    )


def sensitive_message(match: Match) -> str:
    """What a guard match says in `check`: the kind and where, never the text."""
    return (
        f"{match.what} ({match.kind}) at column {match.column}: remove it, and rewrite history "
        "if it was pushed"
    )


def _judge_document(
    relative: str, raw: bytes, text: str, config: Config
) -> tuple[list[tuple[Finding, datetime | None]], model.Incident | None]:
    if len(raw) > layout.MAX_FILE_BYTES:
        return [(Finding(relative, 1, "size", "larger than 2 MiB"), None)], None
    try:
        doc = document.parse(text)
    except document.DocumentError as error:
        return [(Finding(relative, error.line or 1, "front-matter", str(error)), None)], None
    try:
        incident = model.from_meta(doc.meta, config)
    except model.SchemaError as error:
        return [(Finding(relative, doc.line_of(error.field), "schema", str(error)), None)], None
    findings = judge(
        relative,
        incident,
        doc.body,
        config,
        line_of=doc.line_of,
        body_offset=doc.body_offset,
    )
    _, bad_lines = document.timeline(doc, entries=False)
    findings += [
        (
            Finding(
                relative,
                bad.line,
                "timeline",
                "cannot read this timeline line (expected '- YYYY-MM-DD HH:MM:SS UTC — author — "
                f"text'): {bad.text[:60]}",
            ),
            None,
        )
        for bad in bad_lines
    ]
    return findings, incident


def problems_for(
    relative: str,
    incident: model.Incident,
    body: str,
    config: Config,
    *,
    now: datetime,
    line_of: Callable[[str], int] = lambda _: 1,
    body_offset: int = 0,
) -> list[Finding]:
    """The rules' findings for a parsed incident at `now`, in the rules' order."""
    return holding(
        judge(relative, incident, body, config, line_of=line_of, body_offset=body_offset), now
    )


def judge(
    relative: str,
    incident: model.Incident,
    body: str,
    config: Config,
    *,
    line_of: Callable[[str], int] = lambda _: 1,
    body_offset: int = 0,
) -> list[tuple[Finding, datetime | None]]:
    """The rules' findings for a parsed incident, each with the moment after which it holds
    (None: always): a deadline is a finding once it has passed."""
    found: list[tuple[Finding, datetime | None]] = []

    def add(
        rule: str, field_or_line: str | int, message: str, after: datetime | None = None
    ) -> None:
        line = field_or_line if isinstance(field_or_line, int) else line_of(field_or_line)
        found.append((Finding(relative, line, rule, message), after))

    name = relative.rsplit("/", 1)[-1]
    if name != layout.file_name(incident):
        add(
            "file-name",
            "id",
            f"the file name should be {layout.file_name(incident)} (from id and start date)",
        )

    for field_name, message in time_order(incident):
        add("time-order", field_name, message)

    if incident.is_open:
        for role in config.required_roles(incident.severity):
            if not getattr(incident, role):
                add(
                    "roles",
                    role,
                    f"open {incident.severity} incident has no {TRIAGE_ROLES[role]} "
                    "(runbook assign)",
                )

    for running in regulatory.open_clocks(incident, config):
        add(
            "regulatory",
            "data_affected",
            f"regulatory deadline passed {clock.format_stored(running.due_at)}: "
            f"{running.what} (runbook notified {running.name})",
            after=running.due_at,
        )

    reported = owes_report(incident)
    if not incident.is_open and reported:
        for section, heading in missing_sections(incident, body, config):
            if heading is None:
                add("sections", "status", f"the report has no '## {section}' section")
            else:
                add("sections", body_offset + heading + 1, _empty_section(section, incident))
        due, scheduled = incident.postmortem_due, incident.postmortem_scheduled_at
        if due and scheduled and scheduled > due:
            add(
                "postmortem",
                "postmortem",
                f"post-mortem scheduled {clock.format_stored(scheduled)}, after its deadline "
                f"{clock.format_stored(due)}",
            )
        elif due and not scheduled:
            add(
                "postmortem",
                "postmortem",
                f"post-mortem not scheduled (deadline {clock.format_stored(due)}; runbook "
                "postmortem schedule)",
                after=None if incident.status == "closed" else due,
            )

    if incident.status == "closed" and reported:
        undone = [key for key, done in incident.checklist.items() if not done]
        if undone:
            add(
                "checklist",
                "checklist",
                f"closed with checklist items not done: {', '.join(undone)}",
            )

    for problem in generated.drift(body, incident):
        add("drift", body_offset + 1, problem)
    return found


TIME_ORDER = (
    ("started_at", "detected_at"),
    ("detected_at", "acknowledged_at"),
    ("started_at", "identified_at"),
    ("identified_at", "mitigated_at"),
    ("started_at", "mitigated_at"),
    ("mitigated_at", "resolved_at"),
    ("identified_at", "resolved_at"),
    ("started_at", "resolved_at"),
    ("resolved_at", "closed_at"),
)
"""(earlier, later): when both times are set, the later may not be before the earlier."""


def time_order(incident: model.Incident) -> list[tuple[str, str]]:
    """The lifecycle times out of order, or missing for the status: (field, message) pairs.
    `check` reports them; every write refuses to add one."""
    found = []
    for earlier, later in TIME_ORDER:
        first, second = getattr(incident, earlier), getattr(incident, later)
        if first and second and second < first:
            when, before = clock.format_stored(second), clock.format_stored(first)
            found.append((later, f"{later} ({when}) is before {earlier} ({before})"))
    needed = {
        "resolved": ("resolved_at",),
        "closed": ("closed_at",) if incident.duplicate_of else ("resolved_at", "closed_at"),
        "cancelled": ("closed_at",),
    }.get(incident.status, ())
    for stamp in needed:
        if getattr(incident, stamp) is None:
            found.append(("status", f"status is {incident.status} but {stamp} is empty"))
    return found


def owes_report(incident: model.Incident) -> bool:
    """A false alarm (cancelled) or a duplicate owes no report: its original carries it."""
    return incident.status != "cancelled" and incident.duplicate_of is None


def missing_sections(
    incident: model.Incident, body: str, config: Config
) -> list[tuple[str, int | None]]:
    """Required report sections without real text: (name, heading line index or None when the
    heading itself is missing), in the config's order."""
    if not owes_report(incident):
        return []
    lines = body.split("\n")
    by_name: dict[str, document.Section] = {}
    for found_section in document.sections(body):  # one scan, first heading of a name wins
        by_name.setdefault(found_section.name.casefold(), found_section)
    missing: list[tuple[str, int | None]] = []
    for section in config.required_sections:
        located = by_name.get(section.casefold())
        if located is None:
            missing.append((section, None))
        elif not _filled(section, "\n".join(lines[located.heading + 1 : located.end]), incident):
            missing.append((section, located.heading))
    return missing


def section_command(section: str) -> str:
    """The command that fills a report section: 'runbook report set root-cause'."""
    if section == "Timeline":
        return "runbook timeline add"
    if section == "Preventive Actions":
        return "runbook action add (or runbook report set preventive-actions)"
    key = section.lower().replace(" & recovery", "").replace(" ", "-")
    return f"runbook report set {key}"


def _empty_section(section: str, incident: model.Incident) -> str:
    """Worded for where the incident is: resolved ones need it before closing."""
    how = section_command(section)
    if incident.status == "closed":
        return f"'{section}' is empty although the incident is closed: write it ({how})"
    return f"'{section}' is empty: the incident is resolved; write it before closing ({how})"


def _filled(section: str, content: str, incident: model.Incident) -> bool:
    if section == "Timeline":
        return any(document.parse_entry_line(line) for line in content.split("\n"))
    if section == "Preventive Actions":
        outside = content
        begin, end = document.block_markers(generated.ACTIONS)
        if begin in outside and end in outside:
            outside = outside[: outside.index(begin)] + outside[outside.index(end) + len(end) :]
        return bool(incident.action_items) or bool(document.visible_text(outside))
    return bool(document.visible_text(content))


def duplicate_ids(paths_by_id: dict[int, list[str]]) -> list[Finding]:
    found = []
    for incident_id, paths in sorted(paths_by_id.items()):
        if len(paths) > 1:
            for path in paths:
                others = ", ".join(p for p in paths if p != path)
                found.append(
                    Finding(
                        path,
                        2,
                        "duplicate-id",
                        f"incident id {incident_id} is also used by {others}",
                    )
                )
    return found


@dataclass
class CheckResult:
    """What `runbook check` found: the files it judged and the findings in them."""

    files: list[str]
    findings: list[Finding]
