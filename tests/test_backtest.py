"""Backtest: the sample quarters in data/ computed end to end and compared with
tests/expected/backtest_indicators.csv (exact numerators and denominators,
values to 1e-9, status).

When the data in data/ or a rule changes on purpose, regenerate and review the diff::

    .venv/bin/python -m cchc.indicators --write-backtest tests/expected/backtest_indicators.csv
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
EXPECTED = ROOT / "tests" / "expected" / "backtest_indicators.csv"
REGEN = ".venv/bin/python -m cchc.indicators --write-backtest tests/expected/backtest_indicators.csv"

pytest.importorskip("cchc.loader")
pytest.importorskip("cchc.plan")

from cchc.indicators.backtest import backtest_table, compute_all, load_all, quarter_folders, read_backtest  # noqa: E402
from cchc.indicators.reference import on_time_reference  # noqa: E402
from latest_rows import reference_inputs  # noqa: E402

pytestmark = pytest.mark.skipif(not DATA.is_dir() or not quarter_folders(DATA),
                                reason="no quarter folders in data/")


@pytest.fixture(scope="module")
def computed():
    quarters, plan = load_all(DATA)
    return quarters, plan, compute_all(quarters, plan)


def test_backtest_matches_expected(computed):
    assert EXPECTED.is_file(), f"missing {EXPECTED}; create it with: {REGEN}"
    got = backtest_table(computed[2])
    exp = read_backtest(EXPECTED)
    key = ["quarter", "id", "period"]
    assert list(got[key].astype(str).itertuples(index=False)) == list(exp[key].astype(str).itertuples(index=False)), \
        f"rows differ from {EXPECTED.name}; if intended, regenerate: {REGEN}"
    for c in ("numerator", "denominator"):
        a, b = got[c].astype("Int64"), exp[c].astype("Int64")
        same = (a.isna() & b.isna()) | (a == b).fillna(False)
        assert same.all(), f"{c} differs at {got.loc[~same, key].values.tolist()[:5]}; regenerate if intended: {REGEN}"
    va, vb = got["value"].to_numpy(float), exp["value"].to_numpy(float)
    ok = (np.isnan(va) & np.isnan(vb)) | (np.abs(va - vb) <= 1e-9)
    assert ok.all(), f"value differs at {got.loc[~ok, key].values.tolist()[:5]}"
    assert (got["status"].astype(str).to_numpy() == exp["status"].astype(str).to_numpy()).all()


@pytest.mark.slow
def test_on_time_matches_row_by_row_reference(computed):
    quarters, _, results = computed
    for q, res, periods, sups in reference_inputs(quarters, results):
        ind = res.indicators.set_index(["id", "period"])
        cols = quarters[q].df("ho_so").columns
        bs = pd.DataFrame([r for recs in sups.values() for r in recs], columns=quarters[q].df("bo_sung").columns)
        for period, (rows, per) in periods.items():
            got = tuple(int(x) for x in ind.loc[("on_time", period), ["numerator", "denominator"]])
            assert got == on_time_reference(pd.DataFrame(rows, columns=cols), bs, per), (q, period)


def test_every_target_has_two_rows_and_sane_values(computed):
    _, plan, results = computed
    for q, res in results.items():
        ind = res.indicators
        assert len(ind) == 2 * len(plan.targets)
        has = ind["denominator"].notna() & (ind["denominator"] > 0)
        assert (ind.loc[has, "numerator"] <= ind.loc[has, "denominator"]).all() or \
            set(res.breakdowns["warnings"]["code"]) >= {"numerator_gt_denominator"}
        assert (ind.loc[ind["value"].isna(), "status"] == "no_data").all()
