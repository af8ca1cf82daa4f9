"""Backtest table: every quarter folder of ``data/`` computed, one row per
quarter × target id × period, to pin the computation against committed
expectations (tests/test_backtest.py).

Regenerate the expected file after an intended change of the data or the rules::

    .venv/bin/python -m cchc.indicators --write-backtest tests/expected/backtest_indicators.csv
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from ..periods import is_quarter_id, sort_quarters

BACKTEST_COLUMNS = ["quarter", "id", "period", "numerator", "denominator", "value", "status"]


def quarter_folders(data_dir: Path) -> list[str]:
    data_dir = Path(data_dir)
    return sort_quarters([p.name for p in data_dir.iterdir() if p.is_dir() and is_quarter_id(p.name)])


def load_all(data_dir: Path, plan_dir: Path | None = None):
    from ..loader import load_quarter
    from ..plan import load_plan

    data_dir = Path(data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quarters = {q: load_quarter(data_dir / q) for q in quarter_folders(data_dir)}
    plan = load_plan(Path(plan_dir) if plan_dir else data_dir / "plan")
    return quarters, plan


def compute_all(quarters: dict, plan) -> dict:
    from . import compute_quarter

    return {q: compute_quarter(q, quarters, plan) for q in sort_quarters(quarters)}


def backtest_table(results: dict) -> pd.DataFrame:
    from . import trend

    t = trend(results)[BACKTEST_COLUMNS].reset_index(drop=True)
    return t


def write_backtest(path: Path, data_dir: Path = Path("data"), plan_dir: Path | None = None) -> pd.DataFrame:
    quarters, plan = load_all(data_dir, plan_dir)
    t = backtest_table(compute_all(quarters, plan))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t.to_csv(path, index=False, float_format="%.17g", lineterminator="\n")
    return t


def read_backtest(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"quarter": "string", "id": "string", "period": "string", "status": "string",
                                    "numerator": "Int64", "denominator": "Int64", "value": "float64"},
                       keep_default_na=False, na_values=[""])
