"""The incident's structured facts (the front matter): schema, validation and key order. Pure."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from runbook_cli.domain import clock, document
from runbook_cli.domain.config import STATUSES, Config
from runbook_cli.domain.layout import ID_PATTERN

LIFECYCLE_TIMESTAMPS = (
    "detected_at",
    "acknowledged_at",
    "started_at",
    "identified_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
)
TIMESTAMP_FIELDS = (
    *LIFECYCLE_TIMESTAMPS,
    "data_discovered_at",
    "severity_changed_at",
    "roles_changed_at",
    "last_internal_update_at",
    "last_status_page_update_at",
)
STATUS_TIMESTAMP = {
    "identified": "identified_at",
    "mitigated": "mitigated_at",
    "resolved": "resolved_at",
    "closed": "closed_at",
}

# The order keys are written in: identity, state, people, times, resolution, follow-up.
FIELD_ORDER = (
    "id",
    "title",
    "severity",
    "status",
    "services",
    "data_affected",
    "data_discovered_at",
    "patients_affected",
    "appointments_failed",
    "appointments_missed",
    "detection",
    "tags",
    "related",
    "duplicate_of",
    "commander",
    "comms_lead",
    "roles",
    "responders",
    "role_history",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "acknowledged_by",
    "identified_at",
    "mitigated_at",
    "resolved_at",
    "closed_at",
    "severity_changed_at",
    "roles_changed_at",
    "last_internal_update_at",
    "last_status_page_update_at",
    "escalated",
    "notifications",
    "integrations",
    "root_cause_hypothesis",
    "remaining_risks",
    "close_reason",
    "checklist",
    "action_items",
    "postmortem",
)
# Written only when they hold something, so files from before they existed stay byte-identical.
OPTIONAL_FIELDS = (
    "data_discovered_at",
    "patients_affected",
    "appointments_failed",
    "appointments_missed",
    "detection",
    "tags",
    "related",
    "duplicate_of",
    "roles",
    "responders",
    "role_history",
    "notifications",
)
IMPACT_LABELS = {
    "patients_affected": "Patients affected",
    "appointments_failed": "Appointments failed",
    "appointments_missed": "Appointments missed",
}
IMPACT_FIELDS = tuple(IMPACT_LABELS)
DETECTION_METHODS = ("alert", "user-report", "other")
BEFORE_IMPACT = "(before impact)"
"""How a timeline entry from before the impact started is marked wherever it is shown."""
BEFORE_IMPACT_LIMIT = timedelta(days=30)
"""How far before the impact start a timeline entry may go: older is taken for a typo."""

_KNOWN_FIELDS = frozenset(FIELD_ORDER)
REQUIRED_FIELDS = ("id", "title", "severity", "status", "services", "started_at")
ACTION_FIELDS = ("id", "title", "owner", "due", "done", "tracker")
_ACTION_KEYS = frozenset(ACTION_FIELDS)


@dataclass
class ActionItem:
    """A follow-up action item of an incident."""

    id: int
    title: str
    owner: str
    due: date
    done: bool = False
    tracker: dict | None = None  # {"system": "jira", "key": "OPS-12", "url": ...} once exported

    def to_meta(self) -> dict:
        meta = {
            "id": self.id,
            "title": self.title,
            "owner": self.owner,
            "due": self.due.isoformat(),
            "done": self.done,
        }
        if self.tracker:
            meta["tracker"] = dict(self.tracker)
        return meta


@dataclass
class Incident:
    """An incident's front matter, typed."""

    id: int
    title: str
    severity: str
    started_at: datetime
    services: list[str]
    status: str = "investigating"
    data_affected: bool | None = None  # None: not answered yet
    data_discovered_at: datetime | None = None  # when user data was found affected
    patients_affected: int | None = None
    appointments_failed: int | None = None
    appointments_missed: int | None = None
    detection: str | None = None  # alert, user-report or other
    tags: list[str] = field(default_factory=list)
    related: list[int] = field(default_factory=list)
    duplicate_of: int | None = None
    commander: str | None = None
    comms_lead: str | None = None
    roles: dict[str, str] = field(default_factory=dict)  # extra roles from the config: scribe…
    responders: list[str] = field(default_factory=list)
    role_history: list[dict] = field(default_factory=list)  # {role, name, from, to}
    detected_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    identified_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    severity_changed_at: datetime | None = None
    roles_changed_at: datetime | None = None
    last_internal_update_at: datetime | None = None
    last_status_page_update_at: datetime | None = None
    escalated: dict[str, datetime] = field(
        default_factory=dict
    )  # escalation role -> when it was done
    notifications: dict[str, dict] = field(default_factory=dict)  # clock -> {at, outcome}
    integrations: dict = field(default_factory=dict)  # outside systems' ids: pagerduty, statuspage
    root_cause_hypothesis: str | None = None
    remaining_risks: str | None = None
    close_reason: str | None = None
    checklist: dict[str, bool] = field(default_factory=dict)
    action_items: list[ActionItem] = field(default_factory=list)
    postmortem_due: datetime | None = None
    postmortem_scheduled_at: datetime | None = None
    postmortem_attendees: list[str] = field(default_factory=list)

    def before_impact(self, at: datetime) -> bool:
        """A timeline time before the impact started: the deploy that caused it, say. Such
        entries are allowed and shown marked (BEFORE_IMPACT)."""
        return at < self.started_at

    @property
    def is_open(self) -> bool:
        return self.status not in ("resolved", "closed", "cancelled")

    @property
    def is_closed(self) -> bool:
        """Closed or cancelled: only reopening changes it."""
        return self.status in ("closed", "cancelled")

    @property
    def date(self) -> date:
        return self.started_at.date()

    def to_meta(self) -> dict:
        """The front matter, in FIELD_ORDER, timestamps as quoted ISO-8601 UTC strings."""
        meta: dict = {}
        for name in FIELD_ORDER:
            if name in OPTIONAL_FIELDS and getattr(self, name) in (None, [], {}):
                continue
            if name == "action_items":
                meta[name] = [item.to_meta() for item in self.action_items]
            elif name == "postmortem":
                meta[name] = {
                    "due": _stored(self.postmortem_due),
                    "scheduled_at": _stored(self.postmortem_scheduled_at),
                }
                if self.postmortem_attendees:
                    meta[name]["attendees"] = list(self.postmortem_attendees)
            elif name == "checklist":
                meta[name] = dict(self.checklist)
            elif name == "integrations":
                meta[name] = {system: dict(ids) for system, ids in self.integrations.items()}
            elif name == "escalated":
                meta[name] = {role: _stored(at) for role, at in self.escalated.items()}
            elif name in ("notifications", "roles"):
                meta[name] = {key: _copy(value) for key, value in getattr(self, name).items()}
            elif name == "role_history":
                meta[name] = [dict(held) for held in self.role_history]
            else:
                value = getattr(self, name)
                meta[name] = _stored(value) if isinstance(value, datetime) else value
                if isinstance(value, list):
                    meta[name] = list(value)
        return meta


