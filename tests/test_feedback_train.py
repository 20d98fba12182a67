"""Retraining is reproducible, and the shipped model is what the corpus trains to."""
import numpy as np
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.feedback.grade import _model, model_path
from mentorkit.feedback.model import SBIModel, runs
from mentorkit.feedback.train import featurise, load_corpus, train


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(tmp_path):
    # train into a copy of the corpus folder so the shipped metrics file is untouched
    import shutil
    from mentorkit.feedback.train import corpus_dir
    corpus = tmp_path / "sbi"
    shutil.copytree(corpus_dir() / "src", corpus / "src")
    result = train(corpus=corpus, out=tmp_path / "grader.skops", progress=False)
    retrained = SBIModel.load(tmp_path / "grader.skops")
    df = load_corpus()
    test = df[df["split"] == "test"]
    feats, flags, _ = featurise(test["text"].tolist())
    a = retrained.predict_docs(feats, flags)
    b = _model().predict_docs(feats, flags)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.part_proba, y.part_proba, atol=1e-9)
    assert (corpus / "metrics.json").exists() and result["n_test"] == len(test)


def test_loading_refuses_untrusted_types(tmp_path):
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer
    bad = tmp_path / "bad.skops"
    sio.dump({"version": 2, "params": {}, "token_models": [Pipeline([("f", FunctionTransformer(print))])],
              "doc_models": []}, bad)
    with pytest.raises(MentorkitError, match="untrusted types"):
        SBIModel.load(bad)


def test_missing_model_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(MentorkitError, match="train-grader"):
        SBIModel.load(tmp_path / "nope.skops")


def test_shipped_model_loads_with_only_allowlisted_types():
    import skops.io as sio
    from mentorkit.feedback.model import TRUSTED_TYPES
    assert set(sio.get_untrusted_types(file=model_path())) <= set(TRUSTED_TYPES)


@pytest.mark.parametrize("mask, gap, expected", [
    ([0, 1, 1, 0, 1, 0, 0, 1], 1, [(1, 5), (7, 8)]),
    ([0, 1, 1, 0, 1], 0, [(1, 3), (4, 5)]),
    ([0, 0], 1, []),
])
def test_runs(mask, gap, expected):
    assert runs(mask, max_gap=gap) == expected
