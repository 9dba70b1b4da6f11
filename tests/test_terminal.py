"""Issue 16: the terminal as a tired responder meets it at 3 a.m. (times, help, output)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import Runbook, git

CONFIG = Path("docs/runbooks/config.yml")
MIDNIGHT = "2026-11-27T00:05:00Z"


@pytest.fixture
def night(runbook: Runbook, monkeypatch: pytest.MonkeyPatch) -> Runbook:
    """An incident declared at 22:05 UTC; the clock is pinned at 00:05 the next day."""
    monkeypatch.setenv("RUNBOOK_NOW", MIDNIGHT)
    runbook(
        "declare",
        "Bookings fail",
        "-s",
        "SEV-1",
        "--service",
        "patient-web",
        "--started-at",
        "2 hours ago",
    )
    return runbook


def set_zone(repo: Path, name: str) -> None:
    config = repo / CONFIG
    text = config.read_text()
    assert "display_timezone: null" in text
    config.write_text(text.replace("display_timezone: null", f"display_timezone: {name}"))
    git(repo, "commit", "-qam", "zone")


def test_times_typed_in_words_and_just_after_midnight(night: Runbook) -> None:
    declared = night
    declared("timeline", "add", "paged the DBA", "--at", "10 min ago")
    declared("timeline", "add", "flag rolled back", "--at", "23:59")
    declared("timeline", "add", "error rate rising", "--at", "yesterday 23:00")
    at = {entry["text"]: entry["at"] for entry in declared.json("show")["timeline"]}
    assert at["paged the DBA"] == "2026-11-26T23:55:00Z"
    assert at["flag rolled back"] == "2026-11-26T23:59:00Z"
    assert at["error rate rising"] == "2026-11-26T23:00:00Z"


def test_display_timezone_reads_and_shows_times_in_the_responders_zone(night: Runbook) -> None:
    declared = night
    set_zone(declared.repo, "Europe/Berlin")  # now is 01:05 in Berlin
    declared("timeline", "add", "rollback done", "--at", "1am")
    view = declared.json("show")
    assert any(e["at"] == "2026-11-27T00:00:00Z" for e in view["timeline"])  # stored in UTC
    shown = declared("show").stdout
    assert "01:00 CET" in shown
    assert " UTC" not in shown.replace("UTC)", "")


def test_an_unknown_display_timezone_is_refused_in_one_sentence(declared: Runbook) -> None:
    set_zone(declared.repo, "Mars/Olympus")
    result = declared("show", expect=4)
    assert "display_timezone" in result.stderr and "Traceback" not in result.stderr


def test_show_json_holds_every_fact_of_the_file(declared: Runbook) -> None:
    declared("escalate", "--to", "squad-lead")
    declared("status", "identified")
    declared("action", "add", "Cap retries", "--owner", "Sam", "--due", "2099-01-01")
    declared("checklist", "tick", "ticket_updated", "--force", "--reason", "in the wiki")
    declared("resolve")
    declared("close", "-i", "1", "--force", "--reason", "report kept in the wiki")
    view = declared.json("show", "-i", "1")
    assert view["identified_at"] and view["closed_at"]
    assert view["close_reason"] == "report kept in the wiki"
    assert list(view["escalated"]) == ["squad-lead"]
    assert view["checklist"]["ticket_updated"] is True
    assert view["action_items"][0]["title"] == "Cap retries"
    assert set(view["report"]) >= {"Summary", "Root Cause", "Detection", "Preventive Actions"}
    assert "Root Cause" in view["missing_sections"]
    shown = declared("show", "-i", "1").stdout
    for fact in (
        "Identified",
        "Closed",
        "report kept in the wiki",
        "squad-lead",
        "Cap retries",
        "[x] ticket_updated",
        "Report sections still empty: Summary, Root Cause",
    ):
        assert fact in shown, fact


def test_check_words_empty_sections_for_a_resolved_incident(declared: Runbook) -> None:
    declared("resolve")
    out = declared("check", "--all", expect=1).stdout.replace("\n", " ")
    assert "before the incident is resolved" not in out
    assert (
        "the incident is resolved; write it before closing (runbook report set root-cause)" in out
    )


# --- help that follows the runbook ------------------------------------------------------------


def all_commands():
    import typer

    from runbook_cli.cli import app

    root = typer.main.get_command(app)
    ctx = root.make_context("runbook", [], resilient_parsing=True)

    def walk(command, path):
        for name in getattr(command, "list_commands", lambda ctx: [])(ctx):
            child = command.get_command(ctx, name)
            if not child.hidden:
                yield (*path, name), child
                yield from walk(child, (*path, name))

    return list(walk(root, ()))


def test_the_command_index_names_each_module_s_commands_exactly() -> None:
    """`runbook` loads a command's module only when it runs; its index must match the modules."""
    from runbook_cli.cli import COMMANDS, module_commands

    found = {module: tuple(module_commands(module)) for module in COMMANDS}
    assert found == COMMANDS, (
        "list each module's commands in COMMANDS in runbook_cli/cli/__init__.py"
    )
    assert len(all_commands()) > 50  # the walk below sees every command and subcommand


