"""The "Tra cứu thủ tục" pages: the list of every procedure of the latest
catalogue (``tra-cuu-thu-tuc.html``) and one page per procedure
(``thu-tuc/<MaTTHC>.html``, emitted by one notebook run through
:mod:`cchc.multipage`).

Figures come from the ``procedures`` breakdown (:mod:`cchc.procedures`);
texts that staff may change (portal link, labels) from
``cchc/contract/procedures.yaml``.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import jinja2
import pandas as pd
import yaml

from . import fmt
from . import html as H
from .context import SiteContext
from .periods import quarter_label_vi

LIST_PAGE = "tra-cuu-thu-tuc.html"
FOLDER = "thu-tuc"
LEVEL_VI = {"toàn trình": "Toàn trình", "một phần": "Một phần", "không": "Không"}
SMALL_TEXT = "dưới 5 hồ sơ"
NONE_TEXT = "chưa có hồ sơ"


@lru_cache(maxsize=None)
def texts() -> dict:
    with resources.files("cchc.contract").joinpath("procedures.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=None)
def _jinja() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("cchc", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=False)


def fold(s) -> str:
    """Lower case without Vietnamese diacritics ("Đăng ký" -> "dang ky"): what
    the list's filter compares (assets/procedures.js folds the same way)."""
    s = str(s or "").replace("đ", "d").replace("Đ", "D")
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return " ".join(s.lower().split())


def page_name(code) -> str:
    """The site path (without ``.html``) of a procedure's page: ``thu-tuc/<MaTTHC>``;
    characters other than letters, digits, ``.``, ``-``, ``_`` become ``-``."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", str(code).strip()).strip(".-") or "x"
    return f"{FOLDER}/{safe}"


def portal_url(code) -> str:
    return H.safe_href(texts()["portal_url"].format(code=str(code).strip()))


# --------------------------------------------------------------------------- cells
def _rate(value, suppressed, den) -> str:
    if int(den) == 0:
        return NONE_TEXT
    if bool(suppressed):
        return SMALL_TEXT
    return fmt.percent(value)


def _days(x) -> str:
    if x is None or pd.isna(x):
        return ""
    x = float(x)
    return fmt.number(x, 0 if x.is_integer() else 1)


def _workdays(row) -> str:
    if int(row["finished"]) == 0:
        return NONE_TEXT
    if bool(row["workdays_suppressed"]):
        return SMALL_TEXT
    return f"{_days(row['workdays_median'])} / {_days(row['workdays_p90'])} ngày"


def _deadline(n) -> str:
    if n is None or pd.isna(n):
        return "không có trong danh mục"
    return "trong ngày" if int(n) == 0 else f"{fmt.number(int(n))} ngày làm việc"


def _fee(x) -> str:
    return {1: "Có", 0: "Không"}.get(None if x is None or pd.isna(x) else int(x), "không rõ")


def _figures(row) -> list[tuple[str, str, bool]]:
    """(column label, text, numeric?) of one period's figures of a procedure."""
    return [
        ("Hồ sơ tiếp nhận", fmt.number(int(row["received"])), True),
        ("Đúng hạn", _rate(row["on_time_value"], row["on_time_suppressed"], row["in_scope"]), True),
        ("Thời gian giải quyết (trung vị / 90%)", _workdays(row), True),
        ("Phải bổ sung hồ sơ", _rate(row["supplement_value"], row["supplement_suppressed"], row["in_scope"]), True),
        ("Nộp trực tuyến", _rate(row["online_value"], row["online_suppressed"], row["received"]), True),
    ]


def _ytd(ctx: SiteContext) -> pd.DataFrame:
    df = ctx.results[ctx.latest].breakdowns.get("procedures", pd.DataFrame())
    return df[df["period"] == "ytd"].reset_index(drop=True) if len(df) else df


