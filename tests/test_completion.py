"""Shell completion of values through Typer's real machinery: the installed `runbook` run the
way bash's completion script runs it (_RUNBOOK_COMPLETE=complete_bash, COMP_WORDS, COMP_CWORD),
in a real repository; bash gets one value a line."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from helpers import Runbook

RUNBOOK = shutil.which("runbook")


def complete(cwd: Path, line: str, env: dict | None = None) -> list[str]:
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    result = subprocess.run(
        [RUNBOOK],
        cwd=cwd,
        env={
            **os.environ,
            **(env or {}),
            "_RUNBOOK_COMPLETE": "complete_bash",
            "COMP_WORDS": line,
            "COMP_CWORD": str(cword),
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.split()


def test_severities_statuses_templates_services_roles_and_checklist_keys(repo: Path) -> None:
    """The first through the installed command, the rest in-process (the same machinery)."""
    assert complete(repo, "runbook severity ") == [
        "SEV-0",
        "SEV-1",
        "SEV-2",
        "SEV-3",
    ]  # the installed command
    assert complete_in_process(repo, "declare T --severity SEV-") == [
        "SEV-0",
        "SEV-1",
        "SEV-2",
        "SEV-3",
    ]
    assert complete_in_process(repo, "list --severity SEV-1") == ["SEV-1"]
    assert complete_in_process(repo, "status ") == [
        "investigating", "identified", "mitigated", "resolved", "closed", "cancelled"
    ]  # fmt: skip
    assert complete_in_process(repo, "status mi") == ["mitigated"]
    assert complete_in_process(repo, "assign --role ") == ["scribe=", "operations_lead="]
    assert complete_in_process(repo, "comms -t s") == ["slack", "status-page", "stakeholder"]
    assert complete_in_process(repo, "declare T --service ") == [
        "appointment-service", "patient-web", "doctor-hub", "admin-console"
    ]  # fmt: skip
    roles = complete_in_process(repo, "escalate --to ")
    assert roles[:3] == ["oncall", "squad-lead", "head-of-engineering"]
    assert "compliance-officer" in roles
    assert complete_in_process(repo, "page --to head") == ["head-of-engineering"]
    keys = complete_in_process(repo, "checklist tick ")
    assert "ticket_updated" in keys and "breach_risk_assessment" in keys
    assert complete_in_process(repo, "checklist untick post") == ["postmortem_scheduled"]


def complete_in_process(repo: Path, line: str) -> list[str]:
    """The same protocol in-process (cheaper): Typer's completion with `--repo REPO` typed."""
    from typer.testing import CliRunner

    from runbook_cli.cli import app

    line = f"runbook --repo {repo} {line}"
    cword = len(line.split()) - (0 if line.endswith(" ") else 1)
    env = {"_RUNBOOK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}
    result = CliRunner().invoke(app, [], prog_name="runbook", env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.split()


def test_severities_complete_from_any_spelling_the_command_accepts(repo: Path) -> None:
    every = ["SEV-0", "SEV-1", "SEV-2", "SEV-3"]
    assert complete_in_process(repo, "severity sev-") == every
    assert complete_in_process(repo, "severity s") == every
    assert complete_in_process(repo, "list --severity s") == every
    assert complete_in_process(repo, "declare T --severity Sev1") == ["SEV-1"]
    assert complete_in_process(repo, "metrics --severity 2") == ["SEV-2"]
    assert complete_in_process(repo, "severity sev-9") == []
    assert complete_in_process(repo, "status MI") == ["mitigated"]


def test_action_export_offers_the_trackers(repo: Path) -> None:
    assert complete_in_process(repo, "action export --to ") == ["jira", "linear"]
    assert complete_in_process(repo, "action export --to L") == ["linear"]
    assert complete(repo, "runbook action export --to j") == ["jira"]  # the installed command


def test_values_come_from_the_repositorys_config(runbook: Runbook) -> None:
    config = runbook.repo / "docs/runbooks/config.yml"
    config.write_text("services:\n  billing-api: {}\n", encoding="utf-8")
    assert "billing-api" in complete(runbook.repo, "runbook declare T --service ")
    # --repo names another repository: its config is read, whatever the current folder
    elsewhere = runbook.repo.parent
    assert "billing-api" in complete(
        elsewhere, f"runbook --repo {runbook.repo} declare T --service bil"
    )


def test_incidents_open_first_with_titles(declared: Runbook) -> None:
    declared("declare", "Slow search", "--severity", "SEV-3", "--service", "patient-web")
    declared("declare", "Old outage", "--severity", "SEV-3", "--service", "patient-web")
    declared("cancel", "-i", "3", "--reason", "false alarm")
    ids = complete(declared.repo, "runbook show -i ")
    assert ids[-1] == "3" and sorted(ids) == ["1", "2", "3"]
    assert ids[:2] == ["2", "1"]
    assert complete(declared.repo, "runbook timeline add x --incident 2") == ["2"]
    assert complete(declared.repo, "runbook duplicate-of ") == ids


def test_incident_help_is_the_title_for_shells_that_show_it(declared: Runbook) -> None:
    result = subprocess.run(
        [RUNBOOK],
        cwd=declared.repo,
        env={
            **os.environ,
            "_RUNBOOK_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "runbook show -i ",
        },
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "Checkout errors" in result.stdout


@pytest.mark.parametrize(
    "line", ["runbook severity ", "runbook show -i ", "runbook escalate --to "]
)
def test_outside_a_repository_nothing_is_offered_and_nothing_fails(
    tmp_path: Path, line: str
) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    assert complete(outside, line) == []


def test_a_broken_config_offers_nothing_instead_of_a_traceback(runbook: Runbook) -> None:
    (runbook.repo / "docs/runbooks/config.yml").write_text("severities: [unclosed\n")
    assert complete(runbook.repo, "runbook severity ") == []
    assert complete(runbook.repo, "runbook comms -t ") == [
        "slack", "status-page", "stakeholder", "resolved"
    ]  # fmt: skip


def test_completion_is_fast(declared: Runbook) -> None:
    complete(declared.repo, "runbook show -i ")  # warm the cache
    started = time.perf_counter()
    complete(declared.repo, "runbook show -i ")
    assert time.perf_counter() - started < 3
