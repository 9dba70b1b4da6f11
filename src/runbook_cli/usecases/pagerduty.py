"""PagerDuty (Events API v2): page, and tell it of ack and resolve without ever blocking the
responder. Each page (the incident, or one escalation role) has its own dedup key, stored in
the front matter (integrations.pagerduty: dedup_key, and roles: {role: key}); an event that
could not be delivered is kept as owed (pending) and delivered by the next ack, resolve, page
or `runbook retry`."""

from __future__ import annotations

from dataclasses import dataclass

from runbook_cli.adapters import outbound, teamfiles
from runbook_cli.domain import clock, escalation, layout, vendor
from runbook_cli.domain.model import Incident
from runbook_cli.domain.text import sentence
from runbook_cli.errors import UsageError
from runbook_cli.usecases.integrations import Call, Settings
from runbook_cli.usecases.workspace import Edit, Workspace

PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue"
SYSTEM = "pagerduty"
# While a responder waits (ack, resolve): two tries, and no Retry-After longer than 5 s; what
# does not go through is owed and delivered later.
RESPONDER_ATTEMPTS = 2
RESPONDER_PATIENCE_SECONDS = 5.0


def base_key(ws: Workspace, incident: Incident) -> str:
    """Stable per incident (and per repository, so two teams' incident 7 never collide)."""
    return f"runbook/{ws.root.name}/{layout.stem(incident)}"


def key_for(ws: Workspace, incident: Incident, role: str | None) -> str:
    """The incident's own key for a plain page; its own key per escalation role, so paging
    the next step raises a new alert instead of folding into the first one."""
    state = incident.integrations.get(SYSTEM, {})
    if role:
        stored = (state.get("roles") or {}).get(role)
        return stored or vendor.bounded_key(f"{base_key(ws, incident)}/{role}")
    return state.get("dedup_key") or vendor.bounded_key(base_key(ws, incident))


def call(
    ws: Workspace,
    incident: Incident,
    path: str,
    action: str,
    key: str,
    *,
    to: str | None = None,
    dry_run: bool = False,
) -> Call:
    settings = Settings(ws, dry_run=dry_run)
    routing_key = settings.secret("RUNBOOK_PAGERDUTY_ROUTING_KEY", "the PagerDuty routing key")
    payload: dict = {"routing_key": routing_key, "event_action": action, "dedup_key": key}
    if action == "trigger":
        link = vendor.file_link(ws.git.remote_url(), ws.git.branch(), path)
        payload["payload"] = {
            "summary": vendor.fit(
                f"{incident.severity}: {incident.title}", vendor.PAGERDUTY_SUMMARY_MAX
            ),
            "source": ws.root.name,
            "severity": ws.config.severity(incident.severity).pagerduty,
            "custom_details": {
                "file": path,
                "services": list(incident.services),
                "status": incident.status,
                **({"page": to} if to else {}),
            },
        }
        if link:
            payload["client"] = "runbook"
            payload["client_url"] = link
            payload["links"] = [{"href": link, "text": f"Incident {incident.id}: {path}"}]
    url = settings.url("RUNBOOK_PAGERDUTY_URL", PAGERDUTY_URL)
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
    """Trigger (a failure records nothing: a page that did not go out must be loud), then
    record the key and deliver anything owed to PagerDuty."""
    role = _role(ws, to) if to else None
    loaded = ws.load(reference)
    incident, path = loaded.incident, ws.store.relative(loaded.path)
    key = key_for(ws, incident, role)
    trigger = call(ws, incident, path, "trigger", key, to=role, dry_run=dry_run)
    if dry_run:
        return trigger, None
    ws.screen_outgoing(trigger.text(), "PagerDuty", "the incident")
    answer = trigger.send()
    with ws.change(str(incident.id), commit=commit, author=author) as edit:
        state = edit.incident.integrations.setdefault(SYSTEM, {})
        key = answer.get("dedup_key") or key
        if role:
            state.setdefault("roles", {})[role] = key
        else:
            state["dedup_key"] = key
        # A new trigger supersedes what was owed for the same key.
        state["pending"] = [p for p in state.get("pending") or [] if p.get("dedup_key") != key]
        edit.log(f"Paged via PagerDuty{f' ({role})' if role else ''}: dedup key {key}.")
        edit.describe("paged via PagerDuty", PagerDuty=key)
        deliver(ws, edit, [])
    return trigger, edit


