"""One normaliser and one personal-data detector for inputs and outputs.

The loader (:mod:`cchc.loader`) runs every cell it reads through
:func:`normalise_text` and every text cell through :func:`mask_pii`; the last
scan of the built site (:mod:`cchc.validation.pii`) runs every line through
the same :func:`normalise_text` and :func:`find_pii`. What is masked on input
and what would block publishing are therefore decided by one function.

Normalising (:func:`normalise_text`)
    Unicode NFKC (full-width digits and letters become ASCII, "＠" becomes
    "@", non-breaking and other special spaces become a plain space), then
    every invisible format character is removed: zero-width space and
    joiners, byte-order mark, soft hyphen, bidirectional marks, word joiner,
    variation selectors, Hangul fillers (:data:`INVISIBLE_RE`). ASCII text is
    returned unchanged without any work.

Detecting (:func:`find_pii`), on normalised text
    * **phone** — Vietnamese mobile and landline numbers: ``0`` + a non-zero
      digit + 8 or 9 more digits (10 or 11 in all), written in one block or in
      groups of 2–5 digits separated by a space, dot or dash, the first group
      possibly in brackets (``0912 345 678``, ``0912.345.678``,
      ``(091) 234 5678``, ``028 3823 4567``); or ``+84`` / ``0084`` / ``84``
      followed by the 9–10 digits without the leading 0
      (``+84 912 345 678``, ``+84 (0) 912…``). Letters may stand right before
      the number (``ĐT0912345678``, ``SĐT:0912…``) unless they are the tail of
      a word that has digits too (a hash, an element id).
    * **citizen_id** — 12-digit citizen identity (CCCD) and 9-digit identity
      card (CMND) numbers: 9 or 12 digits in one block, or in groups starting
      with ``0`` (``079.123.456.789``, ``079 123 456 789``); letters right
      before are allowed only when they are an ID label (``CCCD079…``).
    * **email** — ``name@domain.tld`` (not asset names such as ``logo@2x.png``).

    Never personal data: a digit block glued to another number by ``.`` or
    ``,`` (decimals, ``1.250.000``, SVG coordinates), groups that do not start
    with ``0`` (``150.000.000``, ``123 456 789``), amounts of money — digits
    followed by a currency word (``150000000 đồng``, ``2.000.000 VNĐ``) —,
    document numbers — digits followed by ``/`` and a letter or a year
    (``Số 123456789/QĐ-UBND``, ``123/2026/NĐ-CP``) —, dates (``01-07-2026 08``)
    and digit runs of other lengths (``1234567890``, ``20261121080000``).

Masking (:func:`mask_pii`) replaces every detected span by :data:`MASK`.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np

__all__ = ["MASK", "INVISIBLE_RE", "normalise_text", "find_pii", "mask_pii", "has_pii", "pii_candidates", "KINDS"]

#: What a detected span is replaced with, on input.
MASK = "[đã ẩn]"

KINDS = ("phone", "citizen_id", "email")

#: Invisible characters removed by :func:`normalise_text`: every code point of
#: Unicode category Cf (format: zero-width space/joiners, BOM, soft hyphen,
#: bidirectional marks, word joiner, tags…) plus the combining grapheme
#: joiner, the variation selectors and the Hangul fillers, which render as
#: nothing too. (tests/test_privacy.py checks the Cf list against unicodedata.)
INVISIBLE_RE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\u034f\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef\u115f\u1160\u3164\uffa0]"
)
# Spaces NFKC leaves alone (line/paragraph separators) and any other Zs left.
_ODD_SPACE_RE = re.compile("[\u2028\u2029\u0085\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")


def normalise_text(s: str) -> str:
    """NFKC, invisible format characters removed, special spaces made plain spaces."""
    if s.isascii():
        return s
    s = unicodedata.normalize("NFKC", s)
    s = INVISIBLE_RE.sub("", s)
    s = _ODD_SPACE_RE.sub(" ", s)
    return s


# ---------------------------------------------------------------- numbers

# A cheap first look: only text that could hold a phone or ID number or an
# e-mail address goes through the detailed analysis.
_QUICK_RE = re.compile(r"@|\d{9}|\+\s?\(?84|(?<!\d)\(?0\d{0,4}\)?(?:[ .\-]{1,2}\(?\d{1,5}\)?){1,6}")
# A run of digit groups and the separators a number may be written with.
_TOKEN_RE = re.compile(r"\+?\(?\+?\d(?:[\d .\-()]*\d)?\)?")
_GROUP_RE = re.compile(r"\d+")
_GOOD_SEP_RE = re.compile(r"[ .\-]{1,2}|\)[ .\-]?|[ .\-]?\(|\)[ .\-]?\(")
_CURRENCY_RE = re.compile(r"\s?(?:đồng|đ|vnđ|vnd|₫|triệu|tỷ|tỉ|nghìn|ngàn|usd)(?![^\W\d_])", re.IGNORECASE)
_DOCUMENT_RE = re.compile(r"/(?:\d{2,4}/)?[^\W\d_]")
_DATE_START_RE = re.compile(r"\(?\d{1,2}[-./ ]\d{1,2}[-./ ]\d{4}")
_ID_LABELS = frozenset({"cccd", "cmnd", "cmt", "cmtnd", "ddcn", "socccd", "socmnd", "sodinhdanh", "madinhdanh",
                        "dinhdanh", "cancuoc", "cancuoccongdan"})
_HEX = frozenset("abcdefABCDEF")

EMAIL_RE = re.compile(
    r"(?<![\w.+\-])[A-Za-z0-9][\w.+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.([A-Za-z]{2,24})(?![\w\-])"
)
_ASSET_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "css", "js", "mjs", "woff",
                         "woff2", "ttf", "otf", "json", "html", "htm", "map", "txt", "csv", "pdf", "ipynb"})


def _fold_label(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c)).casefold()


def _letters_before(text: str, i: int) -> tuple[str, bool]:
    """The run of letters ending at ``text[i-1]`` and whether a digit or ``_`` is glued before it."""
    j = i
    while j > 0 and text[j - 1].isalpha():
        j -= 1
    glued = j > 0 and (text[j - 1].isdigit() or text[j - 1] == "_")
    return text[j:i], glued


def _classify(digits: str, groups: list[str], intl: bool) -> str | None:
    n = len(digits)
    if intl:  # "+84…": the national number follows, perhaps with its leading 0 in brackets
        rest = digits[2:] if digits.startswith("84") else digits[4:] if digits.startswith("0084") else ""
        rest = rest[1:] if rest.startswith("0") else rest
        return "phone" if len(rest) in (9, 10) and rest[0] != "0" else None
    multi = len(groups) > 1
    if multi and not all(2 <= len(g) <= 5 for g in groups):
        return None
    if digits[0] == "0" and digits[1:2] not in ("0", "") and n in (10, 11):
        return "phone"
    if n in (9, 12) and (not multi or digits[0] == "0"):
        return "citizen_id"
    if not multi and n == 11 and digits.startswith("84") and digits[2] in "35789":
        return "phone"
    if not multi and n in (13, 14) and digits.startswith("0084"):
        return "phone"
    return None


def _accept(text: str, start: int, end: int, kind: str, digits: str) -> bool:
    """Context rules around a candidate ``text[start:end]`` (see the module docstring)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    if before in ".," and start > 1 and text[start - 2].isdigit():
        return False  # 0,123456789 — part of a decimal or grouped number
    if after in ".," and end + 1 < len(text) and text[end + 1].isdigit():
        return False
    if after and (after.isalpha() or after == "_") and not _CURRENCY_RE.match(text, end):
        return False  # 4728dd3a91234567890bcdef, 0912345678abc
    if digits[0] != "0" and _CURRENCY_RE.match(text, end):
        return False  # 150000000 đồng
    if _DOCUMENT_RE.match(text, end):
        return False  # Số 123456789/QĐ-UBND
    if before and (before.isalpha()):
        letters, glued = _letters_before(text, start)
        if glued:
            return False  # clip123456789-like ids, hashes
        if kind == "citizen_id":
            return _fold_label(letters) in _ID_LABELS
        if kind == "phone":
            return not letters.isascii() or any(c not in _HEX for c in letters)
    if before == "_" or (before == "#" and kind != "phone"):
        return False
    return True


