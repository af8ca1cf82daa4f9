"""Tests of cchc.loader: every reading path, on files generated in tmp_path."""
from __future__ import annotations

import unicodedata
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc import contract, loader
from cchc.loader import (
    DATE_PATTERNS, LoadError, PersonalDataWarning, LoaderWarning, coerce, date_format_mask,
    load_quarter, parse_datetimes, read_manifest, read_table,
)
from cchc.model import empty_frame

try:
    from loader_fixtures import (
        HO_SO_VI_HEADER, TTHC, csv_text, ho_so_vi_row, to_cp1258, write_csv, write_manifest, write_xlsx,
    )
except ImportError:  # tests/ made a package
    from tests.loader_fixtures import (
        HO_SO_VI_HEADER, TTHC, csv_text, ho_so_vi_row, to_cp1258, write_csv, write_manifest, write_xlsx,
    )

pytestmark = pytest.mark.filterwarnings("ignore::cchc.loader.LoaderWarning")

T = pd.Timestamp


def _vi_rows(n=2):
    return [HO_SO_VI_HEADER] + [ho_so_vi_row(f"HS{i:03d}") for i in range(1, n + 1)]


def _assert_load_error(err: LoadError, path, *fragments):
    text = str(err)
    assert "Không đọc được tệp" in text and "Cannot read file" in text
    assert str(path) in text and err.path == path
    for f in fragments:
        assert f in text, (f, text)


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1258"])
def test_csv_encodings_give_the_same_nfc_text(tmp_path, encoding):
    p = write_csv(tmp_path / "ho_so.csv", _vi_rows(), encoding=encoding)
    if encoding == "cp1258":
        data = p.read_bytes()
        assert b"\xec" in data  # the acute tone mark of "ứ" is a separate combining byte
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    t = read_table(p, "ho_so")
    assert t.raw["TenTTHC"].tolist() == [TTHC, TTHC]
    assert all(unicodedata.is_normalized("NFC", v) for v in t.raw["TenTTHC"])
    assert t.raw["TenLinhVuc"][0] == "Chứng thực"
    assert t.df["TenTTHC"].dtype == "string"
    assert t.df["KenhThucHien"].tolist() == [2, 2]
    assert t.row_numbers.tolist() == [2, 3]


def test_utf8_in_decomposed_form_is_normalised(tmp_path):
    rows = _vi_rows(1)
    text = unicodedata.normalize("NFD", csv_text(rows))
    p = tmp_path / "ho_so.csv"
    p.write_bytes(text.encode("utf-8"))
    t = read_table(p, "ho_so")  # headers in NFD are recognised too
    assert t.raw["TenTTHC"][0] == TTHC
    assert t.df["KenhThucHien"][0] == 2


def test_utf8_character_cut_by_the_read_chunk(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "_CHUNK", 7)
    p = write_csv(tmp_path / "ho_so.csv", _vi_rows(3))
    assert read_table(p, "ho_so").raw["TenTTHC"].tolist() == [TTHC] * 3


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_mixed_encodings_name_the_line(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(loader, "_CHUNK", chunk)
    text = csv_text(_vi_rows(4))
    lines = text.split("\r\n")
    data = b"\r\n".join(to_cp1258(ln) if i == 3 else ln.encode("utf-8") for i, ln in enumerate(lines))
    p = tmp_path / "ho_so.csv"
    p.write_bytes(data)
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "tệp trộn lẫn nhiều bảng mã (dòng 4)", "mixed encodings (line 4)")
    assert ei.value.line == 4


def test_cp1258_lines_before_utf8_lines_are_mixed_too(tmp_path):
    text = csv_text(_vi_rows(2)).split("\r\n")
    data = to_cp1258(text[0] + "\r\n" + text[1] + "\r\n") + (text[2] + "\r\n").encode("utf-8")
    p = tmp_path / "ho_so.csv"
    p.write_bytes(data)
    with pytest.raises(LoadError, match="mixed encodings"):
        read_table(p, "ho_so")


def test_bytes_valid_in_no_encoding(tmp_path):
    p = tmp_path / "ho_so.csv"
    p.write_bytes(b"MaHoSo,MaTTHC,TenTTHC\r\nHS1,1,abc\x81\r\n")
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "Windows-1258", "(line 2)")


def test_nul_bytes_are_refused(tmp_path):
    p = tmp_path / "ho_so.csv"
    p.write_bytes("MaHoSo,MaTTHC".encode("utf-16-le"))  # UTF-16 without a BOM
    with pytest.raises(LoadError, match="NUL"):
        read_table(p, "ho_so")


