"""What validation finds: one record per failed check (:class:`Failure`) and
the counts per file (:class:`FileStats`) and per quarter
(:class:`QuarterValidation`)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..model import QuarterData, Table
from .checks import check as _check

MAX_EXAMPLES = 5
_MAX_VALUE_CHARS = 40


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



def escape_value(v) -> str:
    """A raw cell for the private report: JSON-quoted (control characters and
    escape sequences made visible), truncated; blank shown as (trống)."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "(trống/blank)"
    s = str(v)
    if len(s) > _MAX_VALUE_CHARS:
        s = s[:_MAX_VALUE_CHARS] + "…"
    return json.dumps(s, ensure_ascii=False)


def values_at(table: Table, column: str | None, idx: list[int]) -> list[str]:
    if column is None or column not in table.raw.columns or not idx:
        return []
    s = table.raw[column]
    return [escape_value(s.iat[i]) for i in idx]
