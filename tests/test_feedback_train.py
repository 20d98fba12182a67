"""Retraining is reproducible, and the shipped model is what the corpus trains to."""
import json
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
    result = train(corpus=corpus, out=tmp_path / "grader.npz", progress=False)
    retrained = SBIModel.load(tmp_path / "grader.npz")
    df = load_corpus()
    test = df[df["split"] == "test"]
    feats, flags, _ = featurise(test["text"].tolist())
    a = retrained.predict_docs(feats, flags)
    b = _model().predict_docs(feats, flags)
    # the same model up to floating point: the parser's and the solver's sums round differently on
    # another CPU (seen between two machines: 7e-7, and 4.6e-5 on one statement's impact), while a
    # changed corpus, cue or feature moves many statements by 1e-2 and more
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.part_proba, y.part_proba, atol=1e-3)
        np.testing.assert_allclose(x.probs, y.probs, atol=1e-3)
    assert (corpus / "metrics.json").exists() and result["n_test"] == len(test)


def test_loading_refuses_pickled_objects(tmp_path):
    # an .npz holding an object array needs pickle to load: the grader refuses it
    bad = tmp_path / "bad.npz"
    with np.load(model_path(), allow_pickle=False) as z:
        meta = z["meta"]  # this version's metadata: the file gets as far as its arrays
    np.savez(bad, token_coef=np.array([print], dtype=object), token_intercept=np.zeros(4),
             praise_coef=np.zeros((1, 4)), praise_intercept=np.zeros(1), doc_coef=np.zeros((4, 2)),
             doc_intercept=np.zeros(4), meta=meta)
    with pytest.raises(MentorkitError, match="needs pickle"):
        SBIModel.load(bad)


def test_loading_refuses_a_foreign_file(tmp_path):
    bad = tmp_path / "other.npz"
    np.savez(bad, weights=np.zeros(3))
    with pytest.raises(MentorkitError, match="not a mentorkit grader model"):
        SBIModel.load(bad)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(MentorkitError, match="junk.npz"):
        SBIModel.load(junk)


def test_missing_model_file_says_how_to_rebuild(tmp_path):
    with pytest.raises(MentorkitError, match="train-grader"):
        SBIModel.load(tmp_path / "nope.npz")


def test_feature_hashing_matches_scikit_learn_feature_hasher():
    # independent reference: sklearn.feature_extraction.FeatureHasher(alternate_sign=False)
    from sklearn.feature_extraction import FeatureHasher
    from mentorkit.feedback.model import N_FEATURES, hash_tokens
    tokens = [["w=you", "l=interrupt", "c:time", "pp:specific"], ["b", "w=é", "cst=you|past"]]
    rows, cols = hash_tokens(tokens)
    ref = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False).transform(tokens).tocoo()
    assert sorted(zip(rows.tolist(), cols.tolist())) == sorted(zip(ref.row.tolist(), ref.col.tolist()))


