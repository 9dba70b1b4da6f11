"""Front matter in the shape `yamlio.dump` writes, read in plain Python (no PyYAML).

The dumper writes block style only: `key: scalar` lines, `- item` lists, mappings nested by
indentation, `[]` and `{}` for empty collections, strings quoted ('...' or "...") wherever a YAML
1.1 reader could misread them. `read` parses exactly that subset and returns what
`yamlio.load` returns; on anything else (anchors, aliases, tags, block or multi-line scalars,
flow collections with content, duplicate keys, tabs, comments after a value, odd keys or
indentation, ...) it returns UNSURE and the strict PyYAML path decides, errors included.

The core types live here (yamlio's strict resolver is built from them): `true`/`false` are
booleans, `null`/`~`/nothing is null, `[-+]?[0-9]+` is an integer; every other plain scalar is a
string (`yes`, `12:30`, `1.5` and timestamps included).
"""

from __future__ import annotations

import re

_NULLS = ("~", "null", "Null", "NULL", "")
_TRUES = ("true", "True", "TRUE")
_FALSES = ("false", "False", "FALSE")
NULL = re.compile(f"^(?:{'|'.join(map(re.escape, _NULLS))})$")
BOOL = re.compile(f"^(?:{'|'.join(_TRUES + _FALSES)})$")
INT = re.compile(r"^[-+]?[0-9]+$")
_WORDS = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUES, True), **dict.fromkeys(_FALSES, False)}

UNSURE = object()
"""What `read` returns when only the strict parser may judge the text."""

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,200}):(?: +(.*))?$")
_DOUBLE = re.compile(
    r'"(?:[^"\\]|\\(?:[0abtnvfre "/\\N_LP]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}))*"'
)
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ESCAPES = {
    **dict(zip("0abtnvfre", "\0\a\b\t\n\v\f\r\x1b", strict=True)),
    **{c: c for c in ' "/\\'},
    **{"N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"},
}
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")


class _Unsure(Exception):
    pass


def read(text: str) -> object:
    """The document's value, or UNSURE when the text is outside the subset."""
    lines = []
    for line in text.split("\n"):
        if not line.isprintable():  # tabs, \r, controls, BOMs, other line breaks, no-break space
            return UNSURE
        content = line.lstrip(" ")
        if content and content[0] != "#":  # blank and whole-line comment lines carry nothing
            lines.append((len(line) - len(content), content.rstrip(" ")))
    if not lines:
        return None
    lines.append(_END)
    reader = _Reader(lines)
    try:
        value = reader.block(lines[0][0])
    except (_Unsure, RecursionError):
        return UNSURE
    return value if lines[reader.at] is _END else UNSURE


_END = (-1, "")  # after the last line: less indented than any block, so every block ends there


class _Reader:
    def __init__(self, lines: list[tuple[int, str]]):
        self.lines = lines
        self.at = 0

    def block(self, indent: int) -> object:
        """The mapping or list whose first line, at this indent, is the next line."""
        if _is_item(self.lines[self.at][1]):
            return self.sequence(indent)
        return self.mapping(indent)

    def mapping(self, indent: int) -> dict:
        result: dict = {}
        lines = self.lines
        while True:
            column, content = lines[self.at]
            if column != indent:
                if column < indent:
                    return result
                raise _Unsure
            match = _KEY.match(content)
            if match is None:
                raise _Unsure
            key, rest = match.groups()
            if key in result or key in _WORDS:
                raise _Unsure  # a duplicate is an error the strict path reports
            self.at += 1
            result[key] = self.value(rest, indent, in_mapping=True)

    def sequence(self, indent: int) -> list:
        result = []
        lines = self.lines
        while True:
            column, content = lines[self.at]
            if column < indent or (column == indent and not _is_item(content)):
                return result  # (the end of a list that is a mapping's value at its indent)
            if column > indent:
                raise _Unsure
            rest = content[1:].lstrip(" ")
            if rest and (_KEY.match(rest) or _is_item(rest)):
                # `- key: value` or `- - item`: a block that starts on the item's line
                lines[self.at] = (indent + len(content) - len(rest), rest)
                result.append(self.block(lines[self.at][0]))
            else:
                self.at += 1
                result.append(self.value(rest, indent, in_mapping=False))

    def value(self, rest: str | None, indent: int, in_mapping: bool) -> object:
        """The value after `key:` or `- ` (rest: the same line's text), at the key's indent."""
        following, content = self.lines[self.at]
        if rest:
            if following > indent:
                raise _Unsure  # a scalar going on over lines, or an error
            return _scalar(rest)
        if following > indent:
            return self.block(following)
        if following == indent and in_mapping and _is_item(content):
            return self.sequence(indent)
        return None


def _is_item(content: str) -> bool:
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


def _scalar(text: str) -> object:
    if text in _WORDS:
        return _WORDS[text]
    first = text[0]
    if first not in _INDICATORS and ": " not in text and " #" not in text and text[-1] != ":":
        return _integer(text) if first in "+0123456789" and INT.match(text) else text
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Unsure
        return inner.replace("''", "'")
    if first == '"':
        if not _DOUBLE.fullmatch(text):
            raise _Unsure
        return _ESCAPE.sub(_unescape, text[1:-1]) if "\\" in text else text[1:-1]
    if text == "[]":
        return []
    if text == "{}":
        return {}
    if first == "-" and INT.match(text):
        return _integer(text)
    raise _Unsure


def _integer(text: str) -> int:
    digits = text.lstrip("+-")
    if (digits[0] == "0" and digits != "0") or len(digits) > 50:
        raise _Unsure  # PyYAML reads 012 as octal and 09 as an error
    return int(text)


def _unescape(match: re.Match) -> str:
    code = match.group(1) or match.group(2) or match.group(3)
    if code is None:
        return _ESCAPES[match.group(4)]
    number = int(code, 16)
    if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
        raise _Unsure
    return chr(number)
