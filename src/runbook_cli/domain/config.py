"""Repository configuration: docs/runbooks/config.yml, with the seed runbook's values as defaults.

Each setting is declared once, in SETTINGS: its default, the note `init` writes above it, how a
repository's value merges with the default, and how it is checked and turned into a typed value.
Call sites read typed attributes (`config.comms.channel`), never raw mappings.

The records are NamedTuples: immutable like frozen dataclasses, and about six times cheaper to
define (every command loads this module; 17 frozen dataclasses cost ~5 ms per start).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

from runbook_cli.domain import clock, vendor, yamlio
from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.errors import MalformedFileError, UsageError

STATUSES = ("investigating", "identified", "mitigated", "resolved", "closed", "cancelled")
OPEN_STATUSES = STATUSES[:3]

SEED_CHECKLIST = {
    "ticket_updated": "Incident ticket updated with final resolution summary.",
    "status_page_resolved": "Status page resolved and communication archived.",
    "postmortem_scheduled": "Post-mortem scheduled and invite sent.",
    "action_items_created": "Action items created in tracking tool with owners.",
    "metrics_updated": "Metrics updated (MTTR, incident count).",
}

REPORT_GUIDANCE = {
    "Summary": "One-paragraph overview of impact and resolution.",
    "Timeline": "Bullet list with timestamps of key events/actions.",
    "Root Cause": "Detailed analysis.",
    "Detection": "How the incident was discovered; gaps to improve.",
    "Resolution & Recovery": "Steps taken to restore service.",
    "Preventive Actions": "Follow-up tasks with owners & deadlines.",
    "Attachments": "Links to dashboards, logs, PRs, ADRs.",
}
"""The runbook's Incident Report Template: each section and what goes in it."""
REPORT_SECTIONS = tuple(REPORT_GUIDANCE)

PAGERDUTY_LEVELS = ("critical", "error", "warning", "info")
TRIAGE_ROLES = {"commander": "Incident Commander", "comms_lead": "Communications Lead"}


class Severity(NamedTuple):
    """One severity level: the runbook's meaning and how the tool treats and shows it."""

    name: str
    meaning: str
    high: bool = False
    """High severities (SEV-0/1 in the seed) need a commander and comms lead while open."""
    pagerduty: str = "error"
    style: str = ""
    triage: tuple[str, ...] = tuple(TRIAGE_ROLES)
    """The triage roles an open incident of this level must have filled (the runbook: both, for
    every level); one person may hold both."""
    """How the terminal shows it (a rich style); the site colours severities by rank."""

    @property
    def label(self) -> str:
        """The meaning's first word: 'Critical' for SEV-0."""
        return self.meaning.split(":")[0].strip()


class Comms(NamedTuple):
    """The war room: its channel, update cadences per severity in minutes, the Slack webhook."""

    channel: str
    internal_update_minutes: dict[str, int]
    status_page_minutes: dict[str, int]
    slack_webhook_url: str | None
    message_update_minutes: int
    """The next update a message promises for a severity without a cadence."""

    def promised_minutes(self, severity: str) -> int:
        return self.internal_update_minutes.get(severity, self.message_update_minutes)

    def status_page_every(self, severity: str) -> int:
        return self.status_page_minutes.get(severity, self.message_update_minutes)


class Service(NamedTuple):
    """A service: the squad that owns it, whether it holds patient data (its incidents must
    answer 'is user data affected?'), and links that declare writes into Attachments."""

    squad: str | None = None
    patient_data: bool = False
    links: tuple[str, ...] = ()


class SensitiveData(NamedTuple):
    """The guard's settings: built-in patterns disabled by name, the team's medical record
    number format, and the team's own patterns by name."""

    disabled: tuple[str, ...] = ()
    medical_record_number: str | None = None
    extra: Mapping[str, str] = MappingProxyType({})


class Statuspage(NamedTuple):
    """The public status page: its id, the component of each service, and per severity the
    incident's impact and the components' status."""

    page_id: str | None
    components: dict[str, str]
    impact: dict[str, str]
    component_status: dict[str, str]

    def impact_for(self, severity: str) -> str:
        """A level the mapping does not name (a team's own severity) shows as a minor one."""
        return self.impact.get(severity, "minor")

    def component_status_for(self, severity: str) -> str:
        return self.component_status.get(severity, "partial_outage")


