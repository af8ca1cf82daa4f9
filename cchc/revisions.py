"""Revisions of published figures (issue 10, item 2).

A later quarter's export may hold again a row that an earlier quarter
already published (a dossier carried over, a PAKN, a survey form, a dossier's
supplement requests). One rule applies everywhere: **the latest row wins**
(:func:`cchc.indicators.core.correct_latest`), so every period's figures,
earlier quarters included, use the same corrected rows. This module makes
each such change visible:

* :func:`detect_changes` compares every row an earlier quarter's files had
  with the row that now wins, and classifies each difference:

  - ``correction``: a fact the earlier quarter had already recorded was
    changed (a date that was set, anything of a dossier already finished or
    of a PAKN already resolved, any field of a survey form, a supplement
    request removed or back-dated), or a date now falls inside the earlier
    quarter although its file had none;
  - ``update``: what happened after the earlier quarter (an unfinished
    dossier finished, its status and flags set on the way);
  - a **mistake**, which stops the build (exit code 2) naming both files
    and rows: a dossier whose procedure (``MaTTHC``) changes, a finish date
    (dossier or PAKN) before the receipt date the earlier file gave.

* :func:`figure_revisions` compares every published figure with what was
  published before — the last release in ``data/releases/`` when it holds
  that quarter, else what the quarter's own files gave
  (``baseline``: computed from the files up to that quarter only) — one row
  per changed figure with the columns of :data:`REVISION_COLUMNS` and a
  reason naming the files and fields that caused it.

* :func:`read_latest_release` / :func:`write_release`: the corrections log.
  Every time the published figures change, the build keeps the release's
  ``indicators.csv`` (all quarters) and the cumulative ``revisions.csv`` under
  ``data/releases/<date>/`` (``<date>``: the newest export date of the data,
  never the clock).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .periods import parse_quarter, quarter_label_vi, quarter_period, sort_quarters

REVISION_COLUMNS = ["quarter", "indicator_id", "period", "old_value", "new_value", "old_numerator",
                    "new_numerator", "old_denominator", "new_denominator", "reason"]
CHANGE_COLUMNS = ["quarter", "table", "key", "fields", "kind", "old_file", "old_row", "new_file", "new_row"]
RELEASE_COLUMNS = ["quarter", "id", "period", "numerator", "denominator", "value", "status"]
RELEASES = "releases"

#: Row-level inputs: key column, the columns compared (dates, status, flags, scores).
TABLES = {
    "ho_so": ("MaHoSo", ["KenhThucHien", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra",
                         "TrangThaiHoSo", "CoNghiaVuTaiChinh", "DuocThanhToanTrucTuyen", "HoSoCoThanhPhanSoHoa",
                         "CoKetQuaDienTu", "CoTaiSuDungDuLieu"]),
    "phan_anh": ("MaPAKN", ["NgayTiepNhan", "HanXuLy", "NgayXuLy", "HaiLong"]),
    "khao_sat": ("MaPhieu", ["NgayKhaoSat", "TiepCan", "ThuTuc", "CongChuc", "KetQua", "TiepNhanGopY",
                             "HaiLongChung"]),
}
#: Which inputs feed the indicators of each source (for the reason of a revision).
SOURCE_TABLES = {"dossiers": ("ho_so", "bo_sung"), "feedback": ("phan_anh",), "survey": ("khao_sat",)}
NOUN_VI = {"ho_so": "hồ sơ", "bo_sung": "hồ sơ (yêu cầu bổ sung)", "phan_anh": "phản ánh, kiến nghị",
           "khao_sat": "phiếu khảo sát"}
FINAL_STATUS = (3, 7, 8, 9, 10)  # not received, withdrawn, stopped, finished, returned


class RevisionError(ValueError):
    """A change between two quarters' files that looks like a mistake."""


@dataclass
class Changes:
    rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=CHANGE_COLUMNS))
    mistakes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- row-level detection
