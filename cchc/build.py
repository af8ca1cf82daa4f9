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
  nothing and leaves the published site untouched.
- **Atomic**: the site is rendered into a temporary folder next to ``site/``
  and swapped in with one atomic exchange (``renameat2(RENAME_EXCHANGE)`` on
  Linux) only when complete and scanned; a build killed at any moment
  leaves the old site whole.
- **Locked**: one build at a time per site folder.
- **Deterministic**: same inputs (data and code) give byte-identical output;
  dates shown come from the data's manifest, never the clock.
"""
from __future__ import annotations

import ctypes
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import __version__
from .periods import is_quarter_id, parse_quarter, quarter_label_vi, sort_quarters

log = logging.getLogger("cchc.build")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "cchc"
FINGERPRINT_FILE = ".build-fingerprint"


# --------------------------------------------------------------------------- errors
class BuildError(Exception):
    """Anything that stops a build. ``exit_code`` 1 unless invalid input (2)."""

    exit_code = 1


class InvalidInputError(BuildError):
    exit_code = 2

    pass


class LockedError(BuildError):
    pass


class NotebookFailed(BuildError):
    pass


# --------------------------------------------------------------------------- options
@dataclass
class BuildOptions:
    data_dir: Path = ROOT / "data"
    site_dir: Path = ROOT / "site"
    quarters: list[str] | None = None
    jobs: int = max(1, os.cpu_count() or 1)
    keep_going: bool = False
    renderer: str = "auto"
    work_dir: Path | None = None  # default: _build/ for site/, else _build-<name>/ beside the site
    cache_dir: Path = Path(os.environ.get("CCHC_CACHE_DIR", ROOT / ".cache"))
    progress: bool | None = None  # None: a bar when stderr is a terminal

    def __post_init__(self):
        self.data_dir = Path(self.data_dir).resolve()
        self.site_dir = Path(self.site_dir).resolve()
        if self.work_dir is None:
            self.work_dir = (ROOT / "_build" if self.site_dir == (ROOT / "site").resolve()
                             else self.site_dir.parent / f"_build-{self.site_dir.name}")
        self.work_dir = Path(self.work_dir).resolve()
        self.cache_dir = Path(self.cache_dir).resolve()

    @property
    def plan_dir(self) -> Path:
        own = self.data_dir / "plan"
        return own if own.is_dir() else ROOT / "data" / "plan"

    @property
    def report_dir(self) -> Path:
        return self.work_dir / "reports"


@dataclass
class BuildSummary:
    quarters_built: list[str] = field(default_factory=list)
    quarters_failed: dict[str, str] = field(default_factory=dict)
    warnings: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    executed: int = 0
    cached: int = 0
    renderer: str = ""
    unchanged: bool = False
    report_path: Path | None = None
    reports: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.quarters_built:
            out.append("Đã dựng các quý / quarters built: " + ", ".join(self.quarters_built))
        for q, why in self.quarters_failed.items():
            out.append(f"KHÔNG công bố / NOT published: {q} — {why}")
        out.append(f"Cảnh báo dữ liệu / data warnings: {self.warnings}")
        out.append(f"Notebook đã chạy / executed: {self.executed}, dùng lại từ bộ đệm / from cache: {self.cached}")
        if self.renderer:
            out.append(f"Trình dựng trang / renderer: {self.renderer}")
        if self.unchanged:
            out.append("Không có gì thay đổi: giữ nguyên trang đã công bố / nothing changed: the published site is kept")
        out.append("Thời gian / time per stage: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.stage_seconds.items()))
        if self.report_path:
            out.append(f"Báo cáo kiểm tra dữ liệu / validation report: {self.report_path}")
        return out


class _Stages:
    """Times each stage for the summary."""

    def __init__(self, summary: BuildSummary):
        self.summary = summary

    def __call__(self, name: str):
        summary = self.summary

        class _T:
            def __enter__(self_inner):
                log.info("▶ %s", name)
                self_inner.t = time.perf_counter()

            def __exit__(self_inner, *exc):
                summary.stage_seconds[name] = summary.stage_seconds.get(name, 0.0) + time.perf_counter() - self_inner.t

        return _T()


# --------------------------------------------------------------------------- hashing
def _sha(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, bytes):
            h.update(p)
        else:
            h.update(json.dumps(p, sort_keys=True, default=str, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()


def files_digest(paths) -> str:
    """Digest of files' relative names and bytes (order-independent)."""
    h = hashlib.sha256()
    for p in sorted(Path(x) for x in paths):
        h.update(p.name.encode() + b"\0")
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        h.update(b"\0")
    return h.hexdigest()


