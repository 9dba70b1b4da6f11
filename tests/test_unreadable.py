"""No silent omissions: a command that reads many incidents names each file it could not read
(one line on stderr, with the reason) and exits 4 after printing the rest (issue 12, item 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import Runbook, git

INCIDENTS = "docs/runbooks/incidents"


@pytest.fixture
def two(declared: Runbook, repo: Path) -> Path:
    """Incident 1 readable; incident 2 (an open SEV-2) broken by a hand edit. Returns 2's file."""
    declared("declare", "Search slow", "--severity", "SEV-2", "--service", "search")
    declared("action", "add", "Add an alert", "--owner", "Sam", "--due", "2000-01-01", "-i", "1")
    broken = next((repo / INCIDENTS).glob("*-incident-2.md"))
    broken.write_text(broken.read_text().replace("severity: SEV-2", "severity: SEV-9"))
    git(repo, "commit", "-qam", "hand edit")
    return broken


@pytest.mark.parametrize(
    "command",
    [("list",), ("list", "--json"), ("due",), ("due", "--json"), ("metrics",), ("action", "list")],
)
def test_read_commands_name_the_unreadable_file_and_exit_4(
    declared: Runbook, two: Path, command: tuple[str, ...]
) -> None:
    result = declared(*command, expect=4)
    lines = [line for line in result.stderr.splitlines() if two.name in line]
    assert len(lines) == 1 and "unknown severity 'SEV-9'" in lines[0]
    assert "Traceback" not in result.stderr
    assert result.stdout.strip()  # what could be read is still printed


def test_list_prints_the_readable_incidents_before_exiting_4(declared: Runbook, two: Path) -> None:
    result = declared("list", "--json", expect=4)
    assert [row["id"] for row in json.loads(result.stdout)] == [1]
    again = declared("list", "--json", expect=4)  # the second run is served from the cache
    assert two.name in again.stderr and "SEV-9" in again.stderr


def test_site_names_the_unreadable_file(declared: Runbook, two: Path, tmp_path: Path) -> None:
    result = declared("site", "--out", str(tmp_path / "site"), expect=4)
    assert two.name in result.stderr and "SEV-9" in result.stderr
    assert (tmp_path / "site" / "incidents").glob("*incident-1.html")


def test_readable_repository_still_exits_0(declared: Runbook) -> None:
    for command in (("list",), ("due",), ("metrics",), ("action", "list")):
        assert declared(*command).stderr == ""


def test_edit_opens_a_malformed_file_so_it_can_be_repaired(
    declared: Runbook, two: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixer = tmp_path / "fixer.py"
    fixer.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('severity: SEV-9', 'severity: SEV-2'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {fixer}")
    assert "committed" in declared("edit", "-i", "2").stdout
    assert git(declared.repo, "log", "-1", "--format=%s") == "incident 2: edited by hand"
    assert [row["id"] for row in declared.json("list")] == [2, 1]


def test_edit_of_a_malformed_file_still_validates_the_result(
    declared: Runbook, two: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    noop = tmp_path / "typo.py"
    noop.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('severity: SEV-9', 'severity: SEV-8'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {noop}")
    before = two.read_bytes()
    error = declared("edit", "-i", "2", expect=4).stderr
    assert "SEV-8" in error and ".rejected" in error
    assert two.read_bytes() == before


def test_the_installed_command_exits_4_naming_the_file(declared: Runbook, two: Path) -> None:
    runbook = Path(sys.executable).parent / "runbook"
    result = subprocess.run(
        [str(runbook), "due"], cwd=declared.repo, capture_output=True, text=True
    )
    assert result.returncode == 4, result.stderr
    assert two.name in result.stderr and "Traceback" not in result.stderr
