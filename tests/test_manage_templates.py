"""Templates pairs use: filled from the program and roster, escaped in Markdown and HTML."""
from __future__ import annotations

import html.parser

import pytest

import mentorkit.datasets as ds
from mentorkit.errors import MentorkitError
from mentorkit.manage.roster import simulate_roster
from mentorkit.manage.templates import BLANK, TEMPLATES, escape_markdown, pair_details, render, render_page


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    return p


@pytest.fixture(scope="module")
def sample():
    data = ds.load("program_sample")
    return data, simulate_roster(data, seed=5)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_fills_in_the_pair(sample, name):
    data, roster = sample
    pair = data.pairs.iloc[0]
    details = pair_details(data, pair["pair_id"], contacts=roster, names=True)
    md = render(name, details)
    mentee = roster.set_index("participant_id").at[pair["mentee_id"], "name"]
    assert mentee in md and pair["pair_id"] in md and "$" not in md
    page = render_page(name, details)
    parsed = _parse(page)
    assert "script" not in parsed.tags and parsed.tags[:3] == ["html", "head", "meta"]
    assert mentee in "".join(parsed.text)


def test_details_come_from_the_program(sample):
    data, roster = sample
    pair = data.pairs.iloc[0]
    d = pair_details(data, pair["pair_id"], contacts=roster, names=True)
    goals = data.goals.loc[data.goals["pair_id"] == pair["pair_id"], "goal"].unique().tolist()
    assert d["goals"] == goals
    assert d["cadence"] == pair["cadence"]
    channels = sorted(data.sessions.loc[data.sessions["pair_id"] == pair["pair_id"], "channel"].unique())
    assert d["channels"] == ", ".join(channels)
    hours = roster.set_index("participant_id").at[pair["mentor_id"], "working_hours"]
    assert any(hours in line for line in d["availability"])
    # without the manager's role the people appear by pseudonym, never by name
    anon = pair_details(data, pair["pair_id"], contacts=roster, names=False)
    assert anon["mentee"] == pair["mentee_id"]
    assert all(roster.set_index("participant_id").at[pair["mentor_id"], "name"] not in a for a in anon["availability"])
    with pytest.raises(MentorkitError, match="not in the program"):
        pair_details(data, "R-none")


def test_values_are_escaped():
    evil = {"pair": "R1", "mentee": "<script>alert(1)</script>", "mentor": "**Bo** [x](javascript:alert(1))",
            "goals": ["# not a heading", "1. not a list"], "date": "2026-03-02"}
    md = render("pre_call_note", evil)
    assert "\\<script\\>" in md and "\\*\\*Bo\\*\\*" in md and "\\# not a heading" in md
    page = render("pre_call_note", evil, fmt="html")
    parsed = _parse(page)
    assert "script" not in parsed.tags and "strong" not in parsed.tags and "a" not in parsed.tags
    assert "<script>alert(1)</script>" in "".join(parsed.text)
    assert parsed.tags.count("h1") == 1 and parsed.tags.count("h2") == 4


def test_missing_details_left_blank_and_unknown_template():
    md = render("call_recap", {})
    assert md.count(BLANK) >= 4
    with pytest.raises(MentorkitError, match="no template 'nope'"):
        render("nope")
    with pytest.raises(MentorkitError, match="format must be"):
        render("call_recap", fmt="pdf")
    assert escape_markdown("  a\nb  ") == "a b"
