"""The offline search index, written after either renderer.

``search.json`` (title, url, text per page) for tools, and ``search-index.js``
(``window.CCHC_SEARCH = [...]``) for ``assets/search.js``: a page opened from
``file://`` cannot ``fetch()`` a local JSON file, but it can load a script.
Text comes from each page's ``<main>`` through :mod:`html.parser`.
"""
from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from cchc.render.postprocess import html_pages

MAX_TEXT = 6000
SKIP_TAGS = {"script", "style", "svg", "noscript", "template", "button", "form"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "param", "source", "track", "wbr"}
BLOCK = {"p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
         "section", "article", "header", "footer", "table", "ul", "ol", "dd", "dt",
         "figcaption", "caption", "pre", "blockquote", "br"}


class _PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title_tag: list[str] = []
        self.h1: list[str] = []
        self.main: list[str] = []
        self.body: list[str] = []
        self._in_title = False
        self._main_depth = 0       # >0 while inside <main>
        self._h1_done = False
        self._in_h1 = False
        self._skip = 0
        self._stack: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if tag == "br":
                self._emit(" ")
            return
        self._stack.append(tag)
        if tag == "title":
            self._in_title = True
        elif tag == "body":
            self._in_body = True
        elif tag == "main":
            self._main_depth += 1
        elif tag in SKIP_TAGS or "hidden" in dict(attrs) or dict(attrs).get("aria-hidden") == "true":
            self._skip += 1
            self._stack[-1] = tag + "#skip"
        elif tag == "h1" and self._main_depth and not self._h1_done:
            self._in_h1 = True
        if tag in BLOCK:
            self._emit(" ")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        # pop to the matching open tag (tolerates unclosed <p>, <li> …)
        for i in range(len(self._stack) - 1, -1, -1):
            name = self._stack[i].split("#")[0]
            if name == tag:
                for t in self._stack[i:]:
                    self._close(t)
                del self._stack[i:]
                break
        if tag in BLOCK:
            self._emit(" ")

    def _close(self, t: str):
        name = t.split("#")[0]
        if t.endswith("#skip"):
            self._skip -= 1
        elif name == "title":
            self._in_title = False
        elif name == "main":
            self._main_depth -= 1
        elif name == "h1" and self._in_h1:
            self._in_h1 = False
            self._h1_done = True

    def _emit(self, s: str):
        if self._skip:
            return
        if self._main_depth:
            self.main.append(s)
        if self._in_body:
            self.body.append(s)

    def handle_data(self, data):
        if self._in_title:
            self.title_tag.append(data)
            return
        if self._skip:
            return
        if self._in_h1:
            self.h1.append(data)
        self._emit(data)


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


def page_entry(html: str, url: str, site_title: str | None = None) -> dict:
    p = _PageText()
    p.feed(html)
    p.close()
    title = _squash(p.h1)
    if not title:
        title = _squash(p.title_tag)
        for sep in (" – ", " - ", " | "):
            if sep in title:
                title = title.split(sep)[0].strip()
                break
    text = _squash(p.main) or _squash(p.body)
    if title and text.startswith(title):
        text = text[len(title):].strip()
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT].rsplit(" ", 1)[0] + " …"
    return {"title": title or url, "url": url, "text": text}


def build_search_index(out_dir: Path) -> list[dict]:
    out_dir = Path(out_dir)
    entries = []
    for url in html_pages(out_dir):
        if url == "404.html":
            continue
        entries.append(page_entry((out_dir / url).read_text(encoding="utf-8"), url))
    return entries


def write_search_index(out_dir: Path) -> list[dict]:
    """Write ``search.json`` and ``search-index.js`` into ``out_dir``; return the entries."""
    out_dir = Path(out_dir)
    entries = build_search_index(out_dir)
    data = json.dumps(entries, ensure_ascii=False, indent=None, separators=(",", ":"))
    (out_dir / "search.json").write_text(data + "\n", encoding="utf-8")
    # "<" escaped so no "</script>" or "<!--" sequence can ever appear in the script
    js_data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    (out_dir / "search-index.js").write_text(
        "/* Generated by cchc.render.search — the site's offline search index. */\n"
        f"window.CCHC_SEARCH = {js_data};\n",
        encoding="utf-8",
    )
    return entries
