"""Privacy layer: salted pseudonyms, small-cell suppression, name redaction, safe HTML and CSV.

References: HMAC-SHA256 computed here with the standard library; linear
programming (scipy.optimize.linprog) to check that no hidden cell can be
worked out from the published cells and totals; spaCy itself (no mocks).
"""
from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from mentorkit import privacy
from mentorkit.errors import MentorkitError
from mentorkit.privacy import (export_csv, pseudonymise, redact_names, safe_html, spreadsheet_safe,
                               suppress_crosstab, suppress_small_cells, to_csv_safe)


@pytest.fixture()
def no_salt(monkeypatch, tmp_path):
    monkeypatch.delenv("MENTORKIT_SALT", raising=False)
    monkeypatch.delenv("MENTORKIT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)                       # no ./mentorkit.toml either


# ------------------------------------------------------------------ pseudonyms

def test_pseudonym_is_hmac_sha256_of_the_value():
    expect = "P" + hmac.new(b"pepper-123", b"E1001", hashlib.sha256).hexdigest()[:12]
    assert pseudonymise("E1001", salt="pepper-123") == expect


def test_pseudonyms_keep_shape_and_missing_values():
    s = pd.Series(["a", None, "b", "a"], index=[10, 11, 12, 13], name="id")
    out = pseudonymise(s, salt="s")
    assert list(out.index) == [10, 11, 12, 13] and out.name == "id"
    assert out[10] == out[13] != out[12] and out[11] is None
    assert pseudonymise(["a", "b"], salt="s") == [out[10], out[12]]
    assert pseudonymise("a", salt="other") != out[10]             # the salt matters


def test_salt_comes_from_the_environment(no_salt, monkeypatch):
    monkeypatch.setenv("MENTORKIT_SALT", "from-env")
    assert pseudonymise("x") == pseudonymise("x", salt="from-env")


def test_salt_comes_from_the_config_file(no_salt, tmp_path):
    (tmp_path / "mentorkit.toml").write_text('[mentorkit]\nsalt = "from-file"\n')
    assert pseudonymise("x") == pseudonymise("x", salt="from-file")


def test_no_salt_is_refused_with_a_clear_message(no_salt, tmp_path):
    with pytest.raises(MentorkitError, match="MENTORKIT_SALT") as exc:
        pseudonymise(["E1"])
    assert "refused" in str(exc.value)
    with pytest.raises(MentorkitError, match="MENTORKIT_SALT"):
        export_csv(pd.DataFrame({"participant_id": ["E1"]}), tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_export_pseudonymises_ids_and_is_spreadsheet_safe(tmp_path):
    df = pd.DataFrame({"participant_id": ["E1", "E2"], "mentor_id": ["E9", "E1"], "note": ["=1+1", "ok"]})
    path = export_csv(df, tmp_path / "x.csv", salt="k")
    back = pd.read_csv(path, dtype=str)
    assert back.loc[0, "participant_id"] == pseudonymise("E1", salt="k") == back.loc[1, "mentor_id"]
    assert back.loc[0, "note"] == "'=1+1"


# ------------------------------------------------------------------ suppression

def test_one_way_breakdown_hand_checked():
    t = pd.DataFrame({"dept": ["Sales", "HR", "Legal", "Ops"], "n": [30, 2, 9, 25], "mean": [6.1, 7.0, 5.5, 6.4]})
    out = suppress_small_cells(t, "n", min_size=5)
    # HR (2) is below 5; total 66 is public, so the next-smallest (Legal, 9) is hidden too
    assert out["suppression"].tolist() == ["", "primary", "complementary", ""]
    assert out["n"].isna().tolist() == [False, True, True, False]
    assert out["mean"].isna().tolist() == [False, True, True, False]
    assert out["suppressed"].tolist() == [False, True, True, False]


def test_nothing_small_nothing_hidden():
    t = pd.DataFrame({"g": list("abc"), "n": [5, 6, 70]})
    out = suppress_small_cells(t, "n", min_size=5)
    assert not out["suppressed"].any() and out["n"].tolist() == [5, 6, 70]


def test_min_size_defaults_to_configuration(monkeypatch):
    t = pd.DataFrame({"g": list("abcd"), "n": [7, 8, 40, 50]})
    monkeypatch.setenv("MENTORKIT_MIN_GROUP", "10")
    assert suppress_small_cells(t, "n")["suppressed"].tolist() == [True, True, False, False]
    monkeypatch.setenv("MENTORKIT_MIN_GROUP", "5")
    assert not suppress_small_cells(t, "n")["suppressed"].any()


def _disclosed_cells(counts: np.ndarray, hidden: np.ndarray, row_tot=None, col_tot=None,
                     hidden_row_tot=None, hidden_col_tot=None) -> list:
    """Hidden cells whose value is pinned by the public cells and totals (LP min == max)."""
    r, c = counts.shape
    row_tot = counts.sum(1) if row_tot is None else row_tot
    col_tot = counts.sum(0) if col_tot is None else col_tot
    hidden_row_tot = np.zeros(r, bool) if hidden_row_tot is None else hidden_row_tot
    hidden_col_tot = np.zeros(c, bool) if hidden_col_tot is None else hidden_col_tot
    var = [("cell", i, j) for i in range(r) for j in range(c) if hidden[i, j]]
    var += [("row", i) for i in range(r) if hidden_row_tot[i]] + [("col", j) for j in range(c) if hidden_col_tot[j]]
    idx = {v: k for k, v in enumerate(var)}
    A, b = [], []
    for i in range(r):
        a = np.zeros(len(var))
        rhs = 0.0
        for j in range(c):
            if hidden[i, j]:
                a[idx[("cell", i, j)]] += 1
            else:
                rhs -= counts[i, j]
        if hidden_row_tot[i]:
            a[idx[("row", i)]] -= 1
        else:
            rhs += row_tot[i]
        A.append(a), b.append(rhs)
    for j in range(c):
        a = np.zeros(len(var))
        rhs = 0.0
        for i in range(r):
            if hidden[i, j]:
                a[idx[("cell", i, j)]] += 1
            else:
                rhs -= counts[i, j]
        if hidden_col_tot[j]:
            a[idx[("col", j)]] -= 1
        else:
            rhs += col_tot[j]
        A.append(a), b.append(rhs)
    grand = counts.sum()
    if hidden_row_tot.any():
        a = np.zeros(len(var))
        for i in np.flatnonzero(hidden_row_tot):
            a[idx[("row", i)]] = 1
        A.append(a), b.append(grand - row_tot[~hidden_row_tot].sum())
    if hidden_col_tot.any():
        a = np.zeros(len(var))
        for j in np.flatnonzero(hidden_col_tot):
            a[idx[("col", j)]] = 1
        A.append(a), b.append(grand - col_tot[~hidden_col_tot].sum())
    out = []
    for k, v in enumerate(var):
        true = counts[v[1], v[2]] if v[0] == "cell" else (row_tot[v[1]] if v[0] == "row" else col_tot[v[1]])
        if true == 0:
            continue                                   # a hidden zero that stays zero reveals no one
        e = np.zeros(len(var))
        e[k] = 1
        lo = linprog(e, A_eq=np.array(A), b_eq=np.array(b), bounds=(0, None), method="highs")
        hi = linprog(-e, A_eq=np.array(A), b_eq=np.array(b), bounds=(0, None), method="highs")
        assert lo.status == 0 and hi.status == 0
        if abs(-hi.fun - lo.fun) < 1e-6:
            out.append(v)
    return out


@pytest.mark.parametrize("seed", range(12))
def test_no_hidden_cell_can_be_worked_out_two_way(seed):
    rng = np.random.default_rng(seed)
    r, c = rng.integers(2, 6), rng.integers(2, 6)
    counts = rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 30, 60], size=(r, c), p=[.05, .1, .1, .1, .1, .1, .1, .1, .15, .1])
    long = pd.DataFrame([{"row": f"r{i}", "col": f"c{j}", "n": counts[i, j]} for i in range(r) for j in range(c)])
    out = suppress_small_cells(long, "n", min_size=5, by=["row", "col"])
    hidden = out["suppressed"].to_numpy().reshape(r, c)
    assert (hidden[(counts > 0) & (counts < 5)]).all()          # every small cell hidden
    assert _disclosed_cells(counts, hidden) == []               # and none can be recovered


