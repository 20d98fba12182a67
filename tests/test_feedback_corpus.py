import json
from pathlib import Path

import pytest

from mentorkit.errors import MentorkitError
from mentorkit.feedback import corpus
from mentorkit.feedback.train import corpus_dir, load_corpus


@pytest.mark.parametrize("marked, text, spans", [
    ("{S:In Monday's call}, {B:you cut Ana off}.", "In Monday's call, you cut Ana off.",
     [("situation", "In Monday's call"), ("behavior", "you cut Ana off")]),
    ("{B:you {J:always} skip the agenda}", "you always skip the agenda",
     [("behavior", "you always skip the agenda"), ("judgement", "always")]),
    ("{I: I felt heard }", " I felt heard ", [("impact", "I felt heard")]),
    ("No parts here.", "No parts here.", []),
])
def test_parse_marked(marked, text, spans):
    out, found = corpus.parse_marked(marked)
    assert out == text
    assert sorted((s["label"], out[s["start"]:s["end"]]) for s in found) == sorted(spans)


@pytest.mark.parametrize("bad, message", [
    ("{S:unclosed", "never closed"),
    ("closed}", "closes nothing"),
    ("{S:outer {B:inner}}", "only J may nest"),
    ("{X:what}", "is not followed by"),
    ("{S:   }", "empty"),
])
def test_parse_marked_rejects_bad_markup(bad, message):
    with pytest.raises(MentorkitError, match=message):
        corpus.parse_marked(bad, "f.tsv:3")


def test_source_line_errors_name_file_and_line(tmp_path):
    p = tmp_path / "x.tsv"
    p.write_text("software\tspoken\tpraise\tsecond\tfine\nsoftware\tpodcast\tpraise\tsecond\tbad style\n")
    with pytest.raises(MentorkitError, match=r"x.tsv:2: field 2 \(style\) 'podcast'"):
        corpus.read_source(p)


def test_sixth_field_is_the_variety_and_is_checked(tmp_path):
    p = tmp_path / "w.tsv"
    p.write_text("warehouse\tchat\tpraise\tsecond\t{B:u fixed it}\tnon_native\n"
                 "software\tspoken\tpraise\tsecond\tfine\n", encoding="utf-8")
    rows = corpus.read_source(p)
    assert [(r.setting, r.variety) for r in rows] == [("warehouse", "non_native"), ("software", "unspecified")]
    assert rows[0].behavior and rows[0].text == "u fixed it"
    p.write_text("software\tchat\tpraise\tsecond\tok\tforeign\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"w.tsv:1: field 6 \(variety\) 'foreign'"):
        corpus.read_source(p)
    p.write_text("Big Shop\tchat\tpraise\tsecond\tok\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"w.tsv:1: field 1 \(setting\) 'Big Shop'"):
        corpus.read_source(p)
    p.write_text("software\tchat\tpraise\tsecond\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"w.tsv:1: expected 5 .* or 6 .*found 4"):
        corpus.read_source(p)


def test_new_writers_are_in_the_corpus_with_their_variety(df):
    for writer in ("writer_e", "writer_f"):
        mine = df[df["id"].str.startswith(writer + "-")]
        assert len(mine) >= 300, writer
        assert set(mine["variety"]) == {"native", "non_native"}
    assert set(df[~df["id"].str.startswith("writer_")]["variety"]) == {"unspecified"}


@pytest.fixture(scope="module")
def df():
    return load_corpus()


def test_corpus_size_and_coverage(df):
    assert len(df) >= 1000
    combos = df.apply(lambda r: "".join(c if r[p] else "-" for c, p in zip("SBI", ("situation", "behavior", "impact"))),
                      axis=1).value_counts()
    assert set(combos.index) == {"SBI", "SB-", "S-I", "S--", "-BI", "-B-", "--I", "---"}
    assert combos.min() >= 40
    assert df["judgement"].sum() >= 150
    for setting in ("software", "healthcare", "finance", "education", "sales", "customer_support",
                    "content_creation", "research_lab"):
        assert (df["setting"] == setting).sum() >= 30, setting
    assert set(df["style"]) == {"spoken", "chat", "email", "async_update"}
    assert {"praise", "criticism"} <= set(df["polarity"])
    assert (df["person"] == "third").sum() >= 100


def test_labels_agree_with_spans_and_spans_are_tight(df):
    for row in df.itertuples():
        for part in ("situation", "behavior", "impact", "judgement"):
            assert getattr(row, part) == any(s["label"] == part for s in row.spans), row.id
        for s in row.spans:
            piece = row.text[s["start"]:s["end"]]
            assert piece and piece == piece.strip(), (row.id, piece)


def test_split_is_fixed_and_matches_the_shipped_jsonl(df):
    shipped = [json.loads(l) for l in (corpus_dir() / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in shipped] == df["id"].tolist()
    assert [r["split"] for r in shipped] == df["split"].tolist()
    share = (df["split"] == "test").mean()
    assert 0.15 < share < 0.25


def test_no_template_dominates(df):
    # the most common three-word opening covers only a small share of statements
    openers = df["text"].str.lower().str.split().str[:3].str.join(" ").value_counts()
    assert openers.iloc[0] / len(df) < 0.03, openers.head()
