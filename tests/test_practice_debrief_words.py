"""A debrief about what was written: whole clauses quoted, Start never asks for what is there,
and every softer rewrite it shows is sound English (a test over every scenario's weak examples).
"""
from __future__ import annotations

import re

import pytest

from mentorkit.scenarios import Session, load_samples, load_scenario, play_replies, scenario_names
from mentorkit.scenarios.debrief import whole_clause
from mentorkit.scenarios.rewrites import rewrite_problems, tidy_rewrite


def _weak_replies(name: str) -> list[str]:
    return list(load_scenario(name).examples.get("weak", ())) + [
        t for st in load_samples(name)["sets"]["weak"] for t in st]


@pytest.mark.parametrize("name", scenario_names())
def test_every_rewrite_shown_for_a_weak_reply_is_sound(name):
    for text in _weak_replies(name):
        s = Session(name, seed=0)
        s.reply(text)
        rewrite = s.lines[1].suggestion
        if rewrite is None:
            continue
        assert not re.search(r"[,;:.!?]\s*[,;:.!?]", rewrite), rewrite            # no doubled punctuation
        words = set(re.findall(r"[a-z']+", text.lower()))
        for a, b in zip(re.findall(r"[A-Za-z']+", text), re.findall(r"[A-Za-z']+", text)[1:]):
            if (a + b).lower() not in words:
                assert not re.search(rf"\b{re.escape((a + b).lower())}\b", rewrite.lower()), rewrite  # none run together
        for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-zA-Z]+|[A-Z]{2,}\d*)\b", text):
            if m.group(1) != "I" and m.start() > 0 and text[m.start() - 2:m.start()] not in (". ", "? ", "! "):
                assert m.group(1).lower() not in re.findall(r"[a-z0-9]+", rewrite), (m.group(1), rewrite)  # capitals kept
        assert rewrite_problems(text, rewrite) == []


@pytest.mark.parametrize("original,broken,mended", [
    ("Don't worry about people leaving, it always happens.",
     "Please try not to worry about people leavingit always happens.",
     "Please try not to worry about people leaving, it always happens."),
    ("Sure, the data was off. And their CEO saw it.", "I see the data,. And their ceo saw it.",
     "I see the data. And their CEO saw it."),
])
def test_a_broken_rewrite_is_mended(original, broken, mended):
    assert tidy_rewrite(original, broken) == mended


@pytest.mark.parametrize("original,broken", [
    ("And obviously it's confidential.", "I'm concerned that and it's confidential."),
    ("OK, talk soon!", "Could you talk soon?"),
    ("Hope that helps.", "Could you hope that helps?"),
])
def test_an_unsound_rewrite_is_not_shown(original, broken):
    assert tidy_rewrite(original, broken) is None


def test_a_fragment_is_quoted_as_its_whole_clause():
    text = "Thanks for staying on. In the review this morning, you cut in while their CEO was still presenting. Ok?"
    start = text.index("while their CEO")
    quote, a, b = whole_clause(text, start, start + len("while their CEO was still"))
    assert quote == "In the review this morning, you cut in while their CEO was still presenting."
    assert text[a:b] == quote


def test_keep_quotes_whole_sentences_of_the_trainee():
    replies = load_samples("client_call_feedback")["sets"]["strong"][0]
    s = play_replies("client_call_feedback", replies, seed=0)
    d = s.debrief()
    said = " ".join(ln.text for ln in s.lines if ln.speaker == "mentor")
    quotes = [q for k in d.keep for q in re.findall(r"\u201c(.+?)\u201d", k)]
    assert quotes
    for q in quotes:
        assert q in said                          # the trainee's own words
        assert q[0].isupper() and q[-1] in ".?!'\u2019\"", q   # a whole sentence, not a fragment


def test_start_never_asks_blindly_for_a_part_the_reply_had_the_form_of():
    s = play_replies("group_dominant_voice", ["Thanks Marco. Li Wei, what did you want to say?",
                                             "Grace, what has it been like for you?",
                                             "Marco, in today's session you did a thing, which meant stuff."], seed=0)
    d = s.debrief()
    tip = next(t for t in d.start if "Tell him when" in t or "behaviour" in t)
    assert "line 6 had the form of" in tip

