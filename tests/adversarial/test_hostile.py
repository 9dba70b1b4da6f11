"""Hostile files, hostile repository states and hostile input: exit 3 or 4 with one sentence,
nothing lost, nothing changed, no traceback."""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from pathlib import Path

import pytest
from helpers import Runbook, git, incident_path, snapshot


def refused(runbook: Runbook, repo: Path, *args: str, code: int, says: str) -> str:
    before = snapshot(repo)
    result = runbook(*args, expect=code)
    assert says in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(repo) == before
    return result.stderr


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"---\nid: &a 1\ntitle: *a\n---\n", "aliases"),
        (b"---\nid: 1\nid: 2\n---\n", "appears twice"),
        (b"---\n- a list\n- not a mapping\n---\n", "must be a mapping"),
        (b"---\nid: 1\ntitle: no closing line\n", "no closing '---' line"),
        (b"---\nid: 1\ntitle: caf\xe9\n---\n", "not valid UTF-8"),
        (b"---\nid: 1\n---\n" + b"x" * (3 * 1024 * 1024), "larger than 2 MiB"),
    ],
)
def test_hostile_files_exit_4_and_stay_untouched(
    declared: Runbook, repo: Path, content: bytes, says: str
) -> None:
    incident_path(repo).write_bytes(content)
    refused(declared, repo, "timeline", "add", "x", "-i", "1", code=4, says=says)
    assert incident_path(repo).read_bytes() == content


def test_an_alias_bomb_fails_fast(declared: Runbook, repo: Path) -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 10) + "]"
        for n in range(8)
    ]
    incident_path(repo).write_text("---\n" + "\n".join(levels) + "\n---\n")
    started = time.monotonic()
    refused(declared, repo, "show", "-i", "1", code=4, says="aliases")
    assert time.monotonic() - started < 2


def test_bom_and_crlf_are_kept_losslessly(declared: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    declared("timeline", "add", "fine")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf---\r\nid: 1\r\n")


def test_symlinked_incident_file_and_folder_are_refused(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    path = incident_path(repo)
    outside = tmp_path / "outside.md"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(outside)
    refused(declared, repo, "timeline", "add", "x", "-i", "1", code=4, says="is a symbolic link")
    path.unlink()
    folder = repo / "docs/runbooks/incidents"
    moved = tmp_path / "elsewhere"
    folder.rename(moved)
    folder.symlink_to(moved)
    refused(declared, repo, "list", code=3, says="docs/runbooks/incidents is a symbolic link")


def test_escape_sequences_in_bad_input_are_not_echoed_raw(declared: Runbook) -> None:
    result = declared("severity", "\x1b[2J\x1b[31mSEV-9", expect=2)
    assert "\x1b" not in result.stderr and "\\x1b" in result.stderr


def test_failing_gpg_signer_keeps_the_entry_uncommitted(declared: Runbook, repo: Path) -> None:
    git(repo, "config", "commit.gpgsign", "true")
    git(repo, "config", "gpg.program", "false")
    head = git(repo, "rev-parse", "HEAD")
    error = declared("timeline", "add", "signed or nothing", expect=3).stderr
    assert (
        "git did not commit it" in error
        and "gpg" in error.lower()
        and "next runbook command commits it as its own commit" in error
    )
    assert git(repo, "rev-parse", "HEAD") == head
    assert "signed or nothing" in incident_path(repo).read_text()
    git(repo, "config", "commit.gpgsign", "false")
    declared("timeline", "add", "after the fix")
    assert "timeline: signed or nothing" in git(repo, "log", "-1", "--skip=1", "--format=%s")


def test_stale_index_lock_is_reported_and_never_deleted(declared: Runbook, repo: Path) -> None:
    stale = repo / ".git/index.lock"
    stale.write_text("")
    error = declared("timeline", "add", "kept", expect=3).stderr
    assert "index.lock" in error and "git did not commit it" in error
    assert stale.exists() and "kept" in incident_path(repo).read_text()


def test_dubious_ownership_exits_3(declared: Runbook, repo: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("changing a repository's owner needs root")
    before = snapshot(repo)  # git itself refuses to read the repository while it is foreign
    subprocess.run(["chown", "-R", "4242:4242", str(repo)], check=True)
    try:
        result = declared("timeline", "add", "x", expect=3)
    finally:
        subprocess.run(["chown", "-R", "0:0", str(repo)], check=True)
    assert "detected dubious ownership" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(repo) == before


def test_read_only_file_system_exits_3_and_changes_nothing(declared: Runbook, repo: Path) -> None:
    folder = repo / "docs/runbooks/incidents"
    mounted = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip("bind mounts need root")
    try:
        subprocess.run(
            ["mount", "-o", "remount,bind,ro", str(folder)], check=True, capture_output=True
        )
        refused(declared, repo, "timeline", "add", "x", code=3, says="Read-only file system")
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_held_lock_is_waited_for_boundedly_and_said(declared: Runbook, repo: Path) -> None:
    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace("lock_timeout_seconds: 10", "lock_timeout_seconds: 2")
    )
    holder = os.open(repo / ".git/runbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        started = time.monotonic()
        result = declared("timeline", "add", "x", expect=3)
        waited = time.monotonic() - started
    finally:
        os.close(holder)
    assert 1.9 < waited < 5
    assert "waiting up to 2s for another runbook command" in result.stderr
    assert "has held" in result.stderr and (repo / ".git/runbook.lock").exists()
