"""Reading a quarter's real exports into :class:`cchc.model.Table` objects.

This module is the only place that touches the bytes of an input file. Its
rules (spec: docs/data-contract.md, contract: cchc/contract/inputs.yaml):

Files
    ``<name>.csv`` or ``<name>.xlsx`` for each contract input ``name`` of a
    quarter folder ``data/<YYYYQn>/`` plus the manifest ``quarter.yml``.
    Both a ``.csv`` and a ``.xlsx`` for one input is an error; a missing input
    is not (validation reports it); any other file is ignored with a
    :class:`LoaderWarning` (hidden files and Office lock files ``~$…``
    silently). File names are matched case-insensitively.
    A file larger than :data:`MAX_BYTES` is refused.

CSV
    *Encoding*: a byte-order mark decides first (UTF-8 BOM, UTF-16 LE/BE BOM);
    otherwise the file is checked, streaming, as strict UTF-8; if that fails
    it is Windows-1258 (cp1258) — unless the file also holds valid multi-byte
    UTF-8 Vietnamese sequences, which means it mixes encodings: that is a
    :class:`LoadError` naming the first bad line, never silent mojibake. NUL
    bytes (a binary file, or UTF-16 without a BOM) and bytes undefined in
    cp1258 are errors too. All text is normalised to Unicode NFC (cp1258 and
    some Mac exports write Vietnamese letters with combining marks).
    *Delimiter*: comma, semicolon or tab, chosen by which one splits the first
    rows into the most recognised headers.
    *Reading*: ``pandas.read_csv`` (C parser, every cell as text, no NA
    guessing) straight from the file with the detected encoding, in chunks of
    which only the contract columns are kept: the file is never held as one
    Python string, and personal or unknown columns never accumulate. A data
    row with more fields than the header is an error (it would shift values
    into the wrong columns). ``\n``, ``\r\n`` and ``\r`` line ends, quoted
    cells spanning lines.

XLSX
    openpyxl in read-only mode, first worksheet that has a header row. Cells
    are turned into text as the user sees them: Excel date cells become ISO
    strings ``YYYY-MM-DDTHH:MM:SS`` (``YYYY-MM-DD`` when the cell is at
    midnight and its number format shows no time, so that a deadline given as
    a date keeps its end-of-day meaning); integral numbers become ``"3"`` not
    ``"3.0"``; booleans ``"1"``/``"0"``. Text, including text that begins
    with ``=``, is kept exactly; formula cells give their formula text (the
    loader never evaluates anything). A file that is not a readable .xlsx is
    a :class:`LoadError`.

Header row
    Found, not assumed: the first of the first :data:`HEADER_SCAN_ROWS` rows in
    which at least three cells (all of them for inputs with fewer than three
    columns) name a contract column; failing that, the row naming the most
    contract columns; failing that, the first non-blank row. Title rows
    ("DANH SÁCH HỒ SƠ …") and blank rows above it are skipped.

Headers
    A header names a contract column by its contract name or one of its
    aliases, compared case-insensitively, accent-insensitively (đ = d),
    whitespace-collapsed, ignoring a trailing ``:`` or ``*``. Two headers
    naming the same column is a :class:`LoadError`. Headers naming nothing are
    dropped with a warning in ``Table.warnings``.

Personal data
    Columns of the contract's ``personal_data`` list (names or aliases, same
    matching; also unknown headers that contain one of those names, e.g.
    "Địa chỉ liên hệ") are dropped at read time: they never reach
    ``Table.raw`` or ``Table.df``. Their headers are listed in
    ``Table.dropped_personal`` and announced with a
    :class:`PersonalDataWarning`.

Values
    ``Table.raw`` holds the cells as text (object dtype, stripped, ``None`` for
    blank), contract column names, in file order. Rows blank in every contract
    column are skipped, but ``Table.row_numbers`` keeps the row numbers the
    user sees in their file (title rows, blank rows and the header counted;
    the first data row of a plain CSV is 2).
    :func:`coerce` turns ``raw`` into the typed ``Table.df`` (every contract
    column, contract order): text → ``string``; int/flag/score → ``Int64``;
    datetime → ``datetime64[ns]`` naive local time. Value aliases ("Trực
    tuyến" → 2, "Có" → 1) are matched case- and accent-insensitively; integers
    may be written ``"01"`` or ``"1.0"``; a flag outside 0/1 or a score outside
    1–5 is NA; blanks take the column default (a column that is absent too);
    anything unparseable is NA (validation reports it from ``raw``).

Dates (:func:`parse_datetimes`, :data:`DATE_PATTERNS`)
    ISO 8601 (``YYYY-MM-DD``, with a time after ``T`` or a space, seconds
    optional, fractions allowed, an offset or ``Z`` converted to
    Asia/Ho_Chi_Minh local time, UTC+7 without DST since 1975) and
    ``d/m/yyyy[ H:MM[:SS]]`` (one or two digits for day, month and hour).
    Never month-first: ``12/31/2026`` is unparseable (NaT), ``03/04/2026`` is
    3 April. For columns marked ``date_only: end_of_day`` a date without a
    time means 23:59:59 of that day. Parsing is vectorised: one regex mask per
    pattern over the values not yet parsed (the pattern of the first value
    tried first), then pandas' fast ISO 8601 parser; day-first strings are
    rearranged into ISO by reordering their characters as a numpy array.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import contract
from .privacy import mask_pii, normalise_text, pii_candidates
from .model import Manifest, QuarterData, Table, dtype_for
from .periods import QuarterIdError, parse_quarter, quarter_period

__all__ = [
    "MAX_BYTES",
    "HEADER_SCAN_ROWS",
    "DATE_PATTERNS",
    "LoadError",
    "LoaderWarning",
    "PersonalDataWarning",
    "read_table",
    "load_quarter",
    "read_manifest",
    "coerce",
    "parse_datetimes",
    "date_format_mask",
    "header_key",
    "fold",
]

#: Files larger than this many bytes are refused (monkeypatch in tests).
MAX_BYTES = 512 * 1024 * 1024
#: The header row is searched for among this many first rows.
HEADER_SCAN_ROWS = 30
#: Extensions read by :func:`read_table`.
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
MANIFEST_NAME = "quarter.yml"
COMMENTARY_FILE = "nhan_xet.md"  # the staff commentary (cchc.commentary), not a data input

_CHUNK = 1 << 20  # bytes per read while checking an encoding
_HEAD_CHARS = 1 << 18  # characters decoded to sniff the delimiter and header
_DELIMITERS = (",", ";", "\t")
_CSV_CHUNK_ROWS = 200_000  # rows per pandas chunk
_UTC_OFFSET = pd.Timedelta(hours=7)  # Asia/Ho_Chi_Minh: UTC+7, no DST since 1975
_LOCAL_TZ = timezone(timedelta(hours=7))


# --------------------------------------------------------------------------
# Errors and warnings
# --------------------------------------------------------------------------


class LoadError(Exception):
    """A file that cannot be read at all (as opposed to content that fails validation).

    ``str(err)`` is ``"Không đọc được tệp <path>: <lý do> / Cannot read file
    <path>: <reason>"``. ``line`` is the 1-based line or row concerned, when known.
    """

    def __init__(self, path, reason_vi: str, reason_en: str, line: int | None = None):
        self.path = Path(path)
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"Không đọc được tệp {self.path}: {self.reason_vi} / "
            f"Cannot read file {self.path}: {self.reason_en}"
        )


class LoaderWarning(UserWarning):
    """Something in a quarter folder or file was ignored."""


class PersonalDataWarning(LoaderWarning):
    """Personal-data columns were dropped from an input file."""


# --------------------------------------------------------------------------
# Header and value matching
# --------------------------------------------------------------------------

_WS_RE = re.compile(r"\s+")
_TRAILING_MARKS_RE = re.compile(r"[\s:*]+$")


def fold(text) -> str:
    """Case-, accent- and whitespace-insensitive key of a value (``"Trực  Tuyến"`` → ``"truc tuyen"``),
    after :func:`cchc.privacy.normalise_text` (invisible characters dropped, full-width made ASCII)."""
    s = unicodedata.normalize("NFD", normalise_text(str(text)))
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("đ", "d").replace("Đ", "D").casefold()
    return _WS_RE.sub(" ", s).strip()


def header_key(text) -> str:
    """The key headers are matched by: :func:`fold`, then a trailing ``:`` or ``*`` dropped."""
    return _TRAILING_MARKS_RE.sub("", fold(text))


@lru_cache(maxsize=None)
def _column_keys(name: str) -> dict[str, str]:
    """header key -> contract column, for input ``name`` (names and aliases)."""
    out: dict[str, str] = {}
    for col, spec in contract.columns(name).items():
        for label in [col, *spec.get("aliases", [])]:
            k = header_key(label)
            other = out.setdefault(k, col)
            if other != col:  # a contract bug: make it loud
                raise ValueError(f"contract: header {label!r} names both {other} and {col} in {name}")
    return out


@lru_cache(maxsize=None)
def _personal_keys() -> frozenset[str]:
    pd_spec = contract.personal_data()
    return frozenset(header_key(x) for x in [*pd_spec.get("columns", []), *pd_spec.get("aliases", [])])


@lru_cache(maxsize=None)
def _personal_fragments() -> tuple[re.Pattern, ...]:
    """Whole-word patterns of personal-data names, to catch "Địa chỉ liên hệ", "Email người nộp"…"""
    frags = sorted((k for k in _personal_keys() if len(k) >= 4), key=len, reverse=True)
    return tuple(re.compile(r"(?:^|[^0-9a-z])" + re.escape(k) + r"(?:$|[^0-9a-z])") for k in frags)


def _is_personal(key: str) -> bool:
    if key in _personal_keys():
        return True
    compact = key.replace(" ", "")
    return any(p.search(key) or p.search(compact) for p in _personal_fragments())


def _count_matches(cells, name: str) -> int:
    keys = _column_keys(name)
    return len({keys[k] for k in (header_key(c) for c in cells if c is not None and str(c).strip()) if k in keys})


def _find_header(rows: list[list], name: str) -> tuple[int | None, bool]:
    """Index (0-based) of the header among ``rows`` and whether it met the threshold."""
    need = min(3, len(contract.columns(name)))
    best, best_n, first_nonblank = None, 0, None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if first_nonblank is None and any(c is not None and str(c).strip() for c in row):
            first_nonblank = i
        n = _count_matches(row, name)
        if n >= need:
            return i, True
        if n > best_n:
            best, best_n = i, n
    return (best if best is not None else first_nonblank), False


def _plan_columns(path: Path, name: str, headers: list) -> tuple[dict[int, str], list[str], list[str]]:
    """Classify header cells: ``({position: contract column}, personal-data headers, warnings)``."""
    keys = _column_keys(name)
    kept: dict[int, str] = {}
    seen: dict[str, str] = {}
    personal: list[str] = []
    unknown: list[str] = []
    for pos, cell in enumerate(headers):
        label = "" if cell is None else unicodedata.normalize("NFC", str(cell)).strip()
        if not label:
            continue
        k = header_key(label)
        if k in _personal_keys():  # privacy first
            personal.append(label)
        elif k in keys:
            col = keys[k]
            if col in seen:
                raise LoadError(
                    path,
                    f"hai cột cùng ứng với cột {col}: “{seen[col]}” và “{label}”",
                    f"two columns map to column {col}: '{seen[col]}' and '{label}'",
                )
            seen[col] = label
            kept[pos] = col
        elif _is_personal(k):
            personal.append(label)
        else:
            unknown.append(label)
    msgs = []
    if unknown:
        joined = ", ".join(unknown)
        msgs.append(
            f"Cột không thuộc hợp đồng dữ liệu, bỏ qua: {joined} / Columns not in the contract, ignored: {joined}"
        )
    return kept, personal, msgs


def _personal_message(headers: list[str]) -> str:
    joined = ", ".join(headers)
    return f"Đã bỏ cột dữ liệu cá nhân: {joined} / Dropped personal-data columns: {joined}"


# --------------------------------------------------------------------------
# Cleaning text values
# --------------------------------------------------------------------------


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _clean_one(v) -> str | None:
    """Any cell value -> stripped NFC text, ``None`` for blank/missing."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if not isinstance(v, str):
        if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
            v = int(v)
        v = str(v)
    return _nfc(normalise_text(v).strip()) or None


