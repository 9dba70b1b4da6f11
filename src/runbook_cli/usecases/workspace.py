"""A repository opened for runbook work: config, incident store, git, and the change cycle
lock -> read -> edit -> validate -> atomic write -> commit that every writing command uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from runbook_cli.adapters import teamfiles
from runbook_cli.adapters.gitrepo import GitRepo, find_root
from runbook_cli.adapters.lock import repo_lock
from runbook_cli.adapters.pending import Pending, PendingWrites, digest, file_digest
from runbook_cli.adapters.store import Store, listing
from runbook_cli.domain import clock, document, generated, model, rules
from runbook_cli.domain.layout import INCIDENTS_DIR, MAX_FILE_BYTES
from runbook_cli.domain.model import Loaded
from runbook_cli.domain.sensitive import Guard
from runbook_cli.domain.text import clean_name, clean_text
from runbook_cli.errors import MalformedFileError, RepositoryError, RunbookError, UsageError

CURRENT_FILE = "runbook-current"


def combined(messages: list[str]) -> str:
    """One commit message for the tool's own writes that waited for a commit: the message itself
    when there is one; else `incident 7: N changes written without a commit`, each subject
    listed, the trailers once."""
    if len(messages) == 1:
        return messages[0]
    subjects = [message.split("\n", 1)[0] for message in messages]
    head = subjects[0].split(":", 1)[0]
    listed = "\n".join(f"- {subject.split(': ', 1)[-1]}" for subject in subjects)
    trailers = dict.fromkeys(
        line
        for message in messages
        for line in message.split("\n\n", 1)[-1].splitlines()
        if ": " in line
    )
    return f"{head}: {len(messages)} changes written without a commit\n\n{listed}\n\n" + "\n".join(
        trailers
    )


def _discard(git: GitRepo, relative: str) -> str:
    if git.head_text(relative) is None:
        return f"rm {relative}"
    return f"git restore --staged --worktree -- {relative}"


def _commit_or_discard(git: GitRepo, relative: str) -> str:
    """The commands that commit or discard someone's uncommitted change of a file."""
    commit = (
        f"git commit -- {relative}"
        if git.head_text(relative) is not None
        else f"git add -- {relative} && git commit -- {relative}"
    )
    return f"commit them with {commit} or discard them with {_discard(git, relative)}"


def _login_name() -> str:
    """The entry author when git has no identity and --author is not given."""
    import getpass  # rare (git names no author): keeps termios off every write

    try:
        return clean_name(getpass.getuser(), "the login name")
    except Exception:  # no login name, or one that is not a name
        return "unknown"


def commit_message(incident_id: int, subject: str, trailers: dict[str, str]) -> str:
    """`incident 7: <subject>`, a blank line, then `Incident-Id: 7` and the other trailers."""
    return commit_message_for([incident_id], subject, trailers)


def commit_message_for(ids: list[int], subject: str, trailers: dict[str, str]) -> str:
    """One commit changing several incidents: `incidents 3, 5: <subject>`, then an
    `Incident-Id` trailer for each (the audit knows the tool's commits by these)."""
    named = ", ".join(str(number) for number in ids)
    lines = [f"Incident-Id: {number}" for number in ids]
    lines += [f"{key}: {value}" for key, value in trailers.items()]
    head = f"incident{'s' if len(ids) > 1 else ''} {named}"
    return f"{head}: {subject}\n\n" + "\n".join(lines)


def refuse_closed(incident: model.Incident) -> None:
    """Closed means closed: every change but reopening (and finishing action items) is refused."""
    if incident.is_closed:
        said = model.status_label(incident.status, incident.duplicate_of)
        raise UsageError(
            f"incident {incident.id} is {'closed as a ' if incident.duplicate_of else ''}{said}; "
            f"it changes only after runbook reopen -i {incident.id} --reason TEXT (recorded in its "
            "timeline)."
        )


