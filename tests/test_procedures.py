"""Per-procedure figures ("Tra cứu thủ tục"): working days, the small-number
rule, the pinned backtest and a straightforward row-by-row recomputation of
every figure of every procedure, quarter and period from the sample data.

Regenerate the pinned file after an intended change of the data or the rules::

    .venv/bin/python -m cchc.procedures --write-backtest tests/expected/backtest_procedures.csv
"""
from __future__ import annotations

import statistics
from datetime import date, datetime, timedelta
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
import pytest

from cchc import pages_procedures as P
from cchc.indicators.backtest import compute_all, load_all, quarter_folders
from cchc.procedures import SMALL_N, backtest_table, read_backtest
from cchc.workdays import vn_holidays, working_days
from latest_rows import reference_inputs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
EXPECTED = ROOT / "tests" / "expected" / "backtest_procedures.csv"
REGEN = ".venv/bin/python -m cchc.procedures --write-backtest tests/expected/backtest_procedures.csv"


# --------------------------------------------------------------------------- working days
VN = holidays.country_holidays("VN", years=range(2024, 2030))


def _wd_loop(rec: date, fin: date) -> int:
    """Count by walking the calendar: day after receipt … finish day, Mon–Fri, not a VN holiday."""
    vn = VN
    n, d = 0, rec + timedelta(days=1)
    while d <= fin:
        if d.weekday() < 5 and d not in vn:
            n += 1
        d += timedelta(days=1)
    return n


def _wd(a: str, b: str) -> int:
    return int(working_days(np.array([a], dtype="datetime64[ns]"), np.array([b], dtype="datetime64[ns]"))[0])


def test_working_days_rule():
    assert _wd("2026-03-02T08:00", "2026-03-02T16:00") == 0     # same day
    assert _wd("2026-03-02T08:00", "2026-03-03T09:00") == 1     # Monday -> Tuesday
    assert _wd("2026-03-06T16:00", "2026-03-09T08:00") == 1     # Friday -> Monday
    assert _wd("2026-03-06T16:00", "2026-03-08T08:00") == 0     # finished on Sunday
    assert _wd("2026-04-24T10:00", "2026-05-04T10:00") == 3     # over Giỗ Tổ (27/4 observed), 30/4 and 1/5
    assert _wd("2026-03-05T10:00", "2026-03-02T10:00") == 0     # finish before receipt: 0
    assert date(2026, 9, 2) in vn_holidays(2026, 2026)            # Quốc khánh
    assert date(2026, 2, 17) in vn_holidays(2026, 2026)           # Tết Nguyên đán 2026


def test_working_days_equal_calendar_walk():
    rng = np.random.default_rng(12)
    start = np.datetime64("2025-12-20")
    rec = start + rng.integers(0, 380, 300).astype("timedelta64[D]")
    fin = rec + rng.integers(0, 40, 300).astype("timedelta64[D]")
    got = working_days(rec, fin)
    want = [_wd_loop(pd.Timestamp(r).date(), pd.Timestamp(f).date()) for r, f in zip(rec, fin)]
    assert got.tolist() == want


# --------------------------------------------------------------------------- row-by-row reference
def _py(x):
    return None if x is None or pd.isna(x) else pd.Timestamp(x).to_pydatetime()


def reference_figures(rows, sups, period, codes) -> dict:
    """Every figure of every procedure, one dossier at a time (docs/indicators.md)."""
    start = datetime.combine(period.first_day, datetime.min.time())
    end_excl = datetime.combine(period.last_day + timedelta(days=1), datetime.min.time())
    end = end_excl - timedelta(seconds=1)
    acc = {c: {"received": 0, "online": 0, "in_scope": 0, "on_time": 0, "with_supplement": 0, "days": []}
           for c in codes}
    for r in rows:
        code = None if r["MaTTHC"] is None or pd.isna(r["MaTTHC"]) else str(r["MaTTHC"]).strip()
        if code not in acc:
            continue
        a = acc[code]
        tn, due, fin = _py(r["NgayTiepNhan"]), _py(r["NgayHenTra"]), _py(r["NgayKetThucXuLy"])
        st = None if pd.isna(r["TrangThaiHoSo"]) else int(r["TrangThaiHoSo"])
        kenh = 1 if pd.isna(r["KenhThucHien"]) else int(r["KenhThucHien"])
        received = tn is not None and st not in (1, 3)
        if received and start <= tn < end_excl:
            a["received"] += 1
            a["online"] += kenh == 2
        if not received or st == 7 or tn >= end_excl:
            continue
        finished_in = fin is not None and start <= fin < end_excl
        if not (finished_in or fin is None or fin >= end_excl):
            continue
        a["in_scope"] += 1
        e = fin if finished_in else end
        s, n_req = timedelta(0), 0
        requests = {}
        for b in sups.get(r["MaHoSo"], []):
            req = _py(b["NgayYeuCauBoSung"])
            if req is not None:
                requests[req] = _py(b["NgayHoanThanhBoSung"])
        for req, done in requests.items():
            n_req += req <= e
            stop = e if done is None else min(done, e)
            if stop > req:
                s += stop - req
        a["with_supplement"] += n_req > 0
        if due is not None and n_req <= 1 and e - s <= due:
            a["on_time"] += 1
        if finished_in:
            a["days"].append(_wd_loop(tn.date(), fin.date()))
    return acc


