"""`check` keeps what it found in each file in .git/runbook-check.json and judges only what
changed; a cached run never reports anything but what a cold run reports, whatever changed in
between: the file, the config (the guard's patterns), or the time (a deadline passing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers import Runbook, findings, incident_path
from hypothesis import given, settings
from hypothesis import strategies as st

from runbook_cli.domain import clock, config, regulatory, rules
from runbook_cli.domain.sensitive import Guard

CACHE = ".git/runbook-check.json"


def cold(runbook: Runbook, repo: Path, *args: str) -> list[dict]:
    (repo / CACHE).unlink(missing_ok=True)
    return findings(runbook, *args)


def warm_equals_cold(runbook: Runbook, repo: Path, *args: str) -> list[dict]:
    """The findings of a run with the cache as it stands, checked against a cold run."""
    warm = findings(runbook, *args)
    assert (repo / CACHE).exists()
    assert warm == cold(runbook, repo, *args)
    findings(runbook, *args)  # leave the cache filled, as after any run
    return warm


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files `check` parses and judges (rather than taking from the cache)."""
    seen: list[str] = []
    real = rules.judge_text

    def recording(relative, *args, **kwargs):
        seen.append(relative.rsplit("/", 1)[-1])
        return real(relative, *args, **kwargs)

    monkeypatch.setattr(rules, "judge_text", recording)
    return seen


def test_a_second_run_judges_only_the_files_that_changed(
    declared: Runbook, repo: Path, judged: list[str]
) -> None:
    first = incident_path(repo)
    text = first.read_text()
    second = first.with_name(first.name.replace("-incident-1.md", "-incident-2.md"))
    second.write_text(
        text.replace("id: 1\n", "id: 2\n").replace(
            "## Timeline\n", "## Timeline\n\nSSN 123-45-6789\n"
        )
    )
    before = findings(declared)
    assert {f["rule"] for f in before} >= {"sensitive", "roles", "drift"}
    assert sorted(judged) == sorted([first.name, second.name])
    judged.clear()
    assert findings(declared) == before
    assert judged == []
    second.write_text(second.read_text().replace("123-45-6789", "abc-de-fghi"))  # same size
    after = findings(declared)
    assert judged == [second.name]
    assert after == cold(declared, repo) != before
    judged.clear()
    assert findings(declared, str(first)) == [f for f in before if f["path"].endswith(first.name)]
    assert judged == []


