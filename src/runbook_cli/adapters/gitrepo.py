"""Running git. Finding the repository is plain file reads (fast); committing goes through the
git binary, so hooks run, signing is honoured and the identity is the user's own, never
invented (git is told user.useConfigOnly, so it cannot guess one either). Every git process
costs a few milliseconds on each command, so what plain file reads can answer reliably is
answered that way, with git itself asked whenever the repository is anything unusual. Reading
history is in `history`."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from runbook_cli.errors import RepositoryError, UsageError

MERGE_DRIVER = "runbook"
MERGE_CONFLICT_EXIT = 9
"""The merge driver's status when it wrote its result with conflict markers (0: merged cleanly).
Any other status means runbook did not run, and the registered command merges line by line."""
LINE_MERGE = "git merge-file -L ours -L base -L theirs"
FINISH_SECONDS = 0.75
"""After Ctrl-C, how long a running git may take to finish on its own (Python's subprocess has
waited a quarter of a second already) before it is interrupted."""

_IN_PROGRESS = {
    "MERGE_HEAD": ("a merge", "git merge --continue (or --abort)"),
    "rebase-merge": ("a rebase", "git rebase --continue (or --abort)"),
    "rebase-apply": ("a rebase or am", "git rebase --continue (or --abort)"),
    "CHERRY_PICK_HEAD": ("a cherry-pick", "git cherry-pick --continue (or --abort)"),
    "REVERT_HEAD": ("a revert", "git revert --continue (or --abort)"),
    "BISECT_LOG": ("a bisect", "git bisect reset"),
}
# Variables that make git look for the repository elsewhere, or judge its owner by another user
_RELOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "SUDO_UID")
_HEX = frozenset("0123456789abcdef")


def find_root(start: Path) -> Path:
    """The top of the work tree containing `start`."""
    start = start.resolve()
    if not start.exists():
        raise UsageError(f"the folder {start} does not exist; pass an existing path to --repo.")
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    raise RepositoryError(
        f"{start} is not inside a git repository; run 'git init' first or pass --repo PATH."
    )


class GitRepo:
    def __init__(self, root: Path):
        self.root = root
        self.git_dir = self._git_dir(root)
        self._tracked: set[str] = set()
        """Paths `git status` found tracked and unchanged: `commit` needs no `git add` for them."""
        self._ident: subprocess.Popen | subprocess.CompletedProcess | None = None
        """`git var GIT_AUTHOR_IDENT`: asked once, perhaps while other work runs."""

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
        """Refuse unusual states and a missing identity before anything is written; return the
        author's name."""
        self.check_state()
        return self.identity()

    def check_state(self) -> None:
        """Refuse unusual states before anything is written (not a missing identity: incident
        changes are then written and committed later, see Workspace)."""
        for marker, (what, how) in _IN_PROGRESS.items():
            if (self.git_dir / marker).exists():
                raise RepositoryError(
                    f"the repository is in the middle of {what}; finish it with {how}, then run "
                    "runbook again."
                )
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
        except OSError as error:
            raise RepositoryError(
                f"cannot read {self.git_dir / 'HEAD'}: {error.strerror}."
            ) from None
        if not head.startswith("ref:"):
            raise RepositoryError(
                "HEAD is detached; check out a branch (git switch BRANCH) before recording "
                "incident changes."
            )
        # git's own refusals (dubious ownership, a broken repository) before anything is written
        if self._plainly_valid(head):
            return
        result = self.call("rev-parse", "--git-dir")
        if result.returncode:
            hint = (
                f"; if you trust it, run git config --global --add safe.directory {self.root}"
                if "dubious ownership" in result.stderr
                else ""
            )
            raise RepositoryError(f"git refuses this repository: {reason(result.stderr)}{hint}.")

    def _plainly_valid(self, head: str) -> bool:
        """Whether git takes this repository as it is, told by file reads instead of a
        `git rev-parse` process: a `.git` folder (not a worktree's or submodule's pointer file)
        that, like the work tree, belongs to this user (git refuses any other as of "dubious
        ownership"), holding objects and refs, its HEAD naming a branch, its config no
        repository extensions, and no variable sending git elsewhere. Anything else is left to
        git, which words its own refusal."""
        if any(name in os.environ for name in _RELOCATING) or self.git_dir != self.root / ".git":
            return False
        if not hasattr(os, "geteuid"):  # Windows: git judges owners by account, not by uid
            return False
        try:
            work_tree, git_dir = os.lstat(self.root), os.lstat(self.git_dir)
            config = (self.git_dir / "config").read_text(encoding="utf-8").lower()
        except (OSError, UnicodeDecodeError):
            return False
        return (
            work_tree.st_uid == git_dir.st_uid == os.geteuid()
            and stat.S_ISDIR(git_dir.st_mode)  # a folder, not a link to one
            and (self.git_dir / "objects").is_dir()
            and (self.git_dir / "refs").is_dir()
            and head.removeprefix("ref:").strip().startswith("refs/")
            and "extensions" not in config
        )

    @contextlib.contextmanager
    def identity_meanwhile(self) -> Iterator[None]:
        """Ask git for the committer's identity while the body runs (git answers in a process
        of its own, beside the body's own git processes); collected by the end of the body."""
        if self._ident is None:
            self._ident = self.start("var", "GIT_AUTHOR_IDENT")
        try:
            yield
        finally:
            self._author_ident()

    def _author_ident(self) -> subprocess.CompletedProcess:
        if not isinstance(self._ident, subprocess.CompletedProcess):
            self._ident = collected(self._ident or self.start("var", "GIT_AUTHOR_IDENT"))
        return self._ident

    def configured_identity(self) -> str | None:
        """The committer's name from git config or the environment; None when git has none
        (it is told not to guess one)."""
        result = self._author_ident()
        if result.returncode:
            if (
                "auto-detection is disabled" in result.stderr
                or "tell me who you are" in result.stderr
            ):
                return None
            raise RepositoryError(f"git refused: {reason(result.stderr)}.")
        return result.stdout.rsplit("<", 1)[0].strip()

    def configured_address(self) -> str | None:
        """The committer's email address (git config or the environment), None without one."""
        result = self._author_ident()
        if result.returncode or "<" not in result.stdout:
            return None
        return result.stdout.rsplit("<", 1)[1].split(">", 1)[0].strip() or None

    def identity(self) -> str:
        me = self.configured_identity()
        if me is None:
            raise RepositoryError(f"git has no identity here; set one with {self.identity_hint()}.")
        return me

    def identity_hint(self) -> str:
        """The one command line that gives git what it lacks of an identity."""
        commands = [
            command
            for key, command in (
                ("user.name", 'git config --global user.name "Your Name"'),
                ("user.email", "git config --global user.email you@example.com"),
            )
            if self.call("config", "--get", key).returncode
        ]
        return " && ".join(commands or ['git config --global user.name "Your Name"'])

    def dirty(self, relative: list[str]) -> set[str]:
        """Which of these repo-relative paths differ from HEAD: staged, unstaged or untracked.
        (Ignored files are listed too, and left out: so a path listed nowhere is one git tracks
        unchanged, or none at all when it is not on disk; `commit` uses that.)"""
        result = self.call(
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--ignored=matching",
            "--",
            *relative,
        )
        if result.returncode:
            raise RepositoryError(f"git status failed: {reason(result.stderr)}.")
        found: set[str] = set()
        listed: set[str] = set()
        fields = iter(result.stdout.split("\0"))
        for entry in fields:
            if len(entry) > 3:
                listed.add(entry[3:])
                if entry[:2] != "!!":
                    found.add(entry[3:])
                if entry[0] in "RC":
                    old = next(fields, "")  # a rename's or copy's old path follows
                    found.add(old)
                    listed.add(old)
        self._tracked.update(
            path for path in relative if path not in listed and (self.root / path).exists()
        )
        return found

    def head_text(self, relative: str) -> str | None:
        """The file as HEAD has it; None when HEAD has no such file."""
        result = self.call("show", f"HEAD:{relative}")
        return result.stdout if result.returncode == 0 else None

    def commit(self, paths: list[Path], message: str) -> str:
        """Commit exactly these paths (nothing else the user staged); return the new commit id."""
        relative = [str(path.relative_to(self.root)) for path in paths]
        steps = [("commit", "--only", "--quiet", "--no-edit", "-m", message, "--", *relative)]
        if not self._tracked.issuperset(relative):
            # `commit --only` takes a tracked path's content from the work tree itself; only a
            # new (or never asked about) path needs `git add` first.
            steps.insert(0, ("add", "--", *relative))
        for step in steps:
            result = self.call(*step)
            if result.returncode:
                raise RepositoryError(
                    f"the change is written to {', '.join(relative)} but git did not commit it: "
                    f"{reason(result.stderr or result.stdout)}; fix that and the next runbook "
                    "command commits it as its own commit (or commit it yourself)."
                )
        return self.head_commit()

    def head_commit(self) -> str:
        """The commit HEAD names, read from its branch's ref file (git writes the ref it commits
        to as a file of its own); `git rev-parse HEAD` when it is anything else (a detached
        HEAD, a packed ref, another ref storage)."""
        try:
            head = (self.git_dir / "HEAD").read_text(encoding="utf-8").strip()
            if head.startswith("ref: refs/heads/"):
                commit = (self.common_dir() / head[5:]).read_text(encoding="utf-8").strip()
                if len(commit) in (40, 64) and _HEX.issuperset(commit):
                    return commit
        except (OSError, UnicodeDecodeError):
            pass
        return self.run("rev-parse", "HEAD")

    def remote_url(self, name: str = "origin") -> str | None:
        """The remote's URL as configured (it may hold credentials: never show it as is)."""
        result = self.call("config", "--get", f"remote.{name}.url")
        return result.stdout.strip() or None if result.returncode == 0 else None

    def branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        result = self.call("symbolic-ref", "--quiet", "--short", "HEAD")
        return result.stdout.strip() or None if result.returncode == 0 else None

    def ensure_merge_driver(self) -> None:
        """Register runbook's merge driver in this clone (git config is per clone, .gitattributes
        is shared): one file read when it is already registered as this installation would."""
        command = merge_driver_command()
        escaped = command.replace("\\", "\\\\").replace('"', '\\"')
        try:
            if escaped in (self.common_dir() / "config").read_text(encoding="utf-8"):
                return
        except OSError:
            return
        self.run("config", f"merge.{MERGE_DRIVER}.name", "runbook: merge incident files by meaning")
        self.run("config", f"merge.{MERGE_DRIVER}.driver", command)

    def run(self, *args: str) -> str:
        """Any git command; its output without the trailing newline."""
        result = self.call(*args)
        if result.returncode:
            raise RepositoryError(f"git {args[0]} failed: {reason(result.stderr)}.")
        return result.stdout.rstrip("\n")

    def call(self, *args: str) -> subprocess.CompletedProcess:
        """Run git; the finished process, whatever its exit status (callers decide)."""
        return collected(self.start(*args))

    def start(self, *args: str) -> subprocess.Popen:
        """Start git (see `call`); `collected` waits for it."""
        # Through the git binary itself, so hooks, signing, filters and the user's identity
        # behave as with `git commit`. (GitPython's repo.git runs this same binary, but its
        # import alone costs ~100 ms, which the commit on every keystroke-driven command
        # cannot afford; history-reading features use GitPython's object model.)
        try:
            return started(
                ["git", "-c", "user.useConfigOnly=true", *args],
                cwd=self.root,
                env={**os.environ, "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0"},
                text=True,
                errors="replace",
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise RepositoryError(
                "git is not installed or not on PATH; install git and try again."
            ) from None

    def blobs(self, names: list[str], limit: int) -> list[bytes | int | None]:
        """Objects by name (`REV:path` or an id): each blob's bytes when at most `limit`, its
        size when larger (never read), None when there is no such blob. Two git processes
        whatever the count."""
        if not names:
            return []
        sizes: list[int | None] = []
        listing = self._batch("--batch-check=%(objecttype) %(objectsize)", names).split(b"\n")
        for line in listing[: len(names)]:
            kind, _, size = line.decode("utf-8", "replace").partition(" ")
            sizes.append(int(size) if kind == "blob" and size.isdigit() else None)
        small = [
            n for n, size in zip(names, sizes, strict=True) if size is not None and size <= limit
        ]
        wanted = list(dict.fromkeys(small))
        stream = self._batch("--batch", wanted) if wanted else b""
        contents: dict[str, bytes] = {}
        at = 0
        for name in wanted:
            header_end = stream.index(b"\n", at)
            size = int(stream[at:header_end].rsplit(b" ", 1)[1])
            contents[name] = stream[header_end + 1 : header_end + 1 + size]
            at = header_end + 1 + size + 1
        return [contents.get(name, size) for name, size in zip(names, sizes, strict=True)]

    def _batch(self, mode: str, names: list[str]) -> bytes:
        if any("\n" in name for name in names):
            raise RepositoryError("a path with a line break cannot be read from git history.")
        result = finished(
            ["git", "cat-file", mode],
            cwd=self.root,
            input="".join(f"{name}\n" for name in names).encode("utf-8"),
        )
        if result.returncode:
            raise RepositoryError(
                f"git cat-file failed: {reason(result.stderr.decode('utf-8', 'replace'))}."
            )
        return result.stdout


def finished(command: list[str], **options) -> subprocess.CompletedProcess:
    """`subprocess.run` with its output captured, except on Ctrl-C: see `collected`."""
    given = options.pop("input", None)
    if given is not None:
        options["stdin"] = subprocess.PIPE
    return collected(started(command, **options), given)


def started(command: list[str], **options) -> subprocess.Popen:
    """The process started, its output to be captured by `collected`."""
    return subprocess.Popen(
        command, **{"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, **options}
    )


def collected(
    process: subprocess.Popen, given: bytes | str | None = None
) -> subprocess.CompletedProcess:
    """The process's output once it has ended. On Ctrl-C, a git that finishes within a second
    is let finish (one interrupted at its very start can die holding its lock file); else it is
    interrupted too and waited for, so it removes its own lock files and leaves the repository
    consistent. (`subprocess.run` would SIGKILL it, leaving `.git/index.lock` behind for every
    later command.) A terminal's Ctrl-C reaches git itself as well; a signal to runbook alone (a
    supervisor, `timeout -s INT`) does not."""
    with process:
        try:
            stdout, stderr = process.communicate(given)
        except BaseException:
            try:
                process.wait(timeout=FINISH_SECONDS)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=10)
                finally:
                    if process.poll() is None:
                        process.kill()
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def create(folder: Path, settings: dict[str, str]) -> None:
    """A new repository in `folder` (branch `main`) with `settings` in its own config (the
    user's global config is untouched)."""
    repo = GitRepo(folder)
    repo.run("init", "--quiet", "--initial-branch=main")
    for key, value in settings.items():
        repo.run("config", key, value)


def merge_driver_command() -> str:
    """What git runs to merge an incident file (through sh, after replacing %O %A %B %P): this
    installation by its absolute path, so it works whatever PATH the merging process has (a GUI
    client, an inactive venv, CI). When it cannot run at all (uninstalled, moved, broken), its
    status is neither 0 nor MERGE_CONFLICT_EXIT, and git's own line merge does the merge."""
    python = shlex.quote(os.path.abspath(sys.executable or "python3"))
    return (
        f"{python} -m runbook_cli merge-driver %O %A %B %P; s=$?; "
        f"test $s = 0 && exit 0; test $s = {MERGE_CONFLICT_EXIT} && exit 1; "
        f"{LINE_MERGE} %A %O %B"
    )


def merge_file(ours: Path, base: Path, theirs: Path) -> int | None:
    """git's line merge of the three files into `ours`, conflicting lines between markers: the
    number of conflicts, or None when git could not run."""
    try:
        result = finished(
            [*LINE_MERGE.split(), str(ours), str(base), str(theirs)],
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return None
    return result.returncode if 0 <= result.returncode < 128 else None


def reason(output: str) -> str:
    """git's own reason in one line: its last error and fatal lines, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    useful = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines[-1:]
    reasons = [
        line.removeprefix("fatal: ").removeprefix("error: ").rstrip(".") for line in useful[-3:]
    ]
    if any(".lock': File exists" in line for line in reasons):  # git's own advice, in short
        reasons.append("if no git command is running, remove that file and run the command again")
    return "; ".join(reasons) or "unknown error"
