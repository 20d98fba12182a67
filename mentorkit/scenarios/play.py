"""Play a list of replies into a practice session: the one "play these replies" function.

Everything that plays replies without a person typing calls :func:`play_replies`: the
CLI's ``practice --script``, ``scenario check`` (the sample reply sets), ``scenario
preview``, the studio page, the practice sample tests and benchmarks, and the demo data.

>>> s = play_replies("written_recap", ["Recap: you'll send the draft Monday."])
>>> s.done
True
"""
from __future__ import annotations

from typing import TextIO

__all__ = ["play_replies"]


def play_replies(scenario, replies: list[str] | tuple[str, ...], seed: int = 0, where: str = "<replies>",
                 warn: TextIO | None = None):
    """Play *replies* into a practice session until it ends; abandon it if the replies run out.

    Parameters
    ----------
    scenario : Scenario, str or Session
        A loaded scenario, its name (or file path), or a session already started
        (played on from where it is; *seed* is then not used).
    replies : list of str
        One reply per turn; an empty string is an empty reply.
    seed : int
        Picks the mentee's wording for a new session.
    where, warn : str, text stream
        With *warn*, say on it (naming *where* and the line) when a reply is over the
        length limit, when the replies ran out, or when lines were left unused.

    Returns
    -------
    Session
        The finished (or abandoned) session: ``transcript()``, ``outcome``, ``debrief()``.
    """
    from mentorkit.scenarios.engine import MAX_REPLY_CHARS, Session
    session = scenario if isinstance(scenario, Session) else Session(scenario, seed=seed)
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
