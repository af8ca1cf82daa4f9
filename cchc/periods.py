"""Quarter ids and period bounds (Asia/Ho_Chi_Minh local time, naive timestamps).

A quarter id is ``YYYYQn`` and nothing else. Bounds are inclusive local
dates; internally a period is the half-open interval ``[start, end_exclusive)``
so that "inside the period" is ``start <= t < end_exclusive``. A provisional
quarter's cut-off date replaces the quarter's last day.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
# pandas is imported where a bound is used, not here: the build's first steps
# (finding the quarters, looking up cached verdicts) import this module, and
# the validation helper starts sooner without waiting for pandas (issue 15)

# ASCII digits only (``\d`` would accept full-width "２０２６"), and the whole
# string (``$`` would accept a trailing newline): always use ``fullmatch``.
QUARTER_RE = re.compile(r"([0-9]{4})Q([1-4])", re.ASCII)
# What a person may have meant as a quarter folder: checked after NFKC and
# without invisible characters, spaces or case ("202６Q3", "2026q3", "2026-Q3",
# "Q3-2026", "2026Q3 " …); see :func:`looks_like_quarter`.
_LOOSE_QUARTER_RE = re.compile(r"[0-9]{4}[-_. ]*Q[0-9]|Q[0-9][-_. ]*[0-9]{4}", re.ASCII)


class QuarterIdError(ValueError):
    pass


def parse_quarter(qid: str) -> tuple[int, int]:
    """``"2026Q3"`` -> ``(2026, 3)``; anything else raises QuarterIdError."""
    m = QUARTER_RE.fullmatch(str(qid))
    if not m:
        raise QuarterIdError(
            f"Mã quý không hợp lệ: {qid!r} (phải có dạng YYYYQn, ví dụ 2026Q3) / "
            f"invalid quarter id {qid!r} (must look like 2026Q3)"
        )
    return int(m.group(1)), int(m.group(2))


def is_quarter_id(qid: str) -> bool:
    return bool(QUARTER_RE.fullmatch(str(qid)))


def looks_like_quarter(name: str) -> bool:
    """A folder name that resembles a quarter id without being one exactly
    (full-width digits, invisible characters, lower-case q, separators, a
    space at the end, another order): refused loudly, never skipped."""
    if is_quarter_id(name):
        return False
    loose = str(name)
    if not loose.isascii():  # normalise_text leaves ASCII as it is; privacy imports numpy
        from .privacy import normalise_text

        loose = normalise_text(loose)
    loose = loose.strip().upper()
    return bool(_LOOSE_QUARTER_RE.fullmatch(loose))


def quarter_first_day(qid: str) -> date:
    y, q = parse_quarter(qid)
    return date(y, 3 * (q - 1) + 1, 1)


def quarter_last_day(qid: str) -> date:
    y, q = parse_quarter(qid)
    if q == 4:
        return date(y, 12, 31)
    return date(y, 3 * q + 1, 1) - timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A reporting period: ``kind`` is ``"quarter"`` or ``"ytd"``."""

    quarter: str
    kind: str
    first_day: date
    last_day: date

    @property
    def start(self) -> pd.Timestamp:
        import pandas as pd

        return pd.Timestamp(self.first_day)

    @property
    def end_exclusive(self) -> pd.Timestamp:
        import pandas as pd

        return pd.Timestamp(self.last_day + timedelta(days=1))

    @property
    def end(self) -> pd.Timestamp:
        """The last instant of the period (used as "the period end" instant)."""
        import pandas as pd

        return self.end_exclusive - pd.Timedelta(microseconds=1)

    def contains(self, ts) -> bool:
        import pandas as pd

        return ts is not None and not pd.isna(ts) and self.start <= ts < self.end_exclusive


def quarter_period(qid: str, cutoff: date | None = None) -> Period:
    last = quarter_last_day(qid)
    if cutoff is not None:
        if not (quarter_first_day(qid) <= cutoff <= last):
            raise ValueError(f"cut-off {cutoff} is outside quarter {qid}")
        last = cutoff
    return Period(qid, "quarter", quarter_first_day(qid), last)


def ytd_period(qid: str, cutoff: date | None = None) -> Period:
    y, _ = parse_quarter(qid)
    q = quarter_period(qid, cutoff)
    return Period(qid, "ytd", date(y, 1, 1), q.last_day)


def quarters_of_year_upto(qid: str, available) -> list[str]:
    """The available quarter ids of ``qid``'s year up to and including ``qid``, in order."""
    y, q = parse_quarter(qid)
    out = []
    for other in available:
        oy, oq = parse_quarter(other)
        if oy == y and oq <= q:
            out.append(other)
    return sorted(out)


def sort_quarters(qids) -> list[str]:
    return sorted(qids, key=parse_quarter)


def quarter_label_vi(qid: str) -> str:
    """``2026Q3`` -> ``Quý III/2026``."""
    y, q = parse_quarter(qid)
    return f"Quý {['I', 'II', 'III', 'IV'][q - 1]}/{y}"
