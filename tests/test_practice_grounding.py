"""Grounding and the mentee who answers: credit only for content from this conversation.

Every test plays real replies through the real engine (spaCy, the skill detectors, the
fact sheets); the replies here were written for these tests, not taken from the shipped
sample sets.
"""
from __future__ import annotations

import pytest

from mentorkit.scenarios import Session, load_scenario, play_replies, scenario_names


def _reply(name: str, text: str, seed: int = 0, before: tuple[str, ...] = ()) -> tuple[Session, str]:
    s = Session(name, seed=seed)
    for r in before:
        s.reply(r)
    return s, s.reply(text)


def test_the_form_without_the_facts_earns_nothing():
    # the tester's reply: SBI in form, about nothing that happened (and the call was this morning)
    s, _ = _reply("client_call_feedback", "In yesterday's call you did a thing, which meant a thing happened. "
                                          "I'm saying this because I want to say it.")
    line = s.lines[1]
    assert not {"sbi.situation", "sbi.behavior", "sbi.impact", "intent_tone.explicit_intent"} & set(line.findings)
    assert {"sbi.behavior", "sbi.impact"} <= set(line.refused)
    # the same reply with the real facts earns each part, and the debrief names the fact matched
    s, _ = _reply("client_call_feedback", "In this morning's review, while their CEO was presenting, you said "
                                          "their numbers were wrong, and he ended the call early.")
    found = s.lines[1].findings
    assert {"sbi.situation", "sbi.behavior", "sbi.impact"} <= set(found)
    assert any(g["id"] == "said_wrong" for g in found["sbi.behavior"].grounds)
    assert any(g["id"] == "ceo_quiet" for g in found["sbi.impact"].grounds)


def test_a_wrong_occasion_is_a_factual_slip_named_in_the_debrief():
    s, _ = _reply("client_call_feedback", "In yesterday's client call, you said their numbers were wrong "
                                          "while their CEO was presenting.")
    s.abandon()
    line = s.lines[1]
    assert "sbi.situation" not in line.findings
    assert "factual slip" in line.refused["sbi.situation"]
    assert line.slips and line.slips[0]["occasion"] == "review_call"
    notes = [n.text for n in s.debrief().notes if n.line == 2]
    assert any("Factual slip" in n and "this morning" in n for n in notes)


@pytest.mark.parametrize("name", scenario_names())
def test_every_rubric_rates_staying_with_her_situation(name):
    ids = [c.id for c in load_scenario(name).rubric.criteria]
    assert "stays_with_situation" in ids


def test_an_off_topic_reply_loses_the_criterion_and_puzzles_her():
    weather = ("In this morning's walk in London it rained on me, which meant my umbrella broke. "
               "I'm sharing this because the weather matters to me.")
    s, answer = _reply("client_call_feedback", weather)
    assert "off_topic" in s.lines[1].findings
    assert "this morning's review call" in answer          # she steers back to what she came for
    assert "double-counted" not in answer                    # and explains nothing of the data
    s.abandon()
    crit = {c.id: c for c in s.debrief().criteria}
    assert crit["stays_with_situation"].points == 0.0
    assert crit["no_labels"].points == 0.0                   # saying nothing harsh about the rain is no skill


def test_a_reflection_must_say_back_what_she_said():
    said = "So you felt you had to stop them deciding on bad data."
    s, _ = _reply("client_call_feedback", said)
    assert "active_listening.reflection" in s.lines[1].findings
    invented = "So you felt the weekend plans were a bit rushed."
    s, _ = _reply("client_call_feedback", invented)
    assert "active_listening.reflection" not in s.lines[1].findings


def test_an_open_question_brings_out_hidden_facts():
    s, answer = _reply("client_call_feedback", "What exactly was off in the client's data?")
    assert "double-counted" in answer                        # a hidden fact, told only when asked
    assert "double_counted" in s.told
    assert s.lines[1].answers[0].kind == "open"


def test_no_fact_is_told_twice_as_news():
    s, first = _reply("client_call_feedback", "What exactly was off in the client's data?")
    second = s.reply("And what exactly was wrong in the data?")
    assert "double-counted" in first
    assert second.count("double-counted") <= 1
    assert any(a.kind == "refer" for a in s.lines[3].answers) or "double-counted" not in second


def test_a_closed_question_gets_a_short_answer():
    s, answer = _reply("written_recap", "Did we agree you'd lead the autumn launch stand-up?")
    closed = [a for a in s.lines[1].answers if a.kind == "closed"]
    assert closed and len(closed[0].line.split()) <= 8


