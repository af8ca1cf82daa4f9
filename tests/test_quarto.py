"""The fixture staging rendered with the real ``quarto render`` (Quarto 1.7+).

Skipped when no ``quarto`` binary is on PATH; the fallback renderer is covered
by tests/test_render.py with the same fixture and the same expectations.
"""
from __future__ import annotations

import posixpath
import re
import shutil

import pytest

from test_render import (
    BANNER_HTML,
    EXPECTED_URLS,
    build_fixture_staging,
    external_references,
)

pytestmark = [
    pytest.mark.quarto,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("quarto") is None,
        reason="quarto binary not on PATH — install from quarto.org or `pip install quarto-cli`",
    ),
]

FORBIDDEN_HOSTS = ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr", "unpkg.com",
                   "cdnjs.cloudflare.com", "mathjax", "polyfill.io", "googletagmanager")


@pytest.fixture(scope="module")
def quarto_site(tmp_path_factory):
    from cchc.render import render

    tmp = tmp_path_factory.mktemp("quarto")
    staging = build_fixture_staging(tmp / "staging")
    result = render(staging, tmp / "site", renderer="quarto")
    return tmp / "site", result


def test_quarto_urls(quarto_site):
    site, result = quarto_site
    assert result.renderer_name == "quarto"
    for url in EXPECTED_URLS:
        assert (site / url).is_file(), url
    assert not (site / "notebooks").exists(), "unexecuted notebooks must never be rendered"
    assert (site / "data" / "2026Q3" / "indicators.json").is_file()
    assert (site / "assets" / "site.css").is_file()


def test_quarto_no_other_host(quarto_site):
    site, _ = quarto_site
    for p in site.rglob("*"):
        if p.is_file() and p.suffix in (".html", ".css", ".js"):
            text = p.read_text(encoding="utf-8", errors="replace").lower()
            for host in FORBIDDEN_HOSTS:
                assert host not in text, f"{p.relative_to(site)} references {host}"
    pages_only = [b for b in external_references(site) if not b.startswith("site_libs/")]
    assert pages_only == []


def test_quarto_pages(quarto_site):
    site, _ = quarto_site
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        prefix = "../" * url.count("/")
        assert 'lang="vi"' in html
        assert "Cải cách hành chính phường Chơn Thành" in html
        assert "Quý III/2026" in html
        for marker in ("CODE_INPUT_MARKER", "PARAMETERS_CELL_MARKER", "INJECTED_CELL_MARKER",
                       "INJECTED_OUTPUT_MARKER"):
            assert marker not in html, (url, marker)
        assert 'class="cchc-banner"' in html
        assert f'action="{prefix}tim-kiem.html"' in html, url
        assert not re.search(r"""\s(?:href|src|action)=["']/(?!/)""", html), url
    assert "&lt;script&gt;alert('xss')" in (site / "2026Q3" / "nhiem-vu.html").read_text(encoding="utf-8")
    assert 'class="cchc-banner"' in BANNER_HTML


def test_quarto_search_index(quarto_site):
    site, _ = quarto_site
    from cchc.render.search import read_index

    entries = {r["url"].lstrip("/"): r for r in read_index(site)}
    assert set(EXPECTED_URLS) - {"404.html", "tim-kiem.html"} <= set(entries)
    assert entries["gioi-thieu.html"]["meta"]["title"] == "Giới thiệu"
    assert (site / "pagefind" / "pagefind.js").is_file()
    # one search index only: Quarto writes its own search.json for any website
    # unless the pages say `search: false` (project metadata in _quarto.yml); that
    # file would publish every page's text a second time, outside Pagefind's rules
    assert not list(site.rglob("search.json")), sorted(p.name for p in site.iterdir())


def test_quarto_pages_load_nothing_quarto_ships(quarto_site):
    """theme: none + minimal: no Bootstrap, icons, popper/tippy or navigation
    scripts; the pages load only the site's own CSS (and the search page its
    own scripts)."""
    from html_parse import parsed

    site, _ = quarto_site
    assert not (site / "site_libs").exists(), sorted(p.name for p in (site / "site_libs").rglob("*"))
    for url in EXPECTED_URLS:
        p = parsed((site / url).read_text(encoding="utf-8"))
        loaded = sorted(posixpath.normpath(posixpath.join(posixpath.dirname(url), v))
                        for t, a, v in p.attrs if (t, a) in (("script", "src"), ("link", "href")))
        # Pagefind's pagefind.js is imported by assets/search.js, not a <script src>
        own = {"assets/site.css", "assets/components.css", "assets/favicon.svg", "assets/search.js"}
        assert set(loaded) <= own, (url, loaded)


def test_quarto_chrome_is_the_fallback_chrome(quarto_site, tmp_path):
    """Same skip link, navbar (page's own link marked), <main> and footer as the fallback."""
    from test_render import render_fixture

    site, _ = quarto_site
    fb_site, _ = render_fixture(tmp_path)

    def chrome(html: str) -> list[str]:
        header = html[html.index('<header class="site-header">'):html.index("</header>") + 9]
        footer = html[html.index('<footer class="site-footer">'):html.index("</footer>") + 9]
        # Quarto writes links from a root page as "./x.html"
        return [" ".join(part.replace('href="./', 'href="').split()) for part in (header, footer)]

    for url in EXPECTED_URLS:
        q = (site / url).read_text(encoding="utf-8")
        f = (fb_site / url).read_text(encoding="utf-8")
        assert '<a class="skip-link" href="#main">' in q and '<main id="main"' in q, url
        assert q.count("<h1") == 1, url
        assert '<body class="cchc-page">' in q, url
        qh, qf = chrome(q)
        fh, ff = chrome(f)
        assert qf == ff, url
        # the fallback also marks the menu holding the current page
        assert qh == fh.replace('<details class="has-current">', "<details>"), url
    assert 'href="../2026Q3/index.html" aria-current="page">Quý III/2026</a>' in (
        site / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link href="(\./)?assets/favicon.svg" rel="icon"',
                     (site / "index.html").read_text(encoding="utf-8"))


def test_quarto_pages_say_who_rendered_them(quarto_site):
    """The generator tag tells a Quarto page from a fallback one (the browser
    suite and the parity test rely on it)."""
    site, _ = quarto_site
    for url in EXPECTED_URLS:
        assert re.search(r'<meta name="generator" content="quarto-1\.\d+', (site / url).read_text(encoding="utf-8")), url
