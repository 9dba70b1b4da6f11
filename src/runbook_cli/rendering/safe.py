"""Output that text from files and git history cannot forge: every command's stdout and stderr
pass through `VisibleStream` (control characters shown as `\\uXXXX`). Rich, which must keep
writing its own colour codes, writes to the unfiltered stream through render.SafeConsole, which
makes the text of every segment visible first."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from runbook_cli.domain.text import visible


class VisibleStream:
    """A text stream whose writes show control characters instead of running them."""

    def __init__(self, stream):
        self.unfiltered = stream

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
