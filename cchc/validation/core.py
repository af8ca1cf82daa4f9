"""The validation gate: one quarter folder in, a :class:`QuarterValidation` out.

Stages of :func:`validate_quarter`:

1. the folder itself: its name must be a quarter id (``^\\d{4}Q[1-4]$``) and
   it must sit directly inside the data folder (``../../etc`` or a link that
   leads elsewhere is rejected before anything is opened);
2. ``quarter.yml`` (present, valid, same quarter as the folder);
3. the files: required inputs present, one file per input, each file
   readable by :mod:`cchc.loader` (a :class:`~cchc.loader.LoadError` becomes
   an error of check ``unreadable_file``); personal-data columns dropped by
   the loader are a warning, any that survived loading an error;
4. the Great Expectations suite of each file, loaded from
   ``expectations/<input>.json`` and run on a validation frame (see
   :mod:`cchc.validation.suites`) with the quarter's window as suite
   parameters;
5. cross-file checks (plan ids, dossier ids, catalogue ids).

All failures share one record, :class:`Failure`; the level and the rule text
of a check come from ``cchc/contract/checks.yaml``. Errors stop the quarter,
warnings are published (as counts) on the data-quality page.

One Great Expectations context is created lazily per process and reused for
every file and quarter.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import contract
from ..model import Manifest, QuarterData, Table
from ..periods import QUARTER_RE, quarter_period
from .checks import check as _check

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
MANIFEST_NAME = "quarter.yml"
INPUT_SUFFIXES = (".csv", ".xlsx")
MAX_EXAMPLES = 5
_MAX_VALUE_CHARS = 40

# SUMMARY, not COMPLETE: the first MAX_EXAMPLES unexpected row indices are all
# the report needs, and COMPLETE would materialise every unexpected value and
# index (slow and memory-hungry on a million-row file).
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": MAX_EXAMPLES}


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------


@dataclass
class Failure:
    """One failed check, for one file (and column when it concerns one)."""

    file: str  # the file name as in the user's folder ("ho_so.csv"), or "quarter.yml", or the folder
    column: str | None
    check: str
    rule_vi: str
    rule_en: str
    level: str  # "error" | "warning"
    failed_count: int = 0  # failing rows (0 for file- or column-level failures)
    example_rows: list[int] = field(default_factory=list)  # ≤5 spreadsheet row numbers
    example_values: list[str] = field(default_factory=list)  # PRIVATE: escaped raw values, never published
    detail_vi: str | None = None
    detail_en: str | None = None
    quarter: str = ""

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def public_dict(self) -> dict:
        """Without example rows, values or details (those may carry user content)."""
        return {"file": self.file, "column": self.column, "check": self.check, "level": self.level,
                "rule_vi": self.rule_vi, "rule_en": self.rule_en, "count": self.failed_count}

    def private_dict(self) -> dict:
        return {"quarter": self.quarter, "file": self.file, "column": self.column, "check": self.check,
                "level": self.level, "rule_vi": self.rule_vi, "rule_en": self.rule_en,
                "failed_count": self.failed_count, "example_rows": list(self.example_rows),
                "example_values": list(self.example_values),
                "detail_vi": self.detail_vi, "detail_en": self.detail_en}


def make_failure(check_id: str, file: str, column: str | None = None, *, quarter: str = "",
                 failed_count: int = 0, example_rows=(), example_values=(),
                 detail_vi: str | None = None, detail_en: str | None = None) -> Failure:
    c = _check(check_id)
    return Failure(file=file, column=column, check=check_id, rule_vi=c.rule_vi, rule_en=c.rule_en,
                   level=c.level, failed_count=int(failed_count),
                   example_rows=[int(r) for r in list(example_rows)[:MAX_EXAMPLES]],
                   example_values=list(example_values)[:MAX_EXAMPLES],
                   detail_vi=detail_vi, detail_en=detail_en, quarter=quarter)


@dataclass
class FileStats:
    file: str
    input: str
    rows: int = 0
    checks_evaluated: int = 0
    checks_passed: int = 0


@dataclass
class QuarterValidation:
    quarter: str  # the folder name (a quarter id unless check bad_quarter_folder failed)
    folder: Path
    data: QuarterData | None = None  # None when the quarter could not be loaded; check .ok before use
    failures: list[Failure] = field(default_factory=list)
    files: dict[str, FileStats] = field(default_factory=dict)  # by file name
    checks_evaluated: int = 0
    checks_passed: int = 0
    ge_results: dict[str, dict] = field(default_factory=dict)  # file -> GE result (JSON dict; private)
    parameters: dict[str, str] = field(default_factory=dict)  # suite parameters used

    @property
    def errors(self) -> int:
        return sum(1 for f in self.failures if f.level == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.failures if f.level == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def rows_checked(self) -> dict[str, int]:
        return {f: s.rows for f, s in self.files.items()}

    # bookkeeping -----------------------------------------------------------
    def _record(self, passed: bool, stats: FileStats | None = None) -> None:
        self.checks_evaluated += 1
        self.checks_passed += int(passed)
        if stats is not None:
            stats.checks_evaluated += 1
            stats.checks_passed += int(passed)

    def _fail(self, failure: Failure, stats: FileStats | None = None) -> None:
        failure.quarter = self.quarter
        self.failures.append(failure)
        self._record(False, stats)


class InvalidInput(Exception):
    """Raised by the pipeline when a quarter has errors; ``exit_code`` 2."""

    exit_code = 2

    def __init__(self, validations):
        self.validations = list(validations)
        from .report import format_report

        super().__init__(format_report(self.validations))


# --------------------------------------------------------------------------
# Great Expectations: one context per process
# --------------------------------------------------------------------------

_GX: dict = {}


def _gx():
    """The process-wide ephemeral GE context, created on first use."""
    if "context" not in _GX:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        from ..lean_imports import defer_unused_ge_imports, skip_iri_grammar

        skip_iri_grammar()  # see cchc.lean_imports
        defer_unused_ge_imports()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig
        from great_expectations.validator.v1_validator import Validator

        from . import ge_speedups

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


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def escape_value(v) -> str:
    """A raw cell for the private report: JSON-quoted (control characters and
    escape sequences made visible), truncated; blank shown as (trống)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "(trống/blank)"
    s = str(v)
    if len(s) > _MAX_VALUE_CHARS:
        s = s[:_MAX_VALUE_CHARS] + "…"
    return json.dumps(s, ensure_ascii=False)


