"""The Frictionless Data Package of the downloads: ``site/data/datapackage.json``.

:func:`write_datapackage` describes every file written by :mod:`cchc.opendata`
(name, title, schema, byte count and SHA-256 of each), under the CC BY 4.0
licence; :func:`validate_datapackage` checks the descriptor and the files
with Frictionless (types, constraints, hashes), skipping what an earlier
build found valid.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable

from .opendata import Resource, write_file
from .periods import parse_quarter

__all__ = ["LICENSE", "DEFAULT_TITLE", "DEFAULT_DESCRIPTION", "write_datapackage", "check_datapackage",
           "validate_datapackage", "resource_digest"]

LICENSE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 International (CC BY 4.0)",
}
LICENSE_NOTE_VI = ("Dữ liệu mở của UBND phường Chơn Thành, cấp phép CC BY 4.0: được tự do sử dụng, "
                   "chia sẻ, chỉnh sửa, kể cả vì mục đích thương mại, với điều kiện ghi rõ nguồn "
                   "\"UBND phường Chơn Thành\". Chỉ gồm số liệu tổng hợp, không có dữ liệu cá nhân.")
LICENSE_NOTE_EN = ("Open data of the People's Committee of Chơn Thành ward, licensed CC BY 4.0 "
                   "(attribution: \"UBND phường Chơn Thành\"). Aggregates only, no personal data.")


DEFAULT_TITLE = "Dữ liệu mở cải cách hành chính phường Chơn Thành"
DEFAULT_DESCRIPTION = ("Kết quả thực hiện Kế hoạch cải cách hành chính năm 2026 của UBND phường Chơn Thành "
                       "theo từng quý: các chỉ tiêu (tử số, mẫu số, giá trị, chỉ tiêu, đánh giá), số liệu "
                       "phân tổ, ước tính Bộ chỉ số 766 và chất lượng dữ liệu. Cách tính: trang "
                       "“Phương pháp” (phuong-phap.html).")


def _default_version(res: list[Resource]) -> str:
    qs = sorted({r.quarter for r in res if r.quarter}, key=parse_quarter)
    if not qs:
        return "1.0.0"
    y, q = parse_quarter(qs[-1])
    return f"{y}.{q}.0"


def write_datapackage(site_data_dir: Path, resources: Iterable[Resource], title: str = DEFAULT_TITLE,
                      description: str = DEFAULT_DESCRIPTION, version: str | None = None,
                      sample: bool = False, *, name: str = "cchc-phuong-chon-thanh",
                      created: str | None = None, homepage: str | None = None,
                      check_complete: bool = True, validate: bool = True, known=None) -> Path:
    """Write ``site_data_dir/datapackage.json`` describing every download.

    ``version`` defaults to ``YYYY.Q.0`` of the latest quarter described.
    Resources are ordered by quarter (then as given). Each gets ``bytes`` and
    a ``sha256`` hash of the file on disk. No clock is read: the output
    depends on the arguments and the files only. ``check_complete``: every
    file under ``site_data_dir`` must be described (else ValueError).
    ``validate``: run Frictionless validation (types, constraints, hashes)
    and raise ValueError listing the errors if the package is not valid.
    ``known``: see :func:`validate_datapackage`.
    """
    site_data_dir = Path(site_data_dir)
    res = list(resources)
    order = {id(r): i for i, r in enumerate(res)}
    res.sort(key=lambda r: (r.path.split("/", 1)[0] if "/" in r.path else "", order[id(r)]))
    seen_names, seen_paths = set(), set()
    for r in res:
        if r.name in seen_names or r.path in seen_paths:
            raise ValueError(f"duplicate resource {r.name!r} / {r.path!r}")
        seen_names.add(r.name)
        seen_paths.add(r.path)
        if not (site_data_dir / r.path).is_file():
            raise FileNotFoundError(f"resource {r.name!r}: {site_data_dir / r.path} does not exist")
    if check_complete:
        undescribed = sorted(p.relative_to(site_data_dir).as_posix() for p in site_data_dir.rglob("*")
                             if p.is_file() and p.name != "datapackage.json"
                             and p.relative_to(site_data_dir).as_posix() not in seen_paths)
        if undescribed:
            raise ValueError("downloads not described in datapackage.json: " + ", ".join(undescribed))

    if version is None:
        version = _default_version(res)
    desc = description.rstrip()
    if sample:
        desc = ("DỮ LIỆU MẪU — không phải số liệu thật của phường. / SAMPLE DATA — not real figures.\n\n"
                + desc)
    desc += f"\n\n{LICENSE_NOTE_VI}\n{LICENSE_NOTE_EN}"
    pkg: dict[str, Any] = {
        "name": name,
        "title": (f"[DỮ LIỆU MẪU] {title}" if sample else title),
        "description": desc,
        "version": str(version),
    }
    if created:
        pkg["created"] = created
    if homepage:
        pkg["homepage"] = homepage
    pkg.update({
        "licenses": [dict(LICENSE)],
        "contributors": [{"title": "UBND phường Chơn Thành", "role": "publisher"}],
        "keywords": ["cải cách hành chính", "CCHC", "thủ tục hành chính", "phường Chơn Thành",
                     "dữ liệu mở"],
        "sample": bool(sample),
        "resources": [r.descriptor(site_data_dir) for r in res],
    })
    path = site_data_dir / "datapackage.json"
    write_file(path, (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    if validate:
        check_datapackage(path, known)
    return path


def check_datapackage(path: Path, known=None) -> None:
    """Raise ValueError listing the errors (at most 20) when the package at
    ``path`` is not valid (:func:`validate_datapackage`, ``known`` likewise).
    The build runs this in a process of its own while the site renders
    (:mod:`cchc.build.stage`)."""
    report = validate_datapackage(path, known)
    if not report.valid:
        raise ValueError("datapackage.json is not valid:\n" + _report_text(report))


def validate_datapackage(path: Path, known=None):
    """Frictionless validation of a written datapackage.json (returns the Report).

    ``known``: a set-like (``in`` and ``add``) of digests already found
    valid, e.g. kept in the build cache. The package's metadata is checked
    unless a package of the same shape (the descriptor without the files'
    ``bytes`` and ``hash``) was found valid; a resource whose descriptor —
    path, schema, byte count and SHA-256 of the file, just computed from the
    file on disk — was already found valid is not read again. Everything
    else is validated as usual and added to ``known`` when valid.
    """
    import time

    import frictionless
    from frictionless import FrictionlessException, Report

    path = Path(path)
    if known is None:
        return frictionless.validate(str(path))
    started = time.perf_counter()
    doc = json.loads(path.read_text(encoding="utf-8"))
    resources = doc.get("resources") if isinstance(doc, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        return frictionless.validate(str(path))
    shape = resource_digest({**doc, "resources": [{k: v for k, v in r.items() if k not in ("bytes", "hash")}
                                                  for r in resources]})
    if shape not in known:
        try:
            frictionless.Package(str(path)).to_descriptor(validate=True)
        except FrictionlessException as exc:
            return Report.from_validation(time=time.perf_counter() - started, errors=exc.to_errors())
        known.add(shape)
    todo = [(resource_digest(r), r) for r in resources]
    todo = [(d, r) for d, r in todo if d not in known]
    reports = [frictionless.Resource(r, basepath=str(path.parent)).validate() for _, r in todo]
    for (digest, _), report in zip(todo, reports):
        if report.valid:
            known.add(digest)
    return Report.from_validation_reports(time=time.perf_counter() - started, reports=reports)


def resource_digest(descriptor: dict) -> str:
    """What a validation depends on: the descriptor (a resource's, with the
    file's ``bytes`` and ``hash``; or a package's) and the Frictionless version."""
    import frictionless

    text = json.dumps([frictionless.__version__, descriptor], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _report_text(report, limit: int = 20) -> str:
    rows = [(task.name, getattr(e, "row_number", None), getattr(e, "field_name", None), e.type, e.note)
            for task in report.tasks for e in task.errors]
    rows += [(None, None, None, e.type, e.note) for e in report.errors]
    lines = [" | ".join("" if v is None else str(v) for v in row) for row in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit} more")
    return "\n".join(lines)
