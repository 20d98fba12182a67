"""Variety of the mentee's lines: every move has at least four wordings, and none repeats.

Every shipped scenario is loaded from its YAML file and played through the real engine
(spaCy, the skill detectors, the fact sheets). The replies in the long scripts are each
scenario's own example replies, with empty and too-long replies between them.
"""
from __future__ import annotations

import difflib
import itertools
import re

import pytest

from mentorkit.scenarios import answers, engine, load_scenario, play_replies, scenario_names, wording
from mentorkit.scenarios.engine import MAX_REPLY_CHARS, Session, placeholder_values, render

MIN_WORDINGS = 4
#: two wordings of one move whose words agree this much (difflib ratio over the word sequence) are one
#: wording with a synonym swapped in, not two ("Okay. I'll just wait then." / "Okay, I'll wait, then." is 0.89)
MAX_LIKENESS = 0.8


def _moves(name: str):
    """Every authored mentee move of scenario *name*: (where, its wordings with placeholders filled in)."""
    scenario = load_scenario(name)
    values = placeholder_values(scenario)
    moves = [(f"turns[{t}].branches[{j}].say", branch.say) for t, turn in enumerate(scenario.turns)
             for j, branch in enumerate(turn.branches)
             if branch.say]   # only the last turn's fallback may leave its line out (the ending follows)
    moves += [(f"endings.{outcome}", lines) for outcome, lines in scenario.endings.items()]
    moves += [("on_empty", scenario.on_empty)] + ([("off_topic", scenario.off_topic)] if scenario.off_topic else [])
    return [(where, [render(line, values) for line in lines]) for where, lines in moves]


def _key(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.parametrize("name", scenario_names())
def test_every_mentee_move_has_at_least_four_distinct_wordings(name):
    short = [f"{where}: {len({_key(x) for x in lines})} distinct of {len(lines)}" for where, lines in _moves(name)
             if len({_key(x) for x in lines}) < MIN_WORDINGS]
    assert not short, f"{name}: moves with fewer than {MIN_WORDINGS} wordings: {short}"


@pytest.mark.parametrize("name", scenario_names())
def test_no_two_wordings_of_a_move_are_a_synonym_swap_apart(name):
    close = []
    for where, lines in _moves(name):
        for a, b in itertools.combinations(lines, 2):
            ratio = difflib.SequenceMatcher(None, *(re.findall(r"[a-z0-9']+", x.lower()) for x in (a, b))).ratio()
            if ratio >= MAX_LIKENESS:
                close.append(f"{where}: {a!r} / {b!r} ({ratio:.2f})")
    assert not close, f"{name}: wordings too alike to count as two: {close}"


@pytest.mark.parametrize("table,lines", [
    *((f"wording.UPTAKES[{k!r}]", v) for k, v in wording.UPTAKES.items()),
    ("wording.ANSWER_FRAMES", wording.ANSWER_FRAMES),
    ("wording.CLOSED_FRAMES", wording.CLOSED_FRAMES),
    ("wording.OPTION_FRAMES", wording.OPTION_FRAMES),
    *((f"answers.{k}", getattr(answers, k)) for k in (
        "REFER_BACK", "UNSURE", "CHECK_YES", "CHECK_UNSURE", "ACCEPT_THEY", "ACCEPT_WE", "ADVICE", "ACCEPT_MENTOR",
        "HESITATE")),
    ("engine.OFF_TOPIC_LINES", engine.OFF_TOPIC_LINES),
    ("engine.TOO_LONG_LINES", engine.TOO_LONG_LINES),
])
def test_every_engine_move_table_has_at_least_four_distinct_wordings(table, lines):
    assert len({_key(line) for line in lines}) >= MIN_WORDINGS, table


def _long_script(scenario, kind: str) -> list[str]:
    """Per turn: an empty reply, a reply over the length limit, then the scenario's example reply
    of *kind* (empty and too-long replies keep the turn open, so the script is three times as long)."""
    too_long = ("I want to go over everything that happened, in order. " * 400)[:MAX_REPLY_CHARS + 500]
    script = []
    for reply in scenario.examples[kind]:
        script += ["", too_long, reply]
    return script


@pytest.mark.parametrize("name", scenario_names())
@pytest.mark.parametrize("kind", ["strong", "weak"])
def test_no_mentee_line_repeats_within_a_long_conversation(name, kind):
    scenario = load_scenario(name)
    script = _long_script(scenario, kind)
    for seed in range(3):
        s = play_replies(name, script, seed=seed)
        said = [ln.text for ln in s.lines if ln.speaker == "mentee"]
        assert len(said) >= len(scenario.turns) + 2, (name, seed, said)   # the script was played, not cut short
        messages = [_key(m) for m in said]
        repeated = sorted({m for m in messages if messages.count(m) > 1})
        assert not repeated, f"{name} ({kind}, seed {seed}): a message said twice: {repeated}"
        # nor any paragraph of a message (a reaction, an answer, an ending) said twice
        paragraphs = [_key(p) for m in said for p in m.split("\n\n") if p.strip()]
        repeated = sorted({p for p in paragraphs if paragraphs.count(p) > 1})
        assert not repeated, f"{name} ({kind}, seed {seed}): a line said twice: {repeated}"


def test_seeds_and_replies_reach_every_wording_of_a_move():
    # the four wordings are not there for show: across seeds the same move is said in each of them
    name = "client_call_feedback"
    scenario = load_scenario(name)
    move = scenario.turns[0].branches[1].say   # behaviour and impact named
    values = placeholder_values(scenario)
    reply = ("In this morning's review, while their CEO was presenting, you said their numbers were wrong, "
             "and he ended the call early.")
    heard = set()
    for seed in range(40):
        s = Session(name, seed=seed)
        s.reply(reply)
        assert s.lines[1].branch == 1
        heard.update(render(w, values) for w in move if render(w, values) in s.lines[2].text)
    assert len(heard) == len(move) >= MIN_WORDINGS


def test_a_closed_answer_and_an_option_answer_are_framed_in_more_than_one_way():
    closed, option = set(), set()
    for seed in range(12):
        s = Session("written_recap", seed=seed)
        s.reply("Did we agree you'd lead the autumn launch stand-up?")
        closed.update(a.line for a in s.lines[1].answers if a.kind == "closed")
        s = Session("client_call_feedback", seed=seed)
        s.reply("Could you send their ops lead a short note tonight with the corrected returns figure?")
        option.update(a.line for a in s.lines[1].answers if a.kind == "proposal")
    assert len(closed) >= 3 and all("stand-up" in line for line in closed), closed
    assert len(option) >= 3 and all("short note tonight" in line for line in option), option