def _numbers(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for tok in _TOKEN_RE.finditer(text):
        t0 = tok.start()
        s = tok.group(0)
        groups = [(m.start(), m.end()) for m in _GROUP_RE.finditer(s)]
        # Split the token where two groups are not joined like parts of one number.
        segments: list[list[tuple[int, int]]] = [[groups[0]]]
        seps: list[list[str]] = [[]]
        for (a0, a1), (b0, b1) in zip(groups, groups[1:]):
            sep = s[a1:b0]
            if _GOOD_SEP_RE.fullmatch(sep):
                segments[-1].append((b0, b1))
                seps[-1].append(sep)
            else:
                segments.append([(b0, b1)])
                seps.append([])
        for seg, sp in zip(segments, seps):
            i = 0
            while i < len(seg):
                hit = None
                for j in range(len(seg) - 1, i - 1, -1):
                    # a part glued by "." to the groups around it is a grouped number, not a phone
                    if i > 0 and "." in sp[i - 1] or j < len(seg) - 1 and "." in sp[j]:
                        continue
                    a, b = seg[i][0], seg[j][1]
                    gs = [s[x:y] for x, y in seg[i:j + 1]]
                    digits = "".join(gs)
                    lead = s[:a].rstrip("(").rstrip() if i == 0 else ""
                    intl = (i == 0 and lead.endswith("+")) or digits.startswith("0084")
                    kind = _classify(digits, gs, intl)
                    if kind is None or (len(gs) > 1 and not intl and _DATE_START_RE.match(s, a)):
                        continue
                    start = t0 + a
                    if i == 0:  # take the "+" and an opening bracket in
                        k = a
                        while k > 0 and s[k - 1] in "+( ":
                            k -= 1
                        while k < a and s[k] == " ":
                            k += 1
                        start = t0 + k
                    end = t0 + b
                    if end < t0 + len(s) and s[b:b + 1] == ")" and "(" in text[start:t0 + b]:
                        end += 1
                    if _accept(text, start, end, kind, digits):
                        hit = (kind, start, end, j)
                        break
                if hit:
                    found.append(hit[:3])
                    i = hit[3] + 1
                else:
                    i += 1
    return found


_CHAIN = np.zeros(128, dtype=bool)  # characters a number may be written with
for _ch in "0123456789 .-()\t":
    _CHAIN[ord(_ch)] = True
# ASCII letters that end no identity label ("HS" in HS000000123; "cccd" ends in "d")
_UNLABELLED = np.zeros(128, dtype=bool)
for _ch in "abcdefghijklmnopqrstuvwxyz":
    if all(not label.endswith(_ch) for label in _ID_LABELS):
        _UNLABELLED[ord(_ch)] = _UNLABELLED[ord(_ch.upper())] = True


def pii_candidates(values, chunk: int = 200_000) -> np.ndarray:
    """Boolean mask: which of ``values`` (normalised ``str``) :func:`find_pii`
    could find something in — a superset, computed for all values at once
    with numpy, so that a column of a million distinct ids costs a fraction of
    a second instead of a regex run per value.

    A value is a candidate when it holds ``@`` or ``+``, a digit that is not
    ASCII (the detector's ``\\d`` matches every Unicode decimal digit), a
    ``0`` starting a digit group that is followed, within the same run of
    digits and separators (space, ``.``, ``-``, brackets), by 9 digits or
    more (its own included), or a run of 9 digits — except in the digit runs
    :func:`_dead_runs` rules out (the ``000000123`` of a dossier id
    ``HS000000123``). Every phone number, identity number and e-mail
    address :func:`find_pii` reports satisfies one of these.
    """
    n = len(values)
    out = np.zeros(n, dtype=bool)
    for a in range(0, n, chunk):
        joined = "\x00".join(values[a:a + chunk])
        c = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        if len(c):
            sep = np.flatnonzero(c == 0)  # value k ends at sep[k]
            out[a + np.searchsorted(sep, _candidate_positions(c), side="right")] = True
    return out


def _candidate_positions(c: np.ndarray) -> np.ndarray:
    """Positions in ``c`` (the code points of values joined by NUL) that make
    their value a candidate (:func:`pii_candidates`); computed per digit run,
    not per character, where it can."""
    found = [np.flatnonzero((c == 64) | (c == 43))]  # "@", "+"
    wide = np.unique(c[c >= 128])
    if len(wide):  # digits of other scripts: "\\d" matches them, the rules below count ASCII only
        odd = wide[[chr(u).isdecimal() for u in wide.tolist()]]
        if len(odd):
            found.append(np.flatnonzero(np.isin(c, odd)))
    isdig = (c - 48) < 10  # unsigned: "0".."9"
    edge = np.diff(isdig.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edge == 1)  # digit runs [starts, ends)
    if len(starts):
        ends = np.flatnonzero(edge == -1)
        lens = ends - starts
        dead = _dead_runs(c, starts)
        # a run of 9 digits
        found.append(starts[(lens >= 9) & ~dead])
        # a "0" starting a run, followed within its chain (digits and separators) by 9 digits or more
        inchain = _CHAIN[np.minimum(c, 127)] & (c < 128)
        chain_ends = np.flatnonzero(np.diff(inchain.view(np.int8), append=np.int8(0)) == -1) + 1
        chain_end = chain_ends[np.searchsorted(chain_ends, starts, side="right")]
        last_run = np.searchsorted(starts, chain_end) - 1  # the last digit run of the chain
        run_cum = np.cumsum(lens)
        digits_to_end = run_cum[last_run] - run_cum + lens
        found.append(starts[(c[starts] == 48) & (digits_to_end >= 9) & ~dead])
    return np.concatenate(found)


def _dead_runs(c: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For the digit runs starting at ``starts``: True when the run cannot
    begin anything :func:`find_pii` reports — it is glued to an ASCII letter
    that ends no identity label (so no identity number: the label is
    missing) and starts neither with ``0`` and a non-zero digit, nor
    ``0084``, nor ``84`` (so no phone number). Such a run begins its number
    token and is its first group; the groups after it are judged on their own."""
    m = len(c)
    prev = c[np.maximum(starts - 1, 0)]
    glued = (starts > 0) & (prev < 128) & _UNLABELLED[np.minimum(prev, 127)]

    def at(k: int) -> np.ndarray:  # the character k places after the start (clipped: never hides a match)
        return c[np.minimum(starts + k, m - 1)]

    zero, eight, four = ord("0"), ord("8"), ord("4")
    first, second = at(0), at(1)
    phone = (first == zero) & (second > zero) & (second <= ord("9"))
    phone |= (first == zero) & (second == zero) & (at(2) == eight) & (at(3) == four)
    phone |= (first == eight) & (second == four)
    return glued & ~phone


def find_pii(text: str) -> list[tuple[str, int, int]]:
    """``(kind, start, end)`` of every phone number, identity number and
    e-mail address in ``text`` (already normalised), in order."""
    if not text or not _QUICK_RE.search(text):
        return []
    spans: list[tuple[str, int, int]] = []
    if "@" in text:
        for m in EMAIL_RE.finditer(text):
            if m.group(1).lower() not in _ASSET_TLDS:
                spans.append(("email", m.start(), m.end()))
    taken = [(s, e) for _, s, e in spans]
    for kind, s, e in _numbers(text):
        if all(e <= a or s >= b for a, b in taken):
            spans.append((kind, s, e))
    return sorted(spans, key=lambda t: t[1])


def has_pii(text: str) -> bool:
    return bool(find_pii(text))


def mask_pii(text: str) -> tuple[str, int]:
    """``text`` with every span of :func:`find_pii` replaced by :data:`MASK`, and how many."""
    spans = find_pii(text)
    if not spans:
        return text, 0
    out, pos = [], 0
    for _, s, e in spans:
        out.append(text[pos:s])
        out.append(MASK)
        pos = e
    out.append(text[pos:])
    return "".join(out), len(spans)
