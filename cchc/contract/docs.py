"""Render data/README.md (the guide for ward staff) from the input contract.

    .venv/bin/python -m cchc.contract.docs            # rewrite data/README.md
    .venv/bin/python -m cchc.contract.docs --check    # exit 1 if it is out of date

The prose lives in :data:`TEMPLATE` below, except the hand-written
step-by-step quarterly routine, which is Markdown staff can edit:
``cchc/contract/quy_trinh_quy.md`` (:data:`ROUTINE`). Every table (files, columns,
types, allowed values, display headers, personal-data columns) comes from
``cchc/contract/inputs.yaml``, so the guide cannot drift from the contract.
tests/test_contract_docs.py fails when the committed README differs from
what this module renders.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import inputs, limits, personal_data

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "data" / "README.md"
ROUTINE = Path(__file__).resolve().parent / "quy_trinh_quy.md"

TYPE_VI = {
    "text": "văn bản",
    "int": "số nguyên",
    "flag": "0/1 (1 = có, 0 = không)",
    "datetime": "ngày (giờ)",
    "score": "điểm 1–5",
}

REQUIRED_VI = {
    True: "có",
    False: "không",
    "when_received": "có, trừ khi `TrangThaiHoSo` là 1 hoặc 3",
}

# What one row of each file is, and rules that involve other files.
INPUT_NOTES_VI = {
    "ho_so": ("Mỗi dòng là một hồ sơ được tiếp nhận trong quý **hoặc** còn đang giải quyết trong quý "
              "(hồ sơ tồn từ quý trước cũng phải có mặt). Xuất từ Hệ thống thông tin giải quyết TTHC "
              "theo các trường đồng bộ của Cổng Dịch vụ công quốc gia."),
    "bo_sung": ("Mỗi dòng là một lần yêu cầu công dân bổ sung hồ sơ. `MaHoSo` phải có trong `ho_so`. "
                "Để trống `NgayHoanThanhBoSung` khi công dân chưa bổ sung. Hồ sơ bị yêu cầu bổ sung "
                "quá một lần được tính là trễ hạn (quy định của Cổng DVCQG)."),
    "thu_tuc": ("Mỗi dòng là một thủ tục hành chính trong danh mục của phường tại thời điểm cuối quý."),
    "phan_anh": ("Mỗi dòng là một phản ánh, kiến nghị được tiếp nhận trong quý hoặc còn đang xử lý "
                 "trong quý."),
    "khao_sat": ("Mỗi dòng là một phiếu khảo sát mức độ hài lòng. Nhóm có dưới 5 phiếu không được "
                 "công bố số liệu (hiện là “< 5 phiếu”)."),
    "tien_do": ("Mỗi dòng là tình hình thực hiện một nhiệm vụ trong Phụ lục của Kế hoạch; "
                "`MaNhiemVu` lấy theo cột `id` của `data/plan/tasks.csv` (ví dụ `II.05`)."),
    "bao_cao": ("Mỗi dòng là một chỉ tiêu không tính được từ dữ liệu giao dịch, do đơn vị phụ trách "
                "báo cáo tử số và mẫu số; `MaChiTieu` lấy theo cột `measure` của các dòng có "
                "`source` = `unit_report` trong `data/plan/targets.csv`."),
    "giai_trinh": ("Mỗi dòng là lời giải trình cho một chỉ tiêu chưa đạt, cần cố gắng hoặc không còn "
                   "khả năng đạt: nguyên nhân, giải pháp, đơn vị chủ trì và thời hạn. `MaChiTieu` lấy "
                   "theo cột `id` của `data/plan/targets.csv` (ví dụ `on_time`); mã không có trong Kế "
                   "hoạch là lỗi. Chỉ tiêu chưa đạt mà không có dòng giải trình được hiện "
                   "“Chưa có giải trình” trên trang và trong phần Chất lượng dữ liệu. Không ghi họ tên, "
                   "số điện thoại hay thông tin cá nhân vào các ô văn bản."),
}

TEMPLATE = """\
<!-- Tệp này được tạo tự động bởi `python -m cchc.contract.docs` từ
     cchc/contract/inputs.yaml. KHÔNG SỬA TAY: sửa hợp đồng dữ liệu, phần
     văn bản trong cchc/contract/docs.py hoặc phần quy trình viết tay trong
     cchc/contract/quy_trinh_quy.md rồi chạy lại lệnh trên. -->

