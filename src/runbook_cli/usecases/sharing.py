"""Sharing an incident between clones: git's merge driver, its registration, and `runbook sync`."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from runbook_cli.domain import document, generated, merge, model, rules
from runbook_cli.domain.layout import FILE_NAME, INCIDENTS_DIR, file_name
from runbook_cli.errors import RepositoryError
from runbook_cli.usecases.workspace import Workspace, commit_message

PUSH_ATTEMPTS = 3


def merge_driver(base: Path, ours: Path, theirs: Path, shown_path: str) -> int:
    """git's merge driver (%O %A %B %P): the result goes into `ours`; 0 clean, 1 conflicts.
    A side that cannot be read gets git's line merge (nothing is lost) and is always reported
    as a conflict, so a person looks at it before it is committed."""
    from runbook_cli.adapters.gitrepo import find_root
    from runbook_cli.domain import config as settings

    try:
        config = settings.load(find_root(Path.cwd()))
    except Exception:
        config = settings.defaults()
    texts = [p.read_bytes().decode("utf-8", "replace") for p in (base, ours, theirs)]
    try:
        merged = merge.merge(texts[0], texts[1], texts[2], config)
    except (document.DocumentError, model.SchemaError, ValueError, TypeError):
        subprocess.run(
            [
                "git",
                "merge-file",
                "-L",
                "ours",
                "-L",
                "base",
                "-L",
                "theirs",
                str(ours),
                str(base),
                str(theirs),
            ],
            capture_output=True,
        )
        return 1
    ours.write_text(merged.text, encoding="utf-8", newline="")
    return 1 if merged.conflicts else 0


@dataclass
class Synced:
    remote: str
    branch: str
    renumbered: list[tuple[int, int]] = field(default_factory=list)
    pushed: bool = False
    merged: bool = False


def sync(ws: Workspace, *, push: bool = True) -> Synced:
    """Fetch, renumber local incidents whose id arrived upstream, merge (through the driver), push;
    a push that loses a race is retried."""
    ws.git.ensure_merge_driver()
    branch = _current_branch(ws)
    remote = _remote(ws, branch)
    outcome = Synced(remote, branch)
    for attempt in range(PUSH_ATTEMPTS):
        ws.git.run("fetch", "--quiet", remote)
        upstream = f"refs/remotes/{remote}/{branch}"
        if _exists(ws, upstream):
            outcome.renumbered += _renumber_clashes(ws, upstream)
            outcome.merged |= _merge(ws, upstream)
        if not push:
            return outcome
        pushed = ws.git.call("push", "--quiet", remote, f"HEAD:refs/heads/{branch}")
        if pushed.returncode == 0:
            outcome.pushed = True
            return outcome
        if (
            "rejected" not in pushed.stderr
            and "fetch first" not in pushed.stderr
            and "non-fast-forward" not in pushed.stderr
        ):
            raise RepositoryError(
                f"git push to {remote} failed: {pushed.stderr.strip().splitlines()[-1] if pushed.stderr.strip() else 'no reason given'}."
            )
    raise RepositoryError(
        f"{remote} kept moving: {PUSH_ATTEMPTS} pushes lost the race; run runbook sync again."
    )


def _exists(ws: Workspace, ref: str) -> bool:
    return ws.git.call("rev-parse", "--verify", "--quiet", ref).returncode == 0


def _current_branch(ws: Workspace) -> str:
    head = (ws.git.git_dir / "HEAD").read_text(encoding="utf-8").strip()
    if not head.startswith("ref: refs/heads/"):
        raise RepositoryError("HEAD is detached; check out a branch before syncing.")
    return head.removeprefix("ref: refs/heads/")


def _remote(ws: Workspace, branch: str) -> str:
    configured = ws.git.call("config", "--get", f"branch.{branch}.remote").stdout.strip()
    remotes = ws.git.run("remote").split()
    if configured and configured in remotes:
        return configured
    if "origin" in remotes:
        return "origin"
    if remotes:
        return remotes[0]
    raise RepositoryError(
        "this clone has no remote to share with; add one with git remote add origin URL."
    )


def _renumber_clashes(ws: Workspace, upstream: str) -> list[tuple[int, int]]:
    """Incidents added here since the branches split, whose id upstream also uses for another
    incident, get the next free id (file renamed, id and title line changed, one commit each)."""
    base = ws.git.call("merge-base", "HEAD", upstream).stdout.strip()
    added_here = (
        _incident_files(
            ws, "diff", "--name-only", "--diff-filter=A", f"{base}..HEAD", "--", INCIDENTS_DIR
        )
        if base
        else _incident_files(ws, "ls-tree", "--name-only", "HEAD", f"{INCIDENTS_DIR}/")
    )
    added_there = (
        _incident_files(
            ws, "diff", "--name-only", "--diff-filter=A", f"{base}..{upstream}", "--", INCIDENTS_DIR
        )
        if base
        else _incident_files(ws, "ls-tree", "--name-only", upstream, f"{INCIDENTS_DIR}/")
    )
    upstream_ids = {
        _id(p) for p in _incident_files(ws, "ls-tree", "--name-only", upstream, f"{INCIDENTS_DIR}/")
    }
    taken = upstream_ids | set(ws.store.paths())
    ids_there = {_id(q) for q in added_there}
    clashes = sorted(
        (p for p in added_here if _id(p) in ids_there and not _same_blob(ws, p, upstream)), key=_id
    )
    done = []
    for relative in clashes:
        new_id = max(taken) + 1
        taken.add(new_id)
        done.append((_id(relative), new_id))
        _renumber(ws, ws.root / relative, new_id)
    return done


def _same_blob(ws: Workspace, relative: str, upstream: str) -> bool:
    """The same file, byte for byte, on both sides (then it is one incident, not a clash)."""
    ours = ws.git.call("rev-parse", "--verify", "--quiet", f"HEAD:{relative}").stdout.strip()
    theirs = ws.git.call(
        "rev-parse", "--verify", "--quiet", f"{upstream}:{relative}"
    ).stdout.strip()
    return bool(ours) and ours == theirs


def _incident_files(ws: Workspace, *args: str) -> list[str]:
    output = ws.git.call(*args).stdout
    return [line for line in output.splitlines() if FILE_NAME.match(Path(line).name)]


def _id(relative: str) -> int:
    return int(FILE_NAME.match(Path(relative).name).group("id"))


def _renumber(ws: Workspace, path: Path, new_id: int) -> None:
    with ws.locked():
        loaded = ws.store.read(path)
        old_id = loaded.incident.id
        loaded.incident.id = new_id
        doc = loaded.doc
        doc.meta = loaded.incident.to_meta()
        doc.body = generated.regenerate(doc.body, loaded.incident)
        target = path.with_name(file_name(loaded.incident))
        ws.vet(target, doc.render(), kept=rules.time_order(loaded.incident))
        ws.write(target, doc.render())
        path.unlink()
        message = commit_message(
            new_id,
            f"renumbered from {old_id} (id {old_id} was taken upstream)",
            {"Renumbered": f"{old_id} -> {new_id}"},
        )
        ws.commit_paths([path, target], message)
    chosen = ws.git.git_dir / "runbook-current"
    if chosen.exists() and chosen.read_text(encoding="utf-8").strip() == str(old_id):
        chosen.write_text(f"{new_id}\n", encoding="utf-8")


def _merge(ws: Workspace, upstream: str) -> bool:
    """Merge upstream into HEAD; True when a merge (or fast-forward) happened."""
    if ws.git.call("merge-base", "--is-ancestor", upstream, "HEAD").returncode == 0:
        return False
    result = ws.git.call("merge", "--no-edit", "--quiet", upstream)
    if result.returncode == 0:
        return True
    conflicted = ws.git.call("diff", "--name-only", "--diff-filter=U").stdout.split()
    if conflicted:
        raise RepositoryError(
            f"the merge with {upstream.removeprefix('refs/remotes/')} stopped with conflicts in {', '.join(conflicted)} "
            "(marked <<<<<<< ours … >>>>>>> theirs around the field or section); fix them, git add the files and git commit, "
            "or undo with git merge --abort; then run runbook sync again."
        )
    reason = " ".join(result.stderr.strip().splitlines()[-2:]) or "no reason given"
    raise RepositoryError(
        f"git could not merge {upstream.removeprefix('refs/remotes/')}: {reason}; nothing was merged."
    )
