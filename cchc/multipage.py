"""Many pages from one notebook run ("page sets").

A page-set notebook (``notebooks/pages.yml``, group ``page_sets``) runs once
and calls :func:`emit` with ``(site path, title, html)`` triples; each page
becomes one display output carrying its path and title in the output's
metadata. After execution the build calls :func:`split`, which writes one
small executed notebook per page (front matter with the title, one cell
with the page's HTML) where the renderers expect it. Executing once instead
of once per page keeps the build fast: one kernel start for ~70 pages.
"""
from __future__ import annotations

import re
from pathlib import Path

KEY = "cchc_page"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


def emit(pages) -> int:
    """Display each ``(path, title, html)`` as one output tagged for :func:`split`."""
    from IPython.display import display

    from .html import Html

    n = 0
    for path, title, html in pages:
        if not _SAFE.match(path) or ".." in path.split("/"):
            raise ValueError(f"page path {path!r} must be a relative path of [A-Za-z0-9._-] parts")
        # an Html displays as a text/markdown raw HTML block (cchc.html), never text/html
        display(Html(str(html)), metadata={KEY: {"path": path, "title": str(title)}})
        n += 1
    return n


def pages_of(nb) -> list[tuple[str, str, dict]]:
    """``(path, title, output)`` of every tagged output of an executed notebook."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get(KEY)
            if meta:
                out.append((meta["path"], meta["title"], o))
    return out


def split(executed: Path, staging: Path, front_matter) -> list[str]:
    """One notebook per emitted page under ``staging`` (``<path>.ipynb``);
    returns the paths. ``front_matter(notebook, title)`` is the build's
    (:func:`cchc.build.execute.apply_front_matter`), applied before the page
    is written."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    written = []
    for path, title, output in pages_of(nb):
        if not _SAFE.match(path) or ".." in path.split("/"):
            raise ValueError(f"page path {path!r} is not a safe relative path")
        output = nbformat.from_dict(dict(output))
        output["metadata"] = {}
        cell = nbformat.v4.new_code_cell(source="", outputs=[output])
        cell.id = "page"
        page = nbformat.v4.new_notebook(cells=[cell], metadata=nb.metadata)
        front_matter(page, title)
        dest = staging / f"{path}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(page, dest)
        written.append(path)
    return written