# Dữ liệu đầu vào theo quý — hướng dẫn cho cán bộ phường

Trang minh bạch cải cách hành chính (CCHC) của phường Chơn Thành được tạo
hoàn toàn từ các tệp trong thư mục `data/`. Mỗi quý, cán bộ phụ trách chép các
tệp xuất từ hệ thống vào một thư mục của quý, kiểm tra, rồi tạo lại trang.

{routine}

## 1. Mỗi quý cần làm gì

1. Tạo thư mục `data/<YYYYQn>/`, trong đó `YYYY` là năm và `n` là quý (1–4).
   Ví dụ quý IV năm 2026: `data/2026Q4/`. Tên khác (`Q4-2026`, `2026-Q4`…)
   không được chấp nhận. Lệnh `new-quarter` (bước 1 ở trên) tạo thư mục này.
2. Đặt vào thư mục đó tệp mô tả `quarter.yml` (mục 4) và các tệp dữ liệu dưới
   đây. Tên tệp phải đúng như cột “Tên tệp” (chữ hoa/thường không quan trọng),
   đuôi `.csv` **hoặc** `.xlsx` — mỗi loại dữ liệu chỉ một tệp, không để cả
   hai. Tệp có tên khác bị bỏ qua (có cảnh báo).
3. Chạy lệnh kiểm tra, sửa các lỗi được báo (mục 6), rồi chạy lệnh tạo trang.

{files_table}

## 2. Định dạng tệp được chấp nhận

- **CSV**: mã hóa UTF-8 (có hoặc không có BOM), UTF-16 (có BOM, như khi Excel
  lưu “Unicode Text”) hoặc Windows-1258 (bảng mã tiếng Việt cũ của Windows).
  Không trộn nhiều bảng mã trong một tệp. Dấu phân cách: dấu phẩy `,`, chấm
  phẩy `;` hoặc tab.
- **XLSX** (Excel): đọc trang tính đầu tiên có dòng tiêu đề. Được phép có các
  dòng tiêu đề văn bản phía trên bảng (ví dụ “DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ
  IV/2026”, tên đơn vị, dòng trống): hệ thống tự tìm dòng tiêu đề cột trong 30
  dòng đầu. Ô công thức được đọc như văn bản công thức, không được tính.
- **Tiêu đề cột**: dùng tên cột chuẩn (ví dụ `MaHoSo`) hoặc một trong các tên
  hiển thị ở mục 5 (ví dụ “Mã hồ sơ”). Không phân biệt chữ hoa/thường, có dấu
  hay không dấu, khoảng trắng thừa, dấu `:` hoặc `*` ở cuối. Cột không thuộc
  danh sách bị bỏ qua (có cảnh báo). Hai cột cùng nghĩa trong một tệp là lỗi.
- **Ngày, giờ**: `2026-10-05`, `2026-10-05 14:30`, `2026-10-05T14:30:00`
  (ISO 8601), hoặc `05/10/2026`, `5/10/2026 14:30`, `05/10/2026 14:30:15`
  (**ngày/tháng/năm**), hoặc ô ngày của Excel. **Không bao giờ dùng
  tháng/ngày/năm**: `12/31/2026` bị báo lỗi, còn `03/04/2026` luôn là ngày 3
  tháng 4. Giờ là giờ Việt Nam. Với các cột hạn (đánh dấu “chỉ ghi ngày = cuối
  ngày”), một ngày không kèm giờ được hiểu là 23:59:59 của ngày đó.
- **Giá trị hiển thị**: ngoài mã số, các cột có bảng “giá trị hiển thị” ở mục 5
  nhận cả chữ, ví dụ “Trực tuyến” = `2`, “Có” = `1`, “Không” = `0`.
- Ô để trống nghĩa là không có giá trị. Dòng trống hoàn toàn bị bỏ qua. Số dòng
  trong thông báo lỗi là số dòng bạn thấy trong Excel (tính cả dòng tiêu đề).
