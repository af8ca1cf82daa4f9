"""Hand-made typed frames for the indicator tests (dtypes as the loader produces them)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from cchc import contract
from cchc.model import Manifest, Plan, QuarterData, Table, dtype_for


def frame(name: str, rows: list[dict] | None = None, **cols) -> pd.DataFrame:
    """A typed frame of input ``name``: ``rows`` (list of dicts) or ``cols`` (column -> list).
    Missing columns are all-NA; date strings are parsed to datetime64[ns]."""
    spec = contract.columns(name)
    if rows is not None:
        n = len(rows)
        data = {c: [r.get(c) for r in rows] for c in spec}
    else:
        n = max((len(v) for v in cols.values()), default=0)
        data = {c: list(cols.get(c, [None] * n)) for c in spec}
    out = {}
    for c, s in spec.items():
        dt = dtype_for(s["type"])
        vals = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in data[c]]
        if dt.startswith("datetime"):
            out[c] = pd.Series(pd.to_datetime(pd.Series(vals, dtype=object), format="ISO8601"), dtype="datetime64[ns]") if n else pd.Series([], dtype="datetime64[ns]")
        else:
            out[c] = pd.Series(vals, dtype=dt)
    return pd.DataFrame(out)


def quarter(qid: str, cutoff: date | None = None, **frames) -> QuarterData:
    tables = {}
    for name, df in frames.items():
        if not isinstance(df, pd.DataFrame):
            df = frame(name, df)
        tables[name] = Table(name=name, path=Path(f"{name}.csv"), df=df, raw=None,
                             row_numbers=np.arange(len(df)) + 2)
    return QuarterData(quarter=qid, manifest=Manifest(quarter=qid, cutoff=cutoff), tables=tables)


TARGET_COLUMNS = ["id", "area", "name_vi", "target", "direction", "unit", "source", "measure", "headline",
                  "plan_ref", "plan_sentence", "note"]

STANDARD_TARGETS = [
    ("on_time", "II", "Tỷ lệ hồ sơ giải quyết đúng hạn", 98, ">=", "dossiers", "on_time"),
    ("online_dossiers", "II", "Tỷ lệ hồ sơ trực tuyến", 80, ">=", "dossiers", "online_dossiers"),
    ("online_payment", "II", "Tỷ lệ thanh toán trực tuyến", 80, ">=", "dossiers", "online_payment"),
    ("digitized_dossiers", "II", "Tỷ lệ số hóa hồ sơ", 100, ">=", "dossiers", "digitized_dossiers"),
    ("e_results", "II", "Tỷ lệ cấp kết quả điện tử", 100, ">=", "dossiers", "e_results"),
    ("data_reuse", "II", "Tỷ lệ tái sử dụng dữ liệu", 80, ">=", "dossiers", "data_reuse"),
    ("feedback_on_time", "II", "PAKN xử lý đúng hạn", 100, ">=", "feedback", "feedback_on_time"),
    ("satisfaction", "II", "Mức độ hài lòng", 95, ">=", "survey", "satisfaction"),
    ("full_online_services", "II", "DVC toàn trình", 90, ">=", "catalogue", "full_online_services"),
    ("published_on_time", "II", "TTHC công khai đúng hạn", 100, ">=", "catalogue", "CongKhaiDungHan"),
    ("online_payment_deployed", "II", "TTHC có phí triển khai TTTT", 90, ">=", "catalogue", "online_payment_deployed"),
    ("boundary_free", "II", "TTHC không phụ thuộc địa giới", 100, ">=", "catalogue", "KhongPhuThuocDiaGioi"),
    ("business_online", "II", "TTHC liên quan DN trực tuyến", 100, ">=", "catalogue", "business_online"),
    ("signed_docs", "VI", "Văn bản ký số", 100, ">=", "unit_report", "VB_KY_SO"),
]


def targets(rows=STANDARD_TARGETS) -> pd.DataFrame:
    recs = []
    for r in rows:
        tid, area, name, tgt, direction, source, measure = r
        recs.append({"id": tid, "area": area, "name_vi": name, "target": tgt, "direction": direction, "unit": "%",
                     "source": source, "measure": measure, "headline": 1, "plan_ref": "", "plan_sentence": "",
                     "note": ""})
    return pd.DataFrame(recs, columns=TARGET_COLUMNS)


TASK_COLUMNS = ["id", "area", "area_name", "objective_no", "objective", "task", "activity", "product",
                "lead_unit", "cooperating_units", "timing"]


def tasks(rows=None) -> pd.DataFrame:
    rows = rows or [
        ("I.01", "I", "Cải cách thể chế", "Văn phòng HĐND-UBND"),
        ("I.02", "I", "Cải cách thể chế", "Phòng Kinh tế"),
        ("II.01", "II", "Cải cách TTHC", "Văn phòng HĐND-UBND"),
    ]
    recs = [{"id": i, "area": a, "area_name": an, "objective_no": "1", "objective": "", "task": "", "activity": "",
             "product": "", "lead_unit": lu, "cooperating_units": "", "timing": "Cả năm"} for i, a, an, lu in rows]
    return pd.DataFrame(recs, columns=TASK_COLUMNS).astype("string")


def plan(target_rows=STANDARD_TARGETS, task_rows=None) -> Plan:
    return Plan(targets=targets(target_rows), tasks=tasks(task_rows))


def dossier(code: str, tn: str | None = "2026-01-05 08:00", due: str | None = "2026-01-10 17:00",
            fin: str | None = None, status: int = 10, kenh: int | None = 1, **kw) -> dict:
    """One ho_so row with sensible defaults."""
    r = {"MaHoSo": code, "MaTTHC": kw.pop("MaTTHC", "P1"), "TenTTHC": kw.pop("TenTTHC", "Thủ tục 1"),
         "MaLinhVuc": kw.pop("MaLinhVuc", "D1"), "TenLinhVuc": kw.pop("TenLinhVuc", "Hộ tịch"),
         "KenhThucHien": kenh, "NgayTiepNhan": tn, "NgayHenTra": due, "NgayKetThucXuLy": fin,
         "TrangThaiHoSo": status, "CoNghiaVuTaiChinh": 0, "DuocThanhToanTrucTuyen": 0,
         "HoSoCoThanhPhanSoHoa": 1, "CoKetQuaDienTu": 1, "CoTaiSuDungDuLieu": 0}
    r.update(kw)
    return r
