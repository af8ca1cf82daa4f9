"""Data shapes shared by every stage (see docs/architecture.md)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract

_DTYPES = {"text": "string", "int": "Int64", "flag": "Int64", "score": "Int64", "datetime": "datetime64[ns]"}


def empty_frame(name: str) -> pd.DataFrame:
    """An empty typed frame with the contract's columns for input ``name``."""
    cols = contract.columns(name)
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES[spec["type"]]) for c, spec in cols.items()})


def dtype_for(column_type: str) -> str:
    return _DTYPES[column_type]


@dataclass(frozen=True)
class Manifest:
    quarter: str
    cutoff: date | None = None
    sample: bool = False
    source: str = ""
    exported_at: datetime | None = None
    masked: tuple[str, ...] = ()  # fields whose personal data was replaced by [đã ẩn] on input ("source")
    publish_report: bool = True  # the quarter's DOCX report goes on the site

    @property
    def provisional(self) -> bool:
        return self.cutoff is not None


@dataclass
class Table:
    name: str
    path: Path
    df: pd.DataFrame
    raw: pd.DataFrame
    row_numbers: np.ndarray
    header_row: int = 1
    dropped_personal: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # column -> spreadsheet rows whose text had personal data masked ([đã ẩn]) on input
    masked: dict[str, np.ndarray] = field(default_factory=dict)
    # column -> spreadsheet rows whose cell was longer than the contract's max_cell_chars (cut)
    too_long: dict[str, np.ndarray] = field(default_factory=dict)
    # column -> (codes, values): ``raw[column]`` is ``values[codes]``; the values are distinct, in order of
    # first appearance, the last one None (code -1: blank). Kept by the loader so that later
    # per-distinct-value work (validation) need not hash the column again.
    factors: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False, compare=False)

    def _raw_in_factors(self) -> bool:
        """The factors rebuild ``raw`` whole: one per column, in its order, of its length, on a 0..n-1 index."""
        raw = self.raw
        return (bool(self.factors) and list(self.factors) == list(raw.columns)
                and isinstance(raw.index, pd.RangeIndex) and raw.index.start == 0 and raw.index.step == 1
                and all(len(codes) == len(raw) for codes, _ in self.factors.values()))

    def __getstate__(self) -> dict:
        """What pickles (a table sent to a validation worker): ``raw`` as its
        factors only, when they rebuild it, so that every distinct text
        is written once and the rows as small integer codes. At 1.000.000
        ``ho_so`` rows, pickling and unpickling the table took 3,7 s, now
        2,0 s (issue 15)."""
        state = self.__dict__.copy()
        if self._raw_in_factors():
            state["raw"] = _RawFromFactors(self.raw.columns, self.raw.index)
        return state

    def __setstate__(self, state: dict) -> None:
        raw = state["raw"]
        if isinstance(raw, _RawFromFactors):
            state = {**state, "raw": raw.rebuild(state["factors"])}
        self.__dict__.update(state)


@dataclass(frozen=True)
class _RawFromFactors:
    """The place of ``Table.raw`` in a pickled table (see ``Table.__getstate__``)."""

    columns: pd.Index
    index: pd.RangeIndex

    def rebuild(self, factors: dict[str, tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
        # the same frame as the loader's: one object block per column, each value the factor's own object
        raw = pd.DataFrame({i: values[codes] for i, (codes, values) in enumerate(factors.values())},
                           index=self.index, dtype=object, copy=False)
        raw.columns = self.columns
        return raw


@dataclass
class QuarterData:
    quarter: str
    manifest: Manifest
    tables: dict[str, Table]
    folder: Path | None = None

    def df(self, name: str) -> pd.DataFrame:
        t = self.tables.get(name)
        return t.df if t is not None else empty_frame(name)

    def has(self, name: str) -> bool:
        return name in self.tables


@dataclass
class Plan:
    targets: pd.DataFrame
    tasks: pd.DataFrame
