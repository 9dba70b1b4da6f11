"""The `runbook` executable and `python -m runbook_cli`. Loading the command line is inside the
guard, so Ctrl-C ends it with one line from the moment this module runs, even while the rest is
still loading."""

import sys


def guard_interrupts() -> None:
    """Ctrl-C that lands while Python runs a finalizer (`__del__`, a weakref callback) cannot be
    raised there: Python would print "Exception ignored" with a traceback and the command would
    go on as if nothing was pressed. Deliver it to the main thread instead, where the command
    line ends with its one line."""

    def hook(unraisable) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            sys.__unraisablehook__(unraisable)
            return
        import _thread
        import contextlib
        import time

        def soon() -> None:  # after the finalizer has returned, not inside it again
            time.sleep(0.005)
            _thread.interrupt_main()

        with contextlib.suppress(RuntimeError):  # shutting down: there is nothing to stop
            _thread.start_new_thread(soon, ())

    sys.unraisablehook = hook


def main() -> None:
    guard_interrupts()
    collect_less_often()
    ending = end_without_teardown()
    try:
        from runbook_cli.cli import main as run
    except BaseException as error:
        from runbook_cli.errors import caused_by_interrupt

        if not caused_by_interrupt(error):
            raise
        sys.stderr.write("runbook: interrupted; nothing was written.\n")
        ending(130)
        sys.exit(130)
    try:
        run()
    except SystemExit as done:
        ending(done.code)
        raise


def collect_less_often() -> None:
    """Most objects a command creates are its modules' classes and functions, which live until
    it ends; Python's cycle collector, run after every 700 new objects, would search them again
    and again while the command starts (about 3% of a write's work). It runs after every 100,000
    instead, which still bounds the memory of long commands (`check --all`, `site`, `watch`)."""
    import gc

    gc.set_threshold(100_000)


def end_without_teardown():
    """Once the command is done, end the process as soon as Python's exit handlers have run:
    Python's own teardown (clearing every loaded module, a last garbage collection) adds about
    9 ms to every command and does nothing a command needs. By then every file the command wrote
    is closed and its git processes have ended; standard output and error are flushed here, and
    the exit status is the one Python would give. Returns what to call with the command's exit
    code; a command that ends any other way (a traceback) ends as Python ends it."""
    import atexit
    import contextlib
    import os

    status: list[int] = []

    def end() -> None:
        if not status:
            return
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe, reported already
                stream.flush()
        os._exit(status[0])

    atexit.register(end)  # first registered, so it runs after every other exit handler
    return lambda code: status.append(0 if code is None else code if isinstance(code, int) else 1)


if __name__ == "__main__":
    main()
