"""The grader's learned part: token taggers and statement classifiers.

Two layers, both scikit-learn logistic regressions:

1. **Token taggers** (one per part: situation, behaviour, impact, judgement) read
   the cue features of :func:`mentorkit.feedback.cues.token_features`, hashed,
   and give each token a probability of belonging to that part. Runs of likely
   tokens become the evidence spans.
2. **A praise reader**: one statement-level logistic regression over the set of
   the statement's lexical features (words, lemmas and their pairs, cue and
   label-position marks) gives the probability that the statement is praise,
   learned from the writers' ``polarity`` field. Judgement is criticism by the
   guide, so the same words read differently in praise ("you always
   double-check") and in a complaint ("you always leave it late"), and praise
   words in a statement about a failure are sarcasm ("Brilliant, Einstein").
3. **Statement classifiers** (one per part) read summary figures of all four
   taggers' probabilities (peak, mean of the top three, share of tokens above
   the threshold, longest run), the praise probability (alone and times the
   judgement peak) and the statement cues, and decide whether the part is
   present. They are trained on out-of-fold tagger and praise probabilities, so
   they learn how far each can be trusted on text it has not seen.

Training is deterministic: fixed folds, the liblinear solver (dual form, a fixed random_state for its
coordinate order), no randomness that changes between runs.

The saved model is plain numeric arrays in a ``.npz`` file read with
``allow_pickle=False``: loading it cannot run code, and grading needs only
numpy (scikit-learn is imported for training alone, which keeps start-up fast).
Features are hashed with MurmurHash3 exactly as scikit-learn's
``FeatureHasher(alternate_sign=False)`` does (a test checks this).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from murmurhash.mrmr import hash as murmur3

from mentorkit.errors import MentorkitError

PART_NAMES = ("situation", "behavior", "impact", "judgement")
#: the three SBI parts (judgement is a flag), their display names and highlight colours
SBI_PARTS = PART_NAMES[:3]
LABELS = {"situation": "Situation", "behavior": "Behavior", "impact": "Impact", "judgement": "Judgement"}
COLORS = {"situation": "#cfe8ff", "behavior": "#d7f5d0", "impact": "#ffe7b8", "judgement": "#ffc9c9"}
N_FEATURES = 2 ** 16
TOKEN_THRESHOLD = 0.5
MODEL_VERSION = 5
ARRAYS = ("token_coef", "token_intercept", "praise_coef", "praise_intercept", "doc_coef", "doc_intercept", "meta")
#: the token features the praise reader reads, as a set per statement (the lexical ones and the
#: cue and label-position marks; not the positions and tags, which say little about tone)
BAG_PREFIXES = ("w=", "l=", "bg-=", "bg+=", "hb=", "label_of=", "label_head=", "c:", "abs&", "trait&", "cst=",
                "ccop", "cneg", "cfeel", "csubj=")

_HASH_CACHE: dict[str, int] = {}


def feature_index(feature: str) -> int:
    """Column of *feature* in the hashed space (MurmurHash3, seed 0, as FeatureHasher)."""
    col = _HASH_CACHE.get(feature)
    if col is None:
        col = abs(murmur3(feature)) % N_FEATURES
        if len(_HASH_CACHE) < 2_000_000:
            _HASH_CACHE[feature] = col
    return col


def hash_tokens(flat: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) index arrays of the hashed features of each token."""
    rows: list[int] = []
    cols: list[int] = []
    for r, feats in enumerate(flat):
        rows.extend([r] * len(feats))
        cols.extend(feature_index(f) for f in feats)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def doc_bag(doc_feats: Sequence[Sequence[str]]) -> set[str]:
    """The set of one statement's token features that the praise reader reads (:data:`BAG_PREFIXES`)."""
    return {f for feats in doc_feats for f in feats if f.startswith(BAG_PREFIXES)}


_BAG_CACHE: dict[str, int] = {}


