"""The tool's own writes that are not committed yet, remembered under .git/ (per work tree).

Before writing an incident file the tool records the file's path, the SHA-256 of the bytes it
is about to write and the commit message; after committing it forgets them. Whatever is left
is a write of its own that git did not take (a refused hook, no identity, --no-commit, Ctrl-C):
the next command commits it as its own commit. An uncommitted change whose bytes do not match
is someone else's edit.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

FILE = "runbook-pending.json"


def _sha256():
    """The interpreter's own SHA-256 (`_sha2` from Python 3.12, `_sha256` before): the same
    digest as hashlib's, without loading OpenSSL, which costs every write about 2 ms for one
    short digest. hashlib where a Python is built without it."""
    for name in ("_sha2", "_sha256", "hashlib"):
        try:
            return importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
    raise ImportError("no SHA-256")


_SHA256 = _sha256()


def digest(data: bytes) -> str:
    return _SHA256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    try:
        return digest(path.read_bytes())
    except OSError:
        return None


@dataclass
class Pending:
    """A write of the tool's own not committed yet: the digest of the bytes written and the
    commit messages waiting for it."""

    sha256: str
    messages: list[str] = field(default_factory=list)


class PendingWrites:
    def __init__(self, git_dir: Path):
        self.path = git_dir / FILE

    def load(self) -> dict[str, Pending]:
        """Repo-relative path -> what the tool wrote there; empty when unreadable (a marker the
        tool cannot read makes every uncommitted change count as someone else's edit)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {
                path: Pending(str(entry["sha256"]), [str(m) for m in entry["messages"]])
                for path, entry in data.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return {}

    def save(self, entries: dict[str, Pending]) -> None:
        if not entries:
            self.path.unlink(missing_ok=True)
            return
        data = {p: {"sha256": e.sha256, "messages": e.messages} for p, e in entries.items()}
        temp = self.path.with_name(self.path.name + ".tmp")
        temp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temp, self.path)
