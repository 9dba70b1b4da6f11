"""`runbook init`: lay out docs/runbooks/ in a repository, idempotently, and commit what is new."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runbook_cli.adapters.gitrepo import MERGE_DRIVER
from runbook_cli.domain import config, contacts
from runbook_cli.domain.layout import INCIDENTS_DIR, RUNBOOKS_DIR
from runbook_cli.files import read_regular
from runbook_cli.rendering import workflows
from runbook_cli.rendering.templates import OVERRIDE_DIR
from runbook_cli.usecases.workspace import Workspace

TEMPLATES_README = """\
# Template overrides

A file here with the same name as one of runbook's packaged templates replaces it:
`incident.md.j2` (new incident files), `slack.md.j2`, `status-page.md.j2`,
`stakeholder.md.j2`, `resolved.md.j2`. Templates are Jinja2, rendered in a sandbox with strict
undefined variables; each receives `incident` (the keys of `runbook show --json`)
and `now` (ISO-8601 UTC).
"""


@dataclass
class Initialised:
    """What `init` laid out and committed, and the workflows it kept although this version
    writes them differently."""

    created: list[str]
    commit: str | None
    differing: list[str]


WORKFLOWS_DIR = ".github/workflows"
ATTRIBUTES_COMMENT = (
    "# runbook: merge incident files by meaning (timeline entries from both sides; see docs)\n"
)
ATTRIBUTES_LINE = f"{INCIDENTS_DIR}/*.md merge={MERGE_DRIVER}"


def files(pages: bool = False, tool: str | None = None) -> dict[str, str]:
    """Repo-relative path -> content of everything `init` lays out."""
    source = workflows.ToolSource.parse(tool or workflows.default_tool())
    return {
        config.CONFIG_PATH: config.default_text(),
        f"{INCIDENTS_DIR}/.gitkeep": "",
        f"{OVERRIDE_DIR}/README.md": TEMPLATES_README,
        contacts.CONTACTS_PATH: contacts.default_text(),
        f"{WORKFLOWS_DIR}/runbook-check.yml": workflows.check(source),
        **({f"{WORKFLOWS_DIR}/runbook-site.yml": workflows.pages(source)} if pages else {}),
    }


def init(
    ws: Workspace, *, commit: bool = True, pages: bool = False, tool: str | None = None
) -> Initialised:
    with ws.locked():
        if commit:
            ws.git.check_can_commit()
        created: list[Path] = []
        differing: list[str] = []
        for relative, content in files(pages, tool).items():
            path = ws.root / relative
            if path.exists() or path.is_symlink():
                if relative.startswith(WORKFLOWS_DIR) and _text(path) != content:
                    differing.append(relative)
                continue
            ws.write(path, content)
            created.append(path)
        attributes = ws.root / ".gitattributes"
        current = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
        if ATTRIBUTES_LINE not in current.splitlines():
            ws.write(
                attributes,
                current
                + ("" if not current or current.endswith("\n") else "\n")
                + ATTRIBUTES_COMMENT
                + ATTRIBUTES_LINE
                + "\n",
            )
            created.append(attributes)
        ws.git.ensure_merge_driver()
        made = None
        if created and commit:
            made = ws.commit_paths(
                created, f"runbook: set up {RUNBOOKS_DIR}/\n\nCreated-By: runbook init"
            )
    return Initialised([ws.store.relative(p) for p in created], made, differing)


def _text(path: Path) -> str | None:
    """The file's text; None for a link (never followed: it could lead to /dev/zero), a special
    file, one too large, or one that cannot be read."""
    try:
        return read_regular(path).decode("utf-8").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):  # files.Refused is an OSError
        return None
