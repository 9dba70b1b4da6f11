"""The house rules, checked by the suite so `python -m pytest` (CI's command) enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not shutil.which("lint-imports"), reason="import-linter missing")
def test_imports_point_down_the_layers() -> None:
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_finds_nothing_and_the_tree_is_formatted() -> None:
    lint = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    formatting = run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")
    assert formatting.returncode == 0, formatting.stdout[-3000:]
