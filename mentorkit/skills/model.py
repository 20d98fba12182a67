"""Saving, loading and caching the skill models (skops, with an explicit allowlist).

Each detector's scikit-learn pipeline is stored as ``mentorkit/data/skills/<skill>.skops``
together with a small ``meta`` dict (feature version, data hash, test figures).
Loading never unpickles: :func:`load` refuses a file holding any type outside
:data:`TRUSTED_TYPES` (beyond skops' own built-in safe set).

When the packaged file is missing, the model is retrained from ``datasets/`` on
first use (deterministically) and cached under the configured ``cache_dir``.
"""
from __future__ import annotations

import importlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from scipy.special import expit, softmax

from mentorkit import config
from mentorkit.errors import MentorkitError

__all__ = ["FEATURE_VERSION", "TRUSTED_TYPES", "MODEL_DIR", "TRAINED_SKILLS", "model_path", "save", "load",
           "get", "clear_cache", "linear_parts", "predict_proba", "bundle_proba"]

#: bump whenever a featuriser changes, so an old model is never fed new features
FEATURE_VERSION = 5

#: the types a skill model file may hold besides skops' built-in trusted set; nothing else loads
TRUSTED_TYPES: list[str] = [
    "sklearn.pipeline.Pipeline",
    "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.preprocessing._label.LabelBinarizer",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int64",
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
]

MODEL_DIR = Path(__file__).resolve().parents[1] / "data" / "skills"

#: skills with a trained model, and the module whose ``train(root)`` builds it
TRAINED_SKILLS: dict[str, str] = {
    "active_listening": "mentorkit.skills.listening",
    "intent_tone": "mentorkit.skills.intent_tone",
    "four_step": "mentorkit.skills.four_step",
    "agreement": "mentorkit.skills.agreement",
    "recap": "mentorkit.skills.recap",
    "boundaries": "mentorkit.skills.boundaries",
}

_lock = threading.Lock()
_loaded: dict[str, dict[str, Any]] = {}


def model_path(skill: str, directory: str | Path | None = None) -> Path:
    """Where *skill*'s model lives (the packaged folder unless *directory* is given).

    >>> model_path("recap", "/tmp/models").as_posix()
    '/tmp/models/recap.skops'
    """
    return Path(directory or MODEL_DIR) / f"{skill}.skops"