def test_a_question_the_sheet_does_not_cover_gets_an_honest_not_sure():
    from mentorkit.scenarios.answers import UNSURE
    # 'checkin' is one of Tomas's topics, but his sheet holds no fact on it yet
    s, answer = _reply("tense_disagreement", "How would you like us to check in after this Thursday?",
                       before=("I noticed you left Thursday's call early, and I want our calls to work for you.",))
    assert [a.kind for a in s.lines[3].answers] == ["unsure"]
    assert any(line in answer for line in UNSURE)


def test_a_proposal_is_answered_by_name_and_nothing_else_is_agreed():
    s, answer = _reply("availability_boundaries", "I'd go with a feature flag for the billing change.")
    assert "feature flag" in answer.lower()
    assert "feature flag or branch" not in answer.lower()   # she does not ask what was just answered
    s, answer = _reply("low_engagement", "How about we meet for 20 minutes on Thursday instead?",
                       before=("I'm glad you wrote. I noticed you missed the last two check-ins and I'm reaching "
                               "out because I'd like to keep going.",))
    props = [a for a in s.lines[3].answers if a.kind == "proposal"]
    assert props and ("20 minutes" in props[0].line or "Twenty minutes" in props[0].line)


def test_no_line_repeats_within_a_conversation_and_the_reply_changes_the_wording():
    replies = ["", "", "hello?"]
    s = Session("written_recap", seed=3)
    for r in replies:
        if not s.done:
            s.reply(r)
    said = [ln.text for ln in s.lines if ln.speaker == "mentee"]
    assert len(said) == len(set(said))
    # the same turn answered with two different replies, same seed: the wording may differ
    a = {Session("client_call_feedback", seed=1).reply(f"Can you say more{p}") for p in ("?", " about it?", " now?",
                                                                                        " please?", " here?")}
    assert len(a) > 1


def _distinct(replies, seeds=20, name="tense_disagreement", wordings=None) -> int:
    from mentorkit.scenarios.wording import with_wordings
    scenario = load_scenario(name) if wordings is None else with_wordings(load_scenario(name), wordings)
    lines = set()
    for seed in range(seeds):
        s = play_replies(scenario, replies, seed=seed)
        lines.update(ln.text for ln in s.lines[1:] if ln.speaker == "mentee")
    return len(lines)


def test_twenty_seeds_give_three_times_the_distinct_lines_of_today():
    # today: every move worded as it was (its first two wordings), without the uptakes and the
    # frames of her answers, played in this test (12 lines for this script, as the engine on main at
    # 467376d gave with benchmarks/bench_practice.py)
    import contextlib
    from unittest import mock
    from mentorkit.scenarios import wording
    replies = ["I noticed you left Thursday's call early, and I want our calls to work for you.",
               "How did you see the call?", "Let's work out the release windows together.", "Thanks, talk Thursday."]
    with contextlib.ExitStack() as off:
        off.enter_context(mock.patch.dict(wording.UPTAKES, {k: () for k in wording.UPTAKES}))
        for frames in ("ANSWER_FRAMES", "CLOSED_FRAMES", "OPTION_FRAMES"):
            off.enter_context(mock.patch.object(wording, frames, ("{fact}",)))
        before = _distinct(replies, wordings=2)
    assert before >= 8   # the baseline is a real play, not an empty one
    assert _distinct(replies) >= 3 * before


def test_same_replies_and_seed_give_the_same_conversation():
    replies = ["What exactly was off in the client's data?", "Let's send the ops lead a note tonight.", "Thanks."]
    one = [ln.text for ln in play_replies("client_call_feedback", replies, seed=4).lines]
    two = [ln.text for ln in play_replies("client_call_feedback", replies, seed=4).lines]
    assert one == two


def test_debrief_shows_the_fact_each_credited_part_matched():
    s = play_replies("client_call_feedback", [
        "In this morning's review, while their CEO was presenting, you said their numbers were wrong. "
        "He went quiet and ended the call early.", "What did you see in their figures?", "Thanks."])
    d = s.debrief()
    behavior = next(c for c in d.criteria if c.id == "behavior")
    assert behavior.evidence and "numbers were wrong" in behavior.evidence[0]["fact"]
    assert "matches:" in d.to_text()
    assert "mk-fact" in d.to_html()
