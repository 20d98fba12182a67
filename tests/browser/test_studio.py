"""The scenario studio served by Voila, in Debian's chromium: write, check as you type, save, then practise it."""
from __future__ import annotations

import re

import pytest

from mentorkit.scenarios.template import template_text
from tests.browser.chat import play_to_debrief

pytestmark = pytest.mark.browser

NAME, FAMILY, TITLE = "studio_made", "hard_conversations", "Studio-made planning talk"


@pytest.fixture(scope="module")
def studio_server(tmp_path_factory, voila_server):
    """A server whose MENTORKIT_SCENARIOS folder starts empty; yields (url, folder)."""
    folder = tmp_path_factory.mktemp("org-scenarios")
    db = str(tmp_path_factory.mktemp("studio-db") / "practice.sqlite")
    with voila_server(tmp_path_factory.mktemp("voila-studio"), MENTORKIT_SCENARIOS=str(folder),
                      MENTORKIT_PRACTICE_DB=db) as url:
        yield url, folder


def _open_studio(page, url):
    page.goto(f"{url}/voila/render/dashboards/scenario_studio.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-studio-editor textarea", timeout=120_000)
    page.wait_for_function("document.querySelector('.mk-studio-editor textarea').value.includes('name: ')")
    body = page.inner_text("body")
    assert "ScenarioStudio" not in body and "Traceback" not in body


def _type(page, text: str) -> None:
    page.fill(".mk-studio-editor textarea", text)


def test_a_scenario_written_on_the_page_is_saved_and_plays_in_the_exercise_picker(page, studio_server):
    url, folder = studio_server
    _open_studio(page, url)
    page.fill(".mk-studio-name input", NAME)
    page.fill(".mk-studio-family input", FAMILY)
    page.click(".mk-studio-start")
    page.wait_for_function(f"document.querySelector('.mk-studio-editor textarea').value.includes('name: {NAME}')")
    text = page.input_value(".mk-studio-editor textarea")
    assert text == template_text(NAME, FAMILY)
    edited = text.replace('title: "After the planning meeting"', f'title: "{TITLE}"', 1)
    assert edited != text
    _type(page, edited)
    page.wait_for_function("document.querySelector('.mk-studio-problems').innerText.includes('No problems')")
    page.click(".mk-studio-save")
    page.wait_for_function("document.querySelector('.mk-studio-status').innerText.includes('Saved as')")
    saved = folder / f"{NAME}.yaml"
    assert saved.read_text(encoding="utf-8").rstrip("\n") == edited.rstrip("\n")

    # it is offered in its family's exercise, beside the shipped scenarios, and plays to its debrief
    page.goto(f"{url}/voila/render/exercises/hard_conversations.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-practice-reply textarea", timeout=120_000)
    labels = page.eval_on_selector_all(".mk-practice-picker select option", "els => els.map(e => e.textContent.replace(/\u00a0/g, ' '))")
    assert f"{TITLE} (your organisation)" in labels
    page.select_option(".mk-practice-picker select", label=f"{TITLE} (your organisation)")
    page.wait_for_function(f"document.querySelector('.mk-practice-brief').innerText.includes({TITLE!r})")
    from mentorkit.scenarios.check import check_source
    strong = check_source(edited, "x.yaml", play=False).scenario.examples["strong"]
    play_to_debrief(page, strong)
    assert int(page.inner_text(".mk-practice-debrief .mk-score")) >= 80
    assert "Debrief" in page.inner_text(".mk-practice-debrief")

    # and in the exercise of the organisation's own scenarios
    page.goto(f"{url}/voila/render/exercises/your_scenarios.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-practice-brief", timeout=120_000)
    assert TITLE in page.inner_text(".mk-practice-brief")
    assert not [e for e in page.console_errors if "Traceback" in e]


def test_a_broken_field_shows_its_message_and_saving_is_refused(page, studio_server):
    url, folder = studio_server
    _open_studio(page, url)
    page.fill(".mk-studio-name input", "broken_one")
    page.click(".mk-studio-start")
    page.wait_for_function("document.querySelector('.mk-studio-editor textarea').value.includes('name: broken_one')")
    text = page.input_value(".mk-studio-editor textarea")
    broken = text.replace("utc_offset: -5", "utc_offset: 99", 1)
    line = next(i + 1 for i, ln in enumerate(broken.splitlines()) if "utc_offset: 99" in ln)
    _type(page, broken)
    page.wait_for_selector(".mk-studio-problems li[data-field='persona.utc_offset']")
    item = page.inner_text(".mk-studio-problems li[data-field='persona.utc_offset']")
    assert re.search(rf"line {line}\s+persona\.utc_offset:", item), item
    page.click(".mk-studio-save")
    page.wait_for_function("document.querySelector('.mk-studio-status').innerText.includes('not saved')")
    assert "persona.utc_offset" in page.inner_text(".mk-studio-status")
    assert not (folder / "broken_one.yaml").exists()
    # a tag that would run code is refused as text, never executed
    _type(page, "name: !!python/object/apply:os.system ['touch /tmp/mk-studio-pwned']\n")
    page.wait_for_function("document.querySelector('.mk-studio-problems').innerText.includes('is not allowed')")
    import os
    assert not os.path.exists("/tmp/mk-studio-pwned")


def test_the_trainer_dashboard_lists_the_scenarios_practised_with_their_rubric_versions(page, voila_url):
    import csv
    from pathlib import Path
    page.goto(f"{voila_url}/voila/render/dashboards/trainer.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-trainer-trainees table", timeout=120_000)
    page.click(".mk-sections .lm-TabBar-tab:has-text('Scenarios')")
    page.wait_for_selector(".mk-trainer-scenarios table >> visible=true")
    table = page.inner_text(".mk-trainer-scenarios")
    # the demo log (datasets/practice_sample/attempts.csv): every scenario and rubric version in it, read with csv
    with open(Path(__file__).resolve().parents[2] / "datasets" / "practice_sample" / "attempts.csv",
              newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for name in {r["scenario"] for r in rows}:
        assert name in table
    for version in {r["rubric_version"] for r in rows}:
        assert version in table
    assert "shipped" in table and "rubric versions scored" in table
