"""The workflows `init` writes and our own: actionlint-clean, using the tool pinned."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from runbook_cli import __version__
from runbook_cli.errors import UsageError
from runbook_cli.rendering import workflows
from runbook_cli.usecases import scaffold

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    f"runbook-cli/runbook@v{__version__}",
    "./tools/runbook",
    "git+https://git.example/runbook.git@v1",
]
needs_actionlint = pytest.mark.skipif(not shutil.which("actionlint"), reason="actionlint missing")


def actionlint(folder: Path) -> str:
    result = subprocess.run(
        ["actionlint", "-no-color"], cwd=folder, capture_output=True, text=True, timeout=60
    )
    return result.stdout + result.stderr if result.returncode else ""


@needs_actionlint
def test_the_projects_own_workflows_are_actionlint_clean() -> None:
    assert actionlint(ROOT) == ""


@needs_actionlint
@pytest.mark.parametrize("tool", SOURCES)
def test_generated_workflows_are_actionlint_clean(tmp_path: Path, tool: str) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for relative, content in scaffold.files(pages=True, tool=tool).items():
        if relative.startswith(".github/"):
            (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / relative).write_text(content)
    assert actionlint(tmp_path) == ""


def documented_capture_workflow() -> str:
    text = (ROOT / "docs/integrations.md").read_text()
    start = text.index("# .github/workflows/capture.yml")
    return text[start : text.index("```", start)]


@needs_actionlint
def test_the_documented_capture_workflow_is_actionlint_clean(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/capture.yml").write_text(documented_capture_workflow())
    assert actionlint(tmp_path) == ""


def test_the_documented_capture_workflow_uses_the_pinned_tool_and_current_actions() -> None:
    text = documented_capture_workflow()
    steps = yaml.safe_load(text)["jobs"]["capture"]["steps"]
    assert steps[0]["uses"] == workflows.CHECKOUT
    assert steps[1]["uses"].startswith(f"{workflows.ACTION_REPOSITORY}@v")
    assert "pip install" not in text and "runbook sync" in steps[2]["run"]


def test_by_default_the_workflows_use_this_versions_action() -> None:
    written = scaffold.files(pages=True)
    for name in ("runbook-check.yml", "runbook-site.yml"):
        text = written[f".github/workflows/{name}"]
        assert f"uses: runbook-cli/runbook@v{__version__}" in text
        assert "pip install runbook-cli" not in text


def test_a_pip_source_is_installed_and_the_gate_gets_the_pull_requests_base() -> None:
    text = workflows.check(workflows.ToolSource.parse(SOURCES[2]))
    steps = yaml.safe_load(text)["jobs"]["check"]["steps"]
    runs = [step.get("run") for step in steps]
    assert f"python -m pip install '{SOURCES[2]}'" in runs
    assert 'runbook check --base "origin/${{ github.base_ref }}" --format github' in runs


def test_the_site_workflow_runs_the_site_command_through_the_action() -> None:
    data = yaml.safe_load(workflows.pages(workflows.ToolSource.parse(SOURCES[0])))
    step = data["jobs"]["build"]["steps"][1]
    assert step == {"uses": SOURCES[0], "with": {"command": "site --out _site"}}


@pytest.mark.parametrize(
    "tool",
    [
        "runbook-cli",
        "../outside",
        "./x/../../y",
        "git+https://h/r.git@v1; rm -rf /",
        "o/r@v1\nx: y",
    ],
)
def test_a_source_that_could_break_the_yaml_or_the_shell_is_refused(tool: str) -> None:
    with pytest.raises(UsageError, match="--tool"):
        workflows.ToolSource.parse(tool)


def test_the_action_installs_itself_at_its_own_ref_and_picks_the_base_for_pull_requests() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    scripts = "\n".join(step.get("run", "") for step in action["runs"]["steps"])
    assert '"$GITHUB_ACTION_PATH"' in scripts
    assert 'check --base "origin/$BASE_REF"' in scripts


_USES = re.compile(r"uses:\s*(actions/[A-Za-z0-9_-]+)@v(\d+)\b")


def actions_we_use() -> dict[str, set[int]]:
    """Every `actions/NAME@vN` in our workflows, the Action, the generated workflows and docs."""
    texts = [path.read_text() for path in (ROOT / ".github/workflows").glob("*.yml")]
    texts += [(ROOT / name).read_text() for name in ("action.yml", "docs/ci.md")]
    texts += [documented_capture_workflow()]
    for tool in SOURCES:
        texts += scaffold.files(pages=True, tool=tool).values()
    used: dict[str, set[int]] = {}
    for name, major in _USES.findall("\n".join(texts)):
        used.setdefault(name, set()).add(int(major))
    return used


@needs_actionlint
def test_every_action_is_at_the_newest_major_actionlint_knows(tmp_path: Path) -> None:
    """actionlint lists the inputs of each version of an action it knows when a step gives one
    that does not exist, and says nothing for a version it does not know: so the version after
    ours must draw no such answer, while ours must."""
    used = actions_we_use()
    assert {"actions/checkout", "actions/setup-python", "actions/deploy-pages"} <= set(used)
    assert all(len(majors) == 1 for majors in used.values()), used
    probes = {f"{name}@v{major + delta}" for name, (major,) in used.items() for delta in (0, 1)}
    steps = "".join(f"      - uses: {p}\n        with: {{no-such-input: x}}\n" for p in probes)
    (tmp_path / ".github/workflows").mkdir(parents=True)
    (tmp_path / ".github/workflows/probe.yml").write_text(
        f"on: push\njobs:\n  probe:\n    runs-on: ubuntu-latest\n    steps:\n{steps}"
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    known = set(re.findall(r'not defined in action "([^"]+)"', actionlint(tmp_path)))
    ours = {f"{name}@v{major}" for name, (major,) in used.items()}
    assert ours <= known
    assert not known - ours, f"a newer major is out: {sorted(known - ours)}"
