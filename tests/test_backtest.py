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
from cchc.periods import parse_quarter, quarter_period, ytd_period  # noqa: E402

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


def _corrected_rows(keys_from, frames, key):
    """Plain-Python "latest row wins everywhere", independent of cchc.indicators.core:
    the records whose keys appear in ``keys_from``, each taken from the latest of
    ``frames`` (every quarter's file, oldest first, later quarters included)
    that has the key."""
    latest = {}
    for df in frames:
        for rec in df.to_dict("records"):
            latest[rec[key]] = rec
    keys = dict.fromkeys(k for df in keys_from for k in df[key])
    cols = frames[-1].columns if frames else []
    return pd.DataFrame([latest[k] for k in keys], columns=cols)


def _latest_supplements(frames):
    """A dossier's supplement requests are those of the latest file that has any."""
    by_dossier = {}
    for df in frames:
        for code, part in df.groupby("MaHoSo"):
            by_dossier[code] = part
    return pd.concat(by_dossier.values(), ignore_index=True) if by_dossier else frames[-1]


@pytest.mark.slow
def test_on_time_matches_row_by_row_reference(computed):
    quarters, _, results = computed
    order = sorted(quarters, key=parse_quarter)
    every_ho = [quarters[o].df("ho_so") for o in order]
    bs = _latest_supplements([quarters[o].df("bo_sung") for o in order])
    for q, res in results.items():
        y = parse_quarter(q)[0]
        same_year = [o for o in order if parse_quarter(o)[0] == y and parse_quarter(o) <= parse_quarter(q)]
        cutoff = quarters[q].manifest.cutoff
        ind = res.indicators.set_index(["id", "period"])
        ho_q = _corrected_rows([quarters[q].df("ho_so")], every_ho, "MaHoSo")
        got_q = tuple(int(x) for x in ind.loc[("on_time", "quarter"), ["numerator", "denominator"]])
        assert got_q == on_time_reference(ho_q, bs, quarter_period(q, cutoff)), q
        ho_ytd = _corrected_rows([quarters[o].df("ho_so") for o in same_year], every_ho, "MaHoSo")
        got_y = tuple(int(x) for x in ind.loc[("on_time", "ytd"), ["numerator", "denominator"]])
        assert got_y == on_time_reference(ho_ytd, bs, ytd_period(q, cutoff)), q


def test_every_target_has_two_rows_and_sane_values(computed):
    _, plan, results = computed
    for q, res in results.items():
        ind = res.indicators
        assert len(ind) == 2 * len(plan.targets)
        has = ind["denominator"].notna() & (ind["denominator"] > 0)
        assert (ind.loc[has, "numerator"] <= ind.loc[has, "denominator"]).all() or \
            set(res.breakdowns["warnings"]["code"]) >= {"numerator_gt_denominator"}
        assert (ind.loc[ind["value"].isna(), "status"] == "no_data").all()
