"""Catalogue (thu_tuc), feedback (phan_anh), survey (khao_sat), unit reports
(bao_cao) and plan tasks (tien_do)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .core import Bounds, ints, ns, values

# ---------------------------------------------------------------- catalogue
FULL_ONLINE = "toàn trình"
NOT_ONLINE = "không"

CATALOGUE_RULES = {
    # id: (denominator rule, numerator rule added to it), described in Vietnamese for the methodology page
    "full_online_services": "DuDieuKienToanTrinh = 1 và MucDoDVC = “toàn trình” ÷ DuDieuKienToanTrinh = 1",
    "published_on_time": "CongKhaiDungHan = 1 ÷ tất cả TTHC trong danh mục",
    "online_payment_deployed": "CoThanhToanTrucTuyen = 1 ÷ CoPhiLePhi = 1",
    "boundary_free": "KhongPhuThuocDiaGioi = 1 ÷ tất cả TTHC trong danh mục",
    "business_online": "MucDoDVC ≠ “không” ÷ LienQuanDoanhNghiep = 1",
}
CATALOGUE_FLAGS = ("DuDieuKienToanTrinh", "CoPhiLePhi", "CoThanhToanTrucTuyen", "LienQuanDoanhNghiep",
                   "CongKhaiDungHan", "KhongPhuThuocDiaGioi")


def _flag(df: pd.DataFrame, col: str) -> np.ndarray:
    return ints(df[col]) == 1 if col in df else np.zeros(len(df), bool)


def catalogue_measures(tt: pd.DataFrame) -> tuple[dict[str, tuple[int, int]], list[dict]]:
    """Catalogue ratios of one quarter's thu_tuc, and data warnings."""
    n = len(tt)
    level = tt["MucDoDVC"].astype("string").str.strip().str.lower() if "MucDoDVC" in tt else pd.Series([pd.NA] * n, dtype="string")
    full = (level == FULL_ONLINE).fillna(False).to_numpy(bool)
    online = level.notna().to_numpy(bool) & (level != NOT_ONLINE).fillna(False).to_numpy(bool)
    elig = _flag(tt, "DuDieuKienToanTrinh")
    fee = _flag(tt, "CoPhiLePhi")
    biz = _flag(tt, "LienQuanDoanhNghiep")
    m = {
        "full_online_services": (int((elig & full).sum()), int(elig.sum())),
        "published_on_time": (int(_flag(tt, "CongKhaiDungHan").sum()), n),
        "online_payment_deployed": (int((fee & _flag(tt, "CoThanhToanTrucTuyen")).sum()), int(fee.sum())),
        "boundary_free": (int(_flag(tt, "KhongPhuThuocDiaGioi").sum()), n),
        "business_online": (int((biz & online).sum()), int(biz.sum())),
    }
    warnings = []
    bad = full & ~elig
    for code in sorted(tt.loc[bad, "MaTTHC"].astype("string").fillna("").tolist()) if bad.any() else []:
        warnings.append({
            "code": "full_online_not_eligible", "source": "thu_tuc", "key": code,
            "message_vi": f"TTHC {code} có MucDoDVC “toàn trình” nhưng DuDieuKienToanTrinh ≠ 1: "
                          "không tính vào tỷ lệ DVC toàn trình",
        })
    return m, warnings


def flag_share(tt: pd.DataFrame, col: str) -> tuple[int, int]:
    """Generic catalogue rule for a measure naming one flag column: flag = 1 ÷ all procedures."""
    return int(_flag(tt, col).sum()), len(tt)


# ----------------------------------------------------------------- feedback
def feedback_eval(pa: pd.DataFrame, mask: np.ndarray, b: Bounds) -> dict:
    """PAKN: scope = received by the period end and not resolved before the
    period start; on time ⇔ resolved in the period by ``HanXuLy``, or
    unresolved at the period end with the period end ≤ ``HanXuLy``.
    A PAKN without ``HanXuLy`` cannot be on time.
    ``feedback_satisfied``: resolved in the period with ``HaiLong`` = 1 ÷
    resolved in the period with ``HaiLong`` given."""
    tn, tn_na = ns(pa["NgayTiepNhan"])
    due, due_na = ns(pa["HanXuLy"])
    done, done_na = ns(pa["NgayXuLy"])
    hl = ints(pa["HaiLong"]) if "HaiLong" in pa else np.full(len(pa), -1)
    resolved_in = mask & b.inside(done, done_na)
    open_end = done_na | (done >= b.end_excl)
    scope = mask & ~tn_na & (tn < b.end_excl) & (done_na | (done >= b.start))
    on_time = scope & ~due_na & ((resolved_in & (done <= due)) | (open_end & (b.end <= due)))
    rated = resolved_in & (hl >= 0)
    return {
        "received": mask & b.inside(tn, tn_na), "scope": scope, "on_time": on_time,
        "resolved": scope & resolved_in, "open": scope & open_end,
        "rated": rated, "satisfied": rated & (hl == 1),
    }


