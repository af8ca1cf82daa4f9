"""Reports of a validation run.

* :func:`format_report` — the bilingual, human-friendly text for the person
  who prepared the files (terminal and the private report file). It names
  file, column, rule, row numbers and (escaped) example values.
* :func:`write_report` — that text plus a JSON version, both PRIVATE (they
  may quote cell values; never copy them into the site).
* :func:`quality_summary` — what the public "Chất lượng dữ liệu" page and its
  machine-readable download may show: counts only, no row numbers, no values.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import contract
from .core import QuarterValidation

_LEVEL_MARK = {"error": "✗", "warning": "⚠"}


def _rows_text(f) -> str:
    if f.failed_count <= 0:
        return ""
    rows = ", ".join(str(r) for r in f.example_rows)
    if f.failed_count <= len(f.example_rows):
        return f" — {f.failed_count} dòng / rows: {rows}"
    if rows:
        return f" — {f.failed_count} dòng / rows, ví dụ / e.g.: {rows}, …"
    return ""  # a count of columns or files (personal_data_dropped, unknown_file): named in the detail


def format_failure(f, quarter: str | None = None) -> str:
    q = quarter if quarter is not None else f.quarter
    where = f"{q}/{f.file}" if q and f.file and not f.file.startswith(q) else (f.file or q)
    col = f" — cột {f.column}" if f.column else ""
    line = f"{_LEVEL_MARK.get(f.level, '?')} {where}{col}: {f.rule_vi} / {f.rule_en}"
    if f.detail_vi:
        detail = f.detail_vi if f.detail_vi == f.detail_en or not f.detail_en else f"{f.detail_vi} / {f.detail_en}"
        line += f" ({detail})"
    line += _rows_text(f)
    if f.example_rows and f.failed_count <= 0:
        line += f" — dòng / line {', '.join(str(r) for r in f.example_rows)}"
    if f.example_values:
        line += "\n    giá trị / values: " + ", ".join(f.example_values)
    return line


def format_report(validations) -> str:
    """Bilingual report of every failure, errors first, then warnings, then a summary line per quarter."""
    if isinstance(validations, QuarterValidation):
        validations = [validations]
    lines: list[str] = []
    for qv in validations:
        errs = [f for f in qv.failures if f.level == "error"]
        warns = [f for f in qv.failures if f.level == "warning"]
        for f in errs + warns:
            lines.append(format_failure(f, qv.quarter))
        status = "✓" if qv.ok else "✗"
        verdict = ("hợp lệ / valid" if qv.ok else
                   "KHÔNG hợp lệ, quý này không được cập nhật lên trang / INVALID, this quarter is not published")
        lines.append(
            f"{status} {qv.quarter}: {verdict} — {qv.checks_passed}/{qv.checks_evaluated} phép kiểm tra đạt / "
            f"checks passed; {qv.errors} lỗi / errors, {qv.warnings} cảnh báo / warnings"
        )
    return "\n".join(lines) + "\n"


def report_dict(validations) -> dict:
    """The private, machine-readable report (includes example rows and escaped values)."""
    if isinstance(validations, QuarterValidation):
        validations = [validations]
    return {
        "valid": all(qv.ok for qv in validations),
        "quarters": [
            {
                "quarter": qv.quarter,
                "ok": qv.ok,
                "errors": qv.errors,
                "warnings": qv.warnings,
                "checks_evaluated": qv.checks_evaluated,
                "checks_passed": qv.checks_passed,
                "rows_checked": qv.rows_checked,
                "parameters": qv.parameters,
                "failures": [f.private_dict() for f in qv.failures],
            }
            for qv in validations
        ],
    }


def write_report(validations, path_txt: Path, path_json: Path) -> None:
    """Write the PRIVATE report (text and JSON). Never inside the site folder."""
    path_txt, path_json = Path(path_txt), Path(path_json)
    for p in (path_txt, path_json):
        p.parent.mkdir(parents=True, exist_ok=True)
    path_txt.write_text(format_report(validations), encoding="utf-8")
    path_json.write_text(json.dumps(report_dict(validations), ensure_ascii=False, indent=2) + "\n",
                         encoding="utf-8")


# GE result keys that may hold values, indices or user text: dropped for the public version.
_RESULT_KEEP = {"element_count", "unexpected_count", "unexpected_percent", "missing_count", "missing_percent",
                "unexpected_percent_total", "unexpected_percent_nonmissing", "observed_value"}


def public_ge_result(result: dict) -> dict:
    """A GE validation result (``to_json_dict()``) with aggregate counts only."""
    out = {k: v for k, v in result.items() if k not in ("results", "meta")}
    meta = result.get("meta") or {}
    out["meta"] = {k: meta[k] for k in ("great_expectations_version", "expectation_suite_name") if k in meta}
    out["results"] = []
    for r in result.get("results", []):
        res = r.get("result") or {}
        kept = {k: v for k, v in res.items() if k in _RESULT_KEEP and (k != "observed_value" or isinstance(v, (int, float)))}
        cfg = r.get("expectation_config") or {}
        meta = cfg.get("meta") or {}
        info = r.get("exception_info") or {}
        raised = bool(info.get("raised_exception")) or any(
            isinstance(v, dict) and v.get("raised_exception") for v in info.values())
        out["results"].append({
            "success": r.get("success"),
            "expectation_config": {
                "type": cfg.get("type"),
                "kwargs": {k: v for k, v in (cfg.get("kwargs") or {}).items() if k != "batch_id"},
                "meta": {k: meta[k] for k in ("check", "column") if k in meta},
            },
            "result": kept,
            "exception_info": {"raised_exception": raised},
        })
    return json.loads(json.dumps(out, default=str))


def quality_summary(validation: QuarterValidation) -> dict:
    """For the public "Chất lượng dữ liệu" page: counts only, plain Vietnamese, no values, no rows."""
    qv = validation
    label = {}
    for name, spec in contract.inputs().items():
        label[name] = spec.get("label_vi", name)
    files = [
        {"file": s.file, "input": s.input, "label_vi": label.get(s.input, s.input), "rows_checked": s.rows,
         "checks_evaluated": s.checks_evaluated, "checks_passed": s.checks_passed}
        for s in qv.files.values()
    ]
    warnings = [f.public_dict() for f in qv.failures if f.level == "warning"]
    for w in warnings:
        w["text_vi"] = (f"{w['file']}" + (f", cột {w['column']}" if w["column"] and w["check"] != "personal_data_dropped" else "")
                        + f": {w['rule_vi']}" + (f" ({w['count']})" if w["count"] else ""))
        if w["check"] == "personal_data_dropped":
            w["column"] = None  # header names stay in the private report
    return {
        "quarter": qv.quarter,
        "ok": qv.ok,
        "files": files,
        "rows_checked": sum(s.rows for s in qv.files.values()),
        "checks_evaluated": qv.checks_evaluated,
        "checks_passed": qv.checks_passed,
        "errors": qv.errors,
        "warnings_count": qv.warnings,
        "warnings": warnings,
        "suite_parameters": dict(qv.parameters),
        "great_expectations": {file: public_ge_result(r) for file, r in qv.ge_results.items()},
    }