def _bag_column(feature: str) -> int:
    """Column of *feature* in the praise reader's hashed space, or -1 when it does not read it."""
    col = _BAG_CACHE.get(feature)
    if col is None:
        col = feature_index(feature) if feature.startswith(BAG_PREFIXES) else -1
        if len(_BAG_CACHE) < 2_000_000:
            _BAG_CACHE[feature] = col
    return col


def hash_bags(token_feats: Sequence[Sequence[Sequence[str]]]) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) index arrays of each statement's hashed feature set (each column once per row:
    the columns of :func:`doc_bag`)."""
    rows: list[int] = []
    cols: list[int] = []
    for r, doc in enumerate(token_feats):
        c = {_bag_column(f) for feats in doc for f in feats}
        c.discard(-1)
        rows.extend([r] * len(c))
        cols.extend(sorted(c))
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


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


#: figures per part in :func:`doc_summary` (peak, mean of the top three, share above the threshold,
#: longest run), then one for the length; the statement classifiers read these, the praise figures
#: (:meth:`SBIModel._with_praise`) and the cue flags, in that order
SUMMARY_PER_PART = 4
N_SUMMARY = len(PART_NAMES) * SUMMARY_PER_PART + 1


def n_doc_columns() -> int:
    """Width of the statement classifiers' input (summaries, two praise figures, the cue flags)."""
    from mentorkit.feedback import cues
    return N_SUMMARY + 2 + len(cues.DOC_CUES)


