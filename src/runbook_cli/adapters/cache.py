"""A cache of parsed front matter under .git/, so reading thousands of incidents stays instant.

Each entry is keyed by the file's path and identity (size, modification and change time in
nanoseconds, inode): an edit, a branch switch or a checkout changes the identity, and the file
is parsed again. The whole cache is also keyed by the config file's identity and the tool's
version, since both change what a valid incident is. It is written atomically (temp file and
rename), so concurrent runs at worst redo each other's work; a cache that cannot be read is
ignored and rebuilt. It holds nothing that is not in the files.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from runbook_cli import __version__

CACHE_FILE = "runbook-index.json"
FORMAT = 2  # raised whenever what an entry holds, or what counts as valid, changes


def identity(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


class IndexCache:
    def __init__(self, git_dir: Path, config_path: Path):
        self.path = git_dir / CACHE_FILE
        try:
            config_key = identity(config_path.stat())
        except OSError:
            config_key = None
        self.key = [__version__, FORMAT, config_key]
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("key") == self.key and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]
        except (OSError, ValueError, AttributeError):
            pass

    def get(self, name: str, stamp: list[int]) -> dict | None:
        entry = self.entries.get(name)
        if entry and entry[0] == stamp:
            return entry[1]
        return None

    def put(self, name: str, stamp: list[int], value: dict) -> None:
        self.entries[name] = [stamp, value]
        self.changed = True

    def keep_only(self, names: set[str]) -> None:
        for gone in set(self.entries) - names:
            del self.entries[gone]
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        try:
            descriptor, temp = tempfile.mkstemp(prefix=".runbook-index.", dir=self.path.parent)
        except OSError:
            return  # a cache that cannot be written only costs speed next time
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"key": self.key, "entries": self.entries}, handle, separators=(",", ":"))
            os.replace(temp, self.path)
        except OSError:
            Path(temp).unlink(missing_ok=True)