class Jira(NamedTuple):
    """Where action items become Jira issues: the site, the project, the issue type."""

    url: str | None
    project: str | None
    issue_type: str


class Linear(NamedTuple):
    """The Linear team action items become issues of."""

    team_id: str | None


class Integrations(NamedTuple):
    """Outside systems' settings (their secrets stay in RUNBOOK_* environment variables)."""

    statuspage: Statuspage
    jira: Jira
    linear: Linear


class Capture(NamedTuple):
    """`runbook capture`: the Slack reaction that marks a message, and --follow's polling."""

    slack_reaction: str
    interval_seconds: int
    max_polls: int


class Postmortem(NamedTuple):
    """When post-mortems are due after resolution, and how they are scheduled."""

    deadlines: dict[str, dict[str, int]]
    """Per severity: {hours: N} or {business_days: N}; a severity not listed needs none."""
    holidays: frozenset[date]
    invite_minutes: int = 60
    """How long the meeting in the calendar invite lasts."""
    require_attendees: bool = True
    """`postmortem schedule` needs --attendee (the runbook: "scheduled and invite sent")."""


class Site(NamedTuple):
    """The published static site."""

    url: str | None
    """Where the static site is published; invites and links point at incident pages there."""


class Review(NamedTuple):
    """When the runbook itself was last reviewed, and how often it must be."""

    last_reviewed: date | None
    every_days: int


class Sync(NamedTuple):
    """Sharing each change with the team's remote."""

    auto: bool


class Clock(NamedTuple):
    """A regulatory deadline counted from the discovery that user data is affected."""

    name: str
    what: str
    within: dict[str, int]
    """{hours: N}, {days: N} or {days_after_year_end: N}"""
    min_people: int | None = None
    max_people: int | None = None


class Regulatory(NamedTuple):
    """What an incident with user data affected must answer and do, and by when."""

    ask_data_affected: tuple[str, ...]
    """Severities whose incidents must answer 'is user data affected?' (patient-data services
    always do)."""
    answer_within_minutes: int
    clocks: dict[str, Clock]
    checklist_items: dict[str, str]
    """Extra checklist items for incidents with user data affected."""


class Config(NamedTuple):
    """A repository's configuration, typed: each attribute one setting of SETTINGS."""

    severities: dict[str, Severity]
    statuses: dict[str, str]
    services: dict[str, Service]
    ack_target_minutes: int
    display_timezone: str | None
    roles: dict[str, str]
    regulatory: Regulatory
    comms: Comms
    postmortem: Postmortem
    checklist: dict[str, str]
    required_sections: list[str]
    lock_timeout_seconds: int
    runbook_review: Review
    sensitive_data: SensitiveData
    sync: Sync
    integrations: Integrations
    site: Site
    capture: Capture

    @property
    def severity_names(self) -> list[str]:
        return list(self.severities)

    @property
    def zone(self):
        """The zone times are typed and shown in (None: the system's, which honours TZ)."""
        return clock.zone(self.display_timezone)

    def severity(self, name: str) -> Severity:
        """The named severity; one the config no longer knows is shown plainly."""
        return self.severities.get(name) or Severity(name, name)

    def rank(self, name: str) -> int:
        """0 for the most severe level (the config lists the most severe first)."""
        names = list(self.severities)
        return names.index(name) if name in names else len(names)

    def normalize_severity(self, text: str) -> str:
        """'SEV-1', 'sev1', '1' all name SEV-1; anything else lists the valid severities."""
        wanted = _severity_key(text)
        for name in self.severities:
            if wanted in _severity_spellings(name):
                return name
        valid = ", ".join(f"{s.name} ({s.label})" for s in self.severities.values())
        labels = {s.label: s.name for s in self.severities.values() if s.label}
        raise unknown_choice("severity", text, list(self.severities), valid, labels)

    def required_roles(self, severity: str) -> tuple[str, ...]:
        """The triage roles an open incident of this severity must have filled."""
        return self.severity(severity).triage

    def service(self, name: str) -> Service:
        """A service's settings; a service the config does not list has none."""
        return self.services.get(name) or Service()

    def holds_patient_data(self, service: str) -> bool:
        return self.service(service).patient_data

    def checklist_for(self, regulated: bool) -> dict[str, str]:
        """The post-incident checklist; incidents with user data affected get the extra items."""
        return {**self.checklist, **(self.regulatory.checklist_items if regulated else {})}