# ---------------------------------------------------------------- CSV shape


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiters(tmp_path, delimiter):
    rows = _vi_rows(2)
    rows[1][2] = "Chứng thực, bản sao; có tab"  # delimiters inside a quoted cell
    p = write_csv(tmp_path / "ho_so.csv", rows, delimiter=delimiter)
    t = read_table(p, "ho_so")
    assert list(t.raw.columns) == list(contract.columns("ho_so"))
    assert t.raw["TenTTHC"].tolist() == ["Chứng thực, bản sao; có tab", TTHC]


def test_csv_title_rows_blank_lines_and_row_numbers(tmp_path):
    rows = [
        ["DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ I/2026"], [], HO_SO_VI_HEADER,
        ho_so_vi_row("HS001"), [], [""] * len(HO_SO_VI_HEADER), ho_so_vi_row("HS002", **{"Tên thủ tục": "Dòng 1\nDòng 2"}),
        ["  "] * len(HO_SO_VI_HEADER), ho_so_vi_row("HS003"),
    ]
    p = write_csv(tmp_path / "ho_so.csv", rows)
    t = read_table(p, "ho_so")
    assert t.header_row == 3
    assert t.raw["MaHoSo"].tolist() == ["HS001", "HS002", "HS003"]
    assert t.row_numbers.tolist() == [4, 7, 9]  # as a spreadsheet shows the file
    assert t.row_numbers.dtype == np.int64
    assert t.raw["TenTTHC"][1] == "Dòng 1\nDòng 2"


def test_row_numbers_across_read_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "_CSV_CHUNK_ROWS", 3)
    rows = [HO_SO_VI_HEADER] + [ho_so_vi_row(f"HS{i}") if i % 4 else [] for i in range(1, 12)]
    t = read_table(write_csv(tmp_path / "ho_so.csv", rows), "ho_so")
    expected = [i + 1 for i in range(1, 12) if i % 4]
    assert t.row_numbers.tolist() == expected
    assert t.raw["MaHoSo"].tolist() == [f"HS{i}" for i in range(1, 12) if i % 4]


@pytest.mark.parametrize("bad_row, fragment", [(2, "row 3 has 17 fields"), (1, "row 2 has more fields")])
def test_row_with_more_fields_than_the_header(tmp_path, bad_row, fragment):
    rows = _vi_rows(3)
    rows[bad_row] = rows[bad_row] + ["lệch cột"]  # an unquoted comma shifts every value after it
    p = write_csv(tmp_path / "ho_so.csv", rows)
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, f"dòng {bad_row + 1}", fragment)


def test_values_are_stripped_blank_is_none_and_text_kept_exactly(tmp_path):
    rows = [["MaHoSo", "MaTTHC", "TenTTHC", "KenhThucHien"],
            ["  HS1 ", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "   "]]
    t = read_table(write_csv(tmp_path / "ho_so.csv", rows), "ho_so")
    assert t.raw.loc[0].tolist() == ["HS1", '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", None]
    assert t.raw.dtypes.tolist() == [object] * 4
    assert t.df["KenhThucHien"][0] == 1  # blank -> default


def test_header_only_file_is_a_table_with_zero_rows(tmp_path):
    t = read_table(write_csv(tmp_path / "ho_so.csv", [HO_SO_VI_HEADER]), "ho_so")
    assert len(t.raw) == 0 and len(t.df) == 0 and len(t.row_numbers) == 0
    assert list(t.raw.columns) == list(contract.columns("ho_so"))
    assert t.df.dtypes.to_dict() == empty_frame("ho_so").dtypes.to_dict()


# ---------------------------------------------------------------- headers


def test_header_aliases_case_accent_and_marks(tmp_path):
    rows = [["MA HO SO:", "mã tthc*", "Ten  thu   tuc", "HÌNH THỨC NỘP", "ngày tiếp nhận", "Ngày hẹn trả :"],
            ["HS1", "1.001", "A", "bưu chính công ích", "2026-01-02 08:00", "05/01/2026"],
            ["HS2", "1.001", "A", "TRỰC TIẾP", "2026-01-02 08:00", "05/01/2026"]]
    t = read_table(write_csv(tmp_path / "ho_so.csv", rows), "ho_so")
    assert list(t.raw.columns) == ["MaHoSo", "MaTTHC", "TenTTHC", "KenhThucHien", "NgayTiepNhan", "NgayHenTra"]
    assert t.df["KenhThucHien"].tolist() == [3, 1]
    assert t.warnings == []


def test_two_headers_for_one_column(tmp_path):
    p = write_csv(tmp_path / "ho_so.csv", [["Mã hồ sơ", "Số hồ sơ", "Tên TTHC"], ["1", "2", "x"]])
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "MaHoSo", "Mã hồ sơ", "Số hồ sơ")