def _pct(num, den):
    return 100.0 * num / den if den >= SMALL_N else None


@pytest.fixture(scope="module")
def computed():
    if not DATA.is_dir() or not quarter_folders(DATA):
        pytest.skip("no quarter folders in data/")
    quarters, plan = load_all(DATA)
    return quarters, plan, compute_all(quarters, plan)


def _same(a, b) -> bool:
    if b is None:
        return a is None or pd.isna(a)
    return a is not None and not pd.isna(a) and abs(float(a) - float(b)) <= 1e-9


@pytest.mark.slow
def test_procedure_figures_equal_row_by_row_reference(computed):
    quarters, _, results = computed
    checked = 0
    for q, res, inputs, sups in reference_inputs(quarters, results):
        got = res.breakdowns["procedures"]
        codes = [str(c).strip() for c in quarters[q].df("thu_tuc")["MaTTHC"]]
        for period, (rows, per) in inputs.items():
            ref = reference_figures(rows, sups, per, codes)
            g = got[got["period"] == period].set_index("MaTTHC")
            assert sorted(g.index) == sorted(codes), (q, period)
            for code, a in ref.items():
                row = g.loc[code]
                ctx = (q, period, code)
                for c in ("received", "online", "in_scope", "on_time", "with_supplement"):
                    assert int(row[c]) == a[c], (ctx, c, int(row[c]), a[c])
                assert int(row["finished"]) == len(a["days"]), ctx
                assert _same(row["online_value"], _pct(a["online"], a["received"])), ctx
                assert _same(row["on_time_value"], _pct(a["on_time"], a["in_scope"])), ctx
                assert _same(row["supplement_value"], _pct(a["with_supplement"], a["in_scope"])), ctx
                enough = len(a["days"]) >= SMALL_N
                assert _same(row["workdays_median"], statistics.median(a["days"]) if enough else None), ctx
                p90 = statistics.quantiles(a["days"], n=10, method="inclusive")[8] if enough else None
                assert _same(row["workdays_p90"], p90), ctx
                assert bool(row["workdays_suppressed"]) == (0 < len(a["days"]) < SMALL_N), ctx
                checked += 1
    assert checked > 400


def test_procedures_match_pinned_backtest(computed):
    assert EXPECTED.is_file(), f"missing {EXPECTED}; create it with: {REGEN}"
    got = backtest_table(computed[2])
    exp = read_backtest(EXPECTED)
    assert list(got.columns) == list(exp.columns)
    assert len(got) == len(exp), f"row count differs; if intended, regenerate: {REGEN}"
    for c in got.columns:
        a, b = got[c], exp[c]
        if pd.api.types.is_float_dtype(b):
            va, vb = a.to_numpy(float), b.to_numpy(float)
            ok = (np.isnan(va) & np.isnan(vb)) | (np.abs(va - vb) <= 1e-9)
        else:
            ok = (a.astype(str).to_numpy() == b.astype(str).to_numpy())
        assert ok.all(), f"column {c} differs at rows {np.flatnonzero(~ok)[:5]}; if intended: {REGEN}"


def test_small_numbers_are_blanked(computed):
    for res in computed[2].values():
        df = res.breakdowns["procedures"]
        small = (df["in_scope"] > 0) & (df["in_scope"] < SMALL_N)
        assert df.loc[small, "on_time_value"].isna().all() and df.loc[small, "on_time_suppressed"].all()
        small = (df["finished"] > 0) & (df["finished"] < SMALL_N)
        assert df.loc[small, ["workdays_median", "workdays_p90"]].isna().all().all()
        big = df["received"] >= SMALL_N
        assert df.loc[big, "online_value"].notna().all()


# --------------------------------------------------------------------------- pages
def test_page_names_are_safe_paths():
    assert P.page_name("2.000815") == "thu-tuc/2.000815"
    assert P.page_name("../../etc/x y") == "thu-tuc/etc-x-y"
    assert P.fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert P.fold("  CHỨNG   thực ") == "chung thuc"


def test_portal_link_is_the_national_portal():
    url = P.portal_url("2.000815")
    assert url.startswith("https://dichvucong.gov.vn/") and url.endswith("2.000815")
