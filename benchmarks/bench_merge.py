"""The merge driver on a 1,000-entry incident: time per merge.

    python benchmarks/bench_merge.py [--entries 1000] [--runs 21]

Base: the project's tool-written closed SEV-1 with ENTRIES timeline entries. Ours adds 20 entries
and writes the Root Cause; theirs adds 20 entries, changes the title and adds an unknown
section. Times (median of RUNS):
  merge()         the pure merge by meaning, in process (what the driver computes)
  driver          `python -m runbook_cli merge-driver O A B P` as git runs it (start-up included)
  git merge       a real `git merge` of two branches through the registered driver
  git merge-file  git's own line merge of the same three files (the baseline; it conflicts)
  --version       the interpreter and CLI start-up alone, for comparison
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from scratch import scratch as temporary

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE = PROJECT / "docs/runbooks/incidents/2026-11-10-incident-1.md"


def entries(count: int, start: datetime, author: str) -> str:
    return "".join(
        f"- {(start + timedelta(seconds=7 * n)):%Y-%m-%d %H:%M:%S} UTC — {author} — step {n}: "
        "checked the pool, the queue depth and the error rate\n"
        for n in range(count)
    )


def sides(count: int) -> tuple[str, str, str]:
    text = SAMPLE.read_text(encoding="utf-8")
    at = text.index("\n## Root Cause")
    base = (
        text[:at].rstrip("\n") + "\n" + entries(count, datetime(2026, 11, 9), "Bench") + text[at:]
    )
    at = base.index("\n## Root Cause")
    ours = base[:at] + entries(20, datetime(2026, 11, 12), "Ours") + base[at:]
    ours = ours.replace("## Root Cause\n", "## Root Cause\n\nOurs: the pool was too small.\n", 1)
    theirs = base[:at] + entries(20, datetime(2026, 11, 12, 1), "Theirs") + base[at:]
    title = next(line for line in theirs.split("\n") if line.startswith("title: "))
    theirs = theirs.replace(title, title + " (EU)", 1) + "\n## Lessons Learned\n\nAlert earlier.\n"
    return base, ours, theirs


def median_ms(action, runs: int, before=None) -> float:
    times = []
    for _ in range(runs):
        if before:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from runbook_cli.domain import config, document, merge

    base, ours, theirs = sides(args.entries)
    settings = config.defaults()
    merged = merge.merge(base, ours, theirs, settings)
    assert not merged.conflicts and merged.text.count(" UTC — ") >= args.entries + 40

    def cold() -> None:  # as in the driver's fresh process: nothing cached yet
        document.parse_entry_line.cache_clear()
        document.sections.cache_clear()

    results = {
        "merge()": median_ms(lambda: merge.merge(base, ours, theirs, settings), args.runs, cold)
    }

    scratch, env = temporary("runbook-bench-merge-")

    def run(*command: str, cwd: Path = scratch, check: bool = True) -> None:
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=check)

    files = {name: scratch / name for name in ("base", "ours", "theirs", "work")}
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        files[name].write_text(text, encoding="utf-8")

    def driver() -> None:
        shutil.copy(files["ours"], files["work"])
        run(sys.executable, "-m", "runbook_cli", "merge-driver", "base", "work", "theirs", "x.md")

    def line_merge() -> None:
        shutil.copy(files["ours"], files["work"])
        run("git", "merge-file", "work", "base", "theirs", check=False)

    results["driver"] = median_ms(driver, args.runs)
    results["git merge-file"] = median_ms(line_merge, args.runs)

    repo = scratch / "repo"
    run("git", "init", "-q", "-b", "main", str(repo))
    run(
        sys.executable, "-m", "runbook_cli", "--repo", str(repo), "init", "--no-commit", check=False
    )
    run("git", "config", "merge.runbook.driver", _driver_command(), cwd=repo)
    path = repo / "docs/runbooks/incidents" / SAMPLE.name
    path.parent.mkdir(parents=True, exist_ok=True)
    (repo / ".gitattributes").write_text("docs/runbooks/incidents/*.md merge=runbook\n")
    for branch, text in (("main", base), ("theirs", theirs), ("ours", ours)):
        if branch != "main":
            run("git", "checkout", "-q", "-B", branch, "main", cwd=repo)
        path.write_text(text, encoding="utf-8")
        run("git", "add", "-A", cwd=repo)
        run("git", "commit", "-qm", branch, cwd=repo)

    ours_commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()

    def git_merge() -> None:
        run("git", "merge", "-q", "--no-edit", "theirs", cwd=repo)

    def reset() -> None:
        run("git", "reset", "-q", "--hard", ours_commit, cwd=repo)

    results["git merge"] = median_ms(git_merge, args.runs, before=reset)
    results["python -m runbook_cli --version"] = median_ms(
        lambda: run(sys.executable, "-m", "runbook_cli", "--version"), args.runs
    )
    merged_text = path.read_text(encoding="utf-8")
    assert "<<<<<<<" not in merged_text and "Alert earlier." in merged_text, "not merged"

    print(f"{args.entries}-entry incident, median of {args.runs} runs")
    for name, value in results.items():
        print(f"{name:32} {value:8.1f} ms")
    return 0


def _driver_command() -> str:
    from runbook_cli.adapters.gitrepo import merge_driver_command

    return merge_driver_command()


if __name__ == "__main__":
    sys.exit(main())
