"""`scenario check`: every problem at once with its line, the model in step with the loader, lints, sample plays."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from mentorkit.errors import MentorkitError
from mentorkit.scenarios import DATA_DIR, load_scenario_file
from mentorkit.scenarios.check import check_file, check_source
from mentorkit.scenarios.model import SCHEMA_PATH, ScenarioFile, json_schema, validate
from mentorkit.scenarios.schema import parse_scenario

SHIPPED = sorted(DATA_DIR.glob("*.yaml"))


def _data(name: str = "tense_disagreement") -> dict:
    return yaml.safe_load((DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def _line_of(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first line at or after *start* (0-based) containing *needle*."""
    lines = text.splitlines()
    return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_passes_the_check_and_keeps_its_sample_sets_beside_it(path):
    from mentorkit.scenarios.samples import read_samples, samples_path
    report = check_file(path, play=False)
    assert report.exit_code == 0 and not report.warnings, report.lines()
    where = samples_path(report.scenario)
    assert where == DATA_DIR / "samples" / path.name
    sets, problems = read_samples(where, report.scenario, minimum=3)
    assert problems == [] and sets.writer.startswith("writer_")


@pytest.mark.parametrize("name", ["written_recap", "feedback_preference"])
def test_the_check_plays_the_independent_sample_sets_and_judges_each_kind_by_its_mean(name):
    import statistics
    from mentorkit.scenarios import Session
    from mentorkit.scenarios.samples import SAMPLE_BOUNDS
    report = check_file(DATA_DIR / f"{name}.yaml")
    assert report.samples_file == str(DATA_DIR / "samples" / f"{name}.yaml")
    assert [k.kind for k in report.kinds] == ["strong", "weak", "stuffed", "off_topic"]
    sets = yaml.safe_load((DATA_DIR / "samples" / f"{name}.yaml").read_text(encoding="utf-8"))["sets"]
    failing = set()
    for kp in report.kinds:
        # reference: each set played reply by reply through a plain Session (set i with seed i)
        ref = []
        for i, replies in enumerate(sets[kp.kind]):
            s = Session(report.scenario, seed=i)
            for r in replies:
                if not s.done:
                    s.reply(r)
            if not s.done:
                s.abandon()
            ref.append(s.debrief().score)
        assert kp.scores == pytest.approx(ref)
        lo, hi = SAMPLE_BOUNDS[kp.kind]
        assert kp.ok == (lo <= statistics.fmean(ref) <= hi)
        if not kp.ok:
            failing.add(f"sets.{kp.kind}")
    in_samples = {p.field for p in report.errors if p.file == report.samples_file}
    assert in_samples == failing
    assert report.exit_code == (1 if failing else 0)
    assert {p.field for p in report.errors} - in_samples == set()     # the author's examples pass
    assert {p.name: p.score for p in report.plays}["strong"] >= 80


def test_every_problem_of_a_file_is_reported_at_once_with_its_line():
    text = (DATA_DIR / "tense_disagreement.yaml").read_text(encoding="utf-8")
    broken = (text.replace("name: tense_disagreement\n", "name: tense_disagreement\ncolour: blue\n", 1)
                  .replace("  utc_offset: 0\n", "  utc_offset: 99\n", 1)
                  .replace("look_for: [four_step.observation]", "look_for: [four_step.obsrvation]", 1)
                  .replace("weight: 2\n", "weight: heavy\n", 1))
    report = check_source(broken, "t.yaml", play=False)
    got = {(p.line, p.field) for p in report.errors}
    want = {
        (_line_of(broken, "colour: blue"), "colour"),
        (_line_of(broken, "utc_offset: 99"), "persona.utc_offset"),
        (_line_of(broken, "four_step.obsrvation"), "rubric.criteria[0].look_for[0]"),
        (_line_of(broken, "weight: heavy"), "rubric.criteria[0].weight"),
    }
    assert got == want, report.lines()
    assert report.exit_code == 1
    assert all(str(p).startswith(f"t.yaml:{p.line}: {p.field}: ") for p in report.errors)
    assert "Did you mean four_step.observation" in next(p.message for p in report.errors if "look_for" in p.field)


