"""The detectors: the result contract, test-split quality floors, and behaviour on the
definitions' own examples."""
from __future__ import annotations

import numpy as np
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.nlp import get_nlp
from mentorkit.skills import COMPONENTS, SKILLS, classify_utterances, detect, detect_many, evaluate
from mentorkit.skills.base import LISTENING_LABELS

TRAINED = [s for s in SKILLS if s != "sbi"]

# Floors set from the figures in the data cards (test split, fixed), about 0.07-0.12 below them so a
# real regression fails while a one-item wobble does not.
# intent_tone: since writer H's texts joined the data (emoji-only replies, quoted words, warm boundaries)
# its test split is harder; the card figure fell from 0.925 to about 0.85, so the floor moved with it.
MACRO_FLOOR = {"active_listening": 0.90, "intent_tone": 0.77, "four_step": 0.85, "agreement": 0.80,
               "recap": 0.83, "boundaries": 0.85}
COMPONENT_FLOOR = 0.70


@pytest.fixture(scope="module")
def listening_preds():
    return evaluate.listening_predictions("test")


def test_listening_macro_f1_above_floor(listening_preds):
    rep = evaluate.listening_report(preds=listening_preds)
    assert rep.set_index("component").loc["macro", "f1"] >= MACRO_FLOOR["active_listening"]
    assert (rep[rep.component != "macro"].f1 >= 0.85).all()