def save(bundle: dict[str, Any], path: str | Path) -> Path:
    """Write a ``{"model": pipeline, "meta": {...}}`` bundle with skops."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(bundle, path)
    return path


def types_in(path: str | Path) -> set[str]:
    """Every type a skops file names (``module.Class``), read from its ``schema.json``.

    skops' own :func:`get_untrusted_types` leaves out the types skops trusts by default;
    mentorkit wants the full list, so that only :data:`TRUSTED_TYPES` load.
    """
    import json
    import zipfile

    with zipfile.ZipFile(path) as z:
        schema = json.loads(z.read("schema.json"))
    found: set[str] = set()
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            if "__class__" in node and "__module__" in node:
                found.add(f"{node['__module__']}.{node['__class__']}")
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def _finite(model, path: Path) -> None:
    """Refuse a model whose learned numbers are not all finite (NaN would score everything 0)."""
    parts = [model]
    while parts:
        part = parts.pop()
        for attr in ("coef_", "intercept_"):
            value = getattr(part, attr, None)
            if value is not None and not np.all(np.isfinite(np.asarray(value, dtype=float))):
                raise MentorkitError(f"{path}: the model's {type(part).__name__}.{attr} holds NaN or infinite "
                                     "values; retrain it with 'mentorkit train-skills'")
        parts.extend(step for _name, step in getattr(part, "steps", []))
        parts.extend(getattr(part, "estimators_", []) or [])
        if getattr(part, "estimator", None) is not None and part.estimator is not part:
            parts.append(part.estimator)


def load(path: str | Path) -> dict[str, Any]:
    """Read a bundle written by :func:`save`, refusing any type not in :data:`TRUSTED_TYPES`
    (exactly that list: skops' own default trust is not used), damaged files and models with
    non-finite coefficients, each with one message naming the file."""
    path = Path(path)
    if not path.exists():
        raise MentorkitError(f"{path}: model file not found")
    try:
        named = types_in(path)
    except Exception as exc:  # noqa: BLE001 - a damaged file is a user-facing problem
        raise MentorkitError(f"{path}: not a readable skops model file ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'damaged'})") from None
    refused = sorted(named - set(TRUSTED_TYPES))
    if refused:
        raise MentorkitError(f"{path}: refusing to load types outside the allowlist: {', '.join(refused)}")
    try:
        bundle = sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:  # noqa: BLE001 - one message, never a traceback
        raise MentorkitError(f"{path}: cannot read the skill model ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'damaged'})") from None
    if not isinstance(bundle, dict) or "model" not in bundle or not isinstance(bundle.get("meta"), dict):
        raise MentorkitError(f"{path}: not a mentorkit skill model (expected a dict with 'model' and 'meta')")
    _finite(bundle["model"], path)
    version = bundle["meta"].get("feature_version")
    if version != FEATURE_VERSION:
        raise MentorkitError(f"{path}: model was trained with feature version {version}, this code uses "
                             f"{FEATURE_VERSION}; run 'mentorkit train-skills'")
    return bundle


def _train_and_cache(skill: str) -> dict[str, Any]:
    module = importlib.import_module(TRAINED_SKILLS[skill])
    bundle = module.train()
    cached = model_path(skill, config.cache_dir() / "skills")
    save(bundle, cached)
    return bundle


def get(skill: str) -> dict[str, Any]:
    """The model bundle for *skill*: packaged file, else cached retrain, else train now and cache."""
    if skill not in TRAINED_SKILLS:
        raise MentorkitError(f"skill {skill!r} has no trained model; known: {sorted(TRAINED_SKILLS)}")
    with _lock:
        if skill in _loaded:
            return _loaded[skill]
        packaged = model_path(skill)
        bundle = None
        if packaged.exists():
            bundle = load(packaged)
        else:
            cached = model_path(skill, Path(config.get("cache_dir")) / "skills")
            if cached.exists():
                try:
                    bundle = load(cached)
                except MentorkitError:
                    bundle = None  # stale cache: retrain below
            if bundle is None:
                bundle = _train_and_cache(skill)
        _loaded[skill] = bundle
        return bundle


def clear_cache() -> None:
    """Forget loaded models (after retraining in the same process)."""
    with _lock:
        _loaded.clear()
    _linear_parts_cached.cache_clear()


def linear_parts(pipe) -> tuple[Any, np.ndarray, np.ndarray, str]:
    """``(vectorizer, W, b, kind)`` of a fitted pipeline: the logistic regressions as one matrix.

    *kind* is ``"softmax"`` for the multinomial listening model (one row per class) and
    ``"sigmoid"`` for the one-vs-rest taggers (one row per component).
    """
    vec, clf = pipe.named_steps["vec"], pipe.named_steps["clf"]
    if hasattr(clf, "estimators_"):
        W = np.vstack([e.coef_ for e in clf.estimators_])
        b = np.concatenate([e.intercept_ for e in clf.estimators_])
        return vec, W, b, "sigmoid"
    return vec, clf.coef_, clf.intercept_, "softmax"


@lru_cache(maxsize=None)
def _linear_parts_cached(skill: str):
    return linear_parts(get(skill)["model"])


def predict_proba(skill: str, features: list[dict[str, float]]) -> np.ndarray:
    """The packaged *skill* model's calibrated probabilities for *features*, as one sparse matrix
    product.

    Gives the same numbers as :func:`bundle_proba` on the packaged bundle (the tests check it)
    without scikit-learn's per-call overhead, which dominates for the one or two sentences of a reply.
    """
    vec, W, b, kind = _linear_parts_cached(skill)
    z = vec.transform(features) @ W.T + b
    return _calibrate(np.asarray(z), kind, get(skill)["meta"].get("calibration"))


def _calibrate(z: np.ndarray, kind: str, calibration: dict | None) -> np.ndarray:
    """Probabilities from the linear scores *z*, through the bundle's calibration map if it has one."""
    if kind == "softmax":
        t = float(calibration["temperature"]) if calibration else 1.0
        return softmax(z / t, axis=1)
    if calibration:
        ab = np.asarray(calibration["platt"], dtype=float)
        return expit(z * ab[:, 0] + ab[:, 1])
    return expit(z)


def bundle_proba(bundle: dict[str, Any], features: list[dict[str, float]]) -> np.ndarray:
    """Calibrated probabilities of any bundle (packaged or freshly trained) for *features*.

    The calibration map (``meta["calibration"]``) is fitted on out-of-fold predictions of the
    training split: a temperature for the multinomial listening model, one Platt map per
    component for the one-vs-rest taggers (``sigmoid(a * z + b)`` of the linear score *z*).
    """
    vec, W, b, kind = linear_parts(bundle["model"])
    if not features:
        return np.zeros((0, W.shape[0]))
    z = vec.transform(features) @ W.T + b
    return _calibrate(np.asarray(z), kind, bundle["meta"].get("calibration"))
