"""The sensitive-data guard: credentials and patient or personal data must not enter incident
files, which live forever in git history and are read in pull requests. Pure.

Findings name the kind of data and where it is, never the matched text itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runbook_cli.errors import MalformedFileError

# name -> (what it is, for messages; pattern)
BUILT_IN: dict[str, tuple[str, str]] = {
    "aws-access-key": ("an AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private-key": ("a private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "github-token": ("a GitHub token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "slack-token": ("a Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "jwt": ("a JSON web token", r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "secret-assignment": ("a password or secret", r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token)\s*[:=]\s*[^\s'\"]{6,}"),
    "password-in-url": ("a password in a URL", r"\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"),
    "us-ssn": ("a US social security number", r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b"),
    "medical-record-number": ("a medical record number", r"(?i)\bMRN[\s:#-]*\d{6,10}\b"),
    "email": ("an email address", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"),
    "phone": ("a phone number", r"(?<![\w.-])(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])"),
    "date-of-birth": ("a date of birth", r"(?i)\b(?:DOB|d\.o\.b\.|date of birth|born(?: on)?)\b[\s:]*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}"),
}


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
            raise MalformedFileError(f"docs/runbooks/config.yml: sensitive_data.disabled names unknown pattern {sorted(unknown)[0]!r} (known: {', '.join(BUILT_IN)}); fix the file.")
        patterns = {name: spec for name, spec in BUILT_IN.items() if name not in disabled}
        if settings.get("medical_record_number") and "medical-record-number" not in disabled:
            patterns["medical-record-number"] = ("a medical record number", str(settings["medical_record_number"]))
        for name, pattern in (settings.get("extra") or {}).items():
            patterns[str(name)] = (f"data matching the '{name}' pattern", str(pattern))
        self.patterns: list[tuple[str, str, re.Pattern]] = []
        for name, (what, pattern) in patterns.items():
            try:
                self.patterns.append((name, what, re.compile(pattern)))
            except re.error as error:
                raise MalformedFileError(f"docs/runbooks/config.yml: the sensitive-data pattern {name!r} is not a valid regular expression ({error}); fix it.") from None

    def scan(self, text: str) -> list[Match]:
        found = []
        for number, line in enumerate(text.split("\n"), start=1):
            for name, what, pattern in self.patterns:
                hit = pattern.search(line)
                if hit:
                    found.append(Match(name, what, number, hit.start() + 1))
        return found
