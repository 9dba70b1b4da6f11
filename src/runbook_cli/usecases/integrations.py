"""The systems the runbook names: PagerDuty (Events API v2), Atlassian Statuspage, Jira Cloud
and Linear. The incident file stays the source of truth: each success is recorded in its
timeline (one commit) with the id the service returned; a failure records nothing.
Secrets come from RUNBOOK_* environment variables and never reach a file, a commit or output.
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field

from runbook_cli.adapters import outbound
from runbook_cli.domain.model import Incident
from runbook_cli.errors import UsageError
from runbook_cli.usecases import comms
from runbook_cli.usecases.workspace import Edit, Workspace

PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
STATUSPAGE_URL = "https://api.statuspage.io"
LINEAR_URL = "https://api.linear.app/graphql"
STATUSPAGE_STATUS = {
    "investigating": "investigating",
    "identified": "identified",
    "mitigated": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
}
SECRET_HEADERS = ("Authorization",)


@dataclass
class Call:
    """One request, as it will be sent (headers with secrets are masked when shown)."""

    service: str
    method: str
    url: str
    payload: dict
    headers: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def shown(self) -> str:
        import json

        headers = {k: ("***" if k in SECRET_HEADERS else v) for k, v in self.headers.items()}
        text = json.dumps(
            {"method": self.method, "url": self.url, "headers": headers, "json": self.payload},
            indent=2,
            ensure_ascii=False,
        )
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    def send(self) -> dict:
        return outbound.request(
            self.method, self.url, self.service, payload=self.payload, headers=self.headers
        )


def _env(name: str, what: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise UsageError(f"{what} is not set; export {name} (nothing was sent).")
    return value


def _setting(ws: Workspace, system: str, key: str, variable: str, what: str) -> str:
    value = (
        os.environ.get(variable, "").strip()
        or str(ws.config.integration(system).get(key) or "").strip()
    )
    if not value:
        raise UsageError(
            f"{what} is not set; export {variable} or set integrations.{system}.{key} in docs/runbooks/config.yml (nothing was sent)."
        )
    return value


TRUSTED_HOSTS_VARIABLE = "RUNBOOK_TRUSTED_HOSTS"
_PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")


def _site(ws: Workspace, system: str, variable: str, what: str) -> str:
    """The URL credentials go to: from the environment (the credentials' own source), or the
    repository's `integrations.<system>.url` when the environment confirms its host in
    RUNBOOK_TRUSTED_HOSTS. A repository alone never chooses where a secret is sent."""
    from urllib.parse import urlsplit

    given = os.environ.get(variable, "").strip()
    if given:
        return given
    url = _setting(ws, system, "url", variable, what)
    host = (urlsplit(url).hostname or "").lower()
    trusted = os.environ.get(TRUSTED_HOSTS_VARIABLE, "").replace(",", " ").lower().split()
    if not host or host not in trusted:
        raise UsageError(
            f"integrations.{system}.url in docs/runbooks/config.yml would send your credentials "
            f"to {host or url!r}, which the environment has not confirmed; export "
            f"{variable}=<url>, or add the host to {TRUSTED_HOSTS_VARIABLE} (nothing was sent)."
        )
    return url


def _path_id(value: object, what: str) -> str:
    """An id that becomes part of a request path: letters, digits, '-' and '_' only, so it
    cannot steer the request to another endpoint of the service."""
    text = str(value)
    if not _PATH_ID.fullmatch(text):
        raise UsageError(
            f"{what} {text[:40]!r} is not an id (letters, digits, '-' and '_'); fix it "
            "(nothing was sent)."
        )
    return text


# --- PagerDuty -------------------------------------------------------------------------------


def dedup_key(ws: Workspace, incident: Incident) -> str:
    """Stable per incident (and per repository, so two teams' incident 7 never collide)."""
    return f"runbook/{ws.root.name}/{incident.started_at:%Y-%m-%d}-incident-{incident.id}"


def pagerduty_call(
    ws: Workspace, incident: Incident, path: str, action: str, to: str | None = None
) -> Call:
    routing_key = _env("RUNBOOK_PAGERDUTY_ROUTING_KEY", "the PagerDuty routing key")
    payload: dict = {
        "routing_key": routing_key,
        "event_action": action,
        "dedup_key": incident.integrations.get("pagerduty", {}).get("dedup_key")
        or dedup_key(ws, incident),
    }
    if action == "trigger":
        payload["payload"] = {
            "summary": f"{incident.severity}: {incident.title}",
            "source": ws.root.name,
            "severity": ws.config.severity(incident.severity).pagerduty,
            "custom_details": {
                "file": path,
                "services": list(incident.services),
                "status": incident.status,
                **({"page": to} if to else {}),
            },
        }
    url = os.environ.get("RUNBOOK_PAGERDUTY_URL") or PAGERDUTY_URL
    return Call("PagerDuty", "POST", url, payload, secrets=(routing_key,))


def page(
    ws: Workspace,
    reference: str | None,
    *,
    to: str | None,
    dry_run: bool,
    author: str | None,
    commit: bool,
) -> tuple[Call, Edit | None]:
    loaded = ws.load(reference)
    call = pagerduty_call(ws, loaded.incident, ws.store.relative(loaded.path), "trigger", to)
    if dry_run:
        return call, None
    answer = call.send()
    with ws.change(str(loaded.incident.id), commit=commit, author=author) as edit:
        key = answer.get("dedup_key") or call.payload["dedup_key"]
        edit.incident.integrations["pagerduty"] = {"dedup_key": key}
        edit.log(f"Paged via PagerDuty{f' ({to})' if to else ''}: dedup key {key}.")
        edit.describe("paged via PagerDuty", PagerDuty=key)
    return call, edit


def notify_pagerduty(ws: Workspace, incident: Incident, path: str, action: str) -> str | None:
    """After `page`, ack and resolve tell PagerDuty too; returns a timeline note, or None when
    the incident was never paged."""
    key = incident.integrations.get("pagerduty", {}).get("dedup_key")
    if not key:
        return None
    pagerduty_call(ws, incident, path, action).send()
    return f"PagerDuty {action} sent (dedup key {key})."


# --- Statuspage ------------------------------------------------------------------------------


def statuspage_call(ws: Workspace, incident: Incident, reference: str | None) -> Call:
    key = _env("RUNBOOK_STATUSPAGE_API_KEY", "the Statuspage API key")
    page_id = _setting(
        ws, "statuspage", "page_id", "RUNBOOK_STATUSPAGE_PAGE_ID", "the Statuspage page id"
    )
    body = comms.render(ws, reference, "status-page").text.strip()
    components = ws.config.integration("statuspage")["components"]
    payload = {
        "incident": {
            "name": incident.title,
            "status": STATUSPAGE_STATUS[incident.status],
            "body": body,
            "component_ids": [components[s] for s in incident.services if s in components],
        }
    }
    base = (os.environ.get("RUNBOOK_STATUSPAGE_URL") or STATUSPAGE_URL).rstrip("/")
    page_id = _path_id(page_id, "the Statuspage page id")
    existing = incident.integrations.get("statuspage", {}).get("incident_id")
    if existing:
        existing = _path_id(existing, "the Statuspage incident id in the incident file")
    url = f"{base}/v1/pages/{page_id}/incidents" + (f"/{existing}" if existing else "")
    return Call(
        "Statuspage",
        "PATCH" if existing else "POST",
        url,
        payload,
        {"Authorization": f"OAuth {key}"},
        (key,),
    )


def publish_status(
    ws: Workspace, reference: str | None, *, dry_run: bool, author: str | None, commit: bool
) -> tuple[Call, Edit | None]:
    loaded = ws.load(reference)
    call = statuspage_call(ws, loaded.incident, str(loaded.incident.id))
    if dry_run:
        return call, None
    answer = call.send()
    from runbook_cli.domain import clock

    with ws.change(str(loaded.incident.id), commit=commit, author=author) as edit:
        incident = edit.incident
        page_incident = answer.get("id") or incident.integrations.get("statuspage", {}).get(
            "incident_id"
        )
        incident.integrations["statuspage"] = {
            "incident_id": page_incident,
            **({"shortlink": answer["shortlink"]} if answer.get("shortlink") else {}),
        }
        incident.last_status_page_update_at = clock.now()
        status = call.payload["incident"]["status"]
        if status == "resolved":
            incident.checklist["status_page_resolved"] = True
        edit.log(
            f"Status page {'updated' if call.method == 'PATCH' else 'incident created'} ({status}): Statuspage incident {page_incident}."
        )
        edit.describe(f"status page {status}", Statuspage=str(page_incident))
    return call, edit


# --- Jira and Linear -----------------------------------------------------------------------


def tracker_call(ws: Workspace, system: str, incident: Incident, path: str, item) -> Call:
    description = f"Preventive action {item.id} from incident {incident.id} ({incident.severity}: {incident.title}). Owner: {item.owner}. Incident report: {path}"
    if system == "jira":
        email = _env("RUNBOOK_JIRA_EMAIL", "the Jira account email")
        token = _env("RUNBOOK_JIRA_TOKEN", "the Jira API token")
        site = _site(ws, "jira", "RUNBOOK_JIRA_URL", "the Jira site URL").rstrip("/")
        project = _setting(ws, "jira", "project", "RUNBOOK_JIRA_PROJECT", "the Jira project key")
        issue_type = ws.config.integration("jira")["issue_type"] or "Task"
        credentials = base64.b64encode(f"{email}:{token}".encode()).decode()
        payload = {
            "fields": {
                "project": {"key": project},
                "summary": item.title,
                "issuetype": {"name": issue_type},
                "duedate": item.due.isoformat(),
                "description": {
                    "type": "doc",
                    "version": 1,
                    "content": [
                        {"type": "paragraph", "content": [{"type": "text", "text": description}]}
                    ],
                },
            }
        }
        return Call(
            "Jira",
            "POST",
            f"{site}/rest/api/3/issue",
            payload,
            {"Authorization": f"Basic {credentials}"},
            (token, credentials),
        )
    key = _env("RUNBOOK_LINEAR_API_KEY", "the Linear API key")
    team = _setting(ws, "linear", "team_id", "RUNBOOK_LINEAR_TEAM_ID", "the Linear team id")
    payload = {
        "query": "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { id identifier url } } }",
        "variables": {
            "input": {
                "teamId": team,
                "title": item.title,
                "description": description,
                "dueDate": item.due.isoformat(),
            }
        },
    }
    return Call(
        "Linear",
        "POST",
        os.environ.get("RUNBOOK_LINEAR_URL") or LINEAR_URL,
        payload,
        {"Authorization": key},
        (key,),
    )


def _tracked(system: str, call: Call, answer: dict) -> dict:
    if system == "jira":
        key = answer.get("key")
        if not key:
            raise_service(call, "the answer had no issue key")
        site = call.url.split("/rest/api/")[0]
        return {"system": "jira", "key": key, "url": f"{site}/browse/{key}"}
    if answer.get("errors"):
        raise_service(call, str(answer["errors"][0].get("message", answer["errors"][0])))
    issue = ((answer.get("data") or {}).get("issueCreate") or {}).get("issue") or {}
    if not issue.get("identifier"):
        raise_service(call, "the answer had no issue")
    return {"system": "linear", "key": issue["identifier"], "url": issue.get("url")}


def raise_service(call: Call, why: str) -> None:
    from runbook_cli.errors import ServiceError

    raise ServiceError(
        f"{call.service} did not create the issue: {why}; nothing was recorded for it."
    )


def export_actions(
    ws: Workspace,
    reference: str | None,
    system: str,
    *,
    dry_run: bool,
    author: str | None,
    commit: bool,
) -> tuple[list[Call], Edit | None]:
    """One issue per action item that has none yet; what was created is recorded even when a
    later item fails, so a re-run never creates duplicates."""
    if system not in ("jira", "linear"):
        raise UsageError(f"unknown tracker {system!r}; use jira or linear.")
    loaded = ws.load(reference)
    incident, path = loaded.incident, ws.store.relative(loaded.path)
    pending = [item for item in incident.action_items if not item.tracker]
    calls = [tracker_call(ws, system, incident, path, item) for item in pending]
    if dry_run or not pending:
        return calls, None
    created: dict[int, dict] = {}
    failure = None
    for item, call in zip(pending, calls):
        try:
            created[item.id] = _tracked(system, call, call.send())
        except Exception as error:
            failure = error
            break
    edit = None
    if created:
        with ws.change(str(incident.id), commit=commit, author=author, after_close=True) as edit:
            for item in edit.incident.action_items:
                if item.id in created:
                    item.tracker = created[item.id]
                    edit.log(
                        f"Action item {item.id} exported to {system.title()}: {created[item.id]['key']} ({created[item.id]['url']})."
                    )
            if all(item.tracker for item in edit.incident.action_items):
                edit.incident.checklist["action_items_created"] = True
            keys = ", ".join(t["key"] for t in created.values())
            edit.describe(f"action items exported to {system.title()}: {keys}", Tracker=keys)
    if failure:
        raise failure
    return calls, edit
