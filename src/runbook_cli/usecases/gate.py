"""`runbook check`: which incident files to check (changed since a base, all, or given paths),
and the findings for them. Output formats live in checkreport.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from runbook_cli.adapters import parallel
from runbook_cli.domain import clock, rules
from runbook_cli.domain.layout import FILE_NAME, INCIDENTS_DIR
from runbook_cli.errors import RepositoryError, UsageError
from runbook_cli.usecases.workspace import Workspace


def scope(
    ws: Workspace, paths: list[str], all_files: bool, base: str | None
) -> tuple[list[Path], bool]:
    """The files to check, and whether the scope is the whole repository."""
    if sum(bool(x) for x in (paths, all_files, base)) != 1:
        raise UsageError(
            "say what to check: --all, --base REF (files changed since REF), or file paths."
        )
    if all_files:
        return [p for group in ws.store.paths().values() for p in group], True
    if base:
        return [ws.root / relative for relative in changed_files(ws, base)], False
    chosen = []
    for given in paths:
        path = (Path.cwd() / given).resolve()
        if not path.is_file():
            raise UsageError(
                f"there is no file {given!r}; pass incident files under {INCIDENTS_DIR}/."
            )
        chosen.append(path)
    return chosen, False


def changed_files(ws: Workspace, base: str) -> list[str]:
    """Incident files added or changed on this branch since it left `base` (a three-dot diff,
    as a pull request shows it)."""
    import git

    shallow_hint = ""
    if (ws.git.common_dir() / "shallow").exists():
        shallow_hint = (
            " This is a shallow clone: fetch full history (actions/checkout with fetch-depth: 0)."
        )
    with git.Repo(ws.root) as repo:
        try:
            merge_bases = repo.merge_base(base, "HEAD")
        except git.GitCommandError as error:
            reason = (str(error.stderr).strip(" \n'").splitlines() or ["git merge-base failed"])[
                -1
            ].strip(" '")
            raise RepositoryError(
                f"cannot compare with {base!r}: {reason}.{shallow_hint}"
            ) from None
        if not merge_bases:
            raise RepositoryError(
                f"{base!r} and HEAD share no history; check the base branch name.{shallow_hint}"
            )
        changes = merge_bases[0].diff(repo.head.commit, paths=[INCIDENTS_DIR])
        return sorted(
            change.b_path
            for change in changes
            if change.change_type != "D" and FILE_NAME.match(Path(change.b_path).name)
        )


_WORKER: dict = {}


def _start_worker(config, now) -> None:
    from runbook_cli.domain.sensitive import Guard

    _WORKER.update(config=config, now=now, guard=Guard(config.sensitive_data))


def _check_one(item: tuple[Path, str]) -> tuple[str, list[rules.Finding], bool]:
    """(relative path, findings, whether the file could be read)."""
    path, relative = item
    try:
        raw = path.read_bytes()
    except OSError as error:
        return (
            relative,
            [rules.Finding(relative, 1, "read", f"cannot read: {error.strerror}")],
            False,
        )
    found, _ = rules.check_text(relative, raw, _WORKER["config"], _WORKER["now"], _WORKER["guard"])
    return relative, found, True


def check(
    ws: Workspace,
    files: Iterable[Path],
    whole_repo: bool,
    progress: Callable[[int], None] = lambda _: None,
) -> rules.CheckResult:
    """Every rule on every file (on both cores for a large repository; same findings, same order),
    then duplicate ids across the repository."""
    now = clock.now()
    items = [
        (path, ws.store.relative(path) if path.is_relative_to(ws.root) else str(path))
        for path in files
    ]
    findings: list[rules.Finding] = []
    checked: list[str] = []
    for relative, found, readable in parallel.map_files(
        _check_one, items, setup=_start_worker, setup_args=(ws.config, now), progress=progress
    ):
        findings += found
        if readable:
            checked.append(relative)
    duplicates = rules.duplicate_ids(
        {
            number: [ws.store.relative(p) for p in paths]
            for number, paths in ws.store.paths().items()
        }
    )
    findings += [f for f in duplicates if whole_repo or f.path in checked]
    return rules.CheckResult(checked, findings)
