"""cchc.charts: static SVG figures — escaping, vi-VN numbers, target rules,
self-contained SVG, determinism. Renders only a handful of charts."""
from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from html_parse import parsed

from cchc import charts as C
from cchc import html as H

PLANT = '<script>alert(1)</script>" onmouseover=alert(2)'


def trend_df():
    return pd.DataFrame({
        "quarter": ["2026Q2", "2026Q1", "2026Q3", "2026Q4"],
        "value": [97.4, 96.2, 98.456, np.nan],
        "target": [98.0, 98.0, 98.0, 98.0],
    })


@pytest.fixture(scope="module")
def figs():
    trend = C.indicator_trend(trend_df(), title="Tỷ lệ đúng hạn " + PLANT,
                              description="Mô tả " + PLANT, direction=">=")
    bars = C.bar_by_category(
        pd.DataFrame({"lv": ["Hộ tịch", "Đất đai và môi trường, tài nguyên khoáng sản", "Tư pháp " + PLANT, "Lao động"],
                      "v": [99.1, 85.25, np.nan, 12.0]}),
        "lv", "v", target=95, title="Theo lĩnh vực " + PLANT, direction=">=")
    months = pd.date_range("2026-01-01", periods=3, freq="MS")
    monthly = C.monthly_volume(pd.DataFrame(
        [(m, ch, 400 * ch + i) for i, m in enumerate(months) for ch in (1, 2, 3)] + [(months[0], np.nan, 10)],
        columns=["month", "channel", "count"]))
    progress = C.progress_by_group(pd.DataFrame(
        [("I. Cải cách thể chế", "hoan_thanh", 3), ("I. Cải cách thể chế", "chua_bao_cao", 1),
         ("Nhóm " + PLANT, "dang_thuc_hien", 2), ("Nhóm " + PLANT, "chua_trien_khai", 1)],
        columns=["group", "status", "count"]), title="Tiến độ " + PLANT)
    return {"trend": trend, "bars": bars, "monthly": monthly, "progress": progress}


def _layers(spec):
    for layer in spec.get("layer", [spec]):
        if "layer" in layer:
            yield from _layers(layer)
        else:
            yield layer


def _mark_type(layer):
    m = layer.get("mark")
    return m.get("type") if isinstance(m, dict) else m


def _rule_targets(spec):
    out = []
    datasets = spec.get("datasets", {})
    for layer in _layers(spec):
        if _mark_type(layer) == "rule":
            data = layer.get("data") or {}
            values = data.get("values") or datasets.get(data.get("name"), [])
            for row in values:
                if "target" in row:
                    out.append(row["target"])
    return out


def test_theme_registered():
    assert C.THEME in alt.theme.names()
    cfg = C.cchc_theme()["config"]
    assert cfg["font"].startswith("system-ui") and "url(" not in cfg["font"]
    assert cfg["range"]["category"][0] == C.BLUE


@pytest.mark.parametrize("name", ["trend", "bars", "monthly", "progress"])
def test_figure_is_complete_and_escaped(figs, name):
    f = figs[name]
    html = f.__html__()
    assert f.title and f.description and f.table_html
    assert html.startswith(f'<figure class="chart c-figure" id="{f.id}" aria-labelledby="{f.id}-cap">')
    assert f'<figcaption id="{f.id}-cap"' in html
    assert "<table" in f.table_html and "<caption" in f.table_html
    # escaping: nothing planted survives as markup, in HTML or in the SVG
    assert "<script" not in html.lower()
    assert '" onmouseover' not in html
    p = parsed(html)
    assert "script" not in p.tags
    assert not [a for a in p.attrs if a[1].startswith("on")]
    if PLANT in (f.title + f.description) or name in ("bars", "progress"):
        assert "&lt;script&gt;" in html
    # no nan / None anywhere
    assert not re.search(r"\b(nan|NaN|None|NaT)\b", html)


@pytest.mark.parametrize("name", ["bars", "progress"])
def test_category_labels_escaped_inside_svg(figs, name):
    svg = figs[name].svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "<script" not in svg


@pytest.mark.parametrize("name", ["trend", "bars", "monthly", "progress"])
def test_svg_is_self_contained_accessible_and_small(figs, name):
    svg = figs[name].svg
    assert svg.startswith("<svg")
    urls = re.findall(r"https?://[^\s\"'<>)]+", svg)
    assert set(urls) <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    low = svg.lower()
    assert "<image" not in low and "href=" not in low and "url(" not in low and "@import" not in low
    root = parsed(svg).attrs
    root_attrs = {n: v for t, n, v in root if t == "svg"}
    assert root_attrs["role"] == "img"
    assert figs[name].title in root_attrs["aria-label"]
    assert "viewbox" in root_attrs  # HTMLParser lower-cases attribute names
    assert len(svg.encode("utf-8")) < 60_000


def test_trend_target_rule_and_vi_numbers(figs):
    f = figs["trend"]
    assert _rule_targets(f.spec) == [98.0]
    assert "Mục tiêu ≥ 98%" in f.svg
    assert ">98,5%<" in f.svg                 # value label, vi-VN
    assert re.search(r">0<", f.svg) and re.search(r">100<", f.svg)  # rate axis from 0 to 100
    assert "." not in "".join(re.findall(r">(\d[\d.,]*)<", f.svg)).replace(",", "")  # no decimal points
    # quarters sorted; table rows in order with vi-VN percent and dash for NaN
    t = f.table_html
    assert t.index("Quý I/2026") < t.index("Quý II/2026") < t.index("Quý III/2026")
    assert ">98,5%<" in t and "không có dữ liệu" in t


