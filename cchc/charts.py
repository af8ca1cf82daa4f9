"""Charts as static, accessible SVG figures.

Every chart function takes a tidy DataFrame and returns a :class:`Figure`:
a title, a text description (the caller's, or one generated from the data),
the chart as inline SVG rendered by vl-convert (no JavaScript, no external
reference) and the same numbers as an accessible HTML table
(:func:`cchc.html.table`). ``Figure.__html__()`` gives the fragment;
``display(figure)`` in a notebook shows it as a raw HTML block in a
``text/markdown`` output, like :class:`cchc.html.Html` (never ``text/html``,
which makes Quarto load scripts from a CDN).

Design rules (see also assets/components.css):

- one altair theme, ``"cchc"`` (registered and enabled on import):
  Okabe–Ito colours that keep ≥ 3:1 against white, system font stack, 13 px
  labels, text colours ≥ 4.5:1;
- numbers: vl-convert's bundled d3-format locales have no Vietnamese one,
  so :data:`FORMAT_LOCALE` (decimal comma, thousands dot) is passed as a
  dictionary (and also put in the spec's ``config.locale``); the time locale
  is vl-convert's bundled ``"vi-VN"`` d3-time-format locale. Text drawn from
  data (value labels, month and quarter labels) is formatted in Python with
  :mod:`cchc.fmt`, so it is vi-VN whatever the renderer does;
- every indicator chart draws its target as a dashed rule labelled
  "Mục tiêu ≥ 98%";
- data text never enters a Vega expression (only field values), and
  vl-convert escapes text when it writes SVG.
"""
from __future__ import annotations

import functools
import math
import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser

import altair as alt
import pandas as pd
import vl_convert as vlc
from markupsafe import escape

from . import fmt, svg_cache
from . import html as H
from .periods import parse_quarter

__all__ = [
    "Figure", "THEME", "FONT", "PALETTE", "CHANNELS", "PROGRESS_STATUSES",
    "FORMAT_LOCALE", "TIME_FORMAT_LOCALE", "render_svg", "indicator_trend",
    "bar_by_category", "monthly_volume", "progress_by_group", "target_label",
]

THEME = "cchc"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"

# Okabe–Ito hues that keep ≥ 3:1 contrast against white (yellow, orange and
# sky blue of the original set do not, so they are not used).
BLUE = "#0072B2"        # 5.2:1
VERMILLION = "#D55E00"  # 3.9:1
GREEN = "#009E73"       # 3.4:1
PURPLE = "#CC79A7"      # 3.1:1
GREY = "#6B6B6B"        # 5.3:1
INK = "#1A1A1A"         # text / target rule, 17:1
TEXT = "#333333"        # axis text, 12.6:1
PALETTE = [BLUE, VERMILLION, GREEN, PURPLE, "#000000", GREY]
# bars against a target: dark enough for white bold value labels (≥ 7:1)
MET_COLOUR, NOT_MET_COLOUR = "#0B5D3B", "#8F1D12"
MET_NAME, NOT_MET_NAME = "Đạt mục tiêu", "Chưa đạt mục tiêu"

FORMAT_LOCALE = {
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", "\u00a0₫"],
    "minus": "\u2212",
    "percent": "%",
}
TIME_FORMAT_LOCALE = "vi-VN"  # bundled in vl-convert (d3-time-format locale)

CHANNELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
CHANNEL_COLOURS = {"Trực tiếp": VERMILLION, "Trực tuyến": BLUE, "Bưu chính công ích": PURPLE}

PROGRESS_STATUSES = {
    "hoan_thanh": "Hoàn thành",
    "dang_thuc_hien": "Đang thực hiện",
    "chua_trien_khai": "Chưa triển khai",
    "chua_bao_cao": "Chưa báo cáo",
}
PROGRESS_COLOURS = {
    "Hoàn thành": GREEN,
    "Đang thực hiện": BLUE,
    "Chưa triển khai": VERMILLION,
    "Chưa báo cáo": GREY,
}

# Sizes are chosen for phones: the whole SVG is ~320 px wide, so at 320 px
# screens it is shown at (nearly) 1:1 and 13 px text stays 12–13 px.
WIDTH = 250          # plot width of charts with a y axis on the left
BAR_WIDTH = 296      # plot width of the horizontal-bar charts (labels above bars)
LABEL_CHARS = 36     # wrap category labels (drawn above their bar) at this many characters
LABEL_LINES = 3
LINE_H = 16          # px per label line
BAR_H = 18           # px bar thickness
# Wide screens get a second drawing of every chart whose plot is this wide
# (about the content column at 1280 px: 72rem minus padding), shown from 64em
# up (assets/components.css), so a chart fills the column with 13 px text.
WIDE_WIDTH = 900
SMALL_SAMPLE = 30    # a rate over fewer cases than this is marked "mẫu nhỏ"


# ---------------------------------------------------------------- theme

