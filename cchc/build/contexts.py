"""What the notebooks display: the site and quarter contexts, pickled for
the pipeline's runs or computed from a data folder for an analyst's."""
from __future__ import annotations

from pathlib import Path

from .cache import Cache, _sha, dir_digest, git_commit
from .compute import compute_results
from .discovery import discover_quarters, load_pages, quarter_digest
from .integrity import check_plan, detect_revisions, revision_log
from .options import BuildOptions, InvalidInputError
from .validate import held_back, validate_quarters


# --------------------------------------------------------------------------- stage: contexts
def make_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, plan, commit, failed, plan_note="",
                  revision_log=None):
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
            commentary=load_commentary(opts.data_dir / q), plan_note=plan_note,
            revisions=_quarter_revisions(revision_log, q))
    site = ctx_mod.SiteContext(
        quarters=quarters, manifests=manifests, results=results, quality={q: verdicts[q].quality for q in quarters},
        plan=plan, quarter_pages=pages_cfg["quarter_pages"], commit=commit, failed=failed,
        contact=load_contact(opts.data_dir), plan_note=plan_note,
        revisions=revision_log.revisions if revision_log is not None else None,
        row_changes=revision_log.change_counts if revision_log is not None else None)
    return site, qctx


def _quarter_revisions(revision_log, quarter: str):
    if revision_log is None:
        return None
    df = revision_log.revisions
    return df[df["quarter"] == quarter].reset_index(drop=True)


def write_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, result_keys, plan, commit,
                   failed, plan_note="", revision_log=None) -> dict[str, tuple[Path, str]]:
    """Pickle what each notebook needs; returns {name: (path, digest)}. The
    digest names everything the context was made from (for the notebook cache)."""
    from .. import context as ctx_mod

    site, qctx = make_contexts(opts, pages_cfg, quarters, verdicts, results, plan, commit, failed, plan_note,
                               revision_log)
    rev = revision_log.digest if revision_log is not None else ""
    # keyed by what the pages show (the published, suppressed figures) and by the quarter's own files (its
    # manifest, staff texts, ...), not by the other quarters' files that made the figures: a later quarter's
    # file that corrects an earlier quarter re-executes that quarter's pages, and only then
    shown = {q: results_digest(results[q]) for q in quarters}
    own = {q: verdicts[q].digest or quarter_digest(opts, q) for q in quarters}
    plan_digest = dir_digest(opts.plan_dir)
    ctx_dir = opts.work_dir / "context"
    out = {}
    for i, q in enumerate(quarters):
        prev = quarters[i - 1] if i > 0 else None
        path = ctx_dir / f"{q}.pkl"
        ctx_mod.save(qctx[q], path)
        q_rev = qctx[q].revisions.to_csv(index=False) if qctx[q].revisions is not None else ""
        out[q] = (path, _sha(shown[q], own[q], shown.get(prev), own.get(prev), plan_digest, quarters, commit,
                             plan_note, q_rev, verdicts[q].quality, pages_cfg["quarter_pages"]))
    path = ctx_dir / "site.pkl"
    ctx_mod.save(site, path)
    out["site"] = (path, _sha([(shown[q], own[q]) for q in quarters], plan_digest, quarters, commit, plan_note, rev,
                              failed, {q: verdicts[q].quality for q in quarters}, pages_cfg, site.contact))
    return out


def results_digest(r) -> str:
    """Digest of everything a quarter's results publish (indicators, breakdowns, estimate, periods)."""
    parts = [r.quarter, str(getattr(r, "provisional", "")), repr(getattr(r, "periods", "")),
             r.indicators.to_csv(index=False)]
    est = getattr(r, "estimate_766", None)
    parts.append(est.to_csv(index=False) if est is not None else "")
    expl = getattr(r, "explanations", None)
    parts.append(expl.to_csv(index=False) if expl is not None else "")
    for k in sorted(r.breakdowns):
        parts += [k, r.breakdowns[k].to_csv(index=False)]
    return _sha(*parts)



def contexts_from_data(data_dir: Path, plan_dir: Path | None = None):
    """(SiteContext, {quarter: QuarterContext}) computed from a data folder,
    validated first — what the notebooks use when run by hand in Jupyter."""
    from .. import suppression
    from ..plan import load_plan

    opts = BuildOptions(data_dir=Path(data_dir),
                        plan=Path(plan_dir) if plan_dir is not None and Path(plan_dir).is_dir() else None)
    plan_path = opts.plan_dir
    cache = Cache(opts.cache_dir)
    note = check_plan(opts, cache)
    quarters = discover_quarters(opts.data_dir)
    verdicts, loaded = validate_quarters(opts, quarters, cache)
    good = [q for q in quarters if verdicts[q].ok]
    if not good:
        raise InvalidInputError("Không có quý nào hợp lệ / no valid quarter: "
                                + "; ".join(v.first_error for v in verdicts.values()))
    plan = load_plan(plan_path)
    digests = {q: verdicts[q].digest for q in good}
    changes = detect_revisions(opts, good, loaded, cache, digests)
    results, _ = compute_results(opts, good, loaded, cache, plan, plan_path, digests=digests)
    results = suppression.apply(results, plan)
    rev_log = revision_log(opts, good, loaded, cache, plan, results, changes, digests)
    return make_contexts(opts, load_pages(), good, verdicts, results, plan, git_commit(opts), held_back(verdicts),
                         note, rev_log)
