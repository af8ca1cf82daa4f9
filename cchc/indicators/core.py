"""Shared helpers: period bounds as integers, values, status, merging quarter files.

Times are handled as ``int64`` nanoseconds since the epoch (naive local time,
as the loader produces them). A missing timestamp is ``NAT`` (the smallest
int64) and always comes with an explicit "is missing" mask.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..periods import Period, parse_quarter

NAT = np.iinfo(np.int64).min
SECOND = 1_000_000_000
DAY = 86_400 * SECOND

MET, NOT_MET, NO_DATA = "met", "not_met", "no_data"
PERIODS = ("quarter", "ytd")


@dataclass(frozen=True)
class Bounds:
    """A period as integers: inside ⇔ ``start <= t < end_excl``.

    ``end`` is "the period end" instant used for unfinished items: the last
    whole second of the period's last day (23:59:59). Exports carry seconds at
    most, so a deadline given as a date (end of day, 23:59:59) that falls on
    the period's last day is not yet overdue at the period end.
    """

    start: int
    end_excl: int
    end: int

    @classmethod
    def of(cls, p: Period) -> "Bounds":
        s = int(p.start.as_unit("ns").value)
        e = int(p.end_exclusive.as_unit("ns").value)
        return cls(s, e, e - SECOND)

    def inside(self, t: np.ndarray, na: np.ndarray) -> np.ndarray:
        return ~na & (t >= self.start) & (t < self.end_excl)


def ns(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A datetime Series -> (int64 ns values with NAT for missing, missing mask)."""
    if len(s) == 0:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    if not pd.api.types.is_datetime64_any_dtype(s.dtype):
        s = pd.to_datetime(s, errors="coerce")
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    a = s.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return a, a == NAT


def ints(s: pd.Series, na: int = -1) -> np.ndarray:
    """An Int64 (or any numeric) Series -> int64 array with ``na`` for missing."""
    if len(s) == 0:
        return np.zeros(0, np.int64)
    return pd.to_numeric(s, errors="coerce").astype("Float64").fillna(na).to_numpy(dtype=np.int64)


def value(num, den) -> float:
    """100 × num ÷ den with full precision; NaN when den is 0 or missing."""
    if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
        return float("nan")
    return (100.0 * float(num)) / float(den)


