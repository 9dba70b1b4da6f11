"""The team's own files that set the tool up: `config.yml` and `contacts.md` under
docs/runbooks/. Read here (through `runbook_cli.files`: no link followed, no special file, a size
limit); what they mean is parsed and checked by the pure `domain.config` and `domain.contacts`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from runbook_cli import files
from runbook_cli.domain import config as config_rules
from runbook_cli.domain import document
from runbook_cli.domain.layout import CONFIG_PATH, CONTACTS_PATH
from runbook_cli.errors import MalformedFileError

if TYPE_CHECKING:
    from runbook_cli.domain.contacts import Contacts


def config(root: Path) -> config_rules.Config:
    """The repository's config, or the defaults when it has none yet."""
    text = _text(root, CONFIG_PATH)
    return config_rules.defaults() if text is None else config_rules.parse(text, CONFIG_PATH)


def contacts(root: Path) -> Contacts:
    """The repository's contacts and escalation matrix, or the runbook's draft when it has none."""
    from runbook_cli.domain import contacts as contact_rules  # ~2 ms: a write never needs them

    text = _text(root, CONTACTS_PATH)
    if text is None:
        return contact_rules.parse(contact_rules.DEFAULT_DATA)
    try:
        data = document.parse(text).meta
    except document.DocumentError as error:
        raise MalformedFileError(
            f"{CONTACTS_PATH}:{error.line or 1}: {error}; fix the file."
        ) from None
    return contact_rules.parse(data, CONTACTS_PATH)


def _text(root: Path, relative: str) -> str | None:
    """The file's text; None when it does not exist."""
    try:
        raw = files.read_regular(root / relative)
    except FileNotFoundError:
        return None
    except files.Refused as error:
        raise MalformedFileError(
            f"{relative} {error.reason}; runbook reads only a regular file there, restore it."
        ) from None
    except OSError as error:
        raise MalformedFileError(
            f"cannot read {relative}: {error.strerror}; fix or restore the file."
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedFileError(
            f"{relative} is not valid UTF-8 ({error}); fix the file."
        ) from None