def test_help_lists_each_command_as_its_own_help_says_without_building_it() -> None:
    from runbook_cli.cli import COMMANDS, command_app, helptext, module_commands

    for module in COMMANDS:
        listed = helptext.registered(command_app(module))
        built = module_commands(module)
        assert [
            (name, helptext.first_paragraph(text), hidden) for name, text, hidden in listed
        ] == [(name, helptext.summary(command), command.hidden) for name, command in built.items()]


def test_help_at_80_columns_groups_commands_in_runbook_order_and_cuts_nothing(
    runbook: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    text = runbook("--help").stdout
    lines = text.splitlines()
    assert max(map(len, lines)) <= 80
    assert not [line for line in lines[1:] if "..." in line or "…" in line]
    headings = [line[:-1] for line in lines if line.endswith(":") and not line.startswith(" ")]
    assert headings == [
        "Options",
        "Respond",
        "Communicate",
        "After the incident",
        "Team and CI",
        "Setup",
    ]
    listed = {line.split()[0] for line in lines if line.startswith("  ") and line[2] != " "}
    top_level = {path[0] for path, _ in all_commands()}
    assert top_level <= listed, "add new commands to PANELS in runbook_cli/cli/helptext.py"


def test_every_command_has_an_example_and_readable_placeholders(runbook: Runbook) -> None:
    for path, _ in all_commands():
        text = runbook(*path, "--help").stdout
        assert "Example:" in text and f"runbook {' '.join(path)}" in text, (
            f"runbook {' '.join(path)}: add an example to EXAMPLES in cli/helptext.py"
        )
        assert "<str>" not in text and "{" not in text, text


def test_version_has_a_short_flag(runbook: Runbook) -> None:
    assert runbook("-V").stdout.startswith("runbook ")


def test_usage_errors_take_the_tools_own_form(declared: Runbook) -> None:
    result = declared("list", "--bogus", expect=2)
    assert result.stderr == "runbook: error: no such option: --bogus; see 'runbook list --help'.\n"
    missing = declared("declare", expect=2).stderr
    assert missing.lower().startswith("runbook: error: missing argument 'title'")
    hint = declared("timeline", "paged the DBA", expect=2).stderr
    assert "did you mean runbook timeline add 'paged the DBA'?" in hint


def test_mistyped_status_and_severity_get_did_you_mean(declared: Runbook) -> None:
    assert "did you mean 'mitigated'?" in declared("status", "mitgated", expect=2).stderr
    assert "did you mean 'SEV-0'?" in declared("severity", "critcal", expect=2).stderr
    assert "did you mean" not in declared("severity", "SEV-9", expect=2).stderr


def test_audit_reads_as_words_one_change_a_line_and_json_keeps_its_meaning(
    declared: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    declared("action", "add", "Cap client retries", "--owner", "Sam", "--due", "2099-01-01")
    declared("action", "done", "1")
    declared("checklist", "tick", "ticket_updated", "--force", "--reason", "in the wiki")
    text = declared("audit", "-i", "1").stdout
    assert "action item 1 (Cap client retries): done: no -> yes" in text
    assert "checklist ticket_updated: no -> yes" in text
    for python in ("False", "True", "None", "['", "{'"):
        assert python not in text, python
    changes = [line for line in text.splitlines() if line.startswith("    - ")]
    continuation = [line for line in text.splitlines() if line.startswith("      ")]
    assert changes and all(len(line) <= 80 for line in text.splitlines())
    assert not [line for line in continuation if line.lstrip().startswith("- ")]
    records = declared.json("audit", "-i", "1")
    done = [c for r in records for c in r["changes"] if c["field"] == "action_items.1"]
    assert done[-1]["old"]["done"] is False and done[-1]["new"]["done"] is True


# --- output that says what happened -----------------------------------------------------------


def test_report_set_says_what_it_replaced_and_append_adds(declared: Runbook) -> None:
    first = declared("report", "set", "root-cause", "Pool exhausted by retries.")
    assert "replaced" not in first.stderr
    second = declared("report", "set", "root-cause", "DNS answered with a stale address.")
    assert "replaced 4 word(s) that were there: 'Pool exhausted by retries.'" in second.stderr
    assert "--append" in second.stderr
    declared("report", "set", "root-cause", "Retries made it worse.", "--append")
    root_cause = declared.json("show")["report"]["Root Cause"]
    assert root_cause == "DNS answered with a stale address.\n\nRetries made it worse."


def test_stakeholder_update_promises_a_time_after_now(
    night: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    # declared at 22:05 (detected then): the cadence's next update was due at 22:20, long past
    text = night("comms", "-t", "stakeholder").stdout
    assert "Next update by 2026-11-27 00:20 UTC" in text  # 00:05 now + 15 min (SEV-1 cadence)


def test_resolved_message_is_refused_until_resolved(declared: Runbook) -> None:
    refused = declared("comms", "-t", "resolved", expect=2).stderr
    assert "not resolved" in refused and "runbook resolve" in refused
    declared("resolve")
    assert "Resolved:" in declared("comms", "-t", "resolved", "-i", "1").stdout


def test_close_lists_what_is_missing_one_item_a_line(declared: Runbook) -> None:
    declared("resolve")
    refused = declared("close", "-i", "1", expect=2).stderr.splitlines()
    assert refused[0] == "runbook: error: incident 1 cannot be closed yet; missing:"
    items = [line for line in refused if line.startswith("  - ")]
    assert len(items) >= 3 and any("'Root Cause' is empty" in line for line in items)
    assert refused[-1].startswith("Fix these")


def test_resolve_lists_report_sections_still_missing(declared: Runbook) -> None:
    out = declared("resolve").stdout
    assert "report sections still to write before closing:" in out
    assert "    - Root Cause (runbook report set root-cause)" in out


def test_check_base_with_a_missing_ref_is_one_sentence(declared: Runbook) -> None:
    result = declared("check", "--base", "no-such-branch", expect=3)
    assert result.stderr.count("\n") == 1 and "fatal" not in result.stderr


def test_action_due_in_the_past_warns(declared: Runbook) -> None:
    result = declared("action", "add", "Cap retries", "--owner", "Sam", "--due", "2020-01-01")
    assert "runbook: warning: the due date 2020-01-01 is already past" in result.stderr
    later = declared("action", "add", "Cap more", "--owner", "Sam", "--due", "2099-01-01")
    assert "warning" not in later.stderr


def test_init_pages_warns_the_site_may_be_public_and_asks(bare_repo: Path) -> None:
    from helpers import snapshot

    before = snapshot(bare_repo)
    refused = Runbook(bare_repo)("init", "--pages", expect=2).stderr
    assert "GitHub Pages site may be public" in refused and "access control" in refused
    assert "--yes" in refused and snapshot(bare_repo) == before
    Runbook(bare_repo)("init", "--pages", "--yes")
    assert (bare_repo / ".github/workflows/runbook-site.yml").exists()


def test_site_docs_warn_that_pages_may_be_public() -> None:
    text = (Path(__file__).parent.parent / "docs/site.md").read_text()
    assert "A GitHub Pages site may be public" in text and "access control" in text


def test_data_affected_at_reads_a_clock_time_in_the_responders_zone(night: Runbook) -> None:
    declared = night
    set_zone(declared.repo, "Europe/Berlin")  # now is 01:05 in Berlin
    declared("data-affected", "yes", "--reason", "export leaked", "--at", "1am")
    view = declared.json("show")
    entry = next(e for e in view["timeline"] if "export leaked" in e["text"])
    assert entry["at"] == "2026-11-27T00:00:00Z"  # 01:00 Berlin, stored in UTC


def test_next_steps_and_the_escalation_matrix_show_one_zone(
    runbook: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Berlin team's 'next:' block and escalation matrix name Berlin times only (they mixed
    UTC and CET), and the matrix says it counts from detection (its header named the start)."""
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-26T10:40:00Z")  # 11:40 in Berlin
    set_zone(runbook.repo, "Europe/Berlin")
    begin = ("--started-at", "2026-11-26T10:30:00Z", "--detected-at", "2026-11-26T10:35:00Z")
    runbook("declare", "Leak", "-s", "SEV-0", "--service", "patient-web", *begin)
    out = runbook("data-affected", "yes", "--reason", "records exposed").stdout
    steps = [line for line in out.splitlines() if line.startswith("  next:")]
    assert "  next: Acknowledge by 11:40 CET (runbook ack)." in steps
    assert any(line.startswith("  next: By 2027-01-25 11:40 CET: notify") for line in steps)
    assert not [line for line in steps if "UTC" in line]
    matrix = runbook("escalation").stdout
    assert "(T+ counts from detection at 11:35 CET)" in matrix and "UTC" not in matrix
    assert "11:50 CET" in matrix  # T+15


def test_due_and_watch_show_the_responders_zone(
    runbook: Runbook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`due` (and `watch`, which draws the same table) spoke UTC to a Berlin team whose `show`
    and 'next:' lines say CET."""
    monkeypatch.setenv("RUNBOOK_NOW", "2026-11-26T10:40:00Z")  # 11:40 in Berlin
    set_zone(runbook.repo, "Europe/Berlin")
    begin = ("--started-at", "2026-11-26T10:30:00Z", "--detected-at", "2026-11-26T10:35:00Z")
    runbook("declare", "Leak", "-s", "SEV-1", "--service", "admin-console", *begin)
    for command in (("due",), ("watch", "--count", "1")):
        shown = runbook(*command).stdout
        assert "Due as of 2026-11-26 11:40 CET" in shown, shown
        assert "Due (CET)" in shown and "11-26 11:40" in shown and "UTC" not in shown, shown
    ack = next(item for item in runbook.json("due") if item["kind"] == "ack")
    assert ack["what"] == "acknowledge by 11:40 CET (runbook ack)"