def test_british_and_american_spellings_both_load_and_a_misspelling_is_named(tmp_path):
    text = (DATA_DIR / "client_call_feedback.yaml").read_text(encoding="utf-8")
    assert "sbi.behavior" in text and "sbi.judgement" in text
    british = text.replace("sbi.behavior", "sbi.behaviour").replace("sbi.judgement", "sbi.judgment")
    f = tmp_path / "client_call_feedback.yaml"
    f.write_text(british, encoding="utf-8")
    original = load_scenario_file(DATA_DIR / "client_call_feedback.yaml")
    assert load_scenario_file(f).rubric == original.rubric and load_scenario_file(f).turns == original.turns
    assert check_source(british, "b.yaml", play=False).errors == []
    wrong = check_source(text.replace("sbi.behavior", "sbi.behavour", 1), "w.yaml", play=False)
    assert len(wrong.errors) == 1 and "unknown finding 'sbi.behavour'" in wrong.errors[0].message
    assert "British and American spellings are both accepted" in wrong.errors[0].message


# ------------------------------------------------------------ the model and the loader agree

# (path to a mapping in the file, the model class that describes it)
SECTIONS = [
    ((), "ScenarioFile"), (("persona",), "Persona"), (("mentor",), "Mentor"), (("rubric",), "Rubric"),
    (("rubric", "criteria", 0), "Criterion"), (("turns", 0), "Turn"), (("turns", 0, "branches", 0), "Branch"),
    (("turns", 0, "branches", 0, "if"), "Condition"), (("outcome",), "Outcome"),
    (("outcome", "resolved"), "OutcomeCondition"), (("endings",), "Endings"), (("examples",), "Examples"),
    (("facts",), "Facts"), (("facts", "occasions", 0), "Occasion"), (("facts", "items", 0), "Fact"),
    (("facts", "topics", 0), "Topic"),
]


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _model_fields(name: str) -> set[str]:
    schema = json_schema()
    node = schema if name == "ScenarioFile" else schema["$defs"][name]
    return set(node["properties"])


@pytest.mark.parametrize("path,model", SECTIONS, ids=[m for _, m in SECTIONS])
def test_each_section_accepts_exactly_the_fields_the_loader_accepts(path, model):
    data = _data("tense_disagreement" if path[:1] != ("examples",) else "written_recap")
    target = _get(data, path)
    target["zz_unknown"] = 1
    if path == ():  # the loader checks a few fields before unknown ones; keep them valid
        pass
    with pytest.raises(MentorkitError) as err:
        parse_scenario(data, "x.yaml")
    message = str(err.value)
    assert "unknown field" in message, message
    allowed = set(message.split("allowed here: ", 1)[1].split(", "))
    assert allowed == _model_fields(model)
    assert (tuple(path) + ("zz_unknown",), "unknown field") in validate(data)


BROKEN = [  # (path, value, field the loader names)
    (("turns", 0, "branches", 1, "if", "all", 1), "four_step.intnet", "turns[0].branches[1].if.all[1]"),
    (("turns", 0, "branches", 3, "if"), {"any": ["four_step"]}, "turns[0].branches[3].if"),
    (("rubric", "criteria", 1, "id"), "observation", "rubric.criteria[1].id"),
    (("rubric", "criteria", 0, "weight"), "heavy", "rubric.criteria[0].weight"),
    (("state", "trust"), 1.5, "state.trust"),
    (("skills", 1), "empathy", "skills[1]"),
    (("effects", "four_step.observation"), {"patience": 0.1}, "effects.four_step.observation.patience"),
    (("endings", "stalled"), [], "endings.stalled"),
    (("persona", "feedback_preference"), "loud", "persona.feedback_preference"),
    (("turns", 1, "branches", 0, "end"), "won", "turns[1].branches[0].end"),
    (("rubric", "criteria", 0, "fair_at"), 0.9, "rubric.criteria[0]"),
    (("mentor", "utc_offset"), -20, "mentor.utc_offset"),
    (("facts", "items", 0, "occasion"), "nope", "facts.items[0].occasion"),
    (("facts", "items", 1, "topics", 0), "zz", "facts.items[1].topics[0]"),
    (("facts", "items", 0, "kind"), "rumour", "facts.items[0].kind"),
    (("facts", "occasions"), [], "facts.occasions"),
]


