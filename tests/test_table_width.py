"""`runbook list` in a pipe at 80 and 120 columns (COLUMNS), with long and CJK text: every
column is there, nothing runs past the width, and Commander and Duration stay readable."""

from __future__ import annotations

import os
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
        "予約システムの障害により患者が予約できない状態が続いている",
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
    titles = "".join(row[4].strip() for row in cells if len(row) == 8)
    assert "予約システムの障害により患者が予約できない状態が続いている" in titles


def test_wide_output_keeps_the_full_header(crowded: Runbook) -> None:
    assert "Severity" in listed(crowded, 120)[0]
