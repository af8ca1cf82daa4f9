"""Issue 11 on the built site: words for citizens (a text scan of every page),
the first key figure above the fold at 375×740, charts filling the content
column at 1280, and the on-track judgements of the sample home page."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

# The first key figure of a page: a KPI value, a scorecard value or a chart.
KEY_FIGURE = ".c-kpi__value, .c-card__value, figure.chart"
# Pages meant to show figures: every quarter page, the home page and the trends.
FIGURE_PAGES = re.compile(r"^(index|xu-huong|xu-huong-chi-tiet|20\d\dQ[1-4]/[a-z-]+)\.html$")
# Pages where technical words are allowed (they explain the method and the data).
TECHNICAL_PAGES = re.compile(r"(^|/)(phuong-phap|chat-luong)\.html$")

FORBIDDEN_EVERYWHERE = [
    (re.compile(r"(?<!\w)bạn(?!\w)", re.I), "“bạn” (address the reader as người dân, tổ chức, cá nhân)"),
    (re.compile(r"điểm\s*%"), "“điểm %” (say “điểm phần trăm”)"),
    (re.compile(r"Lũy kế năm\. Riêng"), "sentence fragment “Lũy kế năm. Riêng …”"),
    (re.compile(r"Mã nguồn"), "a git hash shown as “Mã nguồn”"),
    (re.compile(r"(?<![\w/])20\d\dQ[1-4](?![\w/.])"), "a quarter written as YYYYQn in text"),
]
FORBIDDEN_ON_CITIZEN_PAGES = [
    (re.compile(r"Great Expectations", re.I), "Great Expectations"),
    (re.compile(r"hợp đồng dữ liệu", re.I), "“hợp đồng dữ liệu”"),
    (re.compile(r"trạng thái \d+ hoặc \d+"), "status codes such as “trạng thái 9 hoặc 10”"),
]
ABBREVIATIONS = {
    "TTHC": "thủ tục hành chính",
    "PAKN": "phản ánh, kiến nghị",
    "DVC": "dịch vụ công",
    "SIPAS": "",
}


class _Text(HTMLParser):
    """Visible text of a page (no script/style, no attribute values)."""

    SKIP = {"script", "style", "template", "svg"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    p.close()
    return re.sub(r"\s+", " ", " ".join(p.parts))


def _target_ids() -> list[str]:
    import csv

    root = Path(__file__).resolve().parents[2]
    with open(root / "data" / "plan" / "targets.csv", encoding="utf-8-sig") as f:
        return [r["id"] for r in csv.DictReader(f)]


def test_words_for_citizens_on_every_page(built_site):
    ids = [i for i in _target_ids() if "_" in i]
    problems = []
    for rel in built_site.pages():
        text = visible_text((built_site.path / rel).read_text(encoding="utf-8"))
        rules = list(FORBIDDEN_EVERYWHERE)
        if not TECHNICAL_PAGES.search(rel):
            rules += FORBIDDEN_ON_CITIZEN_PAGES
            rules += [(re.compile(rf"(?<![\w/]){re.escape(i)}(?![\w/])"), f"the id {i}") for i in ids]
        for rx, what in rules:
            m = rx.search(text)
            if m:
                problems.append(f"{rel}: {what}: …{text[max(0, m.start() - 40):m.end() + 40]}…")
    assert not problems, "\n".join(problems)


def test_abbreviations_spelled_out_on_first_use(built_site):
    problems = []
    for rel in built_site.pages():
        text = visible_text((built_site.path / rel).read_text(encoding="utf-8"))
        for abbr, long in ABBREVIATIONS.items():
            m = re.search(rf"(?<!\w){abbr}(?!\w)", text)
            if not m:
                continue
            before, after = text[max(0, m.start() - 60):m.start()], text[m.end():m.end() + 3]
            spelled = (before.endswith("(") and long.lower() in before.lower()) or after.startswith(" (")
            if not spelled:
                problems.append(f"{rel}: first “{abbr}” not spelled out: …{text[max(0, m.start() - 60):m.end() + 30]}…")
    assert not problems, "\n".join(problems)


def test_one_provenance_line_per_page(built_site):
    for rel in built_site.pages():
        html = (built_site.path / rel).read_text(encoding="utf-8")
        n = html.count('class="c-provenance"')
        assert n <= 1, f"{rel}: {n} provenance lines"
        if rel == "index.html" or re.match(r"20\d\dQ[1-4]/", rel):
            assert n == 1, rel
            assert re.search(r"Phiên bản ngày <time datetime=\"\d{4}-\d\d-\d\d\">\d\d/\d\d/\d{4}</time>", html), rel
            assert re.search(r'data-commit="[^"]+"', html), rel


def test_sample_home_page_shows_judgements_not_verdicts(built_site):
    html = (built_site.path / "index.html").read_text(encoding="utf-8")
    text = visible_text(html)
    m = re.search(r"Tính từ 01/01/(\d{4}) đến (\d\d/\d\d/\d{4}), trong \d+ chỉ tiêu chính", text)
    assert m, text[:500]
    if m.group(2) == f"31/12/{m.group(1)}":
        pytest.skip("the latest published quarter ends the year")
    cards = re.findall(r'<li class="c-card c-card--([a-z_]+)"', html)
    assert cards and not set(cards) & {"met", "not_met"}, cards
    assert "Chưa đạt" not in text and not re.search(r"(?<!\w)Đạt(?!\w)", text)
    assert "cần đạt ≥ " in text.lower() and "trong thời gian còn lại của năm" in text
    assert "Vì sao và UBND phường đang làm gì" in text


# ---------------------------------------------------------------- in the browser
@pytest.fixture(scope="module")
def phone(browser):
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    yield ctx
    ctx.close()


@pytest.fixture(scope="module")
def desktop(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def _first_key_figure(ctx, url: str):
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="load")
        return page.evaluate(
            """(sel) => { const e = document.querySelector(sel); if (!e) return null;
                 const r = e.getBoundingClientRect();
                 return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY,
                         tag: e.tagName, cls: e.className, text: e.textContent.trim().slice(0, 40)}; }""",
            KEY_FIGURE)
    finally:
        page.close()


def test_first_key_figure_above_the_fold_at_375(built_site, site_server, phone):
    problems, seen = [], 0
    for rel in built_site.pages():
        box = _first_key_figure(phone, site_server + rel)
        if box is None:
            if FIGURE_PAGES.match(rel):
                problems.append(f"{rel}: no key figure at all")
            continue
        seen += 1
        # a number must be entirely visible; a chart must have started (caption and top of the plot)
        limit = box["bottom"] if box["tag"] != "FIGURE" else box["top"] + 120
        if limit > 740:
            problems.append(f"{rel}: first key figure {box['text']!r} ends at {limit:.0f} px (fold at 740)")
    assert seen >= 10
    assert not problems, "\n".join(problems)


def test_charts_fill_the_content_column_at_1280(built_site, site_server, desktop):
    checked = 0
    for rel in built_site.pages():
        html = (built_site.path / rel).read_text(encoding="utf-8")
        if "c-chart--wide" not in html:
            continue
        page = desktop.new_page()
        try:
            page.goto(site_server + rel, wait_until="load")
            widths = page.evaluate("""() => {
                const main = document.querySelector('main');
                const cs = getComputedStyle(main);
                const column = main.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
                return [...document.querySelectorAll('figure.chart')].map(f => {
                    const svgs = [...f.querySelectorAll('svg.c-chart__svg')].filter(s => s.getBoundingClientRect().width > 0);
                    return {column, shown: svgs.length, width: svgs.length ? svgs[0].getBoundingClientRect().width : 0,
                            font: svgs.length ? Math.min(...[...svgs[0].querySelectorAll('text')].slice(0, 5).map(
                                t => t.getBoundingClientRect().height || 99)) : 0};
                });
            }""")
        finally:
            page.close()
        for i, w in enumerate(widths):
            assert w["shown"] == 1, f"{rel} chart {i}: {w['shown']} drawings visible"
            assert w["width"] >= 0.9 * w["column"], f"{rel} chart {i}: {w['width']:.0f} px of a {w['column']:.0f} px column"
            checked += 1
    assert checked >= 5


def test_charts_stay_phone_sized_at_320(built_site, site_server, browser):
    ctx = browser.new_context(viewport={"width": 320, "height": 740})
    try:
        page = ctx.new_page()
        page.goto(site_server + "xu-huong.html", wait_until="load")
        w = page.evaluate("""() => [...document.querySelectorAll('figure.chart svg.c-chart__svg')]
                              .filter(s => s.getBoundingClientRect().width > 0)
                              .map(s => [s.getBoundingClientRect().width, s.width.baseVal.value])""")
    finally:
        ctx.close()
    assert w
    for shown, natural in w:
        assert shown <= 320 and shown / natural >= 0.85  # drawn for phones: text keeps ≥ 85% of its size