- **Ký tự ẩn và chữ số toàn độ rộng**: mọi ô được chuẩn hóa khi đọc (Unicode
  NFKC): khoảng trắng không ngắt dòng thành khoảng trắng thường, chữ số toàn độ
  rộng (`２０２６`) thành chữ số thường, các ký tự vô hình (khoảng trắng độ rộng
  0, BOM, dấu gạch mềm…) bị bỏ. Vì vậy `HS001` và `HS001` có dính ký tự vô hình
  là **cùng một mã** (bị báo trùng mã nếu xuất hiện hai lần).
- **Giới hạn kích thước**: một ô tối đa {max_cell_chars} ký tự (dài hơn là lỗi,
  nêu số dòng); tệp `.xlsx` khi giải nén tối đa {xlsx_max_mib} MiB và không phần
  nào lớn hơn 1 MiB được nén quá {xlsx_max_ratio} lần (tệp “bom nén” bị từ chối
  trước khi đọc); `quarter.yml` tối đa {manifest_max_bytes} byte.

## 3. Dữ liệu cá nhân — không bao giờ được công bố

Trang chỉ công bố **số liệu tổng hợp**; không có dòng nào của từng hồ sơ, từng
phản ánh hay từng phiếu khảo sát được công bố. Các cột dữ liệu cá nhân dưới đây
(và các cột có tên chứa chúng, ví dụ “Địa chỉ liên hệ”) **bị loại bỏ ngay khi
đọc tệp**, có cảnh báo nêu tên cột; chúng không được lưu, không được tính,
không được công bố. Tốt nhất là xóa các cột này trước khi chép tệp vào
`data/`.

{personal_table}

Trong các cột văn bản tự do (ghi chú, văn bản minh chứng, tên đơn vị, lĩnh
vực…), **số điện thoại** (mọi cách viết: `0912 345 678`, `0912.345.678`,
`(028) 3823 4567`, `+84 912 345 678`, `ĐT0912345678`), **số CCCD/CMND** (12
hoặc 9 chữ số, kể cả viết `079.123.456.789`) và **địa chỉ thư điện tử** được
thay bằng `[đã ẩn]` ngay khi đọc tệp. Trang “Chất lượng dữ liệu” chỉ công bố số
ô đã ẩn theo từng tệp và cột; số dòng chỉ có trong báo cáo kiểm tra nội bộ
(`_build/reports/`). Số tiền (`150.000.000 đồng`) và số văn bản
(`Số 123/QĐ-UBND`) được giữ nguyên.

## 4. Tệp mô tả quý `quarter.yml`

Tệp văn bản (UTF-8) đặt trong thư mục của quý:

```yaml
quarter: 2026Q4                  # phải trùng tên thư mục
cutoff: 2026-11-20               # CHỈ khi số liệu tạm tính (chốt trước cuối quý)
sample: false                    # true nếu là dữ liệu mẫu, không phải số liệu thật
source: "Hệ thống thông tin giải quyết TTHC tỉnh, xuất ngày 21/11/2026"
exported_at: 2026-11-21T08:00:00+07:00
publish_report: true             # false: không đăng báo cáo DOCX của quý lên trang
```

- `quarter`: mã quý, trùng tên thư mục.
- `cutoff` — **quý tạm tính**: khi cần công bố trước khi quý kết thúc, ghi ngày
  chốt số liệu (nằm trong quý, dạng `YYYY-MM-DD` hoặc `dd/mm/yyyy`). Ngày chốt
  thay cho ngày cuối quý trong mọi phép tính và các trang ghi rõ “số liệu tạm
  tính đến …”. Khi đã có đủ số liệu cả quý: chép tệp mới, **xóa dòng
  `cutoff`**, kiểm tra và tạo lại trang.
- `sample` — **dữ liệu mẫu**: `true` khi thư mục chứa dữ liệu mẫu (dùng để thử
  hoặc trình diễn); các trang và phần mô tả dữ liệu mở (`datapackage.json`)
  khi đó ghi rõ “DỮ LIỆU MẪU”. Với số liệu thật phải ghi `sample: false`
  (hoặc bỏ dòng này).