def test_unknown_columns_are_dropped_with_a_warning(tmp_path):
    rows = [["MaHoSo", "Cột lạ", "MaTTHC", "Ghi chú nội bộ"], ["HS1", "x", "1", "y"]]
    t = read_table(write_csv(tmp_path / "ho_so.csv", rows), "ho_so")
    assert list(t.raw.columns) == ["MaHoSo", "MaTTHC"]
    assert t.warnings == [
        "Cột không thuộc hợp đồng dữ liệu, bỏ qua: Cột lạ, Ghi chú nội bộ / "
        "Columns not in the contract, ignored: Cột lạ, Ghi chú nội bộ"
    ]
    assert "Cột lạ" not in t.df.columns


def test_contract_aliases_are_unambiguous():
    personal = loader._personal_keys()
    for name in contract.inputs():
        keys = loader._column_keys(name)  # raises on an alias naming two columns
        assert not set(keys) & personal, name
        for k in keys:
            assert not loader._is_personal(k), (name, k)


# ---------------------------------------------------------------- personal data


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_personal_data_is_dropped_everywhere(tmp_path, suffix):
    header = ["MaHoSo", "ChuHoSo", "SoDienThoai", "Email", "MaTTHC", "Số CCCD", "Địa chỉ", "Họ và tên:",
              "Địa chỉ liên hệ", "TenTTHC"]
    secrets = ["Nguyễn Văn An", "0912345678", "an@example.vn", "079123456789", "12 Hùng Vương", "Trần Thị Bình",
               "34 Lê Lợi"]
    row = ["HS1", secrets[0], secrets[1], secrets[2], "1.001", secrets[3], secrets[4], secrets[5], secrets[6], TTHC]
    p = tmp_path / f"ho_so{suffix}"
    (write_csv if suffix == ".csv" else write_xlsx)(p, [header, row])
    with pytest.warns(PersonalDataWarning) as rec:
        t = read_table(p, "ho_so")
    dropped = ["ChuHoSo", "SoDienThoai", "Email", "Số CCCD", "Địa chỉ", "Họ và tên:", "Địa chỉ liên hệ"]
    assert t.dropped_personal == dropped
    msg = str(rec[0].message)
    assert "Đã bỏ cột dữ liệu cá nhân: ChuHoSo, SoDienThoai" in msg
    assert "Dropped personal-data columns: ChuHoSo, SoDienThoai, Email, Số CCCD, Địa chỉ" in msg
    assert t.warnings[0].startswith("Đã bỏ cột dữ liệu cá nhân: ChuHoSo")
    assert list(t.raw.columns) == ["MaHoSo", "MaTTHC", "TenTTHC"]
    everything = [str(v) for v in [*t.raw.to_numpy().ravel(), *t.df.to_numpy().ravel()]]
    everything += list(t.raw.columns) + list(t.df.columns) + t.warnings
    for s in secrets:
        assert not any(s in cell for cell in everything), s


# ---------------------------------------------------------------- XLSX


def _xlsx_ho_so(tmp_path):
    rows = [
        ["DANH SÁCH HỒ SƠ TIẾP NHẬN VÀ GIẢI QUYẾT TTHC"],
        ["Quý I năm 2026"],
        [],
        HO_SO_VI_HEADER,
        ["HS001", "2.000815", TTHC, "CT", "Chứng thực", "Trực tuyến", datetime(2026, 1, 2, 8, 15),
         date(2026, 1, 5), datetime(2026, 1, 3, 10, 0, 0, 999_600), None, 10.0, "Có", 1.0, 1, 0, "Không"],
        [],
        ["HS002", 2000815.0, "Đăng ký khai sinh", "HT", "Hộ tịch", 1.0, "05/01/2026 14:30",
         datetime(2026, 1, 9), None, None, 4, 0, 0.0, True, False, 1],
        ["HS003", "x", "=SUM(A1:A2)", "HT", "Hộ tịch", 2.5, None, datetime(2026, 1, 9), None, None, 4, 0, 0, 0, 0, 0],
    ]
    # HS002's deadline is an Excel date cell with a date-only format; HS003's shows a time.
    return write_xlsx(tmp_path / "ho_so.xlsx", rows,
                      number_formats={(7, 8): "dd/mm/yyyy", (8, 8): "dd/mm/yyyy hh:mm"})


