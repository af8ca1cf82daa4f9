"""A straightforward row-by-row pure-Python reading of the on-time rule.

Used only to cross-check the vectorised implementation (tests, benchmark):
slow on purpose, written to be read next to docs/indicators.md.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd

from ..periods import Period


def _py(x):
    return None if x is None or pd.isna(x) else pd.Timestamp(x).to_pydatetime()


def on_time_reference(ho_so: pd.DataFrame, bo_sung: pd.DataFrame, period: Period) -> tuple[int, int]:
    """(numerator, denominator) of ``on_time`` for one period, one dossier at a time."""
    start = datetime.combine(period.first_day, datetime.min.time())
    end_excl = datetime.combine(period.last_day + timedelta(days=1), datetime.min.time())
    end = end_excl - timedelta(seconds=1)
    # one request per (MaHoSo, NgayYeuCauBoSung): the last row wins
    requests: dict[tuple, object] = {}
    for code, req, done in zip(bo_sung["MaHoSo"], bo_sung["NgayYeuCauBoSung"], bo_sung["NgayHoanThanhBoSung"]):
        if code is None or pd.isna(code) or _py(req) is None:
            continue
        requests[(code, _py(req))] = _py(done)
    sups: dict[str, list[tuple]] = {}
    for (code, req), done in requests.items():
        sups.setdefault(code, []).append((req, done))
    num = den = 0
    for code, tn, due, fin, st in zip(ho_so["MaHoSo"], ho_so["NgayTiepNhan"], ho_so["NgayHenTra"],
                                      ho_so["NgayKetThucXuLy"], ho_so["TrangThaiHoSo"]):
        tn, due, fin = _py(tn), _py(due), _py(fin)
        st = None if pd.isna(st) else int(st)
        if tn is None or st in (1, 3) or st == 7 or tn >= end_excl:
            continue
        finished_in = fin is not None and start <= fin < end_excl
        open_at_end = fin is None or fin >= end_excl
        if not (finished_in or open_at_end):
            continue
        den += 1
        e = fin if finished_in else end
        s = timedelta(0)
        n_req = 0
        for req, done in sups.get(code, []):
            if req <= e:
                n_req += 1
            stop = e if done is None else min(done, e)
            if stop > req:
                s += stop - req
        if due is not None and n_req <= 1 and e - s <= due:
            num += 1
    return num, den
