"""The rendering layer with the fallback renderer (fast, no browser, no quarto).

The helpers at the top build a tiny staging project exactly as the pipeline
lays it out; tests/test_quarto.py and tests/browser/conftest.py reuse them.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import (
    new_code_cell,
    new_markdown_cell,
    new_notebook,
    new_output,
    new_raw_cell,
)

from cchc.html import raw_html_block
from cchc.render import RenderError, RenderResult, render, with_quarters, write_search_index
from cchc.render.search import indicator_records, read_index
from cchc.render.config import load_site_config, render_targets

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- fixture staging
FIXTURE_QUARTERS = ["2026Q2", "2026Q3"]
FIXTURE_PAGES = {
    # url: (title, html body)
    "index.html": ("Trang chủ", None),
    "xu-huong.html": ("Xu hướng", None),
    "phuong-phap.html": ("Phương pháp", None),
    "du-lieu-mo.html": ("Dữ liệu mở", None),
    "2026Q3/index.html": ("Tổng quan Quý III/2026", None),
    "2026Q3/nhiem-vu.html": ("Nhiệm vụ Quý III/2026", None),
    "2026Q2/index.html": ("Tổng quan Quý II/2026", None),
}
EXPECTED_URLS = sorted(list(FIXTURE_PAGES) + ["gioi-thieu.html", "tim-kiem.html"])

XSS_NOTE_HTML = "<p class=\"task-note\">&lt;script&gt;alert('xss')&lt;/script&gt; Đã gửi báo cáo</p>"
SCORECARD_HTML = (
    '<div class="table-scroll" role="region" aria-label="Bảng chỉ số" tabindex="0">'
    "<table><caption>Chỉ số chính</caption>"
    "<thead><tr><th scope=\"col\">Chỉ số</th><th scope=\"col\">Lũy kế năm</th></tr></thead>"
    "<tbody><tr><th scope=\"row\">Hồ sơ đúng hạn</th>"
    '<td data-indicator="on_time" data-period="ytd" data-value="97.46">97,5%</td></tr></tbody>'
    "</table></div>"
)
SVG_HTML = (
    '<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 20" role="img" '
    'aria-labelledby="t1"><title id="t1">Biểu đồ thử</title><rect width="50" height="20"/></svg>'
    "<figcaption>Biểu đồ thử</figcaption></figure>"
)
BANNER_HTML = (
    '<section class="cchc-banner" aria-label="Thông tin về dữ liệu">'
    '<p class="sample-banner"><strong>Dữ liệu mẫu</strong> — số liệu minh họa.</p>'
    '<p class="provenance">Cập nhật từ dữ liệu xuất ngày 21/11/2026.</p>'
    '<form role="search" action="/tim-kiem.html" method="get">'
    '<label for="site-q">Tìm trong trang</label> '
    '<input id="site-q" name="q" type="search"> <button type="submit">Tìm</button></form>'
    "</section>"
)


def fixture_notebook(title: str, description: str, quarter: str, extra_html: list[str]) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    cells = [
        new_raw_cell(f'---\ntitle: "{title}"\ndescription: "{description}"\n---'),
        # the pipeline hides both parameter cells with "#| include: false"
        # (cchc.build.set_front_matter), which Quarto obeys
        new_code_cell('#| include: false\nquarter = "2026Q1"  # PARAMETERS_CELL_MARKER',
                      metadata={"tags": ["parameters"]}),
        new_code_cell(
            f'#| include: false\n# Parameters\nquarter = "{quarter}"  # INJECTED_CELL_MARKER',
            metadata={"tags": ["injected-parameters"]},
            outputs=[new_output("stream", name="stdout", text="INJECTED_OUTPUT_MARKER\n")],
        ),
        new_markdown_cell("## Ghi chú\n\nMột đoạn *markdown* của trang."),
    ]
    for i, html in enumerate(extra_html):
        # what display(cchc.html.Html(...)) puts in a notebook: a raw HTML block
        # as text/markdown, never text/html (see cchc.html)
        cells.append(
            new_code_cell(
                f"display(Html(block_{i}))  # CODE_INPUT_MARKER",
                outputs=[new_output("display_data", data={
                    "text/markdown": raw_html_block(html),
                    "text/plain": "Html('…')",
                })],
            )
        )
    cells.append(new_code_cell(
        "print(n)  # CODE_INPUT_MARKER",
        outputs=[
            new_output("stream", name="stdout", text="Số hồ sơ: 1.250 <b>không đậm</b>\n"),
            new_output("stream", name="stderr", text="STDERR_WARNING_MARKER\n"),
        ],
    ))
    cells.append(new_code_cell(
        "n  # CODE_INPUT_MARKER",
        outputs=[new_output("execute_result", data={"text/plain": "1250 & <i>plain</i>"}, execution_count=3)],
    ))
    nb.cells = cells
    return nb


def build_fixture_staging(dest: Path) -> Path:
    """A staging project laid out as the pipeline does (see cchc/render/__init__.py)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    cfg = with_quarters(cfg, FIXTURE_QUARTERS)
    (dest / "_quarto.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False),
                                      encoding="utf-8")
    for qmd in sorted((REPO / "pages").glob("*.qmd")):
        shutil.copyfile(qmd, dest / qmd.name)
    shutil.copytree(REPO / "assets", dest / "assets", dirs_exist_ok=True)
    if not (dest / "assets" / "components.css").exists():
        (dest / "assets" / "components.css").write_text("/* placeholder for the fixture */\n")
    (dest / "_partials").mkdir(exist_ok=True)
    (dest / "_partials" / "banner.html").write_text(BANNER_HTML + "\n", encoding="utf-8")
    for url, (title, _) in FIXTURE_PAGES.items():
        src = dest / (url[:-5] + ".ipynb")
        src.parent.mkdir(parents=True, exist_ok=True)
        quarter = url.split("/")[0] if "/" in url else "2026Q3"
        extra = [SCORECARD_HTML, SVG_HTML]
        if url == "2026Q3/nhiem-vu.html":
            extra.append(XSS_NOTE_HTML)
        nbformat.write(fixture_notebook(title, f"Mô tả trang {title}", quarter, extra), str(src))
    # things that must NOT become pages
    (dest / "notebooks").mkdir(exist_ok=True)
    nbformat.write(fixture_notebook("Bản nháp chưa chạy", "x", "2026Q3", []),
                   str(dest / "notebooks" / "tong-quan.ipynb"))
    (dest / "README.md").write_text("# staging\n", encoding="utf-8")
    # downloads
    (dest / "data" / "2026Q3").mkdir(parents=True, exist_ok=True)
    (dest / "data" / "2026Q3" / "indicators.json").write_text(json.dumps(
        [{"id": "on_time", "period": "ytd", "value": 97.46}], ensure_ascii=False), encoding="utf-8")
    (dest / "data" / "2026Q3" / "indicators.csv").write_text("id,period,value\non_time,ytd,97.46\n",
                                                            encoding="utf-8")
    return dest


