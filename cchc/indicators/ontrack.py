"""On-track judgement of an annual target while the year is still open.

The plan's targets are annual. Before the year's last quarter is final, a
year-to-date value is not a verdict: the site says whether the target is
still on track, at risk, or can no longer be reached (issue 11,
docs/indicators.md "On-track judgement").

For a ``>=`` target T (percent), with N_ytd / D_ytd the year-to-date
numerator / denominator, ``days_elapsed`` the days of the year-to-date period
and ``days_remaining`` the days left in the year:

    D_rest = D_ytd / days_elapsed × days_remaining
    X      = (T × (D_ytd + D_rest) − N_ytd) / D_rest      (as a percent)

X is the rate the rest of the year must reach so that the whole year meets the
target. ``on_track`` when the year-to-date value meets T; otherwise
``at_risk`` when X ≤ 100 (the rest of the year can still make up for it) and
``unreachable`` when X > 100. A ``<=`` target is the mirror: X is the highest
rate the rest of the year may have; ``unreachable`` when X < 0.

With no days left (or no denominator expected for the rest of the year) a
target not met is ``unreachable``. ``met`` / ``not_met`` only when
``year_final`` (the year's last quarter is final).

Indicators that describe a state (catalogue, unit reports: the latest value
is the value, nothing accumulates) are judged with ``kind="state"``: met so
far → ``on_track``; else ``at_risk`` with ``required`` = the target itself
(the state has to reach it by the end of the year).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from .. import fmt

MET, NOT_MET, ON_TRACK, AT_RISK, UNREACHABLE, NO_DATA = (
    "met", "not_met", "on_track", "at_risk", "unreachable", "no_data")
#: never returned by :func:`judge`: set by cchc/suppression.py on a figure of
#: fewer than 5 survey/feedback responses, which is not published (nor judged)
SUPPRESSED = "suppressed"
CODES = (MET, NOT_MET, ON_TRACK, AT_RISK, UNREACHABLE, NO_DATA, SUPPRESSED)
#: codes that call for an explanation (giai_trinh)
NEEDS_EXPLANATION = (NOT_MET, AT_RISK, UNREACHABLE)
_EPS = 1e-9

__all__ = ["Judgement", "judge", "CODES", "NEEDS_EXPLANATION", "MET", "NOT_MET", "ON_TRACK", "AT_RISK",
           "UNREACHABLE", "NO_DATA", "SUPPRESSED", "days_of_year_split"]


@dataclass(frozen=True)
class Judgement:
    """``code`` in :data:`CODES`; ``required``: the X (percent, full precision)
    of "cần đạt ≥ X% trong thời gian còn lại của năm", or None when it does not
    apply (final year, no data, no days left)."""

    code: str
    required: float | None = None
    direction: str = ">="

    def __post_init__(self):
        if self.code not in CODES:
            raise ValueError(f"unknown judgement code {self.code!r}")

    @property
    def label_vi(self) -> str:
        return fmt.judgement_vi(self.code)

    @property
    def needs_explanation(self) -> bool:
        return self.code in NEEDS_EXPLANATION

    def required_vi(self) -> str:
        """The sentence of an at-risk target, e.g. "cần đạt ≥ 98,1% trong thời
        gian còn lại của năm"; "" when there is nothing to say."""
        if self.code != AT_RISK or self.required is None:
            return ""
        return fmt.required_vi(self.required, self.direction)


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return True


def _le(direction: str) -> bool:
    d = str(direction).strip()
    if d in (">=", "≥"):
        return False
    if d in ("<=", "≤"):
        return True
    raise ValueError(f"unknown direction {direction!r}")


def judge(numerator, denominator, target, direction, days_elapsed, days_remaining, year_final,
          *, kind: str = "flow") -> Judgement:
    """Judge an annual target from its year-to-date numerator / denominator.

    ``target`` is a percent (0–100); ``direction`` ``>=`` or ``<=``;
    ``days_elapsed`` ≥ 1 the days of the year-to-date period; ``days_remaining``
    ≥ 0 the days left in the year after it; ``year_final``: the year is over
    and its data final. ``kind``: ``"flow"`` (events accumulate over the year,
    the formula above) or ``"state"`` (the latest value is the value).
    """
    le = _le(direction)
    d = "<=" if le else ">="
    if _missing(numerator) or _missing(denominator) or _missing(target) or float(denominator) <= 0:
        return Judgement(NO_DATA, None, d)
    n, den, t = float(numerator), float(denominator), float(target)
    value = 100.0 * n / den
    meets = value <= t + _EPS if le else value >= t - _EPS
    if year_final:
        return Judgement(MET if meets else NOT_MET, None, d)
    if kind == "state":
        return Judgement(ON_TRACK, None, d) if meets else Judgement(AT_RISK, t, d)
    if kind != "flow":
        raise ValueError(f"unknown kind {kind!r}")
    if days_elapsed is None or days_elapsed <= 0:
        raise ValueError(f"days_elapsed must be at least 1, got {days_elapsed!r}")
    if days_remaining is None or days_remaining < 0:
        raise ValueError(f"days_remaining must not be negative, got {days_remaining!r}")
    d_rest = den / float(days_elapsed) * float(days_remaining)
    required = None if d_rest <= 0 else 100.0 * (t / 100.0 * (den + d_rest) - n) / d_rest
    if meets:
        return Judgement(ON_TRACK, required, d)
    if required is None:
        return Judgement(UNREACHABLE, None, d)
    reachable = required >= -_EPS if le else required <= 100.0 + _EPS
    return Judgement(AT_RISK if reachable else UNREACHABLE, required, d)


def days_of_year_split(first_day, last_day) -> tuple[int, int]:
    """(days_elapsed, days_remaining) of a year-to-date period running from
    ``first_day`` (1 January) to ``last_day`` inclusive."""
    from datetime import date

    elapsed = (last_day - first_day).days + 1
    remaining = (date(last_day.year, 12, 31) - last_day).days
    return elapsed, remaining
