"""cchc.html: escaping, vi-VN formatting, missing values, determinism, links."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from html_parse import parsed

from cchc import html as H

PLANT = '<script>alert(1)</script>" onmouseover=alert(2) \''
CSS = Path(__file__).resolve().parents[1] / "assets" / "components.css"


def assert_safe(out: str) -> None:
    s = str(out)
    assert "<script" not in s.lower()
    # the planted quote must never close an attribute
    assert '" onmouseover' not in s
    p = parsed(s)
    assert "script" not in p.tags
    assert not [a for a in p.attr_names if a.startswith("on")], "event handler attribute"
    assert "&lt;script" in s


def assert_no_nan(out: str) -> None:
    assert not re.search(r"\b(nan|NaN|None|NaT|<NA>)\b", str(out))


def all_components(t: str):
    """Every component with ``t`` planted in every text input."""
    df = pd.DataFrame({t: [t, "b"], "n": [1250, 3], "p": [98.456, np.nan]})
    card = pd.DataFrame({
        "name_vi": [t], "value": [98.5], "target": [98], "direction": [">="],
        "status": ["met"], "change": [1.2], "unit": ["%"], "href": [t], "note": [t],
    })
    return {
        "table": H.table(df, caption=t, formats={"p": "pct"}),
        "table_cols": H.table(df, columns={t: t, "n": t}, caption=t),
        "heading": H.heading(t),
        "heading_id": H.heading("x", id=t),
        "paragraph": H.paragraph(t),
        "note": H.note(t, "warning"),
        "badge": H.status_badge(t),
        "kpi": H.kpi_tiles([(t, t, t), {"label": t, "value": 1250, "sublabel": t}]),
        "scorecard": H.scorecard(card),
        "links": H.link_list([(t, t, t), {"href": "a.html", "text": t}]),
        "banner": H.sample_banner(t),
        "provenance": H.provenance(datetime(2026, 11, 21, 8), "provisional", date(2026, 11, 20), t),
        "qnav": H.quarter_nav("2026Q3", [("index", t), ("ho-so", t)], "index", ["2026Q2", "2026Q3"],
                              quarter_label=lambda q: t),
        "section": H.section(t, H.paragraph(t)),
        "section_wrapped": H.section(t, cls="x", labelledby=t),
    }


@pytest.mark.parametrize("name", list(all_components("x")))
def test_every_component_escapes_planted_text(name):
    out = all_components(PLANT)[name]
    assert isinstance(out, H.Html)
    assert out._repr_markdown_() == H.raw_html_block(out)
    if name not in ("heading_id",):  # ids are slugified, nothing to escape
        assert_safe(out)
    else:
        assert "<script" not in out and '" onmouseover' not in out


def test_dangerous_href_neutralised():
    out = H.link_list([("javascript:alert(1)", "x"), ("JaVaScRiPt:alert(1)", "y"), ("data:text/html,x", "z")])
    assert "javascript" not in out.lower() and "data:" not in out
    assert out.count('href="#"') == 3
    ok = H.link_list([("../phuong-phap.html#a", "a"), ("https://dichvucong.gov.vn/", "b"), ("mailto:x@y.vn", "c")])
    assert 'href="../phuong-phap.html#a"' in ok and 'href="https://dichvucong.gov.vn/"' in ok


def test_table_structure_and_vi_numbers():
    df = pd.DataFrame({
        "Lĩnh vực": ["Hộ tịch", "Đất đai"],
        "Tiếp nhận": [1250, 30],
        "Đúng hạn": [98.456, np.nan],
        "Ngày": pd.to_datetime(["2026-11-20", None]),
        "Thay đổi": [1.23, -0.4],
    })
    out = H.table(df, caption="Hồ sơ theo lĩnh vực", formats={"Đúng hạn": "pct", "Thay đổi": "pp"})
    assert out.startswith('<div class="c-table-wrap table-wrap" role="region" aria-labelledby="tbl-ho-so-theo-linh-vuc" tabindex="0">')
    assert '<caption id="tbl-ho-so-theo-linh-vuc">Hồ sơ theo lĩnh vực</caption>' in out
    assert out.count('<th scope="col"') == 5
    assert '<th scope="row" role="rowheader">Hộ tịch</th>' in out
    assert '<td role="cell" data-label="Tiếp nhận" class="num">1.250</td>' in out
    assert ">98,5%<" in out
    assert ">20/11/2026<" in out
    assert ">+1,2<" in out and ">\u22120,4<" in out
    # missing -> dash + screen-reader text, never "nan"
    assert out.count("không có dữ liệu") == 2
    assert '<span aria-hidden="true">—</span>' in out
    assert_no_nan(out)


def test_table_ids_deterministic_and_disambiguated():
    df = pd.DataFrame({"a": ["x"], "b": [1.5]})
    a1 = H.table(df, caption="Tỷ lệ đúng hạn")
    a2 = H.table(df, caption="Tỷ lệ đúng hạn")
    assert a1 == a2
    b = H.table(df, caption="Tỷ lệ đúng hạn", n=2)
    assert 'id="tbl-ty-le-dung-han-2"' in b and 'aria-labelledby="tbl-ty-le-dung-han-2"' in b
    assert 'id="custom"' in H.table(df, caption="x", id="custom")
    with pytest.raises(ValueError):
        H.table(df, formats={"b": "money"})


def test_table_infers_formats():
    df = pd.DataFrame({"t": ["a"], "i": pd.array([1250], dtype="Int64"), "f": [2.25], "na": pd.array([pd.NA], dtype="Int64")})
    out = H.table(df, row_header=False)
    assert ">1.250<" in out
    assert ">2,2<" in out  # float -> one decimal, vi-VN comma
    assert "<th scope=\"row\"" not in out
    assert_no_nan(out)


def test_status_badges_are_not_colour_only():
    assert ">✓</span> Đạt</span>" in H.status_badge("met")
    assert ">✗</span> Chưa đạt</span>" in H.status_badge("not_met")
    assert ">–</span> Không có dữ liệu</span>" in H.status_badge("no_data")
    assert "Không có dữ liệu" in H.status_badge(np.nan)
    assert "c-badge--met" in H.status_badge("Đạt")


def test_scorecard_texts():
    df = pd.DataFrame({
        "name_vi": ["Tỷ lệ hồ sơ đúng hạn", "Thanh toán trực tuyến", "Hài lòng"],
        "value": [98.456, 72.0, np.nan],
        "target": [98, 80.5, 95],
        "direction": [">=", ">=", ">="],
        "status": ["met", "not_met", "no_data"],
        "change": [1.234, -0.4, np.nan],
        "unit": ["%", "%", "%"],
        "href": ["dung-han.html", None, np.nan],
    })
    out = H.scorecard(df)
    assert '<ul class="c-scorecard" role="list">' in out
    assert '<a href="dung-han.html">Tỷ lệ hồ sơ đúng hạn</a>' in out
    assert out.count("<a ") == 1
    assert ">98,5%<" in out and ">72,0%<" in out
    assert "Mục tiêu ≥ 98%" in out and "Mục tiêu ≥ 80,5%" in out
    assert "+1,2 điểm phần trăm so với quý trước" in out
    assert "\u22120,4 điểm phần trăm so với quý trước" in out
    assert "Chưa có số liệu quý trước" in out
    assert "✓</span> Đạt" in out and "✗</span> Chưa đạt" in out and "–</span> Không có dữ liệu" in out
    assert_no_nan(out)
    assert out == H.scorecard(df)


def test_kpi_tiles_format_numbers():
    out = H.kpi_tiles([("Hồ sơ tiếp nhận", 1250, "trong quý"), ("Trực tuyến", "45,2%", None), ("Trống", np.nan, "")])
    assert ">1.250<" in out and ">45,2%<" in out
    assert out.count("c-kpi__sub") == 1
    assert "không có dữ liệu" in out
    assert_no_nan(out)


def test_sample_banner_and_provenance():
    b = H.sample_banner()
    assert 'role="note"' in b and "Dữ liệu mẫu — không phải số liệu chính thức" in b
    p = H.provenance(datetime(2026, 11, 21, 8, 0), "provisional", date(2026, 11, 20), "abcdef1234567")
    # one line in words; the code version and the data status stay machine-readable
    assert ">Phiên bản ngày <time datetime=\"2026-11-21\">21/11/2026</time></p>" in p
    assert 'data-commit="abcdef1234567"' in p and 'data-status="provisional"' in p
    assert 'data-cutoff="2026-11-20"' in p and "Mã nguồn" not in p
    f = H.provenance("2027-01-05T08:00:00+07:00", "final", None, None)
    assert "Phiên bản ngày" in f and "05/01/2027" in f and "data-commit" not in f and 'data-status="final"' in f


def test_quarter_nav():
    out = H.quarter_nav("2026Q3", [("index", "Tổng quan"), ("ho-so", "Hồ sơ")], "ho-so", ["2026Q2", "2026Q3"])
    assert '<nav class="c-qnav__pages" aria-label="Các trang của quý">' in out
    assert '<a href="ho-so.html" aria-current="page">Hồ sơ</a>' in out
    assert '<a href="index.html">Tổng quan</a>' in out
    assert '<a href="../2026Q2/ho-so.html">Quý II/2026</a>' in out
    assert out.count('aria-current="page"') == 2
    assert "http" not in out and 'href="/' not in out


@pytest.mark.parametrize("frm,to,expected", [
    ("2026Q3/index.html", "phuong-phap.html", "../phuong-phap.html"),
    ("/2026Q3/index.html", "/phuong-phap.html", "../phuong-phap.html"),
    ("index.html", "2026Q3/index.html", "2026Q3/index.html"),
    ("2026Q3/ho-so.html", "2026Q3/index.html", "index.html"),
    ("2026Q3/ho-so.html", "2026Q2/ho-so.html", "../2026Q2/ho-so.html"),
    ("2026Q3/ho-so.html", "data/2026Q3/indicators.csv", "../data/2026Q3/indicators.csv"),
    ("2026Q3/ho-so.html", "phuong-phap.html#dung-han", "../phuong-phap.html#dung-han"),
    ("index.html", "index.html", "index.html"),
    ("2026Q3/index.html", "/", "../index.html"),
    ("2026Q3/index.html", "#top", "#top"),
    ("index.html", "data/", "data/"),
    ("a/b/c.html", "a/d.html", "../d.html"),
])
def test_rel(frm, to, expected):
    assert H.rel(frm, to) == expected


def test_slugify_vietnamese():
    assert H.slugify("Tỷ lệ hồ sơ giải quyết đúng hạn") == "ty-le-ho-so-giai-quyet-dung-han"
    assert H.slugify("Đất đai") == "dat-dai"
    assert H.slugify("") == "x"


def test_section_escapes_strings_keeps_html():
    out = H.section("<b>x</b>", H.paragraph("y"))
    assert "&lt;b&gt;x&lt;/b&gt;" in out and '<p class="c-para">y</p>' in out
    # Html concatenation escapes plain strings too
    assert "&lt;i&gt;" in (H.paragraph("a") + "<i>")


def test_css_covers_every_emitted_class():
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    assert "@import" not in css and "url(" not in css and "http" not in css
    html = "".join(str(v) for v in all_components("x").values())
    html += str(H.status_badge("not_met")) + str(H.status_badge("no_data")) + str(H.note("x", "info"))
    html += str(H.scorecard(pd.DataFrame({"name_vi": ["a", "b"], "value": [1, 2], "target": [1, 1],
                                          "direction": [">=", ">="], "status": ["not_met", "no_data"],
                                          "change": [0, 0], "unit": ["%", "%"]})))
    classes = set()
    for attr in re.findall(r'class="([^"]*)"', html):
        classes.update(attr.split())
    classes.discard("x")
    missing = sorted(c for c in classes if not re.search(r"\." + re.escape(c) + r"(?![\w-])", css))
    assert not missing, missing


def test_scorecard_data_attributes_match_published_value():
    df = pd.DataFrame([{"id": "on_time", "period": "ytd", "name_vi": "Đúng hạn", "value": 97.123456789,
                        "target": 98, "direction": ">=", "status": "not_met", "change": float("nan"), "unit": "%"}])
    out = str(H.scorecard(df))
    assert 'data-indicator="on_time"' in out and 'data-period="ytd"' in out
    assert 'data-value="97.123456789"' in out
    assert "97,1%" in out


def test_scorecard_rounding_never_hides_a_missed_target():
    df = pd.DataFrame([
        {"name_vi": "A", "value": 97.96, "target": 98, "direction": ">=", "status": "not_met", "unit": "%"},
        {"name_vi": "B", "value": 97.9996, "target": 98, "direction": ">=", "status": "not_met", "unit": "%"},
        {"name_vi": "C", "value": 98.04, "target": 98, "direction": ">=", "status": "met", "unit": "%"},
    ])
    out = str(H.scorecard(df))
    assert "97,96%" in out and "97,999%" in out
    assert "98,0%" in out and "98,0%" not in out.split(">C<")[0]


def test_scorecard_change_label_says_what_changed():
    df = pd.DataFrame([{"name_vi": "A", "value": 97.5, "target": 98, "direction": ">=", "status": "not_met",
                        "unit": "%", "change": 0.44, "change_label": "Riêng quý"},
                       {"name_vi": "B", "value": 97.5, "target": 98, "direction": ">=", "status": "not_met",
                        "unit": "%", "change": float("nan"), "change_label": "Riêng quý"}])
    out = str(H.scorecard(df))
    assert "Riêng quý: +0,4 điểm phần trăm so với quý trước" in out
    assert "Riêng quý: Chưa có" not in out and "Chưa có số liệu quý trước để so sánh" in out


# ---------------------------------------------------------------- display in notebooks
WIDGET_MIME_TYPES = ("text/html", "application/javascript")


def ipython_display_data(obj) -> dict:
    """The mime bundle IPython puts in the notebook for ``display(obj)``."""
    from IPython.core.interactiveshell import InteractiveShell

    data, _ = InteractiveShell.instance().display_formatter.format(obj)
    return data


@pytest.mark.parametrize("name", list(all_components("x")))
def test_display_is_a_raw_html_block_not_a_widget(name):
    """Quarto loads require.js + jQuery from cdnjs for any text/html output
    (quarto-cli src/core/jupyter/widgets.ts): components must display as
    text/markdown holding one raw HTML block instead."""
    out = all_components(PLANT)[name]
    data = ipython_display_data(out)
    assert not set(data) & set(WIDGET_MIME_TYPES), sorted(data)
    md = data["text/markdown"]
    m = re.fullmatch(r"(`{3,})\{=html\}\n(.*)\n\1\n", md, re.S)
    assert m, md[:200]
    assert m.group(2) == str(out)
    assert m.group(1) not in m.group(2)


@pytest.mark.parametrize("inner", ["", "a `code` b", "```", "x\n````\ny", "`````{=html}"])
def test_raw_html_block_fence_outlasts_any_backtick_run(inner):
    block = H.raw_html_block(H.paragraph(inner))
    fence = block.split("{=html}", 1)[0]
    body = block[len(fence) + len("{=html}\n"):-(len(fence) + 2)]
    assert body == str(H.paragraph(inner))
    assert len(fence) >= 3 and fence not in body
    assert block.endswith("\n" + fence + "\n")
