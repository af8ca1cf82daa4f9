#!/usr/bin/env python3
"""Regenerate the Word template of the quarterly CCHC report:
``cchc/report/mau-bao-cao-cchc.docx``.

The committed .docx is the source of truth: staff may open it in Word or
LibreOffice and change wording, fonts, spacing or the "Nơi nhận" list, as long
as they keep the ``{{ … }}`` / ``{% … %}`` tags (docxtpl syntax) and the style
names listed in ``cchc/report/__init__.py``. Running this script OVERWRITES
their edits with the original layout; it exists so that the template's origin
is reviewable and can be rebuilt from nothing:

    .venv/bin/python scripts/make_report_template.py

What it sets (Nghị định 30/2020/NĐ-CP, Phụ lục I):
- A4 portrait; margins top 20 mm, bottom 20 mm, left 30 mm, right 15 mm;
- Times New Roman everywhere; body 14 pt, justified, first line indented
  1 cm, 6 pt after each paragraph; headings bold 14 pt;
- page number centred at the top, from page 2 (different first page);
- the header block: issuing body and "Số: …/BC-UBND" on the left, the
  national motto and "Chơn Thành, ngày … tháng … năm …" on the right;
- tables: header row repeated on every page, rows not split across pages,
  cell text 12 pt.
The output is byte-for-byte the same on every run (fixed dates, fixed zip
timestamps).
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cchc.report.docx import normalise_zip  # noqa: E402

OUT = ROOT / "cchc" / "report" / "mau-bao-cao-cchc.docx"
FONT = "Times New Roman"
TEXT_WIDTH_CM = 16.5  # 210 mm − 30 mm − 15 mm
FIXED_DATE = datetime(2026, 1, 1, tzinfo=timezone.utc)


# --------------------------------------------------------------------------- styles
def _fonts(style_or_run_element) -> None:
    """Times New Roman for every script (no theme fonts)."""
    rpr = style_or_run_element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(a), FONT)


def _lang(style) -> None:
    rpr = style.element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)


def para_style(doc, name, base="Normal", *, size=None, bold=None, italic=None, align=None, indent=None,
               before=None, after=None, keep_next=None, line=None):
    styles = doc.styles
    try:
        st = styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles[base]
        st.quick_style = True
    _fonts(st.element)
    st.font.color.rgb = RGBColor(0, 0, 0)
    f, pf = st.font, st.paragraph_format
    for obj, attr, value, unit in ((f, "size", size, Pt), (f, "bold", bold, None), (f, "italic", italic, None),
                                   (pf, "alignment", align, None), (pf, "first_line_indent", indent, Cm),
                                   (pf, "space_before", before, Pt), (pf, "space_after", after, Pt),
                                   (pf, "keep_with_next", keep_next, None), (pf, "line_spacing", line, None)):
        if value is not None:
            setattr(obj, attr, unit(value) if unit else value)
    return st


def define_styles(doc) -> None:
    # document defaults: Times New Roman, no theme fonts
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(a), FONT)
    normal = para_style(doc, "Normal", size=14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.0, before=0, after=6,
                        line=1.15)
    _lang(normal)
    for level in (1, 2, 3):
        st = para_style(doc, f"Heading {level}", size=14, bold=True, italic=(level == 3),
                        align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=1.0, before=6, after=6, keep_next=True, line=1.15)
        st.font.all_caps = False
    para_style(doc, "Header", size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, after=0)
    # header block (tên cơ quan, quốc hiệu, số, địa danh) and title
    para_style(doc, "Header Block", size=13, bold=False, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, after=0, line=1.0)
    para_style(doc, "Header Block Bold", base="Header Block", bold=True)
    para_style(doc, "Header Block Date", base="Header Block", size=14, italic=True)
    para_style(doc, "Header Rule", base="Header Block", size=4)
    para_style(doc, "Doc Title", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, before=0, after=0,
               keep_next=True, line=1.0)
    para_style(doc, "Notice", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, before=6, after=6)
    # staff text (from nhan_xet.md) and its placeholder
    para_style(doc, "Staff Text", base="Normal")
    para_style(doc, "Staff List", base="Normal")
    para_style(doc, "Placeholder", base="Normal", italic=True)
    # tables
    para_style(doc, "Table Text", size=12, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, before=1, after=1, line=1.0)
    para_style(doc, "Table Number", base="Table Text", align=WD_ALIGN_PARAGRAPH.RIGHT)
    para_style(doc, "Table Center", base="Table Text", align=WD_ALIGN_PARAGRAPH.CENTER)
    para_style(doc, "Table Heading", base="Table Text", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    # closing: "Nơi nhận" and signature
    para_style(doc, "Recipients Title", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0,
               after=0, line=1.0)
    para_style(doc, "Recipients", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0, after=0, line=1.0)
    para_style(doc, "Signature", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, after=0, line=1.0)


# --------------------------------------------------------------------------- helpers
def p(container, text="", style="Normal"):
    return container.add_paragraph(text, style=style)


def rule(container, indent_cm: float) -> None:
    """A short centred line (the rule under the issuing body, the motto, the title)."""
    para = container.add_paragraph(style="Header Rule")
    para.paragraph_format.left_indent = Cm(indent_cm)
    para.paragraph_format.right_indent = Cm(indent_cm)
    ppr = para._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(k), v)
    bdr.append(top)
    ppr.append(bdr)


def _set_width(cell, cm: float) -> None:
    cell.width = Cm(cm)


def _no_borders(table) -> None:
    """No borders and no left/right cell padding (the header block's two columns)."""
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), "0")
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    tblpr.append(mar)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tblpr.append(borders)


