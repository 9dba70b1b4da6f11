"""The file format: lossless round trips, strict YAML, timeline lines, time input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import Runbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runbook_cli.domain import clock, document, yamlio
from runbook_cli.errors import UsageError

UTC = UTC


def test_no_op_load_save_is_byte_identical_for_tool_written_and_hand_written_files(
    declared: Runbook, repo: Path
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    text = path.read_text()
    assert document.parse(text).render() == text
    hand = "\ufeff" + text.replace(
        "title: Checkout errors", 'title: "Checkout errors"  # hand-quoted'
    ).replace("\n", "\r\n")
    assert document.parse(hand).render() == hand


def test_crlf_and_bom_survive_a_change(declared: Runbook, repo: Path) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    declared("timeline", "add", "still CRLF")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert declared.json("show")["timeline"][-1]["text"] == "still CRLF"


def test_a_change_rewrites_only_what_changed(declared: Runbook, repo: Path) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    prose = (
        "\nWe noticed it from a support ticket.  Two spaces, *odd* markdown,\n\n\n  and an "
        "indented line.\n"
    )
    path.write_text(
        path.read_text().replace(
            "<!-- How the incident was discovered; gaps to improve. -->\n",
            "<!-- How the incident was discovered; gaps to improve. -->\n" + prose,
        )
    )
    before = path.read_text()
    declared("timeline", "add", "entry")
    after = path.read_text()
    assert prose in after
    removed = set(before.splitlines()) - set(after.splitlines())
    assert removed == set()  # only additions: no hand-written line was rewritten


def test_report_set_leaves_other_sections_byte_for_byte(declared: Runbook, repo: Path) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    prose = "Paragraph one.\n\n\n\nParagraph two after three blank lines.\n"
    path.write_text(
        path.read_text().replace(
            "<!-- Links to dashboards, logs, PRs, ADRs. -->\n",
            "<!-- Links to dashboards, logs, PRs, ADRs. -->\n" + prose,
        )
    )
    declared("report", "set", "root-cause", "Pool exhausted.")
    after = path.read_text()
    assert prose in after
    assert (
        "## Root Cause\n\n<!-- Detailed analysis. -->\nPool exhausted.\n\n## Detection\n" in after
    )


def test_strict_yaml() -> None:
    assert yamlio.load("a: no\nb: 12:30\nc: 2026-11-26T10:00:00Z\nd: true\n") == {
        "a": "no",
        "b": "12:30",
        "c": "2026-11-26T10:00:00Z",
        "d": True,
    }
    with pytest.raises(yamlio.YamlError, match="appears twice"):
        yamlio.load("a: 1\na: 2\n")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    with pytest.raises(yamlio.YamlError, match="aliases"):
        yamlio.load(bomb)
    assert (
        yamlio.dump({"z": "yes", "t": "2026-11-26T10:02:00Z", "s": "12:30"})
        == "z: 'yes'\nt: '2026-11-26T10:02:00Z'\ns: '12:30'\n"
    )


def test_unparseable_timeline_lines_are_reported_not_dropped() -> None:
    body = (
        "# Incident 1 – x\n\n## Timeline\n\n<!-- guidance\nspanning lines -->\n- 2026-11-26 "
        "10:00:00 UTC — Ana — ok\n- around ten — Bo — vague\n- 2026-11-26 10:05 UTC - Cy - hand "
        "typed\n\n## Root Cause\n"
    )
    doc = document.Document(meta={}, body=body, body_offset=10)
    entries, bad = document.timeline(doc)
    assert [(e.author, e.text) for e in entries] == [("Ana", "ok"), ("Cy", "hand typed")]
    assert [b.text for b in bad] == ["- around ten — Bo — vague"] and bad[
        0
    ].line == 18  # 10 lines of front matter, then body line 8


def test_entries_insert_in_time_order_without_moving_other_lines() -> None:
    body = (
        "## Timeline\n\n- 2026-11-26 10:00:00 UTC — A — one\n- 2026-11-26 10:10:00 UTC — A — "
        "three\n\n## Root Cause\n"
    )
    at = datetime(2026, 11, 26, 10, 5, tzinfo=UTC)
    result = document.add_entry(body, document.Entry(at, "B", "two"))
    assert result == (
        "## Timeline\n\n- 2026-11-26 10:00:00 UTC — A — one\n- 2026-11-26 10:05:00 UTC — B — "
        "two\n- 2026-11-26 10:10:00 UTC — A — three\n\n## Root Cause\n"
    )


REFERENCE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", REFERENCE),
        ("15m ago", REFERENCE - timedelta(minutes=15)),
        ("-15m", REFERENCE - timedelta(minutes=15)),
        ("1h30m ago", REFERENCE - timedelta(minutes=90)),
        ("2026-11-26T10:02:00Z", datetime(2026, 11, 26, 10, 2, tzinfo=UTC)),
        ("2026-11-26T11:02:00+01:00", datetime(2026, 11, 26, 10, 2, tzinfo=UTC)),
        ("10:30", datetime(2026, 11, 26, 10, 30, tzinfo=UTC)),  # TZ=UTC in tests
    ],
)
def test_time_input(text: str, expected: datetime) -> None:
    assert clock.parse_time(text, reference=REFERENCE) == expected


def test_postmortem_style_future_times_need_permission() -> None:
    with pytest.raises(UsageError):
        clock.parse_time("2026-11-27T10:00:00Z", reference=REFERENCE)
    assert (
        clock.parse_time("2026-11-27T10:00:00Z", reference=REFERENCE, allow_future=True).day == 27
    )


# Printable text: letters, marks, numbers, punctuation, symbols and spaces of any script
# (control characters and bidi overrides are cleaned on purpose; see test_input_hygiene).
printable = st.text(
    alphabet=st.characters(
        categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="\u2028\u2029\x85"
    ),
    min_size=1,
    max_size=200,
).filter(lambda text: text.strip() and text != "-")  # "-" alone means: read stdin
tricky = st.sampled_from(
    [
        "---",
        "## Heading",
        "key: value",
        "- [x] done",
        "<!-- -->",
        "| a | b |",
        "— — —",
        "事故 発生",
        "إنذار",
        "🔥 on fire",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.one_of(printable, tricky, st.builds(lambda a, b: f"{a} {b}", tricky, printable)))
def test_any_printable_entry_reads_back_verbatim_and_changes_nothing_else(
    declared: Runbook, text: str
) -> None:
    before = declared.json("show", "-i", "1")
    # Digits may look like a phone number to the guard: this is about the text, not the guard.
    declared("timeline", "add", "--no-commit", "--allow-sensitive", "-i", "1", "--", text)
    after = declared.json("show", "-i", "1")
    assert after["timeline"][-1]["text"] == text
    assert after["timeline"][:-1] == before["timeline"]
    assert {k: v for k, v in after.items() if k != "timeline"} == {
        k: v for k, v in before.items() if k != "timeline"
    }


def test_input_hygiene_removes_escapes_controls_and_bidi_overrides(declared: Runbook) -> None:
    declared("timeline", "add", "red \x1b[31malert\x1b[0m \x07bell \u202eevil\u202c end")
    assert declared.json("show")["timeline"][-1]["text"] == "red alert bell evil end"


def test_other_front_matter_tools_read_the_same_facts(declared: Runbook, repo: Path) -> None:
    import frontmatter

    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    post = frontmatter.load(path)
    view = declared.json("show")
    assert post["id"] == view["id"] and post["severity"] == view["severity"]
    assert post["started_at"] == view["started_at"]  # quoted, so not turned into a datetime
    assert "## Timeline" in post.content


@given(
    st.lists(st.integers(min_value=0, max_value=50), max_size=6),
    st.lists(st.integers(min_value=0, max_value=50), min_size=1, max_size=6),
)
def test_adding_entries_at_once_is_adding_them_one_by_one_in_time_order(
    existing: list[int], new: list[int]
) -> None:
    from datetime import UTC, datetime, timedelta

    from runbook_cli.domain import document

    base = datetime(2026, 11, 26, 10, tzinfo=UTC)
    body = "# Incident 1 – x\n\n## Timeline\n\n## Root Cause\n\nWhy.\n"
    for minute in sorted(existing):
        body = document.add_entry(
            body, document.Entry(base + timedelta(minutes=minute), "A", "old")
        )
    entries = [
        document.Entry(base + timedelta(minutes=m), "B", f"new {i}") for i, m in enumerate(new)
    ]
    one_by_one = body
    for entry in sorted(entries, key=lambda e: e.at):
        one_by_one = document.add_entry(one_by_one, entry)
    assert document.add_entries(body, entries) == one_by_one
