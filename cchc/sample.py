"""Seeded generator of realistic sample data (and benchmark-size data).

``python -m cchc.sample --out data --seed 2026`` writes ``data/2026Q1`` …
``data/2026Q4``; the same seed gives the same bytes (CSV and XLSX).
``python -m cchc.sample --out DIR --dossiers 1000000 --quarters 2026Q3 --seed 1``
writes benchmark-size inputs for one quarter (vectorised numpy).

What the sample looks like (a ward official should find it plausible):

- The procedure catalogue is data: ``cchc/contract/sample_procedures.csv``
  (about 65 procedures a ward handles after the 2025 two-tier reform, with
  legal processing times in working days, catalogue flags and how they change
  by quarter, relative volumes and propensities). Names follow the national
  catalogue's wording; the MaTTHC / MaLinhVuc codes have the national format
  but are illustrative, not looked up.
- One dossier population is simulated for Dec 2025 – Dec 2026 (arrivals on
  working days and Saturday mornings, office hours, no arrivals on public
  holidays, monthly seasonality, legal deadlines in working days, supplement
  requests that stop the clock, late dossiers concentrated in land and
  construction procedures). Each quarter file is a snapshot of that
  population at the quarter end (2026Q4: at the provisional cut-off
  2026-11-20): dossiers received in the quarter or still being processed
  during it, so unfinished dossiers are carried into the next quarter's file
  with the same MaHoSo and an updated status.
- Rates move through the year (online filing ≈ 55% → 75%, online payment
  ≈ 60% → 82%, digitisation, e-results, data reuse) by calibrating, month by
  month, a logistic shift on per-procedure propensities.
- No personal data at all. Ids never contain a run of 9 or more digits.

Input-format variety on purpose (loader coverage):

- ``2026Q2/ho_so.xlsx`` (no ho_so.csv): title row + blank row above the header,
  Vietnamese display headers (first alias of each column in inputs.yaml),
  display values ("Trực tuyến", "Đã trả kết quả", "Có"/"Không") and real Excel
  date cells. Byte-identical run to run (fixed workbook properties, fixed zip
  timestamps, sorted entries).
- ``2026Q3/phan_anh.csv``: dates as ``dd/mm/yyyy HH:MM`` (deadline HanXuLy as
  ``dd/mm/yyyy``); elsewhere ISO ``YYYY-MM-DD HH:MM:SS`` and HanXuLy as a date.

Deliberate probes in ``2026Q3/tien_do.csv`` (site tests look for them):

- :data:`XSS_PROBE` in the GhiChu of one task — pages must escape it;
- :data:`FORMULA_PROBE` in the MinhChung of another task — anything that
  writes it to a spreadsheet-like download must neutralise it.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract
from .periods import parse_quarter, quarter_first_day, quarter_label_vi, quarter_last_day

ROOT = Path(__file__).resolve().parents[1]
PLAN_DIR = ROOT / "data" / "plan"
PROCEDURES_CSV = Path(__file__).resolve().parent / "contract" / "sample_procedures.csv"

YEAR = 2026
QUARTERS = ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
CUTOFFS = {"2026Q4": date(2026, 11, 20)}
EXPORTED_AT = {
    "2026Q1": "2026-04-02T08:00:00+07:00",
    "2026Q2": "2026-07-02T08:00:00+07:00",
    "2026Q3": "2026-10-02T08:00:00+07:00",
    "2026Q4": "2026-11-21T08:00:00+07:00",
}
XLSX_QUARTER = "2026Q2"
DDMM_PHAN_ANH_QUARTER = "2026Q3"
# A real-life data-quality warning, on purpose: the 2026Q4 catalogue export
# lags behind and misses a procedure added in Q3 that dossiers still use, so
# validation publishes an "unknown_procedure" warning on that quarter's
# "Chất lượng dữ liệu" page (a warning, not an error: the quarter is published).
CATALOGUE_LAG = ("2026Q4", "1.009997")
PROBE_QUARTER = "2026Q3"
XSS_PROBE = "<script>alert('xss')</script> Đã gửi báo cáo"
FORMULA_PROBE = "=1+1 (ghi chú thử)"
WARD_PREFIX = "H51.25"

# --------------------------------------------------------------------------- calendar

_S = 1
_MIN = 60
_H = 3600
_D = 86400
INF = np.int64(2**62)  # "never" (no request, never collected, ...)

HOLIDAYS = [
    "2026-01-01",                                  # Tết Dương lịch
    "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",  # Tết Nguyên đán
    "2026-04-27",                                  # Giỗ Tổ Hùng Vương (26/4 là Chủ nhật, nghỉ bù)
    "2026-04-30", "2026-05-01",                    # 30/4, 1/5
    "2026-09-01", "2026-09-02",                    # Quốc khánh
    "2027-01-01",
]
# Saturdays when the one-stop centre does not open (inside / next to long holidays).
CLOSED_SATURDAYS = ["2026-01-03", "2026-02-14", "2026-02-21", "2026-05-02", "2026-08-29"]

_CAL_FIRST = np.datetime64("2025-11-01", "D")
_CAL_LAST = np.datetime64("2027-12-31", "D")


def _daynum(d) -> int:
    return int(np.datetime64(d, "D").astype(np.int64))


def _build_calendar():
    days = np.arange(_CAL_FIRST, _CAL_LAST + 1, dtype="datetime64[D]")
    dn = days.astype(np.int64)
    dow = (dn + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    hol = np.isin(days, np.array(HOLIDAYS, dtype="datetime64[D]"))
    work = (dow < 5) & ~hol
    sat = (dow == 5) & ~hol & ~np.isin(days, np.array(CLOSED_SATURDAYS, dtype="datetime64[D]"))
    return dn[work], dn[sat]


WD, OPEN_SAT = _build_calendar()


def _wd_floor(days: np.ndarray) -> np.ndarray:
    """Index in WD of the last working day <= day."""
    return np.searchsorted(WD, days, side="right") - 1


def _is_wd(days: np.ndarray) -> np.ndarray:
    i = np.clip(np.searchsorted(WD, days), 0, len(WD) - 1)
    return WD[i] == days


def _dow(days: np.ndarray) -> np.ndarray:
    return (days + 3) % 7


def _office_tod(rng, n: int, saturday=None) -> np.ndarray:
    """Seconds after midnight inside office hours (7:00–11:30, 13:00–17:00; Sat mornings)."""
    morning = rng.random(n) < 0.6
    if saturday is not None:
        morning = morning | saturday
    u = rng.random(n)
    tod = np.where(morning, 7 * _H + u * 4.5 * _H, 13 * _H + u * 4 * _H)
    return tod.astype(np.int64)


def _to_dt64(t: np.ndarray) -> np.ndarray:
    """int seconds (INF = missing) -> datetime64[s] with NaT."""
    t = np.asarray(t, dtype=np.int64)
    out = t.astype("datetime64[s]")
    out[t >= INF] = np.datetime64("NaT")
    return out


def _month_key(days: np.ndarray) -> np.ndarray:
    """Months since Dec 2025 (0 = Dec 2025, 1..12 = 2026, 13 = Jan 2027)."""
    m = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.clip(m - np.datetime64("2025-12", "M").astype(np.int64), 0, 13)


# calendar month of each month key, and the catalogue quarter in force
_KEY_MONTH = np.array([12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 1])
_KEY_QUARTER = np.array([1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4])

# Monthly rates (key 0 = Dec 2025 … 12 = Dec 2026, 13 = Jan 2027).
RATE_TARGETS = {
    "online":  [0.50, 0.53, 0.55, 0.58, 0.61, 0.63, 0.66, 0.69, 0.71, 0.72, 0.74, 0.76, 0.78, 0.78],
    "payment": [0.56, 0.58, 0.60, 0.62, 0.66, 0.68, 0.70, 0.74, 0.76, 0.77, 0.80, 0.82, 0.84, 0.84],
    "digit":   [0.88, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.955, 0.96, 0.97, 0.975, 0.98, 0.98],
    "eres":    [0.82, 0.84, 0.86, 0.87, 0.89, 0.90, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.965, 0.965],
    "reuse":   [0.56, 0.58, 0.61, 0.64, 0.67, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.82, 0.84, 0.84],
}
# Overall volume by month (Tết dip in Feb, school-year peak Jul–Sep, end-of-year rise).
MONTH_WEIGHT = np.array([1.0, 1.08, 0.74, 1.0, 0.95, 1.0, 1.03, 1.08, 1.15, 1.1, 1.0, 1.05, 1.15, 1.0])
DOW_WEIGHT = np.array([1.15, 1.05, 1.0, 0.95, 0.9, 0.35, 0.0])
DAILY_RATE = 74.0  # dossiers per ordinary weekday (before weights)
SUPPLEMENT_SHARE = {1: 0.068, 2: 0.064, 3: 0.060, 4: 0.058}   # by catalogue quarter
LATE_SCALE = {1: 1.25, 2: 1.10, 3: 0.95, 4: 0.85}

# Seasonal multipliers by domain (MaLinhVuc) or procedure (MaTTHC), calendar month -> factor.
SEASONAL = {
    "G09-TP02": {2: 0.85, 7: 1.15, 8: 1.25, 9: 1.1},
    "G09-TN01": {1: 1.25, 2: 0.7, 12: 1.2},
    "G09-XD01": {1: 0.8, 2: 0.6, 3: 1.2, 4: 1.2, 9: 0.9, 10: 0.85},
    "G09-GD01": {7: 2.5, 8: 3.5, 9: 2.0, 10: 1.5},
    "G09-NV01": {1: 2.0, 12: 3.0, 2: 0.6, 3: 0.6, 4: 0.6, 5: 0.6, 6: 0.6, 7: 0.6, 8: 0.6, 9: 0.6, 10: 0.6, 11: 0.8},
    "1.000894": {1: 1.4, 2: 0.8, 11: 1.2, 12: 1.5},
    "1.001120": {1: 2.5, 2: 2.5, 3: 1.5},
    "1.010823": {7: 4.0},
}
POSTAL_DOMAINS = {"G09-TP03", "G09-TN01", "G09-LD02", "G09-LD03"}
SLOW_DOMAINS = {"G09-TN01", "G09-XD01"}

# --------------------------------------------------------------------------- procedures

_ROMAN = ("I", "II", "III", "IV")
_LEVELS = {"không": 0, "một phần": 1, "toàn trình": 2}
_LEVEL_NAMES = ["không", "một phần", "toàn trình"]


def load_procedures(path: Path = PROCEDURES_CSV) -> pd.DataFrame:
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    num = ["ThoiHanNgayLV", "DuDieuKienToanTrinh", "CoPhiLePhi", "CoThanhToanTrucTuyen",
           "LienQuanDoanhNghiep", "CongKhaiDungHan", "KhongPhuThuocDiaGioi", "TuQuy"]
    for c in num:
        df[c] = df[c].astype(int)
    for c in ["TyLeCoPhi", "TrongSo", "KhaNangTrucTuyen", "KhaNangThanhToanTT", "TyLeBoSung", "TyLeTre",
              "TyLeHaiLanBoSung"]:
        df[c] = df[c].astype(float)
    for c in ["DoiMucDoTuQuy", "ThanhToanTTTuQuy", "CongKhaiTuQuy", "DiaGioiTuQuy"]:
        df[c] = pd.to_numeric(df[c].replace("", "0")).astype(int)
    return df


def catalogue(procs: pd.DataFrame, q: int) -> pd.DataFrame:
    """The ward's catalogue (thu_tuc) as it stands in quarter ``q`` (1..4)."""
    p = procs[procs["TuQuy"] <= q]
    level = np.where((p["DoiMucDoTuQuy"] > 0) & (p["DoiMucDoTuQuy"] <= q), p["MucDoMoi"], p["MucDoDVC"])

    def from_q(base, col):
        return np.where((p[col] > 0) & (p[col] <= q), 1, p[base]).astype(int)

    return pd.DataFrame({
        "MaTTHC": p["MaTTHC"].values,
        "TenTTHC": p["TenTTHC"].values,
        "MaLinhVuc": p["MaLinhVuc"].values,
        "TenLinhVuc": p["TenLinhVuc"].values,
        "MucDoDVC": level,
        "DuDieuKienToanTrinh": p["DuDieuKienToanTrinh"].values,
        "CoPhiLePhi": p["CoPhiLePhi"].values,
        "CoThanhToanTrucTuyen": from_q("CoThanhToanTrucTuyen", "ThanhToanTTTuQuy"),
        "LienQuanDoanhNghiep": p["LienQuanDoanhNghiep"].values,
        "CongKhaiDungHan": from_q("CongKhaiDungHan", "CongKhaiTuQuy"),
        "KhongPhuThuocDiaGioi": from_q("KhongPhuThuocDiaGioi", "DiaGioiTuQuy"),
        "SoNgayGiaiQuyet": p["ThoiHanNgayLV"].values,
    })