@dataclass
class Edit:
    """One change to one incident, built up by a use case and saved by Workspace.change."""

    incident: model.Incident
    body: str
    author: str
    subject: str = ""
    trailers: dict[str, str] = field(default_factory=dict)
    entries: list[document.Entry] = field(default_factory=list)
    path: str = ""  # set when saved: repo-relative path of the file
    commit: str | None = None  # set when saved and committed
    written: bool = False  # set when the file changed on disk
    warnings: list[str] = field(default_factory=list)  # said on stderr once it is saved

    def warn(self, text: str) -> None:
        """Something the user must know although the change succeeded (a service not told)."""
        self.warnings.append(text)

    def log(self, text: str, at: datetime | None = None) -> None:
        """Add a timeline entry by this edit's author."""
        self.entries.append(document.Entry(at or clock.now(), self.author, clean_text(text)))

    def describe(self, subject: str, **trailers: str) -> None:
        self.subject = subject
        self.trailers.update(trailers)


class Workspace:
    def __init__(self, repo: Path | None = None, *, allow_sensitive: bool = False):
        self.allow_sensitive = allow_sensitive
        self.committed = False
        self.root = find_root(repo or Path.cwd())
        self.git = GitRepo(self.root)
        self.config = teamfiles.config(self.root)
        self.store = Store(self.root, self.config, self.git.git_dir)
        self.pending = PendingWrites(self.git.git_dir)
        self._guard = None
        self.on_wait: Callable[[float], None] = lambda _timeout: None
        """Told when the lock is busy for a while (the command line says it waits)."""
        self.touched: tuple[Path, str] | None = None  # the last file written, and its digest
        self._batch: list[Edit] | None = None  # see batch()

    # --- choosing the incident ------------------------------------------------------------

    def incident_path(self, reference: str | None) -> Path:
        """-i/--incident if given, else the current one (chosen with `use` or the last declared),
        else the only open incident, else the only resolved one that is not closed yet."""
        if reference:
            return self.store.resolve(reference)
        chosen = self.chosen()
        if chosen:
            try:
                return self.store.resolve(chosen)
            except UsageError:
                pass  # the chosen incident was renumbered or removed: fall back to open ones
        everything = self.store.summaries()
        open_ones = [loaded for loaded in everything if loaded.incident.is_open]
        if len(open_ones) == 1:
            return open_ones[0].path
        if open_ones:
            listed = listing([o.incident for o in open_ones])
            raise UsageError(
                f"{len(open_ones)} incidents are open: {listed}; "
                "pass -i ID or choose one with runbook use ID."
            )
        resolved = [o for o in everything if o.incident.status == "resolved"]
        if len(resolved) == 1:
            return resolved[0].path
        hint = (
            f" (resolved, not closed: {listing([o.incident for o in resolved[-3:]])})"
            if resolved
            else ""
        )
        raise UsageError(
            f"there is no open incident; pass -i ID{hint}, "
            "choose one with runbook use ID, or declare one."
        )

    def load(self, reference: str | None) -> Loaded:
        return self.store.read(self.incident_path(reference))

    def chosen(self) -> str | None:
        """The id chosen with `use` (or by the last `declare`), if any; kept in this clone only."""
        try:
            return (self.git.git_dir / CURRENT_FILE).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def choose(self, reference: str) -> model.Incident:
        loaded = self.load(reference)
        self.choose_id(loaded.incident.id)
        return loaded.incident

    def current(self) -> model.Incident | None:
        """The chosen incident, if it still exists."""
        chosen = self.chosen()
        if chosen is None:
            return None
        try:
            return self.store.read(self.store.resolve(chosen)).incident
        except UsageError:
            return None

    def choose_id(self, incident_id: int) -> None:
        (self.git.git_dir / CURRENT_FILE).write_text(f"{incident_id}\n", encoding="utf-8")

    def forget_choice(self, incident_id: int | None = None) -> bool:
        """Clear the choice (only if it names `incident_id`, when given); True if cleared."""
        chosen = self.chosen()
        if chosen is None or (incident_id is not None and chosen != str(incident_id)):
            return False
        (self.git.git_dir / CURRENT_FILE).unlink(missing_ok=True)
        return True

    # --- changing ----------------------------------------------------------------------------

    def author(self, given: str | None, commit: bool) -> str:
        """Check the repository can take a commit (when one is wanted); the entry author.
        Without a git identity the change is still written, and committed by a later command."""
        return self._named(given, commit) or self._me()

    def _named(self, given: str | None, commit: bool) -> str | None:
        """The checks `author` makes before anything is done; the --author given, if any."""
        if commit:
            self.git.check_state()
        return clean_name(given, "--author") if given else None

    def _me(self) -> str:
        return self.git.configured_identity() or _login_name()

    @property
    def identity_missing(self) -> bool:
        """Whether git has no identity here to commit with (it is told not to guess one)."""
        return self.git.configured_identity() is None

    @contextmanager
    def locked(self) -> Iterator[None]:
        lock = self.git.common_dir() / "runbook.lock"
        with repo_lock(lock, self.config.lock_timeout_seconds, self.on_wait):
            yield

    @contextmanager
    def change(
        self,
        reference: str | None,
        *,
        commit: bool = True,
        author: str | None = None,
        after_close: bool = False,
    ) -> Iterator[Edit]:
        """Lock, load, let the caller edit, then write atomically and commit that file alone.
        A closed incident is refused unless the change is one made after closing (`after_close`:
        reopening, closing again, finishing its action items). Inside `batch` the caller holds
        the lock and commits: the file is written and listed, not committed."""
        batched = self._batch
        with nullcontext() if batched is not None else self.locked():
            named = self._named(author, commit)
            with self.git.identity_meanwhile():  # git answers while git status runs in settle
                path = self.incident_path(reference)
                self.settle(path, commit)
            who = named or self._me()
            loaded = self.store.read(path)
            if not after_close:
                refuse_closed(loaded.incident)
            kept = rules.time_order(loaded.incident)  # before the edit changes the incident
            edit = Edit(
                loaded.incident, loaded.doc.body, who, path=self.store.relative(loaded.path)
            )
            yield edit
            self._save(loaded, edit, commit and batched is None, kept)
            if batched is not None and edit.written:
                batched.append(edit)

    @contextmanager
    def batch(self) -> Iterator[list[Edit]]:
        """Several incidents changed, one commit. The caller holds the lock; each `change`
        inside writes its file (remembered as the tool's pending write, so nothing is lost if
        the commit fails) and lists its edit here; `commit_together` then commits them with the
        caller's own files."""
        self._batch = []
        try:
            yield self._batch
        finally:
            self._batch = None

    def commit_together(self, paths: list[Path], message: str) -> str:
        made = self.commit_paths(paths, message)
        for path in paths:
            self._forget_pending(self.store.relative(path))
        return made

    def _save(self, loaded: Loaded, edit: Edit, commit: bool, kept: list) -> None:
        doc = loaded.doc
        body = edit.body
        try:
            body = document.add_entries(body, edit.entries)
        except document.DocumentError as error:
            raise MalformedFileError(f"{self.store.relative(loaded.path)}: {error}.") from None
        doc.meta = edit.incident.to_meta()
        doc.body = generated.regenerate(body, edit.incident)
        text = doc.render()
        if text.encode("utf-8") == loaded.raw:
            return
        self.vet(loaded.path, text, kept=kept)
        allowed = self.screen(loaded.raw.decode("utf-8"), text, loaded.path)
        if allowed:
            edit.trailers["Sensitive-Data-Allowed"] = allowed
        message = commit_message(edit.incident.id, edit.subject, edit.trailers)
        edit.written = True
        edit.commit = self.record(loaded.path, text, message, commit)

    # --- uncommitted changes: the tool's own pending writes and anyone else's edits ---------

    def record(self, path: Path, text: str, message: str, commit: bool) -> str | None:
        """Write an incident file and commit it alone. Until committed, the write is remembered
        as the tool's own (under .git/), so if git does not take it now (no identity, a refusing
        hook, --no-commit, Ctrl-C) a later command commits it as its own commit."""
        relative = self.store.relative(path)
        entries = self.pending.load()
        earlier = entries.get(relative)
        messages = [*(earlier.messages if earlier else []), message]
        entries[relative] = Pending(digest(text.encode("utf-8")), messages)
        self.pending.save(entries)
        self.touched = (path, entries[relative].sha256)
        self.write(path, text)
        if not commit:
            return None
        if self.identity_missing:
            raise RepositoryError(
                f"the change is written to {relative} but not committed: git has no identity "
                f"here; set one with {self.git.identity_hint()} and the next runbook command "
                "commits it."
            )
        made = self.commit_paths([path], combined(messages))
        self._forget_pending(relative)
        return made

    def _forget_pending(self, relative: str) -> None:
        entries = self.pending.load()
        if entries.pop(relative, None):
            self.pending.save(entries)

    def settle(self, target: Path | None, commit: bool) -> None:
        """Before a change (of `target`): commit the tool's own pending writes, each as its own
        commit; commit anyone else's uncommitted edit of `target` separately, marked as made
        outside runbook, once the guard passes it. Never one commit holding both."""
        entries = self.pending.load()
        ours = set(entries)
        batched = {edit.path for edit in self._batch or []}  # committed together at its end
        mine = self.store.relative(target) if target else None
        paths = list(dict.fromkeys([*entries, *([mine] if mine else [])]))
        if not paths:
            return
        dirty = self.git.dirty(paths)
        for relative, entry in list(entries.items()):
            path = self.root / relative
            if relative in batched:
                continue
            if relative not in dirty:
                del entries[relative]  # committed or discarded since
            elif file_digest(path) == entry.sha256 and self._landed(relative, entry.sha256):
                del entries[relative]  # committed, though git was stopped before the index
            elif file_digest(path) != entry.sha256:
                if relative == mine:
                    self.pending.save(entries)
                    raise UsageError(
                        f"{relative} holds a change runbook wrote but could not commit, and edits "
                        f"made after it outside runbook; {_commit_or_discard(self.git, relative)}, "
                        "then run the command again."
                    )
            elif commit and not self.identity_missing:
                self.commit_paths([path], combined(entry.messages))
                del entries[relative]
                self.pending.save(entries)
        self.pending.save(entries)
        if mine and mine in dirty and mine not in ours:
            self._commit_hand_edit(target, commit)

    def _landed(self, relative: str, sha256: str) -> bool:
        """Whether HEAD holds exactly this write although `git status` shows the file changed:
        git commit moves the branch before it writes the index, so a Ctrl-C in between leaves
        the index behind (and a plain `git commit` would then undo the entry). The index entry
        is set back to HEAD's."""
        head = self.git.blobs([f"HEAD:{relative}"], MAX_FILE_BYTES)[0]
        if not isinstance(head, bytes) or digest(head) != sha256:
            return False
        self.git.run("reset", "--quiet", "--", relative)
        return True

    def _commit_hand_edit(self, path: Path, commit: bool) -> None:
        relative = self.store.relative(path)
        found = f"{relative} has uncommitted changes made outside runbook"
        if not commit:
            raise UsageError(
                f"{found}; {_commit_or_discard(self.git, relative)} first, or run without "
                "--no-commit to have runbook commit them separately."
            )
        if self.identity_missing:
            raise RepositoryError(
                f"{found}, and git has no identity here to commit them with; set one with "
                f"{self.git.identity_hint()} and runbook commits them separately."
            )
        try:
            loaded = self.store.read(path)
        except MalformedFileError as error:
            raise MalformedFileError(
                f"{found} that runbook cannot read: {str(error).rstrip('.')}; "
                f"or discard them with {_discard(self.git, relative)}."
            ) from None
        before = self.git.head_text(relative) or ""
        allowed = self.screen(before, loaded.raw.decode("utf-8"), path, outside=True)
        trailers = {"Edited-Outside-Runbook": "uncommitted changes found by runbook, scanned"}
        if allowed:
            trailers["Sensitive-Data-Allowed"] = allowed
        self.commit_paths(
            [path], commit_message(loaded.incident.id, "edit made outside runbook", trailers)
        )

    def interruption(self) -> str:
        """What a Ctrl-C left of this command's change: untouched, written, or committed."""
        if self.touched is None:
            waiting = sorted(self.pending.load())
            if waiting:
                return (
                    f"nothing was written by this command ({waiting[0]} still holds a change "
                    "written earlier; the next runbook command commits it)"
                )
            return "nothing was written"
        path, sha256 = self.touched
        relative = self.store.relative(path)
        if file_digest(path) != sha256:
            return f"nothing was written ({relative} is as it was)"
        try:
            committed = relative not in self.git.dirty([relative]) or self._landed(relative, sha256)
        except RunbookError:
            committed = False
        if committed:
            return f"the change to {relative} was committed before that"
        return (
            f"the change is written to {relative} but not committed; the next runbook command "
            f"commits it as its own commit (or discard it with {_discard(self.git, relative)})"
        )

    def vet(self, path: Path, text: str, *, kept: list | None = None) -> None:
        """Refuse (exit 2, nothing written) a change after which runbook could not read the file
        again, or whose lifecycle times break an order `check` enforces (beyond the problems
        in `kept`, which the file had before: a change need not fix a hand edit)."""
        relative = self.store.relative(path)
        data = text.encode("utf-8")
        if len(data) > MAX_FILE_BYTES:
            size, limit = len(data) / 1024 / 1024, MAX_FILE_BYTES // 1024 // 1024
            raise UsageError(
                f"refusing the change: {relative} would grow to {size:.1f} MiB, over the "
                f"{limit} MiB runbook reads; nothing was written (keep long output in a file and "
                "link it under ## Attachments)."
            )
        try:
            after = self.store.parse(path, data).incident
        except MalformedFileError as error:
            raise UsageError(
                f"refusing the change: runbook could not read {relative} again ({error}); "
                "nothing was written."
            ) from None
        broken = [pair[1] for pair in rules.time_order(after) if pair not in (kept or [])]
        if broken:
            raise UsageError(
                f"refusing the change: {broken[0]}; give times in order (check --at); "
                "nothing was written."
            )

    def write(self, path: Path, text: str) -> None:
        try:
            self.store.write(path, text)
        except OSError as error:
            raise RepositoryError(
                f"cannot write {self.store.relative(path)}: {error.strerror}; nothing was changed "
                "(check the disk and permissions)."
            ) from None

    def guard(self):
        """The sensitive-data guard with this repository's settings (built once): commits
        (`screen`) and every path out of the machine (`screen_outgoing`) scan with it."""
        if self._guard is None:
            self._guard = Guard(self.config.sensitive_data)
        return self._guard

    def screen_outgoing(self, text: str, destination: str, where: str) -> None:
        """Every path out of the machine (Slack, Statuspage, PagerDuty, Jira, Linear) passes the
        guard commits pass: refuse credentials and personal data unless --allow-sensitive."""
        matches = self.guard().scan(text)
        if matches and not self.allow_sensitive:
            first = matches[0]
            raise UsageError(
                f"refusing to post {first.what} ({first.kind}) to {destination}; remove it from "
                f"{where}, or pass --allow-sensitive."
            )

    def commit_paths(self, paths: list[Path], message: str) -> str:
        """Every commit the tool makes goes through here: the clone gets the merge driver, and
        the workspace remembers it committed (for sharing right after, when asked)."""
        self.git.ensure_merge_driver()
        made = self.git.commit(paths, message)
        self.committed = True
        return made

    def screen(self, old: str, new: str, path: Path, *, outside: bool = False) -> str | None:
        """Refuse credentials and personal data in the lines a change adds (`outside`: an edit
        made outside runbook); with --allow-sensitive, return the kinds allowed (for the commit
        trailer)."""
        before = set(old.split("\n"))
        added = "\n".join(line if line not in before else "" for line in new.split("\n"))
        matches = self.guard().scan(added)
        if not matches:
            return None
        kinds = ", ".join(dict.fromkeys(m.kind for m in matches))
        if self.allow_sensitive:
            return kinds
        first = matches[0]
        section = next(
            (
                line[3:].strip()
                for line in reversed(new.split("\n")[: first.line])
                if line.startswith("## ")
            ),
            None,
        )
        where = f"the {section} section" if section else "the front matter or title"
        relative = self.store.relative(path)
        if outside:
            raise UsageError(
                f"refusing to commit the uncommitted changes made outside runbook to {relative}: "
                f"they add {first.what} ({first.kind}) ({where}, line {first.line}); incident "
                "files stay in git history forever; remove it or discard the changes with "
                f"{_discard(self.git, relative)}, or pass --allow-sensitive if it must be kept "
                "(recorded in the commit)."
            )
        raise UsageError(
            f"refusing to write {first.what} ({first.kind}) into {relative} ({where}, line "
            f"{first.line}): incident files stay in git history forever; remove it, or pass "
            "--allow-sensitive if it must be kept (recorded in the commit)."
        )

    def create(self, path: Path, text: str, message: str, commit: bool) -> str | None:
        """Write a new incident file (already validated by the caller) and commit it."""
        if path.exists():
            raise UsageError(
                f"{self.store.relative(path)} already exists; refusing to overwrite it."
            )
        self.vet(path, text)
        allowed = self.screen("", text, path)
        if allowed:
            message += f"\nSensitive-Data-Allowed: {allowed}"
        return self.record(path, text, message, commit)

    def incidents_folder(self) -> Path:
        return self.root / INCIDENTS_DIR
