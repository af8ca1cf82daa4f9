"""One test per rule of docs/indicators.md, on tiny hand-made tables."""
from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cchc.indicators import INDICATOR_COLUMNS, compute_quarter, trend
from cchc.indicators.core import status
from indicator_helpers import dossier, frame, plan, quarter

Q1 = "2026Q1"
Q2 = "2026Q2"


def sup(code, req, done=None):
    return {"MaHoSo": code, "NgayYeuCauBoSung": req, "NgayHoanThanhBoSung": done}


def compute(*quarters_, qid=None, p=None):
    qs = {q.quarter: q for q in quarters_}
    qid = qid or max(qs)
    return compute_quarter(qid, qs, p or plan())


def row(res, tid, period="quarter"):
    df = res.indicators
    r = df[(df["id"] == tid) & (df["period"] == period)]
    assert len(r) == 1, (tid, period)
    return r.iloc[0]


def nd(res, tid, period="quarter"):
    r = row(res, tid, period)
    num = None if pd.isna(r["numerator"]) else int(r["numerator"])
    den = None if pd.isna(r["denominator"]) else int(r["denominator"])
    return num, den


def counts(res, period="quarter"):
    c = res.breakdowns["on_time_counts"]
    return c[c["period"] == period].iloc[0].to_dict()


def one(ho_so, bo_sung=(), qid=Q1, cutoff=None, **other):
    return compute(quarter(qid, cutoff=cutoff, ho_so=list(ho_so), bo_sung=list(bo_sung), **other))


# ------------------------------------------------------------------ shape
def test_indicator_table_shape_and_columns():
    res = one([dossier("A", fin="2026-01-09 10:00")])
    assert list(res.indicators.columns) == INDICATOR_COLUMNS
    assert len(res.indicators) == 2 * len(plan().targets)
    assert list(res.indicators["period"].unique()) == ["quarter", "ytd"]
    assert res.indicators["value"].dtype == np.float64
    assert str(res.indicators["numerator"].dtype) == "Int64"


# ---------------------------------------------------------------- on time
def test_finished_one_minute_after_due_is_late():
    res = one([dossier("A", due="2026-01-10 17:00", fin="2026-01-10 17:01"),
               dossier("B", due="2026-01-10 17:00", fin="2026-01-10 17:00")])
    assert nd(res, "on_time") == (1, 2)
    c = counts(res)
    assert (c["finished_on_time"], c["finished_late"]) == (1, 1)


def test_supplement_makes_late_dossier_on_time():
    # 2 days late without the supplement; 3 days spent waiting for the citizen
    res = one([dossier("A", due="2026-01-10 17:00", fin="2026-01-12 17:00")],
              [sup("A", "2026-01-06 08:00", "2026-01-09 08:00")])
    assert nd(res, "on_time") == (1, 1)


def test_supplement_time_only_counts_before_end():
    # request completed after the dossier's end: only the part before E counts (1 day), still late
    res = one([dossier("A", due="2026-01-10 17:00", fin="2026-01-12 17:00")],
              [sup("A", "2026-01-11 17:00", "2026-01-20 08:00")])
    assert nd(res, "on_time") == (0, 1)


def test_two_supplement_requests_are_late_even_if_fast():
    res = one([dossier("A", due="2026-01-10 17:00", fin="2026-01-06 09:00")],
              [sup("A", "2026-01-05 09:00", "2026-01-05 10:00"), sup("A", "2026-01-05 11:00", "2026-01-05 12:00")])
    assert nd(res, "on_time") == (0, 1)
    bp = res.breakdowns["by_procedure"]
    r = bp[bp["period"] == "quarter"].iloc[0]
    assert (r["supplement_requests"], r["dossiers_with_supplements"]) == (2, 1)


def test_open_supplement_runs_until_end():
    # unfinished at quarter end, due 2026-03-20; supplement open since 2026-03-10 → S = 21 days,
    # E − S = 2026-03-10 23:59:59 ≤ due → on time (in progress within deadline)
    res = one([dossier("A", tn="2026-03-01 08:00", due="2026-03-20 17:00", fin=None, status=5)],
              [sup("A", "2026-03-10 23:59:59")])
    assert nd(res, "on_time") == (1, 1)
    assert counts(res)["in_progress_within_deadline"] == 1
    # the same without the supplement is overdue
    res = one([dossier("A", tn="2026-03-01 08:00", due="2026-03-20 17:00", fin=None, status=5)])
    assert nd(res, "on_time") == (0, 1)


