"""Intent and tone: harsh/supportive/intent detection and the softer phrasing."""
from __future__ import annotations

import pytest

from mentorkit.nlp import get_nlp
from mentorkit.skills import detect, intent_tone, rewrite
from mentorkit.skills.corpus import read_skill


def test_issue_example_gets_acknowledge_alternatives_support():
    r = detect("intent_tone", "This approach won't work.")
    assert r.components["harsh"].present and not r.present
    s = r.suggestion
    assert "this approach" in s.lower()                       # keeps the content
    assert s.startswith("I can see")                          # acknowledges
    assert "alternative" in s.lower()                         # offers alternatives
    assert "help" in s.lower()                                # states support
    assert not detect("intent_tone", s).components["harsh"].present


@pytest.mark.parametrize("text, kept", [
    # the words that carry what the message is about, read off each sentence by hand
    ("The report is sloppy and full of errors.", ["report", "errors"]),
    ("Fix the login bug before anyone else sees it.", ["login bug", "before anyone else sees it"]),
    ("why would you send the contract to the client without checking with me??",
     ["send the contract to the client", "without checking with me"]),
    ("You never reply to the client on time.", ["reply to the client on time"]),
    ("Your plan won't work, and you know it.", ["your plan", "work"]),
    ("did you even read the brief?", ["read the brief"]),
])
def test_suggestion_keeps_the_content(text, kept):
    r = detect("intent_tone", text)
    assert r.components["harsh"].present
    for words in kept:
        assert words in r.suggestion.lower(), (words, r.suggestion)
    assert r.suggestion.lower() != text.lower()


def test_suggestions_read_as_not_harsh_on_the_test_split():
    # every harsh test-split message, rewritten, should mostly no longer read as harsh
    harsh = [r for r in read_skill("intent_tone") if r.split == "test" and r.labels["harsh"]]
    assert len(harsh) >= 8
    softened = suggested = 0
    for row in harsh:
        r = detect("intent_tone", row.text)
        if r.suggestion is None:
            continue  # not detected as harsh: the detector's recall, checked by the F1 floors
        suggested += 1
        if not detect("intent_tone", r.suggestion).components["harsh"].present:
            softened += 1
    assert suggested >= 0.6 * len(harsh)
    assert softened / suggested >= 0.8


def test_no_suggestion_for_a_supportive_message():
    r = detect("intent_tone", "Thanks for pulling this together so quickly. Happy to help with the next part.")
    assert r.suggestion is None
    assert r.components["supportive"].present and not r.components["harsh"].present
    assert r.details["tone"] > 0


def test_tone_runs_from_harsh_to_supportive():
    harsh = detect("intent_tone", "This is useless. Redo it.").details["tone"]
    kind = detect("intent_tone", "I really appreciate the work you put in, thank you.").details["tone"]
    assert -1.0 <= harsh < 0 < kind <= 1.0


@pytest.mark.parametrize("text", [
    "I'm telling you this because I want the launch to go well for you.",
    "My goal here is to help you get the promotion this cycle.",
    "I'm sharing this so you're not caught off guard on Monday.",
])
def test_explicit_intent_statements(text):
    r = detect("intent_tone", text)
    assert r.components["explicit_intent"].present
    assert r.present


@pytest.mark.parametrize("text, expected", [
    ("This approach won't work.", "I'm not sure this approach will work as it stands."),
    ("This doesn't make sense.", "I'm not sure this makes sense."),
    ("Fix it before Friday.", "Could you fix it before Friday?"),
    ("Don't ever go over my head like that again.", "Please try not to go over my head like that."),
    ("You never listen.", "I've noticed that you don't always listen."),
    ("He never replies.", "He doesn't always reply."),
    ("Did you even read the brief?", "Did you get a chance to read the brief?"),
    ("The numbers are wrong.", "I think the numbers aren't quite right yet."),
])
def test_reframe_rules(text, expected):
    assert rewrite.reframe(get_nlp("grader")(text)[:]) == expected


@pytest.mark.parametrize("verb, expected", [("make", "makes"), ("fix", "fixes"), ("try", "tries"),
                                            ("play", "plays"), ("go", "goes"), ("have", "has")])
def test_third_person(verb, expected):
    assert rewrite.third_person(verb) == expected


def test_soften_keeps_neutral_sentences_in_place():
    text = "Hi Tom, thanks for the draft. The numbers are wrong. The meeting is at 3pm."
    out = rewrite.soften(text, None, [1])
    assert "Hi Tom, thanks for the draft." in out and "The meeting is at 3pm." in out
    assert out.index("thanks for the draft") < out.index("numbers") < out.index("3pm")
    assert "The numbers are wrong." not in out


