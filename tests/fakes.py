"""Local stand-ins for PagerDuty, Statuspage, Jira and Linear on 127.0.0.1 that enforce what
the vendors document: field limits, status codes, error bodies, idempotency (a Linear id
cannot be used twice, a Jira label finds an issue, a Statuspage listing searches names)."""

from __future__ import annotations

import functools
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from runbook_cli.demo_fakes import SlackChannel

Answer = tuple  # (status, json) or (status, json, delay) or (status, json, delay, headers)


class Fake:
    """Answers each request with the next scripted answer for its method and path (the last
    one repeats, unless the route has a handler to fall back to), else with the route's
    handler, else 200 {}. Every request is kept (query string and form fields parsed apart)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.script: dict[str, list[Answer]] = {}
        self.handlers: dict[str, Callable[[dict], Answer]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                form = "form-urlencoded" in (self.headers.get("Content-Type") or "")
                body = json.loads(raw) if raw and not form else None
                parts = urlsplit(self.path)
                fields = parse_qs(parts.query) | (parse_qs(raw.decode()) if form else {})
                request = {
                    "method": self.command,
                    "path": parts.path,
                    "query": {k: v[0] for k, v in fields.items()},
                    "headers": dict(self.headers),
                    "json": body,
                }
                fake.requests.append(request)
                route = f"{self.command} {parts.path}"
                queue = fake.script.get(route)
                if queue:
                    keep_last = len(queue) == 1 and route not in fake.handlers
                    answer = queue[0] if keep_last else queue.pop(0)
                elif route in fake.handlers:
                    answer = fake.handlers[route](request)
                else:
                    answer = (200, {})
                status, payload = answer[0], answer[1]
                delay = answer[2] if len(answer) > 2 else 0.0
                headers = answer[3] if len(answer) > 3 else {}
                time.sleep(delay)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True).start()

    def on(self, route: str, *answers: Answer) -> None:
        self.script[route] = list(answers)

    def handle(self, route: str, handler: Callable[[dict], Answer]) -> None:
        self.handlers[route] = handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def sent(self, method: str, path: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == method and r["path"] == path]


def now() -> str:
    return datetime.now(UTC).isoformat()


class PagerDuty:
    """Events API v2: 202 with the dedup key, or 400 'invalid event' with errors[]."""

    def __init__(self, fake: Fake) -> None:
        fake.handle("POST /v2/enqueue", self.enqueue)

    def enqueue(self, request: dict) -> Answer:
        event = request["json"] or {}
        errors = []
        if event.get("event_action") not in ("trigger", "acknowledge", "resolve"):
            errors.append("'event_action' is invalid")
        key = event.get("dedup_key") or uuid.uuid4().hex
        if len(key) > 255:
            errors.append("'dedup_key' must be at most 255 characters")
        if event.get("event_action") == "trigger":
            payload = event.get("payload") or {}
            if not payload.get("summary") or len(payload["summary"]) > 1024:
                errors.append("'payload.summary' must be 1 to 1024 characters")
            if payload.get("severity") not in ("critical", "error", "warning", "info"):
                errors.append("'payload.severity' is invalid")
            if not payload.get("source"):
                errors.append("'payload.source' is missing")
            for link in event.get("links") or []:
                if not link.get("href"):
                    errors.append("'links' need an href")
        if errors:
            return (
                400,
                {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
            )
        return 202, {"status": "success", "message": "Event processed", "dedup_key": key}


class Statuspage:
    """Incidents of page pg1: create (name at most 255, statuses and impacts as documented),
    update, and list with q (searches names). `lost` answers 502 after creating."""

    STATUSES = ("investigating", "identified", "monitoring", "resolved")
    IMPACTS = ("none", "minor", "major", "critical")
    COMPONENT = ("operational", "degraded_performance", "partial_outage", "major_outage")

    def __init__(self, fake: Fake, page: str = "pg1") -> None:
        self.incidents: list[dict] = []
        self.lost = 0  # how many creates to answer 502 after doing them
        self.base = f"/v1/pages/{page}/incidents"
        fake.handle(f"POST {self.base}", self.create)
        fake.handle(f"GET {self.base}", self.list)
        self.fake = fake

    def _invalid(self, fields: dict) -> Answer | None:
        problems = []
        if len(fields.get("name") or "") > 255 or not fields.get("name"):
            problems.append("Name is too long (maximum is 255 characters)")
        if fields.get("status") not in self.STATUSES:
            problems.append("Status is invalid")
        if fields.get("impact_override", "none") not in self.IMPACTS:
            problems.append("Impact override is invalid")
        for value in (fields.get("components") or {}).values():
            if value not in self.COMPONENT:
                problems.append("Component status is invalid")
        if len(fields.get("body") or "") > 25000:
            problems.append("Body is too long")
        return (422, {"error": problems}) if problems else None

    def create(self, request: dict) -> Answer:
        fields = (request["json"] or {}).get("incident") or {}
        invalid = self._invalid(fields)
        if invalid:
            return invalid
        incident = {
            **fields,
            "id": f"inc{len(self.incidents) + 1}",
            "shortlink": f"https://stspg.io/{len(self.incidents) + 1}",
            "created_at": now(),
        }
        self.incidents.append(incident)
        self.fake.handle(f"PATCH {self.base}/{incident['id']}", self.update)
        if self.lost:
            self.lost -= 1
            return 502, {"error": "Bad gateway"}
        return 201, incident

    def update(self, request: dict) -> Answer:
        wanted = request["path"].rsplit("/", 1)[1]
        fields = (request["json"] or {}).get("incident") or {}
        invalid = self._invalid(fields)
        if invalid:
            return invalid
        incident = next(i for i in self.incidents if i["id"] == wanted)
        incident.update(fields)
        return 200, incident

    def list(self, request: dict) -> Answer:
        q = request["query"].get("q", "").lower()
        return 200, [i for i in reversed(self.incidents) if q in i["name"].lower()]


class Jira:
    """POST /rest/api/3/issue (summary at most 255 and one line, labels without spaces, an
    assignee by accountId), and search by label with JQL. `lost` answers 502 after creating."""

    def __init__(self, fake: Fake) -> None:
        self.issues: list[dict] = []
        self.lost = 0
        fake.handle("POST /rest/api/3/issue", self.create)
        fake.handle("GET /rest/api/3/search/jql", self.search)

    def create(self, request: dict) -> Answer:
        fields = (request["json"] or {}).get("fields") or {}
        errors = {}
        summary = fields.get("summary") or ""
        if not summary:
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255 or "\n" in summary:
            errors["summary"] = "Summary must be less than 255 characters."
        if any(" " in label for label in fields.get("labels") or []):
            errors["labels"] = "The label contains spaces, which is invalid."
        assignee = fields.get("assignee")
        if assignee is not None and set(assignee) != {"accountId"}:
            errors["assignee"] = "Specify the user by accountId."
        if errors:
            return 400, {"errorMessages": [], "errors": errors}
        key = f"OPS-{len(self.issues) + 1}"
        self.issues.append({"key": key, "fields": fields})
        if self.lost:
            self.lost -= 1
            return 502, {"message": "Bad gateway"}
        return 201, {"id": str(10000 + len(self.issues)), "key": key, "self": f"/issue/{key}"}

    def search(self, request: dict) -> Answer:
        label = re.search(r'labels = "([^"]+)"', request["query"].get("jql", ""))
        found = [
            {"id": "1", "key": issue["key"]}
            for issue in self.issues
            if label and label.group(1) in (issue["fields"].get("labels") or [])
        ]
        return 200, {"issues": found, "isLast": True}


class Linear:
    """GraphQL issueCreate (input.id must be a UUID v4 and unused) and issue(id:). `lost`
    answers 504 after creating."""

    def __init__(self, fake: Fake) -> None:
        self.issues: dict[str, dict] = {}
        self.lost = 0
        fake.handle("POST /graphql", self.graphql)

    @staticmethod
    def _error(message: str, user: str) -> Answer:
        return (
            400,
            {
                "errors": [
                    {
                        "message": message,
                        "extensions": {
                            "type": "invalid input",
                            "userError": True,
                            "userPresentableMessage": user,
                        },
                    }
                ],
                "data": None,
            },
        )

    def graphql(self, request: dict) -> Answer:
        body = request["json"] or {}
        variables = body.get("variables") or {}
        if "issueCreate" in body.get("query", ""):
            given = variables["input"]
            issue_id = given.get("id") or str(uuid.uuid4())
            if not re.fullmatch(
                r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", issue_id
            ):
                return self._error("Argument Validation Error", "id must be a UUID v4.")
            if issue_id in self.issues:
                return self._error(
                    "duplicate key value violates unique constraint",
                    "An issue with this id already exists.",
                )
            if given.get("teamId") != "team-9":
                return self._error("Entity not found: Team", "Could not find referenced Team.")
            issue = {
                "id": issue_id,
                "identifier": f"ENG-{len(self.issues) + 1}",
                "url": f"https://linear.app/x/ENG-{len(self.issues) + 1}",
                "input": given,
            }
            self.issues[issue_id] = issue
            if self.lost:
                self.lost -= 1
                return 504, {"message": "Gateway timeout"}
            public = {k: issue[k] for k in ("id", "identifier", "url")}
            return 200, {"data": {"issueCreate": {"success": True, "issue": public}}}
        if "issue(id:" in body.get("query", ""):
            issue = self.issues.get(variables.get("id"))
            if not issue:
                return self._error("Entity not found: Issue", "Could not find referenced Issue.")
            return 200, {"data": {"issue": {k: issue[k] for k in ("id", "identifier", "url")}}}
        return 400, {"errors": [{"message": "Unknown operation"}]}


class PagerDutyREST:
    """REST API v2: GET /incidents?incident_key= and GET /incidents/{id}/log_entries paged by
    offset/limit with `more`; 401 without `Token token=`, 406 without the v2 Accept header."""

    TOKEN = "PDAPITOKEN0123456789"

    def __init__(self, fake: Fake) -> None:
        self.incidents: dict[str, str] = {}  # dedup key -> incident id
        self.log: dict[str, list[dict]] = {}  # incident id -> log entries, oldest first
        self.fake = fake
        fake.handle("GET /incidents", self.find)

    def add(self, key: str, incident: str, *entries: dict) -> None:
        self.incidents[key] = incident
        self.log.setdefault(incident, []).extend(entries)
        self.fake.handle(f"GET /incidents/{incident}/log_entries", self.entries)

    def _refused(self, request: dict) -> Answer | None:
        if request["headers"].get("Authorization") != f"Token token={self.TOKEN}":
            return 401, {"error": {"message": "Unauthorized", "code": 2006}}
        if request["headers"].get("Accept") != "application/vnd.pagerduty+json;version=2":
            return 406, {"error": {"message": "Not Acceptable", "code": 2007}}
        return None

    def find(self, request: dict) -> Answer:
        refused = self._refused(request)
        if refused:
            return refused
        key = request["query"].get("incident_key")
        found = [{"id": self.incidents[key], "type": "incident"}] if key in self.incidents else []
        return 200, {"incidents": found, "limit": 25, "offset": 0, "more": False}

    def entries(self, request: dict) -> Answer:
        refused = self._refused(request)
        if refused:
            return refused
        incident = request["path"].split("/")[2]
        offset = int(request["query"].get("offset", 0))
        limit = min(int(request["query"].get("limit", 25)), 100)
        log = self.log[incident]
        return 200, {
            "log_entries": log[offset : offset + limit],
            "offset": offset,
            "limit": limit,
            "more": offset + limit < len(log),
        }


def log_entry(n: int, kind: str, at: str, who: str = "Priya Raman", **extra: object) -> dict:
    return {
        "id": f"R{n:04d}",
        "type": kind,
        "created_at": at,
        "agent": {"type": "user_reference", "summary": who},
        "summary": extra.pop("summary", f"{kind.split('_')[0].title()}d by {who}"),
        **extra,
    }


class SlackWeb(SlackChannel):
    """The Slack Web API under /api/: the demo's documented-behaviour fake, answering through
    this generic Fake so tests can script 429s and failures around it. `page` sets how many
    messages a page holds."""

    TOKEN = "xoxb-0000-1111-TESTTOKEN"
    METHODS = ("conversations.history", "conversations.replies", "conversations.info", "users.info")

    def __init__(self, fake: Fake, channel: str = "C0WAR", name: str = "incident-war-room"):
        super().__init__(channel, name, self.TOKEN)
        self.page = 100
        for method in self.METHODS:
            for verb in ("GET", "POST"):
                fake.handle(f"{verb} /api/{method}", functools.partial(self.call, method))

    def call(self, method: str, request: dict) -> Answer:
        return 200, self.answer(method, request["query"], request["headers"].get("Authorization"))

    def history(self, request: dict) -> Answer:
        return self.call("conversations.history", request)
