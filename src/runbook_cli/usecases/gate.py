"""`runbook check`: which files to check (changed since a base, all, or given paths), and the
findings for them. Output formats live in checkreport.py.

With --base the gate judges a change it must not trust: the rules and the guard come from the
base revision's config, every path the change adds, modifies, renames or deletes under
docs/runbooks/ is judged from git's objects (never through the work tree, so a committed link
is a finding and is never followed), and a change to the guard's own settings is a finding."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from runbook_cli.adapters import cache, parallel
from runbook_cli.adapters.gitrepo import reason
from runbook_cli.domain import clock, config, rules
from runbook_cli.domain.layout import (
    CONFIG_PATH,
    CONTACTS_PATH,
    FILE_NAME,
    INCIDENTS_DIR,
    MAX_FILE_BYTES,
    RUNBOOKS_DIR,
)
from runbook_cli.domain.sensitive import Guard
from runbook_cli.errors import MalformedFileError, RepositoryError, UsageError
from runbook_cli.files import Refused, read_regular
from runbook_cli.usecases.workspace import Workspace

DELETE_TRAILER = "Runbook-Delete"
_DELETE_REASON = re.compile(rf"^{DELETE_TRAILER}:[ \t]*\S", re.MULTILINE | re.IGNORECASE)
KEEP_FILE = ".gitkeep"
REGULAR_MODES = ("100644", "100755")
# contacts.md holds the escalation contacts' phone numbers and emails on purpose.
CONTACTS_KINDS_ALLOWED = ("phone", "email")


def run(
    ws: Workspace,
    paths: list[str],
    all_files: bool,
    base: str | None,
    progress: Callable[[int], None] = lambda _: None,
) -> rules.CheckResult:
    if sum(bool(x) for x in (paths, all_files, base)) != 1:
        raise UsageError(
            "say what to check: --all, --base REF (files changed since REF), or file paths."
        )
    if base:
        return check_base(ws, base)
    if all_files:
        groups = ws.store.paths()
        files = [p for group in groups.values() for p in group]
        return check(ws, files, True, progress, groups)
    chosen = []
    for given in paths:
        path = Path(os.path.abspath(Path.cwd() / given))  # a link is judged, not followed
        if not os.path.lexists(path) or path.is_dir():
            raise UsageError(
                f"there is no file {given!r}; pass incident files under {INCIDENTS_DIR}/."
            )
        chosen.append(path)
    return check(ws, chosen, False, progress)


# --- a change since a base revision -----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One path git reports between the merge base and HEAD."""

    status: str  # A, M, T, D, R or C (git diff --raw)
    path: str  # the path after the change (before it, for a deletion)
    old_path: str | None  # the path before a rename or copy
    mode: str  # the mode after the change
    blob: str  # the object id after the change


def check_base(ws: Workspace, base: str) -> rules.CheckResult:
    merge_base, base_commit = _merge_base(ws, base)
    base_config = _config_at(ws, base_commit)
    changes = _changes(ws, merge_base)
    reasons = ws.git.run("log", "--format=%B", f"{merge_base}..HEAD")
    deletions_explained = bool(_DELETE_REASON.search(reasons))
    guard = Guard(base_config.sensitive_data)
    now = clock.now()
    findings: list[rules.Finding] = []
    judged: list[str] = []
    readable = [c for c in changes if c.status != "D" and c.mode in REGULAR_MODES]
    contents = dict(
        zip(
            (c.blob for c in readable),
            ws.git.blobs([c.blob for c in readable], MAX_FILE_BYTES),
            strict=True,
        )
    )
    for change in changes:
        gone = change.old_path if change.status == "R" else change.path
        if change.status in ("D", "R") and _is_report(gone):
            if not deletions_explained:
                verb = "deleted" if change.status == "D" else f"renamed to {change.path}"
                findings.append(
                    rules.Finding(
                        gone,
                        1,
                        "deleted",
                        f"an incident report was {verb}; reports are kept for good. If it must "
                        f"go, say why in a commit message line '{DELETE_TRAILER}: <reason>'",
                    )
                )
            judged.append(gone)
        if change.status == "D":
            continue
        judged.append(change.path)
        findings += _judge(change, contents.get(change.blob), base_config, guard, now)
        if change.path == CONFIG_PATH and change.mode in REGULAR_MODES:
            findings += _config_review(base_config, contents.get(change.blob))
    duplicates = rules.duplicate_ids(
        {
            number: [ws.store.relative(p) for p in paths]
            for number, paths in ws.store.paths().items()
        }
    )
    findings += [f for f in duplicates if f.path in judged]
    return rules.CheckResult(list(dict.fromkeys(judged)), findings)


