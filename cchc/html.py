"""Escaped HTML building blocks for the site's pages.

Every function returns :class:`Html` — a :class:`markupsafe.Markup` that
notebooks can ``display()``. A displayed ``Html`` becomes a ``text/markdown``
output holding one Pandoc raw HTML block (:func:`raw_html_block`), never a
``text/html`` output: Quarto treats any ``text/html`` or
``application/javascript`` notebook output as a JavaScript widget and loads
require.js and jQuery from a CDN into the page, while a raw ``{=html}`` block
is page content that Quarto and the fallback renderer both pass through
verbatim. Every piece of text that
may come from data goes through :func:`markupsafe.escape`; plain ``str``
arguments are always treated as text, never as markup. Pass an ``Html`` (or
anything with ``__html__``) where markup is intended.

Output is a self-contained fragment: no ``<script>``, no inline event
handlers, no inline styles, no external URL. Ids are derived from text
(:func:`slugify`) so that output is byte-identical run to run; when the same
caption/heading appears twice on a page pass ``n=2`` (or ``id=``) to
disambiguate. Numbers and dates go through :mod:`cchc.fmt` (vi-VN).

Class names used (styled in ``assets/components.css``)::

    c-table-wrap table-wrap c-table c-table--reflow num c-table__missing sr-only
    c-heading c-para c-note c-note--info c-note--warning
    c-badge c-badge--met c-badge--not_met c-badge--no_data c-badge--suppressed c-badge__icon
    c-kpis c-kpi c-kpi__label c-kpi__value c-kpi__sub
    c-scorecard c-card c-card--met c-card--not_met c-card--no_data c-card--suppressed
    c-card__name c-card__value c-card__target c-card__status c-card__change
    c-links c-links__desc c-banner c-banner--sample c-provenance
    c-qnav c-qnav__pages c-qnav__quarters c-qnav__label c-section
"""
from __future__ import annotations

import math
import numbers
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date as _date, datetime as _datetime

import pandas as pd
from markupsafe import Markup, escape

from . import fmt

__all__ = [
    "Html", "slugify", "text", "table", "heading", "paragraph", "note",
    "status_badge", "kpi_tiles", "scorecard", "link_list", "sample_banner",
    "provenance", "quarter_nav", "section", "rel", "safe_href", "FORMATS",
    "raw_html_block",
]

NO_DATA = fmt.NO_DATA  # "không có dữ liệu"


def raw_html_block(html) -> str:
    """``html`` as one Pandoc raw HTML block (a fenced ``{=html}`` block).

    The fence is longer than any run of backticks inside ``html``, so no line
    of the fragment can close it. Quarto includes a ``text/markdown`` output
    in the page's Markdown as is, and Pandoc copies a raw HTML block to the
    HTML output verbatim.
    """
    html = str(html)
    longest = max((len(run) for run in re.findall(r"`+", html)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{html}\n{fence}\n"


class Html(Markup):
    """Escaped markup; ``display(x)`` in a notebook gives a ``text/markdown``
    output holding it as a raw HTML block (see the module docstring).

    There is deliberately no ``_repr_html_``: IPython would add a
    ``text/html`` output next to the Markdown one, and that alone makes
    Quarto load require.js and jQuery from cdnjs.cloudflare.com.
    """

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return raw_html_block(self)


def _h(s) -> Html:
    return Html(s)


def text(x) -> Html:
    """Escape ``x`` (anything) as text; ``Html``/``__html__`` objects pass through."""
    if x is None:
        return Html("")
    if hasattr(x, "__html__"):
        return Html(x.__html__())
    if not isinstance(x, str) and hasattr(x, "_repr_html_"):
        return Html(x._repr_html_())
    return Html(escape(str(x)))


def _missing(x) -> bool:
    if x is None:
        return True
    if isinstance(x, float) and math.isnan(x):
        return True
    try:
        r = pd.isna(x)
    except (TypeError, ValueError):
        return False
    return bool(r) if isinstance(r, bool) or getattr(r, "shape", None) == () else False


# ---------------------------------------------------------------- ids, links

def slugify(s, default: str = "x") -> str:
    """ASCII slug of Vietnamese text: ``"Tỷ lệ đúng hạn"`` -> ``"ty-le-dung-han"``."""
    s = str(s).replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()
    s = s[:60].rstrip("-")
    return s or default


def _make_id(prefix: str, base, n: int | None = None, id: str | None = None) -> str:
    if id:
        return slugify(id)
    out = f"{prefix}-{slugify(base)}"
    if n is not None and n != 1:
        out += f"-{int(n)}"
    return out


_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):", re.ASCII)
_ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}
_C0_SPACE = "".join(map(chr, range(0x21)))  # what the URL parser strips at both ends
_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")  # what it removes everywhere


