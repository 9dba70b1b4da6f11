"""`runbook audit` over a long history: time against the number of commits.

    python benchmarks/bench_audit.py [--commits 3000]

Builds a scratch repository with one incident whose timeline grows by one entry per commit
(written with `git fast-import`, each commit shaped like the tool's own), then times
`runbook audit --json`. Target (issue 17): 3,000 commits in under 10 s, linear in history.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def build(repo: Path, commits: int, env: dict) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    runbook = [str(BIN / "runbook"), "--repo", str(repo)]
    subprocess.run([*runbook, "init"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        [*runbook, "declare", "Slow bookings", "--severity", "SEV-2", "--service", "patient-web"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    relative = path.relative_to(repo).as_posix()
    text = path.read_text()
    head, tail = text.split("\n## Root Cause", 1)
    branch = subprocess.run(
        ["git", "symbolic-ref", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    tip = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    stream = []
    for number in range(commits):
        minute = f"{number // 60 % 24:02d}:{number % 60:02d}"
        head += f"- 2026-11-27 {minute}:00 UTC — Avery — step {number}: checked the pool\n"
        blob = (head + "\n## Root Cause" + tail).encode()
        message = f"incident 1: timeline: step {number}\n\nIncident-Id: 1\n".encode()
        stream.append(
            f"commit {branch}\n".encode()
            + f"committer Avery <a@example.invalid> {1_790_000_000 + number} +0000\n".encode()
            + f"data {len(message)}\n".encode()
            + message
            + (f"from {tip}\n".encode() if number == 0 else b"")
            + f"M 100644 inline {relative}\ndata {len(blob)}\n".encode()
            + blob
            + b"\n"
        )
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True, env=env
    )
    subprocess.run(["git", "reset", "-q", "--hard"], cwd=repo, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=3000)
    args = parser.parse_args()
    env = {**os.environ, "GIT_AUTHOR_NAME": "Avery", "GIT_AUTHOR_EMAIL": "a@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "Avery", "GIT_COMMITTER_EMAIL": "a@example.invalid"}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Path(scratch) / "repo"
        build(repo, args.commits, env)
        started = time.perf_counter()
        result = subprocess.run(
            [str(BIN / "runbook"), "--repo", str(repo), "audit", "--json"],
            capture_output=True,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - started
        print(f"audit of {args.commits} commits: {seconds:.2f} s ({len(result.stdout)} bytes)")


if __name__ == "__main__":
    main()