def test_unfinished_dossiers_at_quarter_end():
    res = one([dossier("A", tn="2026-03-01 08:00", due="2026-03-25 17:00", fin=None, status=4),
               dossier("B", tn="2026-03-20 08:00", due="2026-04-05 17:00", fin=None, status=4),
               # due on the last day (end of day): not yet overdue at the period end
               dossier("C", tn="2026-03-20 08:00", due="2026-03-31 23:59:59", fin=None, status=4)])
    assert nd(res, "on_time") == (2, 3)
    c = counts(res)
    assert (c["in_progress_overdue"], c["in_progress_within_deadline"]) == (1, 2)
    assert (c["finished_on_time"], c["finished_late"]) == (0, 0)


def test_finished_after_quarter_end_is_in_progress_at_end():
    res = one([dossier("A", tn="2026-03-25 08:00", due="2026-04-02 17:00", fin="2026-04-01 10:00")])
    assert nd(res, "on_time") == (1, 1)
    assert counts(res)["in_progress_within_deadline"] == 1
    assert nd(res, "e_results") == (0, 0)


def test_dossier_across_quarters_counted_once_latest_row_wins():
    a_q1 = dossier("A", tn="2026-03-20 08:00", due="2026-04-10 17:00", fin=None, status=4, KenhThucHien=1)
    a_q2 = dossier("A", tn="2026-03-20 08:00", due="2026-04-10 17:00", fin="2026-04-15 08:00", status=10,
                   KenhThucHien=2)
    q1 = quarter(Q1, ho_so=[a_q1, dossier("B", fin="2026-01-09 10:00")])
    q2 = quarter(Q2, ho_so=[a_q2])
    r1 = compute(q1, qid=Q1)
    r2 = compute(q1, q2, qid=Q2)
    assert nd(r1, "on_time") == (2, 2)  # A within deadline at Q1 end
    assert nd(r2, "on_time") == (0, 1)  # A in scope in Q2, finished late
    assert nd(r2, "on_time", "ytd") == (1, 2)  # A once (late, Q2 row), B on time
    # received rates: A received in Q1 → not in Q2's quarter denominator, once in YTD with the Q2 row (online)
    assert nd(r2, "online_dossiers") == (0, 0)
    assert nd(r2, "online_dossiers", "ytd") == (1, 2)
    assert nd(r1, "online_dossiers") == (0, 2)


def test_finished_before_period_start_out_of_scope():
    q1 = quarter(Q1, ho_so=[dossier("A", fin="2026-01-09 10:00")])
    q2 = quarter(Q2, ho_so=[dossier("A", fin="2026-01-09 10:00"), dossier("B", tn="2026-04-02 08:00",
                                                                             due="2026-04-09 17:00",
                                                                             fin="2026-04-03 08:00")])
    r2 = compute(q1, q2, qid=Q2)
    assert nd(r2, "on_time") == (1, 1)
    assert nd(r2, "on_time", "ytd") == (2, 2)


def test_withdrawn_out_of_on_time_scope_but_received():
    res = one([dossier("A", fin="2026-01-09 10:00"),
               dossier("W", fin="2026-01-20 10:00", status=7, kenh=2)])
    assert nd(res, "on_time") == (1, 1)
    assert nd(res, "online_dossiers") == (1, 2)


def test_status_1_and_3_not_received():
    res = one([dossier("A", fin="2026-01-09 10:00", kenh=2),
               dossier("N", status=1, kenh=2, tn=None, due=None),
               dossier("R", status=3, kenh=2)])
    assert nd(res, "online_dossiers") == (1, 1)
    assert nd(res, "on_time") == (1, 1)


def test_blank_channel_means_direct():
    res = one([dossier("A", kenh=None, fin="2026-01-09 10:00"), dossier("B", kenh=2, fin="2026-01-09 10:00")])
    assert nd(res, "online_dossiers") == (1, 2)
    ch = res.breakdowns["by_channel"]
    assert ch.loc[(ch["period"] == "quarter") & (ch["KenhThucHien"] == 1), "received"].item() == 1


def test_empty_quarter_gives_no_data_everywhere():
    res = compute(quarter(Q1, ho_so=frame("ho_so", [])))
    ind = res.indicators
    flows = ind[ind["id"].isin(["on_time", "online_dossiers", "online_payment", "digitized_dossiers", "e_results",
                                "data_reuse", "feedback_on_time", "satisfaction", "full_online_services"])]
    assert (flows["status"] == "no_data").all()
    assert flows["value"].isna().all()
    assert (flows["denominator"] == 0).all()
    assert ind["status"].eq("no_data").all()
    assert res.estimate_766["score"].isna().all()


