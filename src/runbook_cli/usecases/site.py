"""`runbook site`: a self-contained static site of the incidents, for people who would rather look.

Every page is one HTML file with its style and script inline, allowed by hash in a
Content-Security-Policy that forbids everything else: no request leaves the page. All user
text is escaped. The same repository state gives byte-identical files (no "generated at").
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from markdown_it import MarkdownIt

from runbook_cli import files
from runbook_cli.adapters import parallel, teamfiles
from runbook_cli.domain import clock, document, escalation, generated, metrics, roles
from runbook_cli.domain.config import STATUSES, Config
from runbook_cli.domain.contacts import Contacts
from runbook_cli.domain.layout import INCIDENTS_DIR
from runbook_cli.domain.model import BEFORE_IMPACT, Incident, Loaded, status_label
from runbook_cli.domain.sensitive import Match
from runbook_cli.errors import MalformedFileError, RepositoryError, UsageError
from runbook_cli.usecases.workspace import Workspace

RANK_COLOURS = ("#7f1d1d", "#b91c1c", "#b45309", "#4b5563")
"""Severities coloured by rank, most severe first; the last colour serves any lower rank."""

_ASSETS = Path(__file__).resolve().parents[1] / "templates"
CSS = "\n" + (_ASSETS / "site.css").read_text(encoding="utf-8")
"""Every page's style, inline and allowed by its hash in the page's Content-Security-Policy."""
FILTER_JS = "\n" + (_ASSETS / "site.js").read_text(encoding="utf-8")
"""The index's filter (the page works without it)."""


def _hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode()


@functools.cache
def _policy(script: str | None) -> str:
    """The Content-Security-Policy of a page with this script (hashed once per process)."""
    policy = (
        f"default-src 'none'; style-src '{_hash(CSS)}'; img-src data:; base-uri 'none'; "
        "form-action 'none'"
    )
    return policy + (f"; script-src '{_hash(script)}'" if script else "; script-src 'none'")


def page(title: str, body: str, *, depth: int = 0, script: str | None = None) -> str:
    up = "../" * depth
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_policy(script)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f'<header><a href="{up}index.html">Incidents</a><a '
        f'href="{up}metrics.html">Metrics</a></header>\n'
        f"<main>\n{body}\n</main>\n"
        + (f"<script>{script}</script>\n" if script else "")
        + "</body>\n</html>\n"
    )


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def severity_badge(severity: str, config: Config) -> str:
    """The name, a class for its colour and a mark that tells ranks apart without colour."""
    rank = min(config.rank(severity), len(RANK_COLOURS) - 1)
    mark = "■" * (len(RANK_COLOURS) - rank)
    return (
        f'<span class="sev sev-r{rank}"><span class="mark" aria-hidden="true">{mark}</span>'
        f"{e(severity)}</span>"
    )


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "—"


def page_name(loaded: Loaded) -> str:
    return loaded.path.stem + ".html"


def _reached(incident: Incident, step: escalation.Step) -> datetime | None:
    """When a done step was done: its escalations, or the acknowledgement for T+0."""
    times = [incident.escalated[r] for r in step.roles if incident.escalated.get(r)]
    return min(times) if times else incident.acknowledged_at


def index_row(name: str, i: Incident, config: Config) -> str:
    """One incident's row of the index, linking to its page `name` (rendered with the page)."""
    text = " ".join(
        [str(i.id), i.title, i.severity, i.status, *i.services, i.commander or ""]
    ).lower()
    return (
        f'<tr data-severity="{e(i.severity)}" data-status="{e(i.status)}" '
        f'data-services="{e(" ".join(i.services))}" '
        f'data-text="{e(text)}">'
        f"<td>{i.id}</td><td>{i.started_at:%Y-%m-%d}</td>"
        f"<td>{severity_badge(i.severity, config)}</td>"
        f'<td class="status status-{e(i.status)}">'
        f"{e(status_label(i.status, i.duplicate_of))}</td>"
        f'<td><a href="incidents/{e(name)}">{e(i.title)}</a></td>'
        f"<td>{e(', '.join(i.services))}</td>"
        f"<td>{e(generated.duration(i))}</td><td>{e(i.commander or '—')}</td></tr>"
    )


