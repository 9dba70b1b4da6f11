"""What tests share besides fixtures: running runbook in-process, git, and snapshots."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from runbook_cli.cli import app

IDENTITY = ("Avery Oncall", "avery@example.invalid")


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
            assert result.exit_code == expect, (
                f"exit {result.exit_code}, expected {expect}\nstdout: {result.stdout}\nstderr: "
                f"{result.stderr}"
            )
        return result

    def json(self, *args: str):
        import json

        return json.loads(self(*args, "--json").stdout)


def long_timeline(repo: Path, entries: int = 3000) -> None:
    """One incident whose timeline holds `entries` entries (written by hand, so fast), committed:
    `show` then prints more than every pipe and stream buffer holds."""
    Runbook(repo)("declare", "Long timeline", "-s", "SEV-3", "--service", "patient-web")
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("## Timeline") + 2
    added = [
        f"- 2026-11-27 10:{n // 60:02d}:{n % 60:02d} UTC — Ana — step {n}" for n in range(entries)
    ]
    path.write_text("\n".join([*lines[:at], *added, *lines[at:]]), encoding="utf-8")
    git(repo, "commit", "--quiet", "-am", "a long timeline, by hand")


def snapshot(repo: Path) -> tuple[str, str, dict[str, bytes]]:
    """HEAD, the index/work-tree status and every file's bytes: to prove nothing changed."""
    files = {
        str(path.relative_to(repo)): path.read_bytes()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(repo).parts
    }
    return git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"), files


def incident_path(repo: Path, number: int = 1) -> Path:
    return next((repo / "docs/runbooks/incidents").glob(f"*-incident-{number}.md"))


def complete(runbook: Runbook) -> None:
    """Fill everything `check` wants of a resolved incident 1."""
    runbook("report", "set", "summary", "Bookings failed for 40 minutes.", "-i", "1")
    runbook("report", "set", "root-cause", "Pool exhausted by retries.", "-i", "1")
    runbook("report", "set", "detection", "Alert on 5xx rate.", "-i", "1")
    runbook("report", "set", "resolution", "Rolled back.", "-i", "1")
    runbook("action", "add", "Retry budget", "--owner", "Lee", "--due", "2026-12-10", "-i", "1")
    soon = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    runbook("postmortem", "schedule", "--at", soon, "--attendee", "Lee", "--ics", "-", "-i", "1")


def findings(runbook: Runbook, *args: str) -> list[dict]:
    result = runbook("check", *(args or ("--all",)), "--format", "json", expect=None)
    data = json.loads(result.stdout)
    assert result.exit_code == (1 if data["findings"] else 0)
    return data["findings"]
