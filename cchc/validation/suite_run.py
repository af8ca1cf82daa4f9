"""Running one file's Great Expectations suite: the validation frame, the
batches, the results turned into :class:`~cchc.validation.records.Failure`
records.

:func:`suite_outcome` is what a quarter's validation (:mod:`cchc.validation.core`)
runs per file, in its own process or in a worker
(:mod:`cchc.validation.parallel`). Its outcome is plain data: the number of
expectations met, the failures and the GE result as JSON.

One Great Expectations context is created lazily per process and reused for
every file and quarter.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contract
from ..model import Table
from . import ge_speedups
from .records import MAX_EXAMPLES, Failure, make_failure, values_at

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"

# SUMMARY, not COMPLETE: the first MAX_EXAMPLES unexpected row indices are all
# the report needs, and COMPLETE would materialise every unexpected value and
# index (slow and memory-hungry on a million-row file). No index query: at
# SUMMARY GE computes one for every column-map expectation (filtering the
# batch frame twice) unless told False, and then leaves it out of the result
# unless told True; the results are the same either way (issue 15).
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES,
                 "return_unexpected_index_query": False}
# the distinct values of a format check: every failing one is mapped back to rows (no index query either)
DISTINCT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}

# What one file's suite gives: expectations met, failures (in suite order), the GE result as JSON (None
# when no expectation applied).
Outcome = tuple[int, list[Failure], "dict | None"]


_GX: dict = {}


def _gx():
    """The process-wide ephemeral GE context, created on first use."""
    if "context" not in _GX:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        from ..lean_imports import defer_unused_ge_imports
        from . import pydantic_copy

        defer_unused_ge_imports()
        pydantic_copy.install()  # before GE creates its 360 model classes (see that module)
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.validator.v1_validator import Validator

        ge_speedups.install()  # the kwargs helpers without re-serialising per key (see that module)
        ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _GX["gx"] = gx
        _GX["validator"] = Validator
        _GX["context"] = ctx
        _GX["datasource"] = ctx.data_sources.add_pandas("cchc_inputs")
        _GX["batch_definitions"] = {}
    return _GX


def _batch_definition(name: str):
    g = _gx()
    bds = g["batch_definitions"]
    if name not in bds:
        asset = g["datasource"].add_dataframe_asset(name=name)
        bds[name] = asset.add_batch_definition_whole_dataframe(f"{name}_whole")
    return bds[name]


_SUITE_DOCS: dict[tuple[str, str], dict] = {}


def load_suite_doc(name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict:
    """The committed suite JSON of input ``name`` (cached per process)."""
    key = (str(expectations_dir), name)
    if key not in _SUITE_DOCS:
        path = Path(expectations_dir) / f"{name}.json"
        try:
            _SUITE_DOCS[key] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{path} is missing: run `python -m cchc.validation.suites` and commit expectations/"
            ) from None
    return _SUITE_DOCS[key]


def _as_category(s: pd.Series, factor: tuple[np.ndarray, np.ndarray] | None = None) -> pd.Series:
    """Text as a categorical column (same values, blanks stay missing): GE hashes
    every batch frame, and hashing a categorical costs per distinct value.

    ``factor``: the loader's ``(codes, values)`` of ``s`` (``Table.factors``:
    distinct values in order of first appearance, the last one blank), used
    as they are. The categories are the same either way."""
    if factor is not None and len(factor[0]) == len(s):
        codes, table = factor
        uniques = table[:-1]
    else:
        values = s.to_numpy(dtype=object, na_value=None)
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cats = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=cats), index=s.index, name=s.name)


def _distinct(s: pd.Series) -> np.ndarray:
    """The distinct non-blank values of a (categorical) raw column."""
    if isinstance(s.dtype, pd.CategoricalDtype):  # built by _as_category: every category is used
        return np.asarray(s.cat.categories.to_numpy(dtype=object), dtype=object)
    return pd.unique(s.dropna().to_numpy())


def _given_mask(raw: pd.Series, regexes: list[str] | None) -> np.ndarray:
    """True where the raw cell is filled in and (when ``regexes``) has an accepted shape.

    ``raw`` is categorical: the regex runs once per distinct value.
    """
    codes = raw.cat.codes.to_numpy()
    notna = codes >= 0
    if not regexes or not notna.any():
        return notna
    pattern = re.compile("|".join(f"(?:{r})" for r in regexes))
    cats = raw.cat.categories.to_numpy(dtype=object)
    ok = np.fromiter(map(bool, map(pattern.search, map(str, cats))), dtype=bool, count=len(cats))
    out = np.zeros(len(raw), dtype=bool)
    out[notna] = ok[codes[notna]]
    return out


_INT_TEXT = re.compile(r"^\s*[+-]?\d{1,18}(?:\.0*)?\s*$")


def _lenient_int(typed: pd.Series, raw: pd.Series) -> pd.Series:
    """The loader turns a flag outside 0/1 or a score outside 1–5 into NA; for
    validation the number the user wrote is kept, so that "6" is reported as
    out of range (score_range / allowed_values), not as unrecognised."""
    need = (typed.isna() & raw.notna()).to_numpy()
    if not need.any():
        return typed
    out = typed.copy()
    for i in np.flatnonzero(need):
        v = raw.iat[i]
        if isinstance(v, str) and _INT_TEXT.match(v):
            out.iat[i] = int(v.strip().split(".")[0])
    return out


def _plain_text(spec: dict) -> bool:
    """A text column whose typed values are its raw text (no value aliases, no allowed list)."""
    return spec["type"] == "text" and not spec.get("value_aliases") and "allowed" not in spec


def suite_input(table: Table) -> Table:
    """``table`` with what :func:`suite_outcome` reads and nothing more: the
    typed columns other than plain text (read from ``raw``), no notes on
    cells. This is what a worker process is sent: at 1.000.000 ``ho_so``
    rows, leaving the five text columns out of ``df`` takes pickling and
    unpickling from 2,0 s to 1,4 s. The frames are not copied."""
    cols = contract.columns(table.name)
    typed = [c for c in table.df.columns if c in cols and not _plain_text(cols[c])]
    return dataclasses.replace(table, df=table.df[typed], warnings=[], masked={}, too_long={})


def validation_frame(table: Table, doc: dict) -> pd.DataFrame:
    """The frame the suite runs on (see cchc.validation.suites): typed columns,
    ``__raw`` strings and ``__given`` masks, positional index."""
    cols = contract.columns(table.name)
    formats = {e["meta"]["column"]: e["kwargs"]["regex_list"] for e in doc["expectations"]
               if e.get("meta", {}).get("check") in ("date_format", "not_integer")}
    n = len(table.raw)
    data = {}
    for c, spec in cols.items():
        if c not in table.raw.columns:
            continue
        if _plain_text(spec):  # the typed column is the raw text
            typed = _as_category(table.raw[c].reset_index(drop=True), table.factors.get(c))
        else:
            typed = table.df[c].reset_index(drop=True)
            if spec["type"] in ("flag", "score"):
                typed = _lenient_int(typed, table.raw[c].reset_index(drop=True))
            elif spec["type"] == "text":
                typed = _as_category(typed)
        data[c] = typed
        if spec["type"] != "text":
            raw = _as_category(table.raw[c].reset_index(drop=True), table.factors.get(c))
            data[f"{c}__raw"] = raw
            data[f"{c}__given"] = _given_mask(raw, formats.get(c))
    # copy=False: every column is new (or a copy-on-write Series); no copy into 2-D blocks
    frame = pd.DataFrame(data, index=pd.RangeIndex(n), copy=False) if data else pd.DataFrame(index=pd.RangeIndex(n))
    return frame


def _raised(res) -> str | None:
    info = res.exception_info
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "exception")
    for v in info.values():
        if isinstance(v, dict) and v.get("raised_exception"):
            return str(v.get("exception_message") or "exception")
    return None



_FORMAT_CHECKS = ("date_format", "not_integer")


SMALL_ROWS = 20_000
LARGE_ROWS = 300_000


def _groups(selected: list[dict], small: bool = False, large: bool = False) -> "OrderedDict[tuple, list[dict]]":
    """Expectations grouped into batches.

    GE fingerprints (hashes) the whole batch frame on every validation and
    copies it for every row condition or pair filter, so one wide batch is
    slow on large files. Groups: column-existence checks on the zero-row
    frame; the row count on an index-only frame; format checks (regex on raw
    text) on the distinct raw values of their column; each row-conditioned or
    column-pair expectation on a narrow frame of just its columns; every other
    (plain, single-column) expectation together on one frame of their columns
    — or, for a ``large`` file, on one frame per column: GE filters the whole
    batch frame for each metric (e.g. the non-blank rows), so on a million
    rows a wide frame costs more than the extra batches (measured: about
    1 s less at 1,000,000 rows, 0.3 s more at 100,000).
    """
    groups: OrderedDict = OrderedDict()
    if small:  # a small frame: GE's fixed cost per validation dominates, one batch is fastest
        groups[("all",)] = list(selected)
        return groups
    for e in selected:
        meta = e["meta"]
        uses = tuple(meta.get("uses", []))
        kw = e["kwargs"]
        if meta.get("check") in _FORMAT_CHECKS and len(uses) == 1:
            key = ("distinct", *uses)
        elif e["type"] == "expect_column_to_exist":
            key = ("columns",)
        elif not uses:
            key = ("rows",)
        elif "row_condition" in kw or "column_A" in kw:
            key = ("cols", *uses)
        else:
            key = ("plain", *uses) if large else ("plain",)
        groups.setdefault(key, []).append(e)
    return groups


def suite_outcome(table: Table, file: str, parameters: dict[str, str] | None, doc: dict) -> Outcome:
    """Run the suite ``doc`` on ``table`` (from ``file``) with the quarter's
    ``parameters``: expectations met, the failures in suite order, and the GE
    result as JSON (None when no expectation applies)."""
    frame = validation_frame(table, doc)
    present = set(frame.columns)
    selected = []
    for i, e in enumerate(doc["expectations"]):
        uses = e.get("meta", {}).get("uses", [])
        if not all(u in present for u in uses):
            continue  # column absent: reported once by expect_column_to_exist, if required
        if parameters is None and "$PARAMETER" in json.dumps(e["kwargs"]):
            continue  # no usable quarter window (invalid manifest is already an error)
        e = json.loads(json.dumps(e))
        e["meta"]["_order"] = i
        selected.append(e)
    if not selected:
        return 0, [], None
    g = _gx()
    passed = 0
    bd = _batch_definition(table.name)
    found = []
    json_results = []
    for key, exps in _groups(selected, small=len(frame) < SMALL_ROWS, large=len(frame) >= LARGE_ROWS).items():
        distinct = None
        if key[0] == "columns":
            sub = frame.iloc[:0]
        elif key[0] == "rows":
            sub = pd.DataFrame(index=frame.index)
        elif key[0] == "distinct":
            col = key[1]
            distinct = _distinct(frame[col])
            sub = pd.DataFrame({col: pd.Series(distinct, dtype=object)})
        elif key[0] == "all":
            sub = frame
        elif key[0] == "plain":
            sub = frame[sorted({u for e in exps for u in e["meta"]["uses"]})]
        else:
            sub = frame[list(key[1:])]
        suite = g["gx"].ExpectationSuite(name=doc["name"], expectations=exps)
        # distinct values: COMPLETE gives every failing distinct value, mapped back to rows below
        rf = DISTINCT_FORMAT if distinct is not None else RESULT_FORMAT
        # What Batch.validate does, without first building a Batch of its own:
        # GE loads (and fingerprints, hashing every row) the frame once, not twice.
        validator = g["validator"](batch_definition=bd, batch_parameters={"dataframe": sub}, result_format=rf)
        with warnings.catch_warnings(), ge_speedups.one_validation():
            warnings.simplefilter("ignore")
            result = validator.validate_expectation_suite(suite, expectation_parameters=parameters or {})
        for res in result.results:
            cfg = res.expectation_config
            meta = dict(cfg.meta or {})
            cid, column, order = meta.get("check"), meta.get("column"), meta.get("_order", 0)
            try:
                rj = res.to_json_dict()
            except Exception:  # pragma: no cover - informative only
                rj = {"success": bool(res.success), "expectation_config": {"type": cfg.type, "meta": meta}}
            crash = _raised(res)
            if crash is not None:
                found.append((order, make_failure("internal_check_error", file, column,
                                                  detail_vi=f"{cfg.type}: {crash}", detail_en=f"{cfg.type}: {crash}")))
                json_results.append((order, rj))
                continue
            r = res.result or {}
            if distinct is not None:
                raw = frame[key[1]]
                rj.setdefault("result", {})
                rj["result"]["distinct_values_checked"] = len(distinct)
                rj["result"]["element_count"] = int(raw.notna().sum())
                if res.success:
                    rj["result"]["unexpected_count"] = 0
                    idx, count = [], 0
                else:
                    bad = raw.isin(list(r.get("unexpected_list") or [])).to_numpy(dtype=bool)
                    count = int(bad.sum())
                    idx = np.flatnonzero(bad)[:MAX_EXAMPLES].tolist()
                    rj["result"]["unexpected_count"] = count
                for k in ("unexpected_list", "unexpected_index_list", "unexpected_index_query",
                          "partial_unexpected_index_list"):
                    rj["result"].pop(k, None)
            else:
                idx = [int(i) for i in (r.get("partial_unexpected_index_list") or [])][:MAX_EXAMPLES]
                count = int(r.get("unexpected_count") or 0)
            json_results.append((order, rj))
            if res.success:
                passed += 1
                continue
            rows = [int(table.row_numbers[i]) for i in idx if 0 <= i < len(table.row_numbers)]
            kwargs = cfg.kwargs
            if "column_A" in kwargs:
                a, b = kwargs["column_A"], kwargs["column_B"]
                va, vb = values_at(table, a, idx), values_at(table, b, idx)
                values = [f"{a}={x}; {b}={y}" for x, y in zip(va, vb)]
            else:
                values = values_at(table, column, idx)
            found.append((order, make_failure(cid, file, column, failed_count=count,
                                              example_rows=rows, example_values=values)))
    results = [rj for _, rj in sorted(json_results, key=lambda t: t[0])]
    ok = sum(1 for rj in results if rj.get("success"))
    ge_result = {
        "success": ok == len(results),
        "suite_name": doc["name"],
        "suite_parameters": dict(parameters or {}),
        "statistics": {"evaluated_expectations": len(results), "successful_expectations": ok,
                       "unsuccessful_expectations": len(results) - ok,
                       "success_percent": 100.0 * ok / len(results) if results else 100.0},
        "meta": {"great_expectations_version": g["gx"].__version__, "expectation_suite_name": doc["name"],
                 "rows": len(frame)},
        "results": results,
    }
    return passed, [f for _, f in sorted(found, key=lambda t: t[0])], ge_result

