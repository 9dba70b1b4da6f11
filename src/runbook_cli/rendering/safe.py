"""Output that text from files and git history cannot forge: every command's stdout and stderr
pass through `VisibleStream` (control characters shown as `\\uXXXX`). Rich, which must keep
writing its own colour codes, writes to the unfiltered stream through render.SafeConsole, which
makes the text of every segment visible first. Both reach the system through `WholeWrites`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from runbook_cli.domain.text import visible

PIECE = 2048
"""Characters written at a time: at most 8 KiB of UTF-8, what the stream's buffer holds."""


class WholeWrites:
    """A text stream whose writes reach the system whole, or fail with BrokenPipeError.

    Python's buffered writer hands a write larger than its buffer to the system in one call,
    and when the call writes only part of it (the reader went away, a signal came) it reports
    success and drops the rest: `list --json | head` exited 0 with its output cut. A large
    write goes through the buffer a piece at a time instead, whose flush writes until all is
    written or raises."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text) -> int:
        if len(text) <= PIECE:
            return self.stream.write(text)
        for start in range(0, len(text), PIECE):
            self.stream.write(text[start : start + PIECE])
            self.stream.flush()
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


class VisibleStream:
    """A text stream whose writes show control characters instead of running them."""

    def __init__(self, stream):
        self.unfiltered = WholeWrites(stream)

    def write(self, text) -> int:
        if isinstance(text, str):
            text = visible(text)
        return self.unfiltered.write(text)

    def __getattr__(self, name: str):
        if name == "buffer":  # no way around the filter through the binary stream
            raise AttributeError(name)
        return getattr(self.unfiltered, name)


@contextmanager
def visible_output() -> Iterator[None]:
    """For the length of a command, stdout and stderr show control characters visibly."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleStream(sys.stdout), VisibleStream(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def unfiltered(stream):
    return getattr(stream, "unfiltered", stream)
