"""HTTP to outside services, in one place: JSON in and out, a timeout, retries that honour
Retry-After up to a ceiling, and every failure as one sentence (Failure, exit 5) with the
service's own words and no secret in it. GET with query parameters and the reply's headers
(`send`) serve paged reads; `request` is the common JSON call.

urllib.request (~14 ms with http.client, email and ssl) is imported when a request is sent:
`--dry-run` and every command that loads this module but sends nothing never pay it."""

from __future__ import annotations

import ipaddress
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from runbook_cli.domain.text import sentence
from runbook_cli.errors import ServiceError, UsageError

TIMEOUT_SECONDS = 5.0
ATTEMPTS = 3
# Retry-After is waited for up to this many seconds; a longer wait stops the command instead,
# saying when to try again (RUNBOOK_RETRY_AFTER_MAX changes it).
RETRY_AFTER_MAX_SECONDS = 30.0
# 420 is Statuspage's rate-limit answer (Twitter's "enhance your calm"), 429 everyone else's.
RATE_LIMITED = (420, 429)
MASK = "***"


class Failure(ServiceError):
    """An outside service failed. `reason` is the clause saying how; `uncertain` when the
    service may have acted anyway (no answer, or 5xx after the request arrived); `retry_at`
    (a UTC datetime) when it asked us to wait."""

    def __init__(
        self,
        service: str,
        reason: str,
        *,
        status: int | None = None,
        uncertain: bool = False,
        retry_at=None,
        consequence: str = "nothing was recorded",
    ):
        self.service = service
        self.reason = reason
        self.status = status
        self.uncertain = uncertain
        self.retry_at = retry_at
        super().__init__(sentence(reason, consequence))

    def saying(self, *consequences: str) -> Failure:
        """The same failure, ending with what it means for this command instead."""
        return Failure(
            self.service,
            self.reason,
            status=self.status,
            uncertain=self.uncertain,
            retry_at=self.retry_at,
            consequence="; ".join(c.rstrip(".;, ") for c in consequences if c),
        )


@dataclass
class Reply:
    status: int
    body: dict
    headers: Mapping[str, str] = field(default_factory=dict)


def timeout_seconds() -> float:
    """RUNBOOK_HTTP_TIMEOUT (seconds) shortens or lengthens the wait; 5 s by default."""
    return _seconds("RUNBOOK_HTTP_TIMEOUT", TIMEOUT_SECONDS, 0.1)


def retry_after_ceiling() -> float:
    return _seconds("RUNBOOK_RETRY_AFTER_MAX", RETRY_AFTER_MAX_SECONDS, 0.0)


def _seconds(variable: str, default: float, least: float) -> float:
    try:
        return max(least, float(os.environ.get(variable, default)))
    except ValueError:
        return default


def check_url(url: str, what: str) -> str:
    """Only https, or http to this machine (local test servers); never a secret in a message."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and _is_loopback(host):
        return url
    raise UsageError(
        f"{what} must be an https:// URL (http:// only to localhost); check the setting."
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def request(method: str, url: str, service: str, **options: Any) -> dict:
    """Send JSON, return the JSON answer ({} when empty); the options are `send`'s."""
    return send(method, url, service, **options).body


