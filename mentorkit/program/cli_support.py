"""The work behind ``mentorkit validate`` and ``mentorkit simulate`` (the CLI only parses arguments).

Example
-------
>>> import argparse
>>> from mentorkit.datasets import path
>>> args = argparse.Namespace(path=str(path("program_sample")), mapping=None, strict=False,
...                           quarantine=None, limit=200, problems=None)
>>> run_validate(args)  # doctest: +ELLIPSIS
table ...
0
"""
from __future__ import annotations

import sys

from mentorkit.program.data import ProgramDataError

__all__ = ["run_validate", "run_simulate"]


def run_validate(args) -> int:
    """Validate a folder; print the problems and a count summary.

    Returns 0 when nothing was found, 1 when there were problems; a folder
    that cannot be read raises MentorkitError (exit 2 in the CLI).
    """
    from mentorkit.program.loader import load

    try:
        data = load(args.path, args.mapping, strict=args.strict, quarantine_dir=args.quarantine,
                    progress=sys.stderr.isatty())
        report = data.report
        strict_note = ""
    except ProgramDataError as exc:
        report = exc.report
        errors = report.frame[report.frame["severity"] == "error"]
        bad_rows = len(errors.dropna(subset=["row"]).drop_duplicates(["file", "row"]))
        strict_note = (f"strict mode: nothing was loaded or written ({bad_rows} row(s) had errors; "
                       "without --strict the valid rows load and the rest are quarantined)")
    limit = None if not args.limit or args.limit <= 0 else args.limit
    for line in report.lines(limit):
        print(line)
    shown = len(report.frame) if limit is None else min(limit, len(report.frame))
    if shown < len(report.frame):
        print(f"... and {len(report.frame) - shown} more problem(s) (use --limit 0 to print all, "
              "or --problems FILE to write them all)")
    if getattr(args, "problems", None):
        from mentorkit.privacy import to_csv_safe
        to_csv_safe(report.frame, args.problems)
        print(f"all problems written to {args.problems}")
    print(report.summary())
    if strict_note:
        print(strict_note)
    if not report.balanced:  # pragma: no cover - an invariant; say so loudly if it ever breaks
        print("internal error: rows read != rows loaded + rows quarantined", file=sys.stderr)
        return 3
    return 0 if report.ok else 1


def run_simulate(args) -> int:
    """Simulate a program into ``args.out`` and print what was written."""
    from mentorkit.program.simulate import simulate

    data = simulate(
        mentees=args.mentees, seed=args.seed, out=args.out, comparison=args.comparison, cohorts=args.cohorts,
        start=args.start, confidence_effect_d=args.confidence_effect,
        dose_response_per_session=args.dose_response, retention_hazard_ratio=args.retention_hr,
        promotion_odds_ratio=args.promotion_or, attendance=args.attendance, tz_penalty=args.tz_penalty,
        selection_strength=args.selection_strength, reply_median_hours=args.reply_median_hours,
        format=args.format, progress=not args.no_progress,
    )
    for table, df in data.tables().items():
        print(f"{table:<13} {len(df):>9} rows")
    print(f"written to {args.out} (with truth.json)")
    return 0