def _theme() -> dict:
    axis = {
        "labelFont": FONT, "titleFont": FONT,
        "labelFontSize": 13, "titleFontSize": 13,
        "labelColor": TEXT, "titleColor": TEXT, "titleFontWeight": "normal",
        "domainColor": "#767676", "tickColor": "#767676", "gridColor": "#DDDDDD",
        "labelLimit": 160, "aria": False,
    }
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 6,
            "locale": {"number": FORMAT_LOCALE},
            "view": {"stroke": None, "continuousWidth": WIDTH, "continuousHeight": 220},
            "axis": axis,
            "legend": {
                "labelFont": FONT, "titleFont": FONT, "labelFontSize": 13,
                "titleFontSize": 13, "labelColor": TEXT, "titleColor": TEXT,
                "titleFontWeight": "normal", "orient": "bottom", "direction": "vertical",
                "symbolType": "square", "symbolSize": 150, "labelLimit": 260, "aria": False,
            },
            "title": {"font": FONT, "fontSize": 15, "color": INK, "anchor": "start"},
            "range": {"category": PALETTE},
            "mark": {"aria": False},
            "bar": {"aria": False},
            "line": {"strokeWidth": 2.5, "aria": False},
            "point": {"filled": True, "size": 70, "aria": False},
            "rule": {"aria": False},
            "text": {"font": FONT, "fontSize": 12, "color": TEXT, "aria": False},
            "axisBand": {"domain": False, "ticks": False},
        }
    }


@alt.theme.register(THEME, enable=True)
def cchc_theme() -> alt.theme.ThemeConfig:
    """The site's chart theme (colour-blind-safe, system fonts, vi-VN numbers)."""
    return _theme()  # type: ignore[return-value]


def _vl_version() -> str | None:
    m = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    if not m:
        return None
    v = f"{m.group(1)}.{m.group(2)}"
    return v if v in vlc.get_vegalite_versions() else None


_SVG_OPEN = re.compile(r"<svg\b([^>]*)>")


def render_svg(chart, label: str = "") -> tuple[str, dict]:
    """Render an altair chart (or a Vega-Lite dict) to sanitised inline SVG.

    Returns ``(svg, spec)``. The root ``<svg>`` gets ``role="img"``,
    ``aria-label=label`` (escaped), keeps its ``width``/``height`` and
    ``viewBox`` (CSS scales it down: ``max-width:100%; height:auto``).
    Raises ``ValueError`` when the SVG would reference anything external.
    """
    if isinstance(chart, dict):
        spec = chart
    else:
        with alt.theme.enable(THEME):
            # not validated against the Vega-Lite schema here: a third of a
            # chart's time; the chart builders' specs are validated in
            # tests/test_charts.py (test_every_chart_spec_is_valid_vega_lite)
            spec = chart.to_dict(validate=False)
    svg = _vega_svg(spec).strip()
    m = _SVG_OPEN.search(svg)
    if not m:
        raise ValueError("vl-convert returned no <svg> element")
    attrs = m.group(1)
    if "xlink:" not in svg[m.end():]:
        attrs = re.sub(r'\s+xmlns:xlink="[^"]*"', "", attrs)
    attrs = attrs.replace('class="marks"', 'class="marks c-chart__svg"')
    attrs += f' role="img" aria-label="{escape(label)}" focusable="false"'
    body, font_attr = _compact(svg[m.end():])
    svg = svg[: m.start()] + f"<svg{attrs}{font_attr}>" + body
    _check_svg(svg)
    return svg, spec


def _vega_svg(spec: dict) -> str:
    """vl-convert's SVG of ``spec`` (from the build's drawings cache when one
    is set, see :mod:`cchc.svg_cache`)."""
    def draw() -> str:
        return vlc.vegalite_to_svg(spec, vl_version=_vl_version(), format_locale=FORMAT_LOCALE,
                                   time_format_locale=TIME_FORMAT_LOCALE, allowed_base_urls=[])

    key = [getattr(vlc, "__version__", ""), _vl_version(), FORMAT_LOCALE, TIME_FORMAT_LOCALE, spec]
    return svg_cache.drawing(key, draw)


_FONT_ATTR = f' font-family="{FONT}"'  # as vl-convert writes it (FONT has no double quote)
_DEFAULT_ATTRS = (' pointer-events="none"', ' opacity="1"')


def _compact(body: str) -> tuple[str, str]:
    """Drop what a static SVG repeats for nothing, to keep pages light: the
    theme's font family on every text element (set once on the root, SVG
    inherits it), ``pointer-events="none"`` (a static image has no events)
    and ``opacity="1"`` (the default). Drawing is unchanged."""
    font_attr = ""
    if _FONT_ATTR in body:
        body = body.replace(_FONT_ATTR, "")
        font_attr = _FONT_ATTR
    for a in _DEFAULT_ATTRS:
        body = body.replace(a, "")
    return body, font_attr