def test_online_payment_excludes_no_obligation():
    res = one([dossier("A", fin="2026-01-09 10:00", CoNghiaVuTaiChinh=1, DuocThanhToanTrucTuyen=1),
               dossier("B", fin="2026-01-09 10:00", CoNghiaVuTaiChinh=1, DuocThanhToanTrucTuyen=2),
               dossier("C", fin="2026-01-09 10:00", CoNghiaVuTaiChinh=1, DuocThanhToanTrucTuyen=0),
               dossier("D", fin="2026-01-09 10:00", CoNghiaVuTaiChinh=0, DuocThanhToanTrucTuyen=0)])
    assert nd(res, "online_payment") == (2, 3)


def test_digitized_and_reuse():
    res = one([dossier("A", HoSoCoThanhPhanSoHoa=1, CoTaiSuDungDuLieu=1),
               dossier("B", HoSoCoThanhPhanSoHoa=0, CoTaiSuDungDuLieu=1),
               dossier("C", HoSoCoThanhPhanSoHoa=1, CoTaiSuDungDuLieu=0, tn="2025-12-30 08:00")])
    assert nd(res, "digitized_dossiers") == (1, 2)
    assert nd(res, "data_reuse") == (2, 2)


def test_e_results_only_finished_9_or_10():
    res = one([dossier("A", fin="2026-01-09 10:00", status=10, CoKetQuaDienTu=1),
               dossier("B", fin="2026-01-09 10:00", status=9, CoKetQuaDienTu=0),
               dossier("C", fin="2026-01-09 10:00", status=8, CoKetQuaDienTu=1),
               dossier("D", fin=None, status=4, CoKetQuaDienTu=1)])
    assert nd(res, "e_results") == (1, 2)


def test_provisional_cutoff_replaces_quarter_end():
    ho = [dossier("A", tn="2026-02-01 08:00", due="2026-02-25 17:00", fin=None, status=4),
          dossier("B", tn="2026-02-25 08:00", due="2026-03-05 17:00", fin="2026-03-01 08:00"),
          dossier("C", tn="2026-02-21 08:00", due="2026-02-28 17:00", fin=None, status=4)]
    res = one(ho, cutoff=date(2026, 2, 20))
    # period 1/1 → 20/2: C not yet received; A within deadline at 20/2; B received after → out
    assert nd(res, "on_time") == (1, 1)
    assert nd(res, "online_dossiers") == (0, 1)
    assert res.provisional
    assert res.periods["quarter"].last_day == date(2026, 2, 20) == res.periods["ytd"].last_day
    assert list(res.breakdowns["by_month"]["month"]) == ["2026-01", "2026-02"]
    full = one(ho)
    assert nd(full, "on_time") == (1, 3)


def test_by_domain_procedure_month():
    res = one([dossier("A", fin="2026-01-09 10:00", MaTTHC="P1", MaLinhVuc="D1"),
               dossier("B", fin="2026-02-20 10:00", tn="2026-02-01 08:00", due="2026-02-10 17:00", MaTTHC="P2",
                       TenTTHC="Thủ tục 2", MaLinhVuc="D2", TenLinhVuc="Đất đai", kenh=2)])
    d = res.breakdowns["by_domain"].query("period == 'quarter'").set_index("MaLinhVuc")
    assert d.loc["D2", "TenLinhVuc"] == "Đất đai" and d.loc["D2", "late"] == 1 and d.loc["D2", "online"] == 1
    p = res.breakdowns["by_procedure"].query("period == 'quarter'").set_index("MaTTHC")
    assert p.loc["P2", "processing_days_median"] == pytest.approx(19 + 2 / 24)
    assert p.loc["P2", "TenLinhVuc"] == "Đất đai"
    m = res.breakdowns["by_month"].set_index("month")
    assert m.loc["2026-02", "received"] == 1 and m.loc["2026-02", "finished"] == 1
    assert m.loc["2026-02", "finished_on_time"] == 0 and m.loc["2026-01", "finished_on_time"] == 1


# --------------------------------------------------------------- feedback
def pakn(code, tn, due, done=None, hl=None):
    return {"MaPAKN": code, "NgayTiepNhan": tn, "HanXuLy": due, "NgayXuLy": done, "HaiLong": hl}