@pytest.mark.parametrize("path,value,field", BROKEN, ids=[b[2] for b in BROKEN])
def test_a_broken_field_is_refused_by_both_the_loader_and_the_model_at_that_field(path, value, field):
    data = _data()
    if path == ("rubric", "criteria", 0, "fair_at"):
        data["rubric"]["criteria"][0]["good_at"] = 0.6
    _get(data, path[:-1])[path[-1]] = copy.deepcopy(value)
    with pytest.raises(MentorkitError) as err:
        parse_scenario(data, "x.yaml")
    assert field in str(err.value)
    fields = [".".join(str(p) for p in loc) for loc, _ in validate(data)]
    from mentorkit.scenarios.yamlsafe import dotted
    assert field in [dotted(loc) for loc, _ in validate(data)], fields


def test_the_shipped_json_schema_is_the_one_the_model_generates():
    shipped = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert shipped == json_schema(), "run: python -c 'from mentorkit.scenarios.model import write_json_schema; write_json_schema()'"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_json_schema_accepts_every_shipped_file(path):
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))] == []


def test_the_json_schema_refuses_what_an_editor_should_flag():
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    data = _data()
    data["colour"] = "blue"
    data["persona"]["feedback_preference"] = "loud"
    data["turns"][0]["branches"][0]["if"]["any"] = ["four_step.intnet"]
    data["turns"] = data["turns"][:2]
    paths = {tuple(e.absolute_path) for e in validator.iter_errors(data)}
    assert {(), ("persona", "feedback_preference"), ("turns",)} <= paths
    # an optional 'if' is anyOf(condition, null): the finding key's error sits inside that branch's context
    branch = [e for e in validator.iter_errors(data) if tuple(e.absolute_path) == ("turns", 0, "branches", 0, "if")]
    assert any("four_step.intnet" in sub.message for e in branch for sub in e.context)


# ------------------------------------------------------------ lints

def _lints(mutate) -> list[str]:
    data = _data()
    mutate(data)
    report = check_source(yaml.safe_dump(data, sort_keys=False), "l.yaml", play=False)
    assert report.errors == [], report.lines()
    return [f"{p.field}: {p.message}" for p in report.warnings]


def test_no_warning_on_the_shipped_file_used_below():
    assert _lints(lambda d: None) == []


@pytest.mark.parametrize("mutate,field,words", [
    (lambda d: d["turns"][0]["branches"].insert(1, {"if": {"any": ["intent_tone.harsh"]}, "say": ["x"]}),
     "turns[0].branches[1].if", "branch 0 comes first"),
    (lambda d: d["turns"][0]["branches"][1]["if"].update(none=["four_step.observation"]),
     "turns[0].branches[1].if", "both required (all) and excluded (none)"),
    (lambda d: d["turns"][0]["branches"][1]["if"].update(min={"trust": 0.99}),
     "turns[0].branches[1].if", "can be at most"),
    (lambda d: d["turns"][0]["branches"][1]["if"].update(preference="warm"),
     "turns[0].branches[1].if", "preference is never 'warm'"),
    (lambda d: d["turns"][0]["branches"][1].update({"if": {"any": ["empty"]}}),
     "turns[0].branches[1].if", "'empty' never reaches a branch"),
    (lambda d: d["turns"][0]["branches"].insert(0, {"if": {}, "say": ["x"]}),
     "turns[0].branches[4]", "the fallback can never fire"),
])
def test_branches_that_can_never_fire_are_named(mutate, field, words):
    found = _lints(mutate)
    assert any(f.startswith(f"{field}: ") and words in f for f in found), found


