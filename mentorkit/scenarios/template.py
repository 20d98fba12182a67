"""The commented template ``mentorkit scenario new`` writes: it loads, passes ``scenario check`` and plays.

The story is a fixed, ordinary one (after a planning meeting, the mentee asks how it
went); each chosen skill adds its rubric criterion, its effect on the mentee, and a
sentence to the strong sample replies that shows the skill, so the samples score as
the check wants for any choice of skills. Authors then rewrite the story and the
criteria; ``scenario check`` says what still holds.

>>> from mentorkit.scenarios.check import check_source
>>> report = check_source(template_text("after_planning", "hard_conversations", ["sbi"]))
>>> report.exit_code, [p.name for p in report.plays]
(0, ['strong', 'weak'])
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from mentorkit.errors import MentorkitError
from mentorkit.scenarios.schema import COMPONENTS
from mentorkit.scenarios.spelling import normalise_key

__all__ = ["SKILL_PARTS", "DEFAULT_SKILLS", "template_text"]

DEFAULT_SKILLS = ("active_listening", "intent_tone")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

#: per skill: the finding the criterion looks for, its wording, and a sentence showing it
SKILL_PARTS: dict[str, dict[str, str]] = yaml.safe_load(
    (Path(__file__).parent / "template_parts.yaml").read_text(encoding="utf-8"))
assert set(SKILL_PARTS) == set(COMPONENTS), "every skill of the catalogue needs a template part"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def template_text(name: str, family: str, skills: list[str] | tuple[str, ...] | None = None,
                  schema: str | None = None) -> str:
    """The commented YAML of a new scenario *name* in *family* scoring *skills*.

    *schema* is where an editor's YAML language server finds the JSON Schema (default:
    the shipped ``scenario.schema.json``). Raises :class:`~mentorkit.errors.MentorkitError`
    naming a bad name, family or skill.
    """
    if schema is None:
        from mentorkit.scenarios.model import SCHEMA_PATH
        schema = SCHEMA_PATH.as_posix()
    for what, value in (("name", name), ("family", family)):
        if not isinstance(value, str) or not _NAME.match(value):
            raise MentorkitError(f"scenario {what} {value!r}: use lower-case letters, digits and _ "
                                 "(starting with a letter)")
    chosen = []
    for skill in (skills or DEFAULT_SKILLS):
        fixed = normalise_key(skill, tuple(COMPONENTS))
        if fixed not in COMPONENTS:
            raise MentorkitError(f"unknown skill {skill!r}; known: {', '.join(COMPONENTS)}")
        if fixed not in chosen:
            chosen.append(fixed)
    parts = [SKILL_PARTS[s] for s in chosen]
    keys = [p["key"] for p in parts]
    key_list = ", ".join(keys)
    strong = " ".join(p["sentence"] for p in parts)
    effects = "\n".join(f"  {k}: {{trust: 0.05, clarity: 0.05, openness: 0.05}}" for k in keys)
    criteria = "\n".join(f"""    - id: {p['id']}
      title: {_q(p['title'])}
      look_for: [{p['key']}]        # the finding that earns it (see the guide for every key)
      weight: 2                     # its share of the score: weight / sum of all weights
      good: {_q(p['good'])}
      fair: {_q(p['fair'])}
      poor: {_q(p['poor'])}
      start: {_q(p['start'])}""" for p in parts)
    return f"""# {name}.yaml: a mentorkit practice scenario, written by `mentorkit scenario new`.
# It already loads, passes `mentorkit scenario check {name}.yaml` and plays
# (`mentorkit practice {name}.yaml`). Rewrite the story, keep the checks green.
# Every field is described in the scenario authoring guide (docs/scenario_authoring.md).
# yaml-language-server: $schema={schema}

name: {name}                      # lower-case; the file is NAME.yaml; played by this name
title: "After the planning meeting"
family: {family}                  # groups scenarios into one exercise notebook
summary: >-
  Your mentee asks how yesterday's planning meeting went. Answer with substance
  and agree on a next step.

persona:                          # the simulated mentee
  name: Dana                      # fills {{name}} in her lines
  role: Product analyst, one year in
  time_zone: Toronto (UTC-5)
  utc_offset: -5
  feedback_preference: direct     # direct | warm | ask
  mood: keen but unsure
