"""The sensitive-data guard: credentials, payment data and patient or personal data must not
enter incident files (which live forever in git history and are read in pull requests) nor leave
the machine. Pure.

Text is normalised before matching (`normalise`): compatibility forms folded (NFKC, per
character: fullwidth letters, digits and punctuation), format and invisible characters removed
(zero-width space, joiners, word joiner, soft hyphen, BOM, Mongolian vowel separator, bidi marks,
combining marks), digits of every script folded to ASCII, every dash to '-' and every space to
' '. Each kind is a pattern plus, where one exists, a validator (Luhn for cards, mod 97 for
IBANs, area rules for social security numbers, context words for unformatted numbers) so that
ordinary timeline text — times, dates, versions, durations, ids — passes.

Linear time: every quantifier is bounded by a small constant or starts only where a token
starts (a look-behind), so no position is rescanned more than a constant number of times, and
after a hit the scan of that kind jumps to the next line (one finding per kind per line).

Findings name the kind of data and where it is, never the matched text itself.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from runbook_cli.domain.config import SensitiveData
from runbook_cli.domain.layout import CONFIG_PATH
from runbook_cli.domain.userpatterns import compile_user
from runbook_cli.errors import MalformedFileError

# --- normalisation ------------------------------------------------------------------------------

_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_CHAR_REFERENCE = re.compile(rb"&#(\d+);")
_FOLDED: dict[str, str] = {}  # non-ASCII character -> its folded form
_DASHES = "\u2212\u2043\ufe63\uff0d\u2e3a\u2e3b"  # minus sign and dash-like symbols not in Pd
_INVISIBLE = "\u115f\u1160\u3164\uffa0\u2800"  # Hangul fillers and blank braille: letters


def _fold_char(ch: str) -> str:
    """One non-ASCII character as ASCII: '' when invisible, its digit, '-' for a dash, ' ' for a
    space, its compatibility form (fullwidth, mathematical), else 'x' for any other letter and
    ' ' for any other symbol (no pattern contains them, so only their kind matters)."""
    category = unicodedata.category(ch)
    if category in ("Cf", "Mn", "Me", "Cc", "Cs") or ch in _INVISIBLE:
        return ""
    if category == "Nd":
        return str(unicodedata.decimal(ch))
    if category == "Pd" or ch in _DASHES:
        return "-"
    folded = unicodedata.normalize("NFKC", ch)
    if folded != ch:
        return "".join(c if c.isascii() else _fold_char(c) for c in folded)
    return "x" if category[0] in "LN" or category == "Mc" else " "


def _fold(ch: str) -> str:
    folded = _FOLDED.get(ch)
    if folded is None:
        folded = _fold_char(ch)
        if len(_FOLDED) < 65536:
            _FOLDED[ch] = folded
    return folded


def _fold_run(run: re.Match) -> str:
    return "".join(_fold(ch) for ch in run.group())


def normalise(text: str) -> str:
    """The text as the guard reads it: ASCII, with newlines kept (line numbers stay the same)."""
    if text.isascii():
        return text
    # The distinct characters to fold, found in C: each non-ASCII one becomes '&#N;'.
    codes = set(_CHAR_REFERENCE.findall(text.encode("ascii", "xmlcharrefreplace")))
    if len(codes) > 16:  # many different characters: one pass over the text
        return _NON_ASCII.sub(_fold_run, text)
    for code in codes:  # usually a dash, an arrow and an accent or two: str.replace runs in C
        if 127 < int(code) <= 0x10FFFF:  # '&#N;' typed in the text is not a character to fold
            text = text.replace(chr(int(code)), _fold(chr(int(code))))
    return text if text.isascii() else _NON_ASCII.sub(_fold_run, text)


def _shifts(original_line: str) -> tuple[list[int], list[int]]:
    """Where (in the normal line) the offset between original and normal columns changes, and
    the offset from there on: only characters that fold to nothing or to several move it."""
    points, shifts, shift = [0], [0], 0
    for run in _NON_ASCII.finditer(original_line):
        for offset, ch in enumerate(run.group()):
            width = len(_fold(ch))
            if width == 1:
                continue
            start = run.start() + offset - shift  # where its normal form starts
            for inner in range(1, width):  # inside an expansion: still this character
                points.append(start + inner)
                shifts.append(shift - inner)
            shift += 1 - width
            points.append(start + width)
            shifts.append(shift)
    return points, shifts


# --- validators ---------------------------------------------------------------------------------


def luhn(digits: str) -> bool:
    """The Luhn checksum every payment card number carries."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def card_issuer(digits: str) -> bool:
    """A length and prefix that a card network issues (Visa, Mastercard, Amex, Discover, JCB,
    Diners, UnionPay)."""
    n, two, four = len(digits), int(digits[:2]), int(digits[:4])
    if digits[0] == "4":
        return n in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if digits.startswith(("6011", "65", "62")) or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    if 3528 <= four <= 3589:
        return 16 <= n <= 19
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19
    return False