def _sanitise(raw: pd.DataFrame, name: str):
    """Every cell normalised (:func:`cchc.privacy.normalise_text`, stripped
    again, blank -> ``None``), cut at the contract's ``max_cell_chars``, and —
    in text columns — personal data masked (:func:`cchc.privacy.mask_pii`).

    Returns the frame; per column, boolean row masks of the cells masked and
    of the cells too long; and per column the factors ``(codes, values)``:
    ``values[codes]`` is the column, the values are distinct, in order of
    first appearance, and the last one is ``None`` (code -1, blank) — see
    ``Table.factors``. Work is done once per distinct value.
    """
    cols = contract.columns(name)
    limit = contract.limits()["max_cell_chars"]
    masked: dict[str, np.ndarray] = {}
    too_long: dict[str, np.ndarray] = {}
    factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    out = {}
    for col in raw.columns:
        values = raw[col].to_numpy(dtype=object)
        is_text = cols.get(col, {}).get("type") == "text"
        codes, uniq = pd.factorize(values, use_na_sentinel=True)
        uniq = np.asarray(uniq, dtype=object)
        table = np.empty(len(uniq) + 1, dtype=object)  # the last slot: blank (code -1)
        table[: len(uniq)] = uniq
        m_flag = np.zeros(len(uniq) + 1, dtype=bool)
        l_flag = np.zeros(len(uniq) + 1, dtype=bool)
        lengths = np.fromiter(map(len, uniq), dtype=np.int64, count=len(uniq))
        odd = ~np.fromiter(map(str.isascii, uniq), dtype=bool, count=len(uniq)) | (lengths > limit)
        for k in np.flatnonzero(odd):  # normalise and cut only what needs it
            t = uniq[k]
            if len(t) > 4 * limit:  # never normalise or scan megabytes
                t = t[: 4 * limit]
            if not t.isascii():
                t = _nfc(normalise_text(t)).strip() or None
            if t is not None and len(t) > limit:
                t, l_flag[k] = t[:limit], True
            table[k] = t
        if is_text and len(uniq):
            present = np.flatnonzero(~_blank(table[: len(uniq)]))
            for k in present[pii_candidates(table[present].tolist())]:
                table[k], n = mask_pii(table[k])
                m_flag[k] = n > 0
        changed = bool(odd.any() or m_flag.any())
        if changed:
            out[col] = table[codes]
        if m_flag.any():
            masked[col] = m_flag[codes]
        if l_flag.any():
            too_long[col] = l_flag[codes]
        if changed:  # distinct values again: two may have become one, or blank
            table_codes, table = _factors(table, None)
            codes = table_codes[codes]
        factors[col] = (_compact(codes, len(table)), table)
    if out:  # a new frame (object dtype: no str-dtype inference, blanks stay None), the arrays not copied
        raw = pd.DataFrame({c: out[c] if c in out else raw[c].to_numpy(dtype=object) for c in raw.columns},
                           index=raw.index, dtype=object, copy=False)
    return raw, masked, too_long, factors


