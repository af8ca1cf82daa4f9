"""The cells of an .xlsx worksheet as text, for :mod:`cchc.loader` and
:mod:`cchc.collect.grid` (rules: the XLSX section of the loader's docstring).

openpyxl (read-only mode) parses the sheet. Two things here make reading a
large sheet cheaper without changing what is read (issue 15: 2026Q2's
``ho_so.xlsx``, 5.000 rows and 55.006 inline-string cells, took 2,1-2,7 s):

- **Plain inline strings.** openpyxl builds an ``openpyxl.cell.text.Text``
  model (descriptors, rich-text runs, phonetic runs) for every inline-string
  cell ``<c t="inlineStr"><is><t>…</t></is></c>`` and keeps only its text.
  :class:`InlineTextParser` reads that text straight from the ``<t>``
  element when ``<is>`` holds exactly one ``<t>`` and nothing else (what
  Excel, LibreOffice and openpyxl itself write); any other inline string
  (rich-text runs, phonetic text), a formula cell and every other cell type
  go through openpyxl's own code.
- **Only the columns that are kept.** :func:`data_rows` walks the parsed rows
  itself and makes a cell object only for the columns the loader keeps,
  where ``Worksheet.iter_rows`` makes one for every cell of every row. It
  gives the rows and the values ``iter_rows`` gives, quirks included: a row
  numbered before one already seen is skipped, a row's width is its last
  cell's column, and of two cells in one column the later counts.

Both are checked against openpyxl's own iteration on the bundled XLSX
quarter, the corpus of bad inputs and hand-written sheets
(tests/test_xlsx_cells.py). They use openpyxl's worksheet parser and
read-only worksheet internals, so they are written for the pinned version
(:data:`FOR_VERSION`, requirements.txt); on any other version
:func:`data_rows` falls back to ``iter_rows``.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterator

import openpyxl

FOR_VERSION = "3.1.5"
OWN_PARSER = openpyxl.__version__ == FOR_VERSION  # whether data_rows reads with InlineTextParser
if OWN_PARSER:  # the parser's internals this module builds on
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
else:  # another version: iter_rows only (see data_rows)
    ReadOnlyCell = FORMULA_TAG = INLINE_STRING = SHEET_MAIN_NS = None
    WorkSheetParser = object
_TEXT_TAG = f"{{{SHEET_MAIN_NS}}}t"


@lru_cache(maxsize=256)
def format_has_time(fmt: str | None) -> bool:
    """Whether an Excel number format shows a time (hours or seconds), quoted
    text, ``[$…]`` locale codes and escaped characters aside."""
    if not fmt:
        return False
    f = re.sub(r'"[^"]*"|\[\$[^\]]*\]|\\.', "", fmt.lower())
    return bool(re.search(r"[hs]", f))


def cell_text(cell) -> str | None:
    """A cell as the user sees it, as text (``None`` when blank): text NFC
    and stripped; booleans ``"1"``/``"0"``; integral numbers without
    ``.0``; date cells ISO 8601, a date alone when at midnight and its
    number format shows no time; a formula cell its formula text."""
    v = cell.value
    if v is None:
        return None
    if isinstance(v, str):
        v = unicodedata.normalize("NFC", v).strip()
        return v or None
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e16:
            return str(int(v))
        return repr(v)
    if isinstance(v, datetime):
        v = (v + timedelta(microseconds=500_000)).replace(microsecond=0)  # Excel float rounding
        if v.time() == time(0) and not format_has_time(getattr(cell, "number_format", None)):
            return v.strftime("%Y-%m-%d")
        return v.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.replace(microsecond=0).isoformat()
    return str(v).strip() or None


def iter_rows_data(ws, first: int, positions: list[int]) -> Iterator[tuple[int, list[str | None]]]:
    """What :func:`data_rows` gives, read through openpyxl's ``Worksheet.iter_rows``
    (a cell object for every cell): its way on another openpyxl version."""
    for rownum, row in enumerate(ws.iter_rows(min_row=first), start=first):
        values = [(cell_text(row[p]) if p < len(row) else None) for p in positions]
        if any(v is not None for v in values):
            yield rownum, values


class InlineTextParser(WorkSheetParser):
    """openpyxl's worksheet parser, with the text of a plain inline string
    read directly (see the module's docstring)."""

    def parse_cell(self, element):
        if element.get("t") != "inlineStr" or self.rich_text or (
                not self.data_only and element.find(FORMULA_TAG) is not None):  # openpyxl's: the formula wins
            return super().parse_cell(element)
        node = element.find(INLINE_STRING)
        if node is None or len(node) != 1 or node[0].tag != _TEXT_TAG:
            return super().parse_cell(element)
        text = node[0].text or ""
        element.remove(node)  # openpyxl then sees an empty inline string: coordinates and style as ever
        cell = super().parse_cell(element)
        cell["value"], cell["data_type"] = text, "s"
        return cell


def data_rows(ws, first: int, positions: list[int]) -> Iterator[tuple[int, list[str | None]]]:
    """``(row number, texts)`` for each row of worksheet ``ws`` (read-only,
    dimensions reset) from row ``first`` on, with the text of the cells at
    the 0-based column ``positions`` (``None`` when blank or absent); rows
    blank in all of them are left out."""
    if not OWN_PARSER:
        yield from iter_rows_data(ws, first, positions)
        return
    wb = ws.parent
    slot_of = {p + 1: i for i, p in enumerate(positions)}  # 1-based column -> place in the values
    expected = first
    with ws._get_source() as src:
        parser = InlineTextParser(src, ws._shared_strings, data_only=wb.data_only, epoch=wb.epoch,
                                  date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for rownum, cells in parser.parse():
            if rownum < expected:  # as iter_rows: a row numbered before the next expected one is not given
                continue
            expected = rownum + 1
            if not cells:
                continue
            width = cells[-1]["column"]
            found = [None] * len(positions)
            for cell in cells:
                slot = slot_of.get(cell["column"])
                if slot is not None and cell["column"] <= width:
                    found[slot] = cell
            values = [None if c is None else cell_text(ReadOnlyCell(ws, **c)) for c in found]
            if any(v is not None for v in values):
                yield rownum, values
