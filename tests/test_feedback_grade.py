import numpy as np
import pytest

import mentorkit
from mentorkit.feedback import POINTS, MAX_CHARS, TextTooLongError, grade_many
from mentorkit.feedback.train import evaluate, load_corpus
from mentorkit.feedback.grade import _model


@pytest.fixture(scope="module")
def test_split():
    df = load_corpus()
    return df[df["split"] == "test"].reset_index(drop=True)


def test_shipped_model_meets_f1_target_on_the_fixed_test_split(test_split):
    metrics, _ = evaluate(_model(), test_split)
    f1 = dict(zip(metrics["part"], metrics["f1"]))
    for part in ("situation", "behavior", "impact"):
        assert f1[part] >= 0.90, metrics
    assert f1["judgement"] >= 0.80, metrics


def test_metrics_match_a_hand_count(test_split):
    # precision/recall recomputed by counting true/false positives directly
    metrics, pred = evaluate(_model(), test_split)
    truth = test_split["behavior"].to_numpy().astype(int)
    p = pred[:, 1]
    tp = int(((p == 1) & (truth == 1)).sum())
    precision = tp / max(1, p.sum())
    recall = tp / max(1, truth.sum())
    row = metrics.set_index("part").loc["behavior"]
    assert row["precision"] == pytest.approx(precision, abs=1e-4)
    assert row["recall"] == pytest.approx(recall, abs=1e-4)


# The definitions in DESIGN.md, one example each (S, B, I expected present?)
@pytest.mark.parametrize("text, s, b, i", [
    ("In yesterday's client call, you interrupted Priya three times.", True, True, False),
    ("During Tuesday's standup you didn't ask about their budget.", True, True, False),
    ("In your pull request this afternoon you removed the failing test, so the bug shipped.", True, True, True),
    ("In meetings you interrupt people.", False, True, False),
    ("You were rude.", False, False, False),
    ("You don't care about the team.", False, False, False),
    ("You're a natural leader.", False, False, False),
    ("Great job, keep it up!", False, False, False),
    ("I felt heard.", False, False, True),
    ("Support got no tickets this week.", False, False, True),
    ("You rewrote the FAQ page and support got no tickets about refunds.", False, True, True),
    ("When the build broke this morning, you posted the rollback steps in the channel, and the team calmed down.",
     True, True, True),
    ("I felt heard when you summarised my concerns at the end of our Thursday check-in.", True, True, True),
])
def test_definition_examples(text, s, b, i):
    g = mentorkit.grade_feedback(text)
    assert (g.situation.present, g.behavior.present, g.impact.present) == (s, b, i), str(g)


@pytest.mark.parametrize("text, word", [
    ("You are so lazy about documentation.", "lazy"),
    ("Honestly that was unprofessional of you.", "unprofessional"),
    ("You always miss the deadline.", "always"),
    ("You are always so careless with handovers.", "always"),
])
def test_judgement_flags_the_word(text, word):
    g = mentorkit.grade_feedback(text)
    assert any(word in s.text.lower() for s in g.judgement), str(g)


def test_evidence_spans_point_into_the_text():
    text = "In yesterday's client call you interrupted Priya three times, so we never agreed the budget."
    g = mentorkit.grade_feedback(text)
    assert g.complete
    for span in g.spans():
        assert text[span.start:span.end] == span.text
    assert "yesterday" in g.situation.evidence[0].text
    assert "interrupted" in g.behavior.evidence[0].text
    assert "budget" in g.impact.evidence[0].text
    for part in ("situation", "behavior", "impact"):
        assert 0.5 <= g.part(part).confidence <= 1


def test_score_follows_the_rubric():
    g = mentorkit.grade_feedback("In yesterday's client call you interrupted Priya three times, so we never "
                                 "agreed the budget. Could you let her finish next time?")
    # hand sum of the documented points: S 25 + B 30 + I 25 + request 10 (no balance, no intent)
    assert (g.has_request, g.is_balanced, g.states_intent, g.judgement) == (True, False, False, [])
    assert g.score == 25 + 30 + 25 + 10
    bad = mentorkit.grade_feedback("You are lazy and careless.")
    assert bad.score == 0 and bad.breakdown["judgement"] == POINTS["judgement_cap"]


def test_tips_are_tied_to_what_is_missing():
    g = mentorkit.grade_feedback("You are lazy.")
    parts = [t.part for t in g.tips]
    assert 1 <= len(g.tips) <= 3
    assert parts[0] == "judgement" and "behavior" in parts
    assert all(t.example for t in g.tips)
    g = mentorkit.grade_feedback("You interrupted Priya three times.")
    assert {"situation", "impact"} <= {t.part for t in g.tips}
    sit_tip = next(t for t in g.tips if t.part == "situation")
    assert "interrupted Priya" in sit_tip.example  # the fix reuses the writer's own behaviour


def test_habitual_setting_is_named_in_the_tip():
    g = mentorkit.grade_feedback("In meetings you interrupt people.")
    tip = next(t for t in g.tips if t.part == "situation")
    assert tip.message.startswith("\"In meetings\" is a habit")


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_text_gives_an_empty_grade_with_a_tip(text):
    g = mentorkit.grade_feedback(text)
    assert not (g.situation.present or g.behavior.present or g.impact.present)
    assert g.score == 0 and len(g.tips) == 1 and g.tips[0].part == "empty"


