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

from mentorkit.normalise import original_span
from mentorkit.skills import listening
from mentorkit.skills import model as model_store
from mentorkit.skills import tagger
from mentorkit.skills.base import LISTENING_LABELS
from mentorkit.errors import MentorkitError
from mentorkit.skills.corpus import TAGS, datasets_dir, read_listening, read_skill, sentence_labels

__all__ = ["near_miss_kinds", "near_miss_report", "harsh_precision_against", "heldout_predictions", "heldout_report", "listening_cross_source", "skill_cross_source", "group_report",
           "calibration_table", "errors", "softening_report", "cross_validate", "listening_predictions", "listening_report", "listening_confusion", "skill_predictions",
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
    b = _bundle("active_listening", bundle)
    proba = model_store.bundle_proba(b, [listening.utterance_features(d) for d in docs])
    classes = [str(c) for c in b["model"].classes_]
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
    bun = _bundle(skill, bundle)
    out = []
    for row, doc in zip(rows, docs):
        us, feats = tagger.doc_features(doc, spec)
        proba = model_store.bundle_proba(bun, feats) if feats else np.zeros((0, len(spec.components)))
        for u, p in zip(us, proba):
            a, b, utext = original_span(doc, u.start_char, u.end_char)
            labs = sentence_labels(row.spans, a, b, row.text)
            rec = {"id": row.id, "start": a, "end": b, "text": utext}
            rec.update({c: c in labs for c in spec.components})
            rec.update({f"{c}_p": float(p[j]) for j, c in enumerate(spec.components)})
            out.append(rec)
    cols = ["id", "start", "end", "text", *spec.components, *[f"{c}_p" for c in spec.components]]
    return pd.DataFrame(out, columns=cols)


def skill_predictions(skill: str, split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                      units: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per text of *split*: id, style, source (writer file), text, then ``<component>`` (truth)
    and ``<component>_pred`` (some unit reached the component's threshold) per component."""
    spec = _spec(skill)
    rows = [r for r in read_skill(skill, root) if r.split == split]
    u = units if units is not None else skill_unit_predictions(skill, split, root, bundle)
    cut = tagger.thresholds(spec, _bundle(skill, bundle))
    out = []
    for r in rows:
        mine = u[u.id == r.id]
        rec = {"id": r.id, "style": r.style, "source": r.source, "text": r.text, **r.labels}
        for j, c in enumerate(spec.components):
            rec[f"{c}_pred"] = bool((mine[f"{c}_p"] >= cut[j]).any())
        out.append(rec)
    cols = ["id", "style", "source", "text", *spec.components, *[f"{c}_pred" for c in spec.components]]
    return pd.DataFrame(out, columns=cols)


def skill_report(skill: str, split: str = "test", root=None, bundle: dict[str, Any] | None = None,
                 level: str = "text") -> pd.DataFrame:
    """Per-component precision/recall/F1 at ``level="text"`` (whole messages) or ``"unit"`` (sentences)."""
    spec = _spec(skill)
    units = skill_unit_predictions(skill, split, root, bundle)
    if level == "unit":
        truth = {c: units[c].to_numpy(bool) for c in spec.components}
        cut = tagger.thresholds(spec, _bundle(skill, bundle))
        pred = {c: (units[f"{c}_p"] >= cut[j]).to_numpy() for j, c in enumerate(spec.components)}
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


def heldout_predictions(bundle: dict[str, Any] | None = None, root=None) -> pd.DataFrame:
    """Predictions on the held-out listening sets (``datasets/listening/transfer``), leaving out
    the lines that repeat a training line word for word (``repeat_of`` ``src:...``)."""
    p = listening_predictions("transfer", root, bundle)
    rows = {r.id: r.repeat_of for r in read_listening(root, "transfer")}
    keep = ~p["id"].map(rows).fillna("").str.startswith("src:")
    return p[keep].reset_index(drop=True)


def heldout_report(bundle: dict[str, Any] | None = None, root=None) -> pd.DataFrame:
    """Per-label figures on each held-out listening file (``set`` column), then on all of them."""
    p = heldout_predictions(bundle, root)
    frames = []
    for name, g in [*p.groupby("setting", sort=True), ("all", p)]:
        rep = listening_report(preds=g)
        rep.insert(0, "set", name)
        frames.append(rep)
    return pd.concat(frames, ignore_index=True)


def listening_cross_source(root=None) -> pd.DataFrame:
    """Leave-one-file-out for active listening: train on every ``src`` file but one (its training
    split included), predict all of the held-out file. One row per utterance, as
    :func:`listening_predictions`, with the held-out file in ``setting``."""
    rows = read_listening(root)
    docs = listening._parse([r.text for r in rows])
    X = [listening.utterance_features(d) for d in docs]
    y = np.array([r.label for r in rows])
    files = np.array([r.setting for r in rows])
    out = []
    for f in sorted(set(files)):
        tr, te = np.flatnonzero(files != f), np.flatnonzero(files == f)
        Xtr = [X[i] for i in tr]
        pipe = listening.build_pipeline().fit(Xtr, y[tr])
        bundle = {"model": pipe, "meta": {"calibration": {
            "temperature": listening.temperature_calibration(Xtr, list(y[tr]))}}}
        proba = model_store.bundle_proba(bundle, [X[i] for i in te])
        classes = [str(c) for c in pipe.classes_]
        best = proba.argmax(axis=1)
        out.append(pd.DataFrame({"id": [rows[i].id for i in te], "setting": f, "kind": [rows[i].kind for i in te],
                                 "text": [rows[i].text for i in te], "label": y[te],
                                 "predicted": [classes[k] for k in best],
                                 "confidence": proba[np.arange(len(te)), best]}))
    return pd.concat(out, ignore_index=True)


def skill_cross_source(skill: str, root=None) -> pd.DataFrame:
    """Leave-one-writer-file-out for a sentence-level detector: one row per text of each held-out
    file, as :func:`skill_predictions` (truth and ``<component>_pred``)."""
    spec = _spec(skill)
    rows = read_skill(skill, root)
    sources = sorted({r.source for r in rows})
    if len(sources) < 2:
        raise ValueError(f"{skill}: only one source file, nothing to leave out")
    docs = tagger.parse([r.text for r in rows])
    per_text = [tagger.training_units(spec, [r], [d]) for r, d in zip(rows, docs)]
    out = []
    for src in sources:
        tr = [i for i, r in enumerate(rows) if r.source != src]
        te = [i for i, r in enumerate(rows) if r.source == src]
        X = tagger.prune_rare([f for i in tr for f in per_text[i][0]], tagger.MIN_COUNT)
        Y = np.vstack([per_text[i][1] for i in tr if len(per_text[i][1])])
        groups = [w[0] for i in tr for w in per_text[i][2]]
        pipe = tagger.build_pipeline(spec.C).fit(X, Y)
        bundle = {"model": pipe, "meta": {"calibration": tagger.platt_calibration(spec, X, Y, groups)}}
        cut = tagger.thresholds(spec, bundle)
        for i in te:
            feats = per_text[i][0]
            p = model_store.bundle_proba(bundle, feats) if feats else np.zeros((0, len(spec.components)))
            rec = {"id": rows[i].id, "style": rows[i].style, "source": src, "text": rows[i].text, **rows[i].labels}
            for j, c in enumerate(spec.components):
                rec[f"{c}_pred"] = bool(len(p) and (p[:, j] >= cut[j]).any())
            out.append(rec)
    return pd.DataFrame(out)


#: writer T's own note of what each of its intent-and-tone texts was written to be
NEAR_MISS_FILE = "writer_t_kinds.csv"
#: the near misses the issue names: a harsh flag on these is the false alarm that costs most
TARGET_NEAR_MISSES = ("neutral question", "warm boundary or decline")


def near_miss_kinds(root=None) -> pd.DataFrame:
    """Writer T's note of what each of its texts was written to be: one row per text with ``id``,
    ``kind`` (``harsh``, ``neutral question``, ``warm boundary or decline``, ``venting about a
    thing or third party``, ...) and ``second_language`` (0/1).

    The note came from the writer with the texts (``datasets/skills/intent_tone/writer_t_kinds.csv``,
    by file line); training never reads it. A line that names no text of ``writer_t.tsv``, or a
    text without a line, is an error that names the file and the lines.
    """
    path = datasets_dir(root) / "skills" / "intent_tone" / NEAR_MISS_FILE
    if not path.exists():
        raise MentorkitError(f"{path}: writer T's near-miss note not found")
    kinds = pd.read_csv(path, comment="#")
    missing = {"line", "kind", "second_language"} - set(kinds.columns)
    if missing:
        raise MentorkitError(f"{path}: column(s) {sorted(missing)} missing (found {list(kinds.columns)})")
    ids = {int(r.id.rsplit("-", 1)[1]): r.id for r in read_skill("intent_tone", root) if r.source == "writer_t"}
    unknown = sorted(set(kinds.line) - set(ids))
    if unknown:
        raise MentorkitError(f"{path}: line(s) {unknown[:5]} name no text of writer_t.tsv")
    unlisted = sorted(set(ids) - set(kinds.line))
    if unlisted:
        raise MentorkitError(f"{path}: writer_t.tsv line(s) {unlisted[:5]} have no kind")
    twice = sorted(kinds.line[kinds.line.duplicated()].unique())
    if twice:
        raise MentorkitError(f"{path}: line(s) {twice[:5]} listed more than once")
    kinds["id"] = kinds.line.map(ids)
    return kinds[["id", "kind", "second_language"]]


def _with_kinds(preds: pd.DataFrame, root=None) -> pd.DataFrame:
    """Writer T's rows of *preds* with their kind; ``harsh`` and ``harsh_pred`` as booleans (a frame
    read back from CSV may hold 0/1), a missing value refused rather than read as False."""
    missing = {"id", "harsh", "harsh_pred"} - set(preds.columns)
    if missing:
        raise MentorkitError(f"predictions frame: column(s) {sorted(missing)} missing")
    mine = preds.drop(columns=[c for c in ("kind", "second_language") if c in preds.columns])
    mine = mine.merge(near_miss_kinds(root), on="id", how="inner")
    for col in ("harsh", "harsh_pred"):
        if mine[col].isna().any():
            bad = mine.loc[mine[col].isna(), "id"].tolist()
            raise MentorkitError(f"predictions frame: {col} is missing for {bad[:5]}")
        mine[col] = mine[col].astype(bool)
    return mine


def near_miss_report(preds: pd.DataFrame, root=None) -> pd.DataFrame:
    """How often the harsh flag is raised on each kind of writer T's texts.

    *preds* is an intent-and-tone predictions frame (:func:`skill_predictions` on one split, or
    :func:`skill_cross_source`, where writer T's file is predicted by a model that never saw it);
    texts of other writers in it are ignored. One row per kind: ``texts``, ``flagged_harsh`` and
    ``share`` (for the kind ``harsh`` that share is the recall, for every other kind the
    false-alarm rate)."""
    mine = _with_kinds(preds, root)
    out = mine.groupby("kind").harsh_pred.agg(texts="size", flagged_harsh="sum").reset_index()
    out["flagged_harsh"] = out.flagged_harsh.astype(int)
    out["share"] = (out.flagged_harsh / out.texts).round(4)
    return out.sort_values(["kind"]).reset_index(drop=True)


def harsh_precision_against(preds: pd.DataFrame, kinds: tuple[str, ...] = TARGET_NEAR_MISSES,
                            root=None) -> dict[str, float]:
    """Harsh precision on writer T's harsh texts set against its near misses of *kinds* only (by
    default the neutral questions and warm boundaries): of the texts flagged harsh among them,
    the share that are harsh. Also the counts behind it."""
    mine = _with_kinds(preds, root)
    mine = mine[(mine.kind == "harsh") | mine.kind.isin(kinds)]
    tp = int((mine.harsh_pred & mine.harsh).sum())
    fp = int((mine.harsh_pred & ~mine.harsh).sum())
    return {"harsh_texts": int(mine.harsh.sum()), "near_misses": int((~mine.harsh).sum()), "true_flags": tp,
            "false_flags": fp, "precision": round(tp / (tp + fp), 4) if tp + fp else float("nan")}


def group_report(preds: pd.DataFrame, skill: str, by: str = "style") -> pd.DataFrame:
    """F1 per group of *by* (``style`` or ``source``) from a predictions frame: for active listening
    the macro F1 over labels, for the sentence-level detectors the macro over components."""
    rows = []
    for group, g in preds.groupby(by, sort=True):
        if skill == "active_listening":
            rep = listening_report(preds=g)
        else:
            spec = _spec(skill)
            recs = []
            for c in spec.components:
                p, r, f, _ = precision_recall_fscore_support(g[c].astype(bool), g[f"{c}_pred"].astype(bool),
                                                             average="binary", zero_division=0)
                recs.append((skill, c, "text", p, r, f, int(g[c].sum())))
            rep = pd.DataFrame(recs, columns=COLUMNS)
            rep = pd.concat([rep, pd.DataFrame([(skill, "macro", "text", rep.precision.mean(), rep.recall.mean(),
                                                 rep.f1.mean(), int(rep.support.sum()))], columns=COLUMNS)])
        for r in rep.itertuples(index=False):
            rows.append({"by": by, "group": group, "component": r.component, "n": len(g), "f1": round(r.f1, 4)})
    return pd.DataFrame(rows, columns=["by", "group", "component", "n", "f1"])


def calibration_table(skill: str, split: str = "test", root=None, bundle: dict[str, Any] | None = None) -> pd.DataFrame:
    """Expected calibration error of *skill* on *split*: for active listening the top label
    (confidence vs. right or wrong), for the sentence-level detectors each component's unit
    probability, and the components pooled (``all``)."""
    from mentorkit.calibration import expected_calibration_error as ece, top_label

    if skill == "active_listening":
        p = listening_predictions(split, root, bundle)
        correct = (p.label == p.predicted).astype(int)
        return pd.DataFrame([{"skill": skill, "component": "top_label", "n": len(p),
                              "ece": round(ece(correct, p.confidence), 4)}])
    spec = _spec(skill)
    u = skill_unit_predictions(skill, split, root, bundle)
    rows = [{"skill": skill, "component": c, "n": len(u), "ece": round(ece(u[c].astype(int), u[f"{c}_p"]), 4)}
            for c in spec.components]
    y = np.concatenate([u[c].astype(int) for c in spec.components])
    pr = np.concatenate([u[f"{c}_p"] for c in spec.components])
    rows.append({"skill": skill, "component": "all", "n": len(y), "ece": round(ece(y, pr), 4)})
    return pd.DataFrame(rows)
