"""Real git repositories in temporary folders, with a hermetic git configuration."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from helpers import IDENTITY, Runbook, git

_TEMPLATES: dict[str, Path] = {}


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user or system git config leaks in; a fixed identity; UTC; no pinned clock."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {IDENTITY[0]}\n\temail = {IDENTITY[1]}\n"
        "[commit]\n\tgpgSign = false\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = "
        "false\n"
    )
    for name in list(os.environ):
        if name.startswith(("GIT_", "RUNBOOK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv(
        "PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    )  # git finds `runbook` (merge driver)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("RUNBOOK_HTTP_BACKOFF", "0.01")  # retries without waiting seconds
    return home


@pytest.fixture
def bare_repo(tmp_path: Path) -> Path:
    """A git repository with one commit and no runbook files."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _initial_commit(repo)
    return repo


def _initial_commit(repo: Path) -> None:
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("team repo\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "initial")


@pytest.fixture
def repo(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository after `runbook init`: built once per test process, copied for each test."""
    if "init" not in _TEMPLATES:
        template = tmp_path_factory.mktemp("template") / "repo"
        template.mkdir()
        _initial_commit(template)
        Runbook(template)("init")
        _TEMPLATES["init"] = template
    repo = tmp_path / "repo"
    shutil.copytree(_TEMPLATES["init"], repo, symlinks=True)
    return repo


@pytest.fixture
def runbook(repo: Path) -> Runbook:
    return Runbook(repo)


@pytest.fixture
def declared(runbook: Runbook) -> Runbook:
    """A repository with one open SEV-2 incident (id 1) declared 30 minutes ago."""
    runbook(
        "declare",
        "Checkout errors",
        "--severity",
        "SEV-2",
        "--service",
        "appointment-service",
        "--started-at",
        "30m ago",
        "--detected-at",
        "28m ago",
    )
    return runbook
