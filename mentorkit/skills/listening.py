"""Active listening: label a mentor utterance as reflection, open question, closed question,
advice (or information) or other.

The label is the speaker's intent, not the punctuation: "You're feeling stuck?" is a
reflection said with a rising tone, "Have you thought about asking Ravi?" is advice,
"Can you tell me more about that?" is an open question.

Features are cues from the parse of the utterance's main sentence (the last one that is
not a listening noise such as "Mm-hmm."): question form, wh-word and whether it asks for
a fact, inversion, invitations to elaborate, reflection stems, who the subject is, feeling
words, advice modals, imperatives, praise and self-disclosure. They feed a multinomial
logistic regression trained on ``datasets/listening``.

For :func:`detect`, ``present`` means the utterance is a listening response (reflection or
open question) and ``score`` is the model's probability of that; each component is also
checked sentence by sentence, so a reply that reflects and then asks shows both.

>>> classify_utterances(["It sounds like you're worn out by the late calls."])[0][0]
'reflection'
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from spacy.tokens import Doc

from mentorkit.nlp import get_nlp
from mentorkit.skills import cues
from mentorkit.skills import model as model_store
from mentorkit.skills.base import COMPONENTS, LISTENING_LABELS, ComponentResult, SkillResult, Span
from mentorkit.skills.corpus import data_hash, read_listening

__all__ = ["utterance_features", "main_sentence", "classify_utterances", "classify_docs", "detect", "train",
           "build_pipeline"]

SKILL = "active_listening"
_OPEN_POS = {"PRON", "AUX", "SCONJ", "CCONJ", "ADP", "DET", "PART", "INTJ"}


def main_sentence(doc: Doc):
    """The sentence that carries the utterance's act: the last one that is not a backchannel."""
    sents = list(doc.sents)
    for s in reversed(sents):
        if cues.content_tokens(s) and not cues.backchannel(s):
            return s
    return sents[-1] if sents else doc[:]


def _bucket(n: int, edges: Sequence[int]) -> str:
    for e in edges:
        if n <= e:
            return f"<={e}"
    return f">{edges[-1]}"


def sentence_cues(sent) -> dict[str, Any]:
    """The cue values of one sentence (no prefix)."""
    toks = cues.opening(sent)
    first = toks[0] if toks else None
    if first is None:
        open1 = "EMPTY"
    elif first.pos_ in _OPEN_POS or first.lower_ in cues.WH_WORDS or first.tag_ == "MD":
        open1 = first.lower_
    else:
        open1 = first.pos_
    raw = cues.content_tokens(sent)
    question = cues.is_question(sent)
    subj = cues.subject_person(sent)
    starts_so = bool(raw) and raw[0].lower_ == "so"
    root = next((t for t in sent if t.dep_ == "ROOT"), None)
    modal = root is not None and any(c.dep_ == "aux" and c.tag_ == "MD" for c in root.children)
    return {
        # "So is she staying with you?" asks; "So she's staying with you?" may say back: the form decides
        "so&inverted": starts_so and cues.inverted_aux(sent),
        "so&decl_q": starts_so and cues.declarative_question(sent),
        "so&wh": starts_so and bool(cues.wh_opening(sent)),
        # information given as a plain statement about the world: "Regular walking can cut that risk"
        "inform&modal": not question and subj == "3" and modal,
        "inform&present": not question and subj == "3" and root is not None and root.tag_ in ("VBZ", "VBP"),
        "inform&general": not question and cues.generalisation(sent) > 0 and subj != "2",
        "question": cues.is_question(sent),
        "wh=" + (cues.wh_opening(sent) or "none"): True,
        "closed_wh": cues.closed_wh(sent),
        "inverted": cues.inverted_aux(sent),
        "either_or": cues.either_or(sent),
        "elaborate": cues.elaboration_request(sent),
        "suggest_q": cues.suggestion_question(sent),
        "decl_q": cues.declarative_question(sent),
        "refl_stem": cues.reflection_stem(sent),
        "subj=" + cues.subject_person(sent): True,
        "you_subj": cues.second_person_subject(sent),
        "i_subj": cues.first_person_subject(sent),
        "feel": min(cues.feeling_words(sent), 3),
        "advice": cues.advice_modal(sent),
        "imperative": cues.imperative(sent),
        "greet": cues.greeting_or_thanks(sent),
        "backchannel": cues.backchannel(sent),
        "praise": cues.praise(sent),
        "self_disc": cues.self_disclosure(sent),
        "general": min(cues.generalisation(sent), 2),
        "number": cues.has_number(sent),
        "hedge": cues.hedge(sent),
        "len=" + _bucket(cues.n_tokens(sent), (2, 4, 7, 12, 20)): True,
        "open1=" + open1: True,
        "pos2=" + "_".join(t.pos_ for t in toks[:2]): True,
        "starts_so": bool(raw) and raw[0].lower_ == "so",
    }


