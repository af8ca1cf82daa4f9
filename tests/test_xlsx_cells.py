"""cchc.xlsx_cells.data_rows gives what openpyxl's own row iteration gives
(issue 15): same rows, same row numbers, same texts, on the bundled XLSX
quarter, the corpus's workbooks and hand-written sheets that hold every shape
a cell or row can take (rich and phonetic inline strings, formulas, rows and
cells out of order, cells without coordinates, dates)."""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cchc import xlsx_cells
from cchc.xlsx_cells import InlineTextParser, data_rows, iter_rows_data

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))
import corpus  # noqa: E402


def _both(path: Path, first: int = 1, positions: list[int] | None = None):
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        got, want = [], []
        for ws in wb.worksheets:
            ws.reset_dimensions()
            cols = positions if positions is not None else list(range(40))
            got.append(list(data_rows(ws, first, cols)))
            want.append(list(iter_rows_data(ws, first, cols)))  # what the loader read before
        return got, want
    finally:
        wb.close()


def test_the_bundled_xlsx_quarter_reads_the_same():
    path = ROOT / "data" / "2026Q2" / "ho_so.xlsx"
    for first, positions in [(1, None), (3, [9, 1, 5, 30])]:
        got, want = _both(path, first, positions)
        assert got == want
        assert sum(len(rows) for rows in got) > 1000


@pytest.mark.parametrize("case_id", ["xlsx_title_rows", "xlsx_status_11", "xlsx_long_cell", "xlsx_string_bomb"])
def test_corpus_workbooks_read_the_same(case_id, tmp_path):
    folder = corpus.build_case(case_id, tmp_path)
    books = sorted(folder.glob("*.xlsx"))
    assert books
    for book in books:
        try:
            got, want = _both(book)
        except Exception as e:  # a workbook openpyxl refuses: refused whichever way it is read
            with pytest.raises(type(e)):
                _both(book)
            continue
        assert got == want


ROWS = """
<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hồ sơ</t></is></c><c r="B1" t="inlineStr"><is><t xml:space="preserve"> Ngày </t></is></c>
  <c r="C1" t="inlineStr"><is><r><rPr><b/></rPr><t>Trạng </t></r><r><t>thái</t></r></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>HS1</t><rPh sb="0" eb="1"><t>ふり</t></rPh></is></c>
  <c r="B2" s="1"><v>46023.5</v></c><c r="C2" t="inlineStr"><f>CONCAT("a","b")</f><is><t>ab</t></is></c></row>
<row r="3"><c r="C3" t="inlineStr"><is><t>late column first</t></is></c><c r="A3" t="inlineStr"><is><t>early</t></is></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t/></is></c><c r="B4" t="inlineStr"><is></is></c><c r="C4" t="inlineStr"/></row>
<row r="5"><c r="A5" t="inlineStr"><is><t>one</t></is></c><c r="A5" t="inlineStr"><is><t>two</t></is></c>
  <c r="B5" t="b"><v>1</v></c><c r="C5"><v>3.0</v></c></row>
<row><c t="inlineStr"><is><t>no coordinates</t></is></c><c t="inlineStr"><is><t>second</t></is></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>row 3 again, after row 6</t></is></c></row>
<row r="9"><c r="A9" s="1"><v>46023</v></c><c r="B9" t="str"><v>=not a formula</v></c>
  <c r="C9" t="inlineStr"><is><t>x</t><t>y</t></is></c></row>
<row r="10"><c r="A10" t="inlineStr"><is><r><t/></r></is></c><c r="B10" t="e"><v>#N/A</v></c></row>
<row r="11"><c r="A11" t="inlineStr">
  <is>
    <t>  pretty printed  </t>
  </is>
</c></row>
"""


