"""The filled Incident Report, exactly in the seed template's shape, for pasting elsewhere."""

from __future__ import annotations

from runbook_cli.domain import document, generated, regulatory
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import BEFORE_IMPACT, Incident, Loaded


def _field(label: str, content: str, *, listing: bool = False) -> str:
    """`- **Label:** text`; a multi-line text or a listing continues on indented lines."""
    content = content.strip()
    if not content:
        return f"- **{label}:** —"
    listing = listing or content.startswith(("- ", "* "))
    lines = content.split("\n")
    first, rest = ("", lines) if listing else (lines[0], lines[1:])
    return "\n".join(
        [f"- **{label}:** {first}".rstrip(), *[f"  {line}" if line else "" for line in rest]]
    )


def render(loaded: Loaded, config: Config) -> str:
    incident, body = loaded.incident, loaded.doc.body
    entries, _ = document.timeline(loaded.doc)

    def section(name: str) -> str:
        return document.visible_text(document.section_text(body, name) or "")

    duration = generated.duration(incident)
    timeline = "\n".join(
        f"- {e.at.strftime('%Y-%m-%d %H:%M')} UTC — {e.author} — "
        f"{BEFORE_IMPACT + ' ' if incident.before_impact(e.at) else ''}"
        f"{e.text.replace(chr(10), chr(10) + '  ')}"
        for e in entries
    )
    actions = "\n".join(
        f"- {item.title} (owner: {item.owner}, "
        f"due {item.due.isoformat()}{', done' if item.done else ''})"
        for item in incident.action_items
    )
    prevention = "\n".join(
        part for part in (actions, _without_generated(section("Preventive Actions"))) if part
    )
    lines = [
        generated.title_line(incident),
        f"- **Date:** {incident.date.isoformat()}",
        f"- **Severity:** {incident.severity}",
        f"- **Services Impacted:** {', '.join(incident.services)}",
        f"- **Duration:** {duration}",
        *generated.ending(incident),
        *generated.people(incident),
        *_regulated(incident, config),
        _field("Summary", section("Summary")),
        _field("Timeline", timeline, listing=True),
        _field(
            "Root Cause",
            section("Root Cause")
            or (
                f"Hypothesis: {incident.root_cause_hypothesis}"
                if incident.root_cause_hypothesis
                else ""
            ),
        ),
        _field("Detection", section("Detection")),
        _field("Resolution & Recovery", section("Resolution & Recovery")),
        _field("Preventive Actions", prevention, listing=True),
        _field("Attachments", section("Attachments")),
    ]
    return "\n".join(lines) + "\n"


def _regulated(incident: Incident, config: Config) -> list[str]:
    """User data affected: when it was discovered, how many, and each regulatory clock."""
    if not incident.data_affected:
        return []
    lines = [
        f"- **User Data Affected:** yes, discovered "
        f"{regulatory.discovered(incident):%Y-%m-%d %H:%M} UTC"
        + (
            f"; {incident.patients_affected} people affected"
            if incident.patients_affected is not None
            else "; number of people affected not yet recorded"
        )
    ]
    for running in regulatory.clocks(incident, config):
        state = (
            f"{running.done['outcome']} {running.done['at'][:16].replace('T', ' ')} UTC"
            if running.done
            else f"due by {running.due_at:%Y-%m-%d %H:%M} UTC"
        )
        condition = f" ({running.condition})" if running.condition else ""
        lines.append(f"  - {running.what}{condition}: {state}")
    return lines


def _without_generated(text: str) -> str:
    lines = [
        line
        for line in text.split("\n")
        if not line.startswith("|") and not line.startswith("_No action items")
    ]
    return "\n".join(lines).strip()