def test_feedback_rules():
    pa = [pakn("A", "2026-01-05", "2026-01-20 23:59:59", "2026-01-19 10:00", 1),  # on time
          pakn("B", "2026-01-05", "2026-01-20 23:59:59", "2026-01-21 10:00", 0),  # late
          pakn("C", "2026-03-20", "2026-04-10 23:59:59"),  # open within deadline
          pakn("D", "2026-03-01", "2026-03-20 23:59:59"),  # open, overdue
          pakn("E", "2025-12-01", "2025-12-20 23:59:59", "2025-12-15 10:00", 1),  # resolved before start
          pakn("F", "2026-04-02", "2026-04-20 23:59:59")]  # received after the end
    res = one([], phan_anh=pa)
    assert nd(res, "feedback_on_time") == (2, 4)
    fb = res.breakdowns["feedback"].query("period == 'quarter'").iloc[0]
    assert (fb["resolved"], fb["unresolved"], fb["rated"], fb["satisfied"]) == (2, 2, 2, 1)
    assert fb["satisfied_value"] == 50.0
    assert "feedback_satisfied" not in set(res.indicators["id"])


def test_feedback_satisfied_row_when_targeted():
    from indicator_helpers import STANDARD_TARGETS
    p = plan(STANDARD_TARGETS + [("feedback_satisfied", "II", "PAKN hài lòng", 90, ">=", "feedback",
                                  "feedback_satisfied")])
    res = compute(quarter(Q1, phan_anh=[pakn("A", "2026-01-05", "2026-01-20", "2026-01-19", 1)]), p=p)
    assert nd(res, "feedback_satisfied") == (1, 1)


# ----------------------------------------------------------------- survey
def phieu(code, day, overall, **f):
    return {"MaPhieu": code, "NgayKhaoSat": day, "HaiLongChung": overall, **f}


def test_survey_threshold_and_suppression():
    ks = [phieu("1", "2026-01-10", 5, TiepCan=4), phieu("2", "2026-01-11", 4, TiepCan=3),
          phieu("3", "2026-01-12", 3, TiepCan=5), phieu("4", "2026-02-12", 2),
          phieu("5", "2026-03-12", 4), phieu("6", "2026-04-01", 5)]
    res = one([], khao_sat=ks)
    assert nd(res, "satisfaction") == (3, 5)
    sf = res.breakdowns["survey_factors"].query("period == 'quarter'").set_index("factor")
    assert (sf.loc["TiepCan", "n"], sf.loc["TiepCan", "satisfied"]) == (3, 2)
    assert bool(sf.loc["TiepCan", "suppressed"]) and not bool(sf.loc["HaiLongChung", "suppressed"])
    assert sf.loc["ThuTuc", "n"] == 0 and math.isnan(sf.loc["ThuTuc", "value"])


# -------------------------------------------------------------- catalogue
def tthc(code, muc, elig, fee=0, pay=0, biz=0, pub=1, free=1):
    return {"MaTTHC": code, "TenTTHC": code, "MaLinhVuc": "D1", "TenLinhVuc": "Hộ tịch", "MucDoDVC": muc,
            "DuDieuKienToanTrinh": elig, "CoPhiLePhi": fee, "CoThanhToanTrucTuyen": pay,
            "LienQuanDoanhNghiep": biz, "CongKhaiDungHan": pub, "KhongPhuThuocDiaGioi": free}


def test_catalogue_ratios_and_eligibility_warning():
    tt = [tthc("T1", "toàn trình", 1, fee=1, pay=1, biz=1),
          tthc("T2", "một phần", 1, fee=1, pay=0, biz=1, pub=0),
          tthc("T3", "toàn trình", 0, free=0),  # not eligible: a warning, in neither count
          tthc("T4", "không", 0, biz=1)]
    res = one([], thu_tuc=tt)
    assert nd(res, "full_online_services") == (1, 2)
    assert nd(res, "published_on_time") == (3, 4)
    assert nd(res, "online_payment_deployed") == (1, 2)
    assert nd(res, "boundary_free") == (3, 4)
    assert nd(res, "business_online") == (2, 3)
    w = res.breakdowns["warnings"]
    assert list(w.loc[w["code"] == "full_online_not_eligible", "key"]) == ["T3"]
    # state: ytd = quarter
    assert nd(res, "full_online_services", "ytd") == (1, 2)


