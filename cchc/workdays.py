"""Working days in Vietnam: Monday to Friday, public holidays excluded.

The holidays are those of the ``holidays`` package's Vietnam calendar
(``holidays.country_holidays("VN")``: Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ
Hùng Vương, 30/4, 1/5, Quốc khánh and the days the package lists with them).

Processing time of a dossier in working days (docs/indicators.md, the
methodology page): counted from the day **after** the day of receipt up to
**and including** the day processing finished. A dossier received on Monday
and finished on Tuesday took 1 working day; one finished the day it was
received took 0.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=None)
def vn_holidays(first_year: int, last_year: int) -> tuple:
    """Vietnam's public holidays of the years ``first_year`` … ``last_year`` (sorted dates)."""
    import holidays

    cal = holidays.country_holidays("VN", years=range(first_year, last_year + 1))
    return tuple(sorted(cal.keys()))


def _calendar(years: tuple[int, int]) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=np.array(vn_holidays(*years), dtype="datetime64[D]"))


def working_days(received, finished) -> np.ndarray:
    """Working days between each pair (arrays of ``datetime64``; any unit).

    Counted from the day after ``received`` up to and including ``finished``
    (calendar days of the timestamps; times of day are ignored). Pairs where
    ``finished`` is before ``received`` give 0. Returns ``int64``.
    """
    rec = np.asarray(received, dtype="datetime64[D]")
    fin = np.asarray(finished, dtype="datetime64[D]")
    if rec.size == 0:
        return np.zeros(0, np.int64)
    years = (int(str(min(rec.min(), fin.min()))[:4]), int(str(max(rec.max(), fin.max()))[:4]))
    cal = _calendar(years)
    begin = rec + np.timedelta64(1, "D")
    end = fin + np.timedelta64(1, "D")
    out = np.busday_count(begin, np.maximum(end, begin), busdaycal=cal)
    return out.astype(np.int64)
