"""The include-before-body of every page: the sample-data banner (written
once per build into the staged project's ``_partials/banner.html``)."""
from __future__ import annotations

from pathlib import Path

from . import html as H


def site_banner(data_dir: Path, quarters: list[str], commit: str, plan_note: str = "") -> str:
    """The include-before-body of every page: the sample-data banner while any
    published quarter is sample data, and ``plan_note`` when the build used
    another plan than the committed one (``--plan``, cchc/provenance.py), so
    that every page says it. Provenance is one line per page
    (:func:`cchc.pages.quarter_header`, :func:`cchc.pages.home_intro`), never
    repeated here (issue 11); ``commit`` stays in those lines' data attributes."""
    from .loader import read_manifest

    manifests = [read_manifest(Path(data_dir) / q / "quarter.yml") for q in quarters]
    parts = []
    if any(m.sample for m in manifests):
        parts.append(H.sample_banner("Các con số được sinh ngẫu nhiên để minh họa."))
    if plan_note:
        parts.append(H.note(plan_note, "warning"))
    return str(H.section(*parts, cls="c-site-banner")) if parts else ""