def send(
    method: str,
    url: str,
    service: str,
    *,
    payload: dict | None = None,
    params: Mapping[str, object] | None = None,
    headers: dict[str, str] | None = None,
    secrets: Iterable[str] = (),
    idempotent: bool = True,
    attempts: int = ATTEMPTS,
    patience: float | None = None,
) -> Reply:
    """One call, retried when that is safe: rate limits (420, 429) always, since the service
    refused the request; 5xx and timeouts only when `idempotent`, since the service may have
    acted on it. `params` become the query string (a list value repeats its key). Headers
    (credentials) are never echoed and every `secrets` value is masked in error text.
    `patience` lowers the Retry-After ceiling for callers that must not keep a person waiting."""
    # only a request that is sent (see the module docstring)
    import urllib.error
    import urllib.request

    check_url(url, f"the {service} URL")
    if params:
        url += ("&" if urlsplit(url).query else "?") + urlencode(
            {k: v for k, v in params.items() if v is not None}, doseq=True
        )
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]
    timeout = timeout_seconds()
    masked = _masker(secrets)
    ceiling = retry_after_ceiling() if patience is None else min(patience, retry_after_ceiling())
    for attempt in range(1, attempts + 1):
        outgoing = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                **({"Content-Type": "application/json"} if data is not None else {}),
                "Accept": "application/json",
                "User-Agent": "runbook-cli",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(outgoing, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                return Reply(response.status, _json(body), dict(response.headers))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            code = error.code
            detail = masked(service_words(body))
            answered = f"{service} answered HTTP {code}" + (f": {detail}" if detail else "")
            limited = code in RATE_LIMITED
            if limited or code >= 500:
                wait = _retry_after(error.headers.get("Retry-After"))
                if wait is not None and wait > ceiling:
                    raise too_long(
                        service, answered, code, wait, ceiling, uncertain=not limited
                    ) from None
                if attempt < attempts and (limited or idempotent):
                    time.sleep(max(wait or 0.0, backoff(attempt)))
                    continue
            raise Failure(service, answered, status=code, uncertain=code >= 500) from None
        except TimeoutError:
            failure = _no_answer(service, host, timeout)
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                failure = _no_answer(service, host, timeout)
            else:
                reason = (
                    error.reason.strerror or str(error.reason)
                    if isinstance(error.reason, OSError)
                    else error.reason
                )
                raise Failure(service, f"cannot reach {service} at {host}: {reason}") from None
        except OSError as error:
            # The connection broke after the request went out: the service may have acted.
            failure = Failure(
                service,
                f"the connection to {service} at {host} broke: {error.strerror or error}",
                uncertain=True,
            )
        if attempt < attempts and idempotent:
            time.sleep(backoff(attempt))
            continue
        raise failure from None
    raise AssertionError("unreachable")  # pragma: no cover


def _no_answer(service: str, host: str, timeout: float) -> Failure:
    return Failure(
        service, f"{service} ({host}) did not answer within {timeout:g}s", uncertain=True
    )


def too_long(
    service: str, answered: str, code: int, wait: float, ceiling: float, *, uncertain: bool
) -> Failure:
    at = datetime.now(UTC) + timedelta(seconds=wait)
    return Failure(
        service,
        f"{answered}; it asks to wait {wait:.0f} s, longer than runbook waits "
        f"({ceiling:g} s), so try again after {at:%H:%M:%S} UTC",
        status=code,
        uncertain=uncertain,
        retry_at=at,
    )


def backoff(attempt: int) -> float:
    try:
        base = float(os.environ.get("RUNBOOK_HTTP_BACKOFF", "0.5"))
    except ValueError:
        base = 0.5
    return base * 2 ** (attempt - 1)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (it is either a number of seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # ~5 ms: only a reply's HTTP date

    try:
        at = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(0.0, (at - datetime.now(UTC)).total_seconds())


def mask(text: str, secrets: Iterable[str]) -> str:
    """Every secret in the text as ***."""
    return _masker(secrets)(text)


def _masker(secrets: Iterable[str]):
    # Longest first, so a secret containing another is masked whole.
    found = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def mask(text: str) -> str:
        for secret in found:
            text = text.replace(secret, MASK)
        return text

    return mask


def _json(body: str) -> dict:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return {"text": body.strip()[:200]}
    return value if isinstance(value, dict) else {"value": value}


def service_words(body: str | dict) -> str:
    """The service's own error text, as one line: PagerDuty's message and errors[], Jira's
    errorMessages and field errors, GraphQL errors (Linear's userPresentableMessage first),
    Statuspage's error, Slack's plain text. The first is the headline, the rest in brackets."""
    value = _json(body) if isinstance(body, str) else body
    parts = [
        text
        for key in ("message", "error", "errorMessages", "errors", "text", "value")
        for text in _texts(value.get(key))
    ]
    if not parts and isinstance(body, str) and body.strip():
        parts = [_plain(body.strip().splitlines()[0])]
    parts = list(dict.fromkeys(p for p in parts if p))
    if not parts:
        return ""
    head, rest = parts[0], parts[1:]
    return (head + (f" ({'; '.join(rest)})" if rest else ""))[:300]


def _texts(found: object) -> list[str]:
    if isinstance(found, list):
        return [text for each in found for text in _texts(each)]
    if isinstance(found, dict):
        extensions = found.get("extensions")
        user = extensions.get("userPresentableMessage") if isinstance(extensions, dict) else None
        if user or found.get("message"):
            return [_plain(t) for t in (user, found.get("message")) if t]
        return [f"{key}: {_plain(text)}" for key, text in found.items()]
    return [_plain(found)] if found not in (None, "") else []


def _plain(text: object) -> str:
    """One line, without the full stop (the sentence it goes into has its own)."""
    return " ".join(str(text).split()).rstrip(". ")