def _severity_key(text: str) -> str:
    """A severity as typed, with case, spaces, dashes and underscores set aside."""
    return re.sub(r"[\s_-]", "", text.strip().upper())


def _severity_spellings(name: str) -> tuple[str, str]:
    """The keys that name a severity: 'SEV1' and '1' for SEV-1."""
    plain = _severity_key(name)
    return plain, plain.removeprefix("SEV")


def severity_begins(name: str, typed: str) -> bool:
    """Whether `typed` begins a spelling of severity `name` that normalize_severity accepts:
    'sev-', 's' and '1' all begin SEV-1 (shell completion offers it)."""
    wanted = _severity_key(typed)
    return any(spelling.startswith(wanted) for spelling in _severity_spellings(name))


def unknown_choice(
    what: str,
    typed: str,
    choices: list[str],
    listed: str | None = None,
    aliases: dict[str, str] | None = None,
) -> UsageError:
    """ "unknown status 'mitgated'; did you mean 'mitigated'? use one of ..." (a close match
    only: 'SEV-9' is not a typo of 'SEV-3'; an alias such as a severity's label also counts)."""
    by_fold = {choice.casefold(): choice for choice in choices}
    by_fold.update({alias.casefold(): name for alias, name in (aliases or {}).items()})
    close = difflib.get_close_matches(typed.strip().casefold(), list(by_fold), n=1, cutoff=0.85)
    hint = f" did you mean '{by_fold[close[0]]}'?" if close else ""
    return UsageError(f"unknown {what} {typed!r};{hint} use one of {listed or ', '.join(choices)}.")


# --- the settings, each declared once ---------------------------------------------------------

Require = Callable[[bool, str], None]


class Setting(NamedTuple):
    """One setting, declared once: its default, the note `init` writes, how it is built."""

    default: Any
    note: str
    build: Callable[[Any, Require], Any]
    merge: str = "nested"
    """How a repository's value meets the default: `nested` (known keys, checked), `free` (the
    team's own keys, added to the seed's), `whole` (the repository's value replaces the default)."""


# The seed's severities, with how the tool treats and shows each.
SEED_SEVERITIES = {
    "SEV-0": Severity(
        "SEV-0",
        "Critical: outage or data breach with regulatory impact.",
        high=True,
        pagerduty="critical",
        style="bold white on red",
    ),
    "SEV-1": Severity(
        "SEV-1",
        "Major: core booking or consult workflow degraded for majority of users.",
        high=True,
        pagerduty="critical",
        style="bold red",
    ),
    "SEV-2": Severity(
        "SEV-2",
        "Moderate: partial feature impact, performance degradation, or limited geography.",
        pagerduty="error",
        style="yellow",
    ),
    "SEV-3": Severity(
        "SEV-3",
        "Minor: cosmetic issues, single-customer impact, or mitigated alert.",
        pagerduty="warning",
        style="dim",
    ),
}
_SEVERITY_KEYS = ("meaning", "high", "pagerduty", "style", "triage")


def _severities(value: Any, require: Require) -> dict[str, Severity]:
    require(isinstance(value, dict) and bool(value), "'severities' must map names to meanings")
    result = {}
    for name, given in value.items():
        require(isinstance(name, str) and bool(name), "severity names must be text")
        seed = SEED_SEVERITIES.get(name, Severity(name, ""))
        if isinstance(given, str):
            given = {"meaning": given}
        require(
            isinstance(given, dict) and set(given) <= set(_SEVERITY_KEYS),
            f"severity {name} must be a meaning, or a mapping of {', '.join(_SEVERITY_KEYS)}",
        )
        merged = {key: given.get(key, getattr(seed, key)) for key in _SEVERITY_KEYS}
        require(isinstance(merged["high"], bool), f"severity {name}: 'high' must be true or false")
        require(
            merged["pagerduty"] in PAGERDUTY_LEVELS,
            f"severity {name}: 'pagerduty' must be one of {', '.join(PAGERDUTY_LEVELS)}",
        )
        for key in ("meaning", "style"):
            require(isinstance(merged[key], str), f"severity {name}: '{key}' must be text")
        triage = merged["triage"]
        require(
            isinstance(triage, list | tuple) and set(triage) <= set(TRIAGE_ROLES),
            f"severity {name}: 'triage' must be a list drawn from {', '.join(TRIAGE_ROLES)}",
        )
        merged["triage"] = tuple(triage)
        result[name] = Severity(name, **merged)
    return result