def test_xlsx_title_rows_dates_numbers_and_row_numbers(tmp_path):
    t = read_table(_xlsx_ho_so(tmp_path), "ho_so")
    assert t.header_row == 4
    assert t.row_numbers.tolist() == [5, 7, 8]
    r = t.raw
    assert r["MaHoSo"].tolist() == ["HS001", "HS002", "HS003"]
    assert r["MaTTHC"].tolist() == ["2.000815", "2000815", "x"]  # integral float -> "2000815"
    assert r["NgayTiepNhan"].tolist() == ["2026-01-02T08:15:00", "05/01/2026 14:30", None]
    assert r["NgayHenTra"].tolist() == ["2026-01-05", "2026-01-09", "2026-01-09T00:00:00"]
    assert r["NgayKetThucXuLy"][0] == "2026-01-03T10:00:01"  # rounded to the second
    assert r["TrangThaiHoSo"].tolist() == ["10", "4", "4"]
    assert r["KenhThucHien"].tolist() == ["Trực tuyến", "1", "2.5"]
    assert r["HoSoCoThanhPhanSoHoa"].tolist() == ["1", "1", "0"]  # TRUE -> "1"
    assert r["TenTTHC"][2] == "=SUM(A1:A2)"  # kept as written, never evaluated
    d = t.df
    assert d["NgayTiepNhan"].tolist()[:2] == [T("2026-01-02 08:15"), T("2026-01-05 14:30")]
    assert d["NgayHenTra"].tolist() == [T("2026-01-05 23:59:59"), T("2026-01-09 23:59:59"), T("2026-01-09 00:00")]
    assert d["KenhThucHien"].tolist()[:2] == [2, 1] and pd.isna(d["KenhThucHien"][2])
    assert d["CoNghiaVuTaiChinh"].tolist() == [1, 0, 0]
    assert d["CoTaiSuDungDuLieu"].tolist() == [0, 1, 0]


def test_xlsx_header_found_on_a_later_sheet(tmp_path):
    p = write_xlsx(tmp_path / "tien_do.xlsx", [["Mã nhiệm vụ", "Trạng thái", "Đơn vị báo cáo"], ["I.01", "Hoàn thành", "VP"]],
                   extra_sheets={"Hướng dẫn": [["Hướng dẫn điền mẫu"], ["Cột A: mã nhiệm vụ"]]})
    t = read_table(p, "tien_do")
    assert t.df["TrangThai"].tolist() == ["hoan_thanh"]
    assert t.row_numbers.tolist() == [2]


def test_xlsx_header_only(tmp_path):
    t = read_table(write_xlsx(tmp_path / "ho_so.xlsx", [["Tiêu đề"], HO_SO_VI_HEADER]), "ho_so")
    assert len(t.raw) == 0 and t.header_row == 2
    assert t.df.dtypes.to_dict() == empty_frame("ho_so").dtypes.to_dict()


# ---------------------------------------------------------------- unreadable files


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_empty_file(tmp_path, suffix):
    p = tmp_path / f"ho_so{suffix}"
    p.write_bytes(b"")
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "tệp rỗng", "empty file")


def test_blank_csv_and_blank_workbook_are_empty(tmp_path):
    p = tmp_path / "ho_so.csv"
    p.write_bytes(b"\r\n  \r\n")
    with pytest.raises(LoadError, match="empty file"):
        read_table(p, "ho_so")
    x = write_xlsx(tmp_path / "ho_so.xlsx", [])
    with pytest.raises(LoadError, match="empty file"):
        read_table(x, "ho_so")


