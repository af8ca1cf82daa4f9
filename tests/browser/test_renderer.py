"""Which renderer built the site under test, and the favicon it links.

``CCHC_TEST_RENDERER=quarto`` runs the whole browser suite on the
Quarto-rendered site (see cchc_browser_support.py); these checks make sure
that the site under test really is the one asked for.
"""
from __future__ import annotations

import shutil

from cchc_browser_support import requested_renderer, require_deps


def test_site_is_rendered_by_the_requested_renderer(built_site):
    require_deps()
    if built_site.kind != "pipeline":
        return  # a given site (CCHC_TEST_SITE) or the fixture: nothing was requested
    wanted = requested_renderer()
    if wanted == "auto":
        wanted = "quarto" if shutil.which("quarto") else "fallback"
    assert built_site.renderer == wanted, f"site under test rendered by {built_site.renderer}, asked {wanted}"
    print(f"site under test: rendered by {built_site.renderer} ({built_site.path})")


def test_favicon_is_served(browser, site_server):
    """Every browser asks for an icon on its first visit: the page names a local
    one, so there is no request for a missing /favicon.ico."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_server + "index.html", wait_until="load")
        href = page.evaluate("document.querySelector('link[rel~=icon]') && document.querySelector('link[rel~=icon]').href")
        assert href and href.startswith(site_server), href
        resp = context.request.get(href)
        assert resp.status == 200 and resp.headers["content-type"].startswith("image/svg+xml"), (resp.status, resp.headers)
        assert "<svg" in resp.text()
    finally:
        context.close()