def _statuses(value: Any, require: Require) -> dict[str, str]:
    require(set(value) == set(STATUSES), f"'statuses' must describe exactly {', '.join(STATUSES)}")
    return {key: str(meaning) for key, meaning in value.items()}


SERVICE_KEYS = ("squad", "patient_data", "links")


def _services(value: Any, require: Require) -> dict[str, Service]:
    result = {}
    for name, settings in value.items():
        require(
            isinstance(settings, dict) or settings is None,
            f"service {name} maps to settings ({', '.join(SERVICE_KEYS)})",
        )
        settings = settings or {}
        for key in settings:
            if key not in SERVICE_KEYS:
                raise MalformedFileError(_unknown_key(f"services.{name}.", key, list(SERVICE_KEYS)))
        squad = settings.get("squad")
        require(squad is None or isinstance(squad, str), f"service {name}: 'squad' must be text")
        links = settings.get("links", [])
        require(
            isinstance(links, list) and all(isinstance(link, str) for link in links),
            f"service {name}: 'links' must be a list of URLs or text",
        )
        patient_data = settings.get("patient_data", False)
        require(
            isinstance(patient_data, bool), f"service {name}: 'patient_data' must be true or false"
        )
        result[str(name)] = Service(squad or None, patient_data, tuple(links))
    return result


def _positive(key: str) -> Callable[[Any, Require], int]:
    def build(value: Any, require: Require) -> int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        require(ok, f"'{key}' must be a positive whole number")
        return value

    return build


def _comms(value: Any, require: Require) -> Comms:
    for kind in ("internal_update_minutes", "status_page_minutes"):
        cadence = value[kind]
        require(
            isinstance(cadence, dict)
            and all(isinstance(v, int) and v > 0 for v in cadence.values()),
            f"'comms.{kind}' must map severities to minutes",
        )
    require(
        isinstance(value["channel"], str) and bool(value["channel"]), "'comms.channel' must be text"
    )
    url = value["slack_webhook_url"]
    require(url is None or isinstance(url, str), "'comms.slack_webhook_url' must be a URL")
    return Comms(
        channel=value["channel"],
        internal_update_minutes=dict(value["internal_update_minutes"]),
        status_page_minutes=dict(value["status_page_minutes"]),
        slack_webhook_url=url or None,
        message_update_minutes=_positive("comms.message_update_minutes")(
            value["message_update_minutes"], require
        ),
    )


def _postmortem(value: Any, require: Require) -> Postmortem:
    deadlines = value["deadlines"]
    require(isinstance(deadlines, dict), "'postmortem.deadlines' must map severities to rules")
    for severity, rule in deadlines.items():
        require(
            isinstance(rule, dict)
            and len(rule) == 1
            and next(iter(rule)) in ("hours", "business_days")
            and isinstance(next(iter(rule.values())), int),
            f"postmortem deadline for {severity} must be {{hours: N}} or {{business_days: N}}",
        )
    holidays = value["holidays"] or []
    require(isinstance(holidays, list), "'postmortem.holidays' must be a list of YYYY-MM-DD dates")
    days = set()
    for day in holidays:
        try:
            days.add(day if isinstance(day, date) else date.fromisoformat(str(day)))
        except ValueError:
            require(False, f"postmortem holiday {day!r} is not a date (YYYY-MM-DD)")
    minutes = _positive("postmortem.invite_minutes")(value["invite_minutes"], require)
    required = value["require_attendees"]
    require(isinstance(required, bool), "'postmortem.require_attendees' must be true or false")
    return Postmortem(
        deadlines={k: dict(v) for k, v in deadlines.items()},
        holidays=frozenset(days),
        invite_minutes=minutes,
        require_attendees=required,
    )


def _site(value: Any, require: Require) -> Site:
    url = value["url"]
    require(
        url is None or (isinstance(url, str) and url.startswith(("https://", "http://"))),
        "'site.url' must be an http(s) address such as https://acme.github.io/incidents",
    )
    return Site(url=url.rstrip("/") if url else None)


def _checklist(value: Any, require: Require) -> dict[str, str]:
    checklist = {**SEED_CHECKLIST, **(value or {})}
    require(
        all(isinstance(k, str) and k.isidentifier() for k in checklist),
        "checklist keys must be simple names like ticket_updated",
    )
    return {key: str(text) for key, text in checklist.items()}


