"""Stage: assemble the Quarto project to render, render it beside the site
and scan it for personal data."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from .cache import CacheSet, _sha, kept_files, package_digest
from .options import PAGE_SET_PREFIX, ROOT, BuildError, BuildOptions, log


# --------------------------------------------------------------------------- stage: assemble + render
def _sample_any(opts: BuildOptions, quarters) -> bool:
    from ..loader import read_manifest

    return any(read_manifest(opts.data_dir / q / "quarter.yml").sample for q in quarters)


def assemble_staging(opts: BuildOptions, staging: Path, quarters: list[str], executed: dict[str, Path],
                     results: dict, verdicts: dict, commit: str, plan_note: str = "", revision_log=None,
                     cache=None, quarter_digests: dict[str, str] | None = None):
    """The Quarto project to render: _quarto.yml with the quarter menu, pages,
    assets, executed notebooks at their site paths, downloads and the
    banner partial. Returns the Frictionless check of the downloads, running
    in a process of its own (a Future: :func:`check_downloads`, joined by
    :func:`render_unpublished`). With ``cache`` (a
    :class:`~cchc.build.cache.Cache`), a download whose bytes and schema were
    already validated by Frictionless in an earlier build is not validated
    again; the pages of a page set are kept by the bytes of its run, and a
    quarter's downloads by ``quarter_digests[q]`` (the digest of its
    context, :func:`cchc.build.write_contexts`, which names its figures and
    its data-quality summary), so that what did not change is only copied
    (measured after one quarter's survey changed: 0,13 s of splitting and
    0,13 s of writing downloads, for the 65 pages of the reused page set and
    the three unchanged quarters)."""
    from .. import multipage, opendata, procedures
    from ..banner import site_banner
    from ..datapackage import write_datapackage
    from ..validation.parallel import run_beside
    from .execute import apply_front_matter

    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    stage_project_files(staging, quarters)
    for name, nb in executed.items():
        if name.startswith(PAGE_SET_PREFIX):  # one run, many pages (cchc.multipage)
            key = _sha("page-set-pages", package_digest(), nbformat_version(), Path(nb).read_bytes())
            kept_files(cache, "page-set-pages", key, staging,
                       lambda folder, nb=nb: multipage.split(nb, folder, apply_front_matter))
            continue
        dest = staging / (name + ".ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb, dest)
    data_out = staging / "data"
    resources = []
    for q in quarters:
        def write(folder, q=q):
            return (opendata.write_quarter_downloads(results[q], folder)
                    + opendata.write_validation_download(q, verdicts[q].quality, folder))

        digest = (quarter_digests or {}).get(q)
        key = _sha("quarter-downloads", package_digest(), q, digest)
        resources += kept_files(cache if digest else None, "quarter-downloads", key, data_out, write)
    if revision_log is not None:
        from ..revisions import write_download

        resources += write_download(revision_log.revisions, data_out)
    resources += procedures.write_ytd_download(results[quarters[-1]], data_out)
    package = write_datapackage(data_out, resources, sample=_sample_any(opts, quarters), validate=False)
    # Frictionless takes 0,2-0,5 s, mostly its import: on the other core, while the pages render
    checked = run_beside(check_downloads, str(package), str(cache.root) if cache is not None else None)
    partial = staging / "_partials" / "banner.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(site_banner(opts.data_dir, quarters, commit, plan_note), encoding="utf-8")
    return checked


def check_downloads(package: str, cache_root: str | None) -> None:
    """:func:`cchc.datapackage.check_datapackage` of the written package, with
    the resources found valid before kept in the cache at ``cache_root``."""
    from ..datapackage import check_datapackage
    from .cache import Cache

    check_datapackage(Path(package), CacheSet(Cache(Path(cache_root)), "open-data-valid") if cache_root else None)


def nbformat_version() -> str:
    import nbformat

    return nbformat.__version__


def _resolved_renderer(renderer: str) -> str:
    """Which renderer "auto" means on this machine."""
    if renderer != "auto":
        return renderer
    return "quarto" if shutil.which("quarto") else "fallback"


def renderer_identity(renderer: str) -> str:
    """The renderer as the site fingerprint and the no-change stamp name it:
    "fallback" (its code is in the package digest), or Quarto with the
    installation on PATH — the real path, size and time of its launcher and
    the ``share/version`` file beside it — so that another Quarto makes a
    full build. No process is started: this runs before a kept build."""
    name = _resolved_renderer(renderer)
    binary = shutil.which("quarto") if name == "quarto" else None
    if binary is None:
        return name
    launcher = Path(binary).resolve()
    try:
        st = launcher.stat()
        version = launcher.parent.parent / "share" / "version"
        shipped = version.read_text(encoding="utf-8").strip() if version.is_file() else ""
    except OSError:
        return name
    return f"{name} {launcher} {st.st_size} {st.st_mtime_ns} {shipped}"


def stage_project_files(staging: Path, quarters: list[str]) -> None:
    """Copy the project's own site sources into ``staging``: ``_quarto.yml``
    with the "Các quý" menu filled, ``pages/*.qmd`` and ``assets/``."""
    from ..render.config import with_quarters

    with open(ROOT / "_quarto.yml", encoding="utf-8") as f:
        cfg = with_quarters(yaml.safe_load(f), quarters)
    with open(staging / "_quarto.yml", "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, allow_unicode=True, sort_keys=False)
    for qmd in sorted((ROOT / "pages").glob("*.qmd")):
        shutil.copy2(qmd, staging / qmd.name)
    shutil.rmtree(staging / "assets", ignore_errors=True)
    shutil.copytree(ROOT / "assets", staging / "assets")


def render_unpublished(opts: BuildOptions, staging: Path, cache=None, checks=()):
    """Render ``staging`` into a fresh folder beside the site and scan it for
    personal data; returns ``(folder, RenderResult)``. Nothing is published.
    ``cache``: see :func:`scan_site`. ``checks``: Futures of checks running
    meanwhile (:func:`assemble_staging`'s), waited for at the end: what one
    raises stops the build, the folder removed."""
    new_dir = opts.site_dir.parent / f".{opts.site_dir.name}.new-{os.getpid()}"
    if new_dir.exists():
        shutil.rmtree(new_dir)
    try:
        # the pages are scanned while Pagefind indexes them (or after, if the renderer did not), the index after
        scanned = []
        result = render_site(staging, new_dir, opts.renderer, cache,
                             beside_index=lambda: scanned.append(scan_site(new_dir, cache, part="pages")))
        log.info("Trình dựng trang / renderer: %s", result.renderer)
        if not scanned:
            scan_site(new_dir, cache, part="pages")
        scan_site(new_dir, cache, part="index")
        for check in checks:
            check.result()
    except BaseException:
        shutil.rmtree(new_dir, ignore_errors=True)  # nothing half-built is left beside the site
        raise
    return new_dir, result


def render_site(staging: Path, out_dir: Path, renderer: str, cache=None, beside_index=None):
    """Render ``staging`` into ``out_dir``; with ``cache`` (a
    :class:`~cchc.build.cache.Cache`) the fallback renderer keeps each page
    under ``.cache/pages/`` and renders again only the pages whose sources
    changed. ``beside_index``: see :func:`cchc.render.postprocess`."""
    from .. import render

    page_cache = (cache.root / "pages", package_digest()) if cache is not None else None
    return render.render(staging, out_dir, renderer=renderer, page_cache=page_cache, beside_index=beside_index)


def scan_site(out_dir: Path, cache=None, part: str = "all") -> None:
    """Fail the build when anything that looks like personal data reached the
    site (``part``: see :func:`cchc.validation.scan_site_for_pii`). With
    ``cache`` (a :class:`~cchc.build.cache.Cache`), a file or search record
    with exactly the bytes of one scanned clean before, by the same code, is
    not scanned again."""
    from ..validation import scan_site_for_pii

    clean = CacheSet(cache, "pii-clean", salt=package_digest()) if cache is not None else None
    findings = scan_site_for_pii(out_dir, clean=clean, part=part)
    if findings:
        shown = "\n".join(f"  {f}" for f in findings[:20])
        raise BuildError("Trang dựng ra có nội dung giống dữ liệu cá nhân, không công bố / the built site contains "
                         f"what looks like personal data, not published:\n{shown}")
