"""Post-incident use cases: the checklist, action items, the post-mortem, the report's sections,
hand edits in $EDITOR, and closing."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from runbook_cli import files
from runbook_cli.domain import clock, document, generated, invite, layout, model, rules
from runbook_cli.domain.config import REPORT_SECTIONS
from runbook_cli.domain.text import clean_line, clean_name, clean_section
from runbook_cli.errors import MalformedFileError, RepositoryError, UsageError
from runbook_cli.usecases import checklist
from runbook_cli.usecases.workspace import Edit, Workspace, commit_message, refuse_closed


def add_action(
    ws: Workspace,
    reference: str | None,
    title: str,
    *,
    owner: str,
    due: date,
    author: str | None,
    commit: bool,
) -> tuple[Edit, model.ActionItem]:
    title = clean_line(title, "the action item's title")
    owner = clean_name(owner, "--owner")
    with ws.change(reference, commit=commit, author=author) as edit:
        items = edit.incident.action_items
        item = model.ActionItem(max((i.id for i in items), default=0) + 1, title, owner, due)
        items.append(item)
        edit.log(f"Action item {item.id} added: {title} (owner {owner}, due {due.isoformat()}).")
        edit.describe(f"action {item.id}: {title[:50]}", Action=f"{item.id} added")
    return edit, item


def report_gaps(ws: Workspace, incident: model.Incident, body: str) -> list[str]:
    """Required report sections still without text, each with the command that fills it."""
    return [
        f"{name} ({rules.section_command(name)})"
        for name, _ in rules.missing_sections(incident, body, ws.config)
    ]


def finish_action(
    ws: Workspace, reference: str | None, number: int, *, author: str | None, commit: bool
) -> tuple[Edit, model.ActionItem]:
    """Action items are tracked to completion, so they can be finished after closing too."""
    with ws.change(reference, commit=commit, author=author, after_close=True) as edit:
        items = {item.id: item for item in edit.incident.action_items}
        if number not in items:
            listed = ", ".join(str(i) for i in items) or "none yet"
            raise UsageError(
                f"incident {edit.incident.id} has no action item {number} (action items: {listed})."
            )
        item = items[number]
        if not item.done:
            item.done = True
            edit.log(f"Action item {number} done: {item.title}.")
            edit.describe(f"action {number} done", Action=f"{number} done")
    return edit, item


@dataclass
class ActionRow:
    incident: int
    path: str
    item: model.ActionItem
    overdue: bool

    def to_json(self) -> dict:
        return {
            "incident": self.incident,
            "path": self.path,
            **self.item.to_meta(),
            "overdue": self.overdue,
        }


def list_actions(
    ws: Workspace,
    *,
    overdue_only: bool = False,
    owner: str | None = None,
    today: date | None = None,
) -> list[ActionRow]:
    today = today or clock.now().date()
    rows = []
    for loaded in ws.store.summaries():
        for item in loaded.incident.action_items:
            overdue = not item.done and item.due < today
            if overdue_only and not overdue:
                continue
            if owner and item.owner.casefold() != owner.casefold():
                continue
            rows.append(
                ActionRow(loaded.incident.id, ws.store.relative(loaded.path), item, overdue)
            )
    rows.sort(key=lambda row: (row.item.done, row.item.due, row.incident, row.item.id))
    return rows


@dataclass
class Scheduled:
    edit: Edit
    ics: bytes  # the calendar invite (RFC 5545)
    written_to: Path | None  # where it was written; None: the caller prints it


def schedule_postmortem(
    ws: Workspace,
    reference: str | None,
    at: datetime,
    attendees: list[str],
    *,
    ics: str | None,
    author: str | None,
    commit: bool,
) -> Scheduled:
    """Record the meeting (and who is invited) in one commit of the incident file, then write
    the calendar invite outside git: `ics` is a path, '-' (returned, not written) or None
    (./incident-N-postmortem.ics)."""
    from runbook_cli.rendering import invite as calendar  # icalendar: ~30 ms, this command only

    people = [invite.attendee(text) for text in attendees]
    now = clock.now()
    if at <= now:
        raise UsageError(
            f"the post-mortem time {clock.show(at, ws.config.zone)} is in the past; give the "
            "meeting's future time with --at."
        )
    with ws.change(reference, commit=commit, author=author) as edit:
        incident = edit.incident
        target = _invite_path(ws, ics, incident.id)
        invited = people or [invite.Attendee(name) for name in incident.postmortem_attendees]
        if not invited and ws.config.postmortem.require_attendees:
            raise UsageError(
                "say who is invited with --attendee NAME (repeat it; 'NAME <address>' puts the "
                "address in the invite only), or set postmortem.require_attendees: false."
            )
        organizer = invite.Attendee(edit.author, None if author else ws.git.configured_address())
        meeting = invite.build(
            incident, edit.path, edit.body, ws.config, at=at, organizer=organizer, attendees=invited
        )
        incident.postmortem_scheduled_at = at
        incident.postmortem_attendees = [person.name for person in invited]
        late = incident.postmortem_due and at > incident.postmortem_due
        names = ", ".join(incident.postmortem_attendees)
        edit.log(
            f"{invite.SCHEDULED} {clock.format_stored(at)}"
            + (f" with {names}" if names else "")
            + (
                f", after its deadline {clock.format_stored(incident.postmortem_due)}."
                if late
                else "."
            ),
            now,
        )
        edit.describe("post-mortem scheduled", Postmortem=clock.format_stored(at))
        checklist.tick_done(ws, edit, "postmortem_scheduled", "runbook postmortem schedule")
    data = calendar.ics(meeting, now)
    if target is not None:
        try:
            files.replace_file(target, data)
        except OSError as error:
            raise RepositoryError(
                f"the meeting is recorded in {edit.path}, but the invite could not be written "
                f"to {target}: {error.strerror}; run the command again with --ics PATH."
            ) from None
    return Scheduled(edit, data, target)


def _invite_path(ws: Workspace, ics: str | None, incident_id: int) -> Path | None:
    """Where the invite goes: never into the incidents folder (the commit holds the incident
    file only), and only into a folder that exists."""
    if ics == "-":
        return None
    target = Path(ics) if ics else Path(f"incident-{incident_id}-postmortem.ics")
    target = Path.cwd() / target if not target.is_absolute() else target
    if target.resolve().is_relative_to(ws.incidents_folder().resolve()):
        raise UsageError(
            f"--ics {ics or target.name}: the invite does not go into {layout.INCIDENTS_DIR}/ "
            "(only incident files live there); choose another path, or '-' for standard output."
        )
    problem = (
        f"{target} is a folder"
        if target.is_dir()
        else f"the folder {target.parent} does not exist"
        if not target.parent.is_dir()
        else None
    )
    if problem:
        raise UsageError(
            f"--ics {ics or target.name}: {problem}; give a file path in an existing folder, or "
            "'-' for standard output."
        )
    return target


def section_name(text: str) -> str:
    """'root-cause', 'Root Cause', 'resolution' all name a report section."""
    wanted = text.strip().lower().replace("-", " ").replace("_", " ")
    for name in REPORT_SECTIONS:
        plain = name.lower().replace("&", "and")
        if wanted in (name.lower(), plain, plain.split(" and ")[0]):
            return name
    valid = ", ".join(
        name.lower().replace(" & ", "-").replace(" ", "-")
        for name in REPORT_SECTIONS
        if name != "Timeline"
    )
    raise UsageError(f"unknown report section {text!r}; use one of {valid}.")


def set_section(
    ws: Workspace,
    reference: str | None,
    section: str,
    text: str,
    *,
    author: str | None,
    commit: bool,
    append: bool = False,
) -> tuple[Edit, str]:
    """Replace (or, with `append`, add to) a section's text; also returns the text it had."""
    name = section_name(section)
    if name == "Timeline":
        raise UsageError("add to the timeline with runbook timeline add, one entry at a time.")
    content = clean_section(text, name)
    if not content.strip():
        raise UsageError(
            f"the text for {name} is empty; give it as an argument or on standard input."
        )
    with ws.change(reference, commit=commit, author=author) as edit:
        previous = document.written_text(edit.body, name)
        if append and previous:
            content = f"{previous}\n\n{content.strip()}"
        try:
            edit.body = document.replace_section(edit.body, name, content)
        except document.DocumentError as error:
            raise MalformedFileError(
                f"{edit.path}: {error}; add the heading by hand (runbook edit)."
            ) from None
        edit.describe(f"report: {name}", Section=name)
    return edit, previous


