"""Stage: the indicators of every valid quarter."""
from __future__ import annotations

from pathlib import Path

from ..periods import parse_quarter
from .cache import Cache, _sha, dir_digest, package_digest
from .discovery import quarter_digest
from .options import BuildOptions


# --------------------------------------------------------------------------- stage: compute
def compute_results(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache, plan,
                    plan_dir: Path | None = None) -> tuple[dict, dict]:
    """Indicators for every valid quarter. The key of a quarter's results is
    the content of the plan (``plan_dir``, default ``opts.plan_dir``: the one
    ``plan`` was read from) and of every quarter its year-to-date figures read."""
    from .. import indicators, loader

    digests = {q: quarter_digest(opts, q) for q in quarters}
    plan_digest = dir_digest(plan_dir or opts.plan_dir)
    results, keys = {}, {}
    for q in quarters:
        year = parse_quarter(q)[0]
        upto = [o for o in quarters if parse_quarter(o)[0] == year and parse_quarter(o) <= parse_quarter(q)]
        key = _sha("compute", package_digest(), plan_digest, [(o, digests[o]) for o in upto])
        keys[q] = key
        hit = cache.get("results", key)
        if hit is None:
            for o in upto:
                if o not in loaded:
                    loaded[o] = loader.load_quarter(opts.data_dir / o)
            hit = indicators.compute_quarter(q, {o: loaded[o] for o in upto}, plan)
            cache.put("results", key, hit)
        results[q] = hit
    return results, keys