def safe_href(href) -> str:
    """``href`` as a browser will read it, when it is a relative link or an
    http/https/mailto/tel URL; otherwise ``"#"``.

    Sanitised the way browsers parse URLs (WHATWG URL standard): C0 control
    characters and spaces are stripped at both ends and tabs and newlines are
    removed everywhere before the scheme is read — so ``java\tscript:``,
    ``java\nscript:`` and ``\x01javascript:`` are the ``javascript:`` they
    become. Also refused: any other control or invisible format character
    left inside, protocol-relative ``//host`` and any backslash (``/\\host``
    and ``\\\\host`` mean ``//host`` to a browser).

    The returned string is *not* escaped: use it through :func:`_attr`.
    """
    if _missing(href):
        return "#"
    href = _TAB_NEWLINE_RE.sub("", str(href).strip(_C0_SPACE))
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in href):
        return "#"
    if "\\" in href or href.startswith("//"):
        return "#"
    m = _SCHEME_RE.match(href)
    if m and m.group(1).lower() not in _ALLOWED_SCHEMES:
        return "#"
    return href


def _attr(value) -> Markup:
    """Escaped attribute value (quotes included)."""
    return escape(str(value))


def rel(from_page_path: str, to_path: str) -> str:
    """Relative URL from one site page to another site path.

    Both are paths from the site root (a leading ``/`` is ignored):
    ``rel("2026Q3/index.html", "phuong-phap.html") == "../phuong-phap.html"``;
    ``rel("index.html", "2026Q3/index.html") == "2026Q3/index.html"``;
    a fragment or query on ``to_path`` is kept; a directory target keeps
    its trailing ``/``; the site root is ``index.html`` (pages open from disk).
    """
    frm = str(from_page_path).lstrip("/")
    to = str(to_path)
    suffix = ""
    m = re.search(r"[?#]", to)
    if m:
        to, suffix = to[: m.start()], to[m.start():]
    to = to.lstrip("/")
    if to == "" and suffix.startswith("#"):
        return suffix  # same page anchor
    if to == "":
        to = "index.html"
    trailing = to.endswith("/")
    base = posixpath.dirname(frm) or "."
    r = posixpath.relpath(to.rstrip("/") or ".", base)
    if trailing and r != ".":
        r += "/"
    elif r == ".":
        r = "./"
    return r + suffix


# ---------------------------------------------------------------- cells

FORMATS = ("int", "pct", "dec1", "dec2", "pp", "date", "datetime", "text")


