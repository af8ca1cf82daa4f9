"""What to build: the pages of ``notebooks/pages.yml`` and the quarter folders."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..periods import is_quarter_id, parse_quarter, sort_quarters
from .cache import files_digest
from .options import NOTEBOOKS, BuildError, BuildOptions, InvalidInputError


# --------------------------------------------------------------------------- pages config
def load_pages() -> dict:
    with open(NOTEBOOKS / "pages.yml", encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    for group in ("quarter_pages", "site_pages", "page_sets"):
        for page in cfg.get(group, []):
            if not (NOTEBOOKS / page["notebook"]).exists():
                raise BuildError(f"notebooks/pages.yml: không có notebook {page['notebook']} / notebook not found")
    return cfg


# --------------------------------------------------------------------------- stage: discover
def discover_quarters(data_dir: Path, requested: list[str] | None = None) -> list[str]:
    """Quarter folders of ``data_dir`` (names ``YYYYQn``), or the requested ones.

    A requested id that is not ``YYYYQn`` (``../../etc``) is rejected before any
    path is built from it; a requested quarter without a folder is an error.
    """
    if not data_dir.is_dir():
        raise InvalidInputError(f"Không có thư mục dữ liệu {data_dir} / data folder not found")
    bad = [q for q in requested or () if not is_quarter_id(q)]
    if bad:
        raise InvalidInputError(
            "Mã quý không hợp lệ / invalid quarter id: " + ", ".join(repr(b) for b in bad)
            + " (phải có dạng YYYYQn, ví dụ 2026Q3 / must look like 2026Q3)")
    check_quarter_folder_names(data_dir)
    found = sorted((p.name for p in data_dir.iterdir() if p.is_dir() and is_quarter_id(p.name)), key=parse_quarter)
    if requested:
        missing = [q for q in requested if q not in found]
        if missing:
            raise InvalidInputError(
                f"Không có thư mục dữ liệu cho quý / no data folder for quarter: {', '.join(missing)} (trong / in {data_dir})")
        return sort_quarters(set(requested))
    if not found:
        raise InvalidInputError(f"Không tìm thấy thư mục quý nào (YYYYQn) trong {data_dir} / no quarter folders found")
    return found


def check_quarter_folder_names(data_dir: Path) -> None:
    """A folder that looks like a quarter but is not named exactly ``YYYYQn``
    in ASCII (``202６Q3`` with a full-width digit, ``2026q3``, ``2026Q3`` plus
    an invisible character) is an error, never silently skipped nor taken as
    a second copy of a quarter."""
    from ..periods import looks_like_quarter

    bad = sorted(p.name for p in data_dir.iterdir() if p.is_dir() and looks_like_quarter(p.name))
    if bad:
        names = ", ".join(f"“{b}” ({ascii(b)})" for b in bad)
        raise InvalidInputError(
            f"Tên thư mục quý không hợp lệ / invalid quarter folder name: {names} — chỉ dùng chữ số và chữ Q "
            "thông thường (ASCII), đúng dạng YYYYQn, ví dụ 2026Q3; hãy đổi tên thư mục / use plain ASCII digits "
            "and a capital Q, exactly like 2026Q3; rename the folder")


def quarter_digest(opts: BuildOptions, quarter: str) -> str:
    folder = opts.data_dir / quarter
    return files_digest([p for p in folder.iterdir() if p.is_file()])
