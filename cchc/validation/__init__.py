"""The validation gate (see docs/architecture.md).

Public API::

    validate_quarter(folder, plan_dir) -> QuarterValidation
    validate_all(data_dir, quarters, plan_dir) -> list[QuarterValidation]
    format_report(validations) -> str          # bilingual, private (terminal)
    write_report(validations, path_txt, path_json)
    quality_summary(validation) -> dict        # public: counts only
    scan_site_for_pii(site_dir) -> list[Finding]
    InvalidInput (exit_code 2)

Great Expectations is imported lazily, on the first suite run.
"""
from .core import (
    Failure,
    FileStats,
    InvalidInput,
    QuarterValidation,
    discover_quarters,
    validate_all,
    validate_quarter,
    window_parameters,
)
from .pii import Finding, scan_site_for_pii
from .report import format_report, quality_summary, report_dict, write_report

__all__ = [
    "Failure", "FileStats", "Finding", "InvalidInput", "QuarterValidation", "discover_quarters",
    "format_report", "quality_summary", "report_dict", "scan_site_for_pii", "validate_all",
    "validate_quarter", "window_parameters", "write_report",
]
