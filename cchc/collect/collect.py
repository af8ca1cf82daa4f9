"""``python pipeline.py collect --quarter 2027Q1 DIR``: returned workbooks → ``tien_do.xlsx``, ``bao_cao.xlsx``.

Load: every file of ``DIR`` (workbooks, renamed or not, and CSV saved from
one of their sheets) as bounded grids (:mod:`cchc.collect.grid`). Each table
is recognised by its headers (collect.yaml, matched like the loader's
headers) and identified by the "Đơn vị báo cáo" / "Kỳ báo cáo" cells above it,
never by the file name.

Transform, refusing with one bilingual problem per file, sheet and row:

- a workbook of another quarter, an unknown unit, a duplicate submission
  (two tables of the same kind for one unit, e.g. a workbook and a CSV saved
  from it);
- an id that is not in the plan, an activity or indicator of another unit, the
  same id twice;
- a pre-filled cell that differs from the plan (the "Trạng thái quý trước"
  column is for reference and is not read);
- a status that is none of the contract's values or accepted spellings
  (``inputs.yaml``: ``tien_do.TrangThai`` ``allowed`` and ``value_aliases``,
  matched by the loader's rules: case- and accent-insensitive);
- text longer than its limit, a count that is not a whole number ≥ 0, a
  numerator without denominator or greater than it.

A row whose fill-in cells are all blank is "not reported" and is left out,
so the site shows it as "Chưa báo cáo", as for a unit that returned nothing;
those units are listed.

Save: ``tien_do.xlsx`` (and ``bao_cao.xlsx`` when indicators were returned)
in the quarter folder, with the contract's column names and status codes.
Existing files are never replaced without ``force``; with it they are first
moved to ``<quarter>/.sao-luu/<time>/`` (the loader skips hidden folders).
"""
from __future__ import annotations

import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from .. import contract, loader
from ..loader import LoadError, header_key
from . import Assignment, CollectError, Problem, assignment, check_quarter_id, config, status_labels
from .grid import CSV_SUFFIXES, XLSX_SUFFIXES, Grid, read_grids
from .templates import text_cell, unit_rows

KINDS = ("tasks", "indicators")
OUTPUT = {"tasks": "tien_do", "indicators": "bao_cao"}
BACKUP_DIR = ".sao-luu"
_WS = re.compile(r"\s+")
_COUNT = re.compile(r"\d+|\d{1,3}(?:[.,\u00a0 ]\d{3})+")


def _norm(text) -> str:
    if text is None:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@dataclass
class Table:
    """One returned table: what it says it is, and its rows as ``{column key: text}``."""

    kind: str
    file: Path
    sheet: str | None
    unit: str | None
    quarter: str | None
    rows: list[tuple[int, dict]]

    def where(self) -> str:
        return self.file.name + (f" ({self.sheet})" if self.sheet else "")


@dataclass
class Result:
    written: list[Path] = field(default_factory=list)
    backups: list[Path] = field(default_factory=list)
    tasks_reported: int = 0
    indicators_reported: int = 0
    missing_units: dict[str, list[str]] = field(default_factory=dict)  # kind -> units that returned nothing
    unreported: dict[str, list[str]] = field(default_factory=dict)     # unit -> ids left blank
    ignored: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"Đã ghi / wrote {p}" for p in self.written]
        out += [f"Bản cũ được lưu tại / previous file kept at {p}" for p in self.backups]
        out.append(f"Nhiệm vụ đã báo cáo / activities reported: {self.tasks_reported}; "
                   f"chỉ tiêu / indicators: {self.indicators_reported}")
        for kind, label in (("tasks", "nhiệm vụ / activities"), ("indicators", "chỉ tiêu / indicators")):
            for unit in self.missing_units.get(kind, []):
                out.append(f"CHƯA NỘP / NOT RETURNED ({label}): {unit} — hiển thị “Chưa báo cáo” / shown as "
                           "not reported")
        for unit, ids in self.unreported.items():
            out.append(f"Để trống / left blank by {unit}: {', '.join(ids)} — hiển thị “Chưa báo cáo”")
        if self.ignored:
            out.append("Bỏ qua / ignored: " + ", ".join(self.ignored))
        return out


