"""A practice exercise served by Voila, played to its end in Debian's chromium."""
import re

import pytest

from mentorkit.scenarios import load_scenario
from tests.browser.chat import play_to_debrief

pytestmark = pytest.mark.browser


def _bubbles(page) -> int:
    return page.locator(".mk-practice-transcript .mk-bubble").count()


def test_play_written_recap_to_the_debrief(page, voila_url):
    page.goto(f"{voila_url}/voila/render/exercises/async_and_written.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-practice-reply textarea", timeout=90_000)
    body = page.inner_text("body")
    assert "PracticeChat" not in body and "import" not in body, "notebook source is visible"
    assert "Traceback" not in body

    page.select_option(".mk-practice-picker select", label=load_scenario("written_recap").title)
    page.wait_for_function("document.querySelector('.mk-practice-brief').innerText.includes('Luca')")
    assert _bubbles(page) == 1
    page.fill(".mk-practice-trainee input", "Browser Trainee")

    replies = list(load_scenario("written_recap").examples["strong"])
    replies[1] = "<b>Ask in your Thursday one-to-one</b>; you'll send me the draft Monday and I'll review it by Wednesday."
    play_to_debrief(page, replies)
    # the markup the trainee typed is shown as text, not rendered
    assert page.locator(".mk-practice-transcript .mk-bubble b").count() == 0
    assert "<b>Ask in your Thursday" in page.inner_text(".mk-practice-transcript")
    debrief = page.inner_text(".mk-practice-debrief")
    assert "Debrief" in debrief and "Key takeaways" in debrief
    score = int(page.inner_text(".mk-practice-debrief .mk-score"))
    assert 0 <= score <= 100
    assert re.search(r"(Exemplary|Proficient|Developing|Beginning)", page.inner_text(".mk-practice-debrief .mk-tier"))
    assert page.locator(".mk-practice-debrief .mk-rating").count() == len(load_scenario("written_recap").rubric.criteria)
    page.wait_for_function("document.querySelector('.mk-practice-status').innerText.includes('Saved to the practice log')")
    page.wait_for_function("document.querySelector('.mk-practice-progress').innerText.includes('Attempts: 1')")
    progress = page.inner_text(".mk-practice-progress")
    nums = dict(re.findall(r"(first|best|latest) (\d+)", progress))
    assert "Attempts: 1" in progress and int(nums["first"]) == int(nums["best"]) == int(nums["latest"]) == score
    assert page.locator(".mk-practice-send").is_disabled()
    assert not [e for e in page.console_errors if "Traceback" in e]
