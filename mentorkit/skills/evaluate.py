"""Test-split figures for every skill detector, as tidy DataFrames.

* :func:`listening_report` -- per-label precision/recall/F1 (+ macro average) and
  :func:`listening_confusion` -- the confusion matrix (rows: truth, columns: prediction).
* :func:`skill_report` -- per-component precision/recall/F1 of a sentence-level detector,
  at the text level (is the component anywhere in the message: what ``detect`` reports)
  or the unit level (each sentence).
* :func:`predictions` -- one row per test item with truth and prediction, for error analysis.
* :func:`report_all` -- every detector in one frame (what ``mentorkit train-skills`` prints).

All of them score the packaged models unless a freshly trained ``bundle`` is passed.

>>> rep = listening_report()
>>> list(rep.columns)
['skill', 'component', 'level', 'precision', 'recall', 'f1', 'support']
"""
from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from mentorkit.skills import listening
from mentorkit.skills import model as model_store
from mentorkit.skills import tagger
from mentorkit.skills.base import LISTENING_LABELS
from mentorkit.skills.corpus import TAGS, read_listening, read_skill, sentence_labels

__all__ = ["errors", "softening_report", "cross_validate", "listening_predictions", "listening_report", "listening_confusion", "skill_predictions",
           "skill_unit_predictions", "skill_report", "predictions", "report_all", "SENTENCE_SKILLS"]

SENTENCE_SKILLS: tuple[str, ...] = tuple(TAGS)
COLUMNS = ["skill", "component", "level", "precision", "recall", "f1", "support"]


def _spec(skill: str) -> tagger.SentenceSkill:
    return importlib.import_module(f"mentorkit.skills.{skill}").SPEC


def _bundle(skill: str, bundle: dict[str, Any] | None) -> dict[str, Any]:
    return bundle if bundle is not None else model_store.get(skill)


