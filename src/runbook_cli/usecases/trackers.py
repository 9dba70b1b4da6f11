"""Action items to Jira Cloud (REST v3, ADF description) or Linear (GraphQL issueCreate): one
issue per action item, created at most once.

Each item's `tracker` holds the issue (system, key, url) once created. Before any request the
attempt is stored on the item (Linear: the issue's client-chosen UUID; Jira: the label that
finds the issue again), so a retry or the next run looks for what an unanswered create made
before creating another."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field

from runbook_cli.adapters import outbound, teamfiles
from runbook_cli.domain import vendor
from runbook_cli.domain.model import ActionItem, Incident
from runbook_cli.errors import UsageError
from runbook_cli.usecases import checklist
from runbook_cli.usecases.integrations import Call, Settings, create_once
from runbook_cli.usecases.workspace import Edit, Workspace

LINEAR_URL = "https://api.linear.app/graphql"
ACCOUNT_FIELD = {"jira": "jira_account_id", "linear": "linear_user_id"}
LINEAR_CREATE = (
    "mutation IssueCreate($input: IssueCreateInput!) { issueCreate(input: $input) "
    "{ success issue { id identifier url } } }"
)
LINEAR_FIND = "query Issue($id: String!) { issue(id: $id) { id identifier url } }"


@dataclass
class Plan:
    """One action item's issue: the create request, how to find it again, the attempt."""

    item: ActionItem
    call: Call
    attempt: str
    attempted_before: bool
    find: Call


@dataclass
class Exported:
    calls: list[Call]
    edit: Edit | None
    notes: list[str] = field(default_factory=list)  # owners left unassigned, and why


def _pending(incident: Incident) -> list[ActionItem]:
    return [item for item in incident.action_items if not (item.tracker or {}).get("key")]


def _previous_attempt(item: ActionItem, system: str) -> str | None:
    tracker = item.tracker or {}
    return tracker.get("attempt") if tracker.get("system") == system else None


def export(
    ws: Workspace,
    reference: str | None,
    system: str,
    *,
    dry_run: bool,
    author: str | None,
    commit: bool,
) -> Exported:
    if system not in vendor.TRACKERS:
        raise UsageError(f"unknown tracker {system!r}; use jira or linear.")
    loaded = ws.load(reference)
    incident, path = loaded.incident, ws.store.relative(loaded.path)
    book = teamfiles.contacts(ws.root)
    settings = Settings(ws, dry_run=dry_run)
    plans, notes = [], []
    for item in _pending(incident):
        owner = book.named(item.owner)
        account = getattr(owner, ACCOUNT_FIELD[system], None) if owner else None
        if not account:
            notes.append(
                f"action item {item.id}: owner {item.owner} is named in the description only "
                f"(no {ACCOUNT_FIELD[system]} for them in contacts.md)"
            )
        plans.append(_plan(settings, system, incident, loaded.path.stem, path, item, account))
    calls = [plan.call for plan in plans]
    if not dry_run:  # nothing is sent when any item would be refused
        for call in calls:
            ws.screen_outgoing(call.text(), call.service, "the action items and the incident")
    if dry_run or not plans:
        return Exported(calls, None, notes)

    fresh = {plan.item.id: plan.attempt for plan in plans if not plan.attempted_before}
    if fresh:
        # Stored before any request, so a crash or an unanswered create cannot lose it.
        with ws.change(str(incident.id), commit=False, after_close=True) as edit:
            for item in edit.incident.action_items:
                if item.id in fresh:
                    item.tracker = {"system": system, "attempt": fresh[item.id]}
    created: dict[int, dict] = {}
    failure: outbound.Failure | None = None
    failed: Plan | None = None
    for plan in plans:
        try:
            created[plan.item.id] = create_once(
                lambda plan=plan: _create(system, plan),
                lambda plan=plan: _found(system, plan),
                attempted_before=plan.attempted_before,
            )
        except outbound.Failure as error:
            failure = error
            failed = plan
            break
    # Attempts made in this run that surely created nothing (earlier runs' attempts stay).
    unsent = {p.item.id for p in plans if p.item.id not in created and not p.attempted_before}
    if failure and failed and failure.uncertain:
        unsent.discard(failed.item.id)
    name = vendor.TRACKERS[system]
    edit = _record(ws, incident.id, system, created, unsent, failure, commit=commit, author=author)
    if failure and failed:
        raise failure.saying(*_partial(name, plans, created, failed, failure)) from None
    return Exported(calls, edit, notes)


