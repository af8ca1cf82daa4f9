"""The same site from both renderers: Quarto and the fallback show the same content.

The real sample build (``pipeline.py build`` on the bundled data, fallback
renderer) leaves its staging project behind; that same staging is rendered
again with ``quarto render``. For every page, the main content — inside
``<main>``: headings, table cells, figure titles and every number in the
text — must be the same on both. The chrome (head, header, footer) may differ.

Skipped when no ``quarto`` binary is on PATH (as in CI); the fallback is then
the documented renderer.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

NO_QUARTO = ("quarto binary not on PATH — the parity of the two renderers needs a real Quarto "
             "(quarto.org, `pip install quarto-cli`, or ../shared/tools/build-quarto.sh)")

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CELLS = {"th", "td"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class MainContent(HTMLParser):
    """Headings, table cells, figure titles and the text of ``<main>``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0            # inside <main> when > 0
        self.open: list[list] = []  # [tag, kind, text parts] of the open collected elements
        self.items: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.skip = 0             # inside <svg>: drawn text is checked through the data tables

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
            return
        if not self.depth or tag in VOID:
            return
        if tag == "svg":
            self.skip += 1
        kind = ("heading" if tag in HEADINGS else "cell" if tag in CELLS
                else "figure title" if tag == "figcaption" else None)
        self.open.append([tag, kind, []])

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
            return
        if not self.depth or tag in VOID:
            return
        while self.open:
            t, kind, parts = self.open.pop()
            if kind:
                self.items.append((kind, norm("".join(parts))))
            if t == "svg":
                self.skip -= 1
            if t == tag:
                break

    def handle_data(self, data):
        if not self.depth or self.skip:
            return
        self.text.append(data)
        for _, kind, parts in self.open:
            if kind:
                parts.append(data)


def norm(s: str) -> str:
    return " ".join(s.split())


def main_content(path: Path) -> dict[str, list[str]]:
    return main_content_of(path.read_text(encoding="utf-8"))


def main_content_of(html: str) -> dict[str, list[str]]:
    p = MainContent()
    p.feed(html)
    p.close()
    out: dict[str, list[str]] = {"heading": [], "cell": [], "figure title": []}
    for kind, text in p.items:
        out[kind].append(text)
    out["number"] = NUMBER.findall(norm(" ".join(p.text)))
    return out


@pytest.fixture(scope="module")
def both_sites(tmp_path_factory):
    if shutil.which("quarto") is None:
        pytest.skip(NO_QUARTO)
    from cchc.render import render
    from cchc.render.postprocess import html_pages

    tmp = tmp_path_factory.mktemp("parity")
    fallback = tmp / "fallback"
    proc = subprocess.run(
        [sys.executable, "pipeline.py", "build", "--data", "data", "--site", str(fallback),
         "--renderer", "fallback"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    staging = tmp / "_build-fallback" / "staging"
    assert (staging / "_quarto.yml").is_file(), f"no staging project left in {staging}"
    quarto = tmp / "quarto"
    result = render(staging, quarto, renderer="quarto")
    assert result.renderer_name == "quarto"
    assert html_pages(quarto) == html_pages(fallback)
    return fallback, quarto, html_pages(fallback)


@pytest.mark.quarto
@pytest.mark.slow
def test_same_pages(both_sites):
    fallback, quarto, pages = both_sites
    assert len(pages) >= 20, pages
    for url in pages:
        assert '<meta name="generator" content="quarto' in (quarto / url).read_text(encoding="utf-8"), url


@pytest.mark.quarto
@pytest.mark.slow
def test_same_main_content_on_every_page(both_sites):
    fallback, quarto, pages = both_sites
    differing = []
    for url in pages:
        a, b = main_content(fallback / url), main_content(quarto / url)
        assert a["heading"], f"{url}: no heading found inside <main> (fallback)"
        for kind in a:
            if a[kind] != b[kind]:
                only_a = [x for x in a[kind] if x not in b[kind]][:5]
                only_b = [x for x in b[kind] if x not in a[kind]][:5]
                differing.append(f"{url} {kind}s: fallback {len(a[kind])}, quarto {len(b[kind])}; "
                                 f"only fallback {only_a}, only quarto {only_b}")
    assert differing == [], "\n".join(differing)


@pytest.mark.quarto
@pytest.mark.slow
def test_main_content_is_not_trivially_equal(both_sites):
    """The comparison sees the real content: headings, table cells, figure titles, numbers."""
    fallback, _, pages = both_sites
    dossiers = main_content(fallback / "2026Q3" / "ho-so.html")
    assert len(dossiers["heading"]) > 3 and len(dossiers["cell"]) > 100
    assert len(dossiers["figure title"]) >= 2 and len(dossiers["number"]) > 100


def test_main_content_sees_each_kind_of_difference():
    """The comparator itself (runs without Quarto): chrome is ignored, content is not."""
    page = ('<html><body><header class="site-header"><a href="x">Trang 1.250</a></header>'
            '<main id="main"><h1>Hồ sơ</h1><section><h2 id="a">Tỷ lệ <em>đúng</em> hạn</h2>'
            '<figure><figcaption><strong>Biểu đồ</strong> <span>Mô tả</span></figcaption>'
            '<svg><text>99</text></svg></figure><p>Có 1.250 hồ sơ, đạt 98,5%.</p>'
            '<table><tr><th scope="row">Đúng hạn</th><td class="num">97,5%</td></tr></table>'
            '</section></main><footer>2026</footer></body></html>')

    base = main_content_of(page)
    assert base == {"heading": ["Hồ sơ", "Tỷ lệ đúng hạn"], "cell": ["Đúng hạn", "97,5%"],
                    "figure title": ["Biểu đồ Mô tả"], "number": ["1.250", "98,5", "97,5"]}
    assert main_content_of(page.replace("Trang 1.250", "Khác 7").replace("2026", "1999")) == base
    for old, new in (("Tỷ lệ", "Số"), ("97,5%", "97,6%"), ("Mô tả", "Khác"), ("98,5%", "98%")):
        assert main_content_of(page.replace(old, new)) != base, old