def listening_predictions(split: str = "test", root=None, bundle: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per utterance of *split* (``"test"``, ``"train"`` or ``"transfer"``): id, setting, kind,
    text, label (truth), predicted, confidence."""
    rows = [r for r in read_listening(root, "transfer" if split == "transfer" else "src") if r.split == split]
    docs = listening._parse([r.text for r in rows])
    pipe = _bundle("active_listening", bundle)["model"]
    proba = pipe.predict_proba([listening.utterance_features(d) for d in docs])
    classes = [str(c) for c in pipe.classes_]
    best = proba.argmax(axis=1)
    return pd.DataFrame({
        "id": [r.id for r in rows], "setting": [r.setting for r in rows], "kind": [r.kind for r in rows],
        "text": [r.text for r in rows], "label": [r.label for r in rows],
        "predicted": [classes[k] for k in best], "confidence": proba[np.arange(len(rows)), best],
    })


def listening_report(split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                     preds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-label precision, recall, F1 and support on *split*, plus a ``macro`` row."""
    p = preds if preds is not None else listening_predictions(split, root, bundle)
    labels = list(LISTENING_LABELS)
    prec, rec, f1, sup = precision_recall_fscore_support(p.label, p.predicted, labels=labels, zero_division=0)
    rows = [("active_listening", lab, "utterance", prec[i], rec[i], f1[i], int(sup[i])) for i, lab in enumerate(labels)]
    rows.append(("active_listening", "macro", "utterance", prec.mean(), rec.mean(), f1.mean(), int(sup.sum())))
    return pd.DataFrame(rows, columns=COLUMNS)


def listening_confusion(split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                        preds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Confusion matrix on *split*: rows are the true labels, columns the predicted ones."""
    p = preds if preds is not None else listening_predictions(split, root, bundle)
    labels = list(LISTENING_LABELS)
    m = confusion_matrix(p.label, p.predicted, labels=labels)
    return pd.DataFrame(m, index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted"))


def skill_unit_predictions(skill: str, split: str = "test", root=None,
                           bundle: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per unit (sentence or line) of *split*: id, start, end, text, then ``<component>`` (truth)
    and ``<component>_p`` (probability) per component."""
    spec = _spec(skill)
    rows = [r for r in read_skill(skill, root) if r.split == split]
    docs = tagger.parse([r.text for r in rows])
    pipe = _bundle(skill, bundle)["model"]
    out = []
    for row, doc in zip(rows, docs):
        us, feats = tagger.doc_features(doc, spec)
        proba = pipe.predict_proba(feats) if feats else np.zeros((0, len(spec.components)))
        for u, p in zip(us, proba):
            labs = sentence_labels(row.spans, u.start_char, u.end_char, row.text)
            rec = {"id": row.id, "start": u.start_char, "end": u.end_char, "text": u.text}
            rec.update({c: c in labs for c in spec.components})
            rec.update({f"{c}_p": float(p[j]) for j, c in enumerate(spec.components)})
            out.append(rec)
    cols = ["id", "start", "end", "text", *spec.components, *[f"{c}_p" for c in spec.components]]
    return pd.DataFrame(out, columns=cols)


def skill_predictions(skill: str, split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                      units: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per text of *split*: id, style, text, then ``<component>`` (truth) and
    ``<component>_pred`` (some unit reached the threshold) per component."""
    spec = _spec(skill)
    rows = [r for r in read_skill(skill, root) if r.split == split]
    u = units if units is not None else skill_unit_predictions(skill, split, root, bundle)
    out = []
    for r in rows:
        mine = u[u.id == r.id]
        rec = {"id": r.id, "style": r.style, "text": r.text, **r.labels}
        for c in spec.components:
            rec[f"{c}_pred"] = bool((mine[f"{c}_p"] >= tagger.THRESHOLD).any())
        out.append(rec)
    cols = ["id", "style", "text", *spec.components, *[f"{c}_pred" for c in spec.components]]
    return pd.DataFrame(out, columns=cols)


def skill_report(skill: str, split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                 level: str = "text") -> pd.DataFrame:
    """Per-component precision/recall/F1 at ``level="text"`` (whole messages) or ``"unit"`` (sentences)."""
    spec = _spec(skill)
    units = skill_unit_predictions(skill, split, root, bundle)
    if level == "unit":
        truth = {c: units[c].to_numpy(bool) for c in spec.components}
        pred = {c: (units[f"{c}_p"] >= tagger.THRESHOLD).to_numpy() for c in spec.components}
    elif level == "text":
        texts = skill_predictions(skill, split, root, bundle, units=units)
        truth = {c: texts[c].to_numpy(bool) for c in spec.components}
        pred = {c: texts[f"{c}_pred"].to_numpy(bool) for c in spec.components}
    else:
        raise ValueError(f"level must be 'text' or 'unit', not {level!r}")
    rows = []
    for c in spec.components:
        p, r, f, s = precision_recall_fscore_support(truth[c], pred[c], average="binary", zero_division=0)
        rows.append((skill, c, level, p, r, f, int(truth[c].sum())))
    df = pd.DataFrame(rows, columns=COLUMNS)
    macro = (skill, "macro", level, df.precision.mean(), df.recall.mean(), df.f1.mean(), int(df.support.sum()))
    return pd.concat([df, pd.DataFrame([macro], columns=COLUMNS)], ignore_index=True)


def predictions(skill: str, split: str = "test", root=None) -> pd.DataFrame:
    """Test-split predictions of *skill* (utterances for active_listening, texts otherwise)."""
    if skill == "active_listening":
        return listening_predictions(split, root)
    return skill_predictions(skill, split, root)


def report_all(split: str = "test", root=None, bundles: dict[str, dict[str, Any]] | None = None,
               level: str = "text") -> pd.DataFrame:
    """Every trained detector's figures on *split* in one tidy frame."""
    bundles = bundles or {}
    frames = [listening_report(split, root, bundles.get("active_listening"))]
    frames += [skill_report(s, split, root, bundles.get(s), level) for s in SENTENCE_SKILLS]
    return pd.concat(frames, ignore_index=True)


def cross_validate(skill: str, folds: int = 5, seed: int = 0, root=None) -> pd.DataFrame:
    """F1 per label/component, averaged over *folds* cross-validation folds of all the data
    (train and test splits together, whole texts kept in one fold).

    Steadier than the small fixed test split; used for the data cards. Deterministic for a
    given *seed*.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    rows_out = []
    if skill == "active_listening":
        rows = read_listening(root)
        docs = listening._parse([r.text for r in rows])
        X = [listening.utterance_features(d) for d in docs]
        y = np.array([r.label for r in rows])
        split = StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y)
        scores = []
        for tr, te in split:
            pipe = listening.build_pipeline().fit([X[i] for i in tr], y[tr])
            pred = pipe.predict([X[i] for i in te])
            _, _, f1, _ = precision_recall_fscore_support(y[te], pred, labels=list(LISTENING_LABELS), zero_division=0)
            scores.append(f1)
        m = np.mean(scores, axis=0)
        rows_out = [(skill, lab, "utterance", float(m[i])) for i, lab in enumerate(LISTENING_LABELS)]
        rows_out.append((skill, "macro", "utterance", float(m.mean())))
        return pd.DataFrame(rows_out, columns=["skill", "component", "level", "f1_cv"])
    spec = _spec(skill)
    rows = read_skill(skill, root)
    docs = tagger.parse([r.text for r in rows])
    per_text = [tagger.training_units(spec, [r], [d]) for r, d in zip(rows, docs)]
    truth = np.array([[r.labels[c] for c in spec.components] for r in rows])
    scores = []
    for tr, te in KFold(folds, shuffle=True, random_state=seed).split(rows):
        X = [f for i in tr for f in per_text[i][0]]
        Y = np.vstack([per_text[i][1] for i in tr if len(per_text[i][1])])
        pipe = tagger.build_pipeline(spec.C).fit(tagger.prune_rare(X, tagger.MIN_COUNT), Y)
        pred = np.array([(pipe.predict_proba(per_text[i][0]) >= tagger.THRESHOLD).any(axis=0)
                         if per_text[i][0] else np.zeros(len(spec.components), bool) for i in te])
        f1 = [precision_recall_fscore_support(truth[te, j], pred[:, j], average="binary", zero_division=0)[2]
              for j in range(len(spec.components))]
        scores.append(f1)
    m = np.mean(scores, axis=0)
    rows_out = [(skill, c, "text", float(m[j])) for j, c in enumerate(spec.components)]
    rows_out.append((skill, "macro", "text", float(m.mean())))
    return pd.DataFrame(rows_out, columns=["skill", "component", "level", "f1_cv"])


def errors(skill: str, split: str = "test", root=None) -> pd.DataFrame:
    """The items of *split* the detector gets wrong: id, text, ``missed`` (true labels not found)
    and ``extra`` (labels found that are not there), each a comma-separated string.

    >>> list(errors("boundaries").columns)
    ['id', 'text', 'missed', 'extra']
    """
    cols = ["id", "text", "missed", "extra"]
    if skill == "active_listening":
        p = listening_predictions(split, root)
        bad = p[p.label != p.predicted]
        return pd.DataFrame({"id": bad.id, "text": bad.text, "missed": bad.label, "extra": bad.predicted},
                            columns=cols).reset_index(drop=True)
    spec = _spec(skill)
    p = skill_predictions(skill, split, root)
    out = []
    for r in p.itertuples(index=False):
        d = r._asdict()
        missed = [c for c in spec.components if d[c] and not d[f"{c}_pred"]]
        extra = [c for c in spec.components if d[f"{c}_pred"] and not d[c]]
        if missed or extra:
            out.append({"id": d["id"], "text": d["text"], "missed": ", ".join(missed), "extra": ", ".join(extra)})
    return pd.DataFrame(out, columns=cols)


def softening_report(split: str = "test", root=None) -> pd.DataFrame:
    """Every harsh message of the intent_tone *split*, its suggested softer phrasing, and whether
    the detector still reads the suggestion as harsh (``harsh_after``)."""
    from mentorkit.skills import intent_tone

    rows = [r for r in read_skill("intent_tone", root) if r.split == split and r.labels["harsh"]]
    out = []
    for r in rows:
        res = intent_tone.detect(r.text)
        after = intent_tone.detect(res.suggestion).components["harsh"].present if res.suggestion else None
        out.append({"id": r.id, "text": r.text, "detected_harsh": res.components["harsh"].present,
                     "suggestion": res.suggestion, "harsh_after": after})
    return pd.DataFrame(out, columns=["id", "text", "detected_harsh", "suggestion", "harsh_after"])
