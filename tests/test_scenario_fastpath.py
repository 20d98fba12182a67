"""The scenario check's fast path (every reply and mentee line parsed in one batch, parses shared by
every reader of a text and by every file that holds it) plays exactly what the reference plays: each
text parsed alone, anew, by each reader, one file at a time."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mentorkit import nlp
from mentorkit.scenarios import DATA_DIR, SAMPLES_DIR
from mentorkit.scenarios.check import check_file, check_files
from mentorkit.scenarios.ahead import forget_shared, mentee_lines, parse_ahead

SHIPPED = sorted(DATA_DIR.glob("*.yaml"))


def _plays(report) -> list:
    """Everything a check's plays produced: per kind the scores and outcomes, and every session's transcript."""
    return ([(p.name, p.score, p.outcome, p.session.transcript()) for p in report.plays]
            + [(k.kind, k.scores, k.outcomes, [s.transcript() for s in k.sessions]) for k in report.kinds])


@pytest.mark.slow
def test_the_fast_path_plays_every_shipped_sample_exactly_as_the_reference():
    forget_shared()
    with nlp.uncached():
        reference = [check_file(f, ahead=False) for f in SHIPPED]
    forget_shared()
    fast = check_files(SHIPPED)
    assert [r.where for r in fast] == [r.where for r in reference]
    for ref, got in zip(reference, fast):
        assert ref.kinds and len(ref.kinds) == len(got.kinds), ref.where
        assert [(k.kind, k.scores) for k in got.kinds] == [(k.kind, k.scores) for k in ref.kinds], ref.where
        assert _plays(got) == _plays(ref), ref.where
        assert [str(p) for p in got.problems] == [str(p) for p in ref.problems], ref.where


def test_copies_of_a_file_share_their_parses_and_score_alike(tmp_path):
    src = DATA_DIR / "written_recap.yaml"
    (tmp_path / "samples").mkdir()
    for name in ("copy_a", "copy_b"):
        (tmp_path / f"{name}.yaml").write_text(src.read_text(encoding="utf-8").replace(
            "name: written_recap", f"name: {name}", 1), encoding="utf-8")
        (tmp_path / "samples" / f"{name}.yaml").write_text((SAMPLES_DIR / src.name).read_text(
            encoding="utf-8").replace("scenario: written_recap", f"scenario: {name}", 1), encoding="utf-8")
    forget_shared()
    one = check_files([tmp_path / "copy_a.yaml"])[0]
    kept = set(nlp._PARSES.docs)
    both = check_files([tmp_path / "copy_a.yaml", tmp_path / "copy_b.yaml"])
    sets = yaml.safe_load((tmp_path / "samples" / "copy_b.yaml").read_text(encoding="utf-8"))["sets"]
    replies = {("grader", r) for kind in sets.values() for rs in kind for r in rs}
    assert replies <= kept                              # the second copy's replies were all parsed already
    new = set(nlp._PARSES.docs) - kept                  # only her wording: a copy's mentee picks lines by its name
    assert len(new) < len(kept) / 4, (len(new), len(kept))
    assert [k.scores for k in both[0].kinds] == [k.scores for k in one.kinds]
    assert all(r.exit_code == 0 for r in both)


def test_parse_ahead_parses_each_distinct_text_once_and_skips_what_is_never_read():
    from mentorkit.scenarios import engine, load_scenario
    s = load_scenario("written_recap")
    forget_shared()
    long = "word " * 3000
    asked = parse_ahead([(s, ["Recap: you'll send it Monday.", "", long]), (s, ["Recap: you'll send it Monday."])])
    assert asked == 1                                               # one distinct reply; empty and long not read
    assert ("grader", "Recap: you'll send it Monday.") in nlp._PARSES.docs
    assert ("grader", long) not in nlp._PARSES.docs and ("grader", "") not in nlp._PARSES.docs
    lines = mentee_lines(s)
    assert lines and all("{" not in line for line in lines)        # placeholders filled in
    # what each of her lines tells is known before the play: none of them is parsed on a reply
    assert all((s.name, "all", line) in engine._TOLD_CACHE for line in lines)


def test_a_composed_mentee_line_tells_what_its_parts_tell():
    """An uptake before a wording or a frame around a fact is not parsed again: its facts are its parts'."""
    from mentorkit.nlp import cached_parse
    from mentorkit.scenarios import Session, load_scenario
    from mentorkit.scenarios.grounding import told_facts
    from mentorkit.scenarios.speech import render
    s = load_scenario("written_recap")
    forget_shared()
    session = Session(s, seed=3)
    fact = s.facts.items[0]
    says = render(fact.says, session._values)
    line = session._compose(f"Fair question. {says}", "Fair question.", says)
    parsed_before = set(nlp._PARSES.docs)
    got = session._told_in(line)
    assert ("grader", line) not in nlp._PARSES.docs and set(nlp._PARSES.docs) == parsed_before
    assert fact.id in got
    assert got == frozenset(told_facts(s.facts, cached_parse(says)))   # the whole line's own parse agrees
    assert got == frozenset(told_facts(s.facts, cached_parse(line)))


def test_a_batched_parse_is_the_parse_of_the_text_alone():
    texts = ["u missed the appt tmrw lol", "Okay. Did you tell her?", "In yesterday's standup you interrupted Priya."]
    forget_shared()
    batched = nlp.parse_many(texts)
    with nlp.uncached():
        alone = [nlp.cached_parse(t) for t in texts]
    sig = lambda d: [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.is_sent_start) for t in d]  # noqa: E731
    assert [sig(d) for d in batched] == [sig(d) for d in alone]
    assert batched[0] is nlp.cached_parse(texts[0])
