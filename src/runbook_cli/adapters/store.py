"""Incident files on disk: where they live, how they are found, read and written atomically.

The only module that reads or writes incident files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from runbook_cli import files
from runbook_cli.adapters import cache
from runbook_cli.domain import document, model
from runbook_cli.domain.config import Config
from runbook_cli.domain.layout import (
    CONFIG_PATH,
    FILE_NAME,
    ID_REFERENCE,
    INCIDENTS_DIR,
    MAX_FILE_BYTES,
    MAX_ID,
)
from runbook_cli.domain.model import Loaded
from runbook_cli.errors import MalformedFileError, RepositoryError, UsageError


class Summary(NamedTuple):
    """What list-like commands need of an incident; from the cache when the file is unchanged.
    (One per incident file: a NamedTuple is cheaper to make than a frozen dataclass.)"""

    path: Path
    incident: model.Incident
    summary: str


def listing(incidents: list[model.Incident], limit: int = 10) -> str:
    """'1 (Checkout errors), 2 (Slow search)': how incidents are named in messages."""
    return ", ".join(f"{incident.id} ({incident.title})" for incident in incidents[:limit])


class Store:
    def __init__(self, root: Path, config: Config, cache_dir: Path):
        self.root = root
        self.config = config
        self.folder = root / INCIDENTS_DIR
        self._inside = f"{root}{os.sep}"  # what every path inside the repository starts with
        self.cache_dir = cache_dir
        self.unreadable: list[str] = []  # why each file the last summaries() skipped is unreadable

    def relative(self, path: Path) -> str:
        """`path` from the repository root, `/`-separated. (A string prefix where that is the
        same thing, as `Path.relative_to` is lexical too: `check --all` asks 20,000 times.)"""
        text = str(path)
        if os.sep == "/" and text.startswith(self._inside):
            return text[len(self._inside) :]
        return path.relative_to(self.root).as_posix()

    def shown(self, path: Path) -> str:
        """`relative` for a path inside the repository, else the path as given."""
        text = str(path)
        return self.relative(path) if text.startswith(self._inside) else text

    def check_folder(self) -> None:
        """Refuse a docs/runbooks/incidents/ reached through a symbolic link: writes would land
        outside the repository (or somewhere a link chose)."""
        current = self.root
        for part in Path(INCIDENTS_DIR).parts:
            current = current / part
            if current.is_symlink():
                raise RepositoryError(
                    f"{current.relative_to(self.root).as_posix()} is a symbolic link; runbook "
                    "only reads and writes real folders inside the repository."
                )

    def paths(self) -> dict[int, list[Path]]:
        """Incident files by id, from file names alone (no parsing)."""
        self.check_folder()
        found: dict[int, list[Path]] = {}
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return found
        for name in sorted(names):
            match = FILE_NAME.match(name)
            if match:
                found.setdefault(int(match.group("id")), []).append(self.folder / name)
        return found

    def next_id(self) -> int:
        """One more than the largest id; ids stop at MAX_ID (nine digits)."""
        largest = max(self.paths(), default=0)
        if largest >= MAX_ID:
            raise UsageError(
                f"incident ids end at {MAX_ID} and incident {largest} exists; renumber that "
                "incident to a smaller free id (rename its file and its 'id') before declaring."
            )
        return largest + 1

    def resolve(self, reference: str) -> Path:
        """`7`, `incident-7` or a path to the file; refuse anything else before building a path."""
        text = reference.strip()
        match = ID_REFERENCE.fullmatch(text)
        if match:
            incident_id = int(match.group(1))
            candidates = self.paths().get(incident_id)
            if not candidates:
                raise UsageError(f"there is no incident {incident_id}; {self.open_hint()}")
            if len(candidates) > 1:
                names = ", ".join(self.relative(p) for p in candidates)
                raise MalformedFileError(
                    f"incident {incident_id} has more than one file ({names}); renumber or remove "
                    "one."
                )
            return candidates[0]
        if text.endswith(".md") and FILE_NAME.match(Path(text).name):
            path = Path(text) if Path(text).is_absolute() else Path.cwd() / text
            resolved = path.resolve()
            if resolved.parent != self.folder.resolve():
                raise UsageError(
                    f"{text!r} is not an incident file in {INCIDENTS_DIR}/; pass an id such as 7."
                )
            if not resolved.exists():
                raise UsageError(f"there is no incident file {text!r}; {self.open_hint()}")
            return self.folder / resolved.name
        raise UsageError(
            f"{reference!r} is not an incident id; use a number such as 7, incident-7 or the "
            "file's path."
        )

    def open_hint(self) -> str:
        open_ones = [each.incident for each in self.summaries() if each.incident.is_open]
        if not open_ones:
            return "there are no open incidents (declare one with runbook declare)."
        return f"open incidents: {listing(open_ones)}."

    def read(self, path: Path) -> Loaded:
        relative = self.relative(path)
        try:
            raw = files.read_regular(path)
        except FileNotFoundError:
            raise UsageError(f"there is no incident file {relative}.") from None
        except files.Refused as error:
            if error.kind == "size":
                raise MalformedFileError(_too_large(relative)) from None
            raise MalformedFileError(
                f"{relative} {error.reason}; incident files must be regular files."
            ) from None
        except OSError as error:
            raise MalformedFileError(f"cannot read {relative}: {error.strerror}.") from None
        return self.parse(path, raw)

    def parse(self, path: Path, raw: bytes) -> Loaded:
        relative = self.relative(path)
        if len(raw) > MAX_FILE_BYTES:
            raise MalformedFileError(_too_large(relative))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedFileError(
                f"{relative} is not valid UTF-8 (byte {error.start}); fix its encoding."
            ) from None
        try:
            doc = document.parse(text)
        except document.DocumentError as error:
            raise MalformedFileError(
                f"{relative}:{error.line or 1}: {error}; fix the file by hand."
            ) from None
        try:
            incident = model.from_meta(doc.meta, self.config)
        except model.SchemaError as error:
            raise MalformedFileError(
                f"{relative}:{doc.line_of(error.field)}: {error}; fix the front matter."
            ) from None
        return Loaded(path, doc, incident, raw)

    def summaries(self, progress: Callable[[int], None] = lambda _: None) -> list[Summary]:
        """Every readable incident by id, its front matter parsed once per version of the file.
        The files that cannot be read are left out and named, with why, in `self.unreadable`."""
        index = cache.index_cache(self.cache_dir, self.root / CONFIG_PATH)
        result: list[Summary] = []
        self.unreadable = []
        seen: set[str] = set()
        for _, paths in sorted(self.paths().items()):
            for path in paths:
                name = path.name
                seen.add(name)
                try:
                    stamp = cache.identity(path.lstat())
                except OSError as error:
                    self.unreadable.append(f"cannot read {self.relative(path)}: {error.strerror}.")
                    continue
                entry = index.get(name, stamp)
                if entry is None or entry.get("invalid") is True:  # True: a reason not yet kept
                    entry = self._summary_entry(path)
                    index.put(name, stamp, entry)
                    progress(1)
                if "meta" in entry:
                    result.append(
                        Summary(path, model.from_meta(entry["meta"], self.config), entry["summary"])
                    )
                else:
                    self.unreadable.append(entry["invalid"])
        index.keep_only(seen)
        index.save()
        return result

    def _summary_entry(self, path: Path) -> dict:
        try:
            loaded = self.read(path)
        except (MalformedFileError, UsageError) as error:
            return {"invalid": str(error)}
        summary = document.visible_text(document.section_text(loaded.doc.body, "Summary") or "")
        return {"meta": loaded.doc.meta, "summary": summary}

    def write(self, path: Path, text: str) -> None:
        """Atomic: a temp file in the same folder, fsync, rename: old or new, never a mix."""
        self.check_folder()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            raise MalformedFileError(
                f"{self.relative(path)} is a symbolic link; refusing to write through it."
            )
        data = text.encode("utf-8")
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        # Writers hold the repo lock, so a temp file left here is a killed writer's: clear it.
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            stale.unlink(missing_ok=True)
        descriptor, temp_name = files.temp_beside(path)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp_name, mode)
            os.replace(temp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_folder(path.parent)


def _too_large(relative: str) -> str:
    return (
        f"{relative} is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB; "
        "split out attachments and link to them."
    )


def _fsync_folder(folder: Path) -> None:
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