def render_fixture(tmp_path: Path, renderer: str = "fallback") -> tuple[Path, RenderResult]:
    staging = build_fixture_staging(tmp_path / "staging")
    out = tmp_path / "site"
    result = render(staging, out, renderer=renderer)
    return out, result


# namespace declarations, and the dummy base Pagefind's bundle parses relative URLs
# against (``new URL(`https://example.com${path}`)``: no request is made)
ALLOWED_HTTP = re.compile(r"""xmlns(?::\w+)?=["']https?://[^"']*["']|new URL\(`https://example\.com\$\{""")
HTTP = re.compile(r"https?://", re.I)


def external_references(site: Path) -> list[str]:
    """``http(s)://`` occurrences in produced HTML/CSS/JS, except namespace declarations."""
    bad = []
    for p in sorted(site.rglob("*")):
        if p.suffix.lower() not in (".html", ".css", ".js") or not p.is_file():
            continue
        text = ALLOWED_HTTP.sub("", p.read_text(encoding="utf-8", errors="replace"))
        for m in HTTP.finditer(text):
            bad.append(f"{p.relative_to(site)}: …{text[max(0, m.start() - 60):m.end() + 60]}…")
    return bad


# ---------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("render")
    return render_fixture(tmp)


def test_fallback_produces_quarto_urls(rendered):
    site, result = rendered
    assert result.renderer_name == "fallback"
    assert result.pages == EXPECTED_URLS
    for url in EXPECTED_URLS:
        assert (site / url).is_file(), url
    assert not (site / "notebooks").exists(), "unexecuted notebooks must never be rendered"
    assert not (site / "README.html").exists()
    assert not (site / "_partials").exists()
    assert (site / "data" / "2026Q3" / "indicators.json").is_file()
    assert (site / "assets" / "site.css").is_file()
    assert (site / "assets" / "search.js").is_file()


