"""What the facts typed on the command line must be: services, tags, the detection method,
impact numbers, related incidents and times that cannot come before the incident. Pure: every
use case that takes such a fact (declare, runbook set, a status change) checks it here."""

from __future__ import annotations

import re
from collections.abc import Callable, Container
from datetime import datetime

from runbook_cli.domain import clock
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import DETECTION_METHODS, Incident
from runbook_cli.errors import UsageError

_SERVICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_TAG = re.compile(r"^[a-z0-9][a-z0-9._/-]{0,39}$")


def services(names: list[str], config: Config) -> tuple[list[str], list[str]]:
    """The service names given (repeated or comma-separated), and those the config does not know."""
    found = _each_once(
        names,
        str.strip,
        _SERVICE,
        "is not a service name; use letters, digits, '.', '_', '-' or '/' (e.g. "
        "appointment-service).",
    )
    if not found:
        raise UsageError(
            "name at least one affected service with --service (e.g. --service "
            "appointment-service)."
        )
    return found, [s for s in found if config.services and s not in config.services]


def tags(values: list[str]) -> list[str]:
    """Tags as given (repeated or comma-separated), lower-cased, each once."""
    return _each_once(
        values,
        lambda part: part.strip().lower(),
        _TAG,
        "is not a tag; use up to 40 letters, digits, '.', '_', '-' or '/' (e.g. database, "
        "release-train).",
    )


def _each_once(
    values: list[str], normal: Callable[[str], str], pattern: re.Pattern, refusal: str
) -> list[str]:
    """Each comma-separated part of each value, in its normal form, once; a part that does not
    match `pattern` is refused, quoted as typed."""
    found: list[str] = []
    for value in values:
        for part in value.split(","):
            item = normal(part)
            if not pattern.match(item):
                raise UsageError(f"{part.strip()!r} {refusal}")
            if item not in found:
                found.append(item)
    return found


def detection(value: str) -> str:
    method = value.strip().lower().replace("_", "-").replace(" ", "-")
    if method not in DETECTION_METHODS:
        raise UsageError(
            f"unknown detection method {value!r}; use one of {', '.join(DETECTION_METHODS)}."
        )
    return method


def counts(given: dict[str, int | None]) -> dict[str, int]:
    """Impact numbers given on the command line: whole numbers of 0 or more."""
    for name, value in given.items():
        if value is not None and value < 0:
            option = name.removesuffix("_affected").replace("_", "-")
            raise UsageError(f"--{option} must be 0 or more, not {value}.")
    return {name: value for name, value in given.items() if value is not None}


def related(ids: list[int], own: int | None, known: Container[int]) -> list[int]:
    """Related incident ids: each must be a `known` incident and differ from the incident itself."""
    result: list[int] = []
    for number in ids:
        if number == own:
            raise UsageError(f"incident {number} cannot be related to itself.")
        if number not in known:
            raise UsageError(f"there is no incident {number} to relate to.")
        if number not in result:
            result.append(number)
    return result


def not_before_start(incident: Incident, moment: datetime, what: str) -> None:
    not_before(incident.started_at, moment, what, "the incident started")


def not_before(start: datetime, moment: datetime, what: str, event: str) -> None:
    if moment < start:
        raise UsageError(
            f"{what} ({clock.format_stored(moment)}) is before {event} "
            f"({clock.format_stored(start)}); check the time you gave."
        )
