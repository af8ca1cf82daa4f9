"""Validation time: the bundled quarters as the build validates them, then
time and peak memory for 10k, 100k and 1,000,000 ho_so rows.

    .venv/bin/python benchmarks/bench_validation.py [--jobs 2] [--runs 3] [rows ...]

Bundled quarters (``data/20*``, copied to a temporary folder), each case in a
FRESH subprocess running the build's validation stage
(``cchc.build.validate_quarters`` with ``--jobs`` workers), so the figures
count Python start-up, imports and the Great Expectations start-up:

1. every quarter, empty cache (targets: ≤ 8 s in total);
2. one quarter changed (one response fewer in the latest quarter's
   khao_sat.csv), the other verdicts from the cache (target: ≤ 3 s).

Then the synthetic sizes below.

For each size a synthetic valid quarter (tests/bad_inputs/_valid with a
generated ho_so.csv of that many rows, distinct time stamps to the minute) is
written to a temporary folder, then validated in a FRESH subprocess, so every
figure counts Python start-up, the Great Expectations import and context
creation, twice:

- ``build`` (with ``--jobs`` > 1): as the build validates it: the helper process
  imports Great Expectations while this process reads the files, and each
  suite runs in a worker as soon as its file is read
  (``cchc.validation.parallel.validate_quarters``);
- ``inline``: everything in one process (``validate_quarter``, as with
  ``--jobs 1``).

Printed per size and way: reading the files (cchc.loader, another stage's
cost, shown apart), the rest (GE start-up + suites + cross-file checks),
the total, and the peak RSS of the asking process (the build's workers are
not counted). Target: ≤ 15 s in total at 1,000,000 rows. No assertions.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine_speed

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from pathlib import Path
if __name__ == "__main__":  # the helper (a fork server) preloads this module
    import cchc.loader as loader
    spent = [0.0]
    real = loader.read_table
    def timed(path, name):
        t = time.perf_counter()
        try:
            return real(path, name)
        finally:
            spent[0] += time.perf_counter() - t
    loader.read_table = timed
    folder, plan, jobs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    if jobs > 1:
        from cchc.validation import parallel
        parallel.start_helper()  # as the build does once it knows a quarter is to be checked
        [qv] = parallel.validate_quarters([folder], plan, jobs)
    else:
        from cchc.validation import validate_quarter
        qv = validate_quarter(folder, plan)
    total = time.perf_counter() - t0
    # The peak RSS of this process: VmHWM. (ru_maxrss survives exec on Linux, so
    # it would report the parent's peak from writing the file when that is larger.)
    try:
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"ok": qv.ok, "rows": qv.rows_checked.get("ho_so.csv"), "checks": qv.checks_evaluated,
                      "load_s": spent[0], "total_s": total, "validate_s": total - spent[0],
                      "peak_mib": peak, "failures": [f.check for f in qv.failures]}))
"""


def bench(rows: int, tmp: Path, jobs: int) -> dict[str, dict]:
    """The figures of validating a synthetic quarter of ``rows`` dossiers:
    ``{"build": …, "inline": …}`` (see the module docstring)."""
    from synthetic import write_ho_so_realistic

    folder = tmp / f"n{rows}" / "2026Q3"
    shutil.copytree(ROOT / "tests" / "bad_inputs" / "_valid", folder)
    t = time.perf_counter()
    write_ho_so_realistic(folder / "ho_so.csv", rows)
    # the template's supplement requests point at template dossier ids: re-point them
    (folder / "bo_sung.csv").write_text(
        "MaHoSo,NgayYeuCauBoSung,NgayHoanThanhBoSung\nHS000000001,21/09/2026 09:00,\n", encoding="utf-8")
    gen = time.perf_counter() - t
    script = tmp / "validate_child.py"  # a file, not -c: the helper's workers import the main module
    script.write_text(CHILD, encoding="utf-8")
    outs = {}
    for way, j in ([("build", jobs)] if jobs > 1 else []) + [("inline", 1)]:
        r = subprocess.run([sys.executable, str(script), str(folder), str(ROOT / "data" / "plan"), str(j)],
                           capture_output=True, text=True, cwd=ROOT)
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        out = json.loads(r.stdout.strip().splitlines()[-1])
        out["file_mib"] = (folder / "ho_so.csv").stat().st_size / 2**20
        out["generate_s"] = gen
        outs[way] = out
    return outs


BUNDLED_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from cchc import build as b
opts = b.BuildOptions(data_dir=Path(sys.argv[1]), site_dir=Path(sys.argv[2]), cache_dir=Path(sys.argv[3]),
                      jobs=int(sys.argv[4]))
