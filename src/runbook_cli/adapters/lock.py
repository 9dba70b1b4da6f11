"""The repo-wide lock held around read -> write -> commit, so concurrent commands lose nothing.

It is a separate file under .git/ (a lock on the incident file itself stays on the replaced
inode after an atomic rename, and loses updates). It is an OS lock (flock), so a killed
process never leaves it held and the tool never has to delete a stale lock file.
Waiting is bounded; after a second the caller's `on_wait` is told, so it can say what it
waits for (this module prints nothing). (filelock would do the same but costs
~100 ms of imports on every command; fcntl costs nothing.)
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runbook_cli.errors import RepositoryError

_QUIET_WAIT_SECONDS = 1.0
_POLL_SECONDS = 0.005


@contextmanager
def repo_lock(
    path: Path, timeout: float, on_wait: Callable[[float], None] = lambda _: None
) -> Iterator[None]:
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise RepositoryError(
            f"cannot create the lock file {path}: {error.strerror}; check that the repository is "
            "writable."
        ) from None
    try:
        _acquire(descriptor, path, timeout, on_wait)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _acquire(descriptor: int, path: Path, timeout: float, on_wait: Callable[[float], None]) -> None:
    try:
        import fcntl  # POSIX only (Windows: msvcrt, below)
    except ImportError:  # Windows: no flock; fall back to msvcrt's byte-range lock
        _acquire_windows(descriptor, path, timeout)
        return
    started = time.monotonic()
    announced = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waited = time.monotonic() - started
        if waited >= timeout:
            raise RepositoryError(
                f"another runbook command has held {path} for {timeout:g}s; wait for it to finish "
                "and try again "
                "(the lock is released when that process exits)."
            )
        if not announced and waited >= _QUIET_WAIT_SECONDS:
            on_wait(timeout)
            announced = True
        time.sleep(_POLL_SECONDS)


def _acquire_windows(
    descriptor: int, path: Path, timeout: float
) -> None:  # pragma: no cover - not on CI
    import msvcrt  # Windows only

    deadline = time.monotonic() + timeout
    while True:
        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise RepositoryError(
                    f"another runbook command has held {path} for {timeout:g}s; try again."
                ) from None
            time.sleep(_POLL_SECONDS)
