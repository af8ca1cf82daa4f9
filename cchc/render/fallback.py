"""The fallback renderer: the staged Quarto project rendered without Quarto.

Built from real tools only — nbconvert (``HTMLExporter`` with the output-only
template ``cchc/templates/nbconvert/cchc_body``) for executed notebooks and
pandoc (through pypandoc-binary) for ``.qmd``/``.md`` pages and markdown cells;
the page layout is the Jinja template ``cchc/templates/page.html.j2``.

It reads the same staged ``_quarto.yml`` as ``quarto render`` (website title,
navbar with menus, page footer, ``format.html.css``, ``include-before-body``,
``project.render`` patterns, ``project.resources``) and produces the same page
URLs (``x.ipynb`` / ``x.qmd`` -> ``x.html``, subfolders kept). Output is
deterministic: the same staging gives byte-identical files.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import posixpath
import re
import shutil
from pathlib import Path

import jinja2
import nbformat
import pypandoc
import yaml
from markupsafe import Markup
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters import DataTypeFilter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from cchc.render.config import (
    NavItem,
    SiteConfig,
    is_external,
    load_site_config,
    render_targets,
    resource_files,
    source_to_url,
)
from cchc.textstore import kept_text

log = logging.getLogger("cchc.render")

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REMOVE_CELL_TAGS = {"parameters", "injected-parameters", "remove-cell"}
DISPLAY_PRIORITY = [
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/plain",
]
PANDOC_ARGS = ["--wrap=none", "--syntax-highlighting=none"]
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_CELL_OPTION = re.compile(r"^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$")


class FallbackError(RuntimeError):
    pass


# A Markdown text that is exactly one fenced raw HTML block (what cchc.html.Html
# and cchc.charts.Figure display, see cchc.html.raw_html_block).
_RAW_HTML_BLOCK = re.compile(r"\A(`{3,})\{=html\}[ \t]*\n(.*)\n\1[ \t]*\n?\Z", re.S)


def raw_html_content(text: str) -> str | None:
    """The HTML inside ``text`` when ``text`` is a single raw HTML block whose
    fence occurs nowhere inside it, else ``None``. Pandoc copies such a block
    verbatim, so this is exactly what :func:`md2html` gives for it, without
    starting a pandoc process for each of the site's few hundred outputs."""
    m = _RAW_HTML_BLOCK.match(text)
    if not m or m.group(1) in m.group(2):
        return None
    return m.group(2)


@functools.lru_cache(maxsize=512)
def md2html(text: str) -> str:
    """Pandoc markdown (Quarto's dialect, minus Quarto's own filters) to an HTML fragment."""
    if not text or not text.strip():
        return ""
    raw = raw_html_content(text)
    if raw is not None:
        return raw.strip()
    return pypandoc.convert_text(text, "html5", format="markdown", extra_args=PANDOC_ARGS).strip()


def md2html_inline(text: str) -> str:
    html = md2html(text)
    m = re.fullmatch(r"<p>(.*)</p>", html, re.S)
    return m.group(1) if m else html


def split_front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    meta = yaml.safe_load(m.group(1)) or {}
    if not isinstance(meta, dict):
        meta = {}
    return meta, text[m.end():]


# ---------------------------------------------------------------- notebooks via nbconvert
class _BodyExporter(HTMLExporter):
    """HTMLExporter rendering the output-only body template.

    ``HTMLExporter.from_notebook_node`` re-serialises its result through
    BeautifulSoup (which lower-cases SVG attributes such as ``viewBox``) and
    injects English alt texts; the outputs here are already final HTML, so the
    template result is returned as is.
    """

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        self.register_filter("filter_data_type", DataTypeFilter(parent=self))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.lru_cache(maxsize=1)
def _exporter() -> _BodyExporter:
    c = Config()
    c.NbConvertBase.display_data_priority = DISPLAY_PRIORITY
    exp = _BodyExporter(
        config=c,
        template_name="cchc_body",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_anchor_links=True,
    )
    exp.register_filter("md2html", md2html)
    exp.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags=REMOVE_CELL_TAGS,
            remove_input_tags={"remove-input"},
            remove_all_outputs_tags={"remove-output"},
            enabled=True,
        ),
        enabled=True,
    )
    return exp


def _cell_options(source: str) -> dict:
    """Quarto cell options (``#| include: false``) at the top of a code cell."""
    opts = {}
    for line in source.splitlines():
        m = _CELL_OPTION.match(line)
        if not m:
            break
        try:
            opts[m.group(1)] = yaml.safe_load(m.group(2))
        except yaml.YAMLError:
            opts[m.group(1)] = m.group(2)
    return opts


def notebook_page(path: Path) -> tuple[dict, str]:
    """(front matter, body HTML) of an executed notebook."""
    nb = nbformat.read(str(path), as_version=4)
    meta: dict = {}
    cells = []
    for i, cell in enumerate(nb.cells):
        if i == 0 and cell.cell_type == "raw":
            fm, rest = split_front_matter(cell.source)
            if fm or not rest.strip():
                meta = fm
                continue
        if cell.cell_type == "code":
            opts = _cell_options(cell.source)
            if opts.get("include") is False:
                continue
            if opts.get("output") is False:
                cell.outputs = []
        cells.append(cell)
    nb.cells = cells
    body, _ = _exporter().from_notebook_node(nb)
    return meta, body.strip()


def markdown_page(path: Path) -> tuple[dict, str]:
    meta, text = split_front_matter(path.read_text(encoding="utf-8"))
    return meta, md2html(text)


