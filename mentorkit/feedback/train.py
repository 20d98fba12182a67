"""Train and evaluate the SBI grader from ``datasets/sbi`` (one reproducible command).

``mentorkit train-grader`` runs :func:`train`: rebuild ``corpus.jsonl`` from the
marked-up sources, parse every statement, fit the model on the fixed ``train``
split, score it on the ``test`` split and save the model and the figures.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError
from mentorkit.feedback import corpus as corpus_mod
from mentorkit.feedback import cues
from mentorkit.feedback.model import PART_NAMES, SBIModel, token_labels

__all__ = ["corpus_dir", "load_corpus", "featurise", "train", "evaluate", "part_metrics"]


def corpus_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "datasets" / "sbi"


def load_corpus(path: str | Path | None = None) -> pd.DataFrame:
    """The labelled corpus as a DataFrame (one row per statement), rebuilt from ``src/``."""
    root = Path(path) if path else corpus_dir()
    src = root / "src"
    if not src.is_dir():
        raise MentorkitError(f"{src}: corpus source folder not found")
    rows = corpus_mod.build(src)
    if not rows:
        raise MentorkitError(f"{src}: no statements found in *.tsv files")
    return pd.DataFrame([r.to_dict() for r in rows])


def featurise(texts, spans=None, batch_size: int = 128, progress: bool = False):
    """Parse *texts*; return token features, statement cue flags and (with *spans*) token labels."""
    from mentorkit.nlp import get_nlp
    nlp = get_nlp("grader")
    docs = nlp.pipe(list(texts), batch_size=batch_size)
    if progress:
        from tqdm import tqdm
        docs = tqdm(docs, total=len(texts), desc="parsing", unit="stmt")
    feats, labels, flags = [], [], []
    for i, doc in enumerate(docs):
        feats.append(cues.token_features(doc))
        flags.append(cues.doc_cues(doc))
        if spans is not None:
            labels.append(token_labels(doc, spans[i]))
    return feats, np.array(flags, dtype=float).reshape(len(feats), len(cues.DOC_CUES)), labels


def part_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1 and support per part (tidy: one row per part)."""
    from sklearn.metrics import precision_recall_fscore_support
    rows = []
    for k, name in enumerate(PART_NAMES):
        p, r, f, _ = precision_recall_fscore_support(y_true[:, k], y_pred[:, k], average="binary", zero_division=0)
        rows.append({"part": name, "precision": round(float(p), 4), "recall": round(float(r), 4),
                     "f1": round(float(f), 4), "support": int(y_true[:, k].sum()), "n": int(len(y_true))})
    return pd.DataFrame(rows)


def evaluate(model: SBIModel, df: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-part metrics of *model* on the statements in *df*; also the predictions (n x 4)."""
    feats, flags, _ = featurise(df["text"].tolist())
    tagged = model.predict_docs(feats, flags)
    pred = np.array([(t.part_proba >= 0.5).astype(int) for t in tagged])
    truth = df[list(PART_NAMES)].to_numpy().astype(int)
    return part_metrics(truth, pred), pred


def train(corpus: str | Path | None = None, out: str | Path | None = None, progress: bool = True) -> dict:
    """Fit on the train split, evaluate on the test split, save the model and metrics.

    Returns a dict with the model path, the metrics table (records) and corpus counts.
    """
    from mentorkit.feedback.grade import model_path
    root = Path(corpus) if corpus else corpus_dir()
    df = load_corpus(root)
    corpus_mod.build(root / "src", root / "corpus.jsonl")
    train_df = df[df["split"] == "train"].reset_index(drop=True)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    feats, flags, labels = featurise(train_df["text"].tolist(), train_df["spans"].tolist(), progress=progress)
    y = train_df[list(PART_NAMES)].to_numpy().astype(int)
    model = SBIModel().fit(feats, labels, y, flags, progress=progress)
    target = Path(out) if out else model_path()
    model.save(target)
    metrics, _ = evaluate(model, test_df)
    summary = corpus_mod.summary([corpus_mod.Statement(**r) for r in df.to_dict("records")])
    result = {"model": str(target), "metrics": metrics.to_dict("records"), "corpus": summary,
              "n_train": len(train_df), "n_test": len(test_df)}
    (root / "metrics.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    from mentorkit.feedback import grade
    grade._model.cache_clear()
    return result


def cross_source(corpus: str | Path | None = None) -> pd.DataFrame:
    """Leave-one-writer-out: train on every source file but one, test on that one (all its statements).

    The source files were written separately, so this estimates how the grader does on a
    writer whose phrasing it has never seen. One row per (held-out file, part).
    """
    df = load_corpus(corpus)
    df["source"] = df["id"].str.rsplit("-", n=1).str[0]
    feats, flags, labels = featurise(df["text"].tolist(), df["spans"].tolist())
    y = df[list(PART_NAMES)].to_numpy().astype(int)
    out = []
    for source in sorted(df["source"].unique()):
        tr = np.flatnonzero(df["source"].to_numpy() != source)
        te = np.flatnonzero(df["source"].to_numpy() == source)
        model = SBIModel().fit([feats[i] for i in tr], [labels[i] for i in tr], y[tr], flags[tr])
        tagged = model.predict_docs([feats[i] for i in te], flags[te])
        pred = np.array([(t.part_proba >= 0.5).astype(int) for t in tagged])
        m = part_metrics(y[te], pred)
        m.insert(0, "held_out", source)
        out.append(m)
    return pd.concat(out, ignore_index=True)


def evaluate_packaged(corpus: str | Path | None = None) -> pd.DataFrame:
    """Per-part precision, recall and F1 of the packaged grader on the fixed test split (no training).

    What ``make evaluate`` prints for the SBI grader; ``train`` writes the same figures after fitting.
    """
    from mentorkit.feedback.grade import model_path

    df = load_corpus(corpus)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    metrics, _ = evaluate(SBIModel.load(model_path()), test_df)
    return metrics