def _personal_keys() -> set[str]:
    from ..loader import header_key

    spec = contract.personal_data()
    return {header_key(x) for x in [*spec.get("columns", []), *spec.get("aliases", [])]}


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
        typed = table.df[c].reset_index(drop=True)
        if spec["type"] in ("flag", "score"):
            typed = _lenient_int(typed, table.raw[c].reset_index(drop=True))
        elif spec["type"] == "text":
            # same values as the raw text unless the column maps value aliases
            plain = not spec.get("value_aliases") and "allowed" not in spec
            typed = (_as_category(table.raw[c].reset_index(drop=True), table.factors.get(c)) if plain
                     else _as_category(typed))
        data[c] = typed
        if spec["type"] != "text":
            raw = _as_category(table.raw[c].reset_index(drop=True), table.factors.get(c))
            data[f"{c}__raw"] = raw
            data[f"{c}__given"] = _given_mask(raw, formats.get(c))
    # copy=False: every column is new (or a copy-on-write Series); no copy into 2-D blocks
    frame = pd.DataFrame(data, index=pd.RangeIndex(n), copy=False) if data else pd.DataFrame(index=pd.RangeIndex(n))
    return frame


def window_parameters(quarter: str, manifest: Manifest | None) -> dict[str, str]:
    """Suite parameters for the date windows of ``quarter`` (ISO strings)."""
    period = quarter_period(quarter, manifest.cutoff if manifest else None)
    period_end = period.end_exclusive - pd.Timedelta(seconds=1)
    latest = period_end
    if manifest is not None and manifest.exported_at is not None:
        latest = pd.Timestamp(manifest.exported_at)
    fmt = "%Y-%m-%dT%H:%M:%S"
    return {
        "window_start": (period.start - pd.DateOffset(years=2)).strftime(fmt),
        "latest": latest.strftime(fmt),
        "period_end": period_end.strftime(fmt),
        "deadline_max": (period_end + pd.DateOffset(years=1)).strftime(fmt),
    }


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