# ---------------------------------------------------------------- layout
@functools.lru_cache(maxsize=1)
def jinja_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=False,
        lstrip_blocks=False,
    )


def _rel(root: str, href: str) -> str:
    return href if is_external(href) else root + href.lstrip("/")


def nav_context(items: list[NavItem], root: str, url: str) -> list[dict]:
    """Navbar items for chrome.html.j2, links prefixed with ``root`` ("../",
    or "/" for links from the site root); ``current`` marks ``url``."""
    out = []
    for it in items:
        if it.menu or it.href is None:
            menu = [
                {"text": m.text, "url": _rel(root, m.href), "current": m.href == url}
                for m in it.menu
                if m.href
            ]
            if menu:
                out.append({"text": it.text, "menu": menu, "url": None,
                            "current": any(m["current"] for m in menu)})
        else:
            out.append({"text": it.text, "menu": [], "url": _rel(root, it.href),
                        "current": it.href == url})
    return out


def _read_includes(cfg: SiteConfig, paths: list[str]) -> list:
    blocks = []
    for p in paths:
        f = cfg.root / p
        if not f.is_file():
            raise FallbackError(f"include file not found: {p} (declared in _quarto.yml)")
        blocks.append(Markup(f.read_text(encoding="utf-8").strip()))
    return blocks


def _icon_type(path: str) -> str:
    """The ``type`` of a ``<link rel="icon">``, as Quarto writes it."""
    return {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon"}.get(
        posixpath.splitext(path)[1].lower(), "image/x-icon")


def _as_text(v) -> str:
    if v is None:
        return ""
    return str(v).strip()


def footer_context(cfg: SiteConfig) -> list[dict]:
    """``website.page-footer`` parts (Markdown) for chrome.html.j2."""
    return [
        {"side": side, "html": Markup(md2html_inline(cfg.footer[side]))}
        for side in ("left", "center", "right")
        if side in cfg.footer
    ]


def render_page(cfg: SiteConfig, src: str, includes: dict) -> tuple[str, str]:
    """Render one source file; returns (url, html)."""
    url = source_to_url(src)
    path = cfg.root / src
    if src.endswith(".ipynb"):
        meta, body = notebook_page(path)
    else:
        meta, body = markdown_page(path)
    root = "../" * url.count("/")
    title = _as_text(meta.get("title")) or posixpath.splitext(posixpath.basename(url))[0]
    nav = nav_context(cfg.nav_left + cfg.nav_right, root, url)
    html = jinja_env().get_template("page.html.j2").render(
        lang=_as_text(meta.get("lang")) or cfg.lang,
        site_title=cfg.title,
        page_title=title,
        description=_as_text(meta.get("description")),
        css=[_rel(root, c) for c in cfg.css],
        favicon=_rel(root, cfg.favicon) if cfg.favicon else None,
        favicon_type=_icon_type(cfg.favicon) if cfg.favicon else None,
        root=root,
        nav=nav,
        before_body=includes["before"],
        after_body=includes["after"],
        body=Markup(body),
        footer=footer_context(cfg),
    )
    return url, html


def render_fallback(staging: Path, out_dir: Path, page_cache: tuple[Path, str] | None = None) -> list[str]:
    """Render the staged project into ``out_dir``; returns the page URLs (sorted).

    ``page_cache`` = (folder, salt): each page's HTML is kept in ``folder``
    under a digest of everything it is made from — the salt (the caller's
    code, templates included), the versions of nbconvert and pandoc, the
    staged ``_quarto.yml``, the included partials, the source's path and its
    bytes — so a page whose notebook did not change is not rendered again.
    """
    staging, out_dir = Path(staging), Path(out_dir)
    cfg = load_site_config(staging)
    targets = render_targets(cfg)
    if not targets:
        raise FallbackError(f"no render targets in {staging} (project.render: {cfg.render_patterns})")
    includes = {
        "before": _read_includes(cfg, cfg.include_before_body),
        "after": _read_includes(cfg, cfg.include_after_body),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    base = _page_cache_base(cfg, includes, page_cache)
    for src in targets:
        url, html = _cached_page(cfg, src, includes, page_cache, base)
        dest = out_dir / url
        dest.parent.mkdir(parents=True, exist_ok=True)
        with open(dest, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
        pages.append(url)
        log.debug("fallback: %s -> %s", src, url)
    for rel in resource_files(cfg):
        dest = out_dir / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cfg.root / rel, dest)
    return sorted(pages)


def _page_cache_base(cfg: SiteConfig, includes: dict, page_cache) -> str:
    if page_cache is None:
        return ""
    import nbconvert

    h = hashlib.sha256()
    for part in (page_cache[1], nbconvert.__version__, pypandoc.get_pandoc_version(), includes["before"],
                 includes["after"]):
        h.update(str(part).encode("utf-8") + b"\0")
    h.update((cfg.root / "_quarto.yml").read_bytes())
    return h.hexdigest()


def _cached_page(cfg: SiteConfig, src: str, includes: dict, page_cache, base: str) -> tuple[str, str]:
    """:func:`render_page`, or its earlier result for exactly the same inputs."""
    if page_cache is None:
        return render_page(cfg, src, includes)
    h = hashlib.sha256(base.encode() + b"\0" + src.encode("utf-8") + b"\0")
    h.update((cfg.root / src).read_bytes())
    key = h.hexdigest()
    url = source_to_url(src)
    html = kept_text(Path(page_cache[0]) / key[:2] / f"{key}.html", lambda: render_page(cfg, src, includes)[1])
    return url, html
