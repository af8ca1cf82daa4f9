"""Reading the site's ``_quarto.yml`` — shared by the Quarto path and the fallback.

The staged ``_quarto.yml`` is the single description of the site: title,
navbar (with the "Các quý" menu filled by :func:`with_quarters`), page footer,
CSS, ``include-before-body``, render patterns and resources. The fallback
renderer reads the very same file through :func:`load_site_config`.
"""
from __future__ import annotations

import copy
import fnmatch
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cchc.periods import parse_quarter, quarter_label_vi

QUARTERS_MENU_TEXT = "Các quý"
SOURCE_EXTS = (".ipynb", ".qmd", ".md")
DEFAULT_RENDER = ["*.qmd", "*.ipynb", "*.md"]


def with_quarters(quarto_yml: dict, quarters: list[str]) -> dict:
    """Return a copy of the parsed ``_quarto.yml`` whose "Các quý" navbar menu
    lists one link per quarter, newest first: ``{"text": "Quý III/2026",
    "href": "2026Q3/index.html"}``.

    The menu item is found by ``text == "Các quý"`` in ``website.navbar.left``
    or ``right``. With no quarter at all, the item is removed (an empty
    dropdown is useless). Raises ``KeyError`` if the placeholder is missing.
    """
    cfg = copy.deepcopy(quarto_yml)
    qs = sorted(set(quarters), key=parse_quarter, reverse=True)
    navbar = (cfg.get("website") or {}).get("navbar") or {}
    for side in ("left", "right"):
        items = navbar.get(side) or []
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("text") == QUARTERS_MENU_TEXT:
                if qs:
                    item["menu"] = [
                        {"text": quarter_label_vi(q), "href": f"{q}/index.html"} for q in qs
                    ]
                else:
                    del items[i]
                return cfg
    raise KeyError(f'navbar item with text "{QUARTERS_MENU_TEXT}" not found in _quarto.yml')


# ---------------------------------------------------------------- navigation
@dataclass
class NavItem:
    text: str
    href: str | None = None          # site-root-relative output URL ("xu-huong.html") or external
    menu: list["NavItem"] = field(default_factory=list)

    @property
    def is_menu(self) -> bool:
        return bool(self.menu) or self.href is None


def is_external(href: str) -> bool:
    h = href.lower()
    return h.startswith(("http://", "https://", "mailto:", "tel:", "//", "#", "data:"))


def source_to_url(path: str) -> str:
    """Quarto's URL rule: ``x.ipynb``/``x.qmd``/``x.md`` -> ``x.html``; subfolders kept."""
    p = path.lstrip("/").replace("\\", "/")
    root, ext = posixpath.splitext(p)
    if ext.lower() in SOURCE_EXTS:
        return root + ".html"
    return p


def _nav_item(raw) -> NavItem:
    if isinstance(raw, str):
        url = source_to_url(raw)
        return NavItem(text=posixpath.splitext(posixpath.basename(url))[0], href=url)
    href = raw.get("href")
    if href and not is_external(href):
        href = source_to_url(href)
    text = raw.get("text") or raw.get("aria-label") or (href or "")
    menu = [_nav_item(m) for m in (raw.get("menu") or [])]
    return NavItem(text=str(text), href=href, menu=menu)


# ---------------------------------------------------------------- site config
@dataclass
class SiteConfig:
    root: Path
    raw: dict
    title: str
    lang: str
    output_dir: str
    render_patterns: list[str]
    resources: list[str]
    nav_left: list[NavItem]
    nav_right: list[NavItem]
    footer: dict[str, str]            # left/center/right -> markdown text
    css: list[str]
    include_before_body: list[str]
    include_after_body: list[str]
    favicon: str | None = None        # website.favicon, root-relative


def _as_list(v) -> list:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return list(v)
    return [v]


