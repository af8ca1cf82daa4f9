"""``python pipeline.py new-quarter 2027Q1``: the quarter folder and its ``quarter.yml``.

The manifest text is data (``quarter_manifest`` in ``cchc/contract/collect.yaml``):
every field is filled or present as a comment with an example, and the file
reads back through :func:`cchc.loader.read_manifest`. An existing folder is
never touched.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ..loader import MANIFEST_NAME, LoadError, read_manifest
from ..periods import quarter_first_day, quarter_label_vi, quarter_last_day
from . import CollectError, check_quarter_id, config


def manifest_text(quarter: str, sample: bool = False, today: date | None = None) -> str:
    """The ``quarter.yml`` of a new quarter."""
    check_quarter_id(quarter)
    last = quarter_last_day(quarter)
    after = date.fromordinal(last.toordinal() + 2)
    cutoff = date.fromordinal(quarter_first_day(quarter).toordinal() + 79)
    return config()["quarter_manifest"].format(
        quarter=quarter, quarter_label=quarter_label_vi(quarter), sample="true" if sample else "false",
        today=(today or date.today()).strftime("%d/%m/%Y"), example_export=after.isoformat(),
        example_cutoff=min(cutoff, last).isoformat())


def new_quarter(quarter: str, data_dir: Path, sample: bool = False) -> Path:
    """Create ``data_dir/<quarter>/quarter.yml``; refuse an existing folder. Returns the manifest path."""
    check_quarter_id(quarter)
    data_dir = Path(data_dir)
    folder = data_dir / quarter
    if folder.exists():
        raise CollectError(
            f"Thư mục {folder} đã có; lệnh không ghi đè. Sửa trực tiếp {folder / MANIFEST_NAME} nếu cần / "
            f"{folder} already exists; nothing was changed. Edit {folder / MANIFEST_NAME} instead")
    if not data_dir.is_dir():
        raise CollectError(f"Không có thư mục dữ liệu {data_dir} / no data folder {data_dir}")
    text = manifest_text(quarter, sample)
    folder.mkdir()
    path = folder / MANIFEST_NAME
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    try:
        read_manifest(path)  # the loader must accept what we wrote
    except LoadError:
        path.unlink()
        folder.rmdir()
        raise
    return path
