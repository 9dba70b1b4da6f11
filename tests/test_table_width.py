"""`runbook list` in a pipe at 80 and 120 columns (COLUMNS), with long and CJK text: every
column is there, nothing runs past the width, and Commander and Duration stay readable."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from helpers import Runbook
from rich.cells import cell_len

RUNBOOK = shutil.which("runbook")


def listed(runbook: Runbook, columns: int) -> list[str]:
    result = subprocess.run(
        [RUNBOOK, "--repo", str(runbook.repo), "list"],
        env={**os.environ, "COLUMNS": str(columns)},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout.splitlines()


@pytest.fixture
def crowded(declared: Runbook) -> Runbook:
    declared(
        "declare",
        "Bookings fail for most users in the EU region",
        "--severity", "SEV-1",
        "--service", "appointment-service",
        "--service", "patient-web",
        "--commander", "Alexandra Kowalczyk",
    )  # fmt: skip
    declared(
        "declare",
        "予約システムの障害により、患者が予約できない状態が続いている。「再起動」も効果なし",
        "--severity", "SEV-2",
        "--service", "doctor-hub",
        "--commander", "山田太郎",
    )  # fmt: skip
    return declared


@pytest.mark.parametrize("columns", [80, 120])
def test_every_column_fits_and_commander_and_duration_are_readable(
    crowded: Runbook, columns: int
) -> None:
    lines = listed(crowded, columns)
    assert all(cell_len(line.rstrip()) <= columns for line in lines), lines
    header = lines[0]
    for column in ("ID", "Date", "Status", "Title", "Services", "Commander", "Duration"):
        assert column in header
    text = "\n".join(lines)
    assert "Alexandra" in text and "Kowalczyk" in text  # wrapped at the space, never "Com/r"
    assert "山田太郎" in text
    assert text.count("00:") >= 3  # a duration on every incident
    cells = [line.split("│") for line in lines[2:]]
    titles = [row[4].strip() for row in cells if len(row) == 8]
    assert "予約システムの障害により、患者が予約できない状態が続いている。「再起動」も効果なし" in (
        "".join(titles)
    )
    assert not any(title and title[0] in "、。」" for title in titles)
    assert not any(title and title[-1] == "「" for title in titles)


def test_wide_output_keeps_the_full_header(crowded: Runbook) -> None:
    assert "Severity" in listed(crowded, 120)[0]


ENTRIES = (
    "予約システムの障害により、患者が予約できない状態が続いている。「再起動」を試みたが、"
    "改善しなかった。原因は調査中です。",
    "混在: appointment-service の deploy (v2.31.4) をロールバックした、効果なし。",
    "Rolled back appointment-service v2.31.4 after the "
    "connection-pool-exhaustion-alarm-for-the-primary-database-cluster fired repeatedly",
    # punctuation at every offset, so some falls where a column ends
    "".join("障" * n + "、「予約」。" for n in range(1, 12)),
)


def timeline_cells(output: str) -> list[str]:
    """The What column of `show`'s timeline, one string a printed line."""
    table = output.split("Timeline", 1)[1].split("\n\n", 1)[0]
    return [line.split("│")[2].strip() for line in table.splitlines() if "│" in line]


@pytest.mark.parametrize("columns", [80, 120])
def test_show_wraps_cjk_mixed_and_long_latin_at_line_break_opportunities(
    declared: Runbook, columns: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for text in ENTRIES:
        declared("timeline", "add", text)
    monkeypatch.setenv("COLUMNS", str(columns))
    output = declared("show").stdout
    assert all(cell_len(line) <= columns for line in output.splitlines())
    what = timeline_cells(output)
    joined = "".join(what).replace(" ", "")
    assert all(text.replace(" ", "") in joined for text in ENTRIES)  # nothing lost or cut off
    assert not any(line and line[0] in "、。」）-" for line in what)  # no line opens on these
    assert not any(line and line[-1] in "「（" for line in what)  # nor ends on an opening one
    for word in re.findall(r"[A-Za-z0-9.]+", " ".join(ENTRIES)):  # a hyphen may end a line
        assert any(word in line for line in what), word  # no word is cut


@pytest.mark.parametrize("columns", [80, 120])
def test_due_fits_and_every_item_is_whole(
    declared: Runbook, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    """The due view's What column wraps within the width: nothing is cut at the right edge."""
    monkeypatch.setenv("COLUMNS", str(columns))
    declared("declare", "Records visible", "-s", "SEV-0", "--service", "doctor-hub")
    lines = [line for line in declared("due").stdout.splitlines() if "│" in line or "┃" in line]
    assert max(cell_len(line) for line in lines) <= columns
    shown = "".join(line.split("│")[-1] for line in lines if "│" in line)
    for item in declared.json("due"):
        assert re.sub(r"\s", "", item["what"]) in re.sub(r"\s", "", shown), item["what"]
