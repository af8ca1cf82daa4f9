"""The quarterly CCHC report (cchc.report), read back with python-docx:
outline and header block, page and font rules of Nghị định 30/2020/NĐ-CP,
numbers equal to the site's downloads, staff text and its placeholder,
escaping of text from the data, the manifest switch and the page link."""
from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from cchc import fmt, opendata
from cchc.context import QuarterContext

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PLACEHOLDER = "[Nội dung do đơn vị bổ sung]"
STAFF = {
    "uu_diem": "Bộ phận Một cửa **chủ động** hướng dẫn người dân nộp hồ sơ trực tuyến.",
    "ton_tai": "- Còn hồ sơ trễ hạn ở lĩnh vực đất đai.\n- Tỷ lệ thanh toán trực tuyến còn thấp.",
    "phuong_huong": "1. Rà soát quy trình nội bộ.\n2. Tăng cường hướng dẫn thanh toán trực tuyến.",
    "de_xuat": "Đề nghị UBND tỉnh hỗ trợ kinh phí số hóa hồ sơ.",
}
OUTLINE = (
    ["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "1. Kết quả thực hiện các hoạt động", "2. Các chỉ tiêu định lượng",
     "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ"]
    + [x for i, area in enumerate(["Cải cách thể chế", "Cải cách thủ tục hành chính", "Cải cách tổ chức bộ máy",
                                   "Cải cách chế độ công vụ", "Cải cách tài chính công",
                                   "Xây dựng, phát triển chính quyền điện tử, chính quyền số"])
       for x in (f"{i + 1}. {area}", "a) Kết quả thực hiện các hoạt động", "b) Các chỉ tiêu định lượng")]
    + ["III. ĐÁNH GIÁ CHUNG", "1. Ưu điểm", "2. Tồn tại, hạn chế và nguyên nhân",
       "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ TỚI", "V. ĐỀ XUẤT, KIẾN NGHỊ",
       "1. Kết quả các chỉ tiêu của Kế hoạch", "2. Hồ sơ thủ tục hành chính theo lĩnh vực trong quý"])


# --------------------------------------------------------------------------- fixtures and readers
@pytest.fixture(scope="module")
def contexts() -> dict[str, QuarterContext]:
    """The sample quarters' contexts, computed the way the build does (no cache):
    every quarter's files (latest row wins everywhere), small groups suppressed."""
    from cchc import indicators, loader, suppression
    from cchc.plan import load_plan

    plan = load_plan(DATA / "plan")
    names = sorted(p.name for p in DATA.iterdir() if p.is_dir() and p.name.startswith("20"))
    loaded = {q: loader.load_quarter(DATA / q) for q in names}
    results = suppression.apply({q: indicators.compute_quarter(q, loaded, plan) for q in names}, plan)
    return {q: QuarterContext(quarter=q, manifest=loaded[q].manifest, results=results[q], previous=None, quality={},
                              plan=plan, quarters=names, quarter_pages=[], commit="test")
            for q in names}


@pytest.fixture(scope="module")
def q3(contexts):
    from cchc.report import make_report

    return make_report(contexts["2026Q3"], STAFF)


def doc_of(report) -> Document:
    return Document(io.BytesIO(report.data))


def blocks(doc):
    """Body paragraphs and tables in document order."""
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            yield Paragraph(el, doc)
        elif el.tag == qn("w:tbl"):
            yield Table(el, doc)


def headings(doc) -> list[Paragraph]:
    return [p for p in doc.paragraphs if p.style.name.startswith("Heading")]


def table_rows(t: Table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in t.rows]


def table_after(doc, heading_text: str) -> Table:
    seen = False
    for b in blocks(doc):
        if isinstance(b, Paragraph) and b.text == heading_text:
            seen = True
        elif seen and isinstance(b, Table):
            return b
    raise AssertionError(f"no table after {heading_text!r}")