def test_a_change_to_the_guard_config_is_never_hidden(declared: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    path.write_text(
        path.read_text().replace("## Timeline\n", "## Timeline\n\nSSN 123-45-6789 TCK-4411\n")
    )

    def kinds() -> list[str]:
        found = warm_equals_cold(declared, repo)
        return [f["message"].split("(")[1].split(")")[0] for f in found if f["rule"] == "sensitive"]

    assert kinds() == ["us-ssn"]
    settings_file = repo / "docs/runbooks/config.yml"
    settings_file.write_text(
        settings_file.read_text().replace("  extra: {}\n", "  extra:\n    ticket: 'TCK-\\d{4}'\n")
    )
    assert kinds() == ["us-ssn", "ticket"]
    settings_file.write_text(
        settings_file.read_text().replace("disabled: []", "disabled: [us-ssn]")
    )
    assert kinds() == ["ticket"]


def test_a_deadline_that_passes_is_reported_although_the_file_did_not_change(
    runbook: Runbook, repo: Path, monkeypatch: pytest.MonkeyPatch, judged: list[str]
) -> None:
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-26T10:00:00Z")
    runbook("declare", "Bucket public", "-s", "SEV-2", "--service", "appointment-service")
    runbook("data-affected", "yes", "--reason", "bucket")  # HIPAA: 60 days
    runbook("resolve")  # SEV-2: a post-mortem within 5 business days
    timed = {"postmortem", "regulatory"}
    assert not timed & {f["rule"] for f in warm_equals_cold(runbook, repo)}
    judged.clear()
    monkeypatch.setenv("RUNBOOK_NOW", "2026-12-10T10:00:00Z")
    assert findings(runbook) == cold(runbook, repo)
    findings(runbook)
    judged.clear()
    later = findings(runbook)
    assert judged == [] and timed & {f["rule"] for f in later} == {"postmortem"}
    monkeypatch.setenv("RUNBOOK_NOW", "2027-02-01T10:00:00Z")
    latest = findings(runbook)
    assert judged == [] and timed & {f["rule"] for f in latest} == timed
    assert latest == cold(runbook, repo)


def test_a_corrupt_or_damaged_cache_is_ignored(declared: Runbook, repo: Path) -> None:
    path = incident_path(repo)
    path.write_text(path.read_text().replace("## Timeline\n", "## Timeline\n\nSSN 123-45-6789\n"))
    expected = cold(declared, repo)
    assert expected
    for damage in ("{not json", "[]", '{"key": 1, "entries": []}'):
        (repo / CACHE).write_text(damage)
        assert findings(declared) == expected
    stored = json.loads((repo / CACHE).read_text())
    for bad in (None, 7, ["x"], [["one", "rule", "message", None]], [[1, "r", "m", "soon"]]):
        for entry in stored["entries"].values():
            entry[1] = bad
        (repo / CACHE).write_text(json.dumps(stored))
        assert findings(declared) == expected


def test_judging_never_reads_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is cached may not depend on the time; the time enters only through Judged.at."""
    project = Path(__file__).resolve().parents[1]
    examples = sorted((project / "docs/runbooks/incidents").glob("*.md"))

    def no_clock() -> datetime:
        raise AssertionError("judging read the clock")

    monkeypatch.setattr(clock, "now", no_clock)
    seed = config.defaults()
    for path in examples:
        rules.judge_text(f"docs/runbooks/incidents/{path.name}", path.read_bytes(), seed, Guard())


EXAMPLE = next(
    (Path(__file__).resolve().parents[1] / "docs/runbooks/incidents").glob("*-incident-1.md")
).read_text()
SEED = config.defaults()
GUARD = Guard(SEED.sensitive_data)
NAME = "docs/runbooks/incidents/2026-11-10-incident-1.md"


@settings(max_examples=40, deadline=None)
@given(
    status=st.sampled_from(["resolved", "closed", "mitigated"]),
    scheduled=st.booleans(),
    data_affected=st.booleans(),
    now=st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2028, 1, 1)),
)
def test_what_is_kept_gives_a_cold_checks_findings_at_any_later_time(
    status: str, scheduled: bool, data_affected: bool, now: datetime
) -> None:
    text = EXAMPLE.replace("status: closed", f"status: {status}")
    if not scheduled:
        text = text.replace("  scheduled_at: '2026-11-11T14:00:00Z'\n", "  scheduled_at: null\n")
    if data_affected:
        text = text.replace("data_affected: false", "data_affected: true")
    raw, now = text.encode(), now.replace(tzinfo=UTC)
    kept, incident = rules.judge_text(NAME, raw, SEED, GUARD)  # what an earlier run stored
    stored = json.loads(json.dumps(kept.to_json()))
    found = rules.Judged.from_json(NAME, stored).at(now)
    assert found == rules.check_text(NAME, raw, SEED, now, GUARD)[0]
    # and the deadlines are the domain's own: overdue exactly when they have passed
    due = incident.postmortem_due
    late = not scheduled and not incident.is_open and (status == "closed" or now > due)
    overdue = [c for c in regulatory.open_clocks(incident, SEED) if now > c.due_at]
    assert [f.rule for f in found if f.rule == "postmortem"] == ["postmortem"] * late
    assert [f.rule for f in found if f.rule == "regulatory"] == ["regulatory"] * len(overdue)
    assert not data_affected or regulatory.open_clocks(incident, SEED)
