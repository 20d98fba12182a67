"""The program dashboards' widgets (health, outcomes and ROI) and their shared parts, without a browser.

Expected numbers are recounted from the shipped CSV files with the csv module and plain
Python (or lifelines, for Kaplan-Meier), independently of the code under test.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import re
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mentorkit.errors import MentorkitError
from mentorkit.widgets import common
from mentorkit.privacy import suppress
from mentorkit.widgets.common import (csv_bytes, download_link, load_program, resolve_source, snapshot_html,
                                      table_html)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "program_sample"


def rows(table: str) -> list[dict]:
    with open(SAMPLE / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def data():
    return load_program("")


@pytest.fixture(scope="module")
def health(data):
    from mentorkit.widgets.health import ProgramHealth
    return ProgramHealth(data)


@pytest.fixture(scope="module")
def outcomes(data):
    from mentorkit.widgets.outcomes import OutcomesROI
    return OutcomesROI(data)


# ------------------------------------------------------------------ sources

@pytest.mark.parametrize("value, kind", [("", "sample"), ("  ", "sample"), ("/data/program", "folder"),
                                         ("relative/folder", "folder"), ("sqlite:///p.sqlite", "database"),
                                         ("postgresql+psycopg://u:pw@db/mk", "database")])
def test_resolve_source_kinds(value, kind):
    src = resolve_source(value)
    assert src.kind == kind
    assert "pw" not in src.label  # a password never reaches the page


def test_resolve_source_reads_mentorkit_data(monkeypatch, tmp_path):
    monkeypatch.setenv("MENTORKIT_DATA", str(tmp_path))
    assert resolve_source() == common.DataSource("folder", str(tmp_path), f"folder {tmp_path}")
    monkeypatch.delenv("MENTORKIT_DATA")
    assert resolve_source().kind == "sample"


def test_bad_sources_give_one_clear_line(tmp_path):
    (tmp_path / "notes.txt").write_text("not data")
    cases = {
        str(tmp_path / "missing"): "no such folder",
        str(tmp_path / "notes.txt"): "this is a file",
        str(tmp_path): "no program data files",
        f"sqlite:///{tmp_path / 'nothing.sqlite'}": "no such database file",
    }
    for value, words in cases.items():
        with pytest.raises(MentorkitError) as err:
            load_program(value)
        assert words in str(err.value) and "\n" not in str(err.value)
        assert "MENTORKIT_DATA" in str(err.value)
    assert not (tmp_path / "nothing.sqlite").exists()  # looking did not create it


def test_database_source_loads_through_the_same_validation(tmp_path, data):
    from sqlalchemy import create_engine

    url = f"sqlite:///{tmp_path / 'program.sqlite'}"
    engine = create_engine(url)
    for table in ("participants", "pairs", "sessions", "goals", "messages", "surveys", "outcomes", "comments"):
        pd.read_csv(SAMPLE / f"{table}.csv").to_sql(table, engine, index=False)
    engine.dispose()
    loaded = load_program(url)
    for table in ("participants", "pairs", "sessions", "messages", "comments"):
        assert len(getattr(loaded, table)) == len(rows(table))  # every row of the files, no more, no fewer
    assert loaded.report.n_errors == 0

    empty = f"sqlite:///{tmp_path / 'other.sqlite'}"
    e2 = create_engine(empty)
    pd.DataFrame({"x": [1]}).to_sql("unrelated", e2, index=False)
    e2.dispose()
    with pytest.raises(MentorkitError, match="no program table.*participants.*it holds unrelated"):
        load_program(empty)


# ------------------------------------------------------------------ privacy

def test_screen_suppression_uses_complementary_cells_and_hides_the_reason():
    t = pd.DataFrame({"region": ["A", "B", "C", "D"], "pairs": [40.0, 3.0, 12.0, 9.0], "rate": [.5, .9, .7, .6]})
    out = suppress(t, "pairs", min_size=5, reason=False)
    hidden = set(out.loc[out["suppressed"], "region"])
    # B is below 5; one more cell must go or B = total - A - C - D; the smallest other one is D (9)
    assert hidden == {"B", "D"}
    assert out.loc[out["suppressed"], ["pairs", "rate"]].isna().all().all()
    assert "suppression" not in out.columns  # primary or complementary is itself a clue
    assert "hidden (small group)" in table_html(out)


def test_tables_escape_every_cell():
    t = pd.DataFrame({"<b>col</b>": ["<script>alert(1)</script>", "a & b"], "n": [1.0, 2.0]})
    out = table_html(t)
    assert "<script>" not in out and "<b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "a &amp; b" in out


def test_csv_export_is_spreadsheet_safe_and_download_link_carries_the_bytes():
    df = pd.DataFrame({"comment": ["=HYPERLINK(\"x\")", "fine"], "n": [-3.5, 2.0]})
    data = csv_bytes(df)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert parsed[0] == ["comment", "n"]
    assert [r[0] for r in parsed[1:]] == ["'=HYPERLINK(\"x\")", "fine"]  # the formula is neutralised
    assert [float(r[1]) for r in parsed[1:]] == [-3.5, 2.0]  # a negative number is left alone
    link = download_link(data, "x<1>.csv", "Download <CSV>")
    b64 = re.search(r'href="data:text/csv;base64,([^"]+)"', link).group(1)
    assert base64.b64decode(b64) == data
    assert 'download="x&lt;1&gt;.csv"' in link and "Download &lt;CSV&gt;" in link
    assert "onclick" not in link and "<script" not in link


def test_snapshot_is_standalone_with_plotly_inline_once():
    import plotly.graph_objects as go

    figs = [go.Figure(go.Bar(x=["a"], y=[1]), layout_title_text=f"chart {i}") for i in range(2)]
    page = snapshot_html("T <1>", [("one", figs[0]), ("two", figs[1]), ("table", pd.DataFrame({"a": ["<i>"]}))])
    assert len(re.findall(r"plotly\.js v\d", page)) == 1  # the library once, both charts use it
    assert page.count("Plotly.newPlot") == 2
    assert not re.search(r"<script[^>]+src=", page)
    assert "T &lt;1&gt;" in page and "&lt;i&gt;" in page


# ------------------------------------------------------------------- health

def test_select_pairs_keeps_only_the_chosen_pairs(data):
    from mentorkit.program.select import select_pairs

    sub = select_pairs(data, model="group", region="Europe")
    mentee_region = {r["participant_id"]: r["region"] for r in rows("participants")}
    expected = {r["pair_id"] for r in rows("pairs") if r["model"] == "group" and mentee_region[r["mentee_id"]] == "Europe"}
    assert set(sub.pairs["pair_id"]) == expected
    assert set(sub.sessions["pair_id"]) <= expected and set(sub.messages["pair_id"]) <= expected
    assert select_pairs(data, model=None) is not data and len(select_pairs(data).pairs) == len(data.pairs)


def test_health_kpis_match_a_recount_of_the_files(health):
    end = health.filters["end"]
    attended = planned = 0
    for r in rows("sessions"):
        if datetime.fromisoformat(r["date"]) <= end:
            planned += 1
            attended += r["attended"] == "True"
    text = re.sub(r"<[^>]+>", " ", health.kpis.value)
    assert f"{attended} of {planned} sessions" in text
    assert f"{attended / planned:.0%} attendance" in re.sub(r"\s+", " ", text)
    active = sum(1 for r in rows("pairs") if datetime.fromisoformat(r["start_date"]) <= end
                 and (not r["end_date"] or datetime.fromisoformat(r["end_date"]) >= end))
    assert re.search(rf"\b{active}\s+active pairs", text)


def test_monthly_attendance_matches_a_recount(health):
    t = health.tables()["monthly attendance"].set_index("month")
    end = health.filters["end"]
    planned, attended, pairs = Counter(), Counter(), defaultdict(set)
    for r in rows("sessions"):
        d = datetime.fromisoformat(r["date"])
        if d <= end:
            m = d.strftime("%Y-%m")
            planned[m] += 1
            attended[m] += r["attended"] == "True"
            pairs[m].add(r["pair_id"])
    assert list(t.index) == sorted(planned)
    for m in planned:
        assert t.loc[m, "pairs"] == len(pairs[m]) and t.loc[m, "planned"] == planned[m]
        assert t.loc[m, "attendance_rate"] == pytest.approx(attended[m] / planned[m])


def test_reply_time_bands_match_a_recount(health):
    from mentorkit.analysis.engagement import REPLY_BANDS

    t = health.tables()["reply times"].set_index("band")
    cutoff = health.filters["end"] + pd.Timedelta(days=1)
    counts = Counter()
    sent_total = 0
    for r in rows("messages"):
        sent = datetime.fromisoformat(r["sent_at"])
        if sent > cutoff:
            continue
        sent_total += 1
        replied = datetime.fromisoformat(r["replied_at"]) if r["replied_at"] else None
        if replied is None or replied > cutoff:
            counts["unanswered"] += 1
            continue
        hours = (replied - sent).total_seconds() / 3600
        counts[next(label for label, lo, hi in REPLY_BANDS if lo <= hours < hi)] += 1
    for band, n in counts.items():
        assert t.loc[band, "messages"] == n
    assert t["share"].sum() == pytest.approx(1.0) and t["messages"].sum() == sent_total


def test_small_selection_shows_nothing(data):
    from mentorkit.widgets.health import ProgramHealth

    region = {r["participant_id"]: r["region"] for r in rows("participants")}
    n = sum(1 for r in rows("pairs") if r["model"] == "reverse" and region[r["mentee_id"]] == "Africa & Middle East")
    assert 0 < n < 5  # the shipped sample has a handful of such pairs
    dash = ProgramHealth(data)
    dash.model.value = "reverse"
    dash.region.value = "Africa & Middle East"
    assert dash.tables() == {}
    assert "Fewer than 5 pairs" in dash.status.value
    assert dash.body.layout.display == "none"
    assert "Nothing to export" in dash.export.csv_links.value


def test_health_breakdown_hides_small_regions_in_export(data):
    from mentorkit.widgets.health import ProgramHealth

    dash = ProgramHealth(data)
    dash.cohort.value = "C05-2022-08"
    dash.breakdown.value = "region"
    region = {r["participant_id"]: (r["region"], r["cohort"]) for r in rows("participants")}
    truth = Counter(region[r["mentee_id"]][0] for r in rows("pairs") if region[r["mentee_id"]][1] == "C05-2022-08")
    link = re.search(r'class="mk-download mk-csv-breakdown"[^>]*href="data:text/csv;base64,([^"]+)"',
                     dash.export.csv_links.value).group(1)
    exported = list(csv.DictReader(io.StringIO(base64.b64decode(link).decode("utf-8"))))
    shown = {r["region"]: r["n_pairs"] for r in exported}
    assert set(shown) == set(truth)
    assert all(shown[k] == "" for k, v in truth.items() if v < 5)
    assert sum(v == "" for v in shown.values()) >= 2
    assert all(float(v) == truth[k] and float(v) >= 5 for k, v in shown.items() if v != "")


def test_nudge_list_holds_pseudonyms_only(health):
    nud = health.tables()["nudges"]
    assert len(nud) > 0
    assert list(nud.columns) == ["pair_id", "mentor_id", "mentee_id", "rule", "since", "days", "detail"]
    known = {r["participant_id"] for r in rows("participants")}
    assert set(nud["mentor_id"]) | set(nud["mentee_id"]) <= known


def test_date_window_counts_checkins_only_inside_it(data):
    from mentorkit.program.select import date_window

    start, end = pd.Timestamp("2022-09-01"), pd.Timestamp("2022-09-30")
    win = date_window(data, start, end)
    assert (win.pairs["start_date"] >= start).all() and (win.sessions["date"] >= start).all()
    expected = {r["pair_id"] for r in rows("pairs") if datetime.fromisoformat(r["start_date"]) <= end
                and (not r["end_date"] or datetime.fromisoformat(r["end_date"]) >= start)}
    assert set(win.pairs["pair_id"]) == expected


def test_health_snapshot_holds_the_view(health):
    page = health.snapshot()
    assert "Program health" in page and "Who needs a nudge" in page
    assert page.count("Plotly.newPlot") == 5


def test_chart_tabs_are_drawn_when_first_opened_and_follow_filters_after(data):
    """The overview opens first and sends no chart; a tab's charts go to the page when it opens."""
    from mentorkit.widgets.health import ProgramHealth

    dash = ProgramHealth(data)
    assert dash.sections.selected_index == 0 and dash.sections.titles[0] == "Overview"
    charts = (dash.trend, dash.plan, dash.goals, dash.replies, dash.overlap)
    assert all(view.figure is not None for view in charts)  # computed (snapshots and exports use them)
    assert all(view.outputs == () for view in charts)       # but nothing sent to the page yet
    dash.sections.open_tab("Meetings")
    assert len(dash.trend.outputs) == 1 and len(dash.plan.outputs) == 1
    assert dash.goals.outputs == ()
    drawn = dash.trend.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    dash.model.value = "group"  # an open tab follows the filters at once
    redrawn = dash.trend.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert redrawn["data"] != drawn["data"]
    dash.sections.open_tab("Goals")  # a closed tab shows the current filters when it opens
    goals = dash.goals.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    assert goals["data"] == json.loads(dash.goals.figure.to_json())["data"]
    with pytest.raises(KeyError, match="Overview, Meetings"):
        dash.sections.open_tab("Nope")


