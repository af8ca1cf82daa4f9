"""Build times for the bundled data (4 quarters), printed, never asserted.

1. cold full build (empty cache) with --jobs 2;
2. rebuild with nothing changed;
3. rebuild after touching one quarter's file (the latest quarter's survey);
4. the straightforward way for comparison, in the same run: validate every
   quarter in this process, compute, then every notebook executed one after
   another with papermill (a new kernel each, no cache, no parallelism),
   then rendered.

Each build prints its time per stage; the summary gives the ratios to the
straightforward run and the goals of issue 15 (cold ≤ 45 s and ≥ 2× faster
than the straightforward run, no-change rebuild ≤ 1 s, one quarter changed
≤ 40 % of the cold build).

Usage: .venv/bin/python benchmarks/bench_pipeline.py [--jobs 2] [--runs 3]
Everything happens in a temporary folder; the project's site/ and .cache/
are not touched.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine_speed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed_build(data: Path, site: Path, cache: Path, jobs: int) -> float:
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "build", "--data", str(data), "--site", str(site),
                        "--jobs", str(jobs)], env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"build failed:\n{r.stderr[-3000:]}")
    for line in r.stdout.splitlines():
        if "executed" in line or "time per stage" in line:
            print("    " + line)
    return dt


def straightforward(data: Path, out: Path) -> float:
    """Validate (one quarter after another, in this process), compute, then
    papermill each notebook in turn with a new kernel, then render — no
    cache, no parallel execution."""
    from cchc import build as b
    from cchc.validation import outcomes

    outcomes._MEMO.clear()  # suite outcomes an earlier run kept in this process: this run validates everything
    t = time.perf_counter()
    stages = {}
    mark = time.perf_counter()

    def stage(name):
        nonlocal mark
        now = time.perf_counter()
        stages[name] = now - mark
        mark = now

    opts = b.BuildOptions(data_dir=data, site_dir=out / "site", cache_dir=out / "cache-plain", work_dir=out / "work",
                          jobs=1)
    cache = b.Cache(opts.cache_dir)
    pages_cfg = b.load_pages()
    quarters = b.discover_quarters(opts.data_dir)
    verdicts, loaded = b.validate_quarters(opts, quarters, cache)
    stage("validate")
    from cchc.plan import load_plan

    from cchc import suppression

    plan_note = b.check_plan(opts, cache)
    plan = load_plan(opts.plan_dir)
    digests = {q: verdicts[q].digest for q in quarters}
    changes = b.detect_revisions(opts, quarters, loaded, cache, digests)
    results, keys = b.compute_results(opts, quarters, loaded, cache, plan, digests=digests)
    results = suppression.apply(results, plan)
    rev_log = b.revision_log(opts, quarters, loaded, cache, plan, results, changes, digests)
    contexts = b.write_contexts(opts, pages_cfg, quarters, verdicts, results, keys, plan, b.git_commit(opts), {},
                                plan_note, rev_log)
    stage("compute")
    jobs = b.plan_jobs(opts, pages_cfg, quarters, contexts)
    kernel = b.ensure_kernel()
    executed = {}
    for job in jobs:
        dest = out / "nb" / (job.name.replace("/", "__") + ".ipynb")
        dest.parent.mkdir(parents=True, exist_ok=True)
        b._execute_one(str(job.notebook), str(dest), job.parameters, kernel, job.title)
        executed[job.name] = dest
    stage(f"execute ({len(jobs)} notebooks)")
    staging = out / "staging"
    b.assemble_staging(opts, staging, quarters, executed, results, verdicts, "bench", plan_note, rev_log)
    b.render_site(staging, out / "site-plain", "auto")
    stage("render")
    print("    time per stage: " + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items()))
    return time.perf_counter() - t


def one_run(jobs: int) -> dict:
    """The four builds of the module docstring, in a fresh temporary folder; their times."""
    with tempfile.TemporaryDirectory(prefix="cchc-bench-") as d:
        d = Path(d)
        data = d / "data"
        # the quarters (and release log) only: a data folder with its own plan/ is refused,
        # the build uses the committed plan (data/plan)
        shutil.copytree(ROOT / "data", data, ignore=lambda folder, names: ["plan"] if Path(folder) == ROOT / "data" else [])
        site, cache = d / "site", d / "cache"
        print(f"bundled data: {', '.join(sorted(p.name for p in data.iterdir() if p.name[:2] == '20'))}; "
              f"{os.cpu_count()} cores; --jobs {jobs}; load average {os.getloadavg()[0]:.2f}")
        print("1. cold full build")
        cold = timed_build(data, site, cache, jobs)
        print(f"   {cold:.2f} s")
        print("2. rebuild, nothing changed")
        same = timed_build(data, site, cache, jobs)
        print(f"   {same:.2f} s")
        latest = sorted(p for p in data.iterdir() if p.name[:2] == "20")[-1]
        survey = latest / "khao_sat.csv"
        survey.write_bytes(survey.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")
        print(f"3. rebuild after changing {latest.name}/khao_sat.csv")
        one = timed_build(data, site, cache, jobs)
        print(f"   {one:.2f} s")
        shutil.copytree(ROOT / "data" / latest.name, latest, dirs_exist_ok=True)
        print("4. straightforward: every notebook one after another with papermill, then render")
        plain = straightforward(data, d)
        print(f"   {plain:.2f} s")
    return {"cold": cold, "same": same, "one": one, "plain": plain}


def main() -> None:
    ap = argparse.ArgumentParser(description="Build times of the bundled data, printed, never asserted.")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=1, help="repeat everything N times; min/median/max printed")
    args = ap.parse_args()
    runs = []
    for i in range(args.runs):
        if args.runs > 1:
            print(f"=== run {i + 1} of {args.runs}")
        print(machine_speed.line("before the run"))
        r = one_run(args.jobs)
        runs.append(r)
        print(machine_speed.line("after the run"))
        print()
        print(f"{'cold build':<34}{r['cold']:8.2f} s   goal ≤ 45 s and ≥ 2× faster than straightforward")
        print(f"{'no-change rebuild':<34}{r['same']:8.2f} s   goal ≤ 1 s")
        print(f"{'one quarter changed':<34}{r['one']:8.2f} s   = {r['one'] / r['cold']:.0%} of cold; goal ≤ 40 %")
        print(f"{'straightforward (sequential)':<34}{r['plain']:8.2f} s")
        print(f"{'ratio straightforward / cold':<34}{r['plain'] / r['cold']:8.2f} x")
        print(f"{'ratio straightforward / no-change':<34}{r['plain'] / r['same']:8.1f} x")
        print()
    if len(runs) > 1:
        rows = [("cold build (s)", [r["cold"] for r in runs]), ("no-change rebuild (s)", [r["same"] for r in runs]),
                ("one quarter changed (s)", [r["one"] for r in runs]),
                ("one changed / cold (%)", [100 * r["one"] / r["cold"] for r in runs]),
                ("straightforward (s)", [r["plain"] for r in runs]),
                ("straightforward / cold (x)", [r["plain"] / r["cold"] for r in runs])]
        print(f"{len(runs)} runs{'':<23}{'min':>8}{'median':>8}{'max':>8}   each run")
        for name, xs in rows:
            print(f"{name:<30}{min(xs):8.2f}{statistics.median(xs):8.2f}{max(xs):8.2f}   "
                  + " / ".join(f"{x:.2f}" for x in xs))


if __name__ == "__main__":
    main()
