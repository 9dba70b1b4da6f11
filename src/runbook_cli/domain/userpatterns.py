"""Regular expressions a repository supplies (sensitive_data.extra, medical_record_number): run
in RE2, a linear-time engine, so no pattern can make a scan take longer than the text is long.
Patterns RE2 cannot run in linear time (backreferences, lookaround) are refused, as are very
long ones. Pure."""

from __future__ import annotations

from typing import Protocol

from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.errors import MalformedFileError

MAX_PATTERN_CHARS = 500
MAX_PROGRAM_BYTES = 8 << 20
"""RE2's memory budget for one compiled pattern: a pattern needing more is refused."""


class Pattern(Protocol):
    def finditer(self, text: str): ...


def compile_user(name: str, pattern: str, where: str = CONFIG_PATH) -> Pattern:
    """A user's pattern, compiled multi-line (as the built-in ones are), or MalformedFileError
    naming the pattern and why it cannot be used."""
    import re2  # ~3 ms: only a repository with patterns of its own pays it

    def refuse(why: str) -> MalformedFileError:
        return MalformedFileError(
            f"{where}: the sensitive-data pattern {name!r} {why}; fix it (patterns run in "
            "linear time, so backreferences and lookaround are not available)."
        )

    if len(pattern) > MAX_PATTERN_CHARS:
        raise refuse(f"is longer than {MAX_PATTERN_CHARS} characters")
    options = re2.Options()
    options.log_errors = False
    options.max_mem = MAX_PROGRAM_BYTES
    try:
        return re2.compile(f"(?m){pattern}", options)
    except re2.error as error:
        raise refuse(f"cannot be used: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    text = error.args[0] if error.args else str(error)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    if "invalid escape sequence: \\" in text and text[-1:].isdigit():
        return f"uses a backreference ({text})"
    if "invalid perl operator: (?=" in text or "(?!" in text or "(?<" in text:
        return f"uses lookaround ({text})"
    return text
