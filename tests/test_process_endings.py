"""How the installed command ends when interrupted (Ctrl-C, SIGINT to its process group, as a
terminal sends it) or when the reader of its output goes away: one line saying what state the
incident is in, or nothing, and a conventional status; never a traceback."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import Runbook, git, long_timeline

RUNBOOK = shutil.which("runbook") or str(Path(sys.executable).with_name("runbook"))
INCIDENT = "docs/runbooks/incidents"


def start(repo: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [RUNBOOK, *args],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ,
        start_new_session=True,  # its own process group, like a terminal's foreground job
    )


def ctrl_c(process: subprocess.Popen) -> tuple[int, str]:
    with contextlib.suppress(ProcessLookupError):  # already finished
        os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    return process.returncode, stderr


def wait_for(path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the command never reached the moment"
        time.sleep(0.01)


def hook(repo: Path, name: str, ready: Path, then: str = "sleep 20", when: str = "true") -> Path:
    """A git hook that, when the shell test `when` holds, touches `ready` and runs `then`."""
    script = repo / ".git/hooks" / name
    script.write_text(f"#!/bin/sh\nif {when}; then touch '{ready}'; {then}; fi\n")
    script.chmod(0o755)
    return script


def test_ctrl_c_before_anything_is_written_says_so(declared: Runbook, repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    with open(repo / ".git/runbook.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the command waits for the lock, then gets Ctrl-C
        process = start(repo, "timeline", "add", "never written")
        time.sleep(1.5)
        code, stderr = ctrl_c(process)
    assert code == 130 and "Traceback" not in stderr, stderr
    assert stderr.splitlines()[-1] == "runbook: interrupted; nothing was written."
    assert git(repo, "rev-parse", "HEAD") == head, git(repo, "log", "-3", "--format=%s%n%b")
    assert git(repo, "status", "--porcelain") == ""


def test_ctrl_c_before_writing_names_a_change_still_waiting_from_an_earlier_one(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    """ "Nothing was written" alone, while `git status` shows the file changed by an earlier
    interrupted command, reads as if that change were lost."""
    ready = tmp_path / "in-hook"
    hook(repo, "pre-commit", ready)
    first = start(repo, "timeline", "add", "typed before the first Ctrl-C")
    wait_for(ready, first)
    assert "but not committed" in ctrl_c(first)[1]
    (repo / ".git/hooks/pre-commit").unlink()
    with open(repo / ".git/runbook.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # the next command waits for the lock, then Ctrl-C
        second = start(repo, "timeline", "add", "never written")
        time.sleep(1.0)
        code, stderr = ctrl_c(second)
    assert code == 130 and stderr.count("\n") == 1, stderr
    assert stderr.startswith("runbook: interrupted; nothing was written by this command")
    assert (
        "still holds a change written earlier" in stderr
        and "next runbook command commits it" in stderr
    )


def test_ctrl_c_while_committing_says_written_not_committed_and_the_next_command_commits_it(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    ready = tmp_path / "in-hook"
    hook(repo, "pre-commit", ready)
    head = git(repo, "rev-parse", "HEAD")
    process = start(repo, "timeline", "add", "typed before Ctrl-C")
    wait_for(ready, process)
    code, stderr = ctrl_c(process)
    assert code == 130 and "Traceback" not in stderr
    assert stderr.startswith("runbook: interrupted; the change is written to ")
    assert "but not committed; the next runbook command commits it as its own commit" in stderr
    assert stderr.count("\n") == 1
    assert git(repo, "rev-parse", "HEAD") == head
    (repo / ".git/hooks/pre-commit").unlink()
    declared("timeline", "add", "the next command")
    assert git(repo, "log", "-2", "--format=%s").splitlines() == [
        "incident 1: timeline: the next command",
        "incident 1: timeline: typed before Ctrl-C",  # its own commit, not swept into the next
    ]


def test_an_interrupt_to_runbook_alone_lets_git_finish_and_leaves_no_lock(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    """SIGINT to runbook's process only (a supervisor, `timeout -s INT`, an IDE's stop button),
    while git commit waits for a hook: git must not be killed holding .git/index.lock, or every
    later command (and plain `git commit`) fails with "index.lock: File exists"."""
    ready = tmp_path / "in-hook"
    script = hook(repo, "pre-commit", ready, then="sleep 1")
    process = start(repo, "timeline", "add", "typed before the interrupt")
    wait_for(ready, process)
    os.kill(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and stderr.startswith("runbook: interrupted; "), stderr
    assert not (repo / ".git/index.lock").exists()
    script.unlink()
    declared("timeline", "add", "the next command")
    assert "typed before the interrupt" in git(repo, "log", "-3", "--format=%s")


def test_an_interrupt_to_runbook_alone_lets_a_git_about_to_finish_finish(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    """A git interrupted at its very start can die holding its lock file (seen about twice in
    560 interrupts timed at the commit: every later command then failed with "index.lock: File
    exists"). A git that finishes within a second is let finish instead (Python's subprocess
    alone waits a quarter of one): here a git that starts half a second late, interrupted by a
    signal to runbook alone."""
    ready, wrapper = tmp_path / "starting", tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(  # a process that a SIGINT ends at once, as it ends git at its start
        f"#!{sys.executable}\nimport os, sys, time\n"
        f"if 'commit' in sys.argv:\n    open({str(ready)!r}, 'w').close()\n    time.sleep(0.5)\n"
        f"os.execv({shutil.which('git')!r}, ['git', *sys.argv[1:]])\n"
    )
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(
        [RUNBOOK, "timeline", "add", "finished after the interrupt"],
        cwd=repo,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    wait_for(ready, process)
    os.kill(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "was committed before that" in stderr, stderr
    assert "finished after the interrupt" in git(repo, "log", "-1", "--format=%s")
    assert git(repo, "status", "--porcelain") == ""


def test_a_lock_file_left_by_git_says_how_to_go_on(declared: Runbook, repo: Path) -> None:
    (repo / ".git/index.lock").write_text("")  # what a git killed at its start leaves
    error = declared("timeline", "add", "blocked", expect=3).stderr
    assert "index.lock': File exists" in error
    assert "if no git command is running, remove" in error and error.count("\n") == 1
    (repo / ".git/index.lock").unlink()
    declared("status", "identified")
    assert "timeline: blocked" in git(repo, "log", "-2", "--format=%s")


def test_ctrl_c_after_git_moved_the_branch_but_before_it_wrote_the_index(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    """git commit moves the branch, then writes the index; a Ctrl-C in between (seen in CI)
    left HEAD with the entry and the index without it: `git status` said changed, runbook said
    "not committed", and the next command failed with "nothing to commit" (exit 3)."""
    ready = tmp_path / "moved"
    script = hook(repo, "reference-transaction", ready, then="sleep 5", when='[ "$1" = committed ]')
    process = start(repo, "timeline", "add", "landed before the index")
    wait_for(ready, process)
    code, stderr = ctrl_c(process)
    script.unlink()
    assert code == 130 and "was committed before that" in stderr, stderr
    assert git(repo, "status", "--porcelain") == ""  # a plain `git commit` cannot undo it
    declared("timeline", "add", "the next command")
    assert git(repo, "log", "-2", "--format=%s").splitlines() == [
        "incident 1: timeline: the next command",
        "incident 1: timeline: landed before the index",
    ]


def test_ctrl_c_after_the_commit_says_committed(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    ready = tmp_path / "after-commit"
    hook(repo, "post-commit", ready)
    process = start(repo, "timeline", "add", "landed")
    wait_for(ready, process)
    code, stderr = ctrl_c(process)
    assert code == 130 and "Traceback" not in stderr
    assert "was committed before that" in stderr and stderr.count("\n") == 1
    assert "timeline: landed" in git(repo, "log", "-1", "--format=%s")
    assert git(repo, "status", "--porcelain") == ""


def test_ctrl_c_landing_in_a_finalizer_ends_the_command_instead_of_a_traceback() -> None:
    """Python cannot raise KeyboardInterrupt inside a `__del__`: it prints "Exception ignored"
    and a traceback, and the program goes on (seen in CI: a Ctrl-C during `timeline add`
    printed a traceback and the entry was committed anyway)."""
    script = (
        "import time\n"
        "from runbook_cli.__main__ import guard_interrupts\n"
        "guard_interrupts()\n"
        "class Finalized:\n"
        "    def __del__(self):\n"
        "        raise KeyboardInterrupt  # as when the signal arrives during a finalizer\n"
        "try:\n"
        "    Finalized()\n"
        "    for _ in range(200):\n"
        "        time.sleep(0.01)\n"
        "    print('went on')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.stdout, done.stderr) == ("interrupted\n", "")


def before_runbook_ran(stderr: str) -> bool:
    """Ctrl-C while the Python interpreter itself is still starting (its own start-up, `site`,
    and the launcher pip generates, which imports `re` before anything of runbook's): Python
    reports that itself. No frame of runbook's own code may appear (docs/security.md)."""
    interpreter = "Fatal Python error" in stderr or "Traceback" in stderr
    return interpreter and "runbook_cli/" not in stderr.replace(
        "from runbook_cli.__main__ import main", ""
    )


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.06, 0.1, 0.15, 0.2, 0.3, 0.45, 0.6])
def test_ctrl_c_at_any_moment_from_start_up_is_one_line_and_the_record_is_consistent(
    declared: Runbook, repo: Path, delay: float
) -> None:
    head = git(repo, "rev-parse", "HEAD")
    process = start(repo, "timeline", "add", "racing Ctrl-C")
    time.sleep(delay)
    code, stderr = ctrl_c(process)
    if before_runbook_ran(stderr):
        assert git(repo, "rev-parse", "HEAD") == head, stderr
        assert git(repo, "status", "--porcelain") == "", stderr
        return
    assert "Traceback" not in stderr, stderr
    if stderr == "" and code != 0:
        # SIGINT before the interpreter or runbook installed a handler (the documented start-up
        # gap): the process just ends, and nothing of runbook ran, so nothing was written.
        assert git(repo, "rev-parse", "HEAD") == head and git(repo, "status", "--porcelain") == ""
        return
    if code == 0:  # finished before the signal arrived
        return
    assert code == 130 and stderr.startswith("runbook: interrupted; ") and stderr.count("\n") == 1
    state = git(repo, "status", "--porcelain")
    if "nothing was written" in stderr:
        assert state == "" and git(repo, "rev-parse", "HEAD") == head
    elif "was committed" in stderr:
        assert state == "" and "racing Ctrl-C" in git(repo, "log", "-1", "--format=%s")
    else:
        assert "written to" in stderr and state[:2].strip() == "M"


