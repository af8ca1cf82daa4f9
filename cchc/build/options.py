"""Build settings, summary, errors and the paths every stage shares."""
from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("cchc.build")

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "cchc"
FINGERPRINT_FILE = ".build-fingerprint"
PAGE_SET_PREFIX = "page-set:"  # job name of a notebook that emits many pages (pages.yml page_sets)


# --------------------------------------------------------------------------- errors
class BuildError(Exception):
    """Anything that stops a build. ``exit_code`` 1 unless invalid input (2)."""

    exit_code = 1


class InvalidInputError(BuildError):
    exit_code = 2

    pass


class LockedError(BuildError):
    pass


class NotebookFailed(BuildError):
    pass


# --------------------------------------------------------------------------- options
@dataclass
class BuildOptions:
    data_dir: Path = ROOT / "data"
    site_dir: Path = ROOT / "site"
    plan: Path | None = None  # another plan than the committed data/plan, only when asked for (--plan)
    quarters: list[str] | None = None
    jobs: int = max(1, os.cpu_count() or 1)
    keep_going: bool = False
    renderer: str = "auto"
    work_dir: Path | None = None  # default: _build/ for site/, else _build-<name>/ beside the site
    cache_dir: Path = Path(os.environ.get("CCHC_CACHE_DIR", ROOT / ".cache"))
    progress: bool | None = None  # None: a bar when stderr is a terminal
    # seconds one notebook cell may run before papermill stops it (a hostile
    # input must not hang a build); CCHC_CELL_TIMEOUT overrides
    cell_timeout: int = int(os.environ.get("CCHC_CELL_TIMEOUT", "600"))

    def __post_init__(self):
        self.data_dir = Path(self.data_dir).resolve()
        self.site_dir = Path(self.site_dir).resolve()
        if self.work_dir is None:
            self.work_dir = (ROOT / "_build" if self.site_dir == (ROOT / "site").resolve()
                             else self.site_dir.parent / f"_build-{self.site_dir.name}")
        self.work_dir = Path(self.work_dir).resolve()
        self.cache_dir = Path(self.cache_dir).resolve()
        if self.plan is not None:
            self.plan = Path(self.plan).resolve()

    @property
    def plan_dir(self) -> Path:
        """The committed plan, or the one chosen with ``--plan`` (cchc/provenance.py)."""
        from ..provenance import COMMITTED_PLAN_DIR

        return self.plan if self.plan is not None else COMMITTED_PLAN_DIR

    @property
    def report_dir(self) -> Path:
        return self.work_dir / "reports"


@dataclass
class BuildSummary:
    quarters_built: list[str] = field(default_factory=list)
    quarters_failed: dict[str, str] = field(default_factory=dict)
    warnings: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    executed: int = 0
    cached: int = 0
    renderer: str = ""
    unchanged: bool = False
    report_path: Path | None = None
    reports: list[str] = field(default_factory=list)
    report_warnings: list[str] = field(default_factory=list)  # the quarterly DOCX reports (cchc.report)

    def lines(self) -> list[str]:
        out = []
        if self.quarters_built:
            out.append("Đã dựng các quý / quarters built: " + ", ".join(self.quarters_built))
        for q, why in self.quarters_failed.items():
            out.append(f"KHÔNG công bố / NOT published: {q} — {why}")
        out.append(f"Cảnh báo dữ liệu / data warnings: {self.warnings}")
        out += [f"Cảnh báo / warning: {w}" for w in self.report_warnings]
        out.append(f"Notebook đã chạy / executed: {self.executed}, dùng lại từ bộ đệm / from cache: {self.cached}")
        if self.renderer:
            out.append(f"Trình dựng trang / renderer: {self.renderer}")
        if self.unchanged:
            out.append("Không có gì thay đổi: giữ nguyên trang đã công bố / nothing changed: the published site is kept")
        out.append("Thời gian / time per stage: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items()))
        if self.report_path:
            out.append(f"Báo cáo kiểm tra dữ liệu / validation report: {self.report_path}")
        return out


class _Stages:
    """Times each stage for the summary."""

    def __init__(self, summary: BuildSummary):
        self.summary = summary

    def __call__(self, name: str):
        summary = self.summary

        class _T:
            def __enter__(self_inner):
                log.info("▶ %s", name)
                self_inner.t = time.perf_counter()

            def __exit__(self_inner, *exc):
                summary.stage_seconds[name] = summary.stage_seconds.get(name, 0.0) + time.perf_counter() - self_inner.t

        return _T()
