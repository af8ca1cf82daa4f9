"""Stage: run the page notebooks with papermill (cached, in parallel)."""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..periods import quarter_label_vi
from .cache import Cache, _sha, package_digest
from .options import KERNEL_NAME, NOTEBOOKS, PAGE_SET_PREFIX, BuildOptions, BuildSummary, NotebookFailed, log
from .warm import run_all, run_notebook


# --------------------------------------------------------------------------- stage: execute
def ensure_kernel() -> str:
    """A Jupyter kernel that runs *this* interpreter (papermill's NoSuchKernel
    trap in virtual environments): installed into sys.prefix when missing or
    pointing elsewhere."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    ksm = KernelSpecManager()
    try:
        spec = ksm.get_kernel_spec(KERNEL_NAME)
        if spec.argv and Path(spec.argv[0]) == Path(sys.executable):
            return KERNEL_NAME
    except NoSuchKernel:
        pass
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        with open(Path(d) / "kernel.json", "w", encoding="utf-8") as f:
            json.dump({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                       "display_name": "Python (cchc)", "language": "python",
                       "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}}, f)
        ksm.install_kernel_spec(d, kernel_name=KERNEL_NAME, prefix=sys.prefix, replace=True)
    log.info("Đã đăng ký kernel %s → %s / registered kernel", KERNEL_NAME, sys.executable)
    return KERNEL_NAME


def kernel_env(cache: Cache) -> dict:
    """The kernels' environment: this process's, plus where the charts'
    drawings and figures are kept between builds and the digest of the code
    that makes them (:mod:`cchc.svg_cache`)."""
    from ..svg_cache import CODE_ENV, SVG_CACHE_ENV

    return {**os.environ, SVG_CACHE_ENV: str(cache.root / "charts"), CODE_ENV: package_digest()}


class KernelStarter:
    """Starts the build's warm kernels ahead of the execute stage, once asked
    (:meth:`start`: validation found a quarter to check, so its pages will
    most likely run again): one kernel at once, on the core validation
    leaves free, the others at :meth:`start_rest` (once the figures are
    computed ahead, while the last suites run; else when compute begins) or
    with the first notebook. A build with nothing changed never starts them.
    :meth:`close` stops them, used or not."""

    def __init__(self, opts: BuildOptions, cache: Cache):
        self.opts, self.cache = opts, cache
        self.pool = None

    def start(self) -> None:
        from .warm import KernelPool

        if self.pool is None:
            self.pool = KernelPool(ensure_kernel(), NOTEBOOKS, self.opts.jobs,
                                   self.opts.work_dir / "logs" / "kernels.log", kernel_env(self.cache), eager=1)

    def start_rest(self) -> None:
        if self.pool is not None:
            self.pool.start_rest()

    def release(self) -> None:
        """The notebooks are done: the kernels are stopped in the background
        while the build goes on (rendering); :meth:`close` waits for them."""
        if self.pool is not None:
            self.pool.stop()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


@dataclass
class NotebookJob:
    name: str  # site path without extension: "2026Q3/index", "xu-huong"
    notebook: Path
    parameters: dict
    title: str
    key: str = ""
    reads_key: str = ""  # the page itself, whatever its data: see cchc.build.reuse


def plan_jobs(opts: BuildOptions, pages_cfg: dict, quarters: list[str], contexts: dict) -> list[NotebookJob]:
    """One job per page. A job's cache key is what its output depends on: the
    notebook, the package, the quarter, the title and the content digest of
    its context — not where the data or the work folder happen to be (the
    path parameters only locate that context). Its ``reads_key`` names the
    page without its data (:mod:`cchc.build.reuse`)."""
    jobs = []
    common = {"data_dir": str(opts.data_dir), "plan_dir": str(opts.plan_dir)}
    for q in quarters:
        for page in pages_cfg["quarter_pages"]:
            nb = NOTEBOOKS / page["notebook"]
            params = {"quarter": q, **common, "context_file": str(contexts[q][0])}
            title = page["title"].format(quarter_label=quarter_label_vi(q))
            source = nb.read_bytes()
            jobs.append(NotebookJob(f"{q}/{page['slug']}", nb, params, title,
                                    _sha("nb", source, package_digest(), q, title, contexts[q][1]),
                                    _sha("nb-reads", source, package_digest(), q, title)))
    for page in pages_cfg["site_pages"] + pages_cfg.get("page_sets", []):
        nb = NOTEBOOKS / page["notebook"]
        params = {**common, "context_file": str(contexts["site"][0])}
        name = page["slug"] if "slug" in page else PAGE_SET_PREFIX + page["folder"]
        source = nb.read_bytes()
        jobs.append(NotebookJob(name, nb, params, page["title"],
                                _sha("nb", source, package_digest(), page["title"], contexts["site"][1]),
                                _sha("nb-reads", source, package_digest(), "site", page["title"])))
    return jobs


def _execute_one(nb_in: str, nb_out: str, parameters: dict, kernel: str, title: str, timeout: int = 600) -> None:
    """Run one notebook with papermill (in a worker process) and set its title."""
    import papermill

    # a cell running longer than ``timeout`` seconds is stopped (an error): a hostile input never hangs a build
    papermill.execute_notebook(nb_in, nb_out, parameters=parameters, kernel_name=kernel, progress_bar=False,
                               execution_timeout=timeout,
                               cwd=str(Path(nb_in).parent), request_save_on_cell_execute=True)
    set_front_matter(Path(nb_out), title)


def set_front_matter(path: Path, title: str) -> None:
    """:func:`apply_front_matter` to the notebook file at ``path``."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    apply_front_matter(nb, title)
    nbformat.write(nb, path)


