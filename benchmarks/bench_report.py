"""Time of `pipeline.py report` for each sample quarter after a site build,
printed, never asserted (issue 13: under 10 s per quarter on the 2-core machine).

1. `pipeline.py build` of the bundled data into a temporary site with its own
   cache (so the results are cached, as after any site build);
2. `pipeline.py report --quarter Q` for every quarter, wall-clock time of the
   whole command (Python start, validation and results from the cache,
   filling the template, writing the DOCX), plus the time of filling the
   template alone, three runs each.

Usage: .venv/bin/python benchmarks/bench_report.py [--jobs 2] [--site-built DIR --cache DIR]
Nothing of the project's site/, _build/ or .cache/ is touched.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run(args: list[str], cache: Path) -> tuple[float, subprocess.CompletedProcess]:
    env = {**os.environ, "CCHC_CACHE_DIR": str(cache)}
    t = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - t, r


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cache", type=Path, help="use this cache (of an earlier site build) instead of building")
    args = ap.parse_args()
    data = ROOT / "data"
    quarters = sorted(p.name for p in data.iterdir() if p.is_dir() and p.name[:2] == "20")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmp = Path(tmp)
        cache = args.cache or tmp / "cache"
        if args.cache is None:
            dt, r = run(["build", "--data", str(data), "--site", str(tmp / "site"), "--jobs", str(args.jobs)], cache)
            if r.returncode != 0:
                sys.exit(f"build failed:\n{r.stderr[-3000:]}")
            print(f"site build (cold cache): {dt:.1f} s")
        print(f"{'quarter':8} {'command (s), ' + str(args.runs) + ' runs':>28} {'median':>7}")
        for q in quarters:
            times = []
            for _ in range(args.runs):
                dt, r = run(["report", "--quarter", q, "--data", str(data), "--out", str(tmp / "reports")], cache)
                if r.returncode != 0:
                    sys.exit(f"report {q} failed:\n{r.stderr[-3000:]}")
                times.append(dt)
            size = (tmp / "reports" / f"bao-cao-cchc-{q}.docx").stat().st_size
            print(f"{q:8} {', '.join(f'{t:.1f}' for t in times):>28} {statistics.median(times):7.1f}"
                  f"   ({size / 1024:.0f} KiB)")
        # the template step alone, in this process (contexts from the same cache)
        os.environ["CCHC_CACHE_DIR"] = str(cache)
        from cchc.build import contexts_from_data
        from cchc.report import load_staff_text, make_report

        _, ctx = contexts_from_data(data)
        for q in quarters:
            staff = load_staff_text(data / q)
            t = time.perf_counter()
            make_report(ctx[q], staff)
            print(f"{q}: filling the template and checking the text: {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