def _record(
    ws: Workspace,
    incident_id: int,
    system: str,
    created: dict[int, dict],
    unsent: set[int],
    failure: outbound.Failure | None,
    *,
    commit: bool,
    author: str | None,
) -> Edit:
    """One commit: the issues created, and the attempt still unconfirmed (if any). Attempts
    that surely created nothing are dropped again; when that is all, nothing is committed."""
    name = vendor.TRACKERS[system]
    unconfirmed = bool(failure and failure.uncertain)
    keep = bool(created) or unconfirmed
    with ws.change(
        str(incident_id), commit=commit and keep, author=author, after_close=True
    ) as edit:
        for item in edit.incident.action_items:
            if item.id in created:
                item.tracker = created[item.id]
                edit.log(
                    f"Action item {item.id} exported to {name}: {created[item.id]['key']} "
                    f"({created[item.id]['url']})."
                )
            elif item.id in unsent and _previous_attempt(item, system):
                item.tracker = None  # surely not created: nothing to look for next time
        if unconfirmed:
            edit.log(
                f"{name} may have created an issue ({failure.reason}); the attempt is "
                "recorded, and the next export looks for it before creating another."
            )
        if all((item.tracker or {}).get("key") for item in edit.incident.action_items):
            checklist.tick_done(ws, edit, "action_items_created", f"exported to {name}")
        keys = ", ".join(t["key"] for t in created.values())
        if keys:
            edit.describe(f"action items exported to {name}: {keys}", Tracker=keys)
        else:
            edit.describe(f"action items: export to {name} attempted", Tracker="unconfirmed")
    return edit


def _partial(
    name: str,
    plans: list[Plan],
    created: dict[int, dict],
    failed: Plan,
    failure: outbound.Failure,
) -> list[str]:
    """What a failed export did and did not do, item by item."""
    said = []
    if created:
        said.append(
            "created and recorded: "
            + ", ".join(f"action item {i} ({t['key']})" for i, t in created.items())
        )
    if failure.uncertain:
        said.append(
            f"action item {failed.item.id}: {name} may have created it; the attempt is "
            "recorded and the next export looks for it before creating another"
        )
    not_created = [p.item.id for p in plans if p.item.id not in created]
    if failure.uncertain:
        not_created = [i for i in not_created if i != failed.item.id]
    if not_created:
        said.append("not created: " + ", ".join(f"action item {i}" for i in not_created))
    if not created and not failure.uncertain:
        said.append("nothing was recorded")
    said.append(f"run runbook action export --to {name.lower()} again to continue")
    return said


