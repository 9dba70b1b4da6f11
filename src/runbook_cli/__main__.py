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
    try:
        from runbook_cli.cli import main as run
    except BaseException as error:
        from runbook_cli.errors import caused_by_interrupt

        if not caused_by_interrupt(error):
            raise
        sys.stderr.write("runbook: interrupted; nothing was written.\n")
        sys.exit(130)
    run()


if __name__ == "__main__":
    main()
