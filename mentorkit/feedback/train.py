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

__all__ = ["corpus_dir", "load_corpus", "featurise", "normalised_spans", "train", "evaluate", "part_metrics",
           "cross_source", "cross_source_predictions", "praise_labels", "group_metrics", "predict_proba", "calibration_report",
           "save_cross_source", "cross_source_report", "evaluate_packaged", "second_reader_agreement"]


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
    from mentorkit.normalise import normalise
    nlp = get_nlp("grader")
    norms = [normalise(t) for t in texts]
    docs = nlp.pipe([n.text for n in norms], batch_size=batch_size)
    if progress:
        from tqdm import tqdm
        docs = tqdm(docs, total=len(norms), desc="parsing", unit="stmt")
    feats, labels, flags = [], [], []
    for i, doc in enumerate(docs):
        feats.append(cues.token_features(doc))
        flags.append(cues.doc_cues(doc))
        if spans is not None:
            labels.append(token_labels(doc, normalised_spans(norms[i], spans[i])))
    return feats, np.array(flags, dtype=float).reshape(len(feats), len(cues.DOC_CUES)), labels


def normalised_spans(norm, spans) -> list[dict]:
    """Gold *spans* (offsets into the text as written) moved onto the normalised text; a span whose
    characters were all taken out (an emoji) is dropped."""
    out = []
    for sp in spans:
        moved = norm.from_original(sp["start"], sp["end"])
        if moved is not None:
            out.append({**sp, "start": moved[0], "end": moved[1]})
    return out


def praise_labels(df: pd.DataFrame) -> np.ndarray:
    """1 where a statement's writer recorded its polarity as ``praise``: what the grader's praise
    reader learns (a statement is praise, or criticism, mixed or neutral)."""
    return (df["polarity"] == "praise").to_numpy().astype(int)


def part_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> pd.DataFrame:
    """Precision, recall, F1 and support per part (tidy: one row per part)."""
    from sklearn.metrics import precision_recall_fscore_support
    rows = []
    for k, name in enumerate(PART_NAMES):
        p, r, f, _ = precision_recall_fscore_support(y_true[:, k], y_pred[:, k], average="binary", zero_division=0)
        rows.append({"part": name, "precision": round(float(p), 4), "recall": round(float(r), 4),
                     "f1": round(float(f), 4), "support": int(y_true[:, k].sum()), "n": int(len(y_true))})
    return pd.DataFrame(rows)


def predict_proba(model: SBIModel, df: pd.DataFrame) -> np.ndarray:
    """The statement-level probability of each part (n x 4) for the statements in *df*."""
    feats, flags, _ = featurise(df["text"].tolist())
    return np.array([t.part_proba for t in model.predict_docs(feats, flags)]).reshape(len(df), len(PART_NAMES))


def evaluate(model: SBIModel, df: pd.DataFrame, proba: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-part metrics of *model* on the statements in *df*; also the predictions (n x 4)."""
    proba = predict_proba(model, df) if proba is None else proba
    pred = (proba >= 0.5).astype(int)
    truth = df[list(PART_NAMES)].to_numpy().astype(int)
    return part_metrics(truth, pred), pred


def calibration_report(df: pd.DataFrame, proba: np.ndarray, n_bins: int = 10) -> pd.DataFrame:
    """Expected calibration error of each part's probability on *df* (one row per part, and
    ``all`` for the four pooled), with the number of statements."""
    from mentorkit.calibration import expected_calibration_error
    Y = df[list(PART_NAMES)].to_numpy().astype(int)
    rows = [{"part": p, "n": len(df), "ece": round(expected_calibration_error(Y[:, k], proba[:, k], n_bins), 4)}
            for k, p in enumerate(PART_NAMES)]
    rows.append({"part": "all", "n": len(df) * len(PART_NAMES),
                 "ece": round(expected_calibration_error(Y.ravel(), proba.ravel(), n_bins), 4)})
    return pd.DataFrame(rows, columns=["part", "n", "ece"])


def train(corpus: str | Path | None = None, out: str | Path | None = None, progress: bool = True) -> dict:
    """Fit on the train split, evaluate on the test split, save the model and metrics.

    Returns a dict with the model path, the metrics table (records) and corpus counts. The
    numeric libraries run on one thread throughout: the parser's matrix sums round differently
    with more, which can move a borderline parse and so the model's last digits.
    """
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return _train(corpus, out, progress)


def _train(corpus, out, progress) -> dict:
    from mentorkit.feedback.grade import model_path
    root = Path(corpus) if corpus else corpus_dir()
    df = load_corpus(root)
    corpus_mod.build(root / "src", root / "corpus.jsonl")
    train_df = df[df["split"] == "train"].reset_index(drop=True)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    feats, flags, labels = featurise(train_df["text"].tolist(), train_df["spans"].tolist(), progress=progress)
    y = train_df[list(PART_NAMES)].to_numpy().astype(int)
    model = SBIModel().fit(feats, labels, y, flags, praise_labels(train_df), progress=progress)
    target = Path(out) if out else model_path()
    model.save(target)
    proba = predict_proba(model, test_df)
    metrics, pred = evaluate(model, test_df, proba)
    summary = corpus_mod.summary([corpus_mod.Statement(**r) for r in df.to_dict("records")])
    result = {"model": str(target), "metrics": metrics.to_dict("records"),
              "calibration": calibration_report(test_df, proba).to_dict("records"),
              "groups": group_metrics(test_df, pred).to_dict("records"), "corpus": summary,
              "n_train": len(train_df), "n_test": len(test_df)}
    (root / "metrics.json").write_text(json.dumps({**result, "model": target.name}, indent=1) + "\n",
                                       encoding="utf-8")
    from mentorkit.feedback import grade
    grade._model.cache_clear()
    return result


def cross_source_predictions(corpus: str | Path | None = None, n_folds: int = 3,
                             progress: bool = False) -> pd.DataFrame:
    """Leave-one-writer-out predictions (see :func:`_cross_source_predictions`), on one BLAS
    thread as :func:`train`, so that the stored figures are reproducible too."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return _cross_source_predictions(corpus, n_folds, progress)


