"""The `runbook` executable and `python -m runbook_cli`. Loading the command line is inside the
guard, so Ctrl-C ends it with one line from the moment this module runs, even while the rest is
still loading."""

import sys


def main() -> None:
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
