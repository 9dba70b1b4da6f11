"""Shell completion of option and argument values (`runbook --install-completion`). Each
callback reads the repository named by --repo (else the current folder) and never raises:
outside a repository, or on any error, it offers nothing."""

from collections.abc import Callable
from pathlib import Path

import typer


def _repo(ctx: typer.Context) -> Path | None:
    """--repo as typed (completion parses without converting values), else None."""
    given = ctx.find_root().params.get("repo")
    return Path(given) if given else None


def _offer(source: str) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """A Typer `autocompletion` callback offering `usecases.suggest.<source>` values that start
    with what is typed (case aside)."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        try:
            from runbook_cli.usecases import suggest

            choices = getattr(suggest, source)(_repo(ctx))
            typed = incomplete.casefold()
            return [(v, h) for v, h in choices if v.casefold().startswith(typed)]
        except Exception:  # completion must never show a traceback in the shell
            return []

    complete.__name__ = f"complete_{source}"
    return complete


severities = _offer("severities")
statuses = _offer("statuses")
services = _offer("services")
templates = _offer("templates")
checklist_keys = _offer("checklist_keys")
roles = _offer("roles")
incident_roles = _offer("incident_roles")
incidents = _offer("incidents")
