"""The quarterly collection: new-quarter, templates, collect (cchc/collect/).

Workbooks are filled here with openpyxl as a unit would fill them. Every
refusal the issue lists has its own test that checks the bilingual message
names the file, the sheet and the row.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import unicodedata
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cchc import contract, loader
from cchc.collect import CollectError, assignment, config, status_labels
from cchc.collect.collect import collect
from cchc.collect.newquarter import new_quarter
from cchc.collect.templates import HEADER_ROW, write_templates

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "data" / "plan"
Q = "2027Q1"


@pytest.fixture
def env(tmp_path):
    """A data folder with last quarter's tien_do, a new quarter, and the templates."""
    data = tmp_path / "data"
    prev = data / "2026Q4"
    prev.mkdir(parents=True)
    for name in ("quarter.yml", "tien_do.csv"):
        shutil.copy(ROOT / "data" / "2026Q4" / name, prev / name)
    new_quarter(Q, data, sample=True)
    paths = write_templates(Q, PLAN, data, tmp_path / "out")
    back = tmp_path / "back"
    back.mkdir()
    return {"data": data, "out": tmp_path / "out", "back": back, "paths": {p.name: p for p in paths},
            "tmp": tmp_path}


def template(env, slug: str) -> Path:
    return env["out"] / f"bao-cao-cchc-{Q}-{slug}.xlsx"


def columns(ws) -> dict[str, int]:
    return {ws.cell(HEADER_ROW, j).value: j for j in range(1, ws.max_column + 1)}


def set_cells(ws, row_id: str, **values):
    """Fill the row of ``row_id`` (column headers as keys)."""
    cols = columns(ws)
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        if ws.cell(r, 1).value == row_id:
            for header, v in values.items():
                ws.cell(r, cols[header]).value = v
            return r
    raise KeyError(row_id)


STATUS = "Trạng thái"
EVIDENCE = "Văn bản minh chứng (số, ký hiệu, trích yếu)"


