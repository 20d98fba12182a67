"""Saving and loading the skill models: skops with an allowlist, feature versions, data hashes,
and reproducible retraining."""
from __future__ import annotations

import numpy as np
import pytest
import skops.io as sio

from mentorkit.errors import MentorkitError
from mentorkit.skills import model as model_store
from mentorkit.skills.corpus import data_hash


class NotAllowed:
    """A type no skill model may contain."""

    def __init__(self):
        self.x = 1


@pytest.mark.parametrize("skill", list(model_store.TRAINED_SKILLS))
def test_packaged_model_matches_the_current_data_and_features(skill):
    bundle = model_store.load(model_store.model_path(skill))
    meta = bundle["meta"]
    assert meta["feature_version"] == model_store.FEATURE_VERSION
    # a forgotten 'mentorkit train-skills' after editing a dataset fails here
    assert meta["data_hash"] == data_hash(None, skill), f"retrain {skill}: mentorkit train-skills --skill {skill}"
    assert meta["skill"] == skill


def test_load_refuses_types_outside_the_allowlist(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump({"model": NotAllowed(), "meta": {"feature_version": model_store.FEATURE_VERSION}}, path)
    with pytest.raises(MentorkitError, match="refusing to load types outside the allowlist: .*NotAllowed"):
        model_store.load(path)


def test_load_refuses_an_old_feature_version(tmp_path):
    bundle = model_store.load(model_store.model_path("boundaries"))
    bundle["meta"] = dict(bundle["meta"], feature_version=-1)
    path = model_store.save(bundle, tmp_path / "old.skops")
    with pytest.raises(MentorkitError, match="feature version -1.*train-skills"):
        model_store.load(path)


@pytest.mark.parametrize("content, message", [
    (b"not a zip file", "not a readable skops model file"),
])
def test_load_names_a_damaged_file(tmp_path, content, message):
    path = tmp_path / "broken.skops"
    path.write_bytes(content)
    with pytest.raises(MentorkitError, match=message):
        model_store.load(path)


def test_load_names_a_missing_file(tmp_path):
    with pytest.raises(MentorkitError, match="model file not found"):
        model_store.load(tmp_path / "nope.skops")


def _coefs(pipe):
    clf = pipe.named_steps["clf"]
    return clf.coef_ if hasattr(clf, "coef_") else np.vstack([e.coef_ for e in clf.estimators_])


@pytest.mark.slow
def test_retraining_reproduces_the_packaged_models(tmp_path):
    from mentorkit.skills.train import train_all

    bundles, report = train_all(out_dir=tmp_path, progress=False)
    for skill, fresh in bundles.items():
        shipped = model_store.load(model_store.model_path(skill))["model"]
        again = model_store.load(tmp_path / f"{skill}.skops")["model"]
        assert again.named_steps["vec"].feature_names_ == shipped.named_steps["vec"].feature_names_
        # the solver's last digits depend on the BLAS build and CPU: 1e-12 apart between two machines,
        # and 3e-8 for active_listening's L-BFGS fit between two others (its stopping point moves); equal
        # to far below anything a score could show (coefficients of order 0.01-1), not bit for bit
        np.testing.assert_allclose(_coefs(again), _coefs(shipped), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(_coefs(fresh["model"]), _coefs(shipped), rtol=1e-5, atol=1e-6)
    assert set(report.skill) == set(model_store.TRAINED_SKILLS)


def test_missing_packaged_model_is_trained_and_cached(tmp_path, monkeypatch):
    # point the packaged folder somewhere empty: the model is retrained once and cached in cache_dir
    monkeypatch.setattr(model_store, "MODEL_DIR", tmp_path / "none")
    monkeypatch.setenv("MENTORKIT_CACHE", str(tmp_path / "cache"))
    model_store.clear_cache()
    try:
        bundle = model_store.get("boundaries")
        cached = tmp_path / "cache" / "skills" / "boundaries.skops"
        assert cached.exists()
        shipped = model_store.load(model_store.model_path("boundaries", model_store.Path(__file__).resolve()
                                                          .parents[1] / "mentorkit" / "data" / "skills"))
        np.testing.assert_allclose(_coefs(bundle["model"]), _coefs(shipped["model"]), rtol=1e-7, atol=1e-9)
    finally:
        model_store.clear_cache()


def test_get_rejects_an_untrained_skill():
    with pytest.raises(MentorkitError, match="has no trained model"):
        model_store.get("sbi")


@pytest.mark.parametrize("skill", list(model_store.TRAINED_SKILLS))
def test_fast_probabilities_equal_scikit_learn(skill):
    # the matrix-product shortcut must give exactly what the fitted pipeline's predict_proba gives
    from mentorkit.nlp import get_nlp
    from mentorkit.skills import listening, tagger
    from mentorkit.skills.corpus import read_listening, read_skill

    nlp = get_nlp("grader")
    if skill == "active_listening":
        feats = [listening.utterance_features(nlp(r.text)) for r in read_listening()[:60]]
    else:
        spec = __import__(f"mentorkit.skills.{skill}", fromlist=["SPEC"]).SPEC
        feats = [f for r in read_skill(skill)[:30] for f in tagger.doc_features(nlp(r.text), spec)[1]]
    from scipy.special import expit, softmax

    bundle = model_store.get(skill)
    pipe, cal = bundle["model"], bundle["meta"]["calibration"]
    raw = pipe.predict_proba(feats)
    if skill == "active_listening":
        z = pipe.decision_function(feats)
        np.testing.assert_allclose(softmax(z, axis=1), raw, rtol=1e-10, atol=1e-12)   # z is sklearn's own score
        reference = softmax(z / cal["temperature"], axis=1)                             # then the temperature
    else:
        X = pipe.named_steps["vec"].transform(feats)
        z = np.column_stack([e.decision_function(X) for e in pipe.named_steps["clf"].estimators_])
        np.testing.assert_allclose(expit(z), raw, rtol=1e-10, atol=1e-12)
        ab = np.array(cal["platt"])
        reference = expit(z * ab[:, 0] + ab[:, 1])                                      # one Platt map per column
    np.testing.assert_allclose(model_store.predict_proba(skill, feats), reference, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model_store.bundle_proba(bundle, feats), reference, rtol=1e-10, atol=1e-12)
