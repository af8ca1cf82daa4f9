"""The on-track judgement of annual targets (cchc.indicators.ontrack, issue 11)."""
from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pandas as pd
import pytest

from cchc import fmt
from cchc.indicators import compute_quarter
from cchc.indicators.ontrack import Judgement, days_of_year_split, judge
from indicator_helpers import dossier, plan, quarter

# 1 January – 20 November 2026: 324 days elapsed, 41 left
ELAPSED, REMAINING = 324, 41


def test_days_of_year_split():
    assert days_of_year_split(date(2026, 1, 1), date(2026, 11, 20)) == (ELAPSED, REMAINING)
    assert days_of_year_split(date(2026, 1, 1), date(2026, 12, 31)) == (365, 0)
    assert days_of_year_split(date(2028, 1, 1), date(2028, 3, 31)) == (91, 275)  # leap year


def test_on_track_when_ytd_value_meets_target():
    j = judge(990, 1000, 98, ">=", ELAPSED, REMAINING, False)
    assert j.code == "on_track" and j.label_vi == "Đang đạt"
    # what the rest of the year may fall to and still keep the target
    d_rest = 1000 / 324 * 41
    assert j.required == pytest.approx(100 * (0.98 * (1000 + d_rest) - 990) / d_rest)
    assert j.required < 98 and j.required_vi() == ""


def test_at_risk_gives_the_rate_needed_for_the_rest_of_the_year():
    # the case: 97,99% year to date against 98%
    j = judge(9799, 10000, 98, ">=", ELAPSED, REMAINING, False)
    assert j.code == "at_risk" and j.label_vi == "Cần cố gắng"
    d_rest = 10000 / 324 * 41  # 1.265,4 dossiers expected in the 41 days left
    x = (0.98 * (10000 + d_rest) - 9799) / d_rest * 100
    assert j.required == pytest.approx(x)
    assert 98 < j.required < 98.1
    assert j.required_vi() == "cần đạt ≥ 98,1% trong thời gian còn lại của năm"
    # the whole year reaches exactly the target when the rest achieves X
    assert (9799 + x / 100 * d_rest) / (10000 + d_rest) == pytest.approx(0.98)


def test_unreachable_when_even_100_percent_is_not_enough():
    j = judge(900, 1000, 98, ">=", ELAPSED, REMAINING, False)
    assert j.code == "unreachable" and j.label_vi == "Không còn khả năng đạt"
    assert j.required > 100
    assert j.required_vi() == ""
    # a 100% target missed once cannot be reached any more
    assert judge(999, 1000, 100, ">=", 90, 275, False).code == "unreachable"


def test_boundary_exactly_100_percent_needed_is_at_risk():
    # 100 × (0.9 × (D + Dr) − N) / Dr = 100  ⇔  N = 0.9·D − 0.1·Dr
    elapsed, remaining = 100, 100  # Dr = D
    j = judge(80, 100, 90, ">=", elapsed, remaining, False)
    assert j.code == "at_risk" and j.required == pytest.approx(100)


def test_at_most_targets_mirror_the_formula():
    # target ≤ 5% (e.g. a share of late items): 5,2% so far
    j = judge(52, 1000, 5, "<=", ELAPSED, REMAINING, False)
    assert j.code == "at_risk"
    d_rest = 1000 / 324 * 41
    assert j.required == pytest.approx(100 * (0.05 * (1000 + d_rest) - 52) / d_rest)
    assert 0 <= j.required < 5
    assert j.required_vi().startswith("cần đạt ≤ ")
    assert judge(40, 1000, 5, "<=", ELAPSED, REMAINING, False).code == "on_track"
    # 6% so far: even 0% for the rest of the year stays above 5%
    u = judge(60, 1000, 5, "<=", ELAPSED, REMAINING, False)
    assert u.code == "unreachable" and u.required < 0
    assert judge(60, 1000, 5, "≤", ELAPSED, REMAINING, True).code == "not_met"
    assert judge(50, 1000, 5, "<=", ELAPSED, REMAINING, True).code == "met"


