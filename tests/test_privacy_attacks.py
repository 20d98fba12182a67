"""The differencing attacks of issue 13 replayed on a program with a one-person cohort.

benchmarks/privacy_attacks.py holds the attacks (it prints the same table): every cohort
filter option's exports are downloaded and "All" minus the rest is worked out for pre/post
answers, the retention table, the survival-curve export, comment-search counts and monthly
sessions. Before (the old per-table rule, replayed) they recover the person; through the
dashboards as built now they recover nothing.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def attacks():
    spec = importlib.util.spec_from_file_location("privacy_attacks", ROOT / "benchmarks" / "privacy_attacks.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data, pid = mod.solo_program()
    solo = mod.truth(data, pid)
    mod.WORDS = solo["words"]
    return mod, data, pid, solo


def test_the_old_rule_gives_the_person_away(attacks):
    mod, data, _pid, solo = attacks
    before = mod.attack(mod.naive_views(data), solo=solo)
    # the attacks work on the old rule, so their zero below means something
    assert before["skills where one person's exact pre and post answers came out"] >= 5
    assert before["retention rows telling whether a small group left"] >= 1
    assert before["survival-curve steps giving a small group's exits"] >= 1
    assert before["comment searches attributing comments to a small group"] >= 1
    assert before["months giving a small group's sessions"] >= 1


def test_every_filter_and_export_of_the_dashboards_recovers_nothing(attacks):
    mod, data, pid, solo = attacks
    views = mod.guarded_views(data)
    assert "other (combined)" in views and mod.SOLO not in views      # the one-person cohort is no option
    after = mod.attack(views, solo=solo)
    assert after == {k: 0 for k in after}, after
    # and the person's own answers appear in no shown row with one person behind it
    for opt, view in views.items():
        pp = view.get("pre-post change")
        if pp is not None:
            assert (pp.loc[pp["n"].notna(), "n"] >= 5).all(), opt
        sc = view.get("survival curves")
        if sc is not None:
            assert (sc["at_risk"] >= 5).all(), opt
