"""Public downloads: quarter tables as CSV/JSON and their descriptions (:class:`Resource`).

What is published (docs/data-contract.md, "Outputs"), under ``site/data/``::

    <YYYYQn>/indicators.csv      one row per target id and period
    <YYYYQn>/indicators.json     the same rows as a JSON array of objects
    <YYYYQn>/<breakdown>.csv     one per aggregate breakdown (by_domain.csv, …)
    <YYYYQn>/estimate_766.csv    the unofficial 766 group-score estimate
    datapackage.json             Frictionless Data Package of every file above
                                 (written and validated by :mod:`cchc.datapackage`)

Aggregates only: "No dossier-level, feedback-level or survey-level row is
ever published." The writers refuse a column whose name is a personal-data
column of the contract (or one of its display names) or a row-level id
(``MaHoSo``, ``MaPAKN``, ``MaPhieu``).

CSV files are written for both people (Excel) and machines:

- UTF-8 **with BOM** so that Excel shows Vietnamese; comma separated;
  ``\\r\\n`` line ends (RFC 4180) everywhere; minimal quoting.
- Numbers stay numbers: integers without ``.0``; floats with full precision
  (``repr``: ``97.12345678901234``); ``.`` decimal point; no thousands
  separators. Missing -> empty cell. Booleans -> ``true`` / ``false``.
- Text cells that a spreadsheet would run as a formula (starting with
  ``= + - @``, a tab or a carriage return, or their full-width forms) get a
  leading ``'`` (:func:`neutralise`). Which cells are text is decided per
  column from its dtype, so a negative number in a numeric column is left
  alone.
- Same frame -> same bytes.

Survey breakdowns carry a ``suppressed`` flag (fewer than 5 responses): in
those rows every numeric measure is blanked; labels, the flag and the
response count (``n`` / ``denominator`` …, see :data:`SUPPRESSION_KEEP`)
stay.

A breakdown frame may document itself through ``DataFrame.attrs``:
``title_vi``, ``description_vi`` and ``fields_vi`` (column -> Vietnamese
description); otherwise built-in descriptions (and the contract's
``label_vi`` for contract columns) are used.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from . import contract
from .periods import parse_quarter

__all__ = [
    "Field", "Resource", "neutralise", "check_publishable", "table_fields",
    "write_table_csv", "write_table_json", "write_table", "write_quarter_downloads",
    "write_validation_download", "write_file", "INDICATOR_COLUMNS", "ROW_ID_COLUMNS", "CSV_ENCODING",
    "LINE_TERMINATOR",
]

CSV_ENCODING = "utf-8-sig"
LINE_TERMINATOR = "\r\n"

#: The published indicators table, in this column order (docs/data-contract.md).
INDICATOR_COLUMNS = ("id", "name_vi", "area", "period", "numerator", "denominator",
                     "value", "target", "direction", "status", "judgement", "required")

#: Row-level ids: a table holding one of them is a row-level table.
ROW_ID_COLUMNS = ("MaHoSo", "MaPAKN", "MaPhieu")

#: First characters that make a spreadsheet treat a text cell as a formula
#: (OWASP "CSV injection"), plus their full-width forms.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: Numeric columns kept in suppressed rows (counts, the target); every other
#: numeric column of a suppressed row is blanked.
SUPPRESSION_KEEP = frozenset({"n", "count", "responses", "so_phieu", "denominator", "target",
                              "year", "quarter", "weight", "max_points"})

#: Numeric columns that are counts: written as integers when their values
#: allow it (a float column because of NaN still gives ``12``, not ``12.0``).
INTEGER_COLUMNS = frozenset({"numerator", "denominator", "n", "count", "responses", "satisfied",
                             "total", "on_time", "late", "finished_on_time", "finished_late",
                             "in_progress_on_time", "in_progress_within_deadline", "in_progress_overdue",
                             "received", "finished", "in_scope", "online", "resolved", "unresolved",
                             "rated", "supplement_requests", "dossiers_with_supplements", "weight",
                             "chua_trien_khai", "dang_thuc_hien", "hoan_thanh", "chua_bao_cao",
                             "TuSo", "MauSo", "KenhThucHien", "objective_no", "so_phieu", "year"})

# Vietnamese descriptions of the columns the pipeline publishes. Breakdowns may
# add their own through ``df.attrs["fields_vi"]``.
FIELD_DOCS_VI: dict[str, str] = {
    "id": "Mã chỉ tiêu (theo data/plan/targets.csv)",
    "name_vi": "Tên chỉ tiêu",
    "area": "Nội dung cải cách theo Kế hoạch (I–VII)",
    "period": "Kỳ tính: quarter = trong quý, ytd = lũy kế từ đầu năm",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "value": "Giá trị (%) = 100 × tử số ÷ mẫu số, độ chính xác đầy đủ; trống khi không có dữ liệu",
    "target": "Chỉ tiêu Kế hoạch năm 2026 (%)",
    "direction": "Chiều so sánh với chỉ tiêu: >= (không thấp hơn), <= (không cao hơn)",
    "status": ("So sánh giá trị với chỉ tiêu (cả kỳ quý và lũy kế): met = đạt mức chỉ tiêu, not_met = chưa "
               "đạt mức chỉ tiêu, no_data = không có dữ liệu, suppressed = không công bố vì nhóm dưới 5 phiếu/phản "
               "ánh (tử số, mẫu số, giá trị để trống)"),
    "judgement": ("Đánh giá chỉ tiêu năm (chỉ ở dòng lũy kế): on_track = đang đạt, at_risk = cần cố gắng, "
                  "unreachable = không còn khả năng đạt (khi năm chưa kết thúc); met = đạt, not_met = chưa "
                  "đạt (khi đã có số liệu chính thức cả năm); no_data = không có dữ liệu; suppressed = không công "
                  "bố (nhóm dưới 5)"),
    "required": ("Mức (%) cần đạt trong thời gian còn lại của năm để đạt chỉ tiêu năm (chỉ ở dòng lũy kế, "
                 "khi năm chưa kết thúc)"),
    "n": "Số lượng (phiếu, hồ sơ…) được tính",
    "count": "Số lượng",
    "responses": "Số phiếu khảo sát",
    "satisfied": "Số phiếu hài lòng (mức 4–5)",
    "suppressed": "true = dưới 5 phiếu, số liệu bị ẩn để bảo vệ người trả lời",
    "total": "Tổng số",
    "on_time": "Số đúng hạn",
    "late": "Số trễ hạn",
    "received": "Số hồ sơ tiếp nhận",
    "finished": "Số hồ sơ đã giải quyết xong",
    "finished_on_time": "Số hồ sơ giải quyết trước hạn, đúng hạn",
    "finished_late": "Số hồ sơ giải quyết quá hạn",
    "in_progress_on_time": "Số hồ sơ đang giải quyết trong hạn",
    "in_progress_overdue": "Số hồ sơ đang giải quyết quá hạn",
    "quarter": "Quý (YYYYQn)",
    "domain": "Lĩnh vực thủ tục hành chính",
    "channel": "Kênh nộp hồ sơ",
    "factor": "Yếu tố đánh giá (SIPAS)",
    "group": "Nhóm chỉ số",
    "weight": "Trọng số (điểm tối đa)",
    "max_points": "Điểm tối đa",
    "points": "Điểm ước tính",
    "score": "Điểm ước tính",
    "ratio": "Tỷ lệ dùng để ước tính (0–1)",
    "method": "Cách ước tính",
    "note": "Ghi chú",
    "label_vi": "Tên (tiếng Việt)",
    "in_scope": "Số hồ sơ thuộc phạm vi tính đúng hạn",
    "in_progress_within_deadline": "Số hồ sơ đang giải quyết, còn trong hạn",
    "online": "Số hồ sơ nộp trực tuyến",
    "online_value": "Tỷ lệ hồ sơ nộp trực tuyến (%)",
    "on_time_value": "Tỷ lệ giải quyết đúng hạn (%)",
    "finished_on_time_value": "Tỷ lệ hồ sơ đã giải quyết xong đúng hạn (%)",
    "satisfied_value": "Tỷ lệ hài lòng (%)",
    "share": "Tỷ trọng (%)",
    "share_completed": "Tỷ lệ nhiệm vụ hoàn thành (%)",
    "TenKenh": "Tên kênh nộp",
    "month": "Tháng (YYYY-MM)",
    "processing_days_median": "Số ngày giải quyết (trung vị, ngày lịch)",
    "processing_days_mean": "Số ngày giải quyết (trung bình, ngày lịch)",
    "supplement_requests": "Số lần yêu cầu bổ sung",
    "dossiers_with_supplements": "Số hồ sơ có yêu cầu bổ sung",
    "resolved": "Số phản ánh, kiến nghị đã xử lý xong",
    "unresolved": "Số phản ánh, kiến nghị chưa xử lý xong",
    "rated": "Số phản ánh, kiến nghị có đánh giá hài lòng",
    "rule_vi": "Quy tắc tính",
    "reported": "Đơn vị đã báo cáo (true/false)",
    "basis": "Cơ sở ước tính",
    "area_name": "Tên nội dung cải cách",
    "objective_no": "Số thứ tự mục tiêu",
    "objective": "Mục tiêu",
    "task": "Nhiệm vụ",
    "activity": "Hoạt động",
    "product": "Kết quả, sản phẩm",
    "lead_unit": "Đơn vị chủ trì",
    "cooperating_units": "Đơn vị phối hợp",
    "timing": "Thời gian thực hiện",
    "chua_trien_khai": "Số nhiệm vụ chưa triển khai",
    "dang_thuc_hien": "Số nhiệm vụ đang thực hiện",
    "hoan_thanh": "Số nhiệm vụ hoàn thành",
    "chua_bao_cao": "Số nhiệm vụ chưa có báo cáo",
    "code": "Mã cảnh báo",
    "source": "Nguồn dữ liệu",
    "key": "Mã đối tượng liên quan (thủ tục, chỉ tiêu, nhiệm vụ)",
    "message_vi": "Nội dung",
}

# Per-table overrides where a column name means something else than in FIELD_DOCS_VI.
TABLE_FIELD_DOCS_VI: dict[str, dict[str, str]] = {
    "tasks": {"id": "Mã nhiệm vụ (theo data/plan/tasks.csv)",
              "status": ("Trạng thái: chua_trien_khai = chưa triển khai, dang_thuc_hien = đang thực hiện, "
                         "hoan_thanh = hoàn thành, chua_bao_cao = chưa có báo cáo")},
    "catalogue": {"id": "Mã chỉ tiêu tính từ danh mục TTHC (theo data/plan/targets.csv)"},
    "unit_reports": {"id": "Mã chỉ tiêu (theo data/plan/targets.csv)",
                     "value": "Giá trị (%) = 100 × TuSo ÷ MauSo; trống khi không có dữ liệu"},
    "by_channel": {"share": "Tỷ trọng hồ sơ tiếp nhận qua kênh này (%)"},
    "estimate_766": {"ratio": "Tỷ lệ dùng để ước tính (0–1); trống khi nhóm không có dữ liệu",
                     "score": "Điểm ước tính = trọng số × tỷ lệ (không chính thức)"},
}

# Titles of known breakdowns; others fall back to attrs or a generic title.
BREAKDOWN_TITLES_VI: dict[str, str] = {
    "by_domain": "Hồ sơ theo lĩnh vực",
    "by_channel": "Hồ sơ theo kênh nộp",
    "by_procedure": "Hồ sơ theo thủ tục hành chính",
    "on_time_counts": "Tình hình giải quyết hồ sơ (trước hạn, đúng hạn, quá hạn, đang giải quyết)",
    "on_time_by_domain": "Giải quyết đúng hạn theo lĩnh vực",
    "by_month": "Hồ sơ theo tháng (lũy kế từ đầu năm)",
    "survey_factors": "Mức độ hài lòng theo yếu tố đánh giá (SIPAS)",
    "survey_by_factor": "Mức độ hài lòng theo yếu tố đánh giá",
    "tasks_by_area": "Tiến độ nhiệm vụ theo nội dung cải cách",
    "tasks_by_unit": "Tiến độ nhiệm vụ theo đơn vị chủ trì",
    "warnings": "Cảnh báo dữ liệu khi tính chỉ tiêu",
    "satisfaction_by_factor": "Mức độ hài lòng theo yếu tố đánh giá",
    "survey_by_procedure": "Mức độ hài lòng theo thủ tục",
    "feedback": "Phản ánh, kiến nghị",
    "feedback_by_domain": "Phản ánh, kiến nghị theo lĩnh vực",
    "catalogue": "Danh mục thủ tục hành chính (tổng hợp)",
    "tasks": "Tiến độ thực hiện nhiệm vụ của Kế hoạch",
    "task_progress": "Tiến độ thực hiện nhiệm vụ của Kế hoạch",
    "unit_reports": "Chỉ tiêu do đơn vị báo cáo",
}

_SAFE_KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")


# ---------------------------------------------------------------- neutralise

def neutralise(text):
    """Prefix ``'`` to a text that a spreadsheet would run as a formula.

    ``"=HYPERLINK(…)"`` -> ``"'=HYPERLINK(…)"``; ``"-5 ngày"`` -> ``"'-5 ngày"``;
    ``"Hộ tịch"`` unchanged. Non-strings are returned unchanged (numbers are
    never neutralised: decide by column type before calling this).
    """
    if isinstance(text, str) and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


# ---------------------------------------------------------------- privacy

def _norm_name(name: str) -> str:
    s = unicodedata.normalize("NFD", str(name).replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]", "", s.casefold())


def _forbidden_names() -> dict[str, str]:
    """normalised column name -> reason."""
    out: dict[str, str] = {}
    pd_spec = contract.personal_data()
    for name in list(pd_spec.get("columns", [])) + list(pd_spec.get("aliases", [])):
        out[_norm_name(name)] = f"personal-data column {name!r} of the contract"
    for spec in contract.inputs().values():
        for col, cspec in spec["columns"].items():
            if col not in ROW_ID_COLUMNS:
                continue
            out[_norm_name(col)] = f"row-level id {col!r}"
            for alias in cspec.get("aliases", []):
                # "Số hồ sơ"/"Số phiếu" also read as "number of dossiers/responses"
                # in an aggregate; only the "Mã …" display names are ids.
                if _norm_name(alias).startswith("ma"):
                    out[_norm_name(alias)] = f"row-level id {col!r} (display name {alias!r})"
    for col in ROW_ID_COLUMNS:
        out[_norm_name(col)] = f"row-level id {col!r}"
    return out


#: Inputs whose rows are dossiers, supplement requests, feedback or survey forms.
ROW_LEVEL_INPUTS = frozenset({"ho_so", "bo_sung", "phan_anh", "khao_sat"})


def check_publishable(df: pd.DataFrame, table: str) -> None:
    """Raise ValueError if ``df`` has a personal-data or row-level id column.

    Names are compared case-, accent- and punctuation-insensitively, so
    ``ma_ho_so`` or ``Số điện thoại`` are caught as well.
    """
    forbidden = _forbidden_names()
    for col in df.columns:
        reason = forbidden.get(_norm_name(col))
        if reason:
            raise ValueError(
                f"refusing to publish table {table!r}: column {col!r} is a {reason}. "
                "No dossier-level, feedback-level or survey-level row is ever published; "
                "personal data is never written."
            )
    if "source" in df.columns and "key" in df.columns:
        # a warnings table: a key that names one dossier / PAKN / form is a row-level id
        for src, key in zip(df["source"].tolist(), df["key"].tolist()):
            if str(src) in ROW_LEVEL_INPUTS and not _missing(key) and str(key).strip():
                raise ValueError(
                    f"refusing to publish table {table!r}: column 'key' names a row of {src} ({key!r}); "
                    "No dossier-level, feedback-level or survey-level row is ever published.")
    if isinstance(df.index, pd.MultiIndex) or df.index.name is not None:
        raise ValueError(f"table {table!r}: reset the index before publishing (index {df.index.names!r})")


# ---------------------------------------------------------------- schema

@dataclass(frozen=True)
class Field:
    name: str
    type: str                      # string | integer | number | boolean | datetime | date
    description_vi: str = ""
    constraints: tuple[tuple[str, Any], ...] = ()

    def descriptor(self) -> dict:
        d: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.description_vi:
            d["description"] = self.description_vi
        if self.constraints:
            d["constraints"] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.constraints}
        return d


_INDICATOR_CONSTRAINTS: dict[str, tuple[tuple[str, Any], ...]] = {
    "id": (("required", True),),
    "period": (("required", True), ("enum", ("quarter", "ytd"))),
    "direction": (("enum", (">=", "<=")),),
    "status": (("required", True), ("enum", ("met", "not_met", "no_data", "suppressed"))),
    "judgement": (("enum", ("met", "not_met", "on_track", "at_risk", "unreachable", "no_data", "suppressed")),),
}


def _integral(s: pd.Series) -> bool:
    v = pd.to_numeric(s, errors="coerce").dropna().to_numpy(dtype=float)
    return bool(np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.all(np.abs(v) < 2 ** 53))


def _field_type(s: pd.Series, name: str) -> str:
    dt = s.dtype
    if pd.api.types.is_bool_dtype(dt):
        return "boolean"
    if pd.api.types.is_integer_dtype(dt):
        return "integer"
    if pd.api.types.is_float_dtype(dt):
        return "integer" if name in INTEGER_COLUMNS and _integral(s) else "number"
    if pd.api.types.is_datetime64_any_dtype(dt):
        if getattr(dt, "tz", None) is not None:
            raise ValueError(f"column {name!r}: timezone-aware datetimes are not published; use local naive time")
        return "datetime"
    if pd.api.types.is_object_dtype(dt):
        kind = pd.api.types.infer_dtype(s, skipna=True)
        if kind == "integer":
            return "integer"
        if kind in ("floating", "mixed-integer-float", "decimal"):
            return "integer" if name in INTEGER_COLUMNS and _integral(s) else "number"
        if kind == "boolean":
            return "boolean"
        if kind in ("datetime", "datetime64"):
            return "datetime"
        if kind == "date":
            return "date"
    return "string"


def _contract_labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in contract.inputs().values():
        for col, cspec in spec["columns"].items():
            out.setdefault(col, cspec.get("label_vi", ""))
    return out


def table_fields(df: pd.DataFrame, docs: Mapping[str, str] | None = None,
                 constraints: Mapping[str, tuple] | None = None) -> tuple[Field, ...]:
    """The Frictionless fields of ``df`` (types from dtypes, Vietnamese descriptions)."""
    docs = dict(docs or {})
    attrs_docs = df.attrs.get("fields_vi") or {}
    labels = _contract_labels()
    out = []
    for col in df.columns:
        name = str(col)
        desc = attrs_docs.get(name) or docs.get(name) or FIELD_DOCS_VI.get(name) or labels.get(name) or ""
        out.append(Field(name, _field_type(df[col], name), desc, tuple((constraints or {}).get(name, ()))))
    return tuple(out)


# ---------------------------------------------------------------- cells

def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _iso(v) -> str:
    if isinstance(v, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(v)
        if ts.tzinfo is not None:
            raise ValueError("timezone-aware datetime")
        return ts.isoformat() if (ts.microsecond or ts.nanosecond) else ts.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    return pd.Timestamp(v).strftime("%Y-%m-%dT%H:%M:%S")


def _py(v, ftype: str, table: str, col: str):
    """A cell as a JSON-ready Python value (None for missing)."""
    if _missing(v):
        return None
    if ftype == "integer":
        f = float(v) if not isinstance(v, (int, np.integer)) else None
        if f is not None and (not math.isfinite(f) or f != round(f)):
            raise ValueError(f"table {table!r}, column {col!r}: {v!r} is not an integer")
        return int(v)
    if ftype == "number":
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"table {table!r}, column {col!r}: infinite value {v!r} cannot be published")
        return f
    if ftype == "boolean":
        return bool(v)
    if ftype in ("datetime", "date"):
        return _iso(v)
    return str(v)


def _csv_cell(v, ftype: str, table: str, col: str) -> str:
    p = _py(v, ftype, table, col)
    if p is None:
        return ""
    if ftype == "number":
        return repr(p)          # shortest round-trip repr: full precision, "." decimal
    if ftype == "integer":
        return str(p)
    if ftype == "boolean":
        return "true" if p else "false"
    if ftype == "string":
        return neutralise(p)
    return p


def _truthy(v) -> bool:
    if _missing(v):
        return False
    if isinstance(v, str):
        return v.strip().casefold() in ("true", "1", "yes", "co", "có")
    return bool(v)


def _suppressed_mask(df: pd.DataFrame) -> np.ndarray | None:
    if "suppressed" not in df.columns:
        return None
    return np.array([_truthy(v) for v in df["suppressed"]], dtype=bool)


def _prepare(df: pd.DataFrame, table: str, fields: tuple[Field, ...] | None):
    check_publishable(df, table)
    if len(set(map(str, df.columns))) != len(df.columns):
        raise ValueError(f"table {table!r}: duplicate column names")
    if fields is None:
        fields = table_fields(df)
    mask = _suppressed_mask(df)
    blank: set[str] = set()
    if mask is not None and mask.any():
        blank = {f.name for f in fields
                 if f.type in ("integer", "number") and f.name not in SUPPRESSION_KEEP}
    return fields, mask, blank


def _rows(df: pd.DataFrame, fields, mask, blank, table: str, as_csv: bool):
    cols = [df[c].tolist() for c in df.columns]
    conv = _csv_cell if as_csv else _py
    for i in range(len(df)):
        hide = mask is not None and mask[i]
        yield [("" if as_csv else None) if (hide and f.name in blank) else conv(cols[j][i], f.type, table, f.name)
               for j, f in enumerate(fields)]


# ---------------------------------------------------------------- writers

def write_file(path: Path, data: bytes) -> None:
    """``data`` at ``path``, written whole to a temporary file, then renamed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def write_table_csv(df: pd.DataFrame, path: Path, *, table: str | None = None,
                    fields: tuple[Field, ...] | None = None) -> tuple[Field, ...]:
    """Write ``df`` as an Excel-friendly, machine-readable CSV; return its fields.

    UTF-8 with BOM, ``,`` separator, ``\\r\\n`` line ends, formula-neutralised
    text, numbers as numbers, missing -> empty. Refuses personal-data and
    row-level id columns (ValueError naming ``table`` and the column).
    """
    path = Path(path)
    table = table or path.stem
    fields, mask, blank = _prepare(df, table, fields)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=",", quotechar='"', lineterminator=LINE_TERMINATOR,
                   quoting=csv.QUOTE_MINIMAL, doublequote=True)
    w.writerow([f.name for f in fields])
    for row in _rows(df, fields, mask, blank, table, as_csv=True):
        w.writerow(row)
    write_file(path, buf.getvalue().encode(CSV_ENCODING))
    return fields


