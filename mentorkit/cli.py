"""The ``mentorkit`` command: one module, one subcommand per job.

Every subcommand is a thin wrapper over a library function. Errors meant for
people (:class:`mentorkit.errors.MentorkitError`) print one line and exit with
their code (2 for unreadable input); nothing prints a traceback.
"""
from __future__ import annotations

import argparse
import sys

from mentorkit.errors import MentorkitError


# ---------------------------------------------------------------- grading (SBI)

def _add_grading(sub) -> None:
    p = sub.add_parser("grade", help="grade feedback against the SBI model",
                       description="Grade one statement, or every line of a .txt file / a column of a CSV file.")
    p.add_argument("text", nargs="?", help="the feedback statement to grade")
    p.add_argument("--input", metavar="FILE", help="a .txt file (one statement per line) or a .csv file")
    p.add_argument("--column", metavar="NAME", help="the CSV column holding the statements (default: 'text')")
    p.add_argument("--format", choices=["text", "jsonl", "csv"], default=None,
                   help="output format (default: text for one statement, jsonl for a file)")
    p.add_argument("--batch-size", type=int, default=64, help="statements parsed per batch")
    p.set_defaults(func=_cmd_grade)

    t = sub.add_parser("train-grader", help="retrain the SBI grader from datasets/sbi reproducibly",
                       description="Rebuild the corpus from datasets/sbi/src, train the grader, evaluate it on the fixed test split and save it.")
    t.add_argument("--corpus", metavar="DIR", default=None, help="corpus folder (default: the bundled datasets/sbi)")
    t.add_argument("--out", metavar="FILE", default=None, help="where to write the model (default: the packaged model)")
    t.set_defaults(func=_cmd_train_grader)


def _cmd_grade(args) -> int:
    from mentorkit.feedback import cli_support
    return cli_support.run_grade(args)


def _cmd_train_grader(args) -> int:
    from mentorkit.feedback import cli_support
    return cli_support.run_train(args)


# ------------------------------------------------------------ practice (scenarios)

def _add_practice(sub) -> None:
    p = sub.add_parser("practice", help="practise a conversation with a simulated mentee",
                       description="Play a practice scenario in the terminal (or from a script of replies) "
                                   "and get a debrief; list scenarios; show progress or export the practice log.")
    p.add_argument("name", nargs="?", help="the scenario to play (see --list)")
    p.add_argument("--list", action="store_true", help="list the scenarios")
    p.add_argument("--family", metavar="NAME", help="with --list: only this family of scenarios")
    p.add_argument("--script", metavar="REPLIES.txt", help="play non-interactively: one reply per line")
    p.add_argument("--seed", type=int, default=0, help="picks the mentee's wording (default 0)")
    p.add_argument("--format", choices=["text", "json"], default=None, help="output format (default text)")
    p.add_argument("--trainee", metavar="NAME", help="record the attempt under this trainee (stored as a pseudonym)")
    p.add_argument("--db", metavar="URL", help="practice log: SQLAlchemy URL or SQLite file (default: practice_db setting)")
    p.add_argument("--progress", action="store_true", help="show first/best/latest score per trainee and scenario")
    p.add_argument("--export", metavar="FILE.csv", help="export the practice log to CSV through the privacy layer")
    p.set_defaults(func=_cmd_practice)


def _cmd_practice(args) -> int:
    from mentorkit.scenarios import cli_support
    return cli_support.run_practice(args)


# ------------------------------------------------------------ analysis (outcomes research)

def _add_analysis(sub) -> None:
    a = sub.add_parser("analyze", help="evaluate a program: engagement, pre/post, reliability, retention, ROI",
                       description="Load a folder of program tables and run the standard evaluation.")
    a.add_argument("path", metavar="PATH", help="folder of program tables (or a shipped dataset name, e.g. program_sample)")
    a.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    a.add_argument("--format", choices=["json", "text"], default="text", help="output format (default text)")
    a.set_defaults(func=_cmd_analyze)

    r = sub.add_parser("report", help="write a standalone HTML report of a program's outcomes",
                       description="One HTML file with charts and tables that opens with no network.")
    r.add_argument("path", metavar="PATH", help="folder of program tables (or a shipped dataset name)")
    r.add_argument("--out", metavar="FILE.html", required=True, help="where to write the report")
    r.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    r.add_argument("--title", default="Mentoring program outcomes", help="report title")
    r.set_defaults(func=_cmd_report)

    t = sub.add_parser("retention", help="Kaplan-Meier medians, log-rank and hazard ratio for any HR table",
                       description="Retention of groups in any table with a time-under-observation column, "
                                   "an exit column and a group column; propensity-weighted when covariates are given.")
    t.add_argument("file", metavar="FILE", help="CSV (or .tsv/.xlsx/.parquet) with one row per person")
    t.add_argument("--duration", metavar="COL", required=True, help="time observed (tenure), a non-negative number")
    t.add_argument("--event", metavar="COL", required=True, help="left the organisation: yes/no, 1/0 or true/false")
    t.add_argument("--group", metavar="COL", required=True, help="the groups to compare (e.g. mentored)")
    t.add_argument("--covariates", metavar="COLS", help="comma-separated confounders for propensity weighting")
    t.add_argument("--reference", metavar="VALUE", help="the reference group (default: the first value in sort order)")
    t.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    t.set_defaults(func=_cmd_retention)

    m = sub.add_parser("match", help="match mentees to mentors with capacities, explained",
                       description="Optimal assignment from goals/expertise similarity, working-hour overlap and "
                                   "feedback style; writes one row per pair with the score breakdown.")
    m.add_argument("people", metavar="PEOPLE.csv", help="people table (see datasets/matching_example)")
    m.add_argument("--out", metavar="FILE.csv", required=True, help="where to write the pairs")
    m.add_argument("--method", choices=["optimal", "stable"], default="optimal",
                   help="optimal: highest total score; stable: no blocking pairs (default optimal)")
    m.add_argument("--capacity-range", metavar="LO-HI", default="5-10", help="allowed mentor capacities (default 5-10)")
    m.set_defaults(func=_cmd_match)