def _values_at(table: Table, column: str | None, idx: list[int]) -> list[str]:
    if column is None or column not in table.raw.columns or not idx:
        return []
    s = table.raw[column]
    return [escape_value(s.iat[i]) for i in idx]


# --------------------------------------------------------------------------
# Running a suite on one table
# --------------------------------------------------------------------------


# Suite outcomes memoised per process, keyed by everything they depend on: the
# input, the file name, the SHA-256 of the file's bytes, the suite JSON and
# the suite parameters. Validating an unchanged small file twice (the pipeline
# re-checking a quarter, the bad-input corpus sharing one template) then costs
# a hash instead of a Great Expectations run. Large files are not memoised.
MEMO_MAX_BYTES = 16 * 1024 * 1024
_MEMO: OrderedDict = OrderedDict()
_MEMO_SIZE = 128


def _memo_key(table: Table, file: str, doc: dict, parameters) -> tuple | None:
    try:
        path = Path(table.path)
        if path.stat().st_size > MEMO_MAX_BYTES:
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    suite_digest = doc.setdefault("__digest__", hashlib.sha256(
        json.dumps({k: v for k, v in doc.items() if k != "__digest__"}, sort_keys=True).encode()).hexdigest())
    return (table.name, file, digest, suite_digest, json.dumps(parameters, sort_keys=True),
            len(table.raw), tuple(table.raw.columns))


# Optionally the outcomes are also kept on disk, in the build's cache: a build
# after one file changed then runs Great Expectations on that file only (and
# does not even import it when nothing changed). The salt names the code and
# plan the outcomes were computed with.
_STORE: tuple | None = None  # (store with get(kind, key) / put(kind, key, value), salt)
STORE_KIND = "suite-outcomes"


def use_result_store(store, salt: str = "") -> None:
    """Back the per-process memo with ``store`` (``cchc.build.cache.Cache``
    or anything with ``get(kind, key)`` and ``put(kind, key, value)``);
    ``None`` turns it off."""
    global _STORE
    _STORE = (store, salt) if store is not None else None


def _store_key(key: tuple) -> str:
    return hashlib.sha256(json.dumps([_STORE[1], key], default=str).encode()).hexdigest()


def run_suite(table: Table, file: str, qv: QuarterValidation, stats: FileStats,
              parameters: dict[str, str] | None, expectations_dir: Path = EXPECTATIONS_DIR) -> None:
    doc = load_suite_doc(table.name, expectations_dir)
    key = _memo_key(table, file, doc, parameters)
    if key is not None and key not in _MEMO and _STORE is not None:
        stored = _STORE[0].get(STORE_KIND, _store_key(key))
        if isinstance(stored, tuple) and len(stored) == 3:
            _MEMO[key] = stored
    if key is not None and key in _MEMO:
        _MEMO.move_to_end(key)
        passed, failures, ge_result = _MEMO[key]
        for _ in range(passed):
            qv._record(True, stats)
        for f in failures:
            qv._fail(copy.deepcopy(f), stats)
        qv.ge_results[file] = copy.deepcopy(ge_result)
        return
    before = (stats.checks_passed, len(qv.failures))
    _run_suite(table, file, qv, stats, parameters, doc)
    if key is not None:
        _MEMO[key] = (stats.checks_passed - before[0], copy.deepcopy(qv.failures[before[1]:]),
                      copy.deepcopy(qv.ge_results.get(file, {})))
        if _STORE is not None:
            _STORE[0].put(STORE_KIND, _store_key(key), _MEMO[key])
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)


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


