"""Scan a built site for anything that looks like personal data.

The site only ever publishes aggregates, and personal-data columns are
dropped when the inputs are read (cchc.loader). This scan is the last line of
defence before publishing: every ``.html``, ``.csv``, ``.json``, ``.svg`` and
``.txt`` file of the built site, and every record of its Pagefind search
index (decoded from the compressed fragments), is searched for

what :func:`cchc.privacy.find_pii` finds after :func:`cchc.privacy.normalise_text`
— the same detector and normaliser that mask personal data in every text
cell when the inputs are read, so that the two can never disagree: phone
numbers (any grouping, +84, brackets, a label glued in front), 9- and 12-digit
identity numbers and e-mail addresses; not money, document numbers, dates,
decimals or other digit runs (rules in :mod:`cchc.privacy`).

CSV files are read cell by cell (a comma is a field separator there, not a
decimal mark); other files line by line. Long base64 blobs (inline images,
fonts) are skipped. Findings carry the file (relative to the site), the line
and a masked excerpt — the scan never prints what it found in clear.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..privacy import find_pii, normalise_text

SCANNED_SUFFIXES = (".html", ".htm", ".csv", ".json", ".svg", ".txt")
INDEX_FOLDER = "pagefind"  # cchc.render.search.OUTPUT_SUBDIR (not imported: it would load the renderer)

_BASE64_RE = re.compile(r"[A-Za-z0-9+/]{80,}={0,2}")
_MAX_EXCERPT = 30


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    kind: str  # "citizen_id" | "phone" | "email"
    excerpt: str  # masked

    def __str__(self) -> str:
        label = {"citizen_id": "số CCCD/CMND? / citizen ID?",
                 "phone": "số điện thoại? / phone number?",
                 "email": "thư điện tử? / e-mail?"}[self.kind]
        return f"{self.file}:{self.line}: {label} {self.excerpt}"


def mask(s: str) -> str:
    """Keep the first and last character, star the rest (separators kept)."""
    if len(s) <= 2:
        return "*" * len(s)
    return s[0] + "".join("*" if ch.isalnum() else ch for ch in s[1:-1]) + s[-1]


def find_in_text(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every suspicious span of ``normalise_text(text)``
    (offsets into the normalised text; base64 blobs are skipped)."""
    text = normalise_text(text)
    # Blank out base64 blobs (same length, so offsets stay valid).
    text = _BASE64_RE.sub(lambda m: " " * len(m.group(0)), text)
    return find_pii(text)


def _excerpt(text: str, start: int, end: int, spans) -> str:
    a = max(0, start - _MAX_EXCERPT)
    b = min(len(text), end + _MAX_EXCERPT)
    out, pos = [], a
    for _, s, e in spans:
        if e <= a or s >= b:
            continue
        s2, e2 = max(s, a), min(e, b)
        out.append(text[pos:s2])
        out.append(mask(text[s2:e2]))
        pos = e2
    out.append(text[pos:b])
    ex = "".join(out).replace("\n", " ").replace("\r", " ").replace("\t", " ")
    ex = "".join(ch if ch.isprintable() else "?" for ch in ex)
    return ("…" if a > 0 else "") + ex + ("…" if b < len(text) else "")


def scan_text(text: str, file: str = "<text>", *, csv_cells: bool = False) -> list[Finding]:
    findings: list[Finding] = []
    if csv_cells:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            last_line = 1
            for row in reader:
                for cell in row:
                    cell = normalise_text(cell)
                    spans = find_in_text(cell)
                    for kind, s, e in spans:
                        findings.append(Finding(file, last_line, kind, _excerpt(cell, s, e, spans)))
                last_line = reader.line_num + 1
            return findings
        except csv.Error:
            findings = []  # not really CSV: fall back to lines
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = normalise_text(line)
        spans = find_in_text(line)
        for kind, s, e in spans:
            findings.append(Finding(file, lineno, kind, _excerpt(line, s, e, spans)))
    return findings