def utterance_features(doc: Doc) -> dict[str, float]:
    """Feature dict of one parsed utterance: the main sentence's cues (``m:``), any sentence's (``any:``).

    >>> f = utterance_features(get_nlp("grader")("Okay. Did you tell her?"))
    >>> f["m:inverted"], f["n_sents=<=2"]
    (1.0, 1.0)
    """
    sents = [s for s in doc.sents if cues.content_tokens(s)] or [doc[:]]
    main = main_sentence(doc)
    feats: dict[str, float] = {}
    for k, v in sentence_cues(main).items():
        if v:
            feats["m:" + k] = float(v)
    for s in sents:
        c = sentence_cues(s)
        for k in ("question", "advice", "refl_stem", "praise", "greet", "elaborate", "suggest_q", "self_disc",
                  "imperative", "inverted"):
            if c[k]:
                feats["any:" + k] = 1.0
    feats["n_sents=" + _bucket(len(sents), (1, 2, 3))] = 1.0
    if all(cues.backchannel(s) for s in sents):
        feats["all_backchannel"] = 1.0
    # the move after a backchannel ("Right. Where are you up to with it?") is the turn's move
    before = [s for s in sents if s.end <= main.start]
    if before and all(cues.backchannel(s) for s in before):
        feats["after_backchannel"] = 1.0
        if cues.is_question(main):
            feats["after_backchannel&q=" + (cues.wh_opening(main) or "yn")] = 1.0
    # a long turn that gives information and then asks: both moves are there, the last one counts
    if len(sents) > 1 and cues.is_question(main) and any(not cues.is_question(s) and not cues.backchannel(s)
                                                         for s in before):
        feats["statement_then_question"] = 1.0
    return feats


def build_pipeline() -> Pipeline:
    """The unfitted estimator: a DictVectorizer over the cue features and a multinomial logistic regression."""
    return Pipeline([
        ("vec", DictVectorizer(sparse=True)),
        ("clf", LogisticRegression(C=1.0, max_iter=5000)),
    ])


def train(root=None, progress: bool = True) -> dict[str, Any]:
    """Fit on the training split of ``datasets/listening``; return the bundle to save."""
    rows = read_listening(root)
    train_rows = [r for r in rows if r.split == "train"]
    docs = _parse([r.text for r in train_rows], progress=progress, desc="listening: parsing")
    X = [utterance_features(d) for d in docs]
    y = [r.label for r in train_rows]
    pipe = build_pipeline().fit(X, y)
    meta = {"skill": SKILL, "feature_version": model_store.FEATURE_VERSION, "data_hash": data_hash(root, SKILL),
            "n_train": len(train_rows), "labels": [str(c) for c in pipe.classes_],
            "calibration": {"temperature": round(temperature_calibration(X, y), 6)}}
    return {"model": pipe, "meta": meta}


def temperature_calibration(X: list[dict], y: list[str], folds: int = 5) -> float:
    """The temperature that makes out-of-fold probabilities of the training split honest."""
    from sklearn.model_selection import StratifiedKFold
    from mentorkit.calibration import fit_temperature

    y = np.asarray(y)
    classes = sorted(set(y))
    z = np.zeros((len(y), len(classes)))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y):
        pipe = build_pipeline().fit([X[i] for i in tr], y[tr])
        vec, W, b, _ = model_store.linear_parts(pipe)
        z[te] = np.asarray(vec.transform([X[i] for i in te]) @ W.T + b)
    return fit_temperature(z, [classes.index(v) for v in y])