def _run_suite(table: Table, file: str, qv: QuarterValidation, stats: FileStats,
               parameters: dict[str, str] | None, doc: dict) -> None:
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
        return
    g = _gx()
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
        rf = {"result_format": "COMPLETE"} if distinct is not None else RESULT_FORMAT
        # What Batch.validate does, without first building a Batch of its own:
        # GE loads (and fingerprints, hashing every row) the frame once, not twice.
        validator = g["validator"](batch_definition=bd, batch_parameters={"dataframe": sub}, result_format=rf)
        with warnings.catch_warnings():
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
                qv._record(True, stats)
                continue
            rows = [int(table.row_numbers[i]) for i in idx if 0 <= i < len(table.row_numbers)]
            kwargs = cfg.kwargs
            if "column_A" in kwargs:
                a, b = kwargs["column_A"], kwargs["column_B"]
                va, vb = _values_at(table, a, idx), _values_at(table, b, idx)
                values = [f"{a}={x}; {b}={y}" for x, y in zip(va, vb)]
            else:
                values = _values_at(table, column, idx)
            found.append((order, make_failure(cid, file, column, failed_count=count,
                                              example_rows=rows, example_values=values)))
    results = [rj for _, rj in sorted(json_results, key=lambda t: t[0])]
    ok = sum(1 for rj in results if rj.get("success"))
    qv.ge_results[file] = {
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
    for _, f in sorted(found, key=lambda t: t[0]):
        qv._fail(f, stats)


# --------------------------------------------------------------------------
# The quarter
# --------------------------------------------------------------------------


def _is_ignorable(p: Path) -> bool:
    return p.name.startswith((".", "~$")) or p.name.lower() in ("thumbs.db", "desktop.ini")


def _check_folder(folder: Path, data_dir: Path | None) -> tuple[str | None, str | None]:
    """``(reason_vi, reason_en)`` when the folder must be rejected, else ``(None, None)``."""
    name = folder.name
    if ".." in folder.parts or not QUARTER_RE.fullmatch(name):
        shown = f"{folder}" + ("" if name.isascii() and name.isprintable() else f" = {ascii(name)}")
        return (f"“{shown}” không phải thư mục quý dạng YYYYQn (chỉ chữ số ASCII và chữ Q, ví dụ 2026Q3)",
                f"'{shown}' is not a quarter folder named like 2026Q3 (ASCII digits and Q only)")
    base = Path(data_dir) if data_dir is not None else folder.parent
    try:
        resolved = folder.resolve(strict=False)
        base_resolved = base.resolve(strict=False)
    except (OSError, RuntimeError):
        return ("không xác định được đường dẫn thư mục", "the folder path cannot be resolved")
    if resolved.parent != base_resolved or not QUARTER_RE.fullmatch(resolved.name):
        return (f"thư mục {name} trỏ ra ngoài thư mục dữ liệu", f"folder {name} leads outside the data folder")
    if not resolved.is_dir():
        return (f"không có thư mục {name}", f"no such folder {name}")
    return None, None


def _read_plan_ids(plan_dir: Path) -> tuple[set[str] | None, set[str] | None, str | None]:
    out = []
    for fname in ("tasks.csv", "targets.csv"):
        path = Path(plan_dir) / fname
        try:
            ids = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=["id"], encoding="utf-8-sig")["id"]
        except Exception as e:  # noqa: BLE001 - any unreadable plan is one clear error
            return None, None, f"{path}: {type(e).__name__}: {e}"
        out.append({s.strip() for s in ids if s.strip()})
    return out[0], out[1], None


