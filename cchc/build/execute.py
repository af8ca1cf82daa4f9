"""Stage: run the page notebooks with papermill (cached, in parallel)."""
from __future__ import annotations

import json
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..periods import quarter_label_vi
from .cache import Cache, _sha, package_digest
from .options import KERNEL_NAME, NOTEBOOKS, BuildOptions, BuildSummary, NotebookFailed, log


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


@dataclass
class NotebookJob:
    name: str  # site path without extension: "2026Q3/index", "xu-huong"
    notebook: Path
    parameters: dict
    title: str
    key: str = ""


def plan_jobs(opts: BuildOptions, pages_cfg: dict, quarters: list[str], contexts: dict) -> list[NotebookJob]:
    """One job per page. A job's cache key is what its output depends on: the
    notebook, the package, the quarter, the title and the content digest of
    its context — not where the data or the work folder happen to be (the
    path parameters only locate that context)."""
    jobs = []
    common = {"data_dir": str(opts.data_dir), "plan_dir": str(opts.plan_dir)}
    for q in quarters:
        for page in pages_cfg["quarter_pages"]:
            nb = NOTEBOOKS / page["notebook"]
            params = {"quarter": q, **common, "context_file": str(contexts[q][0])}
            title = page["title"].format(quarter_label=quarter_label_vi(q))
            jobs.append(NotebookJob(f"{q}/{page['slug']}", nb, params, title,
                                    _sha("nb", nb.read_bytes(), package_digest(), q, title, contexts[q][1])))
    for page in pages_cfg["site_pages"]:
        nb = NOTEBOOKS / page["notebook"]
        params = {**common, "context_file": str(contexts["site"][0])}
        jobs.append(NotebookJob(page["slug"], nb, params, page["title"],
                                _sha("nb", nb.read_bytes(), package_digest(), page["title"], contexts["site"][1])))
    return jobs


def _quiet_worker(log_path: str) -> None:
    """Send a worker's (and so its kernels') stderr to a log file: kernels chat
    on stderr ("Kernel is running over TCP…"); errors inside a notebook are in
    the kept notebook and the build's error message, not lost."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def _execute_one(nb_in: str, nb_out: str, parameters: dict, kernel: str, title: str) -> None:
    """Run one notebook with papermill (in a worker process) and set its title."""
    import nbformat
    import papermill

    papermill.execute_notebook(nb_in, nb_out, parameters=parameters, kernel_name=kernel, progress_bar=False,
                               cwd=str(Path(nb_in).parent), request_save_on_cell_execute=True)
    set_front_matter(Path(nb_out), title)


def set_front_matter(path: Path, title: str) -> None:
    """Put the page title in the notebook's front-matter raw cell, drop the
    analyst-only cells (tag ``remove-cell``) and hide the parameters and
    papermill's injected-parameters cells from the published page (the same
    on Quarto and on the fallback renderer)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
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
    nbformat.write(nb, path)


def execute_notebooks(opts: BuildOptions, jobs: list[NotebookJob], cache: Cache, summary: BuildSummary,
                      progress: bool) -> dict[str, Path]:
    """Executed notebook per job, from the cache or run now in parallel."""
    done: dict[str, Path] = {}
    todo = []
    for job in jobs:
        cached = cache.path("notebooks", job.key, ".ipynb")
        if cached.exists():
            done[job.name] = cached
            summary.cached += 1
        else:
            todo.append(job)
    if not todo:
        return done
    kernel = ensure_kernel()
    tmp_dir = opts.work_dir / "executing"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="notebooks", unit="nb")
    failures = []
    log_path = opts.work_dir / "logs" / "kernels.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=max(1, min(opts.jobs, len(todo))), initializer=_quiet_worker,
                             initargs=(str(log_path),)) as pool:
        futures = {}
        for job in todo:
            out = tmp_dir / (job.name.replace("/", "__") + ".ipynb")
            futures[pool.submit(_execute_one, str(job.notebook), str(out), job.parameters, kernel, job.title)] = (
                job, out)
        for fut in as_completed(futures):
            job, out = futures[fut]
            try:
                fut.result()
            except Exception as exc:  # keep the partly executed notebook where the message says
                failed_dir = opts.work_dir / "failed"
                failed_dir.mkdir(parents=True, exist_ok=True)
                kept = failed_dir / out.name
                if out.exists():
                    shutil.move(str(out), kept)
                failures.append((job, kept, exc))
                continue
            target = cache.path("notebooks", job.key, ".ipynb")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(out, target)
            done[job.name] = target
            summary.executed += 1
            if bar:
                bar.update(1)
            else:
                log.info("  đã chạy / executed %s", job.name)
    if bar:
        bar.close()
    if failures:
        lines = []
        for job, kept, exc in failures:
            first = str(exc).strip().splitlines()
            lines.append(f"  {job.name} ({job.notebook.name}): {first[-1] if first else type(exc).__name__}\n"
                         f"    notebook giữ lại / kept at: {kept}")
        raise NotebookFailed("Notebook chạy lỗi / notebook failed:\n" + "\n".join(lines))
    return done