def _required_sections(value: Any, require: Require) -> list[str]:
    require(
        isinstance(value, list) and all(s in REPORT_SECTIONS for s in value),
        f"'required_sections' must be a list drawn from {', '.join(REPORT_SECTIONS)}",
    )
    return list(value)


def _review(value: Any, require: Require) -> Review:
    last = value["last_reviewed"]
    if last is not None and not isinstance(last, date):
        try:
            last = date.fromisoformat(str(last))
        except ValueError:
            require(False, "'runbook_review.last_reviewed' must be a date (YYYY-MM-DD)")
    return Review(
        last_reviewed=last,
        every_days=_positive("runbook_review.every_days")(value["every_days"], require),
    )


def _sync(value: Any, require: Require) -> Sync:
    require(isinstance(value["auto"], bool), "'sync.auto' must be true or false")
    return Sync(auto=value["auto"])


def _zone_name(value: Any, require: Require) -> str | None:
    if value in (None, ""):
        return None
    try:
        clock.zone(value if isinstance(value, str) else "")
    except UsageError:
        require(False, "'display_timezone' must be an IANA zone name such as Europe/Berlin")
    return value


def _roles(value: Any, require: Require) -> dict[str, str]:
    require(
        isinstance(value, dict)
        and all(isinstance(k, str) and k.isidentifier() and k not in TRIAGE_ROLES for k in value)
        and all(isinstance(v, str) and v for v in value.values()),
        "'roles' maps simple names (like scribe) to titles; commander and comms_lead are built in",
    )
    return dict(value)


# The regulatory clocks a US healthcare company lives by: the HIPAA Breach Notification Rule,
# 45 CFR 164.404-408, counted from discovery. Guidance for the team, not legal advice.
HIPAA_CLOCKS = {
    "individuals": {
        "what": "notify the affected individuals without unreasonable delay (45 CFR 164.404)",
        "within": {"days": 60},
    },
    "hhs": {
        "what": "notify the HHS Secretary (45 CFR 164.408(b))",
        "within": {"days": 60},
        "min_people": 500,
    },
    "hhs-log": {
        "what": "report the breach in the yearly log to the HHS Secretary (45 CFR 164.408(c))",
        "within": {"days_after_year_end": 60},
        "max_people": 499,
    },
    "media": {
        "what": "notify prominent media outlets where more than 500 residents of a state or "
        "jurisdiction are affected (45 CFR 164.406)",
        "within": {"days": 60},
        "min_people": 501,
    },
}
REGULATED_CHECKLIST = {
    "breach_risk_assessment": "Breach risk assessment documented (45 CFR 164.402).",
    "notifications_done": "Notifications sent, or documented as not required.",
}
CLOCK_UNITS = ("hours", "days", "days_after_year_end")


def _regulatory(value: Any, require: Require) -> Regulatory:
    asked = value["ask_data_affected"]
    require(
        isinstance(asked, list) and all(isinstance(s, str) for s in asked),
        "'regulatory.ask_data_affected' must be a list of severities",
    )
    minutes = _positive("regulatory.answer_within_minutes")(value["answer_within_minutes"], require)
    clocks = {}
    for name, rule in (value["clocks"] or {}).items():
        if rule is None:  # a default clock switched off
            continue
        within = rule.get("within") if isinstance(rule, dict) else None
        require(
            isinstance(rule, dict)
            and isinstance(rule.get("what"), str)
            and isinstance(within, dict)
            and len(within) == 1
            and next(iter(within)) in CLOCK_UNITS
            and isinstance(next(iter(within.values())), int)
            and set(rule) <= {"what", "within", "min_people", "max_people"},
            f"regulatory clock {name} needs 'what' and 'within' ({{hours: N}}, {{days: N}} or "
            "{days_after_year_end: N}), optionally min_people and max_people",
        )
        for bound in ("min_people", "max_people"):
            require(
                rule.get(bound) is None or isinstance(rule.get(bound), int),
                f"regulatory clock {name}: '{bound}' must be a whole number",
            )
        clocks[str(name)] = Clock(
            str(name), rule["what"], dict(within), rule.get("min_people"), rule.get("max_people")
        )
    items = {**REGULATED_CHECKLIST, **(value["checklist_items"] or {})}
    require(
        all(isinstance(k, str) and k.isidentifier() for k in items),
        "'regulatory.checklist_items' keys must be simple names like breach_risk_assessment",
    )
    return Regulatory(tuple(asked), minutes, clocks, {k: str(v) for k, v in items.items()})