_IBAN_TABLE = (
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 "
    "DJ27 DK18 DO28 EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 "
    "HR21 HU28 IE22 IL23 IQ23 IS26 IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 "
    "MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 "
    "RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 SV28 TL23 TN24 TR26 UA29 "
    "VA22 VG24 XK20"
)
IBAN_LENGTHS = {entry[:2]: int(entry[2:]) for entry in _IBAN_TABLE.split(" ")}  # country: length


def iban_valid(text: str) -> bool:
    """A known country's length and the ISO 7064 mod-97 check digits."""
    iban = text.replace(" ", "").upper()
    if IBAN_LENGTHS.get(iban[:2]) != len(iban) or not (iban.isascii() and iban.isalnum()):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """Area 001-899 except 666, group not 00, serial not 0000 (the SSA's rules)."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


# --- numbers ------------------------------------------------------------------------------------
# One pass finds runs of at least seven digits with separators (not glued to a word, a version or
# a time, and not an ISO date); each run is then read group by group in Python, where the
# validators live. Benign timeline text has almost no such runs, so this costs little.

_RUN = re.compile(
    # IBANs too: the scan stops at digits either way, and one scan is cheaper than two
    r"[0-9(+](?:(?<=[A-Z]{2}[0-9])(?<![A-Za-z0-9][A-Z]{2}[0-9])(?P<iban>[0-9](?: ?[A-Z0-9]{4}){2,7}"
    r"(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9]))"
    r"|(?<![\w+.\-/:)][\d(+])"
    r"(?!\d{3}[\-./]\d\d[\-./]\d\d(?!\d)|\d{4}[\-./]\d\d[\-./]\d\d(?!\d))"
    r"(?:[ ().\-/]{0,3}\d){6}[\d ().\-/]*+)",
    re.ASCII,
)
_SSN_WORDS = re.compile(r"(?i)ssn|social[ -]?security|soc\.? ?sec|\bss ?(?:#|no\b|number)")
_PHONE_WORDS = re.compile(
    r"(?i)phone|\btel\b|mobile|\bcell|\bfax\b|\bsms\b|whatsapp|\bcall|\bdial|\btexted"
)
# Inside a run: cards in groups of 3-6 digits (the last 1-6) joined by one space or dash, or
# 13-19 digits in one; SSNs 3-2-4 with one separator, or nine digits; North American numbers.
_CARD = re.compile(r"(?<!\d)(?:\d{13,19}|\d{3,6}(?:[ \-]\d{3,6}){1,5}(?:[ \-]\d{1,6})?)(?!\d)")
_SSN = re.compile(r"(?<!\d)(\d{3})([\-. ]?)(\d\d)\2(\d{4})(?!\d)")
_NANP = re.compile(r"(?<!\d)(?:\([2-9]\d\d\) ?|[2-9]\d\d[\-. ]?)[2-9]\d\d[\-. ]?\d{4}(?!\d)")
_DIGITS = re.compile(r"\d+")


def _near(text: str, start: int, end: int, words: re.Pattern) -> bool:
    """Whether a context word is on the same line shortly before (or just after) a number."""
    left = max(text.rfind("\n", 0, start) + 1, start - 40)
    right = text.find("\n", end, end + 24)
    right = right if right > 0 else end + 24
    return bool(words.search(text, left, start) or words.search(text, end, right))


def _card_in(groups: list[str]) -> int | None:
    """The index of the first group that starts a valid card number in these groups."""
    for i in range(len(groups)):
        digits = ""
        for group in groups[i:]:
            digits += group
            if len(digits) > 19:
                break
            if len(digits) >= 13 and card_issuer(digits) and luhn(digits):
                return i
    return None


def _number(match: re.Match, text: str) -> tuple[str, int] | None:
    """The kind and start of the first card, SSN or phone number in a run of digits."""
    if match.group("iban"):
        start = match.start() - 2
        return ("iban", start) if iban_valid(text[start : match.end()]) else None
    run = match.group()
    start, end = match.start(), match.end()
    for card in _CARD.finditer(text, start, end):
        groups = _DIGITS.findall(card.group())
        first = _card_in(groups)
        if first is not None:
            return "payment-card", card.start() + card.group().index(groups[first])
    for ssn in _SSN.finditer(text, start, end):
        if ssn_valid(ssn.group(1), ssn.group(3), ssn.group(4)) and (
            ssn.group(2) or _near(text, ssn.start(), ssn.end(), _SSN_WORDS)
        ):
            return "us-ssn", ssn.start()  # nine digits alone are an id, not an SSN: "SSN" near
    for phone in _NANP.finditer(text, start, end):
        # (415) 555-0134 or 415.555.0134; ten digits alone are an id unless "phone" is near
        if len(phone.group()) > 10 or _near(text, phone.start(), phone.end(), _PHONE_WORDS):
            return "phone", phone.start()
    groups = _DIGITS.findall(run)
    total = sum(map(len, groups))
    seps = set(re.split(r"\d+", run.rstrip(" (.-/"))[1:-1])
    # international: + and 8 to 15 digits (10 when written without separators)
    if run[0] == "+" and (8 if len(groups) > 1 else 10) <= total <= 15:
        return "phone", start
    # national numbers with a trunk 0: 020 7946 0958, 01 23 45 67 89, 030/1234567
    if run[0] == "0" and len(groups) >= 2 and 10 <= total <= 11 and len(seps) == 1:
        return "phone", start
    # any other 7-15 digit number next to "phone", "call", "tel", "mobile"...
    if 7 <= total <= 15 and _near(text, start, end, _PHONE_WORDS):
        return "phone", start
    return None


# --- the other kinds ----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(
    r"(?i)[$<{%\[(/~]|[*x#.\-_]+$|(?:redacted|removed|hidden|masked|none|null|nil|changed|rotated|"
    r"reset|expired|required|incorrect|invalid|wrong|updated|unknown|empty|omitted|example)\W*$"
)
_PLAIN_WORD = re.compile(r"[A-Za-z][a-z]*")
_TRAILING = ".,;:!?)]}>"


def _secret_value(match: re.Match, text: str) -> int | None:
    value = text[match.start("value") : match.end("value")].rstrip(_TRAILING)
    if len(value) < 6 or _PLACEHOLDER.match(value):
        return None
    loose = not match.group("quote") and match.group("sep") in (":", "is", "was")
    if loose and _PLAIN_WORD.fullmatch(value):
        return None  # "password: rotated", "the password is incorrect"
    return match.start()


def _url_password(match: re.Match, _text: str) -> int | None:
    return None if _PLACEHOLDER.match(match.group("secret")) else match.start()


def _aws_secret(match: re.Match, text: str) -> int | None:
    key = text[match.start("key") : match.end("key")]
    mixed = any(c.isupper() for c in key) and any(c.islower() for c in key)
    return match.start() if mixed and any(c.isdigit() for c in key) else None


_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9._%+\-]{1,64}$")


def _email(match: re.Match, text: str) -> int | None:
    at = match.start()
    local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
    return local.start() if local else None


@dataclass(frozen=True)
class Detector:
    """One shape of one kind. Every pattern starts with a literal where it can (the engine then
    skips ahead in C). A `lowered` pattern runs on the lower-cased text (as fast as a
    case-sensitive one; the positions are the same). `check` validates a hit: the finding's
    (kind, start), or None."""

    kind: str
    pattern: re.Pattern | str
    """Compiled, or (a built-in one) its source, compiled when first needed (`compiled`)."""
    check: Callable[[re.Match, str], tuple[str, int] | None] | None = None
    lowered: bool = False
    user: bool = False  # a repository's own pattern (RE2): matched with finditer
    needle: str = ""
    """The literal every match starts with ('' when there is none): text without it cannot
    match, so the pattern is neither compiled nor run. Compiling the twenty built-in patterns
    costs every write about 3 ms, and one timeline entry holds the needles of a few."""

    def compiled(self):
        if not isinstance(self.pattern, str):
            return self.pattern
        found = _COMPILED.get(self.pattern)
        if found is None:
            found = _COMPILED[self.pattern] = re.compile(self.pattern, re.ASCII)
        return found


_COMPILED: dict[str, re.Pattern] = {}
_SPECIAL = frozenset(".^$*+?{}[]\\|()")


def needle(pattern: str) -> str:
    """The literal a built-in pattern's matches all start with, read off its start: the
    characters up to the first special one, less the last when a quantifier follows it (it may
    then be absent). A test checks each built-in pattern's needle against the regex engine's
    own literal prefix (a top-level `|` would make this one wrong)."""
    end = 0
    while end < len(pattern) and pattern[end] not in _SPECIAL:
        end += 1
    if end < len(pattern) and pattern[end] in "*+?{":
        end -= 1
    return pattern[:end]


def _d(kind, pattern, check=None, *, lowered=False) -> Detector:
    def checked(match: re.Match, text: str) -> tuple[str, int] | None:
        start = check(match, text)
        return None if start is None else (kind, start)

    return Detector(kind, pattern, checked if check else None, lowered, needle=needle(pattern))


KINDS: dict[str, str] = {
    "aws-access-key": "an AWS access key",
    "aws-secret-key": "an AWS secret access key",
    "private-key": "a private key",
    "github-token": "a GitHub token",
    "slack-token": "a Slack token",
    "slack-webhook": "a Slack webhook URL",
    "jwt": "a JSON web token",
    "secret-assignment": "a password or secret",
    "password-in-url": "a password in a URL",
    "us-ssn": "a US social security number",
    "medical-record-number": "a medical record number",
    "email": "an email address",
    "phone": "a phone number",
    "payment-card": "a payment card number",
    "iban": "a bank account number (IBAN)",
    "date-of-birth": "a date of birth",
}
BUILT_IN = KINDS  # the names `sensitive_data.disabled` accepts

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?"
_DATE = (
    rf"(?:\d{{1,4}}[\-/. ]\d{{1,2}}[\-/. ]\d{{1,4}}|\d{{1,2}} ?{_MONTH},? ?\d{{2,4}}"
    rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{2,4}})"
)
_SECRET_TAIL = (
    r"(?![a-z])[\"']?\s{0,3}(?P<sep>:=|=>|[:=]|(?:is|was)(?=\s))\s{0,3}"
    r"(?P<quote>[\"'`]?)(?P<value>[^\s\"'`]{1,64})"
)
_DOB_TAIL = rf"(?![a-z])[\s:=#\-]{{0,4}}{_DATE}"
# Cards, SSNs, phones and IBANs in one pass over the digits: the kind comes from `_number`.
_NUMBERS = Detector("phone", _RUN, _number)

DETECTORS: tuple[Detector, ...] = (
    _d("aws-access-key", r"A(?:KIA|SIA|BIA|CCA)[0-9A-Z]{16}(?![0-9A-Za-z])"),
    _d(
        "aws-secret-key",
        r"secret[_ \-]?(?:access[_ \-]?)?key[\"']?\s{0,3}(?:[:=]|=>|is)?\s{0,3}[\"']?"
        r"(?P<key>[a-z0-9/+]{40})(?![a-z0-9/+])",
        _aws_secret,
        lowered=True,
    ),
    _d("private-key", r"-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"),
    _d("github-token", r"g(?:h[pousr]_[A-Za-z0-9]{36}|ithub_pat_[A-Za-z0-9_]{22})"),
    _d("slack-token", r"x(?:ox[abposre](?:\.xox[a-z])?|app)-[A-Za-z0-9\-]{10}"),
    _d("slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/\-]{8}"),
    _d("jwt", r"eyJ[A-Za-z0-9_\-]{10,400}+\.[A-Za-z0-9_\-]{10,400}+\.[A-Za-z0-9_\-]{10}"),
    *(
        _d("secret-assignment", word + _SECRET_TAIL, _secret_value, lowered=True)
        for word in (
            r"pass(?<![a-z]pass)(?:word|wort|wd|phrase|code)",
            r"pwd(?<![a-z]pwd)",
            r"secret(?<![a-z]secret)",
            r"api(?<![a-z]api)[_ \-]?key",
            r"access(?<![a-z]access)[_ \-]?token",
            r"auth(?<![a-z]auth)[_ \-]?token",
        )
    ),
    _d("password-in-url", r"://[^/\s:@]{1,256}:(?P<secret>[^/\s@]{1,256})@", _url_password),
    _NUMBERS,
    _d(
        "medical-record-number",
        r"m(?<![a-z]m)(?:rn|edical[ _\-]?record(?:[ _\-]?(?:number|num|no|nr|id))?"
        r"|ed\.? ?rec\.?(?: ?(?:no|nr|#))?)(?![a-z])\.?[\s:#=\-]{0,5}(?:(?:is|was) )?#?"
        r"(?:[a-z]{1,3}-?)?\d{5,12}(?!\d)",
        lowered=True,
    ),
    _d(
        "email",
        r"@(?<=[A-Za-z0-9._%+\-]@)[A-Za-z0-9][A-Za-z0-9\-]{0,62}+"
        r"(?:\.[A-Za-z0-9\-]{1,63}+){0,8}?\.[A-Za-z]{2,24}+(?![A-Za-z0-9\-])",
        _email,
    ),
    _d("date-of-birth", rf"d(?<![a-z]d)(?:ob|\. ?o\. ?b\.?|ate of birth){_DOB_TAIL}", lowered=True),
    _d("date-of-birth", rf"b(?<![a-z]b)(?:irth ?date|orn(?: on)?){_DOB_TAIL}", lowered=True),
)


@dataclass(frozen=True)
class Match:
    """One finding of the guard: the kind of data and where it is (never the text itself)."""

    kind: str
    what: str
    line: int  # 1-based within the scanned text
    column: int


class Guard:
    """The one guard: every path into git or out of the machine scans with `scan`."""

    def __init__(self, settings: SensitiveData | None = None):
        settings = settings or SensitiveData()
        disabled = set(settings.disabled)
        unknown = disabled - set(BUILT_IN)
        if unknown:
            raise MalformedFileError(
                f"{CONFIG_PATH}: sensitive_data.disabled names unknown pattern "
                f"{sorted(unknown)[0]!r} (known: {', '.join(BUILT_IN)}); fix the file."
            )
        self.disabled = disabled
        self.what = dict(KINDS)
        self.detectors = [d for d in DETECTORS if d.kind not in disabled or d is _NUMBERS]
        # The repository's own patterns run in a linear-time engine (userpatterns.py).
        users: dict[str, tuple[str, str]] = {}
        if settings.medical_record_number and "medical-record-number" not in disabled:
            self.detectors = [d for d in self.detectors if d.kind != "medical-record-number"]
            users["medical-record-number"] = (
                "a medical record number",
                settings.medical_record_number,
            )
        for name, pattern in settings.extra.items():
            if name in BUILT_IN:
                raise MalformedFileError(
                    f"{CONFIG_PATH}: sensitive_data.extra pattern {name!r} has the "
                    "name of a built-in pattern; give it a name of its own."
                )
            users[name] = (f"data matching the '{name}' pattern", pattern)
        for name, (what, pattern) in users.items():
            self.what[name] = what
            self.detectors.append(Detector(name, compile_user(name, pattern), user=True))

    def scan(self, text: str) -> list[Match]:
        """The first match of each kind on each line, in line order; lines and columns are the
        original text's."""
        normal = normalise(text)
        lower = normal.lower()  # normal is ASCII: the same length, the same positions
        found: dict[tuple[str, int], Match] = {}
        lines: list[str] | None = None
        shifts: dict[int, tuple[list[int], list[int]]] = {}
        for detector in self.detectors:
            for kind, line, index, line_start in _hits(detector, normal, lower):
                if kind in self.disabled or (kind, line) in found:
                    continue
                if normal is text:
                    column = index - line_start + 1
                else:
                    lines = lines if lines is not None else text.split("\n")
                    if line not in shifts:
                        shifts[line] = _shifts(lines[line - 1])
                    points, offsets = shifts[line]
                    at = index - line_start
                    column = at + offsets[bisect_right(points, at) - 1] + 1
                found[(kind, line)] = Match(kind, self.what[kind], line, column)
        return sorted(found.values(), key=lambda match: (match.line, match.column))


def _hits(detector: Detector, text: str, lower: str):
    """(kind, line, index, index of the line's start) of accepted hits: after one, the scan of a
    single-kind detector moves to the next line (one finding per kind per line is enough).
    Lines are counted as the scan moves forward, so the work stays linear."""
    searched = lower if detector.lowered else text
    if detector.needle not in searched:
        return
    pattern = detector.compiled()
    hits = pattern.finditer(text) if detector.user else None
    position, line, counted, line_start = 0, 1, 0, 0
    while True:
        hit = next(hits, None) if hits else pattern.search(searched, position)
        if hit is None:
            return
        position = max(hit.end(), hit.start() + 1)
        result = detector.check(hit, text) if detector.check else (detector.kind, hit.start())
        if result is None:
            continue
        kind, start = result
        if start > counted:
            newlines = text.count("\n", counted, start)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", counted, start) + 1
            counted = start
        yield kind, line, start, line_start
        if detector is not _NUMBERS and not detector.user:
            position = max(position, text.find("\n", start) % (len(text) + 1))
