"""The site's search index: Pagefind, run over the built HTML after either renderer.

Why Pagefind (``pagefind[bin]`` from PyPI, the binary ships inside the wheel):
it indexes static HTML at build time, splits the index into small fragments
that the browser loads only as needed (the page downloads a few tens of KB,
not the whole site's text), folds diacritics while ranking exact matches
higher, supports quoted phrases, and needs no server and no other host.

What is indexed (nothing else):

* every rendered page's ``<main>`` (404 and the search page itself excluded),
  without the site banner, provenance line, quarter navigation, scripts,
  charts' SVG and forms (:data:`EXCLUDE`); text comes only from pages that
  the build scans for personal data before publishing;
* each page carries the meta ``kind`` (``Thủ tục`` for ``thu-tuc/*``, the
  quarter label for ``<YYYYQn>/*``, else ``Trang``) and ``quarter``
  (``YYYYQn`` or empty) for ranking ties and display;
* each indicator of the methodology page (``<h3 id="ct-<id>">`` section) is
  also a record of its own (``phuong-phap.html#ct-<id>``, kind ``Chỉ tiêu``).

Ranking on top of Pagefind's (``assets/search.js``): exact phrase as typed,
then the phrase with diacritics folded, then the words scattered; within
that, the phrase in the title first; then Pagefind's score; the newest
quarter first when scores tie (within 5 %).

Output: ``<site>/pagefind/`` (the Pagefind UI bundles, unused, are removed).
Pagefind runs as its command-line binary over a temporary folder holding the
prepared documents (its Python service API waits 0.1 s per message, ~15 s
for this site).
"""
from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from pathlib import Path

from cchc.periods import is_quarter_id, quarter_label_vi
from cchc.render.postprocess import html_pages

OUTPUT_SUBDIR = "pagefind"
RECORDS_DIR = "_chi-tieu"  # where indicator records sit in the index (their meta href is the real link)
SKIP_PAGES = {"404.html", "tim-kiem.html"}
EXCLUDE = [".c-site-banner", ".c-provenance", ".c-qnav", "script", "style", "svg", "form", "noscript",
           "[hidden]", "[aria-hidden=true]", ".sr-only", "nav"]
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")

_MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.S | re.I)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
_INDICATOR = re.compile(r'<h3\b[^>]*\bid="(ct-[A-Za-z0-9_-]+)"[^>]*>(.*?)</h3>(.*?)(?=<h[23]\b|$)', re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:td|th|tr|p|li|h[1-6]|caption|div|section)>", re.I)


@dataclass
class SearchIndex:
    pages: int
    records: int
    files: int
    bytes: int


def _text(fragment: str) -> str:
    """Plain text of an HTML fragment, block ends turned into sentence breaks."""
    s = _BLOCK_END.sub(". ", fragment)
    s = htmllib.unescape(_TAG.sub(" ", s))
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"(\s*\.\s*){2,}", ". ", s)
    return s.replace(" .", ".").strip(" .")


def kind_of(url: str) -> tuple[str, str]:
    """(kind label, quarter) of a page URL."""
    first = url.split("/")[0]
    if first == "thu-tuc":
        return "Thủ tục", ""
    if is_quarter_id(first):
        return quarter_label_vi(first), first
    return "Trang", ""


_TABLE_TAGS = {"table": "div", "thead": "div", "tbody": "div", "tfoot": "div", "tr": "p", "caption": "p",
               "th": "span", "td": "span"}
_TABLE_TAG = re.compile(r"<(/?)(table|thead|tbody|tfoot|tr|caption|th|td)\b([^>]*)>", re.I)


def _readable_tables(fragment: str) -> str:
    """Tables as paragraphs of cells ("Mã thủ tục 1.001193."), so that the
    indexed text, and the snippets cut from it, read as sentences, not as
    cells run together."""
    def sub(m: re.Match) -> str:
        close, tag = m.group(1), m.group(2).lower()
        new = _TABLE_TAGS[tag]
        if close:
            return f"</{new}>"
        return f"<{new}>"
    # a space after every inline end, so that "Hồ sơ tiếp nhận</span><span>1.202" is two words
    return _TABLE_TAG.sub(sub, fragment).replace("</span>", "</span> ")


def page_document(html: str, url: str) -> str | None:
    """The HTML handed to Pagefind for one page: its ``<main>`` and meta, or None."""
    m = _MAIN.search(html)
    if not m:
        return None
    kind, quarter = kind_of(url)
    title = _TITLE.search(html)
    meta = (f'<span data-pagefind-meta="kind:{htmllib.escape(kind)}"></span>'
            f'<span data-pagefind-meta="quarter:{quarter}"></span>')
    return (f'<!DOCTYPE html><html lang="vi"><head><title>{title.group(1) if title else ""}</title></head>'
            f'<body><main data-pagefind-body>{meta}{_readable_tables(m.group(1))}</main></body></html>')


def record_document(rec: dict) -> str:
    """A record as a small document; its real address is the meta ``href``
    (``assets/search.js`` links there)."""
    e = htmllib.escape
    meta = "".join(f'<span data-pagefind-meta="{e(k)}:{e(v)}"></span>' for k, v in rec["meta"].items())
    return (f'<!DOCTYPE html><html lang="vi"><head><title>{e(rec["meta"]["title"])}</title></head><body>'
            f'<main data-pagefind-body>{meta}<span data-pagefind-meta="href:{e(rec["url"])}"></span>'
            f'<p>{e(rec["content"])}</p></main></body></html>')