def _cross_source_predictions(corpus, n_folds, progress) -> pd.DataFrame:
    """Leave-one-writer-out predictions: for each source file, a model trained on every other file
    predicts all of that file's statements. One row per statement: the corpus columns plus
    ``source`` and ``pred_<part>`` (0/1) and ``proba_<part>``.

    *n_folds* is the out-of-fold count inside each fit (3 keeps the six fits affordable; the
    shipped model uses 5).
    """
    df = load_corpus(corpus)
    df["source"] = df["id"].str.rsplit("-", n=1).str[0]
    feats, flags, labels = featurise(df["text"].tolist(), df["spans"].tolist(), progress=progress)
    y = df[list(PART_NAMES)].to_numpy().astype(int)
    praise = praise_labels(df)
    proba = np.zeros(y.shape)
    sources = sorted(df["source"].unique())
    iterator = sources
    if progress:
        from tqdm import tqdm
        iterator = tqdm(sources, desc="leave-one-writer-out", unit="writer")
    for source in iterator:
        tr = np.flatnonzero(df["source"].to_numpy() != source)
        te = np.flatnonzero(df["source"].to_numpy() == source)
        model = SBIModel(n_folds=n_folds).fit([feats[i] for i in tr], [labels[i] for i in tr], y[tr], flags[tr],
                                              praise[tr])
        tagged = model.predict_docs([feats[i] for i in te], flags[te])
        proba[te] = np.array([t.part_proba for t in tagged])
    for k, part in enumerate(PART_NAMES):
        df["proba_" + part] = proba[:, k]
        df["pred_" + part] = (proba[:, k] >= 0.5).astype(int)
    return df


def cross_source(corpus: str | Path | None = None, preds: pd.DataFrame | None = None) -> pd.DataFrame:
    """Leave-one-writer-out: train on every source file but one, test on that one (all its statements).

    The source files were written separately, so this estimates how the grader does on a
    writer whose phrasing it has never seen. One row per (held-out file, part).
    """
    p = preds if preds is not None else cross_source_predictions(corpus)
    out = []
    for source, g in p.groupby("source", sort=True):
        m = part_metrics(g[list(PART_NAMES)].to_numpy().astype(int),
                         g[["pred_" + x for x in PART_NAMES]].to_numpy())
        m.insert(0, "held_out", source)
        out.append(m)
    return pd.concat(out, ignore_index=True)


def group_metrics(df: pd.DataFrame, pred: np.ndarray | None = None,
                  by: tuple[str, ...] = ("style", "variety", "source")) -> pd.DataFrame:
    """F1 per part within each group of each column in *by* (style, variety, writer), beside the
    overall figure: the fairness table of the data card.

    *pred* is the (n x 4) 0/1 prediction matrix; without it the ``pred_<part>`` columns of *df*
    (from :func:`cross_source_predictions`) are used. Rows: by, group, part, n, support,
    precision, recall, f1, gap (f1 minus the overall f1 of the part).
    """
    df = df.reset_index(drop=True).copy()
    if "source" not in df.columns:
        df["source"] = df["id"].str.rsplit("-", n=1).str[0]
    P = pred if pred is not None else df[["pred_" + x for x in PART_NAMES]].to_numpy()
    Y = df[list(PART_NAMES)].to_numpy().astype(int)
    overall = part_metrics(Y, P).set_index("part")["f1"]
    rows = []
    for col in by:
        for group in sorted(df[col].unique()):
            m = (df[col] == group).to_numpy()
            pm = part_metrics(Y[m], P[m])
            for r in pm.itertuples(index=False):
                rows.append({"by": col, "group": group, "part": r.part, "n": int(m.sum()), "support": r.support,
                             "precision": r.precision, "recall": r.recall, "f1": r.f1,
                             "gap": round(r.f1 - float(overall[r.part]), 4)})
    return pd.DataFrame(rows, columns=["by", "group", "part", "n", "support", "precision", "recall", "f1", "gap"])


