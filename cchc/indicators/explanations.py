"""Explanations of missed or at-risk targets (input ``giai_trinh``).

Each quarter may carry ``giai_trinh.csv``/``.xlsx`` (contract:
``cchc/contract/inputs.yaml``): per target id (``MaChiTieu`` = the ``id`` of
``data/plan/targets.csv``) the cause (``NguyenNhan``), the action
(``GiaiPhap``), the responsible unit (``DonViChuTri``) and the deadline
(``ThoiHan``). An unknown ``MaChiTieu`` is a validation error
(``unknown_target``), checked before anything is computed.

``explanations_table(giai_trinh, indicators) -> (DataFrame, warnings)``
    the table ``id, cause, action, unit, deadline`` (one row per target id of
    the plan, the last row winning; ``deadline`` a ``datetime.date`` or None)
    and one ``missing_explanation`` warning per target whose year-to-date
    judgement calls for an explanation (not met, at risk, unreachable) and
    has none.
"""
from __future__ import annotations

import pandas as pd

from .. import fmt
from .ontrack import NEEDS_EXPLANATION

EXPLANATION_COLUMNS = ["id", "cause", "action", "unit", "deadline"]
_SOURCE = {"MaChiTieu": "id", "NguyenNhan": "cause", "GiaiPhap": "action", "DonViChuTri": "unit",
           "ThoiHan": "deadline"}
MISSING_VI = "Chưa có giải trình"


def _text(x) -> str | None:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    s = str(x).strip()
    return s or None


def explanations_table(giai_trinh: pd.DataFrame, indicators: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    ids = list(dict.fromkeys(indicators["id"].astype(str)))
    rows: dict[str, dict] = {}
    if giai_trinh is not None and len(giai_trinh):
        for r in giai_trinh.to_dict("records"):
            tid = _text(r.get("MaChiTieu"))
            if tid is None or tid not in ids:
                continue
            d = r.get("ThoiHan")
            rows[tid] = {"id": tid, "cause": _text(r.get("NguyenNhan")), "action": _text(r.get("GiaiPhap")),
                         "unit": _text(r.get("DonViChuTri")),
                         "deadline": None if d is None or pd.isna(d) else pd.Timestamp(d).date()}
    out = pd.DataFrame([rows[i] for i in ids if i in rows], columns=EXPLANATION_COLUMNS)
    for c in ("id", "cause", "action", "unit"):
        out[c] = out[c].astype("string")
    out["deadline"] = out["deadline"].astype(object)
    warnings = []
    ytd = indicators[indicators["period"] == "ytd"]
    for r in ytd.to_dict("records"):
        code = r.get("judgement")
        if isinstance(code, str) and code in NEEDS_EXPLANATION and str(r["id"]) not in rows:
            warnings.append({"code": "missing_explanation", "source": "giai_trinh", "key": str(r["id"]),
                             "message_vi": f"{MISSING_VI}: chỉ tiêu “{r['name_vi']}” được đánh giá "
                                           f"“{fmt.judgement_vi(code)}” nhưng tệp giai_trinh không có dòng "
                                           f"MaChiTieu = {r['id']}"})
    return out, warnings
