"""Jinja2 templates: packaged defaults, overridden by same-named files in docs/runbooks/templates/.

Rendering is sandboxed with StrictUndefined: a repository's template can neither reach into
Python objects nor silently print an empty string for a misspelt variable.

Jinja2 (~20 ms to import) loads when a template is first rendered: `timeline add`, and every
other command that renders none, never pays it.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from runbook_cli import files
from runbook_cli.domain.layout import TEMPLATES_DIR as OVERRIDE_DIR
from runbook_cli.errors import MalformedFileError

MAX_TEMPLATE_BYTES = 256 * 1024
MAX_OUTPUT_CHARS = 512 * 1024
TIME_LIMIT_SECONDS = 2.0
"""A template that runs longer (or writes more) is stopped: commands never hang on one, and
the repository lock is never held longer than this for one."""


class _TooSlow(BaseException):
    """Raised into a template that ran past TIME_LIMIT_SECONDS (not an Exception, so nothing in
    the template machinery swallows it)."""


def render(
    root: Path, name: str, *, escape: Callable[[object], str] | None = None, **context: object
) -> str:
    """The template filled in. `escape`, when given, is applied to every value the template
    substitutes (never to the template's own text), e.g. Slack's escaping for a Slack post."""
    # see the module docstring
    import jinja2
    from jinja2.sandbox import SecurityError

    override = root / OVERRIDE_DIR
    loader = jinja2.ChoiceLoader(
        [_override_loader(root), jinja2.PackageLoader("runbook_cli", "templates")]
    )
    environment = _bounded_environment()(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        **({"finalize": escape} if escape else {}),
    )
    environment.filters["time"] = _clock_time
    environment.filters["datetime"] = _date_time
    own = os.path.lexists(override / name)
    shown = f"{OVERRIDE_DIR}/{name}" if own else f"(packaged) {name}"
    try:
        with _deadline(TIME_LIMIT_SECONDS):
            parts: list[str] = []
            size = 0
            for chunk in environment.get_template(name).generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise MalformedFileError(
                        f"{shown}: the template wrote more than {MAX_OUTPUT_CHARS // 1024} KiB; "
                        "templates may only format the incident."
                    )
                parts.append(chunk)
            return "".join(parts)
    except _TooSlow:
        raise MalformedFileError(
            f"{shown}: the template ran longer than {TIME_LIMIT_SECONDS:g} seconds and was "
            "stopped; templates may only format the incident (no long loops)."
        ) from None
    except MalformedFileError:
        raise
    except jinja2.TemplateNotFound as error:
        missing = error.name if error.name != name else name
        raise MalformedFileError(
            f"there is no template {missing}; restore it in {OVERRIDE_DIR}/ or reinstall runbook."
        ) from None
    except jinja2.TemplateSyntaxError as error:
        raise MalformedFileError(
            f"{shown}:{error.lineno}: template syntax error: {error.message}; fix the template."
        ) from None
    except jinja2.UndefinedError as error:
        raise MalformedFileError(
            f"{shown}:{_line(error)}: {error.message}; use only the documented variables."
        ) from None
    except SecurityError as error:
        raise MalformedFileError(
            f"{shown}:{_line(error)}: the template tried something unsafe ({error}); "
            "templates may only format the incident."
        ) from None
    except Exception as error:  # a template can raise anything (division by zero, bad filter args)
        raise MalformedFileError(
            f"{shown}:{_line(error)}: the template failed: {error}; fix the template."
        ) from None


def _override_loader(root: Path):
    """The repository's templates: each one, and each include, a regular file (no link, no fifo
    or device) inside docs/runbooks/templates/ reached through real folders, read up to
    MAX_TEMPLATE_BYTES. A name not there falls through to the packaged templates."""
    # see the module docstring
    import jinja2
    from jinja2.loaders import split_template_path

    folder = root / OVERRIDE_DIR

    def refuse(shown: str, why: str) -> MalformedFileError:
        return MalformedFileError(
            f"{shown} {why}; templates must be regular files inside {OVERRIDE_DIR}/."
        )

    class OverrideLoader(jinja2.BaseLoader):
        def get_source(self, environment, template):
            pieces = split_template_path(template)  # refuses '..' and absolute names
            current, shown = root, ""
            for part in [*Path(OVERRIDE_DIR).parts, *pieces]:
                current, shown = current / part, f"{shown}/{part}".lstrip("/")
                if current.is_symlink():
                    raise refuse(shown, "is a symbolic link")
                if not os.path.lexists(current):
                    raise jinja2.TemplateNotFound(template)
            try:
                source = files.read_regular(current, MAX_TEMPLATE_BYTES).decode("utf-8")
            except files.Refused as error:
                raise refuse(shown, error.reason) from None
            except (OSError, UnicodeDecodeError) as error:
                raise refuse(shown, f"cannot be read ({error})") from None
            return source, str(folder.joinpath(*pieces)), lambda: True

    return OverrideLoader()


def _bounded_environment():
    """Jinja2's sandbox, with `*` and `**` checked first: a single multiplication could build
    a gigabyte string before any time limit could stop it."""
    from jinja2.sandbox import SandboxedEnvironment, SecurityError  # see the module docstring

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("the power is too large")
            if operator == "*":
                for items, times in ((left, right), (right, left)):
                    if (
                        isinstance(items, str | list | tuple)
                        and isinstance(times, int)
                        and len(items) * times > MAX_OUTPUT_CHARS
                    ):
                        raise SecurityError("the repeated text or list is too large")
            return super().call_binop(context, operator, left, right)

    return Bounded


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Stop the code inside after `seconds` (SIGALRM; in the main thread, where commands run)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def expire(signum, frame):
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _line(error: BaseException) -> int | str:
    """The template line from the traceback Jinja2 rewrites to point into the template."""
    traceback = error.__traceback__
    line: int | str = "?"
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.endswith(".j2"):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _clock_time(value: str | None) -> str:
    """'2026-11-26T10:02:00Z' -> '10:02 UTC'."""
    return f"{value[11:16]} UTC" if value else "—"


def _date_time(value: str | None) -> str:
    """'2026-11-26T10:02:00Z' -> '2026-11-26 10:02 UTC'."""
    return f"{value[:10]} {value[11:16]} UTC" if value else "—"
