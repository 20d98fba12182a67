"""Chat normalisation (mentorkit.normalise): the rewrite table and the map back to the text as written."""
import random

import pytest

from mentorkit.normalise import (ABBREVIATIONS, emoji_names, is_emoji_only, normalise, original_span, parse,
                                 parse_one)


@pytest.mark.parametrize("text, expected", [
    # abbreviations, whole words only
    ("u missed the appt tmrw", "You missed the appointment tomorrow."),
    ("pls send it b4 the mtg on tues", "Please send it before the meeting on Tuesday."),
    ("ur late again", "You're late again."),
    ("ur notes were gr8", "Your notes were gr8."),
    ("see u at xmas", "See you at Christmas."),
    ("we talked abt it this arvo", "We talked about it this afternoon."),
    # capitals are kept: "U" and "Mon" written with capitals are not chat shorthand
    ("Ask Mon about it.", "Ask Mon about it."),
    # emoji between clauses close the clause; filler laughter goes
    ("great demo 🎉 the client signed lol", "Great demo. The client signed."),
    ("lmao camera off the whole standup", "Camera off the whole standup."),
    # case and a missing full stop in text written without capitals
    ("i think i'll ask him on monday", "I think I'll ask him on Monday."),
    # line breaks between chat lines become sentence ends, and stay line breaks
    ("sent the deck\nclient loved it", "Sent the deck.\nClient loved it."),
    ("Next steps:\n- me: intro to Sam", "Next steps:\n- me: intro to Sam."),
    ("done 👍", "Done."),
    # words joined by a hyphen, slash or quote stay joined (no "e- mail", "' those numbers", "( see")
    ("sent the e-mail mid-presentation tmrw", "Sent the e-mail mid-presentation tomorrow."),
    ("she said 'those numbers' were off (see notes) and/or @ana", "She said 'those numbers' were off (see notes) "
                                                                    "and/or @ana."),
    # a missing space after a full stop is still put back
    ("ok.thanks so much", "Okay. Thanks so much."),
    # words in letters beyond ASCII stay whole ("Tomás", not "Tomá s")
    ("thx Tomás, see u at Müller's", "thanks Tomás, see you at Müller's."),
    ("naïve plan tbh", "Naïve plan to be honest."),
])
def test_rewrites(text, expected):
    assert normalise(text).text == expected


@pytest.mark.parametrize("text", [
    "In yesterday's client call, you interrupted Priya three times, so we never agreed the budget.",
    "The one-off report (the Q3 one) went out by e-mail; Ana said \"looks great\".",
    "Could you send the agenda a day ahead next time?",
    "",
])
def test_edited_prose_comes_back_unchanged(text):
    n = normalise(text)
    assert n.text == text and not n.changed
    assert n.to_original(0, len(text)) == (0, len(text))


def test_emoji_are_kept_for_the_tone_detectors_when_asked():
    assert normalise("proud of you 🥹 that talk was so good", keep_emoji=True).text == \
        "Proud of you 🥹. That talk was so good."
    assert emoji_names("ok 👍🏽 ❤️") == ["thumbs up medium skin tone", "red heart"]
    assert is_emoji_only("🙏 🙏") and not is_emoji_only("thanks 🙏") and not is_emoji_only("thanks")


@pytest.mark.parametrize("text, piece, original", [
    ("u missed the appt tmrw lol", "the appointment", "the appt"),
    ("pls send it tmrw", "tomorrow", "tmrw"),
    ("great demo 🎉 the client signed", "The client signed", "the client signed"),
    ("ur late again pls fix 🙄", "You're late", "ur late"),
])
def test_a_rewritten_span_maps_back_to_what_was_written(text, piece, original):
    n = normalise(text)
    s, e = n.to_original(*n.find(piece))
    assert text[s:e] == original


def test_mapping_round_trip_on_real_chat_statements():
    from mentorkit.feedback.train import load_corpus
    df = load_corpus()
    chat = df[df["style"] == "chat"]
    rng = random.Random(3)
    checked = 0
    for row in chat.itertuples():
        n = normalise(row.text)
        for sp in row.spans:
            moved = n.from_original(sp["start"], sp["end"])
            if moved is None:
                continue  # an emoji-only span
            a, b = n.to_original(*moved)
            # the span comes back to the same written words (ends may shed an emoji or filler)
            assert sp["start"] <= a < b <= sp["end"], (row.id, row.text[sp["start"]:sp["end"]])
            checked += 1
        # any stretch of the rewritten text maps to a stretch of the original
        if n.text:
            i = rng.randrange(len(n.text))
            j = rng.randrange(i, len(n.text)) + 1
            a, b = n.to_original(i, j)
            assert 0 <= a <= b <= len(row.text)
    assert checked > 500


def test_parsed_docs_carry_the_map_and_spans_point_into_the_original():
    doc = parse(["thx for covering my shift tmrw 🙏"])[0]
    assert doc.text == "Thanks for covering my shift tomorrow 🙏."
    s, e, text = original_span(doc, doc.text.index("tomorrow"), doc.text.index("tomorrow") + len("tomorrow"))
    assert text == "tmrw"
    # a doc of clean text is reused as it is
    from mentorkit.nlp import get_nlp
    clean = get_nlp("grader")("We agreed the plan.")
    assert parse_one("We agreed the plan.", clean) is clean


def test_table_keys_are_lower_case_words():
    assert all(k == k.lower() and " " not in k for k in ABBREVIATIONS)


def test_non_string_is_a_type_error():
    with pytest.raises(TypeError, match="normalise expects a str, got int"):
        normalise(3)
