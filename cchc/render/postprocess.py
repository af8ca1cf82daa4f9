"""Post-processing shared by both renderers.

* :func:`localize_html` — site-root links (``href="/tim-kiem.html"``,
  ``action="/tim-kiem.html"``), which is how shared includes such as
  ``_partials/banner.html`` must link to site pages, are rewritten relative to
  each page (``tim-kiem.html`` at the root, ``../tim-kiem.html`` one folder
  down) so the site works from ``file://`` and under any URL prefix.
* :func:`mark_current_nav` — in the site navbar (``<nav class="site-nav">``,
  cchc/templates/chrome.html.j2), the link to the page itself gets
  ``aria-current="page"``. The fallback writes it while laying out each page;
  under Quarto the navbar is one template partial shared by all pages.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path

# an attribute inside a tag whose quoted value starts with a single "/"
_ROOT_ATTR = re.compile(r"""(\s(?:href|src|action|poster)\s*=\s*)(["'])/(?!/)([^"']*)\2""", re.I)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")

_SITE_NAV = re.compile(r"""<nav class="site-nav"[^>]*>.*?</nav>""", re.S)
_A_HREF = re.compile(r"""<a\s[^>]*?href=(["'])([^"']*)\1[^>]*>""", re.I)

SKIP_DIRS = ("site_libs", "data", "assets")


def root_prefix(rel_url: str) -> str:
    """``"index.html"`` -> ``""``; ``"2026Q3/ho-so.html"`` -> ``"../"``."""
    return "../" * rel_url.count("/")


def localize_html(text: str, rel_url: str) -> str:
    prefix = root_prefix(rel_url)

    def fix_attr(m: re.Match) -> str:
        target = m.group(3) or "index.html"
        if target.startswith(("?", "#")):
            target = "index.html" + target
        return f"{m.group(1)}{m.group(2)}{prefix}{target}{m.group(2)}"

    return _TAG.sub(lambda t: _ROOT_ATTR.sub(fix_attr, t.group(0)), text)


def mark_current_nav(text: str, rel_url: str) -> str:
    """``aria-current="page"`` on the site navbar's links to ``rel_url`` (relative links)."""
    base = posixpath.dirname(rel_url)

    def mark_link(a: re.Match) -> str:
        tag, href = a.group(0), a.group(2)
        if "aria-current" in tag or re.match(r"^[a-z][a-z0-9+.-]*:|^[/#]", href, re.I):
            return tag
        path = href.split("#", 1)[0].split("?", 1)[0]
        if posixpath.normpath(posixpath.join(base, path or posixpath.basename(rel_url))) != rel_url:
            return tag
        return tag[:-1] + ' aria-current="page">'

    return _SITE_NAV.sub(lambda nav: _A_HREF.sub(mark_link, nav.group(0)), text)


def html_pages(out_dir: Path) -> list[str]:
    """Site-relative URLs of the rendered pages (not libraries, downloads or assets), sorted."""
    out_dir = Path(out_dir)
    pages = []
    for p in sorted(out_dir.rglob("*.html")):
        rel = p.relative_to(out_dir).as_posix()
        if rel.split("/")[0] in SKIP_DIRS:
            continue
        pages.append(rel)
    return pages
