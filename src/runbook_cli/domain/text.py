"""User text hygiene: what may be stored from the command line, and in what form."""

from __future__ import annotations

import re

from runbook_cli.errors import UsageError

# Escape sequences (CSI, OSC, other ESC forms) would repaint a reviewer's terminal.
_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Control characters other than newline and tab, DEL, C1 controls, and the Unicode
# bidirectional overrides that make text read differently from what it is ("Trojan Source").
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NAME_MAX = 100
# What must not reach a terminal raw: C0 controls but newline and tab, DEL, C1 controls, and the
# bidirectional marks, embeddings, overrides and isolates.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Text read from a file or from git history, safe to show: each control character (but
    newline and tab) and bidirectional control is written as `\\uXXXX`, so nothing can repaint,
    hide or reorder what a reader sees. The form is also a valid JSON escape."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def clean_text(text: str) -> str:
    """Free text (entries, summaries, sections): escapes and invisible controls removed,
    line endings normalised, surrounding blank lines dropped; everything else kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _INVISIBLE.sub("", _ESCAPES.sub("", text)).strip("\n")


def clean_section(text: str, name: str) -> str:
    """A report section's text: clean, and keeping to its section as GitHub renders it (no
    heading that would start a section, nothing left open that would swallow the next ones)."""
    from runbook_cli.domain import rendered  # keeps it off `timeline add`'s path

    cleaned = clean_text(text)
    problem = rendered.section_text_problem(cleaned)
    if problem:
        raise UsageError(f"the text for {name} cannot be stored as it is: {problem}.")
    return cleaned


def clean_line(text: str, what: str) -> str:
    """One line of text (titles, reasons): required, no line breaks."""
    cleaned = clean_text(text)
    if not cleaned.strip():
        raise UsageError(f"{what} is empty; give some text.")
    if "\n" in cleaned:
        raise UsageError(
            f"{what} must be one line; put longer text in a timeline entry or a report section."
        )
    return cleaned


def clean_name(text: str, what: str) -> str:
    """A person or role name: one short line, no separator that would break a timeline line."""
    cleaned = clean_line(text, what).strip()
    if len(cleaned) > NAME_MAX:
        raise UsageError(f"{what} is longer than {NAME_MAX} characters; use a shorter name.")
    if any(separator in cleaned for separator in (" — ", " – ", " -- ", " - ")):
        raise UsageError(
            f"{what} {cleaned!r} contains ' - ' or ' — ', which separates fields in the timeline; "
            "drop it."
        )
    return cleaned


def sentence(*clauses: str) -> str:
    """Clauses joined by semicolons into one sentence with one full stop: a clause's own
    closing punctuation never doubles up ("invalid.; nothing" or "ok..")."""
    kept = [c.strip().rstrip(".;, ") for c in clauses if c and c.strip().rstrip(".;, ")]
    return "; ".join(kept) + "." if kept else ""


def counted(number: int, one: str, many: str) -> str:
    """'1 entry', '5 entries'."""
    return f"{number} {one if number == 1 else many}"
