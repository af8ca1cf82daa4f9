"""Notebook outputs that would make Quarto load scripts from another host.

Quarto (``src/core/jupyter/widgets.ts``) treats a notebook that has any
``display_data``/``execute_result`` output of type ``text/html`` or
``application/javascript`` as a "JavaScript widget" page and puts require.js
and jQuery from cdnjs.cloudflare.com into its ``<head>``; a
``application/vnd.jupyter.widget-view+json`` output adds a script from
unpkg.com as well. The site promises that nothing is loaded from another host,
so page notebooks display :class:`cchc.html.Html` and chart figures, which
show as ``text/markdown`` raw HTML blocks instead.

:func:`widget_outputs` finds the offending outputs in the staged notebooks so
that a build fails with a message naming the notebook, the cell and what to do,
on both renderers (the fallback would render the page, but the same page
built with Quarto would not keep the promise).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from cchc.render.config import SiteConfig, render_targets

WIDGET_MIME_TYPES = (
    "text/html",
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
)


@dataclass(frozen=True)
class WidgetOutput:
    notebook: str        # root-relative path in the staging project
    cell: int            # 1-based index among the notebook's cells
    mime_types: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.notebook}, ô / cell {self.cell}: {', '.join(self.mime_types)}"


def notebook_widget_outputs(path: Path, name: str | None = None) -> list[WidgetOutput]:
    nb = nbformat.read(str(path), as_version=4)
    found = []
    for i, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") not in ("display_data", "execute_result"):
                continue
            bad = tuple(m for m in WIDGET_MIME_TYPES if m in out.get("data", {}))
            if bad:
                found.append(WidgetOutput(name or path.name, i, bad))
    return found


def widget_outputs(cfg: SiteConfig) -> list[WidgetOutput]:
    """Every widget-like output in the notebooks the project renders."""
    found = []
    for src in render_targets(cfg):
        if src.endswith(".ipynb"):
            found.extend(notebook_widget_outputs(cfg.root / src, src))
    return found


def widget_outputs_message(found: list[WidgetOutput]) -> str:
    shown = "\n".join(f"  {f}" for f in found[:20])
    more = f"\n  … và {len(found) - 20} đầu ra khác / and {len(found) - 20} more" if len(found) > 20 else ""
    return (
        "Notebook có đầu ra dạng HTML/JavaScript thô; Quarto sẽ tải require.js và jQuery từ "
        "máy chủ khác cho trang đó. Hãy hiển thị nội dung bằng các hàm của cchc.html "
        "(hoặc biểu đồ của cchc.charts), không hiển thị trực tiếp bảng pandas, HTML() hay Javascript(). / "
        "Notebook outputs of type text/html or application/javascript make Quarto load require.js "
        "and jQuery from another host into the page. Display cchc.html fragments (or cchc.charts "
        "figures) instead of pandas tables, IPython HTML() or Javascript() objects.\n"
        f"{shown}{more}"
    )
