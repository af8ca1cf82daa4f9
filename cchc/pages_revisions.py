"""The page "Lịch sử điều chỉnh số liệu" (``lich-su-dieu-chinh.html``) and
the "đã điều chỉnh" notice of an affected quarter's pages (cchc/revisions.py
computes what they show and writes ``data/revisions.csv``)."""
from __future__ import annotations

import pandas as pd

from . import fmt
from . import html as H
from .context import QuarterContext, SiteContext
from .periods import quarter_label_vi, sort_quarters
from .revisions import REVISION_COLUMNS

SLUG = "lich-su-dieu-chinh"
TITLE = "Lịch sử điều chỉnh số liệu"
PERIOD_VI = {"quarter": "Riêng quý", "ytd": "Lũy kế năm"}
KIND_VI = {"correction": "Sửa số liệu đã công bố", "update": "Cập nhật tiến độ"}
TABLE_VI = {"ho_so": "Hồ sơ (ho_so)", "bo_sung": "Yêu cầu bổ sung (bo_sung)", "phan_anh": "Phản ánh, kiến nghị "
            "(phan_anh)", "khao_sat": "Phiếu khảo sát (khao_sat)"}
def _has(df) -> bool:
    return df is not None and len(df) > 0


def revision_notice(ctx: QuarterContext, slug: str) -> H.Html | None:
    """"Số liệu của quý đã điều chỉnh", with a link to the history page."""
    df = getattr(ctx, "revisions", None)
    if not _has(df):
        return None
    href = H.rel(f"{ctx.quarter}/{slug}.html", f"{SLUG}.html") + f"#dieu-chinh-{ctx.quarter.lower()}"
    # one short note (the key figures stay above the fold on a phone): what changed is on the history page
    link = H.Html(f'<a href="{H._attr(H.safe_href(href))}">{H.text(TITLE)}</a>')
    words = f"{len(df)} số liệu của quý này đã điều chỉnh theo dữ liệu quý sau, xem "
    body = H.Html(f"{H.text(words)}{link}.")
    return H.section(H.note(body, kind="warning"), cls="c-revised")


def _figure_text(v, num, den) -> str:
    if v is None or pd.isna(v):
        return "Không có / không công bố"
    n = "" if num is None or pd.isna(num) else fmt.number(int(num), 0)
    d = "" if den is None or pd.isna(den) else fmt.number(int(den), 0)
    return f"{fmt.percent(v)} ({n}/{d})" if n and d else fmt.percent(v)


def revisions_page(ctx: SiteContext) -> H.Html:
    df = ctx.revisions if _has(getattr(ctx, "revisions", None)) else pd.DataFrame(columns=REVISION_COLUMNS)
    names = dict(zip(ctx.plan.targets["id"].astype(str), ctx.plan.targets["name_vi"].astype(str)))
    parts = [H.paragraph(
        "Khi tệp dữ liệu của một quý sau có lại một hồ sơ, phản ánh, kiến nghị hay phiếu khảo sát mà quý trước đã "
        "công bố, với ngày, trạng thái hoặc thông tin khác đi, trang dùng dòng mới nhất cho mọi kỳ, kể cả các quý "
        "trước. Mỗi số liệu đã công bố mà vì thế thay đổi được ghi lại dưới đây, với giá trị cũ, giá trị mới và lý "
        "do. Giá trị cũ là số liệu của lần công bố trước (nếu có), nếu không là số liệu tính từ tệp của chính quý "
        "đó."),
        H.link_list([("data/revisions.csv", "revisions.csv", "toàn bộ lịch sử điều chỉnh (CSV)")])]
    if not len(df):
        parts.append(H.note("Chưa có số liệu nào đã công bố bị điều chỉnh."))
    for q in reversed(sort_quarters(set(df["quarter"].astype(str)))):
        d = df[df["quarter"] == q]
        rows = pd.DataFrame({
            "name": [names.get(str(i), str(i)) for i in d["indicator_id"]],
            "period": [PERIOD_VI.get(str(p), str(p)) for p in d["period"]],
            "old": [_figure_text(*x) for x in zip(d["old_value"], d["old_numerator"], d["old_denominator"])],
            "new": [_figure_text(*x) for x in zip(d["new_value"], d["new_numerator"], d["new_denominator"])],
            "reason": d["reason"].astype(str).tolist(),
        })
        parts += [H.heading(f"{quarter_label_vi(q)}: đã điều chỉnh", 2, id=f"dieu-chinh-{q.lower()}"),
                  H.table(rows, columns={"name": "Chỉ tiêu", "period": "Kỳ", "old": "Trước (tử số/mẫu số)",
                                         "new": "Sau điều chỉnh", "reason": "Lý do"},
                          formats={c: "text" for c in rows.columns},
                          caption=f"Số liệu đã điều chỉnh của {quarter_label_vi(q)}")]
    counts = getattr(ctx, "row_changes", None)
    if _has(counts):
        c = counts[counts["kind"] == "correction"]
        if len(c):
            rows = pd.DataFrame({
                "quarter": [quarter_label_vi(q) for q in c["quarter"]],
                "table": [TABLE_VI.get(t, t) for t in c["table"]],
                "file": c["new_file"].astype(str).tolist(),
                "fields": c["fields"].astype(str).tolist(),
                "records": c["records"].astype(int).tolist(),
            })
            parts += [H.heading("Các dòng đã công bố được tệp sau sửa", 2, id="dong-da-sua"),
                      H.paragraph("Số dòng (không nêu mã từng hồ sơ, phản ánh hay phiếu) mà tệp của một quý sau sửa "
                                  "lại so với tệp của quý đã công bố chúng, theo trường dữ liệu."),
                      H.table(rows, columns={"quarter": "Quý đã công bố", "table": "Dữ liệu", "file": "Tệp sửa",
                                             "fields": "Trường thay đổi", "records": "Số dòng"},
                              formats={"records": "int", "quarter": "text", "table": "text", "file": "text",
                                       "fields": "text"}, caption="Dòng đã công bố được sửa ở tệp sau")]
    parts.append(H.paragraph(
        "Mỗi lần số liệu công bố thay đổi, bảng kết quả các chỉ tiêu của lần công bố đó được lưu lại trong kho mã "
        "nguồn (data/releases/<ngày>/indicators.csv), cùng lịch sử điều chỉnh, để mọi lần công bố đều tra lại được."))
    return H.section(*parts)