def fill_vp(path: Path, dest: Path, overrides: dict | None = None) -> Path:
    """The Văn phòng's workbook, filled with the dropdown's values."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    set_cells(ws, "I.01", **{STATUS: "Hoàn thành", EVIDENCE: "Báo cáo số 12/BC-VP", "Ngày văn bản": "15/03/2027",
                             "Ghi chú": "Đã lấy ý kiến nhân dân"})
    set_cells(ws, "I.02", **{STATUS: "Đang thực hiện"})
    ind = wb["Chỉ tiêu"]
    set_cells(ind, "work_files_online", **{"Tử số": 1200, "Mẫu số": 1250, EVIDENCE: "Báo cáo số 13/BC-VP"})
    for (sheet, rid, header), v in (overrides or {}).items():
        set_cells(wb[sheet], rid, **{header: v})
    wb.save(dest)
    return dest


def cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: tone marks as combining characters."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1258")
            out.append(ch)
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in d if c in "\u0300\u0301\u0303\u0309\u0323")
            out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) + tones)
    return "".join(out).encode("cp1258")


def refused(env, **kw) -> str:
    with pytest.raises(CollectError) as e:
        collect(Q, env["back"], env["data"], PLAN, **kw)
    return str(e.value)


# ---------------------------------------------------------------- data


def test_every_unit_reported_indicator_has_one_reporting_unit_as_in_the_sample():
    a = assignment(PLAN)
    ur = a.plan.targets[a.plan.targets["source"] == "unit_report"]
    assert set(config()["indicator_units"]) == set(ur["measure"])
    assert set(config()["indicator_units"].values()) <= set(a.units)
    sample = pd.read_csv(ROOT / "data" / "2026Q3" / "bao_cao.csv", encoding="utf-8-sig")
    assert dict(zip(sample["MaChiTieu"], sample["DonViBaoCao"])) == {
        k: v for k, v in config()["indicator_units"].items() if k in set(sample["MaChiTieu"])}


def test_every_activity_goes_to_one_unit_and_collective_ones_to_the_compiling_unit():
    a = assignment(PLAN)
    assert len(a.tasks) == 63 and a.tasks["unit"].notna().all()
    collective = a.tasks[a.tasks["lead_unit_group"] == "Các cơ quan, đơn vị"]
    assert len(collective) and (collective["unit"] == "Phòng Văn hóa - Xã hội").all()
    assert "Các cơ quan, đơn vị" not in a.units


# ---------------------------------------------------------------- new-quarter


def test_new_quarter_writes_a_manifest_the_loader_reads(tmp_path):
    path = new_quarter(Q, tmp_path)
    m = loader.read_manifest(path)
    assert (m.quarter, m.sample, m.cutoff, m.exported_at) == (Q, False, None, None)
    assert m.source
    text = path.read_text(encoding="utf-8")
    assert "# cutoff: 2027-" in text and "# exported_at: 2027-04-02" in text  # commented, with examples
    assert loader.read_manifest(new_quarter("2027Q2", tmp_path, sample=True)).sample is True


def test_new_quarter_refuses_an_existing_folder_and_a_bad_id(tmp_path):
    (tmp_path / Q).mkdir()
    (tmp_path / Q / "quarter.yml").write_text("mine", encoding="utf-8")
    with pytest.raises(CollectError, match="already exists"):
        new_quarter(Q, tmp_path)
    assert (tmp_path / Q / "quarter.yml").read_text(encoding="utf-8") == "mine"
    for bad in ("2027Q5", "Q1-2027", "2027q1", "２027Q1", "../x"):
        with pytest.raises(CollectError, match="YYYYQn"):
            new_quarter(bad, tmp_path)
    r = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "new-quarter", Q, "--data", str(tmp_path)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "đã có" in r.stderr and "already exists" in r.stderr


# ---------------------------------------------------------------- templates


def test_one_workbook_per_unit_with_instructions_first(env):
    a = assignment(PLAN)
    assert len(env["paths"]) == len(a.units) == 4
    wb = openpyxl.load_workbook(template(env, "phong-van-hoa-xa-hoi"))
    assert wb.sheetnames == ["Hướng dẫn", "Nhiệm vụ", "Chỉ tiêu"]
    guide = " ".join(str(c.value) for c in wb["Hướng dẫn"]["A"] if c.value)
    assert "Phòng Văn hóa - Xã hội" in guide and "Quý I/2027" in guide
    for label in status_labels().values():
        assert label in guide
    ws = wb["Nhiệm vụ"]
    assert (ws["B2"].value, ws["B3"].value) == ("Phòng Văn hóa - Xã hội", Q)
    ids = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert ids == list(a.tasks.loc[a.tasks["unit"] == "Phòng Văn hóa - Xã hội", "id"])


def test_prefilled_cells_locked_fill_in_cells_validated(env):
    wb = openpyxl.load_workbook(template(env, "van-phong-hdnd-va-ubnd"))
    ws = wb["Nhiệm vụ"]
    cols = columns(ws)
    plan = assignment(PLAN).tasks.set_index("id")
    r = HEADER_ROW + 1
    rid = ws.cell(r, 1).value
    assert ws.cell(r, cols["Hoạt động"]).value == plan.loc[rid, "activity"]
    assert ws.cell(r, cols["Sản phẩm"]).value == plan.loc[rid, "product"]
    assert ws.cell(r, cols["Thời gian thực hiện"]).value == plan.loc[rid, "timing"]
    assert ws.cell(r, cols["Hoạt động"]).protection.locked
    assert not ws.cell(r, cols[STATUS]).protection.locked and ws.protection.sheet
    # last quarter's status, from 2026Q4's tien_do
    prev = loader.read_table(ROOT / "data" / "2026Q4" / "tien_do.csv", "tien_do").df.set_index("MaNhiemVu")
    expected = status_labels()[prev.loc[rid, "TrangThai"]] if rid in prev.index else "Chưa báo cáo"
    assert ws.cell(r, cols["Trạng thái quý trước"]).value == expected
    dvs = {dv.type: dv for dv in ws.data_validations.dataValidation}
    assert dvs["list"].formula1 == '"' + ",".join(status_labels().values()) + '"'
    assert set(status_labels()) == set(contract.columns("tien_do")["TrangThai"]["allowed"])
    lengths = sorted(int(dv.formula1) for dv in ws.data_validations.dataValidation if dv.type == "textLength")
    assert lengths == [20, 250, 500]
    ind = wb["Chỉ tiêu"]
    ids = [ind.cell(r, 1).value for r in range(HEADER_ROW + 1, ind.max_row + 1)]
    assert ids == [k for k, v in config()["indicator_units"].items() if v == "Văn phòng HĐND và UBND"]
    assert ind.cell(HEADER_ROW + 1, 2).value == "TTHC nội bộ được thống kê, công bố, công khai"
    assert {dv.type for dv in ind.data_validations.dataValidation} == {"whole", "textLength"}


# ---------------------------------------------------------------- collect: accepted


def test_collect_renamed_workbook_hand_typed_status_and_csv(env):
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "VP gui lai (final).xlsx")
    # Another unit types statuses by hand, in accepted spellings of the contract's value aliases.
    wb = openpyxl.load_workbook(template(env, "phong-kinh-te-ha-tang-va-do-thi"))
    ws = wb["Nhiệm vụ"]
    first = ws.cell(HEADER_ROW + 1, 1).value
    second = ws.cell(HEADER_ROW + 2, 1).value
    ws.data_validations.dataValidation = []
    set_cells(ws, first, **{STATUS: "đã hoàn thành"})
    set_cells(ws, second, **{STATUS: "DANG THUC HIEN"})
    wb.save(env["back"] / "ktht.xlsx")
    # The Trung tâm saves its task sheet as CSV (Excel, semicolon, with BOM).
    wb = openpyxl.load_workbook(template(env, "trung-tam-phuc-vu-hanh-chinh-cong"))
    ws = wb["Nhiệm vụ"]
    tt_id = ws.cell(HEADER_ROW + 1, 1).value
    set_cells(ws, tt_id, **{STATUS: "Chưa triển khai", "Ghi chú": "Chờ hướng dẫn"})
    with open(env["back"] / "trung_tam.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        for row in ws.iter_rows(values_only=True):
            w.writerow(["" if v is None else v for v in row])
    # ... and its indicator sheet as Excel's plain "CSV (Comma delimited)": Windows-1258 on a Vietnamese PC.
    ind = wb["Chỉ tiêu"]
    set_cells(ind, "mobile_services", **{"Tử số": "1.035", "Mẫu số": "1.040", EVIDENCE: "Báo cáo số 9/BC-TTPVHCC"})
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    for row in ind.iter_rows(values_only=True):
        w.writerow(["" if v is None else v for v in row])
    (env["back"] / "chi tieu TT.csv").write_bytes(cp1258(buf.getvalue()))
    res = collect(Q, env["back"], env["data"], PLAN)
    td = loader.read_table(env["data"] / Q / "tien_do.xlsx", "tien_do").df.set_index("MaNhiemVu")
    assert td.loc["I.01", "TrangThai"] == "hoan_thanh"
    assert td.loc["I.01", "MinhChung"] == "Báo cáo số 12/BC-VP ngày 15/03/2027"
    assert td.loc["I.01", "GhiChu"] == "Đã lấy ý kiến nhân dân"
    assert td.loc["I.01", "DonViBaoCao"] == "Văn phòng HĐND và UBND"
    assert td.loc["I.02", "TrangThai"] == "dang_thuc_hien"
    assert td.loc[first, "TrangThai"] == "hoan_thanh" and td.loc[second, "TrangThai"] == "dang_thuc_hien"
    assert td.loc[tt_id, "TrangThai"] == "chua_trien_khai" and td.loc[tt_id, "GhiChu"] == "Chờ hướng dẫn"
    assert "I.05" not in td.index  # left blank: not reported
    bc = loader.read_table(env["data"] / Q / "bao_cao.xlsx", "bao_cao").df.set_index("MaChiTieu")
    assert (bc.loc["work_files_online", "TuSo"], bc.loc["work_files_online", "MauSo"]) == (1200, 1250)
    assert (bc.loc["mobile_services", "TuSo"], bc.loc["mobile_services", "MauSo"]) == (1035, 1040)
    assert bc.loc["mobile_services", "DonViBaoCao"] == "Trung tâm Phục vụ hành chính công"
    assert res.missing_units["tasks"] == ["Phòng Văn hóa - Xã hội"]
    assert res.missing_units["indicators"] == ["Phòng Văn hóa - Xã hội"]
    assert "autonomous_units" in res.unreported["Phòng Kinh tế, Hạ tầng và Đô thị"]  # returned blank
    assert "I.05" in res.unreported["Văn phòng HĐND và UBND"]
    text = "\n".join(res.lines())
    assert "Phòng Văn hóa - Xã hội" in text and "Chưa báo cáo" in text


def test_collect_ignores_protection_and_keeps_text_as_text(env):
    """Unprotected and with a formula-like note: the text is kept and never becomes a formula."""
    wb = openpyxl.load_workbook(template(env, "van-phong-hdnd-va-ubnd"))
    for ws in wb.worksheets:
        ws.protection.sheet = False
    ws = wb["Nhiệm vụ"]
    c = ws.cell(set_cells(ws, "I.01", **{STATUS: "Hoàn thành"}), columns(ws)["Ghi chú"])
    c.value, c.data_type = "=HYPERLINK(\"x\")", "s"
    wb.save(env["back"] / "vp.xlsx")
    collect(Q, env["back"], env["data"], PLAN)
    out = openpyxl.load_workbook(env["data"] / Q / "tien_do.xlsx")
    cells = [c for row in out.active.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


# ---------------------------------------------------------------- collect: refused


def where(msg: str, file: str, sheet: str, row: int | None):
    assert file in msg, msg
    assert f"trang “{sheet}”" in msg and f'sheet "{sheet}"' in msg, msg
    if row is not None:
        assert f"dòng {row}" in msg and f"row {row}" in msg, msg


ROW_CASES = {
    "activity_of_another_unit": ({("Nhiệm vụ", "I.02", "Mã nhiệm vụ"): "II.01"}, "Nhiệm vụ", HEADER_ROW + 2,
                                 ["II.01", "thuộc đơn vị khác", "belongs to another unit"]),
    "unknown_id": ({("Chỉ tiêu", "work_files_online", "Mã chỉ tiêu"): "work_files_offline"}, "Chỉ tiêu",
                   HEADER_ROW + 3, ["work_files_offline", "không có trong Kế hoạch", "not in the plan"]),
    "changed_prefilled_cell": ({("Nhiệm vụ", "I.02", "Sản phẩm"): "Không có"}, "Nhiệm vụ", HEADER_ROW + 2,
                               ["“Sản phẩm” đã bị sửa", "was changed", "Công văn/Kế hoạch"]),
    "numerator_greater_than_denominator": (
        {("Chỉ tiêu", "work_files_online", "Tử số"): 1300}, "Chỉ tiêu", HEADER_ROW + 3,
        ["tử số (1300) lớn hơn mẫu số (1250)", "numerator (1300) greater than denominator"]),
    "invalid_status": ({("Nhiệm vụ", "I.02", STATUS): "Xong rồi"}, "Nhiệm vụ", HEADER_ROW + 2,
                       ["trạng thái “Xong rồi” không hợp lệ", "invalid status", *status_labels().values()]),
}


@pytest.mark.parametrize("case", list(ROW_CASES))
def test_refused_row_names_file_sheet_and_row(env, case):
    overrides, sheet, row, needles = ROW_CASES[case]
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx", overrides)
    msg = refused(env)
    where(msg, "vp.xlsx", sheet, row)
    for needle in needles:
        assert needle in msg, (needle, msg)
    assert msg.count("\n  - ") == 1, msg
    assert not (env["data"] / Q / "tien_do.xlsx").exists()


def test_duplicate_submission_for_the_same_unit(env):
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "a.xlsx")
    shutil.copy(env["back"] / "a.xlsx", env["back"] / "b (copy).xlsx")
    msg = refused(env)
    assert "b (copy).xlsx" in msg and "a.xlsx (Nhiệm vụ)" in msg
    assert "hai lần nộp" in msg and "duplicate submission" in msg


def test_other_row_problems_are_reported_together(env):
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx",
            {("Nhiệm vụ", "I.05", "Ghi chú"): "x" * 501, ("Nhiệm vụ", "I.06", "Ghi chú"): "chưa chọn",
               ("Chỉ tiêu", "e_signed_documents", "Tử số"): "12,5", ("Chỉ tiêu", "e_signed_documents", "Mẫu số"): 20,
               ("Chỉ tiêu", "internal_procedures_published", "Tử số"): 3})
    msg = refused(env)
    assert "501 ký tự, tối đa 500" in msg
    assert "thiếu “Trạng thái”" in msg and "no status" in msg
    assert "“12,5” không phải số nguyên" in msg
    assert "cần ghi cả tử số và mẫu số" in msg
    assert msg.count("\n  - ") == 5, msg  # I.05: too long and no status


def test_template_of_another_quarter_or_unit_is_refused(env):
    wb = openpyxl.load_workbook(fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx"))
    wb["Nhiệm vụ"]["B3"] = "2026Q4"
    wb["Chỉ tiêu"]["B2"] = "Phòng Tài chính"
    wb.save(env["back"] / "vp.xlsx")
    msg = refused(env)
    assert "không phải 2027Q1" in msg and "not 2027Q1" in msg
    assert "không xác định được đơn vị" in msg and "Phòng Tài chính" in msg


def test_unreadable_and_oversized_files_fail_fast(env, monkeypatch):
    (env["back"] / "not really.xlsx").write_bytes(b"PK\x03\x04 not a zip at all")
    (env["back"] / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    big = env["back"] / "bomb.xlsx"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<" + b"a" * 5_000_000)
    monkeypatch.setitem(config()["limits"], "max_unzipped_bytes", 1_000_000)
    msg = refused(env)
    assert "not really.xlsx: không phải tệp Excel hợp lệ" in msg
    assert "old.xls" in msg and ".xls" in msg
    assert "bomb.xlsx: nội dung giải nén quá lớn" in msg and "unzipped content too large" in msg


def test_too_many_rows_fail_fast(env, monkeypatch):
    monkeypatch.setitem(config()["limits"], "max_rows", 50)
    with open(env["back"] / "long.csv", "w", encoding="utf-8") as f:
        f.write("Mã nhiệm vụ,Trạng thái\n" + "I.01,Hoàn thành\n" * 100)
    wb = openpyxl.Workbook()
    for r in range(1, 60):
        wb.active.cell(r, 1).value = "x"
    wb.save(env["back"] / "long.xlsx")
    msg = refused(env)
    assert "long.csv: tệp có quá 50 dòng" in msg and "more than 50 rows" in msg
    assert "long.xlsx: trang “Sheet” có quá 50 dòng" in msg


def test_never_overwrites_without_force_then_keeps_a_backup(env):
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx")
    old = env["data"] / Q / "tien_do.csv"
    old.write_text("MaNhiemVu,TrangThai,DonViBaoCao\nI.01,hoan_thanh,X\n", encoding="utf-8")
    msg = refused(env)
    assert "tien_do.csv" in msg and "--force" in msg
    assert not (env["data"] / Q / "tien_do.xlsx").exists() and old.exists()
    res = collect(Q, env["back"], env["data"], PLAN, force=True)
    assert not old.exists() and (env["data"] / Q / "tien_do.xlsx").exists()
    (backup,) = [p for p in res.backups if p.name == "tien_do.csv"]
    assert backup.read_text(encoding="utf-8").startswith("MaNhiemVu") and ".sao-luu" in str(backup)
    assert not [p for p in (env["data"] / Q).iterdir() if p.name.endswith(".tmp.xlsx")]
    # the backup folder is invisible to the loader
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loader.load_quarter(env["data"] / Q)
    assert not [w for w in caught if issubclass(w.category, loader.LoaderWarning)], [str(w.message) for w in caught]


def test_collect_command_exit_codes(env):
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx",
            {("Nhiệm vụ", "I.02", STATUS): "Xong"})
    cmd = [sys.executable, str(ROOT / "pipeline.py"), "collect", "--quarter", Q, str(env["back"]),
           "--data", str(env["data"])]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "vp.xlsx, trang “Nhiệm vụ”, dòng 7" in r.stderr and 'sheet "Nhiệm vụ", row 7' in r.stderr
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx")
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "CHƯA NỘP" in r.stdout and "Phòng Văn hóa - Xã hội" in r.stdout
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "--force" in r.stderr


def test_collect_needs_the_quarter_folder(env):
    shutil.rmtree(env["data"] / Q)
    fill_vp(template(env, "van-phong-hdnd-va-ubnd"), env["back"] / "vp.xlsx")
    assert "new-quarter" in refused(env)
    assert os.listdir(env["back"]) == ["vp.xlsx"]


def test_staff_guide_gives_the_routine_step_by_step():
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    steps = ["pipeline.py new-quarter 2027Q1", "pipeline.py templates --quarter 2027Q1",
             "pipeline.py collect --quarter 2027Q1", "data/2026Q4/", "pipeline.py validate --quarter 2027Q1",
             "pipeline.py build", "pipeline.py report --quarter 2027Q1"]
    positions = [text.index(s) for s in steps]
    assert positions == sorted(positions)
