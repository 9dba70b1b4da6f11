"""Spreading per-file work over the machine's cores, results in input order (so output stays
deterministic). Small jobs run in this process: starting workers costs more than it saves."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_files(
    work: Callable[[Item], Result],
    items: list[Item],
    *,
    setup: Callable[..., None],
    setup_args: tuple = (),
    threshold: int = 300,
    progress: Callable[[int], None] = lambda _: None,
) -> Iterator[Result]:
    """`work` over `items`; `setup(*setup_args)` runs once in each worker (or here) first."""
    if len(items) > threshold and (os.cpu_count() or 1) > 1:
        # ~8 ms (multiprocessing): only a job big enough to start workers pays it
        from concurrent.futures import ProcessPoolExecutor

        # 32 chunks a core: the last one to finish leaves the other cores idle only briefly
        chunk = max(16, len(items) // (32 * (os.cpu_count() or 1)))
        with ProcessPoolExecutor(initializer=setup, initargs=setup_args) as pool:
            for result in pool.map(work, items, chunksize=chunk):
                progress(1)
                yield result
        return
    setup(*setup_args)
    for item in items:
        progress(1)
        yield work(item)