def status_label(status: str, duplicate_of: int | None) -> str:
    """The status as lists and pages say it: a closed duplicate names its original."""
    return f"duplicate of {duplicate_of}" if duplicate_of is not None else status


def _copy(value: object) -> object:
    return dict(value) if isinstance(value, dict) else value


def _stored(value: datetime | None) -> str | None:
    return clock.format_stored(value) if value else None


class SchemaError(ValueError):
    """The front matter breaks the schema; `field` names where (for line numbers)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def from_meta(meta: object, config: Config) -> Incident:
    """Validate front matter and build the Incident; raise SchemaError on the first problem."""
    if not isinstance(meta, dict):
        raise SchemaError("", "the front matter must be a mapping of fields")
    if not _KNOWN_FIELDS.issuperset(meta):
        key = str(next(k for k in meta if k not in _KNOWN_FIELDS))
        hint = difflib.get_close_matches(key, FIELD_ORDER, n=1)
        raise SchemaError(
            key, f"unknown field '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
        )
    for name in REQUIRED_FIELDS:
        value = meta.get(name)
        if value is None or value == "" or value == []:
            raise SchemaError(name, f"the field '{name}' is required")

    incident_id = meta["id"]
    if (
        isinstance(incident_id, bool)
        or not isinstance(incident_id, int)
        or not ID_PATTERN.match(str(incident_id))
    ):
        raise SchemaError("id", f"'id' must be a positive whole number, not {incident_id!r}")
    severity = meta["severity"]
    if severity not in config.severities:
        raise SchemaError(
            "severity", f"unknown severity {severity!r} (valid: {', '.join(config.severities)})"
        )
    status = meta["status"]
    if status not in STATUSES:
        raise SchemaError("status", f"unknown status {status!r} (valid: {', '.join(STATUSES)})")
    services = meta["services"]
    if not isinstance(services, list) or not all(isinstance(s, str) and s for s in services):
        raise SchemaError("services", "'services' must be a list of service names")

    values: dict = {}
    for name in (
        "title",
        "commander",
        "comms_lead",
        "acknowledged_by",
        "root_cause_hypothesis",
        "remaining_risks",
        "close_reason",
    ):
        value = meta.get(name)
        if value is not None and not isinstance(value, str):
            raise SchemaError(name, f"'{name}' must be text")
        values[name] = value
    data_affected = meta.get("data_affected")
    if data_affected is not None and not isinstance(data_affected, bool):
        raise SchemaError(
            "data_affected",
            f"'data_affected' must be true, false or null (not answered), not {data_affected!r}",
        )
    for name in IMPACT_FIELDS:
        number = meta.get(name)
        if number is not None and (
            isinstance(number, bool) or not isinstance(number, int) or number < 0
        ):
            raise SchemaError(name, f"'{name}' must be a whole number of 0 or more")
        values[name] = number
    detection = meta.get("detection")
    if detection is not None and detection not in DETECTION_METHODS:
        raise SchemaError("detection", f"'detection' must be one of {', '.join(DETECTION_METHODS)}")
    values["detection"] = detection
    values["tags"] = _text_list(meta, "tags")
    values["responders"] = _text_list(meta, "responders")
    related = meta.get("related") or []
    if not isinstance(related, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in related
    ):
        raise SchemaError("related", "'related' must be a list of incident ids")
    values["related"] = list(related)
    duplicate_of = meta.get("duplicate_of")
    if duplicate_of is not None and (
        isinstance(duplicate_of, bool) or not isinstance(duplicate_of, int) or duplicate_of < 1
    ):
        raise SchemaError("duplicate_of", "'duplicate_of' must be an incident id")
    values["duplicate_of"] = duplicate_of
    roles = meta.get("roles") or {}
    if not isinstance(roles, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in roles.items()
    ):
        raise SchemaError("roles", "'roles' must map role names to people")
    values["roles"] = dict(roles)
    history = meta.get("role_history") or []
    if not isinstance(history, list) or not all(
        isinstance(held, dict)
        and set(held) <= {"role", "name", "from", "to"}
        and all(isinstance(held.get(key), str) and held[key] for key in ("role", "name"))
        for held in history
    ):
        raise SchemaError("role_history", "'role_history' lists {role, name, from, to}")
    for held in history:
        for key in ("from", "to"):
            _timestamp(held.get(key), "role_history")
    values["role_history"] = [dict(held) for held in history]
    notifications = meta.get("notifications") or {}
    if not isinstance(notifications, dict) or not all(
        isinstance(v, dict) and set(v) <= {"at", "outcome"} for v in notifications.values()
    ):
        raise SchemaError("notifications", "'notifications' maps each clock to {at, outcome}")
    values["notifications"] = {str(k): dict(v) for k, v in notifications.items()}
    for name in TIMESTAMP_FIELDS:
        value = meta.get(name)
        values[name] = None if value is None else _timestamp(value, name)

    checklist = meta.get("checklist") or {}
    if not isinstance(checklist, dict) or not all(isinstance(v, bool) for v in checklist.values()):
        raise SchemaError("checklist", "'checklist' must map item keys to true or false")
    items = config.checklist_for(data_affected is True)
    every_item = config.checklist_for(True)
    unknown_items = [k for k in checklist if k not in every_item]
    if unknown_items:
        raise SchemaError(
            "checklist",
            f"unknown checklist item '{unknown_items[0]}' (valid: {', '.join(items)})",
        )

    escalated = meta.get("escalated") or {}
    if not isinstance(escalated, dict) or not all(isinstance(role, str) for role in escalated):
        raise SchemaError("escalated", "'escalated' must map escalation roles to times")

    integrations = meta.get("integrations") or {}
    if not isinstance(integrations, dict) or not all(
        isinstance(v, dict) for v in integrations.values()
    ):
        raise SchemaError("integrations", "'integrations' must map each outside system to its ids")

    postmortem = meta.get("postmortem") or {}
    if not isinstance(postmortem, dict) or set(postmortem) - {"due", "scheduled_at", "attendees"}:
        raise SchemaError(
            "postmortem", "'postmortem' holds only 'due', 'scheduled_at' and 'attendees'"
        )
    attendees = _text_list(postmortem, "attendees")

    return Incident(
        id=incident_id,
        severity=severity,
        status=status,
        services=list(services),
        data_affected=data_affected,
        checklist={key: bool(checklist.get(key, False)) for key in items},
        action_items=_action_items(meta.get("action_items") or []),
        escalated={role: _timestamp(at, "escalated") for role, at in escalated.items()},
        integrations={system: dict(ids) for system, ids in integrations.items()},
        postmortem_due=_timestamp(postmortem.get("due"), "postmortem"),
        postmortem_scheduled_at=_timestamp(postmortem.get("scheduled_at"), "postmortem"),
        postmortem_attendees=attendees,
        **values,
    )


def _text_list(meta: dict, name: str) -> list[str]:
    value = meta.get(name) or []
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise SchemaError(name, f"'{name}' must be a list of names")
    return list(value)


def _timestamp(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise SchemaError(
            name, f"'{name}' must be a quoted ISO-8601 time such as '2026-11-26T10:02:00Z'"
        )
    try:
        return clock.parse_stored(value)
    except ValueError as error:
        if str(error) == clock.OUT_OF_RANGE:
            raise SchemaError(name, f"'{name}' ({value!r}) is {error}") from None
        raise SchemaError(
            name, f"'{name}' is not an ISO-8601 time with a zone: {value!r}"
        ) from None


def _action_items(items: object) -> list[ActionItem]:
    if not isinstance(items, list):
        raise SchemaError("action_items", "'action_items' must be a list")
    result = []
    for item in items:
        if not isinstance(item, dict) or not _ACTION_KEYS.issuperset(item):
            raise SchemaError("action_items", f"each action item holds {', '.join(ACTION_FIELDS)}")
        try:
            due = date.fromisoformat(str(item.get("due")))
        except ValueError:
            raise SchemaError(
                "action_items", f"action item {item.get('id')}: 'due' must be a date YYYY-MM-DD"
            ) from None
        if not isinstance(item.get("id"), int) or not item.get("title") or not item.get("owner"):
            raise SchemaError("action_items", "each action item needs an id, a title and an owner")
        tracker = item.get("tracker")
        if tracker is not None and not isinstance(tracker, dict):
            raise SchemaError(
                "action_items",
                f"action item {item['id']}: 'tracker' must hold the exported issue's system, key "
                "and url",
            )
        result.append(
            ActionItem(
                item["id"],
                str(item["title"]),
                str(item["owner"]),
                due,
                bool(item.get("done", False)),
                tracker,
            )
        )
    return result


@dataclass
class Loaded:
    """An incident read from disk: its file, its text document and its validated facts."""

    path: Path
    doc: document.Document
    incident: Incident
    raw: bytes
