"""Warm kernels for papermill: one kernel per parallel job, reused from one
notebook to the next, each notebook starting from a fresh namespace.

Starting a kernel and importing pandas, altair and the package costs about
as much as running a page, so starting one per notebook doubles the execute
stage. Here each worker thread starts one kernel, imports
:data:`WARM_IMPORTS` once, and runs its share of the notebooks through
papermill's usual ``execute_notebook`` (parameters injected and recorded,
the notebook written when it starts and when it ends, also after a failed or
timed-out cell) with the engine :data:`ENGINE`.

Before every notebook the engine resets the kernel to what a fresh one
would show the notebook:

- the user namespace is emptied (``InteractiveShell.reset``) and the
  execution counter set back to 1: no name defined by an earlier notebook is
  visible, and the ``In [n]`` numbers are the same as in a new kernel (the
  kernel keeps its input history in memory, not in the shared
  ``history.sqlite`` that parallel kernels would lock);
- the warning filters are restored to the kernel's start-up ones and the
  "already shown" registries forgotten, so a warning shows in every
  notebook that triggers it, not only in the first;
- the working folder is the notebook's folder again.

With ``reads_file``, the kernel also records which parts of its context the
notebook reads (:mod:`cchc.reads`) and writes them there after the last
cell.

The warm imports run with the cyclic garbage collector off, and what they
loaded is then frozen (``gc.freeze``): the collector's passes over the
modules' objects cost 0,08–0,24 s of a core per kernel, of about 1 s
(measured with ``gc.disable()`` around ``import IPython.display,
cchc.pages``, four pairs), and frozen objects are not scanned again by the
collections that run while the notebooks do.

Imported modules stay imported: that is the point. The pages' modules keep
no state between calls that changes what they display (the determinism
tests build twice, with notebooks landing on different kernels, and compare
the bytes). A kernel that dies, or that a timed-out cell left busy, is
replaced for the next notebook.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from .options import log

ENGINE = "cchc-warm"
# imported once per kernel, before its first notebook
WARM_IMPORTS = ("IPython.display", "cchc.pages")

_START = """\
def __cchc_start():
    import warnings
    get_ipython()._cchc_warning_filters = list(warnings.filters)
__cchc_start()
del __cchc_start
"""

_FRESH = """\
def __cchc_fresh(cwd):
    import os
    import warnings
    ip = get_ipython()
    ip.reset(new_session=False)  # a new session would write to the history database
    ip.execution_count = 1
    warnings.filters[:] = ip._cchc_warning_filters
    forget = getattr(warnings, '_filters_mutated', None)  # the 'already shown' marks
    if forget is not None:
        forget()
    os.chdir(cwd)
__cchc_fresh({cwd!r})
"""

# what the notebook reads of its context (cchc.reads), around its cells
_READS_START = "__import__('cchc.reads').reads.start({folders!r})\n"
_READS_SAVE = "__import__('cchc.reads').reads.save({path!r})\n"


class KernelSetupError(RuntimeError):
    pass


def _run_silently(client, code: str) -> None:
    """Run ``code`` in the kernel without a trace in history, counter or outputs."""
    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = client.wait_for_reply(msg_id)
    content = (reply or {}).get("content", {})
    if content.get("status") != "ok":
        raise KernelSetupError(f"{content.get('ename', 'error')}: {content.get('evalue', '')}")


def _engine():
    """papermill's nbclient engine, with the kernel supplied (``km``) and reset first."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class FreshNamespaceClient(PapermillNotebookClient):
        fresh_cwd: str = ""
        reads: tuple | None = None  # (file, folders): see cchc.reads

        def papermill_execute_cells(self):
            start = _READS_START.format(folders=list(self.reads[1])) if self.reads is not None else ""
            _run_silently(self, _FRESH.format(cwd=self.fresh_cwd) + start)  # one round trip for both
            super().papermill_execute_cells()
            if self.reads is not None:
                _run_silently(self, _READS_SAVE.format(path=self.reads[0]))

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, *, km,
                                     fresh_cwd, kc=None, reads=None, **kwargs):
            # as NBClientEngine, with the warm kernel's manager (and client) passed on
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log=logger, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            client = FreshNamespaceClient(nb_man, km=km, **final)
            client.fresh_cwd = fresh_cwd
            client.reads = reads
            # the warm kernel's own client: a new one would wait at least 0,2 s for the kernel's
            # message channel to fall quiet (jupyter_client's wait_for_ready) before every notebook
            client.kc = kc
            # the notebook is written when it starts and when it ends (papermill's Engine.execute_notebook,
            # also when a cell fails or times out), not at every cell's start and end as well: writing and
            # validating the whole notebook that often took 0,96 s of the build's process for 11 notebooks
            written_to, nb_man.output_path = nb_man.output_path, None
            try:
                return client.execute()
            finally:
                nb_man.output_path = written_to
                if client.kc is not None and client.kc is not kc:  # a client made for this notebook goes
                    client.kc.stop_channels()

    return WarmKernelEngine


