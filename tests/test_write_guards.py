"""Every write leaves a file runbook can read again and `check` accepts as before: time order,
size, id range, and the generated blocks (issue 12, items 6, 7 and 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Runbook, git, snapshot

INCIDENTS = "docs/runbooks/incidents"


@pytest.fixture
def declared(declared: Runbook) -> Runbook:
    """Triaged (the runbook asks for both roles at every severity; one person may hold both),
    so `check` judges only what these tests break."""
    declared("assign", "--commander", "Avery Oncall", "--comms-lead", "Avery Oncall")
    return declared


def _file(repo: Path) -> Path:
    return next((repo / INCIDENTS).glob("*-incident-1.md"))


# --- 12.6: the time-order rules of `check` hold for every write ------------------------------


def test_resolve_before_mitigation_is_refused_and_nothing_is_written(
    declared: Runbook, repo: Path
) -> None:
    declared("status", "mitigated", "--at", "10m ago")
    before = snapshot(repo)
    result = declared("resolve", "--at", "20m ago", expect=2)
    assert "resolved_at" in result.stderr and "before mitigated_at" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(repo) == before
    declared("check", "--all")


def test_mitigated_before_identified_is_refused(declared: Runbook, repo: Path) -> None:
    declared("status", "identified", "--at", "10m ago")
    before = snapshot(repo)
    result = declared("status", "mitigated", "--at", "20m ago", expect=2)
    assert "mitigated_at" in result.stderr and "before identified_at" in result.stderr
    assert snapshot(repo) == before


def test_check_flags_mitigation_before_identification_written_by_hand(
    declared: Runbook, repo: Path
) -> None:
    path = _file(repo)
    text = path.read_text()
    started = text.split("started_at: '")[1][:20]
    path.write_text(
        text.replace("identified_at: null", "identified_at: '2099-01-01T00:00:00Z'").replace(
            "mitigated_at: null", f"mitigated_at: '{started}'"
        )
    )
    result = declared("check", "--all", expect=1)
    assert "mitigated_at" in result.stdout and "before identified_at" in result.stdout


def test_a_write_may_keep_an_order_problem_it_did_not_make(declared: Runbook, repo: Path) -> None:
    """A hand-made problem does not block unrelated writes (nor the command that fixes it)."""
    path = _file(repo)
    text = path.read_text()
    started = text.split("started_at: '")[1][:20]
    path.write_text(
        text.replace("identified_at: null", "identified_at: '2099-01-01T00:00:00Z'").replace(
            "mitigated_at: null", f"mitigated_at: '{started}'"
        )
    )
    git(repo, "commit", "-qam", "hand edit")
    declared("timeline", "add", "still writable")


@pytest.mark.parametrize(
    "stamp", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T23:50:00Z"]
)
def test_out_of_range_time_in_a_file_is_a_finding_not_a_crash(
    declared: Runbook, repo: Path, stamp: str, tmp_path: Path
) -> None:
    path = _file(repo)
    text = path.read_text()
    old = text.split("started_at: ")[1].split("\n")[0]
    path.write_text(text.replace(f"started_at: {old}", f"started_at: '{stamp}'"))
    check = declared("check", "--all", expect=1)
    assert "started_at" in check.stdout and "1900–2999" in check.stdout
    for command in (("list",), ("due",), ("metrics",), ("site", "--out", str(tmp_path / "s"))):
        result = declared(*command, expect=4)
        assert path.name in result.stderr and "started_at" in result.stderr, command
        assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    "given", ["0001-01-01T00:00:00+01:00", "99999999d ago", "1850-01-01T00:00Z"]
)
def test_out_of_range_time_given_on_the_command_line_is_bad_input(
    declared: Runbook, repo: Path, given: str
) -> None:
    before = snapshot(repo)
    result = declared("timeline", "add", "old news", "--at", given, expect=2)
    assert "internal error" not in result.stderr and given in result.stderr
    assert snapshot(repo) == before


# --- 12.7: no write makes a file runbook cannot read -------------------------------------------


def test_a_paste_over_the_size_limit_is_refused(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    paste = "\n".join(f"log line {n:07d} " + "x" * 60 for n in range(40_000))  # ~3 MB
    result = declared("timeline", "add", "-", input=paste, expect=2)
    assert "2 MiB" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(repo) == before
    assert [row["id"] for row in declared.json("list")] == [1]


def test_report_section_over_the_size_limit_is_refused(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    declared("report", "set", "root-cause", "-", input="y" * (3 * 1024 * 1024), expect=2)
    assert snapshot(repo) == before


def test_declare_after_the_largest_id_says_why_and_writes_nothing(
    declared: Runbook, repo: Path
) -> None:
    path = _file(repo)
    last = path.with_name(path.name.replace("incident-1", "incident-999999999"))
    last.write_text(
        path.read_text()
        .replace("id: 1\n", "id: 999999999\n", 1)
        .replace("# Incident 1 ", "# Incident 999999999 ")
    )
    path.unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the largest id")
    declared("check", "--all")
    before = snapshot(repo)
    result = declared("declare", "Next", "--severity", "SEV-3", "--service", "api", expect=2)
    assert "999999999" in result.stderr and "renumber" in result.stderr
    assert snapshot(repo) == before


def test_the_id_range_is_documented() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    assert "999999999" in readme or "999,999,999" in readme


# --- 12.8: generated blocks survive section edits and are regenerated by every write -----------


def test_report_set_preventive_actions_keeps_the_generated_table(
    declared: Runbook, repo: Path
) -> None:
    declared("report", "set", "preventive-actions", "Fix the pool sizing; add an alert.")
    text = _file(repo).read_text()
    assert "<!-- runbook:actions" in text and "<!-- /runbook:actions -->" in text
    assert "Fix the pool sizing; add an alert." in text
    declared("action", "add", "Alert on pool saturation", "--owner", "Sam", "--due", "2099-01-01")
    text = _file(repo).read_text()
    assert "| 1 | Alert on pool saturation | Sam | 2099-01-01 | no |" in text
    declared("report", "set", "preventive-actions", "Rewritten.")
    text = _file(repo).read_text()
    assert "| 1 | Alert on pool saturation |" in text and "Fix the pool sizing" not in text
    declared("check", "--all")


def test_check_flags_a_missing_generated_block_and_a_write_restores_it(
    declared: Runbook, repo: Path
) -> None:
    path = _file(repo)
    text = path.read_text()
    begin = text.index("<!-- runbook:actions")
    end = text.index("<!-- /runbook:actions -->") + len("<!-- /runbook:actions -->")
    path.write_text(text[:begin] + text[end:])
    git(repo, "commit", "-qam", "table deleted by hand")
    result = declared("check", "--all", expect=1)
    assert "actions block is missing" in result.stdout
    declared("action", "add", "Alert on pool saturation", "--owner", "Sam", "--due", "2099-01-01")
    text = path.read_text()
    assert text.count("<!-- runbook:actions") == 1
    section = text[text.index("## Preventive Actions") : text.index("## Attachments")]
    assert "| 1 | Alert on pool saturation |" in section
    declared("check", "--all")


def test_a_block_with_one_marker_left_is_flagged_and_not_doubled(
    declared: Runbook, repo: Path
) -> None:
    path = _file(repo)
    path.write_text(path.read_text().replace("<!-- /runbook:facts -->\n", ""))
    git(repo, "commit", "-qam", "end marker deleted by hand")
    assert "lost a marker" in declared("check", "--all", expect=1).stdout
    declared("timeline", "add", "entry")
    assert path.read_text().count("<!-- runbook:facts") == 1


def test_the_summary_block_is_regenerated_by_every_write(declared: Runbook, repo: Path) -> None:
    path = _file(repo)
    path.write_text(path.read_text().replace("- **Severity:** SEV-2", "- **Severity:** SEV-0"))
    git(repo, "commit", "-qam", "hand edit of the generated block")
    assert "facts block differs" in declared("check", "--all", expect=1).stdout
    declared("report", "set", "summary", "Checkout failed for 5% of users.")  # no fact changes
    assert "- **Severity:** SEV-2" in path.read_text()
    declared("check", "--all")


def test_a_report_section_cannot_forge_a_block_marker(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    text = (
        "a\n<!-- runbook:actions (generated by runbook from the front matter; do not edit) -->\nb"
    )
    result = declared("report", "set", "root-cause", text, expect=2)
    assert "marker" in result.stderr
    assert snapshot(repo) == before


def test_a_timeline_entry_quoting_a_marker_moves_no_block(declared: Runbook, repo: Path) -> None:
    """Markers count only as whole lines; an entry's lines are never whole marker lines."""
    begin = "<!-- runbook:actions (generated by runbook from the front matter; do not edit) -->"
    declared("timeline", "add", "-", input=f"{begin}\n{begin}\n<!-- /runbook:actions -->")
    declared("action", "add", "Alert on pool saturation", "--owner", "Sam", "--due", "2099-01-01")
    text = _file(repo).read_text()
    section = text[text.index("## Preventive Actions") : text.index("## Attachments")]
    assert "| 1 | Alert on pool saturation |" in section
    assert any(e["text"].startswith(begin) for e in declared.json("show")["timeline"])
    declared("check", "--all")