def section_paragraphs(doc, heading_text: str) -> list[Paragraph]:
    """The paragraphs between a heading and the next heading."""
    out, inside = [], False
    for p in doc.paragraphs:
        if p.style.name.startswith("Heading"):
            if inside:
                break
            inside = p.text == heading_text
        elif inside:
            out.append(p)
    return out


# --------------------------------------------------------------------------- outline and header block
def test_outline_in_order_and_header_block(q3):
    doc = doc_of(q3)
    assert [h.text for h in headings(doc)] == OUTLINE
    levels = {h.text: h.style.name for h in headings(doc)}
    assert levels["I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH"] == levels["V. ĐỀ XUẤT, KIẾN NGHỊ"] == "Heading 1"
    # the header block: issuing body and number left, motto and place/date right
    head = doc.tables[0]
    assert [p.text for p in head.cell(0, 0).paragraphs if p.text] == ["UBND PHƯỜNG CHƠN THÀNH"]
    assert [p.text for p in head.cell(0, 1).paragraphs if p.text] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                                       "Độc lập - Tự do - Hạnh phúc"]
    assert head.cell(1, 0).text == "Số: …/BC-UBND"
    assert head.cell(1, 1).text == "Chơn Thành, ngày … tháng … năm …"
    assert head.cell(0, 0).paragraphs[0].style.font.bold and head.cell(0, 1).paragraphs[0].style.font.bold
    body = [p.text for p in doc.paragraphs if p.text]
    assert body[:3] == ["BÁO CÁO", "Kết quả thực hiện công tác cải cách hành chính", "Quý III năm 2026"]
    assert "DỮ LIỆU MẪU — KHÔNG PHẢI SỐ LIỆU CHÍNH THỨC" in body[:5]  # the sample data says so
    assert body.index("PHỤ LỤC") > body.index("V. ĐỀ XUẤT, KIẾN NGHỊ")
    assert doc.core_properties.title == "Báo cáo kết quả thực hiện công tác cải cách hành chính quý III năm 2026"


def test_no_unfilled_template_tags(contexts):
    from cchc.report import docx_text, make_report

    for q, ctx in contexts.items():
        text = docx_text(make_report(ctx, STAFF).data)
        assert "{{" not in text and "{%" not in text and "}}" not in text, q


# --------------------------------------------------------------------------- format
def _inherited(style, get):
    while style is not None:
        v = get(style)
        if v is not None:
            return v
        style = style.base_style
    return None


def _style_font(style):
    """(name, size) of a paragraph style, following its base styles."""
    return _inherited(style, lambda s: s.font.name), _inherited(style, lambda s: s.font.size)


def test_page_margins_fonts_and_page_numbers(q3):
    doc = doc_of(q3)
    for s in doc.sections:
        assert abs(s.page_width - Mm(210)) < Mm(0.5) and abs(s.page_height - Mm(297)) < Mm(0.5)
        tol = Mm(0.05)  # Word stores margins in twentieths of a point: 15 mm is 850 twips = 14.99 mm
        assert Mm(20) - tol <= s.top_margin <= Mm(25) + tol and Mm(20) - tol <= s.bottom_margin <= Mm(25) + tol
        assert Mm(30) - tol <= s.left_margin <= Mm(35) + tol and Mm(15) - tol <= s.right_margin <= Mm(20) + tol
        # page number centred at the top from page 2: a PAGE field in the header, none on page 1
        assert s.different_first_page_header_footer
        head = s.header.paragraphs[0]
        assert " PAGE " in [f.get(qn("w:instr")) for f in head._p.iter(qn("w:fldSimple"))]
        assert head.alignment == 1 or head.style.paragraph_format.alignment == 1  # centre
        assert not s.first_page_header.is_linked_to_previous
        assert not list(s.first_page_header._element.iter(qn("w:fldSimple")))
        assert "PAGE" not in s.first_page_header._element.xml
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    assert normal.paragraph_format.alignment == 3  # justified
    # every paragraph style in use is Times New Roman; running text 13–14 pt
    used = {p.style.name for p in doc.paragraphs} | {p.style.name for t in doc.tables for row in t.rows
                                                      for c in row.cells for p in c.paragraphs}
    for name in used:
        font, size = _style_font(doc.styles[name])
        assert font == "Times New Roman", name
    for p in doc.paragraphs:
        if p.style.name in ("Normal", "Staff Text", "Staff List", "Placeholder") and p.text:
            assert Pt(13) <= _style_font(p.style)[1] <= Pt(14), p.text
            assert (p.alignment or _inherited(p.style, lambda s: s.paragraph_format.alignment)) == 3, p.text
    # no run overrides the font with another one
    for r in doc.element.body.iter(qn("w:rFonts")):
        assert set(r.attrib.values()) <= {"Times New Roman"}