_ALLOWED_NS = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
_FORBIDDEN_TAGS = {"script", "image", "foreignobject", "use", "a", "style", "iframe", "object", "embed"}


class _SvgAudit(HTMLParser):
    """Collects what would make the SVG unsafe or not self-contained."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag.lower() in _FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            n = name.lower()
            v = (value or "").strip()
            if n.startswith("on"):
                self.problems.append(f"event handler {name}")
            elif n in ("href", "xlink:href", "src"):
                self.problems.append(f"reference {name}")
            elif n.startswith("xmlns"):
                if v not in _ALLOWED_NS:
                    self.problems.append(f"namespace {v[:60]}")
            elif n not in ("aria-label",) and re.search(r"url\(\s*['\"]?(?!#)|https?:|//", v, re.I):
                self.problems.append(f"external reference in {name}")

    handle_startendtag = handle_starttag


def _check_svg(svg: str) -> None:
    audit = _SvgAudit()
    audit.feed(svg)
    audit.close()
    if audit.problems:
        raise ValueError("chart SVG is not self-contained/safe: " + ", ".join(audit.problems[:5]))


# ---------------------------------------------------------------- Figure

@dataclass
class Figure:
    """A chart with its title, description and data table.

    ``__html__()`` ->
    ``<figure class="chart c-figure" aria-labelledby="ID-cap"><figcaption id="ID-cap">
    <strong>title</strong> <span>description</span></figcaption>
    <div class="chart-svg c-chart">SVG</div><details class="c-figure__data">…table…</details></figure>``
    """

    title: str
    description: str
    svg: str
    table_html: str
    spec: dict = field(default_factory=dict, repr=False)
    id: str = "fig"
    svg_wide: str = ""  # the same chart drawn for a wide content column (shown from 64em up)

    def __html__(self) -> str:
        cap = f"{self.id}-cap"
        return (
            f'<figure class="chart c-figure" id="{escape(self.id)}" aria-labelledby="{escape(cap)}">'
            f'<figcaption id="{escape(cap)}" class="c-figure__caption">'
            f"<strong>{escape(self.title)}</strong> <span>{escape(self.description)}</span></figcaption>"
            f'<div class="chart-svg c-chart{" c-chart--narrow" if self.svg_wide else ""}">{self.svg}</div>'
            + (f'<div class="chart-svg c-chart c-chart--wide">{self.svg_wide}</div>' if self.svg_wide else "")
            +
            f'<details class="c-figure__data"><summary>Xem bảng số liệu</summary>{self.table_html}</details>'
            f"</figure>"
        )

    def _repr_markdown_(self) -> str:
        return H.raw_html_block(self.__html__())

    def html(self) -> H.Html:
        return H.Html(self.__html__())


def _figure(chart, title: str, description: str, table_df: pd.DataFrame, columns: dict,
            formats: dict, n: int | None, wide: bool = True) -> Figure:
    title = str(title)
    description = str(description)
    fid = H._make_id("fig", title, n)
    label = f"{title}. {description}" if description else title
    svg, spec = render_svg(chart, label)
    svg_wide = ""
    if wide and isinstance(spec.get("width"), (int, float)):
        # the same chart for a wide column: only the plot width changes, text keeps its size
        svg_wide, _ = render_svg({**spec, "width": WIDE_WIDTH}, label)
    tbl = H.table(table_df, columns=columns, formats=formats,
                  caption=f"Bảng số liệu: {title}", id=f"{fid}-tbl")
    return Figure(title=title, description=description, svg=svg, table_html=str(tbl), spec=spec, id=fid,
                  svg_wide=svg_wide)


# ---------------------------------------------------------------- helpers

def _num(x) -> float | None:
    """Plain float for JSON, None for missing."""
    if H._missing(x):
        return None
    x = float(x)
    return None if math.isinf(x) or math.isnan(x) else x


def _trim(x) -> str:
    x = round(float(x), 1)
    return fmt.number(x, 0 if x.is_integer() else 1)


def _value_label(x, unit: str) -> str:
    if H._missing(x):
        return ""
    if unit == "%":
        return fmt.percent(x, 1)
    s = fmt.number(x, 0 if float(x).is_integer() else 1)
    return f"{s} {unit}".strip()


def target_label(target, unit: str = "%", direction: str | None = None) -> str:
    """``98`` -> ``"Mục tiêu 98%"``; with ``direction=">="`` -> ``"Mục tiêu ≥ 98%"``."""
    d = (fmt.direction_vi(direction) + " ") if direction else ""
    t = _trim(target)
    t = t + "%" if unit == "%" else f"{t} {unit}".strip()
    return f"Mục tiêu {d}{t}"


def _wrap(s, width: int = LABEL_CHARS, lines: int = LABEL_LINES) -> str:
    """At most ``lines`` lines of ``width`` characters, "…" when cut. The text
    is cut *before* wrapping (textwrap is slow on long text), to a little more
    than what can be shown."""
    s = str(s)
    room = 2 * width * (lines + 1)
    cut = len(s) > room
    s = " ".join(s[:room].split())
    parts = textwrap.wrap(s, width=width, break_long_words=True) or [""]
    if len(parts) > lines or cut:
        parts = parts[:lines]
        parts[-1] = parts[-1][: max(1, width - 1)].rstrip() + "…"
    return "\n".join(parts)




def _quarter_labels(quarters: list[str]) -> tuple[list[str], str]:
    romans = ["I", "II", "III", "IV"]
    parsed = [parse_quarter(q) for q in quarters]
    years = {y for y, _ in parsed}
    if len(years) == 1:
        return [f"Quý {romans[q - 1]}" for _, q in parsed], f"Năm {next(iter(years))}"
    return [f"{romans[q - 1]}/{y}" for y, q in parsed], "Quý"


def _pct_domain(values: list[float], unit: str) -> list[float]:
    lo = min(values) if values else 0.0
    hi = max(values) if values else 100.0
    if unit == "%":  # rate axes start at 0
        return [0.0, 100.0 if hi <= 100 else math.ceil(hi / 10) * 10]
    span = hi - lo or abs(hi) or 1
    return [math.floor(lo - span * 0.2), math.ceil(hi + span * 0.2)]


def _target_layers(targets: list[float], label: str, enc) -> list:
    """The target: dashed rule(s) at ``targets`` on the shared scale (``enc``
    builds the x or y encoding of field ``target``), plus a key above the
    plot area — a dashed sample and ``label`` — which never collides with data."""
    rule = alt.Chart(alt.InlineData(values=[{"target": t} for t in targets])).mark_rule(
        color=INK, strokeDash=[6, 4], strokeWidth=1.5
    ).encode(enc("target:Q"))
    key_data = alt.InlineData(values=[{"label": label}])
    key_rule = alt.Chart(key_data).mark_rule(color=INK, strokeDash=[6, 4], strokeWidth=1.5).encode(
        x=alt.XValue(0), x2=alt.X2Value(26), y=alt.YValue(-14))
    key_text = alt.Chart(key_data).mark_text(
        align="left", baseline="middle", color=INK, fontWeight="bold", fontSize=13,
    ).encode(x=alt.XValue(32), y=alt.YValue(-14), text=alt.Text("label:N"))
    return [rule, key_rule, key_text]


def _kept(builder):
    """``builder``'s Figure kept by its arguments between builds (:func:`cchc.svg_cache.figure`)."""
    @functools.wraps(builder)
    def kept(*args, **kwargs):
        versions = (alt.__version__, getattr(vlc, "__version__", ""), _vl_version(), FORMAT_LOCALE,
                    TIME_FORMAT_LOCALE)
        return svg_cache.figure((versions, builder.__name__, args, kwargs), lambda: builder(*args, **kwargs))

    return kept


