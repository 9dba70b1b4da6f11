"""Repository configuration: docs/runbooks/config.yml, with the seed runbook's values as defaults."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from runbook_cli.domain import yamlio
from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.errors import MalformedFileError

STATUSES = ("investigating", "identified", "mitigated", "resolved", "closed")
OPEN_STATUSES = STATUSES[:3]

SEED_CHECKLIST = {
    "ticket_updated": "Incident ticket updated with final resolution summary.",
    "status_page_resolved": "Status page resolved and communication archived.",
    "postmortem_scheduled": "Post-mortem scheduled and invite sent.",
    "action_items_created": "Action items created in tracking tool with owners.",
    "metrics_updated": "Metrics updated (MTTR, incident count).",
}

REPORT_SECTIONS = (
    "Summary",
    "Timeline",
    "Root Cause",
    "Detection",
    "Resolution & Recovery",
    "Preventive Actions",
    "Attachments",
)

DEFAULTS: dict = {
    "severities": {
        "SEV-0": "Critical: outage or data breach with regulatory impact.",
        "SEV-1": "Major: core booking or consult workflow degraded for majority of users.",
        "SEV-2": "Moderate: partial feature impact, performance degradation, or limited geography.",
        "SEV-3": "Minor: cosmetic issues, single-customer impact, or mitigated alert.",
    },
    "statuses": {
        "investigating": "Impact confirmed; looking for the cause.",
        "identified": "Cause found; working on the fix.",
        "mitigated": "Impact contained (flag off, rollback, scaling); watching.",
        "resolved": "Service restored and confirmed by monitoring and functional checks.",
        "closed": "Report complete and post-incident checklist done.",
    },
    "services": {
        "appointment-service": {"squad": "Patient Platform"},
        "patient-web": {"squad": "Patient Platform"},
        "doctor-hub": {"squad": "Doctor Hub"},
        "admin-console": {"squad": "Admin Console"},
    },
    "ack_target_minutes": 5,
    "comms": {
        "channel": "#incident-war-room",
        "internal_update_minutes": {"SEV-0": 15, "SEV-1": 15},
        "status_page_minutes": {"SEV-0": 30, "SEV-1": 30},
        "slack_webhook_url": None,
    },
    "postmortem": {
        "deadlines": {
            "SEV-0": {"hours": 48},
            "SEV-1": {"hours": 48},
            "SEV-2": {"business_days": 5},
        },
        "holidays": [],
    },
    "checklist": dict(SEED_CHECKLIST),
    "required_sections": [s for s in REPORT_SECTIONS if s != "Attachments"],
    "lock_timeout_seconds": 10,
    "runbook_review": {"last_reviewed": None, "every_days": 91},
    "sensitive_data": {"disabled": [], "medical_record_number": None, "extra": {}},
    "sync": {"auto": False},
    "integrations": {
        "statuspage": {"page_id": None, "components": {}},
        "jira": {"url": None, "project": None, "issue_type": "Task"},
        "linear": {"team_id": None},
    },
}


@dataclass(frozen=True)
class Config:
    severities: dict[str, str]
    statuses: dict[str, str]
    services: dict[str, dict]
    ack_target_minutes: int
    comms: dict
    postmortem: dict
    checklist: dict[str, str]
    required_sections: list[str]
    lock_timeout_seconds: int
    runbook_review: dict
    sensitive_data: dict
    sync: dict
    integrations: dict
    source: str = field(default="(defaults)", compare=False)

    @property
    def severity_names(self) -> list[str]:
        return list(self.severities)


def defaults() -> Config:
    return _build(DEFAULTS, "(defaults)")


def load(root: Path) -> Config:
    """The repository's config, or the defaults when the repository has none yet."""
    path = root / CONFIG_PATH
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return defaults()
    except (OSError, UnicodeDecodeError) as error:
        raise MalformedFileError(
            f"cannot read {CONFIG_PATH}: {error}; fix or restore the file."
        ) from None
    try:
        data = yamlio.load(text) or {}
    except yamlio.YamlError as error:
        raise MalformedFileError(f"{CONFIG_PATH} {error}; fix the YAML.") from None
    if not isinstance(data, dict):
        raise MalformedFileError(f"{CONFIG_PATH} must be a mapping of settings; fix the file.")
    return _build(_merge(DEFAULTS, data, ""), CONFIG_PATH)


def _merge(defaults: dict, given: dict, where: str) -> dict:
    merged = dict(defaults)
    for key, value in given.items():
        if key not in defaults:
            raise MalformedFileError(_unknown_key(where, key, list(defaults)))
        if isinstance(defaults[key], dict) and key not in _REPLACED_WHOLE:
            if not isinstance(value, dict):
                raise MalformedFileError(
                    f"{CONFIG_PATH}: '{where}{key}' must be a mapping; fix the file."
                )
            merged[key] = (
                {**defaults[key], **value}
                if key in _FREE_FORM
                else _merge(defaults[key], value, f"{where}{key}.")
            )
        else:
            merged[key] = value
    return merged


