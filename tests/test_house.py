"""The house rules, checked by the suite so `python -m pytest` (CI's command) enforces them."""

from __future__ import annotations

import ast
import functools
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "runbook_cli"


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not shutil.which("lint-imports"), reason="import-linter missing")
def test_imports_point_down_the_layers() -> None:
    result = run("lint-imports", "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]


def test_ruff_finds_nothing_and_the_tree_is_formatted() -> None:
    lint = run(sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    assert lint.returncode == 0, lint.stdout[-3000:]
    formatting = run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")
    assert formatting.returncode == 0, formatting.stdout[-3000:]


def test_the_suite_and_the_pre_commit_hook_run_the_same_ruff() -> None:
    """A newer ruff may format differently: the suite, CI and the hook pin one version."""
    from importlib.metadata import version

    hook = re.search(
        r"ruff-pre-commit\n\s+rev: v(\S+)", (ROOT / ".pre-commit-config.yaml").read_text()
    )
    pinned = re.search(r'"ruff==([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert hook and pinned and hook.group(1) == pinned.group(1) == version("ruff")


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def strings_in_code(path: Path) -> list[tuple[int, str]]:
    """The string constants a module's code uses (f-string parts included), docstrings and
    help texts aside."""
    tree = parsed(path)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # Help texts too: --help shows them without loading the layers, so they spell things out.
    helps = {
        id(part)
        for node in ast.walk(tree)
        if isinstance(node, ast.keyword) and node.arg == "help"
        for part in ast.walk(node.value)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings | helps
    ]


def test_the_runbooks_folder_is_named_in_one_module() -> None:
    home = PACKAGE / "domain" / "layout.py"
    spelled = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != home
        for line, text in strings_in_code(path)
        if re.search(r"(?<![\w/])docs/runbooks", text)  # (a URL's path may say it)
    ]
    assert not spelled, "use runbook_cli.domain.layout's paths: " + ", ".join(spelled)


def test_git_is_run_and_read_only_by_the_git_adapters() -> None:
    """No module but adapters/gitrepo.py and adapters/history.py starts git (a command list
    beginning with "git") or imports GitPython."""
    homes = {PACKAGE / "adapters" / "gitrepo.py", PACKAGE / "adapters" / "history.py"}
    found = []
    for path in sorted(set(PACKAGE.rglob("*.py")) - homes):
        for node in ast.walk(parsed(path)):
            runs = (
                isinstance(node, ast.List | ast.Tuple)
                and node.elts
                and isinstance(node.elts[0], ast.Constant)
                and node.elts[0].value == "git"
            )
            imports = (
                isinstance(node, ast.Import) and any(a.name == "git" for a in node.names)
            ) or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "git")
            if runs or imports:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "git belongs to adapters.gitrepo / adapters.history: " + ", ".join(found)


def test_severity_names_are_data_of_the_config_alone() -> None:
    """Only the config's seed names a severity as a value (a key, a default, a comparison);
    elsewhere they are read from the config. Prose may mention them; the scripted demo types
    them as a responder would. The site's styles go by rank, not by name."""
    allowed = {PACKAGE / "domain" / "config.py", PACKAGE / "usecases" / "demo.py"}
    spelled = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(set(PACKAGE.rglob("*.py")) - allowed)
        for line, text in strings_in_code(path)
        if re.fullmatch(r"SEV-?[0-9]", text.strip(), re.IGNORECASE)
    ]
    assert not spelled, "read severities from the config: " + ", ".join(spelled)
    for template in (PACKAGE / "templates").iterdir():
        assert not re.search(r"sev-?[0-9]\b", template.read_text(), re.IGNORECASE), template


def test_use_cases_share_only_the_workspace_and_common_ground() -> None:
    """A use case imports no other use case's module, only the common ground every use case
    stands on; pure rules two use cases need live in the domain. The one composition: an ack or
    resolve tells PagerDuty, which is PagerDuty's use case."""
    common = {"workspace", "integrations", "checklist"}
    composed = {("lifecycle", "pagerduty")}
    found = []
    for path in sorted((PACKAGE / "usecases").glob("*.py")):
        for node in ast.walk(parsed(path)):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "runbook_cli.usecases"
            ):
                continue
            names = (
                [alias.name for alias in node.names]
                if node.module == "runbook_cli.usecases"
                else [node.module.rsplit(".", 1)[1]]
            )
            found += [
                f"{path.stem} -> {name}"
                for name in names
                if name not in common and (path.stem, name) not in composed
            ]
    assert not found, "move what both need into the domain: " + ", ".join(found)


def test_tests_share_helpers_only_through_conftest_fixtures_and_helper_modules() -> None:
    borrowed = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.ImportFrom | ast.Import)
        for name in (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [alias.name for alias in node.names]
        )
        if name.split(".")[0] == "conftest" or name.split(".")[-1].startswith("test_")
    ]
    assert not borrowed, "move shared helpers into tests/helpers.py: " + ", ".join(borrowed)


def unexplained_imports(path: Path) -> list[str]:
    """The imports inside functions that give no reason: none on their lines, on the line
    above, or on a block of imports they stand in (adjacent lines, one comment for them all)."""
    source = path.read_text(encoding="utf-8")
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    commented = {token.start[0] for token in tokens if token.type == tokenize.COMMENT}
    inside = sorted(
        {
            (node.lineno, node.end_lineno or node.lineno)
            for function in ast.walk(parsed(path))
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            for node in ast.walk(function)
            if isinstance(node, ast.Import | ast.ImportFrom)
        }
    )
    blocks: list[list[tuple[int, int]]] = []
    for start, end in inside:
        if blocks and blocks[-1][-1][1] + 1 == start:
            blocks[-1].append((start, end))
        else:
            blocks.append([(start, end)])
    return [
        f"{path.relative_to(ROOT)}:{start}"
        for block in blocks
        if not commented & set(range(block[0][0] - 1, block[-1][1] + 1))
        for start, _ in block
    ]


def test_an_import_inside_a_function_says_why_it_is_there() -> None:
    """Outside the command modules (whose lazy imports keep `--help` fast, as
    docs/architecture.md says), an import belongs at the top of its module unless a comment says
    what loading it later saves, and who: a cost and the commands that pay it, or a platform."""
    commands = PACKAGE / "cli"
    found = [
        place
        for path in sorted(PACKAGE.rglob("*.py"))
        if commands not in path.parents and path.name != "__main__.py"
        for place in unexplained_imports(path)
    ]
    assert not found, "move it to the top, or say why it waits: " + ", ".join(found)
