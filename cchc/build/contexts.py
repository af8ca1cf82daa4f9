"""What the notebooks display: the site and quarter contexts, pickled for
the pipeline's runs or computed from a data folder for an analyst's."""
from __future__ import annotations

from pathlib import Path

from .cache import Cache, _sha, git_commit
from .compute import compute_results
from .discovery import discover_quarters, load_pages
from .options import BuildOptions, InvalidInputError
from .validate import held_back, validate_quarters


# --------------------------------------------------------------------------- stage: contexts
def make_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, plan, commit, failed):
    """(SiteContext, {quarter: QuarterContext}): what the notebooks display."""
    from .. import context as ctx_mod
    from ..loader import read_manifest

    from ..commentary import load_commentary
    from ..pages_status import load_contact

    manifests = {q: read_manifest(opts.data_dir / q / "quarter.yml") for q in quarters}
    qctx = {}
    for i, q in enumerate(quarters):
        qctx[q] = ctx_mod.QuarterContext(
            quarter=q, manifest=manifests[q], results=results[q],
            previous=results[quarters[i - 1]] if i > 0 else None, quality=verdicts[q].quality, plan=plan,
            quarters=quarters, quarter_pages=pages_cfg["quarter_pages"], commit=commit,
            commentary=load_commentary(opts.data_dir / q))
    site = ctx_mod.SiteContext(
        quarters=quarters, manifests=manifests, results=results, quality={q: verdicts[q].quality for q in quarters},
        plan=plan, quarter_pages=pages_cfg["quarter_pages"], commit=commit, failed=failed,
        contact=load_contact(opts.data_dir))
    return site, qctx


def write_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, result_keys, plan, commit,
                   failed) -> dict[str, tuple[Path, str]]:
    """Pickle what each notebook needs; returns {name: (path, digest)}. The
    digest names everything the context was made from (for the notebook cache)."""
    from .. import context as ctx_mod

    site, qctx = make_contexts(opts, pages_cfg, quarters, verdicts, results, plan, commit, failed)
    ctx_dir = opts.work_dir / "context"
    out = {}
    for i, q in enumerate(quarters):
        prev = quarters[i - 1] if i > 0 else None
        path = ctx_dir / f"{q}.pkl"
        ctx_mod.save(qctx[q], path)
        out[q] = (path, _sha(result_keys[q], result_keys.get(prev), quarters, commit, verdicts[q].quality,
                             pages_cfg["quarter_pages"]))
    path = ctx_dir / "site.pkl"
    ctx_mod.save(site, path)
    out["site"] = (path, _sha([result_keys[q] for q in quarters], quarters, commit, failed,
                              {q: verdicts[q].quality for q in quarters}, pages_cfg, site.contact))
    return out



def contexts_from_data(data_dir: Path, plan_dir: Path | None = None):
    """(SiteContext, {quarter: QuarterContext}) computed from a data folder,
    validated first — what the notebooks use when run by hand in Jupyter."""
    from ..plan import load_plan

    opts = BuildOptions(data_dir=Path(data_dir))
    plan_path = Path(plan_dir).resolve() if plan_dir is not None and Path(plan_dir).is_dir() else opts.plan_dir
    cache = Cache(opts.cache_dir)
    quarters = discover_quarters(opts.data_dir)
    verdicts, loaded = validate_quarters(opts, quarters, cache)
    good = [q for q in quarters if verdicts[q].ok]
    if not good:
        raise InvalidInputError("Không có quý nào hợp lệ / no valid quarter: "
                                + "; ".join(v.first_error for v in verdicts.values()))
    plan = load_plan(plan_path)
    results, _ = compute_results(opts, good, loaded, cache, plan, plan_path,
                                 digests={q: verdicts[q].digest for q in good})
    return make_contexts(opts, load_pages(), good, verdicts, results, plan, git_commit(), held_back(verdicts))
