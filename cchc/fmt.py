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
    return {"met": "Đạt", "not_met": "Chưa đạt", "no_data": "Không có dữ liệu"}.get(status, status)


def direction_vi(direction: str) -> str:
    return {">=": "≥", "<=": "≤"}.get(direction, direction)