def index(incidents: list[tuple[Incident, str]], config: Config) -> str:
    """The list of incidents: (incident, its row from `index_row`) pairs."""
    severities = config.severity_names
    ordered = sorted(incidents, key=lambda pair: (pair[0].started_at, pair[0].id), reverse=True)
    services = sorted({s for incident, _ in incidents for s in incident.services})
    statuses = list(STATUSES)

    def options(values: list[str]) -> str:
        return "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)

    rows = [row for _, row in ordered]
    body = (
        f'<h1>Incidents</h1>\n<p><span id="shown">{len(ordered)}</span> of {len(ordered)} '
        "incidents, newest first.</p>\n"
        '<form id="filter" class="filter" hidden><label>Search <input name="q" type="search" '
        'autocomplete="off"></label>'
        '<label>Severity <select name="severity"><option '
        f'value="">any</option>{options(severities)}</select></label>'
        '<label>Status <select name="status"><option '
        f'value="">any</option>{options(statuses)}</select></label>'
        '<label>Service <select name="service"><option '
        f'value="">any</option>{options(services)}</select></label></form>\n'
        "<table>\n<thead><tr><th>ID</th><th>Date</th><th>Severity</th><th>Status</th>"
        "<th>Title</th><th>Services</th><th>Duration</th><th>Commander</th></tr></thead>\n"
        "<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>"
    )
    return page("Incidents", body, script=FILTER_JS)


def _markdown():
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


class Remembered:
    """A markdown renderer that renders each distinct text once (a few hundred kept): reports
    left as the template wrote them are the same text, word for word, in many incidents. The
    HTML is what the renderer gives for that text either way."""

    def __init__(self, renderer, keep: int = 512):
        self._renderer, self._keep, self._seen = renderer, keep, {}

    def render(self, text: str) -> str:
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) >= self._keep:
                self._seen.clear()
            found = self._seen[text] = self._renderer.render(text)
        return found


