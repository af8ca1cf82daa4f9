"""The include-before-body of every page: the sample-data banner and the
provenance of the latest data (written once per build into the staged
project's ``_partials/banner.html``)."""
from __future__ import annotations

from pathlib import Path

from . import html as H
from .periods import quarter_label_vi


def site_banner(data_dir: Path, quarters: list[str], commit: str) -> str:
    """The include-before-body of every page: the sample-data banner (while
    any published quarter is sample data) and the provenance of the latest data."""
    from .loader import read_manifest

    manifests = [read_manifest(Path(data_dir) / q / "quarter.yml") for q in quarters]
    latest = manifests[-1]
    parts = []
    if any(m.sample for m in manifests):
        parts.append(H.sample_banner("Các con số trên trang này được sinh ngẫu nhiên để minh họa cách trang hoạt "
                                     "động."))
    parts.append(H.paragraph(f"Số liệu mới nhất: {quarter_label_vi(latest.quarter)}"))
    parts.append(H.provenance(latest.exported_at, "provisional" if latest.cutoff else "final", latest.cutoff,
                              commit))
    return str(H.section(*parts, cls="c-site-banner"))