def test_grading_does_not_import_scikit_learn():
    import subprocess, sys
    code = ("import sys, mentorkit; mentorkit.grade_feedback('You sent the notes on Monday.'); "
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("mask, gap, expected", [
    ([0, 1, 1, 0, 1, 0, 0, 1], 1, [(1, 5), (7, 8)]),
    ([0, 1, 1, 0, 1], 0, [(1, 3), (4, 5)]),
    ([0, 0], 1, []),
    ([1, 0, 1], 1, [(0, 3)]),
])
def test_runs(mask, gap, expected):
    assert runs(mask, max_gap=gap) == expected


def test_runs_bridge_only_unclaimed_gaps():
    assert runs([1, 0, 1], max_gap=1, bridge=[True, False, True]) == [(0, 1), (2, 3)]
    assert runs([1, 0, 1], max_gap=1, bridge=[True, True, True]) == [(0, 3)]


def test_praise_reader_tells_praise_from_criticism_on_the_test_split():
    # reference: scikit-learn's roc_auc_score against the writers' own polarity field
    from sklearn.metrics import roc_auc_score
    from mentorkit.feedback.train import praise_labels
    df = load_corpus()
    test = df[df["split"] == "test"].reset_index(drop=True)
    feats, flags, _ = featurise(test["text"].tolist())
    praise = np.array([t.praise for t in _model().predict_docs(feats, flags)])
    assert ((praise >= 0) & (praise <= 1)).all()
    assert roc_auc_score(praise_labels(test), praise) >= 0.95


def test_fit_refuses_a_polarity_of_one_kind():
    df = load_corpus()
    few = df[df["polarity"] == "praise"].head(12).reset_index(drop=True)
    feats, flags, labels = featurise(few["text"].tolist(), few["spans"].tolist())
    y = few[["situation", "behavior", "impact", "judgement"]].to_numpy().astype(int)
    with pytest.raises(MentorkitError, match="praise reader needs both"):
        SBIModel(n_folds=2).fit(feats, labels, y, flags, np.ones(len(few), dtype=int))


def test_loading_refuses_a_model_without_its_praise_reader(tmp_path):
    with np.load(model_path(), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if not k.startswith("praise")}
    old = tmp_path / "old.npz"
    np.savez(old, **arrays)
    with pytest.raises(MentorkitError, match="lacks .*praise_coef"):
        SBIModel.load(old)


def test_an_older_model_file_is_named_by_its_version(tmp_path):
    # a version-3 file (before the praise reader) lacks the praise arrays too: the message says
    # the file is older and how to rebuild it, not only which arrays are absent
    with np.load(model_path(), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files if not k.startswith("praise")}
    meta = json.loads(str(arrays["meta"]))
    meta["version"] = 3
    arrays["meta"] = np.array(json.dumps(meta))
    old = tmp_path / "v3.npz"
    np.savez(old, **arrays)
    with pytest.raises(MentorkitError, match="model version 3 does not match .*train-grader"):
        SBIModel.load(old)


def test_a_habitual_setting_alone_is_never_a_situation():
    # the guide: "in meetings" is a habit, not one occasion, whatever the taggers make of "In ..."
    from mentorkit.feedback.model import _setting_only_guard
    m = _model()
    assert 0 < m.setting_only_rate_ < 0.5
    texts = ["In meetings you interrupt people.", "In team meetings you talk over people.",
             "In yesterday's team meeting you talked over people."]
    feats, flags, _ = featurise(texts)
    p = [t.part_proba[0] for t in m.predict_docs(feats, flags)]
    assert p[0] <= m.setting_only_rate_ and p[1] <= m.setting_only_rate_ and p[2] >= 0.5
    # the guard only ever lowers a probability, and only where the cue is set
    raw = np.array([0.9, 0.2, 0.9])
    guarded = _setting_only_guard(raw, flags, 0.1)
    assert guarded.tolist() == [0.1, 0.1, 0.9]


def _hand_f1(a, b) -> float:
    # F1 counted by hand: 2 TP / (2 TP + FP + FN)
    tp = sum(1 for x, y in zip(a, b) if x and y)
    fp = sum(1 for x, y in zip(a, b) if not x and y)
    fn = sum(1 for x, y in zip(a, b) if x and not y)
    return 2 * tp / (2 * tp + fp + fn)


def test_second_reader_agreement_is_read_and_checked(tmp_path):
    import shutil
    from mentorkit.feedback.train import corpus_dir, predict_proba, second_reader_agreement
    table = second_reader_agreement().set_index("part")
    df = load_corpus().set_index("id")
    lines = [ln.split("\t") for ln in (corpus_dir() / "agreement" / "reader_y.tsv").read_text().splitlines()
             if ln and not ln.startswith("#")]
    assert (table["n"] == len(lines)).all() and len(lines) > 100
    # two people reading the guide agree on judgement nearly always (the labels are not the limit)
    assert table.at["judgement", "writer_vs_reader_f1"] >= 0.9
    # hand checks: the writers' and the reader's judgement flags, and the grader's against the writers
    reader = [int("{J:" in m) for _, m in lines]
    writer = df.loc[[i for i, _ in lines], "judgement"].astype(int).tolist()
    assert table.at["judgement", "writer_vs_reader_f1"] == round(_hand_f1(writer, reader), 4)
    grader = (predict_proba(_model(), df.loc[[i for i, _ in lines]].reset_index())[:, 3] >= 0.5).astype(int)
    assert table.at["judgement", "grader_vs_writer_f1"] == round(_hand_f1(writer, grader.tolist()), 4)
    copy = tmp_path / "sbi"
    shutil.copytree(corpus_dir() / "src", copy / "src")
    (copy / "agreement").mkdir()
    first = lines[0]
    # a line whose text was changed is refused, naming the line
    (copy / "agreement" / "reader_y.tsv").write_text(f"{first[0]}\t{first[1]} extra\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"line 1: the text of"):
        second_reader_agreement(copy)
    # a statement listed twice, or one the grader trained on, is refused: either would bias the figures
    (copy / "agreement" / "reader_y.tsv").write_text(f"{first[0]}\t{first[1]}\n" * 2, encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"line 2: .* listed twice"):
        second_reader_agreement(copy)
    train_row = df[df["split"] == "train"].iloc[0]
    (copy / "agreement" / "reader_y.tsv").write_text(f"{train_row.name}\t{train_row['text']}\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"line 1: .* training statement"):
        second_reader_agreement(copy)
