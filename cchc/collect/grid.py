"""Returned files (untrusted, from e-mail) as bounded grids of text cells.

A workbook gives one grid per worksheet; a CSV saved from one sheet gives one
grid. Cell text follows the loader's rules (:func:`cchc.xlsx_cells.cell_text`:
dates as ISO text, integral numbers without ``.0``, formulas as their text,
never evaluated); CSV encodings are detected by the loader's own detector
(UTF-8 with or without BOM, UTF-16 with BOM, Windows-1258). Anything too big
fails before it is parsed: the file size, the unzipped size of the .xlsx
parts, and the rows and columns read per sheet (``limits`` in collect.yaml).
"""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .. import loader
from ..loader import LoadError
from . import config

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Grid:
    """One sheet: ``rows[i]`` is Excel row ``i + 1``, cells as stripped NFC text or ``None``."""

    file: Path
    sheet: str | None  # None for a CSV
    rows: list[list[str | None]]


def _limits() -> dict:
    return config()["limits"]


def _check_zip(path: Path) -> None:
    lim = _limits()
    try:
        with zipfile.ZipFile(path) as z:
            total = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise LoadError(path, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file") from None
    if total > lim["max_unzipped_bytes"]:
        raise LoadError(path, f"nội dung giải nén quá lớn ({total:,} byte)",
                        f"unzipped content too large ({total:,} bytes)")


def _xlsx_grids(path: Path) -> list[Grid]:
    import openpyxl

    from ..xlsx_cells import cell_text

    lim = _limits()
    _check_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:
        raise LoadError(path, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file") from None
    grids = []
    try:
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):  # chartsheets
                continue
            ws.reset_dimensions()  # a workbook's stated dimensions may lie
            rows = []
            for row in ws.iter_rows(max_col=lim["max_columns"]):
                if len(rows) >= lim["max_rows"]:
                    if any(c.value is not None for c in row):
                        raise LoadError(path, f"trang “{ws.title}” có quá {lim['max_rows']} dòng",
                                        f"sheet '{ws.title}' has more than {lim['max_rows']} rows")
                    continue
                rows.append([cell_text(c) for c in row])
            grids.append(Grid(path, ws.title, rows))
    except LoadError:
        raise
    except Exception:
        raise LoadError(path, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file") from None
    finally:
        wb.close()
    return grids


def _csv_grid(path: Path, header_keys: set[str]) -> Grid:
    lim = _limits()
    encoding, _ = loader._detect_encoding(path)
    with open(path, encoding=encoding, newline="") as f:
        text = f.read(lim["max_file_bytes"])
    text = unicodedata.normalize("NFC", text)

    def parse(delim):
        out = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delim):
            if len(out) >= lim["max_rows"]:
                raise LoadError(path, f"tệp có quá {lim['max_rows']} dòng",
                                f"more than {lim['max_rows']} rows")
            out.append([(c.strip() or None) for c in row[: lim["max_columns"]]])
        return out

    best, best_n = None, -1
    for delim in (",", ";", "\t"):
        try:
            rows = parse(delim)
        except csv.Error:
            continue
        n = max((sum(1 for c in r if c and loader.header_key(c) in header_keys) for r in rows[:30]), default=0)
        if n > best_n:
            best, best_n = rows, n
    if best is None:
        raise LoadError(path, "lỗi cấu trúc CSV", "malformed CSV")
    return Grid(path, None, best)


def read_grids(path: Path, header_keys: set[str]) -> list[Grid]:
    """Every sheet of a returned file. ``header_keys`` (folded headers) choose a CSV's delimiter."""
    path = Path(path)
    size = path.stat().st_size
    if size > _limits()["max_file_bytes"]:
        raise LoadError(path, f"tệp quá lớn ({size:,} byte)", f"file too large ({size:,} bytes)")
    if size == 0:
        raise LoadError(path, "tệp rỗng", "empty file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _xlsx_grids(path)
    if suffix in CSV_SUFFIXES:
        return [_csv_grid(path, header_keys)]
    if suffix == ".xls":
        raise LoadError(path, "định dạng Excel cũ (.xls) không được hỗ trợ, hãy lưu lại thành .xlsx",
                        "old Excel format (.xls) is not supported; save it as .xlsx")
    raise LoadError(path, f"đuôi tệp không được hỗ trợ ({suffix or 'không có'}); cần .xlsx hoặc .csv",
                    f"unsupported file type ({suffix or 'none'}); expected .xlsx or .csv")
