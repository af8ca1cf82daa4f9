"""Numbers and dates the Vietnamese way (CLDR vi-VN through babel).

``percent(98.456)`` -> ``"98,5%"``; ``number(1250)`` -> ``"1.250"``;
``date(d)`` -> ``"20/11/2026"``. Missing values give ``NO_DATA`` text.
"""
from __future__ import annotations

import math
from datetime import date as _date, datetime as _datetime

import pandas as pd
from babel.numbers import format_decimal

LOCALE = "vi_VN"
NO_DATA = "không có dữ liệu"


def _missing(x) -> bool:
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x, decimals: int = 0, missing: str = NO_DATA) -> str:
    """1250 -> '1.250'; 98.456 with decimals=1 -> '98,5'."""
    if _missing(x):
        return missing
    x = float(x)
    if math.isinf(x):
        return missing
    if decimals == 0:
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "0" * decimals
    return format_decimal(round(x, decimals) if decimals else round(x), format=pattern, locale=LOCALE)


def percent(value, decimals: int = 1, missing: str = NO_DATA) -> str:
    """A value already on the 0–100 scale: 98.456 -> '98,5%'."""
    if _missing(value):
        return missing
    return number(value, decimals) + "%"


def signed(value, decimals: int = 1, suffix: str = "", missing: str = "—") -> str:
    """A change: +1,2 / −0,4 (true minus sign) / 0,0."""
    if _missing(value):
        return missing
    v = round(float(value), decimals)
    s = number(abs(v), decimals)
    if v > 0:
        return "+" + s + suffix
    if v < 0:
        return "\u2212" + s + suffix
    return s + suffix


def _meets(v: float, t: float, direction: str) -> bool:
    return v >= t if direction == ">=" else v <= t


def honest_decimals(value, target, direction) -> int:
    """One decimal, unless rounding would make the shown value look as if it
    met (or missed) the target when it does not: 97,96% against "≥ 98%" is
    shown as "97,96%", not "98,0%"."""
    if _missing(value) or _missing(target) or direction not in (">=", "<="):
        return 1
    v, t = float(value), float(target)
    met = _meets(v, t, direction)
    for d in (1, 2, 3):
        if _meets(round(v, d), t, direction) == met:
            return d
    return 3


def honest_value(value, target, direction) -> float | None:
    """The value to print with :func:`honest_decimals` decimals: itself, or —
    when even three decimals would round it onto the target — cut towards the
    side it really is on (97,9996% against "≥ 98%" prints as 97,999%)."""
    if _missing(value):
        return None
    d = honest_decimals(value, target, direction)
    v = float(value)
    if d == 3 and not _missing(target) and direction in (">=", "<="):
        t = float(target)
        r = round(v, 3)
        if _meets(r, t, direction) != _meets(v, t, direction):
            return (math.floor if r >= t else math.ceil)(v * 1000) / 1000
    return v


def percent_vs_target(value, target, direction, missing: str = NO_DATA) -> str:
    """A percent shown next to its target, never rounded onto the other side
    of it: 97,99% against "≥ 98%" -> "97,99%"."""
    v = honest_value(value, target, direction)
    if v is None:
        return missing
    return percent(v, honest_decimals(value, target, direction))


def date(d, missing: str = "") -> str:
    """dd/mm/yyyy."""
    if _missing(d):
        return missing
    if isinstance(d, str):
        d = pd.Timestamp(d)
    if isinstance(d, (_datetime, pd.Timestamp)):
        d = d.date() if hasattr(d, "date") else d
    if isinstance(d, _date):
        return d.strftime("%d/%m/%Y")
    return str(d)


def datetime(d, missing: str = "") -> str:
    """dd/mm/yyyy HH:MM."""
    if _missing(d):
        return missing
    ts = pd.Timestamp(d)
    return ts.strftime("%d/%m/%Y %H:%M")


def status_vi(status: str) -> str:
    return {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có dữ liệu",
            "suppressed": "Không công bố (nhóm dưới 5)"}.get(status, status)


#: On-track judgements (cchc.indicators.ontrack) in the site's words.
JUDGEMENT_VI = {
    "met": "Đạt",
    "not_met": "Chưa đạt",
    "on_track": "Đang đạt",
    "at_risk": "Cần cố gắng",
    "unreachable": "Không còn khả năng đạt",
    "no_data": "Không có dữ liệu",
    "suppressed": "Không công bố (nhóm dưới 5)",
}


def judgement_vi(code: str) -> str:
    return JUDGEMENT_VI.get(str(code), str(code))


def required_vi(required, direction: str = ">=", decimals: int = 1) -> str:
    """"cần đạt ≥ 98,1% trong thời gian còn lại của năm" (rounded towards the
    stricter side, so the figure shown is never easier than the one needed)."""
    if _missing(required):
        return ""
    f = 10 ** decimals
    le = str(direction).strip() in ("<=", "≤")
    x = math.floor(float(required) * f + 1e-9) / f if le else math.ceil(float(required) * f - 1e-9) / f
    x = min(max(x, 0.0), 100.0)
    return f"cần đạt {direction_vi(direction)} {percent(x, decimals)} trong thời gian còn lại của năm"


def direction_vi(direction: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(direction, direction)
