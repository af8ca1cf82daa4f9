"""The ward's 2026 reform plan as data (see docs/architecture.md, "The plan as data").

Two published tables are built from the plan seed
``data/plan/source/ke-hoach-cchc-2026.md``:

- ``tasks.csv``: every activity row of the appendix ("PHỤ LỤC"), extracted by
  :func:`extract_tasks` (deterministic code, no hand editing);
- ``targets.csv``: every quantitative target of the plan's body (section II)
  and appendix, hand-curated in ``data/plan/source/targets.yaml`` and checked against the
  seed by :func:`build_targets`.

Regenerate both with ``python -m cchc.plan`` (``--check`` only compares).
:func:`load_plan` reads them back into a :class:`cchc.model.Plan`.
"""
from __future__ import annotations

import argparse
import html
import io
import re
import sys
from pathlib import Path

import pandas as pd
import yaml

from .model import Plan

ROOT = Path(__file__).resolve().parents[1]
PLAN_DIR = ROOT / "data" / "plan"
SEED_PATH = PLAN_DIR / "source" / "ke-hoach-cchc-2026.md"

TASK_COLUMNS = [
    "id", "area", "area_name", "objective_no", "objective", "task", "activity",
    "product", "lead_unit", "cooperating_units", "timing",
]
TARGET_COLUMNS = [
    "id", "area", "name_vi", "target", "direction", "unit", "source", "measure",
    "headline", "plan_ref", "plan_sentence", "note",
]
AREAS = ("I", "II", "III", "IV", "V", "VI", "VII")
SOURCES = ("dossiers", "catalogue", "feedback", "survey", "unit_report")
DIRECTIONS = (">=", "<=")
# The indicators computed from transaction data; their ids are fixed by the contract.
FIXED_IDS = (
    "on_time", "online_dossiers", "online_payment", "digitized_dossiers", "e_results",
    "data_reuse", "feedback_on_time", "satisfaction", "full_online_services",
)

_TAG_RE = re.compile(r"<[^>]+>")
_WS_RE = re.compile(r"\s+")
_COLS = 8  # STT, Mục tiêu, Nhiệm vụ, Hoạt động, Kết quả/sản phẩm, Chủ trì, Phối hợp, Thời gian
_STT, _OBJ, _TASK, _ACT, _PROD, _LEAD, _COOP, _TIME = range(_COLS)


class PlanError(ValueError):
    """The plan files are missing or malformed (message: Vietnamese / English)."""


# --------------------------------------------------------------------------- text


def normalize_text(text: str | None) -> str:
    """Strip HTML tags (each tag becomes a space, so ``<p>`` paragraphs are
    joined by one space), unescape entities and collapse whitespace."""
    if text is None:
        return ""
    text = html.unescape(_TAG_RE.sub(" ", str(text)))
    return _WS_RE.sub(" ", text).strip()


def read_seed(path: Path = SEED_PATH) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanError(
            f"Không tìm thấy văn bản kế hoạch gốc: {path} / plan seed not found: {path}"
        ) from None


def _is_continuation(cell: str) -> bool:
    """A cell whose first character is a lower-case letter continues a sentence cut by a page break."""
    return bool(cell) and cell[0].isalpha() and cell[0].islower()


def _sentence_case(title: str) -> str:
    return title[:1].upper() + title[1:].lower()


# --------------------------------------------------------------------------- tasks


def _appendix_rows(seed_text: str) -> list[list[str]]:
    """The tab-separated rows of the appendix, each padded to 8 normalised cells."""
    start = seed_text.find("PHỤ LỤC")
    if start < 0:
        raise PlanError(
            "Không tìm thấy phần PHỤ LỤC trong văn bản kế hoạch / "
            "the plan seed has no appendix (PHỤ LỤC)"
        )
    rows: list[list[str]] = []
    for line in seed_text[start:].splitlines():
        if "\t" not in line:
            continue
        cells = [normalize_text(c) for c in line.split("\t")]
        cells = (cells + [""] * _COLS)[:_COLS]
        if any(cells):
            rows.append(cells)
    return rows


