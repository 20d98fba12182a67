"""Rebuild this 'bring your own' example export (run from the repository root).

    .venv/bin/python datasets/byo_export_example/build.py

It simulates a small program with mentorkit, rewrites it the way an HRIS,
a survey tool and a meeting log might export it (other column names, codes
and date formats; one Excel file, one Parquet file, one file in
Windows-1252 with a byte-order mark-free header), then plants the faults
listed in README.md. Deterministic: the same files every time.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from mentorkit.program import simulate

HERE = Path(__file__).resolve().parent
NAMES = ["Avery Lund", "Noor Haddad", "Mateo Ruiz", "Ingrid Solberg", "Kwame Mensah", "Yuki Tanaka",
         "Leila Farouk", "Sven Olsen", "Camila Duarte", "Ravi Menon", "Zofia Kowal", "Tariq Aziz",
         "Elif Demir", "Jonas Weber", "Ama Owusu", "Hiro Sato", "Marta Lopes", "Owen Price",
         "Nadia Petrov", "Luca Bianchi", "Sara Lindqvist", "Diego Alves", "Amara Obi", "Finn Murphy",
         "Lina Chen", "Pavel Novak", "Rosa Marin", "Ethan Clarke", "Maya Cohen", "Ivan Horvat",
         "Chloe Martin", "Omar Said", "Greta Berg", "Kofi Boateng", "Anika Rao", "Tom Fischer",
         "Julia Nowak", "Samir Khan", "Alba Torres", "Ben Walsh", "Mira Jensen", "Ahmed Nasser",
         "Vera Ivanova", "Leo Dubois", "Priti Shah"]
ROLE = {"mentor": "Mentor", "mentee": "Mentee", "comparison": "Not enrolled"}
MODEL = {"one-to-one": "1:1", "group": "Group", "peer": "Peer", "reverse": "Reverse", "async": "Async"}
CADENCE = {"weekly": "Weekly", "biweekly": "Every 2 weeks", "monthly": "Monthly"}
CHANNEL = {"video": "Zoom", "phone": "Phone", "in person": "In person", "chat": "Teams chat"}
STATUS = {"on track": "On Track", "behind": "Behind", "blocked": "Blocked"}
WAVE = {"pre": "Baseline", "mid": "Midpoint", "post": "Endpoint", "90-day": "Follow-up"}
QUESTION = {
    "conf_giving_feedback": "Confidence: giving feedback",
    "conf_goal_setting": "Confidence: setting goals",
    "conf_networking": "Confidence: networking",
    "conf_presenting": "Confidence: presenting",
    "conf_career_planning": "Confidence: planning my career",
}


def ddmmyyyy(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%d/%m/%Y").where(s.notna(), "")


def main() -> None:
    data = simulate(mentees=20, comparison=15, seed=7, cohorts=1,
                    model_mix={"one-to-one": 0.5, "peer": 0.2, "reverse": 0.1, "async": 0.2})
    p = data.participants.reset_index(drop=True)
    emp = {pid: str(104200 + 7 * i) for i, pid in enumerate(p["participant_id"])}
    people = pd.DataFrame({
        "EmployeeNumber": p["participant_id"].map(emp),
        "FullName": NAMES[:len(p)],
        "Email": [n.lower().replace(" ", ".") + "@example.com" for n in NAMES[:len(p)]],
        "ProgramRole": p["role"].map(ROLE),
        "Cohort": "Spring 2022",
        "Location": p["region"],
        "TimeZone": p["timezone"],
        "Department": p["department"],
        "HireDate": ddmmyyyy(p["hire_date"]),
        "TerminationDate": ddmmyyyy(p["exit_date"]),
        "InProgram": np.where(p["mentored"], "Yes", "No"),
    })
    # faults: a stray space in a category, an impossible date, a duplicated employee
    people.loc[3, "ProgramRole"] = "Mentee "
    people.loc[int(np.flatnonzero(p["role"].to_numpy() == "comparison")[0]), "HireDate"] = "31/02/2019"
    people = pd.concat([people.iloc[:8], people.iloc[[2]], people.iloc[8:]], ignore_index=True)
    people.to_csv(HERE / "hris_people.csv", index=False)

    pr = data.pairs.reset_index(drop=True)
    match = {pid: f"M-{i + 1:04d}" for i, pid in enumerate(pr["pair_id"])}
    pairs = pd.DataFrame({
        "MatchID": pr["pair_id"].map(match),
        "MentorEmpNo": pr["mentor_id"].map(emp),
        "MenteeEmpNo": pr["mentee_id"].map(emp),
        "Format": pr["model"].map(MODEL),
        "Frequency": pr["cadence"].map(CADENCE),
        "Start": pr["start_date"],
        "End": pr["end_date"],
    })
    # faults: an end before the start, a mentee who is not in the HRIS file
    pairs.loc[1, "End"] = pairs.loc[1, "Start"] - pd.Timedelta(days=30)
    pairs.loc[4, "MenteeEmpNo"] = "999999"
    with pd.ExcelWriter(HERE / "pairs.xlsx", engine="openpyxl") as xw:
        pairs.to_excel(xw, sheet_name="Matches", index=False)

    se = data.sessions.reset_index(drop=True)
    meetings = pd.DataFrame({
        "MatchID": se["pair_id"].map(match),
        "MeetingDate": ddmmyyyy(se["date"]),
        "Attended": np.where(se["attended"], "Y", "N"),
        "Minutes": se["duration_min"].map(lambda v: "" if pd.isna(v) else str(int(v))),
        "Medium": se["channel"].map(CHANNEL),
    })
    first_att = int(np.flatnonzero(se["attended"].to_numpy())[0])
    meetings.loc[first_att, "Minutes"] = "45 min"            # fault: not a number
    text = meetings.to_csv(index=False, lineterminator="\r\n")  # Windows line ends
    (HERE / "meetings.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))  # and a byte-order mark

    g = data.goals.reset_index(drop=True)
    goals = pd.DataFrame({
        "MatchID": g["pair_id"].map(match), "Goal": g["goal"], "Status": g["status"].map(STATUS),
        "Due": ddmmyyyy(g["due_date"]), "Completed": ddmmyyyy(g["done_date"]), "AsOf": ddmmyyyy(g["as_of"]),
    })
    goals.loc[2, "Status"] = goals.loc[2, "Status"] + " "    # fault: stray space
    goals.to_csv(HERE / "goal_tracker.csv", index=False)

    m = data.messages.reset_index(drop=True)
    pd.DataFrame({"MatchID": m["pair_id"].map(match), "SentUTC": m["sent_at"], "RepliedUTC": m["replied_at"],
                  "From": m["sender"]}).to_parquet(HERE / "chat_log.parquet", index=False)

    s = data.surveys[data.surveys["item"].isin(list(QUESTION))].reset_index(drop=True)
    survey = pd.DataFrame({
        "RespondentID": s["participant_id"].map(emp), "Wave": s["wave"].map(WAVE),
        "Question": s["item"].map(QUESTION), "Score": s["value"].astype(int).astype(str),
    })
    survey.loc[0, "Score"] = "11"                             # fault: out of the 1-10 range
    survey.loc[7, "Score"] = "n/a"                            # fault: not a number
    survey.to_csv(HERE / "survey_export.csv", index=False)

    o = data.outcomes.reset_index(drop=True)
    pd.DataFrame({
        "EmployeeNumber": o["participant_id"].map(emp), "Promoted": np.where(o["promoted"], "Yes", "No"),
        "SalaryChangePct": o["salary_change_pct"], "Attrition": np.where(o["exited"], "Yes", "No"),
        "AttritionDate": ddmmyyyy(o["exit_date"]), "IndexDate": ddmmyyyy(o["index_date"]),
        "FollowUpEnd": ddmmyyyy(o["followup_end"]),
    }).to_csv(HERE / "outcomes_24m.csv", index=False)

    mentee_emp = people.loc[people["ProgramRole"].str.strip() == "Mentee", "EmployeeNumber"].tolist()
    comments = pd.DataFrame({
        "RespondentID": mentee_emp[:6],
        "Wave": ["Endpoint"] * 6,
        "Comment": [
            "Café chats with Noor Haddad were the best part of the programme.",
            "Our calls landed at 7am for me; São Paulo and Warsaw are far apart.",
            "=) would join again",
            "+1 for the goal tracker, it kept us honest.",
            "My mentor Kwame Mensah gave me specific, useful feedback every time.",
            "Great sessions <script>alert(1)</script> thanks!",
        ],
    })
    # fault (a warning): the survey tool exported this file in Windows-1252, not UTF-8
    (HERE / "survey_comments.csv").write_bytes(comments.to_csv(index=False).encode("cp1252"))


if __name__ == "__main__":
    main()