def _text_or_none(value: Any, where: str, require: Require) -> str | None:
    require(value is None or isinstance(value, str), f"'{where}' must be text")
    return value or None


def _id_or_none(value: Any, where: str, require: Require) -> str | None:
    """An outside system's id: text, or a number YAML read from an id of digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _text_or_none(value, where, require)


def _components(value: Any, require: Require) -> dict[str, str]:
    """Statuspage's component id of each service."""
    where = "integrations.statuspage.components"
    require(value is None or isinstance(value, dict), f"'{where}' must map services to ids")
    found: dict[str, str] = {}
    for name, given in (value or {}).items():
        component = _id_or_none(given, where, require)
        require(component is not None, f"'{where}' must map services to ids")
        found[str(name)] = str(component)
    return found


def _text_map(value: Any, where: str, what: str, require: Require) -> dict[str, str]:
    require(
        isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
        f"'{where}' must map {what}",
    )
    return {str(key): text for key, text in value.items()}


def _sensitive_data(value: Any, require: Require) -> SensitiveData:
    disabled = value["disabled"] or []
    require(
        isinstance(disabled, list) and all(isinstance(name, str) for name in disabled),
        "'sensitive_data.disabled' must be a list of built-in pattern names",
    )
    number = value["medical_record_number"]
    require(
        number is None or isinstance(number, str),
        "'sensitive_data.medical_record_number' must be a pattern (a regular expression)",
    )
    extra = _text_map(value["extra"] or {}, "sensitive_data.extra", "names to patterns", require)
    return SensitiveData(tuple(disabled), number or None, extra)


def _integrations(value: Any, require: Require) -> Integrations:
    page = value["statuspage"]
    for key, allowed in (
        ("impact", vendor.STATUSPAGE_IMPACTS),
        ("component_status", vendor.STATUSPAGE_COMPONENT_STATUSES),
    ):
        mapping = page[key]
        require(
            isinstance(mapping, dict) and all(v in allowed for v in mapping.values()),
            f"'integrations.statuspage.{key}' must map severities to one of {', '.join(allowed)}",
        )
    jira, linear = value["jira"], value["linear"]
    issue_type = jira["issue_type"]
    require(
        isinstance(issue_type, str) and bool(issue_type.strip()),
        "'integrations.jira.issue_type' must be the name of an issue type, such as Task",
    )
    return Integrations(
        statuspage=Statuspage(
            page_id=_id_or_none(page["page_id"], "integrations.statuspage.page_id", require),
            components=_components(page["components"], require),
            impact=dict(page["impact"]),
            component_status=dict(page["component_status"]),
        ),
        jira=Jira(
            url=_text_or_none(jira["url"], "integrations.jira.url", require),
            project=_text_or_none(jira["project"], "integrations.jira.project", require),
            issue_type=issue_type.strip(),
        ),
        linear=Linear(_id_or_none(linear["team_id"], "integrations.linear.team_id", require)),
    )


def _capture(value: Any, require: Require) -> Capture:
    require(
        isinstance(value["slack_reaction"], str) and value["slack_reaction"].strip(":"),
        "'capture.slack_reaction' must be a reaction name like pushpin",
    )
    return Capture(
        slack_reaction=value["slack_reaction"].strip(":"),
        interval_seconds=_positive("capture.interval_seconds")(value["interval_seconds"], require),
        max_polls=_positive("capture.max_polls")(value["max_polls"], require),
    )