def test_table_header_rows_repeat(q3):
    doc = doc_of(q3)
    grids = [t for t in doc.tables if t.style is not None and t.style.name == "Table Grid"]
    assert len(grids) >= 15  # activities and targets per area, section IV, appendix
    for t in grids:
        trpr = t.rows[0]._tr.trPr
        assert trpr is not None and trpr.find(qn("w:tblHeader")) is not None, table_rows(t)[0]
        assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in t.rows[1:])


# --------------------------------------------------------------------------- numbers = the site's
def test_appendix_equals_indicators_json(contexts, tmp_path):
    from cchc.report import make_report

    for q in ("2026Q3", "2026Q4"):
        ctx = contexts[q]
        opendata.write_quarter_downloads(ctx.results, tmp_path)
        published = json.loads((tmp_path / q / "indicators.json").read_text(encoding="utf-8"))
        doc = doc_of(make_report(ctx, STAFF))
        rows = table_rows(table_after(doc, "1. Kết quả các chỉ tiêu của Kế hoạch"))
        assert rows[0] == ["STT", "Chỉ tiêu", "Kỳ", "Tử số", "Mẫu số", "Tỷ lệ", "Mục tiêu năm", "Đánh giá"]
        body = rows[1:]
        assert len(body) == len(published) == 2 * len(ctx.plan.targets)
        for r, j in zip(body, published):
            first = j["period"] == "quarter"
            assert r[1] == (j["name_vi"] if first else "")
            assert r[3] == fmt.number(j["numerator"], 0, "—"), (j["id"], j["period"])
            assert r[4] == fmt.number(j["denominator"], 0, "—"), (j["id"], j["period"])
            assert r[5] == fmt.percent(j["value"], 1, "—"), (j["id"], j["period"])
            if first:
                assert r[6] == f"{fmt.direction_vi(j['direction'])} {fmt.number(j['target'], 0)}%"
            else:
                assert r[7] == fmt.judgement_vi(j["judgement"]), (j["id"], r[7])
        # dossiers by domain = the published by_domain.csv (quarter rows with dossiers in scope)
        by_domain = pd.read_csv(tmp_path / q / "by_domain.csv", encoding="utf-8-sig")
        by_domain = by_domain[(by_domain["period"] == "quarter") & (by_domain["in_scope"] > 0)]
        drows = table_rows(table_after(doc, "2. Hồ sơ thủ tục hành chính theo lĩnh vực trong quý"))[1:]
        assert [r[1] for r in drows] == by_domain["TenLinhVuc"].tolist()
        assert [r[2] for r in drows] == [fmt.number(x) for x in by_domain["received"]]
        assert [r[6] for r in drows] == [fmt.percent(x, 1) for x in by_domain["on_time_value"]]


def tables_under(doc, heading_text: str) -> list[Table]:
    """Tables between each heading ``heading_text`` and the next heading."""
    out, inside = [], False
    for b in blocks(doc):
        if isinstance(b, Paragraph) and b.style.name.startswith("Heading"):
            inside = b.text == heading_text
        elif inside and isinstance(b, Table):
            out.append(b)
    return out