def _row_flags(row, header=False) -> None:
    trpr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)
    if header:
        h = OxmlElement("w:tblHeader")
        trpr.append(h)


def _fixed_layout(table, widths) -> None:
    """Fixed column widths (grid and cells: Word reads one, LibreOffice the other)."""
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for col, w in zip(table.columns, widths):
        col.width = Cm(w)
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            _set_width(cell, w)


def data_table(doc, headers, widths, loop, cells, styles=None):
    """A grid table: header row (repeated on every page), then one row per
    item of ``loop`` (docxtpl ``{%tr for … %}`` / ``{%tr endfor %}`` rows).

    ``cells``: one entry per column, a string or a list of strings (several
    paragraphs in the cell)."""
    styles = styles or ["Table Text"] * len(headers)
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = doc.styles["Table Grid"]
    _fixed_layout(t, widths)
    for c, h in zip(t.rows[0].cells, headers):
        c.paragraphs[0].text = h
        c.paragraphs[0].style = doc.styles["Table Heading"]
    _row_flags(t.rows[0], header=True)
    first = t.rows[1].cells
    first[0].paragraphs[0].text = "{%tr " + loop + " %}"
    body = t.rows[2].cells
    for c, content, st in zip(body, cells, styles):
        parts = content if isinstance(content, list) else [content]
        c.paragraphs[0].text = parts[0]
        c.paragraphs[0].style = doc.styles[st]
        for extra in parts[1:]:
            c.add_paragraph(extra, style=doc.styles[st])
    _row_flags(t.rows[2])
    t.rows[3].cells[0].paragraphs[0].text = "{%tr endfor %}"
    for r in (1, 3):
        for c in t.rows[r].cells:
            c.paragraphs[0].style = doc.styles["Table Text"]
    return t