quarters = b.discover_quarters(opts.data_dir)
t1 = time.perf_counter()
verdicts, loaded = b.validate_quarters(opts, quarters, b.Cache(opts.cache_dir))
t2 = time.perf_counter()
print(json.dumps({"quarters": quarters, "validated": sorted(loaded), "ok": all(v.ok for v in verdicts.values()),
                  "total_s": t2 - t0, "startup_s": t1 - t0, "stage_s": t2 - t1}))
import gc
gc.freeze()  # as pipeline.py ends: no one-by-one collection at shutdown
"""


def bundled(tmp: Path, jobs: int) -> dict:
    data = tmp / "bundled" / "data"
    shutil.copytree(ROOT / "data", data)
    cache = tmp / "bundled" / "cache"

    walls = {}

    def run(label: str, target: str) -> None:
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", BUNDLED_CHILD, str(data), str(tmp / "bundled" / "site"), str(cache),
                            str(jobs)], capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - t
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        o = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"  {label:<34}{wall:7.2f} s  (stage {o['stage_s']:.2f} s; validated {', '.join(o['validated'])}; "
              f"{'valid' if o['ok'] else 'INVALID'})  target {target}", flush=True)
        walls[label.split(" (")[0]] = wall

    quarters = sorted(p.name for p in data.iterdir() if p.name[:2] == "20")
    print(f"bundled quarters {', '.join(quarters)}, --jobs {jobs}, fresh process each (start-up and GE included):")
    run("all quarters, empty cache", "≤ 8 s")
    survey = data / quarters[-1] / "khao_sat.csv"
    survey.write_bytes(survey.read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")
    run(f"one quarter changed ({quarters[-1]})", "≤ 3 s")
    shutil.rmtree(tmp / "bundled", ignore_errors=True)
    return walls


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="Validation time of the bundled quarters and of synthetic "
                                             "ho_so files; figures printed, never asserted.")
    ap.add_argument("--jobs", type=int, default=2, help="validation workers for the bundled quarters (default 2)")
    ap.add_argument("--skip-bundled", action="store_true", help="only the synthetic sizes")
    ap.add_argument("--runs", type=int, default=1, help="repeat everything N times; min/median/max printed")
    ap.add_argument("rows", nargs="*", type=int, help="ho_so row counts (default 10000 100000 1000000)")
    args = ap.parse_args(argv)
    jobs = args.jobs
    sizes = args.rows or [10_000, 100_000, 1_000_000]
    summary: dict[str, list[float]] = {}
    for i in range(args.runs):
        if args.runs > 1:
            print(f"=== run {i + 1} of {args.runs} (load average {os.getloadavg()[0]:.2f})")
        print(machine_speed.line("before the run"))
        if not args.skip_bundled:
            with tempfile.TemporaryDirectory(prefix="cchc-bench-") as d:
                for label, wall in bundled(Path(d), jobs).items():
                    summary.setdefault(f"bundled: {label} (s)", []).append(wall)
            print()
        print(f"{'rows':>10} {'way':>7} {'file MiB':>9} {'load s':>8} {'other s':>8} {'total s':>8} "
              f"{'peak MiB':>9}  result")
        with tempfile.TemporaryDirectory(prefix="cchc-bench-") as d:
            for n in sizes:
                for way, o in bench(n, Path(d), jobs).items():
                    verdict = "valid" if o["ok"] else f"INVALID {o['failures']}"
                    print(f"{n:>10,} {way:>7} {o['file_mib']:>9.1f} {o['load_s']:>8.2f} {o['validate_s']:>8.2f} "
                          f"{o['total_s']:>8.2f} {o['peak_mib']:>9.0f}  {verdict} ({o['checks']} checks)", flush=True)
                    for k in ("load_s", "validate_s", "total_s", "peak_mib"):
                        summary.setdefault(f"{n:,} rows, {way}: {k}", []).append(o[k])
                shutil.rmtree(Path(d) / f"n{n}", ignore_errors=True)
        print("total s: target ≤ 15 s at 1,000,000 rows. load s = cchc.loader reading the 7 files; other s = the "
              "rest (GE import + context + suites + cross-file checks; build: what they add to the wall time). "
              "build = helper + workers (--jobs), inline = one process; peak MiB = the asking process.")
        print(machine_speed.line("after the run"))
        print()
    if args.runs > 1:
        print(f"{args.runs} runs{'':<43}{'min':>8}{'median':>8}{'max':>8}")
        for name, xs in summary.items():
            print(f"{name:<50}{min(xs):8.2f}{statistics.median(xs):8.2f}{max(xs):8.2f}   "
                  + " / ".join(f"{x:.2f}" for x in xs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