def _compact(codes: np.ndarray, n: int) -> np.ndarray:
    """Factor codes (-1 for blank) in the smallest integer type that holds ``n`` values."""
    for dtype in (np.int8, np.int16, np.int32):
        if n <= np.iinfo(dtype).max:
            return codes.astype(dtype, copy=False)
    return codes


def _factors(values: np.ndarray, factor: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, table)`` with ``table[codes]`` equal to ``values`` (object
    array of ``str``/``None``); the table's last slot is ``None`` (code -1).
    ``factor``: the loader's factors of these values, used as they are."""
    if factor is not None:
        return factor
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    table = np.empty(len(uniq) + 1, dtype=object)
    table[: len(uniq)] = uniq
    return codes, table


def _clean_strings(values: np.ndarray, nfc: bool) -> np.ndarray:
    """Object array of ``str`` (as read by pandas) -> stripped text or ``None``.

    Columns with few distinct values (flags, codes, procedure names) are
    cleaned once per distinct value and share one string object per value;
    the others value by value.
    """
    out = np.empty(len(values), dtype=object)
    if not len(values):
        return out
    if len(set(values[:2000].tolist())) <= 200:
        codes, uniq = pd.factorize(values)
        fn = (lambda v: _nfc(v.strip()) or None) if nfc else (lambda v: v.strip() or None)
        table = np.array([*map(fn, uniq), None], dtype=object)
        return table[codes]
    if nfc:
        out[:] = [_nfc(v.strip()) or None for v in values]
    else:
        out[:] = [v.strip() or None for v in values]
    return out


def _blank(values: np.ndarray) -> np.ndarray:
    """``None`` mask of a cleaned object array (faster than ``pd.isna``)."""
    return np.equal(values, None)


def _clean_any(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = [_clean_one(v) for v in values]
    return out


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

_ISO_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?")
_ISO_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)")
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_DMY_FIXED = re.compile(r"\d{2}/\d{2}/\d{4}(?: \d{2}:\d{2}(?::\d{2})?)?")

#: The accepted date/time formats, as regexes to apply with ``fullmatch`` to
#: the stripped text: ISO 8601 without offset, ISO 8601 with an offset or
#: ``Z``, day-first ``d/m/yyyy[ H:MM[:SS]]``. A value written in one of them
#: may still be an impossible date (31/02/2026, 12/31/2026), which parses to
#: NaT. :func:`date_format_mask` applies them to a series.
DATE_PATTERNS: tuple[re.Pattern, ...] = (_ISO_NAIVE, _ISO_OFFSET, _DMY)

_NS_MIN = np.datetime64("1678-01-01", "us")
_NS_MAX = np.datetime64("2261-12-31", "us")
# dd/mm/yyyy[ HH:MM[:SS]] -> yyyy-mm-dd[ HH:MM[:SS]], as positions in a 19-character string
_DMY_TO_ISO = np.array([6, 7, 8, 9, 2, 3, 4, 5, 0, 1, *range(10, 19)])


def _mask(pattern: re.Pattern, values: np.ndarray) -> np.ndarray:
    """Boolean mask: ``pattern.fullmatch`` on each value of an object array of ``str``."""
    return np.fromiter(map(bool, map(pattern.fullmatch, values)), dtype=bool, count=len(values))


def _to_ns(values) -> np.ndarray:
    """Datetimes of any resolution -> datetime64[ns] array, NaT outside the ns range."""
    arr = np.asarray(values, dtype="datetime64[us]").copy()
    arr[(arr < _NS_MIN) | (arr > _NS_MAX)] = np.datetime64("NaT")
    return arr.astype("datetime64[ns]")


