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
   parameters (:mod:`cchc.validation.suite_run`);
5. cross-file checks (plan ids, dossier ids, catalogue ids).

:func:`prepare_quarter` does all but the suites, which it hands back as
:class:`PendingSuite`; :func:`finish_quarter` puts their outcomes in, each
where running it in line would have put it. :func:`validate_quarter` does
both in this process; :mod:`cchc.validation.parallel` runs the suites of
several quarters in workers while the files are read here. An outcome
already known for the same bytes, suite and parameters is reused
(:mod:`cchc.validation.outcomes`).

All failures share one record, :class:`Failure` (:mod:`cchc.validation.records`);
the level and the rule text of a check come from ``cchc/contract/checks.yaml``.
Errors stop the quarter, warnings are published (as counts) on the
data-quality page.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import contract
from ..model import Manifest, QuarterData, Table
from ..periods import QUARTER_RE, quarter_period
from . import outcomes
from .records import MAX_EXAMPLES, Failure, FileStats, QuarterValidation, escape_value, make_failure, values_at
from .suite_run import EXPECTATIONS_DIR, Outcome, load_suite_doc, suite_input, suite_outcome

__all__ = ["EXPECTATIONS_DIR", "Failure", "FileStats", "InvalidInput", "MAX_EXAMPLES", "PendingSuite",
           "QuarterValidation", "discover_quarters", "escape_value", "finish_quarter", "make_failure",
           "prepare_quarter", "run_suite_job", "validate_all", "validate_quarter", "window_parameters"]

MANIFEST_NAME = "quarter.yml"
INPUT_SUFFIXES = (".csv", ".xlsx")


class InvalidInput(Exception):
    """Raised by the pipeline when a quarter has errors; ``exit_code`` 2."""

    exit_code = 2

    def __init__(self, validations):
        self.validations = list(validations)
        from .report import format_report

        super().__init__(format_report(self.validations))


def _personal_keys() -> set[str]:
    from ..loader import header_key

    spec = contract.personal_data()
    return {header_key(x) for x in [*spec.get("columns", []), *spec.get("aliases", [])]}


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


@dataclass
class PendingSuite:
    """One file's Great Expectations suite, taken out of the quarter's
    validation so that it can run after every file was read, in this process
    or in a worker (:mod:`cchc.validation.parallel`). ``position`` is where its
    failures go among the quarter's: where running it in line would have put
    them."""

    table: Table
    file: str
    parameters: dict[str, str] | None
    expectations_dir: Path
    position: int
    key: tuple | None = None  # the memo key (cchc.validation.outcomes); None: not remembered
    outcome: Outcome | None = None  # once known: remembered, or given by complete()

    @property
    def job(self) -> tuple:
        """The arguments of :func:`run_suite_job` (the table as the suite reads it)."""
        return suite_input(self.table), self.file, self.parameters, self.expectations_dir

    def complete(self, outcome: Outcome) -> None:
        self.outcome = outcome
        outcomes.remember(self.key, outcome)


def run_suite_job(table: Table, file: str, parameters: dict[str, str] | None,
                  expectations_dir: Path = EXPECTATIONS_DIR) -> Outcome:
    """The outcome of the suite of ``table`` (see :class:`PendingSuite`)."""
    return suite_outcome(table, file, parameters, load_suite_doc(table.name, expectations_dir))


def validate_quarter(folder: Path, plan_dir: Path, *, data_dir: Path | None = None,
                     expectations_dir: Path = EXPECTATIONS_DIR) -> QuarterValidation:
    """Validate one quarter folder (``data/<YYYYQn>/``) against the contract and the plan.

    ``data_dir`` (default: the folder's parent) is the folder every quarter
    folder must sit in directly; a path leaving it is rejected unread.
    """
    qv, pending = prepare_quarter(folder, plan_dir, data_dir=data_dir, expectations_dir=expectations_dir)
    for p in pending:
        if p.outcome is None:
            p.complete(run_suite_job(*p.job))
    return finish_quarter(qv, pending)


def finish_quarter(qv: QuarterValidation, pending: list[PendingSuite]) -> QuarterValidation:
    """Put the suites' outcomes into ``qv`` (every :class:`PendingSuite` of
    :func:`prepare_quarter` completed), each at its place: the result equals
    running the suites in line."""
    for _, p in sorted(enumerate(pending), key=lambda t: (t[1].position, t[0]), reverse=True):
        if p.outcome is None:
            raise ValueError(f"suite of {p.file} not run")
        passed, failures, ge_result = p.outcome
        stats = qv.files[p.file]
        for _ in range(passed):
            qv._record(True, stats)
        found = []
        for f in failures:
            f = copy.deepcopy(f)
            f.quarter = qv.quarter
            found.append(f)
            qv._record(False, stats)
        qv.failures[p.position:p.position] = found
        if ge_result is None:
            qv.ge_results.pop(p.file, None)
        else:
            qv.ge_results[p.file] = copy.deepcopy(ge_result)
    return qv


def prepare_quarter(folder: Path, plan_dir: Path, *, data_dir: Path | None = None,
                    expectations_dir: Path = EXPECTATIONS_DIR, on_suite=None
                    ) -> tuple[QuarterValidation, list[PendingSuite]]:
    """Every check of :func:`validate_quarter` but the Great Expectations
    suites, which are returned as :class:`PendingSuite` (those whose outcome
    is remembered come completed); :func:`finish_quarter` puts their outcomes
    in. ``on_suite(pending)`` is called with each suite still to run as soon
    as its file is read, before the next file (so that a worker can start on
    it)."""
    from ..loader import LoadError, LoaderWarning, read_table

    folder = Path(folder)
    qv = QuarterValidation(quarter=folder.name, folder=folder)
    pending: list[PendingSuite] = []

    # 1. The folder.
    vi, en = _check_folder(folder, data_dir)
    if vi is not None:
        qv.quarter = folder.name if QUARTER_RE.fullmatch(folder.name) else str(folder)
        qv._fail(make_failure("bad_quarter_folder", str(folder), detail_vi=vi, detail_en=en))
        return qv, pending
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

        # 4. The suite: run later, its failures go here.
        key = outcomes.memo_key(table, file, load_suite_doc(name, expectations_dir), parameters)
        qv.ge_results[file] = None  # the file's place among the results
        pending.append(PendingSuite(table, file, parameters, expectations_dir, len(qv.failures), key,
                                    outcomes.recall(key)))
        if on_suite is not None and pending[-1].outcome is None:
            on_suite(pending[-1])

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
    return qv, pending


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
                          example_values=values_at(table, column, idx)), stats)


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