def _infer_format(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        vals = series.dropna()
        if len(vals) and (vals == vals.round()).all():
            return "int"
        return "dec1"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def format_value(x, kind: str) -> str | None:
    """Formatted text for one cell, ``None`` when missing."""
    if _missing(x):
        return None
    if kind == "int":
        return fmt.number(x, 0)
    if kind == "pct":
        return fmt.percent(x, 1)
    if kind == "dec1":
        return fmt.number(x, 1)
    if kind == "dec2":
        return fmt.number(x, 2)
    if kind == "pp":
        return fmt.signed(x, 1)
    if kind == "date":
        return fmt.date(x)
    if kind == "datetime":
        return fmt.datetime(x)
    if isinstance(x, bool):
        return "Có" if x else "Không"
    if isinstance(x, numbers.Integral):
        return fmt.number(x, 0)
    if isinstance(x, numbers.Real):
        return fmt.number(x, 0 if float(x).is_integer() else 1)
    return str(x)


_MISSING_CELL = Markup('<span aria-hidden="true">—</span><span class="sr-only">không có dữ liệu</span>')


# ---------------------------------------------------------------- table

def table(
    df: pd.DataFrame,
    columns: Mapping[str, str] | Iterable[str] | None = None,
    caption: str = "Bảng số liệu",
    formats: Mapping[str, str] | None = None,
    row_header: bool = True,
    n: int | None = None,
    id: str | None = None,
    caption_class: str | None = None,
    reflow: bool = True,
) -> Html:
    """An accessible, horizontally scrollable table.

    - ``columns``: ``{df_column: header text}`` (order kept) or a list of
      df columns (header = column name); default all columns.
    - ``formats``: ``{df_column: "int"|"pct"|"dec1"|"dec2"|"pp"|"date"|"datetime"|"text"}``;
      missing entries are inferred from the dtype (integers -> ``int``,
      floats -> ``dec1``, datetimes -> ``date``, else ``text``). ``pct``
      expects the 0–100 scale (``98.5`` -> ``98,5%``). Numeric cells get
      class ``num`` (right-aligned).
    - ``row_header``: the first column is a row header (``<th scope="row">``).
    - Missing values print ``—`` plus a screen-reader "không có dữ liệu".
    - ``reflow``: on narrow screens (CSS) each row becomes a card whose
      cells are labelled with their column header (``data-label``); wider
      screens scroll the table horizontally inside its focusable wrapper.
    - The caption id is ``tbl-<slug of caption>`` (``-<n>`` when ``n`` > 1,
      or ``id`` verbatim-slugified) so the output is deterministic.
    """
    if columns is None:
        cols = {c: str(c) for c in df.columns}
    elif isinstance(columns, Mapping):
        cols = dict(columns)
    else:
        cols = {c: str(c) for c in columns}
    formats = dict(formats or {})
    kinds = {c: formats.get(c) or _infer_format(df[c]) for c in cols}
    for c, k in kinds.items():
        if k not in FORMATS:
            raise ValueError(f"unknown format {k!r} for column {c!r}; use one of {FORMATS}")
    cap_id = _make_id("tbl", caption, n, id)
    cap_cls = f' class="{_attr(caption_class)}"' if caption_class else ""

    # explicit ARIA roles keep the table semantics when the narrow-screen CSS
    # reflows rows into cards (display:block drops them in some browsers)
    out = [
        f'<div class="c-table-wrap table-wrap" role="region" aria-labelledby="{cap_id}" tabindex="0">',
        f'<table class="c-table{" c-table--reflow" if reflow else ""}" role="table">',
        f'<caption id="{cap_id}"{cap_cls}>{text(caption)}</caption>',
        '<thead role="rowgroup"><tr role="row">',
    ]
    for c, label in cols.items():
        cls = ' class="num"' if kinds[c] not in ("text", "date", "datetime") else ""
        out.append(f'<th scope="col" role="columnheader"{cls}>{text(label)}</th>')
    out.append("</tr></thead>")
    out.append('<tbody role="rowgroup">')
    names = list(cols)
    labels = {c: _attr(cols[c]) for c in names}
    for row in df[names].itertuples(index=False, name=None):
        out.append('<tr role="row">')
        for i, (c, v) in enumerate(zip(names, row)):
            k = kinds[c]
            s = format_value(v, k)
            num = k not in ("text", "date", "datetime")
            content = _MISSING_CELL if s is None else text(s)
            classes = []
            if num:
                classes.append("num")
            if s is None:
                classes.append("c-table__missing")
            cls = f' class="{" ".join(classes)}"' if classes else ""
            if i == 0 and row_header:
                out.append(f'<th scope="row" role="rowheader"{cls}>{content}</th>')
            else:
                out.append(f'<td role="cell" data-label="{labels[c]}"{cls}>{content}</td>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return _h("".join(out))


# ---------------------------------------------------------------- text blocks

def heading(text_: str, level: int = 2, id: str | None = None) -> Html:
    """``<h2 id="…" class="c-heading">…</h2>``; id defaults to the slug of the text."""
    level = int(level)
    if not 1 <= level <= 6:
        raise ValueError("heading level must be 1..6")
    hid = slugify(id) if id else slugify(text_, default="muc")
    return _h(f'<h{level} id="{hid}" class="c-heading">{text(text_)}</h{level}>')


def paragraph(text_: str) -> Html:
    return _h(f'<p class="c-para">{text(text_)}</p>')


_NOTE_LABEL = {"info": "Ghi chú", "warning": "Lưu ý"}


def note(text_: str, kind: str = "info") -> Html:
    """A boxed note; ``kind`` is ``"info"`` or ``"warning"`` (labelled, not colour only)."""
    if kind not in _NOTE_LABEL:
        raise ValueError("kind must be 'info' or 'warning'")
    icon = "ℹ" if kind == "info" else "⚠"
    return _h(
        f'<div class="c-note c-note--{kind}" role="note">'
        f'<strong><span aria-hidden="true">{icon} </span>{_NOTE_LABEL[kind]}:</strong> {text(text_)}</div>'
    )


# ---------------------------------------------------------------- status, KPIs, scorecard

_STATUS = {
    "met": ("✓", fmt.judgement_vi("met")),
    "not_met": ("✗", fmt.judgement_vi("not_met")),
    "no_data": ("–", fmt.judgement_vi("no_data")),
    # on-track judgements of an annual target while the year is open
    "on_track": ("✓", fmt.judgement_vi("on_track")),
    "at_risk": ("!", fmt.judgement_vi("at_risk")),
    "unreachable": ("✗", fmt.judgement_vi("unreachable")),
    "suppressed": ("–", fmt.judgement_vi("suppressed")),  # small groups are never published (cchc/suppression.py)
}
_STATUS_ALIASES = {"đạt": "met", "chưa đạt": "not_met", "không có dữ liệu": "no_data"}


def _status_key(status) -> str:
    if _missing(status):
        return "no_data"
    s = str(status).strip()
    if s in _STATUS:
        return s
    return _STATUS_ALIASES.get(s.lower(), "")


def status_badge(status) -> Html:
    """``met`` -> "✓ Đạt", ``not_met`` -> "✗ Chưa đạt", ``no_data``/NaN -> "– Không có dữ liệu".

    The symbol is decorative (``aria-hidden``); the word carries the meaning.
    An unknown status is shown as escaped text with the neutral style.
    """
    key = _status_key(status)
    if key:
        icon, label = _STATUS[key]
        return _h(
            f'<span class="c-badge c-badge--{key}"><span class="c-badge__icon" aria-hidden="true">{icon}</span> {label}</span>'
        )
    return _h(f'<span class="c-badge c-badge--no_data">{text(status)}</span>')


def _item_fields(item, names: tuple[str, ...]) -> dict:
    if isinstance(item, Mapping):
        return {k: item.get(k) for k in names}
    vals = list(item) + [None] * len(names)
    return dict(zip(names, vals[: len(names)]))


def kpi_tiles(items) -> Html:
    """Big-number tiles. ``items``: dicts (``label``, ``value``, ``sublabel``) or tuples.

    ``value`` is normally an already formatted string; numbers are formatted
    vi-VN (``1250`` -> ``1.250``); missing -> "—" with screen-reader text.
    """
    out = ['<ul class="c-kpis" role="list">']
    for item in items:
        f = _item_fields(item, ("label", "value", "sublabel"))
        v = f["value"]
        if _missing(v):
            val = _MISSING_CELL
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            val = text(fmt.number(v, 0 if float(v).is_integer() else 1))
        else:
            val = text(v)
        sub = f'<span class="c-kpi__sub">{text(f["sublabel"])}</span>' if not _missing(f["sublabel"]) and f["sublabel"] != "" else ""
        out.append(
            f'<li class="c-kpi"><span class="c-kpi__label">{text(f["label"])}</span>'
            f'<span class="c-kpi__value">{val}</span>{sub}</li>'
        )
    out.append("</ul>")
    return _h("".join(out))


def _trim_number(x) -> str:
    """98 -> '98'; 98.5 -> '98,5' (at most one decimal, no trailing ',0')."""
    x = round(float(x), 1)
    return fmt.number(x, 0 if x.is_integer() else 1)


_honest_value = fmt.honest_value
_honest_decimals = fmt.honest_decimals


def _value_text(value, unit, decimals: int = 1) -> str | None:
    if _missing(value):
        return None
    unit = "" if _missing(unit) else str(unit)
    if unit == "%":
        return fmt.percent(value, decimals)
    s = fmt.number(value, 0 if float(value).is_integer() else 1)
    return f"{s} {unit}".strip()


def _target_text(target, direction, unit) -> str:
    if _missing(target):
        return "Chưa có mục tiêu"
    unit = "" if _missing(unit) else str(unit)
    d = "" if _missing(direction) else fmt.direction_vi(str(direction)) + " "
    t = _trim_number(target)
    t = t + "%" if unit == "%" else f"{t} {unit}".strip()
    return f"Mục tiêu {d}{t}"


def _change_text(change, unit) -> str:
    if _missing(change):
        return "Chưa có số liệu quý trước để so sánh"
    unit = "" if _missing(unit) else str(unit)
    suffix = " điểm phần trăm" if unit == "%" else (f" {unit}" if unit else "")
    return f"{fmt.signed(change, 1)}{suffix} so với quý trước"


def scorecard(df: pd.DataFrame, heading_level: int = 3) -> Html:
    """Indicator cards.

    ``df`` columns: ``name_vi``, ``value`` (0–100 when ``unit`` is ``%``),
    ``target``, ``direction`` (``>=``/``<=``), ``status``
    (``met``/``not_met``/``no_data``), ``change`` (percentage points vs the
    previous quarter, may be NaN), ``unit``; optional ``href`` (link on the
    name), ``note`` (small text under the card) and ``change_label`` (what
    the change is of, e.g. "Riêng quý"); optional ``id`` and
    ``period``: the value then carries ``data-indicator``, ``data-period`` and
    ``data-value`` (full precision) so a reader — or a test — can match the
    number on the page with the published ``indicators.json``.
    """
    cols = set(df.columns)
    out = ['<ul class="c-scorecard" role="list">']
    for r in df.to_dict("records"):
        key = _status_key(r.get("status")) or "no_data"
        unit = r.get("unit") if "unit" in cols else "%"
        name = text(r.get("name_vi"))
        href = r.get("href") if "href" in cols else None
        if not _missing(href) and str(href) != "":
            name = Markup(f'<a href="{_attr(safe_href(href))}">{name}</a>')
        v = _value_text(_honest_value(r.get("value"), r.get("target"), r.get("direction")), unit,
                        _honest_decimals(r.get("value"), r.get("target"), r.get("direction")))
        value_html = _MISSING_CELL if v is None else text(v)
        change_text = _change_text(r.get("change") if "change" in cols else None, unit)
        if "change_label" in cols and not _missing(r.get("change_label")) and not _missing(r.get("change")):
            change_text = f"{r.get('change_label')}: {change_text}"
        data_attrs = ""
        if "id" in cols and not _missing(r.get("id")):
            raw = r.get("value")
            data_attrs = (f' data-indicator="{_attr(r.get("id"))}"'
                          f' data-period="{_attr(r.get("period", ""))}"'
                          f' data-value="{"" if _missing(raw) else repr(float(raw))}"')
        note_html = ""
        if "note" in cols and not _missing(r.get("note")) and str(r.get("note")) != "":
            note_html = f'<p class="c-card__note">{text(r.get("note"))}</p>'
        out.append(
            f'<li class="c-card c-card--{key}">'
            f'<h{heading_level} class="c-card__name">{name}</h{heading_level}>'
            f'<p class="c-card__value"{data_attrs}>{value_html}</p>'
            f'<p class="c-card__target">{text(_target_text(r.get("target"), r.get("direction"), unit))}</p>'
            f'<p class="c-card__status">{status_badge(key)}</p>'
            f'<p class="c-card__change">{text(change_text)}</p>'
            f"{note_html}</li>"
        )
    out.append("</ul>")
    return _h("".join(out))


# ---------------------------------------------------------------- links, banners, navigation

def link_list(items) -> Html:
    """``items``: ``(href, text)`` / ``(href, text, description)`` tuples or dicts with those keys."""
    out = ['<ul class="c-links">']
    for item in items:
        f = _item_fields(item, ("href", "text", "description"))
        desc = f["description"]
        d = f' <span class="c-links__desc">{text(desc)}</span>' if not _missing(desc) and desc != "" else ""
        out.append(f'<li><a href="{_attr(safe_href(f["href"]))}">{text(f["text"])}</a>{d}</li>')
    out.append("</ul>")
    return _h("".join(out))


SAMPLE_TEXT = "Dữ liệu mẫu — không phải số liệu chính thức"


def sample_banner(detail: str | None = None) -> Html:
    """The prominent "sample data" warning shown on every page built from sample data."""
    d = f' <span>{text(detail)}</span>' if detail else ""
    return _h(
        f'<div class="c-banner c-banner--sample" role="note">'
        f'<strong><span aria-hidden="true">⚠ </span>{SAMPLE_TEXT}</strong>{d}</div>'
    )


def _time(d) -> str:
    if _missing(d):
        return ""
    ts = pd.Timestamp(d)
    return f'<time datetime="{ts.strftime("%Y-%m-%d")}">{fmt.date(ts)}</time>'


def provenance(exported_at=None, status: str = "final", cutoff=None, commit: str | None = None,
               plan_note: str = "") -> Html:
    """The page's single provenance line: "Phiên bản ngày dd/mm/yyyy" (the
    date the data was exported). The code version (``commit``, ending in "+"
    when any input of the build is not exactly committed) and the data
    status stay machine-readable in ``data-commit`` / ``data-status`` /
    ``data-cutoff`` attributes; the provisional status is said in words by
    its own notice next to the figures. ``plan_note`` (another plan than the
    committed one was used, cchc/provenance.py) is said in words, emphasised."""
    attrs = [f'data-status="{_attr(status)}"']
    if not _missing(cutoff):
        attrs.append(f'data-cutoff="{pd.Timestamp(cutoff).strftime("%Y-%m-%d")}"')
    if commit:
        attrs.append(f'data-commit="{_attr(str(commit))}"')
    body = f"Phiên bản ngày {_time(exported_at)}" if not _missing(exported_at) else "Phiên bản chưa ghi ngày"
    if plan_note:
        body += f" · <strong>{text(plan_note)}</strong>"
    return _h(f'<p class="c-provenance" {" ".join(attrs)}>{body}</p>')


def quarter_nav(
    quarter: str,
    pages,
    current_slug: str,
    quarters=(),
    quarter_label=None,
) -> Html:
    """Navigation inside a quarter plus a quarter switcher (plain links).

    The page is assumed to live at ``<quarter>/<current_slug>.html``.
    ``pages``: list of ``(slug, title)``; ``quarters``: quarter ids (the
    switcher links to the same page of the other quarter). Hrefs are
    relative (:func:`rel`). ``aria-current="page"`` marks the current page
    and quarter.
    """
    from .periods import quarter_label_vi  # local: keep html importable alone

    label = quarter_label or quarter_label_vi
    here = f"{quarter}/{current_slug}.html"
    out = ['<div class="c-qnav">', '<nav class="c-qnav__pages" aria-label="Các trang của quý"><ul>']
    for slug, title in pages:
        href = rel(here, f"{quarter}/{slug}.html")
        cur = ' aria-current="page"' if slug == current_slug else ""
        out.append(f'<li><a href="{_attr(safe_href(href))}"{cur}>{text(title)}</a></li>')
    out.append("</ul></nav>")
    qs = list(quarters)
    if qs:
        out.append('<nav class="c-qnav__quarters" aria-label="Chọn quý">')
        out.append('<span class="c-qnav__label" aria-hidden="true">Quý:</span><ul>')
        for q in qs:
            href = rel(here, f"{q}/{current_slug}.html")
            cur = ' aria-current="page"' if q == quarter else ""
            out.append(f'<li><a href="{_attr(safe_href(href))}"{cur}>{text(label(q))}</a></li>')
        out.append("</ul></nav>")
    out.append("</div>")
    return _h("".join(out))


def section(*parts, cls: str | None = None, labelledby: str | None = None) -> Html:
    """Concatenate fragments. ``str`` parts are escaped as text; ``Html``,
    ``__html__`` (e.g. chart figures) and ``_repr_html_`` objects are kept.
    With ``cls`` or ``labelledby`` the parts are wrapped in ``<section>``."""
    body = "\n".join(str(text(p)) for p in parts if p is not None)
    if cls or labelledby:
        c = f' class="c-section {_attr(cls)}"' if cls else ' class="c-section"'
        a = f' aria-labelledby="{_attr(labelledby)}"' if labelledby else ""
        return _h(f"<section{c}{a}>\n{body}\n</section>")
    return _h(body)
