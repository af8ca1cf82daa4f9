"""PAKN by domain and outcome, median days to resolve, topics (cchc/feedback.py):
small numbers hidden, no single complaint's words published."""
from __future__ import annotations

import numpy as np
import pandas as pd

from cchc.feedback import ALL, OTHER_TOPICS, feedback_by_domain, feedback_topics
from cchc.indicators.core import Bounds
from cchc.indicators.others import feedback_eval
from cchc.periods import quarter_period


def _pa(n_land=6, n_civil=2):
    rows = []
    for i in range(n_land):   # received Mon 6/7, resolved i+1 working days later, due 10 days later
        done = pd.Timestamp("2026-07-06 09:00") + pd.offsets.BDay(i + 1)
        rows.append({"MaPAKN": f"L{i}", "NgayTiepNhan": pd.Timestamp("2026-07-06 08:00"),
                     "HanXuLy": pd.Timestamp("2026-07-10 23:59:59") if i < 4 else pd.Timestamp("2026-07-08 23:59:59"),
                     "NgayXuLy": done, "HaiLong": 1, "LinhVuc": "Đất đai", "ChuDe": "Chậm trả kết quả"})
    for i in range(n_civil):
        rows.append({"MaPAKN": f"C{i}", "NgayTiepNhan": pd.Timestamp("2026-09-25 08:00"),
                     "HanXuLy": pd.Timestamp("2026-10-20 23:59:59"), "NgayXuLy": pd.NaT, "HaiLong": pd.NA,
                     "LinhVuc": "Hộ tịch", "ChuDe": f"Ông Nguyễn Văn {i} phản ánh riêng"})
    df = pd.DataFrame(rows)
    df["HaiLong"] = df["HaiLong"].astype("Int64")
    return df


def _ev(pa):
    return feedback_eval(pa, np.ones(len(pa), bool), Bounds.of(quarter_period("2026Q3")))


def test_by_domain_outcomes_and_small_numbers():
    pa = _pa()
    out = feedback_by_domain(pa, _ev(pa), "quarter").set_index("LinhVuc")
    land = out.loc["Đất đai"]
    assert (land["in_scope"], land["resolved_on_time"], land["resolved_late"], land["open"]) == (6, 4, 2, 0)
    assert land["median_days"] == 3.5 and not land["suppressed"]        # 1..6 working days
    civil = out.loc["Hộ tịch"]
    assert civil["suppressed"] and civil["open"] == 2 and np.isnan(civil["median_days"])
    assert out.loc[ALL, "in_scope"] == 8


def test_topics_never_name_a_single_complaint():
    pa = _pa()
    out = feedback_topics(pa, _ev(pa), "ytd")
    assert out.to_dict("records") == [{"period": "ytd", "ChuDe": "Chậm trả kết quả", "count": 6},
                                      {"period": "ytd", "ChuDe": OTHER_TOPICS, "count": 2}]
    assert not any("Nguyễn" in str(t) for t in out["ChuDe"])


def test_topics_absent_column_gives_empty_table():
    pa = _pa().drop(columns=["ChuDe"])
    assert feedback_topics(pa, _ev(pa), "quarter").empty
