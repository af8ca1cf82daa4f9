"""Reading the published quarterly report (DOCX) in tests."""
from __future__ import annotations

from pathlib import Path

APPENDIX_HEADER = ["STT", "Chỉ tiêu", "Kỳ", "Tử số", "Mẫu số", "Tỷ lệ", "Mục tiêu năm", "Đánh giá"]


def appendix_figures(path: Path, name_vi: str) -> tuple[list[str], list[str]]:
    """(quarter row, year-to-date row) of the indicator ``name_vi`` in the
    report's appendix table (the name is on the quarter row only)."""
    from docx import Document

    doc = Document(str(path))
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == APPENDIX_HEADER)
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    i = next(i for i, r in enumerate(rows) if r[1] == name_vi)
    return rows[i], rows[i + 1]