def test_area_targets_equal_indicators(q3, contexts):
    """Sections I and II: every target of the plan, with the site's quarter and year-to-date values."""
    ctx = contexts["2026Q3"]
    ind = ctx.results.indicators.set_index(["id", "period"])
    ids = dict(zip(ctx.plan.targets["name_vi"], ctx.plan.targets["id"]))
    doc = doc_of(q3)
    tables = tables_under(doc, "b) Các chỉ tiêu định lượng") + tables_under(doc, "2. Các chỉ tiêu định lượng")
    rows = [r for t in tables for r in table_rows(t)[1:]]
    assert sorted(ids[r[0]] for r in rows) == sorted(ctx.plan.targets["id"])
    for name, quarter, ytd, target, judgement in rows:
        tid = ids[name]
        y = ind.loc[(tid, "ytd")]
        assert quarter == fmt.percent(ind.loc[(tid, "quarter"), "value"], 1, "—")
        assert ytd == fmt.percent(y["value"], 1, "—")
        label = fmt.judgement_vi(y["judgement"])
        assert judgement == (f"{label} ({fmt.required_vi(y['required'], y['direction'])})"
                             if y["judgement"] == "at_risk" else label), (tid, judgement)
    assert any("cần đạt ≥" in r[4] for r in rows)  # 2026Q3 has targets at risk
    # area I has no quantitative target: a sentence says so
    first_b = section_paragraphs(doc, "b) Các chỉ tiêu định lượng")
    assert first_b[0].text == "Kế hoạch không đặt chỉ tiêu định lượng cho lĩnh vực này."


def test_activity_counts_by_status(q3, contexts):
    by_area = contexts["2026Q3"].results.breakdowns["tasks_by_area"].set_index("area")
    doc = doc_of(q3)
    text = [p.text for p in section_paragraphs(doc, "a) Kết quả thực hiện các hoạt động")][0]
    r = by_area.loc["I"]
    assert text == (f"Kế hoạch giao {r['total']} hoạt động; tình trạng trong quý: hoàn thành {r['hoan_thanh']}, "
                    f"đang thực hiện {r['dang_thuc_hien']}, chưa triển khai {r['chua_trien_khai']}, chưa báo cáo "
                    f"{r['chua_bao_cao']}.")
    tasks = table_rows(table_after(doc, "a) Kết quả thực hiện các hoạt động"))
    assert len(tasks) - 1 == r["total"]