# ---------------------------------------------------------------- charts

@_kept
def indicator_trend(
    df: pd.DataFrame,
    title: str,
    description: str | None = None,
    unit: str = "%",
    direction: str | None = None,
    n: int | None = None,
    partial: dict | None = None,
    wide: bool = True,
) -> Figure:
    """Indicator value across quarters, with the target as a dashed rule.

    ``partial``: quarter id -> suffix for a quarter cut off early
    (``{"2026Q4": " (đến 20/11)"}``), added to its axis label and table row.
    ``wide=False``: no wide drawing (pages with many small charts lay them
    out in a grid, ``.c-figure-grid``, instead).

    ``df`` columns: ``quarter`` (``YYYYQn``), ``value`` (0–100 for ``%``,
    may be NaN), ``target`` (same scale; normally constant). Optional
    ``direction`` (``>=``/``<=``) adds "≥"/"≤" to the target label.
    ``description`` defaults to a sentence about the latest quarter.
    """
    d = df.copy()
    d["quarter"] = d["quarter"].astype(str)
    d = d.sort_values("quarter", key=lambda s: s.map(parse_quarter)).reset_index(drop=True)
    labels, x_title = _quarter_labels(list(d["quarter"]))
    suffixes = [(partial or {}).get(q, "") for q in d["quarter"]]
    base_labels, labels = labels, [lab + sfx for lab, sfx in zip(labels, suffixes)]
    d["label"] = labels
    if direction is None and "direction" in d.columns and d["direction"].notna().any():
        direction = str(d["direction"].dropna().iloc[0])
    values = [_num(v) for v in d["value"]]
    targets = sorted({t for t in (_num(v) for v in d["target"]) if t is not None})
    if not targets:
        raise ValueError("indicator_trend needs a target (the target rule is drawn on every indicator chart)")
    row_targets = [_num(v) for v in d["target"]]
    rows = [
        {"q": lab, "value": v, "text": _value_label(v, unit),
         "above": v is not None and (t is None or v >= t)}
        for lab, v, t in zip(labels, values, row_targets)
    ]
    domain = _pct_domain([v for v in values if v is not None] + targets, unit)
    scale = alt.Scale(domain=domain, zero=False, nice=False)
    span = domain[1] - domain[0]
    fmt_axis = ",.0f" if span >= 10 else ",.1f"
    y_title = "Tỷ lệ (%)" if unit == "%" else unit
    xenc = alt.X("q:N", sort=labels, title=x_title,
                 axis=alt.Axis(labelAngle=0 if len(labels) <= 5 else -40, labelLimit=80))
    data = alt.InlineData(values=rows)
    base = alt.Chart(data)
    y_axis = alt.Axis(format=fmt_axis, tickCount=5)

    def yenc(f):
        return alt.Y(f, scale=scale, title=y_title, axis=y_axis)

    line = base.mark_line(color=BLUE).encode(xenc, yenc("value:Q"))
    points = base.mark_point(color=BLUE).encode(xenc, yenc("value:Q"))
    layers = [line, points]
    if len(rows) <= 8:
        # value labels on the side of the point away from the target rule
        for flag, dy, bl in (("datum.above", -10, "bottom"), ("!datum.above", 10, "top")):
            layers.append(
                base.transform_filter(flag).mark_text(dy=dy, baseline=bl, color=INK, fontWeight="bold")
                .encode(xenc, yenc("value:Q"), text=alt.Text("text:N"))
            )
    key = target_label(targets[0], unit, direction)
    for t in targets[1:]:  # the target changed over time: one rule per value, one key
        key += " / " + _trim(t) + ("%" if unit == "%" else "")
    layers += _target_layers(targets, key, yenc)
    chart = alt.layer(*layers).properties(width=WIDTH, height=220)

    if description is None:
        description = _describe_trend(d, values, targets, unit, direction)
    tdf = pd.DataFrame({
        "quarter": [(f"{lab}" if x_title == "Quý" else f"{lab}/{x_title[4:]}") + sfx
                    for lab, sfx in zip(base_labels, suffixes)],
        "value": values,
        "target": [_num(v) for v in d["target"]],
    })
    vfmt = "pct" if unit == "%" else "dec1"
    return _figure(chart, title, description, tdf,
                   {"quarter": "Quý", "value": "Giá trị", "target": "Mục tiêu"},
                   {"quarter": "text", "value": vfmt, "target": vfmt}, n, wide=wide)


