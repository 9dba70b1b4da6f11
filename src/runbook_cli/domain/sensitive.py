"""The sensitive-data guard: credentials and patient or personal data must not enter incident
files, which live forever in git history and are read in pull requests. Pure.

Findings name the kind of data and where it is, never the matched text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runbook_cli.domain.userpatterns import compile_user
from runbook_cli.errors import MalformedFileError

# name -> (what it is, for messages; pattern; words one of which must be in the text, lower-cased,
# before the pattern is worth running). Patterns start with a literal or a digit where they can:
# Python's regex engine then skips ahead in C, instead of trying the pattern at every position.
BUILT_IN: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "aws-access-key": ("an AWS access key", r"(?:AKIA|ASIA)[0-9A-Z]{16}\b", ("akia", "asia")),
    "private-key": (
        "a private key",
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----",
        ("private key",),
    ),
    "github-token": (
        "a GitHub token",
        r"gh[pousr]_[A-Za-z0-9]{36,}",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    "slack-token": ("a Slack token", r"xox[abposr]-[A-Za-z0-9-]{10,}", ("xox",)),
    "jwt": (
        "a JSON web token",
        r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
        ("eyj",),
    ),
    "secret-assignment": (
        "a password or secret",
        r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token)\s*[:=]\s*[^\s'\"]{6,}",
        (
            "password",
            "passwd",
            "pwd",
            "secret",
            "api_key",
            "api-key",
            "apikey",
            "access_token",
            "access-token",
            "accesstoken",
        ),
    ),
    "password-in-url": (
        "a password in a URL",
        r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@",
        ("://",),
    ),
    # The area number (three digits before the first dash) is checked in Python: a pattern that
    # starts at a dash is found ten times faster in a file full of timestamps.
    "us-ssn": ("a US social security number", r"-(?!00)\d\d-(?!0000)\d{4}(?![\w-])", ()),
    "medical-record-number": ("a medical record number", r"(?i)\bMRN[\s:#-]*\d{6,10}\b", ("mrn",)),
    "email": (
        "an email address",
        r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        ("@",),
    ),
    "phone": ("a phone number", r"\d(?<![\w.-]\d)\d\d\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])", ()),
    "date-of-birth": (
        "a date of birth",
        r"(?i)\b(?:DOB|d\.o\.b\.|date of birth|born(?: on)?)\b[\s:]*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}",
        ("dob", "d.o.b", "birth", "born"),
    ),
}
_SSN_EXCLUDED = ("000", "666")


def _ssn_area(text: str, start: int) -> bool:
    """Three digits at `start`, not glued to a word or dash before, and an area number in use."""
    area = text[start : start + 3]
    before = text[start - 1] if start > 0 else " "
    return (
        start >= 0
        and area.isdigit()
        and area.isascii()
        and not (before.isalnum() or before in "_-")
        and area not in _SSN_EXCLUDED
        and area[0] != "9"
    )


@dataclass(frozen=True)
class Match:
    kind: str
    what: str
    line: int  # 1-based within the scanned text
    column: int


class Guard:
    def __init__(self, settings: dict | None):
        settings = settings or {}
        disabled = set(settings.get("disabled") or [])
        unknown = disabled - set(BUILT_IN)
        if unknown:
            raise MalformedFileError(
                f"docs/runbooks/config.yml: sensitive_data.disabled names unknown pattern {sorted(unknown)[0]!r} (known: {', '.join(BUILT_IN)}); fix the file."
            )
        specs = {name: spec for name, spec in BUILT_IN.items() if name not in disabled}
        # The repository's own patterns run in a linear-time engine (userpatterns.py).
        users: dict[str, tuple[str, str, tuple[str, ...]]] = {}
        if settings.get("medical_record_number") and "medical-record-number" not in disabled:
            specs.pop("medical-record-number", None)
            users["medical-record-number"] = (
                "a medical record number",
                str(settings["medical_record_number"]),
                (),
            )
        for name, pattern in (settings.get("extra") or {}).items():
            if str(name) in BUILT_IN:
                raise MalformedFileError(
                    f"docs/runbooks/config.yml: sensitive_data.extra pattern {name!r} has the "
                    "name of a built-in pattern; give it a name of its own."
                )
            users[str(name)] = (f"data matching the '{name}' pattern", str(pattern), ())
        self.patterns: list[tuple[str, str, re.Pattern, tuple[str, ...]]] = []
        for name, (what, pattern, hints) in specs.items():
            try:
                self.patterns.append((name, what, re.compile(pattern, re.MULTILINE), hints))
            except re.error as error:
                raise MalformedFileError(
                    f"docs/runbooks/config.yml: the sensitive-data pattern {name!r} is not a valid regular expression ({error}); fix it."
                ) from None
        self.patterns += [
            (name, what, compile_user(name, pattern), hints)
            for name, (what, pattern, hints) in users.items()
        ]

    def scan(self, text: str) -> list[Match]:
        """The first match of each kind on each line, in line order."""
        lower = text.lower()
        found: list[Match] = []
        for name, what, pattern, hints in self.patterns:
            if hints and not any(hint in lower for hint in hints):
                continue
            lines_seen: set[int] = set()
            for hit in pattern.finditer(text):
                start = hit.start()
                if name == "us-ssn":
                    start -= 3
                    if not _ssn_area(text, start):
                        continue
                line = text.count("\n", 0, start) + 1
                if line in lines_seen:
                    continue
                lines_seen.add(line)
                found.append(Match(name, what, line, start - text.rfind("\n", 0, start)))
        return sorted(found, key=lambda match: (match.line, match.column))
