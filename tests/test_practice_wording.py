"""The mentee's uptake of what the reply did, and the frames of her answers (mentorkit.scenarios.wording)."""
from __future__ import annotations

import pytest

from mentorkit.scenarios import Session
from mentorkit.scenarios.wording import ANSWER_FRAMES, UPTAKES, frame_answer, opens_with_uptake, uptake_kind


def test_every_uptake_and_answer_frame_has_at_least_four_wordings():
    assert all(len(v) >= 4 for v in UPTAKES.values())
    assert len(ANSWER_FRAMES) >= 4


@pytest.mark.parametrize("findings,deltas,words,pref,kind", [
    ({"active_listening.reflection": 1}, {"trust": 0.1}, 20, "warm", "reflected"),
    ({"intent_tone.supportive": 1}, {"trust": 0.1}, 20, "warm", "warmed"),
    ({}, {"trust": 0.0, "clarity": -0.05}, 150, "direct", "long"),
    ({}, {"trust": -0.05}, 20, "warm", "cooled"),
    ({"intent_tone.harsh": 1}, {"trust": -0.25}, 20, "warm", None),
    ({"off_topic": 1}, {"trust": -0.03}, 20, "warm", None),
])
def test_the_uptake_follows_what_the_reply_did(findings, deltas, words, pref, kind):
    assert uptake_kind(findings, deltas, words, pref) == kind


def test_frames_keep_names_and_capitals():
    assert frame_answer("Honestly, {fact}", "CEO went quiet.") == "Honestly, CEO went quiet."
    assert frame_answer("Well, {fact}", "[Marco, private chat] I went first.") == "[Marco, private chat] Well, I went first."
    assert frame_answer("So, {fact}", "Honestly? It's the windows.") == "Honestly? It's the windows."
    assert opens_with_uptake("Okay... so what now?")


def test_different_replies_to_the_same_move_read_differently():
    # the same branch (observation and intent), reached by differently worded replies: the uptake
    # is chosen by the reply, so the messages are not all the same
    replies = ["I noticed you left Thursday's call early, and I want our calls to work for you.",
               "I saw you drop off Thursday's call early; I'm raising it because I want these calls to help you.",
               "You left the call on Thursday early, and I'd like our calls to work better for you.",
               "I noticed you left Thursday's call before the end. I want our calls to be useful to you."]
    said = set()
    for r in replies:
        s = Session("tense_disagreement", seed=0)
        said.add(s.reply(r))
    assert len(said) >= 2


def test_no_uptake_repeats_within_a_conversation():
    s = Session("low_engagement", seed=1)
    for r in ["I'm glad you wrote, and I'd like to keep going. I noticed you missed the last two check-ins.",
              "It sounds like the new team has been a lot. What has it been like?",
              "It sounds like the meetings eat your days. What would make a restart easy?"]:
        if not s.done:
            s.reply(r)
    opened = [ln.text.split(".")[0] for ln in s.lines[1:] if ln.speaker == "mentee"]
    ups = [o for o in opened if any(o + "." in u or o == u for v in UPTAKES.values() for u in v)]
    assert len(ups) == len(set(ups))
