"""Does practice pay off? Mentors' practice (the practice log) against their mentees' outcomes.

The practice log (:mod:`mentorkit.store`) records each trainee mentor under the salted pseudonym
:func:`mentorkit.privacy.pseudonymise` gives their handle; the program data names mentors by
``pairs.mentor_id``. The two join under that one scheme: when the program's ids are already
pseudonyms (loaded with ``pseudonymise: all`` and the same salt), a mentor's id *is* the log's
trainee; when they are raw employee numbers, they are pseudonymised here with the same salt.
So trainees must practise under the id the HR data uses (their employee number). Which of the
two held, and how many mentors were found, is reported with every result.

Exposure, per pair: the mentor's practice attempts finished before the pair's end date (the
window is selectable), and their mean score over those attempts. Outcome, per mentee: the mean
change of the confidence items (``conf_*``) from pre to post, in scale points, over the items
answered at both waves. The estimate comes from a linear mixed model with a random intercept
per mentor (statsmodels ``MixedLM``, REML) or OLS with standard errors clustered by mentor,
adjusted for mentor tenure (years) and cohort (fixed effects):

* ``attempts``: change per practice attempt, all mentees whose mentor is in the log or not
  (a mentor absent from the log practised 0 times only if ``absent_as_zero``; by default
  mentees of mentors not found in the log are left out and counted);
* ``mean_score_per_10``: change per 10 points of mean practice score, among mentors who
  practised, adjusted for the number of attempts too.

Practice is not randomised: mentors chose how much to practise, so the estimate is an
association adjusted for tenure and cohort, not the effect of practice. The ``caveat`` column
says so in plain words.

Example
-------
>>> from mentorkit.program import simulate
>>> data = simulate(mentees=300, seed=3, practice=True)
>>> res = practice_outcomes(data, data.practice)
>>> res.table["exposure"].tolist()
['attempts', 'mean_score_per_10']
>>> res.join["scheme"]
'pseudonymised'
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.analysis._common import require_columns, wide_values
from mentorkit.errors import MentorkitError

__all__ = ["PracticeOutcomes", "practice_outcomes", "practice_outcome_frame", "read_attempts", "join_mentors",
           "PRACTICE_OUTCOME_COLUMNS", "CAVEAT", "WINDOWS", "METHODS"]

WINDOWS = ("before_end", "before_start", "all")
METHODS = ("mixed", "cluster")
#: columns of :attr:`PracticeOutcomes.table`
PRACTICE_OUTCOME_COLUMNS = ["exposure", "unit", "estimate", "se", "ci_low", "ci_high", "p", "n_mentees",
                            "n_mentors", "method", "adjusted_for", "converged", "caveat"]
CAVEAT = ("Practice was not randomised: mentors chose how much to practise. The estimate is adjusted for mentor "
          "tenure and cohort only, so mentors who practise more may still differ in ways not measured (motivation, "
          "prior skill, workload); read it as an association, not as the effect of practice.")
#: fewest mentors (with at least one mentee outcome) an estimate is given for
MIN_MENTORS = 10


@dataclass
class PracticeOutcomes:
    """The result of :func:`practice_outcomes`.

    Attributes
    ----------
    table : DataFrame
        One row per exposure (:data:`PRACTICE_OUTCOME_COLUMNS`).
    unadjusted : DataFrame
        The same models without tenure and cohort, for contrast (same columns).
    frame : DataFrame
        The analysis rows: one per mentee (``mentee_id, mentor_id, cohort, mentor_tenure,
        attempts, mean_score, change``).
    join : dict
        How the log joined the program: ``scheme`` (``pseudonymised`` or ``raw``), ``mentors``,
        ``mentors_in_log``, ``trainees_not_mentors``, ``mentees_left_out`` and why.
    """

    table: pd.DataFrame
    unadjusted: pd.DataFrame
    frame: pd.DataFrame
    join: dict = field(default_factory=dict)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Everything as tidy frames (for the CLI's JSON and text output)."""
        j = pd.DataFrame([{"item": k, "value": v} for k, v in self.join.items()])
        return {"practice_outcomes": self.table, "practice_outcomes_unadjusted": self.unadjusted,
                "practice_join": j}


# ------------------------------------------------------------------ the practice log

