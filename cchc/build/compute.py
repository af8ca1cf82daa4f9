"""Stage: the indicators of every valid quarter."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from ..periods import parse_quarter
from .cache import Cache, _sha, dir_digest, package_digest
from .discovery import quarter_digest
from .options import BuildOptions
from .validate import changed_error, loaded_key


# --------------------------------------------------------------------------- stage: compute
def load_validated(opts: BuildOptions, quarter: str, digest: str, cache: Cache | None = None):
    """The quarter's data read from exactly the bytes that were validated.

    Every file of the quarter folder is read once: hashed as
    :func:`quarter_digest` does and copied into a private snapshot folder. Only when the digest of
    what was read equals ``digest`` (the one validation saw) is the snapshot
    loaded; otherwise the build stops (exit 2). The snapshot is removed
    afterwards, whatever happens.

    With ``cache``, the data loaded from those bytes by an earlier run (kept
    by :func:`cchc.build.validate.validate_quarters` or by this function) is
    taken from the cache once the folder's digest is checked, instead of
    reading the files again (the XLSX export costs seconds).
    """
    from .. import loader

    src = opts.data_dir / quarter
    if cache is not None:
        hit = cache.get("loaded", loaded_key(quarter, digest))
        if hit is not None:
            if quarter_digest(opts, quarter) != digest:
                raise changed_error(quarter, "sau khi được kiểm tra", "after they were validated")
            hit.folder = src
            return hit
    snap_root = opts.work_dir / f"snapshot-{os.getpid()}"
    snap = snap_root / quarter
    try:
        shutil.rmtree(snap_root, ignore_errors=True)
        snap.mkdir(parents=True)
        h = hashlib.sha256()
        for p in sorted(p for p in src.iterdir() if p.is_file()):
            h.update(p.name.encode() + b"\0")
            with open(p, "rb") as f, open(snap / p.name, "wb") as out:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
                    out.write(chunk)
            h.update(b"\0")
        if h.hexdigest() != digest:
            raise changed_error(quarter, "sau khi được kiểm tra", "after they were validated")
        data = loader.load_quarter(snap)
        data.folder = src
        if cache is not None:
            cache.put("loaded", loaded_key(quarter, digest), data)
        return data
    finally:
        shutil.rmtree(snap_root, ignore_errors=True)


def compute_results(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache, plan,
                    plan_dir: Path | None = None, digests: dict[str, str] | None = None,
                    own_files: bool = False) -> tuple[dict, dict]:
    """Indicators for every valid quarter. The key of a quarter's results is
    the content of the plan (``plan_dir``, default ``opts.plan_dir``: the one
    ``plan`` was read from) and of every quarter its figures read: every
    quarter of the build (latest row wins everywhere: a later quarter's file
    corrects an earlier quarter's rows), or with ``own_files`` only the
    quarter's own and earlier files of its year — what the quarter's own files
    gave, the baseline of cchc/revisions.py.

    ``digests``: the digest of the bytes each quarter's verdict is about
    (``Verdict.digest``). A quarter not already in ``loaded`` (its verdict came
    from the cache) is read by :func:`load_validated`: exactly those bytes, or
    the build stops.

    When a later quarter's files changed, an earlier quarter's figures are
    kept if what those files bring to it did not change
    (:func:`cchc.indicators.later_inputs_digest`): a changed survey file of
    2026Q4 leaves 2026Q1–Q3 as they were unless it corrects their forms."""
    from .. import indicators

    digests = dict(digests or {})
    for q in quarters:
        digests.setdefault(q, quarter_digest(opts, q))
    plan_digest = dir_digest(plan_dir or opts.plan_dir)

    def load(names):
        for o in names:
            if o not in loaded:
                loaded[o] = load_validated(opts, o, digests[o], cache)
        return {o: loaded[o] for o in names}

    results, keys = {}, {}
    for q in quarters:
        year = parse_quarter(q)[0]
        own = [o for o in quarters if parse_quarter(o)[0] == year and parse_quarter(o) <= parse_quarter(q)]
        later = [] if own_files else [o for o in quarters if parse_quarter(o) > parse_quarter(q)]
        upto = own + later
        # without a later quarter, the corrected figures are those of the quarter's own files: one key
        key = _sha("compute-corrected" if later else "compute", q, package_digest(), plan_digest,
                   [(o, digests[o]) for o in upto])
        keys[q] = key
        hit = cache.get("results", key)
        fine = None
        if hit is None and later:  # the same figures when the later files bring the same to this quarter
            fine = _sha("compute-later-inputs", q, package_digest(), plan_digest, [(o, digests[o]) for o in own],
                        indicators.later_inputs_digest(q, load(upto)))
            hit = cache.get("results", fine)
            if hit is not None:
                cache.put("results", key, hit)
        if hit is None:
            hit = indicators.compute_quarter(q, load(upto), plan)
            cache.put("results", key, hit)
            if fine is not None:
                cache.put("results", fine, hit)
        results[q] = hit
    return results, keys


def suppressed_results(results: dict, keys: dict, plan, cache: Cache) -> dict:
    """:func:`cchc.suppression.apply` of ``results`` (small groups hidden),
    kept in the cache under the results' own keys (``keys`` from
    :func:`compute_results`, which name the plan, the code and the data they
    were computed from), so an unchanged build does not hide them again."""
    from .. import suppression

    key = _sha("suppressed", package_digest(), sorted((q, keys[q]) for q in results))
    hit = cache.get("suppressed", key)
    if hit is None or set(hit) != set(results):
        hit = suppression.apply(results, plan)
        cache.put("suppressed", key, hit)
    return hit
