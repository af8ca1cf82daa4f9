"""The validation gate (see docs/architecture.md).

Public API::

    validate_quarter(folder, plan_dir) -> QuarterValidation
    validate_all(data_dir, quarters, plan_dir) -> list[QuarterValidation]
    format_report(validations) -> str          # bilingual, private (terminal)
    write_report(validations, path_txt, path_json)
    quality_summary(validation) -> dict        # public: counts only
    scan_site_for_pii(site_dir) -> list[Finding]
    InvalidInput (exit_code 2)

Great Expectations is imported lazily, on the first suite run. The names
above are also loaded on first use (PEP 562): importing a light submodule
(:mod:`cchc.validation.parallel`, to start the validation helper) does not
import pandas first, so the helper starts that much sooner (issue 15).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# public name -> the submodule that defines it
_API = {
    "Failure": "core", "FileStats": "core", "InvalidInput": "core", "QuarterValidation": "core",
    "discover_quarters": "core", "validate_all": "core", "validate_quarter": "core",
    "window_parameters": "core",
    "Finding": "pii", "scan_site_for_pii": "pii",
    "format_report": "report", "quality_summary": "report", "report_dict": "report", "write_report": "report",
}
__all__ = sorted(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_API[name]}", __name__), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))


if TYPE_CHECKING:
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
