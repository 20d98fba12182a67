"""The shared machinery of the sentence-level detectors (intent_tone, four_step,
agreement, recap, boundaries).

A text is cut into units (spaCy sentences, further split at line breaks so chat
lines and bullet lists count one by one). Each unit gets a feature dict: general
parse cues (question form, who the subject is, who commits to a future action,
time and frequency expressions, tone words), the skill's own cue counts, and
lemma unigrams/bigrams. A one-vs-rest logistic regression (class-balanced) gives
each unit a score per component; a Platt map fitted on out-of-fold scores of the
training split turns it into a calibrated probability, and a component is present
in the text when some unit reaches the component's decision threshold (0.2-0.5, the
best F1 on the same out-of-fold predictions); those units are its evidence.

Texts are parsed in their normalised form (:mod:`mentorkit.normalise`: chat abbreviations,
emoji, case, missing full stops); the evidence spans point into the text as written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from spacy.tokens import Doc, Span as SpacySpan

from mentorkit.errors import MentorkitError
from mentorkit import normalise as chat
from mentorkit.nlp import get_nlp
from mentorkit.normalise import emoji_names
from mentorkit.skills import cues
from mentorkit.skills import model as model_store
from mentorkit.skills.base import COMPONENTS, ComponentResult, Span
from mentorkit.skills.corpus import data_hash, read_skill, sentence_labels

__all__ = ["SentenceSkill", "units", "salutation_only", "sentence_features", "build_pipeline", "training_units", "train",
           "tag", "prune_rare", "thresholds", "platt_calibration", "THRESHOLD", "MIN_COUNT"]

THRESHOLD = 0.5
#: a word feature must occur in at least this many training units to be kept (smaller, steadier models)
MIN_COUNT = 2
_BULLET = re.compile(r"^\s*([-*\u2022\u2013]|\d+[.)])\s*")


@dataclass(frozen=True)
class SentenceSkill:
    """What one sentence-level detector adds to the shared machinery.

    Attributes
    ----------
    skill : str
        The skill name (a key of :data:`~mentorkit.skills.base.COMPONENTS`).
    patterns : dict[str, re.Pattern]
        Named regular expressions over the lower-cased unit; each becomes a count feature.
    extra : callable or None
        Unit -> dict of further features (the skill's own parse cues).
    C : float
        Inverse regularisation strength of the logistic regressions.
    calibration_folds : int
        Folds of the out-of-fold scores the calibration map and thresholds are fitted on.
    precision_first : tuple of str
        Components whose false alarm costs more than a miss (a warm message flagged harsh): their
        threshold maximises F0.5 over 0.2-0.8 on whole texts (the highest unit of each) instead
        of F1 over 0.2-0.5 on units.
    """

    skill: str
    patterns: dict[str, re.Pattern] = field(default_factory=dict)
    extra: Callable[[SpacySpan], dict[str, float]] | None = None
    C: float = 1.0
    precision_first: tuple[str, ...] = ()
    calibration_folds: int = 5

    @property
    def components(self) -> tuple[str, ...]:
        return COMPONENTS[self.skill]


def _clause_starts(sent: SpacySpan) -> list[int]:
    """Token indexes where a coordinated clause with its own subject begins ("..., and I reply within a day")
    or where a semicolon ends one."""
    starts = []
    root = sent.root
    for c in root.children:
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.i > root.i and any(
                ch.dep_ in ("nsubj", "nsubjpass", "expl") for ch in c.children):
            ccs = [t.i for t in root.children if t.dep_ == "cc" and t.i < c.i]
            first = min(t.i for t in c.subtree)
            starts.append(max(ccs) if ccs and max(ccs) < first else first)
    for t in sent:
        if t.text == ";" and t.i + 1 < sent.end:
            starts.append(t.i + 1)
    return sorted(set(i for i in starts if sent.start < i < sent.end))


def units(doc: Doc) -> list[SpacySpan]:
    """Sentences of *doc*, split again at line breaks and between coordinated clauses that each
    have a subject, without empty pieces.

    >>> [u.text for u in units(get_nlp("grader")("Next steps:\\n- me: intro to Sam\\n- you: draft it"))]
    ['Next steps:', '- me: intro to Sam', '- you: draft it']
    """
    pieces: list[SpacySpan] = []
    for sent in doc.sents:
        start = sent.start
        for i in _clause_starts(sent):
            pieces.append(doc[start:i])
            start = i
        pieces.append(doc[start:sent.end])
    return [u for p in pieces for u in _split_lines(doc, p)]


def _split_lines(doc: Doc, piece: SpacySpan) -> list[SpacySpan]:
    """Cut *piece* at line breaks (chat lines, bullets); drop pieces with no words."""
    out: list[SpacySpan] = []
    start = piece.start
    for t in piece:
        if t.is_space and "\n" in t.text:
            if t.i > start:
                out.append(doc[start:t.i])
            start = t.i + 1
        elif "\n" in t.whitespace_ and t.i + 1 < piece.end:
            out.append(doc[start:t.i + 1])
            start = t.i + 1
    if start < piece.end:
        out.append(doc[start:piece.end])
    return [u for u in out if cues.content_tokens(u)]


_SALUTATION = frozenset({"hi", "hello", "hey", "dear", "morning", "evening", "afternoon", "hiya", "greetings"})


def _salutation(sent: SpacySpan) -> set[int]:
    """Indexes of a leading salutation ("Hi Sana,", "Dear Mr Kowalski,", "Hey team -"): politeness, not
    tone (the tag guides), so its words are not read as lemma features; a harsh message that opens
    with "Hi Jun, ..." must not teach the model that "hi" is harsh."""
    toks = [t for t in sent if not t.is_space]
    if not toks or toks[0].lower_ not in _SALUTATION:
        return set()
    out = {toks[0].i}
    for t in toks[1:]:
        if t.pos_ == "PROPN" or t.lower_ in ("all", "team", "everyone", "folks", "both", "mr", "mrs", "ms", "dr",
                                              "there", "guys"):
            out.add(t.i)
        else:
            break
    return out


def salutation_only(sent: SpacySpan) -> bool:
    """The unit is a greeting and nothing else ("Hi Sana,", "Dear Mr Kowalski,")."""
    sal = _salutation(sent)
    return bool(sal) and all(t.i in sal for t in cues.content_tokens(sent))


def _lemmas(sent: SpacySpan, quoted: set[int] = frozenset()) -> list[str]:
    """Lemmas of the content words (a leading salutation left out); a quoted word is marked ``q|``
    (someone else's word)."""
    out = []
    skip = _salutation(sent)
    for t in cues.content_tokens(sent):
        if t.i in skip:
            continue
        if t.like_num or t.is_digit:
            out.append("#")
        elif t.is_alpha or "'" in t.text:
            lem = cues.norm(t.lemma_).lower()
            out.append("q|" + lem if t.i in quoted else lem)
    return out


def sentence_features(sent: SpacySpan, spec: SentenceSkill, position: str = "only") -> dict[str, float]:
    """Feature dict of one unit for the skill described by *spec*.

    >>> from mentorkit.skills.boundaries import SPEC
    >>> f = sentence_features(get_nlp("grader")("I reply within 24 hours.")[:], SPEC)
    >>> f["duration"], f["future=1"] if "future=1" in f else 0.0
    (1.0, 0.0)
    """
    if salutation_only(sent):
        # a line that is only a salutation ("Hi Sana,") says nothing about tone or content: one feature
        # of its own, none of the general ones (a bare short unit otherwise reads like "k." or "Typical.")
        return {"salutation_only": 1.0}
    low = cues.lower_text(sent)
    text = _BULLET.sub("", low)
    quoted = cues.quoted_tokens(sent)
    f: dict[str, float] = {
        "question": float(cues.is_question(sent)),
        "inverted": float(cues.inverted_aux(sent)),
        "wh=" + (cues.wh_opening(sent) or "none"): 1.0,
        "subj=" + cues.subject_person(sent): 1.0,
        "you_subj": float(cues.second_person_subject(sent)),
        "i_subj": float(cues.first_person_subject(sent)),
        "we": float(cues.we_subject(sent)),
        "imperative": float(cues.imperative(sent)),
        "time": float(cues.time_expression(sent)),
        "day": float(cues.day_expression(sent)),
        "duration": float(cues.duration_promise(sent)),
        "frequency": float(cues.frequency_expression(sent)),
        "number": float(cues.has_number(sent)),
        "hedge": float(cues.hedge(sent)),
        "feel": float(min(cues.feeling_words(sent), 2)),
        "praise": float(cues.praise(sent)),
        "absolutes": float(min(cues.absolutes(sent), 2)),
        "harsh": float(min(cues.harsh_words(sent), 2)),
        "intens": float(min(cues.intensifiers(sent), 2)),
        "shout": float(cues.shouting(sent, skip=quoted)),
        "advice": float(cues.advice_modal(sent)),
        "elaborate": float(cues.elaboration_request(sent)),
        "pos=" + position: 1.0,
        "bias": 1.0,
    }
    fut = cues.future_commitment(sent)
    if fut:
        f["future=" + fut] = 1.0
    m = re.match(r"^(me|you|both|mentor|mentee|i|we)\s*:", text)
    if m:
        f["listlabel=" + ("1" if m.group(1) in ("me", "mentor", "i", "we") else "2" if m.group(1) in
                          ("you", "mentee") else "both")] = 1.0
    # someone else's words quoted in the message are read apart from the writer's own
    if quoted:
        own = cues.norm(" ".join(t.lower_ for t in sent if t.i not in quoted))
        said = cues.norm(" ".join(t.lower_ for t in sent if t.i in quoted))
    else:
        own, said = cues.split_quotes(low)
    for name, p in spec.patterns.items():
        n = len(p.findall(own))
        if n:
            f["lex:" + name] = float(min(n, 2))
        if said and p.search(said):
            f["lexq:" + name] = 1.0
    if quoted:
        f["quote"] = 1.0
        q = sum(1 for t in sent if t.i in quoted and (t.lower_ in cues.HARSH_WORDS or t.lemma_.lower() in cues.HARSH_WORDS))
        f["harsh"] = float(min(max(cues.harsh_words(sent) - q, 0), 2))
        if q:
            f["harsh_quoted"] = 1.0
    names = emoji_names(sent.text)
    for name in names:
        f["emoji=" + name] = 1.0
    if names and not any(t.is_alpha for t in sent):
        f["emoji_only"] = 1.0
    if spec.extra is not None:
        f.update({k: float(v) for k, v in spec.extra(sent).items() if v})
    lem = _lemmas(sent, quoted)
    for w in lem:
        f["w:" + w] = 1.0
    for a, b in zip(lem, lem[1:]):
        f[f"b:{a}_{b}"] = 1.0
    return {k: v for k, v in f.items() if v}


def _positions(n: int) -> list[str]:
    if n == 1:
        return ["only"]
    return ["first"] + ["middle"] * (n - 2) + ["last"]


def doc_features(doc: Doc, spec: SentenceSkill) -> tuple[list[SpacySpan], list[dict[str, float]]]:
    us = units(doc)
    return us, [sentence_features(u, spec, p) for u, p in zip(us, _positions(len(us)))]


def build_pipeline(C: float = 1.0) -> Pipeline:
    """The unfitted estimator: DictVectorizer + one class-balanced logistic regression per component."""
    return Pipeline([
        ("vec", DictVectorizer(sparse=True)),
        ("clf", OneVsRestClassifier(LogisticRegression(C=C, class_weight="balanced", max_iter=5000))),
    ])


def training_units(spec: SentenceSkill, rows, docs) -> tuple[list[dict], np.ndarray, list[tuple[str, int, int]]]:
    """Feature dicts, the label matrix (units x components) and (text id, start, end) of every unit."""
    X, Y, where = [], [], []
    for row, doc in zip(rows, docs):
        us, feats = doc_features(doc, spec)
        for u, f in zip(us, feats):
            a, b, _ = chat.original_span(doc, u.start_char, u.end_char)
            labs = sentence_labels(row.spans, a, b, row.text)
            X.append(f)
            Y.append([int(c in labs) for c in spec.components])
            where.append((row.id, a, b))
    return X, np.array(Y, dtype=int), where


def prune_rare(X: list[dict[str, float]], min_count: int) -> list[dict[str, float]]:
    """Drop word and bigram features seen in fewer than *min_count* units (cue features always stay)."""
    from collections import Counter

    counts = Counter(k for f in X for k in f)
    return [{k: v for k, v in f.items() if not k.startswith(("w:", "b:")) or counts[k] >= min_count} for f in X]


def parse(texts: list[str], progress: bool = False, desc: str = "parsing") -> list[Doc]:
    """Parse *texts* in their normalised form (see :func:`mentorkit.normalise.parse`)."""
    return chat.parse(texts, get_nlp("grader"), progress=progress, desc=desc)


def train(spec: SentenceSkill, root=None, progress: bool = True) -> dict[str, Any]:
    """Fit *spec*'s tagger on the training split of its marked dataset; return the bundle to save."""
    rows = [r for r in read_skill(spec.skill, root) if r.split == "train"]
    docs = parse([r.text for r in rows], progress, f"{spec.skill}: parsing")
    X, Y, where = training_units(spec, rows, docs)
    X = prune_rare(X, MIN_COUNT)
    empty = [c for c, n in zip(spec.components, Y.sum(axis=0)) if n == 0]
    if empty:
        raise MentorkitError(f"{spec.skill}: no training sentence carries {', '.join(empty)}")
    pipe = build_pipeline(spec.C).fit(X, Y)
    groups = [w[0] for w in where]
    meta = {"skill": spec.skill, "feature_version": model_store.FEATURE_VERSION,
            "data_hash": data_hash(root, spec.skill), "n_train_texts": len(rows), "n_train_units": len(X),
            "components": list(spec.components), "calibration": platt_calibration(spec, X, Y, groups)}
    return {"model": pipe, "meta": meta}


def platt_calibration(spec: SentenceSkill, X: list[dict], Y: np.ndarray, groups: list[str],
                      folds: int | None = None) -> dict[str, list]:
    """One Platt map per component (``sigmoid(a * z + b)`` of the linear score *z*), fitted on
    out-of-fold linear scores of the training units (whole texts kept in one fold), so the
    shipped probabilities mean what they say; the decision thresholds are chosen on the same
    calibrated out-of-fold probabilities.

    *folds* defaults to the skill's ``calibration_folds``: intent_tone uses ten, not five, so the
    out-of-fold models are nearly as confident as the final one fitted on all the units (nested
    out-of-fold ECE of its supportive component 0.042 -> 0.035). An
    isotonic map was tried too: a little better calibrated on pooled out-of-fold predictions, but
    its steps follow clusters of near-identical units, and in leave-one-writer-out one step lifted a
    held-out writer's e-mail greeting lines over the harsh threshold; the two-parameter map is kept."""
    from sklearn.model_selection import GroupKFold
    from mentorkit.calibration import fit_platt

    folds = folds or spec.calibration_folds
    z = np.zeros(Y.shape, dtype=float)
    for tr, te in GroupKFold(n_splits=folds).split(X, groups=groups):
        pipe = build_pipeline(spec.C).fit([X[i] for i in tr], Y[tr])
        vec, W, b, _ = model_store.linear_parts(pipe)
        z[te] = np.asarray(vec.transform([X[i] for i in te]) @ W.T + b)
    params, cuts = [], []
    for j in range(Y.shape[1]):
        # fit_platt works on probabilities; pass sigmoid(z) so its logit is z again
        a, c = fit_platt(1.0 / (1.0 + np.exp(-z[:, j])), Y[:, j])
        params.append([round(a, 6), round(c, 6)])
        p = 1.0 / (1.0 + np.exp(-(a * z[:, j] + c)))
        if spec.components[j] in spec.precision_first:
            # chosen on whole texts, as it is used (a text is flagged when any of its units is):
            # a long message has several chances of a false alarm, which a per-unit choice does not see
            tp, ty = _by_text(p, Y[:, j], groups)
            cuts.append(round(_best_threshold(tp, ty, beta=0.5, top=0.8), 4))
        else:
            cuts.append(round(_best_threshold(p, Y[:, j]), 4))
    return {"platt": params, "thresholds": cuts}


def _by_text(p: np.ndarray, y: np.ndarray, groups: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text (*groups* names each unit's text): the highest unit probability, and whether any
    unit carries the component.

    >>> _by_text(np.array([0.2, 0.7, 0.4]), np.array([0, 1, 0]), ["a", "a", "b"])
    (array([0.7, 0.4]), array([1, 0]))
    """
    order = list(dict.fromkeys(groups))
    at = {g: i for i, g in enumerate(order)}
    idx = np.array([at[g] for g in groups])
    top, lab = np.zeros(len(order)), np.zeros(len(order), dtype=int)
    np.maximum.at(top, idx, p)
    np.maximum.at(lab, idx, y.astype(int))
    return top, lab


def _best_threshold(p: np.ndarray, y: np.ndarray, beta: float = 1.0, top: float = 0.5) -> float:
    """The decision threshold (0.2 to *top*) with the best F-beta on out-of-fold calibrated probabilities.

    Calibration makes a probability honest; the decision can still favour recall for a
    component that is rare among sentences, as the class-balanced fit did before (F1), or
    precision where a false alarm costs more (F0.5).

    >>> _best_threshold(np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 1, 0]))
    0.3
    >>> _best_threshold(np.array([0.9, 0.6, 0.3, 0.1]), np.array([1, 0, 0, 0]), beta=0.5, top=0.8)
    0.8
    """
    best, best_f1 = THRESHOLD, -1.0
    b2 = beta * beta
    for t in np.arange(top, 0.195, -0.025):
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f1 = (1 + b2) * tp / max(1.0, b2 * (y == 1).sum() + pred.sum())
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return round(best, 4)


def thresholds(spec: SentenceSkill, bundle: dict[str, Any] | None = None) -> np.ndarray:
    """The decision threshold of each component (from the model's calibration; 0.5 without one)."""
    b = bundle if bundle is not None else model_store.get(spec.skill)
    cal = b["meta"].get("calibration") or {}
    return np.asarray(cal.get("thresholds") or [THRESHOLD] * len(spec.components), dtype=float)


def unit_proba(spec: SentenceSkill, feats: list[dict]) -> np.ndarray:
    """Probability per unit (rows) and component (columns)."""
    if not feats:
        return np.zeros((0, len(spec.components)))
    return model_store.predict_proba(spec.skill, feats)


def tag(spec: SentenceSkill, text: str, doc: Doc | None = None) -> tuple[dict[str, ComponentResult], np.ndarray,
                                                                          list[SpacySpan]]:
    """Component results for *text*, plus the unit probabilities and the units themselves."""
    doc = chat.parse_one(text, doc)
    us, feats = doc_features(doc, spec)
    proba = unit_proba(spec, feats)
    comps: dict[str, ComponentResult] = {}
    where = [chat.original_span(doc, u.start_char, u.end_char) for u in us]
    cut = thresholds(spec)
    for j, c in enumerate(spec.components):
        col = proba[:, j] if len(us) else np.zeros(0)
        conf = float(col.max()) if len(col) else 0.0
        evidence = [Span(a, b, t, c) for (a, b, t), p in zip(where, col) if p >= cut[j] and b > a]
        comps[c] = ComponentResult(c, bool(evidence), conf, evidence)
    return comps, proba, us
