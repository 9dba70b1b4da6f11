"""The audit trail in words (pure: no git)."""

from runbook_cli.rendering import audittext


def test_values_read_as_words_not_python() -> None:
    assert audittext.lines({"field": "data_affected", "old": False, "new": True}) == [
        "data_affected: no -> yes"
    ]
    assert audittext.lines({"field": "services", "old": ["a"], "new": ["a", "b"]}) == [
        "services: a -> a, b"
    ]
    assert audittext.lines(
        {"field": "resolved_at", "old": None, "new": "2026-11-26T10:02:00Z"}
    ) == ["resolved_at: (none) -> 2026-11-26 10:02 UTC"]
    assert audittext.lines({"field": "checklist.ticket_updated", "old": False, "new": True}) == [
        "checklist ticket_updated: no -> yes"
    ]


def test_action_item_changes_name_the_item_and_each_field() -> None:
    old = {"id": 2, "title": "Cap retries", "owner": "Sam", "due": "2026-12-15", "done": False}
    new = {**old, "owner": "Lee", "done": True}
    assert audittext.lines({"field": "action_items.2", "old": old, "new": new}) == [
        "action item 2 (Cap retries): owner: Sam -> Lee",
        "action item 2 (Cap retries): done: no -> yes",
    ]
    assert audittext.lines({"field": "action_items.2", "old": None, "new": old}) == [
        "action item 2 added: Cap retries (owner Sam, due 2026-12-15)"
    ]


def test_multi_line_text_stays_one_change() -> None:
    [line] = audittext.lines({"field": "section.Root Cause", "old": None, "new": "a\nb"})
    assert line == "report section Root Cause: (none) -> a b"
