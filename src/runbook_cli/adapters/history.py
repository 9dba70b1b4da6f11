"""Reading history: which commits changed incident files and the objects they hold, through
GitPython's command layer (writing goes through `gitrepo`, which runs the git binary and stays
light to import: this module is loaded only by the commands that read history)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import git

from runbook_cli.adapters.gitrepo import reason
from runbook_cli.errors import RepositoryError


@dataclass(frozen=True)
class FileChange:
    """One file a commit changed, as `git log --raw` reports it (blob ids; None when absent)."""

    status: str
    """A (added), M (modified), D (deleted), R (renamed), T (type changed), C (copied)."""
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None


@dataclass(frozen=True)
class LoggedCommit:
    sha: str
    signature: str
    """git's %G?: G good, B bad, U good but untrusted key, N none, E cannot be checked, ..."""
    changes: list[FileChange]


@dataclass(frozen=True)
class CommitInfo:
    author: str
    authored_at: datetime
    message: str


class History:
    """Reading history with GitPython's command layer: one `git log` for the commits that touched
    a folder and one `git cat-file --batch` for every object asked for, streamed in order, so the
    cost is linear in the history read."""

    def __init__(self, root: Path):
        self._repo = git.Repo(root)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self._repo.close()

    def commits(self, folder: str) -> list[LoggedCommit]:
        """Oldest first: every commit reachable from HEAD that changed a file under `folder`
        (a merge shows what it brought in against its first parent)."""
        if not self._repo.head.is_valid():  # no commit yet
            return []
        command = ["git", "-c", "core.quotePath=false", "log", "--reverse", "--no-abbrev"]
        command += ["--format=commit %H %G?", "--raw", "-M", "--root", "--diff-merges=first-parent"]
        try:
            output = self._repo.git.execute([*command, "HEAD", "--", folder])
        except git.GitCommandError as error:
            raise RepositoryError(f"git log failed: {reason(str(error.stderr))}.") from None
        found: list[LoggedCommit] = []
        for line in output.splitlines():
            if line.startswith("commit "):
                _, sha, signature = (line + " N").split(" ")[:3]
                found.append(LoggedCommit(sha, signature, []))
            elif line.startswith(":") and found:
                found[-1].changes.append(_raw_change(line))
        return found

    def objects(self, shas: list[str], limit: int) -> Iterator[tuple[str, bytes | None]]:
        """Each object's raw content, in the order asked, from one process; None when missing or
        larger than `limit` bytes (skipped unread). One object is held in memory at a time."""
        with tempfile.TemporaryFile() as requests:
            requests.write("".join(f"{sha}\n" for sha in shas).encode())
            requests.seek(0)
            process = self._repo.git.execute(
                ["git", "cat-file", "--batch"], istream=requests, as_process=True
            )
            output = process.proc.stdout
            try:
                for sha in shas:
                    header = output.readline().split()
                    if len(header) < 3:
                        yield sha, None
                        continue
                    size = int(header[2])
                    if size > limit:
                        while size > 0:
                            size -= len(output.read(min(size, 1 << 20)))
                        data = None
                    else:
                        data = output.read(size)
                    output.read(1)  # the newline after each object
                    yield sha, data
            finally:
                process.proc.kill()
                process.proc.wait()

    def object(self, sha: str, limit: int) -> bytes | None:
        """One object's raw content (None when missing or too large)."""
        return next(self.objects([sha], limit))[1]


def parse_commit(data: bytes) -> CommitInfo:
    """A raw commit object's author, author time and message."""
    head, _, message = data.decode("utf-8", "replace").partition("\n\n")
    author, at = "", datetime.fromtimestamp(0, tz=UTC)
    for line in head.split("\n"):
        if line.startswith("author "):
            who, _, when = line[len("author ") :].rpartition("> ")
            author = who + ">"
            seconds, _, offset = when.partition(" ")
            sign = -1 if offset.startswith("-") else 1
            minutes = sign * (int(offset[1:3] or 0) * 60 + int(offset[3:5] or 0))
            zone = timezone(timedelta(minutes=minutes))
            at = datetime.fromtimestamp(int(seconds), tz=UTC).astimezone(zone)
            break
    return CommitInfo(author=author, authored_at=at, message=message.strip())


_NO_BLOB = "0" * 40


def _raw_change(line: str) -> FileChange:
    """`:100644 100644 OLD NEW M<TAB>path` or `... R090<TAB>old<TAB>new`."""
    meta, *paths = line.split("\t")
    _, _, old, new, status = meta.split(" ")
    kind = status[0]
    old_path = paths[0] if kind != "A" else None
    new_path = paths[-1] if kind != "D" else None
    return FileChange(
        status=kind,
        old_path=old_path,
        new_path=new_path,
        old_blob=None if old == _NO_BLOB else old,
        new_blob=None if new == _NO_BLOB else new,
    )
