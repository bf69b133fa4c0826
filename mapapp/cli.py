"""The ``mapapp`` command line: a thin layer over the library.

Each subcommand lives in :mod:`mapapp.commands` as a module with ``register(subparsers, parent)``
that adds its parser and sets ``func`` (``(args) -> int``). Results go to stdout, diagnostics to
stderr. Exit codes: 0 success, 1 domain error (any :class:`~mapapp.errors.MapAppError`), 2 usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

from mapapp.errors import MapAppError

# Subcommand modules, in the order they are listed in ``mapapp --help``.
COMMANDS = ("snapshots", "validate", "import_", "derive", "stats", "export", "compare", "events")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every available subcommand."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--data-dir",
        metavar="DIR",
        help="catalog directory (default: $MAPAPP_DATA_DIR, else the bundled geodata/)",
    )
    parser = argparse.ArgumentParser(
        prog="mapapp",
        description="Territorial control in Syria and Iraq: snapshots, validation, maps.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = import_module(f"mapapp.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"mapapp.commands.{name}":
                continue
            raise
        module.register(sub, parent)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv
        Arguments without the program name (default: ``sys.argv[1:]``).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        return int(args.func(args))
    except MapAppError as exc:
        print(f"mapapp {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