def incident_page(
    loaded: Loaded, relative: str, contacts: Contacts, config, history_url: str | None, renderer
) -> str:
    i = loaded.incident
    entries, _ = document.timeline(loaded.doc)
    facts = [
        ("Severity", severity_badge(i.severity, config)),
        ("Status", e(status_label(i.status, i.duplicate_of))),
        ("Services", e(", ".join(i.services))),
        ("Incident Commander", e(i.commander or "unassigned")),
        ("Communications Lead", e(i.comms_lead or "unassigned")),
        *_people(i, config),
        ("Started", e(_when(i.started_at))),
        ("Detected", e(_when(i.detected_at))),
        (
            "Acknowledged",
            e(_when(i.acknowledged_at) + (f" by {i.acknowledged_by}" if i.acknowledged_by else "")),
        ),
        ("Mitigated", e(_when(i.mitigated_at))),
        ("Resolved", e(_when(i.resolved_at))),
        ("Duration", e(generated.duration(i))),
        (
            "User data affected",
            "yes (regulated event)"
            if i.data_affected
            else "no"
            if i.data_affected is False
            else "not answered",
        ),
        (
            "Post-mortem",
            e(f"due {_when(i.postmortem_due)}, scheduled {_when(i.postmortem_scheduled_at)}"),
        ),
    ]
    facts_html = "".join(f"<dt>{label}</dt><dd>{value}</dd>" for label, value in facts)
    timeline = "".join(
        f'<li><time datetime="{clock.format_stored(entry.at)}">{entry.at:%Y-%m-%d %H:%M:%S} '
        "UTC</time>"
        f'<span class="who">{e(entry.author)}</span><br>'
        + (f'<span class="before">{BEFORE_IMPACT}</span> ' if i.before_impact(entry.at) else "")
        + f"{e(entry.text).replace(chr(10), '<br>')}</li>"
        for entry in entries
    )
    steps = escalation.steps(i, contacts, config, i.resolved_at or i.started_at)
    escalation_rows = "".join(
        f"<tr><td>T+{s.after_minutes} min</td>"
        f"<td>{e(', '.join(p.name for p in s.people) or ', '.join(s.roles))}</td>"
        + (
            f"<td><span class=done>done {e(_when(_reached(i, s)))}</span></td></tr>"
            if s.done
            else "<td><span class=todo>not recorded</span></td></tr>"
        )
        for s in steps
    )
    labels = config.checklist_for(True)
    checklist = "".join(
        f"<li>{'☑' if done else '☐'} {e(labels.get(key, key))}</li>"
        for key, done in i.checklist.items()
    )
    actions = "".join(
        f"<tr><td>{a.id}</td><td>{e(a.title)}</td><td>{e(a.owner)}</td>"
        f"<td>{a.due.isoformat()}</td><td>{'done' if a.done else 'open'}</td>"
        f"<td>{_tracker(a.tracker)}</td></tr>"
        for a in i.action_items
    )
    report = renderer.render(_report_markdown(loaded.doc.body))
    history = (
        f'<a href="{e(history_url)}">history of this file</a>'
        if history_url
        else f"history: <code>git log -p -- {e(relative)}</code>"
    )
    body = (
        f"<h1>{e(generated.heading(i.id, i.title))}</h1>\n<p>{history}</p>\n<dl "
        f'class="facts">{facts_html}</dl>\n'
        f'<h2>Timeline</h2>\n<ol class="timeline">{timeline}</ol>\n'
        "<h2>Escalation</h2>\n<table><thead><tr><th>After</th><th>Who</th><th>Done</th></tr>"
        f"</thead><tbody>{escalation_rows}</tbody></table>\n"
        f"<h2>Post-incident checklist</h2>\n<ul>{checklist}</ul>\n"
        f"<h2>Action items</h2>\n"
        + (
            "<table><thead><tr><th>#</th><th>Action</th><th>Owner</th><th>Due</th><th>State</th>"
            f"<th>Tracker</th></tr></thead><tbody>{actions}</tbody></table>"
            if actions
            else "<p>None yet.</p>"
        )
        + f'\n<h2>Report</h2>\n<div class="report">{report}</div>'
    )
    return page(generated.heading(i.id, i.title), body, depth=1)


def _people(i: Incident, config: Config) -> list[tuple[str, str]]:
    """The other roles, the responders and the handovers, escaped, for the facts list."""
    rows = [(e(roles.title(role, config)), e(name)) for role, name in i.roles.items()]
    if i.responders:
        rows.append(("Responders", e(", ".join(i.responders))))
    return rows + [("Handover", e(line)) for line in roles.history_lines(i.role_history, config)]


def _tracker(tracker: dict | None) -> str:
    if not tracker:
        return "—"
    url = str(tracker.get("url") or "")
    if url.startswith("https://"):
        return f'<a href="{e(url)}">{e(tracker.get("key"))}</a>'
    return e(tracker.get("key"))


def _report_markdown(body: str) -> str:
    """The report's sections without the guidance comments, the generated blocks and the
    timeline (shown above as a timeline)."""
    for name in ("facts", "actions"):
        begin, end = document.block_markers(name)
        if begin in body and end in body:
            body = body[: body.index(begin)] + body[body.index(end) + len(end) :]
    lines = body.split("\n")
    timeline = document.find_section(body, "Timeline")
    if timeline:
        lines = lines[: timeline.heading] + lines[timeline.end :]
    text = "\n".join(line for line in lines if not line.startswith("# "))
    return document.visible_text(text)


# --- metrics page ------------------------------------------------------------------------------


