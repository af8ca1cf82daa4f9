"""Post-processing shared by both renderers.

* :func:`localize_root_links` — site-root links (``href="/tim-kiem.html"``,
  ``action="/tim-kiem.html"``), which is how shared includes such as
  ``_partials/banner.html`` must link to site pages, are rewritten relative to
  each page (``tim-kiem.html`` at the root, ``../tim-kiem.html`` one folder
  down) so the site works from ``file://`` and under any URL prefix.
"""
from __future__ import annotations

import re
from pathlib import Path

# an attribute inside a tag whose quoted value starts with a single "/"
_ROOT_ATTR = re.compile(r"""(\s(?:href|src|action|poster)\s*=\s*)(["'])/(?!/)([^"']*)\2""", re.I)
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")

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


def localize_root_links(out_dir: Path) -> None:
    out_dir = Path(out_dir)
    for rel in html_pages(out_dir):
        path = out_dir / rel
        text = path.read_text(encoding="utf-8")
        new = localize_html(text, rel)
        if new != text:
            path.write_text(new, encoding="utf-8")
