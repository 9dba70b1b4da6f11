"""Real git repositories in temporary folders, with a hermetic git configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from runbook_cli.cli import app

IDENTITY = ("Avery Oncall", "avery@example.invalid")


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No user or system git config leaks in; a fixed identity; UTC; no pinned clock."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        f"[user]\n\tname = {IDENTITY[0]}\n\temail = {IDENTITY[1]}\n"
        "[commit]\n\tgpgSign = false\n[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n"
    )
    for name in list(os.environ):
        if name.startswith(("GIT_", "RUNBOOK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # git finds `runbook` (merge driver)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("RUNBOOK_HTTP_BACKOFF", "0.01")  # retries without waiting seconds
    return home


def git(repo: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
    if check and result.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


class Runbook:
    """Runs `runbook --repo REPO ...` in-process, as a user would type it."""

    def __init__(self, repo: Path):
        self.repo = repo
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, expect: int | None = 0) -> Result:
        outcome = self.runner.invoke(app, ["--repo", str(self.repo), *args], input=input)
        result = Result(outcome.exit_code, outcome.stdout, outcome.stderr)
        if outcome.exception and not isinstance(outcome.exception, SystemExit):
            raise outcome.exception
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}, expected {expect}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result

    def json(self, *args: str):  # noqa: ANN201
        import json

        return json.loads(self(*args, "--json").stdout)


@pytest.fixture
def bare_repo(tmp_path: Path) -> Path:
    """A git repository with one commit and no runbook files."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    (repo / "README.md").write_text("team repo\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "--quiet", "-m", "initial")
    return repo


@pytest.fixture
def repo(bare_repo: Path) -> Path:
    """A repository after `runbook init`."""
    Runbook(bare_repo)("init")
    return bare_repo


@pytest.fixture
def runbook(repo: Path) -> Runbook:
    return Runbook(repo)


@pytest.fixture
def declared(runbook: Runbook) -> Runbook:
    """A repository with one open SEV-2 incident (id 1) declared 30 minutes ago."""
    runbook("declare", "Checkout errors", "--severity", "SEV-2", "--service", "appointment-service", "--started-at", "30m ago", "--detected-at", "28m ago")
    return runbook


def snapshot(repo: Path) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, the index/work-tree status and every file's bytes: to prove nothing changed."""
    files = {
        str(path.relative_to(repo)): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo).parts
    }
    return git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), files