CROSS_SOURCE_FILE = "cross_source.json"


def save_cross_source(corpus: str | Path | None = None, progress: bool = True) -> dict:
    """Run leave-one-writer-out and store its figures beside the corpus (``cross_source.json``):
    ``per_writer`` (held-out file x part), ``mean`` (part -> mean F1 over the held-out files) and
    ``groups`` (F1 by style, variety and writer over the pooled held-out predictions)."""
    root = Path(corpus) if corpus else corpus_dir()
    preds = cross_source_predictions(root, progress=progress)
    per = cross_source(preds=preds)
    out = {"per_writer": per.to_dict("records"),
           "mean": {k: round(float(v), 4) for k, v in per.groupby("part").f1.mean().items()},
           "groups": group_metrics(preds).to_dict("records"), "n": len(preds)}
    (root / CROSS_SOURCE_FILE).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return out


def cross_source_report(corpus: str | Path | None = None) -> dict[str, pd.DataFrame]:
    """The stored leave-one-writer-out figures as frames (``per_writer``, ``groups``, ``mean``)."""
    root = Path(corpus) if corpus else corpus_dir()
    path = root / CROSS_SOURCE_FILE
    if not path.exists():
        raise MentorkitError(f"{path}: no leave-one-writer-out figures yet; run `mentorkit train-grader --cross-source`")
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {"per_writer": pd.DataFrame(raw["per_writer"]), "groups": pd.DataFrame(raw["groups"]),
            "mean": pd.Series(raw["mean"], name="f1")}


def evaluate_packaged(corpus: str | Path | None = None) -> pd.DataFrame:
    """Per-part precision, recall and F1 of the packaged grader on the fixed test split (no training).

    What ``make evaluate`` prints for the SBI grader; ``train`` writes the same figures after fitting.
    """
    from mentorkit.feedback.grade import model_path

    df = load_corpus(corpus)
    test_df = df[df["split"] == "test"].reset_index(drop=True)
    metrics, _ = evaluate(SBIModel.load(model_path()), test_df)
    return metrics


AGREEMENT_FILE = Path("agreement") / "reader_y.tsv"


def second_reader_agreement(corpus: str | Path | None = None, model: SBIModel | None = None) -> pd.DataFrame:
    """How far a second reader, marking the same statements from the guide alone, agrees with the
    writers, and how the grader compares with each (``agreement/reader_y.tsv``: id, marked text).

    One row per part: ``n``, the writers' and the reader's counts, writer-vs-reader F1 and Cohen's
    kappa, and the grader's F1 against the writers and against the reader. A line whose text is not
    the corpus statement of its id is refused, naming the line.
    """
    from sklearn.metrics import cohen_kappa_score, f1_score
    from mentorkit.feedback.grade import model_path
    root = Path(corpus) if corpus else corpus_dir()
    path = root / AGREEMENT_FILE
    if not path.exists():
        raise MentorkitError(f"{path}: no second reader's file")
    df = load_corpus(root).set_index("id")
    ids, marks = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        sid, _, marked = line.partition("\t")
        if sid not in df.index:
            raise MentorkitError(f"{path}, line {n}: id {sid!r} is not in the corpus")
        if df.at[sid, "split"] != "test":  # the grader trained on it: its figure would be flattered
            raise MentorkitError(f"{path}, line {n}: {sid} is a training statement; the second reader marks "
                                 "test-split statements only")
        if sid in ids:
            raise MentorkitError(f"{path}, line {n}: {sid} is listed twice")
        text, spans = corpus_mod.parse_marked(marked, f"{path}, line {n}")
        if text != df.at[sid, "text"]:
            raise MentorkitError(f"{path}, line {n}: the text of {sid} differs from the corpus statement")
        ids.append(sid)
        marks.append([int(any(s["label"] == p for s in spans)) for p in PART_NAMES])
    writer = df.loc[ids, list(PART_NAMES)].to_numpy().astype(int)
    reader = np.array(marks)
    model = model or SBIModel.load(model_path())
    grader = (predict_proba(model, df.loc[ids].reset_index()) >= 0.5).astype(int)
    rows = []
    for k, part in enumerate(PART_NAMES):
        rows.append({"part": part, "n": len(ids), "writer": int(writer[:, k].sum()), "reader": int(reader[:, k].sum()),
                     "writer_vs_reader_f1": round(float(f1_score(writer[:, k], reader[:, k])), 4),
                     "writer_vs_reader_kappa": round(float(cohen_kappa_score(writer[:, k], reader[:, k])), 4),
                     "grader_vs_writer_f1": round(float(f1_score(writer[:, k], grader[:, k])), 4),
                     "grader_vs_reader_f1": round(float(f1_score(reader[:, k], grader[:, k])), 4)})
    return pd.DataFrame(rows)
