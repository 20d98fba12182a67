"""Look inside the grader: token probabilities, confusion matrices and errors (tidy DataFrames)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from mentorkit.feedback import cues
from mentorkit.feedback.model import PART_NAMES

__all__ = ["token_table", "confusion_table", "error_table", "by_group"]


def token_table(text: str) -> pd.DataFrame:
    """One row per token: the cues that fired and each part's token probability.

    Examples
    --------
    >>> t = token_table("In Monday's call you cut Ana off.")
    >>> list(t.columns)[:3]
    ['token', 'dep', 'cues']
    """
    from mentorkit.feedback.grade import _model
    from mentorkit.nlp import get_nlp
    doc = get_nlp("grader")(text)
    feats = cues.token_features(doc)
    flags = np.array([cues.doc_cues(doc)])
    tagged = _model().predict_docs([feats], flags)[0]
    rows = []
    for t, f, p in zip(doc, feats, tagged.probs):
        rows.append({"token": t.text, "dep": t.dep_, "cues": ", ".join(x for x in f if x.startswith(("c:", "pp:", "ccop", "cneg"))),
                     **{f"p_{name}": round(float(v), 3) for name, v in zip(PART_NAMES, p)}})
    return pd.DataFrame(rows)


def confusion_table(truth: pd.DataFrame, pred: np.ndarray) -> pd.DataFrame:
    """Per part: true/false positives and negatives (one row per part)."""
    rows = []
    for k, name in enumerate(PART_NAMES):
        y = truth[name].to_numpy().astype(int)
        p = pred[:, k]
        rows.append({"part": name, "tp": int(((y == 1) & (p == 1)).sum()), "fp": int(((y == 0) & (p == 1)).sum()),
                     "fn": int(((y == 1) & (p == 0)).sum()), "tn": int(((y == 0) & (p == 0)).sum())})
    return pd.DataFrame(rows)


def error_table(truth: pd.DataFrame, pred: np.ndarray) -> pd.DataFrame:
    """Statements where any part was decided wrongly, with what was expected and what came out."""
    rows = []
    for i, r in enumerate(truth.itertuples()):
        wrong = [name for k, name in enumerate(PART_NAMES) if int(getattr(r, name)) != int(pred[i, k])]
        if wrong:
            rows.append({"id": r.id, "text": r.text,
                         "expected": "".join(n[0].upper() if getattr(r, n) else "-" for n in PART_NAMES),
                         "predicted": "".join(n[0].upper() if pred[i, k] else "-" for k, n in enumerate(PART_NAMES)),
                         "wrong": ", ".join(wrong)})
    return pd.DataFrame(rows, columns=["id", "text", "expected", "predicted", "wrong"])


def by_group(truth: pd.DataFrame, pred: np.ndarray, column: str) -> pd.DataFrame:
    """Accuracy of each part within each value of *column* (style, setting, polarity ...)."""
    rows = []
    for value, idx in truth.groupby(column).indices.items():
        row = {column: value, "n": len(idx)}
        for k, name in enumerate(PART_NAMES):
            row[f"acc_{name}"] = round(float((truth[name].to_numpy()[idx].astype(int) == pred[idx, k]).mean()), 3)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("n", ascending=False, ignore_index=True)