SETTINGS: dict[str, Setting] = {
    "severities": Setting(
        {name: s.meaning for name, s in SEED_SEVERITIES.items()},
        "Severity levels and their meanings (the runbook's 'Severity Levels'). A level may also "
        "be a mapping: meaning, high (the gravest levels), pagerduty (level), style (terminal), "
        "triage (roles an open incident needs; default [commander, comms_lead], one person may "
        "hold both).",
        _severities,
        merge="whole",
    ),
    "statuses": Setting(
        {
            "investigating": "Impact confirmed; looking for the cause.",
            "identified": "Cause found; working on the fix.",
            "mitigated": "Impact contained (flag off, rollback, scaling); watching.",
            "resolved": "Service restored and confirmed by monitoring and functional checks.",
            "closed": "Report complete and post-incident checklist done.",
            "cancelled": "A false alarm: no incident after all (runbook cancel).",
        },
        "The incident lifecycle; only the meanings may change.",
        _statuses,
    ),
    "services": Setting(
        {
            "appointment-service": {"squad": "Patient Platform", "patient_data": True},
            "patient-web": {"squad": "Patient Platform", "patient_data": True},
            "doctor-hub": {"squad": "Doctor Hub", "patient_data": True},
            "admin-console": {"squad": "Admin Console"},
        },
        "Known services, the squad that owns each, whether it holds patient data (patient_data: "
        "true: its incidents must answer 'is user data affected?'), and links (dashboards, log "
        "queries) that declare writes into Attachments; other names are accepted too.",
        _services,
        merge="free",
    ),
    "ack_target_minutes": Setting(
        5, "On-call acknowledges within this many minutes.", _positive("ack_target_minutes")
    ),
    "display_timezone": Setting(
        None,
        "Zone that typed clock times (23:59, 3am) are read in and times are shown in, e.g. "
        "Europe/Berlin; empty: the system's (TZ). Files always store UTC.",
        _zone_name,
    ),
    "roles": Setting(
        {"scribe": "Scribe", "operations_lead": "Operations Lead"},
        "Roles beyond the Incident Commander and Communications Lead "
        "(runbook assign --role scribe=NAME).",
        _roles,
        merge="free",
    ),
    "regulatory": Setting(
        {
            "ask_data_affected": ["SEV-0"],
            "answer_within_minutes": 15,
            "clocks": HIPAA_CLOCKS,
            "checklist_items": dict(REGULATED_CHECKLIST),
        },
        "User data affected: the severities that must answer the question (services with "
        "patient_data: true always do) and how soon; the clocks from discovery (default: the HIPAA "
        "Breach Notification Rule, 45 CFR 164.404-408; a team under GDPR adds gdpr: {what: notify "
        "the supervisory authority (GDPR Art. 33), within: {hours: 72}}; null switches one off); "
        "the extra checklist items. Guidance, not legal advice.",
        _regulatory,
    ),
    "comms": Setting(
        {
            "channel": "#incident-war-room",
            "internal_update_minutes": {"SEV-0": 15, "SEV-1": 15},
            "status_page_minutes": {"SEV-0": 30, "SEV-1": 30},
            "slack_webhook_url": None,
            "message_update_minutes": 30,
        },
        "The war-room channel; update cadences in minutes per severity; the Slack "
        "incoming-webhook URL (better: RUNBOOK_SLACK_WEBHOOK_URL); the next update messages "
        "promise for severities without a cadence.",
        _comms,
    ),
    "postmortem": Setting(
        {
            "deadlines": {
                "SEV-0": {"hours": 48},
                "SEV-1": {"hours": 48},
                "SEV-2": {"business_days": 5},
            },
            "holidays": [],
            "invite_minutes": 60,
            "require_attendees": True,
        },
        "Post-mortem deadlines after resolution (SEV-3: none). Holidays are YYYY-MM-DD. The "
        "calendar invite `postmortem schedule` writes: the meeting's length in minutes, and "
        "whether it needs --attendee.",
        _postmortem,
    ),
    "checklist": Setting(
        dict(SEED_CHECKLIST),
        "Post-incident checklist; the five seed items always exist, add your own.",
        _checklist,
        merge="free",
    ),
    "required_sections": Setting(
        [s for s in REPORT_SECTIONS if s != "Attachments"],
        "Report sections that must hold real text before an incident is resolved.",
        _required_sections,
    ),
    "lock_timeout_seconds": Setting(
        10,
        "How long a command waits for another runbook command in this repo.",
        _positive("lock_timeout_seconds"),
    ),
    "runbook_review": Setting(
        {"last_reviewed": None, "every_days": 91},
        "Review the runbook quarterly or after any SEV-0: set last_reviewed (YYYY-MM-DD) when you "
        "do.",
        _review,
    ),
    "sensitive_data": Setting(
        {"disabled": [], "medical_record_number": None, "extra": {}},
        "Credentials and patient data are refused in incident files. Disable built-in patterns "
        "by name, set your medical record number format, add your own (name: regex).",
        _sensitive_data,
    ),
    "sync": Setting(
        {"auto": False},
        "auto: true shares every change with the team's remote right after it is committed "
        "(as runbook --sync does).",
        _sync,
    ),
    "integrations": Setting(
        {
            "statuspage": {
                "page_id": None,
                "components": {},
                "impact": {
                    "SEV-0": "critical",
                    "SEV-1": "major",
                    "SEV-2": "minor",
                    "SEV-3": "none",
                },
                "component_status": {
                    "SEV-0": "major_outage",
                    "SEV-1": "partial_outage",
                    "SEV-2": "degraded_performance",
                    "SEV-3": "degraded_performance",
                },
            },
            "jira": {"url": None, "project": None, "issue_type": "Task"},
            "linear": {"team_id": None},
        },
        "Outside systems (secrets stay in RUNBOOK_* environment variables): Statuspage page and "
        "component ids per service, the incident impact and component status per severity, "
        "Jira site and project, Linear team.",
        _integrations,
    ),
    "site": Setting(
        {"url": None},
        "Where the static site (runbook site) is published, e.g. https://acme.github.io/incidents; "
        "post-mortem invites then link the incident's page there.",
        _site,
    ),
    "capture": Setting(
        {"slack_reaction": "pushpin", "interval_seconds": 60, "max_polls": 240},
        "runbook capture: the Slack reaction that marks a message for the record (pinned "
        "messages always are), and how often and how many times --follow polls.",
        _capture,
    ),
}

