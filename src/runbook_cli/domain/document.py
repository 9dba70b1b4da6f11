"""The incident file as text: front matter + markdown body, read and written losslessly.

The body is the people's; the tool edits it surgically (one timeline line, one section, the
generated blocks between runbook markers) and leaves every other byte as it found it.
A file that is loaded and saved without changes comes back byte for byte, BOM and CRLF included.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from runbook_cli.domain import yamlio
from runbook_cli.domain.clock import UTC, format_stored

DELIMITER = "---"
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})")
_FENCE_STARTS = ("`", "~")
_ENTRY_FENCE = re.compile(r"^  (`{3,})$")  # opens an entry's further lines (format_entry)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ENTRY = re.compile(
    r"^- (?P<date>\d{4}-\d{2}-\d{2})[ T](?P<time>\d{2}:\d{2}(?::\d{2})?) ?(?:UTC|Z) (?:—|–|--|-) "
    r"(?P<author>.+?) (?:—|–|--|-) (?P<text>.*)$"
)
ENTRY_SEPARATOR = " — "
CONTINUATION = "  "


class DocumentError(ValueError):
    """The text is not an incident document; `line` says where when known."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Entry:
    """One timeline entry: when, who, what."""

    at: datetime
    author: str
    text: str

    def to_json(self) -> dict:
        return {
            "at": format_stored(self.at),
            "author": self.author,
            "text": self.text,
        }


@dataclass(frozen=True)
class BadLine:
    """A line in the Timeline section that is not an entry; `check` reports it."""

    line: int  # 1-based line number in the whole file
    text: str


@dataclass
class Document:
    """An incident file as parsed: its front matter and body, and what writing it back needs."""

    meta: dict
    body: str
    front_matter: str = ""  # the YAML text as read, reused while meta is unchanged
    original_meta: dict | None = None
    bom: bool = False
    newline: str = "\n"
    body_offset: int = 0  # file line number of the first body line, minus one
    meta_lines: dict = field(default_factory=dict)  # top-level key -> file line number

    def render(self) -> str:
        if self.original_meta is not None and self.meta == self.original_meta:
            front = self.front_matter
        else:
            front = yamlio.dump(self.meta)
        text = f"{DELIMITER}\n{front}{DELIMITER}\n{self.body}"
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return ("\ufeff" if self.bom else "") + text

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


def parse(text: str) -> Document:
    """Split front matter from body; raise DocumentError (with a line) when it cannot."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    if newline == "\r\n":
        text = text.replace("\r\n", "\n")
    if not text.startswith(DELIMITER + "\n"):
        raise DocumentError("the file does not start with a '---' front matter line", 1)
    end = text.find(f"\n{DELIMITER}\n", len(DELIMITER))
    if end == -1:
        if text.endswith(f"\n{DELIMITER}"):
            end = len(text) - len(DELIMITER) - 1
        else:
            raise DocumentError("the front matter has no closing '---' line", 1)
    front = text[len(DELIMITER) + 1 : end + 1]
    body = text[end + len(DELIMITER) + 2 :]
    try:
        meta = yamlio.load(front)
    except yamlio.YamlError as error:
        raise DocumentError(f"front matter: {error}", _yaml_line(str(error))) from None
    if meta is None:
        meta = {}
    meta_lines = {}
    for number, line in enumerate(front.split("\n"), start=2):
        key = line.split(":", 1)[0]
        if line and not line[0].isspace() and ":" in line and key not in meta_lines:
            meta_lines[key] = number
    return Document(
        meta=meta,
        body=body,
        front_matter=front,
        original_meta=_deep_copy(meta),
        bom=bom,
        newline=newline,
        body_offset=front.count("\n") + 2,
        meta_lines=meta_lines,
    )


def _yaml_line(message: str) -> int | None:
    match = re.match(r"line (\d+)", message)
    return int(match.group(1)) + 1 if match else None


def _deep_copy(value):
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value


# --- sections ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One `## ` section of a body, as line indexes."""

    name: str
    heading: int  # index of the heading line in body lines
    end: int  # index one past the section's last line


