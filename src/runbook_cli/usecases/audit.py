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

from runbook_cli.domain import document
from runbook_cli.domain.clock import format_stored
from runbook_cli.domain.config import REPORT_SECTIONS
from runbook_cli.domain.layout import FILE_NAME, INCIDENTS_DIR
from runbook_cli.domain.model import FIELD_ORDER

_TOOL_SUBJECT = re.compile(r"^incident \d+: ")
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


def _parsed(text: str | None) -> tuple[dict, dict[str, str], list[str]]:
    """Front matter, visible section texts and timeline lines of one version (empty if absent)."""
    if text is None:
        return {}, {}, []
    try:
        doc = document.parse(text)
    except document.DocumentError:
        return {"(file)": "unreadable front matter"}, {}, []
    meta = doc.meta if isinstance(doc.meta, dict) else {"(front matter)": repr(doc.meta)}
    sections = {
        name: document.visible_text(document.section_text(doc.body, name) or "")
        for name in REPORT_SECTIONS
        if name != "Timeline"
    }
    entries, bad = document.timeline(doc)
    lines = [document.format_entry(entry)[0] for entry in entries] + [b.text for b in bad]
    return meta, sections, lines


def changes(old_text: str | None, new_text: str | None) -> list[dict]:
    """Field-level differences between two versions of an incident file."""
    old_meta, old_sections, old_lines = _parsed(old_text)
    new_meta, new_sections, new_lines = _parsed(new_text)
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
    removed = [line for line in old_lines if line not in new_lines]
    added = [line for line in new_lines if line not in old_lines]
    for old_line, new_line in zip(removed, added):
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
    """Oldest first: one record per commit and incident file it changed."""
    import git

    records: list[Record] = []
    with git.Repo(root) as repo:
        try:
            repo.head.commit
        except ValueError:
            return []
        signatures = _signatures(repo)
        for commit in repo.iter_commits("HEAD", paths=INCIDENTS_DIR, reverse=True):
            parent = commit.parents[0] if commit.parents else None
            diffs = (
                parent.diff(commit, paths=INCIDENTS_DIR)
                if parent
                else commit.diff(git.NULL_TREE, paths=INCIDENTS_DIR, R=True)
            )
            for diff in diffs:
                path = diff.b_path or diff.a_path
                match = FILE_NAME.match(PurePosixPath(path).name)
                if not match:
                    continue
                number = int(match.group("id"))
                if incident_id is not None and number != incident_id:
                    continue
                old = (
                    diff.a_blob.data_stream.read().decode("utf-8", "replace")
                    if diff.a_blob
                    else None
                )
                new = (
                    diff.b_blob.data_stream.read().decode("utf-8", "replace")
                    if diff.b_blob
                    else None
                )
                message = commit.message.strip()
                by_tool = (
                    bool(_TOOL_SUBJECT.match(message))
                    and f"Incident-Id: {number}" in message
                    and OUTSIDE_TRAILER not in message
                )
                found = changes(old, new)
                if diff.renamed_file:
                    found.insert(0, {"field": "path", "old": diff.a_path, "new": diff.b_path})
                records.append(
                    Record(
                        commit=commit.hexsha,
                        author=f"{commit.author.name} <{commit.author.email}>",
                        at=format_stored(commit.authored_datetime),
                        message=message,
                        incident=number,
                        path=path,
                        by_tool=by_tool,
                        changes=found,
                        signature=signatures.get(commit.hexsha, "N"),
                    )
                )
    return records


def _signatures(repo) -> dict[str, str]:
    """Commit id -> git's %G? code, for every commit that touched incident files (one git call;
    git checks each signature with gpg or ssh-keygen and the configured trusted keys)."""
    output = repo.git.log("--format=%H %G?", "HEAD", "--", INCIDENTS_DIR)
    return dict(line.split(" ", 1) for line in output.splitlines() if " " in line)
