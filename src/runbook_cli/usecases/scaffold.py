"""`runbook init`: lay out docs/runbooks/ in a repository, idempotently, and commit what is new."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runbook_cli.adapters.gitrepo import MERGE_DRIVER
from runbook_cli.domain import config, contacts
from runbook_cli.domain.layout import INCIDENTS_DIR, RUNBOOKS_DIR
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
    created: list[str]
    commit: str | None


CHECK_WORKFLOW = """\
# Written by `runbook init`: fail pull requests whose incident reports are incomplete.
name: runbook check

on:
  pull_request:
    paths: ["docs/runbooks/**"]

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # check --base needs the history back to the merge base
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install runbook-cli
      - run: runbook check --base "origin/${{ github.base_ref }}" --format github
"""


ATTRIBUTES_COMMENT = (
    "# runbook: merge incident files by meaning (timeline entries from both sides; see docs)\n"
)
ATTRIBUTES_LINE = f"{INCIDENTS_DIR}/*.md merge={MERGE_DRIVER}"


PAGES_WORKFLOW = """\
# Written by `runbook init --pages`: publish the incident site to GitHub Pages on every push.
name: incident site

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:
  group: pages
  cancel-in-progress: true

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install runbook-cli
      - run: runbook site --out _site
      - uses: actions/upload-pages-artifact@v3
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def files(pages: bool = False) -> dict[str, str]:
    """Repo-relative path -> content of everything `init` lays out."""
    return {
        config.CONFIG_PATH: config.default_text(),
        f"{INCIDENTS_DIR}/.gitkeep": "",
        f"{OVERRIDE_DIR}/README.md": TEMPLATES_README,
        contacts.CONTACTS_PATH: contacts.default_text(),
        ".github/workflows/runbook-check.yml": CHECK_WORKFLOW,
        **({".github/workflows/runbook-site.yml": PAGES_WORKFLOW} if pages else {}),
    }


def init(ws: Workspace, *, commit: bool = True, pages: bool = False) -> Initialised:
    with ws.locked():
        if commit:
            ws.git.check_can_commit()
        created: list[Path] = []
        for relative, content in files(pages).items():
            path = ws.root / relative
            if path.exists() or path.is_symlink():
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
    return Initialised([ws.store.relative(p) for p in created], made)