mentor:                           # the trainee's side
  role: Senior product manager
  utc_offset: -5

context: >-
  In yesterday's planning meeting Dana interrupted Sam twice while he presented
  his proposal, and the discussion lost its thread. She has messaged you to ask
  how she came across.
opening: >-
  Hi, it's {{name}}. How do you think I came across in yesterday's planning meeting?

skills: [{", ".join(chosen)}]     # detectors run on every reply

state: {{trust: 0.4, clarity: 0.4, openness: 0.4}}   # the mentee's start, each 0..1
effects:                          # state change each time a finding is in a reply
{effects}

rubric:
  version: "1"                    # recorded with each attempt; change it when the criteria change
  criteria:
{criteria}

turns:                            # 3 to 6; turn k answers the trainee's k-th reply
  - focus: Answer her question with substance.
    branches:                     # tried in order; the last one is the fallback
      - if: {{any: [{key_list}]}}
        say:
          - "That's useful, thanks. I hadn't noticed how often I cut in."
          - "Okay, that's specific. I didn't see it that way at the time."
        effects: {{trust: 0.05}}
      - say:
          - "Sorry, I'm not sure what you mean."
        effects: {{trust: -0.05}}
  - focus: Hear what she makes of it.
    branches:                     # a list may also be written on one line, [like, this]
      - {{if: {{any: [{key_list}]}}, say: ["I think I was nervous Sam's plan would crowd out mine."], effects: {{openness: 0.05}}}}
      - {{say: ["Hm. Okay."], effects: {{openness: -0.05}}}}
  - focus: Agree on a next step together.
    branches:                     # min: read after this reply's effects
      - if: {{any: [{key_list}], min: {{trust: 0.5}}}}
        say: ["Right. I'll talk to Sam before Friday and let him finish next time."]
        effects: {{clarity: 0.05}}
      - say: ["I'll think about it."]   # the last turn's fallback: the ending follows

outcome:                          # read from the state after the last turn
  resolved: {{min: {{trust: 0.6, clarity: 0.6}}}}
  partly_resolved: {{min: {{trust: 0.45}}}}
endings:
  resolved: ["Thanks, this really helped."]
  partly_resolved: ["Okay, I'll try."]
  stalled: ["Let's leave it there."]
on_empty: ["Are you still there?"]

facts:                            # the fact sheet: she answers from it, the debrief credits against it
  about: yesterday's planning meeting   # what the talk is about; she steers back to it
  occasions:                      # what really happened, and the words that name it
    - id: planning_meeting
      when: [yesterday]
      where: [planning meeting, the meeting, planning]
      who: [Sam, the team]
  topics:                         # what the trainee may ask about
    - id: what_happened
      words: [came across, what happened, how it went, your side, hardest]
    - id: her_feelings
      words: [feel, felt, nervous, worried, hardest]
    - id: next_step
      words: [next step, next time, recap, going forward]
  items:                          # one fact each; hidden ones she tells only when asked
    - id: interrupted
      kind: action                # action | result | number | feeling | worry | goal | background | option
      occasion: planning_meeting
      says: I cut in on Sam twice while he was presenting.
      short: Yes, twice. I didn't let him finish.
      words: [interrupted, cut in, talked over, interrupt]
      topics: [what_happened]
    - id: lost_thread
      kind: result
      occasion: planning_meeting
      says: After that the discussion lost its thread.
      words: [lost the thread, lost track, derailed, lost its thread]
      topics: [what_happened]
    - id: nervous
      kind: feeling
      hidden: true
      says: Honestly, I was nervous Sam's plan would crowd out mine.
      short: A bit, yes.
      words: [nervous, anxious, worried, crowd out]
      topics: [her_feelings]
    - id: talk_to_sam
      kind: option
      says: I could talk to Sam before Friday.
      words: [talk to Sam, note to Sam, send Sam, speak to Sam]
      topics: [next_step]

examples:                         # played by `scenario check`: strong >= 80, weak <= 55
  strong:
    - {_q(strong)}
    - {_q(strong)}
    - {_q(strong)}
  weak:
    - "It was fine."
    - "Don't worry about it."
    - "Whatever works."
"""
