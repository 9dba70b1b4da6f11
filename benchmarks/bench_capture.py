"""`runbook capture slack --all` of a busy war room: 5,000 messages, threads, cursor paging.

    python benchmarks/bench_capture.py [--messages 5000] [--runs 3]

Starts the demo's Slack Web API fake (runbook_cli.demo_fakes: documented paging by cursor,
threads through conversations.replies, users.info) on 127.0.0.1 in this process, declares an
incident in a scratch repository, and times the installed `runbook capture slack --all`: the
first capture of every message (a fresh copy of the repository each run), then a follow-up run
that finds 50 new messages among the 5,000 already captured (what each `--follow` poll does).
Prints each run and the median.
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

from runbook_cli import demo_fakes

BIN = Path(sys.executable).parent
USERS = {
    f"U{n}": name
    for n, name in enumerate(
        ["Priya Raman", "Tomás Ortega", "Ana Silva", "Kenji Mori", "Lea Roth", "Sam Okafor"], 1
    )
}
TEXTS = [
    "<@U2> pool on db-3 is at 97%, p95 840 ms, looking at the retry settings",
    "rolled back appointment-service to the previous release, watching <#C0OPS|ops>",
    "graph: <https://grafana.example.com/d/booking?from=now-1h|booking 502s> still climbing",
    "Status page updated; next update in 30 minutes &amp; stakeholders told",
    "confirmed: error rate back under 1% on patient-web",
    "who owns the mobile client retry policy? <!here>",
]


def fill(channel: demo_fakes.SlackChannel, count: int, start: float, first: int = 0) -> None:
    """`count` messages from `start` on, one every 2 s; every 10th top-level message has a
    thread of 4 replies (so 5,000 messages are 3,571 top-level ones and 1,429 replies)."""
    made, n = 0, first
    while made < count:
        at = start + 2 * n
        user = f"U{n % len(USERS) + 1}"
        parent = channel.say(at, f"{TEXTS[n % len(TEXTS)]} (step {n})", user=user)
        made += 1
        if n % 10 == 0:
            for r in range(4):
                if made == count:
                    break
                channel.reply(parent, at + 0.1 * (r + 1), f"ack {r} on step {n}", user="U1")
                made += 1
        n += 1


def runbook(repo: Path, env: dict, *args: str) -> str:
    return subprocess.run(
        [str(BIN / "runbook"), "--repo", str(repo), *args],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    channel = demo_fakes.SlackChannel()
    channel.users = USERS
    with demo_fakes.serving(channel) as url, tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "RUNBOOK_SLACK_API_URL": url, "RUNBOOK_SLACK_BOT_TOKEN": channel.token}
        env |= {"GIT_AUTHOR_NAME": "Avery", "GIT_AUTHOR_EMAIL": "a@example.invalid"}
        env |= {"GIT_COMMITTER_NAME": "Avery", "GIT_COMMITTER_EMAIL": "a@example.invalid"}
        base = Path(scratch) / "base"
        subprocess.run(["git", "init", "-q", str(base)], check=True, env=env)
        runbook(base, env, "init")
        runbook(
            base,
            env,
            "declare",
            "Booking fails",
            "--severity",
            "SEV-1",
            "--service",
            "appointment-service",
            "--started-at",
            "4h ago",
        )
        start = time.time() - 3.9 * 3600
        fill(channel, args.messages, start)
        capture = ("capture", "slack", "--channel", channel.channel, "--all", "-i", "1")
        firsts, follows = [], []
        for run in range(args.runs):
            repo = Path(scratch) / f"run{run}"
            shutil.copytree(base, repo, symlinks=True)
            began = time.perf_counter()
            said = runbook(repo, env, *capture)
            firsts.append(time.perf_counter() - began)
            assert f"captured {args.messages} entries" in said, said
            kept = list(channel.messages), {k: list(v) for k, v in channel.threads.items()}
            fill(channel, 50, start, first=args.messages)
            began = time.perf_counter()
            said = runbook(repo, env, *capture)
            follows.append(time.perf_counter() - began)
            assert "captured 50 entries" in said, said
            channel.messages, channel.threads = kept[0], kept[1]
            print(f"run {run + 1}: first capture {firsts[-1]:.2f} s, next poll {follows[-1]:.2f} s")
        first, poll = statistics.median(firsts), statistics.median(follows)
        print(
            f"capture slack --all of {args.messages} messages: median {first:.2f} s; "
            f"a poll adding 50 to them: median {poll:.2f} s"
        )


if __name__ == "__main__":
    main()
