"""Reading and writing files a repository holds, without trusting it: a link is never followed,
a special file (fifo, device) is never opened for reading, and a read stops at a size limit
before anything is parsed. Beside the layers, like errors.py: every layer that touches a file
goes through here."""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
from pathlib import Path

from runbook_cli.domain.layout import MAX_FILE_BYTES


class Refused(OSError):
    """The file is not one runbook reads or writes; `reason` says why, in a few words, and
    `kind` is one of "link", "special", "size"."""

    def __init__(self, kind: str, reason: str):
        super().__init__(errno.EPERM, reason)
        self.kind = kind
        self.reason = reason


def read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file that is not a link, at most `limit` of them.

    Raises FileNotFoundError when it is missing, Refused for a link, a special file or a file
    over the limit, and OSError for anything else the system refuses."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    if os.path.islink(path):
        raise Refused("link", "is a symbolic link")
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise Refused("link", "is a symbolic link") from None
        raise
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise Refused("special", "is not a regular file")
        if status.st_size > limit:
            raise Refused("size", f"is larger than {_size(limit)}")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise Refused("size", f"is larger than {_size(limit)}")
        return data
    finally:
        os.close(descriptor)


def is_link_free(root: Path, target: Path) -> bool:
    """Whether every step from `root` down to `target` is a real folder or file (no links)."""
    try:
        parts = target.relative_to(root).parts
    except ValueError:
        return False
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            return False
    return True


def _size(limit: int) -> str:
    return f"{limit // 1024 // 1024} MiB" if limit >= 1024 * 1024 else f"{limit // 1024} KiB"


def real_folder(folder: Path, shown: str) -> Path:
    """`folder`, created if missing, refused (Refused "link") when it is a symbolic link, so
    what is written into it stays in it. `shown` names it in the message."""
    if folder.is_symlink():
        raise Refused("link", f"{shown} is a symbolic link")
    folder.mkdir(parents=True, exist_ok=True)
    if folder.is_symlink() or not folder.is_dir():
        raise Refused("link", f"{shown} is a symbolic link or not a folder")
    return folder


_TEMP_NUMBERS = itertools.count()


def temp_beside(path: Path) -> tuple[int, str]:
    """A new, empty file in `path`'s folder to write and then rename over `path`: its open
    descriptor and its name, `.NAME.PID-N.tmp`. Created exclusively (O_EXCL, never an existing
    file nor through a link) and readable by its owner only, as `tempfile.mkstemp` makes them;
    named by process id and a counter rather than tempfile's random letters, since importing
    tempfile (and with it random) costs every writing command about a millisecond."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        name = str(path.parent / f".{path.name}.{os.getpid()}-{next(_TEMP_NUMBERS)}.tmp")
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:  # a killed writer's, from a process with the same id
            continue


def replace_file(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` as a new regular file at `path` (a temp file in the same folder, renamed over
    it): a link already there is replaced, never written through."""
    temp_name = staged(path, data, mode)
    try:
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def staged(path: Path, data: bytes, mode: int = 0o644) -> str:
    """`data` in a new temp file beside `path`, its name returned: renaming it over `path` (or
    unlinking it) is the caller's, so many files can be written first and put in place last."""
    descriptor, temp_name = temp_beside(path)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temp_name, mode)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    return temp_name
