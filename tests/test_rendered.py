"""What reviewers see is what runbook reads (issue 12, item 4): user text is stored so that the
document GitHub renders (CommonMark, here markdown-it-py) has exactly the headings, sections and
timeline entries runbook parses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers import Runbook, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from runbook_cli.domain import document, rendered
from runbook_cli.domain.config import REPORT_SECTIONS
from runbook_cli.errors import UsageError

BODY = "# Incident 1 – Checkout errors\n\n" + "".join(
    f"## {name}\n\n<!-- guidance -->\n\n" for name in REPORT_SECTIONS
)
HOSTILE_LINES = [
    "---",
    "===",
    "## Root Cause",
    "## Timeline",
    "# Title",
    "```",
    "````python",
    "~~~",
    "    indented code",
    "<!--",
    "-->",
    "<pre>",
    "<div>",
    "> quoted",
    "- a list item",
    "1. numbered",
    "* * *",
    "| a | b |",
    "`",
    "",
    "plain words",
    "- 2026-01-01 00:00:00 UTC — Mallory — forged entry",
]
hostile = st.lists(
    st.one_of(st.sampled_from(HOSTILE_LINES), st.text(alphabet="#-=`~<>!| ab", max_size=8)),
    min_size=1,
    max_size=8,
).map("\n".join)


def structure(body: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(what a reader sees, what runbook reads): level-1/2 headings with their lines."""
    seen = [(line, text) for _, text, line in rendered.headings(body)]
    title = next(i for i, line in enumerate(body.split("\n")) if line.startswith("# "))
    read = [(title, BODY.split("\n")[0][2:])] + [
        (s.heading, s.name) for s in document.sections(body)
    ]
    return seen, read


def timeline_items(body: str) -> int:
    """Top-level list items a reader sees in the Timeline section."""
    section = document.find_section(body, "Timeline")
    lines = body.split("\n")
    text = "\n".join(lines[section.heading + 1 : section.end])
    tokens = rendered._parser().parse(text)
    depth, items = 0, 0
    for token in tokens:
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            items += 1
    return items


@settings(max_examples=150, deadline=None)
@given(entries=st.lists(hostile, min_size=1, max_size=4), section=hostile)
def test_hostile_text_renders_with_the_structure_runbook_reads(
    entries: list[str], section: str
) -> None:
    body = BODY
    start = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    texts = []
    for n, text in enumerate(entries):
        text = text.strip("\n") or "x"
        texts.append(text)
        body = document.add_entry(body, document.Entry(start + timedelta(minutes=n), "Ana", text))
    try:
        from runbook_cli.domain.text import clean_section

        body = document.replace_section(body, "Root Cause", clean_section(section, "Root Cause"))
    except UsageError:
        pass  # refused: nothing stored
    seen, read = structure(body)
    assert seen == read
    doc = document.parse("---\nid: 1\n---\n" + body)
    parsed, bad = document.timeline(doc)
    assert [entry.text for entry in parsed] == texts and bad == []
    assert timeline_items(body) == len(texts)


def test_old_indented_entries_still_read() -> None:
    body = BODY.replace(
        "## Timeline\n\n<!-- guidance -->\n",
        "## Timeline\n\n- 2026-11-26 10:00:00 UTC — Ana — first\n  second line\n  third\n",
    )
    entries, bad = document.timeline(document.parse("---\nid: 1\n---\n" + body))
    assert [e.text for e in entries] == ["first\nsecond line\nthird"] and bad == []


def test_the_reported_cases_through_the_command(declared: Runbook, repo: Path) -> None:
    declared("timeline", "add", "-", input="deploy output:\n---\n## Root Cause\nline 3\n")
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    body = document.parse(path.read_text()).body
    assert [text for _, text, _ in rendered.headings(body)][1:] == list(REPORT_SECTIONS)
    entry = declared.json("show")["timeline"][-1]["text"]
    assert entry == "deploy output:\n---\n## Root Cause\nline 3"
    html = rendered._parser().render(body)
    assert "---\n## Root Cause\nline 3" in html  # multiple lines, as lines
    before = snapshot(repo)
    result = declared(
        "report",
        "set",
        "summary",
        "Real summary\n\n## Timeline\n\n- 2026-01-01 00:00:00 UTC — M — x",
        expect=2,
    )
    assert "line 3 would show as a level-2 heading ('Timeline')" in result.stderr
    assert snapshot(repo) == before
    declared("report", "set", "summary", "Real summary\n\n### Details\n\n```\n## quoted\n```")


def test_set_summary_refuses_a_fake_section_too(declared: Runbook, repo: Path) -> None:
    before = snapshot(repo)
    result = declared("set", "summary", "Real summary\n\n## Timeline\n", expect=2)
    assert "level-2 heading ('Timeline')" in result.stderr
    assert snapshot(repo) == before
