"""The labelled data: formats, the fixed split, and the counts stated in the data cards."""
from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from mentorkit.errors import MentorkitError
from mentorkit.skills import corpus
from mentorkit.skills.base import COMPONENTS, LISTENING_LABELS

ROOT = Path(__file__).resolve().parents[1] / "datasets"


def _raw_listening_rows(subset="src"):
    """The TSV rows read with the csv module only (an independent reading of the files)."""
    rows = []
    for path in sorted((ROOT / "listening" / subset).glob("*.tsv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for rec in csv.reader((line for line in fh if line.strip() and not line.startswith("#")),
                                  delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append(rec)
    return rows


def test_listening_reader_matches_a_plain_csv_reading():
    raw = _raw_listening_rows()
    rows = corpus.read_listening()
    assert len(rows) == len(raw) >= 800
    assert Counter(r.label for r in rows) == Counter(rec[0] for rec in raw)
    assert set(Counter(r.label for r in rows)) == set(LISTENING_LABELS)
    assert min(Counter(r.label for r in rows).values()) >= 150


def test_split_is_the_documented_hash_rule():
    # the rule written in the data card, recomputed here with hashlib directly
    for r in corpus.read_listening()[:200]:
        key = " ".join(r.text.lower().split())
        h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
        assert r.split == ("test" if h % 1000 < 200 else "train")


def test_split_is_roughly_one_fifth():
    rows = corpus.read_listening()
    share = sum(r.split == "test" for r in rows) / len(rows)
    assert 0.15 < share < 0.25


def _card_table(path: Path, first_col: str) -> dict[str, list[int]]:
    """Rows of the markdown table whose header starts with *first_col* (the counts table): name -> integers."""
    out: dict[str, list[int]] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"| {first_col} |"):
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                cells = [c.strip() for c in row.strip("|").split("|")]
                out[cells[0]] = [int(c) for c in cells[1:] if re.fullmatch(r"\d+", c)]
            break
    return out


def test_listening_card_counts_match_the_data():
    table = _card_table(ROOT / "listening" / "README.md", "label | train")
    rows = corpus.read_listening()
    for label in LISTENING_LABELS:
        train = sum(r.label == label and r.split == "train" for r in rows)
        test = sum(r.label == label and r.split == "test" for r in rows)
        assert table[label][:3] == [train, test, train + test], label


@pytest.mark.parametrize("skill", list(corpus.TAGS))
def test_skill_card_counts_match_the_data(skill):
    table = _card_table(ROOT / "skills" / skill / "README.md", "component | train")
    df = corpus.skill_frame(skill)
    for comp in COMPONENTS[skill]:
        train = int(df[(df.split == "train")][comp].sum())
        test = int(df[(df.split == "test")][comp].sum())
        assert table[comp][:2] == [train, test], comp
    assert table["texts"][:2] == [int((df.split == "train").sum()), int((df.split == "test").sum())]


@pytest.mark.parametrize("skill", list(corpus.TAGS))
def test_every_component_has_examples_in_both_splits(skill):
    df = corpus.skill_frame(skill)
    assert len(df) >= 140
    for comp in COMPONENTS[skill]:
        assert df[df.split == "train"][comp].sum() >= 20, comp
        assert df[df.split == "test"][comp].sum() >= 3, comp
    # and texts with none of the components, so the detectors learn what absence looks like
    assert (~df[list(COMPONENTS[skill])].any(axis=1)).sum() >= 10


@pytest.mark.parametrize("skill", list(corpus.TAGS))
def test_spans_point_into_the_text(skill):
    for row in corpus.read_skill(skill):
        for s in row.spans:
            piece = row.text[s["start"]:s["end"]]
            assert piece and piece == piece.strip() and "{" not in piece and "}" not in piece


def test_parse_marked_handles_double_tags_and_line_breaks():
    text, spans = corpus.parse_marked("{mentor+mentee:We both read it.}", corpus.TAGS["recap"])
    assert text == "We both read it."
    assert {s["label"] for s in spans} == {"mentor_next_steps", "mentee_next_steps"}


@pytest.mark.parametrize("marked, message", [
    ("{nope:hello}", "known tag"),
    ("{avail:open {reply:nested}}", "inside another span"),
    ("closing } only", "closes nothing"),
    ("{avail:never closed", "never closed"),
    ("{avail:   }", "empty span"),
])
def test_parse_marked_rejects_bad_marks(marked, message):
    with pytest.raises(MentorkitError, match=message):
        corpus.parse_marked(marked, corpus.TAGS["boundaries"], where="x.tsv:3")


def _write_listening(tmp_path, body: bytes):
    src = tmp_path / "listening" / "src"
    src.mkdir(parents=True)
    (src / "bad.tsv").write_bytes(body)
    return tmp_path


@pytest.mark.parametrize("body, message", [
    (b"reflection\tplain\tYou're tired.\nadvise\tplain\tTry it.\n", r"bad.tsv:2: field 1 \(label\) 'advise'"),
    (b"reflection\tplain\n", r"bad.tsv:1: expected 3 tab-separated fields"),
    (b"reflection\tsoft\tYou're tired.\n", r"bad.tsv:1: field 2 \(kind\) 'soft'"),
    (b"other\tplain\tOk.\nother\tplain\tok. \n", r"bad.tsv:2: duplicate of .*bad.tsv:1 \(in the same file\)"),
    (b"other\tplain\tOk \xff\n", r"bad.tsv:1: not valid UTF-8"),
])
def test_bad_listening_rows_are_named_by_file_and_line(tmp_path, body, message):
    root = _write_listening(tmp_path, body)
    with pytest.raises(MentorkitError, match=message):
        corpus.read_listening(root)


def test_transfer_set_is_separate_from_training_data():
    train = {" ".join(r.text.lower().split()): r.id for r in corpus.read_listening()}
    transfer = corpus.read_listening(subset="transfer")
    assert len(transfer) >= 250
    assert all(r.split == "transfer" for r in transfer)
    # a held-out line that repeats a training line word for word is flagged (and left out of scores)
    for r in transfer:
        key = " ".join(r.text.lower().split())
        if key in train:
            assert r.repeat_of == "src:" + train[key], r.id
        else:
            assert not r.repeat_of.startswith("src:"), r.id
    assert sum(r.repeat_of.startswith("src:") for r in transfer) < 0.1 * len(transfer)


def test_repeats_across_files_are_kept_and_flagged_but_conflicts_are_refused(tmp_path):
    src = tmp_path / "listening" / "src"
    src.mkdir(parents=True)
    (src / "a.tsv").write_text("other\tplain\tMm-hmm.\nreflection\tplain\tYou're tired.\n", encoding="utf-8")
    (src / "b.tsv").write_text("other\tplain\tmm-hmm.\n", encoding="utf-8")
    rows = corpus.read_listening(tmp_path)
    assert [r.repeat_of for r in rows] == ["", "", "a.tsv:1"]
    (src / "b.tsv").write_text("reflection\tplain\tMm-hmm.\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"b.tsv:1: duplicate of .*a.tsv:1 \(labelled 'other' there\)"):
        corpus.read_listening(tmp_path)


def test_skill_reader_reads_every_writer_file(tmp_path):
    folder = tmp_path / "skills" / "boundaries"
    folder.mkdir(parents=True)
    (folder / "boundaries.tsv").write_text("chat\t{reply:I answer within a day.}\n", encoding="utf-8")
    (folder / "writer_z.tsv").write_text("email\tI'm off on Fridays.\nchat\t{reply:I answer within a day.}\n",
                                         encoding="utf-8")
    rows = corpus.read_skill("boundaries", tmp_path)
    assert [(r.id, r.source, r.repeat_of) for r in rows] == [
        ("boundaries-0001", "boundaries", ""), ("boundaries-writer_z-0001", "writer_z", ""),
        ("boundaries-writer_z-0002", "writer_z", "boundaries.tsv:1")]
    (folder / "writer_z.tsv").write_text("chat\tI answer within a day.\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"writer_z.tsv:1: duplicate of .*boundaries.tsv:1 \(marked differently"):
        corpus.read_skill("boundaries", tmp_path)


def test_sentence_labels_overlap_rule():
    spans = [{"label": "goals", "start": 0, "end": 20}, {"label": "cadence", "start": 40, "end": 44}]
    text = "x" * 60
    assert corpus.sentence_labels(spans, 0, 30, text) == {"goals"}      # holds all of the goals span
    assert corpus.sentence_labels(spans, 15, 50, text) == {"cadence"}   # 5 of 20 goal chars: less than half
    assert corpus.sentence_labels(spans, 30, 39, text) == set()


def test_a_labelling_disagreement_is_set_aside_not_lost(tmp_path):
    # two writers mark one text differently: refused until both lines are listed in set_aside.txt,
    # then neither is trained on and both are reported with the reason
    folder = tmp_path / "skills" / "boundaries"
    folder.mkdir(parents=True)
    (folder / "boundaries.tsv").write_text("chat\t{reply:I reply within a day.}\nchat\tSee you soon.\n", encoding="utf-8")
    (folder / "writer_z.tsv").write_text("chat\tI reply within a day.\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match="marked differently"):
        corpus.read_skill("boundaries", tmp_path)
    (folder / "set_aside.txt").write_text("boundaries.tsv:1\twriters disagree\nwriter_z.tsv:1\tsee boundaries.tsv:1\n",
                                          encoding="utf-8")
    rows = corpus.read_skill("boundaries", tmp_path)
    assert [r.text for r in rows] == ["See you soon."]
    assert [r["where"] for r in corpus.set_aside("boundaries", tmp_path)] == ["boundaries.tsv:1", "writer_z.tsv:1"]
    # a stale entry (no such line) is an error that names the list and the line
    (folder / "set_aside.txt").write_text("boundaries.tsv:1\tdisagree\nwriter_z.tsv:1\tsee above\n"
                                          "writer_z.tsv:9\twhy\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"set_aside.txt: sets aside writer_z.tsv:9"):
        corpus.read_skill("boundaries", tmp_path)
