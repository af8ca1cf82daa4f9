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
