"""Themes in free-text survey comments: topic model, top terms, redacted examples, sentiment.

Comments are grouped with non-negative matrix factorisation of their TF-IDF vectors (or
latent Dirichlet allocation of word counts); each comment goes to its strongest theme.
Sentiment is a transparent word-list score (see :func:`sentiment`), good enough to say
whether a theme is mostly praise or mostly complaint, not to grade a single comment.
Example comments pass through :func:`mentorkit.privacy.redact_names` before they are shown,
and themes with fewer comments than the minimum group size show no examples or statistics.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mentorkit.analysis.figures import themes_figure  # noqa: F401 - drawn in figures, named here too
from mentorkit.errors import MentorkitError
from mentorkit.privacy import min_group_size, suppress, too_few

__all__ = ["ThemeResult", "ThemeModel", "fit_theme_model", "comment_themes", "comment_view", "sentiment",
           "themes_figure", "POSITIVE_WORDS", "NEGATIVE_WORDS",
           "FILLER_WORDS"]

#: Words that make a comment about a mentoring program read as positive (written for mentorkit).
POSITIVE_WORDS = frozenset("""
    helpful useful valuable great good excellent amazing supportive encouraging clear practical
    insightful inspiring motivating friendly patient generous honest kind thoughtful welcoming
    confident confidence grateful thankful appreciate appreciated enjoy enjoyed love loved like liked
    improve improved improvement grow grew growth progress learned learnt benefit beneficial
    recommend recommended easy flexible responsive engaged engaging fun positive rewarding safe
    empowering empowered brilliant fantastic wonderful smooth well worthwhile success successful
    """.split())
#: Words that make such a comment read as negative (written for mentorkit).
NEGATIVE_WORDS = frozenset("""
    bad poor useless unhelpful waste wasted boring confusing confused unclear hard difficult
    frustrating frustrated annoying awkward late cancelled canceled cancel missed rushed busy
    unresponsive ignored ignore disappointing disappointed stressful stressed overwhelmed tired
    slow vague irrelevant pointless mismatch mismatched worse worst lacking lack lacked problem
    problems issue issues struggle struggled uncomfortable rude dismissive unavailable hate hated
    dislike disliked negative chaotic disorganised disorganized generic superficial obstacle obstacles
    tough drifted slowed blocked delayed stuck lost
    """.split())
#: survey filler that says nothing about a theme (openers, thanks), left out of the topic model
FILLER_WORDS = frozenset("""
    honestly overall fair looking back thanks thank organisers organizers please really just
    """.split())
_NEGATORS = frozenset("not no never hardly barely isn't wasn't didn't don't doesn't couldn't wouldn't aren't weren't".split())
_TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")


def sentiment(text: str) -> float:
    """Word-list sentiment of one comment, from -1 (all negative) to 1 (all positive).

    ``(positive - negative) / (positive + negative)`` over the words of the two lists; a
    word right after a negator (``not``, ``never``, ``didn't``, ...) counts for the other
    side. A comment with none of the words scores 0.

    Examples
    --------
    >>> sentiment("Really helpful and supportive mentor")
    1.0
    >>> sentiment("Not helpful, sessions were often cancelled")
    -1.0
    >>> sentiment("We met on Tuesdays")
    0.0
    """
    tokens = _TOKEN.findall(str(text).lower())
    pos = neg = 0
    for i, tok in enumerate(tokens):
        flip = i > 0 and tokens[i - 1] in _NEGATORS
        if tok in POSITIVE_WORDS:
            if flip:
                neg += 1
            else:
                pos += 1
        elif tok in NEGATIVE_WORDS:
            if flip:
                pos += 1
            else:
                neg += 1
    return 0.0 if pos + neg == 0 else (pos - neg) / (pos + neg)


@dataclass
class ThemeResult:
    """Output of :func:`comment_themes`.

    Attributes
    ----------
    themes : DataFrame
        One row per theme: ``theme, label, top_terms, n_comments, share, sentiment_mean,
        share_positive, share_negative`` (and ``suppressed``).
    examples : DataFrame
        ``theme, rank, comment`` (names redacted), the comments most typical of each theme.
    assignments : DataFrame
        One row per comment: ``comment_index, theme, weight, sentiment``.
    """

    themes: pd.DataFrame
    examples: pd.DataFrame
    assignments: pd.DataFrame


@dataclass
class ThemeModel:
    """A topic model fitted once, that assigns themes to any number of further comments.

    :func:`comment_themes` fits and assigns in one go; the partitioned job
    (:mod:`mentorkit.scale`) fits on a sample and then calls :meth:`assign` on every partition.
    """

    vectorizer: object
    model: object
    n_themes: int
    n_fitted: int
    train_weights: np.ndarray

    def assign(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Each text's strongest theme (1-based; 0 when it shares no word with the model) and weight."""
        if not len(texts):
            return np.zeros(0, dtype=int), np.zeros(0)
        W = self.model.transform(self.vectorizer.transform(list(texts)))
        strength = W.max(axis=1)
        return np.where(strength > 0, W.argmax(axis=1) + 1, 0), strength

    def terms(self, n_top_terms: int = 8) -> list[list[str]]:
        names = np.asarray(self.vectorizer.get_feature_names_out())
        return [names[np.argsort(-row)[:n_top_terms]].tolist() for row in self.model.components_]

    def describe(self, assigned: pd.DataFrame, *, n_top_terms: int = 8, min_size: int | None = None) -> pd.DataFrame:
        """The theme table over assigned comments (``theme`` and ``sentiment`` columns), small themes suppressed."""
        size = min_group_size() if min_size is None else int(min_size)
        used = assigned.dropna(subset=["sentiment"])
        rows = []
        for t, top in enumerate(self.terms(n_top_terms), start=1):
            s = used.loc[used["theme"] == t, "sentiment"].to_numpy(dtype=float)
            rows.append({"theme": t, "label": " / ".join(top[:3]), "top_terms": ", ".join(top),
                         "n_comments": int(len(s)), "share": len(s) / max(1, len(used)),
                         "sentiment_mean": float(s.mean()) if len(s) else np.nan,
                         "share_positive": float((s > 0).mean()) if len(s) else np.nan,
                         "share_negative": float((s < 0).mean()) if len(s) else np.nan})
        return suppress(pd.DataFrame(rows), "n_comments", by=["theme"], min_size=size)


def fit_theme_model(texts: Sequence[str], *, n_themes: int = 5, method: str = "nmf", random_state: int = 0,
                    lda_starts: int = 5) -> ThemeModel:
    """Fit the TF-IDF + NMF (or counts + LDA) topic model of :func:`comment_themes` on *texts*."""
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    if len(texts) < n_themes:
        raise MentorkitError(f"comments: {len(texts)} non-empty comment(s) are too few for {n_themes} themes")
    if method not in ("nmf", "lda"):
        raise MentorkitError(f"comment themes: method must be 'nmf' or 'lda', got {method!r}")
    stop = sorted(ENGLISH_STOP_WORDS | FILLER_WORDS)
    min_df = 2 if len(texts) >= 20 else 1
    if method == "nmf":
        vec = TfidfVectorizer(stop_words=stop, min_df=min_df, max_df=0.9, sublinear_tf=True,
                              token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
        model = NMF(n_components=n_themes, init="nndsvda", random_state=random_state, max_iter=400)
    else:
        vec = CountVectorizer(stop_words=stop, min_df=min_df, max_df=0.9,
                              token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
        model = None
    try:
        X = vec.fit_transform(texts)
    except ValueError as exc:
        raise MentorkitError(f"comments: no usable words to find themes in ({exc})") from None
    if model is None:
        # LDA's likelihood has many local optima on short texts: keep the best of a few starts
        fits = [LatentDirichletAllocation(n_components=n_themes, random_state=random_state + i,
                                          learning_method="batch").fit(X) for i in range(lda_starts)]
        model = max(fits, key=lambda m: m.score(X))
        W = model.transform(X)
    else:
        W = model.fit_transform(X)
    return ThemeModel(vec, model, n_themes, len(texts), W)


def comment_themes(comments: pd.DataFrame | Sequence[str], *, n_themes: int = 5, method: str = "nmf",
                   text_col: str = "text", n_top_terms: int = 8, n_examples: int = 3,
                   random_state: int = 0, lda_starts: int = 5, min_size: int | None = None) -> ThemeResult:
    """Group comments into themes and describe each.

    Parameters
    ----------
    comments : DataFrame or list of str
        The comments (a DataFrame with a *text_col* column, or plain strings).
    n_themes : int
        Number of themes to find.
    method : {"nmf", "lda"}
        scikit-learn ``NMF`` on TF-IDF, or ``LatentDirichletAllocation`` on counts.
    n_top_terms, n_examples : int
        Terms and example comments reported per theme.
    random_state : int
        Seed of the factorisation (results are reproducible).
    lda_starts : int
        LDA only: fits from this many seeds, keeping the one with the highest likelihood.

    Returns
    -------
    ThemeResult

    Examples
    --------
    >>> texts = ["my mentor was very helpful with my career plan"] * 6 + \\
    ...         ["sessions were cancelled and rescheduled too often"] * 6
    >>> r = comment_themes(texts, n_themes=2, n_examples=1)
    >>> sorted(r.themes["n_comments"].astype(int).tolist())
    [6, 6]
    """
    if isinstance(comments, pd.DataFrame):
        if text_col not in comments.columns:
            raise MentorkitError(f"comments: missing column {text_col!r} (columns present: {list(comments.columns)})")
        texts = comments[text_col]
    else:
        texts = pd.Series(list(comments), dtype=object)
    texts = texts.astype("string").fillna("").str.strip()
    keep = texts != ""
    texts_used = texts[keep]
    fitted = fit_theme_model(texts_used.tolist(), n_themes=n_themes, method=method, random_state=random_state,
                             lda_starts=lda_starts)
    vec, model, W = fitted.vectorizer, fitted.model, fitted.train_weights
    H = model.components_
    terms = np.asarray(vec.get_feature_names_out())
    strength = W.max(axis=1)
    theme_of = np.where(strength > 0, W.argmax(axis=1), -1)
    senti = texts_used.map(sentiment).to_numpy(dtype=float)
    assignments = pd.DataFrame({"comment_index": texts_used.index.to_numpy(), "theme": theme_of + 1,
                                "weight": strength, "sentiment": senti})
    assignments.loc[assignments["theme"] == 0, "theme"] = pd.NA
    from mentorkit.privacy import redact_names
    size = min_group_size(min_size)
    rows, examples, picked = [], [], []
    for t in range(n_themes):
        top = terms[np.argsort(-H[t])[:n_top_terms]]
        members = np.flatnonzero(theme_of == t)
        s = senti[members]
        rows.append({"theme": t + 1, "label": " / ".join(top[:3]), "top_terms": ", ".join(top),
                     "n_comments": int(len(members)), "share": len(members) / len(texts_used),
                     "sentiment_mean": float(s.mean()) if len(s) else np.nan,
                     "share_positive": float((s > 0).mean()) if len(s) else np.nan,
                     "share_negative": float((s < 0).mean()) if len(s) else np.nan})
        if len(members) >= size and n_examples:
            order = members[np.argsort(-W[members, t], kind="stable")]
            chosen: list[set[str]] = []
            for i in order:
                text = texts_used.iloc[i]
                words = set(_TOKEN.findall(text.lower()))
                # keep examples different from each other: skip near-repeats of one already shown
                if any(len(words & c) / max(1, len(words | c)) > 0.5 for c in chosen):
                    continue
                chosen.append(words)
                picked.append({"theme": t + 1, "rank": len(chosen), "comment": text})
                if len(chosen) >= n_examples:
                    break
    examples = pd.DataFrame(picked, columns=["theme", "rank", "comment"])
    if len(examples):
        examples["comment"] = redact_names(examples["comment"].tolist())
    themes = suppress(pd.DataFrame(rows), "n_comments", by=["theme"], min_size=size)
    suppressed = set(themes.loc[themes["suppressed"], "theme"])
    examples = examples[~examples["theme"].isin(suppressed)].reset_index(drop=True)
    return ThemeResult(themes=themes, examples=examples, assignments=assignments)


def comment_view(comments: pd.DataFrame, redacted: pd.Series, *, wave: str | None = None, search: str = "",
                 min_size: int | None = None) -> tuple[pd.DataFrame, str | None]:
    """The comments to list: by *wave* (``None``: all), containing *search* (in the redacted text), or why none.

    Searching looks at the text after names are redacted, so a search for a person's name
    finds nothing. When fewer than *min_size* people commented in the selection nothing is
    listed (a handful of comments can be traced back to their authors).

    Returns
    -------
    (DataFrame, str or None)
        ``wave, text`` (redacted, not yet escaped) and a reason when the list is withheld.

    Examples
    --------
    >>> c = pd.DataFrame({"participant_id": ["a", "b", "c"], "wave": ["post"] * 3, "text": ["x", "y", "z"]})
    >>> comment_view(c, c["text"], min_size=5)[1]
    'Fewer than 5 people commented in this selection, so their comments are not shown.'
    """
    size = min_group_size(min_size)
    c = comments.assign(text=redacted.reindex(comments.index))
    if wave is not None:
        c = c[c["wave"] == wave]
    if too_few(c["participant_id"].nunique(), size):
        return c.iloc[0:0][["wave", "text"]], (f"Fewer than {size} people commented in this selection, so their "
                                                "comments are not shown.")
    if search.strip():
        c = c[c["text"].str.contains(search.strip(), case=False, regex=False, na=False)]
    return c[["wave", "text"]], None