def _manifest_check(folder: Path, qv: QuarterValidation) -> Manifest | None:
    from ..loader import LoadError, read_manifest, read_manifest_doc

    path = folder / MANIFEST_NAME
    if not path.is_file():
        qv._fail(make_failure("missing_manifest", MANIFEST_NAME))
        return None
    qv._record(True)
    try:
        manifest = read_manifest(path)
    except LoadError as e:
        mismatch = False
        try:
            doc = read_manifest_doc(path)  # bounded and alias-free, like read_manifest
            q = str(doc.get("quarter", "")).strip()
            mismatch = bool(QUARTER_RE.fullmatch(q)) and q != folder.name
        except Exception:  # noqa: BLE001
            pass
        if mismatch:
            qv._record(True)  # the manifest itself is well-formed
            qv._fail(make_failure("manifest_quarter_mismatch", MANIFEST_NAME, "quarter",
                                  detail_vi=f"quarter: {q} — thư mục: {folder.name}",
                                  detail_en=f"quarter: {q} — folder: {folder.name}"))
        else:
            qv._fail(make_failure("invalid_manifest", MANIFEST_NAME, detail_vi=e.reason_vi, detail_en=e.reason_en))
        return None
    qv._record(True)  # valid
    qv._record(True)  # quarter matches the folder (read_manifest enforces it)
    for fld in manifest.masked:
        qv._fail(make_failure("personal_data_masked", MANIFEST_NAME, fld, failed_count=1))
    return manifest


def _split_bilingual(msg: str) -> tuple[str, str]:
    if " / " in msg:
        vi, en = msg.split(" / ", 1)
        return vi, en
    return msg, msg


