"""The audit trail: every commit that touched an incident file, with the field-level changes
found by comparing the file before and after, so hand edits made in pull requests are
audited too (and flagged as made outside the tool), and each commit's signature status.

A commit message in the tool's form can be typed by anyone: only signed commits (and a
verified signature) make a forged tool message detectable; see docs/security.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from runbook_cli.adapters.history import History, parse_commit
from runbook_cli.domain import document, generated
from runbook_cli.domain.clock import format_stored
from runbook_cli.domain.config import REPORT_SECTIONS
from runbook_cli.domain.layout import FILE_NAME, INCIDENTS_DIR, MAX_FILE_BYTES
from runbook_cli.domain.model import FIELD_ORDER

_TOOL_SUBJECT = re.compile(r"^incidents? \d+(?:, \d+)*: ")  # one incident, or several at once
OUTSIDE_TRAILER = "Edited-Outside-Runbook:"
# git's %G? codes, in words
SIGNATURES = {
    "G": "good signature",
    "B": "bad signature",
    "U": "good signature, unknown validity",
    "X": "good signature, expired",
    "Y": "good signature, expired key",
    "R": "good signature, revoked key",
    "E": "signature not checkable",
    "N": "unsigned",
}


@dataclass
class Record:
    commit: str
    author: str
    at: str
    message: str
    incident: int
    path: str
    by_tool: bool
    changes: list[dict] = field(default_factory=list)
    signature: str = "N"  # git's %G? code

    @property
    def hand_edit(self) -> bool:
        """Made outside the tool: by hand in git, or found uncommitted and committed by it."""
        return not self.by_tool

    @property
    def signature_status(self) -> str:
        return SIGNATURES.get(self.signature, f"signature status {self.signature}")

    def to_json(self) -> dict:
        return {
            "commit": self.commit,
            "author": self.author,
            "at": self.at,
            "message": self.message,
            "incident": self.incident,
            "path": self.path,
            "by_tool": self.by_tool,
            "hand_edit": self.hand_edit,
            "signature": self.signature,
            "signature_status": self.signature_status,
            "changes": self.changes,
        }


Parsed = tuple[dict, dict[str, str], list[str]]


def _parsed(text: str | None) -> Parsed:
    """Front matter, visible section texts and timeline lines of one version (empty if absent)."""
    if text is None:
        return {}, {}, []
    try:
        doc = document.parse(text)
    except document.DocumentError:
        return {"(file)": "unreadable front matter"}, {}, []
    meta = doc.meta if isinstance(doc.meta, dict) else {"(front matter)": repr(doc.meta)}
    texts = document.section_texts(doc.body)
    sections = {
        name: document.visible_text(_without_blocks(texts.get(name.casefold(), "")))
        for name in REPORT_SECTIONS
        if name != "Timeline"
    }
    return meta, sections, _timeline_lines(texts.get("timeline", ""))


def _without_blocks(text: str) -> str:
    """A section's text without the generated blocks' content: copies of front-matter facts,
    audited as those fields."""
    for block in generated.BLOCKS:
        text = document.write_block(text, block, "")
    return text


def _timeline_lines(section: str) -> list[str]:
    """The timeline's entries as written, one string each (continuation lines joined): compared
    as text, so auditing a version costs one pass over it, however long the timeline."""
    entries: list[str] = []
    for line in document.visible_text(section).split("\n"):
        if line.startswith("- ") or not entries:
            if line.strip():
                entries.append(line)
        elif line.strip():
            entries[-1] += "\n" + line
    return entries


def changes(old_text: str | None, new_text: str | None) -> list[dict]:
    """Field-level differences between two versions of an incident file."""
    return _changes(_parsed(old_text), _parsed(new_text))


def _changes(old: Parsed, new: Parsed) -> list[dict]:
    old_meta, old_sections, old_lines = old
    new_meta, new_sections, new_lines = new
    found: list[dict] = []
    keys = [k for k in FIELD_ORDER if k in old_meta or k in new_meta]
    keys += [k for k in list(old_meta) + list(new_meta) if k not in FIELD_ORDER and k not in keys]
    for key in keys:
        before, after = old_meta.get(key), new_meta.get(key)
        if before == after:
            continue
        if (
            key in ("checklist", "escalated", "postmortem")
            and isinstance(before or {}, dict)
            and isinstance(after or {}, dict)
        ):
            for item in dict.fromkeys([*(before or {}), *(after or {})]):
                if (before or {}).get(item) != (after or {}).get(item):
                    found.append(
                        {
                            "field": f"{key}.{item}",
                            "old": (before or {}).get(item),
                            "new": (after or {}).get(item),
                        }
                    )
        elif (
            key == "action_items"
            and isinstance(before or [], list)
            and isinstance(after or [], list)
        ):
            old_items = {i.get("id"): i for i in before or [] if isinstance(i, dict)}
            new_items = {i.get("id"): i for i in after or [] if isinstance(i, dict)}
            for number in dict.fromkeys([*old_items, *new_items]):
                if old_items.get(number) != new_items.get(number):
                    found.append(
                        {
                            "field": f"action_items.{number}",
                            "old": old_items.get(number),
                            "new": new_items.get(number),
                        }
                    )
        else:
            found.append({"field": key, "old": before, "new": after})
    old_set, new_set = set(old_lines), set(new_lines)  # sets: linear, however long the timeline
    removed = [line for line in old_lines if line not in new_set]
    added = [line for line in new_lines if line not in old_set]
    for old_line, new_line in zip(removed, added, strict=False):
        found.append({"field": "timeline", "old": old_line, "new": new_line})  # an edited entry
    for old_line in removed[len(added) :]:
        found.append({"field": "timeline", "old": old_line, "new": None})
    for new_line in added[len(removed) :]:
        found.append({"field": "timeline", "old": None, "new": new_line})
    for name in REPORT_SECTIONS:
        if name != "Timeline" and old_sections.get(name, "") != new_sections.get(name, ""):
            found.append(
                {
                    "field": f"section.{name}",
                    "old": old_sections.get(name) or None,
                    "new": new_sections.get(name) or None,
                }
            )
    return found


def history(root, incident_id: int | None = None) -> list[Record]:
    """Oldest first: one record per commit and incident file it changed. Linear in history: one
    `git log`, one stream of the objects it names, and each file version parsed once."""
    records: list[Record] = []
    with History(root) as reader:
        wanted = []
        for commit in reader.commits(INCIDENTS_DIR):
            changes = [(change, _incident_of(change)) for change in commit.changes]
            changes = [
                (change, number)
                for change, number in changes
                if number is not None and incident_id in (None, number)
            ]
            if changes:
                wanted.append((commit, changes))
        shas: list[str] = []
        for commit, changes in wanted:
            shas.append(commit.sha)
            shas += [
                blob for change, _ in changes for blob in (change.old_blob, change.new_blob) if blob
            ]
        stream = reader.objects(list(dict.fromkeys(shas)), _LIMIT)
        read: set[str] = set()
        parsed: dict[str | None, Parsed] = {None: _parsed(None)}
        latest: dict[str, str | None] = {}

        def version(blob: str | None) -> Parsed:
            if blob in read and blob not in parsed:  # content seen before and set aside
                parsed[blob] = _version(reader.object(blob, _LIMIT))
            while blob not in parsed:
                sha, data = next(stream)
                read.add(sha)
                parsed[sha] = _version(data)
            return parsed[blob]

        for commit, changes in wanted:
            info = None
            while info is None:
                sha, data = next(stream)
                if sha == commit.sha:
                    info = parse_commit(data or b"")
            for change, number in changes:
                old, new = version(change.old_blob), version(change.new_blob)
                found = _changes(old, new)
                if change.status == "R":
                    found.insert(
                        0, {"field": "path", "old": change.old_path, "new": change.new_path}
                    )
                by_tool = (
                    bool(_TOOL_SUBJECT.match(info.message))
                    and f"\nIncident-Id: {number}\n" in f"{info.message}\n"
                    and OUTSIDE_TRAILER not in info.message
                )
                records.append(
                    Record(
                        commit=commit.sha,
                        author=info.author,
                        at=format_stored(info.authored_at),
                        message=info.message,
                        incident=number,
                        path=change.new_path or change.old_path,
                        by_tool=by_tool,
                        changes=found,
                        signature=commit.signature,
                    )
                )
            # Only each file's latest version can be asked for again: keep memory bounded.
            for change, _ in changes:
                if change.old_path:
                    latest.pop(change.old_path, None)
                if change.new_path:
                    latest[change.new_path] = change.new_blob
            keep = set(latest.values())
            parsed = {blob: value for blob, value in parsed.items() if blob is None or blob in keep}
    return records


_LIMIT = 4 * MAX_FILE_BYTES
"""Larger versions are not read: a hostile commit cannot make the audit exhaust memory."""


def _version(data: bytes | None) -> Parsed:
    if data is None:
        return {"(file)": "missing, or too large to audit"}, {}, []
    return _parsed(data.decode("utf-8", "replace"))


def _incident_of(change) -> int | None:
    match = FILE_NAME.match(PurePosixPath(change.new_path or change.old_path).name)
    return int(match.group("id")) if match else None