def test_state_indicators_ytd_is_latest_quarter():
    q1 = quarter(Q1, thu_tuc=[tthc("T1", "một phần", 1)],
                 bao_cao=[{"MaChiTieu": "VB_KY_SO", "TuSo": 50, "MauSo": 100, "DonViBaoCao": "VP"}])
    q2 = quarter(Q2, thu_tuc=[tthc("T1", "toàn trình", 1)])
    res = compute(q1, q2, qid=Q2)
    assert nd(res, "full_online_services", "ytd") == (1, 1)
    # Q2 has no bao_cao row → no data, even though Q1 had one
    r = row(res, "signed_docs", "ytd")
    assert r["status"] == "no_data" and pd.isna(r["numerator"])


# ------------------------------------------------------------ unit report
def test_unit_reports():
    bc = [{"MaChiTieu": "VB_KY_SO", "TuSo": 97, "MauSo": 100, "DonViBaoCao": "Văn phòng",
           "MinhChung": "Báo cáo số 12/BC-UBND"},
          {"MaChiTieu": "KHAC", "TuSo": 1, "MauSo": 1, "DonViBaoCao": "X"}]
    res = one([], bao_cao=bc)
    r = row(res, "signed_docs")
    assert (int(r["numerator"]), int(r["denominator"]), r["value"], r["status"]) == (97, 100, 97.0, "not_met")
    assert row(res, "signed_docs", "ytd")["value"] == 97.0
    ur = res.breakdowns["unit_reports"].set_index("id")
    assert ur.loc["signed_docs", "DonViBaoCao"] == "Văn phòng"
    assert ur.loc["signed_docs", "MinhChung"] == "Báo cáo số 12/BC-UBND"
    assert "KHAC" in set(res.breakdowns["warnings"]["key"])


def test_unit_report_zero_denominator_no_data():
    res = one([], bao_cao=[{"MaChiTieu": "VB_KY_SO", "TuSo": 0, "MauSo": 0, "DonViBaoCao": "VP"}])
    assert row(res, "signed_docs")["status"] == "no_data"


# ------------------------------------------------------------------ tasks
def test_tasks_and_counts():
    td = [{"MaNhiemVu": "I.01", "TrangThai": "hoan_thanh", "MinhChung": "KH 15", "DonViBaoCao": "VP"},
          {"MaNhiemVu": "II.01", "TrangThai": "dang_thuc_hien", "DonViBaoCao": "VP"},
          {"MaNhiemVu": "IX.99", "TrangThai": "hoan_thanh", "DonViBaoCao": "VP"}]
    res = one([], tien_do=td)
    t = res.breakdowns["tasks"].set_index("id")
    assert t.loc["I.01", "status"] == "hoan_thanh" and t.loc["I.02", "status"] == "chua_bao_cao"
    assert t.loc["I.01", "MinhChung"] == "KH 15"
    a = res.breakdowns["tasks_by_area"].set_index("area")
    assert (a.loc["I", "total"], a.loc["I", "hoan_thanh"], a.loc["I", "chua_bao_cao"]) == (2, 1, 1)
    assert a.loc["I", "share_completed"] == 50.0
    u = res.breakdowns["tasks_by_unit"].set_index("lead_unit")
    assert u.loc["Văn phòng HĐND-UBND", "total"] == 2
    assert "IX.99" in set(res.breakdowns["warnings"]["key"])


# ----------------------------------------------------------------- status
@pytest.mark.parametrize("v,t,d,expected", [
    (98.0, 98, ">=", "met"), (97.99, 98, ">=", "not_met"), (5.0, 5, "<=", "met"), (5.1, 5, "<=", "not_met"),
    (float("nan"), 98, ">=", "no_data"), (0.0, 98, ">=", "not_met"), (100.0, 98, ">=", "met"),
])
def test_status_by_direction(v, t, d, expected):
    assert status(v, t, d) == expected


def test_status_per_period_and_direction_in_table():
    p = plan([("on_time", "II", "Đúng hạn", 98, ">=", "dossiers", "on_time"),
              ("late_share", "II", "Trễ hạn (≤)", 60, "<=", "dossiers", "online_dossiers")])
    q1 = quarter(Q1, ho_so=[dossier("A", fin="2026-01-09 10:00")])
    q2 = quarter(Q2, ho_so=[dossier("B", tn="2026-04-02 08:00", due="2026-04-05 17:00", fin="2026-04-09 08:00",
                                    kenh=2)])
    res = compute(q1, q2, qid=Q2, p=p)
    assert row(res, "on_time")["status"] == "not_met" and row(res, "on_time", "ytd")["status"] == "not_met"
    assert row(res, "on_time", "ytd")["value"] == 50.0
    assert row(res, "late_share")["status"] == "not_met"  # 100 > 60
    assert row(res, "late_share", "ytd")["status"] == "met"  # 50 <= 60