def test_truncated_xlsx(tmp_path):
    good = _xlsx_ho_so(tmp_path).read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(good[: len(good) // 2])
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file")


def test_zip_that_is_not_a_workbook(tmp_path):
    p = tmp_path / "ho_so.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("hello.txt", "xin chào")
    with pytest.raises(LoadError, match="not a valid Excel"):
        read_table(p, "ho_so")


def test_text_file_named_xlsx(tmp_path):
    p = write_csv(tmp_path / "ho_so.xlsx", _vi_rows(1))
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file")


def test_workbook_named_csv(tmp_path):
    x = _xlsx_ho_so(tmp_path)
    p = tmp_path / "ho_so.csv"
    p.write_bytes(x.read_bytes())
    with pytest.raises(LoadError, match="Excel"):
        read_table(p, "ho_so")


def test_too_large(tmp_path, monkeypatch):
    p = write_csv(tmp_path / "ho_so.csv", _vi_rows(5))
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    with pytest.raises(LoadError) as ei:
        read_table(p, "ho_so")
    _assert_load_error(ei.value, p, "tệp quá lớn", "file too large")


@pytest.mark.parametrize("fname", ["ho_so.xls", "ho_so.json"])
def test_unsupported_suffix(tmp_path, fname):
    p = tmp_path / fname
    p.write_bytes(b"x")
    with pytest.raises(LoadError, match="Cannot read file"):
        read_table(p, "ho_so")


def test_load_error_str_and_attributes(tmp_path):
    e = LoadError(tmp_path / "a.csv", "lý do", "reason")
    assert str(e) == f"Không đọc được tệp {tmp_path / 'a.csv'}: lý do / Cannot read file {tmp_path / 'a.csv'}: reason"
    assert (e.reason_vi, e.reason_en) == ("lý do", "reason")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("text, expected", [
    ("2026-03-05", "2026-03-05 00:00:00"),
    ("2026-03-05 08:30", "2026-03-05 08:30:00"),
    ("2026-03-05T08:30:15", "2026-03-05 08:30:15"),
    ("2026-03-05T08:30:15.250", "2026-03-05 08:30:15.25"),
    ("2026-03-05T08:30:00+07:00", "2026-03-05 08:30:00"),
    ("2026-03-05T01:30:00Z", "2026-03-05 08:30:00"),
    ("2026-03-04T20:30:00-05:00", "2026-03-05 08:30:00"),
    ("2026-03-05 01:30+0000", "2026-03-05 08:30:00"),
    ("05/03/2026", "2026-03-05 00:00:00"),
    ("5/3/2026", "2026-03-05 00:00:00"),
    ("05/03/2026 08:30", "2026-03-05 08:30:00"),
    ("5/3/2026 8:30", "2026-03-05 08:30:00"),
    ("05/03/2026 08:30:15", "2026-03-05 08:30:15"),
    ("  05/03/2026   08:30 ", "2026-03-05 08:30:00"),
    ("03/04/2026", "2026-04-03 00:00:00"),  # 3 April, never 4 March
    ("12/31/2026", None),  # month-first is never accepted
    ("31/02/2026", None),
    ("2026-13-01", None),
    ("2026-3-5", None),
    ("05-03-2026", None),
    ("05/03/26", None),
    ("2026-03-05T25:00", None),
    ("46085", None),
    ("hôm qua", None),
    ("", None),
    (None, None),
])
def test_date_formats(text, expected):
    out = parse_datetimes(pd.Series([text], dtype=object))
    assert out.dtype == "datetime64[ns]"
    assert (pd.isna(out[0]) if expected is None else out[0] == T(expected)), (text, out[0])


def test_parse_datetimes_mixed_series_keeps_index_and_order():
    s = pd.Series(["05/03/2026", "2026-03-06", None, "7/3/2026 9:05", "2026-03-08T00:00:00+07:00", "x"],
                  index=[10, 11, 12, 13, 14, 15], name="NgayTiepNhan", dtype=object)
    out = parse_datetimes(s)
    assert out.index.tolist() == s.index.tolist() and out.name == "NgayTiepNhan"
    assert out.tolist()[:2] == [T("2026-03-05"), T("2026-03-06")]
    assert pd.isna(out[12]) and pd.isna(out[15])
    assert out[13] == T("2026-03-07 09:05") and out[14] == T("2026-03-08")
    # the same values in a pandas "str" series
    assert parse_datetimes(s.astype("str")).equals(out)


def test_end_of_day_only_for_values_without_time():
    s = pd.Series(["05/03/2026", "2026-03-05", "05/03/2026 08:00", "2026-03-05T00:00", "5/3/2026",
                   "2026-03-05T10:00+07:00"], dtype=object)
    out = parse_datetimes(s, end_of_day=True).tolist()
    assert out == [T("2026-03-05 23:59:59")] * 2 + [T("2026-03-05 08:00"), T("2026-03-05 00:00"),
                                                     T("2026-03-05 23:59:59"), T("2026-03-05 10:00")]


def test_end_of_day_columns_follow_the_contract(tmp_path):
    rows = [["MaPAKN", "NgayTiepNhan", "HanXuLy", "NgayXuLy"], ["P1", "01/02/2026", "10/02/2026", "09/02/2026"]]
    t = read_table(write_csv(tmp_path / "phan_anh.csv", rows), "phan_anh")
    assert t.df.loc[0, "NgayTiepNhan"] == T("2026-02-01")
    assert t.df.loc[0, "HanXuLy"] == T("2026-02-10 23:59:59")
    assert t.df.loc[0, "NgayXuLy"] == T("2026-02-09")


def test_date_patterns_and_mask():
    assert all(hasattr(p, "fullmatch") for p in DATE_PATTERNS)
    s = pd.Series(["05/03/2026", "2026-03-05T08:00+07:00", "12/31/2026", "2026/03/05", None, "  5/3/2026 "])
    assert date_format_mask(s).tolist() == [True, True, True, False, False, True]


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31)),
       st.sampled_from(["date", "hm", "hms"]), st.booleans())
def test_dd_mm_yyyy_round_trips(dt, shape, pad):
    dt = dt.replace(microsecond=0)
    day, month = (f"{dt.day:02d}", f"{dt.month:02d}") if pad else (str(dt.day), str(dt.month))
    text = f"{day}/{month}/{dt.year}"
    expected = datetime(dt.year, dt.month, dt.day)
    if shape != "date":
        text += f" {dt.hour:02d}:{dt.minute:02d}"
        expected = expected.replace(hour=dt.hour, minute=dt.minute)
    if shape == "hms":
        text += f":{dt.second:02d}"
        expected = expected.replace(second=dt.second)
    out = parse_datetimes(pd.Series([text, dt.strftime("%Y-%m-%dT%H:%M:%S")]))
    assert out[0] == pd.Timestamp(expected)
    assert out[1] == pd.Timestamp(dt)