# --------------------------------------------------------------------------- the document
def header_block(doc) -> None:
    left, right = 7.0, TEXT_WIDTH_CM - 7.0
    t = doc.add_table(rows=2, cols=2)
    _no_borders(t)
    _fixed_layout(t, [left, right])
    org, motto = t.rows[0].cells
    org.paragraphs[0].text = "UBND PHƯỜNG CHƠN THÀNH"
    org.paragraphs[0].style = doc.styles["Header Block Bold"]
    rule(org, 2.4)
    motto.paragraphs[0].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto.paragraphs[0].style = doc.styles["Header Block Bold"]
    motto.paragraphs[0].runs[0].font.size = Pt(12)
    motto.add_paragraph("Độc lập - Tự do - Hạnh phúc", style=doc.styles["Header Block Bold"]).runs[0].font.size = Pt(14)
    rule(motto, 2.0)
    number, place = t.rows[1].cells
    number.paragraphs[0].text = "Số: …/BC-UBND"
    number.paragraphs[0].style = doc.styles["Header Block"]
    place.paragraphs[0].text = "Chơn Thành, ngày … tháng … năm …"
    place.paragraphs[0].style = doc.styles["Header Block Date"]

    title = p(doc, "BÁO CÁO", "Doc Title")
    title.paragraph_format.space_before = Pt(18)
    p(doc, "Kết quả thực hiện công tác cải cách hành chính", "Doc Title")
    p(doc, "{{ period_title }}", "Doc Title")
    rule(doc, 6.5)
    p(doc, "{%p if sample %}")
    p(doc, "{{ sample_notice }}", "Notice")
    p(doc, "{%p endif %}")
    p(doc, "{%p if provisional_notice %}")
    p(doc, "{{ provisional_notice }}", "Notice")
    p(doc, "{%p endif %}")
    p(doc, "{%p if plan_notice %}")
    p(doc, "{{ plan_notice }}", "Notice")
    p(doc, "{%p endif %}")
    p(doc, "Thực hiện Kế hoạch số …/KH-UBND ngày … của UBND phường Chơn Thành về cải cách hành chính năm "
           "{{ year }}, UBND phường báo cáo kết quả thực hiện công tác cải cách hành chính {{ period_text }} "
           "như sau:")


def staff(doc, key) -> None:
    p(doc, "{{p staff." + key + " }}")


def tasks_table(doc, var) -> None:
    data_table(doc, ["STT", "Hoạt động", "Đơn vị chủ trì", "Tình trạng", "Minh chứng, ghi chú"],
               [1.3, 6.0, 3.1, 2.4, 3.7], f"for t in {var}.tasks",
               ["{{ t.no }}", "{{ t.activity }}", "{{ t.lead_unit }}", "{{ t.status }}",
                ["{{ t.evidence }}", "{%p if t.note %}", "Ghi chú: {{ t.note }}", "{%p endif %}"]],
               ["Table Center", "Table Text", "Table Text", "Table Text", "Table Text"])


def targets_table(doc, var) -> None:
    data_table(doc, ["Chỉ tiêu", "Trong quý", "Lũy kế năm", "Mục tiêu năm", "Đánh giá"],
               [6.1, 2.2, 2.2, 2.2, 3.8], f"for i in {var}.targets",
               ["{{ i.name }}", "{{ i.quarter }}", "{{ i.ytd }}", "{{ i.target }}", "{{ i.judgement }}"],
               ["Table Text", "Table Number", "Table Number", "Table Center", "Table Text"])


def area_block(doc, var, sub_style, label_tasks, label_targets) -> None:
    p(doc, label_tasks, sub_style)
    p(doc, "Kế hoạch giao {{ " + var + ".total }} hoạt động; tình trạng trong quý: hoàn thành {{ " + var
           + ".hoan_thanh }}, đang thực hiện {{ " + var + ".dang_thuc_hien }}, chưa triển khai {{ " + var
           + ".chua_trien_khai }}, chưa báo cáo {{ " + var + ".chua_bao_cao }}.")
    tasks_table(doc, var)
    p(doc, label_targets, sub_style)
    p(doc, "{%p if " + var + ".targets %}")
    targets_table(doc, var)
    p(doc, "{%p else %}")
    p(doc, "Kế hoạch không đặt chỉ tiêu định lượng cho lĩnh vực này.")
    p(doc, "{%p endif %}")