def test_value_full_precision():
    res = one([dossier("A", fin="2026-01-09 10:00"), dossier("B", fin="2026-01-09 10:00"),
               dossier("C", fin="2026-01-19 10:00")])
    assert row(res, "on_time")["value"] == 200.0 / 3


# ---------------------------------------------------------- 766 and trend
def test_estimate_766():
    res = one([dossier("A", fin="2026-01-09 10:00", kenh=2), dossier("B", fin="2026-01-19 10:00")],
              thu_tuc=[tthc("T1", "toàn trình", 1)])
    e = res.estimate_766.set_index("group")
    assert list(res.estimate_766.columns) == ["group", "weight", "basis", "ratio", "score"]
    assert e["weight"].iloc[:-1].sum() == 100
    assert e.loc["Tiến độ giải quyết", "score"] == pytest.approx(10.0)
    assert e.loc["Dịch vụ công trực tuyến", "ratio"] == pytest.approx((0.5 + 1.0) / 2)
    assert e.loc["Công khai minh bạch", "score"] == pytest.approx(18.0)
    assert math.isnan(e.loc["Mức độ hài lòng", "score"])
    total = res.estimate_766.iloc[-1]
    assert total["score"] == pytest.approx(e["score"].iloc[:-1].sum())


def test_trend_long_table():
    q1 = quarter(Q1, ho_so=[dossier("A", fin="2026-01-09 10:00")])
    q2 = quarter(Q2, ho_so=[dossier("B", tn="2026-04-02 08:00", due="2026-04-05 17:00", fin="2026-04-09 08:00")])
    qs = {Q1: q1, Q2: q2}
    t = trend({q: compute_quarter(q, qs, plan()) for q in (Q2, Q1)})
    assert list(t.columns) == ["quarter", "id", "name_vi", "period", "value", "target", "direction", "status",
                               "judgement", "numerator", "denominator"]
    assert list(t["quarter"].unique()) == [Q1, Q2]
    ot = t[(t["id"] == "on_time") & (t["period"] == "ytd")]
    assert list(ot["value"]) == [100.0, 50.0]


def test_supplements_taken_from_latest_file_with_that_dossier():
    a1 = dossier("A", tn="2026-03-20 08:00", due="2026-04-10 17:00", fin=None, status=5)
    a2 = dossier("A", tn="2026-03-20 08:00", due="2026-04-10 17:00", fin="2026-04-12 17:00")
    q1 = quarter(Q1, ho_so=[a1], bo_sung=[sup("A", "2026-03-25 08:00")])
    # Q2's file has the completed request (3 days) → on time; Q1's open row is superseded
    q2 = quarter(Q2, ho_so=[a2], bo_sung=[sup("A", "2026-03-25 08:00", "2026-03-28 08:00")])
    assert nd(compute(q1, q2, qid=Q2), "on_time", "ytd") == (1, 1)
    # a Q2 file without bo_sung rows for A: A's requests come from Q1's file (open → runs until E)
    q2b = quarter(Q2, ho_so=[a2])
    assert nd(compute(q1, q2b, qid=Q2), "on_time") == (1, 1)


def test_catalogue_generic_flag_measure_and_unknown_measure():
    p = plan([("flag_rule", "II", "Cờ", 50, ">=", "catalogue", "CongKhaiDungHan"),
              ("mystery", "II", "?", 50, ">=", "dossiers", "no_such_measure")])
    res = compute(quarter(Q1, thu_tuc=[tthc("T1", "không", 0, pub=1), tthc("T2", "không", 0, pub=0)]), p=p)
    assert nd(res, "flag_rule") == (1, 2)
    assert row(res, "mystery")["status"] == "no_data"
    assert "mystery" in set(res.breakdowns["warnings"]["key"])


def test_missing_due_date_is_late_and_warned():
    res = one([dossier("A", due=None, fin="2026-01-09 10:00"), dossier("B", fin="2026-01-09 10:00")])
    assert nd(res, "on_time") == (1, 2)
    assert "missing_due_date" in set(res.breakdowns["warnings"]["code"])
