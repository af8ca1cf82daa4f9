"""Spell out abbreviations on their first use on each page.

The expansions are data (``cchc/contract/abbreviations.yaml``). In the page's
``<main>``, text outside tags (not inside ``script``, ``style``, ``svg``,
``code``, ``pre``) is scanned in order; the first use of each abbreviation
becomes "thủ tục hành chính (TTHC)", unless the text there already reads
"… thủ tục hành chính (TTHC)" or "TTHC (…)". Names from the plan, the data
and the staff's texts keep their words; only the first use gains its
expansion. Shared by both renderers (:func:`cchc.render.finish_page`).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import yaml


_SKIP = ("script", "style", "svg", "code", "pre", "title")
_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>|<!--.*?-->", re.S)


@lru_cache(maxsize=None)
def abbreviations() -> dict[str, str]:
    with resources.files("cchc.contract").joinpath("abbreviations.yaml").open(encoding="utf-8") as f:
        return {str(k): str(v) for k, v in yaml.safe_load(f).items()}


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[str, str, re.Pattern], ...]:
    """(abbreviation, expansion, the abbreviation as a whole word), compiled once."""
    return tuple((abbr, long, re.compile(rf"(?<![\w&]){re.escape(abbr)}(?!\w)"))
                 for abbr, long in abbreviations().items())


def _expand_text(text: str, seen: set[str]) -> str:
    for abbr, long, pattern in _patterns():
        if abbr in seen or abbr not in text:  # the substring test first: most text has no abbreviation
            continue
        m = pattern.search(text)
        if not m:
            continue
        seen.add(abbr)
        before, after = text[:m.start()], text[m.end():]
        if (before.endswith("(") and long.lower() in before[-len(long) - 3:].lower()) or after.startswith(" ("):
            continue
        words = long[:1].upper() + long[1:] if not before.strip() or before.rstrip().endswith((".", ":", "—")) \
            else long
        text = f"{before}{words} ({abbr}){after}"
    return text


def expand_html(html: str) -> str:
    """The page with the first use of each abbreviation in ``<main>`` spelled out."""
    start = re.search(r"<main\b[^>]*>", html)
    end = html.rfind("</main>")
    if not start or end < start.end():
        return html
    body = html[start.end():end]
    out, pos, depth, seen = [], 0, 0, set()
    for m in _TOKEN.finditer(body):
        chunk = body[pos:m.start()]
        out.append(chunk if depth else _expand_text(chunk, seen))
        out.append(m.group(0))
        name = (m.group(2) or "").lower()
        if name in _SKIP and not m.group(3):
            depth += -1 if m.group(1) else 1
            depth = max(depth, 0)
        pos = m.end()
    tail = body[pos:]
    out.append(tail if depth else _expand_text(tail, seen))
    return html[:start.end()] + "".join(out) + html[end:]