# ---------------------------------------------------------------- load

def _header_keys(kind: str) -> dict[str, str]:
    out = {}
    for col in config()[kind]["columns"]:
        for label in [col["header"], *col.get("aliases", [])]:
            out[header_key(label)] = col["key"]
    return out


def _all_header_keys() -> set[str]:
    return {k for kind in KINDS for k in _header_keys(kind)}


def _meta(rows: list[list], upto: int) -> dict[str, str | None]:
    labels = {header_key(v): k for k, v in config()["meta"].items()}
    out: dict[str, str | None] = {k: None for k in labels.values()}
    for row in rows[:upto]:
        if row and row[0] and header_key(row[0]) in labels:
            out[labels[header_key(row[0])]] = _norm(row[1]) if len(row) > 1 and row[1] else None
    return out


def find_table(grid: Grid) -> tuple[Table | None, list[Problem]]:
    """The report table of one sheet, if it has one (found by its header row)."""
    for kind in KINDS:
        keys = _header_keys(kind)
        for i, row in enumerate(grid.rows[:30]):
            cols: dict[str, int] = {}
            for j, cell in enumerate(row):
                k = keys.get(header_key(cell)) if cell else None
                if k and k not in cols:
                    cols[k] = j
            if "id" not in cols or len(cols) < 3:
                continue
            need = [c for c in config()[kind]["columns"] if c["kind"] in ("prefilled", "input")]
            missing = [c["header"] for c in need if c["key"] not in cols]
            if missing:
                m = ", ".join(f"“{h}”" for h in missing)
                return None, [Problem(grid.file.name, f"thiếu cột {m} (đã bị xóa hoặc đổi tên); hãy dùng lại biểu mẫu",
                                      f"missing columns {m} (deleted or renamed); use the template again",
                                      grid.sheet, i + 1)]
            meta = _meta(grid.rows, i)
            rows = []
            for n, r in enumerate(grid.rows[i + 1:], start=i + 2):
                values = {k: (_norm(r[j]) or None) if j < len(r) else None for k, j in cols.items()}
                if any(v is not None for v in values.values()):
                    rows.append((n, values))
            return Table(kind, grid.file, grid.sheet, meta.get("unit"), meta.get("quarter"), rows), []
    return None, []


