"""The SBI practice exercise, served by Voila and driven in Debian's chromium."""
import re

import pytest

pytestmark = pytest.mark.browser


def _open(page, voila_url):
    page.goto(f"{voila_url}/voila/render/exercises/sbi_practice.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-sbi-input textarea", timeout=90_000)


def test_type_grade_and_see_highlighted_parts(page, voila_url):
    _open(page, voila_url)
    body = page.inner_text("body")
    assert "SBIPractice" not in body and "import" not in body, "notebook source is visible"
    page.fill(".mk-sbi-input textarea",
              "In yesterday's client call you interrupted Priya three times, so we never agreed the budget.")
    page.click(".mk-sbi-grade")
    page.wait_for_selector(".mk-sbi-result .mk-score")
    score_text = page.inner_text(".mk-sbi-result .mk-score")
    score = int(re.search(r"Score: (\d+)/100", score_text).group(1))
    assert score >= 60
    for part in ("situation", "behavior", "impact"):
        marks = page.locator(f".mk-sbi-result mark.mk-{part}")
        assert marks.count() >= 1, f"no {part} highlight"
    assert "yesterday" in page.inner_text(".mk-sbi-result mark.mk-situation").lower()
    assert "first" in page.inner_text(".mk-sbi-progress")


def test_second_attempt_updates_first_best_latest_and_escapes_text(page, voila_url):
    _open(page, voila_url)
    page.fill(".mk-sbi-input textarea", "You are <b>lazy</b>.")
    page.click(".mk-sbi-grade")
    page.wait_for_selector(".mk-sbi-result .mk-score")
    # the markup the trainee typed is shown as text, not rendered
    assert page.locator(".mk-sbi-result .mk-highlight b").count() == 0
    assert "<b>lazy</b>" in page.inner_text(".mk-sbi-result .mk-highlight")
    first = int(re.search(r"Score: (\d+)", page.inner_text(".mk-sbi-result .mk-score")).group(1))
    page.fill(".mk-sbi-input textarea", "During Tuesday's standup you didn't mention the blocker, and QA lost a "
                                        "day. Could you flag blockers first next time?")
    page.click(".mk-sbi-grade")
    page.wait_for_function("document.querySelector('.mk-sbi-progress').innerText.includes('Attempts: 2')")
    progress = page.inner_text(".mk-sbi-progress")
    nums = dict(re.findall(r"(first|best|latest) (\d+)", progress))
    assert int(nums["first"]) == first
    assert int(nums["best"]) == max(int(nums["latest"]), first)
    assert int(nums["latest"]) > first
