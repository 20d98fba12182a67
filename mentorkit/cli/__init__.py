"""The ``mentorkit`` command: one module per command group, each holding its parsers and runners.

=====================  ======================================================
module                 commands
=====================  ======================================================
:mod:`.grading`        ``grade``, ``train-grader``
:mod:`.practice`       ``practice``
:mod:`.analysis`       ``analyze``, ``report``, ``retention``, ``match``
:mod:`.skills`         ``listen``, ``train-skills``, ``evaluate``
:mod:`.scale`          ``redact``, ``themes`` (and the large-input options of ``grade``/``listen``)
:mod:`.program`        ``validate``, ``simulate``
:mod:`.scenario`       ``scenario new``, ``scenario check``, ``scenario preview``
:mod:`.manage`         ``roster``, ``plan``, ``nudges``, ``user``
=====================  ======================================================

Every subcommand is a thin wrapper over a library function; files people give it are read by
:mod:`mentorkit.cli.files` and program data comes through :mod:`mentorkit.sources`. Errors
meant for people (:class:`mentorkit.errors.MentorkitError`) print one line and exit with
their code (2 for unreadable input); nothing prints a traceback. A group module only has to
define ``add_parsers(sub)`` and be listed in :data:`GROUPS`.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from mentorkit.errors import MentorkitError

#: the command-group modules, in the order their commands are listed in ``--help``
GROUPS = ("grading", "practice", "analysis", "skills", "scale", "program", "scenario", "manage")


# ----------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorkit", description=__doc__.splitlines()[0])
    from mentorkit import __version__
    parser.add_argument("--version", action="version", version=f"mentorkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        importlib.import_module(f"mentorkit.cli.{group}").add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except MentorkitError as exc:
        print(f"mentorkit {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mentorkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: a user never sees a traceback
        print(f"mentorkit {args.command}: internal error: {type(exc).__name__}: {exc} "
              "(please report this with the command you ran)", file=sys.stderr)
        return 3


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