def test_listening_f1_agrees_with_a_hand_count(listening_preds):
    # F1 for "reflection" from raw counts: 2*TP / (2*TP + FP + FN) (hand formula, not sklearn)
    p = listening_preds
    tp = int(((p.label == "reflection") & (p.predicted == "reflection")).sum())
    fp = int(((p.label != "reflection") & (p.predicted == "reflection")).sum())
    fn = int(((p.label == "reflection") & (p.predicted != "reflection")).sum())
    rep = evaluate.listening_report(preds=p).set_index("component")
    assert rep.loc["reflection", "f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    conf = evaluate.listening_confusion(preds=p)
    assert conf.loc["reflection", "reflection"] == tp
    assert conf.to_numpy().sum() == len(p)


def test_listening_heldout_sets_macro_f1():
    # transcript-style turns never trained on (one set by writer H, who never saw the model):
    # the honest check of how far the labels carry; lines repeating a training line are left out
    preds = evaluate.heldout_predictions()
    train_texts = {" ".join(t.lower().split()) for t in evaluate.listening_predictions("train").text}
    assert not {" ".join(t.lower().split()) for t in preds.text} & train_texts
    rep = evaluate.heldout_report()
    macro = rep[rep.component == "macro"].set_index("set").f1
    assert set(macro.index) == {"transcript_style", "heldout_writer_h", "all"}
    assert (macro >= 0.80).all(), macro.to_dict()
    assert rep[(rep.set == "all") & (rep.component == "macro")].support.iloc[0] == len(preds)


@pytest.mark.parametrize("skill", [s for s in TRAINED if s != "active_listening"])
def test_sentence_skill_f1_above_floor(skill):
    rep = evaluate.skill_report(skill, "test").set_index("component")
    assert rep.loc["macro", "f1"] >= MACRO_FLOOR[skill]
    comps = rep.drop(index="macro")
    assert (comps.f1 >= COMPONENT_FLOOR).all(), comps.f1.to_dict()
    assert list(comps.index) == list(COMPONENTS[skill])


def test_text_level_f1_matches_a_hand_count():
    preds = evaluate.skill_predictions("boundaries", "test")
    truth, pred = preds["response_time"], preds["response_time_pred"]
    tp, fp, fn = int((truth & pred).sum()), int((~truth & pred).sum()), int((truth & ~pred).sum())
    rep = evaluate.skill_report("boundaries", "test").set_index("component")
    assert rep.loc["response_time", "f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))  # hand formula


@pytest.mark.parametrize("text, label", [
    # the issue's own hard cases
    ("You're feeling stuck?", "reflection"),
    ("Have you thought about asking Ravi?", "advice"),
    ("Can you tell me more about what happened with your manager?", "open_question"),
    ("It sounds like you're worn out by the late calls.", "reflection"),
    ("So the deadline moved and you're stuck waiting on legal.", "reflection"),
    ("What would you like to be different by the summer?", "open_question"),
    ("Did you send the report to finance?", "closed_question"),
    ("Would mornings or evenings suit you better?", "closed_question"),
    ("You could try blocking an hour before the meeting.", "advice"),
    ("The policy says you can carry over five days of leave.", "advice"),
    ("Hi, good to see you again!", "other"),
    ("When I started out, I struggled with this too.", "other"),
])
def test_listening_labels_the_definitions(text, label):
    assert classify_utterances([text])[0][0] == label


def test_classify_utterances_contract():
    out = classify_utterances(["Did you sleep?", "", "Tell me about it."])
    assert len(out) == 3
    for lab, conf in out:
        assert type(lab) is str and lab in LISTENING_LABELS
        assert 0.0 <= conf <= 1.0
    assert out[1] == ("other", 1.0)  # an empty utterance is no listening move


def test_classify_utterances_rejects_non_text():
    with pytest.raises(MentorkitError, match="utterance 2"):
        classify_utterances(["ok", 42])


SAMPLE = {
    "active_listening": "It sounds like the move has been hard. What's been the toughest part?",
    "intent_tone": "I'm telling you this because I want the launch to go well. Happy to help.",
    "four_step": ("I noticed you joined the last two stand-ups late. I'm raising it because I want the team to "
                  "rely on you. How does it look from your side? What could we try together?"),
    "agreement": "We'll meet every two weeks on Zoom, and what we discuss stays between us.",
    "recap": "Main takeaway: you want the lead role. I'll introduce you to Dana. You'll draft the pitch by Friday.",
    "boundaries": "I'm on Slack 9-5 CET on weekdays and I reply within one working day.",
}


@pytest.mark.parametrize("skill", TRAINED)
def test_result_contract_and_evidence_offsets(skill):
    text = SAMPLE[skill]
    r = detect(skill, text)
    assert r.skill == skill and r.text == text
    assert set(r.components) == set(COMPONENTS[skill])
    assert 0.0 <= r.score <= 1.0 and isinstance(r.present, bool)
    for c in r.components.values():
        assert 0.0 <= c.confidence <= 1.0
        assert c.present == bool(c.evidence)
        for s in c.evidence:
            assert text[s.start:s.end] == s.text and s.label == c.name
    d = r.to_dict()
    assert d["skill"] == skill and set(d["components"]) == set(COMPONENTS[skill])
    if skill == "active_listening":
        assert r.label in LISTENING_LABELS
    else:
        assert r.label is None


def test_samples_show_their_skill():
    # each sample was written to show every component of its skill
    for skill in ("four_step", "recap", "boundaries"):
        r = detect(skill, SAMPLE[skill])
        assert r.present and r.score == 1.0, (skill, {k: c.present for k, c in r.components.items()})
    ag = detect("agreement", SAMPLE["agreement"])
    assert {k for k, c in ag.components.items() if c.present} == {"cadence", "channels", "confidentiality"}
    assert not ag.present and ag.score == pytest.approx(3 / 8)


def test_active_listening_components_per_sentence():
    r = detect("active_listening", SAMPLE["active_listening"])
    assert r.components["reflection"].present and r.components["open_question"].present
    assert r.label == "open_question" and r.present
    assert r.components["reflection"].evidence[0].text.startswith("It sounds like")


@pytest.mark.parametrize("text, missing", [
    ("I noticed you joined the last two stand-ups late.", {"intent", "perspective", "solve_together"}),
    ("You're always late and it's unacceptable.", {"observation", "intent", "perspective", "solve_together"}),
])
def test_four_step_names_what_is_missing(text, missing):
    assert set(detect("four_step", text).missing) == missing


@pytest.mark.parametrize("text, window, reply", [
    ("I'm around Tuesday to Thursday, 9-5 UK time.", True, False),
    ("I'll always get back to you within 24 hours.", False, True),
    ("Our session is on Thursday at 3pm.", False, False),
])
def test_boundaries_components(text, window, reply):
    r = detect("boundaries", text)
    assert r.components["availability_window"].present is window
    assert r.components["response_time"].present is reply


@pytest.mark.parametrize("text, mentor, mentee", [
    ("I'll send you the article tonight.", True, False),
    ("You'll draft the proposal by Friday.", False, True),
    ("me: intro to Sam\nyou: update the CV", True, True),
    ("I sent the introduction yesterday.", False, False),
])
def test_recap_reads_who_commits(text, mentor, mentee):
    r = detect("recap", text)
    assert r.components["mentor_next_steps"].present is mentor
    assert r.components["mentee_next_steps"].present is mentee


def test_parse_once_and_share_the_doc():
    text = SAMPLE["boundaries"]
    doc = get_nlp("grader")(text)
    assert detect("boundaries", text, doc=doc).to_dict() == detect("boundaries", text).to_dict()
    many = detect_many(text, ["boundaries", "intent_tone", "active_listening"], doc=doc)
    assert many["boundaries"].present


def test_detect_rejects_bad_calls():
    with pytest.raises(MentorkitError, match="unknown skill 'empathy'"):
        detect("empathy", "hi")
    with pytest.raises(MentorkitError, match="expected the text as a string"):
        detect("recap", None)
    with pytest.raises(MentorkitError, match="does not match"):
        detect("recap", "one text", doc=get_nlp("grader")("another text"))


@pytest.mark.parametrize("skill", TRAINED)
def test_empty_text_finds_nothing(skill):
    r = detect(skill, "")
    assert not any(c.present for c in r.components.values())
    assert not r.present


def test_sbi_wraps_the_grader():
    import mentorkit

    try:
        grader = mentorkit.grade_feedback
    except (AttributeError, ImportError):
        pytest.skip("mentorkit.grade_feedback not available")
    text = "In yesterday's standup you interrupted Priya three times, and she stopped sharing her update."
    g = grader(text)
    r = detect("sbi", text)
    assert r.present == g.complete and r.score == pytest.approx(g.score / 100)
    for part in ("situation", "behavior", "impact"):
        assert r.components[part].present == getattr(g, part).present
        for s in r.components[part].evidence:
            assert text[s.start:s.end] == s.text


def test_a_doc_without_dependencies_is_parsed_again():
    text = SAMPLE["recap"]
    shallow = get_nlp("tagger")(text)
    assert not shallow.has_annotation("DEP")
    assert detect("recap", text, doc=shallow).to_dict() == detect("recap", text).to_dict()
