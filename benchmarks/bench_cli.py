"""Median wall time of `runbook` against comparable tools, side by side in one run.

    python benchmarks/bench_cli.py [--runs N]

Measures, interleaved so machine noise hits both sides alike:
  runbook timeline add (writes, commits)   vs  towncrier create (only writes a file)
  runbook --help                           vs  python -c "import typer"
Targets (issue 2): timeline add <= 1.3x towncrier create; --help <= 1.4x the bare Typer import.
Needs `pip install -e .[bench]`. Prints a table; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed; run: pip install -e '.[bench]'")
    return found


def timed(command: list[str], cwd: Path, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - started


def git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    scratch = Path(tempfile.mkdtemp(prefix="runbook-bench-"))
    # Bytecode caching on, as in any pip install (pip precompiles); an editable install with
    # PYTHONDONTWRITEBYTECODE set would otherwise recompile runbook's modules on every run.
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "HOME": str(scratch),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    runbook, towncrier = tool("runbook"), tool("towncrier")

    incidents = scratch / "incidents"
    incidents.mkdir()
    git(incidents, "init", "--quiet", "--initial-branch=main", env=env)
    git(incidents, "commit", "--quiet", "--allow-empty", "-m", "start", env=env)
    subprocess.run([runbook, "init"], cwd=incidents, env=env, check=True, capture_output=True)
    subprocess.run(
        [runbook, "declare", "Bench", "-s", "SEV-1", "--service", "patient-web"],
        cwd=incidents,
        env=env,
        check=True,
        capture_output=True,
    )

    news = scratch / "news"
    (news / "changes").mkdir(parents=True)
    (news / "pyproject.toml").write_text('[tool.towncrier]\ndirectory = "changes"\n')
    git(news, "init", "--quiet", env=env)

    pairs = {
        "timeline add vs towncrier create": (
            lambda n: timed([runbook, "timeline", "add", f"benchmark entry {n}"], incidents, env),
            lambda n: timed(
                [towncrier, "create", f"{n}.feature", "-c", f"benchmark entry {n}"], news, env
            ),
            1.3,
        ),
        "--help vs import typer": (
            lambda n: timed([runbook, "--help"], incidents, env),
            lambda n: timed([sys.executable, "-c", "import typer"], incidents, env),
            1.4,
        ),
    }
    failed = False
    print(f"{'measure':36} {'runbook':>10} {'baseline':>10} {'ratio':>7} {'target':>7}")
    for name, (ours, theirs, target) in pairs.items():
        ours(10_000), theirs(10_000)  # warm the file cache
        mine, base = [], []
        for n in range(runs):
            mine.append(ours(n))
            base.append(theirs(n))
        ratio = statistics.median(mine) / statistics.median(base)
        failed |= ratio > target
        print(
            f"{name:36} {statistics.median(mine) * 1000:8.1f}ms "
            f"{statistics.median(base) * 1000:8.1f}ms "
            f"{ratio:7.2f} {target:7.1f}{'  MISSED' if ratio > target else ''}"
        )
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
