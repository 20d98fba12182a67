"""``mentorkit roster``, ``mentorkit plan``, ``mentorkit nudges``: the program managers' commands.

Each is a thin runner over :mod:`mentorkit.manage`; errors are :class:`MentorkitError`
lines, never tracebacks. Program data is read from SOURCE exactly as ``mentorkit analyze``
reads it (:func:`mentorkit.cli.analysis.load_program`, through :mod:`mentorkit.sources`).
"""
from __future__ import annotations

import sys

from mentorkit.cli.analysis import SOURCE_HELP
from mentorkit.errors import MentorkitError

__all__ = ["add_parsers", "run_plan", "run_roster", "run_nudges", "run_user_add", "run_user_list"]


def add_parsers(sub) -> None:
    """Add the three subcommands to an argparse sub-parser set."""
    p = sub.add_parser("plan", help="plan check-ins across time zones and write an .ics series",
                       description="For each pair (a group's pairs together): common working time per week, "
                                   "the cadence it allows, check-ins inside everyone's hours, one .ics file.")
    p.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    p.add_argument("--pair", metavar="ID", action="append", help="only this pair (repeat for more)")
    p.add_argument("--roster", metavar="URL", help="roster store: SQLAlchemy URL or SQLite file (default: roster_db)")
    p.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    p.add_argument("--out", metavar="FILE.ics", required=True, help="where to write the calendar")
    p.set_defaults(func=run_plan)

    r = sub.add_parser("roster", help="import the organisation's contact export into the roster store",
                       description="Check every row (file:row:column for each problem), store the valid ones.")
    r.add_argument("export", metavar="FILE", help="CSV, TSV or Excel file, one row per person")
    r.add_argument("--db", metavar="URL", help="roster store: SQLAlchemy URL or SQLite file (default: roster_db)")
    r.add_argument("--program", metavar="SOURCE", help="reject rows for people not in this program")
    r.set_defaults(func=run_roster)

    n = sub.add_parser("nudges", help="draft the nudges a program needs; export or send them",
                       description="A draft per flagged pair to the person who can act; list them, export .eml "
                                   "files and a mail-merge CSV, or send them by SMTP (smtp_url setting).")
    n.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    n.add_argument("--roster", metavar="URL", help="roster store (default: roster_db setting)")
    n.add_argument("--mapping", metavar="FILE", help="YAML mapping of your export's columns and values")
    n.add_argument("--as-of", metavar="DATE", help="measure the program up to this date")
    n.add_argument("--quiet-days", type=int, metavar="N", help="days before a pair is nudged again")
    what = n.add_mutually_exclusive_group()
    what.add_argument("--export", metavar="DIR", help="write .eml files and mail_merge.csv into DIR")
    what.add_argument("--send", action="store_true", help="send by SMTP to the smtp_url setting")
    n.set_defaults(func=run_nudges)

    u = sub.add_parser("user", help="users who sign in to the dashboards, and their roles",
                       description="Add a user (or replace their role and password) in the configuration file; "
                                   "the password is asked for and kept only as a salted scrypt hash.")
    usub = u.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    ua = usub.add_parser("add", help="add a user with a role (program_manager sees names in operational views)")
    ua.add_argument("name", metavar="NAME")
    ua.add_argument("--role", required=True, help="one of: " + ", ".join(_roles()))
    ua.add_argument("--config", metavar="FILE", help="configuration file to write (default the one in force, "
                                                     "else ./mentorkit.toml)")
    ua.add_argument("--password-stdin", action="store_true",
                    help="read the password from the first line of standard input instead of asking")
    ua.set_defaults(func=run_user_add)
    ul = usub.add_parser("list", help="the configured users and their roles (never their hashes)")
    ul.add_argument("--config", metavar="FILE")
    ul.set_defaults(func=run_user_list)


def _program(source: str, mapping: str | None):
    from mentorkit.cli.analysis import load_program
    return load_program(source, mapping)