def apply_front_matter(nb, title: str) -> None:
    """Put the page title in the notebook's front-matter raw cell, drop the
    analyst-only cells (tag ``remove-cell``) and hide the parameters and
    papermill's injected-parameters cells from the published page (the same
    on Quarto and on the fallback renderer)."""
    import nbformat

    front = yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=True).strip()
    cell = nbformat.v4.new_raw_cell(f"---\n{front}\n---")
    cell.id = "front-matter"
    if nb.cells and nb.cells[0].cell_type == "raw" and nb.cells[0].source.lstrip().startswith("---"):
        nb.cells[0] = cell
    else:
        nb.cells.insert(0, cell)
    # analyst-only cells (tag remove-cell) never reach either renderer
    nb.cells = [c for c in nb.cells if "remove-cell" not in c.get("metadata", {}).get("tags", [])]
    for c in nb.cells:
        tags = c.get("metadata", {}).get("tags", [])
        if c.cell_type == "code" and ("parameters" in tags or "injected-parameters" in tags):
            if not c.source.startswith("#| include: false"):
                c.source = "#| include: false\n" + c.source
        # execution metadata carries wall-clock times: drop it for deterministic output
        c.get("metadata", {}).pop("execution", None)
        c.get("metadata", {}).pop("papermill", None)
    nb.metadata.pop("papermill", None)


def _read_seconds(path: Path) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def longest_first(jobs: list[NotebookJob], seconds: dict[str, float]) -> list[NotebookJob]:
    """The order the kernels take the jobs in, so that no long notebook starts
    last while the other kernels sit idle: the longest first, by the times of
    the previous build (``_build/logs/notebook-seconds.json``); without them
    the site pages (every quarter, most charts) before the quarter pages.
    The order changes nothing in the outputs."""
    def key(job):
        site_page = "/" not in job.name
        return (-seconds.get(job.name, 0.0), not site_page)

    return sorted(jobs, key=key)


def execute_notebooks(opts: BuildOptions, jobs: list[NotebookJob], cache: Cache, summary: BuildSummary,
                      progress: bool, pool=None) -> dict[str, Path]:
    """Executed notebook per job, from the cache or run now: ``opts.jobs`` warm
    kernels in parallel, each notebook with a fresh namespace (:mod:`.warm`);
    those of ``pool`` (a :class:`~cchc.build.warm.KernelPool` started
    earlier by a :class:`KernelStarter`) when given."""
    from .reuse import ContextFiles, keep_as, remember, reusable

    done: dict[str, Path] = {}
    todo, same = [], []
    contexts = ContextFiles()
    for job in jobs:
        cached = cache.path("notebooks", job.key, ".ipynb")
        if not cached.exists():  # its inputs changed; what the page read of them may not have
            earlier = reusable(cache, job, contexts)
            if earlier is not None:
                cached = keep_as(cache, earlier, job.key)
                same.append(job.name)
        if cached.exists():
            done[job.name] = cached
            summary.cached += 1
        else:
            todo.append(job)
    if same:
        log.info("dùng lại, phần dữ liệu trang đọc không đổi / reused, the data the page reads did not "
                 "change: %s", ", ".join(same))
    if not todo:
        return done
    kernel_name = ensure_kernel()
    tmp_dir = opts.work_dir / "executing"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="notebooks", unit="nb")
    failures = []
    outs = {job.name: tmp_dir / (job.name.replace("/", "__") + ".ipynb") for job in todo}
    read_files = {name: out.with_suffix(".reads.json") for name, out in outs.items()}
    seconds_file = opts.work_dir / "logs" / "notebook-seconds.json"
    seconds = _read_seconds(seconds_file)

    folders = [str(opts.data_dir), str(opts.plan_dir)]  # a page reading these by itself is never reused

    def run(kernel, job):
        t = time.perf_counter()
        run_notebook(kernel, str(job.notebook), str(outs[job.name]), job.parameters, kernel_name,
                     timeout=opts.cell_timeout, reads=(str(read_files[job.name]), folders))
        set_front_matter(outs[job.name], job.title)
        seconds[job.name] = round(time.perf_counter() - t, 2)

    try:
        for outcome in run_all(longest_first(todo, seconds), run, kernel_name, NOTEBOOKS, opts.jobs,
                               opts.work_dir / "logs" / "kernels.log", pool, kernel_env(cache)):
            job, out = outcome.item, outs[outcome.item.name]
            if outcome.error is not None:  # keep the partly executed notebook where the message says
                failed_dir = opts.work_dir / "failed"
                failed_dir.mkdir(parents=True, exist_ok=True)
                kept = failed_dir / out.name
                if out.exists():
                    shutil.move(str(out), kept)
                failures.append((job, kept, outcome.error))
                continue
            target = cache.path("notebooks", job.key, ".ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(out, target)
            remember(cache, job, read_files[job.name], contexts)
            done[job.name] = target
            summary.executed += 1
            if bar:
                bar.update(1)
            else:
                log.info("  đã chạy / executed %s", job.name)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)  # finished notebooks are in the cache, failed ones in failed/
    if bar:
        bar.close()
    seconds_file.write_text(json.dumps(seconds, indent=0, sort_keys=True), encoding="utf-8")
    if failures:
        lines = []
        for job, kept, exc in failures:
            first = str(exc).strip().splitlines()
            lines.append(f"  {job.name} ({job.notebook.name}): {first[-1] if first else type(exc).__name__}\n"
                         f"    notebook giữ lại / kept at: {kept}")
        raise NotebookFailed("Notebook chạy lỗi / notebook failed:\n" + "\n".join(lines))
    return done
