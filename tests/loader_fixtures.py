"""Helpers that write loader test inputs (CSV in any encoding, XLSX with title rows).

Files are always generated inside pytest's ``tmp_path``; no binary fixture is
committed.
"""
from __future__ import annotations

import csv
import io
import unicodedata
from pathlib import Path

import openpyxl

# Tone marks that Windows-1258 stores as separate combining characters.
_CP1258_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

TTHC = "Chứng thực bản sao từ bản chính"

# A ho_so export the way a one-stop system shows it: Vietnamese display headers.
HO_SO_VI_HEADER = [
    "Mã hồ sơ", "Mã TTHC", "Tên thủ tục", "Mã lĩnh vực", "Lĩnh vực", "Hình thức nộp",
    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày kết thúc xử lý", "Ngày trả", "Trạng thái",
    "Có nghĩa vụ tài chính", "Thanh toán trực tuyến", "Số hóa hồ sơ", "Kết quả điện tử",
    "Tái sử dụng dữ liệu",
]


def ho_so_vi_row(code: str, **over) -> list[str]:
    row = {
        "Mã hồ sơ": code, "Mã TTHC": "2.000815", "Tên thủ tục": TTHC, "Mã lĩnh vực": "CT",
        "Lĩnh vực": "Chứng thực", "Hình thức nộp": "Trực tuyến", "Ngày tiếp nhận": "02/01/2026 08:15",
        "Ngày hẹn trả": "05/01/2026", "Ngày kết thúc xử lý": "03/01/2026 10:00", "Ngày trả": "",
        "Trạng thái": "10", "Có nghĩa vụ tài chính": "Có", "Thanh toán trực tuyến": "1",
        "Số hóa hồ sơ": "1", "Kết quả điện tử": "0", "Tái sử dụng dữ liệu": "Không",
    }
    row.update(over)
    return [row[h] for h in HO_SO_VI_HEADER]


def to_cp1258(text: str) -> bytes:
    """Encode like a Windows-1258 export: base letters precomposed, tone marks combining."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tones = [c for c in parts if c in _CP1258_TONES]
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _CP1258_TONES))
        out += (base + "".join(tones)).encode("cp1258")
    return bytes(out)


def csv_text(rows: list[list], delimiter: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        return to_cp1258(text)
    if encoding == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(encoding)  # utf-8, utf-8-sig, utf-16 (native order with BOM)


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    path.write_bytes(encode(csv_text(rows, delimiter), encoding))
    return path


def write_xlsx(path: Path, rows: list[list], number_formats: dict[tuple[int, int], str] | None = None,
               sheet_title: str = "Sheet1", extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """Write rows (``None``/``[]`` for blank rows) to an .xlsx; ``number_formats`` by (row, col), 1-based."""
    wb = openpyxl.Workbook()
    for title, srows in (extra_sheets or {}).items():  # sheets placed before the main one
        ws = wb.create_sheet(title, 0)
        for r in srows:
            ws.append(r or [])
    ws = wb["Sheet"]
    ws.title = sheet_title
    for r in rows:
        ws.append(r or [])
    for (r, c), fmt in (number_formats or {}).items():
        ws.cell(row=r, column=c).number_format = fmt
    wb.save(path)
    return path


def write_manifest(folder: Path, quarter: str | None = None, **fields) -> Path:
    quarter = quarter or folder.name
    lines = [f"quarter: {quarter}"]
    for k, v in {"sample": "true", "source": '"Trích xuất thử"', "exported_at": "2026-04-02T08:00:00+07:00",
                 **fields}.items():
        if v is not None:
            lines.append(f"{k}: {v}")
    p = folder / "quarter.yml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p
