"""Driving the practice chat (``mentorkit.widgets.practice.PracticeChat``) in a served page."""
from __future__ import annotations


def play_to_debrief(page, replies, timeout: int = 60_000) -> None:
    """Send *replies* one by one until the debrief shows (each reply adds two bubbles)."""
    for i, reply in enumerate(replies):
        if page.locator(".mk-practice-debrief .mk-score").count():
            break
        page.fill(".mk-practice-reply textarea", reply)
        page.click(".mk-practice-send")
        # each reply adds the trainee's bubble and the mentee's answer
        page.wait_for_function(
            f"document.querySelectorAll('.mk-practice-transcript .mk-bubble').length >= {3 + 2 * i}",
            timeout=timeout)
    page.wait_for_selector(".mk-practice-debrief .mk-score", timeout=timeout)
