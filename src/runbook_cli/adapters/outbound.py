"""Posting to outside services: one JSON POST with a timeout, errors as one sentence (exit 5)."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from urllib.parse import urlsplit

from runbook_cli.errors import ServiceError, UsageError

TIMEOUT_SECONDS = 5.0


def timeout_seconds() -> float:
    """RUNBOOK_HTTP_TIMEOUT (seconds) shortens or lengthens the wait; 5 s by default."""
    try:
        return max(0.1, float(os.environ.get("RUNBOOK_HTTP_TIMEOUT", TIMEOUT_SECONDS)))
    except ValueError:
        return TIMEOUT_SECONDS


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


def request(
    method: str,
    url: str,
    service: str,
    *,
    payload: dict | None = None,
    headers: dict[str, str] | None = None,
    attempts: int = 3,
) -> dict:
    """Send JSON, return the JSON answer ({} when empty). 429 and 5xx are retried with backoff
    (a few times, honouring Retry-After up to 5 s); every failure is one sentence with the
    service's own words, as ServiceError (exit 5). Headers (credentials) are never echoed."""
    import time
    import urllib.error
    import urllib.request

    check_url(url, f"the {service} URL")
    data = json.dumps(payload).encode("utf-8") if payload is not None else None
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]
    timeout = timeout_seconds()
    for attempt in range(1, attempts + 1):
        outgoing = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(outgoing, timeout=timeout) as response:
                body = response.read().decode("utf-8", "replace")
                return _json(body)
        except urllib.error.HTTPError as error:
            detail = _service_words(error.read().decode("utf-8", "replace"))
            if (error.code == 429 or error.code >= 500) and attempt < attempts:
                time.sleep(_backoff(attempt, error.headers.get("Retry-After")))
                continue
            raise ServiceError(
                f"{service} answered HTTP {error.code}{': ' + detail if detail else ''}; nothing was recorded."
            ) from None
        except TimeoutError:
            raise ServiceError(
                f"{service} ({host}) did not answer within {timeout:g}s; nothing was recorded, try again."
            ) from None
        except urllib.error.URLError as error:
            reason = (
                error.reason
                if not isinstance(error.reason, OSError)
                else (error.reason.strerror or str(error.reason))
            )
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise ServiceError(
                    f"{service} ({host}) did not answer within {timeout:g}s; nothing was recorded, try again."
                ) from None
            raise ServiceError(
                f"cannot reach {service} at {host}: {reason}; nothing was recorded."
            ) from None
        except OSError as error:
            raise ServiceError(
                f"cannot reach {service} at {host}: {error.strerror or error}; nothing was recorded."
            ) from None
    raise ServiceError(
        f"{service} kept failing after {attempts} attempts; nothing was recorded."
    )  # pragma: no cover


def post_json(url: str, payload: dict, service: str) -> dict:
    return request("POST", url, service, payload=payload)


def _backoff(attempt: int, retry_after: str | None) -> float:
    base = float(os.environ.get("RUNBOOK_HTTP_BACKOFF", "0.5"))
    try:
        wanted = float(retry_after) if retry_after else 0.0
    except ValueError:
        wanted = 0.0
    return min(5.0, max(wanted, base * 2 ** (attempt - 1)))


def _json(body: str) -> dict:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return {"text": body.strip()[:200]}
    return value if isinstance(value, dict) else {"value": value}


def _service_words(body: str) -> str:
    """The service's own error text: a JSON message/errors field, else the first line."""
    value = _json(body)
    for key in ("message", "error", "errorMessages", "errors"):
        found = value.get(key)
        if isinstance(found, list) and found:
            found = found[0].get("message", found[0]) if isinstance(found[0], dict) else found[0]
        if isinstance(found, dict):
            found = found.get("message") or next(iter(found.values()), "")
        if found:
            return str(found).strip().splitlines()[0][:200]
    return (body.strip().splitlines() or [""])[0][:200]
