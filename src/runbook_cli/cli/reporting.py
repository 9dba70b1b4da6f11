"""Reporting commands: metrics and audit."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from runbook_cli.cli.options import (
    AllowSensitive,
    Incident,
    Json,
    NoCommit,
    ServiceFilter,
    SeverityFilter,
    name_unreadable,
    print_json,
    progress_bar,
    workspace,
)

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


@app.command()
def metrics(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="Incidents started on or after this date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Incidents started on or before this date (YYYY-MM-DD).")
    ] = None,
    severity: SeverityFilter = None,
    service: ServiceFilter = None,
    json: Json = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="One row per incident, for spreadsheets.")
    ] = False,
    write: Annotated[
        bool, typer.Option("--write", help="Write docs/runbooks/metrics.md and commit it.")
    ] = False,
    no_commit: NoCommit = False,
) -> None:
    """Incident count, MTTA, MTTR and impact (mean, median, p90), by severity, service and month."""
    from runbook_cli.usecases import queries

    ws = workspace(ctx)
    with progress_bar("Reading incidents") as advance:
        result, chosen = queries.metrics(
            ws, since=since, until=until, severity=severity, service=service, progress=advance
        )
    if json:
        print_json(result)
    elif as_csv:
        import csv

        from runbook_cli.domain import metrics as measures

        csv.writer(sys.stdout, lineterminator="\n").writerows(measures.csv_rows(chosen))
    else:
        from runbook_cli.rendering import render

        render.metrics(result, ws.config)
    if write:
        made = queries.write_metrics(ws, result, chosen, commit=not no_commit)
        outcome = (
            "unchanged"
            if made.outcome is None
            else "written, not committed"
            if made.outcome == "written"
            else f"committed {made.outcome[:8]}"
        )
        if made.ticked:
            listed = ", ".join(str(number) for number in made.ticked)
            outcome += f"; metrics_updated ticked on incident(s) {listed}"
        typer.echo(f"{queries.METRICS_PATH}: {outcome}", err=json or as_csv)
    name_unreadable(ws.store.unreadable)


@app.command()
def audit(ctx: typer.Context, incident: Incident = None, json: Json = False) -> None:
    """Every commit that changed incident files, with field-level changes; hand edits flagged."""
    from runbook_cli.domain.layout import ID_REFERENCE
    from runbook_cli.errors import UsageError
    from runbook_cli.usecases import audit as trail

    number = None
    if incident is not None:
        match = ID_REFERENCE.fullmatch(incident.strip())
        if not match:
            raise UsageError(f"{incident!r} is not an incident id; use a number such as 7.")
        number = int(match.group(1))
    records = trail.history(workspace(ctx).root, number)
    if json:
        print_json([record.to_json() for record in records])
        return
    from runbook_cli.rendering import render

    render.audit(records)


@app.command()
def site(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help=(
                "Folder to write the site into (created; files that did not change are left alone)."
            ),
        ),
    ] = Path("site"),
    allow_sensitive: AllowSensitive = False,
) -> None:
    """Write a self-contained static site: incident index, incident pages, metrics charts."""
    from runbook_cli.usecases import site as static_site

    ws = workspace(ctx, allow_sensitive=allow_sensitive)
    with progress_bar("Building the site", threshold=200) as advance:
        built = static_site.build(ws, Path(os.path.abspath(out)), progress=advance)
    typer.echo(f"Wrote {built.pages} pages to {built.out} (open {built.out / 'index.html'}).")
    name_unreadable(built.unreadable)
