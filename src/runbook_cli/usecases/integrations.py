"""What the use cases for outside systems share (PagerDuty, Statuspage, Jira, Linear): the
request as it will be sent, credentials and settings, and creating an item at most once.

The incident file stays the source of truth: each success is recorded in its timeline (one
commit) with the id the service returned. Secrets come from RUNBOOK_* environment variables
and never reach a file, a commit or output.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

from runbook_cli.adapters import outbound
from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.errors import UsageError
from runbook_cli.usecases.workspace import Workspace

SECRET_HEADERS = ("Authorization",)
TRUSTED_HOSTS_VARIABLE = "RUNBOOK_TRUSTED_HOSTS"
_PATH_ID = re.compile(r"[A-Za-z0-9_-]{1,100}")
T = TypeVar("T")


@dataclass
class Call:
    """One request, as it will be sent (secrets are masked whenever it is shown)."""

    service: str
    method: str
    url: str
    payload: dict | None
    headers: dict[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    params: dict | None = None
    idempotent: bool = True  # safe to repeat after a 5xx or no answer
    attempts: int = outbound.ATTEMPTS
    patience: float | None = None  # the longest Retry-After worth waiting for (None: the default)

    def shown(self) -> str:
        headers = {k: ("***" if k in SECRET_HEADERS else v) for k, v in self.headers.items()}
        text = json.dumps(
            {
                "method": self.method,
                "url": self.url,
                **({"params": self.params} if self.params else {}),
                "headers": headers,
                "json": self.payload,
            },
            indent=2,
            ensure_ascii=False,
        )
        for secret in self.secrets:
            if secret and not is_placeholder(secret):
                text = text.replace(secret, "***")
        return text

    def text(self) -> str:
        """Every string the request carries (the credentials from the environment excepted),
        for the sensitive-data guard."""
        found: list[str] = []

        def walk(value) -> None:
            if isinstance(value, dict):
                for inner in value.values():
                    walk(inner)
            elif isinstance(value, list):
                for inner in value:
                    walk(inner)
            elif isinstance(value, str) and value not in self.secrets:
                found.append(value)

        walk([self.payload, self.params])
        return "\n".join(found)

    def send(self) -> dict:
        return outbound.request(
            self.method,
            self.url,
            self.service,
            payload=self.payload,
            params=self.params,
            headers=self.headers,
            secrets=self.secrets,
            idempotent=self.idempotent,
            attempts=self.attempts,
            patience=self.patience,
        )


class Settings:
    """Credentials and settings for one command. In a dry run a missing one becomes a visible
    placeholder (<RUNBOOK_...>), so the request can be shown before anything is set up."""

    def __init__(self, ws: Workspace, *, dry_run: bool = False):
        self.ws = ws
        self.dry_run = dry_run

    def secret(self, variable: str, what: str) -> str:
        value = os.environ.get(variable, "").strip()
        if value:
            return value
        if self.dry_run:
            return placeholder(variable)
        raise UsageError(f"{what} is not set; export {variable} (nothing was sent).")

    def setting(self, configured: str | None, key: str, variable: str, what: str) -> str:
        """The environment's value, else the repository's (`key`: where in the config)."""
        value = os.environ.get(variable, "").strip() or (configured or "").strip()
        if value:
            return value
        if self.dry_run:
            return placeholder(variable)
        raise UsageError(
            f"{what} is not set; export {variable} or set {key} in {CONFIG_PATH} (nothing was "
            "sent)."
        )

    def site(self, configured: str | None, key: str, variable: str, what: str) -> str:
        """The URL credentials go to: from the environment (the credentials' own source), or
        the repository's `integrations.<system>.url` when the environment confirms its host in
        RUNBOOK_TRUSTED_HOSTS. A repository alone never chooses where a secret is sent."""
        given = os.environ.get(variable, "").strip()
        if given:
            return given
        url = self.setting(configured, key, variable, what)
        if is_placeholder(url):
            return url
        host = (urlsplit(url).hostname or "").lower()
        trusted = os.environ.get(TRUSTED_HOSTS_VARIABLE, "").replace(",", " ").lower().split()
        if not host or host not in trusted:
            raise UsageError(
                f"{key} in {CONFIG_PATH} would send your "
                f"credentials to {host or url!r}, which the environment has not confirmed; export "
                f"{variable}=<url>, or add the host to {TRUSTED_HOSTS_VARIABLE} (nothing was sent)."
            )
        return url

    def url(self, variable: str, default: str) -> str:
        return (os.environ.get(variable) or default).rstrip("/")


def path_id(value: object, what: str) -> str:
    """An id that becomes part of a request path: letters, digits, '-' and '_' only, so it
    cannot steer the request to another endpoint of the service."""
    text = str(value)
    if not is_placeholder(text) and not _PATH_ID.fullmatch(text):
        raise UsageError(
            f"{what} {text[:40]!r} is not an id (letters, digits, '-' and '_'); fix it "
            "(nothing was sent)."
        )
    return text


def placeholder(variable: str) -> str:
    return f"<{variable}>"


def is_placeholder(value: str) -> bool:
    return value.startswith("<RUNBOOK_") and value.endswith(">")


def create_once(
    create: Callable[[], T], find: Callable[[], T | None], *, attempted_before: bool
) -> T:
    """Create an item at most once. A create whose outcome is unknown (no answer, or 5xx after
    the request arrived) may have worked, so instead of sending it again we look for what it
    made: first when an earlier run recorded an attempt, and after an unknown outcome. When
    the look finds nothing the failure stands: the service's search may lag behind its
    creates by seconds, and the next run looks again before creating. (Creates that are safe
    to repeat, like Linear's with its client-chosen id, are retried by the adapter itself.)"""
    if attempted_before:
        found = find()
        if found is not None:
            return found
    try:
        return create()
    except outbound.Failure as failure:
        if not failure.uncertain:
            raise
        found = find()
        if found is not None:
            return found
        raise