def doc_summary(probs: np.ndarray) -> np.ndarray:
    """Summary figures of one statement's token probabilities (tokens x 4) -> 1-D vector."""
    n = probs.shape[0]
    if n == 0:
        return np.zeros(N_SUMMARY)
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
    praise: float = 0.0        # probability that the statement is praise (the praise reader)


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
    def _fit_taggers(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        coef, intercept = [], []
        for k in range(Y.shape[1]):
            # the dual form: far faster here (more hashed columns than tokens), same L2 problem
            m = LogisticRegression(C=self.C_token, solver="liblinear", dual=True, max_iter=1000, random_state=0)
            m.fit(X, Y[:, k])
            coef.append(m.coef_[0])
            intercept.append(m.intercept_[0])
        return np.asarray(coef, dtype=np.float32), np.asarray(intercept, dtype=np.float32)

    @staticmethod
    def _matrix(flat):
        from scipy.sparse import csr_matrix
        rows, cols = hash_tokens(flat)
        return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(flat), N_FEATURES))

    @staticmethod
    def _bag_matrix(token_feats):
        from scipy.sparse import csr_matrix
        rows, cols = hash_bags(token_feats)
        return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(token_feats), N_FEATURES))

    def _fit_praise(self, B, y) -> tuple[np.ndarray, np.ndarray]:
        from sklearn.linear_model import LogisticRegression
        if len(np.unique(y)) < 2:  # one fold of a small corpus: refuse rather than learn a constant
            raise MentorkitError("the praise reader needs both praise and other statements in every fold "
                                 "(too few of one kind in the polarity field)")
        m = LogisticRegression(C=self.C_doc, solver="liblinear", max_iter=1000)
        m.fit(B, y)
        return m.coef_.astype(np.float32), m.intercept_.astype(np.float32)

    @staticmethod
    def _with_praise(summaries: np.ndarray, praise: np.ndarray) -> np.ndarray:
        peak = SUMMARY_PER_PART * PART_NAMES.index("judgement")  # the first of judgement's figures
        return np.hstack([summaries, praise[:, None], (praise * summaries[:, peak])[:, None]])

    def fit(self, token_feats: list[list[list[str]]], token_y: list[np.ndarray], doc_y: np.ndarray,
            doc_feats: np.ndarray, praise: np.ndarray, progress: bool = False) -> "SBIModel":
        """Fit from per-statement token features, token labels, statement labels (n x 4),
        statement cue flags (n x len(cues.DOC_CUES)) and whether each statement is praise (n, 0/1:
        the corpus ``polarity`` field is ``praise``)."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import GroupKFold
        praise = np.asarray(praise, dtype=int).ravel()
        if len(praise) != len(token_feats):
            raise MentorkitError(f"praise has {len(praise)} values for {len(token_feats)} statements")
        if len(np.unique(praise)) < 2:
            raise MentorkitError("the praise reader needs both praise and other statements in the training data "
                                 f"(the polarity field holds only {'praise' if praise.all() else 'non-praise'})")
        lengths = np.array([len(f) for f in token_feats])
        flat = [tf for doc in token_feats for tf in doc]
        X = self._matrix(flat)
        Y = np.vstack(token_y)
        groups = np.repeat(np.arange(len(token_feats)), lengths)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        B = self._bag_matrix(token_feats)
        oof = np.zeros(Y.shape, dtype=float)
        oof_praise = np.zeros(len(token_feats))
        folds = list(GroupKFold(n_splits=self.n_folds).split(X, groups=groups))
        iterator = folds
        if progress:
            from tqdm import tqdm
            iterator = tqdm(folds, desc="out-of-fold taggers", unit="fold")
        for train_idx, test_idx in iterator:
            coef, intercept = self._fit_taggers(X[train_idx], Y[train_idx])
            oof[test_idx] = _sigmoid(X[test_idx] @ coef.astype(float).T + intercept)
            # the praise reader on the same statements: each fold's held-out statements
            held = np.unique(groups[test_idx])
            kept = np.setdiff1d(np.arange(len(token_feats)), held)
            pc, pi = self._fit_praise(B[kept], praise[kept])
            oof_praise[held] = _sigmoid(B[held] @ pc[0].astype(float) + float(pi[0]))
        summaries = np.vstack([doc_summary(oof[offsets[i]:offsets[i + 1]]) for i in range(len(token_feats))])
        summaries = np.hstack([self._with_praise(summaries, oof_praise), np.asarray(doc_feats, dtype=float)])
        self.token_coef_, self.token_intercept_ = self._fit_taggers(X, Y)
        self.praise_coef_, self.praise_intercept_ = self._fit_praise(B, praise)
        doc_coef, doc_intercept = [], []
        for k in range(doc_y.shape[1]):
            m = LogisticRegression(C=self.C_doc, solver="liblinear", max_iter=500)
            m.fit(summaries, doc_y[:, k])
            doc_coef.append(m.coef_[0])
            doc_intercept.append(m.intercept_[0])
        self.doc_coef_ = np.asarray(doc_coef, dtype=np.float64)
        self.doc_intercept_ = np.asarray(doc_intercept, dtype=np.float64)
        self.setting_only_rate_ = _setting_only_rate(doc_feats, doc_y)
        return self

    # -- prediction ----------------------------------------------------------------
    def predict_docs(self, token_feats: list[list[list[str]]], doc_feats: np.ndarray) -> list[TaggedDoc]:
        if not hasattr(self, "token_coef_"):
            raise MentorkitError("the SBI model is not trained; run `mentorkit train-grader`")
        lengths = [len(f) for f in token_feats]
        flat = [tf for doc in token_feats for tf in doc]
        if not flat:
            return [TaggedDoc(np.zeros((0, 4)), np.zeros(4)) for _ in token_feats]
        brows, bcols = hash_bags(token_feats)
        zp = np.bincount(brows, weights=self.praise_coef_[0][bcols].astype(np.float64), minlength=len(token_feats))
        praise = _sigmoid(zp + float(self.praise_intercept_[0]))
        rows, cols = hash_tokens(flat)
        # a token's score is the sum of its features' weights: no sparse matrix needed
        P = np.empty((len(flat), len(PART_NAMES)))
        for k in range(len(PART_NAMES)):
            z = np.bincount(rows, weights=self.token_coef_[k][cols].astype(np.float64), minlength=len(flat))
            P[:, k] = _sigmoid(z + float(self.token_intercept_[k]))
        out = []
        start = 0
        summaries = []
        for n in lengths:
            summaries.append(doc_summary(P[start:start + n]))
            start += n
        S = np.hstack([self._with_praise(np.vstack(summaries), praise), np.asarray(doc_feats, dtype=float)])
        D = _sigmoid(S @ self.doc_coef_.T + self.doc_intercept_)
        D[:, 0] = _setting_only_guard(D[:, 0], doc_feats, self.setting_only_rate_)
        start = 0
        for i, n in enumerate(lengths):
            part = D[i] if n else np.zeros(4)
            out.append(TaggedDoc(P[start:start + n], part, float(praise[i]) if n else 0.0))
            start += n
        return out

    # -- persistence ---------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the learned arrays to *path* (``.npz``; no pickled objects)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = json.dumps({"version": MODEL_VERSION, "n_features": N_FEATURES, "parts": PART_NAMES,
                           "setting_only_rate": self.setting_only_rate_,
                           "params": {"C_token": self.C_token, "C_doc": self.C_doc, "n_folds": self.n_folds}})
        with open(path, "wb") as fh:
            np.savez_compressed(fh, token_coef=self.token_coef_, token_intercept=self.token_intercept_,
                                praise_coef=self.praise_coef_, praise_intercept=self.praise_intercept_,
                                doc_coef=self.doc_coef_, doc_intercept=self.doc_intercept_, meta=np.array(meta))
        return path

    @classmethod
    def load(cls, path: str | Path) -> "SBIModel":
        """Read a model saved by :meth:`save`; anything that is not plain arrays is refused."""
        path = Path(path)
        if not path.exists():
            raise MentorkitError(f"{path}: grader model file not found; run `mentorkit train-grader`")
        import zipfile

        if not zipfile.is_zipfile(path):
            raise MentorkitError(f"{path}: cannot read the grader model (not an .npz archive; damaged or another "
                                 "kind of file); run `mentorkit train-grader`")
        try:
            with np.load(path, allow_pickle=False) as z:
                if "meta" not in z.files:
                    raise MentorkitError(f"{path}: not a mentorkit grader model (no metadata); "
                                         "run `mentorkit train-grader`")
                meta_raw = z["meta"]
                try:
                    meta = json.loads(str(meta_raw))
                    params = dict(meta["params"])
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    raise MentorkitError(f"{path}: the grader model's metadata is damaged ({type(exc).__name__}: "
                                         f"{exc}); run `mentorkit train-grader`") from None
                # an older model lacks this version's arrays: say so, not which arrays are missing
                if not isinstance(meta, dict) or meta.get("version") != MODEL_VERSION \
                        or meta.get("n_features") != N_FEATURES:
                    version = meta.get("version") if isinstance(meta, dict) else None
                    raise MentorkitError(f"{path}: model version {version} does not match this mentorkit "
                                         f"({MODEL_VERSION}); run `mentorkit train-grader`")
                missing = [a for a in ARRAYS if a not in z.files]
                if missing:
                    raise MentorkitError(f"{path}: the grader model lacks {missing}; run `mentorkit train-grader`")
                arrays = {a: z[a] for a in ARRAYS}
        except MentorkitError:
            raise
        except ValueError as exc:  # object arrays need pickle, which is refused
            if "pickle" in str(exc).lower():
                raise MentorkitError(f"{path}: refusing to load a grader model that needs pickle ({exc})") from None
            raise MentorkitError(f"{path}: cannot read the grader model ({exc}); run `mentorkit train-grader`") from None
        except (OSError, EOFError, zipfile.BadZipFile, KeyError) as exc:
            raise MentorkitError(f"{path}: cannot read the grader model ({type(exc).__name__}: {exc}); "
                                 "run `mentorkit train-grader`") from None
        for name in ("token_coef", "token_intercept", "praise_coef", "praise_intercept", "doc_coef", "doc_intercept"):
            a = arrays[name]
            if a.dtype.kind not in "fiu":
                raise MentorkitError(f"{path}: {name} is not numeric ({a.dtype}); run `mentorkit train-grader`")
            if not np.all(np.isfinite(a)):
                raise MentorkitError(f"{path}: {name} holds NaN or infinite values (it would score everything "
                                     "0); run `mentorkit train-grader`")
        if arrays["token_coef"].ndim != 2 or N_FEATURES not in arrays["token_coef"].shape:
            raise MentorkitError(f"{path}: token_coef has shape {arrays['token_coef'].shape}, not one row per "
                                 f"part over {N_FEATURES} features; run `mentorkit train-grader`")
        if arrays["praise_coef"].shape != (1, N_FEATURES) or arrays["praise_intercept"].shape != (1,):
            raise MentorkitError(f"{path}: praise_coef has shape {arrays['praise_coef'].shape}, not one row over "
                                 f"{N_FEATURES} features; run `mentorkit train-grader`")
        width = n_doc_columns()
        if arrays["doc_coef"].shape != (len(PART_NAMES), width) or arrays["doc_intercept"].shape != (len(PART_NAMES),):
            raise MentorkitError(f"{path}: doc_coef has shape {arrays['doc_coef'].shape}, not one row per part over "
                                 f"the {width} statement figures of this mentorkit; run `mentorkit train-grader`")
        model = cls(**params)
        rate = meta.get("setting_only_rate")
        if not isinstance(rate, (int, float)) or not 0 <= rate < 0.5:
            raise MentorkitError(f"{path}: the grader model's metadata is damaged (setting_only_rate {rate!r}); "
                                 "run `mentorkit train-grader`")
        model.setting_only_rate_ = float(rate)
        model.token_coef_ = arrays["token_coef"]
        model.token_intercept_ = arrays["token_intercept"]
        model.praise_coef_ = arrays["praise_coef"]
        model.praise_intercept_ = arrays["praise_intercept"]
        model.doc_coef_ = arrays["doc_coef"]
        model.doc_intercept_ = arrays["doc_intercept"]
        return model


def _setting_only_column() -> int:
    from mentorkit.feedback import cues
    return cues.DOC_CUES.index("habitual_setting_only")


def _setting_only_rate(doc_feats, doc_y) -> float:
    """How often the training statements whose only setting is a habitual one ("in meetings", no
    time word or named occasion) carry a situation all the same (Laplace-smoothed, at most 0.45)."""
    on = np.asarray(doc_feats, dtype=float)[:, _setting_only_column()] == 1
    return float(min(0.45, (doc_y[on, 0].sum() + 1) / (on.sum() + 2)))


def _setting_only_guard(p_situation: np.ndarray, doc_feats, rate: float) -> np.ndarray:
    """The guide's definition of a situation, applied last: a statement whose only setting is a
    habitual one has no situation ("In meetings you interrupt people."). Its situation probability
    is at most the rate at which such training statements had one anyway (a setting the cues did
    not read as an occasion: "during storm Ciaran"), so the flag and its confidence say the same."""
    on = np.asarray(doc_feats, dtype=float)[:, _setting_only_column()] == 1
    return np.where(on, np.minimum(p_situation, rate), p_situation)


def runs(mask: Iterable[bool], max_gap: int = 1, bridge: Sequence[bool] | None = None) -> list[tuple[int, int]]:
    """Index ranges [start, end) of True runs in *mask*, bridging gaps of up to *max_gap*.

    When *bridge* is given, a gap is bridged only if every index in it is True in *bridge*.

    >>> runs([0, 1, 1, 0, 1, 0, 0, 1])
    [(1, 5), (7, 8)]
    """
    idx = [i for i, m in enumerate(mask) if m]
    out: list[tuple[int, int]] = []
    for i in idx:
        gap = range(out[-1][1], i) if out else range(0)
        if out and len(gap) <= max_gap and (bridge is None or all(bridge[j] for j in gap)):
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out