def run_plan(args) -> int:
    import pandas as pd

    from mentorkit.manage.planner import plans_for_pairs, write_ics
    from mentorkit.manage.roster import RosterStore
    data = _program(args.source, args.mapping)
    store = RosterStore(args.roster)
    ids = list(data.pairs["pair_id"]) if not args.pair else args.pair
    contacts = store.contacts(set(data.pairs.loc[data.pairs["pair_id"].isin(ids), ["mentor_id", "mentee_id"]]
                                  .to_numpy().ravel()))
    plans = plans_for_pairs(data, contacts, args.pair, progress=sys.stderr.isatty())
    path = write_ics(plans, args.out)
    rows = [{"pair": p.key, "people": len(p.people), "cadence": p.cadence,
             "tightest_week_min": p.min_weekly_overlap_minutes, "check_ins": len(p.meetings), "why": p.why}
            for p in plans]
    with pd.option_context("display.max_colwidth", 90, "display.width", 200):
        print(pd.DataFrame(rows).to_string(index=False))
    n = sum(len(p.meetings) for p in plans)
    print(f"wrote {n} check-in(s) for {len(plans)} pair(s)/group(s) to {path}")
    if not contacts.empty or not len(plans):
        return 0
    print("note: no roster entries for these people; Mon-Fri 09:00-17:00 assumed (import a roster with "
          "`mentorkit roster FILE`)", file=sys.stderr)
    return 0


def run_roster(args) -> int:
    from mentorkit.manage.roster import RosterStore
    known = None
    if args.program:
        known = _program(args.program, None).participants["participant_id"]
    store = RosterStore(args.db)
    result = store.import_export(args.export, known_ids=known)
    print(result.report())
    print(f"roster {store!r}: {len(store)} contact(s)")
    return 0 if result.ok else 1


def run_nudges(args) -> int:
    import pandas as pd

    from mentorkit.manage.outbox import draft_nudges, sender_address
    from mentorkit.manage.roster import RosterStore
    if args.export or args.send:
        sender_address()                       # say what is missing before any work is done
    data = _program(args.source, args.mapping)
    store = RosterStore(args.roster)
    ob = draft_nudges(data, store, as_of=args.as_of, quiet_days=args.quiet_days, progress=sys.stderr.isatty())
    cols = ["draft_id", "pair_id", "rule", "stage", "recipient_role", "to_email", "reason", "problem"]
    with pd.option_context("display.max_colwidth", 70, "display.width", 220):
        print(ob.drafts[cols].to_string(index=False) if len(ob) else "no nudges to draft")
    if len(ob.held):
        print(f"{len(ob.held)} nudge(s) held back by the quiet period: their pairs were nudged in the last "
              f"{int(ob.held['days_since_nudge'].max()) + 1} day(s)")
    if args.export:
        paths = ob.export(args.export)
        print(f"wrote {len(list(paths['eml'].glob('*.eml')))} .eml file(s) to {paths['eml']} and {paths['mail_merge']}")
        if "not_exported" in paths:
            print(f"drafts that could not be exported, with reasons: {paths['not_exported']}")
            return 1
    elif args.send:
        if not len(ob):
            return 0
        res = ob.send(store)
        failed = res[res["status"] != "sent"]
        print(f"sent {int((res['status'] == 'sent').sum())} of {len(res)} nudge(s)")
        for r in failed.itertuples(index=False):
            print(f"  not sent {r.draft_id} ({r.pair_id}, {r.to_email or 'no address'}): {r.detail}")
        return 1 if len(failed) else 0
    return 0


def _roles():
    from mentorkit.manage.access import ROLES
    return list(ROLES)


def run_user_add(args) -> int:
    """``mentorkit user add NAME --role ROLE``: the password is asked twice (or read from stdin)."""
    from mentorkit.manage.access import add_user
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        import getpass
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise MentorkitError("the two passwords differ; nothing was written")
    if len(password) < 8:
        raise MentorkitError("a password needs at least 8 characters; nothing was written")
    path = add_user(args.name, args.role, password, args.config)
    print(f"{args.name} ({args.role}) written to {path}")
    return 0


def run_user_list(args) -> int:
    from mentorkit.manage.access import users
    found = users(args.config) if args.config else users()
    for u in found.values():
        print(f"{u.name}\t{u.role}")
    if not found:
        print("no users configured", file=sys.stderr)
    return 0
