"""Where runbook's files live in a repository and how incident files are named. Pure: one home
for each path and for the incident-id grammar, read and written by no one here."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runbook_cli.domain.model import Incident

RUNBOOKS_DIR = "docs/runbooks"
INCIDENTS_DIR = f"{RUNBOOKS_DIR}/incidents"
TEMPLATES_DIR = f"{RUNBOOKS_DIR}/templates"
CONFIG_PATH = f"{RUNBOOKS_DIR}/config.yml"
CONTACTS_PATH = f"{RUNBOOKS_DIR}/contacts.md"
METRICS_PATH = f"{RUNBOOKS_DIR}/metrics.md"

ID = r"[1-9][0-9]{0,8}"
"""An incident id: a positive integer of at most nine digits."""
MAX_ID = 999_999_999
"""The largest id the grammar allows; `declare` refuses to go past it."""
ID_PATTERN = re.compile(rf"^{ID}$")
ID_REFERENCE = re.compile(rf"(?:incident-)?({ID})")
"""How people name an incident on the command line: `7` or `incident-7`."""
FILE_NAME = re.compile(rf"^(?P<date>\d{{4}}-\d{{2}}-\d{{2}})-incident-(?P<id>{ID})\.md$")
MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest incident file the tool reads; larger ones are refused before parsing, and no
change may make a file larger."""


def file_name(incident: Incident) -> str:
    """`2026-11-27-incident-7.md`: the start date and the id."""
    return f"{stem(incident)}.md"


def stem(incident: Incident) -> str:
    """`2026-11-27-incident-7`: the file's name without `.md` (PagerDuty's keys carry it too)."""
    return f"{incident.date.isoformat()}-incident-{incident.id}"


def site_page(stem: str) -> str:
    """An incident's page in the static site (`runbook site`), relative to the site's root."""
    return f"incidents/{stem}.html"
