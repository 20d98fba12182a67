"""``mentorkit validate`` and ``mentorkit simulate``: program data from the command line.

``validate`` checks every row of a program source (a folder, a shipped dataset name or a
database URL, see :mod:`mentorkit.sources`) and prints each problem as ``FILE:ROW:COLUMN:
message``, then a count summary; exit 0 clean, 1 problems, 2 unreadable.

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

from mentorkit.errors import MentorkitError

__all__ = ["add_parsers", "run_validate", "run_simulate"]


def add_parsers(sub) -> None:
    v = sub.add_parser("validate", help="validate program data (exit 0 clean, 1 problems, 2 unreadable)",
                       description="Check every row of a program source (a folder of CSV, .xlsx or Parquet files, "
                                   "one file per table; a shipped dataset name; or a database URL) and print each "
                                   "problem as FILE:ROW:COLUMN: message, then a count summary.")
    v.add_argument("path", metavar="SOURCE",
                   help="the folder holding participants.csv, pairs.csv, ... (or a dataset name or database URL)")
    v.add_argument("--mapping", metavar="FILE", help="YAML mapping file that renames columns and recodes values")
    v.add_argument("--strict", action="store_true", help="load nothing when anything is wrong")
    v.add_argument("--quarantine", metavar="DIR", help="where rejected rows go (default: PATH/_quarantine)")
    v.add_argument("--limit", type=int, default=200, metavar="N", help="print at most N problems (0 = all; default 200)")
    v.add_argument("--problems", metavar="FILE", help="also write every problem to this CSV file")
    v.set_defaults(func=run_validate)

    s = sub.add_parser("simulate", help="simulate a mentoring program with known effects (truth.json)",
                       description="Write a complete simulated program (all tables plus truth.json), deterministic by seed.")
    s.add_argument("--mentees", type=int, required=True, metavar="N", help="number of mentees")
    s.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    s.add_argument("--out", required=True, metavar="DIR", help="output folder")
    s.add_argument("--comparison", type=int, default=None, metavar="N", help="comparison-group size (default: = mentees)")
    s.add_argument("--cohorts", type=int, default=None, metavar="K", help="number of cohorts (default: mentees/100, max 12)")
    s.add_argument("--start", default="2022-01-10", metavar="DATE", help="first cohort's start date")
    s.add_argument("--confidence-effect", type=float, default=0.5, metavar="D", help="confidence change, standardised (d)")
    s.add_argument("--dose-response", type=float, default=0.05, metavar="B", help="extra d per attended session")
    s.add_argument("--retention-hr", type=float, default=0.7, metavar="HR", help="exit hazard ratio of mentees")
    s.add_argument("--promotion-or", type=float, default=1.3, metavar="OR", help="promotion odds ratio of mentees")
    s.add_argument("--attendance", type=float, default=0.85, metavar="P", help="attendance with full time-zone overlap")
    s.add_argument("--tz-penalty", type=float, default=0.3, metavar="X", help="attendance lost with no overlap")
    s.add_argument("--selection-strength", type=float, default=1.0, metavar="S", help="opt-in selection (0 = none)")
    s.add_argument("--reply-median-hours", type=float, default=30.0, metavar="H", help="median message reply time")
    s.add_argument("--practice", action="store_true",
                   help="also simulate the mentors' practice log (practice_attempts.csv) and plant its relation "
                        "to mentees' confidence gain")
    s.add_argument("--practice-per-attempt", type=float, default=0.03, metavar="B",
                   help="planted: confidence change (scale points) per practice attempt (default 0.03)")
    s.add_argument("--practice-per-10-points", type=float, default=0.2, metavar="B",
                   help="planted: confidence change per 10 points of mean practice score (default 0.2)")
    s.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default csv)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=run_simulate)


def run_validate(args) -> int:
    """Validate a program source; print the problems and a count summary.

    Returns 0 when nothing was found, 1 when there were problems; a source
    that cannot be read raises MentorkitError (exit 2 in the CLI).
    """
    from mentorkit.program.data import ProgramDataError
    from mentorkit.sources import load_program

    try:
        data = load_program(args.path, mapping=args.mapping, strict=args.strict,
                            quarantine_dir=args.quarantine, progress=sys.stderr.isatty())
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


#: the command-line option of each simulation setting
SIMULATE_FLAGS = {"mentees": "--mentees", "seed": "--seed", "comparison": "--comparison", "cohorts": "--cohorts",
                  "start": "--start", "confidence_effect_d": "--confidence-effect",
                  "dose_response_per_session": "--dose-response", "retention_hazard_ratio": "--retention-hr",
                  "promotion_odds_ratio": "--promotion-or", "attendance": "--attendance",
                  "tz_penalty": "--tz-penalty", "selection_strength": "--selection-strength",
                  "reply_median_hours": "--reply-median-hours", "practice_per_attempt": "--practice-per-attempt",
                  "practice_per_10_points": "--practice-per-10-points"}


def run_simulate(args) -> int:
    """Simulate a program into ``args.out`` and print what was written."""
    from mentorkit.program.simulate import SimulationSettings, simulate

    settings = SimulationSettings(
        mentees=args.mentees, seed=args.seed, comparison=args.comparison, cohorts=args.cohorts, start=args.start,
        confidence_effect_d=args.confidence_effect, dose_response_per_session=args.dose_response,
        retention_hazard_ratio=args.retention_hr, promotion_odds_ratio=args.promotion_or,
        attendance=args.attendance, tz_penalty=args.tz_penalty, selection_strength=args.selection_strength,
        reply_median_hours=args.reply_median_hours, practice=args.practice,
        practice_per_attempt=args.practice_per_attempt, practice_per_10_points=args.practice_per_10_points)
    try:
        data = simulate(settings, args.out, format=args.format, progress=not args.no_progress)
    except MentorkitError as exc:  # name the option as the user typed it, not the library's field
        field = getattr(exc, "field", None)
        if field in SIMULATE_FLAGS:
            raise MentorkitError(str(exc).replace(f" {field} ", f" {SIMULATE_FLAGS[field]} ", 1)) from None
        raise
    for table, df in data.tables().items():
        print(f"{table:<13} {len(df):>9} rows")
    if data.practice is not None:
        print(f"{'practice':<13} {len(data.practice):>9} attempts (practice_attempts.csv)")
    print(f"written to {args.out} (with truth.json)")
    return 0
