"""The dashboards and the landing page, served by Voila and driven in Debian's chromium.

Every expected number here is worked out from the shipped CSV files with pandas, not read
back from the dashboards' own code.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "program_sample"
MIN_GROUP = 5
# each dashboard opens on a tab with no chart (the selector: its first view is drawn); its chart tabs
# are drawn when first opened
DASHBOARDS = {
    "program_health": (".mk-health .mk-kpi-row .mk-kpi", ["Program health", "active pairs", "Who needs a nudge today",
                                                         "Meetings", "Time zones"]),
    "outcomes_roi": (".mk-roi-result .mk-kpi", ["Outcomes and ROI", "ROI calculator", "benefit-cost ratio",
                                                "Retention", "Comments"]),
    "trainer": (".mk-trainer-trainees table", ["Trainee mentors", "first, best and latest", "Criteria missed",
                                               "ready to mentor"]),
}
#: dashboard -> its chart tabs and the number of charts they hold together
CHART_TABS = {
    "program_health": (["Meetings", "Goals", "Replies", "Time zones"], 5),
    "outcomes_roi": (["Skills (pre/post)", "Retention"], 2),
    "trainer": (["Skills over time", "Criteria missed"], 2),
}
CODE_MARKERS = ("import ", "from mentorkit", "ProgramHealth(", "OutcomesROI(", "TrainerDashboard(", "Traceback",
                "Error:")


def _open(page, voila_url, name):
    external = []
    page.on("request", lambda r: external.append(r.url)
            if not r.url.startswith((voila_url, "data:", "blob:", "about:")) else None)
    # the response ends only when the notebook has run; the selector wait below bounds the whole render
    page.goto(f"{voila_url}/voila/render/dashboards/{name}.ipynb", wait_until="commit")
    page.wait_for_selector(DASHBOARDS[name][0], timeout=120_000)
    page.external_requests = external
    return page


#: the traces a plotly chart draws (plotly's decoded ``_fullData``), as JSON text
PLOT_JS = """gd => JSON.stringify(gd._fullData.map(t => ({
    x: Array.from(t.x || [], v => (typeof v === 'number' && isNaN(v)) ? null : v),
    y: Array.from(t.y || [], v => (typeof v === 'number' && isNaN(v)) ? null : v), name: t.name})))"""


def _plot_data(page, selector):
    """The data of the plotly chart under *selector*, as JSON text (what the chart draws)."""
    return page.eval_on_selector(f"{selector} .js-plotly-plot", PLOT_JS)


def _open_tab(page, title, charts=True):
    """Click the dashboard tab called *title*; with *charts*, wait until a chart in it is drawn."""
    page.click(f".mk-sections .lm-TabBar-tab:has-text('{title}')")
    if charts:
        page.wait_for_selector(".mk-sections .mk-chart .js-plotly-plot >> visible=true", timeout=60_000)


def _download(page, selector):
    with page.expect_download() as info:
        page.click(selector)
    d = info.value
    assert d.failure() is None
    return d.suggested_filename, Path(d.path()).read_bytes()


# ------------------------------------------------------------------ landing

def test_landing_page_links_every_dashboard_and_exercise(page, voila_url):
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith((voila_url, "data:")) else None)
    page.goto(voila_url + "/")
    page.wait_for_selector("a.card")
    hrefs = page.eval_on_selector_all("a.card", "els => els.map(e => e.getAttribute('href'))")
    linked = {re.sub(r"^.*/voila/render/", "", h) for h in hrefs}
    on_disk = {f"{p.parent.name}/{p.name}" for folder in ("dashboards", "exercises")
               for p in (ROOT / folder).glob("*.ipynb")}
    assert linked == on_disk
    assert "mentorkit" in page.title()
    assert external == [], f"the landing page fetched from outside the server: {external}"
    page.click("text=Program health")
    page.wait_for_selector(DASHBOARDS["program_health"][0], timeout=120_000)


# --------------------------------------------------------------- rendering

@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboard_renders_with_no_code_no_errors_and_no_cdn(page, voila_url, name):
    _open(page, voila_url, name)
    body = page.inner_text("body")
    for text in DASHBOARDS[name][1]:
        assert text in body, f"{name}: {text!r} missing"
    for marker in CODE_MARKERS:
        assert marker not in body, f"{name}: {marker!r} is on the page"
    assert page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor, .jp-OutputArea-output[data-mime-type*=error]"
                        ).count() == 0
    assert page.locator(".mk-chart .js-plotly-plot").count() == 0  # no chart drawn before its tab opens
    tabs, n_charts = CHART_TABS[name]
    for title in tabs:
        _open_tab(page, title)
    assert page.locator(".mk-chart .js-plotly-plot").count() == n_charts
    assert page.external_requests == [], f"{name} fetched from outside the server: {page.external_requests}"
    assert not [e for e in page.console_errors if "Traceback" in e or "Error" in e and "favicon" not in e]


# ------------------------------------------------------------- interaction

def test_changing_a_filter_changes_a_chart(page, voila_url):
    _open(page, voila_url, "program_health")
    _open_tab(page, "Meetings")
    before = _plot_data(page, ".mk-health-trend")
    kpi_before = page.inner_text(".mk-kpi-row")
    as_of = page.input_value(".mk-filter-end input")
    page.select_option(".mk-filter-model select", label="group")
    page.wait_for_function(f"""b => {{ const gd = document.querySelector('.mk-health-trend .js-plotly-plot');
        return gd && gd._fullData && ({PLOT_JS})(gd) !== b; }}""", arg=before, timeout=60_000)
    after = json.loads(_plot_data(page, ".mk-health-trend"))
    # sessions attended per month for the group model, counted from the shipped files with pandas
    s = pd.read_csv(SAMPLE / "sessions.csv", parse_dates=["date"])
    pairs = pd.read_csv(SAMPLE / "pairs.csv")
    g = s[s["pair_id"].isin(pairs.loc[pairs["model"] == "group", "pair_id"]) & s["attended"]
          & (s["date"] <= pd.Timestamp(as_of))]
    expected = g.groupby(g["date"].dt.to_period("M").astype(str)).size()
    bars = next(t for t in after if t["name"] == "sessions attended")
    shown = {m: v for m, v in zip(bars["x"], bars["y"]) if v is not None}
    assert shown and all(expected[m] == v for m, v in shown.items())
    assert page.inner_text(".mk-kpi-row") != kpi_before


def _roi_numbers(page):
    text = page.inner_text(".mk-roi-result")
    roi = float(re.search(r"(-?[\d,]+)%\s*ROI \(expected\)", text).group(1).replace(",", ""))
    bcr = float(re.search(r"([\d.]+)\s*benefit-cost ratio", text).group(1))
    return roi, bcr


def test_moving_an_roi_slider_changes_roi_and_bcr(page, voila_url):
    _open(page, voila_url, "outcomes_roi")
    page.wait_for_selector(".mk-roi-result .mk-kpi")
    roi0, bcr0 = _roi_numbers(page)
    # benefit-cost ratio and ROI % are tied: ROI % = (BCR - 1) x 100 (Phillips), checked by hand here
    assert abs(roi0 - (bcr0 - 1) * 100) <= 1.0
    handle = page.locator(".mk-roi-replacement .noUi-handle")
    handle.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(f"""() => !document.querySelector('.mk-roi-result').innerText
                                .includes('{roi0:,.0f}%')""", timeout=30_000)
    roi1, bcr1 = _roi_numbers(page)
    # a higher replacement cost raises the benefits and leaves the costs: ROI must go up
    assert roi1 > roi0 and bcr1 > bcr0
    assert abs(roi1 - (bcr1 - 1) * 100) <= 1.0


def test_csv_export_downloads_and_holds_no_small_group(page, voila_url):
    _open(page, voila_url, "program_health")
    cohort = "C05-2022-08"
    page.select_option(".mk-filter-cohort select", label=cohort)
    page.select_option(".mk-filter-breakdown select", label="region")
    page.wait_for_function("document.querySelector('.mk-health-breakdown').innerText.includes('Latin America')")
    # the export links are refreshed just after the table: wait until the link carries the new breakdown
    page.wait_for_function("""() => { const a = document.querySelector('a.mk-csv-breakdown');
        return a && atob(a.getAttribute('href').split(',')[1]).split('\\n')[0].includes('region'); }""")
    name, data = _download(page, ".mk-csv-breakdown")
    assert name.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    # pairs per mentee region in this cohort, from the shipped files
    parts = pd.read_csv(SAMPLE / "participants.csv")
    pairs = pd.read_csv(SAMPLE / "pairs.csv").merge(parts, left_on="mentee_id", right_on="participant_id")
    truth = pairs[pairs["cohort"] == cohort].groupby("region").size()
    assert {r["region"] for r in rows} == set(truth.index)
    small = set(truth[truth < MIN_GROUP].index)
    assert small, "the test needs a small group in this cohort"
    hidden = {r["region"] for r in rows if r["n_pairs"] == ""}
    assert small <= hidden and len(hidden) >= 2  # the small one, and one more so it cannot be subtracted out
    for r in rows:
        if r["n_pairs"] != "":
            assert float(r["n_pairs"]) >= MIN_GROUP and float(r["n_pairs"]) == truth[r["region"]]
        else:
            assert r["attendance_rate"] == "" and r["suppressed"] == "True"


def test_html_snapshot_is_standalone(page, voila_url):
    _open(page, voila_url, "program_health")
    page.click(".mk-snapshot-button")
    page.wait_for_selector(".mk-snapshot-download", timeout=60_000)
    name, data = _download(page, ".mk-snapshot-download")
    text = data.decode("utf-8")
    assert name.endswith(".html") and text.startswith("<!DOCTYPE html>")
    assert "Program health" in text and "Who needs a nudge" in text and "plotly" in text.lower()
    assert not re.search(r"<script[^>]+src=[\"']https?://", text), "the snapshot loads a script from the network"
    assert re.search(r"plotly\.js v\d", text), "plotly.js is not inside the snapshot"


def test_survey_comment_with_script_shows_as_text(page, voila_url):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    _open(page, voila_url, "outcomes_roi")
    _open_tab(page, "Comments", charts=False)
    page.fill(".mk-comment-search input", "script")
    page.press(".mk-comment-search input", "Enter")
    page.wait_for_function("document.querySelector('.mk-comments').innerText.includes('<script>')", timeout=60_000)
    assert page.locator(".mk-comments script").count() == 0
    assert "<script>alert(1)</script>" in page.inner_text(".mk-comments")
    assert dialogs == []
    # names are redacted: a name from the shipped comments is not on the page
    comments = pd.read_csv(SAMPLE / "comments.csv")["text"]
    named = comments[comments.str.contains("Hannah Schmidt", regex=False)]
    assert len(named), "the shipped comments name Hannah Schmidt"
    page.fill(".mk-comment-search input", "match")
    page.press(".mk-comment-search input", "Enter")
    page.wait_for_function("!document.querySelector('.mk-comments').innerText.includes('<script>')")
    assert "Hannah" not in page.inner_text(".mk-comments")


def test_exercise_opened_from_the_landing_page_is_played_to_its_end(page, voila_url):
    from mentorkit.scenarios import load_scenario

    page.goto(voila_url + "/")
    page.click("text=Boundaries and fit")
    page.wait_for_selector(".mk-practice-reply textarea", timeout=120_000)
    scenario = load_scenario("availability_boundaries")
    page.select_option(".mk-practice-picker select", label=scenario.title)
    page.wait_for_function("document.querySelectorAll('.mk-practice-transcript .mk-bubble').length === 1")
    for i, reply in enumerate(scenario.examples["strong"]):
        if page.locator(".mk-practice-debrief .mk-score").count():
            break
        page.fill(".mk-practice-reply textarea", reply)
        page.click(".mk-practice-send")
        page.wait_for_function(
            f"document.querySelectorAll('.mk-practice-transcript .mk-bubble').length >= {3 + 2 * i}",
            timeout=60_000)
    page.wait_for_selector(".mk-practice-debrief .mk-score", timeout=60_000)
    assert 0 <= int(page.inner_text(".mk-practice-debrief .mk-score")) <= 100
    assert page.locator(".mk-practice-send").is_disabled()


# ------------------------------------------------------------ bad data source

@pytest.fixture(scope="module")
def voila_bad_data(tmp_path_factory, voila_server):
    """A second server whose MENTORKIT_DATA names a folder that does not exist."""
    missing = str(tmp_path_factory.getbasetemp() / "no-such-program-folder")
    with voila_server(tmp_path_factory.mktemp("voila-bad"), MENTORKIT_DATA=missing) as url:
        yield url


def test_missing_data_folder_shows_a_message_not_a_traceback(page, voila_bad_data):
    page.goto(f"{voila_bad_data}/voila/render/dashboards/program_health.ipynb", wait_until="commit")
    page.wait_for_selector(".mk-error-message", timeout=120_000)
    msg = page.inner_text(".mk-error-message")
    assert "no-such-program-folder" in msg and "MENTORKIT_DATA" in msg
    body = page.inner_text("body")
    assert "Traceback" not in body and "import " not in body


# ------------------------------------------------------------------ kernels

def _kernel_alive(voila_url, kernel_id):
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(f"{voila_url}/api/kernels/{kernel_id}", timeout=10) as r:
            return r.status == 200
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return False
        raise


def test_closing_a_tab_shuts_its_kernel_down_and_a_tokenless_shutdown_is_refused(page, voila_url):
    """XSRF checks stay on: Voila's shutdown request needs the _xsrf token, which the page obtains."""
    import time
    import urllib.error
    import urllib.request

    page.goto(f"{voila_url}/voila/render/dashboards/trainer.ipynb", wait_until="commit")  # opened directly
    page.wait_for_selector(DASHBOARDS["trainer"][0], timeout=120_000)
    kernel_id = json.loads(page.inner_text("#jupyter-config-data"))["kernelId"]
    assert _kernel_alive(voila_url, kernel_id)
    # a request without the cookie's token (what a cross-site form could send) is refused
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{voila_url}/voila/api/shutdown/{kernel_id}", data=b"",
                                                      method="POST"), timeout=10)
    assert refused.value.code == 403
    assert _kernel_alive(voila_url, kernel_id)
    page.wait_for_function("/(^|;\\s*)_xsrf=/.test(document.cookie)", timeout=30_000)
    page.close(run_before_unload=True)  # as a closing tab: Voila's beforeunload handler sends the shutdown
    deadline = time.monotonic() + 30
    while _kernel_alive(voila_url, kernel_id) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not _kernel_alive(voila_url, kernel_id), "the closed tab's kernel is still running"
