"""The quarter overview's link to the quarter's report (cchc.report).

The build publishes ``bao-cao-cchc-<YYYYQn>.docx`` next to the quarter's pages
unless ``quarter.yml`` says ``publish_report: false``; this section links it
from the same decision (the manifest in the page's context).
"""
from __future__ import annotations

from . import html as H
from .context import QuarterContext
from .periods import quarter_label_vi
from .report import report_name


def report_download(ctx: QuarterContext) -> H.Html:
    """A "Báo cáo quý" section with the download link, or nothing when the
    quarter's report is not published."""
    if not getattr(ctx.manifest, "publish_report", True):
        return H.Html("")
    label = quarter_label_vi(ctx.quarter)
    return H.section(
        H.heading("Báo cáo kết quả thực hiện cải cách hành chính", 2, id="bao-cao-quy"),
        H.paragraph(f"Báo cáo {label} của UBND phường theo thể thức văn bản hành chính, lập từ cùng số liệu "
                    "trên trang này; các phần nhận xét, phương hướng và đề xuất do đơn vị soạn."),
        H.link_list([(report_name(ctx.quarter), f"Tải báo cáo {label} (tệp Word, .docx)")]),
    )
