"""The staff commentary nhan_xet.md (cchc.commentary) and the explanations input giai_trinh."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from cchc.commentary import (COMMENTARY_FILE, SECTION_IDS, Commentary, load_commentary, parse_commentary,
                             render_markdown, section_specs)
from cchc.indicators import compute_quarter
from cchc.loader import LoadError, load_quarter
from html_parse import parsed
from indicator_helpers import dossier, plan, quarter

ROOT = Path(__file__).resolve().parents[1]

FULL = """# Nhận xét Quý III/2026

## Tóm tắt

Tỷ lệ hồ sơ giải quyết đúng hạn **98,6%** trong quý.

## Ưu điểm

- Hồ sơ trực tuyến tăng.

### Chi tiết

Đoạn chi tiết.

## tồn tại, hạn chế

Hồ sơ đất đai còn trễ hạn.

## Phương hướng, nhiệm vụ quý tới

Rà soát hồ sơ sắp đến hạn.

## Đề xuất, kiến nghị

Không có.
"""


def test_section_ids_are_fixed_data():
    assert SECTION_IDS == ("tom_tat", "uu_diem", "ton_tai", "phuong_huong", "de_xuat")
    assert all(s["heading"] and s["used_in"] for s in section_specs())
    assert COMMENTARY_FILE == "nhan_xet.md"


def test_sections_are_split_by_their_headings():
    c = parse_commentary(FULL)
    assert c.section("tom_tat") == "Tỷ lệ hồ sơ giải quyết đúng hạn **98,6%** trong quý.\n"
    assert "### Chi tiết" in c.section("uu_diem") and "trễ hạn" not in c.section("uu_diem")
    assert c.section("ton_tai").strip() == "Hồ sơ đất đai còn trễ hạn."  # heading matched without case
    assert c.section("de_xuat").strip() == "Không có."
    with pytest.raises(KeyError):
        c.section("ket_luan")


def test_missing_sections_and_missing_file(tmp_path):
    c = parse_commentary("## Tóm tắt\n\nChỉ có tóm tắt.\n\n## Ưu điểm\n\n")
    assert c.section("tom_tat").strip() == "Chỉ có tóm tắt." and c.section("uu_diem") is None
    assert c.section("ton_tai") is None
    empty = load_commentary(tmp_path)
    assert not empty and empty.section("tom_tat") is None
    (tmp_path / COMMENTARY_FILE).write_text("\ufeff" + FULL, encoding="utf-8")
    assert load_commentary(tmp_path).section("phuong_huong").strip() == "Rà soát hồ sơ sắp đến hạn."


@pytest.mark.parametrize("text, where, what", [
    ("Đoạn mở đầu.\n\n## Tóm tắt\nx\n", "dòng 1", "trước mục đầu tiên"),
    ("## Tóm tắt\nx\n\n## Kết luận\ny\n", "dòng 4", "“Kết luận”"),
    ("## Tóm tắt\nx\n\n## Tom tat\ny\n", "dòng 4", "xuất hiện hai lần"),
    ("## Tóm tắt\nx\n\n# Tiêu đề thứ hai\n", "dòng 4", "“Tiêu đề thứ hai”"),
])
def test_bad_headings_name_file_line_and_the_allowed_headings(tmp_path, text, where, what):
    (tmp_path / COMMENTARY_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as e:
        load_commentary(tmp_path)
    msg = str(e.value)
    assert COMMENTARY_FILE in msg and where in msg and what in msg
    assert " / Cannot read file " in msg and "line " in msg
    assert e.value.line == int(where.split()[1])


def test_rendering_is_safe():
    md = ("Xem <script>alert(1)</script> <b onclick=x>đậm</b> "
          "[trang](javascript:alert(1)) [thư](mailto:a@example.com) [giao thức](//evil.example/x) "
          "[gốc](/tuyet-doi.html) [ngoài](https://dichvucong.gov.vn/p/home) [trong](../phuong-phap.html) "
          "[neo](#muc) ![ảnh](https://evil.example/pixel.png) <http://example.org/a>\n\n"
          "<div>khối HTML</div>\n")
    out = str(render_markdown(md))
    doc = parsed(out)
    hrefs = [v for tag, name, v in doc.attrs if tag == "a" and name == "href"]
    assert hrefs == ["https://dichvucong.gov.vn/p/home", "../phuong-phap.html", "#muc",
                     "https://evil.example/pixel.png", "http://example.org/a"]
    assert set(doc.tags) <= {"div", "p", "a"}
    assert set(doc.attr_names) <= {"class", "href"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;div&gt;khối HTML&lt;/div&gt;" in out
    assert "onclick" not in re.sub(r"&lt;.*?&gt;", "", out)
    assert "[trang](javascript:alert(1))" in out  # refused links stay text
    assert out.startswith('<div class="c-commentary">')


def test_headings_start_below_the_page_heading():
    out = str(render_markdown("# Lớn\n\n## Nhỏ\n\ntext"))
    assert "<h3>Lớn</h3>" in out and "<h4>Nhỏ</h4>" in out
    out = str(render_markdown("### Chỉ có mức ba\n"))
    assert "<h3>Chỉ có mức ba</h3>" in out
    assert isinstance(Commentary({"tom_tat": "**a**"}).html("tom_tat"), str)


# ---------------------------------------------------------------- giai_trinh
def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_explanations_input_is_read_through_the_contract(tmp_path):
    q = tmp_path / "2026Q3"
    for f in (ROOT / "tests" / "bad_inputs" / "_valid").iterdir():
        _write(q, f.name, f.read_text(encoding="utf-8"))
    _write(q, "giai_trinh.csv", "Mã chỉ tiêu,Nguyên nhân,Giải pháp,Đơn vị chủ trì,Thời hạn\n"
                                "on_time,Xác minh thực địa,Rà soát hằng tuần,Văn phòng HĐND và UBND,31/12/2026\n")
    _write(q, COMMENTARY_FILE, FULL)
    with _no_unknown_file_warning():
        qd = load_quarter(q)
    assert list(qd.df("giai_trinh").columns) == ["MaChiTieu", "NguyenNhan", "GiaiPhap", "DonViChuTri", "ThoiHan"]
    res = compute_quarter("2026Q3", {"2026Q3": qd}, plan())
    ex = res.explanations
    assert list(ex.columns) == ["id", "cause", "action", "unit", "deadline"]
    assert ex.to_dict("records") == [{"id": "on_time", "cause": "Xác minh thực địa", "action": "Rà soát hằng tuần",
                                      "unit": "Văn phòng HĐND và UBND", "deadline": date(2026, 12, 31)}]


class _no_unknown_file_warning:
    def __enter__(self):
        import warnings

        self._cm = warnings.catch_warnings(record=True)
        self.caught = self._cm.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        msgs = [str(w.message) for w in self.caught]
        assert not any(COMMENTARY_FILE in m or "giai_trinh" in m for m in msgs), msgs
        return False


def test_targets_needing_an_explanation_without_one_are_warned():
    # 1 of 2 dossiers on time in an open year: on_time is not reachable any more
    ho = [dossier("A", tn="2026-07-02 08:00", due="2026-07-09 17:00", fin="2026-07-05 10:00"),
          dossier("B", tn="2026-07-03 08:00", due="2026-07-06 17:00", fin="2026-07-09 10:00")]
    gt = [{"MaChiTieu": "online_dossiers", "NguyenNhan": "a", "GiaiPhap": "b", "DonViChuTri": "c",
           "ThoiHan": "2026-12-31"}]
    res = compute_quarter("2026Q3", {"2026Q3": quarter("2026Q3", ho_so=ho, giai_trinh=gt)}, plan())
    w = res.breakdowns["warnings"]
    missing = w[w["code"] == "missing_explanation"]
    assert "on_time" in set(missing["key"]) and "online_dossiers" not in set(missing["key"])
    ytd = res.indicators[res.indicators["period"] == "ytd"].set_index("id")
    assert set(missing["key"]) == {i for i, j in ytd["judgement"].items()
                                   if j in ("not_met", "at_risk", "unreachable") and i != "online_dossiers"}
    assert all(m.startswith("Chưa có giải trình") for m in missing["message_vi"])
    assert list(res.explanations["id"]) == ["online_dossiers"]
