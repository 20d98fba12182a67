"""Play a scripted list of replies into a practice session (the CLI's ``--script``, the demo data).

>>> from mentorkit.scenarios import Session, load_scenario
>>> s = play_script(Session(load_scenario("written_recap"), seed=0), ["Recap: you'll send the draft Monday."])
>>> s.done
True
"""
from __future__ import annotations

from typing import TextIO

__all__ = ["play_script"]


def play_script(session, replies: list[str], where: str = "<script>", warn: TextIO | None = None):
    """Play *replies* into *session* until it ends; abandon it if the replies run out.

    With *warn*, say on it when the replies ran out or when lines were left unused.
    """
    from mentorkit.scenarios.engine import MAX_REPLY_CHARS
    used = 0
    for reply in replies:
        if session.done:
            break
        if warn and len(reply) > MAX_REPLY_CHARS:
            print(f"mentorkit practice: {where}:{used + 1}: the reply is {len(reply):,} characters, over the "
                  f"{MAX_REPLY_CHARS:,}-character limit; the mentee asked for a shorter one and play went on",
                  file=warn)
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