def close(
    ws: Workspace,
    reference: str | None,
    *,
    force: bool,
    reason: str | None,
    author: str | None,
    commit: bool,
) -> Edit:
    if force and not reason:
        raise UsageError(
            "closing with --force needs --reason saying why the report may stay incomplete."
        )
    reason = clean_line(reason, "--reason") if reason else None
    with ws.change(reference, commit=commit, author=author, after_close=True) as edit:
        incident = edit.incident
        if incident.is_closed:
            return edit
        if incident.status != "resolved":
            raise UsageError(
                f"incident {incident.id} is {incident.status}; resolve it first (runbook resolve)."
            )
        moment = clock.now()
        incident.status, incident.closed_at = "closed", moment
        missing = rules.problems_for(
            edit.path, incident, generated.regenerate(edit.body, incident), ws.config, now=moment
        )
        if missing and not force:
            listed = "".join(f"\n  - {problem.message}" for problem in missing)
            raise UsageError(
                f"incident {incident.id} cannot be closed yet; missing:{listed}\n"
                "Fix these, or close anyway with --force --reason TEXT."
            )
        if force:
            incident.close_reason = reason
        edit.log(
            "Closed."
            + (
                f" Closed with an incomplete report ({len(missing)} open points): {reason}"
                if missing
                else ""
            ),
            moment,
        )
        edit.describe(
            "close", Status="resolved -> closed", **({"Forced": reason} if missing else {})
        )
    if edit.written:
        ws.forget_choice(incident.id)  # the next command without -i does not land in it
    return edit