def test_render_targets_follow_project_render_patterns(tmp_path):
    staging = build_fixture_staging(tmp_path / "s")
    (staging / "data" / "2026Q3" / "x.ipynb").write_text("{}")  # matched by *.ipynb at any depth
    targets = render_targets(load_site_config(staging))
    assert "notebooks/tong-quan.ipynb" not in targets
    assert not any(t.startswith("_") for t in targets)
    assert "2026Q3/index.ipynb" in targets and "gioi-thieu.qmd" in targets


def test_page_shell(rendered):
    site, _ = rendered
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    site_title = cfg["website"]["title"]
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        assert html.startswith("<!doctype html>\n<html lang=\"vi\">"), url
        assert '<meta charset="utf-8">' in html
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert re.search(rf"<title>[^<]+ – {re.escape(site_title)}</title>", html), url
        assert '<a class="skip-link" href="#main">Bỏ qua điều hướng</a>' in html
        assert '<main id="main"' in html
        assert html.count("<h1") == 1, url


def test_navbar_from_quarto_yml_on_every_page(rendered):
    site, _ = rendered
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    texts = [i["text"] for i in cfg["website"]["navbar"]["left"]]
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        prefix = "../" * url.count("/")
        assert cfg["website"]["title"] in html
        for t in texts:
            assert t in html, (url, t)
        assert f'href="{prefix}xu-huong.html"' in html
        for q, label in (("2026Q3", "Quý III/2026"), ("2026Q2", "Quý II/2026")):
            link = f"{prefix}{q}/index.html"
            assert re.search(rf'href="{re.escape(link)}"( aria-current="page")?>{label}</a>', html), (url, q)
        assert "<summary>Các quý</summary>" in html
        assert f'href="{prefix}assets/site.css"' in html
        assert f'href="{prefix}assets/components.css"' in html
        footer = cfg["website"]["page-footer"]
        for part in footer.values():
            assert part.split(" — ")[0] in html


