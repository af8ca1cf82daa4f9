"""Digests of values by what they hold, for the caches that compare parts of
the build's data (cchc.reads, cchc.indicators.later_inputs_digest,
cchc.build.integrity, cchc.svg_cache)."""
from __future__ import annotations

import hashlib
import io
import pickle
import sys


def value_digest(value) -> str:
    """SHA-256 of ``value`` pickled without pickle's memo: equal values give
    equal digests even when one shares a string between two cells and the
    other holds two equal strings (a table computed again from the same data,
    or read back from the cache, does). pandas objects are pickled by their
    content (:class:`_ByContent`). Raises what pickling raises."""
    out = io.BytesIO()
    p = _ByContent(out, protocol=pickle.HIGHEST_PROTOCOL)
    p.fast = True
    p.dump(value)
    return hashlib.sha256(out.getvalue()).hexdigest()


class _ByContent(pickle.Pickler):
    """pandas objects by what they hold: their type, labels, dtypes and values.

    pandas' own pickles also carry what an object has cached about itself: a
    datetime column whose ``unit`` was asked for once pickles with
    ``{'_cache': {'unit': 'ns'}}``, one read back from a file without it. The
    same table then had two digests depending on what had looked at it, and a
    cache keyed by the digest missed (measured: the row changes of all three
    compared inputs were computed again in every rebuild after one quarter
    changed)."""

    def reducer_override(self, obj):
        pd = sys.modules.get("pandas")  # no pandas object exists before pandas is imported
        if pd is None:
            return NotImplemented
        if isinstance(obj, pd.DataFrame):
            return _content, ("DataFrame", obj.index, obj.columns, [_values(obj.iloc[:, i]) for i in range(obj.shape[1])])
        if isinstance(obj, pd.Series):
            return _content, ("Series", obj.index, obj.name, _values(obj))
        if isinstance(obj, pd.RangeIndex):
            return _content, ("RangeIndex", obj.start, obj.stop, obj.step, obj.name)
        if isinstance(obj, pd.Index):
            return _content, (type(obj).__name__, obj.names, _values(obj))
        if isinstance(obj, pd.api.extensions.ExtensionArray):
            return _content, (type(obj).__name__, _values(pd.Series(obj, copy=False)))
        return NotImplemented


def _values(s) -> tuple:
    """A column's dtype and values as plain numpy arrays: its own array for a
    numpy dtype, codes and categories for a categorical, else an object array
    with ``None`` for each missing value."""
    import numpy as np
    import pandas as pd

    dtype = s.dtype
    if isinstance(dtype, np.dtype):
        return str(dtype), s.to_numpy()
    if isinstance(dtype, pd.CategoricalDtype):
        return str(dtype), np.asarray(s.array.codes), _values(s.array.categories)
    return str(dtype), s.to_numpy(dtype=object, na_value=None)


def _content(*parts):  # never called: digests are not unpickled
    raise TypeError("a digest's pickle is not meant to be loaded")