def test_a_program_health_kernel_loads_neither_plotly_nor_scipy_stats_until_asked():
    """Start-up cost per viewer: the overview needs pandas and the engagement module only."""
    import subprocess
    import sys

    code = ("import sys\nfrom mentorkit.widgets.health import ProgramHealth\ndash = ProgramHealth()\n"
            "print(sorted(m for m in ('plotly', 'scipy.stats', 'sklearn', 'statsmodels') if m in sys.modules))\n"
            "dash.sections.open_tab('Meetings')\nprint('plotly' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]", f"imported at start-up: {out[0]}"
    assert out[1] == "True"  # and opening a chart tab does import it


def test_bad_source_shows_a_message_in_the_widget(tmp_path):
    from mentorkit.widgets.health import ProgramHealth
    from mentorkit.widgets.outcomes import OutcomesROI

    for cls in (ProgramHealth, OutcomesROI):
        dash = cls(source=str(tmp_path / "nope"))
        assert dash.error and "no such folder" in dash.error
        assert "mk-error-message" in dash.status.value and "Traceback" not in dash.status.value
        assert len(dash.children) == 2  # heading and message, no controls


# ----------------------------------------------------------------- outcomes

def test_roi_calculator_matches_a_hand_calculation(outcomes):
    roi = outcomes.roi
    roi.mentor_hours.value, roi.mentor_rate.value = 2000, 80
    roi.mentee_hours.value, roi.mentee_rate.value = 1500, 50
    roi.replacement.value, roi.improvement.value = 60_000, 5.0
    t = roi.table.set_index("scenario")
    costs = 2000 * 80 + 1500 * 50 + roi.platform + roi.admin      # Phillips: fully loaded costs
    benefits = roi.n_mentees * 60_000 * 0.05                       # leavers avoided x replacement cost
    assert t.loc["expected", "costs"] == pytest.approx(costs)
    assert t.loc["expected", "benefits"] == pytest.approx(benefits)
    assert t.loc["expected", "roi_pct"] == pytest.approx((benefits - costs) / costs * 100)
    assert t.loc["expected", "bcr"] == pytest.approx(benefits / costs)
    # low: benefits at their low values (replacement -25%, improvement minus the CI half-width), costs high
    low_costs = 2000 * 1.1 * 80 * 1.2 + 1500 * 1.1 * 50 * 1.2 + roi.platform + roi.admin
    low_benefits = roi.n_mentees * 45_000 * (5.0 - roi.retention_down) / 100
    assert t.loc["low", "roi_pct"] == pytest.approx((low_benefits - low_costs) / low_costs * 100)
    shown = re.sub(r"<[^>]+>", " ", roi.result.value)
    assert f"{(benefits - costs) / costs * 100:,.0f}%" in shown and f"{benefits / costs:,.2f}" in shown
    before = t.loc["expected", "roi_pct"]
    roi.mentor_rate.value = 120
    assert roi.table.set_index("scenario").loc["expected", "roi_pct"] < before


def test_equity_panel_shows_gaps_with_small_groups_hidden(outcomes):
    from mentorkit.analysis.equity import equity_gaps

    gaps = outcomes.tables()["equity gaps"]
    # reference: the library's table for the same selection and minimum size
    ref = equity_gaps(outcomes.data, min_size=outcomes.min_size)
    assert len(gaps) == len(ref) and gaps["suppressed"].tolist() == ref["suppressed"].tolist()
    assert gaps.loc[gaps["suppressed"], "gap"].isna().all()
    page = outcomes.equity_table.value
    assert "descriptive" in page and "promotion_nomination" in page and "<script" not in page


def test_roi_calculator_reproduces_the_worked_example_in_both_readings():
    from mentorkit.widgets.outcomes import RoiCalculator

    # the guide's example: 50 mentees x $60,000 x 18% = $540,000; cost $50,000 (400 h x $75 + $10,000
    # platform + $10,000 administration); ROI = (540,000 - 50,000) / 50,000 = 980%
    roi = RoiCalculator(n_mentees=50, n_pairs=50, mentor_hours=400, mentee_hours=0,
                        retention={"low": 0.18, "expected": 0.18, "high": 0.18})
    roi.mentor_rate.value, roi.mentee_hours.value = 75, 0
    roi.platform_cost.value, roi.admin_cost.value = 10_000, 10_000
    roi.replacement.value, roi.improvement.value = 60_000, 18.0
    for reading, label in (("replacement", "Replacement cost per leaver"), ("salary", "Average mentee salary")):
        roi.reading.value = reading
        e = roi.table.set_index("scenario").loc["expected"]
        assert (e["costs"], e["benefits"], e["roi_pct"]) == (50_000, 540_000, 980.0)
        assert roi.replacement.description.startswith(label)
        assert "980%" in re.sub(r"<[^>]+>", " ", roi.result.value)
    assert "salary × retention improvement" in roi.reading_note.value


def test_retention_curves_match_lifelines_on_durations_worked_out_by_hand(outcomes):
    from lifelines import KaplanMeierFitter

    curves = outcomes.tables()["survival curves"]
    role = {r["participant_id"]: r["role"] for r in rows("participants")}
    dur, event = [], []
    for r in rows("outcomes"):
        if role[r["participant_id"]] != "comparison":
            continue
        start = datetime.fromisoformat(r["index_date"])
        stop = datetime.fromisoformat(r["exit_date"] if r["exited"] == "True" else r["followup_end"])
        dur.append((stop - start).days / 30.4375)
        event.append(r["exited"] == "True")
    kmf = KaplanMeierFitter().fit(dur, event)
    naive = curves[(curves["method"] == "naive") & (curves["group"] == "comparison")]
    for months in (6.0, 12.0, 18.0):
        step = naive[naive["time"] <= months].iloc[-1]
        assert step["survival"] == pytest.approx(float(kmf.survival_function_at_times(months).iloc[0]))
    assert (curves["at_risk"] >= 5).all()
    assert set(curves["method"]) == {"naive", "weighted"}


def test_retention_caveat_is_on_screen(outcomes):
    text = html.unescape(re.sub(r"<[^>]+>", " ", outcomes.caveat.value))
    assert "Mentees chose to join" in text and "weighted" in text


def test_comments_are_redacted_escaped_and_searched_after_redaction(outcomes):
    outcomes.comment_search.value = "script"
    shown = outcomes.comment_list.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown and "<script" not in shown
    outcomes.comment_search.value = "Hannah"
    assert "No comment matches" in outcomes.comment_list.value  # a name cannot be searched for
    outcomes.comment_search.value = "great match"
    assert "[name]" in outcomes.comment_list.value and "Hannah" not in outcomes.comment_list.value
    outcomes.comment_search.value = ""


def test_comments_withheld_when_few_people_commented():
    from mentorkit.analysis.themes import comment_view

    c = pd.DataFrame({"participant_id": ["a", "b", "a"], "wave": ["mid"] * 3, "text": ["x", "y", "z"]})
    shown, reason = comment_view(c, c["text"], min_size=5)
    assert shown.empty and "Fewer than 5 people" in reason


def test_outcomes_exports_are_what_is_on_screen(outcomes):
    tables = outcomes.tables()
    assert sorted(tables) == ["ROI scenarios", "equity gaps", "pre-post change", "retention", "survival curves"]
    for name in tables:
        assert f"mk-csv-{name.replace(' ', '-')}" in outcomes.export.csv_links.value
    pp = tables["pre-post change"]
    assert (pp.loc[~pp["suppressed"], "n"] >= 5).all()
