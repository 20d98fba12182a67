"""Rebuild this HR snapshot example (run from the repository root).

    .venv/bin/python datasets/hr_snapshot_example/build.py

It draws a fictional workforce of 1,470 people (seed 1470) the way an HR system's attrition
extract describes it on the day it was taken: one row per person with tenure in whole years, an
attrition flag, an overtime flag and a mentoring-programme flag (all Yes/No), written with a
byte-order mark and Windows line ends; plus a talent-actions log of sponsorship (stretch
assignments, introductions, promotion nominations) naming the sponsor's employee number.
Deterministic: the same bytes every time. See README.md for what is planted.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SNAPSHOT = pd.Timestamp("2024-06-30")
N = 1470
DEPARTMENTS = ("Research & Development", "Sales", "Human Resources", "Operations")
ROLES = {"Research & Development": ("Research Scientist", "Laboratory Technician", "Research Director"),
         "Sales": ("Sales Executive", "Sales Representative", "Sales Manager"),
         "Human Resources": ("HR Advisor", "HR Manager"),
         "Operations": ("Operations Analyst", "Operations Manager")}
#: planted log hazard ratios of leaving (per year): overtime, mentoring, per SD of engagement
LOG_HR = {"overtime": np.log(3.0), "mentoring": np.log(0.7), "engagement": -0.4}
BASE_HAZARD = 0.02           # per year, for someone without overtime, not mentored, average engagement


def yes_no(x) -> np.ndarray:
    return np.where(np.asarray(x, dtype=bool), "Yes", "No")


def main() -> None:
    rng = np.random.default_rng(1470)
    emp = np.arange(1, N + 1) * 2 - 1 + 1000          # 1001, 1003, ...: gaps like a real numbering
    dept = rng.choice(DEPARTMENTS, size=N, p=[0.62, 0.28, 0.04, 0.06])
    role = np.array([rng.choice(ROLES[d]) for d in dept], dtype=object)
    gender = rng.choice(["Female", "Male", "Non-binary"], size=N, p=[0.42, 0.56, 0.02])
    engagement = np.round(rng.standard_normal(N), 2)
    overtime = rng.random(N) < 0.28
    # the programme is opt-in: engaged people join more often (selection the IPW has to undo)
    mentored = rng.random(N) < 1 / (1 + np.exp(-(-1.5 + 0.9 * engagement)))
    # time since hire on the snapshot day (years) and the latent time to leaving
    span = np.clip(rng.gamma(1.6, 4.5, N), 0.05, 40)
    hazard = BASE_HAZARD * np.exp(LOG_HR["overtime"] * overtime + LOG_HR["mentoring"] * mentored
                                  + LOG_HR["engagement"] * engagement)
    leave = rng.exponential(1 / hazard)
    left = leave < span
    tenure = np.floor(np.where(left, leave, span)).astype(int)     # whole years, as HR extracts give it
    level = np.clip(1 + np.floor(tenure / 6) + rng.integers(0, 2, N), 1, 5).astype(int)
    age = np.clip(22 + tenure + rng.integers(0, 18, N), 18, 65)
    income = np.round(2500 * level * np.exp(rng.normal(0, 0.25, N)), -1).astype(int)
    hike = np.round(rng.uniform(11, 25, N)).astype(int)
    promoted = (rng.random(N) < 0.12 + 0.05 * mentored) & ~left
    extract = pd.DataFrame({
        "EmployeeNumber": emp, "Age": age, "Gender": gender, "Department": dept, "JobRole": role,
        "JobLevel": level, "MonthlyIncome": income, "OverTime": yes_no(overtime),
        "EngagementIndex": [f"{v:.2f}" for v in engagement], "MentoringProgram": yes_no(mentored),
        "YearsAtCompany": tenure.astype(object), "PromotedLast12Months": yes_no(promoted),
        "PercentSalaryHike": hike, "Attrition": yes_no(left),
    })
    # one planted fault: a blank tenure (the row is quarantined, with its outcome, and reported)
    extract.loc[417, "YearsAtCompany"] = ""
    text = extract.to_csv(index=False, lineterminator="\r\n")
    (HERE / "hr_attrition_extract.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    # sponsorship: mentored people are offered more; the sponsor is a senior colleague (or unrecorded)
    senior = emp[level >= 3]
    rows = []
    kinds = ("Stretch assignment", "Introduction", "Promotion nomination")
    for i in np.flatnonzero(~left):
        for k, kind in enumerate(kinds):
            p = (0.25, 0.35, 0.12)[k] * (1.6 if mentored[i] else 1.0)
            if rng.random() < p:
                sponsor = rng.choice(senior[senior != emp[i]])
                day = SNAPSHOT - pd.Timedelta(days=int(rng.integers(1, 365)))
                rows.append({"EmployeeNumber": emp[i],
                             "SponsorEmployeeNumber": "" if rng.random() < 0.1 else str(sponsor),
                             "ActionDate": day.strftime("%d/%m/%Y"), "ActionType": kind,
                             "Result": rng.choice(["Accepted", "Declined", "Pending"], p=[0.7, 0.1, 0.2])})
    actions = pd.DataFrame(rows).sort_values(["ActionDate", "EmployeeNumber"], kind="stable")
    text = actions.to_csv(index=False, lineterminator="\r\n")
    (HERE / "talent_actions.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))


if __name__ == "__main__":
    main()
