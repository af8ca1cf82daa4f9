"""Small groups are never published (issue 10, item 5).

Rule (the methodology page, ``cchc/contract/methodology.yaml``, and
docs/indicators.md state it the same way):

1. A survey or feedback figure — an indicator whose source is ``survey`` or
   ``feedback``, a SIPAS factor, the PAKN satisfaction — is **suppressed** when
   its denominator is between 1 and 4: numerator, denominator and value are
   blanked and its status is ``suppressed`` ("Không công bố"), in every output
   (indicators.csv/.json, breakdowns, pages, charts, the search index, the
   quarterly DOCX report, the 766 estimate).
2. **No subtraction reveals a suppressed quarter.** Year-to-date counts are
   sums of the year's quarters, so a published year-to-date figure minus
   another published one (or minus 0 at the start of the year), minus the
   published quarters in between, leaves the suppressed quarters in between.
   When that remainder is between 1 and 4, the quarter itself is suppressed
   too (so the remainder grows to 5 or more); if that is not enough, the
   year-to-date figure is suppressed.

:func:`apply` runs on the computed results of a whole build (every quarter of
every year), before anything is written; it returns copies.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .indicators.estimate import estimate_766
from .indicators.ontrack import SUPPRESSED
from .indicators.others import MIN_RESPONSES
from .periods import parse_quarter, sort_quarters

SMALL_SOURCES = ("survey", "feedback")

#: Breakdown columns blanked together with a suppressed measure, per breakdown and denominator column.
FEEDBACK_GROUPS = {
    "in_scope": ("in_scope", "on_time", "late", "on_time_value", "resolved", "unresolved"),
    "rated": ("rated", "satisfied", "satisfied_value"),
}


def _den(x) -> int:
    return 0 if x is None or (not isinstance(x, str) and pd.isna(x)) else int(x)


@dataclass
class Hidden:
    quarter: bool = False
    ytd: bool = False


def plan_suppression(quarter_dens: list[int], ytd_dens: list[int], minimum: int = MIN_RESPONSES) -> list[Hidden]:
    """Which quarter and year-to-date figures of one measure to hide, for the
    quarters of one year in order (denominators of each period)."""
    out = [Hidden() for _ in quarter_dens]
    anchors = [-1]  # published year-to-date figures (index), -1 = the start of the year (0)

    def leak(j: int) -> bool:
        for a in anchors:
            s = sum(quarter_dens[i] for i in range(a + 1, j + 1) if out[i].quarter)
            if 0 < s < minimum:
                return True
        return False

    for j, (q, y) in enumerate(zip(quarter_dens, ytd_dens)):
        out[j].quarter = 0 < q < minimum
        if 0 < y < minimum:
            out[j].ytd = True
            continue
        if leak(j) and not out[j].quarter and q > 0:
            out[j].quarter = True  # complementary suppression of the quarter
        if leak(j):
            out[j].ytd = True
        else:
            anchors.append(j)
    return out


def _years(quarters) -> dict[int, list[str]]:
    by: dict[int, list[str]] = {}
    for q in sort_quarters(quarters):
        by.setdefault(parse_quarter(q)[0], []).append(q)
    return by


def _measure_dens(results, getter) -> tuple[list[int], list[int]]:
    qd, yd = [], []
    for r in results:
        qd.append(getter(r, "quarter"))
        yd.append(getter(r, "ytd"))
    return qd, yd


def _ind_den(tid):
    def get(r, period):
        df = r.indicators
        row = df[(df["id"] == tid) & (df["period"] == period)]
        return _den(row["denominator"].iloc[0]) if len(row) else 0
    return get


def _bd_den(name, col, factor=None):
    def get(r, period):
        df = r.breakdowns.get(name)
        if df is None or col not in df:
            return 0
        m = df["period"] == period
        if factor is not None:
            m &= df["factor"] == factor
        return _den(df.loc[m, col].iloc[0]) if m.any() else 0
    return get


def apply(results: dict, plan) -> dict:
    """Copies of ``results`` ({quarter: QuarterResults}) with the small groups hidden."""
    out = {q: copy.deepcopy(r) for q, r in results.items()}
    targets = plan.targets
    small = [str(t) for t, s in zip(targets["id"], targets["source"]) if str(s).strip().lower() in SMALL_SOURCES]
    for year, qs in _years(out).items():
        rs = [out[q] for q in qs]
        for tid in small:
            for r, h in zip(rs, plan_suppression(*_measure_dens(rs, _ind_den(tid)))):
                _hide_indicator(r, tid, h)
        for col, cols in FEEDBACK_GROUPS.items():
            for r, h in zip(rs, plan_suppression(*_measure_dens(rs, _bd_den("feedback", col)))):
                _hide_rows(r, "feedback", h, cols)
        factors = sorted(set().union(*(set(r.breakdowns.get("survey_factors", pd.DataFrame({"factor": []}))
                                           ["factor"]) for r in rs)))
        for f in factors:
            for r, h in zip(rs, plan_suppression(*_measure_dens(rs, _bd_den("survey_factors", "n", f)))):
                _hide_factor(r, f, h)
        for r in rs:
            _estimate(r)
    return out


def _periods(h: Hidden) -> list[str]:
    return [p for p, hide in (("quarter", h.quarter), ("ytd", h.ytd)) if hide]


def _hide_indicator(r, tid: str, h: Hidden) -> None:
    """Blank the figure and everything derived from it: status, the on-track
    judgement and the level still required (year-to-date rows), and the
    "no explanation for a missed target" warning that would name its judgement."""
    df = r.indicators
    for p in _periods(h):
        m = (df["id"] == tid) & (df["period"] == p)
        df.loc[m, ["numerator", "denominator"]] = pd.NA
        df.loc[m, "value"] = np.nan
        df.loc[m, "status"] = SUPPRESSED
        if "judgement" in df and p == "ytd":
            df.loc[m, "judgement"] = SUPPRESSED
        if "required" in df:
            df.loc[m, "required"] = np.nan
        w = r.breakdowns.get("warnings")
        if p == "ytd" and w is not None and len(w):
            r.breakdowns["warnings"] = w.loc[~((w["code"] == "missing_explanation") & (w["key"] == tid))] \
                .reset_index(drop=True)


def _hide_rows(r, name: str, h: Hidden, cols) -> None:
    df = r.breakdowns.get(name)
    if df is None:
        return
    for p in _periods(h):
        m = df["period"] == p
        for c in cols:
            if c in df:
                if pd.api.types.is_integer_dtype(df[c].dtype) and not isinstance(df[c].dtype, pd.Int64Dtype):
                    df[c] = df[c].astype("Int64")
                df.loc[m, c] = pd.NA if isinstance(df[c].dtype, pd.Int64Dtype) else np.nan


def _hide_factor(r, factor: str, h: Hidden) -> None:
    df = r.breakdowns.get("survey_factors")
    if df is None:
        return
    for p in _periods(h):
        m = (df["period"] == p) & (df["factor"] == factor)
        df.loc[m, "suppressed"] = True
        df.loc[m, "value"] = np.nan
        if "satisfied" in df:
            df["satisfied"] = df["satisfied"].astype("Int64")
            df.loc[m, "satisfied"] = pd.NA


def _estimate(r) -> None:
    """The 766 estimate's satisfaction group comes from the year-to-date
    ``satisfaction`` figure: when that is hidden, so is the group's score."""
    df = r.indicators
    row = df[(df["id"] == "satisfaction") & (df["period"] == "ytd")]
    if not len(row) or row["status"].iloc[0] != SUPPRESSED or r.estimate_766 is None:
        return
    ytd = df[df["period"] == "ytd"]
    measures = {str(i): (n, d) for i, n, d, s in zip(ytd["id"], ytd["numerator"], ytd["denominator"], ytd["status"])
                if s != SUPPRESSED and not (pd.isna(n) or pd.isna(d))}
    old = r.estimate_766.set_index("group")
    est = estimate_766(measures)
    # keep the groups this module does not touch exactly as computed (their measures may not all be targets)
    for i, g in enumerate(est["group"]):
        if g in old.index and g != "Mức độ hài lòng" and i < len(est) - 1:
            for c in ("basis", "ratio", "score"):
                est.at[i, c] = old.at[g, c]
    sat = est.index[est["group"] == "Mức độ hài lòng"]
    est.loc[sat, "basis"] = est.loc[sat, "basis"].str.replace("; không có dữ liệu", "", regex=False) \
        + "; không công bố (dưới 5 phiếu khảo sát)"
    groups = est.iloc[:-1]
    have = groups["ratio"].notna()
    w = float(groups.loc[have, "weight"].sum())
    total = float(groups.loc[have, "score"].sum()) if have.any() else math.nan
    left = groups.loc[~have, "group"].tolist()
    last = len(est) - 1
    est.at[last, "score"] = total
    est.at[last, "ratio"] = total / w if w else math.nan
    est.at[last, "basis"] = "tổng điểm các nhóm có dữ liệu" + (f"; thiếu nhóm: {', '.join(left)}" if left else "")
    r.estimate_766 = est