# ---------------------------------------------------------------- coerce


def test_coerce_types_aliases_defaults():
    raw = pd.DataFrame({
        "MaHoSo": [" HS1", "HS2", "HS3", "HS4"],
        "KenhThucHien": ["Trực tuyến", None, "03", "9"],
        "TrangThaiHoSo": ["10.0", "Đã trả kết quả", "đang XỬ LÝ", "abc"],
        "CoNghiaVuTaiChinh": ["có", "KHÔNG", "2", "1"],
        "NgayTiepNhan": ["02/01/2026", "2026-01-02 08:00", "01/13/2026", None],
        "CotLa": ["x", "y", "z", "w"],
    })
    df = coerce(raw, "ho_so")
    assert list(df.columns) == list(contract.columns("ho_so"))
    assert df.dtypes.to_dict() == empty_frame("ho_so").dtypes.to_dict()
    assert df["MaHoSo"].tolist() == ["HS1", "HS2", "HS3", "HS4"]
    assert df["KenhThucHien"].tolist() == [2, 1, 3, 9]  # 9 is an int; validation checks the allowed list
    assert df["TrangThaiHoSo"].tolist()[:3] == [10, 10, 4] and pd.isna(df["TrangThaiHoSo"][3])
    assert df["CoNghiaVuTaiChinh"].tolist()[:2] == [1, 0] and pd.isna(df["CoNghiaVuTaiChinh"][2])
    assert df["NgayTiepNhan"][0] == T("2026-01-02") and pd.isna(df["NgayTiepNhan"][2])
    assert df["MaTTHC"].isna().all()  # absent column -> blank


def test_coerce_text_and_score_domains():
    raw = pd.DataFrame({"MaPhieu": ["1", "2", "3"], "HaiLongChung": ["5", "6", "0"], "TiepCan": ["1.0", " 4 ", ""]})
    df = coerce(raw, "khao_sat")
    assert df["HaiLongChung"].tolist()[0] == 5 and df["HaiLongChung"][1:].isna().all()
    assert df["TiepCan"].tolist()[:2] == [1, 4] and pd.isna(df["TiepCan"][2])
    tt = coerce(pd.DataFrame({"MucDoDVC": ["Toàn Trình", "DVC một phần", "khong", "cấp 4"]}), "thu_tuc")
    assert tt["MucDoDVC"].tolist() == ["toàn trình", "một phần", "không", "cấp 4"]
    td = coerce(pd.DataFrame({"TrangThai": ["Đã hoàn thành", "dang_thuc_hien", "Chưa triển khai"]}), "tien_do")
    assert td["TrangThai"].tolist() == ["hoan_thanh", "dang_thuc_hien", "chua_trien_khai"]


def test_coerce_empty_frame_has_contract_dtypes():
    for name in contract.inputs():
        df = coerce(pd.DataFrame(), name)
        assert df.dtypes.to_dict() == empty_frame(name).dtypes.to_dict(), name


# ---------------------------------------------------------------- manifest and quarter folder


def _quarter(tmp_path, qid="2026Q1", **manifest):
    folder = tmp_path / qid
    folder.mkdir()
    write_manifest(folder, **manifest)
    return folder


def test_read_manifest(tmp_path):
    folder = _quarter(tmp_path, "2026Q4", cutoff="2026-11-20", exported_at="2026-11-21T01:00:00Z")
    m = read_manifest(folder / "quarter.yml")
    assert m.quarter == "2026Q4" and m.cutoff == date(2026, 11, 20) and m.provisional
    assert m.sample is True and m.source == "Trích xuất thử"
    assert m.exported_at == datetime(2026, 11, 21, 8, 0)


def test_manifest_quarter_must_match_folder(tmp_path):
    folder = _quarter(tmp_path, "2026Q2", quarter="2026Q1")
    with pytest.raises(LoadError) as ei:
        read_manifest(folder / "quarter.yml")
    _assert_load_error(ei.value, folder / "quarter.yml", "2026Q1", "2026Q2", "folder")
    with pytest.raises(LoadError, match="folder"):
        load_quarter(folder)


@pytest.mark.parametrize("fields, fragment", [
    ({"quarter": "2026-Q1"}, "2026Q3"),
    ({"cutoff": "2026-05-01"}, "outside quarter"),
    ({"sample": '"maybe"'}, "true or false"),
])
def test_manifest_errors(tmp_path, fields, fragment):
    folder = _quarter(tmp_path, **fields)
    with pytest.raises(LoadError, match=fragment):
        read_manifest(folder / "quarter.yml")