def body(doc) -> None:
    p(doc, "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "Heading 1")
    p(doc, "{%p with a = leadership %}")
    area_block(doc, "a", "Heading 2", "1. Kết quả thực hiện các hoạt động", "2. Các chỉ tiêu định lượng")
    p(doc, "{%p endwith %}")

    p(doc, "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ", "Heading 1")
    p(doc, "{%p for a in areas %}")
    p(doc, "{{ a.heading }}", "Heading 2")
    area_block(doc, "a", "Heading 3", "a) Kết quả thực hiện các hoạt động", "b) Các chỉ tiêu định lượng")
    p(doc, "{%p endfor %}")

    p(doc, "III. ĐÁNH GIÁ CHUNG", "Heading 1")
    p(doc, "1. Ưu điểm", "Heading 2")
    p(doc, "{%p for s in strengths %}")
    p(doc, "- {{ s }}")
    p(doc, "{%p endfor %}")
    staff(doc, "uu_diem")
    p(doc, "2. Tồn tại, hạn chế và nguyên nhân", "Heading 2")
    p(doc, "{%p for w in weaknesses %}")
    p(doc, "- {{ w.text }}")
    p(doc, "{%p for e in w.explanations %}")
    p(doc, "+ {{ e }}")
    p(doc, "{%p endfor %}")
    p(doc, "{%p endfor %}")
    staff(doc, "ton_tai")

    p(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ TỚI", "Heading 1")
    for var, last, width in (("unfinished", ("Tình trạng", "status"), 2.5),
                             ("due_next", ("Thời gian thực hiện", "timing"), 3.0)):
        p(doc, "{{ " + ("unfinished_intro" if var == "unfinished" else "due_intro") + " }}")
        p(doc, "{%p if " + var + " %}")
        data_table(doc, ["STT", "Hoạt động", "Lĩnh vực", "Đơn vị chủ trì", last[0]],
                   [1.3, 9.9 - width, 1.9, 3.4, width], f"for t in {var}",
                   ["{{ t.no }}", "{{ t.activity }}", "{{ t.area }}", "{{ t.lead_unit }}", "{{ t." + last[1] + " }}"],
                   ["Table Center", "Table Text", "Table Center", "Table Text", "Table Text"])
        p(doc, "{%p endif %}")
    staff(doc, "phuong_huong")

    p(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", "Heading 1")
    staff(doc, "de_xuat")
    p(doc, "Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {{ period_text }} của UBND "
           "phường Chơn Thành./.")


def signature(doc) -> None:
    t = doc.add_table(rows=1, cols=2)
    _no_borders(t)
    _fixed_layout(t, [8.0, TEXT_WIDTH_CM - 8.0])
    left, right = t.rows[0].cells
    left.paragraphs[0].text = "Nơi nhận:"
    left.paragraphs[0].style = doc.styles["Recipients Title"]
    for line in ("- UBND tỉnh Đồng Nai (qua Sở Nội vụ);", "- Thường trực Đảng ủy phường;",
                 "- Thường trực HĐND phường;", "- Chủ tịch, các Phó Chủ tịch UBND phường;",
                 "- Các cơ quan, đơn vị thuộc UBND phường;", "- Lưu: VT, VHXH."):
        left.add_paragraph(line, style=doc.styles["Recipients"])
    right.paragraphs[0].text = "TM. ỦY BAN NHÂN DÂN"
    right.paragraphs[0].style = doc.styles["Signature"]
    right.add_paragraph("CHỦ TỊCH", style=doc.styles["Signature"])


def appendix(doc) -> None:
    br = p(doc, "", "Doc Title")
    br.add_run().add_break(WD_BREAK.PAGE)
    p(doc, "PHỤ LỤC", "Doc Title")
    p(doc, "Số liệu các chỉ tiêu của Kế hoạch và hồ sơ thủ tục hành chính {{ period_text }}", "Doc Title")
    note = p(doc, "(Kèm theo Báo cáo số …/BC-UBND ngày … tháng … năm … của UBND phường Chơn Thành)",
             "Header Block Date")
    note.paragraph_format.space_after = Pt(12)
    p(doc, "1. Kết quả các chỉ tiêu của Kế hoạch", "Heading 2")
    p(doc, "{{ appendix_note }}")
    data_table(doc, ["STT", "Chỉ tiêu", "Kỳ", "Tử số", "Mẫu số", "Tỷ lệ", "Mục tiêu năm", "Đánh giá"],
               [1.3, 4.0, 1.9, 1.7, 1.7, 1.9, 1.8, 2.2], "for r in indicator_rows",
               ["{{ r.no }}", "{{ r.name }}", "{{ r.period }}", "{{ r.numerator }}",
                "{{ r.denominator }}", "{{ r.value }}", "{{ r.target }}", "{{ r.judgement }}"],
               ["Table Center", "Table Text", "Table Text", "Table Number", "Table Number", "Table Number",
                "Table Center", "Table Text"])
    p(doc, "2. Hồ sơ thủ tục hành chính theo lĩnh vực trong quý", "Heading 2")
    p(doc, "{%p if domains %}")
    data_table(doc, ["STT", "Lĩnh vực", "Tiếp nhận", "Trực tuyến (%)", "Trong phạm vi tính đúng hạn",
                     "Trễ hạn", "Đúng hạn (%)"],
               [1.3, 5.2, 1.9, 2.0, 2.3, 1.7, 2.1], "for d in domains",
               ["{{ d.no }}", "{{ d.name }}", "{{ d.received }}", "{{ d.online }}", "{{ d.in_scope }}",
                "{{ d.late }}", "{{ d.on_time }}"],
               ["Table Center", "Table Text", "Table Number", "Table Number", "Table Number", "Table Number",
                "Table Number"])
    p(doc, "{%p else %}")
    p(doc, "Không có hồ sơ trong phạm vi tính đúng hạn trong quý.")
    p(doc, "{%p endif %}")


def page_setup(doc) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin = Mm(20), Mm(20)
    s.left_margin, s.right_margin = Mm(30), Mm(15)
    s.header_distance, s.footer_distance = Mm(10), Mm(10)
    s.different_first_page_header_footer = True
    head = s.header.paragraphs[0]
    head.style = doc.styles["Header"]
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), " PAGE ")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "2"
    run.append(t)
    fld.append(run)
    head._p.append(fld)
    s.first_page_header.is_linked_to_previous = False
    s.first_page_header.paragraphs[0].style = doc.styles["Header"]


def properties(doc) -> None:
    cp = doc.core_properties
    cp.author = "UBND phường Chơn Thành"
    cp.last_modified_by = "UBND phường Chơn Thành"
    cp.title = "Báo cáo kết quả thực hiện công tác cải cách hành chính {{ period_text }}"
    cp.subject = "Cải cách hành chính"
    cp.language = "vi-VN"
    cp.comments = ""
    cp.keywords = ""
    cp.category = ""
    cp.revision = 1
    cp.created = FIXED_DATE
    cp.modified = FIXED_DATE
    cp.last_printed = FIXED_DATE


def make() -> bytes:
    import io

    doc = Document()
    # the default template's first (empty) paragraph
    for para in list(doc.paragraphs):
        para._p.getparent().remove(para._p)
    define_styles(doc)
    page_setup(doc)
    header_block(doc)
    body(doc)
    signature(doc)
    appendix(doc)
    properties(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(_without_thumbnail(buf.getvalue()))


def _without_thumbnail(data: bytes) -> bytes:
    """python-docx's default package carries a thumbnail of an empty page: drop it."""
    import io
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename == "docProps/thumbnail.jpeg":
                continue
            blob = src.read(info.filename)
            if info.filename == "_rels/.rels":
                blob = re.sub(rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"[^>]*/>', b"", blob)
            dst.writestr(info, blob)
    return out.getvalue()


def main() -> int:
    data = make()
    OUT.write_bytes(data)
    print(f"Đã ghi / wrote {OUT.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
