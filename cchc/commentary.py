"""The staff commentary of a quarter (``data/<YYYYQn>/nhan_xet.md``).

Staff and analysts write the commentary in Markdown; its sections have fixed
headings, defined as data in ``cchc/contract/commentary.yaml`` with fixed ids
(``tom_tat`` opens the quarter overview; ``uu_diem``, ``ton_tai``,
``phuong_huong``, ``de_xuat`` feed the quarterly report).

``load_commentary(quarter_folder) -> Commentary``
    reads the file (absent file: an empty commentary); a heading that is not
    one of the sections, a repeated section or text before the first section
    raises :class:`cchc.loader.LoadError` naming the file, the line and the
    allowed headings, in Vietnamese and English.
``Commentary.section(id) -> str | None``
    the Markdown source of a section (None when absent or blank).
``render_markdown(md) -> cchc.html.Html``
    safe HTML: raw HTML is shown as text, only http(s) and in-site relative
    links become links (any other link stays text), no images (nothing is
    loaded from other hosts), headings shifted below the page's own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt

from . import html as H
from .loader import COMMENTARY_FILE, LoadError, header_key

__all__ = ["Commentary", "load_commentary", "parse_commentary", "parse_markdown", "render_markdown", "section_specs",
           "COMMENTARY_FILE", "SECTION_IDS"]


@lru_cache(maxsize=None)
def _spec() -> dict:
    with resources.files("cchc.contract").joinpath("commentary.yaml").open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def section_specs() -> list[dict]:
    """The sections in order: ``id, heading, aliases, used_in``."""
    return list(_spec()["sections"])


SECTION_IDS: tuple[str, ...] = tuple(s["id"] for s in section_specs())


@lru_cache(maxsize=None)
def _heading_keys() -> dict[str, str]:
    out: dict[str, str] = {}
    for s in section_specs():
        for label in [s["heading"], *s.get("aliases", [])]:
            out[header_key(label)] = s["id"]
    return out


@dataclass(frozen=True)
class Commentary:
    """Sections of one quarter's commentary (id -> Markdown source)."""

    sections: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    def section(self, id: str) -> str | None:  # noqa: A002 - the id of commentary.yaml
        if id not in SECTION_IDS:
            raise KeyError(f"unknown commentary section {id!r}; known: {', '.join(SECTION_IDS)}")
        md = self.sections.get(id)
        return md if md and md.strip() else None

    def html(self, id: str) -> H.Html | None:  # noqa: A002
        md = self.section(id)
        return None if md is None else render_markdown(md)

    def __bool__(self) -> bool:
        return any(self.section(i) for i in SECTION_IDS)


def _allowed_headings() -> str:
    return ", ".join(f"“## {s['heading']}”" for s in section_specs())


def parse_commentary(text: str, path: Path | str = COMMENTARY_FILE) -> Commentary:
    """Split ``text`` into its sections (see the module doc for the rules)."""
    path = Path(path)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tokens = MarkdownIt("commonmark").parse("\n".join(lines))
    heads: list[tuple[int, int, str]] = []  # (first line, line after, id)
    first_block = True
    for i, tok in enumerate(tokens):
        if tok.level != 0 or tok.nesting == -1 or not tok.map:
            continue  # only the top-level blocks matter
        line = tok.map[0] + 1
        if tok.type == "heading_open" and tok.tag in ("h1", "h2"):
            title = tokens[i + 1].content.strip()
            if tok.tag == "h1" and first_block:
                heads.append((tok.map[0], tok.map[1], ""))
                first_block = False
                continue
            sid = _heading_keys().get(header_key(title)) if tok.tag == "h2" else None
            if sid is None:
                raise LoadError(path, f"dòng {line}: tiêu đề “{title}” không phải một mục của nhận xét; các mục "
                                      f"được dùng: {_allowed_headings()} (xem cchc/contract/commentary.yaml)",
                                f"line {line}: heading '{title}' is not a commentary section; use one of "
                                f"{_allowed_headings()} (see cchc/contract/commentary.yaml)", line=line)
            if any(h[2] == sid for h in heads):
                raise LoadError(path, f"dòng {line}: mục “{title}” xuất hiện hai lần; gộp nội dung vào một mục",
                                f"line {line}: section '{title}' appears twice; merge it into one", line=line)
            heads.append((tok.map[0], tok.map[1], sid))
        elif not any(h[2] for h in heads):
            raise LoadError(path, f"dòng {line}: có nội dung trước mục đầu tiên; mọi đoạn văn phải nằm dưới một "
                                  f"tiêu đề {_allowed_headings()}",
                            f"line {line}: text before the first section; every paragraph must sit under one "
                            f"of the headings {_allowed_headings()}", line=line)
        first_block = False
    sections: dict[str, str] = {}
    for k, (_, body_start, sid) in enumerate(heads):
        if not sid:
            continue
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        sections[sid] = "\n".join(lines[body_start:end]).strip("\n") + "\n"
    return Commentary(sections=sections, path=path)


def load_commentary(quarter_folder: Path | str) -> Commentary:
    """The commentary of a quarter folder; empty when it has no ``nhan_xet.md``."""
    path = Path(quarter_folder) / COMMENTARY_FILE
    if not path.is_file():
        return Commentary(path=None)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(path, "tệp phải được lưu với mã hóa UTF-8", "the file must be saved as UTF-8") from e
    return parse_commentary(text, path)


# --------------------------------------------------------------------------- rendering
def _safe_link(url: str) -> bool:
    """http(s) links and relative links inside the site; nothing else."""
    u = url.strip()
    if not u or u.startswith("//") or u.startswith("\\") or any(c in u for c in "\0\n\r\t"):
        return False
    try:
        parts = urlsplit(u)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return not parts.netloc and not u.startswith("/")


def _shift_headings(state, top: int) -> None:
    heads = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not heads:
        return
    shift = top - min(int(t.tag[1]) for t in heads)
    for tok in heads:
        tok.tag = f"h{min(6, int(tok.tag[1]) + shift)}"


@lru_cache(maxsize=None)
def _renderer(top_heading: int) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = _safe_link
    md.core.ruler.push("shift_headings", lambda state: _shift_headings(state, top_heading))
    return md


def parse_markdown(md: str) -> list:
    """markdown-it tokens of staff Markdown under the same rules as
    :func:`render_markdown` (for outputs other than HTML: the DOCX report)."""
    return _renderer(3).parse(md or "")


def render_markdown(md: str, top_heading: int = 3) -> H.Html:
    """Markdown written by staff -> safe HTML fragment (``div.c-commentary``).

    Raw HTML appears as text; a link whose address is not http(s) or a
    relative in-site address stays plain text; images are not rendered; the
    highest heading of the text becomes ``<h{top_heading}>`` (the page's own
    section heading is ``<h2>``), the others follow without skipping."""
    body = _renderer(top_heading).render(md or "")
    return H.Html(f'<div class="c-commentary">\n{body}</div>\n')
