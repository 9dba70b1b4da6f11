"""Median wall time of `runbook` against comparable tools, side by side in one run.

    python benchmarks/bench_cli.py [--runs N]

Measures, interleaved so machine noise hits both sides alike:
  runbook timeline add (writes, commits)   vs  towncrier create (only writes a file)
  runbook --help                           vs  python -c "import typer"
Targets (issue 17): timeline add <= 1.0x towncrier create; --help <= 1.2x the bare Typer import.
Wall time is the target; CPU time (user + system of the process and its children, e.g. git)
is printed too, since on a loaded machine it varies less than wall time.
Needs `pip install -e .[bench]`. Prints a table; exit 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch as temporary

BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed; run: pip install -e '.[bench]'")
    return found


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and everything it ran)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def git(cwd: Path, *args: str, env: dict) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    scratch, env = temporary("runbook-bench-")
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
            1.0,
        ),
        "--help vs import typer": (
            lambda n: timed([runbook, "--help"], incidents, env),
            lambda n: timed([sys.executable, "-c", "import typer"], incidents, env),
            1.2,
        ),
    }
    failed = False
    print(
        f"{'measure':34} {'runbook':>9} {'baseline':>9} {'ratio':>6} {'target':>6}"
        f" {'CPU ms':>7} {'CPU base':>8} {'ratio':>6}"
    )
    for name, (ours, theirs, target) in pairs.items():
        ours(10_000), theirs(10_000)  # warm the file cache
        mine, base = [], []
        for n in range(runs):
            mine.append(ours(n))
            base.append(theirs(n))
        wall, wall_base = (statistics.median(t[0] for t in runs_) for runs_ in (mine, base))
        cpu, cpu_base = (statistics.median(t[1] for t in runs_) for runs_ in (mine, base))
        ratio = wall / wall_base
        failed |= ratio > target
        print(
            f"{name:34} {wall * 1000:7.1f}ms {wall_base * 1000:7.1f}ms {ratio:6.2f} {target:6.1f}"
            f" {cpu * 1000:7.1f} {cpu_base * 1000:8.1f} {cpu / cpu_base:6.2f}"
            + ("  MISSED" if ratio > target else "")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