_REGISTERED = False


def register_engine() -> None:
    global _REGISTERED
    if not _REGISTERED:
        from papermill.engines import papermill_engines

        papermill_engines.register(ENGINE, _engine())
        _REGISTERED = True


class WarmKernel:
    """One kernel, started in (and used only from) the calling thread."""

    def __init__(self, kernel_name: str, cwd: Path, log_file, env: dict | None = None):
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._run_sync = run_sync
        self.cwd = Path(cwd)
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.kc = None  # its client, kept from one notebook to the next (see _prepare)
        # history in memory: kernels of parallel builds must not wait on (or fail at) one
        # shared history.sqlite ("database is locked")
        extra = {"env": env} if env is not None else {}
        run_sync(self.km.start_kernel)(cwd=str(self.cwd), stdout=log_file, stderr=log_file,
                                       extra_arguments=["--HistoryManager.hist_file=:memory:"], **extra)
        try:
            self._prepare()
        except Exception:
            self.shutdown()
            raise

    def _prepare(self) -> None:
        from nbclient import NotebookClient
        import nbformat

        client = NotebookClient(nbformat.v4.new_notebook(), km=self.km)
        client.start_new_kernel_client()
        # kept for every notebook run on this kernel (messages of an earlier notebook are told apart
        # by their parent message id, as nbclient always does)
        self.kc = client.kc
        _run_silently(client, _START)
        _run_silently(client, "import gc as __gc\n__gc.disable()\ntry:\n"
                      + "".join(f"    import {m}\n" for m in WARM_IMPORTS)
                      + "finally:\n    __gc.freeze()\n    __gc.enable()\ndel IPython, cchc, __gc\n")

    def alive(self) -> bool:
        return bool(self._run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel at once. It holds nothing to save (its notebooks are
        written, its history is in memory), and a kernel that tears down its
        interpreter (pandas, altair, the package) spends about 0,3 s of a core
        that the build's rendering needs."""
        kc, self.kc = getattr(self, "kc", None), None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - channels of a dead kernel may be gone already
                pass
        try:
            self._run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel already gone needs nothing more
            pass


def run_notebook(kernel: WarmKernel, nb_in: str, nb_out: str, parameters: dict, kernel_name: str,
                 timeout: int | None = None, reads: tuple | None = None) -> None:
    """papermill.execute_notebook on ``kernel`` (fresh namespace). A cell
    running longer than ``timeout`` seconds is stopped (an error): a hostile
    input never hangs a build. ``reads``: (file, folders), where to write
    what the notebook read of its context and the folders it must not read
    by itself (:mod:`cchc.reads`)."""
    import papermill

    register_engine()
    papermill.execute_notebook(nb_in, nb_out, parameters=parameters, kernel_name=kernel_name,
                               engine_name=ENGINE, progress_bar=False, request_save_on_cell_execute=True,
                               km=kernel.km, kc=kernel.kc, fresh_cwd=str(Path(nb_in).parent),
                               execution_timeout=timeout, reads=reads)


def _left_busy(exc: BaseException) -> bool:
    """A notebook stopped by a timeout (its cell, or the reset before it)
    leaves its cell running in the kernel: the next notebook would wait
    behind it and time out in turn. Such a kernel is replaced."""
    return isinstance(exc, (TimeoutError, KernelSetupError))


@dataclass
class Outcome:
    item: object
    error: BaseException | None


class KernelPool:
    """``workers`` threads, each starting its warm kernel and then running the
    items given to :meth:`run` on it. Built before the notebooks are known
    (:func:`cchc.build.build` starts it when a quarter has to be validated,
    so that the kernels start while validation and compute run), or by
    :func:`run_all`. ``eager``: how many kernels start at once (default all);
    the others start at :meth:`start_rest` or with the first :meth:`run`, so
    that starting kernels does not compete for the cores with work already
    running (validation). A kernel is started in, and used only from, its own
    thread. :meth:`close` stops the kernels, used or not."""

    def __init__(self, kernel_name: str, cwd: Path, workers: int, log_path: Path, env: dict | None = None,
                 eager: int | None = None):
        self.kernel_name, self.cwd, self.env = kernel_name, Path(cwd), env  # env: the kernels' environment
        self._todo: queue.Queue = queue.Queue()
        self._done: queue.Queue = queue.Queue()
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(log_path, "ab")
        self._stop = threading.Event()
        self._rest = threading.Event()
        self.kernels_started = 0  # kernels this pool has started so far
        workers = max(1, workers)
        if eager is None or eager >= workers:
            self._rest.set()
        self._threads = [threading.Thread(target=self._worker, args=(i < (eager or workers),),
                                          name=f"cchc-kernel-{i}", daemon=True) for i in range(workers)]
        for t in self._threads:
            t.start()

    def start_rest(self) -> None:
        """Start the kernels that were held back (see ``eager``)."""
        self._rest.set()

    def _worker(self, eager: bool = True) -> None:
        kernel = None
        try:
            if not eager:
                self._rest.wait()
                if self._stop.is_set():
                    return
            try:
                kernel = WarmKernel(self.kernel_name, self.cwd, self._log_file, self.env)
                self.kernels_started += 1
            except Exception as exc:  # noqa: BLE001 - tried again with the first item, reported there
                log.warning("kernel chưa khởi động được, sẽ thử lại / kernel did not start, will retry: %s", exc)
            while not self._stop.is_set():
                task = self._todo.get()
                if task is None:
                    return
                run, item = task
                try:
                    if kernel is None:
                        kernel = WarmKernel(self.kernel_name, self.cwd, self._log_file, self.env)
                    run(kernel, item)
                    self._done.put(Outcome(item, None))
                except BaseException as exc:  # noqa: BLE001 - reported by the caller
                    self._done.put(Outcome(item, exc))
                    if kernel is not None and (_left_busy(exc) or not kernel.alive()):
                        log.warning("kernel đã dừng hoặc còn bận, khởi động lại / kernel died or is still busy, "
                                    "starting a new one")
                        kernel.shutdown()
                        kernel = None
        finally:
            if kernel is not None:
                kernel.shutdown()

    def run(self, items: list, run):
        """Run ``run(kernel, item)`` for every item; yields an :class:`Outcome`
        per item as each finishes."""
        self._rest.set()
        for it in items:
            self._todo.put((run, it))
        for _ in items:
            yield self._done.get()

    def stop(self) -> None:
        """Ask the kernels to shut down once their current item is done,
        without waiting for them (see :meth:`close`)."""
        if not self._stop.is_set():
            self._stop.set()
            self._rest.set()  # a held-back thread ends without starting its kernel
            for _ in self._threads:
                self._todo.put(None)

    def close(self) -> None:
        """Stop the kernels and wait until they are gone."""
        self.stop()
        for t in self._threads:
            t.join()
        if not self._log_file.closed:
            self._log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def run_all(items: list, run, kernel_name: str, cwd: Path, workers: int, log_path: Path,
            pool: KernelPool | None = None, env: dict | None = None):
    """Run ``run(kernel, item)`` for every item on ``workers`` threads, each with
    its own warm kernel (those of ``pool`` when given: it stays open); yields an
    :class:`Outcome` per item as each finishes."""
    if pool is not None:
        yield from pool.run(items, run)
        return
    pool = KernelPool(kernel_name, cwd, min(workers, len(items)), log_path, env)
    try:
        yield from pool.run(items, run)
    finally:
        pool.close()
