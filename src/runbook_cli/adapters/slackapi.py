"""Reading a Slack channel through the official slack_sdk: history and thread replies with
cursor paging, user names (cached), and the same failure rules as every outside service
(outbound.Failure, exit 5; Retry-After waited up to the ceiling). Only `capture slack` imports
this module, so only it pays for slack_sdk."""

from __future__ import annotations

import ipaddress
import time
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from runbook_cli.adapters import outbound

SLACK_API_URL = "https://slack.com/api/"
SERVICE = "Slack"
PAGE_SIZE = 200


class Channel:
    """One channel of one workspace, read with a bot token."""

    def __init__(self, token: str, channel: str, base_url: str = SLACK_API_URL):
        base = outbound.check_url(base_url.rstrip("/") + "/", "the Slack API URL")
        self.client = WebClient(token=token, base_url=base, timeout=int(outbound.timeout_seconds()))
        self.token = token
        self.channel = channel
        self.host = urlsplit(base).netloc
        if self.client.proxy and _bypass(urlsplit(base).hostname or ""):
            self.client.proxy = None  # slack_sdk takes HTTPS_PROXY but ignores NO_PROXY
        self._names: dict[str, str] = {}

    def call(self, method: str, **params) -> dict:
        """One Web API call: a rate limit is waited out (Retry-After, up to the ceiling) and
        retried; anything else becomes a Failure with Slack's own error word."""
        ceiling = outbound.retry_after_ceiling()
        for attempt in range(1, outbound.ATTEMPTS + 1):
            try:
                return self.client.api_call(method, params=params).data
            except SlackApiError as error:
                response = error.response
                status = response.status_code
                word = (response.data or {}).get("error") if isinstance(response.data, dict) else ""
                answered = (
                    f"Slack refused {method}: {word}"
                    if status < 400
                    else f"Slack answered {method} with HTTP {status}"
                    + (f": {word}" if word else "")
                )
                if status == 429 or status >= 500:
                    wait = _seconds((response.headers or {}).get("Retry-After"))
                    if wait is not None and wait > ceiling:
                        raise outbound.too_long(
                            SERVICE, answered, status, wait, ceiling, uncertain=False
                        ) from None
                    if attempt < outbound.ATTEMPTS:
                        time.sleep(max(wait or 0.0, outbound.backoff(attempt)))
                        continue
                raise outbound.Failure(SERVICE, answered, status=status) from None
            except OSError as error:  # URLError, timeouts, refused connections
                reason = getattr(error, "reason", None) or error
                said = outbound.mask(str(reason), [self.token])
                failure = outbound.Failure(SERVICE, f"cannot reach Slack at {self.host}: {said}")
                if attempt < outbound.ATTEMPTS:
                    time.sleep(outbound.backoff(attempt))
                    continue
                raise failure from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _paged(self, method: str, key: str, **params) -> Iterator[dict]:
        cursor = None
        while True:
            page = self.call(
                method, channel=self.channel, limit=PAGE_SIZE, **params, **_cursor(cursor)
            )
            yield from page.get(key) or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def history(self, oldest: float) -> Iterator[dict]:
        """Every top-level message since `oldest` (seconds since the epoch)."""
        return self._paged("conversations.history", "messages", oldest=f"{oldest:.6f}")

    def replies(self, ts: str) -> Iterator[dict]:
        """A thread's replies, without its first message."""
        for message in self._paged("conversations.replies", "messages", ts=ts):
            if message.get("ts") != ts:
                yield message

    def name(self) -> str:
        """The channel's name, or its id when the token may not read it (channels:read)."""
        try:
            found = self.call("conversations.info", channel=self.channel).get("channel") or {}
        except outbound.Failure:
            return self.channel
        return found.get("name") or self.channel

    @property
    def user_name(self) -> Callable[[str], str]:
        return self._user_name

    def _user_name(self, user: str) -> str:
        if user not in self._names:
            try:
                found = self.call("users.info", user=user).get("user") or {}
            except outbound.Failure:
                found = {}
            profile = found.get("profile") or {}
            self._names[user] = (
                profile.get("display_name") or found.get("real_name") or found.get("name") or user
            )
        return self._names[user]


def _bypass(host: str) -> bool:
    """No proxy for this machine (no proxy can reach its loopback) or a NO_PROXY host, as
    urllib decides for every other service."""
    try:
        if host == "localhost" or ipaddress.ip_address(host).is_loopback:
            return True
    except ValueError:
        pass
    return bool(urllib.request.proxy_bypass(host))


def _cursor(cursor: str | None) -> dict:
    return {"cursor": cursor} if cursor else {}


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
