"""The HTML report and the outcomes dashboard, rendered from the same data, show the same numbers
and hide the same cells, the Kaplan-Meier curves included (issue 12).

Both fronts call one library: the same analyses, :func:`mentorkit.privacy.suppress` and
:mod:`mentorkit.analysis.figures`. These tests render both and compare what each shows; the
at-risk cut is also checked against a head count worked out by hand from the outcomes table.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from mentorkit.analysis import analyze
from mentorkit.analysis.report import report_figures, report_html
from mentorkit.sources import load_program


#: 5 is the default; at 450 the curves lose their last steps (the sample follows 600 people a group
#: for 24 months, about 350-420 still at risk at the end) and many equity cells are hidden
@pytest.fixture(scope="module", params=[5, 450], ids=["min5", "min450"])
def fronts(request):
    """(data, report results, report figures, dashboard) under one minimum group size (set as users do)."""
    from mentorkit.widgets.outcomes import OutcomesROI

    mp = pytest.MonkeyPatch()
    mp.setenv("MENTORKIT_MIN_GROUP", str(request.param))
    data = load_program("")
    results = dict(analyze(data))
    figs = report_figures(data, results)
    dash = OutcomesROI(data)
    yield request.param, data, results, figs, dash
    mp.undo()


def _traces(fig) -> dict[str, tuple[list, list]]:
    return {t.name: (list(t.x), list(t.y)) for t in fig.data}


def test_survival_curves_are_the_same_and_cut_at_the_minimum_at_risk(fronts):
    size, data, results, figs, dash = fronts
    report_curves, dash_curves = _traces(figs["retention"]), _traces(dash.retention_chart.figure)
    assert sorted(report_curves) == sorted(dash_curves) == [
        "comparison (naive)", "comparison (weighted)", "mentored (naive)", "mentored (weighted)"]
    for name, (x, y) in report_curves.items():
        assert x == dash_curves[name][0] and y == dash_curves[name][1], name
    # the cut, by hand: people still followed at each drawn time (duration >= t), from the outcomes table
    o = data.outcomes.merge(data.participants[["participant_id", "role"]], on="participant_id")
    stop = o["exit_date"].where(o["exited"].astype(bool), o["followup_end"])
    months = (pd.to_datetime(stop) - pd.to_datetime(o["index_date"])).dt.days / 30.4375
    for grp, role in (("mentored", "mentee"), ("comparison", "comparison")):
        x, _ = report_curves[f"{grp} (naive)"]
        mine = months[(o["role"] == role).to_numpy()].to_numpy()
        at_risk_last = int((mine >= x[-1] - 1e-9).sum())
        assert at_risk_last >= size  # the last step drawn still has the minimum at risk
    table = results["survival curves"]
    assert (table["at_risk"] >= size).all()
    assert dash.tables()["survival curves"].equals(table)


def test_a_larger_minimum_cuts_the_curves_sooner_in_both(fronts):
    size, data, results, figs, dash = fronts
    from mentorkit.analysis.retention import survival_curves

    loose = survival_curves(data, min_size=2)
    drawn = results["survival curves"]
    for (method, grp), part in drawn.groupby(["method", "group"]):
        full = loose[(loose["method"] == method) & (loose["group"] == grp)]
        if size == 450:
            assert part["time"].max() < full["time"].max()  # the cut really bites
        assert part["time"].max() <= full["time"].max()


def test_prepost_numbers_and_hidden_cells_are_the_same(fronts):
    size, data, results, figs, dash = fronts
    rep = results["prepost"].set_index(["group", "skill"])
    scr = dash.tables()["pre-post change"].set_index(["group", "skill"])
    assert sorted(rep.index) == sorted(scr.index)
    assert (rep.loc[scr.index, "suppressed"].to_numpy() == scr["suppressed"].to_numpy()).all()
    for col in ("n", "mean_diff", "ci_low", "ci_high", "p_t_adj"):
        np.testing.assert_allclose(rep.loc[scr.index, col].to_numpy(float), scr[col].to_numpy(float),
                                   equal_nan=True, err_msg=col)
    # and the two charts draw the same points (suppressed skills draw none in either)
    assert _traces(figs["prepost"]) == _traces(dash.prepost_chart.figure)


def test_equity_and_retention_tables_hide_the_same_cells(fronts):
    size, data, results, figs, dash = fronts
    rep, scr = results["equity"], dash.tables()["equity gaps"]
    key = ["family", "measure", "breakdown", "group"]
    merged = rep.merge(scr, on=key, suffixes=("_r", "_d"))
    assert len(merged) == len(rep) == len(scr)
    assert (merged["suppressed_r"] == merged["suppressed_d"]).all()
    np.testing.assert_allclose(merged["gap_r"].to_numpy(float), merged["gap_d"].to_numpy(float), equal_nan=True)
    if size == 5:
        assert merged["suppressed_r"].any() and not merged["suppressed_r"].all()  # not a vacuous comparison
    ret_r = results["retention"].set_index("method")
    ret_d = dash.tables()["retention"].set_index("method")
    np.testing.assert_allclose(ret_r.loc[ret_d.index, "hr"].to_numpy(float), ret_d["hr"].to_numpy(float))


def test_the_report_page_shows_no_suppressed_equity_group(fronts):
    size, data, results, figs, dash = fronts
    page = report_html(data, results, themes=False)
    section = page.split("<h2>Equity", 1)[1].split("<h2>", 1)[0]
    gaps = results["equity"]
    shown_rows = len(re.findall(r"<tr>", section.split("<tbody>", 1)[1])) if "<tbody>" in section else 0
    assert shown_rows == int((~gaps["suppressed"]).sum())
