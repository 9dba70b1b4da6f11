"""The static site at HTML level: escaped, self-contained, deterministic, usable without JS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import Runbook, git


@pytest.fixture
def built(declared: Runbook, repo: Path, tmp_path: Path) -> Path:
    declared("timeline", "add", "<script>alert('x')</script> & <b>bold</b>")
    declared(
        "report", "set", "root-cause", "A *pool* ran dry.\n\n<img src=https://evil.example/x.png>"
    )
    declared("declare", "Second <i>one</i>", "-s", "SEV-0", "--service", "doctor-hub")
    declared("ack", "-i", "2")
    declared("resolve", "-i", "2")
    out = tmp_path / "site"
    assert "Wrote 4 pages" in declared("site", "--out", str(out)).stdout
    return out


def pages(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*.html"))}


def test_pages_exist_and_user_text_is_escaped(built: Path) -> None:
    site = pages(built)
    assert {"index.html", "metrics.html"} <= set(site) and len(
        [n for n in site if re.fullmatch(r"incidents/\d{4}-\d\d-\d\d-incident-[12]\.html", n)]
    ) == 2
    incident = next(text for name, text in site.items() if name.endswith("incident-1.html"))
    assert (
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
        in incident
    )
    assert "<script>alert" not in incident and "<img" not in incident
    assert "<em>pool</em>" in incident  # the report's markdown is rendered, its raw HTML is not
    assert "Second &lt;i&gt;one&lt;/i&gt;" in site["index.html"]


def test_no_request_leaves_the_page(built: Path) -> None:
    for name, text in pages(built).items():
        policy = re.search(
            r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text
        ).group(1)
        assert policy.startswith("default-src 'none'") and "unsafe-inline" not in policy, name
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text), name
        assert (
            not re.search(r'src="https?:', text) and "@import" not in text and "url(" not in text
        ), name
    scripts = re.findall(r"<script>(.*?)</script>", pages(built)["index.html"], re.DOTALL)
    assert len(scripts) == 1 and "'sha256-" in pages(built)["index.html"]


def test_usable_without_javascript(built: Path) -> None:
    index = pages(built)["index.html"]
    assert '<form id="filter" class="filter" hidden>' in index  # shown by the script only
    rows = re.findall(r'<tr data-severity="([^"]+)" data-status="([^"]+)"', index)
    assert rows == [("SEV-0", "resolved"), ("SEV-2", "investigating")]  # newest first
    assert "■■■■" in index  # severity reads without colour


def test_metrics_page_has_titled_labelled_charts_with_tables(built: Path) -> None:
    metrics = pages(built)["metrics.html"]
    assert metrics.count("<svg") == 3 and metrics.count("<title id=") == 3
    assert (
        metrics.count(">month</text>") == 3
        and ">incidents</text>" in metrics
        and ">minutes</text>" in metrics
    )
    assert metrics.count("<table>") == 3 and "target 5" in metrics


def test_output_is_deterministic(built: Path, declared: Runbook, tmp_path: Path) -> None:
    again = tmp_path / "again"
    declared("site", "--out", str(again))
    assert pages(again) == pages(built)
    stamps = {p: p.stat().st_mtime_ns for p in built.rglob("*.html")}
    declared("site", "--out", str(built))
    assert {
        p: p.stat().st_mtime_ns for p in built.rglob("*.html")
    } == stamps  # unchanged files are not rewritten


def test_history_links_to_github_and_removed_incidents_disappear(
    built: Path, declared: Runbook, repo: Path
) -> None:
    git(repo, "remote", "add", "origin", "git@github.com:acme/ops.git")
    path = next((repo / "docs/runbooks/incidents").glob("*-incident-2.md"))
    path.unlink()
    declared("site", "--out", str(built))
    site = pages(built)
    assert len(site) == 3
    incident = next(text for name, text in site.items() if name.startswith("incidents/"))
    assert 'href="https://github.com/acme/ops/commits/HEAD/docs/runbooks/incidents/' in incident


def test_init_pages_adds_the_publishing_workflow(bare_repo: Path) -> None:
    Runbook(bare_repo)("init", "--pages", "--yes")
    workflow = (bare_repo / ".github/workflows/runbook-site.yml").read_text()
    assert "command: site --out _site" in workflow and "actions/deploy-pages" in workflow


def test_a_large_site_is_rendered_on_all_cores_identically(
    declared: Runbook, repo: Path, tmp_path: Path
) -> None:
    path = next((repo / "docs/runbooks/incidents").glob("*.md"))
    text = path.read_text()
    for number in range(2, 321):
        copy = text.replace("id: 1\n", f"id: {number}\n", 1).replace(
            "# Incident 1 –", f"# Incident {number} –", 1
        )
        (path.parent / path.name.replace("-incident-1.md", f"-incident-{number}.md")).write_text(
            copy
        )
    out = tmp_path / "big"
    assert "Wrote 322 pages" in declared("site", "--out", str(out)).stdout
    single = (out / "incidents" / path.name.replace(".md", ".html")).read_text()
    from runbook_cli.usecases import site

    here = tmp_path / "here"
    here.mkdir()
    site._start_worker(str(repo), None, str(here))
    staged = site._render_one(path).staged  # the page a worker wrote is the page rendered here
    assert Path(staged).parent == here and Path(staged).read_text() == single


def test_a_remembered_report_is_the_renderers_html() -> None:
    from runbook_cli.usecases import site

    texts = ["## A\n\n*one*", "## B\n\n| a |\n|---|\n| 1 |", "## A\n\n*one*", "", "x < y"]
    remembered = site.Remembered(site._markdown(), keep=2)
    assert [remembered.render(t) for t in texts * 2] == [
        site._markdown().render(t) for t in texts * 2
    ]


def test_a_false_alarm_alone_in_its_month_leaves_the_metrics_page_whole() -> None:
    """Cancelled incidents and duplicates are left out of the measures, also month by month."""
    from runbook_cli.domain import config, model
    from runbook_cli.usecases.site import metrics_page

    def incident(number: int, started: str, **facts: object) -> model.Incident:
        meta = {
            "id": number,
            "title": "x",
            "severity": "SEV-3",
            "status": "resolved",
            "services": ["patient-web"],
            "started_at": started,
            "resolved_at": started.replace("T10", "T11"),
            **facts,
        }
        return model.from_meta(meta, config.defaults())

    page = metrics_page(
        [
            incident(
                1, "2026-09-10T10:00:00Z", status="cancelled", closed_at="2026-09-10T12:00:00Z"
            ),
            incident(2, "2026-10-10T10:00:00Z"),
        ],
        config.defaults(),
    )
    assert "2026-10" in page and "2026-09" not in page


def test_a_killed_builds_temp_files_are_cleared_by_the_next(built: Path, declared: Runbook) -> None:
    """A build killed outright (SIGKILL) leaves its staged pages beside their places; the next
    build must not publish them along with the site."""
    stray = built / "incidents" / ".2026-11-27-incident-1.html.4242-1.tmp"
    stray.write_text("half a page")
    declared("site", "--out", str(built))
    assert not stray.exists()
