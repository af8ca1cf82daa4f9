"""What a notebook page receives: the computed results of its quarter (or of
the whole site), the plan, the data-quality summary and provenance.

The pipeline builds these once per build (:mod:`cchc.build.contexts`) and
pickles them for the notebooks (parameter ``context_file``). An analyst who opens a notebook in Jupyter
without a context file gets the same objects computed from ``data_dir``
(:func:`cchc.pages.quarter_context`, :func:`cchc.pages.site_context`).
"""
from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Manifest, Plan


@dataclass
class QuarterContext:
    quarter: str
    manifest: Manifest
    results: Any  # cchc.indicators.QuarterResults
    previous: Any | None  # QuarterResults of the previous published quarter, if any
    quality: dict
    plan: Plan
    quarters: list[str]
    quarter_pages: list[dict]
    commit: str
    commentary: Any | None = None  # cchc.commentary.Commentary of the quarter (nhan_xet.md)
    plan_note: str = ""  # non-empty when another plan than the committed one was chosen (--plan)
    revisions: Any = None  # DataFrame: revisions of this quarter's figures (cchc/revisions.py)


@dataclass
class SiteContext:
    quarters: list[str]
    manifests: dict[str, Manifest]
    results: dict[str, Any]
    quality: dict[str, dict]
    plan: Plan
    quarter_pages: list[dict]
    commit: str
    failed: dict[str, str] = field(default_factory=dict)  # held-back quarter -> public reason (words, no paths)
    contact: dict | None = None  # data/lien_he.yml (cchc.pages_status.load_contact)
    plan_note: str = ""
    revisions: Any = None  # DataFrame: the cumulative corrections log (cchc/revisions.py)
    row_changes: Any = None  # DataFrame: counts of rows later files changed

    @property
    def latest(self) -> str | None:
        return self.quarters[-1] if self.quarters else None


def save(obj, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)


def load(path) -> Any:
    with open(path, "rb") as f:
        return pickle.load(f)
