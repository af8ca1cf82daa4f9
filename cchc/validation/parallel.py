"""Validating several quarters at once, with worker processes for the Great
Expectations suites.

Each quarter is prepared here (:func:`cchc.validation.core.prepare_quarter`:
the folder, the manifest, reading every file, the cross-file checks). A
helper process imports Great Expectations and creates its context
(:mod:`cchc.validation.preload`) on the other core while the files are still
being read here: the build starts it as soon as a quarter has to be
validated (:func:`start_helper`), otherwise it starts once a prepared
quarter has a suite to run. The suites then
run in up to ``workers`` processes forked from that helper, so none of them
imports Great Expectations again; the largest files go first, so that the
workers finish together. Each outcome goes back to its quarter
(:func:`~cchc.validation.core.finish_quarter`): the verdicts are exactly
those of :func:`~cchc.validation.core.validate_quarter`.

Measured on the bundled data (issue 15): importing Great Expectations costs
about 1,8 s per process. Spawned workers paid it once each, and the
build's own process, when it validated one quarter itself, paid it while the
first notebook kernel was starting, and was slower afterwards for the larger
heap.

The helper is multiprocessing's fork server: a clean process started from
scratch, so forking from it is safe even though the build runs threads
(warm kernels). It lives until the process that started it ends, and is
reused by later validations in the same process. Where there is no fork
server (Windows), the workers are spawned and each imports Great
Expectations itself.
"""
from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: start_helper needs neither (nor pandas, which they import)
    from . import core
    from .records import QuarterValidation

PRELOAD = ["__main__", "cchc.validation.preload"]


def _context():
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)  # read when the fork server starts (once per process)
    return ctx


_started = False  # this process has started the helper


def start_helper() -> None:
    """Start the fork server now (it imports Great Expectations while the
    caller goes on); does nothing if it is already running or there is none."""
    global _started
    if _context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()
        _started = True


def run_beside(fn, *args) -> Future:
    """``fn(*args)`` in a process of its own, forked from the helper, while
    the caller goes on; its result (or what it raised) is the Future's. Only
    when this process has started the helper: a process started for the
    purpose would import again what the helper has (pandas, 0,3 s), so
    without one ``fn`` runs here and now. ``fn`` must be a module's function
    and its arguments picklable."""
    if not _started:
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except Exception as exc:  # noqa: BLE001 - the Future's, as from a process (an interrupt stops here)
            done.set_exception(exc)
        return done
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
    try:
        return pool.submit(fn, *args)
    finally:
        pool.shutdown(wait=False)  # the process ends when ``fn`` returns


def _cost(p: core.PendingSuite) -> int:
    return len(p.table.raw) * max(1, len(p.table.raw.columns))


def validate_quarters(folders: list[Path], plan_dir: Path, workers: int, *, data_dir: Path | None = None,
                      while_waiting=None) -> list[QuarterValidation]:
    """:func:`~cchc.validation.core.validate_quarter` of each folder, in
    order, with the suites run by up to ``workers`` worker processes.
    ``while_waiting(partial)`` is called while they run, with each quarter's
    :class:`QuarterValidation` so far (every check but the suites; its
    ``data`` already read), so that the caller can use the wait."""
    from . import core

    prepared = []
    for folder in folders:
        qv, pending = core.prepare_quarter(folder, plan_dir, data_dir=data_dir)
        if any(p.outcome is None for p in pending):
            start_helper()
        prepared.append((qv, pending))
    # one run per distinct memo key: files with the same bytes, suite and parameters have the same outcome
    same: dict = {}
    for _, pending in prepared:
        for p in pending:
            if p.outcome is None:
                same.setdefault(p.key if p.key is not None else id(p), []).append(p)
    todo = sorted(same.values(), key=lambda group: _cost(group[0]), reverse=True)
    if todo:
        with ProcessPoolExecutor(max_workers=max(1, min(workers, len(todo))), mp_context=_context()) as pool:
            # submitting starts the workers, which waits for the helper to have imported Great Expectations:
            # that wait happens in a thread, so that ``while_waiting`` can use it here
            running: list = []
            failed: list[BaseException] = []

            def submit() -> None:
                try:
                    running.extend((group, pool.submit(core.run_suite_job, *group[0].job)) for group in todo)
                except BaseException as exc:  # noqa: BLE001 - raised below, in this thread
                    failed.append(exc)

            submitter = threading.Thread(target=submit, name="cchc-validation-submit", daemon=True)
            submitter.start()
            if while_waiting is not None:
                while_waiting([qv for qv, _ in prepared])
            submitter.join()
            if failed:
                raise failed[0]
            for group, future in running:
                outcome = future.result()
                for p in group:
                    p.complete(outcome)
    return [core.finish_quarter(qv, pending) for qv, pending in prepared]
