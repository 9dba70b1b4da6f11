"""The GitHub Actions workflows `runbook init` writes, using the tool pinned to a known source.

The source is the runbook Action pinned to the version that ran `init` by default; a team that
vendors the tool names a local action folder (`./tools/runbook`) or a pip-installable git URL
(`git+https://git.example/runbook.git@v0.2.0`). Every value placed in the YAML is checked against a
strict pattern first, so a source can neither break the YAML nor inject a shell command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runbook_cli import ACTION_REPOSITORY, __version__
from runbook_cli.domain.layout import RUNBOOKS_DIR
from runbook_cli.errors import UsageError

CHECKOUT = "actions/checkout@v7"
SETUP_PYTHON = "actions/setup-python@v7"
UPLOAD_PAGES = "actions/upload-pages-artifact@v5"
DEPLOY_PAGES = "actions/deploy-pages@v5"
PYTHON = "3.12"

_ACTION = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_./-]+")
_LOCAL = re.compile(r"\./[A-Za-z0-9_./-]+")
_PIP = re.compile(r"git\+(?:https|ssh)://[A-Za-z0-9_.:/@%~+=-]+")


def default_tool() -> str:
    """This runbook's own Action, pinned to the version that is running."""
    return f"{ACTION_REPOSITORY}@v{__version__}"


@dataclass(frozen=True)
class ToolSource:
    kind: str
    """`action` (owner/repo@ref), `local` (an action folder in the repository) or `pip`."""
    value: str

    @classmethod
    def parse(cls, text: str) -> ToolSource:
        text = text.strip()
        if ".." in text.split("@")[0].split("/"):
            raise UsageError(f"--tool {text!r} leaves the repository; name a folder inside it.")
        for kind, pattern in (("action", _ACTION), ("local", _LOCAL), ("pip", _PIP)):
            if pattern.fullmatch(text):
                return cls(kind, text)
        raise UsageError(
            f"--tool {text!r} is not a tool source; use OWNER/REPO@REF (a GitHub Action), "
            "./PATH (a vendored copy with its action.yml) or git+https://HOST/REPO.git@REF."
        )

    def steps(self, command: str | None) -> str:
        """The steps that install the tool and run `runbook COMMAND` (the gate when None)."""
        if self.kind in ("action", "local"):
            with_command = f"\n        with:\n          command: {command}" if command else ""
            return f"      - uses: {self.value}{with_command}\n"
        run = command or 'check --base "origin/${{ github.base_ref }}" --format github'
        return (
            f"      - uses: {SETUP_PYTHON}\n"
            f"        with:\n"
            f'          python-version: "{PYTHON}"\n'
            f"      - run: python -m pip install '{self.value}'\n"
            f"      - run: runbook {run}\n"
        )


def check(source: ToolSource) -> str:
    """Fail pull requests whose incident reports are incomplete or unsafe."""
    return (
        "# Written by `runbook init`: fail pull requests whose incident reports are incomplete.\n"
        "name: runbook check\n"
        "\n"
        "on:\n"
        "  pull_request:\n"
        f'    paths: ["{RUNBOOKS_DIR}/**"]\n'
        "\n"
        "permissions:\n"
        "  contents: read\n"
        "\n"
        "jobs:\n"
        "  check:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - uses: {CHECKOUT}\n"
        "        with:\n"
        "          fetch-depth: 0  # check --base needs the history back to the merge base\n"
        + source.steps(None)
    )


def pages(source: ToolSource) -> str:
    """Publish the incident site to GitHub Pages on every push to main."""
    return (
        "# Written by `runbook init --pages`: publish the incident site to GitHub Pages.\n"
        "# A Pages site may be public: keep it behind your organisation's access control.\n"
        "name: incident site\n"
        "\n"
        "on:\n"
        "  push:\n"
        "    branches: [main]\n"
        "  workflow_dispatch:\n"
        "\n"
        "permissions:\n"
        "  contents: read\n"
        "  pages: write\n"
        "  id-token: write\n"
        "\n"
        "concurrency:\n"
        "  group: pages\n"
        "  cancel-in-progress: true\n"
        "\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - uses: {CHECKOUT}\n"
        "        with:\n"
        "          fetch-depth: 0\n"
        + source.steps("site --out _site")
        + f"      - uses: {UPLOAD_PAGES}\n"
        "  deploy:\n"
        "    needs: build\n"
        "    runs-on: ubuntu-latest\n"
        "    environment:\n"
        "      name: github-pages\n"
        "      url: ${{ steps.deployment.outputs.page_url }}\n"
        "    steps:\n"
        "      - id: deployment\n"
        f"        uses: {DEPLOY_PAGES}\n"
    )
