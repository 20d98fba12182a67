"""One standalone HTML file with the evaluation's charts and tables, for sharing.

The file embeds plotly.js once (``include_plotlyjs=True`` on the first chart), so it opens
with no network. Every table goes through pandas' HTML escaping; comment examples are
redacted before they get here (:mod:`mentorkit.analysis.themes`). Group breakdowns are the
suppressed ones from the analyses; individual pairs and people are never listed.
"""
from __future__ import annotations

import datetime as _dt
import html
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.errors import MentorkitError

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (no import at run time)
    from mentorkit.program.data import ProgramData

__all__ = ["caveats", "report_figures", "report_html", "write_report"]

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1100px;color:#222;line-height:1.45}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #ddd;padding-bottom:.2rem;margin-top:2.2rem}
table.mk{border-collapse:collapse;font-size:.85rem;margin:.6rem 0} table.mk td,table.mk th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
table.mk th{background:#f4f4f4} table.mk td{max-width:28rem;white-space:normal} .tbl{overflow-x:auto} table.mk td:first-child,table.mk th:first-child{text-align:left}
.note{color:#555;font-size:.9rem} .caveat{background:#fff8e1;border-left:4px solid #f0b400;padding:.5rem 1rem;margin:.4rem 0}
.kpi{display:inline-block;margin:0 1.5rem 1rem 0} .kpi b{display:block;font-size:1.6rem}
"""


def _fmt_value(v, col: str, digits: int, integral: bool) -> str:
    if pd.isna(v):
        return ""
    if np.isinf(v):
        return "not reached" if "median" in col else ("∞" if v > 0 else "-∞")
    if (col == "p" or col.startswith("p_")) and 0 <= v < 0.001:
        return "<0.001"
    if integral:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}" if abs(v) < 1e6 else f"{v:,.0f}"


def _fmt_table(df: pd.DataFrame, *, digits: int = 3, drop: tuple[str, ...] = ("suppression",)) -> str:
    show = df.drop(columns=[c for c in drop if c in df.columns]).copy()
    for c in show.columns:
        if pd.api.types.is_float_dtype(show[c]):
            finite = show[c][np.isfinite(show[c])]
            integral = bool(len(finite)) and bool(np.all(finite == np.round(finite))) and not c.startswith(("p", "ci", "d"))
            show[c] = show[c].map(lambda v, c=c, i=integral: _fmt_value(v, c, digits, i))
    return ("<div class='tbl'>" + show.to_html(index=False, escape=True, classes="mk", border=0, na_rep="")
            + "</div>")


def caveats(results: dict[str, pd.DataFrame]) -> list[str]:
    """What a reviewer would raise about these results, in plain sentences.

    Examples
    --------
    >>> import pandas as pd
    >>> r = {"retention": pd.DataFrame({"method": ["naive"], "note": ["naive comparison: ..."],
    ...                                 "max_smd_after": [float("nan")]})}
    >>> any("only the naive" in c for c in caveats(r))
    True
    """
    out = []
    ret = results.get("retention")
    if ret is not None and len(ret):
        if not (ret["method"] == "ipw").any():
            out.append("Retention: only the naive comparison was possible (no confounders to weight on). "
                       "Mentored people chose to join, so the difference mixes the program's effect with who opted in.")
        else:
            ipw = ret[ret["method"] == "ipw"].iloc[0]
            out.append("Retention: the propensity-weighted estimate assumes the measured covariates explain who "
                       "opted in; anything unmeasured that drives both joining and staying (ambition, manager "
                       "support) still biases it.")
            if "credible" in ipw and not bool(ipw["credible"]):
                out.append("Retention: the propensity-weighted comparison is NOT credible here (see its note and the "
                           "diagnostics: separation, non-convergence or a covariate whose balance cannot be checked).")
            if ipw["max_smd_after"] > 0.1:
                out.append(f"Retention: covariate balance is not achieved after weighting (largest |SMD| "
                           f"{ipw['max_smd_after']:.2f} > 0.1); treat the weighted hazard ratio with caution.")
        if "ph_p" in ret and (ret["ph_p"] < 0.05).any():
            out.append("Retention: the proportional-hazards test fails, so the hazard ratio averages an effect that "
                       "changes over follow-up; read the survival curves and medians.")
        if (ret["method"] == "ipw").any():
            ipw = ret[ret["method"] == "ipw"].iloc[0]
            naive = ret[ret["method"] == "naive"].iloc[0]
            if np.isfinite(naive["hr"]) and np.isfinite(ipw["hr"]) and abs(np.log(naive["hr"] / ipw["hr"])) > 0.05:
                out.append(f"Retention: the naive hazard ratio ({naive['hr']:.2f}) and the weighted one "
                           f"({ipw['hr']:.2f}) differ, a sign that selection into the program matters.")
    pp = results.get("prepost")
    if pp is not None and len(pp):
        out.append("Pre/post: self-rated confidence can rise with time, practice and the wish to please; without "
                   "random assignment the change is not all the program's doing.")
        if "group" in pp.columns and (pp["group"] == "comparison").any():
            out.append("Pre/post: compare the mentees' change with the comparison group's change in the same table; "
                       "the difference between them is the better estimate of the program's effect.")
        m = pp[pp["group"] == "mentored"] if "group" in pp.columns else pp
        if "n" in pp.columns and m["n"].notna().any():  # every skill may be suppressed
            lo, hi = int(np.nanmin(m["n"])), int(np.nanmax(m["n"]))
            span = f"{lo}" if lo == hi else f"{lo} to {hi}"
            out.append(f"Pre/post: only mentees who answered both waves count (n = {span} per skill); if those "
                       "who dropped out differ, the change is biased.")
    rel = results.get("reliability")
    if rel is not None and len(rel) and (rel["alpha"] < 0.7).any():
        low = rel.loc[rel["alpha"] < 0.7, "scale"].unique().tolist()
        out.append(f"Reliability: alpha below 0.7 for {', '.join(low)}; scores on these scales are noisy.")
    roi = results.get("roi")
    if roi is not None and len(roi):
        out.append("ROI: the money figures (replacement cost, hourly rates, platform and admin costs) are "
                   "assumptions; the low and high scenarios show how much the answer depends on them.")
    eng = results.get("engagement")
    if eng is not None and "suppressed" in eng.columns and eng["suppressed"].any():
        out.append("Engagement: some groups are too small to show and are suppressed (with complementary cells) "
                   "to protect the people in them.")
    return out


def report_figures(data: ProgramData, results: dict[str, pd.DataFrame], *, min_size: int | None = None) -> dict[str, object]:
    """The plotly figures of the report, by name (also handy in notebooks).

    Drawn by :mod:`mentorkit.analysis.figures`, the functions the dashboards use; the survival
    curves are :func:`mentorkit.analysis.retention.survival_curves`, cut where fewer than the
    minimum group size are still at risk, as on the outcomes dashboard. The curves drawn are
    kept in ``results["survival curves"]``.
    """
    from mentorkit.analysis import figures
    from mentorkit.analysis.retention import balance_table, propensity_weights, retention_frame, survival_curves

    figs: dict[str, object] = {}
    pp = results.get("prepost")
    if pp is not None and len(pp):
        figs["prepost"] = figures.prepost_figure(pp)
    eff = results.get("confidence_effect")
    if eff is not None and len(eff):
        figs["effect"] = figures.effect_figure(eff)
    try:
        curves = survival_curves(data, min_size=min_size)
    except MentorkitError:
        curves = None
    if curves is not None and len(curves):
        results.setdefault("survival curves", curves)
        figs["retention"] = figures.survival_figure(curves)
        frame, cov = retention_frame(data)
        if cov:
            frame["ipw"] = propensity_weights(frame, "mentored", cov, treated=True)
            bal = balance_table(frame, "mentored", cov, frame["ipw"], treated=True)
            figs["balance"] = figures.balance_figure(bal)
            results.setdefault("balance", bal)
    roi = results.get("roi")
    if roi is not None and len(roi):
        figs["roi"] = figures.roi_figure(roi)
    eng = results.get("engagement")
    if eng is not None and len(eng) > 1:
        part = eng[eng["group_by"] != "all"].dropna(subset=["attendance_rate"])
        if len(part):
            figs["engagement"] = figures.engagement_figure(part, "group", part["group_by"].iloc[0])
    return figs


def report_html(data: ProgramData, results: dict[str, pd.DataFrame] | None = None, *, title: str = "Mentoring program outcomes",
                themes: bool = True, min_size: int | None = None) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    from mentorkit.analysis import analyze
    from mentorkit.analysis.engagement import nudges

    results = dict(analyze(data) if results is None else results)
    if "confidence_effect" not in results:
        from mentorkit.analysis.outcomes import confidence_effect
        try:
            results["confidence_effect"] = confidence_effect(data)
        except MentorkitError:
            pass
    figs = report_figures(data, results, min_size=min_size)
    first = [True]

    def chart(name: str) -> str:
        fig = figs.get(name)
        if fig is None:
            return ""
        out = fig.to_html(full_html=False, include_plotlyjs=first[0], config={"displaylogo": False})
        first[0] = False
        return out

    parts = data.participants
    roles = parts["role"].value_counts()
    n = {r: int(roles.get(r, 0)) for r in ("mentee", "mentor", "comparison")}
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p class='note'>Generated {_dt.date.today().isoformat()} by mentorkit. Groups smaller than the "
            "minimum group size are suppressed; no person or pair is listed.</p>",
            "<div>" + "".join(f"<span class='kpi'><b>{v:,}</b>{k}s</span>" for k, v in n.items())
            + f"<span class='kpi'><b>{len(data.pairs):,}</b>pairs</span></div>"]
    report = getattr(data, "report", None)
    if report is not None and hasattr(report, "n_errors"):
        body.append(f"<p class='note'>Validation: {report.n_errors} row problem(s) quarantined, "
                    f"{report.n_warnings} warning(s) repaired while loading.</p>")
    body.append("<h2>Caveats a reviewer would raise</h2>")
    body += [f"<div class='caveat'>{html.escape(c)}</div>" for c in caveats(results)]
    skipped = results.get("skipped")
    if skipped is not None and len(skipped):
        body += ["<h2>Analyses this data does not support</h2>",
                 "<p class='note'>Each was skipped because a table or column it needs is missing or empty:</p>",
                 _fmt_table(skipped)]
    if "engagement" in results:
        body += ["<h2>Engagement</h2>", chart("engagement"), _fmt_table(results["engagement"])]
        nd = nudges(data)
        counts = nd["rule"].value_counts().rename_axis("rule").reset_index(name="pairs")
        body += ["<h3>Pairs needing a nudge, by rule</h3>", _fmt_table(counts) if len(counts) else "<p>None.</p>"]
    if "prepost" in results:
        body += ["<h2>Confidence before and after</h2>", chart("prepost"), _fmt_table(results["prepost"]),
                 "<p class='note'>d_z: mean change over the SD of the changes; Hedges' g: change over the average SD "
                 "of the two waves, small-sample corrected. p values adjusted across skills with the method in "
                 "p_adjust.</p>"]
    effect = results.get("confidence_effect")
    if effect is not None:
        body += ["<h3>Program effect: mentees' change beyond the comparison group's</h3>", chart("effect"),
                 _fmt_table(effect),
                 "<p class='note'>effect: difference in change (post minus pre) between mentees and the comparison "
                 "group, adjusted for the confounders listed; d: the same in pre-wave SD units. d_naive leaves out "
                 "the adjustment.</p>"]
    if "reliability" in results:
        body += ["<h2>Scale reliability</h2>", _fmt_table(results["reliability"])]
    if "retention" in results:
        ret = results["retention"]
        body += ["<h2>Retention</h2>", chart("retention"), _fmt_table(ret, drop=("suppression", "note"))]
        body += [f"<p class='note'>{html.escape(str(m))}: {html.escape(str(n))}</p>"
                 for m, n in zip(ret["method"], ret["note"])]
    if "retention_medians" in results:
        body += ["<h3>Median time to exit, with the number still at risk</h3>", _fmt_table(results["retention_medians"]),
                 "<p class='note'>A median resting on fewer people at risk than the minimum group size is hidden; "
                 "'not reached' means fewer than half the group left during follow-up.</p>"]
    if "retention_diagnostics" in results:
        diag = results["retention_diagnostics"]
        body += ["<h3>Model checks</h3>", _fmt_table(diag[["check", "ok", "message"]])]
    if "overlap" in results:
        body += ["<h3>Propensity-score overlap (positivity)</h3>", _fmt_table(results["overlap"])]
    if "balance" in results:
        body += ["<h3>Covariate balance</h3>", chart("balance"), _fmt_table(results["balance"])]
    if "roi" in results:
        roi_t = results["roi"]
        body += ["<h2>Return on investment</h2>", chart("roi"),
                 _fmt_table(roi_t, digits=2, drop=("suppression", "basis", "retention_reading", "time_costs"))]
        for col, label in (("retention_reading", "Retention benefit read as"), ("time_costs", "Time costs")):
            if col in roi_t.columns:
                body.append(f"<p class='note'>{label}: {html.escape(str(roi_t[col].iloc[0]))}.</p>")
        if "basis" in roi_t.columns:
            body.append(f"<p class='note'>Retention benefit: {html.escape(str(roi_t['basis'].iloc[0]))}. Money "
                        "figures are assumptions (see RoiAssumptions); the low scenario takes every benefit low and "
                        "every cost high.</p>")
    if "equity" in results:
        from mentorkit.analysis.equity import CAVEAT

        gaps = results["equity"]
        shown = gaps[~gaps["suppressed"].astype(bool)] if "suppressed" in gaps.columns else gaps
        shown = shown.drop(columns=[c for c in ("caveat", "suppressed") if c in shown.columns])
        body += ["<h2>Equity: outcomes, access and sponsorship by group</h2>",
                 f"<div class='caveat'>{html.escape(CAVEAT)}</div>",
                 "<p class='note'>Each group against the reference group (the largest): gap = group minus reference, "
                 "a difference in shares for rates and in means otherwise, with its 95% interval.</p>",
                 _fmt_table(shown)]
    comments = getattr(data, "comments", None)
    if themes and comments is not None and len(comments) >= 20:
        from mentorkit.analysis.themes import comment_themes

        k = int(min(6, max(2, len(comments) // 40)))
        th = comment_themes(comments, n_themes=k)
        body += ["<h2>Comment themes</h2>", _fmt_table(th.themes),
                 "<h3>Example comments (names redacted)</h3>", _fmt_table(th.examples)]
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            + "\n".join(b for b in body if b) + "</body></html>")


def write_report(data: ProgramData, out: str | Path, results: dict[str, pd.DataFrame] | None = None, *,
                 title: str = "Mentoring program outcomes", themes: bool = True) -> Path:
    """Write the standalone HTML report to *out* and return its path.

    Examples
    --------
    >>> import tempfile, os
    >>> import mentorkit.datasets as ds
    >>> p = write_report(ds.load("program_sample"), os.path.join(tempfile.mkdtemp(), "r.html"))
    >>> "<script src=" in p.read_text()
    False
    """
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise MentorkitError(f"{out}: the folder {out.parent} does not exist")
    out.write_text(report_html(data, results, title=title, themes=themes), encoding="utf-8")
    return out