def _met(v, t, direction) -> bool:
    return v <= t if direction == "<=" else v >= t


def _describe_trend(d, values, targets, unit, direction) -> str:
    idx = [i for i, v in enumerate(values) if v is not None]
    if not idx:
        return "Chưa có dữ liệu cho các quý."
    last = idx[-1]
    from .periods import quarter_label_vi
    q = quarter_label_vi(d["quarter"].iloc[last])
    v = values[last]
    t = _num(d["target"].iloc[last]) or targets[-1]
    s = f"{q}: {_value_label(v, unit)}, {target_label(t, unit, direction).lower()}"
    s += " — đạt." if _met(v, t, direction or ">=") else " — chưa đạt."
    if len(idx) > 1:
        prev = values[idx[-2]]
        suffix = " điểm phần trăm" if unit == "%" else ""
        s += f" So với quý trước: {fmt.signed(v - prev, 1, suffix)}."
    return s


def _pad_lines(labels: list[str]) -> list[str]:
    """Pad wrapped labels with empty leading lines to the same line count, so
    that every label ends right above its bar."""
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    return ["\n" * (lines - lab.count("\n") - 1) + lab for lab in labels]


def _band_layout(base, keys: list[str], labels: list[str]):
    """Mobile layout for horizontal bars: each band holds its (wrapped)
    category label on top and the bar below it, so labels use the full width.

    Returns ``(y encoding, band step, bar yOffset, label text layer)``.
    """
    lines = max((lab.count("\n") + 1 for lab in labels), default=1)
    block = lines * LINE_H
    step = block + 4 + BAR_H + 12       # 6 px pad, label lines, 4 px gap, bar, 6 px pad
    label_dy = -step / 2 + 6            # label top, relative to the band centre
    off = block / 2 + 2                 # bar centre, relative to the band centre
    yenc = alt.Y("k:N", sort=keys, axis=None, scale=alt.Scale(paddingInner=0, paddingOuter=0))
    lab = base.mark_text(
        align="left", baseline="top", lineBreak="\n", lineHeight=LINE_H, fontSize=13,
        color=INK, yOffset=label_dy,
    ).encode(yenc, x=alt.XValue(0), text=alt.Text("label:N"))
    return yenc, step, off, lab


