"""`runbook check` output: readable text grouped by file, JSON, and GitHub Actions annotations."""

from __future__ import annotations

import html
import json
import re
from itertools import groupby

from runbook_cli import ACTION_REPOSITORY, __version__
from runbook_cli.domain.rules import CheckResult
from runbook_cli.domain.text import visible

GUIDE_URL = (
    f"https://github.com/{ACTION_REPOSITORY}/blob/v{__version__}/docs/runbooks/guide.md"
    "#what-runbook-check-enforces"
)
"""The rules `runbook check` enforces, in this version's guide (a team's repository has no copy)."""


def summary_line(result: CheckResult) -> str:
    if not result.findings:
        return f"runbook check: {len(result.files)} incident file(s) complete."
    files = len({f.path for f in result.findings})
    return f"{len(result.findings)} problem(s) in {files} of {len(result.files)} file(s)."


def text(result: CheckResult) -> str:
    if not result.findings:
        return summary_line(result) + "\n"
    lines = []
    ordered = sorted(result.findings, key=lambda f: (f.path, f.line))
    for path, findings in groupby(ordered, key=lambda f: f.path):
        lines.append(path)
        lines += [f"  {f.line:>4}  {f.message}  [{f.rule}]" for f in findings]
    lines.append("\n" + summary_line(result))
    return "\n".join(lines) + "\n"


def as_json(result: CheckResult) -> str:
    return (
        json.dumps(
            {"files": result.files, "findings": [f.to_json() for f in result.findings]},
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def _escape(value: str, *, property_value: bool = False) -> str:
    """A workflow-command value: one line, no control characters, GitHub's own escapes."""
    value = visible(value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(result: CheckResult) -> str:
    """Workflow commands GitHub turns into annotations on the offending lines."""
    lines = [
        f"::error file={_escape(f.path, property_value=True)},line={f.line},"
        f"title={_escape('runbook check: ' + f.rule, property_value=True)}::{_escape(f.message)}"
        for f in result.findings
    ]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~-])")


def _cell(value: str) -> str:
    """Text from a file as one markdown table cell: one line, control characters visible, every
    character markdown or HTML would act on escaped, so it reads as the text it is."""
    return html.escape(_MARKDOWN.sub(r"\\\1", _one_line(value)), quote=False)


def _code_cell(value: str) -> str:
    """A path as code in a table cell (no markdown inside; a pipe still needs its escape)."""
    if "`" in value:
        return _cell(value)
    return "`" + _one_line(value).replace("|", "\\|") + "`"


def _one_line(value: str) -> str:
    return visible(value.replace("\r\n", "\n").replace("\r", "\n")).replace("\n", " ⏎ ")


def step_summary(result: CheckResult) -> str:
    """The Markdown GitHub shows on the run's page (`--format github` appends it to the file
    $GITHUB_STEP_SUMMARY names)."""
    if not result.findings:
        return f"## runbook check: {len(result.files)} incident file(s) complete\n"
    rows = "\n".join(
        f"| {_code_cell(f.path)} | {f.line} | {_cell(f.rule)} | {_cell(f.message)} |"
        for f in result.findings
    )
    return (
        f"## runbook check: {len(result.findings)} problem(s)\n\n| file | line | rule | "
        f"problem |\n|---|---|---|---|\n{rows}\n\n"
        "Fix them with `runbook report set`, `runbook checklist tick`, `runbook postmortem "
        f"schedule` (what each rule asks: {GUIDE_URL}).\n"
    )
