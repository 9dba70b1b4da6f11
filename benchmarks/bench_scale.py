"""Read commands at scale, as ratios against a naive python-frontmatter parse, in one run.

    python benchmarks/bench_scale.py [--incidents 10000]

Generates the incidents by copying one tool-written incident file under new ids and dates
(so every file is valid), then times:
  naive            python-frontmatter.load() of every incident file
  list --json      first (cold cache) and second run           target: second <= 0.5x naive
  metrics --json   second run                                  target: <= 0.5x naive
  check --all      (every rule and the sensitive-data guard): first (cold cache) and second
                   run                                         target: second <= 1x naive
  show -i N        one incident
  site --out DIR   the whole static site                      target: under 10 s (absolute)
Wall seconds and CPU seconds (user + system of the command and its workers) are printed: on a
shared machine the load stretches wall time, so compare CPU too. `--only check` runs the naive
parse and the commands whose label starts with the given words. Needs `pip install -e .[bench]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from scratch import scratch as temporary

NAIVE = (
    "import frontmatter, pathlib, sys\nfor p in pathlib.Path(sys.argv[1]).glob('*.md'): "
    "frontmatter.load(p)\n"
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--only", default="", help="run only the commands starting with this")
    arguments = parser.parse_args()
    count, only = arguments.incidents, arguments.only
    scratch, env = temporary("runbook-bench-check-")
    runbook = str(Path(sys.executable).with_name("runbook"))
    subprocess.run(["git", "init", "-q", str(scratch / "repo")], check=True)
    repo = scratch / "repo"
    project = Path(__file__).resolve().parents[1]
    template = (project / "docs/runbooks/incidents/2026-11-10-incident-1.md").read_text()
    folder = repo / "docs/runbooks/incidents"
    folder.mkdir(parents=True)
    day = date(2020, 1, 1)
    for n in range(1, count + 1):
        started = day + timedelta(days=n % 2000)
        text = template.replace("id: 1\n", f"id: {n}\n", 1).replace(
            "2026-11-10", started.isoformat()
        )
        text = text.replace("2026-11-11", (started + timedelta(days=1)).isoformat()).replace(
            "2026-11-12", (started + timedelta(days=2)).isoformat()
        )
        text = text.replace("# Incident 1 –", f"# Incident {n} –", 1)
        (folder / f"{started.isoformat()}-incident-{n}.md").write_text(text)

    import resource

    cpu: dict[str, float] = {}

    def timed(command: list[str], label: str) -> tuple[float, subprocess.CompletedProcess]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[label] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return time.perf_counter() - started, result

    naive_label = "naive python-frontmatter parse"
    naive, _ = timed([sys.executable, "-c", NAIVE, str(folder)], naive_label)
    rows = [(naive_label, naive, None)]
    for label, command, target in (
        ("list --json (cold cache)", [runbook, "list", "--json"], None),
        ("list --json (second run)", [runbook, "list", "--json"], 0.5),
        ("metrics --json (second run)", [runbook, "metrics", "--json"], 0.5),
        ("check --all (cold cache)", [runbook, "check", "--all"], None),
        ("check --all (second run)", [runbook, "check", "--all"], 1.0),
        (f"show -i {count // 2}", [runbook, "show", "-i", str(count // 2)], None),
        ("site --out DIR (seconds, < 10)", [runbook, "site", "--out", str(scratch / "site")], None),
    ):
        if only and not label.startswith(only):
            continue
        seconds, result = timed(command, label)
        if result.returncode:
            sys.exit(f"{label} failed: {result.stderr.strip()[:300]}")
        rows.append((label, seconds, target))
    missed = False
    print(f"{count} incidents")
    print(f"{'measure':32} {'seconds':>8} {'x naive':>8} {'CPU s':>7} {'x naive':>8} {'target':>7}")
    for label, seconds, target in rows:
        ratio, cpu_ratio = seconds / naive, cpu[label] / cpu[naive_label]
        missed |= bool(target and ratio > target) or (label.startswith("site") and seconds > 10)
        flag = "  MISSED" if target and ratio > target else ""
        print(
            f"{label:32} {seconds:8.2f} {ratio:8.2f} {cpu[label]:7.2f} {cpu_ratio:8.2f} "
            f"{target or '':>7}{flag}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
