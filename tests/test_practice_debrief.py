"""The debrief: ratings, the weighted score and its tiers, Keep/Start/Stop, notes pinned to lines."""
from __future__ import annotations

import pytest

from mentorkit.scenarios import Session, load_scenario
from mentorkit.scenarios.debrief import rate_criterion, tier_for
from mentorkit.scenarios.engine import Finding, Line
from test_practice_engine import fixed_detector  # the same stand-in detector as the engine tests


@pytest.mark.parametrize("score,tier", [(100, "Exemplary"), (90, "Exemplary"), (89.9, "Proficient"),
                                        (75, "Proficient"), (74.9, "Developing"), (50, "Developing"),
                                        (49.9, "Beginning"), (0, "Beginning")])
def test_tiers_follow_the_issue_bands(score, tier):
    # bands from the issue: 90+, 75-89, 50-74, below 50
    assert tier_for(score) == tier


class _Switching:
    """Reports different components on each call of a reply (a list of dicts, one per reply)."""

    def __init__(self, per_reply):
        self.per_reply = per_reply
        self.i = -1
        self.last = None

    def __call__(self, skill, text):
        if text is not self.last:
            self.i, self.last = self.i + 1, text
        return fixed_detector(self.per_reply[self.i])(skill, text)


def _played(per_reply, replies, name="tense_disagreement"):
    s = Session(name, seed=0, detector=_Switching(per_reply))
    for r in replies:
        if not s.done:
            s.reply(r)
    s.abandon()
    return s


def test_weighted_score_and_ratings_hand_calculation():
    # tense_disagreement rubric weights: observation 2, intent 2, perspective 3, solve_together 3,
    # listening 1, tone 2, and stays_with_situation 2 that every rubric gets (sum 15). Reply 1 shows
    # observation + intent; reply 2 shows perspective and is harsh (a sharp "you should know better":
    # a harsh flag counts only on a sharp line); both name what he did on the
    # call (he left early), so both are grounded and on his situation. Points: 1, 1, 1, 0, 0,
    # tone = 1 - 0.5 x 1 violation = 0.5 (Fair), stays 2/2 replies = 1.
    # Score = 100 x (2 + 2 + 3 + 0 + 0 + 2 x 0.5 + 2) / 15 = 66.666... -> 66.7 (hand calculation)
    s = _played([{"four_step": {"observation", "intent"}},
                  {"four_step": {"perspective"}, "intent_tone": {"harsh"}}],
                 ["I noticed you left the call early; I want our calls to work for you.",
                  "Why did you drop off the call early? You should know better."])
    d = s.debrief()
    ratings = {c.id: (c.rating, c.points) for c in d.criteria}
    assert ratings == {"observation": ("Good", 1.0), "intent": ("Good", 1.0), "perspective": ("Good", 1.0),
                       "solve_together": ("Poor", 0.0), "listening": ("Poor", 0.0), "tone": ("Fair", 0.5),
                       "stays_with_situation": ("Good", 1.0)}
    assert d.score == pytest.approx(66.7)
    assert d.tier == "Developing"
    # evidence points at the transcript line of the reply (line 2 is the first reply, line 4 the second)
    obs = next(c for c in d.criteria if c.id == "observation")
    assert obs.evidence[0]["line"] == 2
    tone = next(c for c in d.criteria if c.id == "tone")
    assert tone.violations[0]["line"] == 4


def test_keep_start_stop_and_notes_are_pinned_to_lines():
    s = _played([{"four_step": {"observation", "intent"}},
                  {"four_step": {"perspective"}, "intent_tone": {"harsh"}}],
                 ["I noticed you left the call early; I want our calls to work for you.",
                  "Why did you drop off the call early? You should know better."])
    d = s.debrief()
    crit = {c.id: c for c in s.scenario.rubric.criteria}
    assert any(k.startswith(crit["perspective"].keep) for k in d.keep)
    assert any(st.startswith(crit["solve_together"].start) for st in d.start)
    assert len(d.stop) == 1 and d.stop[0].startswith(crit["tone"].stop) and "line 4" in d.stop[0]
    by_line = {}
    for n in d.notes:
        by_line.setdefault(n.line, set()).add(n.kind)
    assert "good" in by_line[2] and "warn" in by_line[4]
    assert set(by_line) <= {ln.line for ln in s.lines if ln.speaker == "mentor"}


def test_times_needs_repeats_for_full_marks():
    # reverse_mentoring 'understand_first' needs two open questions: one gives coverage 1/2 = 0.5 -> Fair
    crit = next(c for c in load_scenario("reverse_mentoring").rubric.criteria if c.id == "understand_first")
    one = [Line(2, "mentor", "How do you track projects?", turn=1,
                findings={"active_listening.open_question": Finding("active_listening.open_question", 0.9)})]
    two = one + [Line(4, "mentor", "What do you need to see?", turn=2,
                      findings={"active_listening.open_question": Finding("active_listening.open_question", 0.8)})]
    assert (rate_criterion(crit, one).rating, rate_criterion(crit, one).points) == ("Fair", 0.5)
    assert (rate_criterion(crit, two).rating, rate_criterion(crit, two).points) == ("Good", 1.0)


def test_no_replies_rate_every_criterion_poor():
    s = Session("group_dominant_voice", seed=0)
    for _ in range(3):
        s.reply("")
    d = s.debrief()
    assert s.outcome == "stalled"
    assert d.score == 0.0 and d.tier == "Beginning"
    assert {c.rating for c in d.criteria} == {"Poor"}
    assert [n.kind for n in d.notes if n.kind == "missing"] == ["missing"] * 3


def test_debrief_with_real_detectors_and_html_is_escaped():
    s = Session("written_recap", seed=0)
    s.reply("Recap <script>alert(1)</script>. Key takeaways: your strongest evidence is the spring campaign. "
            "Your next steps: ask to lead the autumn stand-up by Friday. My next steps: I'll review your draft "
            "by Wednesday.")
    s.reply("")
    s.reply("")
    s.reply("")
    d = s.debrief()
    ids = {c.id: c.rating for c in d.criteria}
    assert ids["takeaways"] == "Good" and ids["his_steps"] == "Good"
    html_out = d.to_html()
    assert "<script>" not in html_out
    text = d.to_text()
    assert "Score:" in text and "line 2" in text
    as_dict = d.to_dict()
    assert as_dict["rubric_version"] == "2026.1" and len(as_dict["criteria"]) == len(s.scenario.rubric.criteria)