# --------------------------------------------------------------------------- list page
def procedure_list(ctx: SiteContext) -> H.Html:
    """Every procedure of the latest catalogue, sorted by domain then name,
    with its year-to-date figures; filterable with JavaScript."""
    q = ctx.latest
    df = _ytd(ctx)
    order = df.assign(_d=df["TenLinhVuc"].map(fold), _n=df["TenTTHC"].map(fold)).sort_values(
        ["_d", "_n", "MaTTHC"], kind="stable")
    rows, domains = [], {}
    for r in order.to_dict("records"):
        domains.setdefault(str(r["MaLinhVuc"]), str(r["TenLinhVuc"]))
        cells = [("Lĩnh vực", r["TenLinhVuc"], False),
                 ("Mức độ dịch vụ công trực tuyến", LEVEL_VI.get(str(r["MucDoDVC"]), str(r["MucDoDVC"])), False),
                 ("Phí, lệ phí", _fee(r["CoPhiLePhi"]), False)] + _figures(r)
        rows.append({"fold": fold(f"{r['TenTTHC']} {r['MaTTHC']} {r['TenLinhVuc']}"), "domain_code": r["MaLinhVuc"],
                     "href": page_name(r["MaTTHC"]) + ".html", "name": r["TenTTHC"], "code": r["MaTTHC"],
                     "cells": cells})
    headers = [("Thủ tục", False), ("Lĩnh vực", False), ("Mức độ dịch vụ công trực tuyến", False),
               ("Phí, lệ phí", False)] + [(label, True) for label, _, _ in _figures(order.iloc[0])] if len(order) \
        else []
    caption = f"{len(rows)} thủ tục, số liệu lũy kế từ đầu năm đến hết {quarter_label_vi(q)}"
    table = _jinja().get_template("procedure_list.html.j2").render(
        rows=rows, domains=sorted(domains.items(), key=lambda kv: fold(kv[1])), headers=headers,
        caption=caption, caption_id="tbl-tra-cuu-thu-tuc", script_src="assets/procedures.js")
    t = texts()
    return H.section(
        H.paragraph(t["list_intro"].format(quarter=quarter_label_vi(q))),
        H.paragraph(t["workdays_rule"]),
        H.Html(table),
        H.link_list([(H.rel(LIST_PAGE, "phuong-phap.html") + "#ngay-lam-viec", "Cách tính ngày làm việc và tỷ lệ"),
                     (H.rel(LIST_PAGE, "data/procedures.csv"), "Tải số liệu theo thủ tục (CSV, lũy kế năm)")]),
    )


# --------------------------------------------------------------------------- one page per procedure
def _by_quarter(ctx: SiteContext, code: str) -> pd.DataFrame:
    rows = []
    for q in ctx.quarters:
        df = ctx.results[q].breakdowns.get("procedures")
        if df is None or not len(df):
            continue
        m = df[(df["period"] == "quarter") & (df["MaTTHC"] == code)]
        if len(m):
            rows.append({"quarter": q, **m.iloc[0].to_dict()})
    return pd.DataFrame(rows)


def _on_time_target(ctx: SiteContext) -> tuple[float, str]:
    t = ctx.plan.targets
    row = t[t["id"] == "on_time"]
    return (float(row["target"].iloc[0]), str(row["direction"].iloc[0])) if len(row) else (100.0, ">=")


def _quarter_chart(bq: pd.DataFrame, name: str, target: tuple[float, str]) -> H.Html | None:
    """A small static SVG: the on-time rate of each quarter against the plan's
    target (hand-made: one vl-convert chart per procedure would add ~0.4 s a page)."""
    left, span, top = 110, 200, 6
    bars = []
    for i, r in enumerate(bq.to_dict("records")):
        ok = not (r["on_time_suppressed"] or int(r["in_scope"]) == 0 or pd.isna(r["on_time_value"]))
        v = float(r["on_time_value"]) if ok else None
        bars.append({"y": top + i * 28, "label": quarter_label_vi(r["quarter"]),
                     "w": None if v is None else round(span * v / 100, 1),
                     "text": fmt.percent(v) if v is not None else (
                         SMALL_TEXT if int(r["in_scope"]) else NONE_TEXT)})
    if not any(b["w"] is not None for b in bars):
        return None
    height = top + len(bars) * 28 + 20
    svg = _jinja().get_template("procedure_chart.svg.j2").render(
        id="bieu-do-dung-han", width=left + span + 70, height=height, left=left, bars=bars,
        target_x=round(left + span * target[0] / 100, 1),
        target_label=f"Mục tiêu {fmt.direction_vi(target[1])} {fmt.number(target[0])}%",
        title="Tỷ lệ giải quyết đúng hạn theo quý",
        description=f"Tỷ lệ hồ sơ giải quyết đúng hạn của thủ tục “{name}” trong từng quý, so với mục tiêu chung "
                    f"của Kế hoạch ({fmt.direction_vi(target[1])} {fmt.number(target[0])}%); quý có dưới 5 hồ sơ "
                    "không có cột.")
    return H.Html(svg)


