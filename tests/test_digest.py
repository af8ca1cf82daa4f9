"""cchc.digest.value_digest: a digest of what a value holds, the same for
equal pandas objects whatever they have cached about themselves (issue 15:
the row changes of every compared input were computed again in each
rebuild because a table read back from the cache had another digest)."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cchc.digest import value_digest

ROOT = Path(__file__).resolve().parent.parent


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "when": pd.to_datetime(["2026-01-05 08:00", None, "2026-03-31 17:30"]),
        "count": pd.array([1, None, 3], dtype="Int64"),
        "code": pd.array(["A1", None, "B2"], dtype="string"),
        "kind": pd.Categorical(["x", "y", "x"]),
        "score": [1.5, np.nan, 2.0],
        "mixed": ["p", 3, None],
    })


def test_what_a_frame_has_cached_about_itself_does_not_change_its_digest():
    df = _frame()
    before = value_digest(df)
    df.to_numpy()  # pandas caches the datetime block's unit ({'_cache': {'unit': ...}} in its pickle)
    df["when"].dt.year.sum()
    assert value_digest(df) == before
    assert value_digest(pickle.loads(pickle.dumps(df))) == before  # read back from the cache
    assert value_digest(df.copy()) == before


@pytest.mark.parametrize("change", [
    lambda d: d.assign(count=pd.array([1, 0, 3], dtype="Int64")),  # a missing number filled in
    lambda d: d.assign(mixed=["p", "3", None]),  # 3 and "3" are different values
    lambda d: d.assign(score=d["score"].astype("float32")),  # another dtype
    lambda d: d.rename(columns={"code": "ma"}),  # another column name
    lambda d: d[list(reversed(d.columns))],  # another column order
    lambda d: d.set_axis([5, 6, 7]),  # other row labels
    lambda d: d.iloc[:2],  # a row fewer
    lambda d: d.assign(kind=pd.Categorical(["x", "y", "x"], categories=["y", "x"])),  # other codes
    lambda d: d.assign(when=d["when"].dt.as_unit("s")),  # another unit, the same instants
])
def test_any_change_of_labels_dtypes_or_values_changes_the_digest(change):
    assert value_digest(change(_frame())) != value_digest(_frame())


def test_series_indexes_and_arrays_are_digested_by_content():
    s = pd.Series(pd.to_datetime(["2026-01-01", "2026-02-01"]), name="d")
    before = value_digest((s, s.index, s.array, pd.CategoricalIndex(["a", "b"])))
    s.to_frame().to_numpy(), s.dt.month  # noqa: B018 - may cache something on the array
    assert value_digest((s, s.index, s.array, pd.CategoricalIndex(["a", "b"]))) == before
    assert value_digest(s.rename("e")) != value_digest(s)
    assert value_digest(pd.Series([1, None], dtype="Int64")) != value_digest(pd.Series([1, None], dtype="Float64"))
    assert value_digest(pd.RangeIndex(3)) != value_digest(pd.Index([0, 1, 2]))


def test_a_quarter_read_back_from_the_cache_has_the_same_table_digests():
    from cchc.build.integrity import _table_digest
    from cchc.validation import validate_quarter

    fresh = validate_quarter(ROOT / "data" / "2026Q3", ROOT / "data" / "plan").data
    digests = {name: _table_digest(fresh, name) for name in fresh.tables}
    for t in fresh.tables.values():
        t.df.to_numpy()  # caches something on the datetime blocks, as the build's steps may
    cached = pickle.loads(pickle.dumps(fresh))
    assert {name: _table_digest(cached, name) for name in cached.tables} == digests
    assert {name: _table_digest(fresh, name) for name in fresh.tables} == digests
