"""The ward's quarterly CCHC report (``bao-cao-cchc-<YYYYQn>.docx``), made
from the same computed results as the site.

load -> transform -> save:

* **load**: the quarter's :class:`cchc.context.QuarterContext` (the build's
  cached results, exactly what the site's pages display) and the staff's
  commentary ``data/<YYYYQn>/nhan_xet.md``;
* **transform**: :func:`cchc.report.content.report_context` turns them into
  the template's values (numbers through :mod:`cchc.fmt`);
* **save**: :func:`cchc.report.docx.render` fills the Word template
  ``mau-bao-cao-cchc.docx`` (docxtpl) and the bytes are written atomically.

The template holds the layout of Nghị định 30/2020/NĐ-CP (page, margins,
fonts, header block, page numbers, repeated table headers) and the styles
the code refers to by name: ``Staff Text``, ``Staff List``, ``Placeholder``
(staff text and its placeholder). Regenerate it with
``scripts/make_report_template.py`` or edit it in Word (see that script).

Command line: ``python pipeline.py report --quarter 2026Q3 [--data DIR] [--out DIR]``.
The site build publishes the report of each quarter whose ``quarter.yml``
does not say ``publish_report: false`` (:mod:`cchc.report.publish`).
"""
from __future__ import annotations

import html
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from ..build import BuildError
from ..loader import COMMENTARY_FILE

REPORT_NAME = "bao-cao-cchc-{quarter}.docx"


class ReportError(BuildError):
    """The report cannot be made (the message says what to fix)."""


@dataclass
class Report:
    quarter: str
    data: bytes
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return report_name(self.quarter)


def report_name(quarter: str) -> str:
    return REPORT_NAME.format(quarter=quarter)


def load_staff_text(folder: Path) -> dict[str, str | None]:
    """The staff's Markdown of each report section from ``<folder>/nhan_xet.md``
    (:mod:`cchc.commentary`); a missing file or section gives ``None``."""
    from ..commentary import load_commentary
    from .content import settings

    commentary = load_commentary(Path(folder))
    return {sid: commentary.section(sid) for sid in settings()["staff_sections"]}


def docx_text(data: bytes) -> str:
    """The visible text of a .docx (document body, one line per paragraph)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    xml = re.sub(r"</w:p>", "\n", xml)
    return html.unescape(re.sub(r"<[^>]+>", "", xml))


def make_report(ctx, staff: Mapping[str, str | None]) -> Report:
    """The report of ``ctx.quarter`` (a QuarterContext) with the staff text
    ``staff`` ({section id: Markdown or None})."""
    from ..validation.pii import scan_text
    from . import docx
    from .content import report_context

    values, warnings = report_context(ctx, staff, docx.style_ids(),
                                      staff_source=f"data/{ctx.quarter}/{COMMENTARY_FILE}")
    data = docx.render(values)
    findings = scan_text(docx_text(data), report_name(ctx.quarter))
    if findings:
        shown = "\n".join(f"  {f}" for f in findings[:20])
        raise ReportError(
            f"Báo cáo {report_name(ctx.quarter)} có nội dung giống dữ liệu cá nhân, không ghi ra / the report "
            f"contains what looks like personal data, not written (sửa ghi chú, minh chứng hoặc nhan_xet.md / fix "
            f"the notes, evidence or nhan_xet.md):\n{shown}")
    return Report(ctx.quarter, data, warnings)


def run(quarter: str, data_dir: Path, out_dir: Path) -> tuple[Path, list[str]]:
    """``pipeline.py report``: validate and compute (from the build's cache
    when the site was built from the same data), make the report of
    ``quarter`` and write it into ``out_dir``; returns (path, warnings)."""
    from ..build import InvalidInputError, contexts_from_data, discover_quarters

    data_dir = Path(data_dir).resolve()
    discover_quarters(data_dir, [quarter])  # a well-formed id with a folder, or exit code 2
    _, contexts = contexts_from_data(data_dir)
    if quarter not in contexts:
        raise InvalidInputError(
            f"Dữ liệu {quarter} không hợp lệ, không lập báo cáo; xem `python pipeline.py validate --quarter "
            f"{quarter}` / the data of {quarter} is invalid, no report made")
    report = make_report(contexts[quarter], load_staff_text(data_dir / quarter))
    return save(report, out_dir), report.warnings


def save(report: Report, out_dir: Path) -> Path:
    """Write ``report`` into ``out_dir`` atomically (never a half-written file)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / report.name
    fd, tmp = tempfile.mkstemp(prefix=f".{report.name}.", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(report.data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
