"""``mentorkit redact`` and ``mentorkit themes``, and the partitioned-input options of ``grade`` and ``listen``.

A folder of Parquet or CSV files (or a glob) in, partitioned Parquet out (``--out DIR``), in this
process (``--engine local``, the default) or on Dask (``--engine dask`` with ``--workers N`` for a
local cluster or ``--scheduler ADDRESS`` for an existing one). See :mod:`mentorkit.scale`.
"""
from __future__ import annotations

import sys

from mentorkit.errors import MentorkitError

__all__ = ["add_parsers", "add_scale_arguments", "wants_partitioned", "run_partitioned"]


def add_scale_arguments(p, *, text_default: str = "text") -> None:
    """The options every partitioned language job takes."""
    g = p.add_argument_group("large inputs (a folder of Parquet/CSV files or a glob; output partitioned Parquet)")
    g.add_argument("--out", metavar="DIR", help="write partitioned Parquet here (part.N.parquet) instead of stdout")
    g.add_argument("--id-column", metavar="NAME",
                   help="column that identifies each row in the output (default: 'row', the row number)")
    g.add_argument("--engine", choices=["local", "dask"], default=None,
                   help="'local': this process; 'dask': a Dask cluster (default local)")
    g.add_argument("--workers", type=int, metavar="N",
                   help="with --engine dask: start a LocalCluster of N worker processes (default 2)")
    g.add_argument("--scheduler", metavar="ADDRESS",
                   help="with --engine dask: an existing cluster's scheduler, e.g. tcp://10.0.0.5:8786")
    g.add_argument("--memory-limit", default="auto", metavar="SIZE",
                   help="with --workers: memory per worker process, e.g. 2GiB (default: share of RAM)")


def wants_partitioned(args) -> bool:
    """True when the options or the input ask for the partitioned job."""
    from pathlib import Path
    given = any(getattr(args, k, None) for k in ("out", "engine", "scheduler", "workers"))
    source = getattr(args, "input", None) or ""
    shaped = source != "-" and (any(ch in source for ch in "*?[") or Path(source).is_dir()
                                or source.lower().endswith(".parquet"))
    if shaped and not getattr(args, "out", None):
        what = "is a folder" if Path(source).is_dir() else "is a glob or Parquet input"
        raise MentorkitError(f"{source}: {what}; such inputs are processed in parts and written as "
                             "partitioned Parquet: give --out DIR")
    if given and not getattr(args, "out", None):
        raise MentorkitError("--engine, --workers and --scheduler write partitioned Parquet; give --out DIR")
    return given or shaped


def run_partitioned(job: str, args, **extra) -> int:
    from mentorkit.scale import run_job

    if (args.workers or args.scheduler) and args.engine != "dask":
        raise MentorkitError("--workers and --scheduler need --engine dask")
    summary = run_job(job, args.input, args.out, column=args.column or "text", id_column=args.id_column,
                      engine=args.engine or "local", scheduler=args.scheduler, workers=args.workers,
                      memory_limit=args.memory_limit, batch_size=getattr(args, "batch_size", None),
                      progress=sys.stderr.isatty(), **extra)
    print(f"mentorkit {job}: {summary.line()}", file=sys.stderr)
    print(f"mentorkit {job}: results in {summary.out}/part.*.parquet", file=sys.stderr)
    return 0


def add_parsers(sub) -> None:
    r = sub.add_parser("redact", help="redact names, e-mail addresses and the like from a column of texts",
                       description="Redact person names (and what mentorkit.privacy.redact_names recognises) "
                                   "from every text of a column; output holds the redacted text only.")
    r.add_argument("--input", metavar="PATH", required=True, help="a CSV/Parquet file, a folder of them, or a glob")
    r.add_argument("--column", metavar="NAME", default="text", help="the column holding the texts (default 'text')")
    r.add_argument("--batch-size", type=int, default=None, help="texts parsed per batch")
    add_scale_arguments(r)
    r.set_defaults(func=run_redact)

    t = sub.add_parser("themes", help="comment themes over many comments: fit on a sample, assign every comment",
                       description="Fit the topic model on a random sample of the comments, then assign a theme "
                                   "and a sentiment score to every comment; themes.csv describes the themes.")
    t.add_argument("--input", metavar="PATH", required=True, help="a CSV/Parquet file, a folder of them, or a glob")
    t.add_argument("--column", metavar="NAME", default="text", help="the column holding the comments (default 'text')")
    t.add_argument("--n-themes", type=int, default=5, help="number of themes (default 5)")
    t.add_argument("--sample", type=int, default=20_000,
                   help="comments the topic model is fitted on (default 20,000; all when fewer)")
    t.add_argument("--seed", type=int, default=0, help="seed of the sample and the factorisation")
    add_scale_arguments(t)
    t.set_defaults(func=run_themes)


def run_redact(args) -> int:
    if not args.out:
        raise MentorkitError("redact writes partitioned Parquet: give --out DIR")
    return run_partitioned("redact", args)


def run_themes(args) -> int:
    if not args.out:
        raise MentorkitError("themes writes partitioned Parquet and themes.csv: give --out DIR")
    return run_partitioned("themes", args, theme_sample=args.sample, n_themes=args.n_themes, seed=args.seed)
