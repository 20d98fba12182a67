"""``mentorkit analyze | report | retention | practice-outcomes | match``: outcomes research from the command line.

``analyze`` and ``report`` take every kind of source the dashboards take (a folder, a shipped
dataset name, a database URL; see :mod:`mentorkit.sources`); ``retention`` and ``match`` read
one table (see :mod:`mentorkit.cli.files`).
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from mentorkit.cli.files import read_table
from mentorkit.errors import MentorkitError

if TYPE_CHECKING:  # imported where used, so that ``mentorkit --help`` starts quickly
    import pandas as pd

__all__ = ["add_parsers", "run_analyze", "run_report", "run_retention", "run_match", "run_practice_outcomes",
           "to_jsonable",
           "read_table", "load_program"]

SOURCE_HELP = ("folder of program tables, a shipped dataset name (e.g. program_sample) or a database URL "
               "(e.g. sqlite:///program.sqlite)")


def add_parsers(sub) -> None:
    a = sub.add_parser("analyze", help="evaluate a program: engagement, pre/post, reliability, retention, ROI",
                       description="Load a program (folder, shipped dataset or database) and run the standard evaluation.")
    a.add_argument("path", metavar="SOURCE", help=SOURCE_HELP)
    a.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    a.add_argument("--format", choices=["json", "text"], default="text", help="output format (default text)")
    _weighting_options(a)
    a.set_defaults(func=run_analyze)

    r = sub.add_parser("report", help="write a standalone HTML report of a program's outcomes",
                       description="One HTML file with charts and tables that opens with no network.")
    r.add_argument("path", metavar="SOURCE", help=SOURCE_HELP)
    r.add_argument("--out", metavar="FILE.html", required=True, help="where to write the report")
    r.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    r.add_argument("--title", default="Mentoring program outcomes", help="report title")
    _weighting_options(r)
    r.set_defaults(func=run_report)

    t = sub.add_parser("retention", help="Kaplan-Meier medians, log-rank and hazard ratio for any HR table",
                       description="Retention of groups in any table with a time-under-observation column, "
                                   "an exit column and a group column; propensity-weighted when covariates are given.")
    t.add_argument("file", metavar="FILE", help="CSV (or .tsv/.xlsx/.parquet) with one row per person")
    t.add_argument("--duration", metavar="COL", required=True, help="time observed (tenure), a non-negative number")
    t.add_argument("--event", metavar="COL", required=True, help="left the organisation: yes/no, 1/0 or true/false")
    t.add_argument("--group", metavar="COL", required=True, help="the groups to compare (e.g. mentored)")
    t.add_argument("--covariates", metavar="COLS", help="comma-separated confounders for propensity weighting")
    t.add_argument("--reference", metavar="VALUE", help="the reference group (default: the first value in sort order)")
    t.add_argument("--entry", metavar="COL", help="delayed entry: time each person came under observation "
                   "(same units as --duration), for people hired before the observation window")
    t.add_argument("--format", choices=["text", "json"], default="text", help="output format (default text)")
    _weighting_options(t)
    t.set_defaults(func=run_retention)

    po = sub.add_parser("practice-outcomes", help="do mentors who practise more have mentees who gain more?",
                        description="Join the practice log to the program by mentor (one pseudonym scheme) and "
                                    "estimate the relation of practice (attempts, mean score) to mentees' "
                                    "confidence change, adjusted for mentor tenure and cohort. Practice is not "
                                    "randomised: the result is an association.")
    po.add_argument("path", metavar="SOURCE", help=SOURCE_HELP)
    po.add_argument("--practice", metavar="LOG", required=True,
                    help="the practice log: a database URL or SQLite file, or a CSV export of attempts "
                         "(e.g. practice_attempts.csv from `mentorkit simulate --practice`)")
    po.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    po.add_argument("--method", choices=["mixed", "cluster"], default="mixed",
                    help="mixed model with a random intercept per mentor (default), or OLS with mentor-clustered "
                         "standard errors")
    po.add_argument("--window", choices=["before_end", "before_start", "all"], default="before_end",
                    help="which attempts count for a pair (default: finished by the pair's end date)")
    po.add_argument("--program-ids", choices=["auto", "pseudonymised", "raw"], default="auto",
                    help="whether the program's mentor ids are already the log's pseudonyms (default: auto, "
                         "whichever finds more mentors; the output says which)")
    po.add_argument("--format", choices=["json", "text"], default="text", help="output format (default text)")
    po.set_defaults(func=run_practice_outcomes)

    m = sub.add_parser("match", help="match mentees to mentors with capacities, explained",
                       description="Optimal assignment from goals/expertise similarity, working-hour overlap and "
                                   "feedback style; writes one row per pair with the score breakdown.")
    m.add_argument("people", metavar="PEOPLE.csv", help="people table (see datasets/matching_example)")
    m.add_argument("--out", metavar="FILE.csv", required=True, help="where to write the pairs")
    m.add_argument("--method", choices=["optimal", "stable"], default="optimal",
                   help="optimal: highest total score; stable: no blocking pairs (default optimal)")
    m.add_argument("--capacity-range", metavar="LO-HI", default="5-10", help="allowed mentor capacities (default 5-10)")
    m.set_defaults(func=run_match)


def _weighting_options(p) -> None:
    """Cox ties and propensity-weight options shared by ``analyze``, ``report`` and ``retention``."""
    g = p.add_argument_group("survival and propensity weighting")
    g.add_argument("--ties", choices=["efron", "breslow"], default="efron",
                   help="tied exit times in the Cox models (default efron, as R and lifelines)")
    g.add_argument("--clip", type=float, default=0.01, metavar="A",
                   help="clip propensity scores into [A, 1-A] before weighting (default 0.01; 0 = off)")
    g.add_argument("--trim", type=float, default=None, metavar="A",
                   help="leave out people with propensity scores outside [A, 1-A] (e.g. 0.1; default: none)")
    g.add_argument("--no-stabilize", dest="stabilized", action="store_false",
                   help="unstabilised weights 1/e and 1/(1-e) (default: stabilised by the group shares)")


def to_jsonable(df: "pd.DataFrame") -> list[dict]:
    """DataFrame records with plain JSON values: NaN and infinities become null, dates ISO text.

    A median that is infinite (fewer than half left during follow-up) is ``"not reached"``,
    as are the interval limits of a median table.

    >>> import pandas as pd
    >>> to_jsonable(pd.DataFrame({"x": [1.5, float("nan")], "d": pd.to_datetime(["2024-01-02", None])}))
    [{'x': 1.5, 'd': '2024-01-02T00:00:00'}, {'x': None, 'd': None}]
    """
    import numpy as np
    import pandas as pd

    out = []
    cols = list(df.columns)
    medians = any("median" in str(c) for c in cols)
    for row in df.itertuples(index=False, name=None):
        rec = {}
        for c, v in zip(cols, row):
            if isinstance(v, (np.bool_, bool)):
                v = bool(v)
            elif isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (np.floating, float)):
                if math.isinf(float(v)) and float(v) > 0 and ("median" in str(c) or (medians and str(c).startswith("ci_"))):
                    v = "not reached"
                else:
                    v = None if not math.isfinite(float(v)) else float(v)
            elif isinstance(v, (pd.Timestamp, np.datetime64)):
                v = None if pd.isna(v) else pd.Timestamp(v).isoformat()
            elif v is pd.NA or v is pd.NaT:
                v = None
            rec[str(c)] = v
        out.append(rec)
    return out


def load_program(path: str, mapping: str | None = None):
    """Load a program from any source (:mod:`mentorkit.sources`), reporting quarantined rows on stderr."""
    from mentorkit.sources import load_program as load_source

    data = load_source(path, mapping=mapping)
    rep = data.report
    if rep.n_errors:
        print(f"mentorkit: {rep.n_errors} row problem(s) in {path}; those rows were quarantined "
              "(see the _quarantine folder). First problems:", file=sys.stderr)
        for line in rep.lines(limit=5):
            print(f"  {line}", file=sys.stderr)
    return data


def _print_tables(tables: dict[str, "pd.DataFrame"]) -> None:
    import pandas as pd

    with pd.option_context("display.max_columns", None, "display.width", 200, "display.float_format", "{:,.4g}".format):
        for name, df in tables.items():
            print(f"== {name} ({len(df)} row{'s' if len(df) != 1 else ''})")
            print(df.to_string(index=False) if len(df) else "(empty)")
            print()


def run_analyze(args) -> int:
    """Entry point for ``mentorkit analyze``."""
    from mentorkit.analysis import ANALYSES, analyze

    data = load_program(args.path, args.mapping)
    bar = None
    if sys.stderr.isatty():
        from tqdm.auto import tqdm
        bar = tqdm(total=len(ANALYSES), desc="analyze", unit="analysis", file=sys.stderr)

    def step(name: str) -> None:
        if bar is not None:
            bar.set_postfix_str(name)
            bar.update(0 if name == ANALYSES[0] else 1)

    results = analyze(data, progress=step, **weighting_options(args))
    if bar is not None:
        bar.update(1)
        bar.close()
    if args.format == "json":
        json.dump({k: to_jsonable(v) for k, v in results.items()}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        _print_tables(results)
    return 0


def weighting_options(args) -> dict:
    """The ``--ties/--clip/--trim/--no-stabilize`` flags as keyword arguments (checked)."""
    clip = getattr(args, "clip", 0.01)
    trim = getattr(args, "trim", None)
    for name, v in (("--clip", clip), ("--trim", trim)):
        if v is not None and not 0 <= v < 0.5:
            raise MentorkitError(f"{name} must be between 0 and 0.5, got {v}")
    return {"ties": getattr(args, "ties", "efron"), "clip": clip or None, "trim": trim or None,
            "stabilized": getattr(args, "stabilized", True)}


def run_report(args) -> int:
    """Entry point for ``mentorkit report``."""
    from mentorkit.analysis import analyze
    from mentorkit.analysis.report import write_report

    data = load_program(args.path, args.mapping)
    results = analyze(data, **weighting_options(args))
    out = write_report(data, args.out, results, title=args.title)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB, opens offline)")
    return 0


def run_practice_outcomes(args) -> int:
    """Entry point for ``mentorkit practice-outcomes``."""
    from mentorkit.analysis.practice_outcomes import practice_outcomes

    data = load_program(args.path, args.mapping)
    res = practice_outcomes(data, args.practice, method=args.method, window=args.window,
                            program_ids=args.program_ids, progress=sys.stderr.isatty())
    if args.format == "json":
        out = {k: to_jsonable(v) for k, v in res.tables().items()}
        json.dump(out, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        cols = ["exposure", "unit", "estimate", "ci_low", "ci_high", "p", "n_mentees", "n_mentors", "converged"]
        _print_tables({"practice and mentee confidence change (adjusted)": res.table[cols],
                       "unadjusted, for contrast": res.unadjusted[cols],
                       "how the log joined the program": res.tables()["practice_join"]})
        print(f"adjusted for: {res.table['adjusted_for'].iloc[0]}; method: {res.table['method'].iloc[0]}")
        print(f"caveat: {res.table['caveat'].iloc[0]}")
    return 0


def _report_rejected(path: str, rejected: "pd.DataFrame", total: int) -> None:
    if rejected.empty:
        return
    print(f"mentorkit: {len(rejected)} of {total} row(s) in {path} could not be used and were left out:",
          file=sys.stderr)
    for r, reason in zip(rejected["row"].head(10), rejected["reason"].head(10)):
        print(f"  {path}:{int(r) + 1}: {reason}", file=sys.stderr)  # +1: the header is line 1
    if len(rejected) > 10:
        print(f"  ... and {len(rejected) - 10} more", file=sys.stderr)


def run_retention(args) -> int:
    """Entry point for ``mentorkit retention``."""
    import numpy as np

    from mentorkit.analysis.retention import clean_survival_table, retention_analysis

    raw = read_table(args.file)
    covs = [c.strip() for c in (args.covariates or "").split(",") if c.strip()]
    entry = getattr(args, "entry", None)
    clean, rejected = clean_survival_table(raw, args.duration, args.event, args.group, covs, where=args.file,
                                           entry=entry)
    _report_rejected(args.file, rejected, len(raw))
    if clean.empty:
        raise MentorkitError(f"{args.file}: no usable rows left ({len(rejected)} rejected)")
    reference = args.reference
    if reference is not None:
        values = clean[args.group].unique().tolist()
        match = [v for v in values if str(v) == reference]
        if not match:
            raise MentorkitError(f"{args.file}: --reference {reference!r} is not a value of column {args.group!r} "
                                 f"(values: {sorted(map(str, values))})")
        reference = match[0]
    res = retention_analysis(clean, args.duration, args.event, args.group, covariates=covs, reference=reference,
                             entry=entry, **weighting_options(args))
    if args.format == "json":
        out = {k: to_jsonable(v) for k, v in res.tables().items()}
        out.update(rows_used=int(len(clean)), rows_rejected=int(len(rejected)))
        json.dump(out, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        tables = {"Kaplan-Meier medians": res.medians, "comparison": res.table.drop(columns="note")}
        if res.overlap is not None:
            tables["propensity overlap"] = res.overlap
            tables["covariate balance"] = res.balance
        tables["diagnostics"] = res.diagnostics[["check", "ok", "message"]]
        _print_tables(tables)
        if np.isinf(res.medians["median"]).any():
            print("note: a median 'not reached' (inf) means fewer than half the group left during follow-up")
        for method, note in zip(res.table["method"], res.table["note"]):
            print(f"note ({method}): {note}")
    return 0


def run_match(args) -> int:
    """Entry point for ``mentorkit match``."""
    from mentorkit.analysis.matching import match
    from mentorkit.privacy import to_csv_safe

    people = read_table(args.people)
    try:
        lo, hi = (int(x) for x in args.capacity_range.split("-"))
    except ValueError:
        raise MentorkitError(f"--capacity-range must look like 5-10, got {args.capacity_range!r}") from None
    result = match(people, method=args.method, capacity_range=(lo, hi), where=args.people)
    _report_rejected(args.people, result.rejected, len(people))
    out = Path(args.out)
    if not out.parent.exists():
        raise MentorkitError(f"{args.out}: the folder {out.parent} does not exist")
    to_csv_safe(result.pairs, out)
    s = result.summary().iloc[0]
    print(f"matched {int(s['pairs'])} mentee(s), mean score {s['mean_score']:.3f}; "
          f"{int(s['unmatched'])} unmatched; {int(s['blocking_pairs'])} blocking pair(s); wrote {out}")
    if len(result.unmatched):
        print(f"unmatched: {', '.join(map(str, result.unmatched['mentee_id'].head(20)))}"
              + (" ..." if len(result.unmatched) > 20 else ""))
    if len(result.blocking):
        print("blocking pairs (would both rather be together; try --method stable):")
        for r in result.blocking.head(10).itertuples(index=False):
            print(f"  {r.mentee_id} + {r.mentor_id}: score {r.score:.3f} > mentee's {r.mentee_current_score:.3f}")
    return 0