def test_load_quarter(tmp_path):
    folder = _quarter(tmp_path)
    write_csv(folder / "ho_so.csv", _vi_rows(2), encoding="utf-8-sig")
    write_xlsx(folder / "tien_do.xlsx", [["Tiến độ"], ["Mã nhiệm vụ", "Trạng thái", "Đơn vị"], ["I.01", "Hoàn thành", "VP"]])
    write_csv(folder / "bao_cao.csv", [["MaChiTieu", "TuSo", "MauSo", "DonViBaoCao"], ["x", "1", "2", "VP"]])
    (folder / "ghi-chu.txt").write_text("không phải dữ liệu", encoding="utf-8")
    (folder / "~$tien_do.xlsx").write_bytes(b"lock")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        q = load_quarter(folder)
    assert q.quarter == "2026Q1" and q.manifest.quarter == "2026Q1" and q.folder == folder
    assert list(q.tables) == ["ho_so", "tien_do", "bao_cao"]
    assert q.df("tien_do")["TrangThai"].tolist() == ["hoan_thanh"]
    assert q.tables["tien_do"].row_numbers.tolist() == [3]
    assert not q.has("thu_tuc")  # missing required input: validation's job, not an error here
    assert q.df("phan_anh").empty
    msgs = [str(w.message) for w in rec if issubclass(w.category, LoaderWarning)]
    assert any("ghi-chu.txt" in m and "ignored" in m for m in msgs)
    assert not any("~$" in m for m in msgs)


def test_load_quarter_two_files_for_one_input(tmp_path):
    folder = _quarter(tmp_path)
    write_csv(folder / "ho_so.csv", _vi_rows(1))
    write_xlsx(folder / "ho_so.xlsx", _vi_rows(1))
    with pytest.raises(LoadError) as ei:
        load_quarter(folder)
    assert "ho_so.csv" in str(ei.value) and "ho_so.xlsx" in str(ei.value)


def test_load_quarter_without_manifest(tmp_path):
    folder = tmp_path / "2026Q1"
    folder.mkdir()
    with pytest.raises(LoadError, match="quarter.yml"):
        load_quarter(folder)


def test_factors_rebuild_raw_and_typed_columns_match_coerce(tmp_path):
    """Table.factors (the loader's per-distinct-value codes, reused by
    validation) rebuild every raw column exactly, after blank rows are
    dropped; the typed frame parsed once per distinct value equals coerce(),
    which factorises on its own."""
    p = tmp_path / "ho_so.csv"
    rows = [
        "HS1,1.001,Khai sinh,HT,Hộ tịch,Trực tuyến,01/07/2026 08:00,03/07/2026,,,10,Có,0,1,1,0",
        ",,,,,,,,,,,,,,,",
        " HS2 ,1.001,Khai sinh ,HT,Hộ tịch,２,2026-07-01T08:00:00+07:00,2026-07-03,31/02/2026,x,Đã trả kết quả,KHÔNG,1.0,,2,1",
        "HS3,1.001,ĐT 0912 345 678,HT,Hộ tịch,,1/7/2026 8:00,０３/０７/２０２６,,,9,1,01,1,1,",
        "HS\u200b4,1.001,Khai\u00a0sinh,HT,Hộ tịch,7,,03/07/2026,,,abc,2,,1,1,0",
    ]
    header = ("MaHoSo,MaTTHC,TenTTHC,MaLinhVuc,TenLinhVuc,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,"
              "NgayTra,TrangThaiHoSo,CoNghiaVuTaiChinh,DuocThanhToanTrucTuyen,HoSoCoThanhPhanSoHoa,CoKetQuaDienTu,"
              "CoTaiSuDungDuLieu")
    p.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    t = loader.read_table(p, "ho_so")
    assert list(t.row_numbers) == [2, 4, 5, 6]
    assert set(t.factors) == set(t.raw.columns)
    for col, (codes, values) in t.factors.items():
        assert values[-1] is None and len(codes) == len(t.raw)
        assert values[codes].tolist() == t.raw[col].tolist(), col
        # exactly pandas' factorisation of the column: distinct values in order of first appearance
        want_codes, want_values = pd.factorize(t.raw[col].to_numpy(dtype=object), use_na_sentinel=True)
        assert values[:-1].tolist() == list(want_values) and codes.tolist() == want_codes.tolist(), col
    pd.testing.assert_frame_equal(t.df, loader.coerce(t.raw, "ho_so"), check_exact=True)
    assert t.df["KenhThucHien"].tolist()[:2] == [2, 2]
    assert t.df["NgayHenTra"].iloc[0] == pd.Timestamp("2026-07-03 23:59:59")


