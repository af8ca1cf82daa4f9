""""Latest row wins everywhere" (docs/indicators.md) in plain Python, independent
of cchc.indicators: how the row-by-row references of test_backtest.py and
test_procedures.py read every quarter's files."""
from __future__ import annotations

from cchc.periods import parse_quarter, quarter_period, ytd_period


def corrected_records(keys_from, frames, key: str) -> list[dict]:
    """The records whose keys appear in ``keys_from``, each taken from the latest
    of ``frames`` (every quarter's file, oldest first, later quarters included)
    that has the key."""
    latest = {}
    for df in frames:
        for rec in df.to_dict("records"):
            latest[rec[key]] = rec
    return [latest[k] for k in dict.fromkeys(k for df in keys_from for k in df[key])]


def latest_supplements(frames) -> dict:
    """Dossier code -> its supplement requests (records), as a set from the latest
    file that has any for it."""
    out = {}
    for df in frames:
        mine: dict = {}
        for rec in df.to_dict("records"):
            mine.setdefault(rec["MaHoSo"], []).append(rec)
        out.update(mine)
    return out


def reference_inputs(quarters: dict, results: dict):
    """For every computed quarter: ``(q, result, periods, supplements)``, where
    ``periods`` maps "quarter" and "ytd" to (corrected dossier records, period)."""
    order = sorted(quarters, key=parse_quarter)
    every_ho = [quarters[o].df("ho_so") for o in order]
    sups = latest_supplements([quarters[o].df("bo_sung") for o in order])
    for q, res in results.items():
        y = parse_quarter(q)[0]
        same_year = [o for o in order if parse_quarter(o)[0] == y and parse_quarter(o) <= parse_quarter(q)]
        cutoff = quarters[q].manifest.cutoff
        periods = {"quarter": (corrected_records([quarters[q].df("ho_so")], every_ho, "MaHoSo"),
                               quarter_period(q, cutoff)),
                   "ytd": (corrected_records([quarters[o].df("ho_so") for o in same_year], every_ho, "MaHoSo"),
                           ytd_period(q, cutoff))}
        yield q, res, periods, sups
