"""The sensitive-data guard as a pure function (no git): the hostile corpus is refused with the
right kind, ordinary timeline text passes, validators hold, and the scan is linear in time."""

from __future__ import annotations

import time

import pytest
from corpus import BENIGN, HOSTILE, HOSTILE_SHAPES

from runbook_cli.domain import sensitive
from runbook_cli.domain.config import SensitiveData
from runbook_cli.domain.sensitive import Guard

GUARD = Guard()


@pytest.mark.parametrize(
    ("kind", "text"), HOSTILE, ids=[f"{i}-{k}" for i, (k, _) in enumerate(HOSTILE)]
)
def test_hostile_strings_are_refused_with_their_kind(kind: str, text: str) -> None:
    kinds = {match.kind for match in GUARD.scan(text)}
    assert kind in kinds


def test_the_corpus_covers_every_class_of_the_issue() -> None:
    assert len(HOSTILE) >= 67
    assert {kind for kind, _ in HOSTILE} == set(sensitive.KINDS)


@pytest.mark.parametrize("text", BENIGN)
def test_ordinary_timeline_text_passes(text: str) -> None:
    assert GUARD.scan(text) == []


def test_the_real_example_incidents_pass() -> None:
    from pathlib import Path

    for path in Path(__file__).parents[2].glob("docs/runbooks/incidents/*.md"):
        assert GUARD.scan(path.read_text(encoding="utf-8")) == [], path.name


def test_lines_and_columns_are_the_original_texts() -> None:
    text = "line one\nzero\u200bwidth\u200b then jane.doe@gmail.com\n\uff11\uff12\uff13-45-6789 x"
    found = GUARD.scan(text)
    assert [(m.kind, m.line, m.column) for m in found] == [("email", 2, 18), ("us-ssn", 3, 1)]


def test_one_finding_per_kind_per_line_and_never_the_text() -> None:
    found = GUARD.scan("a@example.org b@example.org 123-45-6789\nc@example.org")
    assert [(m.kind, m.line) for m in found] == [("email", 1), ("us-ssn", 1), ("email", 2)]
    assert all("example" not in repr(m) for m in found)


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111111111111111", True), ("4111111111111112", False), ("378282246310005", True)],
)
def test_luhn(number: str, valid: bool) -> None:
    assert sensitive.luhn(number) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),
        ("GB82 WEST 1234 5698 7654 33", False),
        ("DE89370400440532013000", True),
        ("DE8937040044053201300", False),  # one digit short for Germany
        ("ZZ89370400440532013000", False),  # no such country
    ],
)
def test_iban_mod_97(iban: str, valid: bool) -> None:
    assert sensitive.iban_valid(iban) is valid


@pytest.mark.parametrize("number", ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567"])
def test_numbers_the_ssa_never_issues_are_not_ssns(number: str) -> None:
    assert GUARD.scan(f"patient {number}") == []


def test_disabling_a_kind_disables_it_in_every_shape() -> None:
    guard = Guard(SensitiveData(disabled=("phone", "payment-card")))
    assert guard.scan("call +1 415-555-0134, card 4111 1111 1111 1111") == []
    assert [m.kind for m in guard.scan("SSN 123-45-6789")] == ["us-ssn"]


def test_normalise_keeps_lines_and_folds_what_hides_data() -> None:
    text = "a\u200bb\n\uff11\u0662\u2013\u00ad3\u00a0\uff20"
    assert sensitive.normalise(text) == "ab\n12-3 @"
    assert sensitive.normalise("plain ascii") == "plain ascii"


@pytest.mark.parametrize("shape", HOSTILE_SHAPES)
def test_the_scan_is_linear_in_the_texts_length(shape: str) -> None:
    """Doubling the text at most about doubles the time (a quadratic scan would quadruple it),
    and 256 KB of any hostile shape is scanned well inside a second (CPU time: the machine may
    be shared)."""
    unit = HOSTILE_SHAPES[shape]
    small = unit * (64 * 1024 // len(unit))
    large = small * 4

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            GUARD.scan(text)
            best = min(best, time.process_time() - started)
        return best

    short, long = timed(small), timed(large)
    assert long < 1.0
    assert long < 10 * short + 0.05
