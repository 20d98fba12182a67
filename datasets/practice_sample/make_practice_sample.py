"""Make the demo practice log: a cohort of trainee mentors playing the scenarios through the real engine.

Nothing here is a hand-typed score. Each simulated trainee has a starting skill level and
a learning rate; on every attempt, each reply is drawn from the scenario's own example
replies: the strong one with a probability that grows with practice, else a partial one
(the strong reply cut to its first sentence), a weak one, or now and then an empty reply.
The replies go through :class:`mentorkit.scenarios.Session` (the real skill detectors and
simulated mentee), the debrief scores them, and :class:`mentorkit.store.PracticeLog`
records them (trainee handles are stored as salted pseudonyms only). The log is then
exported to two CSV files next to this script:

* ``attempts.csv``: one row per attempt (no transcripts);
* ``scores.csv``: one row per attempt and rubric criterion.

Run from the repository root (a few seconds to a minute; the same seed gives the same files)::

    .venv/bin/python datasets/practice_sample/make_practice_sample.py

The pseudonym salt is fixed and public (``SAMPLE_SALT``): the trainees are fictional.
"""
from __future__ import annotations

import argparse
import os
import re
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 20240902
SAMPLE_SALT = "mentorkit-practice-sample-public-salt"
TRAINEES = 16
START = datetime(2024, 9, 2, tzinfo=timezone.utc)   # a Monday
WEEKS = 8
ATTEMPT_COLUMNS = ["attempt_id", "trainee", "scenario", "rubric_version", "seed", "outcome", "score", "tier",
                   "turns", "started_at", "finished_at"]


def partial(text: str) -> str:
    """The first sentence of a strong reply: right in part, missing the rest."""
    first = re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1)[0]
    return first if len(first) < len(text) else " ".join(text.split()[: max(4, len(text.split()) // 3)])


def replies_for(scenario, level: float, rng: np.random.Generator) -> list[str]:
    """One reply per turn, each strong with probability *level*."""
    strong = list(scenario.examples.get("strong", ()))
    weak = list(scenario.examples.get("weak", ())) or [""]
    out = []
    for i, good in enumerate(strong):
        u = rng.random()
        if u < level:
            out.append(good)
        elif u < level + (1 - level) * 0.45:
            out.append(partial(good))
        elif u < level + (1 - level) * 0.95:
            out.append(weak[min(i, len(weak) - 1)])
        else:
            out.append("")
    return out


def plan(rng: np.random.Generator, scenario_names: list[str], families: dict[str, str]) -> list[dict]:
    """Who plays what, when, at which level: a list of attempts in time order."""
    attempts = []
    for t in range(TRAINEES):
        handle = f"trainee-{t + 1:02d}"
        base = rng.uniform(0.0, 0.35)
        rate = rng.uniform(0.04, 0.10)
        n = int(rng.integers(7, 15))
        first_week = int(rng.integers(0, 3))
        order = list(rng.permutation(scenario_names))
        # retry some scenarios: a trainee who scored low comes back to it later
        picks: list[str] = []
        for i in range(n):
            retry = i > 0 and rng.random() < 0.3
            picks.append(picks[-1] if retry else order[len(set(picks)) % len(order)])
        when = START + timedelta(weeks=first_week)
        for k, name in enumerate(picks):
            gap_days = float(rng.uniform(1.5, 6.0))
            when = min(when + timedelta(days=gap_days), START + timedelta(weeks=WEEKS) - timedelta(hours=1))
            hour = int(rng.integers(8, 18))
            at = when.replace(hour=hour, minute=int(rng.integers(0, 60)))
            # a retry comes right after reading the debrief of the same scenario: a little better prepared
            retry = k > 0 and picks[k - 1] == name
            level = float(np.clip(base + rate * k + (0.15 if retry else 0.0) + rng.normal(0, 0.06), 0.05, 0.97))
            attempts.append({"trainee": handle, "scenario": name, "family": families[name], "level": level,
                             "at": at, "seed": int(rng.integers(0, 10_000))})
    return sorted(attempts, key=lambda a: a["at"])


def make(out: Path = HERE, seed: int = SEED) -> tuple[int, int]:
    """Play the planned attempts, record them, export the CSVs; return (attempts, score rows)."""
    os.environ["MENTORKIT_SALT"] = SAMPLE_SALT
    from tqdm import tqdm

    from mentorkit.privacy import to_csv_safe
    from mentorkit.scenarios import Session, list_scenarios, load_scenario
    from mentorkit.scenarios.play import play_replies
    from mentorkit.store import PracticeLog

    rng = np.random.default_rng(seed)
    table = list_scenarios()
    families = dict(zip(table["name"], table["family"]))
    schedule = plan(rng, table["name"].tolist(), families)
    tmp = Path(tempfile.mkdtemp(prefix="mentorkit-practice-sample-"))
    log = PracticeLog(tmp / "practice.sqlite")
    try:
        for a in tqdm(schedule, desc="playing practice attempts", unit="attempt"):
            scenario = load_scenario(a["scenario"])
            session = Session(scenario, seed=a["seed"])
            play_replies(session, replies_for(scenario, a["level"], rng))
            attempt = session.to_attempt(a["trainee"])
            minutes = 4 + 3 * len(session.lines) // 2
            attempt.started_at = a["at"]
            attempt.finished_at = a["at"] + timedelta(minutes=minutes)
            log.record(attempt)
        attempts = log.attempts()[ATTEMPT_COLUMNS]
        scores = log.scores()
    finally:
        log.close()
    for col in ("started_at", "finished_at"):
        attempts[col] = attempts[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out.mkdir(parents=True, exist_ok=True)
    to_csv_safe(attempts, out / "attempts.csv")
    to_csv_safe(scores, out / "scores.csv")
    return len(attempts), len(scores)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=HERE, help="folder for attempts.csv and scores.csv")
    p.add_argument("--seed", type=int, default=SEED)
    args = p.parse_args()
    n, m = make(args.out, args.seed)
    print(f"wrote {n} attempts and {m} criterion scores to {args.out}")


if __name__ == "__main__":
    main()
