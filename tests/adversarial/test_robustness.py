"""Many writers at once, writers killed mid-change, and hundreds of commands in a row."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import Runbook, git

RUNBOOK = shutil.which("runbook") or str(Path(sys.executable).with_name("runbook"))


def run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([RUNBOOK, *args], cwd=repo, capture_output=True, text=True)


def test_concurrent_writers_on_different_incidents_lose_nothing(repo: Path) -> None:
    for n in range(3):
        assert (
            run(
                repo, "declare", f"Incident {n + 1}", "-s", "SEV-2", "--service", "patient-web"
            ).returncode
            == 0
        )
    writers = [
        subprocess.Popen(
            [RUNBOOK, "timeline", "add", f"writer {n}", "-i", str(n % 3 + 1)],
            cwd=repo,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(9)
    ]
    for writer in writers:
        _, stderr = writer.communicate(timeout=120)
        assert writer.returncode == 0, stderr
    for number in (1, 2, 3):
        view = json.loads(run(repo, "show", "-i", str(number), "--json").stdout)
        assert {e["text"] for e in view["timeline"]} >= {
            f"writer {n}" for n in range(9) if n % 3 + 1 == number
        }
    assert git(repo, "status", "--porcelain") == ""
    assert (
        subprocess.run(["git", "fsck", "--strict"], cwd=repo, capture_output=True).returncode == 0
    )


def test_writers_killed_mid_change_leave_old_or_new_never_a_mix(repo: Path) -> None:
    assert (
        run(repo, "declare", "Killed writers", "-s", "SEV-1", "--service", "patient-web").returncode
        == 0
    )
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    rng = random.Random(7)
    for attempt in range(12):
        writer = subprocess.Popen(
            [RUNBOOK, "timeline", "add", f"attempt {attempt}"],
            cwd=repo,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, 0.3))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        text = path.read_text()
        assert text.startswith("---\nid: 1\n") and text.rstrip().endswith(
            "-->"
        )  # a whole file, old or new
        assert run(repo, "show", "--json").returncode == 0
        (repo / ".git/index.lock").unlink(missing_ok=True)  # as the user would, told by git
    assert run(repo, "timeline", "add", "after the storm").returncode == 0
    assert not list(
        path.parent.glob(".*.tmp")
    )  # a killed writer's temp file is cleared by the next one
    assert git(repo, "status", "--porcelain") == ""
    assert "after the storm" in git(repo, "show", "HEAD")
    assert (
        subprocess.run(["git", "fsck", "--strict"], cwd=repo, capture_output=True).returncode == 0
    )


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def child_processes() -> int:
    me = str(os.getpid())
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            count += fields[1] == me
    return count


def test_hundreds_of_commands_grow_no_open_files_or_children(declared: Runbook) -> None:
    declared("timeline", "add", "warm up")
    declared.json("list")
    files, children = open_files(), child_processes()
    for n in range(25):  # 100 commands, half of them commits: one leak a command would show
        declared("timeline", "add", f"entry {n}")
        declared.json("show")
        declared.json("list")
        forced = ("--force", "--reason", "kept elsewhere") if n % 2 else ()
        declared("checklist", "tick" if n % 2 else "untick", "ticket_updated", *forced)
    declared("audit", "-i", "1", "--json")
    assert open_files() <= files and child_processes() <= children
    assert len(declared.json("show")["timeline"]) >= 27
