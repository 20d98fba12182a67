"""Scenario files: coverage of the issue's situations, the file format, and errors that name file and field."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR, families, list_scenarios, load_scenario, load_scenario_file, scenario_names
from mentorkit.scenarios.schema import COMPONENTS, STATE_KEYS

# the situations the issue asks for, and the scenario written for each
REQUIRED = {
    "async weekly update from 12 hours ahead": "async_weekly_update",
    "SBI feedback after a client call that went wrong": "client_call_feedback",
    "recognition for good work": "recognition_good_work",
    "missed check-ins, goals untouched": "low_engagement",
    "disagreement after a tense call (four-step frame)": "tense_disagreement",
    "asking how the mentee prefers feedback": "feedback_preference",
    "availability boundaries when overloaded": "availability_boundaries",
    "a pairing that is not working: rematch": "rematch_kindly",
    "reverse mentoring on a digital tool": "reverse_mentoring",
    "kickoff call and mentorship agreement": "kickoff_agreement",
    "written recap after a call": "written_recap",
    "group session with one dominant voice": "group_dominant_voice",
}


def test_at_least_ten_scenarios_cover_every_required_situation():
    names = scenario_names()
    assert len(names) >= 10
    missing = {topic: name for topic, name in REQUIRED.items() if name not in names}
    assert not missing


@pytest.mark.parametrize("name", sorted(REQUIRED.values()))
def test_each_scenario_has_the_parts_the_issue_asks_for(name):
    s = load_scenario(name)
    assert 3 <= len(s.turns) <= 6
    p = s.persona
    assert p.role and p.time_zone and p.mood and p.feedback_preference in ("direct", "warm", "ask")
    assert s.context and s.opening
    assert s.rubric.version and s.rubric.criteria
    for c in s.rubric.criteria:
        assert c.weight > 0 and c.good and c.fair and c.poor
    assert set(s.state) == set(STATE_KEYS)
    assert set(s.endings) == {"resolved", "partly_resolved", "stalled"}
    # every turn but the last gives the mentee something to say in each branch
    for turn in s.turns[:-1]:
        assert all(b.say for b in turn.branches)
    # the model replies shipped with the scenario are one per turn at most
    assert 1 <= len(s.examples["strong"]) <= len(s.turns)


def test_async_update_mentee_is_twelve_hours_ahead():
    s = load_scenario("async_weekly_update")
    # Manila UTC+8 vs Chicago in summer time UTC-4: 8 - (-4) = 12 hours (hand calculation)
    assert s.hours_ahead == 12
    assert "12 hours" in s.title


def test_scenario_components_are_the_ones_the_detectors_report():
    from mentorkit.skills import SKILLS
    from mentorkit.skills.base import COMPONENTS as DETECTOR_COMPONENTS
    assert set(COMPONENTS) == set(SKILLS)
    for skill, comps in DETECTOR_COMPONENTS.items():
        # sbi.judgement is read from the grader's judgement words, not a detector component
        assert set(COMPONENTS[skill]) - {"judgement"} == set(comps), skill


def test_list_scenarios_is_a_tidy_table_and_families_partition_it():
    table = list_scenarios()
    assert list(table.columns) == ["name", "title", "family", "persona", "feedback_preference", "skills", "turns",
                                   "rubric_version", "summary", "source", "path"]
    assert set(table["source"]) == {"shipped"}
    assert table["name"].is_unique and len(table) == len(scenario_names())
    fams = families()
    assert sorted(n for names in fams.values() for n in names) == sorted(table["name"])
    assert set(list_scenarios(family="hard_conversations")["name"]) == set(fams["hard_conversations"])
    with pytest.raises(MentorkitError, match="families: "):
        list_scenarios(family="no_such_family")


def test_unknown_scenario_lists_the_real_ones_and_the_closest():
    with pytest.raises(MentorkitError) as err:
        load_scenario("tense_disagrement")
    msg = str(err.value)
    assert "unknown scenario 'tense_disagrement'" in msg
    assert "Did you mean tense_disagreement" in msg
    for name in scenario_names():
        assert name in msg


# --------------------------------------------------------------- malformed files

def _base() -> dict:
    return yaml.safe_load((DATA_DIR / "tense_disagreement.yaml").read_text())


def _set(data: dict, path: list, value):
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


_DELETE = object()

MALFORMED = [
    # (what is changed, new value, the field the error must name, a phrase of the problem)
    (["title"], _DELETE, "title", "is missing"),
    (["persona", "feedback_preference"], "gentle", "persona.feedback_preference", "not one of"),
    (["persona", "utc_offset"], "five", "persona.utc_offset", "expected a number"),
    (["turns"], "SLICE2", "turns", "3 to 6 turns"),
    (["turns", 0, "branches", 1, "if", "all", 1], "four_step.intnet", "turns[0].branches[1].if.all[1]",
     "unknown finding 'four_step.intnet'"),
    (["turns", 0, "branches", 3, "if"], {"any": ["four_step"]}, "turns[0].branches[3].if", "fallback"),
    (["rubric", "criteria", 1, "id"], "observation", "rubric.criteria[1].id", "duplicate id"),
    (["rubric", "criteria", 0, "weight"], "heavy", "rubric.criteria[0].weight", "expected a number"),
    (["rubric", "version"], _DELETE, "rubric.version", "is missing"),
    (["state", "trust"], 1.5, "state.trust", "outside"),
    (["skills", 1], "empathy", "skills[1]", "unknown skill 'empathy'"),
    (["effects", "four_step.observation"], {"patience": 0.1}, "effects.four_step.observation.patience",
     "unknown state"),
    (["colour"], "blue", "colour", "unknown field"),
    (["endings", "stalled"], [], "endings.stalled", "at least 1"),
    (["opening"], "Hi {mentor_name}!", "opening", "unknown placeholder {mentor_name}"),
    (["outcome", "resolved"], {"all": ["four_step"]}, "outcome.resolved.all", "unknown field"),
    (["facts"], _DELETE, "facts", "is missing"),
    (["facts", "items", 0, "kind"], "rumour", "facts.items[0].kind", "not one of action"),
    (["facts", "items", 0, "occasion"], "standup", "facts.items[0].occasion", "unknown occasion 'standup'"),
    (["facts", "items", 0, "topics", 0], "weather", "facts.items[0].topics[0]", "unknown topic 'weather'"),
    (["facts", "items", 5, "topics"], _DELETE, "facts.items[5].topics", "needs a topic"),
    (["facts", "items", 1, "id"], "pushed_back", "facts.items[1].id", "duplicate id 'pushed_back'"),
    (["facts", "items", 0, "words"], [], "facts.items[0].words", "at least 1"),
    (["facts", "items", 0, "hidden"], "sometimes", "facts.items[0].hidden", "true or false"),
    (["facts", "occasions"], [], "facts.occasions", "non-empty list"),
    (["facts", "occasions", 0, "when"], _DELETE, "facts.occasions[0].when", "is missing"),
    (["facts", "topics", 0, "colour"], "red", "facts.topics[0].colour", "unknown field"),
    (["facts", "items", 0, "says"], "Hi {mentor_name}", "facts.items[0].says", "unknown placeholder"),
]


@pytest.mark.parametrize("path,value,field,problem", MALFORMED, ids=[m[2] for m in MALFORMED])
def test_malformed_file_is_rejected_naming_file_and_field(tmp_path, path, value, field, problem):
    data = _base()
    if value == "SLICE2":
        data["turns"] = data["turns"][:2]
    else:
        _set(data, path, value if value is _DELETE else copy.deepcopy(value))
    f = tmp_path / "broken.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(MentorkitError) as err:
        load_scenario_file(f)
    msg = str(err.value)
    assert str(f) in msg
    assert f"field '{field}'" in msg
    assert problem in msg


@pytest.mark.parametrize("name", sorted(REQUIRED.values()))
def test_each_scenario_has_a_fact_sheet_like_a_case_script(name):
    # what happened (an occasion, what she did, what it led to), what she feels or wants,
    # and something she tells only when asked
    sheet = load_scenario(name).facts
    kinds = {f.kind for f in sheet.items}
    assert sheet.about and sheet.occasions and sheet.topics
    assert kinds & {"action", "result"}, kinds
    assert kinds & {"feeling", "worry", "goal"}, kinds
    assert "option" in kinds, kinds
    assert any(f.hidden for f in sheet.items)
    topic_ids = {t.id for t in sheet.topics}
    assert all(set(f.topics) <= topic_ids for f in sheet.items)
    assert all(f.words for f in sheet.items)


def test_the_fact_index_finds_a_fact_by_its_words_and_synonyms():
    from mentorkit.nlp import get_nlp
    from mentorkit.scenarios.facts import fact_index
    sheet = load_scenario("client_call_feedback").facts
    index = fact_index(sheet)
    doc = get_nlp("grader")("While their CEO was presenting you cut in. What went on with the Q3 figures? Lovely weather.")
    found = {(m.sentence, m.kind, m.id) for m in index.matches(doc)}
    assert (0, "fact", "said_wrong") in found          # "cut in" is one of its synonyms
    assert (1, "fact", "double_counted") in found      # "Q3 figures", lemma 'figure'
    assert (1, "topic", "the_data") in found
    assert not any(m[0] == 2 for m in found)           # the weather refers to nothing on the sheet


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    f = tmp_path / "syntax.yaml"
    f.write_text("name: x\ntitle: [unclosed\nfamily: y\n")
    with pytest.raises(MentorkitError, match=r"syntax\.yaml: not valid YAML at line \d+"):
        load_scenario_file(f)


def test_a_valid_copy_loads_and_a_renamed_packaged_file_is_caught(tmp_path):
    data = _base()
    f = tmp_path / "copy.yaml"
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    assert load_scenario_file(f).name == "tense_disagreement"
    assert load_scenario(str(f)).title == data["title"]