def load_tables(folder: Path) -> tuple[list[Table], list[Problem], list[str]]:
    """Every report table in ``folder``; problems of unreadable files; names of ignored files."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CollectError(f"Không có thư mục {folder} / no such folder {folder}")
    tables, problems, ignored = [], [], []
    header_keys = _all_header_keys()
    for path in sorted(folder.iterdir()):
        if loader._is_ignorable(path) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix not in (*XLSX_SUFFIXES, *CSV_SUFFIXES, ".xls"):
            ignored.append(path.name)
            continue
        try:
            grids = read_grids(path, header_keys)
        except LoadError as e:
            problems.append(Problem(path.name, e.reason_vi, e.reason_en))
            continue
        found = 0
        for grid in grids:
            table, probs = find_table(grid)
            problems += probs
            if table is not None:
                tables.append(table)
                found += 1
        if not found and not any(p.file == path.name for p in problems):
            problems.append(Problem(path.name, "không tìm thấy bảng báo cáo (dòng tiêu đề “Mã nhiệm vụ” hoặc "
                                    "“Mã chỉ tiêu”)", "no report table found (header row with “Mã nhiệm vụ” or "
                                    "“Mã chỉ tiêu”)"))
    return tables, problems, ignored


# ---------------------------------------------------------------- transform

def _status_code(text: str) -> str | None:
    """Contract code of a status as typed (the loader's alias rule), or None if it is not one."""
    code = loader.coerce(pd.DataFrame({"TrangThai": [text]}, dtype=object), "tien_do")["TrangThai"].iloc[0]
    allowed = contract.columns("tien_do")["TrangThai"]["allowed"]
    return code if isinstance(code, str) and code in allowed else None


def _count(text: str) -> int | None:
    t = text.strip()
    if not _COUNT.fullmatch(t):
        return None
    return int(re.sub(r"\D", "", t))


def _evidence(doc: str | None, when: str | None) -> str | None:
    if when:
        when = re.sub(r"^ngày\s+", "", when, flags=re.IGNORECASE)
    if doc and when:
        return doc if when in doc else f"{doc} ngày {when}"
    if when:
        return f"Ngày {when}"
    return doc


class _Checker:
    def __init__(self, assign: Assignment, quarter: str):
        self.assign, self.quarter = assign, quarter
        self.units = {loader.fold(u): u for u in assign.units}
        self.owner = {"tasks": assign.unit_of_task(), "indicators": assign.unit_of_indicator()}
        self.problems: list[Problem] = []

    def problem(self, t: Table, vi: str, en: str, row: int | None = None):
        self.problems.append(Problem(t.file.name, vi, en, t.sheet, row))

    def identify(self, t: Table) -> str | None:
        labels = config()["meta"]
        if t.quarter != self.quarter:
            self.problem(t, f"biểu mẫu của kỳ “{t.quarter or '(trống)'}”, không phải {self.quarter} (ô “{labels['quarter']}”)",
                         f"template of period “{t.quarter or '(blank)'}”, not {self.quarter} (cell “{labels['quarter']}”)")
            return None
        unit = self.units.get(loader.fold(t.unit or ""))
        if unit is None:
            self.problem(t, f"không xác định được đơn vị (ô “{labels['unit']}”: “{t.unit or ''}”); đơn vị hợp lệ: "
                            + "; ".join(self.assign.units),
                         f"unknown unit (cell “{labels['unit']}”: “{t.unit or ''}”); valid units: "
                         + "; ".join(self.assign.units))
        return unit

    def rows(self, t: Table, unit: str, expected: dict[str, dict]) -> tuple[list[dict], list[str]]:
        """Checked output rows of one table, and the ids left blank."""
        cfg = config()[t.kind]
        inputs = [c for c in cfg["columns"] if c["kind"] == "input"]
        prefilled = [c for c in cfg["columns"] if c["kind"] == "prefilled" and c["key"] != "id"]
        seen: dict[str, int] = {}
        out, blank = [], []
        what_vi, what_en = ("nhiệm vụ", "activity") if t.kind == "tasks" else ("chỉ tiêu", "indicator")
        for n, v in t.rows:
            rid = v.get("id")
            if rid is None:
                self.problem(t, f"thiếu mã {what_vi} (ô điền sẵn đã bị xóa)", f"{what_en} id missing (pre-filled cell "
                             "deleted)", n)
                continue
            owner = self.owner[t.kind].get(rid)
            if owner is None:
                self.problem(t, f"mã {what_vi} “{_short(rid)}” không có trong Kế hoạch",
                             f"{what_en} id “{_short(rid)}” is not in the plan", n)
                continue
            if owner != unit:
                self.problem(t, f"{what_vi} {rid} thuộc đơn vị khác ({owner}), không phải {unit}",
                             f"{what_en} {rid} belongs to another unit ({owner}), not {unit}", n)
                continue
            if rid in seen:
                self.problem(t, f"mã {rid} có hai lần (dòng {seen[rid]} và {n})",
                             f"id {rid} appears twice (rows {seen[rid]} and {n})", n)
                continue
            seen[rid] = n
            exp = expected[rid]
            for c in prefilled:
                if _norm(v.get(c["key"])) != _norm(exp.get(c["key"])):
                    self.problem(t, f"ô điền sẵn “{c['header']}” đã bị sửa: “{_short(_norm(v.get(c['key'])))}” thay vì "
                                    f"“{_short(_norm(exp.get(c['key'])))}”; hãy trả lại nội dung cũ",
                                 f"pre-filled cell “{c['header']}” was changed: “{_short(_norm(v.get(c['key'])))}” "
                                 f"instead of “{_short(_norm(exp.get(c['key'])))}”; restore it", n)
            ok = True
            for c in inputs:
                val = v.get(c["key"])
                if val is not None and c.get("max_length") and len(val) > int(c["max_length"]):
                    self.problem(t, f"ô “{c['header']}” dài {len(val)} ký tự, tối đa {c['max_length']}",
                                 f"cell “{c['header']}” has {len(val)} characters, at most {c['max_length']}", n)
                    ok = False
            if all(v.get(c["key"]) is None for c in inputs):
                blank.append(rid)
                continue
            row = self._tasks_row(t, n, v, rid) if t.kind == "tasks" else self._indicator_row(t, n, v, rid)
            if row is not None and ok:
                row["DonViBaoCao"] = unit
                out.append(row)
        return out, blank

    def _tasks_row(self, t: Table, n: int, v: dict, rid: str) -> dict | None:
        status = v.get("status")
        labels = " / ".join(f"“{x}”" for x in status_labels().values())
        if status is None:
            self.problem(t, f"nhiệm vụ {rid} có minh chứng hoặc ghi chú nhưng thiếu “Trạng thái”; chọn {labels}",
                         f"activity {rid} has evidence or a note but no status; choose {labels}", n)
            return None
        code = _status_code(status)
        if code is None:
            self.problem(t, f"trạng thái “{_short(status)}” không hợp lệ; chọn {labels}",
                         f"invalid status “{_short(status)}”; choose {labels}", n)
            return None
        return {"MaNhiemVu": rid, "TrangThai": code, "MinhChung": _evidence(v.get("evidence"), v.get("evidence_date")),
                "GhiChu": v.get("note")}

    def _indicator_row(self, t: Table, n: int, v: dict, rid: str) -> dict | None:
        num, den = v.get("numerator"), v.get("denominator")
        if num is None or den is None:
            self.problem(t, f"chỉ tiêu {rid}: cần ghi cả tử số và mẫu số", f"indicator {rid}: give both numerator "
                         "and denominator", n)
            return None
        tu, mau = _count(num), _count(den)
        for text, val, vi, en in ((num, tu, "tử số", "numerator"), (den, mau, "mẫu số", "denominator")):
            if val is None:
                self.problem(t, f"chỉ tiêu {rid}: {vi} “{_short(text)}” không phải số nguyên không âm",
                             f"indicator {rid}: {en} “{_short(text)}” is not a whole number ≥ 0", n)
        if tu is None or mau is None:
            return None
        if tu > mau:
            self.problem(t, f"chỉ tiêu {rid}: tử số ({tu}) lớn hơn mẫu số ({mau})",
                         f"indicator {rid}: numerator ({tu}) greater than denominator ({mau})", n)
            return None
        return {"MaChiTieu": rid, "TuSo": tu, "MauSo": mau,
                "MinhChung": _evidence(v.get("evidence"), v.get("evidence_date"))}


def check(tables: list[Table], assign: Assignment, quarter: str):
    """The output rows per kind, or the problems; plus the units that returned nothing."""
    chk = _Checker(assign, quarter)
    seen: dict[tuple[str, str], Table] = {}
    rows: dict[str, list[dict]] = {k: [] for k in KINDS}
    unreported: dict[str, list[str]] = {}
    for t in tables:
        unit = chk.identify(t)
        if unit is None:
            continue
        first = seen.get((t.kind, unit))
        if first is not None:
            chk.problem(t, f"đơn vị {unit} đã nộp bảng này trong {first.where()}: hai lần nộp cho cùng đơn vị; "
                           "chỉ giữ một tệp",
                        f"unit {unit} already returned this table in {first.where()}: duplicate submission; keep "
                        "one file")
            continue
        seen[(t.kind, unit)] = t
        task_rows, ind_rows = unit_rows(assign, unit, None)  # "previous" is reference only: never compared
        expected = {r["id"]: r for r in (task_rows if t.kind == "tasks" else ind_rows)}
        out, blank = chk.rows(t, unit, expected)
        rows[t.kind] += out
        if blank:
            unreported.setdefault(unit, []).extend(blank)
    missing = {
        "tasks": [u for u in dict.fromkeys(assign.tasks["unit"]) if ("tasks", u) not in seen],
        "indicators": [u for u in dict.fromkeys(assign.indicators["unit"]) if ("indicators", u) not in seen],
    }
    return rows, missing, unreported, chk.problems, seen


# ---------------------------------------------------------------- save

def _frame(kind: str, rows: list[dict], assign: Assignment) -> pd.DataFrame:
    name = OUTPUT[kind]
    cols = list(contract.columns(name))
    df = pd.DataFrame(rows, columns=cols)
    order = list(assign.tasks["id"]) if kind == "tasks" else list(assign.indicators["measure"])
    key = cols[0]
    df["_o"] = df[key].map({k: i for i, k in enumerate(order)})
    return df.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _write_xlsx(df: pd.DataFrame, path: Path) -> None:
    """One sheet, contract column names in row 1; text stays text (never a formula), counts are numbers."""
    wb = Workbook()
    ws = wb.active
    ws.title = path.stem.lstrip(".")[:31]
    ws.append(list(df.columns))
    for r, rec in enumerate(df.itertuples(index=False), start=2):
        for j, v in enumerate(rec, start=1):
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
                ws.cell(r, j).value = int(v)
            elif not pd.isna(v):
                text_cell(ws.cell(r, j), v)
    wb.save(path)


def existing_outputs(folder: Path, names) -> list[Path]:
    names = set(names)
    return sorted(p for p in folder.iterdir() if p.is_file() and p.stem.lower() in names
                  and p.suffix.lower() in (".csv", ".xlsx"))


def collect(quarter: str, returned_dir: Path, data_dir: Path, plan_dir: Path, force: bool = False,
            now: datetime | None = None) -> Result:
    """Read the returned workbooks in ``returned_dir``; write ``data_dir/<quarter>/tien_do.xlsx`` (and bao_cao)."""
    check_quarter_id(quarter)
    folder = Path(data_dir) / quarter
    if not (folder / loader.MANIFEST_NAME).is_file():
        raise CollectError(f"Chưa có thư mục quý {folder} với quarter.yml; chạy trước "
                           f"`python pipeline.py new-quarter {quarter}` / no quarter folder {folder} with quarter.yml; "
                           f"run `python pipeline.py new-quarter {quarter}` first")
    assign = assignment(plan_dir)
    tables, problems, ignored = load_tables(returned_dir)
    rows, missing, unreported, more, seen = check(tables, assign, quarter)
    problems += more
    if problems:
        raise CollectError(f"Các tệp đơn vị gửi về có {len(problems)} lỗi; chưa ghi gì. Sửa rồi chạy lại / "
                           f"{len(problems)} problems in the returned files; nothing was written. Fix them and "
                           "run again", problems)
    if not tables:
        raise CollectError(f"Không có biểu mẫu nào trong {returned_dir} / no returned workbook in {returned_dir}")
    # A kind with no reported row at all writes nothing: validation would refuse an empty file.
    kinds = [k for k in KINDS if rows[k]]
    if not kinds:
        raise CollectError("Các biểu mẫu gửi về chưa có nội dung nào (mọi ô cần điền đều trống) / the returned "
                           "workbooks report nothing (every fill-in cell is blank)")
    existing = existing_outputs(folder, [OUTPUT[k] for k in kinds])
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise CollectError(f"{folder} đã có {names}; không ghi đè. Chạy lại với --force để thay (bản cũ được lưu vào "
                           f"{folder / BACKUP_DIR}) / {folder} already has {names}; not overwritten. Rerun with "
                           "--force to replace them (the old files are kept)")
    result = Result(ignored=ignored, missing_units=missing, unreported=unreported,
                    tasks_reported=len(rows["tasks"]), indicators_reported=len(rows["indicators"]))
    temps = []
    try:
        for k in kinds:
            tmp = folder / f".{OUTPUT[k]}.tmp.xlsx"
            _write_xlsx(_frame(k, rows[k], assign), tmp)
            temps.append((tmp, folder / f"{OUTPUT[k]}.xlsx"))
        if existing:
            stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
            backup = folder / BACKUP_DIR / stamp
            backup.mkdir(parents=True, exist_ok=False)
            for p in existing:
                dest = backup / p.name
                shutil.move(str(p), dest)
                result.backups.append(dest)
        for tmp, final in temps:
            os.replace(tmp, final)
            result.written.append(final)
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    return result
