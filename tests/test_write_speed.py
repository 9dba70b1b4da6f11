"""Issue 17 item 9: `timeline add`, commit included, as fast as `towncrier create`. Every git
process and every module loaded costs each write a few milliseconds; these tests hold what was
removed, and the fallbacks that keep unusual repositories working as before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import IDENTITY, Runbook, git

INCIDENT = "docs/runbooks/incidents"


def git_commands(trace: Path) -> list[str]:
    """The git commands runbook ran (not those git ran itself, such as auto maintenance)."""
    lines = trace.read_text().splitlines() if trace.exists() else []
    spawned_by_git = {line.split("run_command: ")[1] for line in lines if "run_command: " in line}
    run = [line.split("built-in: ")[1] for line in lines if "built-in: " in line]
    return [command.split(" ")[1] for command in run if command not in spawned_by_git]


@pytest.fixture
def trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "git-trace.log"
    monkeypatch.setenv("GIT_TRACE", str(path))
    return path


def test_timeline_add_asks_git_three_times_and_reports_the_new_head(
    declared: Runbook, repo: Path, trace: Path
) -> None:
    trace.unlink(missing_ok=True)
    out = declared("timeline", "add", "rolled back the release").stdout
    # the identity, the file's status (hand edits), the commit: the repository's state, the
    # new commit's id and "is the file tracked" come from the status and plain file reads
    commands = git_commands(trace)
    assert sorted(commands[:2]) == ["status", "var"] and commands[2:] == ["commit"]  # at once
    assert f"committed {git(repo, 'rev-parse', 'HEAD')[:8]}" in out
    assert git(repo, "status", "--porcelain") == ""
    assert "rolled back the release" in git(repo, "show", "HEAD")


def test_git_names_the_author_while_git_status_runs(
    declared: Runbook, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The identity (`git var`) is asked beside `git status`, not before it: two git processes
    at once instead of one after the other. A slow `git var` shows it."""
    log, wrapper = tmp_path / "git.log", tmp_path / "bin" / "git"
    real = shutil.which("git")
    wrapper.parent.mkdir()
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case $a in\n'
        f"  var) echo 'var asked' >> {log}; sleep 0.3; echo 'var answered' >> {log};;\n"
        f"  status) echo 'status started' >> {log};;\n"
        "esac; done\n"
        f'exec {real} "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    declared("timeline", "add", "two at once")
    logged = log.read_text().splitlines()  # (the two wrappers write in either order at first)
    assert sorted(logged) == ["status started", "var answered", "var asked"]
    assert logged.index("status started") < logged.index("var answered")
    assert git(repo, "log", "-1", "--format=%an") == IDENTITY[0]


def test_a_worktree_or_an_unusual_head_is_left_to_git_and_still_committed(
    declared: Runbook, repo: Path, tmp_path: Path, trace: Path
) -> None:
    # HEAD names a branch through another symbolic ref: its file holds no commit id
    git(repo, "symbolic-ref", "refs/heads/alias", "refs/heads/main")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/alias")
    out = declared("timeline", "add", "through the alias").stdout
    assert f"committed {git(repo, 'rev-parse', 'HEAD')[:8]}" in out
    git(repo, "symbolic-ref", "HEAD", "refs/heads/main")
    # a linked worktree: `.git` is a file naming the real folder, so git finds the repository
    other = tmp_path / "other"
    git(repo, "worktree", "add", "--quiet", "-b", "other", str(other))
    trace.unlink(missing_ok=True)
    out = Runbook(other)("timeline", "add", "in the worktree").stdout
    assert git_commands(trace)[:1] == ["rev-parse"]
    assert f"committed {git(other, 'rev-parse', 'HEAD')[:8]}" in out
    assert git(other, "status", "--porcelain") == ""