def read_attempts(source) -> pd.DataFrame:
    """Practice attempts from a DataFrame, a CSV export (``PracticeLog.export_csv`` or
    ``practice_attempts.csv``), or a practice-log database (URL or SQLite file).

    Returns ``trainee, score, finished_at`` (UTC) plus whatever else the source holds.
    """
    if isinstance(source, pd.DataFrame):
        df = source.copy()
        where = "practice attempts"
    else:
        text = str(source)
        where = text
        if text.lower().endswith((".csv", ".tsv")):
            path = Path(text)
            if not path.exists():
                raise MentorkitError(f"{path}: no such practice-attempts file")
            df = pd.read_csv(path, sep="\t" if text.lower().endswith(".tsv") else ",", dtype={"trainee": str})
        else:
            from mentorkit.sources import safe_url
            from mentorkit.store import PracticeLog, resolve_url

            url = resolve_url(text)
            if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
                raise MentorkitError(f"{safe_url(url)}: no such practice log")
            log = PracticeLog(url)
            try:
                df = log.attempts().drop(columns=["transcript"], errors="ignore")
            finally:
                log.close()
            where = safe_url(url)
    require_columns(df, ["trainee", "score", "finished_at"], where)
    df["finished_at"] = pd.to_datetime(df["finished_at"], utc=True, errors="coerce")
    df["score"] = pd.to_numeric(df["score"], errors="coerce")
    bad = df["finished_at"].isna() | df["score"].isna() | df["trainee"].isna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy())[:5] + 2).tolist()
        raise MentorkitError(f"{where}: {int(bad.sum())} attempt(s) without a trainee, a numeric score or a "
                             f"finish time (rows {', '.join(map(str, rows))}{' ...' if bad.sum() > 5 else ''})")
    df["trainee"] = df["trainee"].astype(str)
    return df


def join_mentors(mentor_ids, trainees, *, program_ids: str = "auto", salt: str | None = None
                 ) -> tuple[pd.Series, str]:
    """Each program mentor id's key in the practice log, and the scheme that made it.

    ``program_ids``: ``"pseudonymised"`` (the ids are the log's pseudonyms already), ``"raw"``
    (pseudonymise them with :func:`mentorkit.privacy.pseudonymise` and *salt*), or ``"auto"``:
    whichever of the two finds more of the mentors in the log.

    >>> from mentorkit.privacy import pseudonymise
    >>> keys, scheme = join_mentors(["E1", "E2"], [pseudonymise("E1", salt="s-123")], salt="s-123")
    >>> scheme, keys.tolist() == pseudonymise(["E1", "E2"], salt="s-123")
    ('raw', True)
    """
    if program_ids not in ("auto", "pseudonymised", "raw"):
        raise MentorkitError(f"program_ids must be auto, pseudonymised or raw, got {program_ids!r}")
    ids = pd.Index(pd.unique(pd.Series(list(mentor_ids), dtype=object).dropna().astype(str)))
    in_log = pd.Index(pd.unique(pd.Series(list(trainees), dtype=object).astype(str)))
    as_is = pd.Series(ids, index=ids)
    if program_ids == "pseudonymised":
        return as_is, "pseudonymised"
    from mentorkit.privacy import pseudonymise

    try:
        hashed = pd.Series(pseudonymise(list(ids), salt=salt), index=ids, dtype=object)
    except MentorkitError:
        if program_ids == "raw":
            raise
        hashed = None
    if program_ids == "raw":
        return hashed, "raw"
    found_as_is = int(as_is.isin(in_log).sum())
    found_hashed = int(hashed.isin(in_log).sum()) if hashed is not None else 0
    if found_hashed > found_as_is:
        return hashed, "raw"
    return as_is, "pseudonymised"


# ------------------------------------------------------------------ the analysis frame

def _mentor_tenure(data, pairs: pd.DataFrame) -> pd.Series:
    """Mentor tenure in years, per pair: ``tenure_years`` when given, else hire date to pair start."""
    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    tenure = pd.Series(np.nan, index=pairs.index)
    if "tenure_years" in parts.columns:
        tenure = pairs["mentor_id"].map(parts["tenure_years"]).astype(float)
    if tenure.isna().any() and "hire_date" in parts.columns:
        hire = pairs["mentor_id"].map(parts["hire_date"])
        derived = (pairs["start_date"] - hire).dt.days / 365.25
        tenure = tenure.fillna(derived)
    return tenure


