"""The grader's learned part: token taggers and statement classifiers.

Two layers, both scikit-learn logistic regressions:

1. **Token taggers** (one per part: situation, behaviour, impact, judgement) read
   the cue features of :func:`mentorkit.feedback.cues.token_features`, hashed,
   and give each token a probability of belonging to that part. Runs of likely
   tokens become the evidence spans.
2. **Statement classifiers** (one per part) read summary figures of all four
   taggers' probabilities (peak, mean of the top three, share of tokens above
   the threshold, longest run) and decide whether the part is present. They are
   trained on out-of-fold tagger probabilities, so they learn how far a tagger
   can be trusted on text it has not seen.

Training is deterministic: fixed folds, the liblinear solver, no random state
that changes between runs. The model is saved with skops and loaded with an
explicit list of trusted types, so loading it never runs arbitrary code.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from mentorkit.errors import MentorkitError

PART_NAMES = ("situation", "behavior", "impact", "judgement")
N_FEATURES = 2 ** 16
TOKEN_THRESHOLD = 0.5
MODEL_VERSION = 2

#: the only types a saved grader may contain; anything else is refused at load
TRUSTED_TYPES = [
    "sklearn.linear_model._logistic.LogisticRegression",
    "numpy.ndarray", "numpy.dtype", "numpy.float64", "numpy.int64", "builtins.dict", "builtins.list",
    "builtins.str", "builtins.int", "builtins.float", "builtins.tuple",
]


def token_labels(doc, spans: Sequence[dict]) -> np.ndarray:
    """A (tokens x 4) 0/1 matrix: does each token fall inside a gold span of each part."""
    y = np.zeros((len(doc), len(PART_NAMES)), dtype=np.int8)
    for sp in spans:
        k = PART_NAMES.index(sp["label"])
        for t in doc:
            mid = t.idx + len(t.text) / 2
            if sp["start"] <= mid <= sp["end"]:
                y[t.i, k] = 1
    return y


def doc_summary(probs: np.ndarray) -> np.ndarray:
    """Summary figures of one statement's token probabilities (tokens x 4) -> 1-D vector."""
    n = probs.shape[0]
    if n == 0:
        return np.zeros(len(PART_NAMES) * 4 + 1)
    feats = []
    for k in range(probs.shape[1]):
        p = probs[:, k]
        top = np.sort(p)[::-1][:3]
        above = p > TOKEN_THRESHOLD
        run = best = 0
        for a in above:
            run = run + 1 if a else 0
            best = max(best, run)
        feats.extend([p.max(), top.mean(), above.mean(), min(best, 12) / 12.0])
    feats.append(min(np.log1p(n) / 5.0, 1.5))
    return np.asarray(feats)


@dataclass
class TaggedDoc:
    """What the model says about one statement."""
    probs: np.ndarray          # tokens x 4 token probabilities
    part_proba: np.ndarray     # 4 statement-level probabilities


