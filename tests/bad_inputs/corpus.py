"""The bad-input corpus: build a case folder from ``cases.yaml``.

Each case is the shared minimal VALID quarter (``_valid/``) plus an override:

* the files committed under ``tests/bad_inputs/<case id>/`` (if that folder
  exists) replace or add files of the template;
* ``remove:`` deletes template files;
* ``generate:`` names a function of this module, called with the quarter
  folder, for cases built in code (big, binary or byte-level files);
* ``folder:`` the quarter folder name (default: the template's quarter);
  a name that is not a plain quarter id (``../../etc``) is never created —
  :func:`build_case` returns the path, validation must refuse it unread.

``build_case(case_id, dest_dir) -> Path`` returns the quarter folder to pass to
``validate_quarter`` / ``python -m cchc.validation`` (with ``data_dir=dest_dir``).
The lead's pipeline tests reuse it.
"""
from __future__ import annotations

import codecs
import shutil
import sys
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "_valid"
CASES_FILE = HERE / "cases.yaml"

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@lru_cache(maxsize=None)
def load_cases() -> dict:
    with open(CASES_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def cases() -> list[dict]:
    return list(load_cases()["cases"])


def case(case_id: str) -> dict:
    for c in cases():
        if c["id"] == case_id:
            return c
    raise KeyError(f"no corpus case {case_id!r} in {CASES_FILE}")


def build_case(case_id: str, dest_dir: Path) -> Path:
    """Build case ``case_id`` under ``dest_dir``; return its quarter folder."""
    spec = case(case_id)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = str(spec.get("folder") or load_cases()["quarter"])
    folder = dest_dir / name
    if name in (".", "..") or "/" in name or "\\" in name or not name.strip():
        return folder  # a hostile folder name: never created, never followed
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(TEMPLATE, folder)
    override = HERE / case_id
    if override.is_dir():
        for p in sorted(override.iterdir()):
            if p.is_file():
                shutil.copyfile(p, folder / p.name)
    for fname in spec.get("remove") or []:
        (folder / fname).unlink()
    gen = spec.get("generate")
    if gen:
        globals()[gen](folder)
    return folder


# --------------------------------------------------------------------------
# Generated cases
# --------------------------------------------------------------------------

def _template_rows(name: str) -> list[list[str]]:
    import csv

    with open(TEMPLATE / name, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _write_xlsx(path: Path, rows: list[list[str]], title_rows: int = 0) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hồ sơ"
    if title_rows:
        ws.append(["DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ III/2026"])
        for _ in range(title_rows - 1):
            ws.append([])
    for r in rows:
        ws.append([v if v != "" else None for v in r])
    wb.save(path)


def gen_truncated_xlsx(folder: Path) -> None:
    """ho_so.xlsx cut in half (an interrupted download)."""
    (folder / "ho_so.csv").unlink()
    path = folder / "ho_so.xlsx"
    _write_xlsx(path, _template_rows("ho_so.csv"))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def gen_xlsx_title_rows(folder: Path) -> None:
    """A valid ho_so.xlsx with a title row and a blank row above the header (header on row 3)."""
    (folder / "ho_so.csv").unlink()
    _write_xlsx(folder / "ho_so.xlsx", _template_rows("ho_so.csv"), title_rows=2)


def gen_xlsx_status_11(folder: Path) -> None:
    """As gen_xlsx_title_rows, with TrangThaiHoSo 11 on the second data row (Excel row 5)."""
    rows = _template_rows("ho_so.csv")
    rows[2][rows[0].index("TrangThaiHoSo")] = "11"
    (folder / "ho_so.csv").unlink()
    _write_xlsx(folder / "ho_so.xlsx", rows, title_rows=2)


def gen_csv_and_xlsx(folder: Path) -> None:
    """Both ho_so.csv and ho_so.xlsx."""
    _write_xlsx(folder / "ho_so.xlsx", _template_rows("ho_so.csv"))


def gen_mixed_encoding(folder: Path) -> None:
    """ho_so.csv in UTF-8 except its 4th line (3rd data row), saved as Windows-1258."""
    lines = (TEMPLATE / "ho_so.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    out = b"".join(
        # only letters Windows-1258 has precomposed (Đ, ă), so the codec can encode the line
        codecs.encode(line.replace("Đăng ký kết hôn", "Đăng").replace("Hộ tịch", "Đăng"), "cp1258")
        if i == 3 else line.encode("utf-8")
        for i, line in enumerate(lines)
    )
    (folder / "ho_so.csv").write_bytes(out)


HUGE_BYTES = 200 * 1024 * 1024


def gen_huge_200mb(folder: Path) -> None:
    """A 200 MB ho_so.csv: valid UTF-8 rows, then a last row saved as Windows-1258.

    The loader must find the mixed encoding while streaming (bounded memory)
    and fail cleanly, naming the line."""
    from synthetic import write_ho_so

    path = folder / "ho_so.csv"
    write_ho_so(path, target_bytes=HUGE_BYTES)
    with open(path, "ab") as f:
        f.write("HS999999999,1.002,Đăng,HT,Đăng,1,01/07/2026 08:00,03/07/2026,,,4,0,0,1,0,0\n"
                .encode("cp1258"))


def gen_symlink_escape(folder: Path) -> None:
    """ho_so.csv is a symbolic link to a file outside the quarter folder."""
    outside = folder.parent / "outside-secret.csv"
    shutil.copyfile(TEMPLATE / "ho_so.csv", outside)
    (folder / "ho_so.csv").unlink()
    (folder / "ho_so.csv").symlink_to(outside)


# --------------------------------------------------------------------------
# Privacy and hostile content (issue 10)
# --------------------------------------------------------------------------

def _edit_csv(path: Path, edit) -> None:
    import csv

    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def gen_pii_free_text(folder: Path) -> None:
    """Phone, identity numbers and an e-mail in free-text cells, written the
    way real exports write them (non-breaking spaces, full-width digits, a
    label glued to the number, +84, brackets, dots); next to them money and a
    document number that must stay as they are."""
    def tien_do(rows):
        h = rows[0]
        rows[1][h.index("GhiChu")] = "Liên hệ ĐT0912345678 (anh Bình)"
        rows[2][h.index("GhiChu")] = "Gọi\u00a00912\u00a0345\u00a0678 hoặc (028) 3823 4567"
        rows[2][h.index("MinhChung")] = "Quyết định số 123456789/QĐ-UBND, kinh phí 150.000.000 đồng"

    def bao_cao(rows):
        h = rows[0]
        rows[1][h.index("MinhChung")] = ("Báo cáo số 20/BC-UBND; người lập: CCCD 079.123.456.789, "
                                         "\uff0b\uff18\uff14 \uff19\uff11\uff12 \uff13\uff14\uff15 \uff16\uff17\uff18, "
                                         "150000000 đồng")

    def phan_anh(rows):
        rows[1][rows[0].index("LinhVuc")] = "Hộ tịch (gửi từ nguyen.van.an@gmail.com)"

    _edit_csv(folder / "tien_do.csv", tien_do)
    _edit_csv(folder / "bao_cao.csv", bao_cao)
    _edit_csv(folder / "phan_anh.csv", phan_anh)


def gen_invisible_id_duplicates(folder: Path) -> None:
    """HS001 three times: plain, with a zero-width space, behind a byte-order
    mark (rows 2, 7, 8); MaTTHC 1.001 with a zero-width joiner still matches
    the catalogue."""
    def edit(rows):
        h = rows[0]
        for mark in ("HS001\u200b", "\ufeffHS001"):
            r = list(rows[1])
            r[h.index("MaHoSo")] = mark
            r[h.index("MaTTHC")] = "1.001\u200d"
            rows.append(r)

    _edit_csv(folder / "ho_so.csv", edit)


def gen_cell_too_long(folder: Path) -> None:
    """A 5,000-character note in tien_do GhiChu on row 3."""
    def edit(rows):
        rows[2][rows[0].index("GhiChu")] = "Đang triển khai. " * 300

    _edit_csv(folder / "tien_do.csv", edit)


def gen_manifest_billion_laughs(folder: Path) -> None:
    """quarter.yml of ~400 bytes whose nested aliases would expand to 9^9 strings."""
    lines = ['a: &a ["ha","ha","ha","ha","ha","ha","ha","ha","ha"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = (TEMPLATE / "quarter.yml").read_text(encoding="utf-8")
    (folder / "quarter.yml").write_text(text + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def gen_manifest_too_big(folder: Path) -> None:
    """quarter.yml padded with a 1 MB comment."""
    text = (TEMPLATE / "quarter.yml").read_text(encoding="utf-8")
    (folder / "quarter.yml").write_text(text + "\n#" + "x" * 1_000_000 + "\n", encoding="utf-8")


def gen_manifest_long_value(folder: Path) -> None:
    """quarter.yml whose source is 100,000 characters long."""
    text = (TEMPLATE / "quarter.yml").read_text(encoding="utf-8").replace("source:", "old_source:")
    (folder / "quarter.yml").write_text(text + "\nsource: " + "x" * 3000 + "\n", encoding="utf-8")


def gen_stray_personal_file(folder: Path) -> None:
    """A stray spreadsheet named after a person left in the quarter folder."""
    shutil.copyfile(TEMPLATE / "ho_so.csv", folder / "DS nguoi nop - Nguyen Van An.xlsx")


def gen_xlsx_string_bomb(folder: Path) -> None:
    """A small ho_so.xlsx whose shared strings unpack to a 20 MB cell (TenTTHC, row 3)."""
    import zipfile

    rows = _template_rows("ho_so.csv")
    rows[2][rows[0].index("TenTTHC")] = "PLACEHOLDER-CELL"
    (folder / "ho_so.csv").unlink()
    plain = folder / "plain.xlsx"
    _write_xlsx(plain, rows)
    huge = ("Chứng thực " * 2_000_000).encode("utf-8")
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(folder / "ho_so.xlsx", "w", zipfile.ZIP_DEFLATED,
                                                        compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info.filename, data.replace(b"PLACEHOLDER-CELL", huge))
    plain.unlink()


def gen_xlsx_long_cell(folder: Path) -> None:
    """ho_so.xlsx with a 30,000-character TenTTHC on row 4 (not compressed enough to be a bomb)."""
    import random

    rnd = random.Random(10)
    rows = _template_rows("ho_so.csv")
    rows[3][rows[0].index("TenTTHC")] = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz ") for _ in range(30_000))
    (folder / "ho_so.csv").unlink()
    _write_xlsx(folder / "ho_so.xlsx", rows)