def _confidence_change(data, items) -> pd.Series:
    """Mean change of *items* from pre to post per participant (items answered at both waves)."""
    s = data.surveys
    if s.empty:
        raise MentorkitError("practice outcomes: surveys are empty, so there is no confidence change to relate "
                             "practice to")
    if items is None:
        present = pd.unique(s["item"])
        items = sorted(i for i in present if str(i).startswith("conf_"))
    if not items:
        raise MentorkitError("practice outcomes: surveys have no confidence items (conf_*)")
    ids, vals = wide_values(s, id_col="participant_id", item_col="item", wave_col="wave", value_col="value",
                            items=list(items), waves=["pre", "post"])
    diff = vals[:, :, 1] - vals[:, :, 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        change = np.nanmean(diff, axis=1)
    return pd.Series(change, index=ids).dropna()


def practice_outcome_frame(data, attempts, *, window: str = "before_end", program_ids: str = "auto",
                           salt: str | None = None, items=None, absent_as_zero: bool = False
                           ) -> tuple[pd.DataFrame, dict]:
    """One row per mentee with an outcome: their mentor's practice, tenure and cohort, and the change.

    Returns the frame (``mentee_id, mentor_id, cohort, mentor_tenure, attempts, mean_score,
    change``) and the join report (see :class:`PracticeOutcomes`).
    """
    if window not in WINDOWS:
        raise MentorkitError(f"practice outcomes: window must be one of {', '.join(WINDOWS)}, got {window!r}")
    log = read_attempts(attempts)
    pairs = data.pairs
    if pairs.empty:
        raise MentorkitError("practice outcomes: the program has no pairs, so no mentor to join the log to")
    keys, scheme = join_mentors(pairs["mentor_id"], log["trainee"], program_ids=program_ids, salt=salt)
    pairs = pairs.assign(key=pairs["mentor_id"].astype(str).map(keys))
    in_log = pd.Index(pd.unique(log["trainee"]))
    mentors = pd.Index(pd.unique(pairs["mentor_id"]))
    found = pairs.drop_duplicates("mentor_id")["key"].isin(in_log)
    join = {"scheme": scheme, "window": window, "mentors": int(len(mentors)), "mentors_in_log": int(found.sum()),
            "trainees_not_mentors": int((~in_log.isin(pd.Index(keys.to_numpy()))).sum())}
    if found.sum() == 0:
        raise MentorkitError(
            f"practice outcomes: none of the program's {len(mentors)} mentors is in the practice log "
            f"({len(in_log)} trainees); trainees must practise under the id the program data uses (e.g. their "
            "employee number), and the log and the program must use the same pseudonym salt")
    # exposure per pair: attempts in the window, and their mean score
    a = log[["trainee", "score", "finished_at"]].merge(
        pairs[["pair_id", "key", "start_date", "end_date"]], left_on="trainee", right_on="key", how="inner")
    done = a["finished_at"].dt.tz_convert(None)
    if window == "before_end":
        keep = a["end_date"].isna() | (done < a["end_date"] + pd.Timedelta(days=1))
    elif window == "before_start":
        keep = done < a["start_date"]
    else:
        keep = pd.Series(True, index=a.index)
    g = a[keep.to_numpy()].groupby("pair_id")["score"]
    exposure = pd.DataFrame({"attempts": g.size(), "mean_score": g.mean()})
    out = pairs[["pair_id", "mentee_id", "mentor_id", "key"]].copy()
    out = out.join(exposure, on="pair_id")
    known = out["key"].isin(in_log)
    out.loc[known, "attempts"] = out.loc[known, "attempts"].fillna(0)
    if absent_as_zero:
        out["attempts"] = out["attempts"].fillna(0)
    out["mentor_tenure"] = _mentor_tenure(data, pairs).to_numpy()
    parts = data.participants.drop_duplicates("participant_id").set_index("participant_id")
    out["cohort"] = out["mentee_id"].map(parts["cohort"]) if "cohort" in parts.columns else np.nan
    change = _confidence_change(data, items)
    out["change"] = out["mentee_id"].map(change)
    reasons = [("the mentee has no pre and post answers to the confidence items", out["change"].isna()),
               ("the mentor is not in the practice log", out["attempts"].isna()),
               ("the mentor's tenure is unknown", out["mentor_tenure"].isna())]
    left = np.zeros(len(out), dtype=bool)
    why = {}
    for reason, miss in reasons:
        m = miss.to_numpy() & ~left
        if m.any():
            why[reason] = int(m.sum())
            left |= m
    join["mentees_left_out"] = int(left.sum())
    join["left_out_because"] = "; ".join(f"{n}: {r}" for r, n in why.items()) or "none"
    frame = out[~left].drop(columns=["key", "pair_id"]).reset_index(drop=True)
    frame = frame[["mentee_id", "mentor_id", "cohort", "mentor_tenure", "attempts", "mean_score", "change"]]
    return frame, join


# ------------------------------------------------------------------ the models

def _fit(df: pd.DataFrame, exposure: str, controls: list[str], method: str, unit: str, label: str,
         adjusted_for: str) -> dict:
    import statsmodels.formula.api as smf

    formula = f"change ~ {' + '.join([exposure] + controls)}"
    n_mentors = int(df["mentor_id"].nunique())
    base = {"exposure": label, "unit": unit, "n_mentees": int(len(df)), "n_mentors": n_mentors,
            "method": "mixed model, mentor random intercept (REML)" if method == "mixed"
            else "OLS, standard errors clustered by mentor", "adjusted_for": adjusted_for, "caveat": CAVEAT}
    if n_mentors < MIN_MENTORS or df[exposure].nunique() < 2:
        return {**base, "estimate": np.nan, "se": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan,
                "converged": False,
                "caveat": f"not estimated: needs at least {MIN_MENTORS} mentors with different {label} "
                          f"(found {n_mentors}). " + CAVEAT}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if method == "mixed":
            fit = smf.mixedlm(formula, df, groups=df["mentor_id"]).fit(reml=True)
            converged = bool(getattr(fit, "converged", True))
        else:
            codes = pd.factorize(df["mentor_id"])[0]
            fit = smf.ols(formula, df).fit(cov_type="cluster", cov_kwds={"groups": codes})
            converged = True
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        converged = False
    ci = fit.conf_int().loc[exposure]
    scale = 10.0 if label == "mean_score_per_10" else 1.0
    return {**base, "estimate": float(fit.params[exposure]) * scale, "se": float(fit.bse[exposure]) * scale,
            "ci_low": float(ci.iloc[0]) * scale, "ci_high": float(ci.iloc[1]) * scale,
            "p": float(fit.pvalues[exposure]), "converged": converged}


def practice_outcomes(data, attempts, *, method: str = "mixed", window: str = "before_end",
                      program_ids: str = "auto", salt: str | None = None, items=None,
                      absent_as_zero: bool = False, progress: bool = False) -> PracticeOutcomes:
    """Whether mentors who practised more, or scored higher, have mentees whose confidence rose more.

    Parameters
    ----------
    data : ProgramData
        The program (pairs, participants with ``cohort`` and mentor tenure, surveys).
    attempts : DataFrame, path or URL
        The practice log (see :func:`read_attempts`).
    method : {"mixed", "cluster"}
        Mixed model with a random intercept per mentor, or OLS with mentor-clustered errors.
    window : {"before_end", "before_start", "all"}
        Which attempts count for a pair: finished by the pair's end date (default), before its
        start, or all.
    program_ids : {"auto", "pseudonymised", "raw"}
        Whether the program's mentor ids are already the log's pseudonyms (see :func:`join_mentors`).
    salt : str, optional
        The pseudonym salt for raw ids (default: the configured one).
    items : list of str, optional
        Survey items of the outcome (default every ``conf_*`` item).
    absent_as_zero : bool
        Count mentors missing from the log as having practised 0 times (default: leave their
        mentees out, counted in ``join``).
    progress : bool
        Show a progress bar over the four model fits (the mixed model takes about 20 s at
        20,000 mentees on a 2-core machine; ``method="cluster"`` about 1 s).

    Returns
    -------
    PracticeOutcomes
    """
    if method not in METHODS:
        raise MentorkitError(f"practice outcomes: method must be one of {', '.join(METHODS)}, got {method!r}")
    frame, join = practice_outcome_frame(data, attempts, window=window, program_ids=program_ids, salt=salt,
                                         items=items, absent_as_zero=absent_as_zero)
    if frame["mentor_id"].nunique() < MIN_MENTORS:
        raise MentorkitError(f"practice outcomes: only {frame['mentor_id'].nunique()} mentors have mentees with "
                             f"an outcome and a practice record; at least {MIN_MENTORS} are needed "
                             f"({join['left_out_because']})")
    controls, adjusted = ["mentor_tenure"], ["mentor tenure (years)"]
    if frame["cohort"].notna().all() and frame["cohort"].nunique() > 1:
        controls.append("C(cohort)")
        adjusted.append("cohort")
    elif frame["cohort"].isna().any():
        adjusted.append("not cohort (missing for some mentees)")
    adj = ", ".join(adjusted)
    practised = frame[frame["attempts"] > 0].copy()
    practised["mean_score_10"] = practised["mean_score"]
    fits = [
        (frame, "attempts", controls, "per practice attempt", "attempts", adj),
        (practised, "mean_score_10", ["attempts"] + controls,
         "per 10 points of mean practice score (mentors who practised; also adjusted for attempts)",
         "mean_score_per_10", adj + ", attempts"),
        (frame, "attempts", [], "per practice attempt", "attempts", "nothing"),
        (practised, "mean_score_10", [], "per 10 points of mean practice score", "mean_score_per_10", "nothing"),
    ]
    from tqdm.auto import tqdm
    done = [_fit(df, exposure, ctrl, method, unit, label, what)
            for df, exposure, ctrl, unit, label, what in tqdm(fits, desc="practice outcomes", unit="model",
                                                               disable=not progress)]
    rows, raw_rows = done[:2], done[2:]
    table = pd.DataFrame(rows, columns=PRACTICE_OUTCOME_COLUMNS)
    unadjusted = pd.DataFrame(raw_rows, columns=PRACTICE_OUTCOME_COLUMNS)
    return PracticeOutcomes(table, unadjusted, frame, join)
