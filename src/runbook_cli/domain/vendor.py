"""What the outside services' specifications ask of what we send them: field limits, Slack's
escaping, keys that stay stable and unique, and the severity mappings. Pure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runbook_cli.domain.model import Incident

ELLIPSIS = "…"
# PagerDuty Events API v2: payload.summary and dedup_key.
PAGERDUTY_SUMMARY_MAX = 1024
PAGERDUTY_DEDUP_KEY_MAX = 255
# Statuspage: incident[name] and incident[body].
STATUSPAGE_NAME_MAX = 255
STATUSPAGE_BODY_MAX = 25000
# Jira Cloud: the summary field and a label.
JIRA_SUMMARY_MAX = 255
JIRA_LABEL_MAX = 255

TRACKERS = {"jira": "Jira", "linear": "Linear"}
"""The issue trackers `action export --to` creates issues in."""

STATUSPAGE_STATUS = {
    "investigating": "investigating",
    "identified": "identified",
    "mitigated": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
}
STATUSPAGE_IMPACTS = ("none", "minor", "major", "critical")
STATUSPAGE_COMPONENT_STATUSES = (
    "operational",
    "under_maintenance",
    "degraded_performance",
    "partial_outage",
    "major_outage",
)


def paged_keys(incident: Incident) -> list[str]:
    """Every PagerDuty dedup key the incident was paged with (its own, and each role's)."""
    state = incident.integrations.get("pagerduty", {})
    found = [state.get("dedup_key"), *(state.get("roles") or {}).values()]
    return list(dict.fromkeys(k for k in found if k))


def fit(text: str, limit: int) -> str:
    """At most `limit` characters; a cut shows as a trailing ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def bounded_key(key: str, limit: int = PAGERDUTY_DEDUP_KEY_MAX) -> str:
    """The key itself when it fits; else its start and a hash of the whole, so two long keys
    that share a start still differ and the same key always gives the same result."""
    if len(key) <= limit:
        return key
    import hashlib  # here, not at the top: every command loads this module, few cut a key

    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: limit - len(digest) - 1]}~{digest}"


def slack_escape(value: object) -> str:
    """Slack's three control characters as entities, so user text cannot ping a channel
    (<!channel>), mention anyone (<@U1>) or disguise a link (<https://x|y>)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def jira_label(file_stem: str, action_id: int) -> str:
    """The label that finds an action item's issue again: the incident file's name (date and
    id) and the action's id, e.g. runbook-2026-11-26-incident-7-action-2."""
    return bounded_key(f"runbook-{file_stem}-action-{action_id}", JIRA_LABEL_MAX).replace(" ", "-")


def file_link(remote: str | None, branch: str | None, path: str) -> str | None:
    """The web address of a file on the repository host, from the clone's remote URL
    (https, ssh or scp-like; credentials in it are dropped), or None for a local remote."""
    if not remote or not branch:
        return None
    scp = re.match(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$", remote)
    url = re.match(r"^(?:https?|ssh|git)://(?:[^@/]+@)?([^/:]+)(?::\d+)?/(.+)$", remote)
    found = url or scp
    if not found or "/" not in found.group(2):
        return None
    host, project = found.group(1), found.group(2).rstrip("/")
    project = project[:-4] if project.endswith(".git") else project
    if "gitlab" in host:
        middle = "-/blob"
    elif host == "bitbucket.org":
        middle = "src"
    else:  # GitHub, Gitea, Forgejo, Codeberg
        middle = "blob"
    return f"https://{host}/{project}/{middle}/{branch}/{path}"