# --------------------------------------------------------------------------- staff text
def test_placeholder_and_warning_when_staff_text_missing(contexts):
    from cchc.report import make_report

    rep = make_report(contexts["2026Q3"], {"uu_diem": STAFF["uu_diem"], "ton_tai": "   \n"})
    doc = doc_of(rep)
    texts = [p.text for p in doc.paragraphs]
    assert texts.count(PLACEHOLDER) == 3
    assert {w.split("“")[1].split("”")[0] for w in rep.warnings} == {"ton_tai", "phuong_huong", "de_xuat"}
    assert all("nhan_xet.md" in w for w in rep.warnings)
    assert [p.text for p in section_paragraphs(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ")][0] == PLACEHOLDER
    assert section_paragraphs(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ")[0].style.name == "Placeholder"
    # never an empty heading: something follows every heading before the next one
    items = list(blocks(doc))
    for i, b in enumerate(items):
        if isinstance(b, Paragraph) and b.style.name.startswith("Heading"):
            nxt = items[i + 1]
            assert isinstance(nxt, Table) or not nxt.style.name.startswith("Heading") or \
                nxt.style.name > b.style.name, b.text


def test_staff_text_as_paragraphs(q3):
    doc = doc_of(q3)
    assert not q3.warnings
    uu = [p for p in section_paragraphs(doc, "1. Ưu điểm") if p.style.name == "Staff Text"]
    assert [p.text for p in uu] == ["Bộ phận Một cửa chủ động hướng dẫn người dân nộp hồ sơ trực tuyến."]
    assert [r.text for r in uu[0].runs if r.bold] == ["chủ động"]
    iv = [p.text for p in section_paragraphs(doc, "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ TỚI")
          if p.style.name == "Staff List"]
    assert iv == ["1. Rà soát quy trình nội bộ.", "2. Tăng cường hướng dẫn thanh toán trực tuyến."]


def test_staff_markdown_is_sanitised(contexts):
    from cchc.report import make_report

    md = ("Xem <script>alert(1)</script> và [Cổng DVC](https://dichvucong.gov.vn), "
          "[lạ](javascript:alert(1)), [trang](../xu-huong.html) ![ảnh](https://x.invalid/a.png)")
    doc = doc_of(make_report(contexts["2026Q3"], {**STAFF, "de_xuat": md}))
    [p] = [p for p in section_paragraphs(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ") if p.style.name == "Staff Text"]
    assert "<script>alert(1)</script>" in p.text
    assert "Cổng DVC (https://dichvucong.gov.vn)" in p.text
    assert "[lạ](javascript:alert(1))" in p.text  # not a link: stays text, as on the site
    assert ", trang !ảnh (https://x.invalid/a.png)" in p.text  # in-site path dropped; no image, as on the site
    assert not list(doc.element.body.iter(qn("w:hyperlink")))
    assert not list(doc.element.body.iter(qn("w:drawing")))


# --------------------------------------------------------------------------- text from the data
def test_text_from_data_stays_literal(contexts):
    from cchc.report import make_report

    ctx = copy.deepcopy(contexts["2026Q3"])
    tasks = ctx.results.breakdowns["tasks"]
    note = "<script>alert('x')</script> [bấm vào](https://evil.invalid) **đậm** {{ staff }} {%p if x %} & </w:t>"
    evidence = "Kế hoạch\tsố 1\x0b\x07/KH-UBND"
    i = tasks.index[tasks["id"] == "I.01"][0]
    tasks.loc[i, "GhiChu"] = note
    tasks.loc[i, "MinhChung"] = evidence
    rep = make_report(ctx, STAFF)
    doc = doc_of(rep)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert f"Ghi chú: {note}" in "\n".join(cells)
    assert any(c.startswith("Kế hoạch số 1  /KH-UBND\nGhi chú: <script>") for c in cells)
    xml = zipfile.ZipFile(io.BytesIO(rep.data)).read("word/document.xml").decode()
    assert "&lt;script&gt;" in xml and "<script>" not in xml
    assert not list(doc.element.body.iter(qn("w:hyperlink")))


def test_another_plan_is_said_as_on_the_pages(contexts, tmp_path):
    """A build with another plan than the committed one (--plan) says so in the
    report with the words of the pages' provenance line; the committed plan adds nothing."""
    import shutil

    from cchc import html as H
    from cchc.provenance import plan_note
    from cchc.report import docx_text, make_report

    ctx = copy.deepcopy(contexts["2026Q3"])
    assert "kế hoạch khác" not in docx_text(make_report(ctx, STAFF).data)
    other = tmp_path / "plan"
    shutil.copytree(DATA / "plan", other)
    (other / "targets.csv").write_text((other / "targets.csv").read_text(encoding="utf-8").replace(",98,", ",50,", 1),
                                       encoding="utf-8")
    ctx.plan_note = plan_note(other, explicit=True)
    assert ctx.plan_note and ctx.plan_note in str(H.provenance(commit="abc", plan_note=ctx.plan_note))
    assert f"{ctx.plan_note}." in docx_text(make_report(ctx, STAFF).data).splitlines()


def test_personal_data_in_a_note_stops_the_report(contexts):
    from cchc.report import ReportError, make_report

    ctx = copy.deepcopy(contexts["2026Q3"])
    tasks = ctx.results.breakdowns["tasks"]
    tasks.loc[tasks.index[0], "GhiChu"] = "Liên hệ ông A, 0912 345 678"
    with pytest.raises(ReportError, match="personal data") as e:
        make_report(ctx, STAFF)
    assert "0912 345 678" not in str(e.value) and e.value.exit_code == 1


# --------------------------------------------------------------------------- section IV rules
@pytest.mark.parametrize("timing, quarter, due", [
    ("Thường xuyên", "2026Q4", True),
    ("Theo Chương trình công tác đã phê duyệt", "2026Q2", True),
    ("Định kỳ trong năm", "2026Q3", True),
    ("Hàng năm", "2026Q3", False),
    ("Hàng năm", "2026Q4", True),
    ("Quý III", "2026Q3", True),
    ("Quý III", "2026Q4", False),
    ("quý 4", "2026Q4", True),
    ("Tháng 9/2026", "2026Q3", True),
    ("Tháng 10", "2026Q3", False),
    ("Khi có quy định, hướng dẫn của Bộ ngành Trung ương; tỉnh", "2026Q4", False),
    (None, "2026Q4", False),
])
def test_due_in(timing, quarter, due):
    from cchc.report.content import due_in

    assert due_in(timing, quarter) is due


def test_next_steps(contexts):
    from cchc.report.content import next_steps

    res = contexts["2026Q3"].results
    tasks = res.breakdowns["tasks"]
    ns = next_steps(res, "2026Q3")
    assert [t["id"] for t in ns["unfinished"]] == tasks.loc[tasks["status"] != "hoan_thanh", "id"].tolist()
    assert {t["id"] for t in ns["due_next"]} <= set(tasks.loc[tasks["status"] == "hoan_thanh", "id"])
    assert "Quý IV/2026" in ns["due_intro"]
    q4 = next_steps(contexts["2026Q4"].results, "2026Q4")
    assert q4["due_next"] == [] and "ngoài thời gian của Kế hoạch" in q4["due_intro"]


# --------------------------------------------------------------------------- manifest switch and page link
def test_manifest_publish_report(tmp_path):
    from cchc.loader import LoadError, read_manifest

    folder = tmp_path / "2026Q3"
    folder.mkdir()
    base = "quarter: 2026Q3\nsample: true\nexported_at: 2026-10-02T08:00:00+07:00\n"
    (folder / "quarter.yml").write_text(base, encoding="utf-8")
    assert read_manifest(folder / "quarter.yml").publish_report is True
    (folder / "quarter.yml").write_text(base + "publish_report: false\n", encoding="utf-8")
    assert read_manifest(folder / "quarter.yml").publish_report is False
    (folder / "quarter.yml").write_text(base + "publish_report: có\n", encoding="utf-8")
    with pytest.raises(LoadError, match="publish_report must be true or false"):
        read_manifest(folder / "quarter.yml")


def test_overview_links_the_report_unless_switched_off(contexts):
    from dataclasses import replace

    from cchc.pages_report import report_download

    ctx = copy.copy(contexts["2026Q3"])
    html = str(report_download(ctx))
    assert 'href="bao-cao-cchc-2026Q3.docx"' in html and "Quý III/2026" in html
    ctx.manifest = replace(ctx.manifest, publish_report=False)
    assert "docx" not in str(report_download(ctx))


def test_build_step_writes_all_and_stages_only_published(contexts, tmp_path, monkeypatch):
    """write_reports (cached) and stage_reports, from pickled contexts like the build's."""
    import shutil

    from cchc import build as b
    from cchc import context as ctx_mod
    from cchc.report import publish

    data = tmp_path / "data"
    for q in ("2026Q2", "2026Q3"):
        shutil.copytree(DATA / q, data / q)
    (data / "2026Q2" / "quarter.yml").write_text(
        (data / "2026Q2" / "quarter.yml").read_text(encoding="utf-8") + "publish_report: false\n", encoding="utf-8")
    opts = b.BuildOptions(data_dir=data, site_dir=tmp_path / "site", cache_dir=tmp_path / "cache")
    pickles = {}
    for q in ("2026Q2", "2026Q3"):
        ctx_mod.save(contexts[q], tmp_path / f"{q}.pkl")
        pickles[q] = (tmp_path / f"{q}.pkl", f"digest-{q}")
    monkeypatch.setattr("cchc.report.publish.load_staff_text", lambda folder: dict(STAFF))
    built = publish.write_reports(opts, ["2026Q2", "2026Q3"], pickles, b.Cache(opts.cache_dir))
    assert sorted(p.name for p in opts.report_dir.glob("*.docx")) == ["bao-cao-cchc-2026Q2.docx",
                                                                     "bao-cao-cchc-2026Q3.docx"]
    assert built.published == ["2026Q3"] and built.warnings == []
    staged = publish.stage_reports(tmp_path / "staging", built)
    assert staged == ["2026Q3/bao-cao-cchc-2026Q3.docx"]
    assert (tmp_path / "staging" / "2026Q3" / "bao-cao-cchc-2026Q3.docx").read_bytes() == \
        (opts.report_dir / "bao-cao-cchc-2026Q3.docx").read_bytes()
    # second run: from the cache, same bytes, even with the staff text gone
    monkeypatch.setattr("cchc.report.publish.load_staff_text", lambda folder: {})
    again = publish.write_reports(opts, ["2026Q3"], pickles, b.Cache(opts.cache_dir))
    assert again.warnings == [] and again.paths["2026Q3"].read_bytes() == built.paths["2026Q3"].read_bytes()


def test_report_is_deterministic(contexts):
    from cchc.report import make_report

    assert make_report(contexts["2026Q3"], STAFF).data == make_report(contexts["2026Q3"], STAFF).data


def _tags(docx_bytes: bytes) -> list[str]:
    import re

    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", xml)
    return re.findall(r"\{[{%].*?[}%]\}", text)


def test_template_script_matches_the_committed_template():
    """scripts/make_report_template.py still makes a template with the same
    tags as the committed one (staff may restyle the committed file in Word;
    the tags are what the code relies on)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_report_template", ROOT / "scripts" / "make_report_template.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    committed = (ROOT / "cchc" / "report" / "mau-bao-cao-cchc.docx").read_bytes()
    assert _tags(mod.make()) == _tags(committed)
    assert "{{p staff.de_xuat }}" in _tags(committed)
    names = {s.name for s in Document(io.BytesIO(committed)).styles}
    assert {"Staff Text", "Staff List", "Placeholder", "Table Grid", "Heading 1", "Heading 2"} <= names


# --------------------------------------------------------------------------- command line
def test_cli_report(tmp_path):
    """`pipeline.py report` on a one-quarter copy of the sample data (own cache):
    the DOCX in --out, the missing staff text named on stderr, exit code 0;
    a malformed quarter id exits 2 before anything is read."""
    import os
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(DATA / "2026Q1", data / "2026Q1")
    (data / "2026Q1" / "nhan_xet.md").unlink(missing_ok=True)
    env = {**os.environ, "CCHC_CACHE_DIR": str(tmp_path / "cache"), "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, str(ROOT / "pipeline.py"), "report", "--data", str(data)]
    r = subprocess.run(cmd + ["--quarter", "2026Q1", "--out", str(tmp_path / "out")], capture_output=True,
                       text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out" / "bao-cao-cchc-2026Q1.docx"
    assert out.is_file() and str(out) in r.stdout
    warned = [line for line in r.stderr.splitlines() if line.startswith("Cảnh báo / warning:")]
    assert len(warned) == 4 and all("nhan_xet.md" in w and PLACEHOLDER in w for w in warned)
    doc = Document(str(out))
    assert "Quý I năm 2026" in [p.text for p in doc.paragraphs]
    bad = subprocess.run(cmd + ["--quarter", "../2026Q1"], capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2 and "YYYYQn" in bad.stderr
