"""Per-user sign-in with roles (issue 16 item 1) in Debian's chromium: each role signs in on the
mentorkit login page and the health dashboard's Act tab shows names only to the program manager."""
from __future__ import annotations

import pytest

import mentorkit.datasets as ds
from mentorkit.manage.access import add_user
from mentorkit.manage.roster import RosterStore, simulate_roster

pytestmark = pytest.mark.browser
HEALTH = "/voila/render/dashboards/program_health.ipynb"
PASSWORDS = {"amara": "manager pass 42", "ben": "research pass 42"}


@pytest.fixture(scope="module")
def voila_users(tmp_path_factory, voila_server):
    """A server with two configured users (a program manager and a researcher) and the sample's roster."""
    folder = tmp_path_factory.mktemp("voila-users")
    cfg = folder / "mentorkit.toml"
    cfg.write_text('[mentorkit]\nsalt = "browser-test-salt"\n', encoding="utf-8")
    add_user("amara", "program_manager", PASSWORDS["amara"], cfg)
    add_user("ben", "researcher", PASSWORDS["ben"], cfg)
    roster = simulate_roster(ds.load("program_sample"), seed=21)
    store = RosterStore(folder / "roster.sqlite")
    store.upsert(roster)
    store.close()
    with voila_server(folder, MENTORKIT_CONFIG=str(cfg), MENTORKIT_ROSTER_DB=str(folder / "roster.sqlite"),
                      MENTORKIT_PRACTICE_DB=str(folder / "practice.sqlite")) as url:
        yield url, roster


def sign_in(page, url: str, user: str, password: str) -> None:
    page.goto(url + HEALTH)
    page.wait_for_selector("body.mk-login")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def act_tab(page) -> tuple[str, str]:
    """(text of the Act tab, text of the whole dashboard) once the outbox is drawn."""
    page.wait_for_selector(".mk-health .mk-kpi-row .mk-kpi", timeout=120_000)
    page.click(".mk-sections .lm-TabBar-tab:has-text('Act')")
    page.wait_for_selector(".mk-manage-outbox table", timeout=120_000)
    return page.inner_text(".mk-manage"), page.inner_text(".mk-health")


def names_in(text: str, roster) -> list[str]:
    return [n for n in set(roster["name"]) if n in text]


def test_a_program_manager_sees_names_in_the_operational_views_only(page, voila_users):
    url, roster = voila_users
    sign_in(page, url, "amara", PASSWORDS["amara"])
    manage, whole = act_tab(page)
    assert "Signed in as amara (program manager)" in manage
    outbox = page.inner_text(".mk-manage-outbox")
    assert names_in(outbox, roster), "the program manager's outbox shows no name"
    # a name is shown beside its pseudonym: "Name (P...)"
    first = roster.iloc[0]
    shown = [f"{n} ({pid})" for n, pid in zip(roster["name"], roster["participant_id"]) if f"{n} ({pid})" in outbox]
    assert shown, f"no 'Name (pseudonym)' label in the outbox (e.g. {first['name']} ({first['participant_id']}))"
    # everything outside the operational views (overview, outcomes, survey breakdowns) stays pseudonymous
    assert not names_in(whole.replace(manage, ""), roster)
    assert "Traceback" not in whole


def test_a_researcher_sees_pseudonyms_only(page, voila_users):
    url, roster = voila_users
    sign_in(page, url, "ben", PASSWORDS["ben"])
    manage, whole = act_tab(page)
    assert "People appear as pseudonyms" in manage
    assert not names_in(whole, roster), "a name reached the researcher's page"


@pytest.mark.parametrize("user, password", [("amara", "research pass 42"), ("amara", ""), ("nobody", "x" * 12),
                                            ("ben", PASSWORDS["amara"])])
def test_a_wrong_password_or_unknown_user_is_refused(page, voila_users, user, password):
    url, _roster = voila_users
    sign_in(page, url, user, password)
    page.wait_for_selector(".mk-login-error")
    assert "Invalid credentials" in page.inner_text(".mk-login-error")
    assert "/login" in page.url
    page.goto(url + HEALTH)
    page.wait_for_selector("body.mk-login")  # still not signed in
