"""Great Expectations suites generated from the input contract.

``python -m cchc.validation.suites`` writes one GE 1.x suite per contract
input to ``expectations/<input>.json``. The JSON files are committed and
reviewed like code; ``tests/test_validation.py`` checks that they equal a fresh
regeneration, so they cannot drift from ``cchc/contract/inputs.yaml``. At
validation time the suites are read from the JSON files, not from this module.

The suites run on a *validation frame* built by :mod:`cchc.validation.core`
from a loaded :class:`cchc.model.Table`; its columns are

``<Col>``          the typed column (``Table.df``) — allowed values, ranges,
                   uniqueness, date order and date windows are checked here;
``<Col>__raw``     the raw string (``Table.raw``) of every non-text column —
                   required cells, date formats and whole numbers are checked
                   on what the user typed, not on what survived parsing;
``<Col>__given``   derived boolean: the raw cell is filled in *and* has an
                   accepted shape (matches the regex list of the column's
                   format expectation). "Parsed value is missing although the
                   cell was given in an accepted shape" is how impossible
                   dates (31/02/2026) and unrecognised codes ("abc") are found
                   without reporting the same cell twice.

Every expectation carries ``meta``: ``check`` (an id of
``cchc/contract/checks.yaml``, which gives the level and the rule text),
``column`` (the contract column named in messages) and ``uses`` (every
validation-frame column it reads; an expectation whose columns are absent is
skipped — a missing required column is reported once, by
``expect_column_to_exist``).

Quarter-dependent bounds are suite parameters (``{"$PARAMETER": ...}``),
supplied at validation time through ``batch.validate(...,
expectation_parameters=...)`` (supported by GE 1.24):

``window_start``  first day of the quarter minus two years (00:00)
``latest``        the export time of quarter.yml (``exported_at``), else the
                  last instant of the period (quarter end or provisional cut-off)
``period_end``    the last instant of the period
``deadline_max``  the last instant of the period plus one year (due dates)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .. import contract

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS_DIR = ROOT / "expectations"

# Accepted date shapes (docs/data-contract.md; the same forms as
# cchc.loader.DATE_PATTERNS, with tighter field ranges): ISO 8601 — Excel date
# cells arrive as ISO strings from the loader — and day-first d/m/yyyy with an
# optional time. Never month-first: the month field only accepts 1..12, so
# 12/31/2026 is a format error. A value of the right shape may still be an
# impossible date (31/02/2026): that is check ``date_invalid``.
_ISO_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,9})?)?"
_DMY_TIME = r"(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?"
DATE_REGEXES = [
    # 2026-07-01 | 2026-07-01 08:30 | 2026-07-01T08:30:00 | 2026-07-01T08:30:00.000+07:00 | …Z
    r"^\s*\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
    rf"(?:[T ]{_ISO_TIME}(?:\s?(?:Z|[+-]\d{{2}}(?::?\d{{2}})?))?)?\s*$",
    # 01/07/2026 | 1/7/2026 | 01/07/2026 08:30 | 01/07/2026 8:30:15
    rf"^\s*(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])/\d{{4}}(?:\s+{_DMY_TIME})?\s*$",
]
# Whole numbers as typed ("3", "03", "+3"; an Excel number cell may arrive as "3.0").
INT_REGEXES = [r"^\s*[+-]?\d{1,18}(?:\.0*)?\s*$"]

PARAMETERS = ("window_start", "latest", "period_end", "deadline_max")


def _p(name: str) -> dict:
    assert name in PARAMETERS
    return {"$PARAMETER": name}


def _meta(check: str, column: str | None, uses: list[str]) -> dict:
    return {"check": check, "column": column, "uses": uses}


# Date pairs "A >= B" per input: (A, B, check id).
DATE_ORDER = {
    "ho_so": [
        ("NgayHenTra", "NgayTiepNhan", "due_before_received"),
        ("NgayKetThucXuLy", "NgayTiepNhan", "finished_before_received"),
        ("NgayTra", "NgayTiepNhan", "returned_before_received"),
    ],
    "bo_sung": [("NgayHoanThanhBoSung", "NgayYeuCauBoSung", "supplement_before_request")],
    "phan_anh": [
        ("HanXuLy", "NgayTiepNhan", "feedback_deadline_before_received"),
        ("NgayXuLy", "NgayTiepNhan", "feedback_processed_before_received"),
    ],
}

# ho_so: "required unless TrangThaiHoSo is 1 (newly registered) or 3 (not accepted)".
WHEN_RECEIVED = "TrangThaiHoSo not in [1, 3]"


def build_expectations(name: str) -> list:
    """The expectations of input ``name``, in a stable order."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    E = gx.expectations
    spec = contract.input_spec(name)
    cols = spec["columns"]
    out = []

    if spec.get("required"):
        out.append(E.ExpectTableRowCountToBeBetween(
            min_value=1, meta=_meta("no_data_rows", None, [])))

    for col, c in cols.items():
        typ = c["type"]
        raw = col if typ == "text" else f"{col}__raw"
        req = c.get("required", False)
        if req:
            out.append(E.ExpectColumnToExist(column=col, meta=_meta("missing_column", col, [])))
        if req is True:
            out.append(E.ExpectColumnValuesToNotBeNull(
                column=raw, meta=_meta("required_value", col, [raw])))
        elif req == "when_received":
            out.append(E.ExpectColumnValuesToNotBeNull(
                column=raw, row_condition=WHEN_RECEIVED, condition_parser="pandas",
                meta=_meta("required_value", col, [raw, "TrangThaiHoSo"])))

        if typ == "datetime":
            out.append(E.ExpectColumnValuesToMatchRegexList(
                column=raw, regex_list=DATE_REGEXES, match_on="any",
                meta=_meta("date_format", col, [raw])))
            out.append(E.ExpectColumnValuesToNotBeNull(
                column=col, row_condition=f"`{col}__given`", condition_parser="pandas",
                meta=_meta("date_invalid", col, [col, f"{col}__given"])))
        elif typ in ("int", "flag", "score"):
            if not c.get("value_aliases"):
                out.append(E.ExpectColumnValuesToMatchRegexList(
                    column=raw, regex_list=INT_REGEXES, match_on="any",
                    meta=_meta("not_integer", col, [raw])))
            out.append(E.ExpectColumnValuesToNotBeNull(
                column=col, row_condition=f"`{col}__given`", condition_parser="pandas",
                meta=_meta("invalid_value", col, [col, f"{col}__given"])))

        if "allowed" in c:
            out.append(E.ExpectColumnValuesToBeInSet(
                column=col, value_set=list(c["allowed"]), meta=_meta("allowed_values", col, [col])))
        elif typ == "flag":
            out.append(E.ExpectColumnValuesToBeInSet(
                column=col, value_set=[0, 1], meta=_meta("allowed_values", col, [col])))
        elif typ == "score":
            out.append(E.ExpectColumnValuesToBeBetween(
                column=col, min_value=1, max_value=5, meta=_meta("score_range", col, [col])))

        if c.get("unique"):
            out.append(E.ExpectColumnValuesToBeUnique(column=col, meta=_meta("duplicate_id", col, [col])))

        if typ == "datetime":
            if c.get("date_only") == "end_of_day":  # a deadline: may lie after the export
                out.append(E.ExpectColumnValuesToBeBetween(
                    column=col, min_value=_p("window_start"), max_value=_p("deadline_max"),
                    meta=_meta("deadline_window", col, [col])))
            else:
                out.append(E.ExpectColumnValuesToBeBetween(
                    column=col, min_value=_p("window_start"), max_value=_p("latest"),
                    meta=_meta("date_window", col, [col])))

    for a, b, check in DATE_ORDER.get(name, []):
        out.append(E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=a, column_B=b, or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_meta(check, a, [a, b])))

    if name == "ho_so":
        out.append(E.ExpectColumnValuesToBeBetween(
            column="NgayTiepNhan", max_value=_p("period_end"),
            meta=_meta("received_after_period", "NgayTiepNhan", ["NgayTiepNhan"])))
        out.append(E.ExpectColumnValuesToBeInSet(
            column="DuocThanhToanTrucTuyen", value_set=[0],
            row_condition="CoNghiaVuTaiChinh == 0", condition_parser="pandas",
            meta=_meta("payment_without_obligation", "DuocThanhToanTrucTuyen",
                       ["DuocThanhToanTrucTuyen", "CoNghiaVuTaiChinh"])))
    if name == "bao_cao":
        for col in ("TuSo", "MauSo"):
            out.append(E.ExpectColumnValuesToBeBetween(
                column=col, min_value=0, meta=_meta("negative_count", col, [col])))
        out.append(E.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="MauSo", column_B="TuSo", or_equal=True, ignore_row_if="either_value_is_missing",
            meta=_meta("numerator_over_denominator", "TuSo", ["MauSo", "TuSo"])))
    return out


def build_suite(name: str):
    import great_expectations as gx

    spec = contract.input_spec(name)
    return gx.ExpectationSuite(
        name=f"cchc.{name}",
        expectations=build_expectations(name),
        meta={
            "generated_from": "cchc/contract/inputs.yaml",
            "generator": "python -m cchc.validation.suites",
            "input": name,
            "label_vi": spec.get("label_vi"),
            "parameters": list(PARAMETERS),
        },
    )


def suite_json(name: str) -> dict:
    return build_suite(name).to_json_dict()


def dumps(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def write_all(dest: Path = EXPECTATIONS_DIR) -> list[Path]:
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name in contract.inputs():
        path = dest / f"{name}.json"
        path.write_text(dumps(suite_json(name)), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    dest = Path(argv[0]) if argv else EXPECTATIONS_DIR
    for path in write_all(dest):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