def test_an_ignored_untracked_incident_file_is_refused_by_git_add_as_before(
    declared: Runbook, repo: Path
) -> None:
    path = next((repo / INCIDENT).glob("*.md"))
    relative = path.relative_to(repo).as_posix()
    (repo / ".gitignore").write_text(f"{relative}\n")
    git(repo, "rm", "--quiet", "--cached", relative)
    git(repo, "add", ".gitignore")
    git(repo, "commit", "--quiet", "-m", "stop tracking the incident")
    error = declared("timeline", "add", "kept out of git", expect=3).stderr
    assert "git did not commit it" in error and "addIgnoredFile" in error  # git add's refusal


def test_timeline_add_loads_no_module_it_does_not_use(declared: Runbook, repo: Path) -> None:
    # a fresh interpreter, as the `runbook` executable starts: what it imports is what each
    # write pays for (GitPython reads history; tempfile pulls in random; hashlib, OpenSSL)
    script = (
        "import sys\n"
        "from runbook_cli.__main__ import main\n"
        "sys.argv = ['runbook', 'timeline', 'add', 'fresh process']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "from dataclasses import is_dataclass\n"
        "for name, module in list(sys.modules.items()):\n"
        "    for cls in vars(module).values() if name.startswith('runbook_cli') else ():\n"
        "        if isinstance(cls, type) and is_dataclass(cls) and cls.__module__ == name:\n"
        "            if cls.__doc__.startswith(cls.__name__ + '('):\n"
        "                print('undocumented:', name, cls.__name__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, capture_output=True, text=True, check=True
    )
    loaded = set(result.stderr.split())
    assert "timeline entry added" in result.stdout
    unused = {"git", "tempfile", "random", "hashlib", "runbook_cli.adapters.history", "yaml"}
    assert not loaded & unused  # yaml: yamlfast reads what the tool wrote; an entry dumps none
    # a dataclass without a docstring gets one made from inspect.signature, at every start
    assert "undocumented" not in result.stdout


def test_a_temp_file_is_always_a_new_file_never_one_already_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import itertools
    import os

    from runbook_cli import files

    target = tmp_path / "incident.md"
    monkeypatch.setattr(files, "_TEMP_NUMBERS", itertools.count(5))
    stale = tmp_path / f".incident.md.{os.getpid()}-5.tmp"
    stale.write_text("a killed writer's")
    (tmp_path / f".incident.md.{os.getpid()}-6.tmp").symlink_to(tmp_path / "elsewhere")
    descriptor, name = files.temp_beside(target)
    os.close(descriptor)
    assert Path(name).name == f".incident.md.{os.getpid()}-7.tmp"
    assert stale.read_text() == "a killed writer's" and not (tmp_path / "elsewhere").exists()
    assert Path(name).stat().st_mode & 0o777 == 0o600


def test_running_a_command_builds_that_command_alone() -> None:
    import typer

    from runbook_cli.cli import app

    group = typer.main.get_command(app)
    assert group.get_command(None, "timeline").name == "timeline"
    assert set(group.commands) == {"timeline"}  # not declare, ack... of the same module
    assert group.get_command(None, "declare").name == "declare"
    assert set(group.commands) == {"timeline", "declare"}


def test_the_pending_write_digest_is_sha256() -> None:
    import hashlib

    from runbook_cli.adapters.pending import digest

    for data in (b"", b"incident 7\n", "Tomás — 3am".encode() * 1000):
        assert digest(data) == hashlib.sha256(data).hexdigest()


def test_each_built_in_pattern_s_needle_is_a_literal_every_match_starts_with() -> None:
    import re
    from re import _compiler, _parser  # the engine's own reading of a pattern

    from runbook_cli.domain.sensitive import DETECTORS

    for detector in DETECTORS:
        source = detector.pattern if isinstance(detector.pattern, str) else None
        if source is None:
            assert detector.needle == ""
            continue
        parsed = _parser.parse(source, re.ASCII)
        prefix, _, _ = _compiler._get_literal_prefix(parsed, re.ASCII)
        assert "".join(map(chr, prefix)).startswith(detector.needle), detector
    assert sum(bool(detector.needle) for detector in DETECTORS) >= 15