def extract_tasks(seed_text: str) -> pd.DataFrame:
    """Every activity row of the appendix, one row per activity, in appendix order.

    How the table is rebuilt (the appendix is a Word table pasted as TSV):

    1. Page breaks repeat the header row (``STT  Mục tiêu  …``). In the first
       row after a repeated header, a cell that starts with a lower-case letter
       continues the cell of the same column above (a merged cell split across
       the page, e.g. objective II.3.2 "… của cơ quan hành" + "chính nhà nước
       đạt tối thiểu 95%."). Its text is appended (with a space) to the nearest
       row above that has text in that column, and the cell is then treated as
       blank, i.e. as "same as above". The rest of that row (here always a new
       activity starting with a capital letter) stays a row of its own.
    2. A row with an empty STT, text in "Mục tiêu" and nothing in the last two
       columns is shifted two columns to the left (one such row, in area IV:
       "Thực hiện quy định, tăng cường minh bạch, …"): its cells are moved back
       to Hoạt động / Kết quả / Chủ trì / Phối hợp / Thời gian.
    3. A row with a roman numeral in STT and nothing after the title is an
       area heading; a row with a number in STT and nothing after "Mục tiêu"
       is a group heading ("3 Thực hiện cơ chế một cửa …", whose objectives
       are 3.1 … 3.6) and is not an activity; a row with a number in STT starts
       an objective block.
    4. Blank cells are merged cells ("same as above") and are filled down:
       objective and task within the objective block (every block's first row
       has both); product within the objective block (only IV.1 needs it: its
       product/lead/cooperation/timing cells run over the page break); lead,
       cooperating units and timing within the area, because a merged Chủ trì /
       Phối hợp cell can run over the next objective's first row (III.2 has no
       Chủ trì / Phối hợp of its own: they are III.1's). If the filled-down
       cooperating unit equals the row's own lead unit, it is left empty (I.03
       and I.04 name "Các cơ quan, đơn vị" as lead; a unit does not cooperate
       with itself).

    How the 63 activities are counted: one activity per row of the rebuilt
    table that has text in "Hoạt động" (after steps 1–2), i.e. I 8, II 21,
    III 2, IV 6, V 7, VI 12, VII 7. A "Hoạt động" cell holding several
    ``<p>`` paragraphs is one activity: it happens once (III.2, two paragraphs
    in one cell, next to a single product "Quy chế tổ chức hoạt động" and a
    single timing), so the table itself does not make them separate rows.

    All text is HTML-stripped and whitespace-normalised; the plan's own
    wording (typos included, e.g. "TTTC", "Công dịch vụ công") is kept. Area
    names are the appendix headings in sentence case.
    """
    rows = _appendix_rows(seed_text)
    records: list[dict] = []  # one per activity row, raw cells after steps 1-2
    objectives: dict[tuple[str, str], dict] = {}
    area = area_name = None
    objective_key = None
    headers_seen = 0
    after_page_break = False

    for cells in rows:
        if cells[_STT] == "STT":
            headers_seen += 1
            after_page_break = headers_seen > 1
            continue
        continuing, after_page_break = after_page_break, False
        stt = cells[_STT]
        if stt in AREAS and not any(cells[2:]):
            area, area_name, objective_key = stt, _sentence_case(cells[_OBJ]), None
            continue
        if area is None:
            raise PlanError(
                f"Dòng phụ lục trước tiêu đề lĩnh vực: {cells} / appendix row before any area heading"
            )
        if stt and not any(cells[2:]):
            continue  # group heading (II.3), its objectives are 3.1 ... 3.6

        if continuing and not stt:  # step 1
            for col in range(_OBJ, _COLS):
                if cells[col] and _is_continuation(cells[col]):
                    if col == _OBJ:
                        objectives[objective_key]["text"] += " " + cells[col]
                    else:
                        above = next(r for r in reversed(records) if r["cells"][col])
                        above["cells"][col] += " " + cells[col]
                    cells[col] = ""

        if not stt and cells[_OBJ] and not cells[_COOP] and not cells[_TIME]:  # step 2
            cells = ["", "", ""] + cells[_OBJ:_COOP]

        if stt:
            objective_key = (area, stt)
            objectives[objective_key] = {"text": cells[_OBJ]}
        if not cells[_ACT]:
            if any(cells[_PROD:]):
                raise PlanError(f"Dòng phụ lục không có hoạt động: {cells} / appendix row without an activity")
            continue
        if objective_key is None:
            raise PlanError(f"Hoạt động ngoài mục tiêu: {cells} / activity outside any objective")
        records.append({"area": area, "area_name": area_name, "objective": objective_key,
                        "new_objective": bool(stt), "cells": cells})

    out = []
    counters: dict[str, int] = {}
    carry: dict[int, str] = {}
    prev_area = None
    for rec in records:  # step 4
        cells = rec["cells"]
        if rec["area"] != prev_area:
            carry, prev_area = {}, rec["area"]
        if rec["new_objective"]:
            for col in (_TASK, _PROD):
                carry.pop(col, None)
        filled = {}
        for col in (_TASK, _PROD, _LEAD, _COOP, _TIME):
            if cells[col]:
                carry[col] = cells[col]
            filled[col] = carry.get(col, "")
        if filled[_COOP] == filled[_LEAD] and not cells[_COOP]:
            filled[_COOP] = ""
        counters[rec["area"]] = counters.get(rec["area"], 0) + 1
        area_code, objective_no = rec["objective"]
        out.append({
            "id": f"{area_code}.{counters[area_code]:02d}",
            "area": area_code,
            "area_name": rec["area_name"],
            "objective_no": objective_no,
            "objective": objectives[rec["objective"]]["text"],
            "task": filled[_TASK],
            "activity": cells[_ACT],
            "product": filled[_PROD],
            "lead_unit": filled[_LEAD],
            "cooperating_units": filled[_COOP],
            "timing": filled[_TIME],
        })
    df = pd.DataFrame(out, columns=TASK_COLUMNS).astype("string")
    for col in ("objective", "task", "activity", "lead_unit", "timing"):
        empty = df.loc[df[col] == "", "id"].tolist()
        if empty:
            raise PlanError(
                f"Phụ lục: cột {col} trống ở các dòng {empty} / appendix: empty {col} in rows {empty}"
            )
    return df


