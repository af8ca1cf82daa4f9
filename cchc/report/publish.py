"""The build's report step: the DOCX report of every built quarter.

Called from :func:`cchc.build._build` after the contexts are written (the same
pickled :class:`cchc.context.QuarterContext` the notebooks display, so the
report and the site share every number):

* :func:`write_reports` makes each quarter's report (cached by the context's
  digest and the package's, which covers the template) into the build's
  report folder (``_build/reports/``, where ``pipeline.py report`` writes too)
  and collects the warnings for the build summary (staff text missing);
* :func:`stage_reports` copies the reports of the quarters whose
  ``quarter.yml`` does not say ``publish_report: false`` next to the quarter's
  pages in the staging folder, so the site serves ``/<YYYYQn>/<name>.docx``
  (``_quarto.yml`` lists ``20*Q*/*.docx`` as resources) and the overview page
  links it (:func:`cchc.pages_report.report_download`).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import Report, load_staff_text, make_report, report_name, save


@dataclass
class BuiltReports:
    paths: dict[str, Path] = field(default_factory=dict)  # quarter -> file in the report folder
    published: list[str] = field(default_factory=list)    # quarters whose report goes on the site
    warnings: list[str] = field(default_factory=list)


def site_path(quarter: str) -> str:
    """Where the site serves a quarter's report (relative to the site root)."""
    return f"{quarter}/{report_name(quarter)}"


def write_reports(opts, quarters: list[str], contexts: dict, cache) -> BuiltReports:
    """The report of each quarter in ``opts.report_dir``; ``contexts`` is
    :func:`cchc.build.write_contexts`' ``{quarter: (pickle path, digest)}``."""
    from .. import context as ctx_mod
    from ..build import _sha, package_digest
    from ..loader import read_manifest

    out = BuiltReports()
    for q in quarters:
        path, digest = contexts[q]
        key = _sha("report", digest, package_digest())
        report = cache.get("reports", key)
        if report is None:
            report = make_report(ctx_mod.load(path), load_staff_text(opts.data_dir / q))
            cache.put("reports", key, report)
        out.paths[q] = save(report, opts.report_dir)
        out.warnings += report.warnings
        if read_manifest(opts.data_dir / q / "quarter.yml").publish_report:
            out.published.append(q)
    return out


def stage_reports(staging: Path, built: BuiltReports) -> list[str]:
    """Copy the published reports beside the quarters' pages in ``staging``."""
    done = []
    for q in built.published:
        dest = staging / site_path(q)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built.paths[q], dest)
        done.append(site_path(q))
    return done


__all__ = ["BuiltReports", "Report", "site_path", "stage_reports", "write_reports"]