- `source`: nguồn số liệu (hệ thống, đơn vị, ngày xuất), được ghi trên trang.
- `exported_at`: thời điểm xuất dữ liệu.
- `publish_report` — **báo cáo quý**: mỗi lần tạo trang, báo cáo kết quả
  thực hiện CCHC của quý (`bao-cao-cchc-<YYYYQn>.docx`, theo thể thức Nghị
  định 30/2020/NĐ-CP) được đăng để tải về ở trang tổng quan của quý. Ghi
  `publish_report: false` khi chưa muốn đăng (ví dụ báo cáo chưa được ký);
  bỏ dòng này = `true`. Lệnh `python pipeline.py report --quarter 2026Q4`
  vẫn tạo báo cáo trong `_build/reports/` để đơn vị chỉnh sửa.

## 5. Cột của từng tệp

Cột “Bắt buộc”: *có* = cột phải có và mọi dòng phải có giá trị; *không* = có
thể thiếu cột hoặc để trống. “Tên tiêu đề được chấp nhận” là các tên hiển thị
được hiểu như tên cột chuẩn.

{column_sections}

## 6. Kiểm tra và tạo trang

Từ thư mục gốc của dự án:

```sh
.venv/bin/python pipeline.py validate --quarter 2026Q4
.venv/bin/python pipeline.py build
```

- Lệnh thứ nhất chỉ kiểm tra dữ liệu của quý (thay `2026Q4` bằng quý của bạn)
  và in danh sách lỗi, cảnh báo bằng tiếng Việt (tên tệp, số dòng, cột, quy
  tắc). **Lỗi** phải được sửa trong tệp nguồn; **cảnh báo** không chặn việc tạo
  trang nhưng được công bố (dạng số lượng) trên trang “Chất lượng dữ liệu”.
- Lệnh thứ hai kiểm tra tất cả các quý, tính các chỉ tiêu và tạo lại toàn bộ
  trang trong thư mục `site/`. Nếu một quý có lỗi, trang đã công bố trước đó
  được giữ nguyên.
- Các tệp tải về (`site/data/<YYYYQn>/indicators.csv`, `.json`, các bảng phân
  tổ, `site/data/datapackage.json`) chỉ chứa số liệu tổng hợp.

---

## English summary

