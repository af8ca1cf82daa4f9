"""Fill the Word template with docxtpl and write deterministic bytes.

The template (``mau-bao-cao-cchc.docx``) holds every style, the page setup
and the fixed wording; this module only passes it values. Every value is
escaped by Jinja's autoescape (text from data can never become Word markup),
and characters that XML 1.0 forbids or that docxtpl would turn into layout
(tab, bell, form feed, vertical tab) are replaced by spaces first
(:func:`clean_text`).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

TEMPLATE = Path(__file__).with_name("mau-bao-cao-cchc.docx")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# C0 controls except \n, plus the ones docxtpl interprets (\t \a \f) and \v; also lone surrogates
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean_text(x: Any, strip: bool = True) -> str:
    """Text from data as plain text for the document: ``None``/NA -> "",
    line ends normalised to ``\\n`` (a line break in Word), other control
    characters -> a space, surrounding blanks stripped (unless ``strip`` is
    false)."""
    if x is None:
        return ""
    try:
        import pandas as pd

        if not isinstance(x, str) and pd.isna(x):
            return ""
    except (TypeError, ValueError):
        pass
    s = str(x).replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROL.sub(" ", s)
    return s.strip() if strip else s


def normalise_zip(data: bytes) -> bytes:
    """The same .docx with fixed member timestamps and order-preserving
    deflate: same content -> same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def style_ids(template: Path = TEMPLATE) -> dict[str, str]:
    """Paragraph style name -> style id in the template (Word writes the id
    into paragraphs; staff see the name)."""
    from docx import Document

    return {s.name: s.style_id for s in Document(str(template)).styles}


def _cleaned(value):
    """Every plain string of a nested context through :func:`clean_text`
    (docxtpl's own rich-text objects are left as they are)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {k: _cleaned(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_cleaned(v) for v in value]
    if value is None:
        return ""
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return value


def render(context: dict, template: Path = TEMPLATE) -> bytes:
    """The filled template as .docx bytes. Undefined names in the template
    are errors (a renamed tag is caught, not printed empty)."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template))
    env = Environment(autoescape=True, undefined=StrictUndefined)
    tpl.render(_cleaned(context), jinja_env=env, autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return normalise_zip(buf.getvalue())