def values(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.full(num.shape, np.nan)
    ok = den > 0
    out[ok] = (100.0 * num[ok]) / den[ok]
    return out


def status(v: float, target: float, direction: str) -> str:
    if v is None or pd.isna(v) or target is None or pd.isna(target):
        return NO_DATA
    d = str(direction).strip()
    if d in (">=", "≥"):
        return MET if v >= target else NOT_MET
    if d in ("<=", "≤"):
        return MET if v <= target else NOT_MET
    raise ValueError(f"unknown direction {direction!r}")


def year_quarters(qid: str, available) -> list[str]:
    """Quarters of qid's year up to qid (inclusive), in order."""
    y, q = parse_quarter(qid)
    return sorted((o for o in available if parse_quarter(o)[0] == y and parse_quarter(o)[1] <= q),
                  key=parse_quarter)


def quarters_upto(qid: str, available) -> list[str]:
    """Every available quarter up to qid (any year), in order."""
    k = parse_quarter(qid)
    return sorted((o for o in available if parse_quarter(o) <= k), key=parse_quarter)


def merge_latest(frames: list[pd.DataFrame], key: list[str]) -> pd.DataFrame:
    """Concatenate one frame per quarter file (oldest first) adding ``_src``
    (0, 1, …: the file's position) and keep, for every key, the row of the
    latest file (within one file, its last row). Rows with a missing key are
    kept as they are (validation reports them)."""
    parts = []
    for i, f in enumerate(frames):
        f = f.copy(deep=False)
        f["_src"] = np.full(len(f), i, dtype=np.int64)
        parts.append(f)
    nonempty = [p for p in parts if len(p)]
    if not nonempty:
        return parts[-1].reset_index(drop=True) if parts else pd.DataFrame({"_src": []})
    df = pd.concat(nonempty, ignore_index=True) if len(nonempty) > 1 else nonempty[0].reset_index(drop=True)
    if not key:
        return df
    na = df[key].isna().any(axis=1).to_numpy()
    if na.any():
        keep = ~df.loc[~na].duplicated(subset=key, keep="last")
        mask = na.copy()
        mask[np.flatnonzero(~na)[keep.to_numpy()]] = True
        return df.loc[mask].reset_index(drop=True)
    if len(nonempty) == 1 and df[key[0]].is_unique and len(key) == 1:
        return df
    return df.loc[~df.duplicated(subset=key, keep="last").to_numpy()].reset_index(drop=True)


def correct_latest(df: pd.DataFrame, later: list[pd.DataFrame], key: str) -> pd.DataFrame:
    """Latest row wins everywhere (issue 10): the records of ``df`` (one per
    ``key``, from the files up to a quarter) take the values of the same key's
    row in the latest of the ``later`` files (oldest first) that has it. The
    set of records and their ``_src`` (which file of the quarter's year
    brought them) stay, so every period keeps its records but uses the
    corrected rows."""
    parts = [f for f in later if len(f) and key in f]
    if not parts or not len(df) or key not in df:
        return df
    lat = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    lat = lat.loc[lat[key].notna().to_numpy()].drop_duplicates(subset=[key], keep="last")
    pos = pd.Series(np.arange(len(lat)), index=pd.Index(lat[key].to_numpy(), dtype=object))
    where = df[key].map(pos)
    hit = where.notna().to_numpy()
    if not hit.any():
        return df
    take = where.to_numpy()[hit].astype(np.int64)
    out = df.copy()
    for c in lat.columns:
        if c == key or c == "_src" or c not in out.columns:
            continue
        vals = lat[c].iloc[take]
        vals.index = out.index[hit]
        col = out[c].copy()
        col.loc[hit] = vals.astype(col.dtype) if col.dtype == vals.dtype else vals
        out[c] = col
    return out


def merge_supplements(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Supplement requests over several quarter files (oldest first).

    Choice (docs: one record per row, latest file wins): a dossier's
    supplement requests are taken **as a set from the latest file that has any
    supplement row for that dossier**; older files' rows for that dossier are
    dropped (a later export is the fuller history). Within that file, a
    duplicated (MaHoSo, NgayYeuCauBoSung) is one request (its last row).
    """
    df = merge_latest(frames, [])
    if len(df) == 0 or "MaHoSo" not in df:
        return df
    latest = df.groupby("MaHoSo", sort=False, dropna=False)["_src"].transform("max").to_numpy()
    df = df.loc[df["_src"].to_numpy() == latest]
    df = df.loc[~df.duplicated(subset=["MaHoSo", "NgayYeuCauBoSung"], keep="last").to_numpy()]
    return df.reset_index(drop=True)


def factorize_sorted(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """codes (−1 for missing) and sorted uniques as a plain object array."""
    codes, uniq = pd.factorize(s, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(uniq, dtype=object)


def names_for(codes: np.ndarray, n_codes: int, names: pd.Series, src: np.ndarray) -> np.ndarray:
    """For every code, a display name: the one on the rows of the latest file,
    lexicographically smallest on ties (independent of row order)."""
    out = np.full(n_codes, "", dtype=object)
    if n_codes == 0 or len(codes) == 0:
        return out
    ncodes, nuniq = pd.factorize(names.fillna(""), sort=True)
    ok = codes >= 0
    # order: by code, then src descending, then name code ascending -> first per code wins
    c, sr, nm = codes[ok], src[ok], ncodes[ok]
    combo = np.unique(np.stack([c, -sr, nm], axis=1), axis=0) if len(c) < 50_000 else None
    if combo is None:
        key = pd.DataFrame({"c": c, "s": -sr, "n": nm}).drop_duplicates()
        combo = key.sort_values(["c", "s", "n"]).to_numpy()
    first = np.ones(len(combo), bool)
    first[1:] = combo[1:, 0] != combo[:-1, 0]
    sel = combo[first]
    out[sel[:, 0]] = np.asarray(nuniq, dtype=object)[sel[:, 2]]
    return out
