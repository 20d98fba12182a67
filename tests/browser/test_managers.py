"""The health dashboard's "Act" tab in Debian's chromium: outbox, mentor load, overlap, templates."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

import mentorkit.datasets as ds
from mentorkit.manage.roster import RosterStore, simulate_roster

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def voila_roster(tmp_path_factory, voila_server):
    """A server whose roster store holds the sample's (fictional) contacts and one nudge sent 3 days ago."""
    folder = tmp_path_factory.mktemp("voila-roster")
    data = ds.load("program_sample")
    roster = simulate_roster(data, seed=21)
    store = RosterStore(folder / "roster.sqlite")
    store.upsert(roster)
    from mentorkit.analysis.engagement import nudges
    from mentorkit.analysis.engagement import default_as_of
    first = nudges(data, as_of=default_as_of(data)).iloc[0]
    store.log_sent([{"pair_id": first["pair_id"], "rule": first["rule"], "recipient_id": first["mentor_id"],
                     "recipient_email": "x@example.org", "subject": "s", "channel": "smtp", "message_id": "<1@x>",
                     "sent_at": datetime.now(timezone.utc) - timedelta(days=3, hours=2)}])
    store.close()
    with voila_server(folder, MENTORKIT_ROSTER_DB=str(folder / "roster.sqlite"),
                      MENTORKIT_PRACTICE_DB=str(folder / "practice.sqlite")) as url:
        yield url, roster, first["pair_id"]


def test_act_tab_shows_the_outbox_with_pseudonyms_and_a_template_download(page, voila_roster):
    url, roster, nudged_pair = voila_roster
    page.goto(f"{url}/voila/render/dashboards/program_health.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-health .mk-kpi-row .mk-kpi", timeout=120_000)
    page.click(".mk-sections .lm-TabBar-tab:has-text('Act')")
    page.wait_for_selector(".mk-manage-outbox table", timeout=120_000)
    text = page.inner_text(".mk-manage")
    for heading in ("Nudge outbox", "Mentor load", "Little or no overlap of working hours", "Templates for a pair"):
        assert heading in text
    row = page.inner_text(f".mk-manage-outbox tr:has-text('{nudged_pair}')")
    assert "nudged 3 days ago" in row
    assert "draft ready" in text
    assert "Traceback" not in text and "Error:" not in text
    assert not [n for n in set(roster["name"]) if n in text], "a name reached the page"
    with page.expect_download() as info:
        page.click(".mk-manage-templates a:has-text('HTML') >> nth=0")
    d = info.value
    body = Path(d.path()).read_text(encoding="utf-8")
    assert d.suggested_filename.endswith("-agreement.html")
    assert "Mentoring agreement" in body and d.suggested_filename.split("-agreement")[0] in body
    assert "<script" not in body
