"""Collecting the lead units' quarterly reports without retyping.

Three commands, each a module with one public function (load → transform → save):

- :mod:`cchc.collect.newquarter` — ``new_quarter``: the quarter folder and its ``quarter.yml``;
- :mod:`cchc.collect.templates` — ``write_templates``: one Excel workbook per reporting unit;
- :mod:`cchc.collect.collect` — ``collect``: the returned workbooks (or CSV saved from
  them) → the quarter's ``tien_do.xlsx`` and ``bao_cao.xlsx``.

Layout, column headers, length limits, instructions and the indicator → unit
assignment are data: ``cchc/contract/collect.yaml``. Status values and their
accepted spellings come from the input contract (``inputs.yaml``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from .. import contract
from ..loader import fold
from ..periods import QuarterIdError, parse_quarter
from ..plan import Plan, load_plan

__all__ = ["CollectError", "Problem", "config", "Assignment", "assignment", "check_quarter_id", "slug",
           "status_labels"]


@lru_cache(maxsize=None)
def config() -> dict:
    """``cchc/contract/collect.yaml``."""
    with resources.files("cchc.contract").joinpath("collect.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a returned file: where, and what to fix (Vietnamese and English)."""

    file: str
    vi: str
    en: str
    sheet: str | None = None
    row: int | None = None

    def __str__(self) -> str:
        where_vi = self.file + (f", trang “{self.sheet}”" if self.sheet else "") + \
            (f", dòng {self.row}" if self.row else "")
        where_en = self.file + (f', sheet "{self.sheet}"' if self.sheet else "") + \
            (f", row {self.row}" if self.row else "")
        return f"{where_vi}: {self.vi}\n    / {where_en}: {self.en}"


class CollectError(Exception):
    """Invalid input for a collection command (exit code 2); ``problems`` lists every one found."""

    exit_code = 2

    def __init__(self, message: str, problems: list[Problem] | None = None):
        self.problems = list(problems or [])
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [self.message] + [f"  - {p}" for p in self.problems]
        return "\n".join(lines)


def check_quarter_id(qid: str) -> str:
    """``qid`` if it is an ASCII ``YYYYQn`` (it becomes a folder name); else a CollectError."""
    try:
        if not re.fullmatch(r"[0-9]{4}Q[1-4]", str(qid)):
            raise QuarterIdError(qid)
        parse_quarter(qid)
    except QuarterIdError:
        raise CollectError(f"Mã quý {qid!r} không có dạng YYYYQn (ví dụ 2027Q1) / "
                           f"quarter {qid!r} is not like 2027Q1") from None
    return qid


def previous_quarter(qid: str) -> str:
    y, q = parse_quarter(qid)
    return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"


def slug(text: str) -> str:
    """ASCII file-name part of a unit name: ``Văn phòng HĐND và UBND`` → ``van-phong-hdnd-va-ubnd``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@lru_cache(maxsize=None)
def status_labels() -> dict[str, str]:
    """Contract status code → the Vietnamese label shown in the dropdown (its first display value)."""
    spec = contract.columns("tien_do")["TrangThai"]
    out: dict[str, str] = {}
    for label, code in (spec.get("value_aliases") or {}).items():
        out.setdefault(code, label)
    return {code: out.get(code, code) for code in spec["allowed"]}


@dataclass
class Assignment:
    """Who reports what: the plan's activities and unit-reported indicators, per reporting unit."""

    plan: Plan
    tasks: pd.DataFrame        # plan tasks + column ``unit`` (the reporting unit)
    indicators: pd.DataFrame   # unit_report targets, one row per measure, + ``unit``

    @property
    def units(self) -> list[str]:
        """Reporting units, in the order of their first activity in the plan."""
        seen = dict.fromkeys(self.tasks["unit"])
        seen.update(dict.fromkeys(self.indicators["unit"]))
        return list(seen)

    def unit_of_task(self) -> dict[str, str]:
        return dict(zip(self.tasks["id"], self.tasks["unit"]))

    def unit_of_indicator(self) -> dict[str, str]:
        return dict(zip(self.indicators["measure"], self.indicators["unit"]))


def _target_text(row) -> str:
    target = row["target"]
    number = f"{target:g}".replace(".", ",") if pd.notna(target) else ""
    # Words, not "≥": Excel's Windows-1258 CSV cannot write that sign.
    word = {">=": "Tối thiểu", "<=": "Tối đa"}.get(str(row["direction"]), str(row["direction"]))
    return f"{word} {number}{row['unit']}".strip()


def assignment(plan_dir: Path) -> Assignment:
    """Load the plan and decide which unit reports each activity and indicator (collect.yaml)."""
    plan = load_plan(plan_dir)
    cfg = config()
    tasks = plan.tasks.copy()
    via = cfg.get("report_via") or {}
    tasks["unit"] = tasks["lead_unit_group"].map(lambda u: via.get(u, u)).astype(str)
    ur = plan.targets[plan.targets["source"] == "unit_report"].copy()
    ur["measure"] = ur["measure"].fillna(ur["id"]).astype(str)
    ur = ur.drop_duplicates("measure")
    mapping = cfg.get("indicator_units") or {}
    missing = sorted(set(ur["measure"]) - set(mapping))
    if missing:
        raise CollectError(
            f"cchc/contract/collect.yaml: chưa giao đơn vị báo cáo cho chỉ tiêu {', '.join(missing)} "
            f"(mục indicator_units) / no reporting unit for indicators {', '.join(missing)} (indicator_units)")
    ur["unit"] = ur["measure"].map(mapping)
    ur["target_text"] = ur.apply(_target_text, axis=1)
    return Assignment(plan=plan, tasks=tasks.reset_index(drop=True), indicators=ur.reset_index(drop=True))