def _plan(
    settings: Settings,
    system: str,
    incident: Incident,
    stem: str,
    path: str,
    item: ActionItem,
    account: str | None,
) -> Plan:
    description = (
        f"Preventive action {item.id} from incident {incident.id} "
        f"({incident.severity}: {incident.title}). Owner: {item.owner}. Incident report: {path}"
    )
    previous = _previous_attempt(item, system)
    if system == "jira":
        email = settings.secret("RUNBOOK_JIRA_EMAIL", "the Jira account email")
        token = settings.secret("RUNBOOK_JIRA_TOKEN", "the Jira API token")
        jira = settings.ws.config.integrations.jira
        site = settings.site(
            jira.url, "integrations.jira.url", "RUNBOOK_JIRA_URL", "the Jira site URL"
        )
        project = settings.setting(
            jira.project,
            "integrations.jira.project",
            "RUNBOOK_JIRA_PROJECT",
            "the Jira project key",
        )
        site = site.rstrip("/") if not site.startswith("<") else f"https://{site}"
        issue_type = jira.issue_type
        credentials = base64.b64encode(f"{email}:{token}".encode()).decode()
        headers = {"Authorization": f"Basic {credentials}"}
        secrets = (token, credentials)
        label = vendor.jira_label(stem, item.id)
        fields = {
            "project": {"key": project},
            "summary": vendor.fit(item.title, vendor.JIRA_SUMMARY_MAX),
            "issuetype": {"name": issue_type},
            "duedate": item.due.isoformat(),
            "labels": [label],
            "description": {
                "type": "doc",
                "version": 1,
                "content": [
                    {"type": "paragraph", "content": [{"type": "text", "text": description}]}
                ],
            },
        }
        if account:
            fields["assignee"] = {"accountId": account}
        create = Call(
            "Jira",
            "POST",
            f"{site}/rest/api/3/issue",
            {"fields": fields},
            headers,
            secrets,
            idempotent=False,
        )
        find = Call(
            "Jira",
            "GET",
            f"{site}/rest/api/3/search/jql",
            None,
            headers,
            secrets,
            params={
                "jql": f'project = "{project}" AND labels = "{label}"',
                "fields": "summary",
                "maxResults": 2,
            },
        )
        return Plan(item, create, label, previous == label, find)
    key = settings.secret("RUNBOOK_LINEAR_API_KEY", "the Linear API key")
    team = settings.setting(
        settings.ws.config.integrations.linear.team_id,
        "integrations.linear.team_id",
        "RUNBOOK_LINEAR_TEAM_ID",
        "the Linear team id",
    )
    url = settings.url("RUNBOOK_LINEAR_URL", LINEAR_URL)
    issue_id = previous or str(uuid.uuid4())
    variables = {
        "input": {
            "id": issue_id,
            "teamId": team,
            "title": item.title,
            "description": description,
            "dueDate": item.due.isoformat(),
            **({"assigneeId": account} if account else {}),
        }
    }
    headers = {"Authorization": key}
    create = Call(
        "Linear", "POST", url, {"query": LINEAR_CREATE, "variables": variables}, headers, (key,)
    )
    find = Call(
        "Linear",
        "POST",
        url,
        {"query": LINEAR_FIND, "variables": {"id": issue_id}},
        headers,
        (key,),
    )
    return Plan(item, create, issue_id, previous is not None, find)


def _found(system: str, plan: Plan) -> dict | None:
    """The issue an earlier attempt created, or None."""
    try:
        answer = plan.find.send()
    except outbound.Failure as failure:
        if system == "linear" and failure.status == 400:  # Linear: "Entity not found"
            return None
        raise
    if system == "jira":
        issues = answer.get("issues") or []
        if not issues:
            return None
        site = plan.call.url.split("/rest/api/")[0]
        key = issues[0]["key"]
        return {"system": "jira", "key": key, "url": f"{site}/browse/{key}"}
    issue = (answer.get("data") or {}).get("issue") or {}
    if not issue.get("identifier"):
        return None
    return {"system": "linear", "key": issue["identifier"], "url": issue.get("url")}


def _create(system: str, plan: Plan) -> dict:
    """Send the create; the created issue from the answer. A refused Linear create may be one
    that already exists under our id (an earlier attempt made it): then that is the issue."""
    try:
        answer = plan.call.send()
        return _tracked(system, plan.call, answer)
    except outbound.Failure as failure:
        if system == "linear" and not failure.uncertain:
            try:
                found = _found(system, plan)
            except outbound.Failure:
                raise failure from None
            if found is not None:
                return found
        raise


def _tracked(system: str, call: Call, answer: dict) -> dict:
    if system == "jira":
        key = answer.get("key")
        if not key:
            raise outbound.Failure("Jira", "Jira answered without an issue key", uncertain=True)
        site = call.url.split("/rest/api/")[0]
        return {"system": "jira", "key": key, "url": f"{site}/browse/{key}"}
    issue = ((answer.get("data") or {}).get("issueCreate") or {}).get("issue") or {}
    if issue.get("identifier"):
        return {"system": "linear", "key": issue["identifier"], "url": issue.get("url")}
    if answer.get("errors"):
        words = outbound.mask(outbound.service_words(answer), call.secrets)
        raise outbound.Failure("Linear", f"Linear did not create the issue: {words}")
    raise outbound.Failure("Linear", "Linear answered without an issue", uncertain=True)