@_kept
def bar_by_category(
    df: pd.DataFrame,
    category: str,
    value: str,
    target: float | None = None,
    title: str = "",
    description: str | None = None,
    sort: str | None = "worst",
    unit: str = "%",
    direction: str | None = None,
    category_title: str = "",
    value_title: str | None = None,
    n: int | None = None,
    count: str | None = None,
) -> Figure:
    """Horizontal bars, one per category, with the target rule when ``target`` is given.

    ``df`` columns: ``category`` (text label), ``value`` (0–100 for ``%``,
    may be NaN), optionally ``count`` (the n the rate is computed over: shown
    in the label, "mẫu nhỏ" below :data:`SMALL_SAMPLE`). ``sort``: ``"worst"``
    (default: furthest from the target first — lowest first for a ``>=``
    target; largest first without a target), ``"-x"`` largest first, ``"x"``
    smallest first, ``None`` keeps the frame's order. With a target, bars are
    coloured by whether they meet it and their value label carries ✓/✗ as
    well. Long labels wrap over up to three lines.
    """
    le = direction == "<="
    if sort == "worst":
        sort = ("-x" if le else "x") if target is not None else "-x"
    d = pd.DataFrame({"cat": df[category].astype(object).map(lambda x: "" if H._missing(x) else str(x)),
                      "value": [_num(v) for v in df[value]],
                      "n": [_num(v) for v in df[count]] if count else [None] * len(df)})
    if sort in ("-x", "x"):
        d = d.sort_values("value", ascending=(sort == "x"), na_position="last", kind="mergesort")
    d = d.reset_index(drop=True)
    d["wrapped"] = [_wrap(_with_n(c, k)) for c, k in zip(d["cat"], d["n"])]
    vals = [v for v in (_num(x) for x in d["value"]) if v is not None]
    if unit == "%":
        domain = [0.0, 100.0 if (not vals or max(vals) <= 100) else math.ceil(max(vals) / 10) * 10]
    else:
        top = max(vals + ([float(target)] if target is not None else []) + [1.0])
        domain = [0.0, float(top) * 1.05]
    scale = alt.Scale(domain=domain, nice=False)
    hi = domain[1]
    def mark(v):
        if target is None or v is None:
            return ""
        return "✓ " if _met(v, float(target), direction or ">=") else "✗ "

    rows = [
        {"k": f"c{i:03d}", "label": w, "value": v, "text": mark(v) + _value_label(v, unit),
         "inside": v is not None and v >= 0.3 * hi,
         "met": MET_NAME if target is None or v is None or _met(v, float(target), direction or ">=") else NOT_MET_NAME}
        for i, (w, v) in enumerate(zip(_pad_lines(list(d["wrapped"])), (_num(x) for x in d["value"])))
    ]
    if value_title is None:
        value_title = "Tỷ lệ (%)" if unit == "%" else unit
    x_axis = alt.Axis(format=",.0f", tickCount=5)

    def xenc(f):
        return alt.X(f, scale=scale, title=value_title, axis=x_axis)

    base = alt.Chart(alt.InlineData(values=rows))
    yenc, step, off, lab = _band_layout(base, [r["k"] for r in rows], [r["label"] for r in rows])
    if target is not None:
        colour = alt.Color("met:N", title=None, scale=alt.Scale(domain=[MET_NAME, NOT_MET_NAME],
                                                                range=[MET_COLOUR, NOT_MET_COLOUR]),
                           legend=alt.Legend(orient="bottom", direction="horizontal"))
        bars = base.mark_bar(height=BAR_H, yOffset=off).encode(yenc, xenc("value:Q"), colour)
    else:
        bars = base.mark_bar(color=BLUE, height=BAR_H, yOffset=off).encode(yenc, xenc("value:Q"))
    inside = base.transform_filter("datum.inside").mark_text(
        align="right", baseline="middle", dx=-5, yOffset=off, color="white", fontWeight="bold",
    ).encode(yenc, xenc("value:Q"), text=alt.Text("text:N"))
    outside = base.transform_filter("!datum.inside").mark_text(
        align="left", baseline="middle", dx=5, yOffset=off, color=INK, fontWeight="bold",
    ).encode(yenc, xenc("value:Q"), text=alt.Text("text:N"))
    missing = base.transform_filter("datum.value === null").mark_text(
        align="left", baseline="middle", yOffset=off, color=TEXT, fontStyle="italic",
    ).encode(yenc, x=alt.XValue(2), text=alt.TextValue("Không có dữ liệu"))
    layers = [bars]
    if target is not None:
        layers += _target_layers([float(target)], target_label(target, unit, direction), xenc)
    layers += [inside, outside, missing, lab]
    chart = alt.layer(*layers).properties(width=BAR_WIDTH, height=alt.Step(step))

    if description is None:
        description = _describe_bars(d, target, unit, direction)
    tdf = pd.DataFrame({"cat": d["cat"], "value": d["value"]})
    columns = {"cat": category_title or "Nhóm", "value": "Giá trị"}
    formats = {"cat": "text", "value": "pct" if unit == "%" else "dec1"}
    if count:
        tdf["n"] = d["n"]
        tdf["sample"] = ["Mẫu nhỏ" if k is not None and k < SMALL_SAMPLE else "" for k in d["n"]]
        columns |= {"n": "Số trường hợp (n)", "sample": f"Dưới {SMALL_SAMPLE} trường hợp"}
        formats |= {"n": "int", "sample": "text"}
    if target is not None:
        tdf["status"] = [
            ("Không có dữ liệu" if H._missing(v) else ("Đạt" if _met(v, float(target), direction or ">=") else "Chưa đạt"))
            for v in d["value"]
        ]
        columns["status"] = f"So với {target_label(target, unit, direction).lower()}"
        formats["status"] = "text"
    return _figure(chart, title, description, tdf, columns, formats, n)