def _same_table(a, b) -> None:
    pd.testing.assert_frame_equal(a.raw, b.raw, check_exact=True, check_column_type=True, check_index_type=True)
    pd.testing.assert_frame_equal(a.df, b.df, check_exact=True, check_column_type=True, check_index_type=True)
    assert [blk.dtype for blk in a.raw._mgr.blocks] == [blk.dtype for blk in b.raw._mgr.blocks]
    assert list(a.factors) == list(b.factors)
    for col, (codes, values) in a.factors.items():
        assert codes.dtype == b.factors[col][0].dtype and codes.tolist() == b.factors[col][0].tolist()
        assert values.tolist() == b.factors[col][1].tolist()
    assert a.row_numbers.tolist() == b.row_numbers.tolist()
    for field in ("name", "path", "header_row", "dropped_personal", "warnings"):
        assert getattr(a, field) == getattr(b, field), field
    for field in ("masked", "too_long"):
        assert {c: m.tolist() for c, m in getattr(a, field).items()} == \
            {c: m.tolist() for c, m in getattr(b, field).items()}, field


def test_a_pickled_table_carries_raw_as_its_factors(tmp_path):
    """Issue 15: a table sent to a validation worker (or kept in the build
    cache) pickles ``raw`` as the loader's factors — each distinct text once,
    the rows as codes — and unpickles to the same table: from CSV (a blank
    row skipped, text masked, NFC) and from XLSX. A table whose factors do
    not cover ``raw`` pickles ``raw`` whole."""
    import pickle

    from cchc.model import Table

    rows = [
        "HS1,1.001,Khai sinh,HT,Hộ tịch,Trực tuyến,01/07/2026 08:00,03/07/2026,,,10,Có,0,1,1,0",
        ",,,,,,,,,,,,,,,",
        " HS2 ,1.001,ĐT 0912 345 678,HT,Hộ tịch,２,2026-07-01T08:00:00+07:00,2026-07-03,,x,10,0,1,,2,1",
    ]
    header = ("MaHoSo,MaTTHC,TenTTHC,MaLinhVuc,TenLinhVuc,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,"
              "NgayTra,TrangThaiHoSo,CoNghiaVuTaiChinh,DuocThanhToanTrucTuyen,HoSoCoThanhPhanSoHoa,CoKetQuaDienTu,"
              "CoTaiSuDungDuLieu")
    p = tmp_path / "ho_so.csv"
    p.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    tables = [read_table(p, "ho_so"), read_table(root / "data" / "2026Q2" / "ho_so.xlsx", "ho_so")]
    assert tables[0].masked and tables[0].row_numbers.tolist() == [2, 4]
    for t in tables:
        state = t.__getstate__()
        assert not isinstance(state["raw"], pd.DataFrame)
        _same_table(pickle.loads(pickle.dumps(t)), t)

    t = tables[0]
    by_hand = Table(name=t.name, path=t.path, df=t.df, raw=t.raw, row_numbers=t.row_numbers)  # no factors
    assert isinstance(by_hand.__getstate__()["raw"], pd.DataFrame)
    again = pickle.loads(pickle.dumps(by_hand))
    pd.testing.assert_frame_equal(again.raw, t.raw, check_exact=True)
    dropped = Table(name=t.name, path=t.path, df=t.df, raw=t.raw.drop(columns="MaHoSo"),
                    row_numbers=t.row_numbers, factors=t.factors)  # raw changed after reading
    assert isinstance(dropped.__getstate__()["raw"], pd.DataFrame)


def test_chunked_reading_gives_the_same_table(tmp_path, monkeypatch):
    """The CSV is read in chunks, each cleaned once per distinct value and
    merged: any chunk size gives the same raw and typed frames and factors."""
    p = tmp_path / "ho_so.csv"
    header = ("MaHoSo,MaTTHC,TenTTHC,MaLinhVuc,TenLinhVuc,KenhThucHien,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,"
              "NgayTra,TrangThaiHoSo,CoNghiaVuTaiChinh,DuocThanhToanTrucTuyen,HoSoCoThanhPhanSoHoa,CoKetQuaDienTu,"
              "CoTaiSuDungDuLieu")
    cells = [["HS1", " HS1", "HS\u200b1", ""], ["1.001", " 1.001 "], ["Khai sinh", "Khai\u00a0sinh", "ĐT 0912345678"],
             ["HT"], ["Hộ tịch"], ["1", "Trực tuyến", " 2", ""], ["01/07/2026 08:00", " 01/07/2026 08:00", ""],
             ["03/07/2026"], [""], [""], ["10", "Đã trả kết quả"], ["0", "Có"], ["0"], ["1", ""], ["1"], ["0"]]
    rows = [",".join(c[(i * (k + 1)) % len(c)] for k, c in enumerate(cells)) for i in range(60)]
    rows[7] = "," * 15  # a blank row
    p.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    whole = loader.read_table(p, "ho_so")
    monkeypatch.setattr(loader, "_CSV_CHUNK_ROWS", 4)
    chunked = loader.read_table(p, "ho_so")
    _same_table(chunked, whole)
    assert 9 not in list(whole.row_numbers)
