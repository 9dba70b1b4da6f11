"""Jinja2 templates: packaged defaults, overridden by same-named files in docs/runbooks/templates/.

Rendering is sandboxed with StrictUndefined: a repository's template can neither reach into
Python objects nor silently print an empty string for a misspelt variable.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from runbook_cli.domain.layout import TEMPLATES_DIR as OVERRIDE_DIR
from runbook_cli.errors import MalformedFileError


def render(
    root: Path, name: str, *, escape: Callable[[object], str] | None = None, **context: object
) -> str:
    """The template filled in. `escape`, when given, is applied to every value the template
    substitutes (never to the template's own text), e.g. Slack's escaping for a Slack post."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    override = root / OVERRIDE_DIR
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(str(override)), jinja2.PackageLoader("runbook_cli", "templates")]
    )
    environment = SandboxedEnvironment(
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
    shown = f"{OVERRIDE_DIR}/{name}" if (override / name).is_file() else f"(packaged) {name}"
    try:
        return environment.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise MalformedFileError(
            f"there is no template {name}; restore it in {OVERRIDE_DIR}/ or reinstall runbook."
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
            f"{shown}:{_line(error)}: the template tried something unsafe ({error}); templates may only format the incident."
        ) from None
    except Exception as error:  # a template can raise anything (division by zero, bad filter args)
        raise MalformedFileError(
            f"{shown}:{_line(error)}: the template failed: {error}; fix the template."
        ) from None


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
