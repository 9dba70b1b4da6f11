"""The sensitive-data guard on 1 MB of hostile text: each shape that makes a naive scan slow
(long runs of letters, digits, '@', token prefixes, invisible characters...) and the hostile
corpus itself, repeated. Target: every 1 MB scanned in under 1 s of CPU time (linear in the
length). CPU time is the figure compared, since a shared machine's load stretches wall time;
both are printed.

    python benchmarks/bench_guard.py [--megabytes 1]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "adversarial"))

from corpus import BENIGN, HOSTILE, HOSTILE_SHAPES

from runbook_cli.domain.sensitive import Guard


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=1.0)
    size = int(parser.parse_args().megabytes * 1024 * 1024)
    guard = Guard({})
    shapes = dict(HOSTILE_SHAPES)
    shapes["hostile corpus, one per line"] = "\n".join(text for _, text in HOSTILE) + "\n"
    shapes["hostile corpus, one line"] = " ".join(text for _, text in HOSTILE) + " "
    shapes["benign timeline text"] = "\n".join(BENIGN) + "\n"
    slowest = 0.0
    print(f"{'shape':34} {'MB':>5} {'CPU s':>7} {'wall s':>7} {'findings':>9}")
    for name, unit in shapes.items():
        text = (unit * (size // len(unit) + 1))[:size]
        wall, cpu = time.perf_counter(), time.process_time()
        found = guard.scan(text)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        slowest = max(slowest, cpu)
        print(f"{name:34} {len(text) / 1048576:5.2f} {cpu:7.3f} {wall:7.3f} {len(found):9}")
    print(f"slowest: {slowest:.3f} s of CPU time (target < 1 s)")
    return 0 if slowest < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