def test_zero_remaining_days():
    assert judge(97, 100, 98, ">=", 365, 0, False) == Judgement("unreachable", None, ">=")
    assert judge(99, 100, 98, ">=", 365, 0, False) == Judgement("on_track", None, ">=")
    assert judge(4, 100, 5, "<=", 365, 0, False).code == "on_track"
    assert judge(6, 100, 5, "<=", 365, 0, False).code == "unreachable"


def test_final_year_gives_verdicts_only():
    assert judge(98, 100, 98, ">=", 365, 0, True) == Judgement("met", None, ">=")
    assert judge(9799, 10000, 98, ">=", 365, 0, True) == Judgement("not_met", None, ">=")
    assert fmt.judgement_vi("met") == "Đạt" and fmt.judgement_vi("not_met") == "Chưa đạt"


def test_no_data():
    for num, den in ((None, None), (0, 0), (pd.NA, pd.NA), (float("nan"), 5)):
        j = judge(num, den, 98, ">=", ELAPSED, REMAINING, False)
        assert j.code == "no_data" and j.required is None and j.label_vi == "Không có dữ liệu"
    assert judge(5, 10, float("nan"), ">=", ELAPSED, REMAINING, False).code == "no_data"


def test_state_indicators_must_reach_the_target_by_year_end():
    assert judge(9, 10, 90, ">=", ELAPSED, REMAINING, False, kind="state").code == "on_track"
    j = judge(8, 10, 90, ">=", ELAPSED, REMAINING, False, kind="state")
    assert j == Judgement("at_risk", 90.0, ">=")
    assert judge(8, 10, 90, ">=", 365, 0, True, kind="state").code == "not_met"


def test_bad_arguments():
    with pytest.raises(ValueError):
        judge(1, 2, 50, "==", ELAPSED, REMAINING, False)
    with pytest.raises(ValueError):
        judge(1, 2, 50, ">=", 0, REMAINING, False)
    with pytest.raises(ValueError):
        judge(1, 2, 50, ">=", ELAPSED, -1, False)
    with pytest.raises(ValueError):
        Judgement("verdict")
    with pytest.raises(FrozenInstanceError):
        judge(1, 2, 50, ">=", ELAPSED, REMAINING, False).code = "met"


def _ytd(res, tid):
    df = res.indicators
    return df[(df["id"] == tid) & (df["period"] == "ytd")].iloc[0]


def test_indicators_table_has_judgements_on_ytd_rows():
    # provisional Q4 cut off on 20/11: a judgement, never a verdict
    q4 = quarter("2026Q4", cutoff=date(2026, 11, 20), ho_so=[
        dossier("A", tn="2026-10-02 08:00", due="2026-10-09 17:00", fin="2026-10-05 10:00"),
        dossier("B", tn="2026-10-03 08:00", due="2026-10-06 17:00", fin="2026-10-09 10:00"),
    ])
    res = compute_quarter("2026Q4", {"2026Q4": q4}, plan())
    ind = res.indicators
    assert ind.loc[ind["period"] == "quarter", "judgement"].isna().all()
    assert ind.loc[ind["period"] == "quarter", "required"].isna().all()
    ytd = ind[ind["period"] == "ytd"]
    assert ytd["judgement"].notna().all()
    assert not ytd["judgement"].isin(["met", "not_met"]).any()
    r = _ytd(res, "on_time")  # 1 of 2 on time: 50% against 98%
    assert r["status"] == "not_met" and r["judgement"] == "unreachable"
    assert _ytd(res, "satisfaction")["judgement"] == "no_data"


def test_final_fourth_quarter_gives_verdicts():
    q4 = quarter("2026Q4", ho_so=[
        dossier("A", tn="2026-10-02 08:00", due="2026-10-09 17:00", fin="2026-10-05 10:00")])
    res = compute_quarter("2026Q4", {"2026Q4": q4}, plan())
    r = _ytd(res, "on_time")
    assert r["judgement"] == "met" and pd.isna(r["required"])
    assert set(res.indicators.loc[res.indicators["period"] == "ytd", "judgement"]) <= {"met", "not_met", "no_data"}
