"""Stage helpers of issue 10: the plan a build may use (the committed one,
verified), row changes between quarters' files (mistakes stop the build),
the revisions of published figures and the release log (cchc/provenance.py,
cchc/revisions.py)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cache import Cache, _sha, dir_digest, package_digest
from .compute import compute_results, load_validated, suppressed_results
from .discovery import quarter_digest
from .options import BuildOptions, InvalidInputError, log


def check_plan(opts: "BuildOptions", cache: "Cache") -> str:
    """The plan a build may use (cchc/provenance.py): the committed one,
    verified against its source and git, unless ``--plan`` chose another.
    Returns the provenance note ("" for the committed plan)."""
    _check_plan_choice(opts)
    verify_committed_plan(opts, cache)
    return _committed_plan_note(opts)


def _check_plan_choice(opts: "BuildOptions") -> None:
    from ..provenance import PlanChoiceError, check_plan_choice

    try:
        check_plan_choice(opts.data_dir, opts.plan)
    except PlanChoiceError as exc:
        raise InvalidInputError(str(exc)) from None


def plan_provenance(opts: "BuildOptions") -> str:
    """The checks of :func:`check_plan` that need neither pandas nor the
    plan's tables: the data folder brings no plan of its own unless
    ``--plan`` chose one, and the committed plan has no uncommitted change.
    Returns the provenance note ("" for the committed plan)."""
    _check_plan_choice(opts)
    return _committed_plan_note(opts)


def _committed_plan_note(opts: "BuildOptions") -> str:
    from ..provenance import plan_note, plan_uncommitted

    if opts.plan is None and plan_uncommitted(opts.plan_dir):
        raise InvalidInputError(
            f"Kế hoạch {opts.plan_dir} có thay đổi chưa được commit; bản dựng chỉ tính theo kế hoạch đã commit "
            "(hãy commit thay đổi, hoặc dùng --plan DIR để tính thử theo kế hoạch khác) / the plan has "
            "uncommitted changes; a build uses only the committed plan (commit them, or use --plan DIR)")
    return plan_note(opts.plan_dir, explicit=opts.plan is not None)


def verify_committed_plan(opts: "BuildOptions", cache: "Cache") -> None:
    """The committed plan's tables agree with its source document
    (:func:`cchc.plan.verify_plan`), cached by the plan's and the package's
    digests; nothing to do for a plan chosen with ``--plan``."""
    if opts.plan is not None:
        return
    key = _sha("plan-verified", package_digest(), dir_digest(opts.plan_dir))
    if cache.get("plan", key) is None:
        from ..plan import PlanError, verify_plan

        try:
            verify_plan(opts.plan_dir)
        except PlanError as exc:
            raise InvalidInputError(str(exc)) from None
        cache.put("plan", key, True)


def detect_revisions(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache,
                     digests: dict[str, str] | None = None):
    """Row-level changes between the quarters' files (cchc/revisions.py),
    cached by content; a change that looks like a mistake stops the build
    (exit code 2) naming both files and rows. ``digests`` as in
    :func:`compute_results`: a quarter not yet loaded is read from exactly the
    validated bytes."""
    from .. import revisions

    digests = {q: (digests or {}).get(q) or quarter_digest(opts, q) for q in quarters}
    key = _sha("revisions", package_digest(), [(q, digests[q]) for q in quarters])
    changes = cache.get("revisions", key)
    if changes is None:
        for q in quarters:
            if q not in loaded:
                loaded[q] = load_validated(opts, q, digests[q], cache)
        data = {q: loaded[q] for q in quarters}

        def memo(what, compute):  # per input: one changed survey file compares only the surveys again
            name, order, _ = what
            k = _sha("revisions-input", package_digest(), what, [_table_digest(data[q], name) for q in order])
            hit = cache.get("revisions", k)
            if hit is None:
                hit = compute()
                cache.put("revisions", k, hit)
            return hit

        changes = revisions.detect_changes(data, memo)
        cache.put("revisions", key, changes)
    if changes.mistakes:
        raise InvalidInputError(revisions.mistake_message(changes.mistakes))
    return changes


def _table_digest(qd, name: str) -> str:
    """What cchc.revisions reads of a quarter's input ``name``: its rows, row numbers and file name."""
    from ..digest import value_digest

    t = qd.tables.get(name)
    if t is None:
        return "none"
    return value_digest((t.df, t.row_numbers, Path(t.path).name))


@dataclass
class RevisionLog:
    """What the pages and downloads show of the revisions, and what the
    release log keeps."""
    revisions: object  # DataFrame, cchc.revisions.REVISION_COLUMNS: the cumulative log
    change_counts: object  # DataFrame, counts of changed rows (no codes)
    release: object  # the latest Release before this build, or None
    figures: object  # DataFrame, the published figures of this build (a release's indicators.csv)
    digest: str = ""


def revision_log(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache, plan, results: dict,
                 changes, digests: dict[str, str] | None = None) -> RevisionLog:
    """Compare the published figures with the last release (or the quarters'
    own files) and build the cumulative corrections log."""
    from .. import revisions
    from ..loader import read_manifest

    base, base_keys = compute_results(opts, quarters, loaded, cache, plan, digests=digests, own_files=True)
    base = suppressed_results(base, base_keys, plan, cache)
    release = revisions.read_latest_release(opts.data_dir)
    exported = {q: read_manifest(opts.data_dir / q / "quarter.yml").exported_at for q in quarters}
    new = revisions.figure_revisions(results, {q: base[q] for q in quarters[:-1]}, plan, changes.rows, release,
                                     exported)
    log_ = revisions.cumulative(release.revisions if release is not None else None, new)
    counts = revisions.change_counts(changes.rows)
    figures = revisions.indicator_table(results)
    return RevisionLog(log_, counts, release, figures,
                       _sha(log_.to_csv(index=False), counts.to_csv(index=False)))


def keep_release(opts: BuildOptions, quarters: list[str], failed: dict, log_: RevisionLog) -> Path | None:
    """Write ``data/releases/<date>/`` when a full build published figures
    that differ from the last release (cchc/revisions.py)."""
    from .. import revisions
    from ..loader import read_manifest

    if opts.quarters or failed:
        return None
    if log_.release is not None and revisions.same_figures(log_.release.indicators, log_.figures):
        return None
    dates = [read_manifest(opts.data_dir / q / "quarter.yml").exported_at for q in quarters]
    dates = [d for d in dates if d is not None]
    name = max(dates).strftime("%Y-%m-%d") if dates else quarters[-1]
    folder = revisions.write_release(opts.data_dir, name, log_.figures, log_.revisions)
    log.info("Đã lưu bản phát hành / release kept: %s", folder)
    return folder
