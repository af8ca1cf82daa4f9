"""Render times of the two renderers on the same staged project, printed, never asserted.

    .venv/bin/python benchmarks/bench_render.py [--staging _build/staging] [--repeat 1]

The staging project is the one the last ``pipeline.py build`` left in
``_build/staging`` (executed notebooks, pages, assets, data). It is copied to
a temporary folder and rendered there — by the fallback renderer and, when a
``quarto`` binary is on PATH, by ``quarto render`` — into fresh output
folders, through :func:`cchc.render.render` (the pipeline's render step,
post-processing included). For each run the script prints the wall time and
the CPU time (user + system) of this process and its children: on a shared
machine the wall time depends on the load, the CPU time much less.
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv=None) -> int:
    from cchc.render import render
    from cchc.render.quarto import quarto_binary, quarto_version

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--staging", type=Path, default=ROOT / "_build" / "staging")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--renderer", choices=["both", "quarto", "fallback"], default="both")
    args = ap.parse_args(argv)
    if not (args.staging / "_quarto.yml").is_file():
        print(f"{args.staging} has no _quarto.yml: run `pipeline.py build` first", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    renderers = ["fallback", "quarto"] if args.renderer == "both" else [args.renderer]
    if "quarto" in renderers and not quarto_binary():
        print("no quarto binary on PATH: the Quarto renderer is skipped")
        renderers.remove("quarto")
    print(f"quarto: {quarto_version() or 'absent'}; staging: {args.staging}; "
          f"load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="cchc-bench-render-") as tmp:
        tmp = Path(tmp)
        for name in renderers:
            for i in range(args.repeat):
                staging = tmp / f"staging-{name}-{i}"
                shutil.copytree(args.staging, staging, ignore=shutil.ignore_patterns("site", ".quarto"))
                c0, t0 = cpu_seconds(), time.perf_counter()
                result = render(staging, tmp / f"site-{name}-{i}", renderer=name)
                wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
                print(f"{name:9s} run {i + 1}: {len(result.pages)} pages, wall {wall:6.1f} s, "
                      f"CPU {cpu:6.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
