"""Incident metrics from the front matter: counts, MTTA, MTTR and impact. Pure.

MTTA = acknowledged - detected; MTTR = resolved - detected (started when not detected);
impact = resolved - started. Each is given as mean, median and p90 in minutes (p90 by linear
interpolation between closest ranks), or null without data. Incidents that lack a timestamp a
measure needs are listed under `missing`, never silently dropped.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import datetime

from runbook_cli.domain.clock import UTC, format_stored, minutes_between
from runbook_cli.domain.config import Config
from runbook_cli.domain.model import DETECTION_METHODS, IMPACT_FIELDS, IMPACT_LABELS, Incident


def summary(values: list[float]) -> dict | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "mean": round(statistics.fmean(ordered), 2),
        "median": round(statistics.median(ordered), 2),
        "p90": round(_percentile(ordered, 0.9), 2),
    }


def _percentile(ordered: list[float], fraction: float) -> float:
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def durations(incident: Incident) -> dict[str, float | None]:
    """The three measures for one incident, None where a timestamp is missing."""
    detected = incident.detected_at or incident.started_at
    return {
        "mtta": minutes_between(incident.detected_at, incident.acknowledged_at)
        if incident.detected_at and incident.acknowledged_at
        else None,
        "mttr": minutes_between(detected, incident.resolved_at) if incident.resolved_at else None,
        "impact": minutes_between(incident.started_at, incident.resolved_at)
        if incident.resolved_at
        else None,
    }


def counted(incident: Incident) -> bool:
    """False alarms (cancelled) and duplicates are counted apart, never in the measures."""
    return incident.status != "cancelled" and incident.duplicate_of is None


def compute(incidents: list[Incident], config: Config) -> dict:
    everything = incidents
    incidents = [incident for incident in everything if counted(incident)]
    measured = {incident.id: durations(incident) for incident in incidents}
    by_month: dict[str, Counter] = {}
    for incident in incidents:
        by_month.setdefault(incident.started_at.strftime("%Y-%m"), Counter())[
            incident.severity
        ] += 1
    target = config.ack_target_minutes
    breaches = sorted(
        i for i, d in measured.items() if d["mtta"] is not None and d["mtta"] > target
    )
    return {
        "incidents": len(incidents),
        "by_severity": {
            name: sum(1 for i in incidents if i.severity == name) for name in config.severities
        },
        "by_service": dict(sorted(Counter(s for i in incidents for s in i.services).items())),
        "by_month": {
            month: {name: counts.get(name, 0) for name in config.severities}
            for month, counts in sorted(by_month.items())
        },
        "mtta_minutes": summary([d["mtta"] for d in measured.values() if d["mtta"] is not None]),
        "mttr_minutes": summary([d["mttr"] for d in measured.values() if d["mttr"] is not None]),
        "impact_minutes": summary(
            [d["impact"] for d in measured.values() if d["impact"] is not None]
        ),
        "ack_slo_breaches": len(breaches),
        "ack_slo_breach_incidents": breaches,
        "ack_target_minutes": target,
        "missing": {
            key: sorted(i for i, d in measured.items() if d[key] is None)
            for key in ("mtta", "mttr", "impact")
        },
        "cancelled": sum(1 for i in everything if i.status == "cancelled"),
        "duplicates": sum(1 for i in everything if i.duplicate_of is not None),
        "impact_numbers": {
            name: {
                "total": sum(getattr(i, name) or 0 for i in incidents),
                "incidents": sum(1 for i in incidents if getattr(i, name) is not None),
            }
            for name in IMPACT_FIELDS
        },
        "by_detection": {
            method: count
            for method in (*DETECTION_METHODS, "unknown")
            if (count := sum(1 for i in incidents if (i.detection or "unknown") == method))
        },
        "by_tag": dict(sorted(Counter(t for i in incidents for t in i.tags).items())),
    }


def csv_rows(incidents: list[Incident]) -> list[list[str]]:
    rows = [
        [
            "id",
            "started_at",
            "severity",
            "status",
            "services",
            "mtta_minutes",
            "mttr_minutes",
            "impact_minutes",
        ]
    ]
    for incident in incidents:
        measured = durations(incident)
        rows.append(
            [
                str(incident.id),
                format_stored(incident.started_at),
                incident.severity,
                incident.status,
                ";".join(incident.services),
                *(
                    "" if measured[key] is None else f"{measured[key]:.1f}"
                    for key in ("mtta", "mttr", "impact")
                ),
            ]
        )
    return rows


STAMP = "<!-- Generated by `runbook metrics --write` at"
_STAMPED = re.compile(re.escape(STAMP) + r" (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def written_at(text: str) -> datetime | None:
    """When a metrics.md was generated (to the minute), from its stamp; None without one."""
    found = _STAMPED.search(text)
    if not found:
        return None
    return datetime.strptime(found.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)


def markdown(result: dict, generated_at: datetime) -> str:
    """docs/runbooks/metrics.md: readable on GitHub, regenerated by `runbook metrics --write`."""

    def cell(stats: dict | None, key: str) -> str:
        return "—" if stats is None else f"{stats[key]:g}"

    severities = list(result["by_severity"])
    lines = [
        "# Incident metrics",
        "",
        f"{STAMP} {generated_at:%Y-%m-%d %H:%M} UTC; do not edit. -->",
        "",
        f"**{result['incidents']} incidents.** Acknowledgements slower than "
        f"{result['ack_target_minutes']} minutes: {result['ack_slo_breaches']}.",
        "",
        "| measure (minutes) | mean | median | p90 | incidents without the data |",
        "|---|---|---|---|---|",
    ]
    for key, label in (
        ("mtta", "MTTA (detected → acknowledged)"),
        ("mttr", "MTTR (detected → resolved)"),
        ("impact", "Impact (started → resolved)"),
    ):
        stats = result[f"{key}_minutes"]
        lines.append(
            f"| {label} | {cell(stats, 'mean')} | {cell(stats, 'median')} | {cell(stats, 'p90')} "
            f"| {len(result['missing'][key])} |"
        )
    lines += [
        "",
        "## Incidents per month",
        "",
        "| month | " + " | ".join(severities) + " | total |",
        "|---|" + "---|" * (len(severities) + 1),
    ]
    for month, counts in result["by_month"].items():
        lines.append(
            f"| {month} | "
            + " | ".join(str(counts[s]) for s in severities)
            + f" | {sum(counts.values())} |"
        )
    lines += ["", "## By service", "", "| service | incidents |", "|---|---|"]
    lines += [f"| {service} | {count} |" for service, count in result["by_service"].items()]
    lines += ["", "## Impact in numbers", "", "| measure | total | incidents with the number |"]
    lines += ["|---|---|---|"]
    lines += [
        f"| {IMPACT_LABELS[name]} | {value['total']} | {value['incidents']} |"
        for name, value in result["impact_numbers"].items()
    ]
    lines += ["", "## How incidents were detected", "", "| detection | incidents |", "|---|---|"]
    lines += [f"| {method} | {count} |" for method, count in result["by_detection"].items()]
    if result["by_tag"]:
        lines += ["", "## By tag", "", "| tag | incidents |", "|---|---|"]
        lines += [f"| {tag} | {count} |" for tag, count in result["by_tag"].items()]
    lines += [
        "",
        f"Not counted above: {result['cancelled']} cancelled (false alarms), "
        f"{result['duplicates']} duplicates.",
    ]
    return "\n".join(lines) + "\n"
