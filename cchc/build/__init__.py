"""Build orchestration: validate → compute → execute notebooks → render → publish.

Every stage is a function that can be called and tested alone; ``build``
strings them together and ``pipeline.py`` is its command line.

Guarantees:
- **Validated first**: a quarter whose inputs fail validation is never
  computed or published (``--keep-going`` builds the others and the failure
  stays visible: exit code 2, the summary, and a notice on the home page).
- **Cached**: validation verdicts, computed results and executed notebooks
  are cached under ``.cache/`` by the content hashes of everything they
  depend on (input files, plan, contract and suites, the package's source,
  the notebook, its parameters). A rebuild with nothing changed executes
  nothing and leaves the published site untouched; when the stamp of the
  last build (``cchc.build.unchanged``) says so, it decides that before
  anything heavy is imported.
- **Atomic**: the site is rendered into a temporary folder next to ``site/``
  and swapped in with one atomic exchange (``renameat2(RENAME_EXCHANGE)`` on
  Linux) only when complete and scanned; a build killed at any moment
  leaves the old site whole.
- **Locked**: one build at a time per site folder.
- **Deterministic**: same inputs (data and code) give byte-identical output;
  dates shown come from the data's manifest, never the clock.
"""
from __future__ import annotations

import shutil
import sys
import time
from contextlib import closing
from pathlib import Path

from ..periods import is_quarter_id, parse_quarter
from .ahead import ComputeAhead, Figures, compute_figures
from .cache import Cache, _sha, dir_digest, files_digest, git_commit, package_digest
from .compute import compute_results
from .contexts import contexts_from_data, make_contexts, write_contexts
from .discovery import discover_quarters, load_pages, quarter_digest
from .integrity import (RevisionLog, check_plan, detect_revisions, keep_release, plan_provenance, revision_log,
                        verify_committed_plan)
from .execute import (KernelStarter, NotebookJob, _execute_one, apply_front_matter, ensure_kernel, execute_notebooks,
                      longest_first, plan_jobs, set_front_matter)
from .options import (FINGERPRINT_FILE, KERNEL_NAME, NOTEBOOKS, ROOT, BuildError, BuildOptions, BuildSummary,
                      InvalidInputError, LockedError, NotebookFailed, _Stages, log)
from .publish import _RENAME_EXCHANGE, BuildLock, _exchange, publish, recover_site, site_fingerprint
from .stage import (_sample_any, assemble_staging, render_site, render_unpublished, renderer_identity, scan_site,
                    stage_project_files)
from .compute import load_validated
from .discovery import check_quarter_folder_names
from .validate import (Verdict, _first_error, held_back, look_up, public_reason, start_checking, validate_quarters,
                       validation_report_path, write_validation_report)
from . import unchanged

# Every name of the former single module stays importable from cchc.build
# (the private helpers too: the benchmarks use _execute_one).
__all__ = [
    "BuildError", "BuildLock", "BuildOptions", "BuildSummary", "Cache", "FINGERPRINT_FILE", "InvalidInputError",
    "KERNEL_NAME", "LockedError", "NOTEBOOKS", "NotebookFailed", "NotebookJob", "ROOT", "Verdict", "assemble_staging",
    "build", "clean", "compute_results", "contexts_from_data", "dir_digest", "discover_quarters", "ensure_kernel",
    "execute_notebooks", "files_digest", "git_commit", "load_pages", "make_contexts", "package_digest", "plan_jobs",
    "publish", "quarter_digest", "recover_site", "render_site", "render_unpublished", "rerender", "scan_site",
    "set_front_matter", "apply_front_matter", "site_fingerprint", "stage_project_files", "validate_only",
    "validate_quarters",
    "write_contexts", "write_validation_report", "check_plan", "detect_revisions", "revision_log", "keep_release",
    "RevisionLog", "ComputeAhead", "Figures", "compute_figures",
]


