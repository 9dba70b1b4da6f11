"""`runbook check` output: readable text grouped by file, JSON, and GitHub Actions annotations."""

from __future__ import annotations

import json
import os
from itertools import groupby

from runbook_cli.domain.rules import CheckResult


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
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github(result: CheckResult) -> str:
    """Workflow commands GitHub turns into annotations on the offending lines."""
    lines = [
        f"::error file={_escape(f.path, property_value=True)},line={f.line},title={_escape('runbook check: ' + f.rule, property_value=True)}::{_escape(f.message)}"
        for f in result.findings
    ]
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def write_step_summary(result: CheckResult) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    if result.findings:
        pipe = "\\|"
        rows = "\n".join(
            f"| `{f.path}` | {f.line} | {f.rule} | {f.message.replace('|', pipe)} |"
            for f in result.findings
        )
        body = (
            f"## runbook check: {len(result.findings)} problem(s)\n\n| file | line | rule | problem |\n|---|---|---|---|\n{rows}\n\n"
            "Fix them with `runbook report set`, `runbook checklist tick`, `runbook postmortem schedule` "
            "(see docs/runbooks/guide.md).\n"
        )
    else:
        body = f"## runbook check: {len(result.files)} incident file(s) complete\n"
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(body)
