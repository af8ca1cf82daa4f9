"""Browser tests of "Tra cứu thủ tục": the filter of the procedure list
(diacritics folded, domain filter, result count announced) and the page of
one procedure reached from the list."""
from __future__ import annotations

import pytest

from cchc_browser_support import require_deps


@pytest.fixture
def page(browser, site_server, built_site):
    require_deps()
    if not (built_site.path / "tra-cuu-thu-tuc.html").is_file():
        pytest.skip(f"the site under test ({built_site.kind}) has no procedure list")
    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="vi-VN")
    p = context.new_page()
    p.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site_server)
            else route.abort())
    yield p
    context.close()


def _visible_names(p) -> list[str]:
    return p.eval_on_selector_all("#tt-table tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)")


def test_filter_as_you_type_folds_diacritics(page, site_server):
    page.goto(site_server + "tra-cuu-thu-tuc.html", wait_until="load")
    total = page.locator("#tt-table tbody tr").count()
    assert total >= 60
    assert page.is_visible("#tt-q"), "the filter form is shown once JavaScript runs"
    page.fill("#tt-q", "khai sinh")                   # typed without diacritics
    page.wait_for_function("document.getElementById('tt-status').textContent.length > 0")
    names = _visible_names(page)
    assert names and all("khai sinh" in n.lower() for n in names), names
    assert any(n.startswith("Đăng ký khai sinh") for n in names), names
    assert len(names) < total
    assert f"/ {total} thủ tục" in page.text_content("#tt-status")
    page.fill("#tt-q", "chứng thực")                  # with diacritics
    page.wait_for_function("document.getElementById('tt-status').textContent.includes('/')")
    page.wait_for_timeout(300)
    names = _visible_names(page)
    assert names and all("chứng thực" in n.lower() for n in names), names


def test_domain_filter_and_link_to_procedure_page(page, site_server):
    page.goto(site_server + "tra-cuu-thu-tuc.html", wait_until="load")
    page.select_option("#tt-domain", label="Hộ tịch")
    page.wait_for_function("document.getElementById('tt-status').textContent.length > 0")
    shown = page.eval_on_selector_all("#tt-table tbody tr:not([hidden]) td:first-of-type",
                                      "els => els.map(e => e.textContent)")
    assert shown and set(shown) == {"Hộ tịch"}
    page.locator("#tt-table tbody tr:not([hidden]) th a").first.click()
    page.wait_for_load_state("load")
    assert "/thu-tuc/" in page.url
    assert page.locator("text=Cổng Dịch vụ công quốc gia").count() >= 1
    assert page.locator("#theo-quy").count() == 1


def test_list_is_complete_without_javascript(browser, site_server, built_site):
    require_deps()
    if not (built_site.path / "tra-cuu-thu-tuc.html").is_file():
        pytest.skip("no procedure list")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        p = context.new_page()
        p.goto(site_server + "tra-cuu-thu-tuc.html", wait_until="load")
        assert not p.is_visible("#tt-filter"), "the filter needs JavaScript: hidden without it"
        rows = p.locator("#tt-table tbody tr")
        assert rows.count() >= 60 and p.locator("#tt-table tbody tr[hidden]").count() == 0
    finally:
        context.close()
