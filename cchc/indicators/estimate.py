"""Ước tính (unofficial) of the Bộ chỉ số 766 group scores from the ward's own data.

Method (quoted by the methodology page; the official score is computed by the
National Public Service Portal — this is **an unofficial estimate**, "ước tính"):

* period: year-to-date (1 January → quarter end or provisional cut-off);
* every group score = weight × ratio, ratio ∈ [0, 1] being the indicator
  value ÷ 100 (the mean of several indicator values where the group has
  several), weights as the portal publishes them (total 100):

  ============================  ======  ==============================================
  group                         weight  ratio
  ============================  ======  ==============================================
  Công khai minh bạch           18      published_on_time (TTHC công khai đúng hạn)
  Tiến độ giải quyết            20      on_time (hồ sơ giải quyết đúng hạn)
  Dịch vụ công trực tuyến       12      mean(online_dossiers, full_online_services)
  Thanh toán trực tuyến         10      online_payment
  Mức độ số hóa                 22      mean(digitized_dossiers, e_results, data_reuse)
  Mức độ hài lòng               18      satisfaction (phiếu khảo sát ≥ 4/5)
  ============================  ======  ==============================================

* an indicator without data (zero denominator) is left out of its group's
  mean; a group without any data has no ratio and no score;
* total row: the sum of the group scores that have data; its ``ratio`` is
  that sum ÷ the sum of those groups' weights, and its ``basis`` names the
  groups left out. The total is therefore comparable with 100 only when no
  group is missing.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .core import value

GROUPS = [
    ("Công khai minh bạch", 18, ("published_on_time",), "tỷ lệ thủ tục hành chính công khai đúng hạn"),
    ("Tiến độ giải quyết", 20, ("on_time",), "20 × tỷ lệ hồ sơ giải quyết đúng hạn"),
    ("Dịch vụ công trực tuyến", 12, ("online_dossiers", "full_online_services"),
     "trung bình của tỷ lệ hồ sơ nộp trực tuyến và tỷ lệ dịch vụ công trực tuyến toàn trình"),
    ("Thanh toán trực tuyến", 10, ("online_payment",), "tỷ lệ hồ sơ thanh toán trực tuyến"),
    ("Mức độ số hóa", 22, ("digitized_dossiers", "e_results", "data_reuse"),
     "trung bình của tỷ lệ số hóa hồ sơ, cấp kết quả điện tử và tái sử dụng dữ liệu"),
    ("Mức độ hài lòng", 18, ("satisfaction",), "tỷ lệ phiếu khảo sát hài lòng (4 hoặc 5 điểm)"),
]
TOTAL = "Tổng điểm ước tính (không chính thức)"
COLUMNS = ["group", "weight", "basis", "ratio", "score"]


def estimate_766(measures: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """``measures``: indicator id -> (numerator, denominator), year-to-date."""
    rows = []
    for group, weight, ids, basis in GROUPS:
        vals = [value(*measures[i]) for i in ids if i in measures]
        vals = [v for v in vals if not math.isnan(v)]
        ratio = float(np.mean(vals)) / 100.0 if vals else float("nan")
        missing = [i for i in ids if i not in measures or math.isnan(value(*measures[i]))]
        b = basis + (f"; thiếu dữ liệu {len(missing)} chỉ tiêu" if missing and vals else "")
        if not vals:
            b = basis + "; không có dữ liệu"
        rows.append({"group": group, "weight": weight, "basis": b, "ratio": ratio, "score": weight * ratio})
    df = pd.DataFrame(rows)
    have = df["ratio"].notna()
    w = float(df.loc[have, "weight"].sum())
    total = float(df.loc[have, "score"].sum()) if have.any() else float("nan")
    left = df.loc[~have, "group"].tolist()
    basis = "tổng điểm các nhóm có dữ liệu" + (f"; thiếu nhóm: {', '.join(left)}" if left else "")
    rows.append({"group": TOTAL, "weight": 100, "basis": basis,
                 "ratio": total / w if w else float("nan"), "score": total})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out["weight"] = out["weight"].astype(np.int64)
    return out