def edit_in_editor(
    ws: Workspace, reference: str | None, *, author: str | None, commit: bool
) -> tuple[str, bool, str | None]:
    """Open $EDITOR on a copy; validate; replace the file and commit. An invalid result is kept
    beside the incident as <file>.rejected so nothing typed is lost. A file runbook cannot read
    opens too, so it can be repaired (the result is validated the same way)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with ws.locked():
        me = ws.author(author, commit)
        path = ws.incident_path(reference)
        try:
            ws.settle(path, commit)  # the tool's own pending writes, others' edits: see Workspace
            loaded = ws.store.read(path)
        except MalformedFileError:
            original, kept = path.read_bytes(), []  # opened to be repaired
        else:
            refuse_closed(loaded.incident)
            original, kept = loaded.raw, rules.time_order(loaded.incident)
        relative = ws.store.relative(path)
        with tempfile.TemporaryDirectory(prefix="runbook-edit-") as folder:
            draft = Path(folder) / path.name
            draft.write_bytes(original)
            try:
                status = subprocess.run([*shlex.split(editor), str(draft)]).returncode
            except FileNotFoundError:
                raise UsageError(
                    f"cannot start the editor {editor!r}; set EDITOR to an installed editor."
                ) from None
            if status:
                raise UsageError(
                    f"the editor exited with status {status}; the incident file was not changed."
                )
            raw = draft.read_bytes()
        if raw == original:
            return relative, False, None
        try:
            edited = ws.store.parse(path, raw)
            ws.vet(path, raw.decode("utf-8"), kept=kept)
        except (MalformedFileError, UsageError) as error:
            rejected = path.with_name(path.name + ".rejected")
            files.replace_file(rejected, raw)  # a link there is replaced, not followed
            raise type(error)(
                f"{error} Your edit is kept in {ws.store.relative(rejected)}; the incident file "
                "was not changed."
            ) from None
        if edited.incident.id != _file_id(path):
            raise UsageError(
                "the edit changed the incident's id; ids are fixed (renumbering is done by "
                "runbook sync)."
            )
        allowed = ws.screen(original.decode("utf-8", "replace"), raw.decode("utf-8"), path)
        trailers = {"Edited-By": me, **({"Sensitive-Data-Allowed": allowed} if allowed else {})}
        message = commit_message(edited.incident.id, "edited by hand", trailers)
        return relative, True, ws.record(path, raw.decode("utf-8"), message, commit)


def _file_id(path: Path) -> int:
    return int(layout.FILE_NAME.match(path.name).group("id"))
