"""What each page shows: one function per page section, returning escaped HTML
fragments (:mod:`cchc.html`) and charts (:mod:`cchc.charts`).

The notebooks in ``notebooks/`` only call these and ``display`` the result.
Quarter pages live at ``<YYYYQn>/<slug>.html``, site pages at ``<slug>.html``;
every link is relative (:func:`cchc.html.rel`), so the site works from disk
and under any prefix.
"""
from __future__ import annotations

import math
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from . import charts, fmt, reads
from . import html as H
from . import pages_status as S
from .context import QuarterContext, SiteContext, load as load_context
from .labels import AREA_NAMES, STATUS_VI
from .pages_revisions import revision_notice
from .periods import parse_quarter, quarter_label_vi

SOURCE_PAGE = {"dossiers": "ho-so", "catalogue": "ho-so", "feedback": "hai-long", "survey": "hai-long",
               "unit_report": "nhiem-vu"}


# --------------------------------------------------------------------------- contexts
def quarter_context(quarter: str, data_dir: str = "../data", plan_dir: str = "../data/plan",
                    context_file: str = "") -> QuarterContext:
    """The context of a quarter page: from the pipeline's file, or computed
    from ``data_dir`` (validated first) when an analyst runs the notebook."""
    if context_file:
        return reads.watch(load_context(context_file), context_file)
    from .build.contexts import contexts_from_data

    return contexts_from_data(Path(data_dir), Path(plan_dir))[1][quarter]


def site_context(data_dir: str = "../data", plan_dir: str = "../data/plan", context_file: str = "") -> SiteContext:
    if context_file:
        return reads.watch(load_context(context_file), context_file)
    from .build.contexts import contexts_from_data

    return contexts_from_data(Path(data_dir), Path(plan_dir))[0]