@lru_cache(maxsize=16)
def sections(body: str) -> tuple[Section, ...]:
    """The body's `## ` sections, outside code fences; indexes are into body.split("\\n").
    Cached: check, show and the timeline all ask of the same body."""
    lines = body.split("\n")
    found: list[Section] = []
    fenced: str | bool = False  # the opening fence (```, ~~~~, ...) while inside one
    in_timeline = False
    starts: list[tuple[str, int]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        first = line[:1]  # (the regular expressions below run only where they can match)
        if in_timeline and not fenced and first == "-":
            # an entry's further lines are its text (a list item's content in CommonMark): a
            # fence there cannot hide the sections after the timeline. (A line beginning "-" is
            # neither a fence nor a heading: a one-line entry needs no closer look.)
            if (
                index < len(lines)
                and lines[index].startswith(CONTINUATION)
                and parse_entry_line(line) is not None
            ):
                index = entry_end(lines, index - 1, len(lines))
            continue
        if (first in _FENCE_STARTS or first.isspace()) and (fence := _FENCE.match(line)):
            if not fenced:
                fenced = fence.group(2)
            elif _closes(line, fenced):
                fenced = False
            continue
        if first == "#" and not fenced and (match := _HEADING.match(line)):
            starts.append((match.group(1), index - 1))
            in_timeline = match.group(1).casefold() == "timeline"
    for position, (name, index) in enumerate(starts):
        end = starts[position + 1][1] if position + 1 < len(starts) else len(lines)
        found.append(Section(name, index, end))
    return tuple(found)


def _closes(line: str, opening: str) -> bool:
    """CommonMark: a closing fence is the same character, at least as long, and nothing else."""
    stripped = line.strip()
    return (
        len(stripped) >= len(opening) and set(stripped) == {opening[0]} and line[:4].strip() != ""
    )


def find_section(body: str, name: str) -> Section | None:
    wanted = name.casefold()
    return next((s for s in sections(body) if s.name.casefold() == wanted), None)


def section_text(body: str, name: str) -> str | None:
    """A section's content as written (without its heading), or None when absent."""
    section = find_section(body, name)
    return None if section is None else _content(body.split("\n"), section)


def section_texts(body: str) -> dict[str, str]:
    """Every section's content as `section_text` gives it, by its name casefolded (the first
    section of a repeated name), from one pass over the body."""
    lines = body.split("\n")
    found: dict[str, str] = {}
    for section in sections(body):
        if section.name.casefold() not in found:
            found[section.name.casefold()] = _content(lines, section)
    return found


def _content(lines: list[str], section: Section) -> str:
    return "\n".join(lines[section.heading + 1 : section.end]).strip("\n")


def visible_text(markdown: str) -> str:
    """What a reader sees: the text without HTML comments (the template's guidance)."""
    return _COMMENT.sub("", markdown).strip()


def replace_section(body: str, name: str, content: str) -> str:
    """Set a section's content, keeping its heading and the template's guidance comment."""
    lines = body.split("\n")
    section = find_section(body, name)
    if section is None:
        raise DocumentError(f"the report has no '## {name}' section")
    old = "\n".join(lines[section.heading + 1 : section.end]).strip("\n")
    guidance = [m.group(0) for m in _COMMENT.finditer(old) if old.lstrip().startswith(m.group(0))][
        :1
    ]
    inner = [*guidance, *([content.strip("\n")] if content.strip() else [])]
    blocks = [match.group(0) for match in _BLOCK.finditer(old)]  # generated: never replaced
    new_lines = ["", *inner, ""] if inner else [""]
    for block in blocks:
        new_lines += [block, ""]
    return "\n".join(lines[: section.heading + 1] + new_lines + lines[section.end :])


def written_text(body: str, name: str) -> str:
    """What people wrote in a section: no template guidance, no generated block."""
    return visible_text(_BLOCK.sub("", section_text(body, name) or ""))


# --- generated blocks ----------------------------------------------------------------------


_BLOCK = re.compile(
    r"<!-- runbook:(?P<name>[\w-]+) \(generated by runbook[^\n]*?-->\n"
    r".*?<!-- /runbook:(?P=name) -->",
    re.DOTALL,
)
MARKER_PREFIXES = ("<!-- runbook:", "<!-- /runbook:")
"""How a generated block's marker lines begin: a report section's text may not have such a line."""


def block_markers(name: str) -> tuple[str, str]:
    return (
        f"<!-- runbook:{name} (generated by runbook from the front matter; do not edit) -->",
        f"<!-- /runbook:{name} -->",
    )


def _block_span(body: str, name: str) -> tuple[int, int] | None:
    """Where the block's content starts and its end marker begins. Markers count only as whole
    lines, so a timeline entry or a table cell that quotes one cannot move a block."""
    begin, end = block_markers(name)
    text = "\n" + body + "\n"
    start = text.find(f"\n{begin}\n")
    if start == -1:
        return None
    stop = text.find(f"\n{end}\n", start + len(begin) + 1)
    if stop == -1:
        return None
    return start + len(begin) + 1, stop  # in body's indexes: text has one extra leading "\n"


def read_block(body: str, name: str) -> str | None:
    span = _block_span(body, name)
    return None if span is None else body[span[0] : span[1]]


def write_block(body: str, name: str, content: str) -> str:
    """Regenerate a block in place; a body without the block is returned unchanged."""
    span = _block_span(body, name)
    return body if span is None else body[: span[0]] + content + body[span[1] :]


def has_marker(body: str, name: str) -> bool:
    """Whether either of the block's markers is a line of the body (a damaged block has one)."""
    markers = block_markers(name)
    return any(line in markers for line in body.split("\n"))


def insert_block(body: str, name: str, content: str, before_line: int) -> str:
    """A new block (markers and content) before body line `before_line`, set off by blank lines."""
    begin, end = block_markers(name)
    lines = body.split("\n")
    block = ["", begin, *content.rstrip("\n").split("\n"), end]
    if before_line < len(lines) and lines[before_line].strip():
        block.append("")
    return "\n".join(lines[:before_line] + block + lines[before_line:])


def set_title_line(body: str, title_line: str) -> str:
    lines = body.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("# "):
            lines[index] = title_line
            return "\n".join(lines)
    return body


def title_line_of(body: str) -> str | None:
    return next((line for line in body.split("\n") if line.startswith("# ")), None)


# --- timeline --------------------------------------------------------------------------------


def format_entry(entry: Entry) -> list[str]:
    """One entry as lines: the first carries time and author; further lines go in a code fence
    inside the list item, longer than any run of backticks in them, so that rendered (GitHub,
    CommonMark) they show line for line and nothing in them becomes a heading, a rule or a
    section; and runbook reads them back exactly."""
    first, *rest = entry.text.split("\n")
    stamp = entry.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    head = f"- {stamp}{ENTRY_SEPARATOR}{entry.author}{ENTRY_SEPARATOR}{first}"
    if not rest:
        return [head]
    longest = max((len(run) for run in re.findall(r"`+", "\n".join(rest))), default=0)
    fence = CONTINUATION + "`" * max(3, longest + 1)
    return [head, fence, *(CONTINUATION + line if line else "" for line in rest), fence]


def entry_end(lines: list[str], index: int, limit: int) -> int:
    """One past the last line of the entry that starts at lines[index]: its fenced lines (as
    format_entry writes them) or, as older files have them, lines indented two spaces."""
    stop = index + 1
    if stop < limit and (fence := _ENTRY_FENCE.match(lines[stop])):
        close = stop + 1
        while close < limit and (not lines[close] or lines[close].startswith(CONTINUATION)):
            if _ENTRY_FENCE.match(lines[close].rstrip()) and len(lines[close].strip()) >= len(
                fence.group(1)
            ):
                return close + 1
            close += 1
    while stop < limit and lines[stop].startswith(CONTINUATION):
        stop += 1
    return stop


def _entry_text(first: str, lines: list[str]) -> str:
    """The entry's text from its first line's text and its further lines (fenced or indented)."""
    if len(lines) >= 3 and _ENTRY_FENCE.match(lines[0]) and _ENTRY_FENCE.match(lines[-1].rstrip()):
        inner = "\n".join(lines[1:-1])
        longest = max((len(run) for run in re.findall(r"`+", inner)), default=0)
        if len(lines[0].strip()) == max(3, longest + 1):  # the fence format_entry writes
            lines = lines[1:-1]
    return "\n".join([first, *(line[len(CONTINUATION) :] for line in lines)])


@lru_cache(maxsize=8192)
def parse_entry_line(line: str) -> Entry | None:
    """The entry a timeline line starts, or None. Cached (entries are immutable): a merge or a
    check reads the same lines of a long timeline several times."""
    match = _ENTRY.match(line)
    if not match:
        return None
    day, time_text, author, text = match.groups()
    if len(time_text) == 5:
        time_text += ":00"
    try:
        at = datetime.fromisoformat(f"{day}T{time_text}+00:00")
    except ValueError:
        return None
    return Entry(at, author, text)


@dataclass(frozen=True)
class _Span:
    """A timeline entry and the body lines it spans."""

    entry: Entry
    start: int
    end: int


def _timeline_spans(
    lines: list[str], section: Section, entries: bool = True
) -> tuple[list[_Span], list[tuple[int, str]]]:
    """The section's entries (none unless `entries`: check wants only the bad lines) and the
    lines that are not entries (index, text)."""
    spans: list[_Span] = []
    bad: list[tuple[int, str]] = []
    index = section.heading + 1
    in_comment = False
    while index < section.end:
        line = lines[index]
        if in_comment:
            in_comment = "-->" not in line
            index += 1
            continue
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            index += 1
            continue
        entry = parse_entry_line(line)
        if entry is None:
            bad.append((index, line))
            index += 1
            continue
        stop = entry_end(lines, index, section.end)
        if entries:
            text = _entry_text(entry.text, lines[index + 1 : stop])
            spans.append(_Span(Entry(entry.at, entry.author, text), index, stop))
        index = stop
    return spans, bad


def timeline_layout(body: str) -> tuple[Section, list[tuple[Entry, range]], list[int]] | None:
    """The Timeline section, each entry with the body lines it spans, and the indexes of its
    lines that are not entries; None when there is no Timeline section."""
    section = find_section(body, "Timeline")
    if section is None:
        return None
    spans, bad = _timeline_spans(body.split("\n"), section)
    return (
        section,
        [(span.entry, range(span.start, span.end)) for span in spans],
        [index for index, _ in bad],
    )


def timeline(doc: Document, entries: bool = True) -> tuple[list[Entry], list[BadLine]]:
    """Entries sorted by time (stable), and the lines that are not entries; without `entries`
    only the latter (what check reports), and faster."""
    lines = doc.body.split("\n")
    section = find_section(doc.body, "Timeline")
    if section is None:
        return [], []
    spans, bad = _timeline_spans(lines, section, entries)
    found = sorted((span.entry for span in spans), key=lambda entry: entry.at)
    return found, [BadLine(index + doc.body_offset + 1, text) for index, text in bad]


def add_entries(body: str, entries: list[Entry]) -> str:
    """Add many entries in one pass over the timeline (a capture of thousands stays linear): each
    goes after every existing entry at or before its time, new ones in time order."""
    if len(entries) < 2:
        return add_entry(body, entries[0]) if entries else body
    lines = body.split("\n")
    section = find_section(body, "Timeline")
    if section is None:
        raise DocumentError("the report has no '## Timeline' section; add one to add entries")
    spans, _ = _timeline_spans(lines, section)
    # latest[i]: the earliest time among spans i.. ; the last span at or before t is then the
    # last i with latest[i] <= t (a hand-sorted timeline may be out of order).
    earliest_from: list[datetime] = []
    for span in reversed(spans):
        at = span.entry.at
        earliest_from.append(min(at, earliest_from[-1]) if earliest_from else at)
    earliest_from.reverse()
    groups: dict[int, list[str]] = {}
    for entry in sorted(entries, key=lambda e: e.at):
        index = bisect.bisect_right(earliest_from, entry.at) - 1
        if index >= 0:
            position = spans[index].end
        elif spans:
            position = spans[0].start
        else:
            position = section.end
            while position > section.heading + 1 and not lines[position - 1].strip():
                position -= 1
        groups.setdefault(position, []).extend(format_entry(entry))
    result: list[str] = []
    previous = 0
    for position in sorted(groups):
        result += lines[previous:position] + groups[position]
        if position == section.end or (position < len(lines) and _HEADING.match(lines[position])):
            result.append("")
        previous = position
    return "\n".join(result + lines[previous:])


def add_entry(body: str, entry: Entry) -> str:
    """Insert the entry after every entry at or before its time; nothing else moves."""
    lines = body.split("\n")
    section = find_section(body, "Timeline")
    if section is None:
        raise DocumentError("the report has no '## Timeline' section; add one to add entries")
    spans, _ = _timeline_spans(lines, section)
    earlier = [span for span in spans if span.entry.at <= entry.at]
    if earlier:
        position = earlier[-1].end
    elif spans:
        position = spans[0].start
    else:
        position = section.end
        while position > section.heading + 1 and not lines[position - 1].strip():
            position -= 1
    new_lines = format_entry(entry)
    if position == section.end or (position < len(lines) and _HEADING.match(lines[position])):
        new_lines.append("")
    return "\n".join(lines[:position] + new_lines + lines[position:])
