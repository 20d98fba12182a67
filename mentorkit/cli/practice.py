"""``mentorkit practice``: play a scenario in the terminal or from a script; progress and export."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, TextIO

from mentorkit.cli.files import read_lines
from mentorkit.errors import MentorkitError
from mentorkit.scenarios.play import play_replies

__all__ = ["add_parsers", "run_practice", "read_script", "play_interactive"]


def add_parsers(sub) -> None:
    p = sub.add_parser("practice", help="practise a conversation with a simulated mentee",
                       description="Play a practice scenario in the terminal (or from a script of replies) "
                                   "and get a debrief; list scenarios; show progress or export the practice log.")
    p.add_argument("name", nargs="?", help="the scenario to play: a name from --list, or the path of a "
                                         "scenario file (e.g. ./my_scenario.yaml)")
    p.add_argument("--list", action="store_true", help="list the scenarios (shipped, the organisation's "
                                                      "MENTORKIT_SCENARIOS folders, and broken files)")
    p.add_argument("--family", metavar="NAME", help="with --list: only this family of scenarios")
    p.add_argument("--script", metavar="REPLIES.txt", help="play non-interactively: one reply per line")
    p.add_argument("--seed", type=int, default=0, help="picks the mentee's wording (default 0)")
    p.add_argument("--format", choices=["text", "json"], default=None, help="output format (default text)")
    p.add_argument("--trainee", metavar="NAME", help="record the attempt under this trainee (stored as a pseudonym)")
    p.add_argument("--db", metavar="URL", help="practice log: SQLAlchemy URL or SQLite file (default: practice_db setting)")
    p.add_argument("--progress", action="store_true", help="show first/best/latest score per trainee and scenario")
    p.add_argument("--export", metavar="FILE.csv", help="export the practice log to CSV through the privacy layer")
    p.set_defaults(func=run_practice)


def read_script(path: str | Path) -> list[str]:
    """The replies in a script file: one per line; an empty line is an empty reply.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(p, "w").write("first reply\\n\\nthird\\n")
    >>> read_script(p)
    ['first reply', '', 'third']
    """
    return [text for _, text in read_lines(path, what="reply", blank_lines=True)]


def _wrap(speaker: str, text: str) -> str:
    import textwrap
    body = "\n".join(textwrap.fill(p, 88, initial_indent="  ", subsequent_indent="  ")
                     for p in text.split("\n") if p.strip()) or "  (no reply)"
    return f"{speaker}:\n{body}"


def _print_transcript(session, out: TextIO) -> None:
    name = session.scenario.persona.name
    for ln in session.lines:
        who = f"[{ln.line}] {name}" if ln.speaker == "mentee" else f"[{ln.line}] You"
        print(_wrap(who, ln.text), file=out)


def play_interactive(session, read: Callable[[str], str] | None = None, out: TextIO | None = None):
    """Play *session* in the terminal: print the mentee, read each reply with *read*.

    The default reader (:func:`mentorkit.cli.longline.read_reply`) takes a reply of any
    length from a terminal; prompts go to *out* (stderr under ``--format json``).
    """
    out = out or sys.stdout
    if read is None:
        from mentorkit.cli.longline import read_reply
        read = lambda prompt: read_reply(prompt, out=out)  # noqa: E731 - no silent cut at 4,095 characters
    s = session.scenario
    print(f"{s.title}\n{'=' * len(s.title)}\n{session.context}\n", file=out)
    print(f"Mentee: {s.persona.name}, {s.persona.role} ({s.persona.time_zone}). "
          f"Prefers feedback: {s.persona.feedback_preference if s.persona.feedback_preference != 'ask' else 'ask them'}.",
          file=out)
    print(_wrap(f"\n{s.persona.name}", session.lines[0].text), file=out)
    while not session.done:
        print(f"\n(Hint: {session.focus})", file=out)
        try:
            text = read("You> ")
        except EOFError:
            session.abandon()
            break
        answer = session.reply(text)
        print(_wrap(f"\n{s.persona.name}", answer), file=out)
    return session


def _record(session, trainee: str | None, db: str | None) -> int | None:
    if not trainee:
        return None
    from mentorkit.store import PracticeLog
    log = PracticeLog(db)
    try:
        return log.record(session.to_attempt(trainee))
    finally:
        log.close()


def run_practice(args) -> int:
    """Entry point for ``mentorkit practice`` (see ``mentorkit practice --help``)."""
    from mentorkit.scenarios import Session, list_scenarios, load_scenario
    fmt = args.format or "text"
    if args.list:
        table = list_scenarios(family=args.family)
        if fmt == "json":
            print(json.dumps(table.to_dict(orient="records"), indent=2))
        else:
            for fam, group in table.groupby("family", sort=True):
                print(f"{fam}:")
                for row in group.itertuples():
                    print(f"  {row.name:<26} {row.title}" + ("  [organisation]" if row.source != "shipped" else ""))
        from mentorkit.scenarios.library import broken_lines
        for line in broken_lines():
            print(line, file=sys.stderr if fmt == "json" else sys.stdout)
        return 0
    if args.progress or args.export:
        from mentorkit.store import PracticeLog
        log = PracticeLog(args.db)
        try:
            if args.export:
                path = log.export_csv(args.export, trainee=args.trainee)
                print(f"wrote {len(log.attempts(trainee=args.trainee))} attempts to {path}", file=sys.stderr)
                return 0
            table = log.progress(trainee=args.trainee)
            if fmt == "json":
                print(table.to_json(orient="records", date_format="iso", indent=2))
            else:
                print(table.to_string(index=False) if len(table) else "no attempts recorded yet")
            return 0
        finally:
            log.close()
    if not args.name:
        raise MentorkitError("name a scenario (see 'mentorkit practice --list'), or use --list / --progress / --export")
    scenario = load_scenario(args.name)
    if args.trainee:
        from mentorkit.store import PracticeLog
        PracticeLog.pseudonym(args.trainee)  # no salt configured: refused now, not after the conversation
    session = Session(scenario, seed=args.seed)
    if args.script:
        play_replies(session, read_script(args.script), where=args.script, warn=sys.stderr)
    elif fmt == "json":
        # stdout carries the JSON alone: the conversation and the prompts go to stderr
        play_interactive(session, out=sys.stderr)
    else:
        play_interactive(session)
    attempt_id = _record(session, args.trainee, args.db)
    if fmt == "json":
        out = session.to_dict()
        out["recorded_attempt_id"] = attempt_id
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        if args.script:
            _print_transcript(session, sys.stdout)
        print("\n" + session.debrief().to_text())
        if attempt_id is not None:
            print(f"\n(recorded in the practice log as attempt {attempt_id})")
        elif not args.trainee:
            print("\n(not recorded: pass --trainee NAME to keep it in the practice log)")
    return 0
