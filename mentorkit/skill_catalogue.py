"""The skill catalogue: every practice skill mentorkit knows, written once.

The detectors' dispatch (:func:`mentorkit.skills.detect`), the scenario schema, the debrief,
the trainer screen and the ``train-skills`` help all read it. It lives outside
:mod:`mentorkit.skills` so that reading it imports neither spaCy nor scikit-learn.

>>> CATALOGUE["boundaries"].components
('availability_window', 'response_time')
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SkillInfo", "CATALOGUE", "SKILLS", "COMPONENTS", "skill_label"]


@dataclass(frozen=True)
class SkillInfo:
    """One entry of the skill catalogue: everything that lists skills reads it from here.

    *components* are what the detector reports, in display order; *flags* are further finding
    keys a scenario may name (SBI's judgement words); *corpus* is the :mod:`mentorkit.datasets`
    entry it is trained and tested on; *label* names it on screens and *phrase* in a debrief
    ("you showed ...").
    """

    name: str
    label: str
    phrase: str
    components: tuple[str, ...]
    module: str
    corpus: str
    flags: tuple[str, ...] = ()


#: the skill catalogue, in the order the practice engine shows the skills
CATALOGUE: dict[str, SkillInfo] = {s.name: s for s in (
    SkillInfo("sbi", "SBI feedback", "SBI feedback", ("situation", "behavior", "impact"), "mentorkit.skills.sbi",
              "sbi", flags=("judgement",)),
    SkillInfo("active_listening", "active listening", "active listening",
              ("reflection", "open_question", "closed_question", "advice"), "mentorkit.skills.listening", "listening"),
    SkillInfo("intent_tone", "intent and tone", "explicit intent and tone", ("explicit_intent", "supportive", "harsh"),
              "mentorkit.skills.intent_tone", "skills_intent_tone"),
    SkillInfo("four_step", "four-step frame", "the four-step frame",
              ("observation", "intent", "perspective", "solve_together"), "mentorkit.skills.four_step",
              "skills_four_step"),
    SkillInfo("agreement", "mentoring agreement", "the mentorship agreement",
              ("goals", "expertise", "cadence", "channels", "confidentiality", "length", "success_measures",
               "conflict_resolution"), "mentorkit.skills.agreement", "skills_agreement"),
    SkillInfo("recap", "written recap", "the recap", ("takeaways", "mentor_next_steps", "mentee_next_steps"),
              "mentorkit.skills.recap", "skills_recap"),
    SkillInfo("boundaries", "boundaries", "boundaries", ("availability_window", "response_time"),
              "mentorkit.skills.boundaries", "skills_boundaries"),
)}

#: every skill :func:`mentorkit.skills.detect` knows, in the order the practice engine shows them
SKILLS: tuple[str, ...] = tuple(CATALOGUE)

#: the components each skill reports, in display order
COMPONENTS: dict[str, tuple[str, ...]] = {name: s.components for name, s in CATALOGUE.items()}


def skill_label(name: str) -> str:
    """The screen label of skill *name* (``other`` and unknown names in plain words).

    >>> skill_label("four_step"), skill_label("other")
    ('four-step frame', 'other')
    """
    return CATALOGUE[name].label if name in CATALOGUE else name.replace("_", " ")
