"""``python -m cchc.indicators``: compute every quarter of a data folder.

    .venv/bin/python -m cchc.indicators                      # print the year-to-date table of the latest quarter
    .venv/bin/python -m cchc.indicators --write-backtest tests/expected/backtest_indicators.csv
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .backtest import backtest_table, compute_all, load_all, write_backtest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cchc.indicators", description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("data"), help="folder with <YYYYQn>/ subfolders (default: data)")
    ap.add_argument("--plan", type=Path, default=None, help="plan folder (default: <data>/plan)")
    ap.add_argument("--write-backtest", type=Path, metavar="CSV", help="write the backtest table to CSV")
    a = ap.parse_args(argv)
    if a.write_backtest:
        t = write_backtest(a.write_backtest, a.data, a.plan)
        print(f"wrote {a.write_backtest}: {len(t)} rows, quarters {', '.join(t['quarter'].unique())}")
        return 0
    quarters, plan = load_all(a.data, a.plan)
    t = backtest_table(compute_all(quarters, plan))
    with pd.option_context("display.width", 200, "display.max_rows", 500):
        print(t[t["period"] == "ytd"].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