def test_soften_leaves_a_kind_message_alone():
    text = "Thanks so much for jumping on this."
    assert intent_tone.soften(text) == text


def test_a_letter_keeps_its_greeting_and_signature_in_place():
    # the greeting opens, the name closes, and neither is read as the topic or reframed
    text = "Hi Lily,\nPlease stop sending me half-finished drafts.\nAndrew"
    out = rewrite.soften(text, None, [1])
    assert out.startswith("Hi Lily,") and out.rstrip(".").endswith("Andrew")
    assert "hi Lily" not in out and "Could you stop sending me half-finished drafts?" in out
    two = rewrite.soften("Dear team,\nThis approach won't work.\nRegards,\nMeg", None, [1])
    assert two.rstrip(".").endswith("Regards, Meg") and "Regards, Could" not in two


def test_a_plain_statement_read_as_harsh_is_said_as_an_observation():
    assert rewrite.reframe(get_nlp("grader")("This is the third time this week.")[:]) == \
        "I've noticed that this is the third time this week."
    # sarcasm or a fragment is not forced into that frame
    sarcastic = rewrite.reframe(get_nlp("grader")("sure, take another week, it's not like they're waiting")[:])
    assert not sarcastic.startswith("I've noticed")


def test_the_suggestion_is_read_again():
    # a sentence kept as written that still reads harsh beside the new ones is reframed too
    r = detect("intent_tone", "do it properly or don't do it")
    assert r.suggestion is not None and "do it properly or" not in r.suggestion.lower()
    assert "Could you do it properly?" in r.suggestion
    assert rewrite.written_here("Could we look at a couple of alternatives together?")
    assert not rewrite.written_here("It's unprofessional.")


def test_softened_lines_are_not_repeated_and_never_stays_grammatical():
    out = rewrite.soften("Your code is a disaster, it'll never pass review.", None, [0])
    assert "'ll don't" not in out and "never" not in out
    twice = rewrite.soften("Great. Just great. Thanks for nothing.", None, [0, 1, 2])
    assert all(a != b for a, b in zip(twice.split(". "), twice.split(". ")[1:]))


def test_a_formula_opening_or_closing_is_left_out_of_the_reframe():
    nlp = get_nlp("grader")
    out = rewrite.reframe(nlp("With all due respect, the forecast is sloppy.")[:])
    assert "respect" not in out.lower() and "forecast" in out
    out = rewrite.reframe(nlp("We ship on Friday, end of discussion.")[:])
    assert "end of discussion" not in out.lower() and "Friday" in out
    # "period" is a closing formula only after a comma or dash, never the noun
    assert "period" in rewrite.reframe(nlp("You will redo the report in the next period, obviously.")[:])
    assert rewrite.reframe(nlp("No offense,")[:]) == ""   # nothing left to say again


def test_a_one_word_verdict_line_is_not_taken_for_a_signature():
    # "Clown." tags as a proper noun, as a name on its own line would; flagged harsh, it is reframed
    out = rewrite.soften("Ugh. Clown.", None, [1])
    assert "Clown" not in out and rewrite.ALTERNATIVE in out
    # a real signature the model did not flag stays last
    letter = "Hi Dana,\nThe figures are wrong.\nBest,\nKemal"
    assert rewrite.soften(letter, None, [1]).endswith("Kemal")


def test_the_second_reading_says_a_frameless_harsh_sentence_as_a_concern():
    sarcasm = "Sure, keep ignoring the checklist, it's working out great."
    first = rewrite.soften(sarcasm, None, [0])
    again = rewrite.soften(sarcasm, None, [0], last_resort=True)
    assert "ignoring the checklist" in first                 # kept as written: no frame fits
    assert "ignoring" not in again and "I have some concerns about this." in again


def test_a_guess_with_must_and_a_phrase_that_goes_on_are_not_cut():
    nlp = get_nlp("grader")
    # "you must be ..." is a guess, not an order: never "I think it would help to be kidding"
    assert "help to be" not in rewrite.reframe(nlp("You must be kidding me with this garbage code.")[:])
    assert rewrite.reframe(nlp("You must redo it before Monday.")[:]).startswith("I think it would help to redo")
    # "with respect to" and "no offence to you" go on: the words after them are kept whole
    assert "respect to the budget" in rewrite.reframe(nlp("With respect to the budget, you messed up badly.")[:])
    assert "remind your team" in rewrite.reframe(nlp("Kindly remind your team to stop wasting my time.")[:]).lower()
