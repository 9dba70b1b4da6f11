"""The installed `runbook` command, run as a process: the real entry point, real concurrency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import git, long_timeline

RUNBOOK = shutil.which("runbook") or str(Path(sys.executable).with_name("runbook"))


def run(
    repo: Path, *args: str, input: str | None = None, check: bool = True
) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [RUNBOOK, *args], cwd=repo, capture_output=True, text=True, input=input, env=os.environ
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_declare_timeline_resolve_in_a_subprocess(repo: Path) -> None:
    declared = run(
        repo,
        "declare",
        "Payments down",
        "--severity",
        "SEV-1",
        "--service",
        "appointment-service",
        "--started-at",
        "10m ago",
    )
    assert "Declared incident 1" in declared.stdout
    run(repo, "timeline", "add", "-", input="piped from a runbook script\n")
    run(repo, "resolve", "--root-cause", "expired certificate")
    view = json.loads(run(repo, "show", "-i", "1", "--json").stdout)
    assert view["status"] == "resolved"
    texts = [e["text"] for e in view["timeline"]]
    assert texts[0] == "Impact started." and texts[1].startswith("Declared SEV-1")
    assert texts[2] == "piped from a runbook script"
    assert git(repo, "status", "--porcelain") == ""


def test_errors_from_the_real_process_are_one_line_without_traceback(repo: Path) -> None:
    result = run(repo, "severity", "SEV-1", check=False)
    assert result.returncode == 2
    assert result.stderr == (
        "runbook: error: there is no open incident; pass -i ID, choose one with runbook use "
        "ID, or declare one.\n"
    )


def test_version_module_entry_point_and_no_colour_in_pipes(repo: Path) -> None:
    assert run(repo, "--version").stdout.startswith("runbook ")
    module = subprocess.run(
        [sys.executable, "-m", "runbook_cli", "--version"], capture_output=True, text=True
    )
    assert module.returncode == 0 and module.stdout.startswith("runbook ")
    run(repo, "declare", "Colourless", "--severity", "SEV-0", "--service", "patient-web")
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    piped = subprocess.run(
        [RUNBOOK, "show"], cwd=repo, capture_output=True, text=True, env=environment
    )
    assert "SEV-0" in piped.stdout and "\x1b[" not in piped.stdout


@pytest.mark.parametrize("writers", [8])
def test_concurrent_timeline_adds_lose_nothing(repo: Path, writers: int) -> None:
    run(repo, "declare", "Many hands", "--severity", "SEV-1", "--service", "patient-web")
    processes = [
        subprocess.Popen(
            [RUNBOOK, "timeline", "add", f"entry from writer {n}"],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(writers)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    view = json.loads(run(repo, "show", "--json").stdout)
    texts = {e["text"] for e in view["timeline"]}
    assert {f"entry from writer {n}" for n in range(writers)} <= texts
    subjects = git(repo, "log", "--format=%s").splitlines()
    assert sum(s.startswith("incident 1: timeline: entry from writer") for s in subjects) == writers
    assert (
        subprocess.run(["git", "fsck", "--strict"], cwd=repo, capture_output=True).returncode == 0
    )
    assert git(repo, "status", "--porcelain") == ""


def test_output_longer_than_every_buffer_arrives_whole_through_a_pipe(repo: Path) -> None:
    """The executable ends without Python's teardown (docs/performance.md): what it printed
    must still all arrive, and with the status the command gave."""
    long_timeline(repo)
    shown = run(repo, "show", "--json")
    assert len(shown.stdout) > 200_000  # beyond the pipe's and Python's buffers
    texts = [entry["text"] for entry in json.loads(shown.stdout)["timeline"]]
    steps = [text for text in texts if text.startswith("step ")]  # declare's entry is at now
    assert steps[-1] == "step 2999" and len(steps) == 3000
    refused = run(repo, "show", "-i", "99", check=False)
    assert refused.returncode == 2 and refused.stderr.startswith("runbook: error: ")
