"""One error hierarchy; each class carries the exit code documented in docs/exit-codes.md."""


class RunbookError(Exception):
    """An error the user can act on. The message is one sentence saying what to do."""

    exit_code = 2


class UsageError(RunbookError):
    """Bad usage or bad input: an unknown severity, an unparseable time, a missing incident."""

    exit_code = 2


class RepositoryError(RunbookError):
    """The repository or git refuses: not a repo, mid-merge, detached HEAD, no identity, lock
    timeout."""

    exit_code = 3


class MalformedFileError(RunbookError):
    """An incident, config or template file that cannot be read safely."""

    exit_code = 4


class ServiceError(RunbookError):
    """An outside service (webhook, PagerDuty, Statuspage, Jira, Linear) failed."""

    exit_code = 5


class CheckFailed(RunbookError):
    """`check` (or `due --fail-on-overdue`) found problems; the findings were already printed."""

    exit_code = 1


def caused_by_interrupt(error: BaseException) -> bool:
    """Ctrl-C during an import can surface wrapped (a RuntimeError from class creation): true
    when a KeyboardInterrupt is anywhere in the chain of causes."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