def load_site_config(root: Path) -> SiteConfig:
    root = Path(root)
    raw = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8")) or {}
    project = raw.get("project") or {}
    website = raw.get("website") or {}
    html = ((raw.get("format") or {}).get("html")) or {}
    if not isinstance(html, dict):
        html = {}
    navbar = website.get("navbar") or {}
    footer_raw = website.get("page-footer")
    if isinstance(footer_raw, dict):
        footer = {k: str(footer_raw[k]) for k in ("left", "center", "right") if footer_raw.get(k)}
    elif footer_raw:
        footer = {"center": str(footer_raw)}
    else:
        footer = {}
    return SiteConfig(
        root=root,
        raw=raw,
        title=str(website.get("title") or raw.get("title") or ""),
        lang=str(raw.get("lang") or "vi"),
        output_dir=str(project.get("output-dir") or "_site"),
        render_patterns=[str(p) for p in _as_list(project.get("render"))] or list(DEFAULT_RENDER),
        resources=[str(p) for p in _as_list(project.get("resources"))],
        nav_left=[_nav_item(i) for i in _as_list(navbar.get("left"))],
        nav_right=[_nav_item(i) for i in _as_list(navbar.get("right"))],
        footer=footer,
        css=[str(c) for c in _as_list(html.get("css"))],
        include_before_body=[str(c) for c in _as_list(html.get("include-before-body"))],
        include_after_body=[str(c) for c in _as_list(html.get("include-after-body"))],
        favicon=str(website["favicon"]).lstrip("/") if website.get("favicon") else None,
    )


# ---------------------------------------------------------------- render targets
def _pattern_matches(pattern: str, rel: str) -> bool:
    """gitignore-like matching, as Quarto applies ``project.render`` globs.

    A pattern without a slash (other than a trailing one) matches the file name
    (or a directory name) at any depth; one with a slash is anchored at the
    project root. ``*`` does not cross ``/``; ``**`` does. A trailing ``/``
    names a directory and matches everything beneath it.
    """
    pat = pattern.strip()
    is_dir = pat.endswith("/")
    pat = pat.strip("/")
    parts = rel.split("/")
    if is_dir:
        dirs = parts[:-1]
        if "/" in pat:
            n = pat.count("/") + 1
            return len(dirs) >= n and _glob("/".join(dirs[:n]), pat)
        return any(_glob(d, pat) for d in dirs)
    if "/" in pat:
        return _glob(rel, pat)
    return _glob(parts[-1], pat)


def _glob(path: str, pat: str) -> bool:
    # translate: ** -> any chars, * -> any chars except '/', ? -> one char except '/'
    if "**" in pat:
        return fnmatch.fnmatchcase(path, pat.replace("**", "*"))
    pp, tp = path.split("/"), pat.split("/")
    return len(pp) == len(tp) and all(fnmatch.fnmatchcase(a, b) for a, b in zip(pp, tp))


def _excluded_by_default(rel: str, output_dir: str) -> bool:
    parts = rel.split("/")
    if any(p.startswith((".", "_")) for p in parts):
        return True
    if parts[0] == output_dir.strip("/"):
        return True
    return parts[-1] in ("README.md", "README.qmd")


def render_targets(cfg: SiteConfig) -> list[str]:
    """Source files (root-relative POSIX paths) that the render patterns select, sorted."""
    positives = [p for p in cfg.render_patterns if not p.startswith("!")]
    negatives = [p[1:] for p in cfg.render_patterns if p.startswith("!")]
    out = []
    for path in sorted(cfg.root.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SOURCE_EXTS:
            continue
        rel = path.relative_to(cfg.root).as_posix()
        if _excluded_by_default(rel, cfg.output_dir):
            continue
        if any(_pattern_matches(p, rel) for p in positives) and not any(
            _pattern_matches(n, rel) for n in negatives
        ):
            out.append(rel)
    return out


def resource_files(cfg: SiteConfig) -> list[str]:
    """Files selected by ``project.resources`` globs (root-relative POSIX paths), sorted."""
    out = set()
    for pattern in cfg.resources:
        pattern = pattern.lstrip("/")
        if pattern.endswith("**"):          # Path.glob("x/**") yields only directories before 3.13
            pattern += "/*"
        for path in cfg.root.glob(pattern):
            if path.is_file():
                rel = path.relative_to(cfg.root).as_posix()
                if rel.split("/")[0] != cfg.output_dir.strip("/"):
                    out.add(rel)
    return sorted(out)
