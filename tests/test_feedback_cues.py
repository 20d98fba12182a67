import pytest

from mentorkit.feedback import cues
from mentorkit.nlp import get_nlp


def tok(text, word):
    doc = get_nlp("grader")(text)
    return next(t for t in doc if t.text == word)


@pytest.mark.parametrize("text, word, expected", [
    ("We met yesterday.", "yesterday", True),
    ("See you on Tuesday.", "Tuesday", True),
    ("The call at 3pm ran long.", "3", True),  # spaCy splits 3pm into 3 + pm
    ("You may want to check.", "may", False),
    ("In meetings you talk a lot.", "meetings", False),
])
def test_is_time_word(text, word, expected):
    assert cues.is_time_word(tok(text, word)) is expected


@pytest.mark.parametrize("text, prep, specific, habitual", [
    ("In yesterday's client call, you interrupted Priya.", "In", True, False),
    ("During Tuesday's standup you said nothing.", "During", True, False),
    ("In your pull request this afternoon you removed a test.", "In", True, False),
    ("In meetings you interrupt people.", "In", False, True),
    ("At work you are quiet.", "At", False, True),
    ("With clients you over-promise.", "With", False, True),
])
def test_occasions_versus_habitual_settings(text, prep, specific, habitual):
    t = tok(text, prep)
    assert cues.is_specific_occasion(t) is specific
    assert cues.is_habitual_setting(t) is habitual


@pytest.mark.parametrize("text, verb, kind, tense, negated", [
    ("You interrupted Priya three times.", "interrupted", "you", "past", False),
    ("You didn't ask about their budget.", "ask", "you", "past", True),
    ("I felt heard.", "felt", "i", "past", False),
    ("Dev will send the notes.", "send", "named", "future", False),
    ("The release slipped.", "slipped", "it", "past", False),
])
def test_clause_subject_tense_negation(text, verb, kind, tense, negated):
    t = tok(text, verb)
    head = cues.clause_head(t)
    assert head.text == verb
    assert cues.subject_kind(head) == kind
    assert cues.clause_tense(head) == tense
    assert cues.is_negated(head) is negated


@pytest.mark.parametrize("text, verb, expected", [
    ("You were rude.", "were", True),
    ("She is a natural leader.", "is", True),
    ("You sent the deck.", "sent", False),
])
def test_copula_with_trait(text, verb, expected):
    assert cues.is_copular_trait(tok(text, verb)) is expected


@pytest.mark.parametrize("text, asks, intent", [
    ("Could you send the agenda ahead next time?", True, False),
    ("Let's pair on it Thursday.", True, False),
    ("I'm sharing this because I want the launch to go well.", False, True),
    ("You sent the deck late.", False, False),
])
def test_request_and_intent(text, asks, intent):
    assert cues.has_request(text) is asks
    assert cues.has_intent_statement(text) is intent


@pytest.mark.parametrize("text, expected", [
    ("Thanks for the notes.", True),
    ("That was not great.", False),
    ("You sent the deck.", False),
])
def test_recognition(text, expected):
    assert cues.has_recognition(get_nlp("grader")(text)) is expected


def test_doc_cues_flags():
    nlp = get_nlp("grader")
    flags = dict(zip(cues.DOC_CUES, cues.doc_cues(nlp("In meetings you are always so lazy."))))
    assert flags["habitual"] == 1 and flags["specific_occasion"] == 0
    assert flags["negative_trait"] == 1 and flags["absolute_word"] == 1 and flags["copular_trait"] == 1
    flags = dict(zip(cues.DOC_CUES, cues.doc_cues(nlp("In yesterday's call you interrupted Priya, so I felt lost."))))
    assert flags["specific_occasion"] == 1 and flags["action_by_person"] == 1 and flags["feeling_of_speaker"] == 1
    assert flags["habitual_setting_only"] == 0


@pytest.mark.parametrize("text, expected", [
    ("In meetings you interrupt people.", 1),
    ("With clients you are too blunt.", 1),
    ("In meetings you interrupt people, and yesterday you cut Ana off.", 0),   # an occasion too
    ("In yesterday's call you interrupted Priya.", 0),
    ("You interrupted Priya.", 0),                                             # no setting at all
    # a "last / this" before a noun or a definite place names one occasion the time words miss
    ("On last week's pilot build in meetings you rushed the checks.", 0),
    ("At the Christmas market in shops you sold the cards.", 0),
    ("Usually you answer quickly.", 0),                                       # a habit word, no setting phrase
    # the act's own objects name no occasion: the setting stays habitual
    ("In meetings you shout at Priya.", 1),
    ("In meetings you talk over the rest of the team.", 1),
    ("On calls you talk over the client.", 1),
    ("In meetings you never listen to your colleagues.", 1),
    ("With clients you always promise that thing.", 1),
    ("On calls at the Leeds depot you talk over the client.", 0),             # a named place still counts
])
def test_a_general_setting_alone_is_its_own_cue(text, expected):
    flags = dict(zip(cues.DOC_CUES, cues.doc_cues(get_nlp("grader")(text))))
    assert flags["habitual_setting_only"] == expected


def test_token_features_carry_the_lemma_pairs():
    doc = get_nlp("grader")("He is dead weight.")
    feats = cues.token_features(doc)
    weight = feats[3]
    assert "bg-=dead|weight" in weight and "bg+=weight|." in weight and "sk=dead|." in weight
    assert "hb=" + doc[3].head.lemma_.lower() + "|weight" in weight and doc[3].head.i != 3


def test_token_features_one_list_per_token():
    doc = get_nlp("grader")("In yesterday's call you interrupted Priya.")
    feats = cues.token_features(doc)
    assert len(feats) == len(doc)
    assert "c:time" in feats[1] and "pp:specific" in feats[0]
    assert "csubj=you" in feats[4]


def test_token_features_carry_word_endings_and_beginnings():
    doc = get_nlp("grader")("You are sloppier than the students.")
    feats = cues.token_features(doc)
    sloppier = feats[2]
    assert {"suf3=ier", "suf4=pier", "pre4=slop"} <= set(sloppier)
    # short words and non-words carry none
    assert not any(f.startswith(("suf3=", "suf4=", "pre4=")) for f in feats[0] + feats[1] + feats[-1])
