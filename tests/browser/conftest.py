"""pytest wiring of the browser tests; see cchc_browser_support.py for the details."""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from cchc_browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    BuiltSite,
    built_site_for,
    missing_deps,
    require_deps,
)


def pytest_generate_tests(metafunc):
    if "page_url" not in metafunc.fixturenames:
        return
    if missing_deps():
        metafunc.parametrize("page_url", ["(browser dependencies missing)"])
        return
    pages = built_site_for(metafunc.config).pages()
    metafunc.parametrize("page_url", pages)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def built_site(request) -> BuiltSite:
    require_deps()
    return built_site_for(request.config)


# ---------------------------------------------------------------- local server + browser
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="session")
def site_server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site.path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(built_site):
    from playwright.sync_api import sync_playwright

    # launch() gives the browser a fresh temporary user data dir of its own
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()
