"""The fast front-matter reader returns exactly what the strict PyYAML path does, or declines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runbook_cli.domain import config, document, yamlfast, yamlio

ROOT = Path(__file__).resolve().parents[1]


def agrees(text: str) -> object:
    """The fast reader's answer, checked against the strict path's (types and key order too)."""
    fast = yamlfast.read(text)
    try:
        strict = yamlio.strict_load(text)
    except yamlio.YamlError:
        assert fast is yamlfast.UNSURE, text
        return fast
    assert fast is yamlfast.UNSURE or repr(fast) == repr(strict), text
    return fast


WORDS = ["yes", "No", "on", "12:30", "2026-11-26", "1.5", ".inf", "0x1F", "012", "-0", "~"]
WORDS += ["null", "True", "a: b", "a #b", "- x", "'q'", '"q"', "&a", "*a", "!t", "[1]", "é"]
identifiers = st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.text(max_size=12),
    st.text("ab :#-'\"[]{},&*!|>?%@`~.0123456789é\\\n", max_size=12),
    st.sampled_from(WORDS),
)
keys = st.one_of(identifiers, identifiers, st.sampled_from(WORDS), st.text(max_size=8))
data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(value=st.dictionaries(identifiers, data, max_size=6))
def test_what_the_dumper_writes_reads_back_the_same(value: dict) -> None:
    agrees(yamlio.dump(value))


VALUES = ["", "x", "'a''b'", "'a", '"\\x41"', '"\\q"', "[]", "{}", "[1]", "{a: 1}", "|", ">"]
VALUES += ["&a x", "*a", "!t x", "a #c", "# c", "a: b", "a:b", "-", "- x", "-5", "+0", "09"]
VALUES += ["012", "1.5"]
VALUES += ["yes", "Null", "TRUE", "12:30", "x\t", "x\r", "\ufeff", "\u2028", "é", "<<", "? x"]
VALUES += ["a\xa0", "\u200bb", "x ", "'a' ", "a'b", 'a"b', "a\\b", "http://x", "x,y", "%x", "@x"]
lines = st.tuples(
    st.sampled_from(["", "", "", "  ", "  ", "    ", " ", "   "]),
    st.sampled_from(["", "", "", "- ", "-", "- - "]),
    st.sampled_from(["", "", "a: ", "b: ", "id: ", "true: ", "a:", "'a': ", "a : ", "---", "#"]),
    st.sampled_from(VALUES),
).map("".join)


@st.composite
def hand_edited(draw) -> str:
    """What the tool wrote, then a few edits of the kinds people make."""
    lines = yamlio.dump(draw(st.dictionaries(identifiers, data, min_size=1, max_size=6)))
    lines = lines.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        edit = draw(st.sampled_from(["indent", "dedent", "unquote", "value", "insert", "append"]))
        if edit == "indent":
            lines[at] = draw(st.sampled_from([" ", "  ", "    "])) + line
        elif edit == "dedent":
            lines[at] = line[draw(st.integers(1, 2)) :] if line.startswith(" ") else line
        elif edit == "unquote":
            lines[at] = line.replace("'", "").replace('"', "")
        elif edit == "value" and ": " in line:
            lines[at] = line[: line.index(": ") + 2] + draw(st.sampled_from(VALUES))
        elif edit == "insert":
            lines.insert(at, draw(st.sampled_from([line, "# note", "  # note", "", "x: 1"])))
        else:
            lines[at] = line + draw(st.sampled_from([" ", "  ", " # note", "#", ":", " x"]))
    return "\n".join(lines)


@settings(max_examples=100, deadline=None)
@given(text=st.one_of(st.lists(lines, max_size=12).map("\n".join), hand_edited()))
def test_hand_edit_like_text_is_read_the_same_or_declined(text: str) -> None:
    agrees(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 'it''s'\n", {"a": "it's"}),
        ("a: ''\n", {"a": ""}),
        ("a: ' lead'\nb: 'trail '\n", {"a": " lead", "b": "trail "}),
        ('a: "\\az\\x41\\u00e9\\N\\_\\L\\P\\e\\0\\/\\ \\"\\\\"\n', None),
        ("a: no\nb: 12:30\nc: 2026-11-26T10:00:00Z\nd: 1.5\ne: .inf\nf: 0x1F\n", None),
        ("a: -5\nb: +0\nc: -0\nd: 0\ne: 123456789012345678901234567890\n", None),
        ("a: ~\nb: null\nc: NULL\nd:\ne: TRUE\nf: false\n", None),
        ("a: x[y]{z},w\nb: a#b\nc: http://x:80/\nd: é ü\n", None),
        ("a: []\nb: {}\nc:\n- []\n- {}\n-\n- - 1\n  - - 2\n", None),
        ("a:\n  - 1\n  - b: 2\n    c:\n    - 3\n  -\n    d: 4\ne: 5\n", None),
        ("- a: 1\n  b:\n    c: 2\n- x\n", None),
        ("# a comment\na: 1\n\n  # an indented one\nb:\n# here too\n  c: 2\n", None),
        ("", None),
        ("# only a comment\n", None),
    ],
)
def test_tricky_scalars_and_shapes_are_read_by_the_fast_path(text: str, expected: object) -> None:
    value = agrees(text)
    assert value is not yamlfast.UNSURE
    if expected is not None:
        assert value == expected


@pytest.mark.parametrize(
    "text",
    [
        "a: 012\n",  # octal to PyYAML
        "a: 09\n",  # an error to PyYAML
        "a: 1\na: 2\n",  # duplicate key: the strict path says where
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: x # comment\n",
        "a: multi\n  line\n",
        "a: 'multi\n  line'\n",
        "a:\tx\n",
        "a: x\r\n",
        "true: 1\n",
        "'a': 1\n",
        "a b: 1\n",
        "? a\n: 1\n",
        "a:b\n",
        "a: b: c\n",
        "just a scalar\n",
        "---\na: 1\n",
        "a: 1\n- b\n",
        "a:\n    b: 1\n  c: 2\n",
        'a: "\\ud800"\n',
        "a: \u2028\n",
        "a: 1" + "0" * 60 + "\n",
    ],
)
def test_anything_unusual_is_left_to_the_strict_parser(text: str) -> None:
    assert agrees(text) is yamlfast.UNSURE


def test_errors_are_reported_exactly_as_before() -> None:
    with pytest.raises(yamlio.YamlError, match="line 3: the key 'a' appears twice"):
        yamlio.load("a: 1\nb: 2\na: 3\n")
    with pytest.raises(yamlio.YamlError, match=r"^line 2: "):
        yamlio.load("a: 1\n  b: 2\n")
    with pytest.raises(document.DocumentError, match="the key 'title' appears twice") as error:
        document.parse("---\nid: 1\ntitle: a\ntitle: b\n---\n# body\n")
    assert error.value.line == 4


def test_tool_written_incidents_and_the_config_template_take_the_fast_path() -> None:
    paths = sorted((ROOT / "docs" / "runbooks" / "incidents").glob("*.md"))
    assert paths
    for path in paths:
        front = path.read_text().split("---\n")[1]
        assert agrees(front) is not yamlfast.UNSURE, path
    assert agrees(config.default_text()) is not yamlfast.UNSURE
