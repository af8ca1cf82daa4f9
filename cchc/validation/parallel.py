"""Validating several quarters at once, with worker processes for the Great
Expectations suites.

Each quarter is prepared here (:func:`cchc.validation.core.prepare_quarter`:
the folder, the manifest, reading every file, the cross-file checks). A
helper process imports Great Expectations and creates its context
(:mod:`cchc.validation.preload`) on the other core while the files are still
being read here: the build starts it as soon as a quarter has to be
validated (:func:`start_helper`), otherwise it starts once a file read has
a suite to run. The suites then
run in up to ``workers`` processes forked from that helper, so none of them
imports Great Expectations again. Each file's suite is queued as soon as
the file is read (:class:`_Queue`), so the workers start on the first files
while the others are still being read and the cross-file checks made;
whenever a worker is free it takes the largest file queued, so that the
workers finish together. A worker is sent the table as the suite reads it
(:func:`~cchc.validation.suite_run.suite_input`), its raw text as the
loader's factors (``Table.__getstate__``). Each outcome goes back to its quarter
(:func:`~cchc.validation.core.finish_quarter`): the verdicts are exactly
those of :func:`~cchc.validation.core.validate_quarter`.

Measured on the four bundled quarters (issue 15): the workers used to wait
until the last quarter was read (3,9 s into the stage on a slow day, the
XLSX quarter alone 2,8 s) although the helper was ready about a second
earlier.

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

import functools
import heapq
import itertools
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


class _Queue:
    """The suites still to run, handed to at most ``workers`` worker
    processes, the largest first, by a thread of its own (starting a worker
    waits for the helper to have imported Great Expectations; the caller
    goes on reading files meanwhile). Suites with the same memo key (files
    with the same bytes, suite and parameters) run once. The first error
    stops the handing out; :meth:`finish` raises it."""

    def __init__(self, workers: int):
        self._workers = max(1, workers)
        self._lock = threading.Condition()
        self._heap: list = []  # (-cost, order, key)
        self._order = itertools.count()
        self._groups: dict = {}  # memo key -> the PendingSuites it answers
        self._running: dict = {}  # memo key -> Future
        self._busy = 0
        self._closed = False
        self._failed: BaseException | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    @property
    def used(self) -> bool:
        return bool(self._groups)

    def add(self, p: core.PendingSuite) -> None:
        key = p.key if p.key is not None else ("unremembered", id(p))
        with self._lock:
            if key in self._groups:
                self._groups[key].append(p)
                return
            self._groups[key] = [p]
            heapq.heappush(self._heap, (-_cost(p), next(self._order), key))
            if self._thread is None:
                self._thread = threading.Thread(target=self._hand_out, name="cchc-validation-queue", daemon=True)
                self._thread.start()
            self._lock.notify_all()

    def _hand_out(self) -> None:
        from . import core

        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._failed is not None or (self._closed and not self._heap)
                                    or (self._heap and self._busy < self._workers))
                if self._failed is not None or not self._heap:
                    return
                _, _, key = heapq.heappop(self._heap)
                self._busy += 1
            try:
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(max_workers=self._workers, mp_context=_context())
                future = self._pool.submit(core.run_suite_job, *self._groups[key][0].job)
            except BaseException as exc:  # noqa: BLE001 - raised by finish(), in the caller's thread
                with self._lock:
                    self._failed = self._failed or exc
                    self._busy -= 1
                    self._lock.notify_all()
                return
            future.add_done_callback(functools.partial(self._done, key))

    def _done(self, key, future: Future) -> None:
        with self._lock:
            self._running[key] = future  # here, not after submit(): it may be done before submit() returns
            self._busy -= 1
            error = _Stopped() if future.cancelled() else future.exception()
            if error is not None:
                self._failed = self._failed or error
            self._lock.notify_all()

    def finish(self) -> None:
        """Wait for every suite; give each outcome to its PendingSuites."""
        with self._lock:
            self._closed = True
            self._lock.notify_all()
            self._lock.wait_for(lambda: self._busy == 0 and (self._failed is not None or not self._heap))
            if self._failed is not None:
                raise self._failed
        for key, group in self._groups.items():
            outcome = self._running[key].result()
            for p in group:
                p.complete(outcome)

    def close(self) -> None:
        """Stop handing out; end the workers (those still running a suite
        first finish it)."""
        with self._lock:
            self._closed = True
            self._failed = self._failed or _Stopped()
            self._lock.notify_all()
        if self._thread is not None:
            self._thread.join()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


class _Stopped(Exception):
    """The queue was closed before every suite had run."""


def validate_quarters(folders: list[Path], plan_dir: Path, workers: int, *, data_dir: Path | None = None,
                      while_waiting=None) -> list[QuarterValidation]:
    """:func:`~cchc.validation.core.validate_quarter` of each folder, in
    order, with the suites run by up to ``workers`` worker processes.
    ``while_waiting(partial)`` is called while they run, with each quarter's
    :class:`QuarterValidation` so far (every check but the suites; its
    ``data`` already read), so that the caller can use the wait."""
    from . import core

    prepared = []
    queue = _Queue(workers)

    def run(p: core.PendingSuite) -> None:  # the workers start on it while the next file is read
        start_helper()
        queue.add(p)

    try:
        for folder in folders:
            prepared.append(core.prepare_quarter(folder, plan_dir, data_dir=data_dir, on_suite=run))
        if queue.used:
            if while_waiting is not None:
                while_waiting([qv for qv, _ in prepared])
            queue.finish()
    finally:
        queue.close()
    return [core.finish_quarter(qv, pending) for qv, pending in prepared]
