"""The `runbook` command line: a thin Typer layer. Each command parses its options, calls one
use case, and renders the result; errors become one sentence and a documented exit code."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from runbook_cli import __version__

# Each command module is its own Typer app, loaded only when one of its commands runs (or for
# --help and completion, which list them all): a command pays for its own module, not all of
# them. A new command is added to its module's row (a test compares this with the modules).
COMMANDS: dict[str, tuple[str, ...]] = {
    "record": ("declare", "ack", "severity", "status", "resolve", "timeline"),
    "people": ("assign", "join", "leave"),
    "endings": ("reopen", "cancel", "duplicate-of"),
    "facts": ("data-affected", "notified", "set"),
    "read": ("show", "list", "use"),
    "respond": ("comms", "escalation", "escalate", "due", "watch", "contacts"),
    "outside": ("page", "retry", "statuspage"),
    "capture": ("capture",),
    "postincident": ("edit", "close", "checklist", "postmortem", "report"),
    "actions": ("action",),
    "reporting": ("metrics", "audit", "site"),
    "gate": ("check",),
    "share": ("sync", "merge-driver"),
    "setup": ("init", "demo"),
}
MODULE_OF = {name: module for module, names in COMMANDS.items() for name in names}

# click's error for bad usage (an unknown option, a missing argument), whichever click is in use
_CLICK_ERROR = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
PIPE_CLOSED = 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)
INTERRUPTED = 130  # 128 + SIGINT


class RunbookGroup(TyperGroup):
    """Turns RunbookError into `runbook: error: ...` on stderr and its exit code, in one place;
    click's usage errors get the same form; help lists commands in the runbook's order; Ctrl-C
    and a closed output pipe end quietly, whenever they happen."""

    def list_commands(self, ctx) -> list[str]:
        return [*MODULE_OF, *(name for name in self.commands if name not in MODULE_OF)]

    def get_command(self, ctx, name: str):
        if name in MODULE_OF and name not in self.commands:
            self.commands.update(module_commands(MODULE_OF[name], only=name))
        return self.commands.get(name)

    def main(self, *args, standalone_mode: bool = True, **kwargs):
        from runbook_cli.cli import helptext

        helptext.prepare(self)
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except _CLICK_ERROR as error:
            typer.echo(f"runbook: error: {helptext.usage_message(error)}", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("runbook: aborted; nothing was changed.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def format_commands(self, ctx, formatter) -> None:
        from runbook_cli.cli import helptext

        apps = [command_app(module) for module in COMMANDS]
        helptext.format_commands(
            [entry for app in apps for entry in helptext.registered(app)], formatter
        )

    def make_context(self, *args, **kwargs):
        with _ending_quietly():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx):
        from runbook_cli.rendering.safe import visible_output

        with visible_output():  # text from files and git is shown, never run by the terminal
            return self._invoke(ctx)

    def _invoke(self, ctx):
        from runbook_cli.errors import RunbookError

        with _ending_quietly():
            try:
                result = super().invoke(ctx)
                _share_if_asked(ctx)
                return result
            except RunbookError as error:
                if str(error):
                    typer.echo(f"runbook: error: {error}", err=True)
                raise typer.Exit(error.exit_code) from None


@contextmanager
def _ending_quietly() -> Iterator[None]:
    """Before Typer's own handlers, which would print nothing on Ctrl-C and exit 1 (the code
    for findings) on a closed pipe."""
    try:
        yield
    except KeyboardInterrupt:
        raise typer.Exit(interrupted()) from None
    except BrokenPipeError:
        raise typer.Exit(pipe_closed()) from None


def interrupted() -> int:
    """Ctrl-C: one line saying what state the incident is in (untouched, written but not
    committed, or committed), never a traceback; exit 130."""
    import signal

    from runbook_cli.cli.options import opened

    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C waits
    except ValueError:  # not the main thread
        previous = None
    try:
        states = []
        for ws in opened():
            try:
                states.append(ws.interruption())
            except Exception:  # the state could not be read: say how to look
                states.append("check the incident file with git status")
        touched = [state for state in states if not state.startswith("nothing")]
        said = [state for state in states if state != "nothing was written"]  # the fullest
        state = (touched or said or ["nothing was written"])[-1]
        sys.stderr.write(f"runbook: interrupted; {state}.\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return INTERRUPTED


def pipe_closed() -> int:
    """The reader of our output went away (`runbook show | head -1`): stop quietly with the
    status a shell gives a process ended by a closed pipe. Output goes to /dev/null from here
    on, so flushing at exit cannot fail again."""
    import os

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            os.dup2(null, stream.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptors (tests)
        pass
    return PIPE_CLOSED


def _share_if_asked(ctx) -> None:
    """With --sync (or sync.auto in the config), share what this command committed."""
    from runbook_cli.errors import RepositoryError, RunbookError

    state = ctx.obj or {}
    for ws in state.get("workspaces", []):
        if ws.committed and (state.get("sync") or ws.config.sync.auto):
            from runbook_cli.usecases import sharing

            try:
                outcome = sharing.sync(ws)
            except RunbookError as error:
                raise RepositoryError(
                    f"the change is committed here, but sharing it failed: {error}"
                ) from None
            typer.echo(f"shared with {outcome.remote}/{outcome.branch}", err=True)


app = typer.Typer(
    cls=RunbookGroup,
    name="runbook",
    help="Follow the incident-response runbook from the terminal. Every change is a git commit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"runbook {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    repo: Annotated[
        Path | None,
        typer.Option(
            "--repo",
            "-C",
            help="The git repository (default: the one containing the current folder).",
            show_default=False,
        ),
    ] = None,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="Share the change with the team's remote right after committing it."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    ctx.obj = {"repo": repo, "sync": sync, "workspaces": []}
    from runbook_cli.cli.options import opened

    opened().clear()  # a new invocation (tests run many in one process)


def command_app(module: str) -> typer.Typer:
    """The Typer app of one command module, imported on first use."""
    import importlib

    return importlib.import_module(f"runbook_cli.cli.{module}").app


def module_commands(module: str, only: str | None = None) -> dict:
    """The click commands of one command module (or only the one named `only`: building the
    options of a module's other commands would cost a command that runs a few milliseconds),
    with the help text's placeholders and examples in place."""
    from runbook_cli.cli import helptext

    app = command_app(module)
    if only is not None:
        chosen = [info for name, info in helptext.named(app) if name == only]
        app = typer.Typer()
        app.registered_commands = [i for i in chosen if isinstance(i, typer.models.CommandInfo)]
        app.registered_groups = [i for i in chosen if isinstance(i, typer.models.TyperInfo)]
    host = typer.Typer(rich_markup_mode=None)  # as the root's
    host.add_typer(app)
    commands = typer.main.get_group(host).commands
    for name, command in commands.items():
        helptext.prepare(command, name)
    return commands


def main() -> None:
    """The `runbook` executable. Flushes output while a closed pipe can still be handled (not at
    interpreter exit, where it would print a warning and exit 120)."""
    code: int | str | None = 0
    try:
        app(prog_name="runbook")
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:
        code = interrupted()
    except BrokenPipeError:
        code = pipe_closed()
    except Exception as error:  # a bug: still one sentence, never a traceback
        from runbook_cli.errors import caused_by_interrupt

        if caused_by_interrupt(error):
            code = interrupted()
        else:
            typer.echo(
                f"runbook: internal error: {type(error).__name__}: {error}; please report it.",
                err=True,
            )
            code = 70
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        code = pipe_closed()
    except KeyboardInterrupt:
        code = interrupted()
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: Ctrl-C while Python shuts down is moot
    sys.exit(code)