@lru_cache(maxsize=None)
def methodology_text() -> dict:
    with resources.files("cchc.contract").joinpath("methodology.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# --------------------------------------------------------------------------- small helpers
def _page(quarter: str | None, slug: str) -> str:
    return f"{quarter}/{slug}.html" if quarter else f"{slug}.html"


def _ind(results, tid: str, period: str) -> dict | None:
    df = results.indicators
    rows = df[(df["id"] == tid) & (df["period"] == period)]
    return rows.iloc[0].to_dict() if len(rows) else None


def _val(results, tid: str, period: str) -> float:
    r = _ind(results, tid, period) if results is not None else None
    if r is None or r["value"] is None or pd.isna(r["value"]):
        return math.nan
    return float(r["value"])


def _bd(results, name: str, period: str | None = None) -> pd.DataFrame:
    df = results.breakdowns.get(name, pd.DataFrame())
    if period is not None and "period" in df.columns:
        df = df[df["period"] == period]
    return df.reset_index(drop=True)


def _one(df: pd.DataFrame) -> dict:
    return df.iloc[0].to_dict() if len(df) else {}


def _int(x) -> int:
    return 0 if x is None or pd.isna(x) else int(x)


def _targets(plan, source: str | None = None, headline: bool | None = None) -> pd.DataFrame:
    t = plan.targets
    if source is not None:
        t = t[t["source"] == source]
    if headline is not None:
        t = t[t["headline"].astype(int) == int(headline)]
    return t


def _indicator_table(results, targets: pd.DataFrame, caption: str, page: str, n: int | None = None) -> H.Html:
    """Quarter and year-to-date value of each target, with status on the year-to-date value."""
    rows = []
    for t in targets.to_dict("records"):
        q, y = _ind(results, t["id"], "quarter"), _ind(results, t["id"], "ytd")
        if q is None or y is None:
            continue
        rows.append({
            "name": t["name_vi"],
            "quarter": q["value"], "q_num": q["numerator"], "q_den": q["denominator"],
            "ytd": fmt.percent_vs_target(y["value"], y["target"], y["direction"]),
            "target": f"{fmt.direction_vi(t['direction'])} {fmt.number(t['target'], 0)}%",
            "status": fmt.judgement_vi(y["judgement"] if isinstance(y["judgement"], str) else "no_data"),
        })
    df = pd.DataFrame(rows, columns=["name", "quarter", "q_num", "q_den", "ytd", "target", "status"])
    qp = S.quarter_phrase(results)
    return H.table(df, columns={"name": "Chỉ tiêu", "quarter": f"Trong {qp}", "q_num": f"Tử số ({qp})",
                                "q_den": f"Mẫu số ({qp})", "ytd": S.ytd_span(results).capitalize(),
                                "target": "Mục tiêu năm", "status": "Đánh giá chỉ tiêu năm"},
                   formats={"quarter": "pct", "ytd": "text", "q_num": "int", "q_den": "int"}, caption=caption, n=n)


# --------------------------------------------------------------------------- quarter pages
def quarter_header(ctx: QuarterContext, slug: str) -> H.Html:
    m = ctx.manifest
    pages = [(p["slug"], p.get("nav", p["slug"])) for p in ctx.quarter_pages]
    return H.section(
        H.provenance(m.exported_at, "provisional" if m.cutoff else "final", m.cutoff, ctx.commit,
                     plan_note=getattr(ctx, "plan_note", "")),
        H.quarter_nav(ctx.quarter, pages, slug, ctx.quarters, quarter_label=quarter_label_vi),
        S.provisional_note(m),
        revision_notice(ctx, slug),
    )


def _card_hrefs(plan, page: str, quarter: str) -> dict[str, str]:
    return {t["id"]: H.rel(page, _page(quarter, SOURCE_PAGE.get(t["source"], "index")))
            for t in plan.targets.to_dict("records")}


def overview_summary(ctx: QuarterContext) -> H.Html:
    """The opening of the quarter overview: two key figures of the quarter,
    then the staff's summary (nhan_xet.md, section tom_tat)."""
    v = _volumes(ctx.results)
    qp = S.quarter_phrase(ctx.results)
    return H.section(
        H.kpi_tiles([
            ("Hồ sơ giải quyết đúng hạn", fmt.percent(_val(ctx.results, "on_time", "quarter")), f"trong {qp}"),
            ("Hồ sơ tiếp nhận", v["received"], f"trong {qp}"),
        ]),
        S.commentary_summary(getattr(ctx, "commentary", None), ctx.quarter),
    )


def overview_scorecard(ctx: QuarterContext) -> H.Html:
    page = _page(ctx.quarter, "index")
    targets = _targets(ctx.plan, headline=True)
    return H.section(
        H.heading("Các chỉ tiêu chính của Kế hoạch", 2, id="chi-tieu-chinh"),
        H.paragraph(" ".join(x for x in (S.judgement_summary(ctx.results, targets),
                                         S.open_year_note(ctx.results)) if x)),
        S.status_cards(ctx.results, ctx.previous, targets, _card_hrefs(ctx.plan, page, ctx.quarter)),
    )


def _volumes(results) -> dict:
    ch = _bd(results, "by_channel", "quarter")
    otc = _one(_bd(results, "on_time_counts", "quarter"))
    return {
        "received": _int(ch["received"].sum()) if len(ch) else 0,
        "finished": _int(otc.get("finished_on_time")) + _int(otc.get("finished_late")),
        "in_progress": _int(otc.get("in_progress_within_deadline")) + _int(otc.get("in_progress_overdue")),
        "online": _val(results, "online_dossiers", "quarter"),
    }


def overview_volumes(ctx: QuarterContext) -> H.Html:
    v = _volumes(ctx.results)
    ytd = _bd(ctx.results, "by_channel", "ytd")
    return H.section(
        H.heading("Hồ sơ trong quý", 2, id="ho-so-trong-quy"),
        H.kpi_tiles([
            ("Hồ sơ tiếp nhận", v["received"], "trong quý"),
            ("Hồ sơ đã giải quyết xong", v["finished"], "trong quý (kể cả hồ sơ nhận từ quý trước)"),
            ("Hồ sơ đang giải quyết", v["in_progress"], "tại cuối kỳ"),
            ("Nộp trực tuyến", fmt.percent(v["online"]), "trên tổng số hồ sơ tiếp nhận"),
            ("Tiếp nhận từ đầu năm", _int(ytd["received"].sum()) if len(ytd) else 0, "lũy kế năm"),
        ]),
    )


def overview_areas(ctx: QuarterContext) -> H.Html:
    page = _page(ctx.quarter, "index")
    desc = {
        "ho-so": "Giải quyết đúng hạn, nộp và thanh toán trực tuyến, số hóa — theo lĩnh vực, thủ tục, tháng.",
        "nhiem-vu": "Tiến độ 63 hoạt động của Kế hoạch theo lĩnh vực I–VII và theo đơn vị chủ trì.",
        "hai-long": "Khảo sát mức độ hài lòng và xử lý phản ánh, kiến nghị.",
        "chat-luong": "Kết quả kiểm tra dữ liệu đầu vào của quý.",
    }
    items = [(H.rel(page, _page(ctx.quarter, p["slug"])), p.get("nav", p["slug"]), desc.get(p["slug"], ""))
             for p in ctx.quarter_pages if p["slug"] != "index"]
    items += [(H.rel(page, "xu-huong.html"), "Xu hướng qua các quý", "Mọi chỉ tiêu qua các quý, với mục tiêu."),
              (H.rel(page, "phuong-phap.html"), "Phương pháp tính", "Định nghĩa, công thức, nguồn số liệu."),
              (H.rel(page, "du-lieu-mo.html"), "Dữ liệu mở", "Tải về số liệu tổng hợp (CSV, JSON).")]
    return H.section(H.heading("Xem chi tiết", 2, id="xem-chi-tiet"), H.link_list(items))


def estimate_766(ctx: QuarterContext) -> H.Html:
    m = methodology_text()["estimate_766"]
    df = ctx.results.estimate_766.copy()
    if "ratio" in df:
        df["ratio"] = df["ratio"] * 100
    return H.section(
        H.heading("Ước tính điểm Bộ chỉ số 766 (không chính thức)", 2, id="uoc-tinh-766"),
        H.note(m["caveat"], kind="warning"),
        H.table(df, columns={"group": "Nhóm chỉ số", "weight": "Trọng số", "ratio": "Tỷ lệ (%)",
                             "score": "Điểm ước tính", "basis": "Cách tính"},
                formats={"weight": "int", "ratio": "dec1", "score": "dec1", "basis": "text"},
                caption="Ước tính điểm theo nhóm, lũy kế năm"),
        H.link_list([(H.rel(_page(ctx.quarter, "index"), "phuong-phap.html") + "#uoc-tinh-766",
                      "Phương pháp ước tính và lưu ý")]),
    )


def dossier_summary(ctx: QuarterContext) -> H.Html:
    otc = _one(_bd(ctx.results, "on_time_counts", "quarter"))
    dossier_targets = _targets(ctx.plan, "dossiers")
    return H.section(
        H.heading("Giải quyết hồ sơ đúng hạn", 2, id="dung-han"),
        H.kpi_tiles([
            ("Hồ sơ trong phạm vi tính đúng hạn", _int(otc.get("in_scope")), "trong quý"),
            ("Đã giải quyết trước hạn, đúng hạn", _int(otc.get("finished_on_time")), ""),
            ("Đã giải quyết trễ hạn", _int(otc.get("finished_late")), ""),
            ("Đang giải quyết, còn hạn", _int(otc.get("in_progress_within_deadline")), "tại cuối kỳ"),
            ("Đang giải quyết, quá hạn", _int(otc.get("in_progress_overdue")), "tại cuối kỳ"),
        ]),
        H.heading("Các chỉ tiêu về hồ sơ", 2, id="chi-tieu-ho-so"),
        _indicator_table(ctx.results, dossier_targets, "Chỉ tiêu tính từ hồ sơ: quý và lũy kế năm",
                         _page(ctx.quarter, "ho-so")),
    )


def dossier_by_month(ctx: QuarterContext) -> H.Html:
    bm = _bd(ctx.results, "by_month")
    rows = []
    for r in bm.to_dict("records"):
        online = _int(r.get("online"))
        rows.append({"month": r["month"], "channel": "Trực tuyến", "count": online})
        rows.append({"month": r["month"], "channel": "Trực tiếp, bưu chính", "count": _int(r["received"]) - online})
    df = pd.DataFrame(rows, columns=["month", "channel", "count"])
    fig = charts.monthly_volume(df, title="Hồ sơ tiếp nhận theo tháng", cutoff=ctx.manifest.cutoff,
                                description="Số hồ sơ tiếp nhận mỗi tháng từ đầu năm, chia theo nộp trực tuyến "
                                            "và nộp trực tiếp hoặc qua bưu chính.")
    return H.section(H.heading("Theo tháng", 2, id="theo-thang"), fig)


def dossier_by_channel(ctx: QuarterContext) -> H.Html:
    ch = _bd(ctx.results, "by_channel", "quarter")
    return H.section(
        H.heading("Theo hình thức nộp", 2, id="theo-kenh"),
        H.table(ch, columns={"TenKenh": "Hình thức nộp", "received": "Hồ sơ tiếp nhận", "share": "Tỷ trọng (%)",
                             "in_scope": "Trong phạm vi đúng hạn", "late": "Trễ hạn",
                             "on_time_value": "Đúng hạn (%)"},
                formats={"received": "int", "share": "pct", "in_scope": "int", "late": "int", "on_time_value": "pct"},
                caption="Hồ sơ theo hình thức nộp trong quý"),
    )


def dossier_by_domain(ctx: QuarterContext) -> H.Html:
    bd = _bd(ctx.results, "by_domain", "quarter")
    bd = bd[bd["in_scope"] > 0] if len(bd) else bd
    target = _targets(ctx.plan).set_index("id").loc["on_time", "target"] if "on_time" in set(ctx.plan.targets["id"]) else None
    fig = charts.bar_by_category(bd, category="TenLinhVuc", value="on_time_value", target=target, count="in_scope",
                                 title="Tỷ lệ giải quyết đúng hạn theo lĩnh vực",
                                 description="Tỷ lệ hồ sơ giải quyết đúng hạn trong quý của từng lĩnh vực, so với "
                                             "mục tiêu của Kế hoạch.")
    return H.section(
        H.heading("Theo lĩnh vực", 2, id="theo-linh-vuc"), fig,
        H.table(bd, columns={"TenLinhVuc": "Lĩnh vực", "received": "Tiếp nhận", "online_value": "Trực tuyến (%)",
                             "in_scope": "Trong phạm vi đúng hạn", "late": "Trễ hạn", "on_time_value": "Đúng hạn (%)"},
                formats={"received": "int", "online_value": "pct", "in_scope": "int", "late": "int",
                         "on_time_value": "pct"},
                caption="Hồ sơ theo lĩnh vực trong quý"),
    )


def dossier_procedures(ctx: QuarterContext, top: int = 10) -> H.Html:
    bp = _bd(ctx.results, "by_procedure", "quarter")
    cols = {"TenTTHC": "Thủ tục", "TenLinhVuc": "Lĩnh vực", "in_scope": "Trong phạm vi", "late": "Trễ hạn",
            "on_time_value": "Đúng hạn (%)", "processing_days_mean": "Số ngày giải quyết bình quân",
            "dossiers_with_supplements": "Hồ sơ phải bổ sung"}
    formats = {"in_scope": "int", "late": "int", "on_time_value": "pct", "processing_days_mean": "dec1",
               "dossiers_with_supplements": "int"}
    most_late = bp[bp["late"] > 0].sort_values(["late", "TenTTHC"], ascending=[False, True]).head(top)
    slowest = bp[bp["processing_days_mean"].notna()].sort_values(
        ["processing_days_mean", "TenTTHC"], ascending=[False, True]).head(top)
    late_part = (H.table(most_late, columns=cols, formats=formats, caption=f"Các thủ tục có nhiều hồ sơ trễ hạn nhất")
                 if len(most_late) else H.paragraph("Không có hồ sơ trễ hạn trong quý."))
    return H.section(
        H.heading("Theo thủ tục", 2, id="theo-thu-tuc"),
        late_part,
        H.table(slowest, columns=cols, formats=formats,
                caption=f"Các thủ tục có thời gian giải quyết bình quân dài nhất (ngày theo lịch)"),
    )


def catalogue(ctx: QuarterContext) -> H.Html:
    return H.section(
        H.heading("Danh mục thủ tục hành chính", 2, id="danh-muc"),
        _indicator_table(ctx.results, _targets(ctx.plan, "catalogue"), "Chỉ tiêu tính từ danh mục TTHC của quý",
                         _page(ctx.quarter, "ho-so"), n=2),
    )


def tasks_summary(ctx: QuarterContext) -> H.Html:
    tasks = _bd(ctx.results, "tasks")
    counts = tasks["status"].value_counts() if len(tasks) else pd.Series(dtype=int)
    return H.section(
        H.heading("Tổng hợp", 2, id="tong-hop"),
        H.kpi_tiles([("Hoạt động trong Phụ lục", len(tasks), "")] + [
            (STATUS_VI[s], _int(counts.get(s, 0)), "") for s in STATUS_VI]),
    )


def _progress(df: pd.DataFrame, group: str, label: str, title: str, description: str, caption: str) -> H.Html:
    long = df.melt(id_vars=[group], value_vars=list(STATUS_VI), var_name="status", value_name="count")
    long = long.rename(columns={group: "group"})
    fig = charts.progress_by_group(long, title=title, description=description)
    table = df.assign(share_completed=df["share_completed"] * (100 if df["share_completed"].max() <= 1 else 1))
    return H.section(fig, H.table(table, columns={group: label, "total": "Số hoạt động",
                                                  **{s: STATUS_VI[s] for s in STATUS_VI},
                                                  "share_completed": "Hoàn thành (%)"},
                                  formats={"total": "int", **{s: "int" for s in STATUS_VI},
                                           "share_completed": "pct"}, caption=caption))


def tasks_by_area(ctx: QuarterContext) -> H.Html:
    df = _bd(ctx.results, "tasks_by_area").copy()
    df["area_label"] = df["area"].astype(str) + ". " + df["area"].map(AREA_NAMES).fillna("")
    return H.section(
        H.heading("Theo lĩnh vực của Kế hoạch (I–VII)", 2, id="theo-linh-vuc-ke-hoach"),
        _progress(df, "area_label", "Lĩnh vực", "Tiến độ hoạt động theo lĩnh vực",
                  "Số hoạt động của mỗi lĩnh vực I–VII theo trạng thái báo cáo trong quý.",
                  "Tiến độ theo lĩnh vực"),
    )


def tasks_by_unit(ctx: QuarterContext) -> H.Html:
    df = _bd(ctx.results, "tasks_by_unit")
    return H.section(
        H.heading("Theo đơn vị chủ trì", 2, id="theo-don-vi"),
        _progress(df, "lead_unit", "Đơn vị chủ trì", "Tiến độ hoạt động theo đơn vị chủ trì",
                  "Số hoạt động do mỗi đơn vị chủ trì theo trạng thái báo cáo trong quý.",
                  "Tiến độ theo đơn vị chủ trì"),
    )


def unit_reports(ctx: QuarterContext) -> H.Html:
    ur = _bd(ctx.results, "unit_reports").copy()
    ur["reported_vi"] = ur["reported"].map({True: "Đã báo cáo", False: "Chưa báo cáo"})
    return H.section(
        H.heading("Chỉ tiêu do đơn vị báo cáo", 2, id="don-vi-bao-cao"),
        _indicator_table(ctx.results, _targets(ctx.plan, "unit_report"), "Chỉ tiêu do đơn vị báo cáo: quý và lũy kế",
                         _page(ctx.quarter, "nhiem-vu")),
        H.table(ur, columns={"name_vi": "Chỉ tiêu", "reported_vi": "Tình trạng", "TuSo": "Tử số", "MauSo": "Mẫu số",
                             "DonViBaoCao": "Đơn vị báo cáo", "MinhChung": "Văn bản minh chứng"},
                formats={"TuSo": "int", "MauSo": "int", "DonViBaoCao": "text", "MinhChung": "text"},
                caption="Số liệu và văn bản minh chứng của các đơn vị", n=2),
    )


def survey(ctx: QuarterContext) -> H.Html:
    sf = _bd(ctx.results, "survey_factors", "quarter").copy()
    target = float(ctx.plan.targets.set_index("id").loc["satisfaction", "target"])
    shown = sf[~sf["suppressed"].astype(bool)]
    sf["value_text"] = [("< 5 phiếu" if s else fmt.percent(v)) for s, v in zip(sf["suppressed"], sf["value"])]
    qp = S.quarter_phrase(ctx.results)
    parts = [H.heading("Khảo sát mức độ hài lòng", 2, id="khao-sat"),
             H.kpi_tiles([
                 ("Người dân, tổ chức hài lòng", fmt.percent(_val(ctx.results, "satisfaction", "quarter")),
                  f"trong {qp}"),
                 ("Phiếu khảo sát", _int(_ind(ctx.results, "satisfaction", "quarter")["denominator"])
                  if _ind(ctx.results, "satisfaction", "quarter") else 0, f"trong {qp}"),
             ]),
             _indicator_table(ctx.results, _targets(ctx.plan, "survey"), "Mức độ hài lòng chung: quý và lũy kế",
                              _page(ctx.quarter, "hai-long"))]
    if len(shown):
        parts.append(charts.bar_by_category(shown, category="label_vi", value="value", target=target, count="n",
                                            title="Tỷ lệ hài lòng theo yếu tố SIPAS",
                                            description="Tỷ lệ phiếu chấm 4 hoặc 5 điểm cho từng yếu tố trong quý; "
                                                        "yếu tố có dưới 5 phiếu không được công bố."))
    parts.append(H.table(sf, columns={"label_vi": "Yếu tố", "n": "Số phiếu", "value_text": "Hài lòng"},
                         formats={"n": "int", "value_text": "text"}, caption="Hài lòng theo yếu tố (quý)"))
    parts.append(_suppressed_note(ctx, "survey"))
    return H.section(*parts)


def _suppressed_note(ctx: QuarterContext, source: str) -> H.Html | None:
    """Says why a figure is blank when a small group was suppressed (cchc/suppression.py)."""
    ind = ctx.results.indicators
    ids = set(_targets(ctx.plan, source)["id"])
    if not (ind["id"].isin(ids) & (ind["status"] == "suppressed")).any():
        return None
    return H.note(methodology_text()["suppression"]["page_note"])


def feedback(ctx: QuarterContext) -> H.Html:
    fb = _bd(ctx.results, "feedback").copy()
    fb["period_vi"] = fb["period"].map({"quarter": "Quý", "ytd": "Lũy kế năm"})
    return H.section(
        H.heading("Phản ánh, kiến nghị (PAKN)", 2, id="pakn"),
        _indicator_table(ctx.results, _targets(ctx.plan, "feedback"), "Xử lý PAKN đúng hạn: quý và lũy kế",
                         _page(ctx.quarter, "hai-long"), n=2),
        H.table(fb, columns={"period_vi": "Kỳ", "received": "Tiếp nhận", "in_scope": "Trong phạm vi",
                             "on_time": "Đúng hạn", "late": "Trễ hạn", "resolved": "Đã xử lý",
                             "unresolved": "Chưa xử lý", "satisfied_value": "Người phản ánh hài lòng (%)"},
                formats={c: "int" for c in ("received", "in_scope", "on_time", "late", "resolved", "unresolved")}
                | {"satisfied_value": "pct"}, caption="Phản ánh, kiến nghị"),
        _suppressed_note(ctx, "feedback"),
    )


def quality(ctx: QuarterContext) -> H.Html:
    """Great Expectations' results as part of the transparency: rows checked,
    checks passed, warnings with counts, in plain language, and the link to the
    full machine-readable result."""
    page = _page(ctx.quarter, "chat-luong")
    qs = ctx.quality
    files = pd.DataFrame(qs.get("files", []),
                         columns=["file", "label_vi", "rows_checked", "checks_evaluated", "checks_passed"])
    warns = pd.DataFrame(qs.get("warnings", []))
    warn_rows = (pd.DataFrame({"text": warns.get("text_vi", pd.Series(dtype=str)),
                               "rule": warns.get("rule_vi", pd.Series(dtype=str)),
                               "count": warns.get("count", pd.Series(dtype="Int64"))})
                 if len(warns) else pd.DataFrame(columns=["text", "rule", "count"]))
    tiles = H.kpi_tiles([
        ("Dòng dữ liệu đã kiểm tra", qs.get("rows_checked", 0), "tất cả các tệp"),
        ("Phép kiểm tra đạt", f"{fmt.number(qs.get('checks_passed', 0))}/"
                              f"{fmt.number(qs.get('checks_evaluated', 0))}", ""),
        ("Cảnh báo", qs.get("warnings_count", 0), "được công bố bên dưới"),
        ("Lỗi", qs.get("errors", 0), "quý chỉ được công bố khi không có lỗi"),
    ])
    parts = [
        H.heading("Kết quả kiểm tra dữ liệu đầu vào", 2, id="ket-qua-kiem-tra"),
        tiles,
        H.paragraph("Trước khi tính bất kỳ chỉ tiêu nào, mọi tệp dữ liệu của quý được kiểm tra tự động bằng "
                    "Great Expectations theo hợp đồng dữ liệu: đủ cột bắt buộc, đúng kiểu, ngày đọc được, giá trị "
                    "hợp lệ, mã không trùng, thứ tự ngày, khoảng thời gian hợp lý và liên kết giữa các tệp. Lỗi làm "
                    "quý không được công bố; cảnh báo được công bố ở đây."),
        H.table(files, columns={"label_vi": "Tệp", "file": "Tên tệp", "rows_checked": "Số dòng",
                                "checks_evaluated": "Phép kiểm tra", "checks_passed": "Đạt"},
                formats={"file": "text", "rows_checked": "int", "checks_evaluated": "int", "checks_passed": "int"},
                caption="Kiểm tra theo từng tệp"),
        H.heading("Cảnh báo", 2, id="canh-bao"),
        (H.table(warn_rows, columns={"text": "Cảnh báo", "count": "Số dòng"}, formats={"text": "text", "count": "int"},
                 caption="Cảnh báo dữ liệu của quý", row_header=False)
         if len(warn_rows) else H.paragraph("Không có cảnh báo.")),
        H.link_list([(H.rel(page, f"data/{ctx.quarter}/validation.json"),
                      "Kết quả kiểm tra đầy đủ (JSON, Great Expectations)",
                      "Kết quả máy đọc được của từng phép kiểm tra: chỉ có số đếm, không có giá trị từng dòng."),
                     (H.rel(page, f"data/{ctx.quarter}/data_quality.csv"), "Bảng chất lượng dữ liệu (CSV)")]),
    ]
    parts.append(S.missing_explanations(ctx.results))
    warnings = _bd(ctx.results, "warnings")
    if len(warnings):
        parts.append(H.heading("Lưu ý khi tính chỉ tiêu", 2, id="luu-y-tinh"))
        parts.append(H.table(warnings, columns={"message_vi": "Nội dung"}, formats={"message_vi": "text"},
                             caption="Lưu ý phát sinh khi tính chỉ tiêu", row_header=False))
    return H.section(*parts)


# --------------------------------------------------------------------------- site pages
def home_intro(ctx: SiteContext) -> H.Html:
    q = ctx.latest
    m = ctx.manifests[q]
    parts = [H.provenance(m.exported_at, "provisional" if m.cutoff else "final", m.cutoff, ctx.commit,
                          plan_note=getattr(ctx, "plan_note", "")),
             S.provisional_note(m)]
    for fq, why in sorted(ctx.failed.items()):
        parts.append(H.note(f"{quarter_label_vi(fq)} chưa được công bố vì dữ liệu chưa đạt kiểm tra: {why}",
                            kind="warning"))
    return H.section(*parts)


def home_scorecard(ctx: SiteContext) -> H.Html:
    q = ctx.latest
    i = ctx.quarters.index(q)
    prev = ctx.results[ctx.quarters[i - 1]] if i > 0 else None
    res = ctx.results[q]
    targets = _targets(ctx.plan, headline=True)
    return H.section(
        H.heading("Các chỉ tiêu chính năm 2026", 2, id="chi-tieu-chinh"),
        H.paragraph(S.judgement_summary(res, targets)),
        S.status_cards(res, prev, targets, _card_hrefs(ctx.plan, "index.html", q)),
        H.paragraph(" ".join(x for x in (
            "Kết quả thực hiện Kế hoạch cải cách hành chính (CCHC) năm 2026 của UBND phường Chơn Thành. Mỗi chỉ "
            "tiêu chưa đạt hoặc cần cố gắng có kèm nguyên nhân và giải pháp của phường.", S.open_year_note(res)) if x)),
    )


def home_contact(ctx: SiteContext) -> H.Html | None:
    return S.contact_block(getattr(ctx, "contact", None))


def home_volumes(ctx: SiteContext) -> H.Html:
    q = ctx.latest
    v = _volumes(ctx.results[q])
    ytd = _bd(ctx.results[q], "by_channel", "ytd")
    otc = _one(_bd(ctx.results[q], "on_time_counts", "ytd"))
    return H.section(
        H.heading("Hồ sơ tiếp nhận và giải quyết", 2, id="ho-so"),
        H.kpi_tiles([
            (f"Tiếp nhận trong {quarter_label_vi(q)}", v["received"], ""),
            (f"Giải quyết xong trong {quarter_label_vi(q)}", v["finished"], ""),
            ("Tiếp nhận từ đầu năm", _int(ytd["received"].sum()) if len(ytd) else 0, "lũy kế"),
            ("Giải quyết xong từ đầu năm",
             _int(otc.get("finished_on_time")) + _int(otc.get("finished_late")), "lũy kế"),
        ]),
    )


def home_links(ctx: SiteContext) -> H.Html:
    q = ctx.latest
    items = [(H.rel("index.html", _page(q, p["slug"])), f"{p.get('nav', p['slug'])} — {quarter_label_vi(q)}")
             for p in ctx.quarter_pages]
    quarters = [(H.rel("index.html", _page(x, "index")), quarter_label_vi(x)) for x in reversed(ctx.quarters)]
    return H.section(
        H.heading("Từng lĩnh vực", 2, id="linh-vuc"), H.link_list(items),
        H.heading("Các quý đã công bố", 2, id="cac-quy"), H.link_list(quarters),
    )


def trends_intro(ctx: SiteContext) -> H.Html:
    return H.paragraph("Giá trị của từng quý (không cộng dồn) và đường mục tiêu năm 2026 của Kế hoạch. "
                       "Các chỉ tiêu chính có biểu đồ; mọi chỉ tiêu có bảng số liệu đầy đủ bên dưới.")


def _partial(ctx: SiteContext) -> dict[str, str]:
    """quarter -> " (đến 20/11)" for the quarters cut off before their end."""
    return {q: S.partial_suffix(ctx.results[q]) for q in ctx.quarters if S.partial_suffix(ctx.results[q])}


def _trend_figure(tq: pd.DataFrame, t: dict, partial: dict | None = None, wide: bool = True):
    d = tq[tq["id"] == t["id"]][["quarter", "value", "target"]]
    return charts.indicator_trend(
        d, title=t["name_vi"], direction=t["direction"], partial=partial, wide=wide,
        description=f"Giá trị từng quý của chỉ tiêu “{t['name_vi']}”, mục tiêu năm "
                    f"{fmt.direction_vi(t['direction'])} {fmt.number(t['target'])}%.")


def _quarter_trend(ctx: SiteContext) -> pd.DataFrame:
    from .indicators import trend

    tr = trend(ctx.results)
    return tr[tr["period"] == "quarter"]


def trends_detail(ctx: SiteContext) -> H.Html:
    """Every other indicator across quarters, with its target line, by area of the plan."""
    tq = _quarter_trend(ctx)
    others = _targets(ctx.plan, headline=False)
    parts = [H.paragraph("Các chỉ tiêu còn lại của Kế hoạch (tính từ danh mục thủ tục và từ báo cáo của các đơn vị), "
                         "giá trị từng quý và đường mục tiêu năm 2026. Chỉ tiêu chưa có báo cáo trong một quý "
                         "không có điểm ở quý đó."),
             H.link_list([("xu-huong.html", "Xu hướng các chỉ tiêu chính")])]
    for area in dict.fromkeys(others["area"]):
        parts.append(H.heading(f"{area}. {AREA_NAMES.get(str(area), '')}", 2, id=f"linh-vuc-{str(area).lower()}"))
        figs = [_trend_figure(tq, t, _partial(ctx), wide=False)
                for t in others[others["area"] == area].to_dict("records")]
        parts.append(H.section(*figs, cls="c-figure-grid"))
    return H.section(*parts)


def trends(ctx: SiteContext) -> H.Html:
    tq = _quarter_trend(ctx)
    parts = [H.heading("Các chỉ tiêu chính", 2, id="chi-tieu-chinh")]
    parts += [_trend_figure(tq, t, _partial(ctx)) for t in _targets(ctx.plan, headline=True).to_dict("records")]
    parts.append(H.link_list([("xu-huong-chi-tiet.html", "Biểu đồ xu hướng của các chỉ tiêu còn lại",
                               "Chỉ tiêu từ danh mục thủ tục và từ báo cáo của các đơn vị, theo lĩnh vực.")]))
    # a quarter whose values are all blank (no data, or suppressed) keeps its column
    wide = tq.pivot_table(index="id", columns="quarter", values="value", aggfunc="first", dropna=False) \
        .reindex(columns=ctx.quarters)
    others = ctx.plan.targets[["id", "area", "name_vi", "target", "direction"]].merge(
        wide, left_on="id", right_index=True, how="left")
    others["target_text"] = [f"{fmt.direction_vi(d)} {fmt.number(t)}%" for d, t in
                             zip(others["direction"], others["target"])]
    cols = {"name_vi": "Chỉ tiêu", "area": "Lĩnh vực", "target_text": "Mục tiêu"}
    cols |= {q: quarter_label_vi(q) + _partial(ctx).get(q, "") for q in ctx.quarters}
    parts += [H.heading("Mọi chỉ tiêu qua các quý", 2, id="moi-chi-tieu"),
              H.table(others, columns=cols, formats={q: "pct" for q in ctx.quarters} | {"area": "text"},
                      caption="Giá trị từng quý của mọi chỉ tiêu (%)")]
    return H.section(*parts)


def methodology(ctx: SiteContext) -> H.Html:
    m = methodology_text()
    parts = [H.heading("Các lựa chọn về phương pháp", 2, id="lua-chon")]
    for c in m["choices"]:
        parts.append(H.heading(c["title"], 3))
        parts.append(H.paragraph(c["text"]))
    parts.append(H.heading("Từng chỉ tiêu", 2, id="tung-chi-tieu"))
    for t in ctx.plan.targets.to_dict("records"):
        formula = m["formulas"].get(t["id"]) or m["formulas"].get(t["source"], "")
        parts.append(H.heading(f"{t['name_vi']} ({t['id']})", 3, id=f"ct-{t['id']}"))
        parts.append(H.table(pd.DataFrame([
            {"k": "Lĩnh vực của Kế hoạch", "v": f"{t['area']}. {AREA_NAMES.get(t['area'], '')}"},
            {"k": "Mục tiêu năm 2026", "v": f"{fmt.direction_vi(t['direction'])} {fmt.number(t['target'])}%"},
            {"k": "Cách tính", "v": formula},
            {"k": "Nguồn số liệu", "v": m["sources"].get(t["source"], t["source"])
             + (f" — mã chỉ tiêu trong tệp bao_cao: {t['measure']}" if t["source"] == "unit_report" else "")},
            {"k": "Câu trong Kế hoạch", "v": f"“{t['plan_sentence']}” ({t['plan_ref']})"},
            {"k": "Ghi chú", "v": t.get("note") or ""},
        ]), columns={"k": "Mục", "v": "Nội dung"}, formats={"v": "text"}, caption=f"Chỉ tiêu {t['id']}"))
    if ctx.latest:
        parts.insert(0, S.on_track_method(ctx.results[ctx.latest], m["on_track"]))
    s = m["suppression"]
    parts += [H.heading(s["title"], 2, id="nhom-duoi-5"), H.paragraph(s["text"])]
    e = m["estimate_766"]
    parts += [H.heading(e["title"], 2, id="uoc-tinh-766"), H.paragraph(e["text"]), H.note(e["caveat"], "warning")]
    return H.section(*parts)


def open_data(ctx: SiteContext) -> H.Html:
    from . import opendata

    parts = [H.paragraph("Mọi tệp là số liệu tổng hợp (không có hồ sơ, phản ánh hay phiếu khảo sát riêng lẻ nào). "
                         "Tệp CSV mã hóa UTF-8 có BOM để mở đúng tiếng Việt bằng Excel. Mô tả đầy đủ theo chuẩn "
                         "Frictionless Data Package: "),
             H.link_list([("data/datapackage.json", "datapackage.json — mô tả mọi tệp tải về"),
                          ("data/revisions.csv", "revisions.csv — lịch sử điều chỉnh số liệu đã công bố"),
                          ("lich-su-dieu-chinh.html", "Lịch sử điều chỉnh số liệu (trang)")])]
    for q in reversed(ctx.quarters):
        with tempfile.TemporaryDirectory() as d:
            res = opendata.write_quarter_downloads(ctx.results[q], Path(d))
            res += opendata.write_validation_download(q, ctx.quality[q], Path(d))
        parts.append(H.heading(quarter_label_vi(q), 2, id=f"tai-ve-{q}"))
        parts.append(H.link_list([(f"data/{r.path}", r.path.split("/")[-1], r.title_vi) for r in res]))
    return H.section(*parts)
