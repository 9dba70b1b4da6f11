"""Text that wraps at line-break opportunities (UAX #14 through ICU) and columns that give up
room in priority order: pure, no git."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from runbook_cli.rendering.fit import Wrapped, lines, widths

JAPANESE = (
    "予約システムの障害により、患者が予約できない状態が続いている。「再起動」を試みたが、"
    "改善しなかった。（原因は調査中）データベースの接続プールが枯渇している。"
)
CLOSING = "、。」）"  # never at the start of a line
OPENING = "「（"  # never at the end of one
LATIN = (
    "Rolled back appointment-service v2.31.4 after the "
    "connection-pool-exhaustion-alarm-for-the-primary-database-cluster fired"
)


def test_japanese_breaks_between_ideographs_never_before_closing_or_after_opening() -> None:
    for width in range(6, 41):
        wrapped = lines(JAPANESE, width)
        assert "".join(wrapped) == JAPANESE
        assert all(cell_len(line) <= width for line in wrapped)
        assert not any(line[0] in CLOSING for line in wrapped[1:]), (width, wrapped)
        assert not any(line[-1] in OPENING for line in wrapped), (width, wrapped)


def test_latin_words_whole_unless_wider_than_the_column() -> None:
    for width in range(8, 60):
        wrapped = lines(LATIN, width)
        assert all(cell_len(line) <= width for line in wrapped)
        for word in re.findall(r"[\w.]+", LATIN):  # a hyphen may end a line: the pieces stay
            if len(word) <= width:
                assert any(word in line for line in wrapped), (width, word, wrapped)
    assert lines("appointment-service", 13) == ["appointment-", "service"]
    assert lines("abcdefghij", 4) == ["abcd", "efgh", "ij"]  # folded only when it cannot fit


def test_own_newlines_stay_and_a_wide_character_never_splits() -> None:
    assert lines("first line\n\nthird", 40) == ["first line", "", "third"]
    assert lines("障害", 1) == ["障", "害"]  # one character wider than the column stands alone
    assert lines("e\u0301e\u0301e\u0301", 2) == ["e\u0301e\u0301", "e\u0301"]  # é stays whole


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("ab -、。「」障害予約x.1\n")), max_size=60),
    st.integers(min_value=2, max_value=24),
)
def test_every_line_fits_and_nothing_is_lost(text: str, width: int) -> None:
    wrapped = lines(text, width)
    assert all(cell_len(line) <= width for line in wrapped)
    assert "".join(wrapped).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_wrapped_measures_by_its_widest_unbreakable_piece() -> None:
    console = Console(width=80)
    cell = Wrapped("Alexandra Kowalczyk")
    measured = cell.__rich_measure__(console, console.options)
    assert (measured.minimum, measured.maximum) == (9, 19)


def test_columns_give_up_room_in_the_order_given() -> None:
    console = Console(width=200)
    rows = [
        ["ID", "Title", "Services", "Commander"],
        ["12", Wrapped("Bookings fail for most users"), Wrapped("a-service, b"), Text("Ann Lee")],
    ]
    assert widths(console, rows, 200, order=(2, 3, 1)) == [2, 28, 12, 9]  # it fits
    # 10 cells too many: Services gives what it can (down to "service,"), Commander has nothing
    # to give (its header), Title gives the rest
    assert widths(console, rows, 41, order=(2, 3, 1)) == [2, 22, 8, 9]
    # a floor: Title gives only down to 25 cells before Services is asked
    assert widths(console, rows, 45, order=((1, 25), 2)) == [2, 25, 9, 9]