def test_a_hidden_cell_bridging_two_blocks_gets_protected():
    # two 2x2 blocks of small cells joined by one small cell at (1, 2): every row and column
    # holds two or more hidden cells, yet that joining cell equals R0+R1-C0-C1 of the hidden
    # parts, so more cells must be hidden to protect it
    counts = np.full((4, 4), 50)
    counts[:2, :2] = [[1, 2], [3, 4]]
    counts[2:, 2:] = [[2, 3], [4, 1]]
    counts[1, 2] = 3
    long = pd.DataFrame([{"row": i, "col": j, "n": counts[i, j]} for i in range(4) for j in range(4)])
    long[["row", "col"]] = long[["row", "col"]].astype(str)
    hidden = suppress_small_cells(long, "n", min_size=5, by=["row", "col"])["suppressed"].to_numpy().reshape(4, 4)
    primary = counts < 5
    assert _disclosed_cells(counts, primary) == [("cell", 1, 2)]     # the line rule alone would leak it
    assert _disclosed_cells(counts, hidden) == []
    assert hidden.sum() > primary.sum()


@pytest.mark.parametrize("seed", range(8))
def test_crosstab_with_margins_protects_totals_too(seed):
    rng = np.random.default_rng(100 + seed)
    r, c = rng.integers(2, 5), rng.integers(2, 5)
    counts = rng.choice([0, 1, 2, 3, 7, 12, 40], size=(r, c))
    ct = pd.DataFrame(counts, index=[f"r{i}" for i in range(r)], columns=[f"c{j}" for j in range(c)])
    out = suppress_crosstab(ct, 5, margins=True)
    cells = out.iloc[:r, :c].isna().to_numpy()
    hrow, hcol = out.iloc[:r, c].isna().to_numpy(), out.iloc[r, :c].isna().to_numpy()
    assert out.iloc[r, c] == counts.sum()                        # the grand total is shown
    assert cells[(counts > 0) & (counts < 5)].all()
    assert hrow[(counts.sum(1) > 0) & (counts.sum(1) < 5)].all()
    assert _disclosed_cells(counts, cells, hidden_row_tot=hrow, hidden_col_tot=hcol) == []


