"""One skill catalogue (issue 12): the detectors, the scenario schema, the debrief, the trainer
screen and the dataset index all read mentorkit.skills.base.CATALOGUE, so they cannot drift apart."""
from __future__ import annotations

import importlib

import pytest

import mentorkit.datasets as ds
from mentorkit.skills import CATALOGUE, SKILLS, detect

SAMPLES = {  # one reply each, written for this test, that the detector reads
    "sbi": "In Monday's call you cut Ana off twice, and she stopped sharing ideas.",
    "active_listening": "It sounds like the move has left you feeling stuck?",
    "intent_tone": "I'm sharing this because I want the launch to go well for you.",
    "four_step": "I noticed the report came in late twice. How do you see it? Let's sort it out together.",
    "agreement": "Let's meet every two weeks on Zoom and keep what we discuss confidential.",
    "recap": "Key takeaway: start with the customer. Next steps: I'll send the deck, you'll draft the plan.",
    "boundaries": "I'm on Slack 9-5 CET on weekdays and reply within a day.",
}


@pytest.mark.parametrize("name", SKILLS)
def test_each_detector_reports_the_catalogue_components(name):
    info = CATALOGUE[name]
    assert importlib.import_module(info.module).__name__ == info.module
    result = detect(name, SAMPLES[name])
    assert tuple(result.components) == info.components


def test_the_other_readers_take_their_lists_from_the_catalogue():
    from mentorkit.analysis.practice import SKILL_NAMES
    from mentorkit.scenarios.debrief import describe_key
    from mentorkit.scenarios.schema import COMPONENTS

    assert list(COMPONENTS) == list(SKILLS)
    for name, info in CATALOGUE.items():
        assert COMPONENTS[name] == info.components + info.flags  # what a scenario may name
        assert describe_key(name) == info.phrase                 # what the debrief says
        assert SKILL_NAMES[name] == info.label                   # what the trainer screen shows
        assert info.corpus in set(ds.list()["name"])             # where it is trained and tested
    assert COMPONENTS["sbi"][-1] == "judgement"
