"""Everything that talks to git. Finding the repository is plain file reads (fast); committing
goes through the git binary via GitPython, so hooks run, signing is honoured and the identity
is the user's own, never invented."""

from __future__ import annotations

import os
from pathlib import Path

from runbook_cli.errors import RepositoryError, UsageError

_IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "git merge --continue (or --abort)"),
    "rebase-merge": ("a rebase", "git rebase --continue (or --abort)"),
    "rebase-apply": ("a rebase or am", "git rebase --continue (or --abort)"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --continue (or --abort)"),
    "REVERT_HEAD": ("a revert", "git revert --continue (or --abort)"),
    "BISECT_LOG": ("a bisect", "git bisect reset"),
}


def find_root(start: Path) -> Path:
    """The top of the work tree containing `start`."""
    start = start.resolve()
    if not start.exists():
        raise UsageError(f"the folder {start} does not exist; pass an existing path to --repo.")
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    raise RepositoryError(f"{start} is not inside a git repository; run 'git init' first or pass --repo PATH.")


class GitRepo:
    def __init__(self, root: Path):
        self.root = root
        self.git_dir = self._git_dir(root)

    @staticmethod
    def _git_dir(root: Path) -> Path:
        dot_git = root / ".git"
        if dot_git.is_file():  # a worktree or submodule: ".git" names the real folder
            target = dot_git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip()
            return (root / target).resolve()
        return dot_git

    def common_dir(self) -> Path:
        """The folder shared by all worktrees (where refs, config and our lock live)."""
        pointer = self.git_dir / "commondir"
        if pointer.is_file():
            return (self.git_dir / pointer.read_text(encoding="utf-8").strip()).resolve()
        return self.git_dir

    def check_can_commit(self) -> str:
        """Refuse unusual states before anything is written; return the author's name."""
        for marker, (what, how) in _IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                raise RepositoryError(f"the repository is in the middle of {what}; finish it with {how}, then run runbook again.")
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError as error:
            raise RepositoryError(f"cannot read {self.git_dir / 'HEAD'}: {error.strerror}.") from None
        if not head.startswith("ref:"):
            raise RepositoryError("HEAD is detached; check out a branch (git switch BRANCH) before recording incident changes.")
        return self.identity()

    def identity(self) -> str:
        """The committer's name from git config or the environment; refuse when git would guess."""
        from git.exc import GitCommandError

        try:
            ident = self._git().var("GIT_AUTHOR_IDENT")
        except GitCommandError as error:
            if "auto-detection is disabled" in str(error.stderr) or "tell me who you are" in str(error.stderr):
                raise RepositoryError(
                    "git has no identity here; set it with git config user.name 'Your Name' and git config user.email you@example.com."
                ) from None
            raise RepositoryError(f"git refused: {_reason(error)}") from None
        return ident.rsplit("<", 1)[0].strip()

    def commit(self, paths: list[Path], message: str) -> str:
        """Commit exactly these paths (and nothing else the user staged); return the new commit id."""
        from git.exc import GitCommandError

        relative = [str(path.relative_to(self.root)) for path in paths]
        git = self._git()
        try:
            git.add("--", *relative)
            git.commit("--only", "--quiet", "--no-edit", "-m", message, "--", *relative)
            return git.rev_parse("HEAD")
        except GitCommandError as error:
            raise RepositoryError(
                f"the change is written to {', '.join(relative)} but git did not commit it: {_reason(error)}; "
                "fix that and the next runbook command commits it too (or commit it yourself)."
            ) from None

    def run(self, *args: str) -> str:
        """Any git command; its output without the trailing newline."""
        from git.exc import GitCommandError

        try:
            return self._git().execute(["git", *args])
        except GitCommandError as error:
            raise RepositoryError(f"git {args[0]} failed: {_reason(error)}.") from None

    def _git(self):  # noqa: ANN202
        os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
        from git.cmd import Git

        git = Git(self.root)
        git.update_environment(GIT_LITERAL_PATHSPECS="1", GIT_CONFIG_PARAMETERS=_config_parameters())
        return git


def _config_parameters() -> str:
    """Tell git never to guess an identity, on top of whatever -c options the caller set."""
    inherited = os.environ.get("GIT_CONFIG_PARAMETERS", "")
    return f"{inherited} 'user.useConfigOnly=true'".strip()


def _reason(error: Exception) -> str:
    stderr = getattr(error, "stderr", "") or str(error)
    lines = [line.strip() for line in str(stderr).splitlines() if line.strip()]
    lines = [line.removeprefix("stderr:").strip().strip("'").strip() for line in lines]
    useful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    return (useful[-1] if useful else "unknown error").removeprefix("fatal: ").removeprefix("error: ").rstrip(".")
