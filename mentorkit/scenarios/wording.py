"""How the mentee picks up on what the trainee just said, before her reaction.

A scenario authors each move's lines (a turn branch's ``say``). On top of them the
mentee opens her message, now and then, with a short uptake chosen by **what the
reply did** and how it moved her: she confirms a reflection that said back what she
told ("Yes, exactly."), warms to supportive wording once it has moved her trust,
slows down after a long reply when she likes it direct, and hesitates when the reply
cost her trust. The uptake is picked by :meth:`Session._say` (seed, reply and
conversation so far; never a line twice), so one authored line reads differently
from play to play, and differently for different replies.

An uptake is left out when it would stutter before the reaction ("Okay... Okay, ...",
"Thanks. Thanks for ..."), and when the reply was harsh or off her situation (the
reaction says it all). Her answers from the fact sheet are framed the same way
(:data:`ANSWER_FRAMES`): the fact's words stay, the way in changes with the question.
A closed question's short answer (:data:`CLOSED_FRAMES`) and her line on a proposal that
matches one of her options (:data:`OPTION_FRAMES`) get ways in of their own, so every
move she makes has at least four wordings.
"""
from __future__ import annotations

__all__ = ["UPTAKES", "ANSWER_FRAMES", "CLOSED_FRAMES", "OPTION_FRAMES", "uptake_kind", "opens_with_uptake",
           "frame_answer"]

#: ways into an answer to an open question (the fact's own words follow)
ANSWER_FRAMES = ("{fact}", "Honestly, {fact}", "Well, {fact}", "From my side, {fact}", "If I'm honest, {fact}",
                 "So, {fact}")
#: ways into the short answer to a closed question; each ends its own sentence, so the answer's
#: "Yes, ..." / "No, ..." keeps its capital ("Fair question. Yes, 55 minutes.")
CLOSED_FRAMES = ("{fact}", "Fair question. {fact}", "Let me see. {fact}", "Honestly? {fact}", "Short answer? {fact}")
#: ways into her line on a proposal that matches one of her options (which may welcome it or push back)
OPTION_FRAMES = ("{fact}", "Let me think about that. {fact}", "As for that, {fact}", "Okay, let me see. {fact}",
                 "On that, {fact}")

#: uptake lines by what the reply did (each at least four wordings)
UPTAKES: dict[str, tuple[str, ...]] = {
    "reflected": ("Yes, exactly.", "Right, that's it.", "Yes. That's how it felt.", "Mm, that's fair.",
                  "That's it, yes.", "Yes, you've got it."),
    "warmed": ("Thanks, I appreciate that.", "That helps, thank you.", "Thank you for saying that.",
               "I appreciate you saying so.", "That's good to hear.", "Thanks. That means something."),
    "long": ("Okay, that's a lot, but I follow.", "Let me take that in.", "Okay. Give me a second with that.",
             "That's quite a bit. Okay.", "Right, lots there."),
    "cooled": ("Hm.", "Okay...", "Right.", "I see.", "Mm.", "Well."),
}
_OPENERS = ("okay", "ok", "hm", "hmm", "right", "thanks", "thank", "wow", "oh", "fair", "yes", "yeah", "sure",
            "honestly", "well", "mm", "ah", "noted", "fine", "alright", "i see", "good", "great", "sorry", "um",
            "huh", "ouch", "that's fair", "that's kind", "clear", "understood", "got it", "exactly", "ha")


def opens_with_uptake(line: str) -> bool:
    """True when *line* already starts with an interjection or a thanks ('Okay. ...', 'Thanks, ...').

    >>> opens_with_uptake("Okay... so what does that mean for us?"), opens_with_uptake("I did drop off early.")
    (True, False)
    """
    from mentorkit.scenarios.speech import split_tag
    low = split_tag(line)[1].strip().lower().replace("\u2019", "'")
    return any(low == o or low.startswith(o + c) for o in _OPENERS for c in (" ", ",", ".", "!", "?", "\u2026"))


def uptake_kind(findings: dict, deltas: dict[str, float], words: int, preference: str) -> str | None:
    """Which uptake fits a reply: ``reflected``, ``warmed``, ``long``, ``cooled`` or None.

    *findings* are the grounded findings of the reply, *deltas* how it moved her state.

    >>> uptake_kind({"active_listening.reflection": 1}, {"trust": 0.1}, 20, "warm")
    'reflected'
    >>> uptake_kind({}, {"trust": -0.05, "clarity": 0.0}, 20, "warm")
    'cooled'
    """
    if any(k in findings for k in ("intent_tone.harsh", "sbi.judgement", "off_topic", "empty")):
        return None
    moved = sum(deltas.values())
    if "active_listening.reflection" in findings and moved > 0:
        return "reflected"
    if preference == "direct" and words > 120:
        return "long"
    if ("intent_tone.supportive" in findings or "intent_tone.explicit_intent" in findings) and deltas.get("trust", 0) > 0.049:
        return "warmed"
    if deltas.get("trust", 0) < -0.01 and moved < 0:
        return "cooled"
    return None


def frame_answer(frame: str, line: str) -> str:
    """Put an answer *line* (maybe tagged '[Marco] ...') into *frame*, lower-casing its first word.

    >>> frame_answer("Honestly, {fact}", "Their Q3 figures double-counted the online returns.")
    'Honestly, their Q3 figures double-counted the online returns.'
    >>> frame_answer("Well, {fact}", "I panicked.")
    'Well, I panicked.'
    >>> frame_answer("Fair question. {fact}", "Yes, 55 minutes.")
    'Fair question. Yes, 55 minutes.'
    >>> frame_answer("Honestly? {fact}", "Honestly, yes, I translate a lot.")
    'Honestly, yes, I translate a lot.'
    """
    from mentorkit.scenarios.speech import split_tag
    tag, body = split_tag(line)
    lead = frame.split("{fact}", 1)[0].strip()
    if lead[-1:] in (".", "?", "!"):
        # a frame that ends its own sentence: the answer keeps its first word and capital,
        # unless it would say the same word twice ("Honestly? Honestly, yes ...")
        if body.split(" ", 1)[0].strip(",.?!").lower() == lead.split(" ", 1)[0].strip(",.?!").lower():
            frame = "{fact}"
        text = frame.format(fact=body)
        return f"{tag} {text}" if tag else text
    if frame != "{fact}" and body and opens_with_uptake(body):
        frame = "{fact}"   # "Honestly, honestly ..." / "Well, yes ..."
    if frame != "{fact}" and body[:1].isupper() and not (body.startswith("I ") or body.startswith("I'")):
        first = body.split(" ", 1)[0]
        if not (len(first) > 1 and first[1:2].isupper()):   # keep 'Q3', 'CEO'
            body = body[0].lower() + body[1:]
    text = frame.format(fact=body)
    return f"{tag} {text}" if tag else text


def with_wordings(scenario, n: int):
    """*scenario* with every authored move cut to its first *n* wordings (branch lines, endings,
    empty-reply lines): how a play reads with fewer variants, e.g. the two each move had before
    (benchmarks/bench_practice.py measures distinct lines against it).
    """
    from dataclasses import replace
    turns = tuple(replace(t, branches=tuple(replace(b, say=b.say[:n]) for b in t.branches)) for t in scenario.turns)
    return replace(scenario, turns=turns, endings={k: v[:n] for k, v in scenario.endings.items()},
                   on_empty=scenario.on_empty[:n], off_topic=scenario.off_topic[:n])