def _per_quarter_arrays(procs: pd.DataFrame):
    """(5, nproc) arrays indexed by catalogue quarter 1..4: member, level, pay_deployed."""
    n = len(procs)
    member = np.zeros((5, n), bool)
    level = np.zeros((5, n), np.int64)
    pay = np.zeros((5, n), bool)
    for q in range(1, 5):
        cat = catalogue(procs, q)
        idx = procs.index.get_indexer(procs.index[procs["TuQuy"] <= q])
        member[q, idx] = True
        level[q, idx] = [_LEVELS[v] for v in cat["MucDoDVC"]]
        pay[q, idx] = cat["CoThanhToanTrucTuyen"].values == 1
    return member, level, pay


# --------------------------------------------------------------------------- helpers


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), stream]))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _calibrated_probs(base_logit: np.ndarray, possible: np.ndarray, target: float) -> np.ndarray:
    """Probabilities sigmoid(base + s) (0 where impossible) whose mean is ``target``."""
    if base_logit.size == 0:
        return np.zeros(0)
    lo, hi = -12.0, 12.0
    for _ in range(50):
        mid = (lo + hi) / 2
        m = np.where(possible, _sigmoid(base_logit + mid), 0.0).mean()
        if m < target:
            lo = mid
        else:
            hi = mid
    return np.where(possible, _sigmoid(base_logit + (lo + hi) / 2), 0.0)


def _by_key(keys: np.ndarray, fn):
    """Apply fn(mask, key) for each month key present."""
    for k in np.unique(keys):
        fn(keys == k, int(k))


# --------------------------------------------------------------------------- dossiers


@dataclass
class Dossiers:
    """The simulated population (int64 seconds since epoch, local time; INF = never)."""

    procs: pd.DataFrame
    proc: np.ndarray
    sub: np.ndarray        # submission (registration) time
    rec: np.ndarray        # receipt time (for rejected dossiers: the rejection time)
    due: np.ndarray
    end: np.ndarray        # end of processing (finish, or withdrawal)
    ret: np.ndarray        # result handed over (INF: never collected)
    rejected: np.ndarray
    withdrawn: np.ndarray
    channel: np.ndarray
    fee: np.ndarray
    pay: np.ndarray
    digit: np.ndarray
    eres: np.ndarray
    reuse: np.ndarray
    r1: np.ndarray
    c1: np.ndarray
    r2: np.ndarray
    c2: np.ndarray
    u_status: np.ndarray   # uniform draw for status 6 vs 4
    ids: np.ndarray        # MaHoSo


def _arrival_days(first: date, last: date):
    lo, hi = _daynum(first), _daynum(last)
    wd = WD[(WD >= lo) & (WD <= hi)]
    sat = OPEN_SAT[(OPEN_SAT >= lo) & (OPEN_SAT <= hi)]
    days = np.sort(np.concatenate([wd, sat]))
    key = _month_key(days)
    lam = DAILY_RATE * MONTH_WEIGHT[key] * DOW_WEIGHT[_dow(days)]
    # rush before Tết, catch-up after it
    pre = (days >= _daynum("2026-02-09")) & (days <= _daynum("2026-02-13"))
    post = (days >= _daynum("2026-02-23")) & (days <= _daynum("2026-02-27"))
    lam = lam * np.where(pre, 1.25, 1.0) * np.where(post, 1.2, 1.0)
    return days, lam


