"""The practice chat widget without a browser: escaping, the debrief at the end, first/best/latest."""
from __future__ import annotations

import re

import pytest

from mentorkit.scenarios import load_scenario
from mentorkit.widgets.practice import PracticeChat


@pytest.fixture(autouse=True)
def _env(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_SALT", "widget-test-salt")
    monkeypatch.setenv("MENTORKIT_PRACTICE_DB", str(tmp_path / "widget.sqlite"))


def _play(chat, replies):
    for r in replies:
        if chat.session.done:
            break
        chat.send(r)


def test_chat_escapes_text_and_shows_the_debrief_and_progress():
    chat = PracticeChat(["written_recap"])
    assert chat.transcript.value.count("class='mk-bubble ") == 1
    chat.trainee.value = "Widget Trainee"
    chat.send("<img src=x onerror=alert(1)> Recap: takeaways, then your next steps.")
    assert "<img" not in chat.transcript.value and "&lt;img src=x" in chat.transcript.value
    assert chat.transcript.value.count("class='mk-bubble ") == 3
    _play(chat, ["", "", ""])
    assert chat.session.done and chat.send_button.disabled
    assert "mk-score" in chat.debrief_view.value
    assert "Saved to the practice log" in chat.status.value
    first = chat.session.debrief().score
    assert "Attempts: 1" in chat.progress.value
    chat.restart(new_seed=True)
    assert not chat.session.done and chat.debrief_view.value == ""
    _play(chat, load_scenario("written_recap").examples["strong"])
    second = chat.session.debrief().score
    nums = {k: int(v) for k, v in re.findall(r"(first|best|latest) <b>(\d+)</b>", chat.progress.value)}
    assert "Attempts: 2" in chat.progress.value
    assert nums == {"first": round(first), "best": round(max(first, second)), "latest": round(second)}


def test_without_a_name_nothing_is_saved_but_progress_is_kept_in_the_widget():
    chat = PracticeChat(family="boundaries_and_fit")
    assert len(chat.picker.options) == 2
    chat.picker.value = "rematch_kindly"
    assert "Samuel" in chat.brief.value
    _play(chat, ["", "", ""])
    assert "enter your name" in chat.status.value
    assert "Attempts: 1" in chat.progress.value
