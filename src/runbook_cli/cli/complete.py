"""Shell completion of option and argument values (`runbook --install-completion`). Each
callback reads the repository named by --repo (else the current folder) and never raises:
outside a repository, or on any error, it offers nothing. A value is offered when what is
typed begins it the way the command reads input: case aside, and for severities any spelling
`normalize_severity` accepts ('sev-', 's', '1')."""

from collections.abc import Callable
from pathlib import Path

import typer

Match = Callable[[str, str], bool]


def _casefold_prefix(value: str, typed: str) -> bool:
    return value.casefold().startswith(typed.casefold())


def _severity_prefix(value: str, typed: str) -> bool:
    from runbook_cli.domain.config import severity_begins

    return severity_begins(value, typed)


class _Offered(str):
    """A value offered on <TAB>. Typer keeps only the values that `startswith` what was typed,
    case and all; this one answers by the source's own rule, so 'sev-' still offers SEV-1."""

    match: Match

    def __new__(cls, value: str, match: Match) -> "_Offered":
        offered = super().__new__(cls, value)
        offered.match = match
        return offered

    def startswith(self, prefix, *_) -> bool:  # type: ignore[override]
        return self.match(str(self), prefix)


def _repo(ctx: typer.Context) -> Path | None:
    """--repo as typed (completion parses without converting values), else None."""
    given = ctx.find_root().params.get("repo")
    return Path(given) if given else None


def _offer(
    source: str, match: Match = _casefold_prefix
) -> Callable[[typer.Context, str], list[tuple[str, str]]]:
    """A Typer `autocompletion` callback offering `usecases.suggest.<source>` values that
    `match` what is typed."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        try:
            from runbook_cli.usecases import suggest

            choices = getattr(suggest, source)(_repo(ctx))
            return [(_Offered(v, match), h) for v, h in choices if match(v, incomplete)]
        except Exception:  # completion must never show a traceback in the shell
            return []

    complete.__name__ = f"complete_{source}"
    return complete


severities = _offer("severities", _severity_prefix)
statuses = _offer("statuses")
services = _offer("services")
templates = _offer("templates")
checklist_keys = _offer("checklist_keys")
roles = _offer("roles")
incident_roles = _offer("incident_roles")
incidents = _offer("incidents")
trackers = _offer("trackers")
