"""Writer T's near-miss note and the harsh false-alarm figures read from it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.skills import evaluate
from mentorkit.skills.corpus import datasets_dir, read_skill


def test_every_text_of_writer_t_has_a_kind_that_agrees_with_its_mark():
    kinds = evaluate.near_miss_kinds()
    rows = {r.id: r for r in read_skill("intent_tone") if r.source == "writer_t"}
    assert set(kinds.id) == set(rows) and len(kinds) == len(rows) == 360
    # the writer's note and the writer's marks were made separately: a text noted as harsh
    # carries a harsh mark, and no near miss does
    for rec in kinds.itertuples():
        assert rows[rec.id].labels["harsh"] == (rec.kind == "harsh"), rec
    assert set(evaluate.TARGET_NEAR_MISSES) <= set(kinds.kind)


def _copy_tone(tmp_path: Path) -> Path:
    folder = tmp_path / "skills" / "intent_tone"
    shutil.copytree(datasets_dir() / "skills" / "intent_tone", folder)
    return folder


def test_a_note_line_naming_no_text_is_an_error_that_names_file_and_line(tmp_path):
    folder = _copy_tone(tmp_path)
    note = folder / evaluate.NEAR_MISS_FILE
    note.write_text(note.read_text(encoding="utf-8") + "999,harsh,0\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"writer_t_kinds.csv: line\(s\) \[999\] name no text"):
        evaluate.near_miss_kinds(tmp_path)
    lines = note.read_text(encoding="utf-8").splitlines()
    note.write_text("\n".join(l for l in lines if not l.startswith(("2,", "999,"))) + "\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"writer_t.tsv line\(s\) \[2\] have no kind"):
        evaluate.near_miss_kinds(tmp_path)
    note.write_text("line,what\n2,harsh\n", encoding="utf-8")
    with pytest.raises(MentorkitError, match=r"column\(s\) \['kind', 'second_language'\] missing"):
        evaluate.near_miss_kinds(tmp_path)


def test_report_and_precision_count_by_hand():
    kinds = evaluate.near_miss_kinds()
    pick = lambda kind, n: kinds[kinds.kind == kind].id.head(n).tolist()
    harsh, questions, walls, vents = pick("harsh", 4), pick("neutral question", 3), \
        pick("warm boundary or decline", 2), pick("venting about a thing or third party", 2)
    # flagged: 3 of the 4 harsh texts, 1 question, 0 boundaries, both ventings
    flagged = set(harsh[:3] + questions[:1] + vents)
    ids = harsh + questions + walls + vents + ["intent_tone-0003"]   # another writer's text is ignored
    preds = pd.DataFrame({"id": ids, "harsh": [i in harsh or i == "intent_tone-0003" for i in ids],
                          "harsh_pred": [i in flagged or i == "intent_tone-0003" for i in ids]})
    rep = evaluate.near_miss_report(preds).set_index("kind")
    assert rep.loc["harsh", "texts"] == 4 and rep.loc["harsh", "share"] == 0.75
    assert rep.loc["neutral question", "flagged_harsh"] == 1
    assert rep.loc["venting about a thing or third party", "share"] == 1.0
    got = evaluate.harsh_precision_against(preds)
    # against questions and boundaries only: 3 right flags, 1 false (the question); the ventings do not count
    assert got == {"harsh_texts": 4, "near_misses": 5, "true_flags": 3, "false_flags": 1, "precision": 0.75}


def test_shipped_detector_rarely_calls_a_neutral_question_or_warm_boundary_harsh():
    preds = evaluate.skill_predictions("intent_tone", "test")
    got = evaluate.harsh_precision_against(preds)
    assert got["near_misses"] >= 5 and got["harsh_texts"] >= 15
    assert got["precision"] >= 0.90, got


def test_predictions_read_back_as_0_and_1_count_the_same():
    kinds = evaluate.near_miss_kinds()
    ids = kinds[kinds.kind.isin(["harsh", "neutral question"])].id.head(6).tolist()
    as_bool = pd.DataFrame({"id": ids, "harsh": [i in set(kinds[kinds.kind == "harsh"].id) for i in ids],
                            "harsh_pred": [True, False, True, True, False, True]})
    as_int = as_bool.assign(harsh=as_bool.harsh.astype(int), harsh_pred=as_bool.harsh_pred.astype(int))
    assert evaluate.harsh_precision_against(as_int) == evaluate.harsh_precision_against(as_bool)
    with pytest.raises(MentorkitError, match="harsh_pred is missing"):
        evaluate.harsh_precision_against(as_bool.assign(harsh_pred=[None] * len(ids)))
