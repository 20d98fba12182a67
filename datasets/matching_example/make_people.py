"""Build people.csv, the synthetic matching example (deterministic; run from the repo root).

    .venv/bin/python datasets/matching_example/make_people.py

Every phrase below was written for this project; the ids are made up and match no one.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20250317
TOPICS = {
    "speaking": ("presenting to executives and public speaking at conferences",
                 ["get more confident speaking in front of senior leaders",
                  "prepare my first conference talk", "stop rambling when I present to executives"]),
    "people_mgmt": ("managing people, first-time manager coaching, running one-to-ones",
                    ["learn to run good one-to-ones as a new manager", "handle an underperformer on my team",
                     "move from individual contributor to people manager"]),
    "remote": ("leading remote and hybrid teams across time zones",
               ["keep my remote team connected across time zones", "run hybrid meetings that include everyone"]),
    "data": ("data analysis in Python and SQL, dashboards, statistics",
             ["get better at SQL and Python for data analysis", "build dashboards my stakeholders actually use",
              "understand enough statistics to read an experiment"]),
    "ml": ("machine learning engineering and putting models into production",
           ["ship my first machine learning model to production", "learn how to evaluate machine learning models"]),
    "product": ("product management, roadmaps and prioritisation",
                ["move into product management", "prioritise a roadmap when every stakeholder is loud"]),
    "ux": ("user research and UX design portfolios",
           ["switch careers into UX design", "put together a UX design portfolio", "plan my first user research study"]),
    "negotiation": ("negotiating salary and offers, promotion cases",
                    ["negotiate my salary at the next review", "build a promotion case for next cycle"]),
    "stakeholders": ("stakeholder management and influencing without authority",
                     ["influence other teams without having authority", "manage a difficult stakeholder"]),
    "cloud": ("cloud architecture, infrastructure and reliability",
              ["design reliable cloud infrastructure", "prepare for a cloud architecture certification"]),
    "finance": ("budgeting, finance for non-finance managers, business cases",
                ["write a business case with a budget", "read a profit and loss statement"]),
    "writing": ("clear writing, documentation and design docs",
                ["write clearer design docs", "make my status updates shorter and sharper"]),
    "balance": ("work-life balance, avoiding burnout, setting boundaries",
                ["set boundaries so I stop working every evening", "recover from burnout and keep my energy"]),
    "sales": ("enterprise sales, discovery calls and closing deals",
              ["run better discovery calls with customers", "close larger enterprise deals"]),
}
ZONES = [("Europe/London", 9, 17.5), ("Europe/Berlin", 8.5, 17), ("America/New_York", 9, 17),
         ("America/Chicago", 8, 16.5), ("America/Los_Angeles", 9, 17.5), ("Asia/Kolkata", 10, 18.5),
         ("Asia/Singapore", 9, 18), ("Australia/Sydney", 8.5, 17), ("America/Sao_Paulo", 9, 18),
         ("Africa/Lagos", 8, 16)]
STYLES = ["direct", "gentle", "flexible"]


def build(n_mentors: int = 12, n_mentees: int = 70, seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    keys = list(TOPICS)
    rows = []
    for i in range(n_mentors):
        picks = rng.choice(keys, size=3, replace=False)
        zone, start, end = ZONES[int(rng.integers(len(ZONES)))]
        rows.append({"person_id": f"R{i + 1:03d}", "role": "mentor", "goals": "",
                     "expertise": "; ".join(TOPICS[k][0] for k in picks), "timezone": zone,
                     "work_start": start, "work_end": end,
                     "feedback_style": STYLES[int(rng.choice(3, p=[0.4, 0.3, 0.3]))],
                     "capacity": int(rng.integers(5, 11))})
    for i in range(n_mentees):
        picks = rng.choice(keys, size=int(rng.integers(1, 3)), replace=False)
        goals = " and ".join(str(rng.choice(TOPICS[k][1])) for k in picks)
        zone, start, end = ZONES[int(rng.integers(len(ZONES)))]
        rows.append({"person_id": f"E{i + 1:03d}", "role": "mentee", "goals": goals[0].upper() + goals[1:],
                     "expertise": "", "timezone": zone, "work_start": start, "work_end": end,
                     "feedback_style": STYLES[int(rng.choice(3, p=[0.35, 0.4, 0.25]))], "capacity": ""})
    return pd.DataFrame(rows)


if __name__ == "__main__":
    out = Path(__file__).with_name("people.csv")
    build().to_csv(out, index=False)
    print(f"wrote {out}")
