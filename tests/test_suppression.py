"""Issue 10, item 5: survey and feedback figures of fewer than 5 responses
are never published, and the year-to-date rows do not reveal a suppressed
quarter by subtraction (cchc/suppression.py)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from cchc import suppression
from cchc.indicators import compute_quarter
from indicator_helpers import plan, quarter

Q1, Q2, Q3 = "2026Q1", "2026Q2", "2026Q3"


def phieu(code, day, overall, **f):
    return {"MaPhieu": code, "NgayKhaoSat": day, "HaiLongChung": overall, **f}


def pakn(code, tn, due, done=None, hl=None):
    return {"MaPAKN": code, "NgayTiepNhan": tn, "HanXuLy": due, "NgayXuLy": done, "HaiLong": hl}


def H(q, y):
    return suppression.Hidden(quarter=q, ytd=y)


@pytest.mark.parametrize("qd, yd, expected", [
    ([10, 10], [10, 20], [H(False, False), H(False, False)]),
    ([3], [3], [H(True, True)]),
    # 3 forms in Q1: Q1 and its year-to-date hidden; Q2 hidden too, else Q2's ytd − Q2 = Q1
    ([3, 10, 10], [3, 13, 23], [H(True, True), H(True, False), H(False, False)]),
    # 3 forms in Q2: its ytd − Q1's ytd would give Q2
    ([10, 3, 10], [10, 13, 23], [H(False, False), H(True, True), H(True, False)]),
    ([0, 0], [0, 0], [H(False, False), H(False, False)]),
    ([3, 1, 10], [3, 4, 14], [H(True, True), H(True, True), H(True, False)]),
])
def test_plan_suppression(qd, yd, expected):
    assert suppression.plan_suppression(qd, yd) == expected


def _no_subtraction_reveals(qd, yd, hidden):
    """Brute force: for every published ytd and every anchor (0 or an earlier
    published ytd) the hidden quarters in between sum to 0 or >= 5."""
    for j in range(len(qd)):
        if hidden[j].ytd:
            continue
        for a in [-1] + [i for i in range(j) if not hidden[i].ytd]:
            s = sum(qd[i] for i in range(a + 1, j + 1) if hidden[i].quarter)
            assert s == 0 or s >= 5, (qd, j, a)
        assert not 0 < yd[j] < 5


@pytest.mark.parametrize("qd", [[3, 7, 2, 9], [1, 1, 1, 1], [4, 0, 6, 3], [12, 2, 0, 4], [0, 3, 3, 30]])
def test_plan_suppression_never_leaks(qd):
    yd = [sum(qd[:i + 1]) for i in range(len(qd))]
    hidden = suppression.plan_suppression(qd, yd)
    for q, h in zip(qd, hidden):
        assert h.quarter or not 0 < q < 5
    _no_subtraction_reveals(qd, yd, hidden)


def _results(quarters):
    qs = {q.quarter: q for q in quarters}
    p = plan()
    return suppression.apply({q: compute_quarter(q, qs, p) for q in qs}, p), p


def _row(res, tid, period):
    df = res.indicators
    return df[(df["id"] == tid) & (df["period"] == period)].iloc[0]


def test_three_survey_forms_reveal_nothing():
    q1 = quarter(Q1, khao_sat=[phieu(f"A{i}", "2026-02-01", 2 + i % 4, TiepCan=4) for i in range(10)])
    q2 = quarter(Q2, khao_sat=[phieu(f"B{i}", "2026-05-01", 5, TiepCan=5) for i in range(3)])
    res, _ = _results([q1, q2])
    for period in ("quarter", "ytd"):
        r = _row(res[Q2], "satisfaction", period)
        assert r["status"] == "suppressed"
        assert pd.isna(r["numerator"]) and pd.isna(r["denominator"]) and math.isnan(r["value"])
    ytd = _row(res[Q2], "satisfaction", "ytd")
    assert ytd["judgement"] == "suppressed" and math.isnan(ytd["required"])
    w = res[Q2].breakdowns["warnings"]
    assert not ((w["code"] == "missing_explanation") & (w["key"] == "satisfaction")).any()
    assert _row(res[Q1], "satisfaction", "ytd")["status"] != "suppressed"
    sf = res[Q2].breakdowns["survey_factors"]
    sf = sf[sf["n"] > 0]
    assert len(sf) == 4 and sf["suppressed"].all() and sf["value"].isna().all() and sf["satisfied"].isna().all()
    est = res[Q2].estimate_766.set_index("group")
    assert math.isnan(est.loc["Mức độ hài lòng", "score"])
    assert "không công bố" in est.loc["Mức độ hài lòng", "basis"]
    # the total no longer contains the hidden group's score
    groups = est.iloc[:-1]
    if groups["score"].notna().any():
        assert est.iloc[-1]["score"] == pytest.approx(groups["score"].dropna().sum())
    else:
        assert math.isnan(est.iloc[-1]["score"])


def test_small_feedback_group_is_blank_in_indicators_and_breakdown():
    q1 = quarter(Q1, phan_anh=[pakn("P1", "2026-01-05", "2026-01-20", "2026-01-10", 1),
                               pakn("P2", "2026-01-06", "2026-01-20", "2026-01-30", 1)])
    res, _ = _results([q1])
    r = _row(res[Q1], "feedback_on_time", "quarter")
    assert r["status"] == "suppressed" and pd.isna(r["numerator"])
    fb = res[Q1].breakdowns["feedback"]
    assert fb[["in_scope", "on_time", "late", "resolved", "rated", "satisfied"]].isna().all().all()
    assert fb["on_time_value"].isna().all() and fb["satisfied_value"].isna().all()
    assert (fb["received"] == 2).all()  # a plain count of PAKN received is not a measure of people


def test_large_groups_are_untouched():
    q1 = quarter(Q1, khao_sat=[phieu(f"A{i}", "2026-02-01", 4) for i in range(6)])
    qs = {Q1: q1}
    raw = compute_quarter(Q1, qs, plan())
    out = suppression.apply({Q1: raw}, plan())[Q1]
    pd.testing.assert_frame_equal(out.indicators, raw.indicators)
    assert out is not raw


# ------------------------------------------------------------ through pipeline.py build
def test_pipeline_three_survey_forms_nowhere(tmp_path):
    import csv
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from cchc import sample

    root = Path(__file__).resolve().parent.parent
    data = tmp_path / "data"
    sample.generate(data, seed=5, quarters=[Q1, Q2], dossiers_per_quarter=120, xlsx_quarter=None)
    path = data / Q2 / "khao_sat.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    rows = [line.rsplit(",", 6)[0] + ",5,5,5,5,5,5" for line in lines[1:4]]
    path.write_text("\ufeff" + "\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    site = tmp_path / "site"
    env = {**os.environ, "CCHC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONWARNINGS": "ignore"}
    r = subprocess.run([sys.executable, str(root / "pipeline.py"), "build", "--data", str(data), "--site", str(site),
                        "--jobs", "2"], capture_output=True, text=True, env=env, timeout=900, cwd=root)
    assert r.returncode == 0, r.stdout + r.stderr

    def published(q):
        with open(site / "data" / q / "indicators.csv", encoding="utf-8-sig", newline="") as f:
            return {(x["id"], x["period"]): x for x in csv.DictReader(f)}

    ind1, ind2 = published(Q1), published(Q2)
    for period in ("quarter", "ytd"):
        x = ind2[("satisfaction", period)]
        assert (x["numerator"], x["denominator"], x["value"], x["status"]) == ("", "", "", "suppressed")
    # nothing lets a reader subtract Q1 from Q2's year-to-date: only one of them is published
    y1 = ind1[("satisfaction", "ytd")]
    assert y1["denominator"] != ""
    with open(site / "data" / Q2 / "indicators.json", encoding="utf-8") as f:
        j = json.load(f)
    rows_json = j if isinstance(j, list) else next(v for v in j.values() if isinstance(v, list))
    for x in rows_json:
        if x["id"] == "satisfaction":
            assert x["numerator"] is None and x["value"] is None and x["status"] == "suppressed"
    with open(site / "data" / Q2 / "survey_factors.csv", encoding="utf-8-sig", newline="") as f:
        for x in csv.DictReader(f):
            if x["n"] not in ("", "0"):
                assert x["value"] == "" and x["satisfied"] == "", x
    with open(site / "data" / Q2 / "estimate_766.csv", encoding="utf-8-sig", newline="") as f:
        est = {x["group"]: x for x in csv.DictReader(f)}
    assert est["Mức độ hài lòng"]["score"] == "" and est["Mức độ hài lòng"]["ratio"] == ""
    page = (site / Q2 / "index.html").read_text(encoding="utf-8")
    assert 'data-indicator="satisfaction" data-period="ytd" data-value=""' in page
    survey = (site / Q2 / "hai-long.html").read_text(encoding="utf-8")
    assert "Không công bố (nhóm dưới 5)" in survey and "100,0%" not in survey.split('id="pakn"')[0]
    # the quarterly report (DOCX) publishes the same blanked figures as the pages
    from report_helpers import appendix_figures

    name = next(x["name_vi"] for x in rows_json if x["id"] == "satisfaction")
    for row in appendix_figures(site / Q2 / f"bao-cao-cchc-{Q2}.docx", name):
        assert row[3:6] == ["—", "—", "—"], row
    assert appendix_figures(site / Q2 / f"bao-cao-cchc-{Q2}.docx", name)[1][7] == "Không công bố (nhóm dưới 5)"
    # the search index (Pagefind, decoded record by record) is built from the same pages
    from cchc.render.search import read_index

    records = [r for r in read_index(site) if f"{Q2}/hai-long" in r["url"]]
    assert len(records) == 1, [r["url"] for r in read_index(site)]
    before_pakn = records[0]["content"].split("Phản ánh, kiến nghị (PAKN)")[0]
    assert "Không công bố" in before_pakn and "100,0%" not in before_pakn


def test_trend_pages_keep_a_quarter_whose_figures_are_all_blank():
    """A quarter with only small (suppressed) groups has no value to show: the
    trend pages still draw it, as a column of blanks, instead of failing."""
    from cchc import pages
    from cchc.context import SiteContext
    from cchc.plan import PLAN_DIR, load_plan
    from cchc.periods import quarter_label_vi

    pl = load_plan(PLAN_DIR)
    q1 = quarter(Q1, khao_sat=[phieu(f"A{i}", "2026-02-01", 4) for i in range(3)],
                 phan_anh=[pakn("P1", "2026-01-05", "2026-01-20", "2026-01-10", 1)])
    q2 = quarter(Q2, khao_sat=[phieu(f"B{i}", "2026-05-01", 4) for i in range(8)])
    qs = {Q1: q1, Q2: q2}
    res = suppression.apply({q: compute_quarter(q, qs, pl) for q in qs}, pl)
    assert res[Q1].indicators["value"].isna().all()
    ctx = SiteContext(quarters=[Q1, Q2], manifests={q: qs[q].manifest for q in qs}, results=res, quality={},
                      plan=pl, quarter_pages=[], commit="test")
    html = str(pages.trends(ctx))
    assert quarter_label_vi(Q1) in html and quarter_label_vi(Q2) in html
    assert str(pages.trends_detail(ctx))