def dir_digest(folder: Path, pattern: str = "*") -> str:
    if not folder.is_dir():
        return "missing"
    files = [p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


_PKG_DIGEST: str | None = None


def package_digest() -> str:
    """The package version plus a digest of its source, contract and templates."""
    global _PKG_DIGEST
    if _PKG_DIGEST is None:
        _PKG_DIGEST = _sha(__version__, dir_digest(ROOT / "cchc"), dir_digest(ROOT / "expectations"))
    return _PKG_DIGEST


def git_commit() -> str:
    """Short commit of the code that builds the site ('+' when the tree has local changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return "không rõ"
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "cchc", "notebooks",
                                "pages", "assets", "_quarto.yml", "pipeline.py"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10)
        return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "không rõ"


# --------------------------------------------------------------------------- cache
class Cache:
    """Pickled values and files under ``.cache/<kind>/<key>``, written atomically."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, kind: str, key: str, suffix: str = ".pkl") -> Path:
        return self.root / kind / (key + suffix)

    def get(self, kind: str, key: str):
        import pickle

        p = self.path(kind, key)
        if not p.exists():
            return None
        try:
            with open(p, "rb") as f:
                return pickle.load(f)
        except Exception:  # a corrupt entry is a miss
            return None

    def put(self, kind: str, key: str, value) -> None:
        from .context import save

        save(value, self.path(kind, key))


# --------------------------------------------------------------------------- pages config
def load_pages() -> dict:
    with open(NOTEBOOKS / "pages.yml", encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    for group in ("quarter_pages", "site_pages"):
        for page in cfg.get(group, []):
            if not (NOTEBOOKS / page["notebook"]).exists():
                raise BuildError(f"notebooks/pages.yml: không có notebook {page['notebook']} / notebook not found")
    return cfg


# --------------------------------------------------------------------------- stage: discover
def discover_quarters(data_dir: Path, requested: list[str] | None = None) -> list[str]:
    """Quarter folders of ``data_dir`` (names ``YYYYQn``), or the requested ones.

    A requested id that is not ``YYYYQn`` (``../../etc``) is rejected before any
    path is built from it; a requested quarter without a folder is an error.
    """
    if not data_dir.is_dir():
        raise InvalidInputError(f"Không có thư mục dữ liệu {data_dir} / data folder not found")
    found = sorted((p.name for p in data_dir.iterdir() if p.is_dir() and is_quarter_id(p.name)), key=parse_quarter)
    if requested:
        bad = [q for q in requested if not is_quarter_id(q)]
        if bad:
            raise InvalidInputError(
                "Mã quý không hợp lệ / invalid quarter id: " + ", ".join(repr(b) for b in bad)
                + " (phải có dạng YYYYQn, ví dụ 2026Q3 / must look like 2026Q3)")
        missing = [q for q in requested if q not in found]
        if missing:
            raise InvalidInputError(
                f"Không có thư mục dữ liệu cho quý / no data folder for quarter: {', '.join(missing)} (trong / in {data_dir})")
        return sort_quarters(set(requested))
    if not found:
        raise InvalidInputError(f"Không tìm thấy thư mục quý nào (YYYYQn) trong {data_dir} / no quarter folders found")
    return found


def quarter_digest(opts: BuildOptions, quarter: str) -> str:
    folder = opts.data_dir / quarter
    return files_digest([p for p in folder.iterdir() if p.is_file()])


# --------------------------------------------------------------------------- stage: validate
@dataclass
class Verdict:
    quarter: str
    ok: bool
    errors: int
    warnings: int
    quality: dict
    report: str
    first_error: str = ""


def validate_quarters(opts: BuildOptions, quarters: list[str], cache: Cache) -> tuple[dict[str, Verdict], dict]:
    """Great Expectations over every input of every quarter (cached by content).

    Returns verdicts and, for quarters validated in this run, the loaded data
    (so compute does not read the files again).
    """
    rules = _sha(package_digest(), dir_digest(opts.plan_dir))
    verdicts: dict[str, Verdict] = {}
    loaded: dict = {}
    todo = []
    for q in quarters:
        key = _sha("validate", rules, q, quarter_digest(opts, q))  # the folder name is checked too
        hit = cache.get("validation", key)
        if hit is not None:
            verdicts[q] = hit
        else:
            todo.append((q, key))
    if todo:
        from . import validation

        # GE configures its own loggers on import; keep its INFO chatter out of the build log
        logging.getLogger("great_expectations").setLevel(logging.WARNING)

        for q, key in todo:
            result = validation.validate_quarter(opts.data_dir / q, opts.plan_dir)
            verdict = Verdict(
                quarter=q, ok=result.ok, errors=result.errors, warnings=result.warnings,
                quality=validation.quality_summary(result), report=validation.format_report([result]),
                first_error=_first_error(result))
            cache.put("validation", key, verdict)
            verdicts[q] = verdict
            if result.ok and result.data is not None:
                loaded[q] = result.data
    return verdicts, loaded


def _first_error(result) -> str:
    for f in result.failures:
        if f.level == "error":
            return f"{f.file}: {f.rule_vi} / {f.rule_en}"
    return ""


def write_validation_report(opts: BuildOptions, verdicts: dict[str, Verdict]) -> Path:
    opts.report_dir.mkdir(parents=True, exist_ok=True)
    path = opts.report_dir / "validation.txt"
    text = "\n\n".join(v.report for v in verdicts.values())
    path.write_text(text + "\n", encoding="utf-8")
    with open(opts.report_dir / "validation.json", "w", encoding="utf-8") as f:
        json.dump({q: v.quality for q, v in verdicts.items()}, f, ensure_ascii=False, indent=1, sort_keys=True,
                  default=str)
    return path


# --------------------------------------------------------------------------- stage: compute
def compute_results(opts: BuildOptions, quarters: list[str], loaded: dict, cache: Cache, plan,
                    plan_dir: Path | None = None) -> tuple[dict, dict]:
    """Indicators for every valid quarter. The key of a quarter's results is
    the content of the plan (``plan_dir``, default ``opts.plan_dir``: the one
    ``plan`` was read from) and of every quarter its year-to-date figures read."""
    from . import indicators, loader

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


# --------------------------------------------------------------------------- stage: contexts
def make_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, plan, commit, failed):
    """(SiteContext, {quarter: QuarterContext}): what the notebooks display."""
    from . import context as ctx_mod
    from .loader import read_manifest

    manifests = {q: read_manifest(opts.data_dir / q / "quarter.yml") for q in quarters}
    qctx = {}
    for i, q in enumerate(quarters):
        qctx[q] = ctx_mod.QuarterContext(
            quarter=q, manifest=manifests[q], results=results[q],
            previous=results[quarters[i - 1]] if i > 0 else None, quality=verdicts[q].quality, plan=plan,
            quarters=quarters, quarter_pages=pages_cfg["quarter_pages"], commit=commit)
    site = ctx_mod.SiteContext(
        quarters=quarters, manifests=manifests, results=results, quality={q: verdicts[q].quality for q in quarters},
        plan=plan, quarter_pages=pages_cfg["quarter_pages"], commit=commit, failed=failed)
    return site, qctx


def write_contexts(opts: BuildOptions, pages_cfg, quarters, verdicts, results, result_keys, plan, commit,
                   failed) -> dict[str, tuple[Path, str]]:
    """Pickle what each notebook needs; returns {name: (path, digest)}. The
    digest names everything the context was made from (for the notebook cache)."""
    from . import context as ctx_mod

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
                              {q: verdicts[q].quality for q in quarters}, pages_cfg))
    return out


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


