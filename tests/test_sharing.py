"""Many responders, many clones: a bare remote on disk, clones syncing in any order."""

from __future__ import annotations

import itertools
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import Runbook, git

from runbook_cli.adapters.gitrepo import MERGE_CONFLICT_EXIT


@pytest.fixture
def team(tmp_path: Path, bare_repo: Path) -> dict[str, Runbook]:
    """A shared remote with one open SEV-1, and three responders' clones of it."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    Runbook(bare_repo)("init")
    Runbook(bare_repo)(
        "declare",
        "Shared incident",
        "-s",
        "SEV-1",
        "--service",
        "patient-web",
        "--started-at",
        "1h ago",
        "--commander",
        "Ana",
        "--comms-lead",
        "Bo",
    )
    git(bare_repo, "remote", "add", "origin", str(remote))
    git(bare_repo, "push", "--quiet", "-u", "origin", "main")
    clones = {}
    for name in ("ic", "cl", "eng"):
        git(tmp_path, "clone", "--quiet", str(remote), name)
        clones[name] = Runbook(tmp_path / name)
    return clones


def head(runbook: Runbook) -> str:
    return git(runbook.repo, "rev-parse", "HEAD")


@pytest.mark.parametrize("order", list(itertools.permutations(["ic", "cl", "eng"]))[:3])
def test_interleaved_work_converges_in_any_sync_order(
    team: dict[str, Runbook], order: tuple[str, ...]
) -> None:
    ic, cl, eng = team["ic"], team["cl"], team["eng"]
    ic("timeline", "add", "IC: rolling back", "--at", "30m ago")
    cl("timeline", "add", "CL: posted update", "--at", "29m ago")
    eng("timeline", "add", "ENG: pool at 100%", "--at", "31m ago")
    ic("severity", "SEV-0", "--reason", "data exposure suspected")
    cl("checklist", "tick", "ticket_updated", "--force", "--reason", "ticket in the wiki")
    eng("timeline", "add", "ENG: second finding", "--at", "20m ago")
    for name in (*order, *order):  # two rounds: everyone sees everyone
        team[name]("sync")
    heads = {head(team[name]) for name in team}
    assert len(heads) == 1
    view = ic.json("show")
    texts = [e["text"] for e in view["timeline"]]
    for expected in (
        "IC: rolling back",
        "CL: posted update",
        "ENG: pool at 100%",
        "ENG: second finding",
        "Severity SEV-1 → SEV-0: data exposure suspected",
    ):
        assert texts.count(expected) == 1
    assert [e["at"] for e in view["timeline"]] == sorted(e["at"] for e in view["timeline"])
    assert view["severity"] == "SEV-0" and view["checklist"]["ticket_updated"] is True
    for name in team:
        assert (
            "<<<<<<<"
            not in next((team[name].repo / "docs/runbooks/incidents").glob("*.md")).read_text()
        )
        assert git(team[name].repo, "status", "--porcelain") == ""
    assert ic("check", "--all").exit_code == 0


def test_offline_declares_with_clashing_ids_keep_both(team: dict[str, Runbook]) -> None:
    ic, cl = team["ic"], team["cl"]
    ic("declare", "Payments down", "-s", "SEV-1", "--service", "appointment-service")
    cl("declare", "Login slow", "-s", "SEV-2", "--service", "patient-web")
    ic("sync")
    out = cl("sync").stdout
    assert "incident 2 is now incident 3: id 2 was declared upstream first." in out
    ic("sync")
    titles = {v["id"]: v["title"] for v in ic.json("list")}
    assert titles == {1: "Shared incident", 2: "Payments down", 3: "Login slow"}
    assert head(ic) == head(cl)
    assert cl.json("show", "-i", "3")["timeline"][0]["text"].startswith(
        "Declared SEV-2: Login slow"
    )
    assert "Renumbered: 2 -> 3" in git(cl.repo, "log", "--format=%B")


def test_references_to_a_renumbered_incident_follow_it(team: dict[str, Runbook]) -> None:
    """Offline, "incident 2" in this clone can only mean this clone's incident 2: when sync
    renumbers it, what pointed at it (related, duplicate-of) points at its new id."""
    ic, cl = team["ic"], team["cl"]
    ic("declare", "Payments down", "-s", "SEV-1", "--service", "appointment-service")
    cl("declare", "Login slow", "-s", "SEV-2", "--service", "patient-web")
    cl("declare", "Login slow again", "-s", "SEV-2", "--service", "patient-web")
    cl("set", "related", "2", "-i", "1")
    cl("duplicate-of", "2", "-i", "3")
    ic("sync")
    out = cl("sync").stdout
    assert "incident 2 is now incident 4" in out
    assert cl.json("show", "-i", "1")["related"] == [4]
    assert cl.json("show", "-i", "3")["duplicate_of"] == 4


def test_plain_git_merge_of_two_branches_appending_entries_is_clean(
    repo: Path, declared: Runbook
) -> None:
    git(repo, "checkout", "-qb", "side")
    declared("timeline", "add", "on the side", "--at", "10m ago")
    git(repo, "checkout", "-q", "main")
    declared("timeline", "add", "on main", "--at", "12m ago")
    merged = subprocess.run(
        ["git", "merge", "--no-edit", "side"], cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode == 0, merged.stdout + merged.stderr
    texts = [e["text"] for e in declared.json("show")["timeline"]]
    assert texts.index("on main") < texts.index("on the side")


def test_both_sides_changing_the_title_is_a_conflict_confined_to_it(
    repo: Path, declared: Runbook
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    git(repo, "checkout", "-qb", "side")
    path.write_text(
        path.read_text().replace("title: Checkout errors", "title: Checkout errors (side)")
    )
    git(repo, "commit", "-qam", "side title")
    git(repo, "checkout", "-q", "main")
    path.write_text(
        path.read_text().replace("title: Checkout errors", "title: Checkout errors (main)")
    )
    git(repo, "commit", "-qam", "main title")
    declared("timeline", "add", "main entry")
    merged = subprocess.run(
        ["git", "merge", "--no-edit", "side"], cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode != 0
    text = path.read_text()
    assert (
        "<<<<<<< ours\ntitle: Checkout errors (main)\n=======\ntitle: Checkout errors "
        "(side)\n>>>>>>> theirs\n" in text
    )
    assert text.count("<<<<<<<") == 1 and "main entry" in text
    assert (
        "front matter" in declared("show", "-i", "1", expect=4).stderr
    )  # unreadable until resolved


def test_malformed_input_fails_safely_as_a_conflict(repo: Path, declared: Runbook) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    git(repo, "checkout", "-qb", "side")
    path.write_text(path.read_text().replace("id: 1\n", "id: [broken\n"))
    git(repo, "commit", "-qam", "break it")
    git(repo, "checkout", "-q", "main")
    declared("timeline", "add", "kept on main")
    merged = subprocess.run(
        ["git", "merge", "--no-edit", "side"], cwd=repo, capture_output=True, text=True
    )
    assert merged.returncode != 0
    text = path.read_text()
    assert "kept on main" in text and "id: [broken" in text  # git's line merge: both sides kept
    assert git(repo, "diff", "--name-only", "--diff-filter=U") == path.relative_to(repo).as_posix()


def test_sync_without_a_remote_exits_3(declared: Runbook) -> None:
    assert (
        "no remote to share with; add one with git remote add origin URL."
        in declared("sync", expect=3).stderr
    )


def test_a_real_conflict_is_left_for_the_user_with_directions(team: dict[str, Runbook]) -> None:
    ic, cl = team["ic"], team["cl"]
    for runbook, title in ((ic, "IC title"), (cl, "CL title")):
        path = next((runbook.repo / "docs/runbooks/incidents").glob("*.md"))
        path.write_text(path.read_text().replace("title: Shared incident", f"title: {title}"))
        git(runbook.repo, "commit", "-qam", f"retitle {title}")
    ic("sync")
    error = cl("sync", expect=3).stderr
    assert (
        "stopped with conflicts in docs/runbooks/incidents/" in error
        and "git merge --abort" in error
    )
    assert (
        cl.repo / ".git/MERGE_HEAD"
    ).exists()  # left for the user, who was told how to finish or abort
    assert "in the middle of a merge" in cl("timeline", "add", "x", expect=3).stderr


def test_sync_flag_and_config_share_right_after_committing(team: dict[str, Runbook]) -> None:
    ic, cl = team["ic"], team["cl"]
    assert "shared with origin/main" in ic("--sync", "timeline", "add", "shared at once").stderr
    cl("sync", "--no-push")
    assert cl.json("show")["timeline"][-1]["text"] == "shared at once"
    config = cl.repo / "docs/runbooks/config.yml"
    config.write_text(config.read_text().replace("  auto: false", "  auto: true"))
    git(cl.repo, "commit", "-qam", "share automatically")
    cl("timeline", "add", "auto shared")
    ic("sync", "--no-push")
    assert ic.json("show")["timeline"][-1]["text"] == "auto shared"


# --- the merge driver keeps every piece of both sides, or leaves markers (issue 12) ----------


def incident_file(runbook: Runbook) -> Path:
    return next((runbook.repo / "docs/runbooks/incidents").glob("*.md"))


def hand_edit(runbook: Runbook, change) -> None:
    """Edit the incident file as a person would, and commit it with git."""
    path = incident_file(runbook)
    path.write_text(change(path.read_text()))
    git(runbook.repo, "commit", "-qam", "hand edit")


LESSONS = "\n## Lessons Learned\n\nAlert on pool saturation, not on errors.\n"
FENCED_ENTRY = "- 2026-01-01 00:00:00 UTC — Bo — ran:\n  ```\n  SELECT 1;\n"


def _after_timeline_entries(text: str, added: str) -> str:
    return text.replace("\n\n## Root Cause", f"\n{added}\n## Root Cause", 1)


@pytest.mark.parametrize(
    ("theirs", "ours", "expected"),
    [
        (lambda t: t + LESSONS, None, ["## Lessons Learned", "Alert on pool saturation"]),
        (
            lambda t: t.replace(
                "<!-- /runbook:facts -->\n", "<!-- /runbook:facts -->\n\nWar room: #inc-1\n"
            ),
            None,
            ["War room: #inc-1"],
        ),
        (
            lambda t: t.replace(
                "## Root Cause\n", "## Root Cause\n\nDNS served a stale address.\n"
            ),
            lambda t: _after_timeline_entries(t, FENCED_ENTRY),
            ["DNS served a stale address.", "  SELECT 1;"],
        ),
        (
            lambda t: t.replace(
                t.split("started_at: ")[1].split("\n")[0], "'0001-01-01T00:00:00+01:00'"
            ),
            None,
            ["'0001-01-01T00:00:00+01:00'"],
        ),
    ],
    ids=["unknown section", "text after the summary block", "fenced entry", "out-of-range time"],
)
def test_sync_keeps_every_piece_of_both_sides(
    team: dict[str, Runbook], theirs, ours, expected
) -> None:
    ic, cl = team["ic"], team["cl"]
    hand_edit(ic, theirs)
    ic("sync")
    if ours:
        hand_edit(cl, ours)
    cl("timeline", "add", "CL: posted update")
    cl("sync")
    text = incident_file(cl).read_text()
    for piece in [*expected, "CL: posted update"]:
        assert piece in text
    assert "<<<<<<<" not in text
    names = [line for line in text.split("\n") if line.startswith("## ")]
    assert names.index("## Timeline") + 1 == names.index("## Root Cause")  # nothing moved


def test_sync_says_what_conflicted_and_where_the_markers_are(team: dict[str, Runbook]) -> None:
    ic, cl = team["ic"], team["cl"]
    hand_edit(
        ic,
        lambda t: (
            t.replace("remaining_risks: null", "remaining_risks: cache cold")
            + "\n## Notes\n\nfrom IC\n"
        ),
    )
    ic("sync")
    hand_edit(cl, lambda t: t.replace("remaining_risks: null\n", "") + "\n## Notes\n\nfrom CL\n")
    error = cl("sync", expect=3).stderr
    path = incident_file(cl)
    lines = path.read_text().split("\n")
    field_line, section_line = (n for n, line in enumerate(lines, 1) if line == "<<<<<<< ours")
    relative = path.relative_to(cl.repo).as_posix()
    assert (
        f"stopped with conflicts in {relative} (field remaining_risks at line {field_line}, "
        f"section Notes at line {section_line})"
    ) in error
    text = path.read_text()
    assert "=======\nremaining_risks: cache cold\n>>>>>>> theirs" in text
    assert "<<<<<<< ours\nfrom CL\n=======\nfrom IC\n>>>>>>> theirs" in text


def _two_sides_append(repo: Path, runbook: Runbook) -> None:
    """A branch and main each add a timeline entry at the same place (a line-merge conflict)."""
    runbook("timeline", "add", "registers the driver")
    git(repo, "checkout", "-qb", "side")
    runbook("timeline", "add", "on the side")
    git(repo, "checkout", "-q", "main")
    runbook("timeline", "add", "on main")


def _merge_side(repo: Path, path: str) -> subprocess.CompletedProcess:
    """`git merge side` as a GUI client or CI would run it: a PATH without runbook."""
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    return subprocess.run(
        ["git", "merge", "--no-edit", "side"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**env, "PATH": path},
    )


def test_the_driver_runs_whatever_path_the_merging_process_has(
    repo: Path, declared: Runbook
) -> None:
    _two_sides_append(repo, declared)
    git_only = os.pathsep.join({str(Path(shutil.which("git")).parent), "/usr/bin", "/bin"})
    merged = _merge_side(repo, git_only)
    assert merged.returncode == 0, merged.stderr
    texts = [e["text"] for e in declared.json("show")["timeline"]]
    assert "on the side" in texts and "on main" in texts


@pytest.mark.parametrize("gone", ["interpreter deleted", "package uninstalled"])
def test_without_the_tool_the_merge_is_gits_line_merge_with_markers(
    tmp_path: Path, repo: Path, declared: Runbook, gone: str
) -> None:
    _two_sides_append(repo, declared)
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'No module named runbook_cli' >&2\nexit 1\n")
    fake.chmod(0o755)
    replacement = (
        str(tmp_path / "deleted-venv/bin/python") if gone == "interpreter deleted" else str(fake)
    )
    driver = git(repo, "config", "merge.runbook.driver")
    git(repo, "config", "merge.runbook.driver", driver.replace(sys.executable, replacement))
    git_only = os.pathsep.join({str(Path(shutil.which("git")).parent), "/usr/bin", "/bin"})
    merged = _merge_side(repo, git_only)
    assert merged.returncode == 1
    text = incident_file(declared).read_text()
    assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text
    assert "on the side" in text and "on main" in text


def test_an_old_registration_by_bare_name_is_replaced(repo: Path, declared: Runbook) -> None:
    git(repo, "config", "merge.runbook.driver", "runbook merge-driver %O %A %B %P")
    declared("timeline", "add", "any write")
    driver = git(repo, "config", "merge.runbook.driver")
    assert driver.startswith(
        f"{shlex.quote(sys.executable)} -m runbook_cli merge-driver %O %A %B %P"
    )


def test_a_side_the_driver_cannot_read_is_merged_line_by_line_never_left_as_ours(
    tmp_path: Path, repo: Path, declared: Runbook
) -> None:
    text = incident_file(declared).read_text()
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_text(text)
    ours.write_text(text.replace("## Root Cause\n", "## Root Cause\n\nours: pool\n"))
    theirs.write_bytes(
        text.replace("## Root Cause\n", "## Root Cause\n\ntheirs: \udcff\n").encode(
            "utf-8", "surrogateescape"
        )
    )
    driven = subprocess.run(
        [sys.executable, "-m", "runbook_cli", "merge-driver", "base", "ours", "theirs", "x.md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert driven.returncode == MERGE_CONFLICT_EXIT
    assert "x.md: not merged by meaning (a side is not UTF-8 text)" in driven.stderr
    merged = ours.read_bytes()
    assert b"<<<<<<< ours\nours: pool\n=======\ntheirs: \xff\n>>>>>>> theirs" in merged


def test_the_merge_driver_regenerates_from_the_repositorys_own_config(
    repo: Path, runbook: Runbook, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's own severity names are valid facts to the driver, so the merged facts block is
    rewritten from the merged front matter (read with the defaults, P1 would be unknown)."""
    from runbook_cli.usecases.sharing import merge_driver

    config = repo / "docs/runbooks/config.yml"
    config.write_text(
        config.read_text().replace(
            "  SEV-0: 'Critical", "  P1: {meaning: 'Urgent', high: true}\n  SEV-0: 'Critical"
        )
    )
    runbook("declare", "Team names", "-s", "P1", "--service", "patient-web")
    text = incident_file(runbook).read_text()
    base, ours, theirs = (tmp_path / name for name in ("base", "ours", "theirs"))
    base.write_text(text)
    ours.write_text(text.replace("status: investigating", "status: identified", 1))
    theirs.write_text(text.replace("## Root Cause\n", "## Root Cause\n\nthe pool\n"))
    monkeypatch.chdir(repo)
    assert merge_driver(base, ours, theirs).status == 0
    merged = ours.read_text()
    assert "the pool" in merged and "- **Status:** identified" in merged