def _axis_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000):
        if value <= step:
            return float(step)
    return float(value)


def bar_chart(
    title: str,
    months: list[str],
    series: dict[str, list[float]],
    y_label: str,
    colours: dict[str, str],
    target: float | None = None,
) -> str:
    width, height, left, bottom = 640, 240, 48, 40
    plot_w, plot_h = width - left - 16, height - bottom - 24
    totals = [sum(values[i] for values in series.values()) for i in range(len(months))]
    top = _axis_max(max([*totals, target or 0, 1]))
    slot = min(plot_w / max(1, len(months)), 80.0)
    parts = [
        f'<svg role="img" aria-labelledby="t-{_hash(title)[7:15]}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{_hash(title)[7:15]}">{e(title)}</title>',
    ]
    for tick in range(5):
        value = top * tick / 4
        y = 24 + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{value:g}</text>'
        )
    for index, month in enumerate(months):
        base = 24 + plot_h
        x = left + index * slot + slot * 0.15
        for name, values in series.items():
            h = plot_h * values[index] / top
            if h > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{h:.1f}" fill="{colours.get(name, "#555")}"><title>{e(month)} '
                    f"{e(name)}: {values[index]:g}</title></rect>"
                )
            base -= h
        if len(months) <= 24 or index % max(1, len(months) // 12) == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{24 + plot_h + 14}" '
                f'text-anchor="middle">{e(month)}</text>'
            )
    if target is not None:
        y = 24 + plot_h - plot_h * target / top
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b91c1c" '
            f'stroke-dasharray="4 3"/><text x="{left + plot_w}" y="{y - 4:.1f}" '
            f'text-anchor="end">target {target:g}</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 4}" text-anchor="middle">month</text>'
    )
    parts.append(
        f'<text transform="translate(12 {24 + plot_h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{e(y_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def metrics_page(incidents: list[Incident], config: Config) -> str:
    result = metrics.compute(incidents, config)
    months = list(result["by_month"])
    severities = config.severity_names
    colours = {
        name: RANK_COLOURS[min(config.rank(name), len(RANK_COLOURS) - 1)] for name in severities
    }
    counts = {name: [float(result["by_month"][m][name]) for m in months] for name in severities}
    per_month: dict[str, list[dict[str, float | None]]] = {m: [] for m in months}
    for incident in filter(metrics.counted, incidents):  # measured once, for both means
        per_month[incident.started_at.strftime("%Y-%m")].append(metrics.durations(incident))

    def monthly(key: str) -> list[float]:
        values = []
        for month in months:
            measured = [each[key] for each in per_month[month]]
            present = [v for v in measured if v is not None]
            values.append(round(sum(present) / len(present), 1) if present else 0.0)
        return values

    mttr, mtta = monthly("mttr"), monthly("mtta")
    charts = [
        (
            "Incidents per month, by severity",
            bar_chart("Incidents per month, by severity", months, counts, "incidents", colours),
            ["Month", *severities, "Total"],
            [
                [
                    m,
                    *(f"{counts[s][i]:g}" for s in severities),
                    f"{sum(counts[s][i] for s in severities):g}",
                ]
                for i, m in enumerate(months)
            ],
        ),
        (
            "Mean time to resolve per month (minutes)",
            bar_chart(
                "Mean time to resolve per month",
                months,
                {"MTTR": mttr},
                "minutes",
                {"MTTR": "#1d4ed8"},
            ),
            ["Month", "MTTR (min)"],
            [[m, f"{mttr[i]:g}"] for i, m in enumerate(months)],
        ),
        (
            "Mean time to acknowledge per month, against the target (minutes)",
            bar_chart(
                "Mean time to acknowledge per month",
                months,
                {"MTTA": mtta},
                "minutes",
                {"MTTA": "#047857"},
                target=float(config.ack_target_minutes),
            ),
            ["Month", "MTTA (min)", f"Target {config.ack_target_minutes} min"],
            [
                [m, f"{mtta[i]:g}", "over" if mtta[i] > config.ack_target_minutes else "met"]
                for i, m in enumerate(months)
            ],
        ),
    ]
    sections = []
    for title, svg, header, rows in charts:
        table = (
            "<table><thead><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in header)
            + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table>"
        )
        sections.append(f'<h2>{e(title)}</h2>\n<div class="chart">{svg}{table}</div>')

    def stat(key: str) -> str:
        s = result[f"{key}_minutes"]
        return (
            "no data"
            if s is None
            else f"mean {s['mean']:g}, median {s['median']:g}, p90 {s['p90']:g} minutes"
        )

    summary = (
        f"<p>{result['incidents']} incidents. MTTA: {e(stat('mtta'))}. MTTR: {e(stat('mttr'))}. "
        f"Impact: {e(stat('impact'))}. "
        f"Acknowledged later than {config.ack_target_minutes} minutes: "
        f"{result['ack_slo_breaches']}.</p>"
    )
    return page(
        "Incident metrics", "<h1>Incident metrics</h1>\n" + summary + "\n" + "\n".join(sections)
    )


# --- building ----------------------------------------------------------------------------------


@dataclass
class Built:
    pages: int
    out: Path
    unreadable: list[str]  # why each incident file left out could not be read


def history_base(ws) -> str | None:
    """https://github.com/org/repo/commits/HEAD/ for a GitHub origin, else None."""
    result = ws.git.call("config", "--get", "remote.origin.url")
    url = result.stdout.strip()
    for prefix in ("git@github.com:", "https://github.com/", "ssh://git@github.com/"):
        if url.startswith(prefix):
            slug = url[len(prefix) :].removesuffix(".git")
            return f"https://github.com/{slug}/commits/HEAD/"
    return None


_WORKER: dict = {}


def _start_worker(root: str, history: str | None, folder: str) -> None:
    """Each worker opens the repository once: config, contacts, the markdown renderer, and what
    the output folder holds (only pages already there are read to compare)."""
    ws = Workspace(Path(root))
    _WORKER.update(
        ws=ws,
        contacts=teamfiles.contacts(ws.root),
        renderer=Remembered(_markdown()),
        history=history,
        folder=Path(folder),
        existing=set(os.listdir(folder)),
    )


@dataclass(frozen=True)
class Rendered:
    """One incident's page, written by the worker beside its place but not yet put there."""

    name: str  # the page's file name
    staged: str | None  # the temp file with the page's new bytes; None when they are unchanged
    incident: Incident
    row: str  # its row of the index
    found: Match | None  # the first thing the sensitive-data guard finds in the incident file


def _render_one(path: Path) -> Rendered | str:
    """One incident's page, or why the file cannot be read."""
    ws = _WORKER["ws"]
    try:
        loaded = ws.store.read(path)
    except (MalformedFileError, UsageError) as error:
        return str(error)
    relative = ws.store.relative(path)
    history = f"{_WORKER['history']}{relative}" if _WORKER["history"] else None
    found = ws.guard().scan(loaded.raw.decode("utf-8"))
    name = page_name(loaded)
    data = incident_page(
        loaded, relative, _WORKER["contacts"], ws.config, history, _WORKER["renderer"]
    ).encode("utf-8")
    target = _WORKER["folder"] / name
    unchanged = name in _WORKER["existing"] and _current(target) == data
    staged = None if unchanged else files.staged(target, data)
    row = index_row(name, loaded.incident, ws.config)
    return Rendered(name, staged, loaded.incident, row, found[0] if found else None)


def build(ws, out: Path, progress: Callable[[int], None] = lambda _: None) -> Built:
    """Render every incident page (in parallel on a large repository; the output is the same),
    then the index and the metrics page; files whose bytes did not change are left alone.

    Workers write each changed page to a temp file beside it; only when no page is refused
    are they renamed into place (otherwise nothing is written, and folders made are removed)."""
    paths = sorted(p for group in ws.store.paths().values() for p in group)
    base = history_base(ws)
    made = _first_missing(out / "incidents")
    folder = _output_folders(ws.root, out)
    rendered: list[Rendered] = []
    unreadable: list[str] = []
    results = parallel.map_files(
        _render_one,
        paths,
        setup=_start_worker,
        setup_args=(str(ws.root), base, str(folder)),
        progress=progress,
    )
    try:
        for result in results:
            (unreadable if isinstance(result, str) else rendered).append(result)
        _refuse_sensitive(rendered, ws.allow_sensitive)
    except BaseException:
        results.close()  # the workers stop (and stop writing) before their files are swept
        _sweep(folder)  # this run's staged pages (and any killed run's)
        _remove_made(folder, made)
        raise
    for page_file in rendered:
        if page_file.staged:
            os.replace(page_file.staged, folder / page_file.name)
    _sweep(folder)  # what a killed run left: never published with the site
    written = {
        "index.html": index([(each.incident, each.row) for each in rendered], ws.config),
        "metrics.html": metrics_page([each.incident for each in rendered], ws.config),
    }
    for name, text in written.items():
        data = text.encode("utf-8")
        if _current(out / name) != data:
            files.replace_file(out / name, data)
    stale = {p.name for p in folder.glob("*.html")} - {page_file.name for page_file in rendered}
    for name in stale:
        (folder / name).unlink()  # a link itself goes, never what it points to
    return Built(len(rendered) + len(written), out, unreadable)


def _refuse_sensitive(rendered: list[Rendered], allowed: bool) -> None:
    """The site is published: the guard commits pass refuses it too, unless allowed."""
    flagged = [page_file for page_file in rendered if page_file.found]
    if flagged and not allowed:
        first, match = flagged[0], flagged[0].found
        raise UsageError(
            f"refusing to publish {match.what} ({match.kind}) from "
            f"{INCIDENTS_DIR}/{Path(first.name).stem}.md (line {match.line}) in the site"
            + (f", and {len(flagged) - 1} other file(s)" if len(flagged) > 1 else "")
            + "; remove it, or pass --allow-sensitive. Nothing was written."
        )


def _first_missing(out: Path) -> Path | None:
    """The outermost folder on the way to `out` that does not exist yet (None when `out` does)."""
    missing = None
    for folder in (out, *out.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing = folder
    return missing


def _remove_made(folder: Path, made: Path | None) -> None:
    """Remove the folders this run made on the way to `folder`, if they are (still) empty."""
    if made is None:
        return
    for each in (folder, *folder.parents):
        with contextlib.suppress(OSError):
            each.rmdir()
        if each == made:
            return


def _sweep(folder: Path) -> None:
    """Remove staged pages (`.NAME.html.PID-N.tmp`) not renamed into place."""
    for stray in folder.glob(".*.html.*.tmp"):
        stray.unlink(missing_ok=True)


def _output_folders(root: Path, out: Path):
    """`out` and `out/incidents`, real folders: neither they nor (inside the repository) any
    folder on the way to them is a link, so nothing is written or deleted elsewhere."""
    shown = out.relative_to(root).as_posix() if out.is_relative_to(root) else str(out)
    if out.is_relative_to(root) and not files.is_link_free(root, out.parent):
        raise RepositoryError(
            f"a folder on the way to {shown} is a symbolic link; choose another --out folder."
        )
    try:
        files.real_folder(out, shown)
        return files.real_folder(out / "incidents", f"{shown}/incidents")
    except files.Refused as error:
        raise RepositoryError(
            f"{error.reason}; runbook writes the site only into real folders (remove the link "
            "or choose another --out)."
        ) from None


def _current(target: Path) -> bytes | None:
    """What a site file holds now (None when missing, a link or unreadable: it is rewritten)."""
    try:
        return files.read_regular(target)
    except OSError:
        return None
