"""``python pipeline.py templates --quarter 2027Q1``: one workbook per reporting unit.

Load (the plan, who reports what, last quarter's ``tien_do``) → transform (the
rows of each unit) → save (an openpyxl workbook per unit). Each workbook has:

1. an instructions sheet in Vietnamese (``instructions`` in collect.yaml);
2. the unit's activities: pre-filled id, area, activity, product, timing and
   lead unit (locked cells), last quarter's reported status for reference,
   and the cells the unit fills, with Excel data validation: a dropdown of
   the contract's status values in Vietnamese, free text with length limits;
3. when the plan gives the unit indicators to report: their ids and names
   pre-filled, whole-number cells for numerator and denominator.

The sheets are protected without a password against slips only: the
collector never relies on it and checks every pre-filled cell on return.
Above each table, "Đơn vị báo cáo" and "Kỳ báo cáo" identify the workbook, so
a renamed file or a CSV saved from one sheet is still recognised.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .. import loader
from ..periods import quarter_label_vi
from . import Assignment, assignment, check_quarter_id, config, previous_quarter, slug, status_labels

HEADER_ROW = 5  # title, unit, quarter, blank, header
PREFILLED_FILL = PatternFill("solid", fgColor="EEEEEE")
INPUT_FILL = PatternFill("solid", fgColor="FFF9DB")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def previous_statuses(data_dir: Path, quarter: str) -> dict[str, str] | None:
    """Task id → Vietnamese status reported in the quarter before ``quarter``; None if it has no tien_do."""
    folder = Path(data_dir) / previous_quarter(quarter)
    if not folder.is_dir():
        return None
    files = [p for p in folder.iterdir() if p.is_file() and p.stem.lower() == "tien_do"
             and p.suffix.lower() in (".csv", ".xlsx")]
    if len(files) != 1:
        return None
    df = loader.read_table(files[0], "tien_do").df
    labels = status_labels()
    return {str(i): labels.get(str(s), str(s)) for i, s in zip(df["MaNhiemVu"], df["TrangThai"])
            if pd.notna(i) and pd.notna(s)}


def text_cell(cell, value) -> None:
    """A text cell that Excel never reads as a formula."""
    cell.value = None if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    if cell.value is not None:
        cell.data_type = "s"


def _validation(col: dict, first: int, last: int, letter: str) -> DataValidation | None:
    msgs = config()["validation"]
    kind = col.get("type")
    if kind == "status":
        values = ",".join(status_labels().values())
        dv = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True,
                            prompt=msgs["status_prompt"], error=msgs["status_error"])
    elif kind == "text":
        n = int(col["max_length"])
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(n), allow_blank=True,
                            prompt=msgs["text_prompt"].format(max_length=n),
                            error=msgs["text_error"].format(max_length=n))
    elif kind == "count":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            prompt=msgs["count_prompt"], error=msgs["count_error"])
    else:
        return None
    dv.showErrorMessage = dv.showInputMessage = True
    dv.errorStyle = "stop"
    dv.add(f"{letter}{first}:{letter}{last}")
    return dv


def _table_sheet(wb: Workbook, spec: dict, rows: list[dict], unit: str, quarter: str) -> None:
    cfg = config()
    ws = wb.create_sheet(spec["sheet"])
    ws["A1"] = spec["title"].format(quarter_label=quarter_label_vi(quarter))
    ws["A1"].font = Font(bold=True, size=13)
    text_cell(ws["A2"], cfg["meta"]["unit"])
    text_cell(ws["B2"], unit)
    text_cell(ws["A3"], cfg["meta"]["quarter"])
    text_cell(ws["B3"], quarter)
    for cell in (ws["A2"], ws["A3"], ws["B2"], ws["B3"]):
        cell.font = BOLD
    columns = spec["columns"]
    for j, col in enumerate(columns, start=1):
        c = ws.cell(HEADER_ROW, j)
        text_cell(c, col["header"])
        c.font, c.alignment = BOLD, WRAP
        ws.column_dimensions[get_column_letter(j)].width = col.get("width", 15)
    first = HEADER_ROW + 1
    for i, row in enumerate(rows):
        r = first + i
        for j, col in enumerate(columns, start=1):
            c = ws.cell(r, j)
            c.alignment = WRAP
            if col["kind"] == "input":
                c.protection = Protection(locked=False)
                c.fill = INPUT_FILL
            else:
                text_cell(c, row.get(col["key"]))
                c.fill = PREFILLED_FILL
    last = first + max(len(rows), 1) - 1
    for j, col in enumerate(columns, start=1):
        if col["kind"] == "input":
            dv = _validation(col, first, last, get_column_letter(j))
            if dv is not None:
                ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(first, 2)
    ws.protection.sheet = True  # against slips only; no password, never relied upon


def _instructions(wb: Workbook, unit: str, quarter: str) -> None:
    cfg = config()
    ws = wb.active
    ws.title = cfg["instructions_sheet"]
    statuses = ", ".join(f"“{v}”" for v in status_labels().values())
    for i, line in enumerate(cfg["instructions"], start=1):
        text = line.format(unit=unit, quarter_label=quarter_label_vi(quarter), statuses=statuses,
                           tasks_sheet=cfg["tasks"]["sheet"], indicators_sheet=cfg["indicators"]["sheet"])
        c = ws.cell(i, 1)
        text_cell(c, text or None)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=13)
    ws.column_dimensions["A"].width = 110


def unit_rows(assign: Assignment, unit: str, previous: dict[str, str] | None) -> tuple[list[dict], list[dict]]:
    """The pre-filled rows of one unit's two tables (keys of collect.yaml's columns)."""
    cfg = config()
    task_rows = []
    for t in assign.tasks[assign.tasks["unit"] == unit].to_dict("records"):
        row = {c["key"]: t.get(c["source"]) for c in cfg["tasks"]["columns"] if c.get("source")}
        row["previous"] = (cfg["previous_none"] if previous is None
                           else previous.get(str(t["id"]), cfg["previous_missing"]))
        task_rows.append(row)
    ind_rows = [{c["key"]: t.get(c["source"]) for c in cfg["indicators"]["columns"] if c.get("source")}
                for t in assign.indicators[assign.indicators["unit"] == unit].to_dict("records")]
    return task_rows, ind_rows


def workbook(assign: Assignment, unit: str, quarter: str, previous: dict[str, str] | None) -> Workbook:
    cfg = config()
    task_rows, ind_rows = unit_rows(assign, unit, previous)
    wb = Workbook()
    _instructions(wb, unit, quarter)
    if task_rows:
        _table_sheet(wb, cfg["tasks"], task_rows, unit, quarter)
    if ind_rows:
        _table_sheet(wb, cfg["indicators"], ind_rows, unit, quarter)
    return wb


def write_templates(quarter: str, plan_dir: Path, data_dir: Path, out_dir: Path | None = None) -> list[Path]:
    """Write one workbook per reporting unit into ``out_dir``; returns the paths."""
    check_quarter_id(quarter)
    cfg = config()
    assign = assignment(plan_dir)
    previous = previous_statuses(data_dir, quarter)
    out_dir = Path(out_dir) if out_dir is not None else \
        Path(__file__).resolve().parents[2] / cfg["default_out"].format(quarter=quarter)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for unit in assign.units:
        path = out_dir / cfg["file_name"].format(quarter=quarter, slug=slug(unit))
        workbook(assign, unit, quarter, previous).save(path)
        paths.append(path)
    return paths