# Mappings below the top level whose keys are the team's own: added to the defaults, not checked.
_FREE_FORM = {
    "internal_update_minutes",
    "status_page_minutes",
    "deadlines",
    "extra",
    "components",
    "clocks",
    "checklist_items",
    "impact",
    "component_status",
}

DEFAULTS: dict = {key: setting.default for key, setting in SETTINGS.items()}


def defaults() -> Config:
    return _build(DEFAULTS, "(defaults)")


def parse(text: str, source: str = CONFIG_PATH) -> Config:
    """A config file's text, checked against SETTINGS and merged with the defaults."""
    try:
        data = yamlio.load(text) or {}
    except yamlio.YamlError as error:
        raise MalformedFileError(f"{source} {error}; fix the YAML.") from None
    if not isinstance(data, dict):
        raise MalformedFileError(f"{source} must be a mapping of settings; fix the file.")
    merged = dict(DEFAULTS)
    for key, value in data.items():
        if key not in SETTINGS:
            raise MalformedFileError(_unknown_key("", key, list(SETTINGS)))
        merged[key] = _merge_value(SETTINGS[key].default, value, key, SETTINGS[key].merge)
    return _build(merged, source)


def _merge_value(default: Any, value: Any, where: str, how: str) -> Any:
    if how == "whole" or not isinstance(default, dict):
        return value
    if not isinstance(value, dict):
        raise MalformedFileError(f"{CONFIG_PATH}: '{where}' must be a mapping; fix the file.")
    if how == "free":
        return {**default, **value}
    merged = dict(default)
    for key, given in value.items():
        if key not in default:
            raise MalformedFileError(_unknown_key(f"{where}.", key, list(default)))
        merged[key] = _merge_value(
            default[key], given, f"{where}.{key}", "free" if key in _FREE_FORM else "nested"
        )
    return merged


def _unknown_key(where: str, key: str, known: list[str]) -> str:
    hint = difflib.get_close_matches(str(key), known, n=1)
    suggestion = (
        f" Did you mean '{where}{hint[0]}'?" if hint else f" Known keys: {', '.join(known)}."
    )
    return f"{CONFIG_PATH}: unknown setting '{where}{key}'.{suggestion}"


def _build(data: dict, source: str) -> Config:
    def require(condition: bool, message: str) -> None:
        if not condition:
            raise MalformedFileError(f"{source}: {message}; fix the file.")

    built = {key: setting.build(data[key], require) for key, setting in SETTINGS.items()}
    return Config(**built)


def default_text() -> str:
    """The config file `init` writes: the seed's values, with a note on each part."""
    parts = [
        "# runbook configuration. Defaults come from the company incident-response runbook.\n"
        "# Unknown keys are refused with a hint, so a typo never silently falls back to a "
        "default.\n",
    ]
    for key, setting in SETTINGS.items():
        parts.append(f"\n# {setting.note}\n{yamlio.dump({key: setting.default})}")
    return "".join(parts)