# Mappings whose keys are the team's own (service names, extra checklist items): added, not checked.
_FREE_FORM = {
    "services",
    "checklist",
    "internal_update_minutes",
    "status_page_minutes",
    "deadlines",
    "extra",
    "components",
}
# Mappings a repository states in full: severities are replaced, not merged with the seed's.
_REPLACED_WHOLE = {"severities"}


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

    severities = data["severities"]
    require(isinstance(severities, dict) and severities, "'severities' must map names to meanings")
    require(all(isinstance(k, str) and k for k in severities), "severity names must be text")
    require(
        set(data["statuses"]) == set(STATUSES),
        f"'statuses' must describe exactly {', '.join(STATUSES)}",
    )
    services = data["services"]
    require(
        all(isinstance(v, dict) or v is None for v in services.values()),
        "each service maps to settings such as squad",
    )
    require(
        isinstance(data["ack_target_minutes"], int) and data["ack_target_minutes"] > 0,
        "'ack_target_minutes' must be a positive whole number",
    )
    require(
        isinstance(data["lock_timeout_seconds"], int) and data["lock_timeout_seconds"] > 0,
        "'lock_timeout_seconds' must be a positive whole number",
    )
    checklist = {**SEED_CHECKLIST, **(data["checklist"] or {})}
    require(
        all(isinstance(k, str) and k.isidentifier() for k in checklist),
        "checklist keys must be simple names like ticket_updated",
    )
    sections = data["required_sections"]
    require(
        isinstance(sections, list) and all(s in REPORT_SECTIONS for s in sections),
        f"'required_sections' must be a list drawn from {', '.join(REPORT_SECTIONS)}",
    )
    for kind in ("internal_update_minutes", "status_page_minutes"):
        cadence = data["comms"].get(kind) or {}
        require(
            isinstance(cadence, dict)
            and all(isinstance(v, int) and v > 0 for v in cadence.values()),
            f"'comms.{kind}' must map severities to minutes",
        )
    for name, settings in services.items():
        links = (settings or {}).get("links", [])
        require(
            isinstance(links, list) and all(isinstance(link, str) for link in links),
            f"service {name}: 'links' must be a list of URLs or text",
        )
    for severity, rule in (data["postmortem"].get("deadlines") or {}).items():
        require(
            isinstance(rule, dict)
            and len(rule) == 1
            and next(iter(rule)) in ("hours", "business_days"),
            f"postmortem deadline for {severity} must be {{hours: N}} or {{business_days: N}}",
        )
    return Config(
        severities={str(k): str(v) for k, v in severities.items()},
        statuses=dict(data["statuses"]),
        services={k: dict(v or {}) for k, v in services.items()},
        ack_target_minutes=data["ack_target_minutes"],
        comms=data["comms"],
        postmortem=data["postmortem"],
        checklist=checklist,
        required_sections=list(sections),
        lock_timeout_seconds=data["lock_timeout_seconds"],
        runbook_review=data["runbook_review"],
        sensitive_data=data["sensitive_data"],
        sync=data["sync"],
        integrations=data["integrations"],
        source=source,
    )


def default_text() -> str:
    """The config file `init` writes: the seed's values, with a note on each part."""
    parts = [
        "# runbook configuration. Defaults come from the company incident-response runbook.\n"
        "# Unknown keys are refused with a hint, so a typo never silently falls back to a default.\n",
    ]
    notes = {
        "severities": "Severity levels and their meanings (the runbook's 'Severity Levels').",
        "statuses": "The incident lifecycle; only the meanings may change.",
        "services": "Known services, the squad that owns each, and links (dashboards, log queries) that declare writes into Attachments; other names are accepted too.",
        "ack_target_minutes": "On-call acknowledges within this many minutes.",
        "comms": "Update cadences in minutes per severity; the Slack incoming-webhook URL (better: RUNBOOK_SLACK_WEBHOOK_URL).",
        "postmortem": "Post-mortem deadlines after resolution (SEV-3: none). Holidays are YYYY-MM-DD.",
        "checklist": "Post-incident checklist; the five seed items always exist, add your own.",
        "required_sections": "Report sections that must hold real text before an incident is resolved.",
        "lock_timeout_seconds": "How long a command waits for another runbook command in this repo.",
        "runbook_review": "Review the runbook quarterly or after any SEV-0: set last_reviewed (YYYY-MM-DD) when you do.",
        "integrations": "Outside systems (secrets stay in RUNBOOK_* environment variables): Statuspage page and component ids per service, Jira site and project, Linear team.",
        "sync": "auto: true shares every change with the team's remote right after it is committed (as runbook --sync does).",
        "sensitive_data": "Credentials and patient data are refused in incident files. Disable built-in patterns by name, set your medical record number format, add your own (name: regex).",
    }
    for key, value in DEFAULTS.items():
        parts.append(f"\n# {notes[key]}\n{yamlio.dump({key: value})}")
    return "".join(parts)