def feedback_measures(ev: dict) -> dict[str, tuple[int, int]]:
    return {
        "feedback_on_time": (int(ev["on_time"].sum()), int(ev["scope"].sum())),
        "feedback_satisfied": (int(ev["satisfied"].sum()), int(ev["rated"].sum())),
    }


def feedback_row(ev: dict, period: str) -> dict:
    s, t = int(ev["scope"].sum()), int(ev["on_time"].sum())
    r, h = int(ev["rated"].sum()), int(ev["satisfied"].sum())
    return {"period": period, "received": int(ev["received"].sum()), "in_scope": s, "on_time": t,
            "late": s - t, "on_time_value": values(np.array([t]), np.array([s]))[0],
            "resolved": int(ev["resolved"].sum()), "unresolved": int(ev["open"].sum()),
            "rated": r, "satisfied": h, "satisfied_value": values(np.array([h]), np.array([r]))[0]}


# ------------------------------------------------------------------- survey
SIPAS_FACTORS = {
    "TiepCan": "Tiếp cận dịch vụ",
    "ThuTuc": "Thủ tục hành chính",
    "CongChuc": "Công chức giải quyết",
    "KetQua": "Kết quả giải quyết",
    "TiepNhanGopY": "Tiếp nhận, xử lý góp ý",
    "HaiLongChung": "Mức độ hài lòng chung",
}
MIN_RESPONSES = 5


def survey_eval(ks: pd.DataFrame, mask: np.ndarray, b: Bounds) -> np.ndarray:
    t, na = ns(ks["NgayKhaoSat"])
    return mask & b.inside(t, na)


def survey_measures(ks: pd.DataFrame, sel: np.ndarray) -> dict[str, tuple[int, int]]:
    s = ints(ks["HaiLongChung"])
    given = sel & (s >= 1) & (s <= 5)
    return {"satisfaction": (int((given & (s >= 4)).sum()), int(given.sum()))}


def survey_factors(ks: pd.DataFrame, sel: np.ndarray, period: str) -> list[dict]:
    rows = []
    for col, label in SIPAS_FACTORS.items():
        s = ints(ks[col]) if col in ks else np.full(len(ks), -1)
        given = sel & (s >= 1) & (s <= 5)
        n, k = int(given.sum()), int((given & (s >= 4)).sum())
        rows.append({"period": period, "factor": col, "label_vi": label, "n": n, "satisfied": k,
                     "value": values(np.array([k]), np.array([n]))[0], "suppressed": n < MIN_RESPONSES})
    return rows


# ------------------------------------------------------------------ tasks
TASK_STATES = ("chua_trien_khai", "dang_thuc_hien", "hoan_thanh")
NOT_REPORTED = "chua_bao_cao"


def tasks_table(tasks: pd.DataFrame, td: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    td = td.copy()
    td = td.loc[td["MaNhiemVu"].notna()].drop_duplicates("MaNhiemVu", keep="last")
    keep = [c for c in ("id", "area", "area_name", "objective_no", "objective", "task", "activity",
                        "product", "lead_unit", "lead_unit_group", "cooperating_units", "timing")
            if c in tasks.columns]
    out = tasks[keep].copy()
    out["id"] = out["id"].astype("string")
    td = td.rename(columns={"MaNhiemVu": "id", "TrangThai": "status"})
    td["id"] = td["id"].astype("string")
    out = out.merge(td[["id", "status", "MinhChung", "GhiChu", "DonViBaoCao"]], on="id", how="left")
    out["status"] = out["status"].astype("string").fillna(NOT_REPORTED)
    warnings = []
    unknown = sorted(set(td["id"].dropna()) - set(out["id"].dropna()))
    for code in unknown:
        warnings.append({"code": "unknown_task", "source": "tien_do", "key": code,
                         "message_vi": f"Mã nhiệm vụ {code} không có trong danh sách nhiệm vụ của Kế hoạch"})
    return out.reset_index(drop=True), warnings


def tasks_counts(tasks: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts of tasks per status (incl. chua_bao_cao) per group, and the share completed (%)."""
    states = TASK_STATES + (NOT_REPORTED,)
    cols = by + ["total", *states, "share_completed"]
    if len(tasks) == 0 or any(c not in tasks for c in by):
        return pd.DataFrame(columns=cols)
    keys = list(zip(*(tasks[c].astype("string").fillna("").tolist() for c in by)))
    counts: dict[tuple, dict[str, int]] = {}
    for k, st in zip(keys, tasks["status"].astype("string").fillna(NOT_REPORTED).tolist()):
        d = counts.setdefault(k, dict.fromkeys(states, 0))
        d[st if st in d else NOT_REPORTED] += 1
    rows = []
    for k in sorted(counts):
        d = counts[k]
        total = sum(d.values())
        rows.append({**dict(zip(by, k)), "total": total, **d,
                     "share_completed": values(np.array([d["hoan_thanh"]]), np.array([total]))[0]})
    out = pd.DataFrame(rows, columns=cols)
    for c in ("total", *states):
        out[c] = out[c].astype(np.int64)
    return out
