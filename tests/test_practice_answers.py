"""The mentee's answers: speaker tags in a group scene, questions that are not proposals, no answer twice.

Real replies through the real engine (spaCy, the detectors, the fact sheets). The replies
were written for these tests, not taken from the shipped sample sets.
"""
from __future__ import annotations

import re

import pytest

from mentorkit.nlp import get_nlp
from mentorkit.scenarios import Session
from mentorkit.scenarios.answers import join_voiced, proposal_sentences, split_tag

#: a bracketed speaker tag after a word, not at the start of a paragraph or after a sentence
_MID_TAG = re.compile(r"[A-Za-z,:;]\s*\[[A-Z][^\]]*\]")


def _play(name: str, replies: list[str], seed: int = 0) -> Session:
    s = Session(name, seed=seed)
    for r in replies:
        if not s.done:
            s.reply(r)
    return s


def test_a_refer_back_in_the_group_scene_keeps_the_speaker_tag_in_front():
    # the second question asks about what Marco has just told: he refers back, tagged once, in front
    s = _play("group_dominant_voice", [
        "Thanks Marco. Li Wei, what did you want to say?",
        "Grace, what has it been like for you?",
        "In today's session you answered every question first. Did you go first on most questions? "
        "And did you jump in first before anyone else?",
    ])
    for ln in s.lines[1:]:
        if ln.speaker == "mentee":
            assert not _MID_TAG.search(ln.text), ln.text
            for para in ln.text.split("\n\n"):
                tags = [t for t in re.findall(r"\[[A-Z][^\],]*", para)]
                # one speaker is named once per run: no "[Marco, private chat] ... [Marco, private chat]"
                assert all(a != b for a, b in zip(tags, tags[1:])), para


def test_join_voiced_says_each_speaker_once_and_voices_untagged_parts():
    assert join_voiced(["[Marco, private chat] I went first.", "[Marco, private chat] And I cut in."]) == \
        "[Marco, private chat] I went first. And I cut in."
    assert join_voiced(["Like I said, yes."], voice="[Marco]") == "[Marco] Like I said, yes."
    # a stage direction is not a speaker: the line keeps it where it is
    assert join_voiced(["[Grace nods] Same here."], voice="[Grace]") == "[Grace] [Grace nods] Same here."
    assert split_tag("As I mentioned, yes.") == ("", "As I mentioned, yes.")


@pytest.mark.parametrize("text", [
    "Would you say the relationship should take most of your attention?",
    "Could you tell me how you felt?",
    "Can you walk me through what happened?",
    "Could you share what went wrong?",
    "Would you agree that the call went badly?",
    "What do you think should take most of your attention?",
])
def test_a_question_that_asks_for_her_words_is_not_a_proposal(text):
    assert proposal_sentences(get_nlp("grader")(text)) == []


@pytest.mark.parametrize("text", [
    "Could you send their ops lead a note tonight?",
    "Could you share the corrected slide with him?",
    "How about a three-way intro call next week?",
    "Let's plan the handover together.",
    "Can we meet on Tuesday instead?",
])
def test_a_proposal_is_still_read_as_one(text):
    assert len(proposal_sentences(get_nlp("grader")(text))) == 1


def test_the_mentee_never_echoes_a_question_back_as_a_proposal():
    s = Session("client_call_feedback", seed=0)
    answer = s.reply("Would you say the relationship should take most of your attention?")
    assert "attention" not in answer.lower()
    assert not [a for a in s.lines[1].answers if a.kind == "proposal"]


def test_two_questions_on_one_told_fact_get_one_answer():
    s = Session("client_call_feedback", seed=0)
    s.reply("What exactly was off in the client's data?")
    answer = s.reply("Did you check the numbers? Did you check them before the call?")
    refers = [a for a in s.lines[3].answers if "she_checked" in a.facts]
    assert len(refers) == 1
    assert answer.lower().count("checked them") == 1


def test_no_answer_line_twice_in_one_message_across_seeds():
    replies = ["What exactly was off in the client's data? What was wrong with the figures?",
               "How are you feeling? How are you doing after the call?",
               "Did you check the numbers? Had you checked the numbers?"]
    for seed in range(5):
        s = _play("client_call_feedback", replies, seed=seed)
        for ln in s.lines[1:]:
            if ln.speaker == "mentor":
                lines = [" ".join(a.line.lower().split()) for a in ln.answers]
                assert len(lines) == len(set(lines)), lines