def _same(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Equal or both blank; times are compared to the minute (exports differ
    in precision: one system writes 14:07:38, another 14:07)."""
    if pd.api.types.is_datetime64_any_dtype(a.dtype) and pd.api.types.is_datetime64_any_dtype(b.dtype):
        a, b = a.dt.floor("min"), b.dt.floor("min")
    an, bn = a.isna().to_numpy(), b.isna().to_numpy()
    eq = pd.Series(a.to_numpy() == b.to_numpy() if a.dtype != b.dtype else (a.reset_index(drop=True)
                   == b.reset_index(drop=True))).fillna(False).to_numpy(bool)
    return (an & bn) | (~an & ~bn & eq)


def _frames(quarters: dict, order: list[str], name: str, key: str) -> pd.DataFrame:
    """Every quarter's rows of input ``name`` (keyed rows only), with the file's
    position ``_q``, the spreadsheet row ``_row`` and the file ``_file``."""
    parts = []
    for i, q in enumerate(order):
        t = quarters[q].tables.get(name)
        if t is None or t.df is None or not len(t.df):
            continue
        df = t.df.copy()
        df["_q"] = i
        rows = getattr(t, "row_numbers", None)
        df["_row"] = np.asarray(rows) if rows is not None and len(rows) == len(df) else np.arange(len(df)) + 2
        df["_file"] = f"{q}/{Path(t.path).name}"
        parts.append(df)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    return out.loc[out[key].notna().to_numpy()]


def _stacked(quarters: dict, order: list[str], name: str, key: str) -> pd.DataFrame:
    """As :func:`_frames`, one row per key and file (its last)."""
    out = _frames(quarters, order, name, key)
    return out if out.empty else out.drop_duplicates([key, "_q"], keep="last")


def _ends(quarters: dict, order: list[str]) -> np.ndarray:
    """The end (exclusive, ns) of each quarter's period, cut-off aware."""
    out = []
    for q in order:
        m = getattr(quarters[q], "manifest", None)
        out.append(pd.Timestamp(quarter_period(q, getattr(m, "cutoff", None)).end_exclusive).value)
    return np.array(out, dtype=np.int64)


def _ns(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s, errors="coerce").to_numpy(dtype="datetime64[ns]").view(np.int64)


def _settled(m: pd.DataFrame, name: str) -> np.ndarray:
    if name == "ho_so":
        st = pd.to_numeric(m["TrangThaiHoSo_o"], errors="coerce")
        return m["NgayKetThucXuLy_o"].notna().to_numpy() | st.isin(FINAL_STATUS).to_numpy()
    if name == "phan_anh":
        return m["NgayXuLy_o"].notna().to_numpy()
    return np.ones(len(m), bool)


def _row_changes(quarters: dict, order: list[str], ends: np.ndarray, name: str) -> tuple[list[dict], list[str]]:
    key, cols = TABLES[name]
    all_ = _stacked(quarters, order, name, key)
    if all_.empty:
        return [], []
    win = all_.drop_duplicates(key, keep="last")
    old = all_.loc[~all_.index.isin(win.index)]
    if old.empty:
        return [], []
    cols = [c for c in cols if c in all_.columns]
    extra = [c for c in ("MaTTHC",) if c in all_.columns and name == "ho_so"]
    m = old[[key, "_q", "_row", "_file", *cols, *extra]].merge(
        win[[key, "_q", "_row", "_file", *cols, *extra]], on=key, suffixes=("_o", "_n"))
    end = ends[m["_q_o"].to_numpy()]
    settled = _settled(m, name)
    changed = np.zeros((len(m), len(cols)), bool)
    fixed = np.zeros((len(m), len(cols)), bool)  # a change to a fact already recorded by the earlier quarter
    for j, c in enumerate(cols):
        a, b = m[f"{c}_o"], m[f"{c}_n"]
        diff = ~_same(a, b)
        changed[:, j] = diff
        if pd.api.types.is_datetime64_any_dtype(a.dtype):
            an = a.isna().to_numpy()
            bn = _ns(b)
            fixed[:, j] = diff & (~an | (~b.isna().to_numpy() & (bn < end)))
    any_change = changed.any(axis=1)
    correction = any_change & (settled | fixed.any(axis=1))
    rows = []
    idx = np.flatnonzero(any_change)
    recs = m.iloc[idx][[key, "_q_o", "_row_o", "_file_o", "_row_n", "_file_n"]].to_dict("records")
    for i, r in zip(idx, recs):
        rows.append({"quarter": order[int(r["_q_o"])], "table": name, "key": str(r[key]),
                     "fields": ", ".join(c for j, c in enumerate(cols) if changed[i, j]),
                     "kind": "correction" if correction[i] else "update",
                     "old_file": r["_file_o"], "old_row": int(r["_row_o"]),
                     "new_file": r["_file_n"], "new_row": int(r["_row_n"])})
    return rows, _mistakes(m, name, key)


def _where(r, key_vi: str, key: str) -> str:
    return (f"{r['_file_o']} dòng / row {int(r['_row_o'])} và / and {r['_file_n']} dòng / row {int(r['_row_n'])}"
            f" ({key_vi} {key} {r[key]})")


def _mistakes(m: pd.DataFrame, name: str, key: str) -> list[str]:
    out = []
    if name == "ho_so":
        if "MaTTHC_o" in m:
            bad = m["MaTTHC_o"].notna() & m["MaTTHC_n"].notna() & (
                m["MaTTHC_o"].astype(str).str.strip() != m["MaTTHC_n"].astype(str).str.strip())
            for _, r in m.loc[bad.to_numpy()].iterrows():
                out.append(f"{_where(r, 'hồ sơ', key)}: mã thủ tục MaTTHC đổi từ “{r['MaTTHC_o']}” thành "
                           f"“{r['MaTTHC_n']}” — một hồ sơ không thể đổi thủ tục / the dossier's procedure changes")
        fin, rec = "NgayKetThucXuLy_n", "NgayTiepNhan_o"
        vi, en = "ngày kết thúc xử lý", "finish date"
    elif name == "phan_anh":
        fin, rec = "NgayXuLy_n", "NgayTiepNhan_o"
        vi, en = "ngày xử lý xong", "resolution date"
    else:
        return out
    f, t = _ns(m[fin]), _ns(m[rec])
    bad = m[fin].notna().to_numpy() & m[rec].notna().to_numpy() & (f < t)
    for _, r in m.loc[bad].iterrows():
        out.append(f"{_where(r, 'mã', key)}: {vi} mới {pd.Timestamp(r[fin]):%d/%m/%Y %H:%M} trước ngày tiếp nhận "
                   f"{pd.Timestamp(r[rec]):%d/%m/%Y %H:%M} của tệp trước / the new {en} is before the receipt date "
                   "the earlier file gave")
    return out


def _supplement_changes(quarters: dict, order: list[str], ends: np.ndarray) -> list[dict]:
    """A dossier's supplement requests are a set taken from the latest file
    that has any for it; compare every earlier file's set with it."""
    all_ = _frames(quarters, order, "bo_sung", "MaHoSo")
    if all_.empty:
        return []
    rows = []
    latest = all_.groupby("MaHoSo")["_q"].max()
    multi = all_.groupby("MaHoSo")["_q"].nunique()
    several = all_[all_["MaHoSo"].isin(multi.index[multi > 1])]
    for code, d in several.groupby("MaHoSo", sort=True):
        new = d[d["_q"] == latest[code]]
        new_req = dict(zip(_ns(new["NgayYeuCauBoSung"]), _ns(new["NgayHoanThanhBoSung"])))
        for qi in sorted(set(d["_q"]) - {latest[code]}):
            o = d[d["_q"] == qi]
            end = ends[qi]
            old_req = dict(zip(_ns(o["NgayYeuCauBoSung"]), _ns(o["NgayHoanThanhBoSung"])))
            nat = np.iinfo(np.int64).min
            fields, fixed = set(), False
            for req, done in old_req.items():
                if req not in new_req:
                    fields.add("NgayYeuCauBoSung")
                    fixed = True
                elif new_req[req] != done:
                    fields.add("NgayHoanThanhBoSung")
                    fixed |= done != nat or new_req[req] < end
            for req in set(new_req) - set(old_req):
                fields.add("NgayYeuCauBoSung")
                fixed |= req < end  # a request dated inside the earlier quarter that its file did not have
            if fields:
                rows.append({"quarter": order[qi], "table": "bo_sung", "key": str(code),
                             "fields": ", ".join(sorted(fields)), "kind": "correction" if fixed else "update",
                             "old_file": o["_file"].iloc[0], "old_row": int(o["_row"].iloc[0]),
                             "new_file": new["_file"].iloc[0], "new_row": int(new["_row"].iloc[0])})
    return rows


def detect_changes(quarters: dict, memo=None) -> Changes:
    """Every change of a row that an earlier quarter's files had (``quarters``:
    ``{qid: QuarterData}``, any order); see the module docstring.

    Each input is compared on its own: its changes depend only on the
    quarters, their periods and that input's table in each quarter (its rows,
    row numbers and file name). ``memo(what, compute)``, when given, returns
    ``compute()`` or what it kept for the same ``what`` (the input's name, the
    quarters and the ends of their periods) and the same tables: a build keeps
    the changes of every input whose files did not change
    (:func:`cchc.build.integrity.detect_revisions`)."""
    order = sort_quarters(quarters)
    if len(order) < 2:
        return Changes()
    ends = _ends(quarters, order)

    def of(name: str, compute):
        return compute() if memo is None else memo((name, order, ends.tolist()), compute)

    rows, mistakes = [], []
    for name in TABLES:
        r, m = of(name, lambda name=name: _row_changes(quarters, order, ends, name))
        rows += r
        mistakes += m
    rows += of("bo_sung", lambda: (_supplement_changes(quarters, order, ends), []))[0]
    df = pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    return Changes(rows=df.sort_values(["quarter", "table", "key"], kind="stable").reset_index(drop=True),
                   mistakes=mistakes)


def mistake_message(mistakes: list[str], limit: int = 20) -> str:
    shown = "\n".join(f"  {m}" for m in mistakes[:limit])
    more = f"\n  … và {len(mistakes) - limit} dòng khác / and {len(mistakes) - limit} more" \
        if len(mistakes) > limit else ""
    return ("Tệp của một quý sau sửa dòng mà quý trước đã công bố theo cách giống lỗi hơn là đính chính; hãy kiểm "
            "tra lại tệp xuất (không công bố gì) / a later quarter's file changes a row an earlier quarter "
            "published in a way that looks like a mistake, not a correction; check the exports (nothing "
            f"published):\n{shown}{more}")


def change_counts(changes: pd.DataFrame) -> pd.DataFrame:
    """What the public page shows of the row-level changes: counts only (no
    dossier codes), per earlier quarter, input, later file, kind and fields."""
    cols = ["quarter", "table", "new_file", "kind", "fields", "records"]
    if changes is None or not len(changes):
        return pd.DataFrame(columns=cols)
    g = changes.groupby(["quarter", "table", "new_file", "kind", "fields"], sort=True).size()
    return g.rename("records").reset_index()[cols]


# --------------------------------------------------------------------------- figure-level revisions
def indicator_table(results: dict) -> pd.DataFrame:
    """All quarters' published indicators as one table (the release's indicators.csv)."""
    parts = []
    for q in sort_quarters(results):
        df = results[q].indicators[["id", "period", "numerator", "denominator", "value", "status"]].copy()
        df.insert(0, "quarter", q)
        parts.append(df)
    if not parts:
        return pd.DataFrame(columns=RELEASE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)[RELEASE_COLUMNS]
    for c in ("numerator", "denominator"):
        out[c] = pd.array(out[c].tolist(), dtype="Int64")
    out["value"] = out["value"].astype(float)
    return out


def _num(x):
    return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x


def _differs(a, b, tol: float = 1e-9) -> bool:
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return (a is None) != (b is None)
    return not math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def _reason(q: str, period: str, source: str, changes: pd.DataFrame, release: str | None,
            exported: dict) -> str:
    tables = SOURCE_TABLES.get(source, ())
    year = parse_quarter(q)[0]
    if changes is not None and len(changes) and tables:
        c = changes[changes["table"].isin(tables)]
        # what the quarter's own files gave already used every file up to it: only later files revise it
        c = c.loc[np.array([parse_quarter(f.split("/")[0]) > parse_quarter(q) for f in c["new_file"]], dtype=bool)]
        qs = c["quarter"].map(parse_quarter)
        if period == "quarter":
            c = c[c["quarter"] == q]
        else:
            c = c.loc[np.array([k[0] == year and k <= parse_quarter(q) for k in qs], dtype=bool)]
        if len(c):
            parts = []
            for (table, new_file, kind), g in c.groupby(["table", "new_file", "kind"], sort=True):
                fields = sorted({f.strip() for fs in g["fields"] for f in fs.split(",")})
                what = "sửa" if kind == "correction" else "cập nhật tiến độ của"
                parts.append(f"tệp {new_file} {what} {len(g)} {NOUN_VI.get(table, table)} đã công bố "
                             f"({', '.join(fields)})")
            return "; ".join(parts)
    when = exported.get(q)
    base = f"so với bản công bố ngày {release}" if release else "so với tệp của chính quý này"
    return f"Số liệu của {quarter_label_vi(q)} thay đổi {base}" + (
        f": dữ liệu được thay bằng bản xuất ngày {when:%d/%m/%Y}" if when is not None else "")


def figure_revisions(current: dict, baseline: dict, plan, changes: pd.DataFrame | None = None,
                     release: "Release | None" = None, exported: dict | None = None) -> pd.DataFrame:
    """One row per published figure that differs from what was published
    before (see the module docstring). ``current`` / ``baseline``:
    ``{quarter: QuarterResults}`` (suppressed already); ``baseline`` holds
    the quarters that later quarters' files changed."""
    sources = dict(zip(plan.targets["id"].astype(str), plan.targets["source"].astype(str)))
    rel = release.indicators if release is not None else None
    rel_q = set(rel["quarter"]) if rel is not None else set()
    rows = []
    for q in sort_quarters(current):
        if q in rel_q:
            old = rel[rel["quarter"] == q]
            label = release.name
        elif q in baseline:
            old = indicator_table({q: baseline[q]})
            label = None
        else:
            continue
        old = {(str(i), str(p)): r for i, p, r in zip(old["id"], old["period"], old.to_dict("records"))}
        cur = current[q].indicators
        for r in cur.to_dict("records"):
            o = old.get((str(r["id"]), str(r["period"])))
            if o is None:
                continue
            if not any(_differs(o[k], r[k]) for k in ("numerator", "denominator", "value")):
                continue
            rows.append({"quarter": q, "indicator_id": r["id"], "period": r["period"],
                         "old_value": _num(o["value"]), "new_value": _num(r["value"]),
                         "old_numerator": _num(o["numerator"]), "new_numerator": _num(r["numerator"]),
                         "old_denominator": _num(o["denominator"]), "new_denominator": _num(r["denominator"]),
                         "reason": _reason(q, r["period"], sources.get(str(r["id"]), ""), changes, label,
                                           exported or {})})
    return _typed(pd.DataFrame(rows, columns=REVISION_COLUMNS))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    for c in ("old_numerator", "new_numerator", "old_denominator", "new_denominator"):
        df[c] = pd.array([None if _num(x) is None else int(x) for x in df[c]], dtype="Int64")
    for c in ("old_value", "new_value"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype(float)
    for c in ("quarter", "indicator_id", "period", "reason"):
        df[c] = df[c].astype("string")
    return df.reset_index(drop=True)


def cumulative(previous: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """The corrections log: the previous release's revisions, then the new ones."""
    parts = [p for p in (previous, new) if p is not None and len(p)]
    if not parts:
        return _typed(pd.DataFrame(columns=REVISION_COLUMNS))
    out = _typed(pd.concat([_typed(p.copy()) for p in parts], ignore_index=True)[REVISION_COLUMNS])
    key = pd.Series([repr(tuple(None if _num(v) is None else (round(float(v), 9) if isinstance(v, float) else v)
                                for v in row)) for row in out.itertuples(index=False)])
    return out.loc[~key.duplicated().to_numpy()].reset_index(drop=True)


REVISION_FIELDS_VI = {
    "quarter": "Quý có số liệu được điều chỉnh (YYYYQn)",
    "indicator_id": "Mã chỉ tiêu (theo data/plan/targets.csv)",
    "period": "Kỳ tính: quarter = trong quý, ytd = lũy kế từ đầu năm",
    "old_value": "Giá trị (%) đã công bố trước đó; trống khi không có dữ liệu hoặc không công bố (nhóm dưới 5)",
    "new_value": "Giá trị (%) sau điều chỉnh",
    "old_numerator": "Tử số đã công bố trước đó",
    "new_numerator": "Tử số sau điều chỉnh",
    "old_denominator": "Mẫu số đã công bố trước đó",
    "new_denominator": "Mẫu số sau điều chỉnh",
    "reason": "Lý do: tệp và trường dữ liệu gây ra điều chỉnh",
}


def write_download(revisions: pd.DataFrame, data_out: Path) -> list:
    """``site/data/revisions.csv`` (in the datapackage), always written, empty when nothing was revised."""
    from . import opendata

    df = revisions[REVISION_COLUMNS] if revisions is not None else pd.DataFrame(columns=REVISION_COLUMNS)
    return opendata.write_table(
        df.reset_index(drop=True), data_out, "revisions", name="revisions", title_vi="Lịch sử điều chỉnh số liệu",
        description_vi=("Mỗi dòng là một số liệu đã công bố được điều chỉnh sau đó: giá trị, tử số, mẫu số trước và "
                        "sau điều chỉnh, và lý do (tệp dữ liệu của quý sau sửa dòng mà quý trước đã công bố, hoặc "
                        "dữ liệu của quý được thay bằng bản xuất mới)."),
        formats=("csv",), docs=REVISION_FIELDS_VI)


# --------------------------------------------------------------------------- releases
@dataclass
class Release:
    name: str
    indicators: pd.DataFrame
    revisions: pd.DataFrame


def _read_release(folder: Path) -> Release:
    ind = pd.read_csv(folder / "indicators.csv", dtype={"quarter": "string", "id": "string", "period": "string",
                                                        "status": "string", "numerator": "Int64",
                                                        "denominator": "Int64", "value": "float64"},
                      keep_default_na=False, na_values=[""])
    rev_path = folder / "revisions.csv"
    rev = pd.read_csv(rev_path, dtype=str, keep_default_na=False, na_values=[""]) if rev_path.is_file() else None
    return Release(folder.name, ind, _typed(rev) if rev is not None else _typed(pd.DataFrame(columns=REVISION_COLUMNS)))


def releases(data_dir: Path) -> list[Path]:
    root = Path(data_dir) / RELEASES
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / "indicators.csv").is_file())


def read_latest_release(data_dir: Path) -> Release | None:
    found = releases(data_dir)
    return _read_release(found[-1]) if found else None


def _csv(df: pd.DataFrame) -> bytes:
    # floats as repr (the shortest text that reads back exactly): a release read back equals what was written
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def same_figures(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if len(a) != len(b):
        return False
    a = a.sort_values(["quarter", "id", "period"]).reset_index(drop=True)
    b = b.sort_values(["quarter", "id", "period"]).reset_index(drop=True)
    if not (a[["quarter", "id", "period"]].astype(str).to_numpy() == b[["quarter", "id", "period"]]
            .astype(str).to_numpy()).all():
        return False
    return not any(_differs(x, y) for c in ("numerator", "denominator", "value") for x, y in zip(a[c], b[c]))


def write_release(data_dir: Path, name: str, indicators: pd.DataFrame, revisions: pd.DataFrame) -> Path:
    """Keep a release: ``data/releases/<name>/indicators.csv`` and
    ``revisions.csv`` (a name already taken gets ``-2``, ``-3``…); written
    to a temporary folder and renamed, so a release is whole or absent."""
    import os
    import shutil

    root = Path(data_dir) / RELEASES
    root.mkdir(parents=True, exist_ok=True)
    folder, n = root / name, 1
    while folder.exists():
        n += 1
        folder = root / f"{name}-{n}"
    tmp = root / f".{folder.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    (tmp / "indicators.csv").write_bytes(_csv(indicators[RELEASE_COLUMNS]))
    (tmp / "revisions.csv").write_bytes(_csv(revisions[REVISION_COLUMNS]))
    os.replace(tmp, folder)
    return folder
