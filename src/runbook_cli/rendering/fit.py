"""Text and tables that fit the terminal.

Text wraps where Unicode's line breaking algorithm (UAX #14, as ICU implements it) allows a
break: between Latin words and after a hyphen, between ideographs and kana, but never before
closing punctuation (、。」) nor after an opening bracket (「). Only a piece wider than its
column is folded, between characters. Widths are terminal cells (rich's `cell_len`: an
ideograph takes two). A table's columns keep their natural width while the table fits; when
it does not, the columns named give up room one after another, each down to its widest piece
that cannot break.

ICU (icu4py, ~4 ms to import) loads when text is first cut, so output that wraps no text
(`metrics`, `audit`, an empty list) never pays it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cached_property

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style, StyleType
from rich.table import Table

_ROOT = ""  # ICU's root rules: the same breaks whatever the responder's language


def pieces(paragraph: str) -> list[str]:
    """The paragraph cut at every line-break opportunity; each piece keeps its trailing
    spaces."""
    from icu4py.breakers import LineBreaker  # see the module docstring

    return list(LineBreaker(paragraph, _ROOT)) if paragraph else []


def lines(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (a single character wider than that stands
    alone), broken at line-break opportunities; its own newlines are kept."""
    width = max(width, 1)
    result: list[str] = []
    for paragraph in text.split("\n"):
        result += _wrap(pieces(paragraph), width)
    return result


def _wrap(units: Iterable[str], width: int) -> list[str]:
    done: list[str] = []
    line, used = "", 0  # `used` counts the line's trailing spaces: a piece may follow them
    for unit in units:
        body = unit.rstrip(" ")
        size = cell_len(body)
        if line and used + size > width:
            done.append(line.rstrip(" "))
            line, used = "", 0
        if size > width:  # a piece wider than the column: folded between characters
            *whole, last = _fold(body, width)
            done += whole
            unit = last + unit[len(body) :]
        line += unit
        used += cell_len(unit)
    done.append(line.rstrip(" "))
    return done


def _fold(piece: str, width: int) -> list[str]:
    """A piece cut into lines of at most `width` cells between characters (grapheme
    clusters: an accent or an emoji's modifier stays with its letter)."""
    from icu4py.breakers import CharacterBreaker  # see the module docstring

    folded, line = [], ""
    for character in CharacterBreaker(piece, _ROOT):
        if line and cell_len(line + character) > width:
            folded.append(line)
            line = ""
        line += character
    return [*folded, line]


class Wrapped:
    """A rich renderable: plain text wrapped by `lines` at the width it is given; rich's
    tables measure it by its widest unbreakable piece and its widest line."""

    def __init__(self, text: str, style: StyleType = ""):
        self.text = text
        self.style = style

    @cached_property
    def _widths(self) -> tuple[int, int]:
        paragraphs = self.text.split("\n")
        narrowest = max(
            (cell_len(unit.rstrip(" ")) for p in paragraphs for unit in pieces(p)), default=0
        )
        widest = max(cell_len(p.rstrip(" ")) for p in paragraphs)
        return narrowest, widest

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        narrowest, widest = self._widths
        return Measurement(narrowest, widest).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        style = console.get_style(self.style) if self.style else Style.null()
        for line in lines(self.text, options.max_width):
            yield Segment(line, style)
            yield Segment.line()


Step = int | tuple[int, int]
"""A column that gives up room: its index, down to its widest unbreakable piece; or (index,
floor): down to `floor` cells for now (a later step may take it further)."""


def widths(
    console: Console, rows: Sequence[Sequence[RenderableType]], room: int, order: Sequence[Step]
) -> list[int]:
    """Each column's width (rows include the header): its widest cell while the columns fit in
    `room` cells; past that, the steps of `order` narrow columns one after another. Columns
    not in `order` keep their width."""
    options = console.options
    columns = list(zip(*rows, strict=True))
    measured = [[Measurement.get(console, options, cell) for cell in cells] for cells in columns]
    result = [max(m.maximum for m in cells) for cells in measured]
    excess = sum(result) - room
    for step in order:
        if excess <= 0:
            break
        index, floor = step if isinstance(step, tuple) else (step, 0)
        least = max(floor, *(m.minimum for m in measured[index]))
        given = min(excess, max(result[index] - least, 0))
        result[index] -= given
        excess -= given
    return result


def fitted(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[RenderableType]],
    order: Sequence[Step],
    **options,
) -> Table:
    """A table whose columns get `widths` within the console's width (less the rules between
    columns and their padding)."""
    table = Table(**options)
    _, right, _, left = table.padding
    count = len(headers)
    rules = (count - 1 + (2 if table.show_edge else 0)) if table.box else 0
    room = console.width - rules - count * (left + right)
    for header, width in zip(headers, widths(console, [headers, *rows], room, order), strict=True):
        table.add_column(header, width=width, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table