@pytest.mark.parametrize("value", [None, 42, b"bytes", ["a list"]])
def test_non_string_is_a_type_error_naming_the_type(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        mentorkit.grade_feedback(value)


def test_very_long_text_is_refused_with_a_clear_message():
    with pytest.raises(TextTooLongError, match=r"100,000 characters.*at most 10,000"):
        mentorkit.grade_feedback("word " * 20_000)
    assert len("x" * MAX_CHARS) == MAX_CHARS
    mentorkit.grade_feedback("You sent the notes. " * (MAX_CHARS // 20))  # right at the limit: graded


def test_grade_many_matches_grade_feedback_in_order():
    texts = ["You were rude.", "", "In Monday's demo you skipped the pricing slide, so the client asked twice.",
             "I felt heard."] * 5
    for bs in (1, 3, 64):
        many = list(grade_many(texts, batch_size=bs))
        assert [g.text for g in many] == texts
        singles = [mentorkit.grade_feedback(t) for t in texts[:4]]
        for a, b in zip(many[:4], singles):
            assert a.score == b.score and a.to_dict()["evidence"] == b.to_dict()["evidence"]


def test_grade_many_rejects_bad_items_by_position():
    with pytest.raises(TypeError, match="text 1"):
        list(grade_many(["fine", 3]))
    with pytest.raises(ValueError, match="batch_size"):
        list(grade_many(["fine"], batch_size=0))


def test_html_escapes_and_highlights():
    g = mentorkit.grade_feedback("In yesterday's call you posted <script>alert(1)</script> in the chat, "
                                 "so the client laughed.")
    html = g.to_html()
    assert "<script" not in html and "</script" not in html
    import re, html as htmlmod
    shown = htmlmod.unescape(re.sub(r"<[^>]+>", "", html))  # what a browser shows as text
    assert "<script>alert(1)</script>" in shown
    assert 'class="mk-part mk-situation"' in html and "mk-legend" in html
    assert "Score:" in html


def test_to_dict_shape():
    d = mentorkit.grade_feedback("You interrupted Priya in yesterday's call.").to_dict()
    for key in ("situation", "behavior", "impact", "judgement", "complete"):
        assert isinstance(d[key], bool)
    assert isinstance(d["score"], float)
    assert set(d["evidence"]) == {"situation", "behavior", "impact", "judgement"}
    assert all({"message", "example"} <= set(t) for t in d["tips"])


def test_part_spans_never_overlap_and_judgement_words_are_kept(test_split):
    for g in grade_many(test_split["text"].tolist()[:150]):
        sbi = sorted((s.start, s.end, s.label) for p in ("situation", "behavior", "impact") for s in g.part(p).evidence)
        for (s1, e1, l1), (s2, e2, l2) in zip(sbi, sbi[1:]):
            assert e1 <= s2, (g.text, l1, l2)
        for p in ("situation", "behavior", "impact"):
            assert g.part(p).present or not g.part(p).evidence, (g.text, p)
    g = mentorkit.grade_feedback("You are always so careless.")
    assert {s.text for s in g.judgement} == {"always", "careless"}


def _chat_and_spoken(n=120):
    df = load_corpus()
    pick = df[df["style"].isin(["chat", "spoken"]) & df["id"].str.startswith("writer_")]
    return pick["text"].tolist()[:n]


def test_sbi_spans_never_overlap_on_chat_and_spoken_text():
    texts = _chat_and_spoken() + [
        "You were so short with him on the call. He's still rattled.",
        "tues standup u cut ana off twice n she went quiet after lol",
        "the handover notes weren't sent so the night team started blind 😬",
    ]
    for g in grade_many(texts):
        sbi = sorted((s.start, s.end, s.label) for p in ("situation", "behavior", "impact") for s in g.part(p).evidence)
        for (s1, e1, l1), (s2, e2, l2) in zip(sbi, sbi[1:]):
            assert e1 <= s2, (g.text, l1, l2)


def test_evidence_is_a_phrase_of_the_text_as_written_never_punctuation_or_filler():
    from mentorkit.feedback.grade import FILLER_WORDS
    texts = _chat_and_spoken() + ["lmao. on tues u skipped the appt. so annoying tbh 🙄"]
    for g in grade_many(texts):
        for span in g.spans():
            assert g.text[span.start:span.end] == span.text, (g.text, span)
            words = [w.strip(".,!?;:'\"()-—").lower() for w in span.text.split()]
            words = [w for w in words if w]
            assert words, (g.text, span)                   # not a lone punctuation mark
            assert not all(w in FILLER_WORDS | {"lol", "lmao", "tbh"} for w in words), (g.text, span)


def test_chat_shorthand_is_read_like_the_written_form():
    written = mentorkit.grade_feedback("On Tuesday you missed the appointment, so the client waited an hour.")
    chat = mentorkit.grade_feedback("on tues u missed the appt so the client waited an hour")
    for p in ("situation", "behavior", "impact"):
        assert chat.part(p).present == written.part(p).present, (p, str(chat))
    assert chat.situation.evidence[0].text.lower().startswith("on tues")
    assert "appt" in chat.behavior.evidence[0].text


def test_emoji_only_praise_has_no_parts():
    g = mentorkit.grade_feedback("🙌🙌🔥")
    assert not (g.situation.present or g.behavior.present or g.impact.present)


@pytest.mark.parametrize("text, flagged", [
    # "always" in praise is a habit the speaker wants kept, not a sweeping judgement (the praise
    # reader); the same word in a complaint is one. The grader before the praise reader flagged all five.
    ("You always check the dosage twice before the round, and nobody has had a wrong dose since.", False),
    ("You always label the shelves properly, it saves me so much time.", False),
    ("You always double-check the payee with the customer. That is exactly what we want.", False),
    ("You always leave the dosage check to whoever is on next.", True),
    ("You always label the shelves wrong and I have to redo them.", True),
])
def test_always_is_judgement_in_a_complaint_not_in_praise(text, flagged):
    g = mentorkit.grade_feedback(text)
    assert bool(g.judgement) == flagged, str(g)
    if flagged:
        assert any("always" in s.text.lower() for s in g.judgement)
