"""The body as a reader sees it: GitHub renders markdown as CommonMark, so what a reviewer sees
there must have the structure runbook parses. Pure; markdown-it-py is loaded on first use."""

from __future__ import annotations

from functools import lru_cache

from runbook_cli.domain import document

_END = "## runbook-end-of-section"


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt  # ~15 ms: only section text is checked with it

    return MarkdownIt("commonmark").enable("table")  # raw HTML on, as on GitHub


def headings(markdown: str) -> list[tuple[int, str, int]]:
    """(level, text, 0-based line) of each level-1 and level-2 heading a reader sees."""
    tokens = _parser().parse(markdown)
    found = []
    for position, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            found.append((int(token.tag[1]), tokens[position + 1].content, token.map[0]))
    return found


def section_text_problem(content: str) -> str | None:
    """Why a section's text would change the report's structure, or None: a line that renders
    as a section or title heading (`## Timeline`, a line underlined with `---`), a code fence
    or HTML block left open (it would swallow the sections after it), or a generated-block
    marker line."""
    lines = content.split("\n")
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(document.MARKER_PREFIXES):
            return f"line {number} looks like the marker of a block runbook generates"
    found = headings(f"{content}\n\n{_END}\n")
    for level, text, line in found[:-1] if found and found[-1][1] == _END[3:] else found:
        if line < len(lines):
            return (
                f"line {line + 1} would show as a level-{level} heading ({text[:40]!r}) and start "
                "a new section; use ### for a heading inside a section, or put the text in a "
                "code fence"
            )
    if not found or found[-1][1] != _END[3:]:
        return (
            "a code fence or HTML block in it is never closed, so the sections after it would "
            "disappear from the rendered report; close it"
        )
    read = document.sections(f"{content}\n\n{_END}\n")
    if [section.name for section in read] != [_END[3:]]:
        return (
            "runbook would read its sections differently from how GitHub shows them (a heading "
            "or code fence inside an HTML comment or block?); simplify it"
        )
    return None