def write_table_json(df: pd.DataFrame, path: Path, *, table: str | None = None,
                     fields: tuple[Field, ...] | None = None) -> tuple[Field, ...]:
    """Write ``df`` as a JSON array of objects (column order kept); return its fields.

    Full precision floats, NaN/NA -> ``null``, ``ensure_ascii=False``, UTF-8
    without BOM, 2-space indent, trailing newline. Text is not neutralised
    (JSON is not opened by spreadsheets). Same refusals as the CSV writer.
    """
    path = Path(path)
    table = table or path.stem
    fields, mask, blank = _prepare(df, table, fields)
    names = [f.name for f in fields]
    records = [dict(zip(names, row)) for row in _rows(df, fields, mask, blank, table, as_csv=False)]
    text = json.dumps(records, ensure_ascii=False, indent=2, allow_nan=False) + "\n"
    write_file(path, text.encode("utf-8"))
    return fields


# ---------------------------------------------------------------- resources

@dataclass(frozen=True)
class Resource:
    """One download, as described in datapackage.json."""
    name: str                     # frictionless name: lowercase, e.g. "2026q4-indicators"
    path: str                     # posix, relative to site/data, e.g. "2026Q4/indicators.csv"
    title_vi: str
    description_vi: str
    format: str                   # "csv" | "json"
    fields: tuple[Field, ...] = ()
    quarter: str | None = None

    def descriptor(self, site_data_dir: Path | None = None) -> dict:
        d: dict[str, Any] = {"name": self.name, "path": self.path, "title": self.title_vi,
                             "description": self.description_vi}
        if self.format == "csv":
            d.update({"type": "table", "profile": "tabular-data-resource", "scheme": "file",
                      "format": "csv", "mediatype": "text/csv", "encoding": CSV_ENCODING,
                      "dialect": {"header": True, "delimiter": ",", "quoteChar": '"',
                                  "doubleQuote": True, "lineTerminator": LINE_TERMINATOR}})
        else:
            d.update({"type": "json", "profile": "data-resource", "scheme": "file",
                      "format": "json", "mediatype": "application/json", "encoding": "utf-8"})
        if site_data_dir is not None:
            data = (Path(site_data_dir) / self.path).read_bytes()
            d["bytes"] = len(data)
            d["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        if self.format == "csv":
            d["schema"] = {"fields": [f.descriptor() for f in self.fields]}
        return d


def _quarter_label(qid: str) -> str:
    """"Quý IV/2026", as everywhere on the site."""
    from .periods import quarter_label_vi

    return quarter_label_vi(qid)


def write_table(df: pd.DataFrame, site_data_dir: Path, relpath: str, *, name: str, title_vi: str,
                description_vi: str, formats: Iterable[str] = ("csv",), quarter: str | None = None,
                docs: Mapping[str, str] | None = None,
                constraints: Mapping[str, tuple] | None = None) -> list[Resource]:
    """Write ``df`` under ``site_data_dir/relpath`` (without extension) in each format.

    Returns one Resource per file written (json resources get ``-json``
    appended to ``name``). For any extra download (e.g. the plan's tables).
    """
    if not re.fullmatch(r"[a-z0-9][-a-z0-9._/]*", name):
        raise ValueError(f"resource name {name!r} must be lowercase ascii ([-a-z0-9._/])")
    rel = relpath.strip("/")
    if ".." in rel.split("/"):
        raise ValueError(f"unsafe path {relpath!r}")
    table = rel
    fields = table_fields(df, docs, constraints)
    out = []
    for fmt in formats:
        p = f"{rel}.{fmt}"
        if fmt == "csv":
            write_table_csv(df, Path(site_data_dir) / p, table=table, fields=fields)
            out.append(Resource(name, p, title_vi, description_vi, "csv", fields, quarter))
        elif fmt == "json":
            write_table_json(df, Path(site_data_dir) / p, table=table, fields=fields)
            out.append(Resource(f"{name}-json", p, f"{title_vi} (JSON)",
                                description_vi + " Cùng nội dung với tệp CSV, định dạng JSON.",
                                "json", fields, quarter))
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return out


def write_quarter_downloads(results, out_dir: Path, *, note_vi: str | None = None) -> list[Resource]:
    """Write a quarter's public tables under ``out_dir/<YYYYQn>/``; return their Resources.

    ``results`` is anything with ``quarter``, ``indicators`` (the columns of
    :data:`INDICATOR_COLUMNS`), ``breakdowns`` (dict key -> DataFrame; key
    ascii snake case, gives ``<key>.csv``) and optionally ``estimate_766``.
    ``out_dir`` is ``site/data``; resource paths are relative to it.
    ``note_vi`` (e.g. "Số liệu tạm tính đến 20/11/2026.") is appended to
    every description.
    """
    qid = str(results.quarter)
    parse_quarter(qid)
    q = qid.lower()
    ql = _quarter_label(qid)
    note = f" {note_vi.strip()}" if note_vi else ""
    out: list[Resource] = []

    ind = results.indicators
    cols = [str(c) for c in ind.columns]
    if sorted(cols) != sorted(INDICATOR_COLUMNS):
        missing = [c for c in INDICATOR_COLUMNS if c not in cols]
        extra = [c for c in cols if c not in INDICATOR_COLUMNS]
        raise ValueError(f"table 'indicators' of {qid}: columns must be exactly {', '.join(INDICATOR_COLUMNS)}"
                         f" (missing: {missing}, extra: {extra})")
    ind = ind.loc[:, list(INDICATOR_COLUMNS)].reset_index(drop=True)
    out += write_table(
        ind, out_dir, f"{qid}/indicators", name=f"{q}-indicators", quarter=qid,
        title_vi=f"Kết quả các chỉ tiêu CCHC — {ql}",
        description_vi=(f"Mỗi dòng là một chỉ tiêu của Kế hoạch CCHC năm 2026 trong một kỳ tính "
                        f"(trong {ql} và lũy kế từ đầu năm): tử số, mẫu số, giá trị (%), chỉ tiêu và "
                        f"đánh giá chỉ tiêu năm (theo lũy kế).{note}"),
        formats=("csv", "json"), constraints=_INDICATOR_CONSTRAINTS)

    breakdowns = dict(getattr(results, "breakdowns", None) or {})
    reserved = {"indicators", "estimate_766"}
    for key in sorted(breakdowns):
        if not _SAFE_KEY.fullmatch(key) or key in reserved:
            raise ValueError(f"breakdown key {key!r} of {qid}: must be ascii snake case "
                             f"([a-z0-9_]) and not one of {sorted(reserved)}")
        df = breakdowns[key]
        if df is None:
            continue
        df = df.reset_index(drop=True) if not isinstance(df.index, pd.MultiIndex) and df.index.name is None \
            else df
        title = df.attrs.get("title_vi") or BREAKDOWN_TITLES_VI.get(key) or f"Số liệu phân tổ “{key}”"
        desc = df.attrs.get("description_vi") or (
            f"Số liệu tổng hợp ({title.lower()}) trong {ql}. Chỉ gồm số liệu tổng hợp; "
            f"nhóm có dưới 5 phiếu khảo sát được ẩn.")
        out += write_table(df, out_dir, f"{qid}/{key}", name=f"{q}-{key.replace('_', '-')}", quarter=qid,
                           title_vi=f"{title} — {ql}", description_vi=desc + note,
                           docs=TABLE_FIELD_DOCS_VI.get(key))

    est = getattr(results, "estimate_766", None)
    if est is not None:
        est = est.reset_index(drop=True) if est.index.name is None and not isinstance(est.index, pd.MultiIndex) \
            else est
        out += write_table(
            est, out_dir, f"{qid}/estimate_766", name=f"{q}-estimate-766", quarter=qid,
            title_vi=f"Ước tính điểm Bộ chỉ số 766 — {ql}",
            description_vi=("Ước tính (không chính thức) điểm các nhóm chỉ số theo Quyết định "
                            "766/QĐ-TTg mà phường tính được từ số liệu của mình. Điểm chính thức do "
                            f"Cổng Dịch vụ công quốc gia tính.{note}"),
            docs=TABLE_FIELD_DOCS_VI["estimate_766"])
    names = [r.name for r in out]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate resource names in {qid}: {names}")
    return out


def _quality_rows(quality) -> pd.DataFrame:
    """A validation summary (DataFrame, list of dicts, or dict) as a flat frame."""
    if isinstance(quality, pd.DataFrame):
        return quality.reset_index(drop=True)
    if quality is None:
        return pd.DataFrame({"check": pd.Series([], dtype="string")})
    if isinstance(quality, (list, tuple)):
        rows = [dict(r) if isinstance(r, Mapping) else {"value": r} for r in quality]
        return pd.DataFrame(rows)
    if isinstance(quality, Mapping):
        for key in ("checks", "rows", "items", "warnings"):
            v = quality.get(key)
            if isinstance(v, (list, tuple)) and all(isinstance(r, Mapping) for r in v):
                return _quality_rows(list(v))
            if isinstance(v, Mapping) and all(isinstance(r, Mapping) for r in v.values()):
                return pd.DataFrame([{"check": str(k), **dict(r)} for k, r in v.items()])
        if quality and all(isinstance(r, Mapping) for r in quality.values()):
            return pd.DataFrame([{"check": str(k), **dict(r)} for k, r in quality.items()])
        return pd.DataFrame([{"check": str(k), "value": v} for k, v in quality.items()
                             if not isinstance(v, (Mapping, list, tuple, set))])
    raise TypeError(f"unsupported data-quality summary: {type(quality).__name__}")


def write_validation_download(qid: str, quality, out_dir: Path) -> list[Resource]:
    """Write ``out_dir/<YYYYQn>/data_quality.csv``: the quarter's data-quality summary.

    ``quality`` is the validation summary (DataFrame, list of row dicts, or a
    dict: ``{"checks": [...]}``, ``{check_id: {...}}`` or ``{check_id: count}``).
    Only scalar cells are published: list/dict cells (examples, row lists)
    are dropped, so no input value can leak; personal-data / row-id columns
    are refused as everywhere else.
    """
    parse_quarter(qid)
    if isinstance(quality, Mapping) and "files" in quality and "great_expectations" in quality:
        return _write_validation_summary(qid, quality, Path(out_dir))
    df = _quality_rows(quality)
    keep = [c for c in df.columns
            if not any(isinstance(v, (Mapping, list, tuple, set, np.ndarray)) for v in df[c].tolist())]
    df = df.loc[:, keep]
    if len(df.columns) == 0:
        df = pd.DataFrame({"check": pd.Series([], dtype="string")})
    df = df.convert_dtypes(convert_integer=True, convert_boolean=True, convert_floating=False,
                           convert_string=True, infer_objects=True)
    docs = {"check": "Mã phép kiểm tra (cchc/contract/checks.yaml)",
            "level": "Mức độ: error = lỗi (quý không được công bố), warning = cảnh báo",
            "count": "Số dòng/giá trị vi phạm", "rule_vi": "Quy tắc", "rule_en": "Rule (English)",
            "input": "Tệp dữ liệu đầu vào", "file": "Tệp dữ liệu đầu vào", "column": "Cột"}
    return write_table(df, out_dir, f"{qid}/data_quality", name=f"{qid.lower()}-data-quality", quarter=qid,
                       title_vi=f"Chất lượng dữ liệu — {_quarter_label(qid)}",
                       description_vi=("Kết quả kiểm tra dữ liệu đầu vào của quý: các cảnh báo và số "
                                       "lượng vi phạm theo từng quy tắc (không có dữ liệu từng hồ sơ)."),
                       docs=docs)


def _write_validation_summary(qid: str, quality: Mapping, out_dir: Path) -> list[Resource]:
    """The summary of :func:`cchc.validation.quality_summary`: per-file counts
    (``data_quality.csv``), warnings (``data_quality_warnings.csv``) and the full
    public Great Expectations result (``validation.json``: counts only, no row
    values — the validation package strips unexpected values before this)."""
    label = _quarter_label(qid)
    files = pd.DataFrame(quality.get("files", []),
                         columns=["file", "input", "rows_checked", "checks_evaluated", "checks_passed"])
    res = write_table(files, out_dir, f"{qid}/data_quality", name=f"{qid.lower()}-data-quality", quarter=qid,
                      title_vi=f"Chất lượng dữ liệu theo tệp — {label}",
                      description_vi="Số dòng và số phép kiểm tra (đạt/tổng) của từng tệp đầu vào của quý.",
                      docs={"file": "Tên tệp đầu vào", "input": "Loại đầu vào theo hợp đồng dữ liệu",
                            "rows_checked": "Số dòng đã kiểm tra", "checks_evaluated": "Số phép kiểm tra",
                            "checks_passed": "Số phép kiểm tra đạt"})
    warn_cols = ["file", "column", "check", "level", "rule_vi", "rule_en", "count"]
    warns = pd.DataFrame([{k: w.get(k) for k in warn_cols} for w in quality.get("warnings", [])], columns=warn_cols)
    warns["count"] = pd.array([None if pd.isna(v) else int(v) for v in warns["count"]], dtype="Int64")
    for c in warn_cols[:-1]:
        warns[c] = warns[c].astype("string")
    res += write_table(warns, out_dir, f"{qid}/data_quality_warnings", name=f"{qid.lower()}-data-quality-warnings",
                       quarter=qid, title_vi=f"Cảnh báo dữ liệu — {label}",
                       description_vi="Các cảnh báo (không chặn công bố) của quý: tệp, cột, quy tắc, số dòng.",
                       docs={"file": "Tên tệp đầu vào", "column": "Cột", "check": "Mã phép kiểm tra",
                             "level": "Mức độ", "rule_vi": "Quy tắc", "rule_en": "Rule (English)",
                             "count": "Số dòng vi phạm"})
    doc = {k: quality[k] for k in ("quarter", "ok", "rows_checked", "checks_evaluated", "checks_passed", "errors",
                                   "warnings_count", "suite_parameters", "great_expectations") if k in quality}
    path = f"{qid}/validation.json"
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True, default=str, allow_nan=False) + "\n"
    write_file(Path(out_dir) / path, text.encode("utf-8"))
    res.append(Resource(f"{qid.lower()}-validation", path, f"Kết quả kiểm tra dữ liệu đầu vào — {label}",
                        "Kết quả máy đọc được của mọi phép kiểm tra dữ liệu đầu vào của quý: số dòng, số giá trị "
                        "vi phạm; không có giá trị hay số dòng của từng hồ sơ.", "json", (), qid))
    return res