def scan_file(path: Path, rel: str | None = None) -> list[Finding]:
    path = Path(path)
    data = path.read_bytes()
    for enc in ("utf-8-sig", "utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig",):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", errors="replace")
    return scan_text(text, rel or str(path), csv_cells=path.suffix.lower() == ".csv")


def scan_site_for_pii(site_dir: Path, allow: tuple[str, ...] = (), clean=None, part: str = "all") -> list[Finding]:
    """Findings for every suspicious string of the built site under ``site_dir``.

    ``allow``: exact strings never reported (e.g. the ward's official contact
    e-mail), compared with the unmasked match.
    ``clean``: a set-like (``in`` and ``add``) of digests of texts already
    scanned with nothing found, e.g. kept in the build cache (whose keys name
    the detector's code): a page or download with exactly the same bytes,
    type and allowed strings is not scanned again; every text scanned clean
    now is added.
    ``part``: ``"all"``; or ``"pages"``, every file outside the search
    index's folder (``pagefind/``), which can be scanned while Pagefind
    writes that folder; or ``"index"``, the files in that folder and every
    record of the index. ``"pages"`` and ``"index"`` together are ``"all"``.
    """
    if part not in ("all", "pages", "index"):
        raise ValueError(f"part must be 'all', 'pages' or 'index', not {part!r}")
    site_dir = Path(site_dir)
    findings: list[Finding] = []
    allowed = {a.casefold() for a in allow}
    for path in sorted(site_dir.rglob("*")):
        if not path.is_file() or path.suffix.lower() not in SCANNED_SUFFIXES:
            continue
        rel = path.relative_to(site_dir).as_posix()
        if part != "all" and (rel.split("/", 1)[0] == INDEX_FOLDER) != (part == "index"):
            continue
        key = _clean_key(clean, "file", path.suffix.lower(), allow, path.read_bytes())
        if key is not None and key in clean:
            continue
        if allowed:
            text = path.read_text(encoding="utf-8", errors="replace")
            for a in allow:
                text = re.sub(re.escape(a), " " * len(a), text, flags=re.IGNORECASE)
            found = scan_text(text, rel, csv_cells=path.suffix.lower() == ".csv")
        else:
            found = scan_file(path, rel)
        findings.extend(found)
        if key is not None and not found:
            clean.add(key)
    if part != "pages":
        findings.extend(_scan_search_index(site_dir, allow, clean))
    return findings


def _clean_key(clean, kind: str, suffix: str, allow: tuple[str, ...], data: bytes) -> str | None:
    if clean is None:
        return None
    h = hashlib.sha256(json.dumps([kind, suffix, list(allow)]).encode())
    h.update(b"\0" + data)
    return h.hexdigest()


def _scan_search_index(site_dir: Path, allow: tuple[str, ...], clean=None) -> list[Finding]:
    """The Pagefind index (``pagefind/fragment/*.pf_fragment``) is compressed,
    so the file scan above cannot read it: each record's text and metadata are
    decoded and scanned as well ("line" = the record's number)."""
    if not (site_dir / INDEX_FOLDER / "fragment").is_dir():
        return []
    from ..render.search import read_index

    findings: list[Finding] = []
    for n, rec in enumerate(read_index(site_dir), start=1):
        text = "\n".join([rec["content"], *map(str, rec["meta"].values())])
        key = _clean_key(clean, "search-record", "", allow, text.encode("utf-8"))
        if key is not None and key in clean:
            continue
        for a in allow:
            text = re.sub(re.escape(a), " " * len(a), text, flags=re.IGNORECASE)
        found = [Finding(f"pagefind (chỉ mục tìm kiếm / search index): {rec['url']}", n, f.kind, f.excerpt)
                 for f in scan_text(text, "")]
        findings.extend(found)
        if key is not None and not found:
            clean.add(key)
    return findings
