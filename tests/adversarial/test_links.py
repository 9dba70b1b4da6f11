"""Nothing runbook writes or deletes follows a link out of its folder: a repository can commit
links where `site --out` or `edit`'s rejected draft will write."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers import Runbook, git


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "victim.txt").write_text("precious\n")
    (folder / "keep.html").write_text("precious\n")
    return folder


def untouched(outside: Path) -> bool:
    return {p.name: p.read_text() for p in outside.iterdir()} == {
        "victim.txt": "precious\n",
        "keep.html": "precious\n",
    }


def test_site_replaces_committed_links_instead_of_writing_through_them(
    declared: Runbook, repo: Path, outside: Path
) -> None:
    site = repo / "site"
    (site / "incidents").mkdir(parents=True)
    (site / "index.html").symlink_to(outside / "victim.txt")
    (site / "incidents" / "old.html").symlink_to(outside / "keep.html")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "hostile site folder")
    declared("site", "--out", str(site))
    assert untouched(outside)
    assert not (site / "index.html").is_symlink() and "<html" in (site / "index.html").read_text()
    assert not (site / "incidents" / "old.html").exists()  # the stale link went, not its target


@pytest.mark.parametrize("link", ["site", "site/incidents"])
def test_site_refuses_an_output_folder_that_is_a_link(
    declared: Runbook, repo: Path, outside: Path, link: str
) -> None:
    (repo / link).parent.mkdir(exist_ok=True)
    (repo / link).symlink_to(outside, target_is_directory=True)
    error = declared("site", "--out", str(repo / "site"), expect=3).stderr
    assert f"{link} is a symbolic link" in error
    assert untouched(outside)


def test_edit_never_writes_its_rejected_draft_through_a_link(
    declared: Runbook, repo: Path, outside: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*-incident-1.md"))
    rejected = path.with_name(path.name + ".rejected")
    rejected.symlink_to(outside / "victim.txt")
    breaker = tmp_path / "breaker.py"
    breaker.write_text(
        "import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('severity: SEV-2', 'severity: SEV-9'))\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {breaker}")
    assert ".rejected" in declared("edit", expect=4).stderr
    assert untouched(outside)
    assert not rejected.is_symlink() and "SEV-9" in rejected.read_text()
