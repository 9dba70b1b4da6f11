"""The audit trail's changes in words, for a compliance officer: 'status: investigating ->
identified', 'action item 2 (Cap retries): done: no -> yes'. No Python reprs; one change a line.
"""

from __future__ import annotations

import re

_STORED_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2})?Z$")
_ACTION_ITEM = re.compile(r"^action_items\.(\d+)$")


def value(raw: object) -> str:
    """A front-matter value in words: yes/no, lists joined, times readable, nothing as '(none)'."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return "(none)"
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, list):
        return ", ".join(value(item) for item in raw)
    if isinstance(raw, dict):
        return "; ".join(f"{key} {value(item)}" for key, item in raw.items())
    text = str(raw)
    stored = _STORED_TIME.match(text)
    if stored:
        return f"{stored.group(1)} {stored.group(2)} UTC"
    return " ".join(text.split()) if "\n" in text else text


def lines(change: dict) -> list[str]:
    """One readable line per change (an action item's change names the item and each field)."""
    field, old, new = change["field"], change["old"], change["new"]
    item = _ACTION_ITEM.match(field)
    if item and (isinstance(old, dict) or isinstance(new, dict)):
        return _action_item(int(item.group(1)), old, new)
    if field == "timeline":
        old, new = _entry(old), _entry(new)
        if old is None:
            return [f"timeline entry added: {value(new)}"]
        if new is None:
            return [f"timeline entry removed: {value(old)}"]
        return [f"timeline entry changed: {value(old)} -> {value(new)}"]
    label = field.replace("section.", "report section ").replace(".", " ")
    return [f"{label}: {value(old)} -> {value(new)}"]


def _entry(line: str | None) -> str | None:
    """A timeline line without its markdown bullet."""
    return line[2:] if line and line.startswith("- ") else line


def _action_item(number: int, old: dict | None, new: dict | None) -> list[str]:
    if not old:
        details = ", ".join(
            f"{key} {value(new.get(key))}" for key in ("owner", "due") if new.get(key)
        )
        return [f"action item {number} added: {value(new.get('title'))} ({details})"]
    if not new:
        return [f"action item {number} removed: {value(old.get('title'))}"]
    name = f"action item {number} ({value(new.get('title') or old.get('title'))})"
    return [
        f"{name}: {key}: {value(old.get(key))} -> {value(new.get(key))}"
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]