def _parse(texts: list[str], progress: bool = False, desc: str = "parsing", batch_size: int = 64) -> list[Doc]:
    from mentorkit.normalise import parse
    return parse(texts, get_nlp("grader"), batch_size=batch_size, progress=progress and len(texts) > 200, desc=desc)


def _predict(features: list[dict]) -> tuple[np.ndarray, list[str]]:
    pipe = model_store.get(SKILL)["model"]
    proba = model_store.predict_proba(SKILL, features)
    return proba, [str(c) for c in pipe.classes_]


def classify_docs(docs: Sequence[Doc]) -> list[tuple[str, float]]:
    """(label, confidence) for each parsed utterance; empty ones are ``("other", 1.0)``."""
    out: list[tuple[str, float] | None] = [None] * len(docs)
    feats, where = [], []
    for i, d in enumerate(docs):
        if not d.text.strip():
            out[i] = ("other", 1.0)
        else:
            feats.append(utterance_features(d))
            where.append(i)
    if feats:
        proba, classes = _predict(feats)
        for i, p in zip(where, proba):
            k = int(np.argmax(p))
            out[i] = (classes[k], float(p[k]))
    return out  # type: ignore[return-value]


def classify_utterances(texts: Iterable[str], batch_size: int = 64) -> list[tuple[str, float]]:
    """Label each mentor utterance; return ``(label, confidence)`` pairs in order.

    *label* is one of reflection, open_question, closed_question, advice, other;
    *confidence* is the model's probability of that label.

    >>> [lab for lab, _ in classify_utterances(["Have you thought about asking Ravi?", "Did you sleep?"])]
    ['advice', 'closed_question']
    """
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            from mentorkit.errors import MentorkitError
            raise MentorkitError(f"utterance {i + 1}: expected text, got {type(t).__name__}")
    return classify_docs(_parse(texts, batch_size=batch_size))


def detect(text: str, doc: Doc | None = None) -> SkillResult:
    """Active-listening result for one mentor reply (see the module docstring).

    >>> r = detect("It sounds like the move has been hard. What's been toughest?")
    >>> r.components["reflection"].present, r.components["open_question"].present
    (True, True)
    """
    from mentorkit.normalise import original_span, parse_one
    comps = {c: ComponentResult(c, False, 0.0, []) for c in COMPONENTS[SKILL]}
    doc = parse_one(text, doc)
    if not doc.text.strip():
        return SkillResult(SKILL, False, 0.0, comps, label="other", text=text)
    sents = [s for s in doc.sents if cues.content_tokens(s)]
    units = [doc] + [s.as_doc() for s in sents] if len(sents) > 1 else [doc]
    proba, classes = _predict([utterance_features(u) for u in units])
    whole = proba[0]
    label = classes[int(np.argmax(whole))]
    idx = {c: classes.index(c) for c in LISTENING_LABELS}
    spans_of = [original_span(doc, s.start_char, s.end_char) for s in sents] if len(sents) > 1 else \
        [original_span(doc, main_sentence(doc).start_char, main_sentence(doc).end_char)]
    per_sent = proba[1:] if len(sents) > 1 else proba[:1]
    for c in COMPONENTS[SKILL]:
        conf = float(max(whole[idx[c]], per_sent[:, idx[c]].max()))
        evidence = [Span(a, b, t, c) for (a, b, t), p in zip(spans_of, per_sent)
                    if classes[int(np.argmax(p))] == c]
        if label == c and not evidence:
            m = main_sentence(doc)
            evidence = [Span(*original_span(doc, m.start_char, m.end_char), c)]
        comps[c] = ComponentResult(c, bool(evidence), conf, evidence)
    listening = float(whole[idx["reflection"]] + whole[idx["open_question"]])
    return SkillResult(SKILL, label in ("reflection", "open_question"), listening, comps, label=label,
                       details={"probabilities": {c: round(float(whole[idx[c]]), 4) for c in LISTENING_LABELS}},
                       text=text)