class SBIModel:
    """Hashed-feature token taggers plus statement classifiers (see module docstring).

    Parameters
    ----------
    C_token, C_doc : float
        Inverse regularisation strength of the token and statement models.
    n_folds : int
        Folds for the out-of-fold tagger probabilities the statement models learn from.
    """

    def __init__(self, C_token: float = 0.5, C_doc: float = 1.0, n_folds: int = 5):
        self.C_token = C_token
        self.C_doc = C_doc
        self.n_folds = n_folds

    # -- training ------------------------------------------------------------------
    def _hasher(self) -> FeatureHasher:
        return FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)

    def _fit_taggers(self, X, Y) -> list[LogisticRegression]:
        models = []
        for k in range(Y.shape[1]):
            m = LogisticRegression(C=self.C_token, solver="liblinear", max_iter=200)
            m.fit(X, Y[:, k])
            models.append(m)
        return models

    def fit(self, token_feats: list[list[list[str]]], token_y: list[np.ndarray], doc_y: np.ndarray,
            doc_feats: np.ndarray, progress: bool = False) -> "SBIModel":
        """Fit from per-statement token features, token labels, statement labels (n x 4) and
        statement cue flags (n x len(cues.DOC_CUES))."""
        hasher = self._hasher()
        lengths = np.array([len(f) for f in token_feats])
        flat = [tf for doc in token_feats for tf in doc]
        X = hasher.transform(flat).tocsr()
        Y = np.vstack(token_y)
        groups = np.repeat(np.arange(len(token_feats)), lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        oof = np.zeros(Y.shape, dtype=float)
        folds = list(GroupKFold(n_splits=self.n_folds).split(X, groups=groups))
        iterator = folds
        if progress:
            from tqdm import tqdm
            iterator = tqdm(folds, desc="out-of-fold taggers", unit="fold")
        for train_idx, test_idx in iterator:
            ms = self._fit_taggers(X[train_idx], Y[train_idx])
            for k, m in enumerate(ms):
                oof[test_idx, k] = m.predict_proba(X[test_idx])[:, 1]
        summaries = np.vstack([doc_summary(oof[offsets[i]:offsets[i + 1]]) for i in range(len(token_feats))])
        summaries = np.hstack([summaries, np.asarray(doc_feats, dtype=float)])
        self.token_models_ = self._fit_taggers(X, Y)
        self.doc_models_ = []
        for k in range(doc_y.shape[1]):
            m = LogisticRegression(C=self.C_doc, solver="liblinear", max_iter=500)
            m.fit(summaries, doc_y[:, k])
            self.doc_models_.append(m)
        return self

    # -- prediction ----------------------------------------------------------------
    def predict_docs(self, token_feats: list[list[list[str]]], doc_feats: np.ndarray) -> list[TaggedDoc]:
        if not hasattr(self, "token_models_"):
            raise MentorkitError("the SBI model is not trained; run `mentorkit train-grader`")
        lengths = [len(f) for f in token_feats]
        flat = [tf for doc in token_feats for tf in doc]
        if not flat:
            return [TaggedDoc(np.zeros((0, 4)), np.zeros(4)) for _ in token_feats]
        X = self._hasher().transform(flat).tocsr()
        P = np.column_stack([m.predict_proba(X)[:, 1] for m in self.token_models_])
        out = []
        start = 0
        summaries = []
        for n in lengths:
            summaries.append(doc_summary(P[start:start + n]))
            start += n
        S = np.hstack([np.vstack(summaries), np.asarray(doc_feats, dtype=float)])
        D = np.column_stack([m.predict_proba(S)[:, 1] for m in self.doc_models_])
        start = 0
        for i, n in enumerate(lengths):
            part = D[i] if n else np.zeros(4)
            out.append(TaggedDoc(P[start:start + n], part))
            start += n
        return out

    # -- persistence ---------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        import skops.io as sio
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {"version": MODEL_VERSION, "params": {"C_token": self.C_token, "C_doc": self.C_doc,
                                                      "n_folds": self.n_folds},
                 "token_models": self.token_models_, "doc_models": self.doc_models_}
        sio.dump(state, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "SBIModel":
        import skops.io as sio
        path = Path(path)
        if not path.exists():
            raise MentorkitError(f"{path}: grader model file not found; run `mentorkit train-grader`")
        untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
        if untrusted:
            raise MentorkitError(f"{path}: refusing to load a grader model holding untrusted types: {untrusted}")
        state = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        if state.get("version") != MODEL_VERSION:
            raise MentorkitError(f"{path}: model version {state.get('version')} does not match "
                                 f"this mentorkit ({MODEL_VERSION}); run `mentorkit train-grader`")
        model = cls(**state["params"])
        model.token_models_ = state["token_models"]
        model.doc_models_ = state["doc_models"]
        return model


def runs(mask: Iterable[bool], max_gap: int = 1) -> list[tuple[int, int]]:
    """Index ranges [start, end) of True runs in *mask*, bridging gaps of up to *max_gap*.

    >>> runs([0, 1, 1, 0, 1, 0, 0, 1])
    [(1, 5), (7, 8)]
    """
    idx = [i for i, m in enumerate(mask) if m]
    out: list[tuple[int, int]] = []
    for i in idx:
        if out and i - out[-1][1] <= max_gap:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