def test_trend_description_generated():
    f = C.indicator_trend(trend_df().iloc[:3], title="Đúng hạn")
    assert f.description.startswith("Quý III/2026: 98,5%, mục tiêu 98%")
    assert "+1,1 điểm phần trăm" in f.description


def test_bar_target_rule_status_and_order(figs):
    f = figs["bars"]
    assert _rule_targets(f.spec) == [95.0]
    assert "Mục tiêu ≥ 95%" in f.svg
    assert ">85,3%<" in f.table_html or ">85,2%<" in f.table_html
    assert "Không có dữ liệu" in f.svg           # missing bar is labelled, not silently absent
    t = f.table_html
    assert t.index("Lao động") < t.index("Đất đai") < t.index("Hộ tịch") < t.index("Tư pháp")  # worst first, NaN last
    assert ">Đạt<" in t and ">Chưa đạt<" in t and ">Không có dữ liệu<" in t
    # coloured by the target, with a text mark as well as the colour
    assert "✗ 85," in f.svg and "✓ " in f.svg and C.MET_NAME in f.svg and C.NOT_MET_NAME in f.svg
    assert C.MET_COLOUR.lower() in f.svg.lower() and C.NOT_MET_COLOUR.lower() in f.svg.lower()


def test_bars_show_n_and_mark_small_samples():
    df = pd.DataFrame({"d": ["Hộ tịch", "Chứng thực"], "v": [99.0, 90.0], "n": [1234, 12]})
    f = C.bar_by_category(df, category="d", value="v", count="n", target=98, direction=">=", title="Đúng hạn")
    assert "Hộ tịch (n = 1.234)" in f.svg and "mẫu nhỏ" in f.svg
    assert f.table_html.index("Chứng thực") < f.table_html.index("Hộ tịch")  # worst first
    assert ">Mẫu nhỏ<" in f.table_html and ">1.234<" in f.table_html
    le = C.bar_by_category(df, category="d", value="v", target=95, direction="<=", title="Trễ hạn")
    assert le.table_html.index("Hộ tịch") < le.table_html.index("Chứng thực")  # for ≤ the largest is worst


def test_every_chart_has_a_wide_drawing_for_wide_columns(figs):
    for name, f in figs.items():
        assert f.svg_wide, name
        w_narrow = float(re.search(r'<svg[^>]* width="([\d.]+)"', f.svg).group(1))
        w_wide = float(re.search(r'<svg[^>]* width="([\d.]+)"', f.svg_wide).group(1))
        assert w_narrow <= 340 and w_wide >= C.WIDE_WIDTH, name
        out = f.__html__()
        assert 'c-chart--narrow' in out and 'c-chart--wide' in out


def test_monthly_volume_labels_and_table(figs):
    f = figs["monthly"]
    svg = f.svg
    for m in ("T1", "T2", "T3"):
        assert f">{m}<" in svg
    for ch in ("Trực tiếp", "Trực tuyến", "Bưu chính công ích"):
        assert ch in svg and ch in f.table_html
    assert re.search(r">1\.\d{3}<", svg)      # y axis thousands: "1.000"
    assert "Tháng 1/2026" in f.table_html
    assert '<td role="cell" data-label="Trực tiếp" class="num">410</td>' in f.table_html  # blank channel = trực tiếp
    assert "Tổng cộng" in f.description


def test_progress_fixed_status_order(figs):
    f = figs["progress"]
    legend = [s for s in C.PROGRESS_STATUSES.values()]
    positions = [f.svg.index(s) for s in legend]
    assert positions == sorted(positions)
    enc = f.spec["layer"][0]["encoding"]["color"]["scale"]
    assert enc["domain"] == legend
    assert len(set(enc["range"])) == 4
    assert "3/7 nhiệm vụ đã hoàn thành" in f.description


def test_deterministic_bytes():
    a = C.indicator_trend(trend_df(), title="Đúng hạn", description="x")
    b = C.indicator_trend(trend_df(), title="Đúng hạn", description="x")
    assert a.__html__() == b.__html__()


def test_target_is_required_on_indicator_chart():
    with pytest.raises(ValueError):
        C.indicator_trend(pd.DataFrame({"quarter": ["2026Q1"], "value": [1.0], "target": [np.nan]}), title="x")


def test_target_label():
    assert C.target_label(98) == "Mục tiêu 98%"
    assert C.target_label(98.5, direction=">=") == "Mục tiêu ≥ 98,5%"
    assert C.target_label(1250, unit="hồ sơ", direction="<=") == "Mục tiêu ≤ 1.250 hồ sơ"


def test_svg_is_compact_and_keeps_the_font():
    import pandas as pd

    from cchc import charts

    f = charts.indicator_trend(pd.DataFrame({"quarter": ["2026Q1", "2026Q2"], "value": [90.0, 95.5],
                                             "target": [98.0, 98.0]}), title="Đúng hạn", direction=">=")
    root = f.svg[: f.svg.index(">") + 1]
    assert f.svg.count("font-family") == 1 and "font-family" in root  # inherited by every text element
    assert "pointer-events" not in f.svg and 'opacity="1"' not in f.svg
    assert "<text" in f.svg and len(f.svg) < 8000


@pytest.mark.parametrize("name", ["trend", "bars", "monthly", "progress"])
def test_figure_displays_as_raw_html_block_not_a_widget(figs, name):
    """display(figure) must give no text/html (Quarto would load require.js and
    jQuery from a CDN for it), only the figure as a raw HTML block."""
    from test_html import ipython_display_data

    f = figs[name]
    data = ipython_display_data(f)
    assert "text/html" not in data and "application/javascript" not in data, sorted(data)
    assert data["text/markdown"] == H.raw_html_block(f.__html__())
    assert str(f.html()) == f.__html__()