This folder holds the inputs of the ward's CCHC (administrative reform)
transparency site. Each quarter, staff create `data/<YYYYQn>/` (e.g.
`data/2026Q4/`) containing `quarter.yml` and one CSV or XLSX file per input:
{input_names_en}.
CSV may be UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1258,
separated by comma, semicolon or tab; XLSX may have title rows above the
header row. Vietnamese display headers are accepted (section 5 lists them per
column). Dates are ISO 8601 or day-first `dd/mm/yyyy[ HH:MM[:SS]]` — never
month-first. Every cell is normalised (NFKC, invisible characters removed), a
cell holds at most {max_cell_chars} characters, and .xlsx files are checked for
zip bombs before they are opened. Personal-data columns (section 3) are dropped
when a file is read and are never stored or published; phone numbers, ID
numbers and e-mail addresses inside free text are replaced by `[đã ẩn]` when
read; only aggregates are published. In
`quarter.yml`, `cutoff` marks a provisional quarter (the cut-off date replaces
the quarter end), `sample: true` marks sample data and `publish_report: false`
keeps the quarter's DOCX report (`python pipeline.py report`) off the site. Check a quarter with
`.venv/bin/python pipeline.py validate --quarter 2026Q4`, then build the site
with `.venv/bin/python pipeline.py build`. The quarterly routine (new-quarter,
templates for the lead units, collect of the returned workbooks into `tien_do`
and `bao_cao`, validate, build, report) is described step by step at the top. This file is generated from
`cchc/contract/inputs.yaml` by `python -m cchc.contract.docs`; do not edit it
by hand.
"""


def cell(text) -> str:
    """A Markdown table cell: pipes escaped, newlines flattened."""
    s = "" if text is None else str(text)
    s = " ".join(s.replace("\r", "\n").split("\n"))
    return s.replace("|", "\\|")


def _value(v) -> str:
    return f"`{v}`"


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def files_table() -> str:
    rows = []
    for name, spec in inputs().items():
        rows.append([f"`{name}.csv` / `{name}.xlsx`", spec.get("label_vi", ""),
                     "bắt buộc" if spec.get("required") else "không bắt buộc"])
    return _table(["Tên tệp", "Nội dung", "Bắt buộc"], rows)


def personal_table() -> str:
    pdata = personal_data()
    return _table(["Tên cột", "Tên hiển thị"], [[
        ", ".join(f"`{c}`" for c in pdata.get("columns", [])),
        ", ".join(f"“{a}”" for a in pdata.get("aliases", [])),
    ]])


def _rules(spec: dict) -> str:
    parts = []
    if "allowed" in spec:
        parts.append(", ".join(_value(v) for v in spec["allowed"]))
    if spec.get("type") == "flag":
        parts.append("`0`, `1`")
    if spec.get("type") == "score":
        parts.append("`1`–`5`")
    if spec.get("value_aliases"):
        parts.append("giá trị hiển thị: " + "; ".join(f"“{k}” = {_value(v)}"
                                                      for k, v in spec["value_aliases"].items()))
    if "default" in spec:
        parts.append(f"để trống = {_value(spec['default'])}")
    if spec.get("unique"):
        parts.append("không trùng nhau")
    if spec.get("date_only") == "end_of_day":
        parts.append("chỉ ghi ngày = cuối ngày (23:59:59)")
    return "; ".join(parts)


def column_table(name: str) -> str:
    rows = []
    for col, spec in inputs()[name]["columns"].items():
        rows.append([
            f"`{col}`",
            spec.get("label_vi", ""),
            TYPE_VI.get(spec.get("type"), str(spec.get("type"))),
            REQUIRED_VI.get(spec.get("required", False), str(spec.get("required"))),
            _rules(spec),
            ", ".join(f"“{a}”" for a in spec.get("aliases", [])),
        ])
    return _table(["Cột", "Ý nghĩa", "Kiểu", "Bắt buộc", "Giá trị hợp lệ", "Tên tiêu đề được chấp nhận"],
                  rows)


def column_sections() -> str:
    out = []
    for name, spec in inputs().items():
        req = "bắt buộc" if spec.get("required") else "không bắt buộc"
        parts = [f"### `{name}` — {spec.get('label_vi', name)} ({req})"]
        if INPUT_NOTES_VI.get(name):
            parts.append(INPUT_NOTES_VI[name])
        parts.append(column_table(name))
        out.append("\n\n".join(parts))
    return "\n\n".join(out)


def render() -> str:
    """The full text of data/README.md."""
    names_en = ", ".join(f"`{n}` ({spec.get('label_en', n)}{'' if spec.get('required') else ', optional'})"
                         for n, spec in inputs().items())
    lim = limits()
    text = TEMPLATE.format(
        routine=ROUTINE.read_text(encoding="utf-8").strip(),
        files_table=files_table(),
        personal_table=personal_table(),
        column_sections=column_sections(),
        input_names_en=names_en,
        max_cell_chars=f"{lim['max_cell_chars']:,}".replace(",", "."),
        xlsx_max_mib=f"{lim['xlsx_max_uncompressed_bytes'] // (1024 * 1024):,}".replace(",", "."),
        xlsx_max_ratio=lim["xlsx_max_ratio"],
        manifest_max_bytes=f"{lim['manifest_max_bytes']:,}".replace(",", "."),
    )
    return text.rstrip("\n") + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cchc.contract.docs",
                                 description="Render data/README.md from cchc/contract/inputs.yaml")
    ap.add_argument("--check", action="store_true", help="exit 1 if the file is out of date; write nothing")
    ap.add_argument("--output", type=Path, default=README, help=f"default: {README}")
    args = ap.parse_args(argv)
    text = render()
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if args.check:
        if current != text:
            print(f"{args.output} is out of date: run `python -m cchc.contract.docs`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with open(args.output, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
