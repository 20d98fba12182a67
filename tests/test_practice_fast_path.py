"""The practice engine's fast path (one parse of the reply's normalised text shared by every
detector and the SBI grader, per-scenario tables built once) gives exactly what the slow path
gives: every consumer parsing the reply on its own.

The slow path is computed here, in the same process, from the library's own public pieces:
each detector called alone (``detect(skill, text)``, which parses the text itself), the grounding
and the answers on their own parse of the reply as written, every parse done afresh (no parse
cache), and every mentee line's facts worked out from a fresh parse (no told-facts table). Both
paths play the shipped sample reply sets, the scenarios' examples and a few chat-style replies
(abbreviations, emoji: the normalised text differs from the written one) with fixed seeds;
transcripts, findings with their evidence and confidences, mentee lines and debriefs must be
identical.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from mentorkit import nlp
from mentorkit.scenarios import SAMPLE_KINDS, engine, load_samples, load_scenario, play_replies, scenario_names
from mentorkit.normalise import original_text
from mentorkit.scenarios.ahead import forget_shared
from mentorkit.skills import detect

#: chat-style replies, so normalisation changes the text (and emoji make the SBI grader's text differ)
CHAT = ("u were late to standup tues 🙄 pls dont do that again",
        "ok so how r u finding the new team tbh",
        "gr8 work on the deck!! 🎉🎉 the client loved it",
        "In yesterday's call you talked over Priya 😬 so we lost the thread.")


class _NoStore(dict):
    """A table that keeps nothing: every lookup misses and is computed again."""

    def __setitem__(self, key, value):
        pass

    def update(self, *args, **kwargs):
        pass

    def setdefault(self, key, default=None):
        return default


def _fresh_parse(text: str, profile: str = "grader"):
    return nlp.get_nlp(profile)(text)


class _Reference(engine.Session):
    """A session whose grounding and answers read their own parse of the reply as written."""

    def _ground(self, raw, doc):
        return super()._ground(raw, _fresh_parse(original_text(doc)))

    def _answers(self, doc, grounding, reaction):
        return super()._answers(_fresh_parse(original_text(doc)), grounding, reaction)


@contextmanager
def _slow_path():
    """Every consumer parses for itself: no parse cache, no table of the mentee lines' facts."""
    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(engine, "_TOLD_CACHE", _NoStore())
        with nlp.uncached():  # every cached_parse / parse_many parses its text anew and alone
            yield
    finally:
        mp.undo()


def _outputs(session) -> dict:
    out = session.to_dict()
    out["findings"] = [{k: f.to_dict() for k, f in ln.findings.items()} for ln in session.lines]
    return out


def _plays(name: str) -> list[tuple[str, int, list[str]]]:
    sets = load_samples(name)["sets"]
    plays = [(kind, i, list(sets[kind][i])) for kind in SAMPLE_KINDS for i in range(min(1, len(sets.get(kind, ()))))]
    scenario = load_scenario(name)
    plays += [(f"examples:{kind}", 0, list(v)) for kind, v in sorted(scenario.examples.items())]
    plays.append(("chat", 3, list(CHAT)))
    return plays


@pytest.mark.parametrize("name", scenario_names())
def test_fast_path_equals_each_consumer_parsing_alone(name):
    plays = _plays(name)
    forget_shared()   # a new process: no parse, detector result or told-facts table kept
    fast = [_outputs(play_replies(name, replies, seed=seed)) for _kind, seed, replies in plays]
    with _slow_path():
        slow = [_outputs(play_replies(_Reference(name, seed=seed, detector=detect), replies))
                for _kind, seed, replies in plays]
    for (kind, seed, _replies), f, s in zip(plays, fast, slow):
        assert f["transcript"] == s["transcript"], f"{name} {kind} seed {seed}: transcripts differ"
        assert f["findings"] == s["findings"], f"{name} {kind} seed {seed}: findings differ"
        assert f == s, f"{name} {kind} seed {seed}: outputs differ"
    assert any(f["debrief"]["score"] > 0 for f in fast)   # the plays were scored, not all refused


def test_the_slow_path_really_parses_apart():
    """The reference is not the fast path in disguise: with it, the same text gives a new Doc each time."""
    with _slow_path():
        assert nlp.cached_parse("How did the call go?") is not nlp.cached_parse("How did the call go?")
    assert nlp.cached_parse("How did the call go?") is nlp.cached_parse("How did the call go?")


def _count_parses(monkeypatch) -> list[str]:
    """The texts the grader pipeline parses from now on (the real pipeline runs; each call is noted)."""
    pipeline = nlp.get_nlp("grader")
    seen: list[str] = []
    real = type(pipeline).__call__

    def counting(self, text, *args, **kwargs):
        if self is pipeline:
            seen.append(text)
        return real(self, text, *args, **kwargs)
    monkeypatch.setattr(type(pipeline), "__call__", counting)
    return seen


def test_detect_many_parses_a_chat_reply_once_for_every_detector(monkeypatch):
    from mentorkit.skills import SKILLS, detect_many
    text = "ok so u were late to standup tues, and the team waited"   # normalising changes it
    raw = nlp.get_nlp("grader")(text)
    seen = _count_parses(monkeypatch)
    many = detect_many(text, SKILLS, doc=raw)
    assert len(seen) == 1 and seen[0] != text   # the normalised text, once (SBI included)
    seen.clear()
    with nlp.uncached():   # each detector alone, parsing the reply for itself
        alone = {s: detect(s, text).to_dict() for s in SKILLS}
    assert {s: r.to_dict() for s, r in many.items()} == alone
    assert len(seen) == len(SKILLS)   # each detector alone parsed it again


def test_detect_many_reuses_the_parse_when_normalising_keeps_the_text(monkeypatch):
    from mentorkit.skills import SKILLS, detect_many
    text = "In this morning's review you shared your own slide while their CEO was presenting."
    raw = nlp.get_nlp("grader")(text)
    seen = _count_parses(monkeypatch)
    detect_many(text, SKILLS, doc=raw)
    assert seen == []


@pytest.mark.parametrize("text", ["u cut Ana off in the mtg tues so we lost the thread",
                                  "In Monday's call you cut Ana off 😬 so we lost the thread.",
                                  "Great demo yesterday, the client signed."])
def test_the_grader_on_the_shared_parse_equals_the_grader_alone(text):
    from mentorkit import grade_feedback
    from mentorkit.feedback.grade import grade_parsed
    from mentorkit.normalise import normalise, parse_one
    shared = parse_one(text)   # the detectors' parse: emoji kept
    got = grade_parsed(text, shared)
    if normalise(text).text != shared.text:
        assert got is None     # the grader drops emoji: not its parse, it grades the text itself
    else:
        assert got is not None and got.to_dict() == grade_feedback(text).to_dict()
    assert grade_parsed(text, nlp.get_nlp("full")(normalise(text).text)) is None   # another pipeline's parse
