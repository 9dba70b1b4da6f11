"""Caches under .git/, so reading and checking thousands of incidents stays instant.

A cache is one JSON file holding entries by name, each kept with the stamp of the file it was
computed from; the whole file is kept with a key, and a different key, a missing or unreadable
file, or an entry whose stamp differs means the value is computed again. It is written
atomically (temp file and rename), so concurrent runs at worst redo each other's work. It holds
nothing that is not in the files.

- `index_cache`: parsed front matter (list-like commands). Stamped by the file's identity (size,
  modification and change time in nanoseconds, inode): an edit, a branch switch or a checkout
  changes it. Keyed by the config file's identity and the tool's version.
- `check_cache`: what `check` found in each file (rules.Judged). Stamped by a hash of the bytes
  that were judged. Keyed by the config's parsed settings (the guard's patterns included) and
  the source of the rules themselves (every module of runbook_cli.domain), so any change to
  what a finding is makes every entry stale.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from importlib.util import find_spec
from pathlib import Path

from runbook_cli import __version__, domain, files
from runbook_cli.domain.config import Config

INDEX_FILE = "runbook-index.json"
INDEX_FORMAT = 2  # raised whenever what an entry holds, or what counts as valid, changes
CHECK_FILE = "runbook-check.json"
CHECK_FORMAT = 1


def identity(stat: os.stat_result) -> list[int]:
    return [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]


def content_stamp(raw: bytes) -> str:
    import hashlib  # OpenSSL, ~2 ms: only `check` hashes (list-like commands stamp by stat)

    return hashlib.sha256(raw).hexdigest()


class Cache:
    def __init__(self, path: Path, key: list):
        self.path = path
        self.key = key
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("key") == self.key and isinstance(data.get("entries"), dict):
                self.entries = data["entries"]
        except (OSError, ValueError, AttributeError):
            pass

    def __contains__(self, name: str) -> bool:
        return name in self.entries

    def get(self, name: str, stamp: object) -> object | None:
        entry = self.entries.get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp:
            return entry[1]
        return None

    def put(self, name: str, stamp: object, value: object) -> None:
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
            descriptor, temp = files.temp_beside(self.path)
        except OSError:
            return  # a cache that cannot be written only costs speed next time
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"key": self.key, "entries": self.entries}, handle, separators=(",", ":"))
            os.replace(temp, self.path)
        except OSError:
            Path(temp).unlink(missing_ok=True)


def index_cache(git_dir: Path, config_path: Path) -> Cache:
    try:
        config_key = identity(config_path.stat())
    except OSError:
        config_key = None
    return Cache(git_dir / INDEX_FILE, [__version__, INDEX_FORMAT, config_key])


def check_cache(git_dir: Path, config: Config) -> Cache | None:
    """None when the rules' source cannot be read (then nothing is cached)."""
    rules_source = rules_version()
    if rules_source is None:
        return None
    settings = content_stamp(repr(_canonical(config)).encode("utf-8"))
    return Cache(git_dir / CHECK_FILE, [CHECK_FORMAT, __version__, rules_source, settings])


def _canonical(value: object) -> object:
    """The settings as plain nested tuples whose repr is the same in every process (a set's
    order is not: it follows string hashing, which differs between runs)."""
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # the config's records
        return (
            type(value).__name__,
            *((name, _canonical(getattr(value, name))) for name in value._fields),
        )
    if isinstance(value, Mapping):
        return ("dict", *((_canonical(k), _canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, *map(_canonical, value))
    if isinstance(value, set | frozenset):
        return ("set", *sorted(repr(_canonical(item)) for item in value))
    return repr(value)


def rules_version() -> str | None:
    """A hash of every module that decides a finding (runbook_cli.domain), and of the Python
    and PyYAML that run them (PyYAML by its package's source, found without importing it: a
    check of files the tool wrote never needs PyYAML itself, ~10 ms)."""
    import hashlib  # see content_stamp

    digest = hashlib.sha256(f"{sys.version}\0".encode())
    yaml = find_spec("yaml")
    sources = sorted(Path(domain.__file__).parent.glob("*.py"))
    if yaml is not None and yaml.origin:
        sources.append(Path(yaml.origin))  # its __init__.py holds __version__
    try:
        for module in sources:
            digest.update(module.name.encode() + b"\0" + module.read_bytes() + b"\0")
    except OSError:
        return None
    return digest.hexdigest()