def validate_quarter(folder: Path, plan_dir: Path, *, data_dir: Path | None = None,
                     expectations_dir: Path = EXPECTATIONS_DIR) -> QuarterValidation:
    """Validate one quarter folder (``data/<YYYYQn>/``) against the contract and the plan.

    ``data_dir`` (default: the folder's parent) is the folder every quarter
    folder must sit in directly; a path leaving it is rejected unread.
    """
    from ..loader import LoadError, LoaderWarning, read_table

    folder = Path(folder)
    qv = QuarterValidation(quarter=folder.name, folder=folder)

    # 1. The folder.
    vi, en = _check_folder(folder, data_dir)
    if vi is not None:
        qv.quarter = folder.name if QUARTER_RE.fullmatch(folder.name) else str(folder)
        qv._fail(make_failure("bad_quarter_folder", str(folder), detail_vi=vi, detail_en=en))
        return qv
    qv._record(True)
    qid = folder.name

    # 2. The manifest.
    manifest = _manifest_check(folder, qv)
    parameters = window_parameters(qid, manifest)
    qv.parameters = parameters

    # 3. The files.
    names = list(contract.inputs())
    found: dict[str, list[Path]] = {}
    unknown: list[str] = []
    root = folder.resolve()
    from ..commentary import COMMENTARY_FILE

    for p in sorted(folder.iterdir()):
        if _is_ignorable(p) or p.name in (MANIFEST_NAME, COMMENTARY_FILE):
            continue
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if p.is_file() and stem in names and suffix in INPUT_SUFFIXES:
            found.setdefault(stem, []).append(p)
        else:
            unknown.append(p.name)
    if unknown:
        # Only the count is public: a stray file's name may be a person's name
        # ("DS nguoi nop - Nguyen Van An.xlsx"); the names go in the detail,
        # which only the private report shows.
        stray = ", ".join(unknown)
        qv._fail(make_failure("unknown_file", qid, failed_count=len(unknown),
                              detail_vi=f"{stray} — tên tệp phải theo hợp đồng dữ liệu, đuôi .csv hoặc .xlsx",
                              detail_en=f"{stray} — files must be named after a contract input, .csv or .xlsx"))
    for name in names:
        if not contract.input_spec(name).get("required"):
            continue
        if name in found:
            qv._record(True)
        else:
            near = [u for u in unknown if Path(u).stem.lower() == name]
            qv._fail(make_failure(
                "missing_required_file", f"{name}.csv",
                detail_vi=f"cần {name}.csv hoặc {name}.xlsx" + (f" (có {', '.join(near)})" if near else ""),
                detail_en=f"need {name}.csv or {name}.xlsx" + (f" (found {', '.join(near)})" if near else "")))

    tables: dict[str, Table] = {}
    files: dict[str, str] = {}  # input -> file name
    personal = _personal_keys()
    for name in names:
        paths = found.get(name)
        if not paths:
            continue
        if len(paths) > 1:
            qv._fail(make_failure("duplicate_input_file", " + ".join(p.name for p in paths),
                                  detail_vi="chỉ giữ một tệp", detail_en="keep one file"))
            continue
        path = paths[0]
        file = path.name
        stats = qv.files.setdefault(file, FileStats(file=file, input=name))
        try:
            inside = path.resolve().parent == root
        except (OSError, RuntimeError):
            inside = False
        if not inside:
            qv._fail(make_failure("unreadable_file", file,
                                  detail_vi="liên kết trỏ ra ngoài thư mục quý, không được đọc",
                                  detail_en="a link leading outside the quarter folder; not followed"), stats)
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", LoaderWarning)
                table = read_table(path, name)
        except LoadError as e:
            qv._fail(make_failure("unreadable_file", file, detail_vi=e.reason_vi, detail_en=e.reason_en,
                                  example_rows=[e.line] if e.line else []), stats)
            continue
        qv._record(True, stats)  # readable
        tables[name] = table
        files[name] = file
        stats.rows = len(table.raw)

        # Personal data: dropped (warning) and never surviving (error).
        if table.dropped_personal:
            cols = ", ".join(table.dropped_personal)
            qv._fail(make_failure("personal_data_dropped", file, cols, failed_count=len(table.dropped_personal),
                                  detail_vi=f"đã bỏ: {cols}", detail_en=f"dropped: {cols}"), stats)
        else:
            qv._record(True, stats)
        _report_cells(qv, table, file, stats)
        from ..loader import header_key

        leaked = sorted({c for c in [*table.raw.columns, *table.df.columns] if header_key(c) in personal})
        if leaked:
            qv._fail(make_failure("personal_data_leak", file, ", ".join(leaked)), stats)
        else:
            qv._record(True, stats)
        for msg in table.warnings:
            if table.dropped_personal and msg.startswith("Đã bỏ cột dữ liệu cá nhân"):
                continue
            dvi, den = _split_bilingual(msg)
            qv._fail(make_failure("loader_note", file, detail_vi=dvi, detail_en=den), stats)

        # 4. The suite.
        run_suite(table, file, qv, stats, parameters, expectations_dir)

    # The staff commentary (nhan_xet.md, optional): its headings must be the fixed sections.
    _commentary_check(folder, qv)

    # 5. Cross-file checks.
    tasks, targets, plan_error = _read_plan_ids(plan_dir)
    if plan_error is not None:
        qv._fail(make_failure("plan_unreadable", str(plan_dir), detail_vi=plan_error, detail_en=plan_error))
    _membership(qv, tables, files, "tien_do", "MaNhiemVu", tasks, "unknown_task")
    _membership(qv, tables, files, "bao_cao", "MaChiTieu", targets, "unknown_target")
    _membership(qv, tables, files, "giai_trinh", "MaChiTieu", targets, "unknown_target")
    if "ho_so" in tables and "MaHoSo" in tables["ho_so"].raw.columns:
        ids = set(tables["ho_so"].df["MaHoSo"].dropna().to_numpy(dtype=object))
        _membership(qv, tables, files, "bo_sung", "MaHoSo", ids, "unknown_dossier")
    if "thu_tuc" in tables and "MaTTHC" in tables["thu_tuc"].raw.columns:
        ids = set(tables["thu_tuc"].df["MaTTHC"].dropna().to_numpy(dtype=object))
        _membership(qv, tables, files, "ho_so", "MaTTHC", ids, "unknown_procedure")

    unreadable = any(f.check in ("unreadable_file", "duplicate_input_file") for f in qv.failures)
    if manifest is not None and not unreadable:
        qv.data = QuarterData(quarter=qid, manifest=manifest, tables=tables, folder=folder)
    return qv


