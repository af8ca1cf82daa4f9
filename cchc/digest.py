"""Digests of values by what they hold, for the caches that compare parts of
the build's data (cchc.reads, cchc.indicators.later_inputs_digest)."""
from __future__ import annotations

import hashlib
import io
import pickle


def value_digest(value) -> str:
    """SHA-256 of ``value`` pickled without pickle's memo: equal values give
    equal digests even when one shares a string between two cells and the
    other holds two equal strings (a table computed again from the same data,
    or read back from the cache, does). Raises what pickling raises."""
    out = io.BytesIO()
    p = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    p.fast = True
    p.dump(value)
    return hashlib.sha256(out.getvalue()).hexdigest()