# --------------------------------------------------------------------------- stage: assemble + render
def _sample_any(opts: BuildOptions, quarters) -> bool:
    from .loader import read_manifest

    return any(read_manifest(opts.data_dir / q / "quarter.yml").sample for q in quarters)


def assemble_staging(opts: BuildOptions, staging: Path, quarters: list[str], executed: dict[str, Path],
                     results: dict, verdicts: dict, commit: str) -> None:
    """The Quarto project to render: _quarto.yml with the quarter menu, pages,
    assets, executed notebooks at their site paths, downloads and the
    banner partial."""
    from . import opendata, pages

    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    stage_project_files(staging, quarters)
    for name, nb in executed.items():
        dest = staging / (name + ".ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(nb, dest)
    data_out = staging / "data"
    resources = []
    for q in quarters:
        resources += opendata.write_quarter_downloads(results[q], data_out)
        resources += opendata.write_validation_download(q, verdicts[q].quality, data_out)
    opendata.write_datapackage(data_out, resources, sample=_sample_any(opts, quarters))
    partial = staging / "_partials" / "banner.html"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(pages.site_banner(opts.data_dir, quarters, commit), encoding="utf-8")


def _resolved_renderer(renderer: str) -> str:
    """Which renderer "auto" means on this machine (part of the site fingerprint)."""
    if renderer != "auto":
        return renderer
    return "quarto" if shutil.which("quarto") else "fallback"


def stage_project_files(staging: Path, quarters: list[str]) -> None:
    """Copy the project's own site sources into ``staging``: ``_quarto.yml``
    with the "Các quý" menu filled, ``pages/*.qmd`` and ``assets/``."""
    from .render.config import with_quarters

    with open(ROOT / "_quarto.yml", encoding="utf-8") as f:
        cfg = with_quarters(yaml.safe_load(f), quarters)
    with open(staging / "_quarto.yml", "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, allow_unicode=True, sort_keys=False)
    for qmd in sorted((ROOT / "pages").glob("*.qmd")):
        shutil.copy2(qmd, staging / qmd.name)
    shutil.rmtree(staging / "assets", ignore_errors=True)
    shutil.copytree(ROOT / "assets", staging / "assets")


def render_unpublished(opts: BuildOptions, staging: Path):
    """Render ``staging`` into a fresh folder beside the site and scan it for
    personal data; returns ``(folder, RenderResult)``. Nothing is published."""
    new_dir = opts.site_dir.parent / f".{opts.site_dir.name}.new-{os.getpid()}"
    if new_dir.exists():
        shutil.rmtree(new_dir)
    result = render_site(staging, new_dir, opts.renderer)
    log.info("Trình dựng trang / renderer: %s", result.renderer)
    scan_site(new_dir)
    return new_dir, result


def render_site(staging: Path, out_dir: Path, renderer: str):
    from . import render

    return render.render(staging, out_dir, renderer=renderer)


def scan_site(out_dir: Path) -> None:
    """Fail the build when anything that looks like personal data reached the site."""
    from .validation import scan_site_for_pii

    findings = scan_site_for_pii(out_dir)
    if findings:
        shown = "\n".join(f"  {f}" for f in findings[:20])
        raise BuildError("Trang dựng ra có nội dung giống dữ liệu cá nhân, không công bố / the built site contains "
                         f"what looks like personal data, not published:\n{shown}")


# --------------------------------------------------------------------------- stage: publish
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2). False when unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD = -100
    rc = fn(AT_FDCWD, os.fsencode(str(a)), AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    return rc == 0


def recover_site(site_dir: Path) -> None:
    """After a crash between the two renames of the non-atomic fallback,
    put the previous site back."""
    parent = site_dir.parent
    if not site_dir.exists():
        olds = sorted(parent.glob(f".{site_dir.name}.old-*"))
        if olds:
            os.replace(olds[-1], site_dir)
            log.warning("Đã khôi phục trang cũ / restored the previous site from %s", olds[-1])
    for stale in parent.glob(f".{site_dir.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{site_dir.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)


def publish(new_dir: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by the complete ``new_dir`` in one atomic step."""
    if site_dir.exists():
        if _exchange(new_dir, site_dir):
            shutil.rmtree(new_dir)  # new_dir now holds the old site
            return
        old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
        os.replace(site_dir, old)
        os.replace(new_dir, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new_dir, site_dir)


def site_fingerprint(site_dir: Path) -> str | None:
    p = site_dir / FINGERPRINT_FILE
    return p.read_text(encoding="utf-8").strip() if p.exists() else None


# --------------------------------------------------------------------------- lock
class BuildLock:
    """One build at a time per site folder (a lock file beside it)."""

    def __init__(self, site_dir: Path):
        from filelock import FileLock

        site_dir.parent.mkdir(parents=True, exist_ok=True)
        self.path = site_dir.parent / f".{site_dir.name}.lock"
        self._lock = FileLock(str(self.path))

    def __enter__(self):
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise LockedError(
                f"Một lần dựng khác đang chạy cho {self.path.parent} (khóa {self.path}); hãy đợi nó xong / "
                "another build is running for this site (lock held); wait for it to finish") from None
        return self

    def __exit__(self, *exc):
        self._lock.release()


# --------------------------------------------------------------------------- the story
def build(opts: BuildOptions) -> BuildSummary:
    """validate → compute → execute notebooks → render → publish.

    A BuildError raised on the way carries the summary so far (``.summary``).
    """
    summary = BuildSummary()
    try:
        return _build(opts, summary)
    except BuildError as exc:
        exc.summary = summary
        raise


def _build(opts: BuildOptions, summary: BuildSummary) -> BuildSummary:
    from .plan import load_plan

    stage = _Stages(summary)
    progress = sys.stderr.isatty() if opts.progress is None else opts.progress
    cache = Cache(opts.cache_dir)
    with BuildLock(opts.site_dir):
        recover_site(opts.site_dir)
        pages_cfg = load_pages()
        quarters = discover_quarters(opts.data_dir, opts.quarters)

        with stage("validate"):
            verdicts, loaded = validate_quarters(opts, quarters, cache)
            summary.report_path = write_validation_report(opts, verdicts)
            summary.warnings = sum(v.warnings for v in verdicts.values())
            summary.reports = [v.report for v in verdicts.values() if not v.ok or v.warnings]
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
            plan = load_plan(opts.plan_dir)
            results, keys = compute_results(opts, good, loaded, cache, plan)
            commit = git_commit()
            contexts = write_contexts(opts, pages_cfg, good, verdicts, results, keys, plan, commit, failed)

        with stage("execute"):
            jobs = plan_jobs(opts, pages_cfg, good, contexts)
            executed = execute_notebooks(opts, jobs, cache, summary, progress)

        fingerprint = _sha("site", [(j.name, j.key) for j in jobs], dir_digest(ROOT / "assets"),
                           dir_digest(ROOT / "pages"), (ROOT / "_quarto.yml").read_bytes(), package_digest(),
                           _resolved_renderer(opts.renderer), good)
        if site_fingerprint(opts.site_dir) == fingerprint:
            summary.unchanged = True
            summary.quarters_built = good
            if failed:
                raise InvalidInputError("Một số quý không hợp lệ / some quarters are invalid: " + ", ".join(failed))
            return summary

        with stage("render"):
            staging = opts.work_dir / "staging"
            assemble_staging(opts, staging, good, executed, results, verdicts, commit)
            new_dir, result = render_unpublished(opts, staging)
            summary.renderer = result.renderer
            (new_dir / FINGERPRINT_FILE).write_text(fingerprint + "\n", encoding="utf-8")

        with stage("publish"):
            publish(new_dir, opts.site_dir)
        summary.quarters_built = good
        if failed:
            raise InvalidInputError(
                "Đã công bố các quý hợp lệ; các quý sau KHÔNG được công bố / published the valid quarters; NOT "
                "published: " + ", ".join(failed) + f"\nXem báo cáo / see the report: {summary.report_path}")
        return summary


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
        new_dir, result = render_unpublished(opts, staging)
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


def contexts_from_data(data_dir: Path, plan_dir: Path | None = None):
    """(SiteContext, {quarter: QuarterContext}) computed from a data folder,
    validated first — what the notebooks use when run by hand in Jupyter."""
    from .plan import load_plan

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
    results, _ = compute_results(opts, good, loaded, cache, plan, plan_path)
    failed = {q: v.first_error for q, v in verdicts.items() if not v.ok}
    return make_contexts(opts, load_pages(), good, verdicts, results, plan, git_commit(), failed)