def _commentary_check(folder: Path, qv: QuarterValidation) -> None:
    from ..commentary import COMMENTARY_FILE, load_commentary
    from ..loader import LoadError

    if not (folder / COMMENTARY_FILE).is_file():
        return
    try:
        load_commentary(folder)
    except LoadError as e:
        qv._fail(make_failure("commentary_invalid", COMMENTARY_FILE, detail_vi=e.reason_vi, detail_en=e.reason_en,
                              example_rows=[e.line] if e.line else []))
        return
    qv._record(True)

_MAX_DETAIL_ROWS = 200


def _rows_detail(rows) -> tuple[str, str]:
    rows = [int(r) for r in rows]
    shown = ", ".join(map(str, rows[:_MAX_DETAIL_ROWS])) + (", …" if len(rows) > _MAX_DETAIL_ROWS else "")
    return f"dòng {shown}", f"rows {shown}"


def _report_cells(qv: QuarterValidation, table: Table, file: str, stats: FileStats) -> None:
    """Cells the loader masked (personal data in free text: a warning, counted
    per file and column; the rows only in the private report) and cells over
    the length limit (an error giving the rows)."""
    for check, found in (("personal_data_masked", table.masked), ("cell_too_long", table.too_long)):
        if not found:
            qv._record(True, stats)
        for col, rows in found.items():
            vi, en = _rows_detail(rows) if len(rows) > MAX_EXAMPLES else (None, None)
            qv._fail(make_failure(check, file, col, failed_count=len(rows), example_rows=rows,
                                  detail_vi=vi, detail_en=en), stats)


def _membership(qv: QuarterValidation, tables, files, name: str, column: str, allowed: set | None,
                check_id: str) -> None:
    if allowed is None or name not in tables or column not in tables[name].raw.columns:
        return
    table = tables[name]
    file = files[name]
    stats = qv.files[file]
    values = table.df[column].to_numpy(dtype=object, na_value=None)
    given = ~np.equal(values, None)
    if len(values) < len(allowed):  # a few rows against many ids (bo_sung against ho_so): look each up
        known = np.fromiter((v in allowed for v in values[given]), dtype=bool, count=int(given.sum()))
        bad = given.copy()
        bad[given] = ~known
    else:
        bad = given & ~pd.Series(values).isin(list(allowed)).to_numpy(dtype=bool)
    n = int(bad.sum())
    if n == 0:
        qv._record(True, stats)
        return
    idx = np.flatnonzero(bad)[:MAX_EXAMPLES].tolist()
    qv._fail(make_failure(check_id, file, column, failed_count=n,
                          example_rows=[int(table.row_numbers[i]) for i in idx],
                          example_values=_values_at(table, column, idx)), stats)


def validate_all(data_dir: Path, quarters, plan_dir: Path, **kw) -> list[QuarterValidation]:
    """Validate every quarter id of ``quarters`` under ``data_dir``.

    A quarter id that is not ``YYYYQn`` (e.g. ``../../etc``) is rejected
    without building a path from it.
    """
    data_dir = Path(data_dir)
    out = []
    for q in quarters:
        q = str(q)
        if not QUARTER_RE.fullmatch(q):
            qv = QuarterValidation(quarter=q, folder=Path(q))
            qv._fail(make_failure("bad_quarter_folder", q,
                                  detail_vi=f"“{q}” không phải mã quý dạng YYYYQn",
                                  detail_en=f"'{q}' is not a quarter id like 2026Q3"))
            out.append(qv)
            continue
        out.append(validate_quarter(data_dir / q, plan_dir, data_dir=data_dir, **kw))
    return out


def discover_quarters(data_dir: Path) -> list[str]:
    """Quarter ids of the folders of ``data_dir``, then the folders that only
    look like one (``202６Q3``, ``2026q3``): validating those reports them
    (check ``bad_quarter_folder``) instead of skipping them silently."""
    from ..periods import looks_like_quarter

    data_dir = Path(data_dir)
    dirs = [p.name for p in data_dir.iterdir() if p.is_dir()]
    return (sorted((d for d in dirs if QUARTER_RE.fullmatch(d)), key=lambda q: (int(q[:4]), int(q[5])))
            + sorted(d for d in dirs if looks_like_quarter(d)))