def test_outcomes_never_or_always_reached_are_named():
    found = _lints(lambda d: d["outcome"]["resolved"].update(min={"trust": 1.0, "clarity": 1.0, "openness": 1.0}))
    assert not any("never" in f for f in found)  # trust 1.0 is reachable in bounds: the effects are large
    found = _lints(lambda d: (d.__setitem__("effects", {}), d["outcome"]["resolved"].update(min={"trust": 0.99})))
    assert any(f.startswith("outcome.resolved: 'resolved' can never be reached") for f in found), found
    found = _lints(lambda d: d["outcome"]["partly_resolved"].update(min={"trust": 0.0}))
    assert any(f.startswith("outcome.partly_resolved: 'partly_resolved' is reached by every conversation")
               for f in found), found


def test_rubric_criteria_no_conversation_can_satisfy_are_named():
    found = _lints(lambda d: d["rubric"]["criteria"][0].update(times=5))
    assert any(f.startswith("rubric.criteria[0].times: no conversation can rate this Good") for f in found), found
    found = _lints(lambda d: d["rubric"]["criteria"][0].update(avoid=["four_step.observation"]))
    assert any("looks for and avoids 'four_step.observation'" in f for f in found), found


def test_placeholders_unknown_are_errors_each_named_and_unfilled_ones_are_warnings():
    data = _data()
    data["opening"] = "Hi, {mentee} here."
    data["endings"]["stalled"] = ["Bye {boss}."]
    data["context"] = "Talk to {name}."
    report = check_source(yaml.safe_dump(data, sort_keys=False), "p.yaml", play=False)
    assert sorted((p.field, p.message.split(";")[0]) for p in report.errors) == [
        ("endings.stalled[0]", "unknown placeholder {boss}"), ("opening", "unknown placeholder {mentee}")]
    report = check_source(yaml.safe_dump(dict(_data(), title="Talk to {name}."), sort_keys=False), "p.yaml",
                          play=False)
    assert [p.field for p in report.warnings] == ["title"]
    # the context is filled in for the trainee; an unknown placeholder there is an error
    assert check_source(yaml.safe_dump(dict(_data(), context="Talk to {name}."), sort_keys=False), "p.yaml",
                        play=False).warnings == []
    bad = check_source(yaml.safe_dump(dict(_data(), context="Talk to {boss}."), sort_keys=False), "p.yaml",
                       play=False)
    assert [p.field for p in bad.errors] == ["context"]


@pytest.mark.parametrize("name", ["async_weekly_update", "availability_boundaries", "kickoff_agreement",
                                  "written_recap"])
def test_the_context_a_trainee_reads_has_its_placeholders_filled_in(name):
    from mentorkit.scenarios import Session, load_scenario
    from mentorkit.widgets.practice import brief_html
    s = load_scenario(name)
    assert "{hours_ahead}" in s.context          # the file uses the placeholder ...
    hours = f"{abs(s.hours_ahead):g} hours"      # ... and the trainee reads the number
    session = Session(s, seed=0)
    assert "{" not in session.context and hours in session.context
    assert "{" not in brief_html(s, session.preference) and hours in brief_html(s, session.preference)


def test_samples_that_score_the_wrong_way_fail_the_check():
    data = _data()
    data["examples"] = {"strong": data["examples"]["weak"], "weak": data["examples"]["strong"]}
    report = check_source(yaml.safe_dump(data, sort_keys=False), "s.yaml")
    fields = sorted(p.field for p in report.errors)
    assert fields == ["examples.strong", "examples.weak"] and report.exit_code == 1
    assert "should score at least 80" in next(p.message for p in report.errors if p.field == "examples.strong")


def test_a_fact_on_no_topic_that_no_sample_refers_to_is_named():
    data = _data("client_call_feedback")
    data["facts"]["items"].append({"id": "zebra", "kind": "background", "says": "I keep a zebra.",
                                   "words": ["zebra"]})
    found = [(p.field, p.message) for p in check_source(yaml.safe_dump(data, sort_keys=False), "f.yaml").warnings]
    n = len(data["facts"]["items"]) - 1
    assert (f"facts.items[{n}]", "fact 'zebra' is never used: it is on no topic, so the mentee never tells it, "
                                 "and no sample reply refers to it (add a topic, or check its words)") in found
    data["examples"]["strong"][0] += " Do you still keep the zebra?"
    found = [p.field for p in check_source(yaml.safe_dump(data, sort_keys=False), "f.yaml").warnings]
    assert f"facts.items[{n}]" not in found