_ROW = re.compile(r"<tr\b[^>]*>(.*?)</tr>", re.S | re.I)
_CELL = re.compile(r"<t([hd])\b([^>]*)>(.*?)</t[hd]>", re.S | re.I)


def indicator_records(html: str, url: str = "phuong-phap.html") -> list[dict]:
    """One record per indicator section of the methodology page: its name and
    its rows as sentences ("Cách tính: …")."""
    m = _MAIN.search(html)
    body = m.group(1) if m else html
    out = []
    for anchor, heading, rest in _INDICATOR.findall(body):
        title = _text(heading)
        rows = []
        for row in _ROW.findall(rest):
            cells = _CELL.findall(row)
            if not cells or 'scope="col"' in cells[0][1]:
                continue
            texts = [_text(c[2]) for c in cells]
            rows.append(f"{texts[0]}: {' '.join(texts[1:])}".rstrip(": ") if len(texts) > 1 else texts[0])
        content = ". ".join([title] + [r.rstrip(".") for r in rows if r]) + "."
        out.append({"url": f"{url}#{anchor}", "content": content, "language": "vi",
                    "meta": {"title": f"Chỉ tiêu: {title}", "kind": "Chỉ tiêu", "quarter": ""}})
    return out


def read_index(site_dir: Path) -> list[dict]:
    """Every record of a built Pagefind index (``url``, ``content``, ``meta``),
    decoded from its fragments: what the search can ever show (tests, audits)."""
    import gzip
    import json

    out = []
    for f in sorted((Path(site_dir) / OUTPUT_SUBDIR / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(f.read_bytes())
        if data.startswith(b"pagefind_dcd"):
            data = data[len(b"pagefind_dcd"):]
        rec = json.loads(data)
        out.append({"url": rec.get("url", ""), "content": rec.get("content", ""), "meta": rec.get("meta", {})})
    return out


def _run_pagefind(source: Path, output: Path, meanwhile=None) -> None:
    """The Pagefind binary (from the ``pagefind[bin]`` wheel) over ``source``;
    its configuration is a ``pagefind.yml`` in ``source`` (the working directory).
    The binary is run directly, found as ``python -m pagefind`` finds it
    (``PAGEFIND_BINARY_PATH``, else the extended binary, else the plain one):
    the Python wrapper's own start-up took 0,08 s of every build.
    ``meanwhile()`` runs here while the binary runs; if it raises, the
    binary is stopped."""
    import json
    import subprocess
    import tempfile

    from pagefind.service import get_executable

    exe = get_executable()
    if exe is None:
        raise RuntimeError("Không tìm thấy chương trình Pagefind (gói pagefind[bin]) / the Pagefind binary was not "
                           "found: install requirements.txt again (pagefind[bin])")
    cfg = {"site": ".", "output_path": str(output), "root_selector": "main", "exclude_selectors": EXCLUDE,
           "force_language": "vi", "keep_index_url": True, "quiet": True}
    (source / "pagefind.yml").write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    # its messages go to a file, not a pipe: a pipe nobody reads while ``meanwhile`` runs could fill and stop it
    with tempfile.TemporaryFile() as said:
        with subprocess.Popen([str(exe)], cwd=source, stdout=said, stderr=subprocess.STDOUT) as run:
            try:
                if meanwhile is not None:
                    meanwhile()
                run.wait(timeout=600)
            except BaseException:
                run.kill()
                raise
        if run.returncode != 0:
            said.seek(0)
            raise RuntimeError("Pagefind không tạo được chỉ mục tìm kiếm / Pagefind failed to index the site: "
                               + said.read().decode("utf-8", "replace").strip()[-2000:])


def _prepare(out_dir: Path, work: Path) -> tuple[int, int]:
    """Write what Pagefind indexes into ``work``: one document per page, one per indicator."""
    pages = records = 0
    for url in html_pages(out_dir):
        if url in SKIP_PAGES:
            continue
        text = (out_dir / url).read_text(encoding="utf-8")
        doc = page_document(text, url)
        if doc is None:
            continue
        dest = work / url
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(doc, encoding="utf-8")
        pages += 1
        if url == "phuong-phap.html":
            for rec in indicator_records(text, url):
                anchor = rec["url"].split("#", 1)[1]
                dest = work / RECORDS_DIR / f"{anchor}.html"
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(record_document(rec), encoding="utf-8")
                records += 1
    return pages, records


def write_search_index(out_dir: Path, meanwhile=None) -> SearchIndex:
    """Index the rendered site in ``out_dir`` into ``out_dir/pagefind/``.
    ``meanwhile()``, when given, runs while the Pagefind binary indexes (it
    runs outside Python, so the two share the machine's cores); it must not
    read ``out_dir/pagefind/``, which Pagefind is writing. What it raises
    is raised here, the binary stopped."""
    import tempfile

    out_dir = Path(out_dir)
    folder = out_dir / OUTPUT_SUBDIR
    with tempfile.TemporaryDirectory(prefix="cchc-search-") as tmp:
        pages, records = _prepare(out_dir, Path(tmp))
        _run_pagefind(Path(tmp), folder.resolve(), meanwhile)
    for name in UNUSED:
        (folder / name).unlink(missing_ok=True)
    files = [p for p in folder.rglob("*") if p.is_file()]
    return SearchIndex(pages=pages, records=records, files=len(files), bytes=sum(p.stat().st_size for p in files))
