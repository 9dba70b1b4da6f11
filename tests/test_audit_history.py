"""`audit` reads history in one pass: interleaved incidents, reverts to an earlier version,
renames, and a version too large to read, each reported once and in order."""

from __future__ import annotations

from pathlib import Path

from helpers import Runbook, git


def commit_file(repo: Path, relative: str, text: str, message: str) -> None:
    path = repo / relative
    path.write_text(text)
    git(repo, "add", relative)
    git(repo, "commit", "-q", "-m", message)


def test_interleaved_incidents_and_a_revert_are_each_audited(declared: Runbook) -> None:
    repo = declared.repo
    declared("declare", "Second", "--severity", "SEV-3", "--service", "patient-web")
    first = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md"))
    original = first.read_text()
    declared("timeline", "add", "one", "-i", "1")
    declared("timeline", "add", "two", "-i", "2")
    commit_file(repo, first.relative_to(repo).as_posix(), original, "revert by hand")
    declared("timeline", "add", "three", "-i", "1")
    records = declared.json("audit")
    assert [(r["incident"], r["by_tool"]) for r in records] == [
        (1, True),
        (2, True),
        (1, True),
        (2, True),
        (1, False),
        (1, True),
    ]
    reverted = records[4]["changes"]
    assert {"field": "timeline", "old": reverted[0]["old"], "new": None} == reverted[0]
    assert "one" in reverted[0]["old"]
    assert any("three" in (c["new"] or "") for c in records[5]["changes"])


def test_a_rename_is_audited_as_a_path_change(declared: Runbook) -> None:
    repo = declared.repo
    old = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md"))
    new = old.with_name(old.name.replace("-incident-1", "-incident-9"))
    git(repo, "mv", str(old), str(new))
    git(repo, "commit", "-q", "-m", "rename")
    last = declared.json("audit")[-1]
    assert last["changes"][0] == {
        "field": "path",
        "old": old.relative_to(repo).as_posix(),
        "new": new.relative_to(repo).as_posix(),
    }


def test_a_huge_committed_version_is_not_read_into_memory(declared: Runbook) -> None:
    repo = declared.repo
    huge = "docs/runbooks/incidents/2026-01-01-incident-5.md"
    commit_file(repo, huge, "x" * (9 * 1024 * 1024), "a huge file")
    last = declared.json("audit")[-1]
    assert last["incident"] == 5
    assert last["changes"] == [
        {"field": "(file)", "old": None, "new": "missing, or too large to audit"}
    ]
