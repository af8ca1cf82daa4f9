"""Suite outcomes remembered, so that an unchanged file is not checked by
Great Expectations again.

Per process, outcomes are memoised under everything they depend on: the
input, the file name, the SHA-256 of the file's bytes, the suite JSON and the
suite parameters. Validating an unchanged small file twice (the pipeline
re-checking a quarter, the bad-input corpus sharing one template) then costs
a hash instead of a Great Expectations run. Large files are not memoised.

Optionally the outcomes are also kept on disk, in the build's cache
(:func:`use_result_store`): a build after one file changed then runs Great
Expectations on that file only, and does not even import it when nothing
changed. The salt names the code and plan the outcomes were computed with.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from pathlib import Path

from ..model import Table

MEMO_MAX_BYTES = 16 * 1024 * 1024
_MEMO: OrderedDict = OrderedDict()
_MEMO_SIZE = 128

_STORE: tuple | None = None  # (store with get(kind, key) / put(kind, key, value), salt)
STORE_KIND = "suite-outcomes"


def memo_key(table: Table, file: str, doc: dict, parameters) -> tuple | None:
    """What a suite outcome depends on; None for a file too large to memoise
    (or unreadable: then it is not memoised either)."""
    try:
        path = Path(table.path)
        if path.stat().st_size > MEMO_MAX_BYTES:
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    suite_digest = doc.setdefault("__digest__", hashlib.sha256(
        json.dumps({k: v for k, v in doc.items() if k != "__digest__"}, sort_keys=True).encode()).hexdigest())
    return (table.name, file, digest, suite_digest, json.dumps(parameters, sort_keys=True),
            len(table.raw), tuple(table.raw.columns))


def use_result_store(store, salt: str = "") -> None:
    """Back the per-process memo with ``store`` (``cchc.build.cache.Cache``
    or anything with ``get(kind, key)`` and ``put(kind, key, value)``);
    ``None`` turns it off."""
    global _STORE
    _STORE = (store, salt) if store is not None else None


def _store_key(key: tuple) -> str:
    return hashlib.sha256(json.dumps([_STORE[1], key], default=str).encode()).hexdigest()


def recall(key: tuple | None):
    """The outcome remembered under ``key`` (from this process or the
    store), or None. Outcomes are never changed in place: whoever puts one
    in a verdict copies it (:func:`cchc.validation.core.finish_quarter`)."""
    if key is None:
        return None
    if key not in _MEMO and _STORE is not None:
        stored = _STORE[0].get(STORE_KIND, _store_key(key))
        if isinstance(stored, tuple) and len(stored) == 3:
            _MEMO[key] = stored
    if key in _MEMO:
        _MEMO.move_to_end(key)
        return _MEMO[key]
    return None


def remember(key: tuple | None, outcome: tuple) -> None:
    """Keep ``outcome`` under ``key``: the object itself, which nobody
    changes (see :func:`recall`); the store keeps its own pickled copy."""
    if key is None:
        return
    _MEMO[key] = outcome
    if _STORE is not None:
        _STORE[0].put(STORE_KIND, _store_key(key), _MEMO[key])
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