def _hand_written(tmp_path: Path, rows: str = ROWS) -> Path:
    """A workbook whose sheet data is ``rows`` (styles from openpyxl: style 1 is a date format)."""
    base = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 0
    ws["A1"].number_format = "dd/mm/yyyy"
    wb.save(base)
    out = tmp_path / "hand.xlsx"
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                text = re.sub(r"<sheetData>.*</sheetData>|<sheetData/>", lambda m: f"<sheetData>{rows}</sheetData>",
                              text, flags=re.S)
                text = re.sub(r"<dimension[^>]*/>", "", text)
                assert rows.strip()[:20] in text
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return out


def test_hand_written_sheet_reads_the_same(tmp_path):
    path = _hand_written(tmp_path)
    for first, positions in [(1, None), (1, [0, 1, 2]), (2, [2, 0]), (4, [1])]:
        got, want = _both(path, first, positions)
        assert got == want, (first, positions)
    got, _ = _both(path, 1, [0, 1, 2])
    rows = dict(got[0])
    assert rows[1] == ["Mã hồ sơ", "Ngày", "Trạng thái"]
    assert rows[2] == ["HS1", "2026-01-01T12:00:00", '=CONCAT("a","b")']  # formula text, not its cached value
    assert rows[3] == ["early", None, None]  # C3 comes before A3, past the row's last cell
    assert 4 not in rows  # blank strings only
    assert rows[5] == ["two", "1", "3"]
    assert rows[6] == ["no coordinates", "second", None]
    assert rows[9] == ["2026-01-01", "=not a formula", "y"]
    assert rows[11] == ["pretty printed", None, None]


def test_plain_inline_strings_skip_openpyxls_text_model(tmp_path, monkeypatch):
    """openpyxl's text model is built for the unusual inline strings only (in sheet order)."""
    import openpyxl.worksheet._reader as reader

    path = _hand_written(tmp_path)
    built = []
    real = reader.Text.from_tree
    monkeypatch.setattr(reader.Text, "from_tree", lambda node: built.append("".join(node.itertext())) or real(node))
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        list(data_rows(ws, 1, [0, 1, 2]))
    finally:
        wb.close()
    assert built == ["Trạng thái", "HS1ふり", "", "xy", ""]  # C1 runs, A2 phonetic, B4 empty, C9 two texts, A10 run


def test_other_openpyxl_versions_fall_back_to_iter_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_cells, "OWN_PARSER", False)
    monkeypatch.setattr(InlineTextParser, "parse_cell", lambda self, element: pytest.fail("own parser used"))
    got, want = _both(_hand_written(tmp_path), 1, [0, 1, 2])
    assert got == want


def test_the_parser_is_openpyxls_for_every_other_cell(tmp_path):
    path = _hand_written(tmp_path)
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        ws = wb.worksheets[0]
        with ws._get_source() as a, ws._get_source() as b:
            ours = list(InlineTextParser(a, ws._shared_strings, epoch=wb.epoch, date_formats=wb._date_formats).parse())
            theirs = list(openpyxl.worksheet._reader.WorkSheetParser(
                b, ws._shared_strings, epoch=wb.epoch, date_formats=wb._date_formats).parse())
    finally:
        wb.close()
    assert ours == theirs


def test_another_openpyxl_version_imports_no_internals_and_reads_the_same(tmp_path):
    from child_process import run_json

    path = _hand_written(tmp_path)
    code = """
import json, sys
import openpyxl
openpyxl.__version__ = "0.0"  # as if another version were installed
from cchc import xlsx_cells
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
ws = wb.worksheets[0]
ws.reset_dimensions()
rows = list(xlsx_cells.data_rows(ws, 1, [0, 1, 2]))
print(json.dumps({"internals": xlsx_cells.WorkSheetParser is not object, "own": xlsx_cells.OWN_PARSER,
                  "rows": rows}))
"""
    out = run_json(code, path)
    assert out["internals"] is False and out["own"] is False
    assert [tuple(r) for r in out["rows"]] == [tuple(r) for r in _both(path, 1, [0, 1, 2])[1][0]]
