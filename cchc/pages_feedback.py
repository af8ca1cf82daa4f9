"""The PAKN section that tells something (quarter page "Hài lòng, PAKN"):
counts by domain and outcome with the small-number rule, median days to
resolve, and the topics shared by at least 5 PAKN. Figures come from the
``feedback_by_domain`` and ``feedback_topics`` breakdowns (:mod:`cchc.feedback`)."""
from __future__ import annotations

import pandas as pd

from . import fmt
from . import html as H
from .context import QuarterContext
from .feedback import SMALL_N
from .periods import quarter_label_vi

SMALL_TEXT = f"dưới {SMALL_N}"


def _rows(df: pd.DataFrame) -> pd.DataFrame:
    out = []
    for r in df.to_dict("records"):
        hide = bool(r["suppressed"])
        cell = (lambda v: SMALL_TEXT) if hide else (lambda v: fmt.number(int(v)))
        days = r["median_days"]
        out.append({"LinhVuc": r["LinhVuc"], "in_scope": SMALL_TEXT if hide else fmt.number(int(r["in_scope"])),
                    "on_time": cell(r["resolved_on_time"]), "late": cell(r["resolved_late"]), "open": cell(r["open"]),
                    "days": "" if hide or pd.isna(days) else fmt.number(float(days), 0 if float(days).is_integer() else 1)})
    return pd.DataFrame(out, columns=["LinhVuc", "in_scope", "on_time", "late", "open", "days"])


def feedback_details(ctx: QuarterContext) -> H.Html:
    bd = ctx.results.breakdowns
    dom = bd.get("feedback_by_domain", pd.DataFrame())
    topics = bd.get("feedback_topics", pd.DataFrame())
    parts = [H.heading("Phản ánh, kiến nghị theo lĩnh vực và kết quả xử lý", 3, id="pakn-linh-vuc")]
    cols = {"LinhVuc": "Lĩnh vực", "in_scope": "Số PAKN", "on_time": "Đã xử lý đúng hạn",
            "late": "Đã xử lý trễ hạn", "open": "Đang xử lý", "days": "Trung vị số ngày làm việc để xử lý xong"}
    for period, label in (("quarter", quarter_label_vi(ctx.quarter)), ("ytd", "lũy kế năm")):
        d = dom[dom["period"] == period] if len(dom) else dom
        if not len(d):
            parts.append(H.paragraph(f"Không có phản ánh, kiến nghị nào ({label})."))
            continue
        parts.append(H.table(_rows(d), columns=cols, formats={c: "text" for c in cols},
                             caption=f"PAKN theo lĩnh vực và kết quả xử lý — {label}", n=1 if period == "quarter" else 2))
    parts.append(H.paragraph(f"Lĩnh vực có dưới {SMALL_N} PAKN chỉ ghi “{SMALL_TEXT}”; số ngày tính theo ngày làm việc "
                             "từ ngày sau ngày tiếp nhận đến hết ngày xử lý xong."))
    t = topics[topics["period"] == "ytd"] if len(topics) else topics
    parts.append(H.heading("Chủ đề phản ánh, kiến nghị (lũy kế năm)", 3, id="pakn-chu-de"))
    if len(t):
        parts.append(H.table(t, columns={"ChuDe": "Chủ đề", "count": "Số PAKN"}, formats={"ChuDe": "text", "count": "int"},
                             caption="Số PAKN theo chủ đề, lũy kế năm"))
        parts.append(H.paragraph(f"Chỉ nêu chủ đề có từ {SMALL_N} PAKN; không công bố nội dung của phản ánh nào."))
    else:
        parts.append(H.paragraph("Dữ liệu PAKN chưa có cột chủ đề (ChuDe) hoặc chưa có PAKN nào."))
    return H.section(*parts)
