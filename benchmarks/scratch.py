"""What the benchmarks share: a scratch folder removed at exit, and an environment in which
git and runbook run there as in any install."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def scratch(prefix: str) -> tuple[Path, dict[str, str]]:
    """A new folder (removed when the benchmark exits, even on failure: a run over 10,000
    incidents leaves that many files) and the environment to run commands in: a fixed git
    identity, HOME in the folder, no system git config, and bytecode caching on as in any pip
    install (an editable install with PYTHONDONTWRITEBYTECODE set would otherwise recompile
    runbook's modules on every run)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        HOME=str(folder),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Bench",
        GIT_AUTHOR_EMAIL="bench@example.invalid",
        GIT_COMMITTER_NAME="Bench",
        GIT_COMMITTER_EMAIL="bench@example.invalid",
    )
    return folder, env