def _cmd_analyze(args) -> int:
    from mentorkit.analysis import cli_support
    return cli_support.run_analyze(args)


def _cmd_report(args) -> int:
    from mentorkit.analysis import cli_support
    return cli_support.run_report(args)


def _cmd_retention(args) -> int:
    from mentorkit.analysis import cli_support
    return cli_support.run_retention(args)


def _cmd_match(args) -> int:
    from mentorkit.analysis import cli_support
    return cli_support.run_match(args)


# ------------------------------------------------------------ skills (detectors)

def _add_skills(sub) -> None:
    s = sub.add_parser("listen", help="label mentor utterances: reflection, open/closed question, advice, other",
                       description="Active-listening labels for a file with one mentor utterance per line.")
    s.add_argument("--input", metavar="FILE", required=True, help="UTF-8 text file, one utterance per line ('-' for stdin)")
    s.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default jsonl)")
    s.add_argument("--batch-size", type=int, default=64, help="utterances parsed per batch")
    s.set_defaults(func=_cmd_listen)

    t = sub.add_parser("train-skills", help="retrain the skill detectors from datasets/ reproducibly",
                       description="Train every skill detector (or those named) on its fixed training split, "
                                   "print test-split precision/recall/F1 and save the models (skops).")
    t.add_argument("--skill", action="append", metavar="NAME",
                   help="only this skill (repeatable): active_listening, intent_tone, four_step, agreement, recap, boundaries")
    t.add_argument("--data", metavar="DIR", default=None, help="datasets folder (default: the checkout's datasets/)")
    t.add_argument("--out", metavar="DIR", default=None, help="where to write the models (default: the packaged ones)")
    t.set_defaults(func=_cmd_train_skills)


def _cmd_listen(args) -> int:
    from mentorkit.skills import cli_support
    return cli_support.run_listen(args)


def _cmd_train_skills(args) -> int:
    from mentorkit.skills import cli_support
    return cli_support.run_train(args)


# ------------------------------------------------------ program data (load, simulate)

def _add_program(sub) -> None:
    v = sub.add_parser("validate", help="validate a folder of program data (exit 0 clean, 1 problems, 2 unreadable)",
                       description="Check every row of a folder of program data (CSV, .xlsx or Parquet, one file per "
                                   "table) and print each problem as FILE:ROW:COLUMN: message, then a count summary.")
    v.add_argument("path", help="the folder holding participants.csv, pairs.csv, ...")
    v.add_argument("--mapping", metavar="FILE", help="YAML mapping file that renames columns and recodes values")
    v.add_argument("--strict", action="store_true", help="load nothing when anything is wrong")
    v.add_argument("--quarantine", metavar="DIR", help="where rejected rows go (default: PATH/_quarantine)")
    v.add_argument("--limit", type=int, default=200, metavar="N", help="print at most N problems (0 = all; default 200)")
    v.add_argument("--problems", metavar="FILE", help="also write every problem to this CSV file")
    v.set_defaults(func=_cmd_validate)

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
    s.add_argument("--format", choices=["csv", "parquet"], default="csv", help="file format (default csv)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_simulate)


def _cmd_validate(args) -> int:
    from mentorkit.program import cli_support
    return cli_support.run_validate(args)


def _cmd_simulate(args) -> int:
    from mentorkit.program import cli_support
    return cli_support.run_simulate(args)


# ----------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorkit", description=__doc__.splitlines()[0])
    from mentorkit import __version__
    parser.add_argument("--version", action="version", version=f"mentorkit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_grading(sub)
    _add_practice(sub)
    _add_analysis(sub)
    _add_skills(sub)
    _add_program(sub)
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