# --------------------------------------------------------------------------- the story
def build(opts: BuildOptions) -> BuildSummary:
    """validate → compute → execute notebooks → render → publish.

    A BuildError raised on the way carries the summary so far (``.summary``).
    """
    summary = BuildSummary()
    try:
        return _build(opts, summary, time.perf_counter())
    except BuildError as exc:
        exc.summary = summary
        raise


def _build(opts: BuildOptions, summary: BuildSummary, started: float) -> BuildSummary:
    stage = _Stages(summary)
    progress = sys.stderr.isatty() if opts.progress is None else opts.progress
    cache = Cache(opts.cache_dir)
    # a warm kernel starts as soon as a quarter has to be validated (its pages will run again), the others
    # when compute begins: their start-up overlaps validation and compute; nothing changed, none starts
    with BuildLock(opts.site_dir), closing(KernelStarter(opts, cache)) as kernels:
        recover_site(opts.site_dir)
        pages_cfg = load_pages()
        quarters = discover_quarters(opts.data_dir, opts.quarters)
        lookup = look_up(opts, quarters, cache)
        start_checking(opts, lookup)  # before anything else: Great Expectations loads in a helper meanwhile
        try:
            plan_note = plan_provenance(opts)
        except InvalidInputError:
            plan_note = None  # check_plan below says what is wrong with the plan, in its order
        commit = git_commit(opts)  # what the pages print; read once, with the other inputs
        inputs = unchanged.inputs_digest(opts, lookup.digests, lookup.rules, commit, plan_note)
        if plan_note is not None and not lookup.todo and all(v.ok for v in lookup.verdicts.values()):
            kept = unchanged.kept_build(opts, inputs)
            if kept is not None:  # as the last build left it: nothing to validate, compute or execute
                summary.stage_seconds["unchanged"] = time.perf_counter() - started
                return _kept(opts, summary, lookup, kept)
        unchanged.forget(opts)
        if plan_note is None:
            plan_note = check_plan(opts, cache)
        else:
            verify_committed_plan(opts, cache)

        # the figures are computed while the workers still check the suites; used only if every quarter passes
        ahead = ComputeAhead(opts, cache)

        def while_checking(*args) -> None:
            ahead(*args)
            kernels.start_rest()  # then the other kernels start, while the checks end

        with stage("validate"):
            verdicts, loaded = validate_quarters(opts, quarters, cache, on_miss=kernels.start,
                                                 while_checking=while_checking, lookup=lookup)
            summary.report_path = write_validation_report(opts, verdicts)
            _count_verdicts(summary, verdicts)
            failed = {q: v.first_error for q, v in verdicts.items() if not v.ok}
            summary.quarters_failed = failed
            good = [q for q in quarters if q not in failed]
            if failed and not opts.keep_going:
                raise InvalidInputError(
                    "Dữ liệu không hợp lệ, không công bố gì / invalid input, nothing published: "
                    + ", ".join(failed) + f"\nXem báo cáo / see the report: {summary.report_path}")
            if not good:
                raise InvalidInputError("Không có quý nào hợp lệ để công bố / no valid quarter to publish")

        with stage("compute"):
            kernels.start_rest()
            digests = {q: verdicts[q].digest for q in good}
            figures = ahead.take(good, digests)  # with the plan they were computed with (its digest checked)
            if figures is not None:
                log.info("chỉ số đã tính trong lúc kiểm tra / figures computed while the checks ran")
            else:
                from ..plan import load_plan

                figures = compute_figures(opts, good, loaded, cache, load_plan(opts.plan_dir), digests)
            plan, results, keys, rev_log = figures.plan, figures.results, figures.keys, figures.rev_log
            # public pages name a held-back quarter by the rule it broke, never by a path
            contexts = write_contexts(opts, pages_cfg, good, verdicts, results, keys, plan, commit,
                                      held_back(verdicts), plan_note, rev_log)

        with stage("report"):
            from ..report import publish as report_step  # here: its imports (pandas, docx) take 0,2 s

            reports = report_step.write_reports(opts, good, contexts, cache)
            summary.report_warnings = reports.warnings

        with stage("execute"):
            jobs = plan_jobs(opts, pages_cfg, good, contexts)
            executed = execute_notebooks(opts, jobs, cache, summary, progress, kernels.pool)
            kernels.release()

        fingerprint = _sha("site", [(j.name, j.key) for j in jobs], dir_digest(ROOT / "assets"),
                           dir_digest(ROOT / "pages"), (ROOT / "_quarto.yml").read_bytes(), package_digest(),
                           renderer_identity(opts.renderer), good)
        if site_fingerprint(opts.site_dir) == fingerprint:
            keep_release(opts, good, failed, rev_log)
            summary.unchanged = True
            summary.quarters_built = good
            if failed:
                raise InvalidInputError("Một số quý không hợp lệ / some quarters are invalid: " + ", ".join(failed))
            unchanged.remember(opts, inputs, len(jobs), summary.report_warnings)
            return summary

        with stage("render"):
            staging = opts.work_dir / "staging"
            downloads_check = assemble_staging(opts, staging, good, executed, results, verdicts, commit, plan_note,
                                               rev_log, cache, {q: contexts[q][1] for q in good})
            report_step.stage_reports(staging, reports)
            new_dir, result = render_unpublished(opts, staging, cache, checks=[downloads_check])
            summary.renderer = result.renderer
            (new_dir / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")

        with stage("publish"):
            publish(new_dir, opts.site_dir)
            keep_release(opts, good, failed, rev_log)
        summary.quarters_built = good
        if failed:
            raise InvalidInputError(
                "Đã công bố các quý hợp lệ; các quý sau KHÔNG được công bố / published the valid quarters; NOT "
                "published: " + ", ".join(failed) + f"\nXem báo cáo / see the report: {summary.report_path}")
        unchanged.remember(opts, inputs, len(jobs), summary.report_warnings)
        return summary


def _kept(opts: BuildOptions, summary: BuildSummary, lookup, kept: unchanged.Kept) -> BuildSummary:
    """The summary of a build that kept the site as the last build left it
    (:mod:`cchc.build.unchanged`): every verdict from the cache, every file
    in place."""
    verdicts = lookup.verdicts
    summary.report_path = validation_report_path(opts)
    _count_verdicts(summary, verdicts)
    summary.report_warnings = kept.report_warnings
    summary.cached = kept.notebooks
    summary.unchanged = True
    summary.quarters_built = list(verdicts)
    return summary


def _count_verdicts(summary: BuildSummary, verdicts: dict[str, Verdict]) -> None:
    """The data warnings and the reports worth printing (a failure or a warning)."""
    summary.warnings = sum(v.warnings for v in verdicts.values())
    summary.reports = [v.report for v in verdicts.values() if not v.ok or v.warnings]


def validate_only(opts: BuildOptions) -> tuple[dict[str, Verdict], Path]:
    cache = Cache(opts.cache_dir)
    quarters = discover_quarters(opts.data_dir, opts.quarters)
    verdicts, _ = validate_quarters(opts, quarters, cache)
    return verdicts, write_validation_report(opts, verdicts)


def rerender(opts: BuildOptions) -> str:
    """Render the last staged project again (after editing CSS, pages or
    templates) and publish it atomically."""
    staging = opts.work_dir / "staging"
    if not staging.is_dir():
        raise BuildError("Chưa có bản dựng nào để dựng lại; hãy chạy `pipeline.py build` / nothing to re-render yet; "
                         "run `pipeline.py build` first")
    with BuildLock(opts.site_dir):
        recover_site(opts.site_dir)
        quarters = sorted((p.name for p in staging.iterdir() if p.is_dir() and is_quarter_id(p.name)),
                          key=parse_quarter)
        stage_project_files(staging, quarters)
        new_dir, result = render_unpublished(opts, staging, Cache(opts.cache_dir))
        publish(new_dir, opts.site_dir)
        return result.renderer


def clean(opts: BuildOptions) -> list[Path]:
    removed = []
    with BuildLock(opts.site_dir):
        for p in (opts.site_dir, opts.work_dir, opts.cache_dir):
            if p.exists():
                shutil.rmtree(p)
                removed.append(p)
    return removed
