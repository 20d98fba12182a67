"""Comment themes: planted themes are recovered; sentiment by hand; examples redacted; small themes hidden."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis.themes import comment_themes, sentiment
from mentorkit.errors import MentorkitError


@pytest.mark.parametrize("text, expected", [
    ("Really helpful and supportive mentor", 1.0),              # hand: 2 positive, 0 negative
    ("Not helpful, sessions were often cancelled", -1.0),       # hand: 'not helpful' flips -> 2 negative
    ("Helpful sessions but often cancelled", 0.0),              # hand: 1 positive, 1 negative -> 0 / 2
    ("Great mentor, clear advice, though a bit rushed", 1 / 3),  # hand: (2 - 1) / 3
    ("We met on Tuesdays", 0.0),                                # hand: no list word
    ("never boring", 1.0),                                      # hand: negated negative counts as positive
])
def test_sentiment_by_hand(text, expected):
    assert sentiment(text) == pytest.approx(expected)


PLANTED = {
    "scheduling": ["sessions kept getting cancelled and rescheduled", "calendar clashes, sessions rescheduled again",
                   "cancelled sessions and calendar clashes every week", "our sessions slot moved, calendar chaos",
                   "rescheduled sessions twice this month, frustrating", "calendar changes meant cancelled sessions"],
    "career": ["my mentor helped me plan the promotion case", "great advice on my career plan and promotion",
               "we built a career plan for the promotion", "helpful feedback on my promotion portfolio",
               "career plan feels clear now, thank you", "promotion case and career plan are ready"],
    "confidence": ["I feel more confident presenting to leadership", "presenting got easier, more confident",
                   "confident presenting to senior leadership now", "practised presenting and felt confident",
                   "confidence presenting to senior leadership grew", "presenting to leadership feels confident"],
}
KEY_TERMS = {"scheduling": {"sessions", "calendar", "rescheduled", "cancelled"},
             "career": {"career", "promotion", "plan"},
             "confidence": {"presenting", "confident", "leadership"}}


@pytest.fixture(scope="module")
def planted_comments():
    rng = np.random.default_rng(0)
    rows = []
    for theme, texts in PLANTED.items():
        for k in range(30):
            rows.append({"participant_id": f"p{len(rows)}", "wave": "post", "text": texts[k % len(texts)],
                         "planted": theme})
    return pd.DataFrame(rows).sample(frac=1, random_state=int(rng.integers(1000))).reset_index(drop=True)


@pytest.mark.parametrize("method, min_purity", [("nmf", 0.9), ("lda", 0.8)])
def test_planted_themes_are_recovered(planted_comments, method, min_purity):
    r = comment_themes(planted_comments, n_themes=3, method=method, min_size=5)
    joined = r.assignments.join(planted_comments["planted"], on="comment_index")
    # each found theme should be mostly one planted theme (LDA is the weaker of the two on short texts)
    purity = joined.groupby("theme")["planted"].agg(lambda s: s.value_counts().iloc[0] / len(s))
    assert (purity > min_purity).all(), purity
    if method == "nmf":
        assert sorted(r.themes["n_comments"]) == [30, 30, 30]
    top_by_theme = dict(zip(r.themes["theme"], r.themes["top_terms"]))
    for theme, block in joined.groupby("theme"):
        planted = block["planted"].mode().iloc[0]
        top3 = set(top_by_theme[theme].split(", ")[:3])
        assert top3 & KEY_TERMS[planted], (planted, top3)


def test_theme_sentiment_is_the_mean_of_comment_sentiment(planted_comments):
    r = comment_themes(planted_comments, n_themes=3, min_size=5)
    joined = r.assignments.join(planted_comments["text"], on="comment_index")
    for theme, block in joined.groupby("theme"):
        hand = np.mean([sentiment(t) for t in block["text"]])  # hand: average the per-comment word-list scores
        assert r.themes.set_index("theme").loc[theme, "sentiment_mean"] == pytest.approx(hand)
    means = r.themes.set_index("label")["sentiment_mean"]
    assert means.min() < 0 < means.max()  # scheduling complaints versus career praise


def test_examples_are_redacted_and_small_themes_hidden(planted_comments):
    pytest.importorskip("mentorkit.privacy")
    extra = pd.DataFrame([{"participant_id": "x", "wave": "post", "text": "Priya Raman helped me plan the promotion case"}])
    comments = pd.concat([planted_comments, extra], ignore_index=True)
    r = comment_themes(comments, n_themes=3, n_examples=40, min_size=5)
    assert not r.examples["comment"].str.contains("Priya Raman").any()
    r_small = comment_themes(planted_comments.iloc[:40], n_themes=3, min_size=35)
    assert r_small.themes["suppressed"].all()
    assert r_small.examples.empty


def test_bad_input():
    with pytest.raises(MentorkitError, match="missing column 'comment'"):
        comment_themes(pd.DataFrame({"text": ["a"]}), text_col="comment")
    with pytest.raises(MentorkitError, match="too few"):
        comment_themes(["one comment", ""], n_themes=2)
