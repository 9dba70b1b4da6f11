"""Output that cannot be forged: text from files or git history reaches a terminal with its
control characters made visible, and GitHub's step summary and annotations escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import Runbook, git, incident_path

ESCAPE = "\x1b[2J\x1b[8m"  # clear the screen, then conceal what follows
TITLE = f"Checkout{ESCAPE} errors \u202eevil\r"


def raw_free(text: str) -> bool:
    return not any(c in text for c in ("\x1b", "\u202e", "\r", "\x9b"))


@pytest.fixture
def hostile(declared: Runbook, repo: Path) -> Runbook:
    """A hand edit (and a commit message) carrying escape sequences, committed outside runbook."""
    path = incident_path(repo)
    quoted = json.dumps(TITLE)  # YAML double-quoted: \u001b and friends
    path.write_text(path.read_text().replace("title: Checkout errors", f"title: {quoted}", 1))
    git(repo, "commit", "-qam", f"hand edit {ESCAPE}hidden\u202e")
    return declared


@pytest.mark.parametrize(
    "args",
    [("show", "-i", "1"), ("list",), ("report", "-i", "1"), ("audit",), ("audit", "-i", "1")],
)
def test_terminal_output_shows_escapes_instead_of_running_them(
    hostile: Runbook, args: tuple[str, ...]
) -> None:
    out = hostile(*args).stdout
    assert raw_free(out), repr(out)
    if args[0] != "report":  # report drops escape sequences from the text it prints
        assert "\\u001b[2J" in out


def test_json_output_stays_valid_and_faithful(hostile: Runbook) -> None:
    out = hostile("show", "-i", "1", "--json").stdout
    assert raw_free(out)
    assert json.loads(out)["title"].startswith("Checkout\x1b[2J")


def test_check_text_output_and_messages_are_safe(declared: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    hostile_key = '"\\e[2J\\e[8mkey\\u202e": x'  # YAML double-quoted escapes
    path.write_text(path.read_text().replace("id: 1\n", f"id: 1\n{hostile_key}\n", 1))
    result = declared("check", "--all", expect=1)
    assert raw_free(result.stdout) and "key" in result.stdout


def test_step_summary_and_annotations_cannot_be_injected(
    declared: Runbook, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = incident_path(repo)
    key = (
        "x\\n\\n## Injected heading\\n\\n<img src=x onerror=alert(1)>[click](https://evil.example)`"
    )
    path.write_text(path.read_text().replace("id: 1\n", f'id: 1\n"{key}": 1\n', 1))
    result = declared("check", "--all", "--format", "github", expect=1)
    lines = result.stdout.splitlines()
    assert all(line.startswith("::error ") for line in lines[:-1]) and raw_free(result.stdout)
    text = summary.read_text()
    assert "\n## Injected" not in text and "<img" not in text and "](https" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 2  # the header and one finding, each on one line