def _parse_iso(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, sub), dtype=np.int64, count=len(sub))
    fraction = lengths > 19
    if fraction.any():  # a decimal comma (allowed by ISO 8601) becomes a point
        sub = sub.copy()
        sub[fraction] = [v.replace(",", ".") for v in sub[fraction]]
    parsed = pd.to_datetime(sub, format="ISO8601", errors="coerce")
    return _to_ns(parsed), lengths == 10


def _parse_dmy_fixed(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Rearranged into ISO in one vectorised move over the UTF-32 code units.
    units = np.asarray(sub, dtype="U19").view(np.uint32).reshape(len(sub), 19)
    iso = units[:, _DMY_TO_ISO]
    iso[:, 4] = iso[:, 7] = ord("-")
    parsed = pd.to_datetime(iso.copy().view("U19").ravel(), format="ISO8601", errors="coerce")
    return _to_ns(parsed), units[:, 10] == 0


def _parse_dmy_loose(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    iso, date_only = [], []
    for v in sub:
        d, m, y, hh, mm, ss = _DMY.fullmatch(v).groups()
        text = f"{y}-{m:0>2}-{d:0>2}"
        if hh is not None:
            text += f" {hh:0>2}:{mm}" + (f":{ss}" if ss else "")
        iso.append(text)
        date_only.append(hh is None)
    parsed = pd.to_datetime(np.array(iso, dtype=object), format="ISO8601", errors="coerce")
    return _to_ns(parsed), np.array(date_only, dtype=bool)


def _parse_iso_offset(sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cleaned = np.array([v.replace(",", ".").replace(" Z", "Z").replace(" +", "+").replace(" -", "-") for v in sub],
                       dtype=object)
    utc = pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce")
    return _to_ns(utc.tz_localize(None) + _UTC_OFFSET), np.zeros(len(sub), dtype=bool)


_DATE_STEPS = {
    "iso": (_ISO_NAIVE, _parse_iso),
    "dmy_fixed": (_DMY_FIXED, _parse_dmy_fixed),
    "dmy": (_DMY, _parse_dmy_loose),
    "iso_offset": (_ISO_OFFSET, _parse_iso_offset),
}


def _parse_clean(values: np.ndarray, end_of_day: bool) -> np.ndarray:
    """Object array of cleaned text (``str`` or ``None``) -> datetime64[ns] array."""
    out = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[ns]")
    date_only = np.zeros(len(values), dtype=bool)
    todo = np.flatnonzero(~_blank(values))
    if not len(todo):
        return out
    # Try first the format of the first value: a file nearly always uses one.
    order = list(_DATE_STEPS)
    if "/" in values[todo[0]]:
        order = ["dmy_fixed", "dmy", "iso", "iso_offset"]
    for step in order:
        pattern, parse = _DATE_STEPS[step]
        sub = values[todo]
        hit = _mask(pattern, sub)
        if hit.any():
            where = todo[hit]
            out[where], date_only[where] = parse(sub[hit])
            todo = todo[~hit]
        if not len(todo):
            break
    if end_of_day:
        eod = date_only & ~np.isnat(out)
        out[eod] += np.timedelta64(86399, "s")
    return out


def parse_datetimes(series: pd.Series, end_of_day: bool = False) -> pd.Series:
    """Parse text dates into a ``datetime64[ns]`` series of naive local times; NaT if unparseable.

    Accepted formats: :data:`DATE_PATTERNS` (never month-first). With
    ``end_of_day``, a value without a time part means 23:59:59 of that day.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        s = series
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("UTC").dt.tz_localize(None) + _UTC_OFFSET
        return pd.Series(_to_ns(s.to_numpy()), index=series.index, name=series.name)
    values = _clean_any(series.to_numpy(dtype=object))
    return pd.Series(_parse_clean(values, end_of_day), index=series.index, name=series.name)


def date_format_mask(series: pd.Series) -> pd.Series:
    """True where the stripped value is written in one of :data:`DATE_PATTERNS`."""
    values = _clean_any(series.to_numpy(dtype=object))
    ok = np.zeros(len(values), dtype=bool)
    present = np.flatnonzero(~_blank(values))
    for pattern in DATE_PATTERNS:
        ok[present] |= _mask(pattern, values[present])
    return pd.Series(ok, index=series.index, name=series.name)


# --------------------------------------------------------------------------
# Typed frame
# --------------------------------------------------------------------------

_INT_RE = re.compile(r"[+-]?\d{1,18}(?:\.0*)?")


@lru_cache(maxsize=None)
def _value_aliases(name: str, col: str) -> dict[str, object]:
    """fold(display value) -> contract value, for one column (text: also the allowed values)."""
    spec = contract.columns(name)[col]
    out: dict[str, object] = {}
    for v in spec.get("allowed", []) if spec["type"] == "text" else []:
        out[fold(v)] = v
    for k, v in (spec.get("value_aliases") or {}).items():
        out[fold(k)] = v
    return out


def _int_value(text: str, aliases: dict, kind: str) -> int | None:
    r = aliases.get(fold(text))
    if r is None and _INT_RE.fullmatch(text):
        r = int(text.split(".")[0])
    if r is None:
        return None
    r = int(r)
    if (kind == "flag" and r not in (0, 1)) or (kind == "score" and not 1 <= r <= 5):
        return None
    return r


def _typed_int(codes: np.ndarray, table: np.ndarray, aliases: dict, kind: str) -> pd.api.extensions.ExtensionArray:
    parsed = [None if v is None else _int_value(v, aliases, kind) for v in table]
    ints = np.array([0 if r is None else r for r in parsed], dtype=np.int64)
    bad = np.array([r is None for r in parsed], dtype=bool)
    return pd.arrays.IntegerArray(ints[codes], bad[codes])


def _typed_text(codes: np.ndarray, table: np.ndarray, aliases: dict) -> pd.api.extensions.ExtensionArray:
    mapped = np.array([None if v is None else aliases.get(fold(v), v) for v in table], dtype=object)
    return pd.array(mapped[codes], dtype="string")


def _typed(raw: pd.DataFrame, name: str, factors: dict | None = None) -> pd.DataFrame:
    """:func:`coerce` on an already clean raw frame (object columns of ``str``/``None``).

    Dates and numbers are parsed once per distinct value: ``factors`` are
    the loader's (see ``Table.factors``), else each column is factorised here.
    """
    n = len(raw)
    factors = factors or {}
    out = {}
    for col, spec in contract.columns(name).items():
        kind = spec["type"]
        factor = factors.get(col)
        if col in raw.columns:
            values = raw[col].to_numpy(dtype=object)
            if raw[col].dtype != object:  # e.g. pandas "str" dtype: NaN for missing
                values, factor = _clean_any(values), None
        else:
            values, factor = np.full(n, None, dtype=object), None
        if kind == "text" and not _value_aliases(name, col):
            arr = pd.array(values, dtype="string")
        else:
            codes, table = _factors(values, factor)
            if kind == "datetime":
                arr = _parse_clean(table, end_of_day=spec.get("date_only") == "end_of_day")[codes]
            elif kind in ("int", "flag", "score"):
                arr = _typed_int(codes, table, _value_aliases(name, col), kind)
            else:
                arr = _typed_text(codes, table, _value_aliases(name, col))
        s = pd.Series(arr, index=raw.index, name=col)
        if "default" in spec:
            s = s.mask(_blank(values), spec["default"])
        out[col] = s.astype(dtype_for(kind))
    return pd.DataFrame(out, index=raw.index, copy=False)  # the Series are new: no copy (one block each)


def coerce(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    """The typed frame of input ``name`` from its raw text frame (rules: module docstring).

    Every contract column is present, in contract order; a column missing from
    ``raw`` is blank (or its default). Columns of ``raw`` outside the contract
    are ignored. Values are stripped first, so any text frame will do.
    """
    clean = pd.DataFrame(
        {c: _clean_any(raw[c].to_numpy(dtype=object)) for c in raw.columns if c in contract.columns(name)},
        index=raw.index, dtype=object,
    )
    return _typed(clean, name)


# --------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------

# UTF-8 forms of Vietnamese letters (precomposed and combining). Their
# presence next to bytes that are not UTF-8 means mixed encodings. None of
# them is plausible as Windows-1258 text.
_VN_UTF8 = re.compile(
    rb"\xc3[\x80-\x83\x88-\x8a\x8c\x8d\x92-\x95\x99\x9a\x9d\xa0-\xa3\xa8-\xaa\xac\xad\xb2-\xb5\xb9\xba\xbd]"
    rb"|\xc4[\x82\x83\x90\x91\xa8\xa9]|\xc5[\xa8\xa9]|\xc6[\xa0\xa1\xaf\xb0]"
    rb"|\xe1[\xba\xbb][\x80-\xbf]|\xcc[\x80\x81\x83\x89\xa3]"
)
_UTF8_COMBINING = re.compile(rb"\xcc[\x80-\xbf]|\xcd[\x80-\xaf]")
_CP1258_COMBINING = re.compile(rb"[\xcc\xd2\xde\xec\xf2]")


def _err_line(path: Path, lines_before: int, reason_vi: str, reason_en: str) -> LoadError:
    n = lines_before + 1
    return LoadError(path, f"{reason_vi} (dòng {n})", f"{reason_en} (line {n})", line=n)


def _detect_encoding(path: Path) -> tuple[str, bool]:
    """``(python codec, needs NFC)`` for a CSV file; raises LoadError (see module docstring)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(codecs.BOM_UTF8):
        enc, skip = "utf-8-sig", 3
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _check_utf16(path), True
    else:
        if head.startswith(b"PK\x03\x04"):
            raise LoadError(path, "đây là tệp Excel (.xlsx) nhưng mang đuôi .csv",
                            "this is an Excel (.xlsx) file with a .csv name")
        enc, skip = "utf-8", 0
    bad_at, lines_before, combining = _scan_utf8(path, skip)
    if bad_at is None:
        return enc, combining
    if enc == "utf-8-sig" or _has_vietnamese_utf8(path):
        raise _err_line(path, lines_before, "tệp trộn lẫn nhiều bảng mã", "mixed encodings")
    return "cp1258", _scan_cp1258(path)


def _scan_utf8(path: Path, skip: int) -> tuple[int | None, int, bool]:
    """Stream a strict UTF-8 check: (offset of first bad byte or None, newlines before it, has combining marks)."""
    combining = False
    newlines = 0
    offset = skip  # file offset of data[0]
    carry = b""
    with open(path, "rb") as f:
        f.seek(skip)
        while True:
            chunk = f.read(_CHUNK)
            last = not chunk
            data = carry + chunk
            if not data:
                break
            try:
                data.decode("utf-8")
                good = len(data)
            except UnicodeDecodeError as e:
                if not last and e.reason == "unexpected end of data" and e.start >= len(data) - 3:
                    good = e.start  # a character cut by the chunk boundary
                else:
                    bad = data[: e.start]
                    return offset + e.start, newlines + bad.count(b"\n"), combining
            valid = data[:good]
            if b"\x00" in valid:
                raise _err_line(path, newlines + valid[: valid.index(b"\x00")].count(b"\n"),
                                "tệp chứa byte NUL: tệp nhị phân hoặc UTF-16 không có BOM",
                                "NUL bytes: a binary file, or UTF-16 without a byte-order mark")
            combining = combining or ((b"\xcc" in valid or b"\xcd" in valid) and bool(_UTF8_COMBINING.search(valid)))
            newlines += valid.count(b"\n")
            offset += good
            carry = data[good:]
            if last:
                break
    return None, newlines, combining


def _has_vietnamese_utf8(path: Path) -> bool:
    with open(path, "rb") as f:
        tail = b""
        while chunk := f.read(_CHUNK):
            if _VN_UTF8.search(tail + chunk):
                return True
            tail = chunk[-2:]
    return False


def _scan_cp1258(path: Path) -> bool:
    """Strict cp1258 check (undefined bytes, NUL); returns whether combining marks occur."""
    combining = False
    newlines = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                chunk.decode("cp1258")
            except UnicodeDecodeError as e:
                raise _err_line(path, newlines + chunk[: e.start].count(b"\n"),
                                "không phải văn bản UTF-8, UTF-16 hay Windows-1258",
                                "not text in UTF-8, UTF-16 or Windows-1258") from None
            if b"\x00" in chunk:
                raise _err_line(path, newlines + chunk[: chunk.index(b"\x00")].count(b"\n"),
                                "tệp chứa byte NUL: tệp nhị phân hoặc UTF-16 không có BOM",
                                "NUL bytes: a binary file, or UTF-16 without a byte-order mark")
            combining = combining or bool(_CP1258_COMBINING.search(chunk))  # cheap: any of 5 bytes
            newlines += chunk.count(b"\n")
    return combining


def _check_utf16(path: Path) -> str:
    dec = codecs.getincrementaldecoder("utf-16")(errors="strict")
    newlines = 0
    with open(path, "rb") as f:
        while True:
            chunk = f.read(_CHUNK)
            try:
                text = dec.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise _err_line(path, newlines, "không phải văn bản UTF-16 hợp lệ",
                                "not valid UTF-16 text") from None
            newlines += text.count("\n")
            if not chunk:
                return "utf-16"


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

_FIELDS_RE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_head(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as f:
        head = f.read(_HEAD_CHARS)
        if len(head) == _HEAD_CHARS and "\n" in head:
            head = head[: head.rindex("\n") + 1]
    return unicodedata.normalize("NFC", head)


def _head_rows(head: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    try:
        return list(islice(reader, HEADER_SCAN_ROWS))
    except csv.Error:
        return []


def _sniff_delimiter(head: str, name: str) -> str:
    scores = {d: max((_count_matches(r, name) for r in _head_rows(head, d)), default=0) for d in _DELIMITERS}
    best = max(scores.values())
    if best > 0:
        return next(d for d in _DELIMITERS if scores[d] == best)
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    return max(_DELIMITERS, key=lambda d: counts[d]) if any(counts.values()) else ","


def _read_csv(path: Path, name: str):
    encoding, needs_nfc = _detect_encoding(path)
    head = _read_head(path, encoding)
    if not head.strip():
        raise LoadError(path, "tệp rỗng", "empty file")
    delimiter = _sniff_delimiter(head, name)
    rows = _head_rows(head, delimiter)
    header_idx, _ = _find_header(rows, name)
    if header_idx is None:
        raise LoadError(path, "tệp rỗng", "empty file")
    kept, personal, msgs = _plan_columns(path, name, rows[header_idx])
    positions = sorted(kept)
    parts: dict[int, list[np.ndarray]] = {p: [] for p in positions}
    n_rows = 0
    try:
        # Every column is tokenised (so that a row with too many fields is
        # caught), but only contract columns are kept, chunk by chunk:
        # personal data and unknown columns never accumulate in memory.
        # index_col=False: a first data row longer than the header must not
        # silently become the index (pandas then warns: made an error here).
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            with pd.read_csv(
                path, sep=delimiter, encoding=encoding, header=header_idx, dtype=object,
                na_filter=False, skip_blank_lines=False, quotechar='"', engine="c",
                index_col=False, chunksize=_CSV_CHUNK_ROWS,
            ) as reader:
                for chunk in reader:
                    n_rows += len(chunk)
                    for p in positions:
                        parts[p].append(_clean_strings(chunk.iloc[:, p].to_numpy(dtype=object), needs_nfc))
                    del chunk
    except pd.errors.ParserWarning:
        line, want = header_idx + 2, len(rows[header_idx])
        raise LoadError(path, f"dòng {line} có nhiều ô hơn dòng tiêu đề ({want} ô)",
                        f"row {line} has more fields than the header ({want})", line=line) from None
    except pd.errors.ParserError as e:
        m = _FIELDS_RE.search(str(e))
        if m:
            want, line, saw = m.groups()
            raise LoadError(
                path, f"dòng {line} có {saw} ô, nhiều hơn dòng tiêu đề ({want} ô)",
                f"row {line} has {saw} fields, more than the header ({want})", line=int(line),
            ) from None
        raise LoadError(path, f"lỗi cấu trúc CSV ({e})", f"malformed CSV ({e})") from None
    except (UnicodeDecodeError, ValueError) as e:
        raise LoadError(path, f"lỗi đọc CSV ({e})", f"CSV read error ({e})") from None
    columns = {kept[p]: (np.concatenate(parts[p]) if parts[p] else np.empty(0, dtype=object)) for p in positions}
    # copy=False: the arrays are new; one block per column instead of a copy into one 2-D block
    raw = pd.DataFrame(columns, columns=list(columns), index=pd.RangeIndex(n_rows), dtype=object, copy=False)
    row_numbers = np.arange(n_rows, dtype=np.int64) + header_idx + 2
    return raw, row_numbers, header_idx + 1, personal, msgs


# --------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------


def _not_excel(path: Path) -> LoadError:
    return LoadError(path, "không phải tệp Excel hợp lệ", "not a valid Excel (.xlsx) file")


def _vi_int(x) -> str:
    return f"{round(x):,}".replace(",", ".")


_RATIO_FLOOR = 1 << 20  # parts smaller than this (unpacked) may compress as well as they like


def check_xlsx_zip(path: Path) -> None:
    """Refuse a "zip bomb" before any XML is parsed: the parts of the .xlsx
    (a zip archive) together may unpack to at most
    ``limits.xlsx_max_uncompressed_bytes``, and no part larger than 1 MiB
    unpacked may be more than ``limits.xlsx_max_ratio`` times its packed size.
    The sizes are those of the archive's directory; Python's zipfile never
    unpacks more than the size a part declares, so they bound what openpyxl
    can read."""
    import zipfile

    lim = contract.limits()
    max_total, max_ratio = lim["xlsx_max_uncompressed_bytes"], lim["xlsx_max_ratio"]
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _not_excel(path) from None
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > max_ratio:
            raise LoadError(
                path, f"tệp bị nén bất thường: phần {info.filename} bung ra {_vi_int(info.file_size)} byte từ "
                      f"{_vi_int(info.compress_size)} byte (gấp {_vi_int(ratio)} lần; tối đa {max_ratio} lần) — tệp "
                      "không được mở; hãy xuất lại từ hệ thống",
                f"abnormally compressed file: part {info.filename} unpacks to {info.file_size:,} bytes from "
                f"{info.compress_size:,} ({ratio:,.0f} times; limit {max_ratio}) — not opened; export it again")
    if total > max_total:
        mib = max_total // (1024 * 1024)
        raise LoadError(path, f"tệp Excel khi giải nén quá lớn ({_vi_int(total)} byte; tối đa {_vi_int(mib)} MiB)",
                        f"the Excel file unpacks to too much data ({total:,} bytes; limit {mib:,} MiB)")


def _read_xlsx(path: Path, name: str):
    import openpyxl  # imported lazily: only needed for Excel inputs

    from .xlsx_cells import cell_text, data_rows

    check_xlsx_zip(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:
        raise _not_excel(path) from None
    try:
        chosen = None
        for ws in wb.worksheets:
            if not hasattr(ws, "iter_rows"):  # chartsheets
                continue
            ws.reset_dimensions()
            rows = ws.iter_rows()
            head = [[cell_text(c) for c in row] for row in islice(rows, HEADER_SCAN_ROWS)]
            rows.close()  # releases the worksheet stream
            idx, confident = _find_header(head, name)
            if idx is not None and (confident or chosen is None):
                chosen = (ws, head, idx)
                if confident:
                    break
        if chosen is None:
            raise LoadError(path, "tệp rỗng", "empty file")
        ws, head, header_idx = chosen
        headers = head[header_idx]
        kept, personal, msgs = _plan_columns(path, name, headers)
        positions = sorted(kept)
        columns: list[list] = [[] for _ in positions]
        numbers: list[int] = []
        first = header_idx + 2  # 1-based Excel row of the first data row
        for rownum, values in data_rows(ws, first, positions):
            for col, v in zip(columns, values):
                col.append(v)
            numbers.append(rownum)
    except LoadError:
        raise
    except Exception:
        raise _not_excel(path) from None
    finally:
        wb.close()
    raw = pd.DataFrame({kept[p]: pd.Series(c, dtype=object) for p, c in zip(positions, columns)},
                       columns=[kept[p] for p in positions])
    if not positions:
        raw = pd.DataFrame(index=pd.RangeIndex(0))
    return raw, np.asarray(numbers, dtype=np.int64), header_idx + 1, personal, msgs


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def read_table(path: Path, name: str) -> Table:
    """Read one input file (CSV or XLSX) of contract input ``name`` into a :class:`Table`."""
    path = Path(path)
    contract.input_spec(name)  # unknown input -> KeyError
    try:
        size = path.stat().st_size
    except OSError as e:
        raise LoadError(path, f"không mở được tệp ({e.strerror})", f"cannot open the file ({e.strerror})") from None
    if size > MAX_BYTES:
        mib = MAX_BYTES / (1024 * 1024)
        raise LoadError(path, f"tệp quá lớn ({size:,} byte; tối đa {mib:g} MiB)",
                        f"file too large ({size:,} bytes; limit {mib:g} MiB)")
    if size == 0:
        raise LoadError(path, "tệp rỗng", "empty file")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        raw, row_numbers, header_row, personal, msgs = _read_csv(path, name)
    elif suffix in XLSX_SUFFIXES:
        raw, row_numbers, header_row, personal, msgs = _read_xlsx(path, name)
    elif suffix == ".xls":
        raise LoadError(path, "định dạng Excel cũ (.xls) không được hỗ trợ, hãy lưu lại thành .xlsx",
                        "old Excel format (.xls) is not supported; save it as .xlsx")
    else:
        raise LoadError(path, f"đuôi tệp không được hỗ trợ ({suffix or 'không có'}); cần .csv hoặc .xlsx",
                        f"unsupported file type ({suffix or 'none'}); expected .csv or .xlsx")
    raw, masked, too_long, factors = _sanitise(raw, name)
    # Skip rows blank in every contract column, keeping the user's row numbers.
    if len(raw.columns):
        keep = np.zeros(len(raw), dtype=bool)
        for col, (codes, table) in factors.items():
            keep |= ~_blank(table)[codes]
        if not keep.all():
            raw = raw[keep].reset_index(drop=True)
            row_numbers = row_numbers[keep]
            masked = {c: m[keep] for c, m in masked.items()}
            too_long = {c: m[keep] for c, m in too_long.items()}
            factors = {c: (codes[keep], table) for c, (codes, table) in factors.items()}
    else:
        raw = pd.DataFrame(index=pd.RangeIndex(0))
        row_numbers = np.zeros(0, dtype=np.int64)
        factors = {}
    table_warnings = list(msgs)
    if personal:
        msg = _personal_message(personal)
        table_warnings.insert(0, msg)
        warnings.warn(f"{path}: {msg}", PersonalDataWarning, stacklevel=2)
    return Table(
        name=name, path=path, df=_typed(raw, name, factors), raw=raw,
        row_numbers=np.asarray(row_numbers, dtype=np.int64),
        header_row=header_row, dropped_personal=personal, warnings=table_warnings,
        masked={c: row_numbers[m].astype(np.int64) for c, m in masked.items() if m.any()},
        too_long={c: row_numbers[m].astype(np.int64) for c, m in too_long.items() if m.any()},
        factors=factors,
    )


def _manifest_error(path: Path, vi: str, en: str) -> LoadError:
    return LoadError(path, f"tệp mô tả quý không hợp lệ: {vi}", f"invalid quarter manifest: {en}")


def _as_local_datetime(value, path: Path) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_LOCAL_TZ).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    parsed = parse_datetimes(pd.Series([str(value)]))[0]
    if pd.isna(parsed):
        raise _manifest_error(path, f"exported_at không phải ngày giờ: {value!r}",
                              f"exported_at is not a date-time: {value!r}")
    return parsed.to_pydatetime()


def read_manifest_doc(path: Path) -> dict:
    """The key: value pairs of ``quarter.yml``, read defensively.

    The file may hold at most ``limits.manifest_max_bytes`` bytes; it must be
    one flat mapping of scalar values (no lists, no nested mappings), each at
    most ``limits.manifest_max_value_chars`` long, with no key twice; YAML
    anchors and aliases are refused. All of this is checked on
    the parser's event stream, which never expands an alias, so a "billion
    laughs" file costs its own few hundred bytes, not gigabytes.
    """
    path = Path(path)
    lim = contract.limits()
    max_bytes, max_chars = lim["manifest_max_bytes"], lim["manifest_max_value_chars"]
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise LoadError(path, f"không mở được tệp ({e.strerror})", f"cannot open the file ({e.strerror})") from None
    if len(data) > max_bytes:
        raise _manifest_error(path, f"tệp quá lớn (tối đa {max_bytes} byte)", f"file too large (limit {max_bytes} bytes)")
    memo_key = (str(path), data)
    if memo_key in _MANIFEST_DOCS:  # the same bytes were already read and found sound
        return dict(_MANIFEST_DOCS[memo_key])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _manifest_error(path, "không phải văn bản UTF-8", "not UTF-8 text") from None
    depth, keys, expect_key = 0, set(), True
    try:
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None):
                raise _manifest_error(path, "không được dùng neo/bí danh YAML (&, *)",
                                      "YAML anchors and aliases (&, *) are not allowed")
            if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > 1 or isinstance(ev, yaml.SequenceStartEvent):
                    raise _manifest_error(path, "mỗi khóa chỉ được có một giá trị đơn (không lồng danh sách)",
                                          "every key must have one plain value (no lists or nested mappings)")
            elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            elif isinstance(ev, yaml.ScalarEvent):
                if len(ev.value) > max_chars:
                    raise _manifest_error(path, f"giá trị quá dài (tối đa {max_chars} ký tự)",
                                          f"value too long (at most {max_chars} characters)")
                if depth == 1 and expect_key:
                    if ev.value in keys:
                        raise _manifest_error(path, f"khóa {ev.value!r} xuất hiện hai lần",
                                              f"key {ev.value!r} appears twice")
                    keys.add(ev.value)
                if depth == 1:
                    expect_key = not expect_key
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise _manifest_error(path, f"không đọc được YAML ({e})", f"cannot parse YAML ({e})") from None
    if not isinstance(doc, dict):
        raise _manifest_error(path, "nội dung phải là các cặp khóa: giá trị", "content must be a key: value mapping")
    if len(_MANIFEST_DOCS) >= 64:
        _MANIFEST_DOCS.clear()
    _MANIFEST_DOCS[memo_key] = dict(doc)  # flat mapping of scalars: a shallow copy is a copy
    return doc


# quarter.yml documents already parsed in this process, by path and exact bytes (a build reads each a few times)
_MANIFEST_DOCS: dict[tuple[str, bytes], dict] = {}


def read_manifest(path: Path) -> Manifest:
    """Read ``quarter.yml`` (:func:`read_manifest_doc`); its ``quarter`` must
    equal the name of the folder holding it."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(path, "thiếu tệp mô tả quý quarter.yml", "missing quarter manifest quarter.yml")
    data = read_manifest_doc(path)
    qid = str(data.get("quarter", "")).strip()
    try:
        parse_quarter(qid)
    except QuarterIdError:
        raise _manifest_error(path, f"mã quý {qid!r} không có dạng YYYYQn", f"quarter {qid!r} is not like 2026Q3") from None
    folder = path.parent.name
    if qid != folder:
        raise _manifest_error(path, f"mã quý {qid} khác tên thư mục {folder}",
                              f"quarter {qid} does not match the folder name {folder}")
    cutoff = data.get("cutoff")
    if cutoff in (None, ""):
        cutoff = None
    else:
        if isinstance(cutoff, datetime):
            cutoff = cutoff.date()
        elif not isinstance(cutoff, date):
            parsed = parse_datetimes(pd.Series([str(cutoff)]))[0]
            if pd.isna(parsed):
                raise _manifest_error(path, f"cutoff không phải ngày: {cutoff!r}", f"cutoff is not a date: {cutoff!r}")
            cutoff = parsed.date()
        try:
            quarter_period(qid, cutoff)
        except ValueError:
            raise _manifest_error(path, f"ngày chốt {cutoff} nằm ngoài quý {qid}",
                                  f"cut-off {cutoff} is outside quarter {qid}") from None
    sample = data.get("sample", False)
    if not isinstance(sample, bool):
        raise _manifest_error(path, "sample phải là true hoặc false", "sample must be true or false")
    # free text that the pages show: normalised and masked like every text cell
    source, n_masked = mask_pii(normalise_text(str(data.get("source") or "")).strip())
    publish_report = data.get("publish_report", True)
    if not isinstance(publish_report, bool):
        raise _manifest_error(path, "publish_report phải là true hoặc false",
                              "publish_report must be true or false")
    return Manifest(quarter=qid, cutoff=cutoff, sample=sample, source=source,
                    masked=("source",) if n_masked else (),
                    exported_at=_as_local_datetime(data.get("exported_at"), path), publish_report=publish_report)


def _is_ignorable(p: Path) -> bool:
    """Hidden files and Office lock files (``~$ho_so.xlsx``) are skipped silently."""
    return p.name.startswith((".", "~$")) or p.name.lower() in ("thumbs.db", "desktop.ini")


def load_quarter(folder: Path) -> QuarterData:
    """Read a quarter folder: the manifest and every input file present."""
    folder = Path(folder)
    if not folder.is_dir():
        raise LoadError(folder, "không có thư mục này", "no such folder")
    manifest = read_manifest(folder / MANIFEST_NAME)
    names = set(contract.inputs())
    found: dict[str, list[Path]] = {}
    ignored: list[str] = []
    for p in sorted(folder.iterdir()):
        if _is_ignorable(p) or p.name in (MANIFEST_NAME, COMMENTARY_FILE):
            continue
        stem, suffix = p.stem.lower(), p.suffix.lower()
        if p.is_file() and stem in names and suffix in (".csv", ".xlsx"):
            found.setdefault(stem, []).append(p)
        else:
            ignored.append(p.name)
    if ignored:
        joined = ", ".join(ignored)
        warnings.warn(
            f"{folder}: tệp không thuộc hợp đồng dữ liệu, bỏ qua: {joined} / "
            f"files not in the data contract, ignored: {joined}",
            LoaderWarning, stacklevel=2,
        )
    tables: dict[str, Table] = {}
    for name in contract.inputs():  # contract order
        paths = found.get(name)
        if not paths:
            continue
        if len(paths) > 1:
            both = " và ".join(p.name for p in paths)
            raise LoadError(paths[0], f"có nhiều tệp cho cùng dữ liệu {name}: {both}; chỉ giữ một",
                            f"several files for input {name}: {', '.join(p.name for p in paths)}; keep one")
        tables[name] = read_table(paths[0], name)
    return QuarterData(quarter=manifest.quarter, manifest=manifest, tables=tables, folder=folder)
