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
    raise UsageError(f"{what} must be an https:// URL (http:// only to localhost); check the setting.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post_json(url: str, payload: dict, service: str, timeout: float | None = None) -> str:
    """POST the payload; return the response body. Raise ServiceError naming the service."""
    import urllib.error
    import urllib.request

    timeout = timeout or timeout_seconds()
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST", headers={"Content-Type": "application/json"}
    )
    host = urlsplit(url).netloc.rsplit("@", 1)[-1]  # never echo credentials embedded in a URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace").strip().splitlines()[:1]
        raise ServiceError(f"{service} answered HTTP {error.code}{': ' + detail[0][:200] if detail else ''}; nothing was recorded.") from None
    except (TimeoutError, socket.timeout):
        raise ServiceError(f"{service} ({host}) did not answer within {timeout:g}s; nothing was recorded, try again.") from None
    except urllib.error.URLError as error:
        reason = error.reason if not isinstance(error.reason, OSError) else (error.reason.strerror or str(error.reason))
        raise ServiceError(f"cannot reach {service} at {host}: {reason}; nothing was recorded.") from None
    except OSError as error:
        raise ServiceError(f"cannot reach {service} at {host}: {error.strerror or error}; nothing was recorded.") from None