def closed_pipe_run(repo: Path, *args: str) -> tuple[int, str]:
    """Run with standard output a pipe whose reader has already gone (as `| head -1` leaves it
    once head has its line): every write fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [RUNBOOK, *args],
            cwd=repo,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ,
        )
    finally:
        os.close(write_end)
    return result.returncode, result.stderr


@pytest.mark.parametrize(
    "args", [("show",), ("show", "--json"), ("list",), ("--help",), ("timeline", "--help")]
)
def test_a_closed_pipe_ends_quietly_with_the_sigpipe_status(
    declared: Runbook, repo: Path, args: tuple[str, ...]
) -> None:
    code, stderr = closed_pipe_run(repo, *args)
    assert (code, stderr) == (141, "")


@pytest.mark.parametrize("view", [["show", "--json"], ["show"]])
def test_a_reader_that_leaves_early_gets_the_closed_pipe_status(repo: Path, view) -> None:
    """Python's buffered writer hands a large block to the system in one call and, when the
    call writes only part of it (the reader left, a signal came), reports success and drops the
    rest: the command said nothing and exited 0. Large output is written in pieces, so a closed
    pipe is seen and the status is the documented 141."""
    long_timeline(repo)
    command = " ".join([RUNBOOK, *view])
    piped = subprocess.run(
        ["bash", "-c", f"{command} | head -c 100 > /dev/null; echo ${{PIPESTATUS[0]}}"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    assert piped.stdout.strip() == "141" and piped.stderr == "", piped
