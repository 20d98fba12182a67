"""Damaged or tampered model files fail with one message naming the file (issue 13 item 6)."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.feedback.model import SBIModel
from mentorkit.skills import model as skill_model

GRADER = Path(__file__).resolve().parents[1] / "mentorkit" / "data" / "grader.npz"


def _arrays() -> dict:
    with np.load(GRADER, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def _write(path: Path, arrays: dict) -> Path:
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    return path


def _grader_damage(tmp_path: Path, kind: str) -> Path:
    p = tmp_path / f"{kind}.npz"
    if kind == "truncated":
        p.write_bytes(GRADER.read_bytes()[: GRADER.stat().st_size // 2])
    elif kind == "garbage":
        p.write_bytes(b"\x00\xffnot a zip at all" * 100)
    elif kind == "bad-json":
        a = _arrays()
        a["meta"] = np.array("{version: broken")
        _write(p, a)
    elif kind == "no-params":
        a = _arrays()
        meta = json.loads(str(a["meta"]))
        del meta["params"]
        a["meta"] = np.array(json.dumps(meta))
        _write(p, a)
    elif kind == "nan":
        a = _arrays()
        a["token_coef"] = a["token_coef"].copy()
        a["token_coef"][0, 5] = np.nan
        _write(p, a)
    elif kind == "inf":
        a = _arrays()
        a["doc_intercept"] = np.full_like(a["doc_intercept"], np.inf)
        _write(p, a)
    elif kind == "missing":
        a = _arrays()
        del a["doc_coef"]
        _write(p, a)
    elif kind == "doc-shape":  # statement classifiers over fewer figures than this mentorkit builds
        a = _arrays()
        a["doc_coef"] = a["doc_coef"][:, :17].copy()
        _write(p, a)
    return p


@pytest.mark.parametrize("kind, words", [
    ("truncated", "cannot read the grader model"), ("garbage", "cannot read the grader model"),
    ("bad-json", "metadata is damaged"), ("no-params", "metadata is damaged"),
    ("nan", "NaN or infinite"), ("inf", "NaN or infinite"), ("missing", "lacks ['doc_coef']"),
    ("doc-shape", "doc_coef has shape"),
])
def test_a_damaged_grader_file_gives_one_clear_message(tmp_path, kind, words):
    p = _grader_damage(tmp_path, kind)
    with pytest.raises(MentorkitError) as exc:
        SBIModel.load(p)
    msg = str(exc.value)
    assert msg.startswith(str(p)) and words in msg and "\n" not in msg


def test_the_shipped_grader_still_loads():
    m = SBIModel.load(GRADER)
    assert np.isfinite(m.token_coef_).all()


# --------------------------------------------------------------------- skops

def _pipeline(extra_step=None):
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    steps = [("vec", DictVectorizer())]
    if extra_step is not None:
        steps.append(("extra", extra_step))
    steps.append(("clf", LogisticRegression()))
    pipe = Pipeline(steps)
    X = [{"a": 1.0, "b": 0.0}, {"a": 0.0, "b": 1.0}] * 5
    y = [0, 1] * 5
    return pipe.fit(X, y)


def _bundle(model):
    return {"model": model, "meta": {"feature_version": skill_model.FEATURE_VERSION}}


def test_a_type_skops_trusts_by_default_but_mentorkit_does_not_name_is_refused(tmp_path):
    from sklearn.preprocessing import MaxAbsScaler
    import skops.io as sio

    p = skill_model.save(_bundle(_pipeline(MaxAbsScaler())), tmp_path / "extra.skops")
    assert "sklearn.preprocessing._data.MaxAbsScaler" not in sio.get_untrusted_types(file=p)  # skops would load it
    with pytest.raises(MentorkitError, match="refusing to load types outside the allowlist: "
                                             "sklearn.preprocessing._data.MaxAbsScaler"):
        skill_model.load(p)


def test_a_clean_skill_model_loads_and_nan_coefficients_are_refused(tmp_path):
    pipe = _pipeline()
    ok = skill_model.save(_bundle(pipe), tmp_path / "ok.skops")
    assert skill_model.load(ok)["model"].predict([{"a": 1.0}]).tolist() == [0]
    pipe.named_steps["clf"].coef_[0, 0] = np.nan
    bad = skill_model.save(_bundle(pipe), tmp_path / "nan.skops")
    with pytest.raises(MentorkitError, match=r"nan\.skops: the model's LogisticRegression\.coef_ holds NaN"):
        skill_model.load(bad)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "no-schema"])
def test_a_damaged_skill_model_gives_one_clear_message(tmp_path, damage):
    good = skill_model.save(_bundle(_pipeline()), tmp_path / "good.skops")
    p = tmp_path / f"{damage}.skops"
    if damage == "truncated":
        p.write_bytes(good.read_bytes()[:200])
    elif damage == "garbage":
        p.write_bytes(b"garbage" * 50)
    else:
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as dst:
            for name in src.namelist():
                if name != "schema.json":
                    dst.writestr(name, src.read(name))
    with pytest.raises(MentorkitError) as exc:
        skill_model.load(p)
    assert str(exc.value).startswith(str(p)) and "not a readable skops model file" in str(exc.value)