def _role(ws: Workspace, to: str) -> str:
    known = escalation.roles(teamfiles.contacts(ws.root))
    wanted = to.strip().lower().replace(" ", "-")
    if wanted not in known:
        raise UsageError(f"unknown escalation role {to!r}; use one of {', '.join(known)}.")
    return wanted


def tell(ws: Workspace, edit: Edit, action: str) -> None:
    """Inside an ack or resolve: send `action` for every key this incident was paged with,
    after anything still owed. Never raises for PagerDuty: see `deliver`."""
    deliver(
        ws, edit, [{"action": action, "dedup_key": key} for key in vendor.paged_keys(edit.incident)]
    )


def deliver(ws: Workspace, edit: Edit, events: list[dict]) -> str | None:
    """Send what is owed, then `events`, in order. The first failure stops the sending (the
    service is down; waiting out each timeout helps no one): it and the rest are kept as
    pending, with a timeline note and a warning, and the local fact is recorded regardless."""
    state = edit.incident.integrations.get(SYSTEM)
    if state is None:
        return None
    queue: list[dict] = []
    for event in [*(state.get("pending") or []), *events]:
        wanted = {"action": event["action"], "dedup_key": event["dedup_key"]}
        if wanted not in [{"action": q["action"], "dedup_key": q["dedup_key"]} for q in queue]:
            queue.append({**wanted, "since": event.get("since")})
    if not queue:
        return None
    for index, event in enumerate(queue):
        try:
            event_call = call(ws, edit.incident, edit.path, event["action"], event["dedup_key"])
            event_call.attempts = RESPONDER_ATTEMPTS
            event_call.patience = RESPONDER_PATIENCE_SECONDS
            event_call.send()
        except (outbound.Failure, UsageError) as failure:
            owed = queue[index:]
            now = clock.format_stored(clock.now())
            state["pending"] = [{**e, "since": e.get("since") or now} for e in owed]
            what = ", ".join(f"{e['action']} ({e['dedup_key']})" for e in owed)
            reason = failure.reason if isinstance(failure, outbound.Failure) else str(failure)
            edit.log(
                sentence(f"PagerDuty was not updated: {reason}", f"owed to it: {what}")
                + " runbook due lists it; the next ack, resolve or page, or runbook retry, "
                "delivers it."
            )
            edit.warn(
                sentence(
                    f"PagerDuty was not updated ({reason})",
                    f"recorded here anyway; owed to PagerDuty: {what}",
                    "runbook retry delivers it (runbook due lists it)",
                )
            )
            return reason
        edit.log(f"PagerDuty {event['action']} sent (dedup key {event['dedup_key']}).")
    state.pop("pending", None)
    return None


@dataclass
class Retried:
    incident: int
    edit: Edit


def retry(
    ws: Workspace, reference: str | None, *, author: str | None, commit: bool
) -> list[Retried]:
    """Deliver what is owed to PagerDuty: for one incident (-i), else for every incident."""
    if reference:
        chosen = [ws.load(reference)]
    else:
        chosen = [
            each
            for each in ws.store.summaries()
            if each.incident.integrations.get(SYSTEM, {}).get("pending")
        ]
    done = []
    for loaded in chosen:
        if not loaded.incident.integrations.get(SYSTEM, {}).get("pending"):
            continue
        with ws.change(
            str(loaded.incident.id), commit=commit, author=author, after_close=True
        ) as edit:
            owed = len(edit.incident.integrations[SYSTEM].get("pending") or [])
            failed = deliver(ws, edit, [])
            if failed and len(edit.incident.integrations[SYSTEM]["pending"]) == owed:
                # Nothing went through: record nothing, say so.
                raise outbound.Failure("PagerDuty", f"PagerDuty was not updated: {failed}").saying(
                    "it is still owed (runbook due lists it)", "try again later"
                )
            edit.describe("delivered what was owed to PagerDuty", PagerDuty="retried")
        done.append(Retried(loaded.incident.id, edit))
    return done
