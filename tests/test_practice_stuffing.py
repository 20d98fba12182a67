"""What makes a stuffed or off-topic reply earn nothing, as general rules of grounding.

Each rule is tested on replies written for these tests (not the shipped sample sets) and
played through the real engine: the same move with content earns credit, the move filled
with itself, listed, addressed to a name or flagged harsh without anything sharp does not.
"""
from __future__ import annotations

import pytest

from mentorkit.nlp import get_nlp
from mentorkit.scenarios import Session
from mentorkit.scenarios.grounding import _echo, sharp_evidence, vocatives


class _Whole:
    """A finding with no evidence spans: the whole reply is read."""
    evidence: list = []


def _line(name: str, text: str, before: tuple[str, ...] = ()):
    s = Session(name, seed=0)
    for r in before:
        s.reply(r)
    s.reply(text)
    return s.lines[-2]


@pytest.mark.parametrize("text,sharp", [
    ("There's no wrong answer.", False),
    ("You haven't done anything wrong.", False),
    ("You said 'those numbers are wrong' while the CEO was presenting.", False),
    ("Tell me more about what was wrong, and when you first noticed it.", False),
    ("If something goes wrong, we can turn the flag off.", False),
    ("This is not a failure on your part.", False),
    ("Just do your best.", True),
    ("You should do it my way this time.", True),
    ("Don't worry about people leaving, it always happens.", True),
    ("That was careless of you.", True),
    ("Sure, the numbers may have been wrong.", True),
])
def test_a_harsh_flag_counts_only_on_a_sharp_line(text, sharp):
    assert sharp_evidence(get_nlp("grader")(text), _Whole(), False) is sharp


def test_a_harsh_flag_without_anything_sharp_costs_nothing_in_play():
    ln = _line("client_call_feedback", "There's no wrong answer here. How did the review call go from your side?")
    assert "intent_tone.harsh" not in ln.findings


@pytest.mark.parametrize("text,names", [
    ("Grace, what did you make of the match on Sunday?", {"grace"}),
    ("What did you want to say, Li Wei?", {"li wei"}),
    ("Thanks Marco.", {"marco"}),
    ("Li Wei and Grace barely spoke today.", set()),
])
def test_vocatives(text, names):
    assert set().union(*(vocatives(s) for s in get_nlp("grader")(text).sents)) == names


def test_addressing_someone_by_name_does_not_make_another_subject_hers():
    off = _line("group_dominant_voice", "Grace, how are you finding the new neighbourhood and the flat?")
    assert "on_topic" not in off.findings
    on = _line("group_dominant_voice", "Grace, what did you want to add?")
    assert "off_topic" not in on.findings


@pytest.mark.parametrize("text,echo", [
    ("How do you prefer feedback about feedback?", True),
    ("The impact was impactful.", True),
    ("How did that land, landing-wise?", True),
    ("Which meant a result resulted.", True),
    ("How do you prefer to hear feedback: short, or with context?", False),
    ("We could take it step by step.", False),
])
def test_a_sentence_filled_with_its_own_words_is_an_echo(text, echo):
    assert _echo(next(get_nlp("grader")(text).sents)) is echo


def test_her_words_listed_without_a_verb_are_not_an_observation():
    listed = _line("rematch_kindly", "Sales leadership, engineering, first-time manager: I noticed these.")
    assert "four_step.observation" not in listed.findings
    said = _line("rematch_kindly", "I've noticed our last three calls ended early, and your goals are in sales "
                                   "leadership while my examples are from engineering.")
    assert "four_step.observation" in said.findings


def test_a_recap_may_still_list_what_was_discussed():
    ln = _line("written_recap", "Takeaways: the autumn launch stand-up, the pricing page.")
    # listed items stay available to recap credit (a list is a recap's natural form)
    assert not any("listed" in why for why in ln.refused.values())


def test_a_stated_intent_must_be_about_her():
    vague = _line("rematch_kindly", "I've noticed our last three calls ended early. I'm saying this because I want to say it.")
    assert "four_step.intent" not in vague.findings
    hers = _line("rematch_kindly", "I've noticed our last three calls ended early. I'm raising it because I want you "
                                   "to get a mentor who knows sales leadership.")
    assert "four_step.intent" in hers.findings


def test_sbi_as_a_whole_needs_a_grounded_behaviour():
    ln = _line("feedback_preference", "In Monday's interview, you did a thing at a point.")
    assert "sbi" not in ln.findings and "sbi.behavior" not in ln.findings
    ln = _line("feedback_preference", "In Monday's interview you showed the participant the prototype before you "
                                      "asked about their workflow, so the answers were about the design.")
    assert {"sbi", "sbi.situation", "sbi.behavior", "sbi.impact"} <= set(ln.findings)