def test_current_page_is_marked(rendered):
    site, _ = rendered
    html = (site / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026Q3/index.html" aria-current="page">Quý III/2026</a>' in html
    assert '<details class="has-current">' in html


def test_no_code_input_or_parameters_shown(rendered):
    site, _ = rendered
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        for marker in ("CODE_INPUT_MARKER", "PARAMETERS_CELL_MARKER", "INJECTED_CELL_MARKER",
                       "INJECTED_OUTPUT_MARKER", "STDERR_WARNING_MARKER", "display(Html", "{=html}",
                       "IPython.core.display", "jp-", "require.js", "MathJax"):
            assert marker not in html, (url, marker)


def test_outputs_rendered(rendered):
    site, _ = rendered
    html = (site / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert 'data-indicator="on_time" data-period="ytd" data-value="97.46">97,5%</td>' in html
    assert 'viewBox="0 0 100 20"' in html, "SVG must be kept verbatim (no attribute lower-casing)"
    assert "<pre class=\"output-text\">Số hồ sơ: 1.250 &lt;b&gt;không đậm&lt;/b&gt;" in html
    assert "1250 &amp; &lt;i&gt;plain&lt;/i&gt;" in html
    assert '<h2 id="ghi-chú">Ghi chú</h2>' in html or "<h2" in html
    assert "<em>markdown</em>" in html
    assert '<p class="page-description">Mô tả trang Tổng quan Quý III/2026</p>' in html


def test_escaped_script_stays_text(rendered):
    site, _ = rendered
    html = (site / "2026Q3" / "nhiem-vu.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert('xss')&lt;/script&gt; Đã gửi báo cáo" in html
    for url in EXPECTED_URLS:
        assert "<script>alert" not in (site / url).read_text(encoding="utf-8")


def test_include_before_body_inserted_with_relative_links(rendered):
    site, _ = rendered
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        prefix = "../" * url.count("/")
        assert 'class="cchc-banner"' in html, url
        assert f'action="{prefix}tim-kiem.html"' in html, url
        assert html.index('class="cchc-banner"') < html.index('<main id="main"')
        assert not re.search(r"""\s(?:href|src|action)=["']/(?!/)""", html), url


def test_search_index(rendered):
    """Pagefind's index of the rendered fixture: every page but 404 and the
    search page, only <main> text, with kind/quarter meta."""
    site, _ = rendered
    records = read_index(site)
    by_url = {r["url"].lstrip("/"): r for r in records}
    assert sorted(by_url) == sorted(u for u in EXPECTED_URLS if u not in ("404.html", "tim-kiem.html"))
    assert by_url["2026Q3/index.html"]["meta"]["title"] == "Tổng quan Quý III/2026"
    assert by_url["2026Q3/index.html"]["meta"]["quarter"] == "2026Q3"
    assert by_url["2026Q3/index.html"]["meta"]["kind"] == "Quý III/2026"
    assert by_url["gioi-thieu.html"]["meta"]["kind"] == "Trang"
    assert "Cải cách thể chế" in by_url["gioi-thieu.html"]["content"]
    assert "<script>alert('xss')</script> Đã gửi báo cáo" in by_url["2026Q3/nhiem-vu.html"]["content"]
    assert "Bỏ qua điều hướng" not in by_url["index.html"]["content"], "only <main> text is indexed"
    assert (site / "pagefind" / "pagefind.js").is_file()
    assert not (site / "pagefind" / "pagefind-ui.js").exists(), "the unused UI bundle is removed"
    assert not (site / "search.json").exists() and not (site / "search-index.js").exists()


def test_search_page_form(rendered):
    site, _ = rendered
    html = (site / "tim-kiem.html").read_text(encoding="utf-8")
    assert 'role="search"' in html and '<label for="q">Tìm trong trang</label>' in html
    assert '<input id="q" name="q" type="search"' in html
    assert 'aria-live="polite"' in html and 'role="status"' in html
    assert '<script src="assets/search.js"></script>' in html
    js = (REPO / "assets" / "search.js").read_text(encoding="utf-8")
    assert 'import("../pagefind/pagefind.js")' in js and "http" not in js.replace("https://", "")


def test_no_other_host_referenced(rendered):
    site, _ = rendered
    assert external_references(site) == []


def test_deterministic(tmp_path):
    staging = build_fixture_staging(tmp_path / "staging")
    render(staging, tmp_path / "a", renderer="fallback")
    render(staging, tmp_path / "b", renderer="fallback")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_page_cache_renders_only_changed_pages_and_gives_the_same_site(tmp_path, monkeypatch):
    """Issue 15: with a page cache, a page whose source, configuration,
    partials and code are unchanged is taken from the cache, and a rendered
    page whose text is unchanged is not finished again (links, navbar,
    abbreviations); the site is byte for byte the one rendered without it."""
    import cchc.render as r
    from cchc.render import fallback

    staging = build_fixture_staging(tmp_path / "staging")
    render(staging, tmp_path / "plain", renderer="fallback")
    rendered, finished = [], []
    real, real_finish = fallback.render_page, r.finish_page
    monkeypatch.setattr(fallback, "render_page", lambda cfg, src, inc: rendered.append(src) or real(cfg, src, inc))
    monkeypatch.setattr(r, "finish_page", lambda html, url: finished.append(url) or real_finish(html, url))
    cache = (tmp_path / "pages", "code-1")
    render(staging, tmp_path / "a", renderer="fallback", page_cache=cache)
    n = len(rendered)
    assert n >= len(FIXTURE_PAGES) and _tree(tmp_path / "a") == _tree(tmp_path / "plain")
    assert len(finished) == len(r.html_pages(tmp_path / "plain"))
    rendered.clear()
    finished.clear()
    render(staging, tmp_path / "b", renderer="fallback", page_cache=cache)
    assert rendered == finished == [] and _tree(tmp_path / "b") == _tree(tmp_path / "plain")
    # one notebook changes: only its page is rendered and finished again
    src = staging / "2026Q3" / "nhiem-vu.ipynb"
    nb = nbformat.read(str(src), as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("Đã cập nhật thủ tục hành chính, xem /tim-kiem.html."))
    nbformat.write(nb, str(src))
    render(staging, tmp_path / "c", renderer="fallback", page_cache=cache)
    assert rendered == ["2026Q3/nhiem-vu.ipynb"] and finished == ["2026Q3/nhiem-vu.html"]
    assert "Đã cập nhật" in (tmp_path / "c" / "2026Q3" / "nhiem-vu.html").read_text(encoding="utf-8")
    render(staging, tmp_path / "uncached", renderer="fallback")
    assert _tree(tmp_path / "c") == _tree(tmp_path / "uncached")
    # the banner partial (every page) or the code (the salt) changes: every page again
    rendered.clear()
    (staging / "_partials" / "banner.html").write_text("<p>Khác</p>\n", encoding="utf-8")
    render(staging, tmp_path / "d", renderer="fallback", page_cache=cache)
    assert len(rendered) == n
    rendered.clear()
    finished.clear()
    render(staging, tmp_path / "e", renderer="fallback", page_cache=(tmp_path / "pages", "code-2"))
    assert len(rendered) == n and len(finished) == len(r.html_pages(tmp_path / "plain"))


def test_auto_without_quarto_uses_fallback_and_logs(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    staging = build_fixture_staging(tmp_path / "staging")
    with caplog.at_level(logging.INFO, logger="cchc.render"):
        result = render(staging, tmp_path / "out", renderer="auto")
    assert result.renderer_name == "fallback"
    assert any("fallback" in r.getMessage() for r in caplog.records if r.name == "cchc.render")
    with pytest.raises(RenderError, match="quarto"):
        render(staging, tmp_path / "out2", renderer="quarto")


def test_refuses_non_empty_output_dir(tmp_path):
    staging = build_fixture_staging(tmp_path / "staging")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(RenderError, match="not empty"):
        render(staging, out, renderer="fallback")


def test_missing_include_is_an_error(tmp_path):
    staging = build_fixture_staging(tmp_path / "staging")
    (staging / "_partials" / "banner.html").unlink()
    with pytest.raises(RenderError, match="banner.html"):
        render(staging, tmp_path / "out", renderer="fallback")


def test_write_search_index_standalone(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.html").write_text(
        "<html><head><title>P – Site</title></head><body><nav>NAV</nav><main>"
        "<h1>Trang P</h1><p>Nội dung &amp; <b>đậm</b></p><script>var x='SCRIPT'</script>"
        "<table><caption>Bảng</caption><tr><th>Mã</th><td>X1</td></tr></table>"
        "<div class='c-site-banner'>BANNER</div><svg><text>SVGTEXT</text></svg></main></body></html>",
        encoding="utf-8")
    stats = write_search_index(tmp_path)
    assert (stats.pages, stats.records) == (1, 0) and stats.bytes > 0
    [rec] = read_index(tmp_path)
    assert rec["url"] == "/a/p.html" and rec["meta"]["title"] == "Trang P"
    assert "Nội dung & đậm" in rec["content"] and "Mã X1" in rec["content"]
    for hidden in ("NAV", "SCRIPT", "SVGTEXT", "BANNER"):
        assert hidden not in rec["content"]


def test_postprocess_runs_beside_index_while_pagefind_indexes(tmp_path, monkeypatch):
    """Issue 15: the build's page scan runs while the Pagefind binary indexes
    (started before, waited for after); what the scan raises is raised and
    the binary is stopped."""
    import subprocess

    from cchc import render as r

    calls = []

    class Recorded(subprocess.Popen):
        def __init__(self, *a, **k):
            calls.append("pagefind started")
            super().__init__(*a, **k)

        def wait(self, *a, **k):
            calls.append("waited for")
            return super().wait(*a, **k)

        def kill(self):
            calls.append("stopped")
            super().kill()

    monkeypatch.setattr(subprocess, "Popen", Recorded)
    (tmp_path / "p.html").write_text("<html><body><main><h1>P</h1><p>Trang</p></main></body></html>",
                                     encoding="utf-8")
    r.postprocess(tmp_path, lambda: calls.append("beside"))
    assert calls[:3] == ["pagefind started", "beside", "waited for"]
    assert read_index(tmp_path)[0]["url"] == "/p.html"

    def fails():
        raise ValueError("found personal data")

    calls.clear()
    shutil.rmtree(tmp_path / "pagefind")
    with pytest.raises(ValueError, match="personal data"):
        r.postprocess(tmp_path, fails)
    assert calls[:2] == ["pagefind started", "stopped"]


def test_a_failing_pagefind_is_an_error_with_its_message(tmp_path, monkeypatch):
    """What Pagefind says when it fails ends the error (its output goes to a
    file, so that nothing blocks it while the pages are scanned)."""
    fake = tmp_path / "pagefind"
    fake.write_text("#!/bin/sh\necho 'Error: cannot read pagefind.yml' >&2\nexit 3\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(fake))
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "p.html").write_text("<html><body><main><p>Trang</p></main></body></html>",
                                              encoding="utf-8")
    with pytest.raises(RuntimeError, match="Pagefind failed to index the site: Error: cannot read pagefind.yml"):
        write_search_index(tmp_path / "site")


def test_indicator_records_from_methodology():
    html = ('<main><h2 id="tung-chi-tieu">Từng chỉ tiêu</h2><h3 id="ct-on_time">Hồ sơ đúng hạn (on_time)</h3>'
            '<table><tr><th scope="col">Mục</th><th scope="col">Nội dung</th></tr>'
            '<tr><th scope="row">Cách tính</th><td>đúng hạn ÷ trong phạm vi</td></tr></table>'
            '<h3 id="ct-x">X</h3><p>y</p><h2 id="khac">Khác</h2></main>')
    recs = indicator_records(html)
    assert [r["url"] for r in recs] == ["phuong-phap.html#ct-on_time", "phuong-phap.html#ct-x"]
    assert recs[0]["content"] == "Hồ sơ đúng hạn (on_time). Cách tính: đúng hạn ÷ trong phạm vi."
    assert recs[0]["meta"] == {"title": "Chỉ tiêu: Hồ sơ đúng hạn (on_time)", "kind": "Chỉ tiêu", "quarter": ""}


def test_with_quarters_fills_menu():
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    out = with_quarters(cfg, ["2026Q1", "2026Q3", "2026Q2"])
    item = next(i for i in out["website"]["navbar"]["left"] if i.get("text") == "Các quý")
    assert item["menu"] == [
        {"text": "Quý III/2026", "href": "2026Q3/index.html"},
        {"text": "Quý II/2026", "href": "2026Q2/index.html"},
        {"text": "Quý I/2026", "href": "2026Q1/index.html"},
    ]
    # the input is not modified
    orig = next(i for i in cfg["website"]["navbar"]["left"] if i.get("text") == "Các quý")
    assert orig["menu"] == []
    empty = with_quarters(cfg, [])
    assert not any(i.get("text") == "Các quý" for i in empty["website"]["navbar"]["left"])
    with pytest.raises(KeyError):
        with_quarters({"website": {"navbar": {"left": []}}}, ["2026Q3"])


def test_repo_quarto_yml():
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    project = cfg["project"]
    assert project["type"] == "website"
    assert project["output-dir"] == "site"
    render_list = project["render"]
    assert "!notebooks/" in render_list
    assert render_list.index("!notebooks/") > max(i for i, p in enumerate(render_list) if not p.startswith("!"))
    assert cfg["execute"]["enabled"] is False
    assert cfg["execute"]["echo"] is False
    assert cfg["website"]["search"] is False
    assert "search" not in cfg["website"]["navbar"] or cfg["website"]["navbar"]["search"] is False
    assert cfg["lang"] == "vi"
    assert sorted(project["resources"]) == ["20*Q*/*.docx", "assets/**", "data/**"]  # + the quarterly report
    html = cfg["format"]["html"]
    assert html["css"] == ["assets/site.css", "assets/components.css"]
    assert html["include-before-body"] == "_partials/banner.html"
    assert html["html-math-method"] == "plain"
    # no Bootstrap (over the page budget alone), Quarto's page scripts off,
    # the site's own page template and chrome, tables left as written
    assert html["theme"] == "none" and html["minimal"] is True
    assert html["html-table-processing"] == "none"
    from cchc.render.quarto import FOOTER_PARTIAL, HEADER_PARTIAL, PAGE_TEMPLATE
    assert html["template"] == PAGE_TEMPLATE
    assert html["template-partials"] == [HEADER_PARTIAL, FOOTER_PARTIAL]
    navbar_left = cfg["website"]["navbar"]["left"]
    assert [i["text"] for i in navbar_left] == ["Trang chủ", "Các quý", "Tra cứu thủ tục", "Xu hướng",
                                               "Phương pháp", "Dữ liệu mở", "Giới thiệu", "Tìm kiếm"]


def test_about_page_facts():
    text = (REPO / "pages" / "gioi-thieu.qmd").read_text(encoding="utf-8")
    for fact in ("76/NQ-CP", "3183/QĐ-UBND", "228/KH-UBND ngày 25/01/2026", "Số: /KH-UBND",
                 "Phòng Văn hóa – Xã hội", "Văn phòng HĐND và UBND", "Phòng Kinh tế, Hạ tầng và Đô thị",
                 "Trung tâm Phục vụ hành chính công", "Trung tâm Dịch vụ tổng hợp phường",
                 "Cổng Dịch vụ công quốc gia", "1022", "In English"):
        assert fact in text, fact
    assert not re.search(r"\b0\d{9,10}\b|@\w", text), "no phone numbers or e-mail addresses"


# ---------------------------------------------------------------- outputs, favicon
def test_raw_html_block_shortcut_is_what_pandoc_gives():
    """The fallback copies a lone raw HTML block without starting pandoc; that
    must be exactly pandoc's own result (and Quarto's, which is pandoc)."""
    import pypandoc

    from cchc import html as H
    from cchc.render.fallback import PANDOC_ARGS, md2html, raw_html_content

    samples = [SCORECARD_HTML, SVG_HTML, XSS_NOTE_HTML, "<p>a ``` b</p>\n\n<p>c</p>",
               str(H.heading("Tiêu đề `x`")), "<pre>\n  giữ   khoảng trắng\n</pre>"]
    for html in samples:
        md = raw_html_block(html)
        assert raw_html_content(md) is not None
        pandoc = pypandoc.convert_text(md, "html5", format="markdown", extra_args=PANDOC_ARGS).strip()
        assert md2html(md) == pandoc == html.strip()
    # anything else is left to pandoc
    two = raw_html_block("<p>a</p>") + "\nvăn bản\n\n" + raw_html_block("<p>b</p>")
    assert raw_html_content(two) is None
    assert md2html(two) == "<p>a</p>\n<p>văn bản</p>\n<p>b</p>"


@pytest.mark.parametrize("mime", ["text/html", "application/javascript"])
def test_widget_like_output_stops_the_render(tmp_path, mime):
    """Quarto loads require.js and jQuery from cdnjs for such an output: the
    render refuses it on both renderers, naming notebook and cell."""
    staging = build_fixture_staging(tmp_path / "staging")
    nb = nbformat.read(str(staging / "xu-huong.ipynb"), as_version=4)
    nb.cells.append(new_code_cell("df", outputs=[new_output(
        "execute_result", data={mime: "<table></table>", "text/plain": "df"}, execution_count=9)]))
    nbformat.write(nb, str(staging / "xu-huong.ipynb"))
    with pytest.raises(RenderError) as e:
        render(staging, tmp_path / "out", renderer="fallback")
    msg = str(e.value)
    assert f"xu-huong.ipynb, ô / cell {len(nb.cells)}: {mime}" in msg
    assert "require.js" in msg and "cchc.html" in msg
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_favicon_linked_on_every_page(rendered):
    site, _ = rendered
    cfg = yaml.safe_load((REPO / "_quarto.yml").read_text(encoding="utf-8"))
    icon = cfg["website"]["favicon"]
    assert (site / icon).is_file() and (REPO / icon).stat().st_size < 2000
    for url in EXPECTED_URLS:
        html = (site / url).read_text(encoding="utf-8")
        prefix = "../" * url.count("/")
        assert f'<link rel="icon" href="{prefix}{icon}" type="image/svg+xml">' in html, url
