"""Each cue function against a table of examples written from the coding manual's definitions
(the expected value is what a human coder reads in the sentence, not what the code returned)."""
from __future__ import annotations

import re

import pytest

from mentorkit.nlp import get_nlp
from mentorkit.skills import cues
from mentorkit.skills.tagger import units


@pytest.fixture(scope="module")
def nlp():
    return get_nlp("grader")


def sent(nlp, text):
    return nlp(text)[:]


@pytest.mark.parametrize("text, expected", [
    ("Did you sleep at all last night?", True),
    ("Is the medication helping?", True),
    ("Okay. And is the contract signed?", True),
    ("Can you make it to the group on Thursday?", True),
    ("any news on the promo?", True),
    ("You're feeling stuck?", False),
    ("What happened next?", False),
    ("So the deadline moved.", False),
])
def test_inverted_aux(nlp, text, expected):
    assert cues.inverted_aux(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("And how did she react?", "how"),
    ("Okay, so what happened?", "what"),
    ("In what ways has the new manager changed things?", "what"),
    ("And when you say you're fine, what does fine look like?", "what"),
    ("Did you tell her?", ""),
    ("So the plan is solid.", ""),
])
def test_wh_opening(nlp, text, expected):
    assert cues.wh_opening(sent(nlp, text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("How many cigarettes are you smoking a day now?", True),
    ("How long is the notice period?", True),
    ("What time is the interview?", True),
    ("When is your performance review?", True),
    ("Who's your sponsor on the leadership team?", True),
    ("How did the conversation with your manager go?", False),
    ("What's been the hardest part of this week for you?", False),
    ("Why do you think it matters so much to you?", False),
])
def test_closed_wh(nlp, text, expected):
    assert cues.closed_wh(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("You're feeling stuck?", True),
    ("So Ravi took the credit for your analysis?", True),
    ("Lonely, even with people around you?", True),
    ("Did you tell her?", False),
    ("What do you think?", False),
    ("Have you thought about asking Ravi?", False),
    ("You're feeling stuck.", False),
])
def test_declarative_question(nlp, text, expected):
    assert cues.declarative_question(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("Have you thought about asking Ravi?", True),
    ("What if you tried swapping the evening drink for a walk?", True),
    ("Why not start with two nights off a week?", True),
    ("How about keeping a short log of the cravings?", True),
    ("Would it help to send the agenda the day before?", True),
    ("Is it worth checking with finance first?", True),
    ("Have you talked to your GP about this?", False),
    ("What would help most this week?", False),
    ("Did you try it?", False),
])
def test_suggestion_question(nlp, text, expected):
    assert cues.suggestion_question(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("Can you tell me more about what the doctor said?", True),
    ("Tell me about a project you're proud of.", True),
    ("Walk me through what happened in the review.", True),
    ("could you share a bit more about what chaotic means?", True),
    ("I'm curious, what keeps you going?", True),
    ("Say more about that.", True),
    ("Can you make it on Thursday?", False),
    ("Did you tell her how you felt?", False),
])
def test_elaboration_request(nlp, text, expected):
    assert cues.elaboration_request(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("It sounds like you're worn out by the late calls.", True),
    ("So you're saying it's not the work, it's the commute?", True),
    ("Part of you wants to stay.", True),
    ("In other words, you'd rather be honest.", True),
    ("What I'm hearing is that you miss feeling competent.", True),
    ("You could try the breathing exercise.", False),
    ("Did you sleep?", False),
])
def test_reflection_stem(nlp, text, expected):
    assert cues.reflection_stem(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("So the deadline moved.", "3"),
    ("You're nervous about the board.", "2"),
    ("I remember going through this.", "1"),
    ("Write the summary first.", "none"),
])
def test_subject_person(nlp, text, expected):
    assert cues.subject_person(sent(nlp, text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("You could ask your manager for the criteria in writing.", True),
    ("You'll want to taper off slowly.", True),
    ("I'd suggest booking the appointment today.", True),
    ("It might help to write the worries down.", True),
    ("Try writing a short weekly update.", True),
    ("You're feeling stuck.", False),
    ("How did it go?", False),
])
def test_advice_modal(nlp, text, expected):
    assert cues.advice_modal(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("Write the summary first.", True),
    ("Don't try to change everything at once.", True),
    ("When the urge comes, wait ten minutes before deciding.", True),
    ("You wrote the summary first.", False),
    ("Did you write it?", False),
])
def test_imperative(nlp, text, expected):
    assert cues.imperative(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("You're worried about what your family will think.", 1),
    ("I feel exhausted and stuck.", 2),
    ("The meeting is on Tuesday.", 0),
])
def test_feeling_words(nlp, text, expected):
    assert cues.feeling_words(sent(nlp, text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Mm-hmm.", True),
    ("Right, right.", True),
    ("I see.", True),
    ("That makes sense.", True),
    ("So the deadline moved.", False),
])
def test_backchannel(nlp, text, expected):
    assert cues.backchannel(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("That took a lot of courage.", True),
    ("You've worked really hard at this.", True),
    ("you handled that so well", True),
    ("The report is due Friday.", False),
])
def test_praise(nlp, text, expected):
    assert cues.praise(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("When I was training, I used to struggle with nerves too.", True),
    ("I remember my first management job.", True),
    ("You remember the first job.", False),
])
def test_self_disclosure(nlp, text, expected):
    assert cues.self_disclosure(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("I'll send you the slides.", "1"),
    ("We will meet on Friday.", "1"),
    ("You'll draft the pitch by Friday.", "2"),
    ("you: email the recruiter", "2"),
    ("me: check the salary band", "1"),
    ("I sent the slides yesterday.", ""),
])
def test_future_commitment(nlp, text, expected):
    assert cues.future_commitment(sent(nlp, text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("I'm on Slack 9-5 CET.", True),
    ("I'm free between 10:00 and 12:00.", True),
    ("after 6pm I'm offline", True),
    ("I keep to office hours.", True),
    ("I replied to three emails.", False),
])
def test_time_expression(nlp, text, expected):
    assert cues.time_expression(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("I reply within 24 hours.", True),
    ("Expect an answer by the next working day.", True),
    ("same-day replies on weekdays", True),
    ("I'll get back to you within two working days.", True),
    ("I had a long day on Tuesday.", False),
])
def test_duration_promise(nlp, text, expected):
    assert cues.duration_promise(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("We'll meet every two weeks.", True),
    ("Let's do fortnightly calls.", True),
    ("once a month works for me", True),
    ("We met last month.", False),
])
def test_frequency_expression(nlp, text, expected):
    assert cues.frequency_expression(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, expected", [
    ("Let's figure it out together.", True),
    ("We could try a new rota.", True),
    ("You should try a new rota.", False),
])
def test_we_subject(nlp, text, expected):
    assert cues.we_subject(sent(nlp, text)) is expected


@pytest.mark.parametrize("text, harsh, absolutes, shouting", [
    ("This is sloppy and wrong.", 2, 0, False),
    ("You never listen.", 0, 1, False),
    ("wrong file AGAIN", 1, 1, True),
    ("Thanks for the draft!", 0, 0, False),
])
def test_tone_cues(nlp, text, harsh, absolutes, shouting):
    s = sent(nlp, text)
    assert cues.harsh_words(s) == harsh
    assert cues.absolutes(s) == absolutes
    assert cues.shouting(s) is shouting


def test_lexicon_hits_counts_each_match(nlp):
    hits = cues.lexicon_hits(sent(nlp, "Zoom or Slack, not email."), {"tool": re.compile(r"zoom|slack|email")})
    assert hits == {"tool": 3}


@pytest.mark.parametrize("text, expected", [
    ("One. Two.", ["One.", "Two."]),
    ("Next steps:\n- me: intro\n- you: draft", ["Next steps:", "- me: intro", "- you: draft"]),
    ("just one line", ["just one line"]),
])
def test_units_split_sentences_and_lines(nlp, text, expected):
    assert [u.text for u in units(nlp(text))] == expected
