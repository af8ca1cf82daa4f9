"""Staff Markdown (a section of ``nhan_xet.md``) as Word paragraphs.

The text is parsed by :func:`cchc.commentary.parse_markdown` (the site's own
rules: CommonMark, raw HTML and images off, only http(s) and in-site links)
and walked token by token into docxtpl ``RichTextParagraph`` objects that only
name the template's paragraph styles; no Word markup is ever taken from the
text:

* paragraphs -> style ``Staff Text``; headings -> a bold ``Staff Text``
  paragraph; bullet and numbered list items -> ``Staff List`` prefixed with
  "- " or "1. " (the Vietnamese administrative way of writing lists);
* ``**bold**`` / ``*italic*`` -> bold / italic runs; inline code -> plain;
* raw HTML (``<script>``, ``<b>``) stays literal text, as on the site;
* links: the text is kept; an ``http(s)`` target is written after it in
  brackets ("Cổng DVC (https://…)"), an in-site path is dropped (it means
  nothing in a Word file); a link the site refuses (``javascript:``) is not
  a link at all and stays literal text, as on the site.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from docxtpl import RichText, RichTextParagraph

from ..commentary import parse_markdown
from .docx import clean_text


def _safe_href(href: str) -> str | None:
    href = (href or "").strip()
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in ("http", "https") else None


def _inline(children, bold: bool = False) -> RichText:
    rt = RichText()
    state = {"b": bold, "i": False}
    link: list[str | None] = []
    link_text: list[str] = []

    def add(text: str) -> None:
        text = clean_text(text, strip=False).replace("\n", " ")
        if not text:
            return
        if link:
            link_text.append(text)
        rt.add(text, bold=state["b"], italic=state["i"])

    for tok in children or []:
        t = tok.type
        if t == "text" or t == "code_inline" or t == "html_inline":
            add(tok.content)
        elif t == "softbreak":
            add(" ")
        elif t == "hardbreak":
            rt.add("\n")
        elif t == "strong_open":
            state["b"] = True
        elif t == "strong_close":
            state["b"] = bold
        elif t == "em_open":
            state["i"] = True
        elif t == "em_close":
            state["i"] = False
        elif t == "link_open":
            link.append(_safe_href(tok.attrGet("href") or ""))
            link_text.clear()
        elif t == "link_close":
            href = link.pop() if link else None
            if href and "".join(link_text).strip() != href:
                rt.add(f" ({href})", bold=state["b"], italic=state["i"])
    return rt


def to_paragraphs(markdown: str, text_style: str, list_style: str) -> RichTextParagraph:
    """Word paragraphs (template style ids ``text_style``/``list_style``) for ``markdown``."""
    out = RichTextParagraph()
    tokens = parse_markdown(markdown or "")
    lists: list[list] = []  # stack of [ordered, next number]
    prefix = ""
    heading = False
    for tok in tokens:
        t = tok.type
        if t == "bullet_list_open":
            lists.append([False, 0])
        elif t == "ordered_list_open":
            lists.append([True, int(tok.attrGet("start") or 1)])
        elif t in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif t == "list_item_open":
            ordered, n = lists[-1]
            prefix = f"{n}. " if ordered else "- "
            if ordered:
                lists[-1][1] = n + 1
        elif t == "heading_open":
            heading = True
        elif t == "heading_close":
            heading = False
        elif t == "inline":
            rt = RichText()
            if prefix:
                rt.add(prefix)
            rt.add(_inline(tok.children, bold=heading))
            out.add(rt, parastyle=list_style if lists else text_style)
            prefix = ""
        elif t in ("fence", "code_block"):
            for line in tok.content.splitlines():
                if line.strip():
                    out.add(RichText(clean_text(line)), parastyle=text_style)
    return out


def is_blank(markdown: str | None) -> bool:
    """No visible text at all (missing, empty or only whitespace/comments)."""
    if markdown is None:
        return True
    return not any(tok.type in ("inline", "fence", "code_block") and tok.content.strip()
                   for tok in parse_markdown(markdown))
