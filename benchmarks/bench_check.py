"""`runbook check --all` over many generated incidents, against a naive python-frontmatter parse.

    python benchmarks/bench_check.py [--incidents 10000]

Generates the incidents by copying one tool-written incident file under new ids and dates
(so every file is valid and resolved), then times, in one run:
  naive   python-frontmatter.load() of every incident file (the floor any tool pays to read them)
  check   runbook check --all
Needs `pip install -e .[bench]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

NAIVE = "import frontmatter, pathlib, sys\nfor p in pathlib.Path(sys.argv[1]).glob('*.md'): frontmatter.load(p)\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=10_000)
    count = parser.parse_args().incidents
    scratch = Path(tempfile.mkdtemp(prefix="runbook-bench-check-"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="b@example.invalid", GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="b@example.invalid", HOME=str(scratch))
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
        text = template.replace("id: 1\n", f"id: {n}\n", 1).replace("2026-11-10", started.isoformat())
        text = text.replace("2026-11-11", (started + timedelta(days=1)).isoformat()).replace("2026-11-12", (started + timedelta(days=2)).isoformat())
        text = text.replace("# Incident 1 –", f"# Incident {n} –", 1)
        (folder / f"{started.isoformat()}-incident-{n}.md").write_text(text)

    def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess]:
        started = time.perf_counter()
        result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
        return time.perf_counter() - started, result

    naive, _ = timed([sys.executable, "-c", NAIVE, str(folder)])
    check, result = timed([runbook, "check", "--all"])
    print(f"{count} incidents: naive frontmatter parse {naive:.2f}s, runbook check --all {check:.2f}s ({check / naive:.2f}x); exit {result.returncode}")
    print(result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr.strip()[:300])
    return 0


if __name__ == "__main__":
    sys.exit(main())
