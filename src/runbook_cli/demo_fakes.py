"""Demo material only: a stand-in for the Slack Web API on 127.0.0.1, so `runbook demo` (and
benchmarks/bench_capture.py) can show `capture slack` without a real workspace.

It answers the four methods capture calls as Slack documents them: `conversations.history`
(newest first, `oldest`, `limit`, `cursor` paging through `response_metadata.next_cursor`),
`conversations.replies` (the thread's first message, then its replies), `conversations.info`
and `users.info`; the bot token as a Bearer header; `ok: false` with Slack's error word
(`invalid_auth`, `channel_not_found`, `user_not_found`). It never listens beyond 127.0.0.1 and
holds no real data. The tests' fake (tests/fakes.py) answers through the same class."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEMO_TOKEN = "xoxb-demo-0000-not-a-real-token"
MAX_PAGE = 1000  # Slack's ceiling for `limit`


class SlackChannel:
    """One channel's messages (oldest first), threads (by the parent's `ts`) and user names."""

    def __init__(
        self, channel: str = "C0WARROOM", name: str = "incident-war-room", token: str = DEMO_TOKEN
    ) -> None:
        self.channel, self.name, self.token = channel, name, token
        self.messages: list[dict] = []
        self.threads: dict[str, list[dict]] = {}
        self.users: dict[str, str] = {}
        self.page = MAX_PAGE  # at most this many messages a page, whatever `limit` asks

    def say(self, ts: float, text: str, user: str = "U1", **extra: object) -> dict:
        """Post a top-level message at `ts` (seconds since the epoch)."""
        message = {"type": "message", "ts": f"{ts:.6f}", "user": user, "text": text, **extra}
        self.messages.append(message)
        return message

    def reply(self, parent: dict, ts: float, text: str, user: str = "U1", **extra: object) -> dict:
        """Reply in `parent`'s thread (its reply_count follows)."""
        message = {"type": "message", "ts": f"{ts:.6f}", "user": user, "text": text, **extra}
        message["thread_ts"] = parent["ts"]
        self.threads.setdefault(parent["ts"], []).append(message)
        parent["reply_count"] = len(self.threads[parent["ts"]])
        return message

    def answer(self, method: str, query: dict[str, str], authorization: str | None) -> dict:
        """Slack's JSON answer to one call (Slack answers errors with HTTP 200 and ok: false)."""
        if authorization != f"Bearer {self.token}":
            return {"ok": False, "error": "invalid_auth"}
        if query.get("channel", self.channel) != self.channel:
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.history":
            oldest = float(query.get("oldest") or 0)
            found = [m for m in reversed(self.messages) if float(m["ts"]) > oldest]
            return self._paged(query, found)
        if method == "conversations.replies":
            parent = next((m for m in self.messages if m["ts"] == query.get("ts")), None)
            if parent is None:
                return {"ok": False, "error": "thread_not_found"}
            return self._paged(query, [parent, *self.threads.get(parent["ts"], [])])
        if method == "conversations.info":
            return {"ok": True, "channel": {"id": self.channel, "name": self.name}}
        if method == "users.info":
            user = query.get("user")
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": {"id": user, "real_name": self.users[user]}}
        return {"ok": False, "error": "unknown_method"}

    def _paged(self, query: dict[str, str], found: list[dict]) -> dict:
        start = int(query.get("cursor") or 0)
        limit = min(int(query.get("limit") or 100), self.page)
        rest = start + limit < len(found)
        return {
            "ok": True,
            "messages": found[start : start + limit],
            "has_more": rest,
            "response_metadata": {"next_cursor": str(start + limit) if rest else ""},
        }


def fields(path: str, raw: bytes, content_type: str | None) -> dict[str, str]:
    """A request's parameters: the query string and, for a form post, the form fields."""
    found = parse_qs(urlsplit(path).query)
    if "form-urlencoded" in (content_type or ""):
        found |= parse_qs(raw.decode())
    return {key: values[0] for key, values in found.items()}


@contextmanager
def serving(channel: SlackChannel) -> Iterator[str]:
    """Serve `channel` on 127.0.0.1 (an ephemeral port) while the block runs; yields the API
    URL to give capture as RUNBOOK_SLACK_API_URL."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            query = fields(self.path, raw, self.headers.get("Content-Type"))
            method = urlsplit(self.path).path.removeprefix("/api/")
            payload = channel.answer(method, query, self.headers.get("Authorization"))
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