def _with_n(cat: str, k) -> str:
    """"Hộ tịch (n = 1.234)"; "Chứng thực (n = 12, mẫu nhỏ)"."""
    if k is None:
        return cat
    small = ", mẫu nhỏ" if k < SMALL_SAMPLE else ""
    return f"{cat} (n = {fmt.number(k)}{small})"


def _describe_bars(d, target, unit, direction) -> str:
    have = d[d["value"].notna()]
    if have.empty:
        return "Chưa có dữ liệu."
    top = have.loc[have["value"].idxmax()]
    low = have.loc[have["value"].idxmin()]
    s = f"Cao nhất: {top['cat']} ({_value_label(top['value'], unit)}); thấp nhất: {low['cat']} ({_value_label(low['value'], unit)})."
    if target is not None:
        met = sum(_met(v, float(target), direction or ">=") for v in have["value"])
        s += f" {fmt.number(met)}/{fmt.number(len(have))} nhóm đạt {target_label(target, unit, direction).lower()}."
    return s


def _channel_name(x) -> str:
    if H._missing(x):
        return CHANNELS[1]  # blank channel counts as "trực tiếp" (contract default)
    try:
        return CHANNELS[int(x)]
    except (ValueError, TypeError, KeyError):
        return str(x)


@_kept
def monthly_volume(
    df: pd.DataFrame,
    title: str = "Số hồ sơ tiếp nhận theo tháng và kênh",
    description: str | None = None,
    n: int | None = None,
    cutoff=None,
) -> Figure:
    """Stacked bars of dossiers per month by channel.

    ``df`` columns: ``month`` (a date/Timestamp in the month, or ``"YYYY-MM"``),
    ``channel`` (1/2/3 or "Trực tiếp"/"Trực tuyến"/"Bưu chính công ích"),
    ``count``. Month labels are "T1", "T2"… ("T1/2026" when several years).
    ``cutoff`` (a date): the month it falls in, when cut off before its last
    day, is marked "T11 (đến 20/11)" in the chart and the table.
    """
    d = pd.DataFrame({
        "month": pd.to_datetime(df["month"].astype(str).str.slice(0, 7), format="%Y-%m"),
        "channel": df["channel"].map(_channel_name),
        "count": pd.to_numeric(df["count"], errors="coerce").fillna(0),
    })
    d = d.groupby(["month", "channel"], as_index=False)["count"].sum()
    months = sorted(d["month"].unique())
    years = sorted({m.year for m in pd.DatetimeIndex(months)})
    multi = len(years) > 1
    mlabel = {m: (f"T{pd.Timestamp(m).month}/{pd.Timestamp(m).year}" if multi else f"T{pd.Timestamp(m).month}")
              for m in months}
    partial = None
    if cutoff is not None:
        c = pd.Timestamp(cutoff)
        if c.day != c.days_in_month:
            partial = pd.Timestamp(c.year, c.month, 1)
            for m in months:
                if pd.Timestamp(m) == partial:
                    mlabel[m] += f" (đến {c.strftime('%d/%m')})"
    order_ch = list(CHANNELS.values()) + sorted(set(d["channel"]) - set(CHANNELS.values()))
    present = [c for c in order_ch if c in set(d["channel"])]
    colours = [CHANNEL_COLOURS.get(c, PALETTE[4]) for c in present]
    rank = {c: i for i, c in enumerate(order_ch)}
    rows = [
        {"m": mlabel[m], "channel": c, "count": int(k) if float(k).is_integer() else float(k), "o": rank[c]}
        for m, c, k in sorted(d.itertuples(index=False, name=None), key=lambda r: (r[0], rank[r[1]]))
    ]
    xorder = [mlabel[m] for m in months]
    x_title = "Tháng" + ("" if multi else f" (năm {years[0]})" if years else "")
    chart = alt.Chart(alt.InlineData(values=rows)).mark_bar(stroke="white", strokeWidth=1).encode(
        alt.X("m:N", sort=xorder, title=x_title, axis=alt.Axis(labelAngle=0 if len(xorder) <= 6 else -40)),
        alt.Y("count:Q", stack="zero", title="Số hồ sơ", axis=alt.Axis(format=",d", tickCount=5)),
        alt.Color("channel:N", title="Kênh",
                  scale=alt.Scale(domain=present, range=colours),
                  legend=alt.Legend(orient="bottom", direction="vertical")),
        alt.Order("o:Q", sort="ascending"),
    ).properties(width=WIDTH, height=220)

    wide = d.pivot_table(index="month", columns="channel", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=present, fill_value=0)
    wide["Tổng"] = wide.sum(axis=1)
    wide = wide.reset_index()
    wide["month"] = [f"Tháng {pd.Timestamp(m).month}/{pd.Timestamp(m).year}"
                     + (f" (đến {pd.Timestamp(cutoff).strftime('%d/%m')})" if pd.Timestamp(m) == partial else "")
                     for m in wide["month"]]
    if description is None:
        total = float(wide["Tổng"].sum())
        s = f"Tổng cộng {fmt.number(total)} hồ sơ trong {fmt.number(len(months))} tháng."
        if total and "Trực tuyến" in wide.columns:
            s += f" Trực tuyến chiếm {fmt.percent(100 * float(wide['Trực tuyến'].sum()) / total)}."
        description = s
    cols = {"month": "Tháng", **{c: c for c in present}, "Tổng": "Tổng"}
    formats = {"month": "text", **{c: "int" for c in present}, "Tổng": "int"}
    return _figure(chart, title, description, wide, cols, formats, n)


