"""Three-way merge of an incident file by meaning, for git's merge driver. Pure.

- Timeline entries: every entry either side added is kept, one removed on a side is dropped,
  duplicates collapse, and the result is sorted by time.
- Front matter: each field (and each checklist item, action item, escalation, post-mortem key)
  changed on one side only takes that side. Update times take the later, escalations the earlier.
- Prose sections: changed on one side only takes that side.
- The same field or section changed differently on both sides is a real conflict: it is left
  with ordinary conflict markers around that field or section alone, and never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runbook_cli.domain import document, generated, model, yamlio
from runbook_cli.domain.config import Config

OURS, THEIRS = "<<<<<<< ours", ">>>>>>> theirs"
_LATEST = {"last_internal_update_at", "last_status_page_update_at"}
_PER_ITEM = ("checklist", "escalated", "postmortem")
_MISSING = object()


@dataclass
class Merged:
    text: str
    conflicts: list[str] = field(default_factory=list)


def _three_way(base: object, ours: object, theirs: object) -> tuple[object, bool]:
    """The merged value and whether it is a conflict (then the value is ours)."""
    if ours == theirs:
        return ours, False
    if ours == base:
        return theirs, False
    if theirs == base:
        return ours, False
    return ours, True


def merge_meta(base: dict, ours: dict, theirs: dict) -> tuple[dict, dict[str, object]]:
    """Merged front matter and, for conflicting keys, their (theirs) value."""
    merged: dict = {}
    conflicts: dict[str, object] = {}
    keys = list(dict.fromkeys([*ours, *theirs]))
    order = {name: index for index, name in enumerate(model.FIELD_ORDER)}
    keys.sort(key=lambda key: order.get(key, len(order)))
    for key in keys:
        b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
        if key in _PER_ITEM and all(
            isinstance(v, dict) or v is _MISSING or v is None for v in (b, o, t)
        ):
            value = _merge_items(key, b, o, t)
        elif key == "action_items" and all(isinstance(v, list) or v is _MISSING for v in (b, o, t)):
            value, clash = _merge_actions(b, o, t)
            if clash:
                conflicts[key] = t
        elif key in _LATEST and o is not _MISSING and t is not _MISSING and o and t:
            value = max(o, t)
        else:
            value, clash = _three_way(b, o, t)
            if clash:
                conflicts[key] = t
        if value is not _MISSING:
            merged[key] = value
    return merged, conflicts


def _merge_items(key: str, base: object, ours: object, theirs: object) -> dict:
    b = base if isinstance(base, dict) else {}
    o = ours if isinstance(ours, dict) else {}
    t = theirs if isinstance(theirs, dict) else {}
    result = {}
    for item in dict.fromkeys([*o, *t]):
        bo, oo, to = b.get(item, _MISSING), o.get(item, _MISSING), t.get(item, _MISSING)
        if key == "escalated" and oo not in (_MISSING, None) and to not in (_MISSING, None):
            value = min(oo, to)  # the step was first done at the earlier time
        elif key == "checklist" and oo is not _MISSING and to is not _MISSING and oo != to:
            value, clash = _three_way(bo, oo, to)
            value = (
                value if not clash else (oo or to)
            )  # ticked on one side wins over a fresh untick
        else:
            value, _ = _three_way(bo, oo, to)
            if value is _MISSING:
                continue
        result[item] = value
    return result


def _merge_actions(base: object, ours: object, theirs: object) -> tuple[list, bool]:
    def by_id(items: object) -> dict:
        return (
            {item.get("id"): item for item in items if isinstance(item, dict)}
            if isinstance(items, list)
            else {}
        )

    b, o, t = by_id(base), by_id(ours), by_id(theirs)
    result, clash = [], False
    for number in sorted(
        dict.fromkeys([*o, *t]),
        key=lambda n: (not isinstance(n, int), n if isinstance(n, int) else 0),
    ):
        value, conflict = _three_way(
            b.get(number, _MISSING), o.get(number, _MISSING), t.get(number, _MISSING)
        )
        clash |= conflict
        if value is not _MISSING:
            result.append(value)
    return result, clash


def _entries(doc: document.Document) -> list[tuple[str, ...]]:
    entries, bad = document.timeline(doc)
    return [tuple(document.format_entry(entry)) for entry in entries] + [(b.text,) for b in bad]


def merge_timeline(
    base: document.Document | None, ours: document.Document, theirs: document.Document
) -> list[tuple[str, ...]]:
    base_set = set(_entries(base)) if base else set()
    ours_list, theirs_list = _entries(ours), _entries(theirs)
    removed = (base_set - set(ours_list)) | (base_set - set(theirs_list))
    kept = [entry for entry in dict.fromkeys([*ours_list, *theirs_list]) if entry not in removed]
    parsed = [(document.parse_entry_line(entry[0]), entry) for entry in kept]
    good = sorted((p for p in parsed if p[0]), key=lambda p: p[0].at)
    return [entry for _, entry in good] + [
        entry for parsed_entry, entry in parsed if not parsed_entry
    ]


def _section_texts(doc: document.Document) -> dict[str, str]:
    lines = doc.body.split("\n")
    return {s.name: "\n".join(lines[s.heading + 1 : s.end]) for s in document.sections(doc.body)}


def merge(base_text: str, ours_text: str, theirs_text: str, config: Config) -> Merged:
    """Raise document.DocumentError (or yamlio/model errors) when a side cannot be read."""
    ours, theirs = document.parse(ours_text), document.parse(theirs_text)
    base = document.parse(base_text) if base_text.strip() else None
    for doc in (ours, theirs):
        if not isinstance(doc.meta, dict):
            raise document.DocumentError("the front matter is not a mapping")
    meta, meta_conflicts = merge_meta(base.meta if base else {}, ours.meta, theirs.meta)
    conflicts = [f"field {key}" for key in meta_conflicts]

    lines = ours.body.split("\n")
    base_sections = _section_texts(base) if base else {}
    theirs_sections = _section_texts(theirs)
    out: list[str] = []
    cursor = 0
    for section in document.sections(ours.body):
        out += lines[cursor : section.heading + 1]
        ours_content = "\n".join(lines[section.heading + 1 : section.end])
        cursor = section.end
        if section.name == "Timeline":
            out += _timeline_section(ours_content, merge_timeline(base, ours, theirs))
            continue
        theirs_content = theirs_sections.get(section.name, ours_content)
        value, clash = _three_way(
            base_sections.get(section.name, ours_content), ours_content, theirs_content
        )
        if clash:
            conflicts.append(f"section {section.name}")
            value = "\n".join(
                [
                    "",
                    OURS,
                    ours_content.strip("\n"),
                    "=======",
                    theirs_content.strip("\n"),
                    THEIRS,
                    "",
                ]
            )
        out += str(value).split("\n")
    out += lines[cursor:]
    body = "\n".join(out)
    if not meta_conflicts:
        try:
            body = generated.regenerate(body, model.from_meta(meta, config))
        except model.SchemaError:
            pass  # merged facts that do not validate are left for `runbook check` to report
    front = yamlio.dump(meta)
    for key, their_value in meta_conflicts.items():
        front = _mark_field(front, key, meta, their_value)
    doc = document.Document(
        meta=meta,
        body=body,
        front_matter=front,
        original_meta=meta,
        bom=ours.bom,
        newline=ours.newline,
    )
    return Merged(doc.render(), conflicts)


def _timeline_section(ours_content: str, entries: list[tuple[str, ...]]) -> list[str]:
    """Keep the section's other lines (guidance) in place, entries after them."""
    unreadable = {
        entry[0] for entry in entries if len(entry) == 1 and not document.parse_entry_line(entry[0])
    }
    kept = []
    for line in ours_content.split("\n"):
        if (
            document.parse_entry_line(line)
            or line.startswith(document.CONTINUATION)
            or line in unreadable
        ):
            continue
        kept.append(line)
    while kept and not kept[-1].strip():
        kept.pop()
    body = [line for entry in entries for line in entry]
    return kept + body + [""]


def _mark_field(front: str, key: str, meta: dict, their_value: object) -> str:
    ours_block = yamlio.dump({key: meta[key]}).rstrip("\n")
    theirs_block = yamlio.dump({key: their_value}).rstrip("\n")
    marked = "\n".join([OURS, ours_block, "=======", theirs_block, THEIRS])
    return ("\n" + front).replace(f"\n{ours_block}\n", f"\n{marked}\n", 1)[1:]