def procedure_page(ctx: SiteContext, row: dict) -> H.Html:
    code = str(row["MaTTHC"])
    me = page_name(code) + ".html"
    t = texts()
    bq = _by_quarter(ctx, code)
    facts = pd.DataFrame([
        {"k": "Mã thủ tục", "v": code},
        {"k": "Lĩnh vực", "v": row["TenLinhVuc"]},
        {"k": "Mức độ dịch vụ công trực tuyến", "v": LEVEL_VI.get(str(row["MucDoDVC"]), str(row["MucDoDVC"]))},
        {"k": "Phí, lệ phí", "v": _fee(row["CoPhiLePhi"])},
        {"k": "Thời hạn giải quyết theo quy định", "v": _deadline(row["SoNgayGiaiQuyet"])},
    ])
    ytd = [(label, value, f"lũy kế đến hết {quarter_label_vi(ctx.latest)}") for label, value, _ in _figures(row)]
    # the figures first: on a phone the first one is above the fold (tests/browser/test_status.py)
    parts = [
        H.link_list([(H.rel(me, LIST_PAGE), "← Danh sách thủ tục (Tra cứu thủ tục)")]),
        H.heading("Kết quả giải quyết từ đầu năm", 2, id="lu-ke"),
        H.kpi_tiles(ytd),
        H.paragraph(t["workdays_rule"]),
        H.table(facts, columns={"k": "Thông tin", "v": "Nội dung"}, formats={"v": "text"},
                caption="Thông tin thủ tục theo danh mục của phường"),
    ]
    if len(bq):
        table = pd.DataFrame([{"quarter": quarter_label_vi(r["quarter"]),
                               **{label: value for label, value, _ in _figures(r)}} for r in bq.to_dict("records")])
        parts += [H.heading("Theo quý", 2, id="theo-quy"),
                  H.table(table, columns={"quarter": "Quý", **{c: c for c in table.columns if c != "quarter"}},
                          formats={c: "text" for c in table.columns}, caption="Kết quả giải quyết theo quý")]
        fig = _quarter_chart(bq, str(row["TenTTHC"]), _on_time_target(ctx))
        if fig is not None:
            parts.append(fig)
    parts.append(H.link_list([
        (portal_url(code), t["portal_label"], t["portal_note"]),
        (H.rel(me, "phuong-phap.html") + "#ngay-lam-viec", "Cách tính ngày làm việc và tỷ lệ"),
    ]))
    return H.section(*parts)


def procedure_pages(ctx: SiteContext) -> list[tuple[str, str, H.Html]]:
    """(site path without .html, title, content) of every procedure page."""
    out = []
    for row in _ytd(ctx).to_dict("records"):
        out.append((page_name(row["MaTTHC"]), str(row["TenTTHC"]), procedure_page(ctx, row)))
    return out


def methodology_workdays(ctx: SiteContext) -> H.Html:
    """The methodology page's section on the per-procedure figures (anchor ``ngay-lam-viec``)."""
    m = texts()["methodology"]
    parts = [H.heading(m["title"], 2, id="ngay-lam-viec")]
    parts += [H.paragraph(p) for p in m["paragraphs"]]
    return H.section(*parts)