def simulate(seed: int, first: date, last: date, procs: pd.DataFrame | None = None,
             n_total: int | None = None, rate_scale: float = 1.0,
             supplement_share: float | None = None) -> Dossiers:
    """Simulate every dossier received between ``first`` and ``last`` (inclusive)."""
    procs = load_procedures() if procs is None else procs
    member, level_q, pay_q = _per_quarter_arrays(procs)
    N_legal = procs["ThoiHanNgayLV"].to_numpy(np.int64)
    dom = procs["MaLinhVuc"].to_numpy()
    codes = procs["MaTTHC"].to_numpy()

    rng = _rng(seed, 1)
    days, lam = _arrival_days(first, last)
    if n_total is not None:
        counts = rng.multinomial(int(n_total), lam / lam.sum())
    else:
        counts = rng.poisson(lam * rate_scale)
    day = np.repeat(days, counts)
    n = day.size
    key = _month_key(day)
    qcat = _KEY_QUARTER[key]

    # procedure, by month (seasonality, catalogue membership)
    proc = np.empty(n, np.int64)
    base_w = procs["TrongSo"].to_numpy(float)

    def pick(mask, k):
        month = _KEY_MONTH[k]
        w = base_w.copy()
        for i in range(len(w)):
            w[i] *= SEASONAL.get(codes[i], {}).get(month, 1.0) if codes[i] in SEASONAL else \
                SEASONAL.get(dom[i], {}).get(month, 1.0)
        w = w * member[_KEY_QUARTER[k]]
        proc[mask] = rng.choice(len(w), size=int(mask.sum()), p=w / w.sum())

    _by_key(key, pick)
    sat = _dow(day) == 5
    tod = _office_tod(rng, n, sat)
    rec = day * _D + tod
    order = np.argsort(rec, kind="stable")
    day, key, qcat, proc, sat, tod, rec = (a[order] for a in (day, key, qcat, proc, sat, tod, rec))

    # ---- channel (1 direct, 2 online, 3 postal)
    lvl = level_q[qcat, proc]
    kn = procs["KhaNangTrucTuyen"].to_numpy(float)[proc]
    base = _logit(kn) + np.where(lvl == 2, 0.4, 0.0)
    p_on = np.zeros(n)

    def cal_online(mask, k):
        p_on[mask] = _calibrated_probs(base[mask], lvl[mask] > 0, RATE_TARGETS["online"][k])

    _by_key(key, cal_online)
    u = rng.random(n)
    online = u < p_on
    postal = ~online & np.isin(dom[proc], list(POSTAL_DOMAINS)) & (rng.random(n) < 0.015)
    channel = np.where(online, 2, np.where(postal, 3, 1)).astype(np.int64)

    # online submissions are registered some hours before the officer receives them
    lag = np.minimum(rng.exponential(9 * _H, n), 70 * _H).astype(np.int64) + 5 * _MIN
    sub = np.where(online, rec - lag, rec)
    rej_rate = np.where(np.isin(dom[proc], list(SLOW_DOMAINS)), 0.02, 0.006)
    rejected = online & (rng.random(n) < rej_rate)

    # ---- deadline
    N = N_legal[proc]
    b = _wd_floor(day)
    after15 = (tod >= 15 * _H) & ~sat
    due_day_idx = np.where(N > 0, b + N, np.where(after15, b + 1, b))
    due = np.where((N == 0) & sat, day * _D + 11 * _H + 30 * _MIN, WD[due_day_idx] * _D + 17 * _H)

    # ---- processing end without supplements (E0)
    late_scale = np.vectorize(LATE_SCALE.get)(qcat)
    late = rng.random(n) < np.minimum(procs["TyLeTre"].to_numpy(float)[proc] * late_scale, 0.9)
    frac = rng.beta(1.5, 2.8, n)
    p_days = np.minimum(np.floor(frac * (N + 1)).astype(np.int64), N)
    p_days = np.where(sat & (N > 0), np.maximum(p_days, 1), p_days)
    e_idx = b + p_days
    e_tod = _office_tod(rng, n)
    E0 = WD[e_idx] * _D + e_tod
    # same-day work: a few minutes to hours after receipt
    quick = rng.integers(10 * _MIN, 180 * _MIN, n)
    sameday = (N == 0) & ~after15
    E0 = np.where(sameday, np.minimum(rec + quick, due - 60), E0)
    E0 = np.where((N == 0) & after15, WD[b + 1] * _D + 7 * _H + (quick * 1.5).astype(np.int64), E0)
    E0 = np.where(E0 <= rec, rec + quick, E0)
    E0 = np.where(~late & (N > 0), np.minimum(E0, due), E0)
    L = np.minimum(rng.geometric(0.3, n), 25)
    late_idx = due_day_idx + L
    E0 = np.where(late, WD[late_idx] * _D + _office_tod(rng, n), E0)
    e_idx = _wd_floor(E0 // _D)

    # ---- withdrawn
    wrate = np.where(np.isin(dom[proc], list(SLOW_DOMAINS)), 0.012, 0.002)
    withdrawn = ~rejected & (rng.random(n) < wrate)
    uw = rng.uniform(0.2, 0.9, n)
    W = rec + (uw * (E0 - rec)).astype(np.int64)
    W = np.maximum(W, rec + 10 * _MIN)

    # ---- supplement requests
    ps = procs["TyLeBoSung"].to_numpy(float)[proc]
    eligible = ~rejected & ~withdrawn
    want = np.zeros(n)

    def cal_sup(mask, k):
        target = supplement_share if supplement_share is not None else SUPPLEMENT_SHARE[_KEY_QUARTER[k]]
        m = mask & eligible
        if m.sum() == 0:
            return
        pm = ps[m]
        scale = target * mask.sum() / max(m.sum(), 1) / max(pm.mean(), 1e-9)
        want[m] = np.minimum(pm * scale, 0.85)

    _by_key(key, cal_sup)
    has1 = eligible & (rng.random(n) < want)
    has2 = has1 & (rng.random(n) < procs["TyLeHaiLanBoSung"].to_numpy(float)[proc] * 1.0)
    ur = rng.random(n)
    r_idx = b + np.floor(ur * (e_idx - b + 1)).astype(np.int64)
    R1 = WD[np.minimum(r_idx, e_idx)] * _D + _office_tod(rng, n)
    R1 = np.clip(R1, rec + 15 * _MIN, np.maximum(E0 - 15 * _MIN, rec + 15 * _MIN))
    R1 = np.where(E0 - rec < 30 * _MIN, rec + (E0 - rec) // 2, R1)
    k1 = 1 + rng.poisson(3.5, n)
    e0_tod = E0 % _D
    m1 = rng.integers(7 * _H - e0_tod, np.maximum(17 * _H - e0_tod, 7 * _H - e0_tod + 1))
    shift = k1 * _D + m1
    shift = np.where(shift < 6 * _H, k1 * _D, shift)
    E = np.where(has1, E0 + shift, E0)
    C1 = np.where(has1, R1 + shift, INF)
    for _ in range(20):  # move the end (and the completion with it) onto a working day
        bad = has1 & ~_is_wd(E // _D)
        if not bad.any():
            break
        E = np.where(bad, E + _D, E)
        C1 = np.where(bad, C1 + _D, C1)
    R1 = np.where(has1, R1, INF)
    # a second request (counts as late under the national rule)
    R2 = C1 + rng.integers(4 * _H, 3 * _D, n)
    R2 = np.where(R2 >= E, C1 + (E - C1) // 2, R2)
    k2 = (1 + rng.poisson(2.0, n)) * _D
    E = np.where(has2, E + k2, E)
    C2 = np.where(has2, R2 + k2, INF)
    for _ in range(20):
        bad = has2 & ~_is_wd(E // _D)
        if not bad.any():
            break
        E = np.where(bad, E + _D, E)
        C2 = np.where(bad, C2 + _D, C2)
    R2 = np.where(has2, R2, INF)
    E = np.where(withdrawn, W, E)

    # ---- hand-over of the result
    lvlon = channel == 2
    eres_p = np.array(RATE_TARGETS["eres"])[key]
    eres = rng.random(n) < eres_p
    never = rng.random(n) < 0.015
    same = rng.random(n) < 0.45
    dd = np.minimum(rng.geometric(0.35, n), 15)
    e_idx2 = _wd_floor(E // _D)
    later = WD[np.minimum(e_idx2 + dd, len(WD) - 1)] * _D + _office_tod(rng, n)
    ret = np.where(same, E + rng.integers(5 * _MIN, 120 * _MIN, n), later)
    ret = np.where(lvlon & eres, E, ret)
    ret = np.maximum(ret, E)
    ret = np.where(never | withdrawn | rejected, INF, ret)

    # ---- money, digitisation, reuse
    fee = (procs["CoPhiLePhi"].to_numpy(np.int64)[proc] == 1) & \
        (rng.random(n) < procs["TyLeCoPhi"].to_numpy(float)[proc])
    deployed = pay_q[qcat, proc]
    pbase = _logit(procs["KhaNangThanhToanTT"].to_numpy(float)[proc]) + np.where(online, 1.3, 0.0)
    p_pay = np.zeros(n)

    def cal_pay(mask, k):
        m = mask & fee
        if m.any():
            p_pay[m] = _calibrated_probs(pbase[m], deployed[m], RATE_TARGETS["payment"][k])

    _by_key(key, cal_pay)
    paid = fee & (rng.random(n) < p_pay)
    pay = np.where(paid, np.where(rng.random(n) < 0.62, 2, 1), 0).astype(np.int64)

    digit = np.zeros(n, bool)
    reuse = np.zeros(n, bool)
    ud, ur2 = rng.random(n), rng.random(n)

    def cal_digit(mask, k):
        share_on = online[mask].mean() if mask.any() else 0.0
        t = RATE_TARGETS["digit"][k]
        r_direct = np.clip((t - share_on * 0.995) / max(1 - share_on, 1e-9), 0, 1)
        digit[mask] = ud[mask] < np.where(online[mask], 0.995, r_direct)
        pr = _calibrated_probs(np.where(online[mask], 0.8, 0.0), np.ones(mask.sum(), bool),
                               RATE_TARGETS["reuse"][k])
        reuse[mask] = ur2[mask] < pr

    _by_key(key, cal_digit)

    # ---- ids: ward prefix + submission date + sequence within the day
    sub_day = sub // _D
    order = np.lexsort((sub, sub_day))
    seq = np.empty(n, np.int64)
    sd = sub_day[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sd)) + 1]
    run = np.repeat(starts, np.diff(np.r_[starts, n]))
    seq[order] = np.arange(n) - run + 1
    width = max(4, len(str(int(seq.max())))) if n else 4
    udays, inv = np.unique(sub_day, return_inverse=True)
    labels = pd.to_datetime(udays.astype("datetime64[D]")).strftime("%y%m%d").to_numpy()
    ids = (pd.Series(WARD_PREFIX + "-" + labels[inv]) + "-"
           + pd.Series(seq.astype(str)).str.zfill(width)).to_numpy(dtype=object)

    return Dossiers(procs=procs, proc=proc, sub=sub, rec=rec, due=due, end=E, ret=ret,
                    rejected=rejected, withdrawn=withdrawn, channel=channel, fee=fee.astype(np.int64),
                    pay=pay, digit=digit.astype(np.int64), eres=eres.astype(np.int64),
                    reuse=reuse.astype(np.int64), r1=R1, c1=C1, r2=R2, c2=C2,
                    u_status=rng.random(n), ids=ids)


def _t(d: date, end_of_day: bool = False) -> int:
    return _daynum(d) * _D + (_D - 1 if end_of_day else 0)


def snapshot(D: Dossiers, first: date, last: date):
    """ho_so and bo_sung frames as exported at the end of ``last`` (inclusive)."""
    start, T = _t(first), _t(last, True)
    closed = np.where(D.rejected, D.rec, D.end)
    inc = (D.sub <= T) & ((D.sub >= start) | (closed >= start))
    idx = np.flatnonzero(inc)
    g = lambda a: a[idx]  # noqa: E731
    sub, rec, due, end, ret = g(D.sub), g(D.rec), g(D.due), g(D.end), g(D.ret)
    rejected, withdrawn = g(D.rejected), g(D.withdrawn)
    proc = g(D.proc)
    received = rec <= T
    status = np.full(idx.size, 4, np.int64)
    finished = received & ~rejected & (end <= T)
    status[finished & ~withdrawn] = np.where(ret[finished & ~withdrawn] <= T, 10, 9)
    status[finished & withdrawn] = 7
    prog = received & ~rejected & ~finished
    open_sup = ((g(D.r1) <= T) & (g(D.c1) > T)) | ((g(D.r2) <= T) & (g(D.c2) > T))
    land_fee = (D.procs["MaLinhVuc"].to_numpy()[proc] == "G09-TN01") & (g(D.fee) == 1)
    status[prog & open_sup] = 5
    status[prog & ~open_sup & land_fee & (g(D.u_status) < 0.35) & (T - rec > 2 * _D)] = 6
    last_wd = WD[_wd_floor(np.array([T // _D]))[0]]
    status[prog & ~open_sup & (rec // _D >= last_wd) & (g(D.u_status) > 0.4)] = 2
    status[rejected & received] = 3
    status[~received] = 1
    has_rec = received & ~rejected
    p = D.procs.iloc[proc]
    ho_so = pd.DataFrame({
        "MaHoSo": g(D.ids),
        "MaTTHC": p["MaTTHC"].to_numpy(),
        "TenTTHC": p["TenTTHC"].to_numpy(),
        "MaLinhVuc": p["MaLinhVuc"].to_numpy(),
        "TenLinhVuc": p["TenLinhVuc"].to_numpy(),
        "KenhThucHien": g(D.channel),
        "NgayTiepNhan": _to_dt64(np.where(has_rec, rec, INF)),
        "NgayHenTra": _to_dt64(np.where(has_rec, due, INF)),
        "NgayKetThucXuLy": _to_dt64(np.where(finished, end, INF)),
        "NgayTra": _to_dt64(np.where(status == 10, ret, INF)),
        "TrangThaiHoSo": status,
        "CoNghiaVuTaiChinh": g(D.fee),
        "DuocThanhToanTrucTuyen": np.where(has_rec, g(D.pay), 0),
        "HoSoCoThanhPhanSoHoa": np.where(received, g(D.digit), 0),
        "CoKetQuaDienTu": np.where(np.isin(status, [9, 10]), g(D.eres), 0),
        "CoTaiSuDungDuLieu": np.where(has_rec, g(D.reuse), 0),
    })
    ho_so = ho_so.iloc[np.argsort(sub, kind="stable")].reset_index(drop=True)
    rows = []
    for r, c in ((D.r1, D.c1), (D.r2, D.c2)):
        m = r[idx] <= T
        rows.append(pd.DataFrame({
            "MaHoSo": g(D.ids)[m],
            "NgayYeuCauBoSung": _to_dt64(r[idx][m]),
            "NgayHoanThanhBoSung": _to_dt64(np.where(c[idx][m] <= T, c[idx][m], INF)),
        }))
    bo_sung = pd.concat(rows, ignore_index=True).sort_values(["NgayYeuCauBoSung", "MaHoSo"], kind="stable")
    return ho_so, bo_sung.reset_index(drop=True)


# --------------------------------------------------------------------------- other inputs

FEEDBACK_DOMAINS = ["Đất đai", "Hộ tịch", "Chứng thực", "Hoạt động xây dựng", "Môi trường",
                    "Thành lập và hoạt động của hộ kinh doanh", "Bảo trợ xã hội"]
FEEDBACK_WEIGHTS = [0.34, 0.16, 0.12, 0.16, 0.1, 0.07, 0.05]
# Topics (ChuDe) of the feedback: short summaries without personal data, as
# staff write them in the export's "Chủ đề" column.
FEEDBACK_TOPICS = ["Chậm trả kết quả hồ sơ", "Hướng dẫn thủ tục chưa rõ", "Yêu cầu bổ sung giấy tờ nhiều lần",
                   "Thái độ phục vụ", "Lỗi nộp hồ sơ trực tuyến", "Phí, lệ phí"]
FEEDBACK_TOPIC_WEIGHTS = [0.3, 0.22, 0.18, 0.1, 0.14, 0.06]


def _quarter_bounds(qid: str):
    return quarter_first_day(qid), CUTOFFS.get(qid, quarter_last_day(qid))


def simulate_feedback(seed: int) -> pd.DataFrame:
    """The year's PAKN (times in int seconds; NgayXuLy INF while never resolved)."""
    rng = _rng(seed, 2)
    rows = []
    for qi, qid in enumerate(QUARTERS):
        first, last = _quarter_bounds(qid)
        wd = WD[(WD >= _daynum(first)) & (WD <= _daynum(last))]
        k = int(rng.integers(6, 12)) if qid in CUTOFFS else int(rng.integers(9, 18))
        days = np.sort(rng.choice(wd, size=k, replace=False))
        pdays = rng.integers(3, 15, k)
        # one or two arrive in the last working days of the quarter and are still open at its end
        n_open = int(rng.integers(1, 3))
        tail = wd[-8:]
        days[-n_open:] = np.sort(rng.choice(tail, size=n_open, replace=False))
        days = np.sort(days)
        rec = days * _D + _office_tod(rng, k)
        b = _wd_floor(days)
        deadline = WD[b + 15]
        pdays[-n_open:] = rng.integers(9, 15, n_open)
        n_late = int(rng.integers(1, 3))
        late = np.zeros(k, bool)
        early = np.flatnonzero(days <= wd[len(wd) // 2])  # resolved (late) before the quarter ends
        late[rng.choice(early, size=min(n_late, len(early)), replace=False)] = True
        pdays = np.where(late, 15 + rng.integers(1, 6, k), pdays)
        done = WD[b + pdays] * _D + _office_tod(rng, k)
        hl = rng.choice(np.array(["1", "0", ""], dtype=object), size=k, p=[0.8, 0.07, 0.13])
        dom = rng.choice(np.array(FEEDBACK_DOMAINS, dtype=object), size=k, p=FEEDBACK_WEIGHTS)
        rows.append(pd.DataFrame({"rec": rec, "deadline": deadline, "done": done, "HaiLong": hl,
                                  "LinhVuc": dom}))
    df = pd.concat(rows, ignore_index=True).sort_values("rec", kind="stable").reset_index(drop=True)
    df.insert(0, "MaPAKN", [f"PAKN-26-{i + 1:03d}" for i in range(len(df))])
    # a stream of its own, so that adding topics changed no other sample value
    df["ChuDe"] = _rng(seed, 31).choice(np.array(FEEDBACK_TOPICS, dtype=object), size=len(df),
                                        p=FEEDBACK_TOPIC_WEIGHTS)
    return df


def feedback_snapshot(fb: pd.DataFrame, qid: str) -> pd.DataFrame:
    first, last = _quarter_bounds(qid)
    start, T = _t(first), _t(last, True)
    m = (fb["rec"] <= T) & ((fb["rec"] >= start) | (fb["done"] >= start))
    f = fb[m]
    resolved = f["done"] <= T
    return pd.DataFrame({
        "MaPAKN": f["MaPAKN"].to_numpy(),
        "NgayTiepNhan": _to_dt64(f["rec"].to_numpy()),
        "HanXuLy": f["deadline"].to_numpy().astype("datetime64[D]"),
        "NgayXuLy": _to_dt64(np.where(resolved, f["done"], INF)),
        "HaiLong": np.where(resolved, f["HaiLong"], ""),
        "LinhVuc": f["LinhVuc"].to_numpy(),
        "ChuDe": f["ChuDe"].to_numpy(),
    })


SURVEY_SATISFIED = {"2026Q1": 0.935, "2026Q2": 0.945, "2026Q3": 0.955, "2026Q4": 0.962}
SURVEY_SIZE = {"2026Q1": (330, 430), "2026Q2": (400, 500), "2026Q3": (460, 580), "2026Q4": (230, 320)}


def survey(seed: int, qid: str, procs: pd.DataFrame) -> pd.DataFrame:
    rng = _rng(seed, 10 + parse_quarter(qid)[1])
    first, last = _quarter_bounds(qid)
    lo, hi = SURVEY_SIZE.get(qid, (300, 450))
    n = int(rng.integers(lo, hi))
    wd = WD[(WD >= _daynum(first)) & (WD <= _daynum(last))]
    days = np.sort(rng.choice(wd, size=n))
    t = np.sort(days * _D + _office_tod(rng, n))
    sat = np.zeros(n, bool)
    sat[rng.permutation(n)[: int(round(n * SURVEY_SATISFIED.get(qid, 0.95)))]] = True
    overall = np.where(sat, np.where(rng.random(n) < 0.6, 5, 4),
                       rng.choice([3, 2, 1], size=n, p=[0.7, 0.2, 0.1]))
    w = procs["TrongSo"].to_numpy(float)
    w = w * (procs["TuQuy"].to_numpy() <= parse_quarter(qid)[1])
    code = procs["MaTTHC"].to_numpy()[rng.choice(len(w), size=n, p=w / w.sum())]
    code = np.where(rng.random(n) < 0.88, code, "")
    out = {"MaPhieu": [f"KS26Q{parse_quarter(qid)[1]}-{i + 1:04d}" for i in range(n)],
           "NgayKhaoSat": _to_dt64(t), "MaTTHC": code}
    for col, blank in (("TiepCan", 0.02), ("ThuTuc", 0.02), ("CongChuc", 0.02), ("KetQua", 0.03),
                       ("TiepNhanGopY", 0.28)):
        s = np.clip(overall + rng.choice([-1, 0, 1], size=n, p=[0.14, 0.72, 0.14]), 1, 5).astype(object)
        s[rng.random(n) < blank] = ""
        out[col] = s
    out["HaiLongChung"] = overall
    return pd.DataFrame(out)


# ---- plan progress (tien_do) and unit reports (bao_cao)

UNITS = {
    "vp": ("Văn phòng HĐND và UBND", "VP"),
    "vhxh": ("Phòng Văn hóa - Xã hội", "VHXH"),
    "kt": ("Phòng Kinh tế, Hạ tầng và Đô thị", "KTHTĐT"),
    "tt": ("Trung tâm Phục vụ hành chính công", "TTPVHCC"),
    "dv": ("Trung tâm Dịch vụ tổng hợp phường", "TTDVTH"),
}


def _unit_key(lead: str) -> str:
    s = " ".join(str(lead).lower().replace("–", "-").replace("-", " ").split())
    if "hđnd" in s or "văn phòng" in s:
        return "vp"
    if "phục vụ" in s:
        return "tt"
    if "kinh tế" in s:
        return "kt"
    if "dịch vụ tổng hợp" in s:
        return "dv"
    return "vhxh"  # Phòng Văn hóa - Xã hội, and "Các cơ quan, đơn vị" (compiled by VH-XH)


class _DocNumbers:
    """Plausible, increasing document numbers per (kind, issuer) through the year."""

    RATE = {"KH": 0.9, "BC": 1.4, "QĐ": 2.2, "CV": 3.5}

    def __init__(self):
        self.last: dict[tuple[str, str], int] = {}

    def ref(self, kind: str, issuer: str, d: date) -> str:
        doy = d.timetuple().tm_yday
        rate = self.RATE[kind] * (1.0 if issuer == "UBND" else 0.25)
        n = max(int(rate * doy * 5 / 7) + 1, self.last.get((kind, issuer), 0) + 1)
        self.last[(kind, issuer)] = n
        dstr = d.strftime("%d/%m/%Y")
        if kind == "CV":
            return f"Công văn số {n}/UBND-{issuer if issuer != 'UBND' else 'VP'} ngày {dstr}"
        name = {"KH": "Kế hoạch", "BC": "Báo cáo", "QĐ": "Quyết định"}[kind]
        sym = {"KH": "KH", "BC": "BC", "QĐ": "QĐ"}[kind]
        return f"{name} số {n}/{sym}-{issuer} ngày {dstr}"


def _doc_kind(product: str) -> str:
    p = str(product).lower()
    if "kế hoạch" in p:
        return "KH"
    if "quyết định" in p:
        return "QĐ"
    if "công văn" in p:
        return "CV"
    return "BC"


def _workday_in(rng, first: date, last: date, lo_frac=0.0, hi_frac=1.0) -> date:
    wd = WD[(WD >= _daynum(first)) & (WD <= _daynum(last))]
    i = int(rng.integers(int(lo_frac * (len(wd) - 1)), int(hi_frac * (len(wd) - 1)) + 1))
    return date(1970, 1, 1) + timedelta(days=int(wd[i]))


def read_plan(plan_dir: Path = PLAN_DIR):
    t = plan_dir / "tasks.csv"
    g = plan_dir / "targets.csv"
    if not (t.exists() and g.exists()):
        return None, None
    return (pd.read_csv(t, dtype=str, keep_default_na=False, encoding="utf-8-sig"),
            pd.read_csv(g, dtype=str, keep_default_na=False, encoding="utf-8-sig"))


def _task_plans(seed: int, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per task: quarter it starts (0 = already running) and completes (9 = not this year)."""
    rng = _rng(seed, 3)
    start, done = [], []
    for timing in tasks["timing"]:
        s = str(timing).lower()
        if "thường xuyên" in s:
            start.append(0 if rng.random() < 0.9 else 2)
            done.append(9)
        elif "khi có" in s:
            start.append(int(rng.choice([2, 3, 4, 9], p=[0.3, 0.25, 0.15, 0.3])))
            done.append(9 if rng.random() < 0.7 else 4)
        else:
            st = int(rng.choice([0, 1, 2], p=[0.4, 0.4, 0.2]))
            start.append(st)
            done.append(int(rng.choice([2, 3, 4, 9], p=[0.25, 0.3, 0.3, 0.15])))
    out = tasks[["id", "lead_unit", "product", "timing"]].copy()
    out["start"] = start
    out["done"] = np.maximum(np.array(done), np.array(start) + 1)
    return out


MISSING_TASK_REPORTS = {"2026Q1": 3, "2026Q2": 2, "2026Q3": 0, "2026Q4": 4}


def _issuer(rng, uk: str) -> str:
    return "UBND" if uk in ("vp", "vhxh") or rng.random() < 0.5 else UNITS[uk][1]


def documents(seed: int, tasks: pd.DataFrame | None, targets: pd.DataFrame | None) -> dict:
    """Every document reference of the year, numbered per (kind, issuer) in date order.

    Keys: ("report", qid) the ward's quarterly CCHC report; ("done", task id) the
    document that completes a task; ("task", qid, task id) an in-progress task's
    document of the quarter (absent when it cites the quarterly report);
    ("bao_cao", qid, MaChiTieu) a unit's report.
    """
    plans = _task_plans(seed, tasks) if tasks is not None else None
    events = []
    for qid in QUARTERS:
        q = parse_quarter(qid)[1]
        first, last = _quarter_bounds(qid)
        rng = _rng(seed, 50 + q)
        events.append((_workday_in(rng, first, last, 0.82, 1.0), ("report", qid), "BC", "UBND"))
        if plans is not None:
            for r in plans.itertuples():
                uk = _unit_key(r.lead_unit)
                kind = _doc_kind(r.product)
                if r.done == q:
                    events.append((_workday_in(rng, first, last, 0.1, 0.95), ("done", r.id), kind, _issuer(rng, uk)))
                elif r.start <= q < r.done and rng.random() >= 0.45:
                    events.append((_workday_in(rng, first, last, 0.05, 0.95), ("task", qid, r.id), kind,
                                   _issuer(rng, uk)))
        if targets is not None:
            for t in targets[targets["source"] == "unit_report"].itertuples():
                mid = t.measure or t.id
                uk = BAO_CAO_SPEC.get(mid, ("vhxh",))[0]
                events.append((_workday_in(rng, first, last, 0.8, 1.0), ("bao_cao", qid, mid), "BC", UNITS[uk][1]))
    numbers = _DocNumbers()
    refs = {}
    for d, key, kind, issuer in sorted(events, key=lambda e: (e[0], repr(e[1]))):
        refs[key] = numbers.ref(kind, issuer, d)
        if key[0] == "report":
            q = parse_quarter(key[1])[1]
            refs[key] += f" về công tác cải cách hành chính quý {_ROMAN[q - 1]} năm {YEAR}"
    return refs


def progress(seed: int, qid: str, tasks: pd.DataFrame, refs: dict | None = None) -> pd.DataFrame:
    q = parse_quarter(qid)[1]
    plans = _task_plans(seed, tasks)
    refs = documents(seed, tasks, None) if refs is None else refs
    rng = _rng(seed, 20 + q)
    rows = []
    for r in plans.itertuples():
        uk = _unit_key(r.lead_unit)
        note = ""
        if r.done <= q:
            status, mc = "hoan_thanh", refs[("done", r.id)]
        elif r.start <= q:
            status = "dang_thuc_hien"
            mc = refs.get(("task", qid, r.id), refs[("report", qid)])
            if "thường xuyên" in str(r.timing).lower() and rng.random() < 0.15:
                note = "Thực hiện thường xuyên, lồng ghép trong báo cáo CCHC định kỳ"
        else:
            status, mc = "chua_trien_khai", ""
            note = "Chờ hướng dẫn của cơ quan cấp trên" if "khi có" in str(r.timing).lower() else ""
        rows.append({"MaNhiemVu": r.id, "TrangThai": status, "MinhChung": mc, "GhiChu": note,
                     "DonViBaoCao": UNITS[uk][0]})
    df = pd.DataFrame(rows)
    if qid == PROBE_QUARTER:
        # Deliberate probes (see module docstring): an HTML/script injection in a note,
        # and a spreadsheet formula in a document reference.
        ids = df["MaNhiemVu"].tolist()
        xi = ids.index("II.02") if "II.02" in ids else 0
        fi = ids.index("VI.03") if "VI.03" in ids else min(1, len(ids) - 1)
        df.loc[xi, "GhiChu"] = XSS_PROBE
        df.loc[fi, "MinhChung"] = FORMULA_PROBE
    k = MISSING_TASK_REPORTS.get(qid, 0)
    if k:
        probe_ids = {"II.02", "VI.03"}
        cand = [i for i, t in enumerate(df["MaNhiemVu"]) if t not in probe_ids]
        drop = rng.choice(cand, size=min(k, len(cand)), replace=False)
        df = df.drop(index=drop).reset_index(drop=True)
    return df


# Unit-reported indicators: (unit, denominator range, base ratio, yearly gain, cumulative?)
BAO_CAO_SPEC = {
    "procedures_reviewed": ("tt", "catalogue", None, None, True),
    "simplification_proposals": ("tt", "catalogue", 0.065, 0.02, False),
    "declared_info_reduced": ("tt", (380, 440), 0.15, 0.025, False),
    "internal_procedures_published": ("vp", (12, 12), 1.0, 0.0, False),
    "no_resubmission": ("tt", (1500, 2100), 0.95, 0.012, False),
    "e_identity": ("tt", (2200, 2800), 0.84, 0.03, False),
    "internal_procedures_simplified": ("vp", (12, 12), 0.5, 0.17, True),
    "e_copy_certification": ("tt", "copies", 0.955, 0.012, False),
    "officials_college": ("vhxh", (18, 18), 0.94, 0.03, False),
    "civil_servants_university": ("vhxh", (46, 46), 0.93, 0.02, False),
    "autonomous_units": ("kt", (5, 5), 0.2, 0.0, False),
    "economic_units_converted": ("kt", (1, 1), 0.0, 0.34, False),
    "work_files_online": ("vp", (1100, 1400), 0.95, 0.012, False),
    "national_db_connected": ("vhxh", (6, 6), 0.83, 0.06, False),
    "e_identity_online_users": ("tt", (2400, 3000), 0.96, 0.01, False),
    "meeting_system": ("vhxh", (1, 1), 1.0, 0.0, False),
    "digital_inspections": ("vhxh", (6, 10), 0.45, 0.06, False),
    "e_signed_documents": ("vp", (4500, 5200), 0.985, 0.004, False),
    "mobile_services": ("tt", "full_online", 0.97, 0.01, False),
    "units_inspected": ("vhxh", (9, 9), 0.22, 0.2, True),
    "issues_remedied": ("vhxh", (5, 9), 0.6, 0.12, False),
    "digital_inspections_vii": ("vhxh", (6, 10), 0.45, 0.06, False),
}
MISSING_UNIT_REPORTS = {"2026Q1": ["declared_info_reduced", "national_db_connected"]}


def unit_reports(seed: int, qid: str, targets: pd.DataFrame, procs: pd.DataFrame,
                 copies: int, refs: dict | None = None) -> pd.DataFrame:
    q = parse_quarter(qid)[1]
    first, last = _quarter_bounds(qid)
    rng = _rng(seed, 40 + q)
    cat = catalogue(procs, q)
    ur = targets[targets["source"] == "unit_report"]
    refs = documents(seed, None, targets) if refs is None else refs
    rows = []
    for t in ur.itertuples():
        mid = t.measure or t.id
        if mid in MISSING_UNIT_REPORTS.get(qid, []):
            continue
        uk, den, base, gain, cumulative = BAO_CAO_SPEC.get(mid, ("vhxh", (40, 120), 0.9, 0.02, False))
        if den == "catalogue":
            mau = len(cat)
        elif den == "copies":
            mau = max(copies, 1)
        elif den == "full_online":
            mau = int((cat["MucDoDVC"] == "toàn trình").sum())
        else:
            mau = int(rng.integers(den[0], den[1] + 1))
        if mid == "procedures_reviewed":
            ratio = min(1.0, [0.28, 0.55, 0.8, 1.0][q - 1])
        else:
            ratio = min(1.0, base + gain * (q - 1) + rng.normal(0, 0.006 if mau > 100 else 0.0))
        tu = int(round(mau * ratio))
        if mau > 100 and ratio >= 1.0:
            tu = mau - int(rng.integers(0, 4))
        tu = int(np.clip(tu, 0, mau))
        rows.append({"MaChiTieu": mid, "TuSo": tu, "MauSo": mau, "DonViBaoCao": UNITS[uk][0],
                     "MinhChung": refs[("bao_cao", qid, mid)]})
    return pd.DataFrame(rows, columns=["MaChiTieu", "TuSo", "MauSo", "DonViBaoCao", "MinhChung"])


# --------------------------------------------------------------------------- writing

ISO = "%Y-%m-%d %H:%M:%S"


def _write_csv(df: pd.DataFrame, path: Path, date_format: str = ISO) -> None:
    df.to_csv(path, index=False, encoding="utf-8-sig", date_format=date_format, lineterminator="\n")


def _columns(name: str) -> list[str]:
    return list(contract.columns(name))


def _manifest_text(qid: str, seed: int) -> str:
    lines = [f"quarter: {qid}"]
    if qid in CUTOFFS:
        lines.append(f"cutoff: {CUTOFFS[qid].isoformat()}")
    lines += [
        "sample: true",
        f'source: "Dữ liệu mẫu do cchc.sample sinh ra (seed {seed}) — không phải số liệu chính thức"',
        f"exported_at: {EXPORTED_AT.get(qid, _default_export(qid))}",
    ]
    return "\n".join(lines) + "\n"


def _default_export(qid: str) -> str:
    first, last = _quarter_bounds(qid)
    return f"{(last + timedelta(days=2)).isoformat()}T08:00:00+07:00"


_STATUS_VI = {v: k for k, v in contract.columns("ho_so")["TrangThaiHoSo"]["value_aliases"].items()}
_CHANNEL_VI = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
_FLAG_VI = {1: "Có", 0: "Không"}


def write_ho_so_xlsx(df: pd.DataFrame, path: Path, qid: str) -> None:
    """The one-stop system's Excel export: title row, blank row, display headers, date cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    cols = contract.columns("ho_so")
    headers = [spec["aliases"][0] for spec in cols.values()]
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sach ho so"
    y, qn = parse_quarter(qid)
    roman = _ROMAN[qn - 1]
    ws.append([f"DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ {roman}/{y} — PHƯỜNG CHƠN THÀNH"])
    ws.append([])
    ws.append(headers)
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].alignment = Alignment(horizontal="center")
    for c in range(1, len(headers) + 1):
        ws.cell(row=3, column=c).font = Font(bold=True)
    date_cols = [c for c, s in cols.items() if s["type"] == "datetime"]
    data = {}
    for c in cols:
        s = df[c]
        if c in date_cols:
            data[c] = [None if pd.isna(v) else v.to_pydatetime() for v in pd.to_datetime(s)]
        elif c == "KenhThucHien":
            data[c] = [_CHANNEL_VI[int(v)] for v in s]
        elif c == "TrangThaiHoSo":
            data[c] = [_STATUS_VI[int(v)] for v in s]
        elif cols[c]["type"] == "flag":
            data[c] = [_FLAG_VI[int(v)] for v in s]
        elif cols[c]["type"] == "int":
            data[c] = [int(v) for v in s]
        else:
            data[c] = [str(v) for v in s]
    names = list(cols)
    for i in range(len(df)):
        ws.append([data[c][i] for c in names])
    for j, c in enumerate(names, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = 19 if c in date_cols else (48 if c == "TenTTHC" else 16)
        if c in date_cols:
            for cell in ws[letter][3:]:
                cell.number_format = "dd/mm/yyyy hh:mm"
    exported = datetime.fromisoformat(EXPORTED_AT.get(qid, _default_export(qid))).replace(tzinfo=None)
    fixed = exported - timedelta(hours=7)  # core properties are UTC
    wb.properties.creator = "cchc.sample"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    wb.properties.lastModifiedBy = "cchc.sample"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # save_workbook() would stamp "now" as modified
    _rewrite_zip_deterministic(buf.getvalue(), path, exported.timetuple()[:6])


def _rewrite_zip_deterministic(data: bytes, path: Path, date_time) -> None:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(name), compresslevel=6)
    path.write_bytes(out.getvalue())


def _fmt_ddmm(s: pd.Series, fmt: str) -> pd.Series:
    return pd.Series([("" if pd.isna(v) else pd.Timestamp(v).strftime(fmt)) for v in s], dtype=object)


def write_quarter(out: Path, qid: str, seed: int, ho_so: pd.DataFrame, bo_sung: pd.DataFrame,
                  procs: pd.DataFrame, phan_anh: pd.DataFrame | None, khao_sat: pd.DataFrame | None,
                  tien_do: pd.DataFrame | None, bao_cao: pd.DataFrame | None, xlsx: bool) -> Path:
    folder = out / qid
    folder.mkdir(parents=True, exist_ok=True)
    for stale in ("ho_so.csv", "ho_so.xlsx"):
        (folder / stale).unlink(missing_ok=True)
    (folder / "quarter.yml").write_text(_manifest_text(qid, seed), encoding="utf-8")
    if xlsx:
        write_ho_so_xlsx(ho_so, folder / "ho_so.xlsx", qid)
    else:
        _write_csv(ho_so[_columns("ho_so")], folder / "ho_so.csv")
    _write_csv(bo_sung[_columns("bo_sung")], folder / "bo_sung.csv")
    cat = catalogue(procs, parse_quarter(qid)[1])
    if qid == CATALOGUE_LAG[0]:
        cat = cat[cat["MaTTHC"] != CATALOGUE_LAG[1]]
    _write_csv(cat[_columns("thu_tuc")], folder / "thu_tuc.csv")
    if phan_anh is not None:
        pa = phan_anh[_columns("phan_anh")].copy()
        if qid == DDMM_PHAN_ANH_QUARTER:
            for c in ("NgayTiepNhan", "NgayXuLy"):
                pa[c] = _fmt_ddmm(pa[c], "%d/%m/%Y %H:%M")
            pa["HanXuLy"] = _fmt_ddmm(pa["HanXuLy"], "%d/%m/%Y")
        else:
            pa["HanXuLy"] = _fmt_ddmm(pa["HanXuLy"], "%Y-%m-%d")
        _write_csv(pa, folder / "phan_anh.csv")
    if khao_sat is not None:
        _write_csv(khao_sat[_columns("khao_sat")], folder / "khao_sat.csv")
    if tien_do is not None:
        _write_csv(tien_do[_columns("tien_do")], folder / "tien_do.csv")
    if bao_cao is not None:
        _write_csv(bao_cao[_columns("bao_cao")], folder / "bao_cao.csv")
    return folder


# --------------------------------------------------------------------------- entry points


def _copies_count(ho_so: pd.DataFrame, qid: str) -> int:
    first, last = _quarter_bounds(qid)
    r = ho_so["NgayTiepNhan"]
    m = (ho_so["MaTTHC"] == "2.000815") & (r >= pd.Timestamp(first)) & (r < pd.Timestamp(last) + pd.Timedelta(days=1))
    return int(m.sum())


def generate(out: Path, seed: int = 2026, quarters=QUARTERS, dossiers_per_quarter: int | None = None,
             xlsx_quarter: str | None = XLSX_QUARTER, plan_dir: Path = PLAN_DIR) -> dict:
    """Write the sample quarters under ``out``; returns {qid: summary dict}."""
    out = Path(out)
    quarters = [quarters] if isinstance(quarters, str) else list(quarters)
    for qid in quarters:
        if qid not in QUARTERS:
            raise ValueError(f"sample data exists only for {', '.join(QUARTERS)} (got {qid!r})")
    procs = load_procedures()
    scale = 1.0
    if dossiers_per_quarter:
        scale = dossiers_per_quarter / 4300.0
    D = simulate(seed, date(2025, 12, 1), date(2026, 12, 31), procs, rate_scale=scale)
    fb = simulate_feedback(seed)
    tasks, targets = read_plan(plan_dir)
    refs = documents(seed, tasks, targets)
    summary = {}
    for qid in quarters:
        first, last = _quarter_bounds(qid)
        ho_so, bo_sung = snapshot(D, first, last)
        td = progress(seed, qid, tasks, refs) if tasks is not None else None
        bc = unit_reports(seed, qid, targets, procs, _copies_count(ho_so, qid), refs) if targets is not None else None
        pa = feedback_snapshot(fb, qid)
        ks = survey(seed, qid, procs)
        write_quarter(out, qid, seed, ho_so, bo_sung, procs, pa, ks, td, bc, xlsx=(qid == xlsx_quarter))
        summary[qid] = summarize(qid, ho_so, bo_sung, pa, ks, procs)
    if tasks is not None and targets is not None:
        from .sample_texts import write_texts

        write_texts(out, quarters, plan_dir)  # giai_trinh.csv + nhan_xet.md, from the numbers just written
    return summary


def generate_benchmark(out: Path, n_dossiers: int = 1_000_000, seed: int = 1, quarter: str = "2026Q3",
                       plan_dir: Path = PLAN_DIR) -> dict:
    """One quarter with ``n_dossiers`` dossiers received in it, 10% with supplement requests."""
    out = Path(out)
    if quarter not in QUARTERS:
        raise ValueError(f"benchmark data exists only for {', '.join(QUARTERS)} (got {quarter!r})")
    procs = load_procedures()
    first, last = _quarter_bounds(quarter)
    D = simulate(seed, first, last, procs, n_total=n_dossiers, supplement_share=0.104)
    ho_so, bo_sung = snapshot(D, first, last)
    tasks, targets = read_plan(plan_dir)
    refs = documents(seed, tasks, targets)
    td = progress(seed, quarter, tasks, refs) if tasks is not None else None
    bc = unit_reports(seed, quarter, targets, procs, _copies_count(ho_so, quarter), refs) \
        if targets is not None else None
    pa = feedback_snapshot(simulate_feedback(seed), quarter)
    ks = survey(seed, quarter, procs)
    write_quarter(out, quarter, seed, ho_so, bo_sung, procs, pa, ks, td, bc, xlsx=False)
    return {"dossiers": len(ho_so), "with_supplement": int(bo_sung["MaHoSo"].nunique())}


# --------------------------------------------------------------------------- summary


def summarize(qid: str, ho_so: pd.DataFrame, bo_sung: pd.DataFrame, phan_anh: pd.DataFrame,
              khao_sat: pd.DataFrame, procs: pd.DataFrame) -> dict:
    """Rough figures (own computation of docs/indicators.md) for reporting realism."""
    first, last = _quarter_bounds(qid)
    start, endx = pd.Timestamp(first), pd.Timestamp(last) + pd.Timedelta(days=1)
    pend = endx - pd.Timedelta(seconds=1)
    h = ho_so
    rec = h["NgayTiepNhan"]
    received = rec.notna() & ~h["TrangThaiHoSo"].isin([1, 3])
    in_q = received & (rec >= start) & (rec < endx)
    fin = h["NgayKetThucXuLy"]
    scope = received & (rec < endx) & (h["TrangThaiHoSo"] != 7) & (fin.isna() | (fin >= start))
    E = fin.where(fin.notna() & (fin < endx), pend)
    b = bo_sung.merge(pd.DataFrame({"MaHoSo": h["MaHoSo"], "E": E}), on="MaHoSo")
    c = b["NgayHoanThanhBoSung"].fillna(b["E"]).clip(upper=b["E"])
    b["S"] = (c - b["NgayYeuCauBoSung"]).clip(lower=pd.Timedelta(0))
    S = b.groupby("MaHoSo")["S"].sum()
    nreq = b.groupby("MaHoSo").size()
    s = h["MaHoSo"].map(S).fillna(pd.Timedelta(0))
    k = h["MaHoSo"].map(nreq).fillna(0)
    ontime = (k <= 1) & ((E - s) <= h["NgayHenTra"])
    land = h["MaLinhVuc"] == "G09-TN01"
    fee = in_q & (h["CoNghiaVuTaiChinh"] == 1)
    fin_in = fin.notna() & (fin >= start) & (fin < endx) & h["TrangThaiHoSo"].isin([9, 10])
    saved = scope & ontime & (E > h["NgayHenTra"])
    carried = received & (rec < start)
    pct = lambda a, d: round(100.0 * a / d, 1) if d else None  # noqa: E731
    return {
        "rows": len(h),
        "received_in_quarter": int(in_q.sum()),
        "carried_over": int(carried.sum()),
        "status_counts": {int(k_): int(v) for k_, v in h["TrangThaiHoSo"].value_counts().sort_index().items()},
        "on_time_pct": pct((scope & ontime).sum(), scope.sum()),
        "on_time_land_pct": pct((scope & ontime & land).sum(), (scope & land).sum()),
        "saved_by_supplement_time": int(saved.sum()),
        "online_pct": pct((in_q & (h["KenhThucHien"] == 2)).sum(), in_q.sum()),
        "online_payment_pct": pct((fee & h["DuocThanhToanTrucTuyen"].isin([1, 2])).sum(), fee.sum()),
        "digitized_pct": pct((in_q & (h["HoSoCoThanhPhanSoHoa"] == 1)).sum(), in_q.sum()),
        "e_results_pct": pct((fin_in & (h["CoKetQuaDienTu"] == 1)).sum(), fin_in.sum()),
        "data_reuse_pct": pct((in_q & (h["CoTaiSuDungDuLieu"] == 1)).sum(), in_q.sum()),
        "supplement_pct": pct(h.loc[in_q, "MaHoSo"].isin(bo_sung["MaHoSo"]).sum(), in_q.sum()),
        "bo_sung_rows": len(bo_sung),
        "bo_sung_open": int(bo_sung["NgayHoanThanhBoSung"].isna().sum()),
        "two_requests": int((nreq >= 2).sum()),
        "pakn": len(phan_anh),
        "pakn_open": int(phan_anh["NgayXuLy"].isna().sum()),
        "survey": len(khao_sat),
        "survey_satisfied_pct": pct((khao_sat["HaiLongChung"] >= 4).sum(), len(khao_sat)),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cchc.sample", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--quarters", nargs="*", default=None, help="quarter ids (default: all of 2026)")
    ap.add_argument("--dossiers", type=int, default=None,
                    help="benchmark mode: this many dossiers in one quarter (10%% with supplements)")
    ap.add_argument("--summary", action="store_true", help="print rough indicator figures per quarter")
    args = ap.parse_args(argv)
    quarters = args.quarters or list(QUARTERS)
    t0 = time.perf_counter()
    if args.dossiers:
        for qid in quarters:
            res = generate_benchmark(args.out, args.dossiers, args.seed, qid)
            print(f"{qid}: {res['dossiers']:,} dossiers, {res['with_supplement']:,} with supplements "
                  f"-> {args.out / qid} ({time.perf_counter() - t0:.1f} s)")
        return 0
    summary = generate(args.out, args.seed, quarters)
    for qid, s in summary.items():
        if args.summary:
            print(qid, s)
        else:
            print(f"{qid}: {s['rows']:,} dossiers ({s['carried_over']} carried over), "
                  f"on time {s['on_time_pct']}%, online {s['online_pct']}%")
    print(f"written to {args.out} in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