def _status_name(x) -> str:
    if H._missing(x):
        return PROGRESS_STATUSES["chua_bao_cao"]
    return PROGRESS_STATUSES.get(str(x), str(x))


@_kept
def progress_by_group(
    df: pd.DataFrame,
    title: str = "Tiến độ thực hiện nhiệm vụ theo lĩnh vực",
    description: str | None = None,
    group_title: str = "",
    n: int | None = None,
) -> Figure:
    """Horizontal stacked bars: number of tasks per group by status.

    ``df`` columns: ``group`` (text), ``status`` (``hoan_thanh``,
    ``dang_thuc_hien``, ``chua_trien_khai``, ``chua_bao_cao`` or their
    Vietnamese labels), ``count``. Statuses keep that fixed order and fixed
    colours; groups keep the frame's order.
    """
    d = pd.DataFrame({
        "group": df["group"].astype(object).map(lambda x: "" if H._missing(x) else str(x)),
        "status": df["status"].map(_status_name),
        "count": pd.to_numeric(df["count"], errors="coerce").fillna(0),
    })
    groups = list(dict.fromkeys(d["group"]))
    d = d.groupby(["group", "status"], as_index=False, sort=False)["count"].sum()
    order_st = list(PROGRESS_STATUSES.values()) + sorted(set(d["status"]) - set(PROGRESS_STATUSES.values()))
    rank = {s: i for i, s in enumerate(order_st)}
    colours = [PROGRESS_COLOURS.get(s, PALETTE[4]) for s in order_st]
    key = {g: f"g{i:03d}" for i, g in enumerate(groups)}
    rows = [
        {"k": key[g], "status": s, "count": int(k) if float(k).is_integer() else float(k), "o": rank[s]}
        for g, s, k in sorted(d.itertuples(index=False, name=None), key=lambda r: (groups.index(r[0]), rank[r[1]]))
        if k
    ]
    labels = _pad_lines([_wrap(g) for g in groups])
    label_base = alt.Chart(alt.InlineData(values=[{"k": key[g], "label": lab} for g, lab in zip(groups, labels)]))
    yenc, step, off, lab = _band_layout(label_base, [key[g] for g in groups], labels)
    bars = alt.Chart(alt.InlineData(values=rows)).mark_bar(
        stroke="white", strokeWidth=1, height=BAR_H, yOffset=off).encode(
        yenc,
        alt.X("count:Q", stack="zero", title="Số nhiệm vụ", axis=alt.Axis(format=",d", tickMinStep=1, tickCount=5)),
        alt.Color("status:N", title="Trạng thái", scale=alt.Scale(domain=order_st, range=colours),
                  legend=alt.Legend(orient="bottom", direction="vertical")),
        alt.Order("o:Q", sort="ascending"),
    )
    chart = alt.layer(bars, lab).properties(width=BAR_WIDTH, height=alt.Step(step))

    wide = d.pivot_table(index="group", columns="status", values="count", aggfunc="sum", fill_value=0, sort=False)
    wide = wide.reindex(index=groups, columns=order_st, fill_value=0)
    wide["Tổng"] = wide.sum(axis=1)
    wide = wide.reset_index()
    if description is None:
        total = float(wide["Tổng"].sum())
        done = float(wide[PROGRESS_STATUSES["hoan_thanh"]].sum())
        description = (f"{fmt.number(done)}/{fmt.number(total)} nhiệm vụ đã hoàn thành"
                       + (f" ({fmt.percent(100 * done / total)})." if total else "."))
    cols = {"group": group_title or "Nhóm", **{s: s for s in order_st}, "Tổng": "Tổng"}
    formats = {"group": "text", **{s: "int" for s in order_st}, "Tổng": "int"}
    return _figure(chart, title, description, wide, cols, formats, n)
