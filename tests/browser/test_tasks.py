"""The tasks page on a phone: collapsed areas, at most 6 screens tall at
375 px, filters without JavaScript (views by status and unit) and with it."""
from __future__ import annotations

import pytest

from cchc_browser_support import require_deps

PHONE = {"width": 375, "height": 667}
SCREENS = 6


@pytest.fixture
def tasks_url(built_site, site_server):
    require_deps()
    quarters = sorted(p.parent.name for p in built_site.path.glob("20*Q*/nhiem-vu.html"))
    if not quarters:
        pytest.skip("no tasks page in the site under test")
    if not (built_site.path / quarters[-1] / "nhiem-vu.html").read_text(encoding="utf-8").count("c-area"):
        pytest.skip(f"the site under test ({built_site.kind}) has no grouped activities")
    return [site_server + f"{q}/nhiem-vu.html" for q in quarters]


def test_collapsed_page_is_at_most_six_screens(browser, tasks_url):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        page = context.new_page()
        for url in tasks_url:
            page.goto(url, wait_until="load")
            height = page.evaluate("document.documentElement.scrollHeight")
            print(f"{url.rsplit('/', 2)[-2]}/nhiem-vu.html: {height} px at 375 px ({height / PHONE['height']:.1f} screens)")
            assert height <= SCREENS * PHONE["height"], (url, height)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert page.locator("details.c-area").count() == 7
            assert page.locator("details.c-area[open]").count() == 0
    finally:
        context.close()


def test_filters_with_javascript(browser, tasks_url):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(tasks_url[-1], wait_until="load")
        page.select_option("#nv-status", "hoan_thanh")
        page.wait_for_function("document.getElementById('nv-count').textContent.length > 0")
        shown = page.eval_on_selector_all("li.c-task:not([hidden])", "els => els.map(e => e.dataset.status)")
        assert shown and set(shown) == {"hoan_thanh"}
        assert page.locator("details.c-area[open]").count() >= 1
        unit = page.eval_on_selector("#nv-unit option:nth-child(2)", "o => o.value")
        page.select_option("#nv-status", "")
        page.select_option("#nv-unit", unit)
        units = page.eval_on_selector_all("li.c-task:not([hidden])", "els => els.map(e => e.dataset.unit)")
        assert units and set(units) == {unit}
    finally:
        context.close()


def test_views_without_javascript(browser, tasks_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(tasks_url[-1], wait_until="load")
        assert not page.is_visible("#nv-filter")
        page.click("#trang-thai-hoan_thanh > summary")
        link = page.locator("#trang-thai-hoan_thanh a").first
        target = link.get_attribute("href")
        link.click()
        assert page.evaluate(f"document.querySelector('{target}').closest('details').open"), target
    finally:
        context.close()