def test_suppression_input_errors():
    t = pd.DataFrame({"a": ["x", "x"], "n": [1, 2]})
    with pytest.raises(MentorkitError, match="more than one row per group"):
        suppress_small_cells(t, "n")
    with pytest.raises(MentorkitError, match="no count column"):
        suppress_small_cells(t, "count")
    with pytest.raises(MentorkitError, match="one- or two-way"):
        suppress_small_cells(pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"], "n": [3]}), "n")


# ------------------------------------------------------------------ names and HTML

def test_redact_names_with_spacy():
    texts = ["I met with John Smith on Tuesday and it helped.",
             "My mentor, Sarah Johnson, gave clear feedback.",
             "No names here, just a good session.",
             None]
    out = redact_names(texts)
    assert out[0] == "I met with [name] on Tuesday and it helped."
    assert "Sarah Johnson" not in out[1] and "[name]" in out[1]
    assert out[2] == texts[2] and out[3] is None
    series = redact_names(pd.Series(texts[:2], index=[5, 6]))
    assert list(series.index) == [5, 6] and series[5] == out[0]


def test_safe_html_redacts_then_escapes():
    got = safe_html("John Smith said <script>alert(1)</script> & left")
    assert "<script>" not in got and "&lt;script&gt;alert(1)&lt;/script&gt;" in got
    assert "John Smith" not in got and "&amp;" in got
    assert safe_html(["<b>x</b>"], redact=False) == ["&lt;b&gt;x&lt;/b&gt;"]


# ------------------------------------------------------------------ spreadsheets

@pytest.mark.parametrize("cell, expected", [
    ("=SUM(A1:A3)", "'=SUM(A1:A3)"), ("+1 agreed", "'+1 agreed"), ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@channel", "'@channel"), ("\tx", "'\tx"), ("-3.5", "-3.5"), ("+2", "+2"), ("1e-5", "1e-5"),
    ("fine", "fine"), ("a=b", "a=b"),
])
def test_spreadsheet_safe_cells(cell, expected):
    assert spreadsheet_safe(pd.DataFrame({"t": [cell]}))["t"].iloc[0] == expected


def test_numeric_columns_and_missing_values_untouched():
    df = pd.DataFrame({"x": [-1.5, 2.0], "t": [None, "=x"], "=bad": [1, 2]})
    out = spreadsheet_safe(df)
    assert out["x"].tolist() == [-1.5, 2.0] and out["t"].iloc[0] is None and out["t"].iloc[1] == "'=x"
    assert list(out.columns) == ["x", "t", "'=bad"]


def test_fast_and_pandas_csv_writers_agree(tmp_path):
    df = pd.DataFrame({
        "text": ["a,b", "=1", None, 'say "hi"', "-3.5", "+1 ok", "two\nlines", "@x"],
        "num": [1.5, 2.0, np.nan, 1e-7, -2.5, 3.0, 4.0, 0.1],
        "flag": [True, False, True, False, True, True, False, True],
        "day": pd.to_datetime(["2022-01-01", None, "2022-01-02", "2022-01-03"] * 2),
    })
    fast = to_csv_safe(df, tmp_path / "fast.csv")
    slow = to_csv_safe(df, tmp_path / "slow.csv", index=False, date_format="%Y-%m-%d")
    a, b = pd.read_csv(fast), pd.read_csv(slow)
    pd.testing.assert_frame_equal(a, b)
    assert a.loc[1, "text"] == "'=1" and a.loc[6, "text"] == "two\nlines" and a.loc[4, "text"] == "-3.5"


def test_module_exports():
    for name in privacy.__all__:
        assert hasattr(privacy, name)
