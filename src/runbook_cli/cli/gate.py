"""`runbook check`: the completeness gate for CI and pre-commit."""

import os
import sys
from enum import StrEnum
from typing import Annotated

import typer

from runbook_cli.cli.options import progress_bar, workspace

app = typer.Typer()
"""This module's commands; the command line merges them into `runbook`."""


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def check(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None, typer.Argument(help="Incident files to check.", show_default=False)
    ] = None,
    all_files: Annotated[
        bool, typer.Option("--all", help="Check every incident in the repository.")
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            help="Check incident files changed since REF (three-dot, like a pull request).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Format, typer.Option("--format", help="text, json, or github (annotations + step summary).")
    ] = Format.text,
) -> None:
    """Fail (exit 1) when incident reports are incomplete or malformed."""
    from runbook_cli.errors import CheckFailed
    from runbook_cli.rendering import checkreport
    from runbook_cli.usecases import gate

    ws = workspace(ctx)
    with progress_bar("Checking incidents") as advance:
        result = gate.run(ws, paths or [], all_files, base, progress=advance)
    rendered = {
        Format.text: checkreport.text,
        Format.json: checkreport.as_json,
        Format.github: checkreport.github,
    }[output](result)
    sys.stdout.write(rendered)
    summary = os.environ.get("GITHUB_STEP_SUMMARY") if output == Format.github else None
    if summary:
        with open(summary, "a", encoding="utf-8") as handle:
            handle.write(checkreport.step_summary(result))
    if result.findings:
        raise CheckFailed("")