def _is_report(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    return folder == INCIDENTS_DIR and bool(FILE_NAME.match(name))


def _judge(change: Change, raw: bytes | int | None, base_config, guard, now) -> list:
    path = change.path
    name = path.rsplit("/", 1)[-1]
    found: list[rules.Finding] = []
    in_incidents = path.startswith(f"{INCIDENTS_DIR}/")
    is_incident = _is_report(path)
    if in_incidents and not is_incident and name != KEEP_FILE:
        found.append(
            rules.Finding(
                path,
                1,
                "file-name",
                f"{INCIDENTS_DIR}/ holds only incident reports named "
                "<yyyy-mm-dd>-incident-<id>.md; rename or move this file",
            )
        )
    if change.mode not in REGULAR_MODES:
        what = (
            "a symbolic link" if change.mode == "120000" else f"not a regular file ({change.mode})"
        )
        found.append(
            rules.Finding(
                path, 1, "link", f"{what}: runbook never follows links; commit the file itself"
            )
        )
        return found
    if not isinstance(raw, bytes):
        found.append(rules.Finding(path, 1, "size", "larger than 2 MiB: not read"))
        return found
    if is_incident:
        checked, _ = rules.check_text(path, raw, base_config, now, guard)
        return found + checked
    text = raw.decode("utf-8", "replace").lstrip("\ufeff")
    allowed = CONTACTS_KINDS_ALLOWED if path == CONTACTS_PATH else ()
    found += [
        rules.Finding(path, m.line, "sensitive", rules.sensitive_message(m))
        for m in guard.scan(text)
        if m.kind not in allowed
    ]
    return found


def _config_review(base_config: config.Config, raw: bytes | int | None) -> list:
    """A change to the guard, or to where incident text and credentials are sent, is shown to
    the reviewer as a finding of its own (the change is judged by the base's settings)."""
    if not isinstance(raw, bytes):
        return []
    try:
        head = config.parse(raw.decode("utf-8", "replace"))
    except MalformedFileError as error:
        return [rules.Finding(CONFIG_PATH, 1, "config", str(error))]
    found = []
    if head.sensitive_data != base_config.sensitive_data:
        found.append(
            rules.Finding(
                CONFIG_PATH,
                1,
                "guard-config",
                "config changes the guard: review (sensitive_data differs from the base; this "
                "change was checked with the base's guard)",
            )
        )
    destinations = ("integrations", "slack_webhook_url")
    if (head.integrations, head.comms.slack_webhook_url) != (
        base_config.integrations,
        base_config.comms.slack_webhook_url,
    ):
        found.append(
            rules.Finding(
                CONFIG_PATH,
                1,
                "destination-config",
                f"config changes where incidents are sent: review ({' or '.join(destinations)} "
                "differs from the base)",
            )
        )
    return found


def _merge_base(ws: Workspace, base: str) -> tuple[str, str]:
    """(the merge base of `base` and HEAD, `base` itself) as commit ids."""
    shallow_hint = ""
    if (ws.git.common_dir() / "shallow").exists():
        shallow_hint = (
            " This is a shallow clone: fetch full history (actions/checkout with fetch-depth: 0)."
        )
    resolved = ws.git.call(
        "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"
    )
    if resolved.returncode:
        raise RepositoryError(
            f"cannot compare with {base!r}: no such branch, tag or commit.{shallow_hint}"
        )
    base_commit = resolved.stdout.strip()
    found = ws.git.call("merge-base", base_commit, "HEAD")
    if found.returncode == 1 and not found.stderr.strip():
        raise RepositoryError(
            f"{base!r} and HEAD share no history; check the base branch name.{shallow_hint}"
        )
    if found.returncode:
        raise RepositoryError(
            f"cannot compare with {base!r}: {reason(found.stderr)}.{shallow_hint}"
        )
    return found.stdout.split()[0], base_commit


def _config_at(ws: Workspace, commit: str) -> config.Config:
    mode = ws.git.run("ls-tree", commit, "--", CONFIG_PATH).split(" ", 1)[0]
    if not mode:
        return config.defaults()
    if mode not in REGULAR_MODES:
        raise MalformedFileError(f"{CONFIG_PATH} at the base is not a regular file; fix the base.")
    (raw,) = ws.git.blobs([f"{commit}:{CONFIG_PATH}"], MAX_FILE_BYTES)
    if not isinstance(raw, bytes):
        raise MalformedFileError(f"{CONFIG_PATH} at the base is larger than 2 MiB; fix the base.")
    return config.parse(raw.decode("utf-8", "replace"), f"{CONFIG_PATH} (at the base)")


def _changes(ws: Workspace, merge_base: str) -> list[Change]:
    raw = ws.git.run(
        "diff",
        "--raw",
        "-z",
        "-M",
        "--no-abbrev",
        "--no-ext-diff",
        "--no-textconv",
        merge_base,
        "HEAD",
        "--",
        f"{RUNBOOKS_DIR}/",
    )
    fields = raw.split("\0")
    changes: list[Change] = []
    at = 0
    while at < len(fields) and fields[at].startswith(":"):
        _, new_mode, _, new_blob, status = fields[at][1:].split(" ")
        kind = status[0]
        if kind in ("R", "C"):
            old, new = fields[at + 1], fields[at + 2]
            at += 3
        else:
            old, new = None, fields[at + 1]
            at += 2
        changes.append(Change(kind, new, old, new_mode, new_blob))
    return changes


# --- files in the work tree -------------------------------------------------------------------


_WORKER: dict = {}


def _start_worker(config) -> None:
    _WORKER.update(config=config, guard=Guard(config.sensitive_data))


def _read(path: Path, relative: str) -> bytes | rules.Finding:
    """The file's bytes, or why it cannot be judged (a link is never followed)."""
    try:
        return read_regular(path)
    except Refused as refused:
        rule = {"link": "link", "size": "size"}.get(refused.kind, "read")
        message = {
            "link": "a symbolic link: runbook never follows links; commit the file itself",
            "size": "larger than 2 MiB",
        }.get(refused.kind, f"cannot read: {refused.reason}")
        return rules.Finding(relative, 1, rule, message)
    except OSError as error:
        return rules.Finding(relative, 1, "read", f"cannot read: {error.strerror}")


def _judge_one(item: tuple[Path, str]) -> tuple[str, rules.Judged] | rules.Finding:
    """(the stamp of the bytes judged, what they hold), or why the file cannot be read."""
    path, relative = item
    raw = _read(path, relative)
    if isinstance(raw, rules.Finding):
        return raw
    judged, _ = rules.judge_text(relative, raw, _WORKER["config"], _WORKER["guard"])
    return cache.content_stamp(raw), judged


def check(
    ws: Workspace,
    files: Iterable[Path],
    whole_repo: bool,
    progress: Callable[[int], None] = lambda _: None,
    groups: dict[int, list[Path]] | None = None,
) -> rules.CheckResult:
    """Every rule on every file, then duplicate ids across the repository (`groups`: the
    incident files by id, when the caller has listed them already).

    What a file holds is kept in .git/ (adapters/cache.py: by the hash of its bytes, for these
    rules and this config) and judged again only when that changed; the findings that depend on
    the time are worked out from it at every run. The files to judge are spread over the cores
    (same findings, same order)."""
    now = clock.now()
    kept = cache.check_cache(ws.store.cache_dir, ws.config)
    items = [(path, ws.store.shown(path)) for path in files]
    outcome: list[rules.Judged | rules.Finding | None] = []
    for path, relative in items:
        if kept is None or relative not in kept:  # judged (and read) once, in a worker
            outcome.append(None)
            continue
        raw = _read(path, relative)
        if isinstance(raw, rules.Finding):
            outcome.append(raw)
        else:
            outcome.append(_cached(kept, relative, cache.content_stamp(raw)))
    todo = [index for index, found in enumerate(outcome) if found is None]
    judged = parallel.map_files(
        _judge_one,
        [items[index] for index in todo],
        setup=_start_worker,
        setup_args=(ws.config,),
        progress=progress,
    )
    for index, result in zip(todo, judged, strict=True):
        if isinstance(result, tuple):
            stamp, result = result
            if kept is not None:
                kept.put(items[index][1], stamp, result.to_json())
        outcome[index] = result
    findings: list[rules.Finding] = []
    checked: list[str] = []
    for (_, relative), result in zip(items, outcome, strict=True):
        if isinstance(result, rules.Judged):
            findings += result.at(now)
            checked.append(relative)
        elif result is not None:
            findings.append(result)
    if kept is not None:
        if whole_repo:
            kept.keep_only(set(checked))
        kept.save()
    duplicates = rules.duplicate_ids(
        {
            number: [ws.store.relative(p) for p in paths]
            for number, paths in (ws.store.paths() if groups is None else groups).items()
        }
    )
    findings += [f for f in duplicates if whole_repo or f.path in checked]
    return rules.CheckResult(checked, findings)


def _cached(kept, relative: str, stamp: str) -> rules.Judged | None:
    """What an earlier run found in these very bytes, or None (then they are judged)."""
    entry = kept.get(relative, stamp) if kept is not None else None
    if entry is None:
        return None
    try:
        return rules.Judged.from_json(relative, entry)
    except (TypeError, ValueError):  # a damaged entry is judged again
        return None
