"""The work behind ``mentorkit practice`` (the parser lives in :mod:`mentorkit.cli`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, TextIO

from mentorkit.errors import MentorkitError

__all__ = ["run_practice", "read_script", "play_script", "play_interactive"]


def read_script(path: str | Path) -> list[str]:
    """The replies in a script file: one per line; an empty line is an empty reply.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "r.txt")
    >>> _ = open(p, "w").write("first reply\\n\\nthird\\n")
    >>> read_script(p)
    ['first reply', '', 'third']
    """
    p = Path(path)
    if not p.is_file():
        raise MentorkitError(f"{p}: script file does not exist")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MentorkitError(f"{p}: script file is not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise MentorkitError(f"{p}: cannot read script file: {exc}") from None
    replies = text.splitlines()
    if not replies:
        raise MentorkitError(f"{p}: script file is empty; write one reply per line")
    return replies


def play_script(session, replies: list[str], where: str = "<script>", warn: TextIO | None = None):
    """Play *replies* into *session* until it ends; abandon it if the replies run out."""
    used = 0
    for reply in replies:
        if session.done:
            break
        session.reply(reply)
        used += 1
    if not session.done:
        session.abandon()
        if warn:
            print(f"mentorkit practice: {where}: the script ran out after {used} replies; "
                  f"the conversation is unfinished", file=warn)
    elif used < len(replies) and warn:
        print(f"mentorkit practice: {where}: the conversation ended after line {used}; "
              f"lines {used + 1}-{len(replies)} were not used", file=warn)
    return session


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
    """Play *session* in the terminal: print the mentee, read each reply with *read* (default ``input``)."""
    read = read or input
    out = out or sys.stdout
    s = session.scenario
    print(f"{s.title}\n{'=' * len(s.title)}\n{s.context}\n", file=out)
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
                    print(f"  {row.name:<26} {row.title}")
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
    session = Session(scenario, seed=args.seed)
    if args.script:
        play_script(session, read_script(args.script), where=args.script, warn=sys.stderr)
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
