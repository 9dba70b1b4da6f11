"""Sharing an incident between clones: git's merge driver, its registration, and `runbook sync`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from runbook_cli import files
from runbook_cli.adapters import teamfiles
from runbook_cli.adapters.gitrepo import MERGE_CONFLICT_EXIT, find_root, merge_file
from runbook_cli.domain import config as settings
from runbook_cli.domain import generated, merge, rules
from runbook_cli.domain.layout import FILE_NAME, INCIDENTS_DIR, file_name
from runbook_cli.domain.model import Loaded
from runbook_cli.errors import RepositoryError, RunbookError
from runbook_cli.usecases.workspace import Workspace, commit_message

PUSH_ATTEMPTS = 3


@dataclass
class Driven:
    """What the merge driver did: merged by meaning (clean, or with `conflicts` marked), or
    handed the file to git's line merge for `line_merged` (a reason)."""

    conflicts: list[str] = field(default_factory=list)
    line_merged: str | None = None

    @property
    def status(self) -> int:
        return MERGE_CONFLICT_EXIT if self.conflicts or self.line_merged else 0


def merge_driver(base: Path, ours: Path, theirs: Path) -> Driven:
    """git's merge driver (%O %A %B): the result goes into `ours`. What cannot be merged by
    meaning without losing a piece of either side (and any failure at all) gets git's line merge
    instead, with conflict markers, and is always reported as a conflict, so a person looks at
    it before it is committed. `ours` is replaced in one step, never half-written."""
    try:
        texts = [path.read_bytes().decode("utf-8") for path in (base, ours, theirs)]
        merged = merge.merge(texts[0], texts[1], texts[2], _config())
        files.replace_file(ours, merged.text.encode("utf-8"))
    except Exception as error:  # by meaning failed, whatever the reason: git's line merge
        reason = str(error) if isinstance(error, merge.Unmergeable) else _failure(error)
        counted = merge_file(ours, base, theirs)
        if counted is None:
            reason += "; git merge-file could not run either, so the file is ours unmerged"
        return Driven(line_merged=reason)
    return Driven(conflicts=merged.conflicts)


def _config() -> settings.Config:
    try:
        return teamfiles.config(find_root(Path.cwd()))
    except RunbookError:  # a broken config must not stop a merge: the defaults merge as well
        return settings.defaults()


def _failure(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "a side is not UTF-8 text"
    if isinstance(error, OSError):
        return f"a file could not be read or written ({error.strerror or error})"
    return f"internal error {type(error).__name__}: {error}"


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
    for _attempt in range(PUSH_ATTEMPTS):
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
            said = pushed.stderr.strip()
            reason = said.splitlines()[-1] if said else "no reason given"
            raise RepositoryError(f"git push to {remote} failed: {reason}.")
    raise RepositoryError(
        f"{remote} kept moving: {PUSH_ATTEMPTS} pushes lost the race; run runbook sync again."
    )


def _exists(ws: Workspace, ref: str) -> bool:
    return ws.git.call("rev-parse", "--verify", "--quiet", ref).returncode == 0


def _current_branch(ws: Workspace) -> str:
    found = ws.git.call("symbolic-ref", "--quiet", "--short", "HEAD")
    if found.returncode:
        raise RepositoryError("HEAD is detached; check out a branch before syncing.")
    return found.stdout.strip()


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
    if done:
        _repoint(ws, dict(done))
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
        target = path.with_name(file_name(loaded.incident))
        _rewrite(
            ws,
            loaded,
            target,
            commit_message(
                new_id,
                f"renumbered from {old_id} (id {old_id} was taken upstream)",
                {"Renumbered": f"{old_id} -> {new_id}"},
            ),
        )
    if ws.chosen() == str(old_id):
        ws.choose_id(new_id)


def _repoint(ws: Workspace, moved: dict[int, int]) -> None:
    """Before the merge, an id in this clone can only mean this clone's incident: what pointed
    at a renumbered one (related, duplicate-of) now points at its new id, one commit each."""
    for path in sorted(p for group in ws.store.paths().values() for p in group):
        with ws.locked():
            loaded = ws.store.read(path)
            incident = loaded.incident
            related = [moved.get(n, n) for n in incident.related]
            duplicate_of = moved.get(incident.duplicate_of, incident.duplicate_of)
            if related == incident.related and duplicate_of == incident.duplicate_of:
                continue
            changes = {
                old: new
                for old, new in moved.items()
                if old in incident.related or old == incident.duplicate_of
            }
            incident.related, incident.duplicate_of = related, duplicate_of
            shown = ", ".join(f"{old} -> {new}" for old, new in changes.items())
            _rewrite(
                ws,
                loaded,
                path,
                commit_message(
                    incident.id,
                    f"references follow renumbered incidents ({shown})",
                    {"Renumbered": shown},
                ),
            )


def _rewrite(ws: Workspace, loaded: Loaded, target: Path, message: str) -> None:
    """Write the changed incident to `target` (its front matter and generated blocks from the
    incident), checked as any write is, and commit it: the old file too when it moved. The
    caller holds the lock."""
    doc, incident = loaded.doc, loaded.incident
    doc.meta = incident.to_meta()
    doc.body = generated.regenerate(doc.body, incident)
    ws.vet(target, doc.render(), kept=rules.time_order(incident))
    ws.write(target, doc.render())
    moved = loaded.path != target
    if moved:
        loaded.path.unlink()
    ws.commit_paths([loaded.path, target] if moved else [target], message)


def _merge(ws: Workspace, upstream: str) -> bool:
    """Merge upstream into HEAD; True when a merge (or fast-forward) happened."""
    if ws.git.call("merge-base", "--is-ancestor", upstream, "HEAD").returncode == 0:
        return False
    result = ws.git.call("merge", "--no-edit", "--quiet", upstream)
    if result.returncode == 0:
        return True
    conflicted = ws.git.call("diff", "--name-only", "-z", "--diff-filter=U").stdout.split("\0")
    conflicted = [name for name in conflicted if name]
    if conflicted:
        raise RepositoryError(
            f"the merge with {upstream.removeprefix('refs/remotes/')} stopped with conflicts in "
            f"{'; '.join(_where(ws, name) for name in conflicted)}; fix them (between <<<<<<< and "
            ">>>>>>> lines), git add the files and git commit, or undo with git merge --abort; "
            "then run runbook sync again."
        )
    reason = " ".join(result.stderr.strip().splitlines()[-2:]) or "no reason given"
    raise RepositoryError(
        f"git could not merge {upstream.removeprefix('refs/remotes/')}: {reason}; nothing was "
        "merged."
    )


def _where(ws: Workspace, relative: str) -> str:
    """One conflicted file: what conflicted and the line of each conflict's first marker."""
    try:
        text = (ws.root / relative).read_bytes().decode("utf-8", "replace")
    except OSError:
        return f"{relative} (changed on one side and deleted on the other)"
    marked = merge.conflict_markers(text)
    if not marked:
        return f"{relative} (merged line by line by git with nothing marked: review it)"
    return f"{relative} ({', '.join(f'{m.what} at line {m.line}' for m in marked)})"