TARGETS_SOURCE = Path(__file__).resolve().parent.parent / "data" / "plan" / "source" / "targets.yaml"


def read_targets_source(path: Path = TARGETS_SOURCE) -> list[dict]:
    """The hand-curated targets (``data/plan/source/targets.yaml``), in the
    order the plan states them; fields are described at the top of the file."""
    try:
        with open(path, encoding="utf-8") as f:
            rows = yaml.safe_load(f)["targets"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise _fail(path, f"không đọc được danh sách chỉ tiêu ({exc})", f"cannot read the targets source ({exc})")
    return rows


def in_plan(sentence: str, seed_text: str, tasks: pd.DataFrame | None = None) -> bool:
    """Whether ``sentence`` is verbatim plan text: a substring of the
    whitespace-normalised seed, or — only for a sentence that a page break cut
    inside an appendix cell — of a rebuilt appendix cell (objective, task,
    activity, product of :func:`extract_tasks`)."""
    sentence = normalize_text(sentence)
    if sentence in normalize_text(seed_text):
        return True
    tasks = extract_tasks(seed_text) if tasks is None else tasks
    cells = pd.unique(tasks[["objective", "task", "activity", "product"]].to_numpy().ravel())
    return any(sentence in str(c) for c in cells)


def build_targets(seed_text: str, tasks: pd.DataFrame | None = None,
                  source: Path = TARGETS_SOURCE) -> pd.DataFrame:
    """The targets table from ``targets.yaml``, checked against the seed."""
    rows = []
    for t in read_targets_source(source):
        rows.append({
            "id": t["id"], "area": t["area"], "name_vi": t["name_vi"], "target": float(t["target"]),
            "direction": t.get("direction", ">="), "unit": t.get("unit", "%"), "source": t["source"],
            "measure": t.get("measure") or t["id"], "headline": int(t.get("headline", 0)),
            "plan_ref": t["plan_ref"], "plan_sentence": normalize_text(t["plan_sentence"]),
            "note": t.get("note", ""),
        })
    df = pd.DataFrame(rows, columns=TARGET_COLUMNS)
    tasks = extract_tasks(seed_text) if tasks is None else tasks
    missing = [r["id"] for r in rows if not in_plan(r["plan_sentence"], seed_text, tasks)]
    if missing:
        raise PlanError(
            f"Câu trích dẫn không có trong kế hoạch: {missing} / plan_sentence not found in the plan seed: {missing}"
        )
    _check_targets(df, "targets")
    return df.astype({c: "string" for c in TARGET_COLUMNS if c not in ("target", "headline")})


# --------------------------------------------------------------------------- files


def _to_csv(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n", float_format="%g")
    return buf.getvalue()


def render_csvs(seed_text: str, targets_source: Path = TARGETS_SOURCE) -> dict[str, str]:
    """``{"tasks.csv": text, "targets.csv": text}`` as they must be committed."""
    tasks = extract_tasks(seed_text)
    return {"tasks.csv": _to_csv(tasks), "targets.csv": _to_csv(build_targets(seed_text, tasks, targets_source))}


def verify_plan(plan_dir: Path = PLAN_DIR) -> None:
    """``targets.csv`` and ``tasks.csv`` of ``plan_dir`` must be exactly what
    its ``source/`` (the plan seed and ``targets.yaml``) generates; otherwise
    :class:`PlanError` names the file, the ids and the columns that differ.

    This is what stops a silent edit of a target (``on_time`` 98 → 50) in the
    generated table: the build runs it on every build."""
    plan_dir = Path(plan_dir)
    source = plan_dir / "source"
    expected = render_csvs(read_seed(source / SEED_PATH.name), source / TARGETS_SOURCE.name)
    problems_vi, problems_en = [], []
    for name, text in expected.items():
        path = plan_dir / name
        actual = path.read_bytes() if path.is_file() else None
        if actual == text.encode("utf-8"):
            continue
        where = _differences(actual, text) if actual is not None else "thiếu tệp / file missing"
        problems_vi.append(f"{path}: khác với bản tạo từ {source} ({where})")
        problems_en.append(f"{path}: differs from what {source} generates ({where})")
    if problems_vi:
        raise PlanError(
            "Kế hoạch dùng để tính không phải kế hoạch đã ban hành: " + "; ".join(problems_vi)
            + ". Sửa trong data/plan/source/ rồi chạy: python -m cchc.plan / the plan tables are not the committed "
            "plan: " + "; ".join(problems_en) + ". Edit data/plan/source/ and run: python -m cchc.plan")


def _differences(actual: bytes, expected: str, limit: int = 10) -> str:
    """Which ids and columns of a plan table differ ("on_time: target 98 → 50")."""
    try:
        a = pd.read_csv(io.BytesIO(actual), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return "không đọc được / unreadable"
    e = pd.read_csv(io.StringIO(expected), dtype=str, keep_default_na=False)
    if list(a.columns) != list(e.columns) or "id" not in e.columns:
        return f"cột / columns {list(a.columns)} ≠ {list(e.columns)}"
    a, e = a.set_index("id"), e.set_index("id")
    out = [f"{i}: thừa / unexpected" for i in a.index.difference(e.index)]
    out += [f"{i}: thiếu / missing" for i in e.index.difference(a.index)]
    for i in e.index.intersection(a.index):
        for col in e.columns:
            if a.at[i, col] != e.at[i, col]:
                out.append(f"{i}: {col} = {a.at[i, col]} (nguồn / source: {e.at[i, col]})")
    if not out:
        return "thứ tự dòng hoặc định dạng tệp / row order or file format"
    return ", ".join(out[:limit]) + (f" (+{len(out) - limit})" if len(out) > limit else "")


def write_plan(plan_dir: Path = PLAN_DIR, seed_path: Path = SEED_PATH) -> list[Path]:
    """Regenerate tasks.csv and targets.csv (UTF-8, no BOM, LF) from the seed."""
    plan_dir = Path(plan_dir)
    plan_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_csvs(read_seed(seed_path)).items():
        path = plan_dir / name
        path.write_bytes(text.encode("utf-8"))
        written.append(path)
    return written


def _fail(path: Path, vi: str, en: str) -> PlanError:
    return PlanError(f"Tệp kế hoạch {path}: {vi} / plan file {path}: {en}")


def _read_csv(path: Path, columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    if not path.is_file():
        raise _fail(path, "không tìm thấy (chạy: python -m cchc.plan)",
                    "not found (run: python -m cchc.plan)")
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _fail(path, f"không đọc được ({exc})", f"cannot be read ({exc})") from None
    missing = [c for c in columns if c not in head.columns]
    extra = [c for c in head.columns if c not in columns]
    if missing or extra:
        raise _fail(path, f"sai cột (thiếu {missing}, thừa {extra})",
                    f"wrong columns (missing {missing}, unexpected {extra})")
    try:
        df = pd.read_csv(path, dtype="string", keep_default_na=False, na_values=[""],
                         encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise _fail(path, f"không đọc được ({exc})", f"cannot be read ({exc})") from None
    for col, dtype in dtypes.items():
        raw = df[col]
        values = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & values.isna()
        if raw.isna().any() or bad.any():
            rows = (df.index[raw.isna() | bad] + 2).tolist()
            raise _fail(path, f"cột {col} phải là số ở mọi dòng (dòng {rows})",
                        f"column {col} must be a number on every row (rows {rows})")
        if dtype == "int":
            if (values != values.round()).any():
                raise _fail(path, f"cột {col} phải là số nguyên", f"column {col} must be an integer")
            df[col] = values.astype(int)
        else:
            df[col] = values.astype(float)
    return df[columns]


def _check_targets(df: pd.DataFrame, path) -> None:
    problems_vi, problems_en = [], []

    def bad(mask, col, vi, en):
        if mask.any():
            ids = df.loc[mask, "id"].astype(str).tolist()
            problems_vi.append(f"{col} {vi} ({ids})")
            problems_en.append(f"{col} {en} ({ids})")

    for col in ("id", "area", "name_vi", "direction", "unit", "source", "measure", "plan_ref", "plan_sentence"):
        bad(df[col].isna() | (df[col].astype("string").str.strip() == ""), col, "trống", "is empty")
    bad(df["id"].duplicated(keep=False), "id", "trùng", "is duplicated")
    bad(~df["area"].isin(AREAS), "area", "không thuộc I..VII", "not in I..VII")
    bad(~df["direction"].isin(DIRECTIONS), "direction", "phải là >= hoặc <=", "must be >= or <=")
    bad(~df["source"].isin(SOURCES), "source", f"phải thuộc {SOURCES}", f"must be one of {SOURCES}")
    bad(~df["headline"].isin([0, 1]), "headline", "phải là 0 hoặc 1", "must be 0 or 1")
    missing = [i for i in FIXED_IDS if i not in set(df["id"])]
    if missing:
        problems_vi.append(f"thiếu các chỉ tiêu bắt buộc {missing}")
        problems_en.append(f"missing the contract's fixed ids {missing}")
    if problems_vi:
        raise _fail(path, "; ".join(problems_vi), "; ".join(problems_en))


def _check_tasks(df: pd.DataFrame, path) -> None:
    for col in ("id", "area", "objective", "activity", "lead_unit", "timing"):
        empty = df[col].isna()
        if empty.any():
            rows = (df.index[empty] + 2).tolist()
            raise _fail(path, f"cột {col} trống (dòng {rows})", f"column {col} is empty (rows {rows})")
    if df["id"].duplicated().any():
        dups = sorted(set(df.loc[df["id"].duplicated(), "id"]))
        raise _fail(path, f"mã nhiệm vụ trùng {dups}", f"duplicated task ids {dups}")
    if not df["area"].isin(AREAS).all():
        raise _fail(path, "cột area phải thuộc I..VII", "column area must be in I..VII")


def load_plan(plan_dir: Path = PLAN_DIR) -> Plan:
    """Read ``targets.csv`` and ``tasks.csv`` of ``plan_dir`` into a :class:`Plan`.

    Dtypes: ``target`` float, ``headline`` int, every other column pandas
    ``string`` (a blank cell is ``<NA>``). Raises :class:`PlanError` with a
    Vietnamese / English message naming the file when a file is missing or
    malformed.
    """
    plan_dir = Path(plan_dir)
    targets_path, tasks_path = plan_dir / "targets.csv", plan_dir / "tasks.csv"
    targets = _read_csv(targets_path, TARGET_COLUMNS, {"target": "float", "headline": "int"})
    _check_targets(targets, targets_path)
    tasks = _read_csv(tasks_path, TASK_COLUMNS, {})
    _check_tasks(tasks, tasks_path)
    tasks["lead_unit_group"] = tasks["lead_unit"].map(unit_aliases(plan_dir)).fillna(tasks["lead_unit"])
    return Plan(targets=targets, tasks=tasks)


def unit_aliases(plan_dir: Path = PLAN_DIR) -> dict[str, str]:
    """``units.csv``: the plan spells some units several ways ("Phòng Văn hóa –
    Xã hội", "Phòng Văn hóa-Xã hội"); ``lead_unit`` keeps the plan's wording and
    ``lead_unit_group`` the one name used to group tasks by unit."""
    path = Path(plan_dir) / "units.csv"
    if not path.is_file():
        return {}
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return dict(zip(df["alias"].str.strip(), df["unit"].str.strip()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cchc.plan",
        description="Tạo lại data/plan/tasks.csv và targets.csv từ văn bản kế hoạch / "
                    "regenerate the plan tables from the plan seed.")
    parser.add_argument("--seed", type=Path, default=SEED_PATH)
    parser.add_argument("--out", type=Path, default=PLAN_DIR)
    parser.add_argument("--check", action="store_true",
                        help="chỉ so sánh, không ghi / only compare with the committed files")
    args = parser.parse_args(argv)
    try:
        if args.check:
            stale = [name for name, text in render_csvs(read_seed(args.seed)).items()
                     if not (args.out / name).is_file()
                     or (args.out / name).read_bytes() != text.encode("utf-8")]
            if stale:
                print(f"Cần tạo lại / out of date: {', '.join(stale)} (python -m cchc.plan)", file=sys.stderr)
                return 1
            print("data/plan: khớp với văn bản kế hoạch / up to date")
            return 0
        for path in write_plan(args.out, args.seed):
            print(f"đã ghi / wrote {path}")
    except PlanError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
